//! A person's own profile (个人设置): the contact details they keep themselves, mobile and email.
//! Everything else about an account (name, unit, position, manager) is the eHR's or an
//! administrator's to change.

use super::store as org_store;
use crate::App;
use crate::auth::service::{Origin, event};
use crate::auth::{Actor, Scope};
use crate::error::{Code, Error, FieldErrors, Result};
use crate::store::audit;

#[derive(Debug, Clone, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
pub struct Profile {
    /// Digits, with `+`, `-` and spaces; empty clears it.
    pub mobile: Option<String>,
    /// Empty clears it.
    pub email: Option<String>,
}

fn clean(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// A mobile or desk number: 5 to 20 characters of digits, `+`, `-` and spaces, at least 5 digits.
pub fn valid_phone(s: &str) -> bool {
    (5..=20).contains(&s.chars().count())
        && s.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' '))
        && s.chars().filter(char::is_ascii_digit).count() >= 5
}

/// One `@`, something on each side, a dot in the domain, no spaces, at most 254 characters.
pub fn valid_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    s.len() <= 254
        && !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(char::is_whitespace)
}

pub fn show(app: &App, actor: &Actor) -> Result<Profile> {
    let u = app
        .store()
        .read(|tx| org_store::user_by_id(tx, actor.user_id))?
        .ok_or(Error::NotFound)?;
    Ok(Profile {
        mobile: u.mobile,
        email: u.email,
    })
}

/// Saves the caller's mobile and email; both fields are checked before anything changes.
pub fn update(app: &App, actor: &Actor, p: Profile, origin: &Origin) -> Result<Profile> {
    if actor.scope != Scope::Full {
        return Err(Error::Forbidden(Code::Forbidden));
    }
    let (mobile, email) = (clean(p.mobile), clean(p.email));
    let mut errors = FieldErrors::new();
    if mobile.as_deref().is_some_and(|m| !valid_phone(m)) {
        errors.insert("mobile".into(), "error.profile.mobile".into());
    }
    if email.as_deref().is_some_and(|e| !valid_email(e)) {
        errors.insert("email".into(), "error.profile.email".into());
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let now = app.now_ms();
    app.store().write(|tx| {
        let mut u = org_store::user_by_id_w(tx, actor.user_id)?.ok_or(Error::NotFound)?;
        if u.mobile == mobile && u.email == email {
            return Ok(());
        }
        let old = u.clone();
        u.mobile = mobile.clone();
        u.email = email.clone();
        u.updated_ms = now;
        org_store::update_user(tx, &old, &u)?;
        let target = format!("user:{}", u.id);
        let ev = event(
            Some(actor),
            "org.user.profile",
            target,
            String::new(),
            origin,
        );
        audit::append(tx, now, ev)?;
        Ok(())
    })?;
    app.org_changed(); // the directory shows the new details
    Ok(Profile { mobile, email })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_and_emails() {
        for ok in ["13800138000", "+86 138-0013-8000", "010-12345678"] {
            assert!(valid_phone(ok), "{ok}");
        }
        for bad in ["1234", "138a0013800", "+-- -", &"1".repeat(21)] {
            assert!(!valid_phone(bad), "{bad}");
        }
        for ok in ["zhang.wei@example.cn", "a@b.co"] {
            assert!(valid_email(ok), "{ok}");
        }
        for bad in [
            "zhangwei",
            "@example.cn",
            "a@b",
            "a@.cn",
            "a b@c.cn",
            "a@b@c.cn",
        ] {
            assert!(!valid_email(bad), "{bad}");
        }
    }
}
