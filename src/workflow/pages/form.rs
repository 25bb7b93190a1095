//! A template's form on a page: posted fields (`f.KEY`, `f.KEY.start`, `f.TABLE.ROW.COL`) turned
//! into the JSON form the service validates, and each field prepared for the template to show as
//! an input or as a read-only value.

use std::collections::HashMap;

use rocket::form::{self, DataField, FromForm, Options, ValueField};
use serde_json::{Value, json};

use crate::org::directory::Directory;
use crate::workflow::model::instance::Form;
use crate::workflow::model::template::{FieldDef, FieldKind, FieldRight};
use crate::workflow::service::view::AttachmentRef;

/// Every posted field, in order, as it came (CsrfForm has decoded them).
#[derive(Debug, Default)]
pub struct Pairs(pub Vec<(String, String)>);

#[rocket::async_trait]
impl<'v> FromForm<'v> for Pairs {
    type Context = Vec<(String, String)>;
    fn init(_: Options) -> Self::Context {
        Vec::new()
    }
    fn push_value(ctxt: &mut Self::Context, field: ValueField<'v>) {
        ctxt.push((field.name.source().to_string(), field.value.to_string()));
    }
    async fn push_data(_: &mut Self::Context, _: DataField<'v, '_>) {}
    fn finalize(ctxt: Self::Context) -> form::Result<'v, Self> {
        Ok(Pairs(ctxt))
    }
}

impl Pairs {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| v.as_str())
            .collect()
    }
    pub fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or_default().trim().to_string()
    }
    /// The numbers given for `name` (a multi-select's ids); others are skipped.
    pub fn ids(&self, name: &str) -> Vec<u64> {
        self.all(name)
            .into_iter()
            .filter_map(|v| v.trim().parse().ok())
            .collect()
    }
}

/// People typed as logins or names, separated by commas, 、 or spaces, as ids; a name that
/// matches nobody is refused under `field`.
pub fn people(
    dir: &Directory,
    text: &str,
    field: &str,
    errors: &mut crate::error::FieldErrors,
) -> Vec<u64> {
    let mut out = Vec::new();
    for t in text
        .split([',', '，', '、', ' ', ';', '；'])
        .filter(|t| !t.trim().is_empty())
    {
        match person_value(dir, t).as_u64() {
            Some(id) => out.push(id),
            None => {
                errors.insert(field.into(), "error.workflow.user".into());
            }
        }
    }
    out
}

/// A person typed by login or by name (a unique name), as an id; else the text as typed, which
/// validation then refuses.
pub fn person_value(dir: &Directory, typed: &str) -> Value {
    let typed = typed.trim();
    if typed.is_empty() {
        return Value::Null;
    }
    if let Ok(id) = typed.parse::<u64>() {
        return json!(id);
    }
    let lower = typed.to_lowercase();
    let mut by_name = dir.people().filter(|p| p.is_active() && p.name == typed);
    let found = dir
        .people()
        .find(|p| p.is_active() && p.login.to_lowercase() == lower)
        .or_else(|| match (by_name.next(), by_name.next()) {
            (Some(p), None) => Some(p),
            _ => None,
        });
    found.map_or_else(|| json!(typed), |p| json!(p.id))
}

fn value_of(f: &FieldDef, name: &str, p: &Pairs, dir: &Directory) -> Value {
    match f.kind {
        FieldKind::DateRange => {
            let (a, b) = (
                p.text(&format!("{name}.start")),
                p.text(&format!("{name}.end")),
            );
            if a.is_empty() && b.is_empty() {
                Value::Null
            } else {
                json!({"start": a, "end": b})
            }
        }
        FieldKind::Multiple => json!(p.all(name)),
        FieldKind::Attachment => Value::Array(
            p.all(name)
                .into_iter()
                .map(|v| {
                    v.trim()
                        .parse::<u64>()
                        .map_or_else(|_| json!(v), |n| json!(n))
                })
                .collect(),
        ),
        FieldKind::User => person_value(dir, &p.text(name)),
        FieldKind::Table => {
            let mut rows = Vec::new();
            for i in 0..200 {
                let prefix = format!("{name}.{i}.");
                if !p.0.iter().any(|(k, _)| k.starts_with(&prefix)) {
                    break;
                }
                let mut row = serde_json::Map::new();
                for c in &f.columns {
                    let v = value_of(c, &format!("{prefix}{}", c.key), p, dir);
                    if !v.is_null() && v != json!("") && v != json!([]) {
                        row.insert(c.key.clone(), v);
                    }
                }
                if !row.is_empty() {
                    rows.push(Value::Object(row));
                }
            }
            Value::Array(rows)
        }
        _ => json!(p.text(name)),
    }
}

/// The form as posted, for the fields the person may edit (computed fields are the engine's).
pub fn form_from(fields: &[(FieldDef, FieldRight)], p: &Pairs, dir: &Directory) -> Form {
    fields
        .iter()
        .filter(|(f, r)| *r == FieldRight::Editable && f.compute.is_none())
        .map(|(f, _)| (f.key.clone(), value_of(f, &format!("f.{}", f.key), p, dir)))
        .filter(|(_, v)| !v.is_null())
        .collect()
}

/// One field ready for the template.
#[derive(Debug, Clone, Default)]
pub struct FieldInput {
    pub key: String,
    pub name: String,
    pub label: String,
    pub kind: &'static str,
    pub required: bool,
    pub help: String,
    pub editable: bool,
    pub value: String,
    pub start: String,
    pub end: String,
    /// `(value, label, selected)`.
    pub options: Vec<(String, String, bool)>,
    pub files: Vec<AttachmentRef>,
    pub columns: Vec<FieldInput>,
    pub rows: Vec<Vec<FieldInput>>,
    /// The value as people read it.
    pub display: String,
    pub error: Option<String>,
    pub max: Option<f64>,
}

fn kind_name(k: FieldKind) -> &'static str {
    match k {
        FieldKind::Text => "text",
        FieldKind::LongText => "long_text",
        FieldKind::Number => "number",
        FieldKind::Money => "money",
        FieldKind::Date => "date",
        FieldKind::DateRange => "date_range",
        FieldKind::Single => "single",
        FieldKind::Multiple => "multiple",
        FieldKind::User => "user",
        FieldKind::Unit => "unit",
        FieldKind::Attachment => "attachment",
        FieldKind::Table => "table",
    }
}

fn plain(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub struct Ctx<'a> {
    pub dir: &'a Directory,
    pub files: &'a HashMap<u64, AttachmentRef>,
    pub errors: &'a crate::web::page::FormErrors,
    pub days_label: &'a str,
}

/// Prepares `f` with its value `v`; `name` is its input name (`f.KEY` or a table cell's).
pub fn input(f: &FieldDef, right: FieldRight, v: &Value, name: &str, cx: &Ctx<'_>) -> FieldInput {
    let selected = |o: &str| match v {
        Value::Array(a) => a.iter().any(|x| x.as_str() == Some(o)),
        other => other.as_str() == Some(o),
    };
    let options: Vec<(String, String, bool)> = f
        .options
        .iter()
        .map(|o| (o.value.clone(), o.label.clone(), selected(&o.value)))
        .collect();
    let mut out = FieldInput {
        key: f.key.clone(),
        name: name.to_string(),
        label: f.label.clone(),
        kind: kind_name(f.kind),
        required: f.required,
        help: f.help.clone(),
        editable: right == FieldRight::Editable && f.compute.is_none(),
        max: f.max,
        error: cx
            .errors
            .of(&format!("form.{}", name.trim_start_matches("f.")))
            .map(str::to_string),
        ..FieldInput::default()
    };
    match f.kind {
        FieldKind::Single | FieldKind::Multiple => {
            out.display = options
                .iter()
                .filter(|o| o.2)
                .map(|o| o.1.clone())
                .collect::<Vec<_>>()
                .join("、");
            out.value = plain(v);
            out.options = options;
        }
        FieldKind::DateRange => {
            out.start = v.get("start").map(plain).unwrap_or_default();
            out.end = v.get("end").map(plain).unwrap_or_default();
            let days = v.get("days").map(plain).unwrap_or_default();
            if !out.start.is_empty() {
                out.display = format!("{} ~ {}（{days} {}）", out.start, out.end, cx.days_label);
            }
        }
        FieldKind::User => {
            let id = v.as_u64();
            out.display = id
                .and_then(|id| cx.dir.person(id))
                .map(|p| p.name.clone())
                .unwrap_or_else(|| plain(v));
            out.value = id
                .and_then(|id| cx.dir.person(id))
                .map(|p| p.login.clone())
                .unwrap_or_else(|| plain(v));
        }
        FieldKind::Unit => {
            out.value = plain(v);
            out.display = v
                .as_u64()
                .and_then(|id| cx.dir.unit(id))
                .map(|u| u.name.clone())
                .unwrap_or_default();
        }
        FieldKind::Attachment => {
            out.files = v
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_u64())
                        .filter_map(|id| cx.files.get(&id).cloned())
                        .collect()
                })
                .unwrap_or_default();
        }
        FieldKind::Table => {
            out.columns = f
                .columns
                .iter()
                .map(|c| input(c, right, &Value::Null, "", cx))
                .collect();
            let rows = v.as_array().cloned().unwrap_or_default();
            let blank = if out.editable { 3 } else { 0 };
            for i in 0..rows.len() + blank {
                let row = rows.get(i).cloned().unwrap_or(Value::Null);
                out.rows.push(
                    f.columns
                        .iter()
                        .map(|c| {
                            let cell = row.get(&c.key).cloned().unwrap_or(Value::Null);
                            input(c, right, &cell, &format!("{name}.{i}.{}", c.key), cx)
                        })
                        .collect(),
                );
            }
        }
        _ => {
            out.value = plain(v);
            out.display = out.value.clone();
        }
    }
    out
}
