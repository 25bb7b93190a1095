//! The eHR snapshot (what HR sends) and the sync report (what the sync did with it). Pure types
//! and row validation; parsing of the three file shapes is in `parse.rs`.
//!
//! A snapshot references units by code and people by employee number:
//! `{"mode": "full"|"delta", "units": [{"code","name","kind","parent","head","order"}],
//!   "people": [{"employee_no","name","login","ad_login","mobile","email","unit","position",
//!   "manager","status"}]}`.
//! Each field of a row is in one of three states (see [`Field`]): absent (the key or the column
//! is not there: an existing record keeps its value), empty (`null` or an empty cell: the value is
//! cleared) or a value.

use serde::{Deserialize, Deserializer, Serialize};

use crate::org::model::UnitKind;
use crate::store::Record;

/// `full`: the snapshot is the whole organization, so eHR people missing from it are disabled.
/// `delta`: only the rows listed are touched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Full,
    Delta,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Full => "full",
            Mode::Delta => "delta",
        }
    }
}

impl std::str::FromStr for Mode {
    type Err = String;
    fn from_str(s: &str) -> Result<Mode, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "full" => Ok(Mode::Full),
            "delta" => Ok(Mode::Delta),
            other => Err(format!("mode must be full or delta, not {other:?}")),
        }
    }
}

/// One cell of a row: absent (keep what is stored), empty (clear it), or a value.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Field<T> {
    #[default]
    Absent,
    Empty,
    Value(T),
}

impl<T> Field<T> {
    pub fn value(&self) -> Option<&T> {
        match self {
            Field::Value(v) => Some(v),
            _ => None,
        }
    }

    pub fn is_absent(&self) -> bool {
        matches!(self, Field::Absent)
    }
}

impl Field<String> {
    /// Trims a value; a blank value becomes empty.
    fn normalize(&mut self) {
        if let Field::Value(v) = self {
            let t = v.trim();
            if t.is_empty() {
                *self = Field::Empty;
            } else if t.len() != v.len() {
                *self = Field::Value(t.to_string());
            }
        }
    }

    pub fn str(&self) -> Option<&str> {
        self.value().map(String::as_str)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Field<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Option::<T>::deserialize(d)? {
            None => Field::Empty,
            Some(v) => Field::Value(v),
        })
    }
}

/// Why a row cannot be used: the field and the catalog key of the reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowProblem {
    pub field: &'static str,
    pub key: &'static str,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitRow {
    /// 1-based: the position in the JSON array, or the sheet/file row (the header is row 1).
    #[serde(skip)]
    pub row: usize,
    #[serde(default)]
    pub code: Field<String>,
    #[serde(default)]
    pub name: Field<String>,
    /// `group`, `enterprise` or `department`.
    #[serde(default)]
    pub kind: Field<String>,
    /// The parent unit's code; empty for the root.
    #[serde(default)]
    pub parent: Field<String>,
    /// The head's employee number.
    #[serde(default)]
    pub head: Field<String>,
    #[serde(default)]
    pub order: Field<i64>,
    /// A cell that could not be read (a file-shape problem confined to this row).
    #[serde(skip)]
    pub problem: Option<RowProblem>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonRow {
    #[serde(skip)]
    pub row: usize,
    #[serde(default)]
    pub employee_no: Field<String>,
    #[serde(default)]
    pub name: Field<String>,
    /// The account name; when missing, the lower-cased employee number (if it is a valid login).
    #[serde(default)]
    pub login: Field<String>,
    #[serde(default)]
    pub ad_login: Field<String>,
    #[serde(default)]
    pub mobile: Field<String>,
    #[serde(default)]
    pub email: Field<String>,
    /// The unit's code.
    #[serde(default)]
    pub unit: Field<String>,
    /// The position's code (a new one is created with code = name = this text).
    #[serde(default)]
    pub position: Field<String>,
    /// The manager's employee number.
    #[serde(default)]
    pub manager: Field<String>,
    /// `active` (the default) or `departed`.
    #[serde(default)]
    pub status: Field<String>,
    #[serde(skip)]
    pub problem: Option<RowProblem>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub mode: Mode,
    pub units: Vec<UnitRow>,
    pub people: Vec<PersonRow>,
}

impl Snapshot {
    /// Numbers rows that have no number yet (JSON: the 1-based array position) and trims every
    /// text cell, blank cells becoming empty.
    pub fn normalize(&mut self) {
        for (i, u) in self.units.iter_mut().enumerate() {
            if u.row == 0 {
                u.row = i + 1;
            }
            for f in [
                &mut u.code,
                &mut u.name,
                &mut u.kind,
                &mut u.parent,
                &mut u.head,
            ] {
                f.normalize();
            }
        }
        for (i, p) in self.people.iter_mut().enumerate() {
            if p.row == 0 {
                p.row = i + 1;
            }
            for f in [
                &mut p.employee_no,
                &mut p.name,
                &mut p.login,
                &mut p.ad_login,
                &mut p.mobile,
                &mut p.email,
                &mut p.unit,
                &mut p.position,
                &mut p.manager,
                &mut p.status,
            ] {
                f.normalize();
            }
        }
    }
}

// ---------------------------------------------------------------- row validation

pub const MAX_NAME: usize = 100;
pub const MAX_CODE: usize = 64;

/// Unit codes, employee numbers: 1–64 characters, no spaces or control characters.
pub fn valid_code(s: &str) -> bool {
    (1..=MAX_CODE).contains(&s.chars().count())
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

pub fn valid_name(s: &str) -> bool {
    (1..=MAX_NAME).contains(&s.chars().count()) && !s.chars().any(char::is_control)
}

pub fn parse_kind(s: &str) -> Option<UnitKind> {
    match s.to_ascii_lowercase().as_str() {
        "group" => Some(UnitKind::Group),
        "enterprise" => Some(UnitKind::Enterprise),
        "department" => Some(UnitKind::Department),
        _ => None,
    }
}

/// Digits with an optional leading `+` and `-`/space separators, 5–20 digits.
pub fn valid_mobile(s: &str) -> bool {
    let body = s.strip_prefix('+').unwrap_or(s);
    let digits = body.chars().filter(char::is_ascii_digit).count();
    (5..=20).contains(&digits)
        && body
            .chars()
            .all(|c| c.is_ascii_digit() || c == '-' || c == ' ')
}

/// One `@` with something on both sides, a dot in the domain, no spaces; at most 254 bytes.
pub fn valid_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    s.len() <= 254
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// AD logins (`DOMAIN\name` or `name@domain`): 1–128 characters without spaces.
pub fn valid_ad_login(s: &str) -> bool {
    (1..=128).contains(&s.chars().count())
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

// ---------------------------------------------------------------- who and how

/// Who runs a sync: a signed-in user (API, admin page) or the system (CLI, nightly pickup).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncActor {
    pub user_id: Option<u64>,
    pub login: String,
}

impl SyncActor {
    pub fn system() -> SyncActor {
        SyncActor {
            user_id: None,
            login: "system".into(),
        }
    }

    pub fn user(id: u64, login: &str) -> SyncActor {
        SyncActor {
            user_id: Some(id),
            login: login.into(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Compute the report, write nothing.
    pub dry_run: bool,
    /// Where the snapshot came from, shown in the report: `api`, a file name, `demo`.
    pub source: String,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            dry_run: false,
            source: "api".into(),
        }
    }
}

// ---------------------------------------------------------------- the report

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sheet {
    Units,
    People,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineAction {
    Created,
    Updated,
    /// A person disabled: departed, or (full mode) missing from the snapshot.
    Disabled,
    /// The row was skipped: `field` and `reason` say why.
    Rejected,
    /// The row was applied, but one reference in it was not (`field`, `reason`).
    Warning,
    /// Full mode: an eHR unit absent from the snapshot, left in place for an administrator.
    Missing,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportLine {
    pub sheet: Sheet,
    /// The row in the snapshot (0 for a record the snapshot does not list).
    pub row: usize,
    /// The unit code or the employee number (as given, possibly empty on a rejected row).
    pub key: String,
    pub action: LineAction,
    /// The record's id (for a dry run: the id it would most likely get).
    #[serde(default)]
    pub id: Option<u64>,
    #[serde(default)]
    pub field: Option<String>,
    /// Catalog key of the reason (rejections, warnings).
    #[serde(default)]
    pub reason: Option<String>,
    /// Names of the fields an update changed.
    #[serde(default)]
    pub changes: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SyncCounts {
    pub units_created: usize,
    pub units_updated: usize,
    pub units_unchanged: usize,
    /// Full mode: eHR units not in the snapshot (reported, not removed).
    pub units_missing: usize,
    pub people_created: usize,
    pub people_updated: usize,
    pub people_disabled: usize,
    pub people_unchanged: usize,
    pub positions_created: usize,
    pub rejected: usize,
    pub warnings: usize,
}

impl SyncCounts {
    /// How many records the sync writes: 0 means the store already matched the snapshot.
    pub fn changes(&self) -> usize {
        self.units_created
            + self.units_updated
            + self.people_created
            + self.people_updated
            + self.people_disabled
            + self.positions_created
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncReport {
    /// The report's id in `org.ehr_reports` (0 for a dry run, which is not stored).
    pub id: u64,
    pub at_ms: i64,
    #[serde(default)]
    pub actor_id: Option<u64>,
    pub actor_login: String,
    pub mode: Mode,
    pub source: String,
    #[serde(default)]
    pub dry_run: bool,
    pub counts: SyncCounts,
    /// One line per created, updated, disabled, rejected, warned or missing row, in row order.
    #[serde(default)]
    pub lines: Vec<ReportLine>,
    /// Users this sync disabled: the caller ends their sessions.
    #[serde(default)]
    pub disabled_user_ids: Vec<u64>,
    #[serde(default)]
    pub created_user_ids: Vec<u64>,
}

impl Record for SyncReport {
    const KIND: &'static str = "org.ehr_report";
}

/// A report without its lines: what a list of reports shows. Reads the same stored bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncSummary {
    pub id: u64,
    pub at_ms: i64,
    #[serde(default)]
    pub actor_id: Option<u64>,
    pub actor_login: String,
    pub mode: Mode,
    pub source: String,
    #[serde(default)]
    pub dry_run: bool,
    pub counts: SyncCounts,
}

impl Record for SyncSummary {
    const KIND: &'static str = "org.ehr_report";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_states_from_json() {
        #[derive(Deserialize)]
        struct R {
            #[serde(default)]
            a: Field<String>,
            #[serde(default)]
            b: Field<String>,
            #[serde(default)]
            c: Field<String>,
        }
        let r: R = serde_json::from_str(r#"{"b": null, "c": "x"}"#).unwrap();
        assert_eq!(
            (r.a, r.b, r.c),
            (Field::Absent, Field::Empty, Field::Value("x".into()))
        );
    }

    #[test]
    fn normalize_trims_and_numbers_rows() {
        let mut s = Snapshot {
            mode: Mode::Full,
            units: vec![UnitRow {
                code: Field::Value(" G ".into()),
                name: Field::Value("  ".into()),
                ..UnitRow::default()
            }],
            people: vec![PersonRow::default(), PersonRow::default()],
        };
        s.normalize();
        assert_eq!(s.units[0].code, Field::Value("G".into()));
        assert_eq!(s.units[0].name, Field::Empty);
        assert_eq!((s.units[0].row, s.people[1].row), (1, 2));
    }

    #[test]
    fn validators() {
        assert!(valid_code("G-IT") && valid_code("部门1") && !valid_code("a b") && !valid_code(""));
        assert!(valid_mobile("13800000000") && valid_mobile("+86 138-0000-0000"));
        assert!(!valid_mobile("abc") && !valid_mobile("12"));
        assert!(valid_email("zhangwei@example.com"));
        for bad in ["x", "@a.com", "a@b", "a b@c.com", "a@.com", "a@b.com."] {
            assert!(!valid_email(bad), "{bad}");
        }
        assert_eq!(parse_kind("Department"), Some(UnitKind::Department));
        assert_eq!(parse_kind("team"), None);
        assert_eq!("DELTA".parse::<Mode>(), Ok(Mode::Delta));
    }
}
