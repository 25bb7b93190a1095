//! Workflow form templates (流程表单模板): a form (typed fields with rules) and a process (steps
//! with approver rules, a mode, an optional condition, per-field rights and a deadline). Versioned:
//! editing makes a new version under the same stable `key`; a running instance keeps its version.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::FieldErrors;
use crate::store::Record;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Template {
    #[serde(default)]
    pub id: u64,
    /// Stable across versions: `leave`, `general_submission`…
    pub key: String,
    #[serde(default)]
    pub version: u32,
    /// 事项类别: what a person chooses first, and what a delegation can be limited to.
    pub category: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub fields: Vec<FieldDef>,
    pub steps: Vec<StepDef>,
    /// Approvers may approve from the todo list without opening the form.
    #[serde(default)]
    pub quick_approve: bool,
    /// The registered subject handler called when an instance ends (`leave`), if any.
    #[serde(default)]
    pub subject: Option<String>,
    /// The field whose value titles an instance (else the template's name).
    #[serde(default)]
    pub title_field: Option<String>,
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default)]
    pub builtin: bool,
    #[serde(default)]
    pub created_by: Option<u64>,
    #[serde(default)]
    pub created_ms: i64,
}

fn yes() -> bool {
    true
}

impl Record for Template {
    const KIND: &'static str = "workflow.template";
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Text,
    LongText,
    Number,
    /// Yuan with two decimals.
    Money,
    /// `YYYY-MM-DD`.
    Date,
    /// `{"start": "YYYY-MM-DD", "end": "YYYY-MM-DD"}`; its working days are computed as `days`.
    DateRange,
    Single,
    Multiple,
    /// A user id.
    User,
    /// A unit id.
    Unit,
    /// A list of attachment ids.
    Attachment,
    /// Rows of the `columns` fields.
    Table,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// A value the engine computes instead of the person filling in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum Compute {
    /// Working days from the date in `from` to the date in `to`, both included.
    WorkingDays { from: String, to: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FieldDef {
    pub key: String,
    pub label: String,
    pub kind: FieldKind,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub help: String,
    /// Number and money: bounds. Text: length bounds in characters.
    #[serde(default)]
    pub min: Option<f64>,
    #[serde(default)]
    pub max: Option<f64>,
    #[serde(default)]
    pub options: Vec<Choice>,
    /// Table: the fields of one row (no nested tables).
    #[serde(default)]
    #[schema(no_recursion)]
    pub columns: Vec<FieldDef>,
    #[serde(default)]
    pub compute: Option<Compute>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    Approval,
    /// 抄送: the people are told and may read; nobody acts.
    Cc,
}

/// How several approvers of one step decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// 或签: the first approval decides.
    AnyOf,
    /// 会签: everyone approves.
    AllOf,
    /// 依次: one after another, in order.
    Sequence,
}

/// Where a role is looked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoleScope {
    /// Granted on the group itself.
    Group,
    /// Granted on the applicant's enterprise (or above it).
    Enterprise,
    /// Granted on the applicant's department (or above it).
    Department,
}

/// Who approves. A step's rules are resolved in order when the step starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum ApproverRule {
    Users {
        ids: Vec<u64>,
    },
    Role {
        role: String,
        scope: RoleScope,
    },
    /// The head of the applicant's department.
    DepartmentHead,
    /// The head of the applicant's enterprise (its leadership).
    EnterpriseHead,
    /// The applicant's manager, then theirs, up to `levels`.
    Manager {
        levels: u8,
    },
    /// The user picked in a form field.
    Field {
        field: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
    /// The field's value is one of a list.
    In,
}

/// A condition on form values: a step whose condition is false is left out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum Condition {
    Compare {
        field: String,
        op: Op,
        #[schema(value_type = Value)]
        value: serde_json::Value,
    },
    #[schema(no_recursion)]
    All { of: Vec<Condition> },
    #[schema(no_recursion)]
    Any { of: Vec<Condition> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldRight {
    Editable,
    ReadOnly,
    Hidden,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StepDef {
    /// Stable within the template: `manager`, `leaders`…
    pub id: String,
    pub name: String,
    pub kind: StepKind,
    pub approvers: Vec<ApproverRule>,
    #[serde(default = "any_of")]
    pub mode: Mode,
    #[serde(default)]
    pub condition: Option<Condition>,
    /// Fields not named are read-only at this step.
    #[serde(default)]
    pub field_rights: BTreeMap<String, FieldRight>,
    /// Working days to act, per task.
    #[serde(default = "one")]
    pub deadline_days: u32,
}

fn any_of() -> Mode {
    Mode::AnyOf
}
fn one() -> u32 {
    1
}

impl StepDef {
    pub fn right(&self, field: &str) -> FieldRight {
        self.field_rights
            .get(field)
            .copied()
            .unwrap_or(FieldRight::ReadOnly)
    }
}

/// Template keys: 1–40 of a–z, 0–9 and `_`, starting with a letter.
pub fn valid_key(key: &str) -> bool {
    (1..=40).contains(&key.len())
        && key.starts_with(|c: char| c.is_ascii_lowercase())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

impl Template {
    pub fn field(&self, key: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.key == key)
    }

    /// Checks the template itself (not a form): keys, names, references between fields and
    /// steps. Errors are keyed by path, e.g. `steps.1.approvers.0.field`.
    pub fn check(&self) -> FieldErrors {
        let mut e = FieldErrors::new();
        let mut bad = |k: String, why: &str| {
            e.entry(k).or_insert_with(|| why.to_string());
        };
        if !valid_key(&self.key) {
            bad("key".into(), "error.workflow.key");
        }
        for (name, v, max) in [("name", &self.name, 60), ("category", &self.category, 30)] {
            let n = v.trim().chars().count();
            if n == 0 || n > max {
                bad(name.into(), "error.org.name");
            }
        }
        if self.description.chars().count() > 2000 {
            bad("description".into(), "error.too_long");
        }
        if self.fields.is_empty() || self.fields.len() > 100 {
            bad("fields".into(), "error.workflow.fields");
        }
        let mut seen = std::collections::BTreeSet::new();
        for (i, f) in self.fields.iter().enumerate() {
            check_field(f, &format!("fields.{i}"), true, &mut bad);
            if !seen.insert(f.key.as_str()) {
                bad(format!("fields.{i}.key"), "error.duplicate");
            }
            if let Some(Compute::WorkingDays { from, to }) = &f.compute {
                let is_date = |k: &str| self.field(k).is_some_and(|d| d.kind == FieldKind::Date);
                if f.kind != FieldKind::Number || !is_date(from) || !is_date(to) {
                    bad(format!("fields.{i}.compute"), "error.workflow.compute");
                }
            }
        }
        if let Some(t) = &self.title_field
            && self.field(t).is_none()
        {
            bad("title_field".into(), "error.workflow.unknown_field");
        }
        if !self.steps.iter().any(|s| s.kind == StepKind::Approval) || self.steps.len() > 30 {
            bad("steps".into(), "error.workflow.steps");
        }
        let mut step_ids = std::collections::BTreeSet::new();
        for (i, s) in self.steps.iter().enumerate() {
            let p = format!("steps.{i}");
            if !valid_key(&s.id) || !step_ids.insert(s.id.as_str()) {
                bad(format!("{p}.id"), "error.workflow.key");
            }
            let n = s.name.trim().chars().count();
            if n == 0 || n > 40 {
                bad(format!("{p}.name"), "error.org.name");
            }
            if s.approvers.is_empty() {
                bad(format!("{p}.approvers"), "error.required");
            } else if s.approvers.len() > 20 {
                bad(format!("{p}.approvers"), "error.workflow.too_many");
            }
            // Each rule's own mistake is keyed by its place and input, as the editor names it.
            for (k, r) in s.approvers.iter().enumerate() {
                let at = |input: &str| format!("{p}.approvers.{k}.{input}");
                match r {
                    ApproverRule::Field { field } if self.field(field).is_none() => {
                        bad(at("field"), "error.workflow.unknown_field");
                    }
                    ApproverRule::Field { field }
                        if self.field(field).is_some_and(|d| d.kind != FieldKind::User) =>
                    {
                        bad(at("field"), "error.workflow.not_user_field");
                    }
                    ApproverRule::Role { role, .. }
                        if !crate::org::model::ROLES.contains(&role.as_str()) =>
                    {
                        bad(at("role"), "error.invalid");
                    }
                    ApproverRule::Manager { levels } if !(1..=5).contains(levels) => {
                        bad(at("levels"), "error.workflow.levels");
                    }
                    ApproverRule::Users { ids } if ids.is_empty() || ids.len() > 50 => {
                        bad(at("ids"), "error.workflow.users_count");
                    }
                    _ => {}
                }
            }
            if let Some(c) = &s.condition
                && !condition_fields(c).all(|k| self.field(k).is_some())
            {
                bad(format!("{p}.condition"), "error.workflow.unknown_field");
            }
            if s.field_rights.keys().any(|k| self.field(k).is_none()) {
                bad(format!("{p}.field_rights"), "error.workflow.unknown_field");
            }
            if s.deadline_days == 0 || s.deadline_days > 30 {
                bad(format!("{p}.deadline_days"), "error.invalid");
            }
        }
        e
    }
}

fn check_field(f: &FieldDef, p: &str, top: bool, bad: &mut impl FnMut(String, &str)) {
    if !valid_key(&f.key) {
        bad(format!("{p}.key"), "error.workflow.key");
    }
    let n = f.label.trim().chars().count();
    if n == 0 || n > 40 {
        bad(format!("{p}.label"), "error.org.name");
    }
    let choice = matches!(f.kind, FieldKind::Single | FieldKind::Multiple);
    if choice == f.options.is_empty() || f.options.len() > 100 {
        bad(format!("{p}.options"), "error.workflow.options");
    }
    if !top && f.compute.is_some() {
        bad(format!("{p}.compute"), "error.workflow.compute");
    }
    if f.kind == FieldKind::Table {
        if !top || f.columns.is_empty() || f.columns.len() > 20 {
            bad(format!("{p}.columns"), "error.workflow.columns");
        }
        for (j, c) in f.columns.iter().enumerate() {
            check_field(c, &format!("{p}.columns.{j}"), false, bad);
        }
    } else if !f.columns.is_empty() {
        bad(format!("{p}.columns"), "error.workflow.columns");
    }
    if let (Some(a), Some(b)) = (f.min, f.max)
        && a > b
    {
        bad(format!("{p}.max"), "error.invalid");
    }
}

/// The fields a condition reads.
pub fn condition_fields(c: &Condition) -> Box<dyn Iterator<Item = &str> + '_> {
    match c {
        Condition::Compare { field, .. } => Box::new(std::iter::once(field.as_str())),
        Condition::All { of } | Condition::Any { of } => {
            Box::new(of.iter().flat_map(condition_fields))
        }
    }
}
