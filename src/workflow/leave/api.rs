//! Leave balances over JSON: `GET /api/v1/leave/balances/{user_id}/{year}`,
//! `PUT /api/v1/leave/balances/{user_id}/{year} {"total"}`, `GET /api/v1/leave/balances?year=`.

use rocket::serde::json::Json;
use rocket::{State, get, post, put};
use serde::Deserialize;

use super::model::Balance;
use super::service::{self, ImportReport};
use crate::App;
use crate::auth::Actor;
use crate::error::Result;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetTotal {
    pub total: u32,
}

/// One person's annual-leave balance (their own, or one an administrator manages).
#[utoipa::path(get, path = "/api/v1/leave/balances/{user_id}/{year}", tag = "workflow",
    responses((status = 200, body = Balance), (status = 403), (status = 404)))]
#[get("/api/v1/leave/balances/<user_id>/<year>")]
pub async fn show(
    app: &State<App>,
    actor: Actor,
    user_id: u64,
    year: i32,
) -> Result<Json<Balance>> {
    let b = app
        .run(move |app| service::balance(app, &actor, user_id, year))
        .await?;
    Ok(Json(b))
}

/// Sets a person's total annual leave for a year (enterprise administrators).
#[utoipa::path(put, path = "/api/v1/leave/balances/{user_id}/{year}", tag = "workflow",
    request_body = SetTotal,
    responses((status = 200, body = Balance), (status = 400), (status = 403), (status = 404)))]
#[put("/api/v1/leave/balances/<user_id>/<year>", data = "<body>")]
pub async fn set(
    app: &State<App>,
    actor: Actor,
    user_id: u64,
    year: i32,
    body: Json<SetTotal>,
) -> Result<Json<Balance>> {
    let total = body.into_inner().total;
    let b = app
        .run(move |app| service::set_total(app, &actor, user_id, year, total))
        .await?;
    Ok(Json(b))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct BalanceItem {
    #[serde(flatten)]
    pub balance: Balance,
    pub name: String,
    pub remaining: u32,
}

/// The balances of a year of the people the caller manages.
#[utoipa::path(get, path = "/api/v1/leave/balances", tag = "workflow",
    params(("year" = i32, Query, description = "the year")),
    responses((status = 200, body = [BalanceItem])))]
#[get("/api/v1/leave/balances?<year>")]
pub async fn list(app: &State<App>, actor: Actor, year: i32) -> Result<Json<Vec<BalanceItem>>> {
    let items = app
        .run(move |app| service::list(app, &actor, year))
        .await?
        .into_iter()
        .map(|(b, name)| BalanceItem {
            remaining: b.remaining(),
            balance: b,
            name,
        })
        .collect();
    Ok(Json(items))
}

/// Sets the year's totals from a spreadsheet (the body: an XLSX workbook, or CSV text) with a
/// header row naming `账号`/`login` or `工号`/`employee_no`, and `年假天数`/`total`.
#[utoipa::path(post, path = "/api/v1/leave/balances/import", tag = "workflow",
    params(("year" = i32, Query, description = "the year")),
    request_body(content = Vec<u8>, description = "XLSX or CSV", content_type = "application/octet-stream"),
    responses((status = 200, body = ImportReport), (status = 400), (status = 413)))]
#[post("/api/v1/leave/balances/import?<year>", data = "<data>")]
pub async fn import(
    app: &State<App>,
    actor: Actor,
    year: i32,
    data: rocket::data::Data<'_>,
) -> Result<Json<ImportReport>> {
    use rocket::data::ToByteUnit;
    let body = data
        .open(10.mebibytes())
        .into_bytes()
        .await
        .map_err(|e| crate::error::Error::BadRequest(e.to_string()))?;
    if !body.is_complete() {
        return Err(crate::error::Error::TooLarge);
    }
    let bytes = body.into_inner();
    let r = app
        .run(move |app| service::import(app, &actor, year, &bytes))
        .await?;
    Ok(Json(r))
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![show, set, list, import]
}
