//! `/api/v1/workdays`: the working-day calendar. Everyone signed in reads it and counts on it;
//! workflow administrators of the group change it. Dates are `YYYY-MM-DD`.

use chrono::Datelike;
use rocket::data::{Data, ToByteUnit};
use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{State, delete, get, post, put};
use serde::{Deserialize, Serialize};

use super::service::{self, DayItem, ImportReport, YearView};
use crate::App;
use crate::auth::Actor;
use crate::error::{Error, Result};

/// A holiday-cn file is a few KiB.
const MAX_IMPORT_KIB: u64 = 256;

/// One year of the calendar: its overrides of the normal week (public holidays `off: true`,
/// make-up workdays `off: false`) and its count of working days. Without `year`, this year.
#[utoipa::path(get, path = "/api/v1/workdays", tag = "workflow",
    params(("year" = Option<i32>, Query, description = "e.g. 2026; default this year")),
    responses((status = 200, body = YearView), (status = 400, description = "year out of range"),
              (status = 401)))]
#[get("/api/v1/workdays?<year>")]
pub async fn year(app: &State<App>, actor: Actor, year: Option<i32>) -> Result<Json<YearView>> {
    let year = year.unwrap_or_else(|| this_year(app));
    let view = app.run(move |app| service::year(app, &actor, year)).await?;
    Ok(Json(view))
}

pub(super) fn this_year(app: &App) -> i32 {
    chrono::DateTime::from_timestamp_millis(app.now_ms())
        .map_or(2026, |t| t.with_timezone(&app.tz()).year())
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Count {
    pub working_days: u32,
}

/// The working days from `from` to `to`, both included (0 when `to` is before `from`): a leave
/// from Friday to Monday is 2.
#[utoipa::path(get, path = "/api/v1/workdays/count", tag = "workflow",
    params(("from" = String, Query, description = "YYYY-MM-DD"), ("to" = String, Query, description = "YYYY-MM-DD")),
    responses((status = 200, body = Count), (status = 400, description = "a missing or bad date"), (status = 401)))]
#[get("/api/v1/workdays/count?<from>&<to>")]
pub async fn count(
    app: &State<App>,
    actor: Actor,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<Json<Count>> {
    let from = service::parse_date("from", from.unwrap_or(""));
    let to = service::parse_date("to", to.unwrap_or(""));
    let (from, to) = match (from, to) {
        (Ok(f), Ok(t)) => (f, t),
        (Err(Error::Validation(mut a)), Err(Error::Validation(b))) => {
            a.extend(b);
            return Err(Error::Validation(a));
        }
        (Err(e), _) | (_, Err(e)) => return Err(e),
    };
    let working_days = app
        .run(move |app| service::count(app, &actor, from, to))
        .await?;
    Ok(Json(Count { working_days }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DayInput {
    /// What the day is, 1 to 32 characters (国庆节).
    pub name: String,
    /// `true`: a public holiday; `false`: a make-up workday.
    pub off: bool,
}

/// Sets one day's override (workflow administrators of the group).
#[utoipa::path(put, path = "/api/v1/workdays/{date}", tag = "workflow", request_body = DayInput,
    params(("date" = String, Path, description = "YYYY-MM-DD")),
    responses((status = 200, body = DayItem), (status = 400, description = "bad date or name"),
              (status = 401), (status = 403, description = "not a workflow administrator of the group")))]
#[put("/api/v1/workdays/<date>", data = "<input>")]
pub async fn set_day(
    app: &State<App>,
    actor: Actor,
    date: &str,
    input: Json<DayInput>,
) -> Result<Json<DayItem>> {
    let date = service::parse_date("date", date)?;
    let DayInput { name, off } = input.into_inner();
    let item = app
        .run(move |app| service::set_day(app, &actor, date, &name, off))
        .await?;
    Ok(Json(item))
}

/// Takes one day back to the normal week (204 also when it had no override).
#[utoipa::path(delete, path = "/api/v1/workdays/{date}", tag = "workflow",
    params(("date" = String, Path, description = "YYYY-MM-DD")),
    responses((status = 204), (status = 400, description = "bad date"), (status = 401), (status = 403)))]
#[delete("/api/v1/workdays/<date>")]
pub async fn clear_day(app: &State<App>, actor: Actor, date: &str) -> Result<Status> {
    let date = service::parse_date("date", date)?;
    app.run(move |app| service::clear_day(app, &actor, date))
        .await?;
    Ok(Status::NoContent)
}

/// Imports one year in the holiday-cn format (`{"year", "papers", "days": [{"name", "date",
/// "isOffDay"}]}`). `replace=true` first drops that year's overrides. A malformed file is
/// refused whole (400, with the reason of each field, e.g. `days[3].date`), nothing changed.
#[utoipa::path(post, path = "/api/v1/workdays/import", tag = "workflow",
    params(("replace" = Option<bool>, Query, description = "drop the year's other overrides first")),
    request_body(content = String, content_type = "application/json", description = "a holiday-cn year file"),
    responses((status = 200, body = ImportReport), (status = 400, description = "malformed file, nothing changed"),
              (status = 401), (status = 403), (status = 413, description = "over 256 KiB")))]
#[post("/api/v1/workdays/import?<replace>", data = "<body>")]
pub async fn import(
    app: &State<App>,
    actor: Actor,
    replace: Option<bool>,
    body: Data<'_>,
) -> Result<Json<ImportReport>> {
    let text = body
        .open(MAX_IMPORT_KIB.kibibytes())
        .into_string()
        .await
        .map_err(|_| Error::field("file", "error.workdays.not_json"))?;
    if !text.is_complete() {
        return Err(Error::TooLarge);
    }
    let text = text.into_inner();
    let report = app
        .run(move |app| service::import_year(app, &actor, &text, replace.unwrap_or(false)))
        .await?;
    Ok(Json(report))
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![year, count, set_day, clear_day, import]
}
