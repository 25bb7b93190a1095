//! Form validation: a submitted form checked field by field against its template, normalized
//! (numbers from text, trimmed strings) and completed with computed values (working days).
//! Pure: what it needs from the world comes through [`Lookup`].

use chrono::NaiveDate;
use serde_json::{Value, json};

pub use super::instance::Form;
use super::template::{Compute, FieldDef, FieldKind, Template};
use crate::error::FieldErrors;

/// What validation asks of the world.
pub trait Lookup {
    /// An active user the applicant may name.
    fn user_ok(&self, id: u64) -> bool;
    fn unit_ok(&self, id: u64) -> bool;
    /// An attachment the applicant may attach (theirs, or already on this instance).
    fn attachment_ok(&self, id: u64) -> bool;
    fn working_days(&self, from: NaiveDate, to: NaiveDate) -> u32;
}

const TEXT_MAX: usize = 200;
const LONG_TEXT_MAX: usize = 5000;
const TABLE_ROWS_MAX: usize = 200;
const FILES_MAX: usize = 20;

pub fn parse_date(v: &Value) -> Option<NaiveDate> {
    v.as_str()
        .and_then(|s| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok())
}

/// Checks `input` against `t`. With `complete` false (a draft) required fields may be empty;
/// everything given must still be valid. Returns the normalized form or the errors by field key
/// (`items.2.amount` for a table cell).
pub fn validate(
    t: &Template,
    input: &Form,
    complete: bool,
    lookup: &dyn Lookup,
) -> Result<Form, FieldErrors> {
    let mut errors = FieldErrors::new();
    for key in input.keys() {
        if t.field(key).is_none() {
            errors.insert(key.clone(), "error.workflow.unknown_field".into());
        }
    }
    let mut out = Form::new();
    for f in &t.fields {
        if f.compute.is_some() {
            continue;
        }
        let v = input.get(&f.key).unwrap_or(&Value::Null);
        match check(f, v, lookup, &f.key, &mut errors) {
            Some(Value::Null) | None => {
                if complete && f.required && !errors.contains_key(&f.key) {
                    errors.insert(f.key.clone(), "error.required".into());
                }
            }
            Some(v) => {
                out.insert(f.key.clone(), v);
            }
        }
    }
    for f in &t.fields {
        if let Some(Compute::WorkingDays { from, to }) = &f.compute {
            let (a, b) = (
                out.get(from).and_then(parse_date),
                out.get(to).and_then(parse_date),
            );
            if let (Some(a), Some(b)) = (a, b) {
                if b < a {
                    errors.insert(to.clone(), "error.workflow.date_order".into());
                } else {
                    out.insert(f.key.clone(), json!(lookup.working_days(a, b)));
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

fn empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// One value: `Some(normalized)`, `Some(Null)` when empty, `None` when refused (error recorded).
fn check(
    f: &FieldDef,
    v: &Value,
    lookup: &dyn Lookup,
    path: &str,
    errors: &mut FieldErrors,
) -> Option<Value> {
    if empty(v) {
        return Some(Value::Null);
    }
    let mut fail = |key: &str| {
        errors.insert(path.to_string(), key.to_string());
        None
    };
    match f.kind {
        FieldKind::Text | FieldKind::LongText => {
            let Some(s) = v.as_str().map(str::trim) else {
                return fail("error.invalid");
            };
            let n = s.chars().count();
            let max = f.max.map_or(
                if f.kind == FieldKind::Text {
                    TEXT_MAX
                } else {
                    LONG_TEXT_MAX
                },
                |m| m as usize,
            );
            if n > max {
                return fail("error.too_long");
            }
            if f.min.is_some_and(|m| (n as f64) < m) {
                return fail("error.workflow.too_short");
            }
            Some(json!(s))
        }
        FieldKind::Number | FieldKind::Money => {
            let n = match v {
                Value::Number(n) => n.as_f64(),
                Value::String(s) => s.trim().parse::<f64>().ok(),
                _ => None,
            };
            let Some(n) = n.filter(|n| n.is_finite()) else {
                return fail("error.workflow.number");
            };
            if f.kind == FieldKind::Money && ((n * 100.0).round() - n * 100.0).abs() > 1e-6 {
                return fail("error.workflow.money");
            }
            if f.min.is_some_and(|m| n < m) {
                return fail("error.workflow.too_small");
            }
            if f.max.is_some_and(|m| n > m) {
                return fail("error.workflow.too_large");
            }
            if n.fract() == 0.0 && n.abs() < 9e15 {
                Some(json!(n as i64))
            } else {
                Some(json!(n))
            }
        }
        FieldKind::Date => match parse_date(v) {
            Some(d) => Some(json!(d.format("%Y-%m-%d").to_string())),
            None => fail("error.workflow.date"),
        },
        FieldKind::DateRange => {
            let (a, b) = (
                v.get("start").and_then(parse_date),
                v.get("end").and_then(parse_date),
            );
            match (a, b) {
                (Some(a), Some(b)) if a <= b => Some(json!({
                    "start": a.format("%Y-%m-%d").to_string(),
                    "end": b.format("%Y-%m-%d").to_string(),
                    "days": lookup.working_days(a, b),
                })),
                (Some(_), Some(_)) => fail("error.workflow.date_order"),
                _ => fail("error.workflow.date"),
            }
        }
        FieldKind::Single => match v.as_str().map(str::trim) {
            Some(s) if f.options.iter().any(|o| o.value == s) => Some(json!(s)),
            _ => fail("error.workflow.choice"),
        },
        FieldKind::Multiple => {
            let picked: Option<Vec<&str>> = match v {
                Value::Array(a) => a.iter().map(Value::as_str).collect(),
                Value::String(s) => Some(vec![s.as_str()]),
                _ => None,
            };
            let Some(mut picked) = picked else {
                return fail("error.workflow.choice");
            };
            if !picked
                .iter()
                .all(|p| f.options.iter().any(|o| o.value == *p))
            {
                return fail("error.workflow.choice");
            }
            picked.sort_by_key(|p| f.options.iter().position(|o| o.value == *p));
            picked.dedup();
            Some(json!(picked))
        }
        FieldKind::User | FieldKind::Unit => {
            let id = match v {
                Value::Number(n) => n.as_u64(),
                Value::String(s) => s.trim().parse().ok(),
                _ => None,
            };
            let ok = |id: u64| {
                if f.kind == FieldKind::User {
                    lookup.user_ok(id)
                } else {
                    lookup.unit_ok(id)
                }
            };
            match id {
                Some(id) if ok(id) => Some(json!(id)),
                _ => fail(if f.kind == FieldKind::User {
                    "error.workflow.user"
                } else {
                    "error.workflow.unit"
                }),
            }
        }
        FieldKind::Attachment => {
            let ids: Option<Vec<u64>> = match v {
                Value::Array(a) => a.iter().map(Value::as_u64).collect(),
                Value::Number(n) => n.as_u64().map(|n| vec![n]),
                _ => None,
            };
            match ids {
                Some(ids) if ids.len() > FILES_MAX => fail("error.workflow.too_many"),
                Some(ids) if ids.iter().all(|id| lookup.attachment_ok(*id)) => {
                    let mut ids = ids;
                    ids.dedup();
                    Some(json!(ids))
                }
                _ => fail("error.workflow.attachment"),
            }
        }
        FieldKind::Table => {
            let Some(rows) = v.as_array() else {
                return fail("error.invalid");
            };
            if rows.len() > TABLE_ROWS_MAX {
                return fail("error.workflow.too_many");
            }
            let mut out = Vec::new();
            let mut ok = true;
            for (i, row) in rows.iter().enumerate() {
                let Some(cells) = row.as_object() else {
                    errors.insert(format!("{path}.{i}"), "error.invalid".into());
                    ok = false;
                    continue;
                };
                let mut clean = serde_json::Map::new();
                for c in &f.columns {
                    let p = format!("{path}.{i}.{}", c.key);
                    match check(
                        c,
                        cells.get(&c.key).unwrap_or(&Value::Null),
                        lookup,
                        &p,
                        errors,
                    ) {
                        None => ok = false,
                        Some(Value::Null) if c.required => {
                            errors.insert(p, "error.required".into());
                            ok = false;
                        }
                        Some(Value::Null) => {}
                        Some(v) => {
                            clean.insert(c.key.clone(), v);
                        }
                    }
                }
                for k in cells.keys() {
                    if !f.columns.iter().any(|c| &c.key == k) {
                        errors.insert(
                            format!("{path}.{i}.{k}"),
                            "error.workflow.unknown_field".into(),
                        );
                        ok = false;
                    }
                }
                out.push(Value::Object(clean));
            }
            ok.then_some(Value::Array(out))
        }
    }
}

/// A number a condition can compare: numbers, and the `days` of a date range.
pub fn as_number(v: &Value) -> Option<f64> {
    v.as_f64().or_else(|| v.get("days").and_then(Value::as_f64))
}
