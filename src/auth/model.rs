//! Sessions, API tokens and the password policy. Pure types and rules.

use serde::{Deserialize, Serialize};

use super::actor::Scope;
use crate::config::PasswordPolicy;
use crate::store::Record;

/// A browser session or an integration token. Only the SHA-256 of the secret is stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub id: u64,
    pub user_id: u64,
    /// Hex SHA-256 of the bearer secret.
    pub token_hash: String,
    pub kind: SessionKind,
    pub scope: Scope,
    /// The CSRF token of a browser session (sent back in forms and the X-CSRF-Token header).
    #[serde(default)]
    pub csrf: String,
    pub created_ms: i64,
    pub last_seen_ms: i64,
    /// Hard end; a browser session also ends after its idle time.
    pub expires_ms: i64,
    #[serde(default)]
    pub ip: Option<String>,
    #[serde(default)]
    pub user_agent: Option<String>,
}

impl Record for Session {
    const KIND: &'static str = "auth.session";
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum SessionKind {
    /// A person signed in (browser or app).
    Login,
    /// An integration token made by an administrator.
    Token { name: String },
}

/// Failed sign-ins of one account (UTC ms), to lock it after too many.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Failures {
    pub at_ms: Vec<i64>,
    #[serde(default)]
    pub locked_until_ms: i64,
}

impl Record for Failures {
    const KIND: &'static str = "auth.failures";
}

/// Hashes of a user's previous passwords, newest first, for the history rule.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PasswordHistory {
    pub hashes: Vec<String>,
}

impl Record for PasswordHistory {
    const KIND: &'static str = "auth.password_history";
}

/// Checks a new password against the policy; `Err` holds the catalog key of the first rule it
/// breaks.
pub fn check_policy(
    policy: &PasswordPolicy,
    password: &str,
    login: &str,
) -> Result<(), &'static str> {
    let chars = password.chars().count();
    if chars < policy.min_length {
        return Err("error.password.too_short");
    }
    if chars > 128 {
        return Err("error.password.too_long");
    }
    if policy.require_letters && !password.chars().any(|c| c.is_alphabetic()) {
        return Err("error.password.needs_letter");
    }
    if policy.require_digits && !password.chars().any(|c| c.is_ascii_digit()) {
        return Err("error.password.needs_digit");
    }
    if policy.require_symbols && !password.chars().any(|c| !c.is_alphanumeric()) {
        return Err("error.password.needs_symbol");
    }
    if !login.is_empty() && password.to_lowercase().contains(&login.to_lowercase()) {
        return Err("error.password.contains_login");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_policy_is_six_with_letters_and_digits() {
        let p = PasswordPolicy::default();
        assert_eq!(
            check_policy(&p, "abc12", "x"),
            Err("error.password.too_short")
        );
        assert_eq!(
            check_policy(&p, "abcdef", "x"),
            Err("error.password.needs_digit")
        );
        assert_eq!(
            check_policy(&p, "123456", "x"),
            Err("error.password.needs_letter")
        );
        assert_eq!(
            check_policy(&p, "zhangwei1", "zhangwei"),
            Err("error.password.contains_login")
        );
        assert_eq!(check_policy(&p, "abc123", "x"), Ok(()));
        assert_eq!(check_policy(&p, "密码abc123", "x"), Ok(()));
        let strict = PasswordPolicy {
            require_symbols: true,
            min_length: 8,
            ..p
        };
        assert_eq!(
            check_policy(&strict, "abcd1234", "x"),
            Err("error.password.needs_symbol")
        );
        assert_eq!(check_policy(&strict, "abcd-1234", "x"), Ok(()));
    }
}
