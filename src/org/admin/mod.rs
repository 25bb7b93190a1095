//! Administration of the organization (系统管理): units, positions, users and role grants, as a
//! group administrator (everything) or an enterprise administrator (their enterprise's subtree)
//! manages them by hand, beside what the eHR sync brings in. Every rule is checked here, in the
//! services, never only in a route or a template.

pub mod api;
pub mod grants;
pub mod pages;
pub mod units;
pub mod users;

use serde::{Deserialize, Deserializer};

use crate::auth::{Actor, Scope};
use crate::error::{Code, Error, FieldErrors, Result};

/// Integration tokens never administer: only a person's own session does.
pub(crate) fn require_person(actor: &Actor) -> Result<()> {
    if actor.scope == Scope::Full {
        Ok(())
    } else {
        Err(Error::Forbidden(Code::Forbidden))
    }
}

/// Unit and position codes: 1–32 ASCII letters, digits, `-`, `_` and `.` (as HR systems use).
pub fn valid_code(code: &str) -> bool {
    (1..=32).contains(&code.len())
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// A display name: trimmed, 1 to `max` characters.
pub(crate) fn check_name(
    fields: &mut FieldErrors,
    field: &str,
    value: &str,
    max: usize,
) -> Option<String> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > max {
        fields.insert(field.into(), "error.org.name".into());
        None
    } else {
        Some(v.to_string())
    }
}

/// Trimmed text, `None` when empty.
pub(crate) fn clean(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

pub(crate) fn done(fields: FieldErrors) -> Result<()> {
    if fields.is_empty() {
        Ok(())
    } else {
        Err(Error::Validation(fields))
    }
}

/// For PATCH bodies: a key that is present (even `null`) is `Some(value)`, an absent key `None`,
/// so `null` clears a field and leaving it out keeps it.
pub(crate) fn present<'de, D, T>(d: D) -> std::result::Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    #[test]
    fn codes() {
        for ok in ["G-IT", "E1.D2", "a", "HR_01"] {
            assert!(super::valid_code(ok), "{ok}");
        }
        for bad in ["", "信息部", "a b", &"x".repeat(33)] {
            assert!(!super::valid_code(bad), "{bad}");
        }
    }
}
