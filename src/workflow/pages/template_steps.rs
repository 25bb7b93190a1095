//! The step editor's blocks: one block a step (`steps.J.{order,id,name,kind,mode,deadline_days,
//! delete}`), its approver rules in order (`steps.J.approvers.K.…`, in `template_rules.rs`), its
//! condition as comparisons that must all (or any) hold (`steps.J.cond_join`,
//! `steps.J.cond.K.{field,op,value}`; a nested one is kept as read-only JSON in
//! `steps.J.cond_json` unless `steps.J.cond_clear` is ticked) and the right of each field
//! (`steps.J.right.I`, by the field's row on the page).

use std::collections::{BTreeMap, HashMap};

use serde_json::{Value, json};

use super::template_form::{BLANK_SUB, Posted, in_order, name_of, number, parse_enum};
use super::template_rules::RuleRow;
use crate::error::FieldErrors;
use crate::org::directory::Directory;
use crate::workflow::model::template::{
    Condition, FieldKind, FieldRight, Mode, Op, StepDef, StepKind, Template,
};

/// One comparison of a condition as text.
#[derive(Debug, Clone, Default)]
pub struct CondRow {
    pub field: String,
    pub op: String,
    /// The value as typed: a list separated by commas for `in`.
    pub value: String,
}

impl CondRow {
    fn of(field: &str, op: Op, value: &Value) -> CondRow {
        let text = |v: &Value| v.as_str().map_or_else(|| v.to_string(), str::to_string);
        CondRow {
            field: field.into(),
            op: name_of(&op),
            value: match value {
                Value::Array(a) => a.iter().map(text).collect::<Vec<_>>().join(","),
                v => text(v),
            },
        }
    }

    pub fn fresh() -> CondRow {
        CondRow {
            op: "eq".into(),
            ..CondRow::default()
        }
    }

    /// The comparison, typed by the field's kind: numbers for numbers, money and date ranges
    /// (their days), text for text, choices and dates; for `in`, a list split at commas. A
    /// mistake is `(input, reason)`.
    fn build(
        &self,
        kinds: &HashMap<&str, FieldKind>,
    ) -> Result<Condition, (&'static str, &'static str)> {
        let op = parse_enum::<Op>(&self.op).ok_or(("op", "error.invalid"))?;
        let kind = *kinds
            .get(self.field.as_str())
            .ok_or(("field", "error.workflow.unknown_field"))?;
        let one = |s: &str| -> Result<Value, (&'static str, &'static str)> {
            let s = s.trim();
            let n = s
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .map(|n| match n {
                    n if n.fract() == 0.0 && n.abs() < 1e15 => json!(n as i64),
                    n => json!(n),
                });
            use FieldKind::*;
            match kind {
                Number | Money | DateRange => n.ok_or(("value", "error.workflow.number")),
                Text | LongText | Single | Multiple | Date => Ok(json!(s)),
                User | Unit | Attachment | Table => Ok(n.unwrap_or_else(|| json!(s))),
            }
        };
        let value = if op == Op::In {
            Value::Array(
                self.value
                    .split([',', '，'])
                    .filter(|s| !s.trim().is_empty())
                    .map(one)
                    .collect::<Result<_, _>>()?,
            )
        } else {
            one(&self.value)?
        };
        Ok(Condition::Compare {
            field: self.field.clone(),
            op,
            value,
        })
    }
}

/// A condition as comparison rows with how they join (`all`/`any`), when rows can hold it
/// exactly (one comparison, or two or more side by side); else None, and it stays JSON.
fn cond_rows(c: &Condition, kinds: &HashMap<&str, FieldKind>) -> Option<(String, Vec<CondRow>)> {
    let row = |c: &Condition| match c {
        Condition::Compare { field, op, value } => {
            let r = CondRow::of(field, *op, value);
            (r.build(kinds).ok().as_ref() == Some(c)).then_some(r)
        }
        _ => None,
    };
    match c {
        Condition::Compare { .. } => Some(("all".into(), vec![row(c)?])),
        Condition::All { of } | Condition::Any { of } if of.len() >= 2 => {
            let join = if matches!(c, Condition::All { .. }) {
                "all"
            } else {
                "any"
            };
            Some((join.into(), of.iter().map(row).collect::<Option<_>>()?))
        }
        _ => None,
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
    pub rules: Vec<RuleRow>,
    /// `all` or `any`: how the comparisons join.
    pub cond_join: String,
    pub conds: Vec<CondRow>,
    /// A condition the rows cannot hold (nested all/any), kept as it came.
    pub cond_json: String,
    /// The kept condition is to be dropped (the rows, if any, replace it).
    pub cond_clear: bool,
    /// Field key → `editable` / `hidden` (read-only is the default and not listed).
    pub rights: BTreeMap<String, String>,
}

impl StepRow {
    pub fn of(s: &StepDef, t: &Template, dir: &Directory) -> StepRow {
        let kinds: HashMap<&str, FieldKind> =
            t.fields.iter().map(|f| (f.key.as_str(), f.kind)).collect();
        let mut rules: Vec<RuleRow> = s.approvers.iter().map(|a| RuleRow::of(a, dir)).collect();
        number(&mut rules, |r| &mut r.order);
        let mut r = StepRow {
            id: s.id.clone(),
            name: s.name.clone(),
            kind: name_of(&s.kind),
            mode: name_of(&s.mode),
            deadline_days: s.deadline_days.to_string(),
            rules,
            cond_join: "all".into(),
            rights: s
                .field_rights
                .iter()
                .map(|(k, v)| (k.clone(), name_of(v)))
                .collect(),
            ..StepRow::default()
        };
        if let Some(c) = &s.condition {
            match cond_rows(c, &kinds) {
                Some((join, rows)) => (r.cond_join, r.conds) = (join, rows),
                None => r.cond_json = serde_json::to_string(c).unwrap_or_default(),
            }
        }
        r
    }

    /// A fresh block: an approval step, 或签, one working day.
    pub fn fresh() -> StepRow {
        StepRow {
            kind: "approval".into(),
            mode: "any_of".into(),
            deadline_days: "1".into(),
            cond_join: "all".into(),
            ..StepRow::default()
        }
    }

    pub fn blank(&self) -> bool {
        self.id.is_empty() && self.name.is_empty()
    }

    /// The rules numbered 1.. and the blank rows after them.
    pub fn with_blanks(&mut self) {
        number(&mut self.rules, |r| &mut r.order);
        self.rules
            .extend(std::iter::repeat_n(RuleRow::fresh(), BLANK_SUB));
        self.conds
            .extend(std::iter::repeat_n(CondRow::fresh(), BLANK_SUB));
    }

    pub fn right(&self, field: &str) -> &str {
        self.rights.get(field).map_or("read_only", String::as_str)
    }

    /// Every posted step block in order, blank and deleted ones left out; `keys_by_row` names
    /// the field of each row index (for the rights).
    pub fn parse_all(p: &Posted<'_>, keys_by_row: &BTreeMap<String, String>) -> Vec<StepRow> {
        let mut steps = Vec::new();
        for j in 0..p.indices("steps.") {
            let prefix = format!("steps.{j}.");
            let k = |n: &str| p.text(&format!("{prefix}{n}"));
            let rp = format!("{prefix}right.");
            let rights = p
                .under(&rp)
                .filter_map(|(row, v)| {
                    let key = keys_by_row.get(row)?;
                    (v != "read_only").then(|| (key.clone(), v.to_string()))
                })
                .collect();
            let ap = format!("{prefix}approvers.");
            let mut rules = Vec::new();
            for r in 0..p.indices(&ap) {
                let rp = format!("{ap}{r}.");
                let rule = RuleRow::parse(p, &rp);
                if !rule.blank() && !p.on(&format!("{rp}delete")) {
                    rules.push((r, rule.order.clone(), rule));
                }
            }
            let cp = format!("{prefix}cond.");
            let conds = (0..p.indices(&cp))
                .map(|c| CondRow {
                    field: p.text(&format!("{cp}{c}.field")),
                    op: p.text(&format!("{cp}{c}.op")),
                    value: p.text(&format!("{cp}{c}.value")),
                })
                .filter(|c| !c.field.is_empty())
                .collect();
            let row = StepRow {
                order: k("order"),
                id: k("id"),
                name: k("name"),
                kind: k("kind"),
                mode: k("mode"),
                deadline_days: k("deadline_days"),
                rules: in_order(rules),
                cond_join: k("cond_join"),
                conds,
                cond_json: k("cond_json"),
                cond_clear: p.on(&format!("{prefix}cond_clear")),
                rights,
            };
            if row.blank() || p.on(&format!("{prefix}delete")) {
                continue;
            }
            steps.push((j, row.order.clone(), row));
        }
        in_order(steps)
    }

    /// The step the block describes; its own mistakes go to `e` under `path` (`steps.J`).
    pub fn build(
        &self,
        path: &str,
        kinds: &HashMap<&str, FieldKind>,
        dir: &Directory,
        e: &mut FieldErrors,
    ) -> StepDef {
        let approvers = self
            .rules
            .iter()
            .enumerate()
            .filter_map(|(k, r)| r.build(&format!("{path}.approvers.{k}"), dir, e))
            .collect();
        let mut bad = |k: &str, why: &str| {
            e.entry(format!("{path}.{k}")).or_insert_with(|| why.into());
        };
        let kind = parse_enum(&self.kind).unwrap_or_else(|| {
            bad("kind", "error.invalid");
            StepKind::Approval
        });
        let mode = parse_enum(&self.mode).unwrap_or_else(|| {
            bad("mode", "error.invalid");
            Mode::AnyOf
        });
        let deadline_days = self.deadline_days.parse().unwrap_or_else(|_| {
            bad("deadline_days", "error.invalid");
            1
        });
        let condition = self.condition(path, kinds, e);
        StepDef {
            id: self.id.clone(),
            name: self.name.clone(),
            kind,
            approvers,
            mode,
            condition,
            field_rights: self
                .rights
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), parse_enum::<FieldRight>(v)?)))
                .collect(),
            deadline_days,
        }
    }

    fn condition(
        &self,
        path: &str,
        kinds: &HashMap<&str, FieldKind>,
        e: &mut FieldErrors,
    ) -> Option<Condition> {
        if !self.cond_json.is_empty() && !self.cond_clear {
            return serde_json::from_str::<Condition>(&self.cond_json)
                .map_err(|_| {
                    e.insert(
                        format!("{path}.condition"),
                        "workflow.admin.bad_json".into(),
                    )
                })
                .ok();
        }
        let mut of = Vec::new();
        for (c, row) in self.conds.iter().enumerate() {
            match row.build(kinds) {
                Ok(c) => of.push(c),
                Err((input, why)) => {
                    e.insert(format!("{path}.cond.{c}.{input}"), why.into());
                }
            }
        }
        match of.len() {
            0 => None,
            1 => of.pop(),
            _ if self.cond_join == "any" => Some(Condition::Any { of }),
            _ => Some(Condition::All { of }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_are_rows_when_rows_hold_them_exactly() {
        let kinds: HashMap<&str, FieldKind> = [
            ("days", FieldKind::Number),
            ("code", FieldKind::Text),
            ("kind", FieldKind::Single),
        ]
        .into();
        let cmp = |field: &str, op, value| Condition::Compare {
            field: field.into(),
            op,
            value,
        };
        let one = cmp("days", Op::Gt, json!(3));
        assert_eq!(cond_rows(&one, &kinds).unwrap().1.len(), 1);
        // A text that reads as a number stays text.
        let text = cmp("code", Op::Eq, json!("007"));
        let (_, rows) = cond_rows(&text, &kinds).unwrap();
        assert_eq!(rows[0].build(&kinds), Ok(text));
        let any = Condition::Any {
            of: vec![
                cmp("days", Op::Ge, json!(2.5)),
                cmp("kind", Op::In, json!(["a", "b"])),
            ],
        };
        let (join, rows) = cond_rows(&any, &kinds).unwrap();
        assert_eq!((join.as_str(), rows.len()), ("any", 2));
        // Nested, a single-member list, or a value rows cannot type stay JSON.
        let nested = Condition::All {
            of: vec![one.clone(), any.clone()],
        };
        assert!(cond_rows(&nested, &kinds).is_none());
        assert!(cond_rows(&Condition::All { of: vec![one] }, &kinds).is_none());
        assert!(cond_rows(&cmp("days", Op::Eq, json!("x")), &kinds).is_none());
        assert!(cond_rows(&cmp("code", Op::In, json!(["a,b"])), &kinds).is_none());
    }
}
