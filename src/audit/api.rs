//! `GET /api/v1/audit`: the audit log, newest first, filtered.

use rocket::serde::json::Json;
use rocket::{State, get};

use super::{EntryPage, Filter};
use crate::App;
use crate::auth::Actor;
use crate::error::Result;

/// The audit log, newest first: group administrators see everything, enterprise administrators
/// what their enterprise's people did or had done to them.
#[utoipa::path(get, path = "/api/v1/audit", tag = "org",
    params(("user" = Option<String>, Query, description = "a login: what they did or had done to them"),
           ("action" = Option<String>, Query, description = "an action or its prefix, e.g. auth."),
           ("from" = Option<String>, Query, description = "first day, YYYY-MM-DD (node time zone)"),
           ("to" = Option<String>, Query, description = "last day, YYYY-MM-DD"),
           ("before" = Option<u64>, Query, description = "cursor: next_before of the previous page"),
           ("limit" = Option<usize>, Query, description = "at most 200, default 50")),
    responses((status = 200, body = EntryPage), (status = 400, description = "a malformed date"),
              (status = 403, description = "no right to read the audit log")))]
#[get("/api/v1/audit?<user>&<action>&<from>&<to>&<before>&<limit>")]
#[allow(clippy::too_many_arguments)]
pub async fn list(
    app: &State<App>,
    actor: Actor,
    user: Option<String>,
    action: Option<String>,
    from: Option<&str>,
    to: Option<&str>,
    before: Option<u64>,
    limit: Option<usize>,
) -> Result<Json<EntryPage>> {
    let filter = Filter::parse(user, action, from, to, before, limit)?;
    let page = app
        .run(move |app| super::search(app, &actor, &filter))
        .await?;
    Ok(Json(page))
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![list]
}
