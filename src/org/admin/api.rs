//! `/api/v1/units`, `/api/v1/positions`, `/api/v1/users`, `/api/v1/grants`: the administration
//! calls. Routes only parse and call the services, which decide who may do what.

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{State, delete, get, patch, post};
use serde::Serialize;

use super::grants::{self, GrantInput, GrantItem};
use super::units::{self, PositionInput, PositionItem, PositionPatch, UnitInput, UnitPatch};
use super::users::{self, UserDetail, UserInput, UserPatch};
use crate::App;
use crate::auth::Actor;
use crate::auth::service::Origin;
use crate::error::Result;
use crate::org::query::{UnitItem, unit_item};

/// Creates a unit under `parent_id`: an enterprise under the group (group administrators), a
/// department anywhere the caller manages.
#[utoipa::path(post, path = "/api/v1/units", tag = "org", request_body = UnitInput,
    responses((status = 201, body = UnitItem), (status = 400, description = "bad or taken code, wrong kind"),
              (status = 403, description = "not allowed on the parent")))]
#[post("/api/v1/units", data = "<input>")]
pub async fn create_unit(
    app: &State<App>,
    actor: Actor,
    origin: Origin,
    input: Json<UnitInput>,
) -> Result<(Status, Json<UnitItem>)> {
    let input = input.into_inner();
    let u = app
        .run(move |app| units::create_unit(app, &actor, input, &origin))
        .await?;
    Ok((Status::Created, Json(unit_item(u))))
}

/// Renames, recodes, reorders or moves a unit, or sets its head (`null` clears it).
#[utoipa::path(patch, path = "/api/v1/units/{id}", tag = "org", request_body = UnitPatch,
    responses((status = 200, body = UnitItem), (status = 400), (status = 403), (status = 404)))]
#[patch("/api/v1/units/<id>", data = "<patch>")]
pub async fn update_unit(
    app: &State<App>,
    actor: Actor,
    origin: Origin,
    id: u64,
    patch: Json<UnitPatch>,
) -> Result<Json<UnitItem>> {
    let patch = patch.into_inner();
    let u = app
        .run(move |app| units::update_unit(app, &actor, id, patch, &origin))
        .await?;
    Ok(Json(unit_item(u)))
}

/// Deletes a unit nothing refers to (409 `in_use` otherwise).
#[utoipa::path(delete, path = "/api/v1/units/{id}", tag = "org",
    responses((status = 204), (status = 403), (status = 404), (status = 409, description = "still has units, people, positions or grants")))]
#[delete("/api/v1/units/<id>")]
pub async fn delete_unit(
    app: &State<App>,
    actor: Actor,
    origin: Origin,
    id: u64,
) -> Result<Status> {
    app.run(move |app| units::delete_unit(app, &actor, id, &origin))
        .await?;
    Ok(Status::NoContent)
}

/// Deletes a position nobody holds and no post reports to (409 `in_use` otherwise).
#[utoipa::path(delete, path = "/api/v1/positions/{id}", tag = "org",
    responses((status = 204), (status = 403), (status = 404), (status = 409)))]
#[delete("/api/v1/positions/<id>")]
pub async fn delete_position(
    app: &State<App>,
    actor: Actor,
    origin: Origin,
    id: u64,
) -> Result<Status> {
    app.run(move |app| units::delete_position(app, &actor, id, &origin))
        .await?;
    Ok(Status::NoContent)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PositionList {
    items: Vec<PositionItem>,
}

/// Every position (岗位), by code.
#[utoipa::path(get, path = "/api/v1/positions", tag = "org", responses((status = 200, body = PositionList)))]
#[get("/api/v1/positions")]
pub async fn list_positions(app: &State<App>, actor: Actor) -> Result<Json<PositionList>> {
    let items = app
        .run(move |app| units::list_positions(app, &actor))
        .await?;
    Ok(Json(PositionList { items }))
}

#[utoipa::path(post, path = "/api/v1/positions", tag = "org", request_body = PositionInput,
    responses((status = 201, body = PositionItem), (status = 400), (status = 403)))]
#[post("/api/v1/positions", data = "<input>")]
pub async fn create_position(
    app: &State<App>,
    actor: Actor,
    origin: Origin,
    input: Json<PositionInput>,
) -> Result<(Status, Json<PositionItem>)> {
    let input = input.into_inner();
    let p = app
        .run(move |app| units::create_position(app, &actor, input, &origin))
        .await?;
    Ok((Status::Created, Json(p.into())))
}

#[utoipa::path(patch, path = "/api/v1/positions/{id}", tag = "org", request_body = PositionPatch,
    responses((status = 200, body = PositionItem), (status = 400), (status = 403), (status = 404)))]
#[patch("/api/v1/positions/<id>", data = "<patch>")]
pub async fn update_position(
    app: &State<App>,
    actor: Actor,
    origin: Origin,
    id: u64,
    patch: Json<PositionPatch>,
) -> Result<Json<PositionItem>> {
    let patch = patch.into_inner();
    let p = app
        .run(move |app| units::update_position(app, &actor, id, patch, &origin))
        .await?;
    Ok(Json(p.into()))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct NewUser {
    user: UserDetail,
    /// Shown once; the person must change it at the first sign-in.
    initial_password: String,
}

/// Creates a local account in a unit the caller manages, with a random initial password.
#[utoipa::path(post, path = "/api/v1/users", tag = "org", request_body = UserInput,
    responses((status = 201, body = NewUser), (status = 400, description = "bad or taken login, bad references"),
              (status = 403, description = "not allowed in that unit")))]
#[post("/api/v1/users", data = "<input>")]
pub async fn create_user(
    app: &State<App>,
    actor: Actor,
    origin: Origin,
    input: Json<UserInput>,
) -> Result<(Status, Json<NewUser>)> {
    let input = input.into_inner();
    // Hashes the initial password: waits for a hashing permit, like sign-in.
    let (user, initial_password) = app
        .run_hashing(move |app| {
            let (u, pw) = users::create_user(app, &actor, input, &origin)?;
            Ok((users::detail(app, u), pw))
        })
        .await?;
    Ok((
        Status::Created,
        Json(NewUser {
            user,
            initial_password,
        }),
    ))
}

/// Edits a person: name, unit (a transfer), position, manager, employee number, contacts.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "org", request_body = UserPatch,
    responses((status = 200, body = UserDetail), (status = 400), (status = 403),
              (status = 404, description = "no such user, or in another enterprise")))]
#[patch("/api/v1/users/<id>", data = "<patch>")]
pub async fn update_user(
    app: &State<App>,
    actor: Actor,
    origin: Origin,
    id: u64,
    patch: Json<UserPatch>,
) -> Result<Json<UserDetail>> {
    let patch = patch.into_inner();
    let d = app
        .run(move |app| {
            let u = users::update_user(app, &actor, id, patch, &origin)?;
            Ok(users::detail(app, u))
        })
        .await?;
    Ok(Json(d))
}

/// Lets a disabled account sign in again.
#[utoipa::path(post, path = "/api/v1/users/{id}/enable", tag = "org",
    responses((status = 200, body = UserDetail), (status = 403), (status = 404)))]
#[post("/api/v1/users/<id>/enable")]
pub async fn enable_user(
    app: &State<App>,
    actor: Actor,
    origin: Origin,
    id: u64,
) -> Result<Json<UserDetail>> {
    let d = app
        .run(move |app| {
            let u = users::enable_user(app, &actor, id, &origin)?;
            Ok(users::detail(app, u))
        })
        .await?;
    Ok(Json(d))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct GrantList {
    items: Vec<GrantItem>,
}

/// The role grants the caller administers; `user_id` narrows to one person.
#[utoipa::path(get, path = "/api/v1/grants", tag = "org",
    params(("user_id" = Option<u64>, Query, description = "one person's grants")),
    responses((status = 200, body = GrantList), (status = 403)))]
#[get("/api/v1/grants?<user_id>")]
pub async fn list_grants(
    app: &State<App>,
    actor: Actor,
    user_id: Option<u64>,
) -> Result<Json<GrantList>> {
    let items = app
        .run(move |app| grants::list_grants(app, &actor, user_id))
        .await?;
    Ok(Json(GrantList { items }))
}

/// Gives a role within a unit subtree; never wider than the caller's own.
#[utoipa::path(post, path = "/api/v1/grants", tag = "org", request_body = GrantInput,
    responses((status = 201, body = GrantItem), (status = 400), (status = 403, description = "wider than the caller's own"),
              (status = 404), (status = 409, description = "already granted")))]
#[post("/api/v1/grants", data = "<input>")]
pub async fn add_grant(
    app: &State<App>,
    actor: Actor,
    origin: Origin,
    input: Json<GrantInput>,
) -> Result<(Status, Json<GrantItem>)> {
    let input = input.into_inner();
    let g = app
        .run(move |app| grants::add_grant(app, &actor, input, &origin))
        .await?;
    Ok((Status::Created, Json(g)))
}

/// Takes a grant back (not one's own).
#[utoipa::path(delete, path = "/api/v1/grants/{id}", tag = "org",
    responses((status = 204), (status = 403), (status = 404), (status = 409, description = "one's own grant")))]
#[delete("/api/v1/grants/<id>")]
pub async fn remove_grant(
    app: &State<App>,
    actor: Actor,
    origin: Origin,
    id: u64,
) -> Result<Status> {
    app.run(move |app| grants::remove_grant(app, &actor, id, &origin))
        .await?;
    Ok(Status::NoContent)
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        create_unit,
        update_unit,
        delete_unit,
        list_positions,
        create_position,
        update_position,
        delete_position,
        create_user,
        update_user,
        enable_user,
        list_grants,
        add_grant,
        remove_grant
    ]
}
