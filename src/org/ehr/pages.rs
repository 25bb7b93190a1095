//! 系统管理 → eHR 同步: the reports of past syncs (API, nightly pickup, console), and one report's
//! lines, filterable by what happened to each row.

use askama::Template;
use askama_web::WebTemplate;
use rocket::{State, get};

use super::model::{LineAction, ReportLine, Sheet};
use super::reports::{self, ReportView, SummaryView};
use crate::App;
use crate::auth::Actor;
use crate::error::Result;
use crate::web::page::Base;

/// Lines shown on one page: a first full sync of a large group has one per person.
const MAX_LINES: usize = 1000;

#[derive(Template, WebTemplate)]
#[template(path = "ehr/reports.html")]
pub struct ReportsPage {
    pub base: Base,
    pub items: Vec<SummaryView>,
    pub older: Option<u64>,
    pub inbox: String,
}

#[get("/admin/ehr?<before>")]
pub async fn list(
    app: &State<App>,
    base: Base,
    actor: Actor,
    before: Option<u64>,
) -> Result<ReportsPage> {
    let base = base.with_user(&actor, "admin");
    let page = app
        .run(move |app| reports::list(app, &actor, before, 30))
        .await?;
    let c = &app.config().ehr;
    let inbox = match &c.inbox {
        Some(dir) => format!("{} · {}", dir.display(), c.pickup_at),
        None => String::new(),
    };
    Ok(ReportsPage {
        base,
        items: page.items,
        older: page.next_before,
        inbox,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "ehr/report.html")]
pub struct ReportPage {
    pub base: Base,
    pub report: ReportView,
    pub filter: String,
    pub shown: Vec<ReportLine>,
    pub hidden: usize,
}

impl ReportPage {
    pub fn sheet_key(&self, l: &ReportLine) -> &'static str {
        match l.sheet {
            Sheet::Units => "ehr.sheet_units",
            Sheet::People => "ehr.sheet_people",
        }
    }
    pub fn action_key(&self, l: &ReportLine) -> String {
        action_key(l.action)
    }
    pub fn is_filter(&self, value: &str) -> bool {
        self.filter == value
    }
    pub fn filters(&self) -> [(&'static str, &'static str); 7] {
        [
            ("", "ehr.all"),
            ("created", "ehr.created"),
            ("updated", "ehr.updated"),
            ("disabled", "ehr.disabled"),
            ("rejected", "ehr.rejected"),
            ("warning", "ehr.warning"),
            ("missing", "ehr.missing"),
        ]
    }
}

fn action_key(a: LineAction) -> String {
    let name = serde_json::to_value(a)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    format!("ehr.{name}")
}

#[get("/admin/ehr/<id>?<action>")]
pub async fn show(
    app: &State<App>,
    base: Base,
    actor: Actor,
    id: u64,
    action: Option<String>,
) -> Result<ReportPage> {
    let base = base.with_user(&actor, "admin");
    let only = action.as_deref().and_then(reports::parse_action);
    let report = app
        .run(move |app| reports::get(app, &actor, id, only))
        .await?;
    let mut report = report;
    let hidden = report.lines.len().saturating_sub(MAX_LINES);
    let shown: Vec<ReportLine> = report
        .lines
        .drain(..report.lines.len().min(MAX_LINES))
        .collect();
    let filter = only
        .map(|a| action_key(a).trim_start_matches("ehr.").to_string())
        .unwrap_or_default();
    Ok(ReportPage {
        base,
        report,
        filter,
        shown,
        hidden,
    })
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![list, show]
}
