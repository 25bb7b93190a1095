//! Authentication: passwords now; sessions, guards, CSRF and throttling arrive with sign-in.

pub mod password;
