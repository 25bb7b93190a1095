//! The organization's records: units (group, enterprises, departments), users and role grants.
//! Pure types and validation; the full set of fields that the eHR sync fills.

use serde::{Deserialize, Serialize};

use crate::store::Record;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    Group,
    Enterprise,
    Department,
}

/// Where a record came from: a sync may only touch what it created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    #[default]
    Local,
    Ehr,
    Demo,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unit {
    pub id: u64,
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    pub parent_id: Option<u64>,
    #[serde(default)]
    pub head_id: Option<u64>,
    #[serde(default)]
    pub order: i64,
    #[serde(default)]
    pub source: Source,
    pub created_ms: i64,
    pub updated_ms: i64,
}

impl Record for Unit {
    const KIND: &'static str = "org.unit";
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserStatus {
    Active,
    Disabled,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: u64,
    pub login: String,
    pub name: String,
    #[serde(default)]
    pub employee_no: Option<String>,
    #[serde(default)]
    pub mobile: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub ad_login: Option<String>,
    pub unit_id: u64,
    #[serde(default)]
    pub position_id: Option<u64>,
    #[serde(default)]
    pub manager_id: Option<u64>,
    pub status: UserStatus,
    /// argon2id PHC string.
    pub password_hash: String,
    #[serde(default)]
    pub must_change_password: bool,
    #[serde(default)]
    pub password_changed_ms: i64,
    #[serde(default)]
    pub source: Source,
    pub created_ms: i64,
    pub updated_ms: i64,
}

impl Record for User {
    const KIND: &'static str = "org.user";
}

/// A job post (岗位). `parent_id` is the superior position (the reporting line between posts).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Position {
    pub id: u64,
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub unit_id: Option<u64>,
    #[serde(default)]
    pub parent_id: Option<u64>,
    #[serde(default)]
    pub source: Source,
    pub created_ms: i64,
    pub updated_ms: i64,
}

impl Record for Position {
    const KIND: &'static str = "org.position";
}

/// The three eHR events (入职 / 离职 / 异动), appended to `org.events` in the transaction that
/// makes the change, for later features to follow (handover of a leaver's tasks and files to the
/// manager, moving a transferred person's open work).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgEvent {
    /// A person left: the account is disabled; `manager_id` is who takes over their work.
    Departed {
        user_id: u64,
        #[serde(default)]
        manager_id: Option<u64>,
        at_ms: i64,
    },
    /// A new account (or a departed one that came back).
    Hired {
        user_id: u64,
        #[serde(default)]
        at_ms: i64,
    },
    /// A person moved to another unit.
    Transferred {
        user_id: u64,
        from_unit: u64,
        to_unit: u64,
        #[serde(default)]
        at_ms: i64,
    },
}

impl OrgEvent {
    pub fn user_id(&self) -> u64 {
        match self {
            OrgEvent::Departed { user_id, .. }
            | OrgEvent::Hired { user_id, .. }
            | OrgEvent::Transferred { user_id, .. } => *user_id,
        }
    }
}

impl Record for OrgEvent {
    const KIND: &'static str = "org.event";
}

/// A role given to a user within a unit subtree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grant {
    pub id: u64,
    pub user_id: u64,
    pub role: String,
    pub unit_id: u64,
    #[serde(default)]
    pub granted_by: Option<u64>,
    pub created_ms: i64,
}

impl Record for Grant {
    const KIND: &'static str = "org.grant";
}

/// The built-in roles (GLOSSARY.md).
pub const ROLES: &[&str] = &[
    "group_admin",
    "enterprise_admin",
    "news_publisher",
    "regulation_publisher",
    "notice_publisher",
    "document_clerk",
    "workflow_admin",
    "meeting_admin",
];

/// Login names: 2–64 characters of ASCII letters, digits, `.`, `_` and `-`, starting with a
/// letter or digit. Logins are compared lower-cased.
pub fn valid_login(login: &str) -> bool {
    let ok_len = (2..=64).contains(&login.len());
    let mut chars = login.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
    ok_len && first_ok && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins() {
        for ok in ["admin", "zhang.wei", "li_na-2", "a1"] {
            assert!(valid_login(ok), "{ok}");
        }
        for bad in ["", "a", "-admin", "张伟", "a b", &"x".repeat(65)] {
            assert!(!valid_login(bad), "{bad}");
        }
    }
}
