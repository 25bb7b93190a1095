//! `/api/v1/users/{id}`: a person's card from the directory. (The list, `GET /api/v1/users`, is
//! in `org::api` and is served from the same index.)

use rocket::serde::json::Json;
use rocket::{State, get};

use super::service::{self, Card};
use crate::App;
use crate::auth::Actor;
use crate::error::Result;

/// A person's card: unit path, position, manager, mobile, email and direct reports. Anyone
/// signed in; a disabled account only for those who manage users in its unit (404 for others).
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "org",
    params(("id" = u64, Path, description = "the user's id")),
    responses((status = 200, body = Card), (status = 401, description = "not signed in"),
              (status = 404, description = "no such person, or not visible to the caller")))]
#[get("/api/v1/users/<id>")]
pub async fn card(app: &State<App>, actor: Actor, id: u64) -> Result<Json<Card>> {
    let card = app.run(move |app| service::card(app, &actor, id)).await?;
    Ok(Json(card))
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![card]
}
