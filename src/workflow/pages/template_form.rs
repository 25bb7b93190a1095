//! The template editor's form: a template shown as rows of plain text (one row per field, one
//! block per step), and the posted rows turned back into a [`Template`]. Field names:
//! `fields.I.{order,key,label,kind,required,options,min,max,help,from,to,columns,delete}` and
//! `steps.J.{order,id,name,kind,mode,deadline_days,manager,manager_levels,department_head,
//! enterprise_head,role,role_scope,users,field,cond_field,cond_op,cond_value,cond_json,delete}`
//! with `steps.J.right.I` (the right on the field of row I). Rows are kept in their order number's
//! order; blank and deleted rows are dropped, so an error keyed `fields.N.x` by
//! [`Template::check`] is the N-th row shown again.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::form::{Pairs, person_value};
use crate::error::FieldErrors;
use crate::org::directory::Directory;
use crate::workflow::model::template::{
    ApproverRule, Choice, Compute, Condition, FieldDef, FieldKind, FieldRight, Mode, Op, RoleScope,
    StepDef, StepKind, Template,
};

/// Blank rows and step blocks offered after the existing ones.
pub const BLANK: usize = 3;

/// The twelve kinds as `(value, catalog key)`.
pub const KINDS: [(&str, &str); 12] = [
    ("text", "workflow.admin.kind.text"),
    ("long_text", "workflow.admin.kind.long_text"),
    ("number", "workflow.admin.kind.number"),
    ("money", "workflow.admin.kind.money"),
    ("date", "workflow.admin.kind.date"),
    ("date_range", "workflow.admin.kind.date_range"),
    ("single", "workflow.admin.kind.single"),
    ("multiple", "workflow.admin.kind.multiple"),
    ("user", "workflow.admin.kind.user"),
    ("unit", "workflow.admin.kind.unit"),
    ("attachment", "workflow.admin.kind.attachment"),
    ("table", "workflow.admin.kind.table"),
];

pub const OPS: [(&str, &str); 7] = [
    ("eq", "="),
    ("ne", "≠"),
    ("gt", ">"),
    ("ge", "≥"),
    ("lt", "<"),
    ("le", "≤"),
    ("in", "∈"),
];

/// A serde enum value's snake_case name.
pub fn name_of<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn parse_enum<T: serde::de::DeserializeOwned>(s: &str) -> Option<T> {
    serde_json::from_value(json!(s)).ok()
}

#[derive(Debug, Clone, Default)]
pub struct FieldRow {
    pub order: String,
    pub key: String,
    pub label: String,
    pub kind: String,
    pub required: bool,
    /// `value=label`, one a line.
    pub options: String,
    pub min: String,
    pub max: String,
    pub help: String,
    /// Computed working days from / to (date field keys).
    pub from: String,
    pub to: String,
    /// Table columns as JSON.
    pub columns: String,
}

impl FieldRow {
    pub fn of(f: &FieldDef) -> FieldRow {
        let num = |v: Option<f64>| v.map(|n| n.to_string()).unwrap_or_default();
        let (from, to) = match &f.compute {
            Some(Compute::WorkingDays { from, to }) => (from.clone(), to.clone()),
            None => Default::default(),
        };
        FieldRow {
            order: String::new(),
            key: f.key.clone(),
            label: f.label.clone(),
            kind: name_of(&f.kind),
            required: f.required,
            options: f
                .options
                .iter()
                .map(|o| format!("{}={}", o.value, o.label))
                .collect::<Vec<_>>()
                .join("\n"),
            min: num(f.min),
            max: num(f.max),
            help: f.help.clone(),
            from,
            to,
            columns: if f.columns.is_empty() {
                String::new()
            } else {
                serde_json::to_string_pretty(&f.columns).unwrap_or_default()
            },
        }
    }

    fn blank(&self) -> bool {
        self.key.is_empty() && self.label.is_empty()
    }
}

#[derive(Debug, Clone, Default)]
pub struct StepRow {
    pub order: String,
    pub id: String,
    pub name: String,
    pub kind: String,
    pub mode: String,
    pub deadline_days: String,
    pub manager: bool,
    pub manager_levels: String,
    pub department_head: bool,
    pub enterprise_head: bool,
    pub role: String,
    pub role_scope: String,
    /// Logins, separated by commas.
    pub users: String,
    /// A user field whose person approves.
    pub field: String,
    pub cond_field: String,
    pub cond_op: String,
    pub cond_value: String,
    /// A condition with all/any, kept as it came.
    pub cond_json: String,
    /// Approver rules the checkboxes cannot hold (two roles, say), kept as they came.
    pub approvers_json: String,
    /// Field key → `editable` / `hidden` (read-only is the default and not listed).
    pub rights: BTreeMap<String, String>,
}

impl StepRow {
    pub fn of(s: &StepDef, dir: &Directory) -> StepRow {
        let mut r = StepRow {
            id: s.id.clone(),
            name: s.name.clone(),
            kind: name_of(&s.kind),
            mode: name_of(&s.mode),
            deadline_days: s.deadline_days.to_string(),
            manager_levels: "1".into(),
            role_scope: "enterprise".into(),
            rights: s
                .field_rights
                .iter()
                .map(|(k, v)| (k.clone(), name_of(v)))
                .collect(),
            ..StepRow::default()
        };
        let mut users = Vec::new();
        let kinds: Vec<String> = s.approvers.iter().map(rule_kind).collect();
        let twice = kinds
            .iter()
            .enumerate()
            .any(|(i, k)| kinds[..i].contains(k));
        if twice {
            r.approvers_json = serde_json::to_string(&s.approvers).unwrap_or_default();
        }
        for a in s.approvers.iter().filter(|_| !twice) {
            match a {
                ApproverRule::Users { ids } => users.extend(ids.iter().map(|id| {
                    dir.person(*id)
                        .map_or_else(|| id.to_string(), |p| p.login.clone())
                })),
                ApproverRule::Role { role, scope } => {
                    r.role = role.clone();
                    r.role_scope = name_of(scope);
                }
                ApproverRule::DepartmentHead => r.department_head = true,
                ApproverRule::EnterpriseHead => r.enterprise_head = true,
                ApproverRule::Manager { levels } => {
                    r.manager = true;
                    r.manager_levels = levels.to_string();
                }
                ApproverRule::Field { field } => r.field = field.clone(),
            }
        }
        r.users = users.join(", ");
        match &s.condition {
            Some(Condition::Compare { field, op, value }) => {
                r.cond_field = field.clone();
                r.cond_op = name_of(op);
                r.cond_value = match value {
                    Value::String(s) => s.clone(),
                    Value::Array(a) => a
                        .iter()
                        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                        .collect::<Vec<_>>()
                        .join(","),
                    v => v.to_string(),
                };
            }
            Some(c) => r.cond_json = serde_json::to_string(c).unwrap_or_default(),
            None => {}
        }
        r
    }

    /// A fresh block: an approval step, 或签, one working day.
    pub fn fresh() -> StepRow {
        StepRow {
            kind: "approval".into(),
            mode: "any_of".into(),
            deadline_days: "1".into(),
            manager_levels: "1".into(),
            role_scope: "enterprise".into(),
            ..StepRow::default()
        }
    }

    fn blank(&self) -> bool {
        self.id.is_empty() && self.name.is_empty()
    }

    pub fn right(&self, field: &str) -> &str {
        self.rights.get(field).map_or("read_only", String::as_str)
    }
}

/// The editor's whole state, as shown and as posted.
#[derive(Debug, Clone, Default)]
pub struct EditorForm {
    /// `new`, `edit` or `clone`.
    pub mode: String,
    pub key: String,
    pub name: String,
    pub category: String,
    pub description: String,
    pub quick_approve: bool,
    pub title_field: String,
    pub fields: Vec<FieldRow>,
    pub steps: Vec<StepRow>,
}

impl EditorForm {
    pub fn of(t: &Template, mode: &str, dir: &Directory) -> EditorForm {
        EditorForm {
            mode: mode.into(),
            key: t.key.clone(),
            name: t.name.clone(),
            category: t.category.clone(),
            description: t.description.clone(),
            quick_approve: t.quick_approve,
            title_field: t.title_field.clone().unwrap_or_default(),
            fields: t.fields.iter().map(FieldRow::of).collect(),
            steps: t.steps.iter().map(|s| StepRow::of(s, dir)).collect(),
        }
    }

    /// The rows and blocks to show: the real ones numbered 1.., then the blank ones.
    pub fn with_blanks(mut self) -> EditorForm {
        for (i, f) in self.fields.iter_mut().enumerate() {
            f.order = (i + 1).to_string();
        }
        for (i, s) in self.steps.iter_mut().enumerate() {
            s.order = (i + 1).to_string();
        }
        self.fields
            .extend(std::iter::repeat_n(FieldRow::default(), BLANK));
        self.steps
            .extend(std::iter::repeat_n(StepRow::fresh(), BLANK));
        self
    }

    /// Reads the posted editor: rows in order, blank and deleted ones left out.
    pub fn parse(p: &Pairs) -> EditorForm {
        let t = |k: &str| p.text(k);
        let on = |k: &str| p.get(k).is_some_and(|v| v == "on" || v == "true");
        let mut fields: Vec<(usize, f64, FieldRow)> = Vec::new();
        let mut keys_by_row = BTreeMap::new();
        for i in 0..indices(p, "fields.") {
            let k = |n: &str| t(&format!("fields.{i}.{n}"));
            let row = FieldRow {
                order: k("order"),
                key: k("key"),
                label: k("label"),
                kind: k("kind"),
                required: on(&format!("fields.{i}.required")),
                options: p
                    .get(&format!("fields.{i}.options"))
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
                min: k("min"),
                max: k("max"),
                help: k("help"),
                from: k("from"),
                to: k("to"),
                columns: k("columns"),
            };
            if row.blank() || on(&format!("fields.{i}.delete")) {
                continue;
            }
            keys_by_row.insert(i.to_string(), row.key.clone());
            fields.push((i, row.order.parse().unwrap_or(f64::MAX), row));
        }
        fields.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        let mut steps: Vec<(usize, f64, StepRow)> = Vec::new();
        for j in 0..indices(p, "steps.") {
            let k = |n: &str| t(&format!("steps.{j}.{n}"));
            let prefix = format!("steps.{j}.right.");
            let rights =
                p.0.iter()
                    .filter_map(|(name, v)| {
                        let row = name.strip_prefix(&prefix)?;
                        let key = keys_by_row.get(row)?;
                        (v != "read_only").then(|| (key.clone(), v.clone()))
                    })
                    .collect();
            let row = StepRow {
                order: k("order"),
                id: k("id"),
                name: k("name"),
                kind: k("kind"),
                mode: k("mode"),
                deadline_days: k("deadline_days"),
                manager: on(&format!("steps.{j}.manager")),
                manager_levels: k("manager_levels"),
                department_head: on(&format!("steps.{j}.department_head")),
                enterprise_head: on(&format!("steps.{j}.enterprise_head")),
                role: k("role"),
                role_scope: k("role_scope"),
                users: k("users"),
                field: k("field"),
                cond_field: k("cond_field"),
                cond_op: k("cond_op"),
                cond_value: k("cond_value"),
                cond_json: k("cond_json"),
                approvers_json: k("approvers_json"),
                rights,
            };
            if row.blank() || on(&format!("steps.{j}.delete")) {
                continue;
            }
            steps.push((j, row.order.parse().unwrap_or(f64::MAX), row));
        }
        steps.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        EditorForm {
            mode: t("mode"),
            key: t("key"),
            name: t("name"),
            category: t("category"),
            description: p.get("description").unwrap_or_default().trim().into(),
            quick_approve: on("quick_approve"),
            title_field: t("title_field"),
            fields: fields.into_iter().map(|x| x.2).collect(),
            steps: steps.into_iter().map(|x| x.2).collect(),
        }
    }

    /// The template the rows describe, or the rows' own mistakes (keyed like
    /// [`Template::check`]'s: `fields.N.min`, `steps.N.users`).
    pub fn build(&self, dir: &Directory) -> Result<Template, FieldErrors> {
        let mut e = FieldErrors::new();
        let fields = self
            .fields
            .iter()
            .enumerate()
            .map(|(i, r)| build_field(r, &format!("fields.{i}"), &mut e))
            .collect();
        let steps = self
            .steps
            .iter()
            .enumerate()
            .map(|(j, r)| build_step(r, &format!("steps.{j}"), dir, &mut e))
            .collect();
        if !e.is_empty() {
            return Err(e);
        }
        Ok(Template {
            id: 0,
            key: self.key.clone(),
            version: 0,
            category: self.category.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            fields,
            steps,
            quick_approve: self.quick_approve,
            subject: None,
            title_field: Some(self.title_field.clone()).filter(|s| !s.is_empty()),
            enabled: true,
            builtin: false,
            created_by: None,
            created_ms: 0,
        })
    }
}

/// An approver rule's type (`manager`, `role`…).
fn rule_kind(a: &ApproverRule) -> String {
    serde_json::to_value(a)
        .ok()
        .and_then(|v| v.get("type")?.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// How many numbered rows under `prefix` the form may hold (the highest index + 1, at most 200).
fn indices(p: &Pairs, prefix: &str) -> usize {
    p.0.iter()
        .filter_map(|(k, _)| {
            k.strip_prefix(prefix)?
                .split('.')
                .next()?
                .parse::<usize>()
                .ok()
        })
        .map(|i| i + 1)
        .max()
        .unwrap_or(0)
        .min(200)
}

fn number(s: &str, key: String, e: &mut FieldErrors) -> Option<f64> {
    if s.is_empty() {
        return None;
    }
    match s.parse::<f64>() {
        Ok(n) if n.is_finite() => Some(n),
        _ => {
            e.insert(key, "error.workflow.number".into());
            None
        }
    }
}

fn build_field(r: &FieldRow, p: &str, e: &mut FieldErrors) -> FieldDef {
    let kind = parse_enum::<FieldKind>(&r.kind).unwrap_or_else(|| {
        e.insert(format!("{p}.kind"), "error.invalid".into());
        FieldKind::Text
    });
    let choice = matches!(kind, FieldKind::Single | FieldKind::Multiple);
    let options = if choice {
        r.options
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| match l.split_once('=') {
                Some((v, lb)) => Choice {
                    value: v.trim().into(),
                    label: lb.trim().into(),
                },
                None => Choice {
                    value: l.into(),
                    label: l.into(),
                },
            })
            .collect()
    } else {
        Vec::new()
    };
    let columns = if kind == FieldKind::Table && !r.columns.is_empty() {
        serde_json::from_str(&r.columns).unwrap_or_else(|_| {
            e.insert(format!("{p}.columns"), "workflow.admin.bad_json".into());
            Vec::new()
        })
    } else {
        Vec::new()
    };
    let compute =
        (kind == FieldKind::Number && !(r.from.is_empty() && r.to.is_empty())).then(|| {
            Compute::WorkingDays {
                from: r.from.clone(),
                to: r.to.clone(),
            }
        });
    FieldDef {
        key: r.key.clone(),
        label: r.label.clone(),
        kind,
        required: r.required,
        help: r.help.clone(),
        min: number(&r.min, format!("{p}.min"), e),
        max: number(&r.max, format!("{p}.max"), e),
        options,
        columns,
        compute,
    }
}

fn build_step(r: &StepRow, p: &str, dir: &Directory, e: &mut FieldErrors) -> StepDef {
    let mut bad = |k: &str, why: &str| {
        e.entry(format!("{p}.{k}")).or_insert_with(|| why.into());
    };
    let mut approvers = Vec::new();
    if !r.approvers_json.is_empty() {
        match serde_json::from_str::<Vec<ApproverRule>>(&r.approvers_json) {
            Ok(kept) => approvers = kept,
            Err(_) => bad("approvers", "workflow.admin.bad_json"),
        }
    }
    if r.manager {
        match r.manager_levels.parse::<u8>() {
            Ok(levels) => approvers.push(ApproverRule::Manager { levels }),
            Err(_) => bad("manager_levels", "error.invalid"),
        }
    }
    if r.department_head {
        approvers.push(ApproverRule::DepartmentHead);
    }
    if r.enterprise_head {
        approvers.push(ApproverRule::EnterpriseHead);
    }
    if !r.role.is_empty() {
        match parse_enum::<RoleScope>(&r.role_scope) {
            Some(scope) => approvers.push(ApproverRule::Role {
                role: r.role.clone(),
                scope,
            }),
            None => bad("role", "error.invalid"),
        }
    }
    let logins: Vec<&str> = r
        .users
        .split([',', '，', '、', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if !logins.is_empty() {
        let ids: Vec<u64> = logins
            .iter()
            .filter_map(|l| person_value(dir, l).as_u64())
            .collect();
        if ids.len() == logins.len() {
            approvers.push(ApproverRule::Users { ids });
        } else {
            bad("users", "error.workflow.user");
        }
    }
    if !r.field.is_empty() {
        approvers.push(ApproverRule::Field {
            field: r.field.clone(),
        });
    }
    let condition = if !r.cond_json.is_empty() {
        serde_json::from_str::<Condition>(&r.cond_json)
            .map_err(|_| bad("condition", "workflow.admin.bad_json"))
            .ok()
    } else if !r.cond_field.is_empty() {
        match parse_enum::<Op>(&r.cond_op) {
            Some(op) => Some(Condition::Compare {
                field: r.cond_field.clone(),
                op,
                value: condition_value(op, &r.cond_value),
            }),
            None => {
                bad("condition", "error.invalid");
                None
            }
        }
    } else {
        None
    };
    let deadline_days = r.deadline_days.parse().unwrap_or_else(|_| {
        bad("deadline_days", "error.invalid");
        1
    });
    StepDef {
        id: r.id.clone(),
        name: r.name.clone(),
        kind: parse_enum(&r.kind).unwrap_or(StepKind::Approval),
        approvers,
        mode: parse_enum(&r.mode).unwrap_or(Mode::AnyOf),
        condition,
        field_rights: r
            .rights
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), parse_enum::<FieldRight>(v)?)))
            .collect(),
        deadline_days,
    }
}

/// A typed value: a number when it reads as one; for `in`, a list split at commas.
fn condition_value(op: Op, typed: &str) -> Value {
    let one = |s: &str| {
        let s = s.trim();
        s.parse::<f64>()
            .ok()
            .and_then(|n| serde_json::Number::from_f64(n).map(Value::Number))
            .map(|v| match v.as_f64() {
                Some(n) if n.fract() == 0.0 && n.abs() < 1e15 => json!(n as i64),
                _ => v,
            })
            .unwrap_or_else(|| json!(s))
    };
    if op == Op::In {
        Value::Array(
            typed
                .split([',', '，'])
                .filter(|s| !s.trim().is_empty())
                .map(one)
                .collect(),
        )
    } else {
        one(typed)
    }
}
