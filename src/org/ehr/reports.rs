//! Reading the stored sync reports: who created, updated, disabled or rejected what, and why.
//! Those who may sync (group administrators, the eHR integration's token) read them.

use serde::Serialize;

use super::model::{LineAction, ReportLine, SyncCounts, SyncReport, SyncSummary};
use crate::App;
use crate::auth::{Actor, Permission};
use crate::error::{Code, Error, Result};

pub const MAX_LIMIT: usize = 100;

fn require(app: &App, actor: &Actor) -> Result<()> {
    let root = app
        .tree()?
        .ancestors(actor.unit_id)
        .last()
        .copied()
        .unwrap_or(actor.unit_id);
    if actor.can(Permission::SyncEhr, root) {
        Ok(())
    } else {
        Err(Error::Forbidden(Code::Forbidden))
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SummaryView {
    pub id: u64,
    /// RFC 3339 in the node's time zone.
    pub at: String,
    pub actor_login: String,
    /// `full` or `delta`.
    pub mode: &'static str,
    /// `api`, `pickup:FILE`, `cli:FILE`, `demo`.
    pub source: String,
    #[schema(value_type = Object)]
    pub counts: SyncCounts,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SummaryPage {
    pub items: Vec<SummaryView>,
    /// Pass as `before` for older reports.
    pub next_before: Option<u64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReportView {
    #[serde(flatten)]
    pub summary: SummaryView,
    /// One line per created, updated, disabled, rejected, warned or missing row.
    #[schema(value_type = Vec<Object>)]
    pub lines: Vec<ReportLine>,
}

fn summary(app: &App, s: SyncSummary) -> SummaryView {
    SummaryView {
        id: s.id,
        at: crate::clock::rfc3339(&app.tz(), s.at_ms),
        actor_login: s.actor_login,
        mode: s.mode.as_str(),
        source: s.source,
        counts: s.counts,
    }
}

/// The newest reports first, without their lines.
pub fn list(app: &App, actor: &Actor, before: Option<u64>, limit: usize) -> Result<SummaryPage> {
    require(app, actor)?;
    let limit = limit.clamp(1, MAX_LIMIT);
    let found = app
        .store()
        .read(|tx| super::store::reports_before(tx, before, limit + 1))?;
    let more = found.len() > limit;
    let items: Vec<SummaryView> = found
        .into_iter()
        .take(limit)
        .map(|s| summary(app, s))
        .collect();
    let next_before = if more {
        items.last().map(|s| s.id)
    } else {
        None
    };
    Ok(SummaryPage { items, next_before })
}

/// One report with its lines, optionally only those of one action.
pub fn get(app: &App, actor: &Actor, id: u64, only: Option<LineAction>) -> Result<ReportView> {
    require(app, actor)?;
    let r: SyncReport = app
        .store()
        .read(|tx| super::store::report(tx, id))?
        .ok_or(Error::NotFound)?;
    let lines = r
        .lines
        .into_iter()
        .filter(|l| only.is_none_or(|a| l.action == a))
        .collect();
    let s = SyncSummary {
        id: r.id,
        at_ms: r.at_ms,
        actor_id: r.actor_id,
        actor_login: r.actor_login,
        mode: r.mode,
        source: r.source,
        dry_run: r.dry_run,
        counts: r.counts,
    };
    Ok(ReportView {
        summary: summary(app, s),
        lines,
    })
}

/// `created`, `updated`, … as the API and the page's filter name them.
pub fn parse_action(s: &str) -> Option<LineAction> {
    serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
}
