//! The calendar's use cases. Everyone signed in reads it (deadlines are counted on it); writing
//! needs `AdminWorkflow` on the group itself, since the calendar is group-wide: a workflow
//! administrator of the group or a group administrator. Each write is ONE transaction with its
//! audit entry, then [`after_change`].

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::holidays::{self, clean_name};
use super::model::{DayEntry, YEAR_MAX, YEAR_MIN};
use super::store as days_store;
use crate::App;
use crate::auth::{Actor, Permission};
use crate::error::{Code, Error, Result};
use crate::store::audit;

/// One override, as pages and the API show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DayItem {
    /// `YYYY-MM-DD`.
    #[schema(value_type = String, example = "2026-10-01")]
    pub date: NaiveDate,
    pub name: String,
    /// `true`: a public holiday (休); `false`: a make-up workday (班).
    pub off: bool,
}

impl DayItem {
    fn new(date: NaiveDate, e: DayEntry) -> DayItem {
        DayItem {
            date,
            name: e.name,
            off: e.off,
        }
    }
}

/// One year of the calendar.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct YearView {
    pub year: i32,
    /// The year's overrides of the normal week, by date.
    pub days: Vec<DayItem>,
    /// The working days of the whole year.
    pub working_days: u32,
    /// Whether the caller may change the calendar.
    pub editable: bool,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = WorkdaysImportReport)]
pub struct ImportReport {
    pub year: i32,
    /// Days listed in the file.
    pub days: usize,
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Overrides of the year dropped because the file did not list them (`replace` only).
    pub removed: usize,
}

/// Whether `actor` may change the calendar: `AdminWorkflow` on the group (the root unit).
pub fn may_edit(actor: &Actor) -> bool {
    actor
        .tree
        .ancestors(actor.unit_id)
        .last()
        .is_some_and(|root| actor.can(Permission::AdminWorkflow, *root))
}

fn require_editor(actor: &Actor) -> Result<()> {
    if may_edit(actor) {
        Ok(())
    } else {
        Err(Error::Forbidden(Code::Forbidden))
    }
}

/// A year the calendar may speak of.
pub fn check_year(year: i32) -> Result<i32> {
    if (YEAR_MIN..=YEAR_MAX).contains(&year) {
        Ok(year)
    } else {
        Err(Error::field("year", "error.workdays.year"))
    }
}

fn check_date(field: &str, d: NaiveDate) -> Result<NaiveDate> {
    if (YEAR_MIN..=YEAR_MAX).contains(&d.year()) {
        Ok(d)
    } else {
        Err(Error::field(field, "error.workdays.date_range"))
    }
}

/// A date from a form or a path (`YYYY-MM-DD`), refused field by field.
pub fn parse_date(field: &str, s: &str) -> Result<NaiveDate> {
    let d = holidays::parse_date(s).ok_or_else(|| Error::field(field, "error.date"))?;
    check_date(field, d)
}

fn event(actor: &Actor, action: &str, target: String, detail: String) -> audit::Event {
    audit::Event {
        actor_id: Some(actor.user_id),
        actor_login: actor.login.clone(),
        action: action.into(),
        target,
        detail,
        ip: None,
    }
}

/// One year of the calendar, with its count of working days.
pub fn year(app: &App, actor: &Actor, year: i32) -> Result<YearView> {
    let year = check_year(year)?;
    let cal = app.workdays()?;
    let (Some(first), Some(last)) = (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) else {
        return Err(Error::field("year", "error.workdays.year"));
    };
    Ok(YearView {
        year,
        days: cal
            .entries_in_year(year)
            .into_iter()
            .map(|(d, e)| DayItem::new(d, e))
            .collect(),
        working_days: cal.working_days(first, last),
        editable: may_edit(actor),
    })
}

/// The working days in `from..=to` (0 when `to` is before `from`).
pub fn count(app: &App, actor: &Actor, from: NaiveDate, to: NaiveDate) -> Result<u32> {
    let _ = actor; // every signed-in caller may count
    check_date("from", from)?;
    check_date("to", to)?;
    Ok(app.workdays()?.working_days(from, to))
}

/// Sets the override of one day: a public holiday (`off`) or a make-up workday.
pub fn set_day(
    app: &App,
    actor: &Actor,
    date: NaiveDate,
    name: &str,
    off: bool,
) -> Result<DayItem> {
    require_editor(actor)?;
    let date = check_date("date", date)?;
    let name = clean_name(name).ok_or_else(|| Error::field("name", "error.workdays.name"))?;
    let entry = DayEntry { name, off };
    let now = app.now_ms();
    app.store().write(|tx| {
        let old = days_store::get_w(tx, date)?;
        days_store::put(tx, date, &entry)?;
        let kind = if off { "off" } else { "work" };
        let detail = match old {
            Some(o) => format!(
                "{} {kind} (was {} {})",
                entry.name,
                o.name,
                if o.off { "off" } else { "work" }
            ),
            None => format!("{} {kind}", entry.name),
        };
        audit::append(
            tx,
            now,
            event(
                actor,
                "workflow.workday.set",
                format!("workday:{date}"),
                detail,
            ),
        )?;
        Ok(())
    })?;
    after_change(app);
    Ok(DayItem::new(date, entry))
}

/// Takes a day back to the normal week. Returns whether it had an override (nothing is written
/// when it had none).
pub fn clear_day(app: &App, actor: &Actor, date: NaiveDate) -> Result<bool> {
    Ok(clear_days(app, actor, date, date)? > 0)
}

/// Takes the days `from..=to` back to the normal week (a whole holiday at once), in one
/// transaction with one audit entry. Returns how many had an override.
pub fn clear_days(app: &App, actor: &Actor, from: NaiveDate, to: NaiveDate) -> Result<usize> {
    require_editor(actor)?;
    let from = check_date("date", from)?;
    let to = check_date("to", to)?;
    if to < from || (to - from).num_days() > 366 {
        return Err(Error::field("to", "error.workdays.range"));
    }
    let now = app.now_ms();
    let removed = app.store().write(|tx| {
        let gone = days_store::remove_range(tx, from, to)?;
        if gone.is_empty() {
            return Ok(0);
        }
        let target = if from == to {
            format!("workday:{from}")
        } else {
            format!("workday:{from}..{to}")
        };
        let detail = gone
            .iter()
            .map(|(d, e)| format!("{d} {} {}", e.name, if e.off { "off" } else { "work" }))
            .collect::<Vec<_>>()
            .join(", ");
        audit::append(
            tx,
            now,
            event(actor, "workflow.workday.clear", target, detail),
        )?;
        Ok(gone.len())
    })?;
    if removed > 0 {
        after_change(app);
    }
    Ok(removed)
}

/// Imports one year in the holiday-cn format. With `replace`, the year's overrides the file does
/// not list are dropped; without, they stay. A malformed file is refused whole, nothing changed.
pub fn import_year(
    app: &App,
    actor: &Actor,
    json_text: &str,
    replace: bool,
) -> Result<ImportReport> {
    require_editor(actor)?;
    let file = holidays::parse(json_text)?;
    let now = app.now_ms();
    let report = app.store().write(|tx| {
        let before: BTreeMap<NaiveDate, DayEntry> =
            days_store::year_w(tx, file.year)?.into_iter().collect();
        let mut r = ImportReport {
            year: file.year,
            days: file.days.len(),
            ..ImportReport::default()
        };
        if replace {
            let listed: std::collections::BTreeSet<NaiveDate> =
                file.days.iter().map(|(d, _)| *d).collect();
            r.removed = before.keys().filter(|d| !listed.contains(d)).count();
            days_store::remove_year(tx, file.year)?;
        }
        for (date, entry) in &file.days {
            match before.get(date) {
                None => r.added += 1,
                Some(old) if old == entry => r.unchanged += 1,
                Some(_) => r.updated += 1,
            }
            days_store::put(tx, *date, entry)?;
        }
        let detail = format!(
            "{}: {} days, +{} ~{} -{}{}",
            r.year,
            r.days,
            r.added,
            r.updated,
            r.removed,
            if replace { " (replace)" } else { "" }
        );
        audit::append(
            tx,
            now,
            event(
                actor,
                "workflow.workday.import",
                format!("workdays:{}", r.year),
                detail,
            ),
        )?;
        Ok(r)
    })?;
    after_change(app);
    Ok(report)
}

/// Runs after every committed change of the calendar: the cached calendar is dropped, so the next
/// deadline is counted on the new one, and the deadlines of open tasks are computed again.
pub fn after_change(app: &App) {
    app.workdays_changed();
    match crate::workflow::service::deadlines::recompute(app) {
        Ok(n) if n > 0 => tracing::info!(moved = n, "deadlines follow the new calendar"),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "deadlines could not follow the new calendar"),
    }
}
