//! `GET /api/v1/ehr/reports[/{id}]`: the stored sync reports. (The sync itself is posted to
//! `POST /api/v1/ehr/sync`, in `org/api.rs`.)

use rocket::serde::json::Json;
use rocket::{State, get};

use super::reports::{self, ReportView, SummaryPage};
use crate::App;
use crate::auth::Actor;
use crate::error::{Error, Result};

/// The sync reports, newest first (group administrators and the eHR integration's token).
#[utoipa::path(get, path = "/api/v1/ehr/reports", tag = "org",
    params(("before" = Option<u64>, Query, description = "cursor: next_before of the previous page"),
           ("limit" = Option<usize>, Query, description = "at most 100, default 20")),
    responses((status = 200, body = SummaryPage), (status = 403)))]
#[get("/api/v1/ehr/reports?<before>&<limit>")]
pub async fn list(
    app: &State<App>,
    actor: Actor,
    before: Option<u64>,
    limit: Option<usize>,
) -> Result<Json<SummaryPage>> {
    let page = app
        .run(move |app| reports::list(app, &actor, before, limit.unwrap_or(20)))
        .await?;
    Ok(Json(page))
}

/// One report with its lines; `action` keeps only `created`, `updated`, `disabled`,
/// `rejected`, `warning` or `missing` lines.
#[utoipa::path(get, path = "/api/v1/ehr/reports/{id}", tag = "org",
    params(("action" = Option<String>, Query, description = "only lines of this action")),
    responses((status = 200, body = ReportView), (status = 403), (status = 404)))]
#[get("/api/v1/ehr/reports/<id>?<action>")]
pub async fn show(
    app: &State<App>,
    actor: Actor,
    id: u64,
    action: Option<&str>,
) -> Result<Json<ReportView>> {
    let only = match action.filter(|a| !a.is_empty()) {
        Some(a) => Some(reports::parse_action(a).ok_or(Error::field("action", "error.invalid"))?),
        None => None,
    };
    let r = app
        .run(move |app| reports::get(app, &actor, id, only))
        .await?;
    Ok(Json(r))
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![list, show]
}
