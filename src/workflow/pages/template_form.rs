//! The template editor's form: a template shown as rows of plain text and the posted rows turned
//! back into a [`Template`]. The rows of the form are in `template_fields.rs`, the step blocks
//! (condition, field rights) in `template_steps.rs` and their approver rules in
//! `template_rules.rs`; this file holds the whole editor and what they share.
//!
//! Input names follow the template's JSON paths wherever they can, so that an error keyed by
//! [`Template::check`] (`fields.2.columns.1.key`, `steps.0.approvers.1.field`) lands beside the
//! input that caused it: rows are kept in their order number's order and blank or deleted rows
//! are dropped, so the N-th row shown again is the N-th row saved.

use std::collections::HashMap;

use serde_json::json;

use super::form::Pairs;
use super::template_fields::FieldRow;
use super::template_steps::StepRow;
use crate::error::FieldErrors;
use crate::org::directory::Directory;
use crate::workflow::model::template::{FieldKind, Template};

/// Blank field rows and step blocks offered after the existing ones.
pub const BLANK: usize = 3;
/// Blank rows offered in a table's columns, a step's rules and its condition; with script, a
/// button adds more.
pub const BLANK_SUB: usize = 1;

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

pub fn parse_enum<T: serde::de::DeserializeOwned>(s: &str) -> Option<T> {
    serde_json::from_value(json!(s)).ok()
}

/// The posted editor, looked up by name (the first value of a name wins, as [`Pairs::get`]).
pub struct Posted<'a> {
    map: HashMap<&'a str, &'a str>,
    names: Vec<&'a str>,
}

impl<'a> Posted<'a> {
    pub fn new(p: &'a Pairs) -> Posted<'a> {
        let mut map = HashMap::with_capacity(p.0.len());
        for (k, v) in &p.0 {
            map.entry(k.as_str()).or_insert(v.as_str());
        }
        Posted {
            map,
            names: p.0.iter().map(|(k, _)| k.as_str()).collect(),
        }
    }

    /// The value as posted (untrimmed), or "".
    pub fn raw(&self, name: &str) -> &'a str {
        self.map.get(name).copied().unwrap_or_default()
    }

    pub fn text(&self, name: &str) -> String {
        self.raw(name).trim().to_string()
    }

    /// A ticked box.
    pub fn on(&self, name: &str) -> bool {
        matches!(self.raw(name), "on" | "true")
    }

    /// How many numbered rows under `prefix` (`fields.`, `steps.2.approvers.`) the form may
    /// hold: the highest index + 1, at most 200.
    pub fn indices(&self, prefix: &str) -> usize {
        self.names
            .iter()
            .filter_map(|k| {
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

    /// The `(name, value)` pairs whose name starts with `prefix`, the prefix cut off.
    pub fn under<'b>(&'b self, prefix: &'b str) -> impl Iterator<Item = (&'a str, &'a str)> + 'b {
        self.names.iter().filter_map(move |k| {
            let rest = k.strip_prefix(prefix)?;
            Some((rest, self.raw(k)))
        })
    }
}

/// Rows as posted, `(index, order number, row)`, put in their order numbers' order (a row
/// without a number goes last; ties keep the page's order).
pub fn in_order<T>(mut rows: Vec<(usize, String, T)>) -> Vec<T> {
    let at = |o: &str| o.trim().parse::<f64>().ok().filter(|n| n.is_finite());
    rows.sort_by(|a, b| {
        let (x, y) = (at(&a.1).unwrap_or(f64::MAX), at(&b.1).unwrap_or(f64::MAX));
        x.total_cmp(&y).then(a.0.cmp(&b.0))
    });
    rows.into_iter().map(|r| r.2).collect()
}

/// Numbers rows 1.. for the page.
pub fn number<T>(rows: &mut [T], order: impl Fn(&mut T) -> &mut String) {
    for (i, r) in rows.iter_mut().enumerate() {
        *order(r) = (i + 1).to_string();
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
    /// The registered subject handler (`leave`), or "".
    pub subject: String,
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
            subject: t.subject.clone().unwrap_or_default(),
            fields: t.fields.iter().map(FieldRow::of).collect(),
            steps: t.steps.iter().map(|s| StepRow::of(s, t, dir)).collect(),
        }
    }

    /// The rows and blocks to show: the real ones numbered 1.., then the blank ones.
    pub fn with_blanks(mut self) -> EditorForm {
        number(&mut self.fields, |r| &mut r.order);
        number(&mut self.steps, |r| &mut r.order);
        self.fields
            .extend(std::iter::repeat_n(FieldRow::default(), BLANK));
        self.steps
            .extend(std::iter::repeat_n(StepRow::fresh(), BLANK));
        for f in &mut self.fields {
            f.with_blanks();
        }
        for s in &mut self.steps {
            s.with_blanks();
        }
        self
    }

    /// Reads the posted editor: rows in order, blank and deleted ones left out.
    pub fn parse(p: &Pairs) -> EditorForm {
        let p = Posted::new(p);
        let (fields, keys_by_row) = FieldRow::parse_all(&p);
        EditorForm {
            mode: p.text("mode"),
            key: p.text("key"),
            name: p.text("name"),
            category: p.text("category"),
            description: p.raw("description").trim().into(),
            quick_approve: p.on("quick_approve"),
            title_field: p.text("title_field"),
            subject: p.text("subject"),
            fields,
            steps: StepRow::parse_all(&p, &keys_by_row),
        }
    }

    /// The template the rows describe, or the rows' own mistakes (keyed like
    /// [`Template::check`]'s: `fields.N.min`, `steps.N.approvers.M.ids`) together with the
    /// template's, so that every mistake is shown at once.
    pub fn build(&self, dir: &Directory) -> Result<Template, FieldErrors> {
        let mut e = FieldErrors::new();
        let fields: Vec<_> = self
            .fields
            .iter()
            .enumerate()
            .map(|(i, r)| r.build(&format!("fields.{i}"), true, &mut e))
            .collect();
        let kinds: HashMap<&str, FieldKind> =
            fields.iter().map(|f| (f.key.as_str(), f.kind)).collect();
        let steps = self
            .steps
            .iter()
            .enumerate()
            .map(|(j, r)| r.build(&format!("steps.{j}"), &kinds, dir, &mut e))
            .collect();
        let t = Template {
            id: 0,
            key: self.key.clone(),
            version: 0,
            category: self.category.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            fields,
            steps,
            quick_approve: self.quick_approve,
            subject: Some(self.subject.clone()).filter(|s| !s.is_empty()),
            title_field: Some(self.title_field.clone()).filter(|s| !s.is_empty()),
            enabled: true,
            builtin: false,
            created_by: None,
            created_ms: 0,
        };
        if e.is_empty() {
            return Ok(t);
        }
        // A step whose rules did not all read has fewer rules than rows: the template's
        // verdict on them would land on the wrong rows, so only the rows' own is shown.
        let unread: Vec<String> = (0..self.steps.len())
            .map(|j| format!("steps.{j}.approvers"))
            .filter(|p| e.keys().any(|k| k.starts_with(&format!("{p}."))))
            .collect();
        for (k, why) in t.check() {
            if !unread.iter().any(|p| k.starts_with(p.as_str())) {
                e.entry(k).or_insert(why);
            }
        }
        Err(e)
    }
}

/// A number typed in a box (`""` is none).
pub fn number_in(s: &str, key: String, e: &mut FieldErrors) -> Option<f64> {
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
