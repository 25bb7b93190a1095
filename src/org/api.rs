//! `/api/v1/ehr/*`: the HR system posts its snapshot; administrators read the reports.

use rocket::data::{Data, ToByteUnit};
use rocket::serde::json::Json;
use rocket::{State, get, patch, post};

use super::ehr::{self, SyncActor, SyncOptions, SyncReport};
use crate::App;
use crate::auth::{Actor, Permission};
use crate::error::{Code, Error, Result};

/// A snapshot of 10,000 people is about 3 MB of JSON.
const MAX_SNAPSHOT_MB: u64 = 32;

/// Syncs an eHR snapshot (`{"mode","units","people"}`); `?dry_run=true` answers the report of
/// what would change without changing anything. An integration token with scope `ehr_sync`, or
/// a group administrator.
#[utoipa::path(post, path = "/api/v1/ehr/sync", tag = "org",
    params(("dry_run" = Option<bool>, Query, description = "preview only")),
    request_body(content = String, content_type = "application/json", description = "the eHR snapshot"),
    responses((status = 200, description = "the sync report"), (status = 400, description = "malformed snapshot, nothing changed"),
              (status = 403, description = "not allowed to sync"), (status = 413, description = "over 32 MiB")))]
#[post("/api/v1/ehr/sync?<dry_run>", data = "<body>")]
pub async fn sync_snapshot(
    app: &State<App>,
    actor: Actor,
    dry_run: Option<bool>,
    body: Data<'_>,
) -> Result<Json<SyncReport>> {
    let root = app
        .tree()?
        .ancestors(actor.unit_id)
        .last()
        .copied()
        .unwrap_or(actor.unit_id);
    if !actor.can(Permission::SyncEhr, root) {
        return Err(Error::Forbidden(Code::Forbidden));
    }
    let bytes = body
        .open(MAX_SNAPSHOT_MB.mebibytes())
        .into_bytes()
        .await
        .map_err(|e| Error::BadRequest(e.to_string()))?;
    if !bytes.is_complete() {
        return Err(Error::TooLarge);
    }
    let snap = ehr::parse_json(&bytes, None).map_err(|e| Error::field("snapshot", e.key))?;
    let who = SyncActor {
        user_id: Some(actor.user_id),
        login: actor.login.clone(),
    };
    let opts = SyncOptions {
        dry_run: dry_run.unwrap_or(false),
        source: "api".into(),
    };
    let report = app
        .run(move |app| ehr::sync(app.store(), app.clock(), who, &snap, opts))
        .await?;
    app.org_changed();
    Ok(Json(report))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct UserStatusView {
    id: u64,
    login: String,
    /// `active` or `disabled`.
    status: &'static str,
}

/// Disables an account (enterprise admins within their enterprise, group admins anywhere): its
/// sessions and tokens end at once.
#[utoipa::path(post, path = "/api/v1/users/{id}/disable", tag = "org",
    responses((status = 200, body = UserStatusView), (status = 403, description = "not allowed"),
              (status = 404, description = "no such user, or outside the caller's enterprise"),
              (status = 409, description = "one's own account")))]
#[post("/api/v1/users/<id>/disable")]
pub async fn disable_user(
    app: &State<App>,
    actor: Actor,
    origin: crate::auth::service::Origin,
    id: u64,
) -> Result<Json<UserStatusView>> {
    let u = app
        .run(move |app| super::service::disable_user(app, &actor, id, &origin))
        .await?;
    Ok(Json(UserStatusView {
        id: u.id,
        login: u.login,
        status: "disabled",
    }))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct UnitList {
    items: Vec<super::query::UnitItem>,
}

/// The unit tree, parents before children: any signed-in user (it is the directory's skeleton).
#[utoipa::path(get, path = "/api/v1/units", tag = "org",
    responses((status = 200, body = UnitList), (status = 401, description = "not signed in")))]
#[get("/api/v1/units")]
pub async fn list_units(app: &State<App>, actor: Actor) -> Result<Json<UnitList>> {
    let items = app
        .run(move |app| super::query::list_units(app, &actor))
        .await?;
    Ok(Json(UnitList { items }))
}

/// Users whose name, login or pinyin contains `q` (or whose initials start with it), best matches
/// first, within `unit_id`'s subtree: active accounts for
/// everyone, disabled ones too for those who manage users there. At most 500 items.
#[utoipa::path(get, path = "/api/v1/users", tag = "org",
    params(("q" = Option<String>, Query, description = "part of a name or login, pinyin (zhangwei) or initials (zw)"),
           ("unit_id" = Option<u64>, Query, description = "a unit whose subtree to list")),
    responses((status = 200, body = super::query::UserPage), (status = 404, description = "no such unit")))]
#[get("/api/v1/users?<q>&<unit_id>")]
pub async fn list_users(
    app: &State<App>,
    actor: Actor,
    q: Option<String>,
    unit_id: Option<u64>,
) -> Result<Json<super::query::UserPage>> {
    if q.as_ref().is_some_and(|q| q.chars().count() > 100) {
        return Err(Error::field("q", "error.too_long"));
    }
    let page = app
        .run(move |app| super::query::list_users(app, &actor, q.as_deref(), unit_id))
        .await?;
    Ok(Json(page))
}

/// The caller's own contact details.
#[utoipa::path(get, path = "/api/v1/me/profile", tag = "org",
    responses((status = 200, body = super::profile::Profile)))]
#[get("/api/v1/me/profile")]
pub async fn profile(app: &State<App>, actor: Actor) -> Result<Json<super::profile::Profile>> {
    let p = app
        .run(move |app| super::profile::show(app, &actor))
        .await?;
    Ok(Json(p))
}

/// Changes the caller's mobile and email (empty clears); a malformed one is refused with nothing
/// changed.
#[utoipa::path(patch, path = "/api/v1/me/profile", tag = "org",
    request_body = super::profile::Profile,
    responses((status = 200, body = super::profile::Profile), (status = 400, description = "a malformed mobile or email")))]
#[patch("/api/v1/me/profile", data = "<body>")]
pub async fn update_profile(
    app: &State<App>,
    actor: Actor,
    origin: crate::auth::service::Origin,
    body: Json<super::profile::Profile>,
) -> Result<Json<super::profile::Profile>> {
    let body = body.into_inner();
    let p = app
        .run(move |app| super::profile::update(app, &actor, body, &origin))
        .await?;
    Ok(Json(p))
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        sync_snapshot,
        disable_user,
        list_units,
        list_users,
        profile,
        update_profile
    ]
}
