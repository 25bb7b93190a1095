//! For administrators: the SLA report (per approver's unit and template: tasks handled, median
//! handling time, overdue ones) and the export of a template's instances to CSV or XLSX. Both
//! read the per-template index over a date range and keep only what the caller administers.

use std::collections::BTreeMap;

use chrono::{NaiveDate, TimeZone};
use serde::Serialize;

use super::super::model::instance::{Instance, TaskKind, TaskState};
use super::super::model::template::{FieldKind, Template};
use super::super::store as wf;
use crate::App;
use crate::auth::{Actor, Permission};
use crate::error::{Code, Error, Result};

/// The most instances one report or export reads.
pub const MAX_ROWS: usize = 100_000;

fn require_admin(actor: &Actor) -> Result<()> {
    crate::org::admin::require_person(actor)?;
    if actor.can_anywhere(Permission::AdminWorkflow) {
        Ok(())
    } else {
        Err(Error::Forbidden(Code::Forbidden))
    }
}

/// `[from, to]` days in the node's time zone as UTC milliseconds `[start, end)`.
fn span(app: &App, from: NaiveDate, to: NaiveDate) -> Result<(i64, i64)> {
    if to < from || (to - from).num_days() > 366 {
        return Err(Error::field("to", "error.workflow.date_order"));
    }
    let tz = app.tz();
    let at = |d: NaiveDate| {
        tz.from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
            .earliest()
            .map_or(0, |t| t.timestamp_millis())
    };
    Ok((at(from), at(to + chrono::Days::new(1))))
}

/// The instances of every version of `key` (or of all templates) created in the span that the
/// actor administers, with their template versions.
fn instances(
    app: &App,
    actor: &Actor,
    key: Option<&str>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(Instance, Template)>> {
    let (start, end) = span(app, from, to)?;
    app.store().read(|tx| {
        let mut versions = Vec::new();
        for t in wf::current_templates(tx)? {
            if key.is_none_or(|k| k == t.key) {
                versions.extend(wf::versions(tx, &t.key)?);
            }
        }
        if versions.is_empty() {
            return Err(Error::NotFound);
        }
        let mut out = Vec::new();
        for t in versions {
            for id in wf::of_template(tx, t.id, start, end, MAX_ROWS)? {
                if let Some(i) = wf::instance(tx, id)?
                    && actor.can(Permission::AdminWorkflow, i.unit_id)
                {
                    out.push((i, t.clone()));
                }
            }
        }
        out.sort_by_key(|(i, _)| i.id);
        out.truncate(MAX_ROWS);
        Ok(out)
    })
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SlaRow {
    pub unit: String,
    pub template: String,
    /// Approval tasks decided in the span.
    pub handled: usize,
    /// Median time from a task's opening to its decision, in hours.
    pub median_hours: f64,
    /// Tasks decided after their deadline, or still open past it.
    pub overdue: usize,
    /// Still open.
    pub open: usize,
}

/// The SLA report of the instances submitted in `[from, to]`, by the approver's unit and
/// template, slowest first.
pub fn sla(app: &App, actor: &Actor, from: NaiveDate, to: NaiveDate) -> Result<Vec<SlaRow>> {
    require_admin(actor)?;
    let dir = app.directory()?;
    let now = app.now_ms();
    let mut groups: BTreeMap<(String, String), (Vec<i64>, usize, usize)> = BTreeMap::new();
    for (inst, t) in instances(app, actor, None, from, to)? {
        for task in inst.tasks.iter().filter(|x| x.kind == TaskKind::Approval) {
            let Some(opened) = task.opened_ms else {
                continue;
            };
            let unit = dir
                .person(task.assignee)
                .and_then(|p| dir.unit(p.unit_id))
                .map(|u| u.name.clone())
                .unwrap_or_default();
            let g = groups.entry((unit, t.name.clone())).or_default();
            let late_at = |at: i64| task.due_ms.is_some_and(|d| at > d);
            match (task.state, task.done_ms) {
                (TaskState::Open, _) => {
                    g.2 += 1;
                    g.1 += usize::from(late_at(now));
                }
                (s, Some(done)) if s.is_action() => {
                    g.0.push(done - opened);
                    g.1 += usize::from(late_at(done));
                }
                _ => {}
            }
        }
    }
    let mut rows: Vec<SlaRow> = groups
        .into_iter()
        .map(|((unit, template), (mut times, overdue, open))| {
            times.sort_unstable();
            let median = match times.len() {
                0 => 0.0,
                n if n % 2 == 1 => times[n / 2] as f64,
                n => (times[n / 2 - 1] + times[n / 2]) as f64 / 2.0,
            };
            SlaRow {
                unit,
                template,
                handled: times.len(),
                median_hours: (median / 360_000.0).round() / 10.0,
                overdue,
                open,
            }
        })
        .collect();
    rows.sort_by(|a, b| b.median_hours.total_cmp(&a.median_hours));
    Ok(rows)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

/// An export: the file's name and bytes.
pub struct Export {
    pub file_name: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// A form value as text for a cell.
fn cell(
    t: &Template,
    key: &str,
    v: Option<&serde_json::Value>,
    names: &dyn Fn(u64) -> String,
) -> String {
    use serde_json::Value;
    let Some(v) = v else {
        return String::new();
    };
    let field = t.field(key);
    let label_of = |s: &str| {
        field
            .and_then(|f| f.options.iter().find(|o| o.value == s))
            .map_or_else(|| s.to_string(), |o| o.label.clone())
    };
    match (field.map(|f| f.kind), v) {
        (Some(FieldKind::User), Value::Number(n)) => n.as_u64().map(names).unwrap_or_default(),
        (Some(FieldKind::Single), Value::String(s)) => label_of(s),
        (Some(FieldKind::Multiple), Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(label_of)
            .collect::<Vec<_>>()
            .join("、"),
        (Some(FieldKind::DateRange), v) => format!(
            "{} ~ {}",
            v.get("start").and_then(Value::as_str).unwrap_or_default(),
            v.get("end").and_then(Value::as_str).unwrap_or_default()
        ),
        (_, Value::String(s)) => s.clone(),
        (_, Value::Null) => String::new(),
        (_, other) => other.to_string(),
    }
}

/// The instances of template `key` submitted in `[from, to]` as a table: fixed columns, then
/// one per field of the current version.
pub fn export(
    app: &App,
    actor: &Actor,
    key: &str,
    from: NaiveDate,
    to: NaiveDate,
    format: Format,
) -> Result<Export> {
    require_admin(actor)?;
    let rows = instances(app, actor, Some(key), from, to)?;
    let current = super::templates::current_any(app, key)?;
    let dir = app.directory()?;
    let tz = app.tz();
    let name = |id: u64| dir.person(id).map(|p| p.name.clone()).unwrap_or_default();
    let when = |ms: Option<i64>| {
        ms.map(|m| crate::clock::local_minute(&tz, m))
            .unwrap_or_default()
    };
    let fields: Vec<_> = current
        .fields
        .iter()
        .filter(|f| f.kind != FieldKind::Attachment && f.kind != FieldKind::Table)
        .collect();
    let mut header: Vec<String> = [
        "编号",
        "标题",
        "申请人",
        "部门",
        "状态",
        "提交时间",
        "结束时间",
        "当前处理人",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    header.extend(fields.iter().map(|f| f.label.clone()));
    let mut table = vec![header];
    for (inst, t) in &rows {
        let mut row = vec![
            inst.id.to_string(),
            inst.title.clone(),
            name(inst.applicant),
            dir.unit(inst.unit_id)
                .map(|u| u.name.clone())
                .unwrap_or_default(),
            status_zh(inst.status).to_string(),
            when(inst.submitted_ms),
            when(inst.ended_ms),
            inst.open_tasks()
                .map(|x| name(x.assignee))
                .collect::<Vec<_>>()
                .join("、"),
        ];
        row.extend(
            fields
                .iter()
                .map(|f| cell(t, &f.key, inst.form.get(&f.key), &name)),
        );
        table.push(row);
    }
    let stem = format!("{key}-{from}-{to}");
    match format {
        Format::Csv => {
            let mut w = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]); // a BOM: Excel reads UTF-8
            for r in &table {
                w.write_record(r)
                    .map_err(|e| Error::internal(format!("csv: {e}")))?;
            }
            let bytes = w
                .into_inner()
                .map_err(|e| Error::internal(format!("csv: {e}")))?;
            Ok(Export {
                file_name: format!("{stem}.csv"),
                content_type: "text/csv; charset=utf-8",
                bytes,
            })
        }
        Format::Xlsx => {
            let mut book = rust_xlsxwriter::Workbook::new();
            let sheet = book.add_worksheet();
            let bold = rust_xlsxwriter::Format::new().set_bold();
            for (r, row) in table.iter().enumerate() {
                for (c, v) in row.iter().enumerate() {
                    let (r, c) = (r as u32, c as u16);
                    let written = if r == 0 {
                        sheet.write_string_with_format(r, c, v, &bold)
                    } else {
                        sheet.write_string(r, c, v)
                    };
                    written.map_err(|e| Error::internal(format!("xlsx: {e}")))?;
                }
            }
            let bytes = book
                .save_to_buffer()
                .map_err(|e| Error::internal(format!("xlsx: {e}")))?;
            Ok(Export {
                file_name: format!("{stem}.xlsx"),
                content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                bytes,
            })
        }
    }
}

fn status_zh(s: super::super::model::instance::Status) -> &'static str {
    use super::super::model::instance::Status::*;
    match s {
        Draft => "草稿",
        Running => "审批中",
        Returned => "已退回",
        Approved => "已通过",
        Rejected => "已驳回",
        Withdrawn => "已撤回",
        Terminated => "已终止",
    }
}
