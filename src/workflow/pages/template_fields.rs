//! The form editor's rows: one row a field (`fields.I.{order,key,label,kind,required,options,
//! min,max,help,from,to,delete}`), and under a table field one row a column
//! (`fields.I.columns.C.{order,key,label,kind,required,options,min,max,help,delete}`), edited
//! the same way as a field.

use std::collections::BTreeMap;

use super::template_form::{BLANK_SUB, Posted, in_order, name_of, number, number_in, parse_enum};
use crate::error::FieldErrors;
use crate::workflow::model::template::{Choice, Compute, FieldDef, FieldKind};

/// A field, or a table's column, as rows of text.
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
    /// A table's columns (a column has none).
    pub columns: Vec<FieldRow>,
}

impl FieldRow {
    pub fn of(f: &FieldDef) -> FieldRow {
        let num = |v: Option<f64>| v.map(|n| n.to_string()).unwrap_or_default();
        let (from, to) = match &f.compute {
            Some(Compute::WorkingDays { from, to }) => (from.clone(), to.clone()),
            None => Default::default(),
        };
        let mut columns: Vec<FieldRow> = f.columns.iter().map(FieldRow::of).collect();
        number(&mut columns, |c| &mut c.order);
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
            columns,
        }
    }

    pub fn blank(&self) -> bool {
        self.key.is_empty() && self.label.is_empty()
    }

    /// A table's columns numbered 1.., then the blank ones.
    pub fn with_blanks(&mut self) {
        number(&mut self.columns, |c| &mut c.order);
        self.columns
            .extend(std::iter::repeat_n(FieldRow::default(), BLANK_SUB));
    }

    /// Whether the row's "more" part (options, bounds, help, computing) holds anything.
    pub fn has_more(&self) -> bool {
        !(self.options.is_empty()
            && self.min.is_empty()
            && self.max.is_empty()
            && self.help.is_empty()
            && self.from.is_empty()
            && self.to.is_empty())
    }

    /// One row under `prefix` (`fields.3.` or `fields.3.columns.1.`), its columns aside.
    fn parse(p: &Posted<'_>, prefix: &str) -> FieldRow {
        let k = |n: &str| p.text(&format!("{prefix}{n}"));
        FieldRow {
            order: k("order"),
            key: k("key"),
            label: k("label"),
            kind: k("kind"),
            required: p.on(&format!("{prefix}required")),
            options: p.raw(&format!("{prefix}options")).trim().to_string(),
            min: k("min"),
            max: k("max"),
            help: k("help"),
            from: k("from"),
            to: k("to"),
            columns: Vec::new(),
        }
    }

    fn deleted(p: &Posted<'_>, prefix: &str) -> bool {
        p.on(&format!("{prefix}delete"))
    }

    /// Every posted field row in order with its columns, and the key of each kept row by the
    /// index it had on the page (the steps' field rights name fields by row).
    pub fn parse_all(p: &Posted<'_>) -> (Vec<FieldRow>, BTreeMap<String, String>) {
        let mut rows = Vec::new();
        let mut keys_by_row = BTreeMap::new();
        for i in 0..p.indices("fields.") {
            let prefix = format!("fields.{i}.");
            let mut row = FieldRow::parse(p, &prefix);
            if row.blank() || FieldRow::deleted(p, &prefix) {
                continue;
            }
            let cols = format!("{prefix}columns.");
            let mut columns = Vec::new();
            for c in 0..p.indices(&cols) {
                let prefix = format!("{cols}{c}.");
                let col = FieldRow::parse(p, &prefix);
                if !col.blank() && !FieldRow::deleted(p, &prefix) {
                    columns.push((c, col.order.clone(), col));
                }
            }
            row.columns = in_order(columns);
            keys_by_row.insert(i.to_string(), row.key.clone());
            rows.push((i, row.order.clone(), row));
        }
        (in_order(rows), keys_by_row)
    }

    /// The field the row describes; its own mistakes go to `e` under `path`.
    pub fn build(&self, path: &str, top: bool, e: &mut FieldErrors) -> FieldDef {
        let kind = parse_enum::<FieldKind>(&self.kind).unwrap_or_else(|| {
            e.insert(format!("{path}.kind"), "error.invalid".into());
            FieldKind::Text
        });
        let choice = matches!(kind, FieldKind::Single | FieldKind::Multiple);
        let options = if choice {
            self.options
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
        let columns = if kind == FieldKind::Table && top {
            self.columns
                .iter()
                .enumerate()
                .map(|(c, r)| r.build(&format!("{path}.columns.{c}"), false, e))
                .collect()
        } else {
            Vec::new()
        };
        let compute =
            (top && kind == FieldKind::Number && !(self.from.is_empty() && self.to.is_empty()))
                .then(|| Compute::WorkingDays {
                    from: self.from.clone(),
                    to: self.to.clone(),
                });
        FieldDef {
            key: self.key.clone(),
            label: self.label.clone(),
            kind,
            required: self.required,
            help: self.help.clone(),
            min: number_in(&self.min, format!("{path}.min"), e),
            max: number_in(&self.max, format!("{path}.max"), e),
            options,
            columns,
            compute,
        }
    }
}
