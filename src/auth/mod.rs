//! Authentication and the home of authorization: passwords (argon2id + policy), sessions and
//! integration tokens, the Actor and `can`, lockout and throttling. Guards (who is calling) and
//! the routes live in guards.rs, api.rs and pages.rs, the only files here that know Rocket.

pub mod actor;
pub mod api;
pub mod guards;
pub mod model;
pub mod pages;
pub mod password;
pub mod service;
pub mod store;
pub mod sweep;
pub mod throttle;

pub use actor::{Actor, Permission, Scope};
