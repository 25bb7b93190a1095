//! `/api/v1/auth/*`, `/api/v1/me`, integration tokens and the admin password reset.

use rocket::serde::json::Json;
use rocket::{State, delete, get, post};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::actor::{Actor, Scope};
use super::guards::AnyActor;
use super::service::{self, Origin, SessionView, TokenView};
use crate::App;
use crate::error::Result;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginInput {
    login: String,
    password: String,
}

#[derive(Serialize, ToSchema)]
pub struct UserRef {
    pub id: u64,
    pub login: String,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct LoginAnswer {
    /// Send it as `Authorization: Bearer <token>`.
    token: String,
    user: UserRef,
    must_change_password: bool,
}

/// Signs in; the answer's token authorizes later calls.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginInput,
    responses((status = 200, body = LoginAnswer), (status = 401, description = "bad_credentials"),
              (status = 403, description = "account_disabled"), (status = 429, description = "locked or throttled")))]
#[post("/api/v1/auth/login", data = "<input>")]
pub async fn login(
    app: &State<App>,
    origin: Origin,
    input: Json<LoginInput>,
) -> Result<Json<LoginAnswer>> {
    let LoginInput { login, password } = input.into_inner();
    let out = app
        .run_hashing(move |app| service::login(app, &login, &password, &origin))
        .await?;
    Ok(Json(LoginAnswer {
        token: out.token,
        user: UserRef {
            id: out.user.id,
            login: out.user.login,
            name: out.user.name,
        },
        must_change_password: out.must_change_password,
    }))
}

/// Ends the calling session.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", responses((status = 204)))]
#[post("/api/v1/auth/logout")]
pub async fn logout(
    app: &State<App>,
    actor: AnyActor,
    origin: Origin,
) -> Result<rocket::http::Status> {
    app.run(move |app| service::logout(app, &actor.0, &origin))
        .await?;
    Ok(rocket::http::Status::NoContent)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordInput {
    old_password: String,
    new_password: String,
}

/// Changes the caller's password (the only call allowed while an initial password is unchanged).
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth", request_body = PasswordInput,
    responses((status = 204), (status = 400, description = "validation: old_password or new_password")))]
#[post("/api/v1/auth/password", data = "<input>")]
pub async fn change_password(
    app: &State<App>,
    actor: AnyActor,
    origin: Origin,
    input: Json<PasswordInput>,
) -> Result<rocket::http::Status> {
    let PasswordInput {
        old_password,
        new_password,
    } = input.into_inner();
    app.run_hashing(move |app| {
        service::change_password(app, &actor.0, &old_password, &new_password, &origin)
    })
    .await?;
    Ok(rocket::http::Status::NoContent)
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    id: u64,
    login: String,
    name: String,
    unit_id: u64,
    roles: Vec<RoleGrant>,
}

#[derive(Serialize, ToSchema)]
pub struct RoleGrant {
    role: String,
    unit_id: u64,
}

/// Who the caller is.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", responses((status = 200, body = Me),
    (status = 401), (status = 403, description = "must_change_password")))]
#[get("/api/v1/me")]
pub fn me(actor: Actor) -> Json<Me> {
    Json(Me {
        id: actor.user_id,
        login: actor.login,
        name: actor.name,
        unit_id: actor.unit_id,
        roles: actor
            .grants
            .into_iter()
            .map(|(role, unit_id)| RoleGrant { role, unit_id })
            .collect(),
    })
}

#[derive(Serialize, ToSchema)]
pub struct Items<T> {
    items: Vec<T>,
    next_cursor: Option<String>,
}

/// The caller's signed-in sessions.
#[utoipa::path(get, path = "/api/v1/me/sessions", tag = "auth", responses((status = 200)))]
#[get("/api/v1/me/sessions")]
pub async fn sessions(app: &State<App>, actor: Actor) -> Result<Json<Items<SessionView>>> {
    let items = app
        .run(move |app| service::my_sessions(app, &actor))
        .await?;
    Ok(Json(Items {
        items,
        next_cursor: None,
    }))
}

/// Ends one of the caller's sessions.
#[utoipa::path(delete, path = "/api/v1/me/sessions/{id}", tag = "auth", responses((status = 204), (status = 404)))]
#[delete("/api/v1/me/sessions/<id>")]
pub async fn revoke_session(
    app: &State<App>,
    actor: Actor,
    origin: Origin,
    id: u64,
) -> Result<rocket::http::Status> {
    app.run(move |app| service::revoke_my_session(app, &actor, id, &origin))
        .await?;
    Ok(rocket::http::Status::NoContent)
}

#[derive(Serialize, ToSchema)]
pub struct InitialPassword {
    /// Shown once; the user must change it at the next sign-in.
    initial_password: String,
}

/// Gives a user a new random initial password (enterprise or group administrators).
#[utoipa::path(post, path = "/api/v1/users/{id}/reset-password", tag = "org",
    responses((status = 200, body = InitialPassword), (status = 403), (status = 404)))]
#[post("/api/v1/users/<id>/reset-password")]
pub async fn reset_password(
    app: &State<App>,
    actor: Actor,
    origin: Origin,
    id: u64,
) -> Result<Json<InitialPassword>> {
    let initial_password = app
        .run_hashing(move |app| service::reset_password(app, &actor, id, &origin))
        .await?;
    Ok(Json(InitialPassword { initial_password }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenInput {
    name: String,
    /// `ehr_sync` or `read`.
    scope: Scope,
    /// Days until it expires (1–3650).
    days: u32,
}

#[derive(Serialize, ToSchema)]
pub struct NewToken {
    /// Shown once.
    token: String,
    id: u64,
    name: String,
    expires_ms: i64,
}

/// Makes an integration token with a scope and an expiry (group administrators).
#[utoipa::path(post, path = "/api/v1/tokens", tag = "auth", request_body = TokenInput,
    responses((status = 200, body = NewToken), (status = 400), (status = 403)))]
#[post("/api/v1/tokens", data = "<input>")]
pub async fn create_token(
    app: &State<App>,
    actor: Actor,
    origin: Origin,
    input: Json<TokenInput>,
) -> Result<Json<NewToken>> {
    let TokenInput { name, scope, days } = input.into_inner();
    let (token, view) = app
        .run(move |app| service::create_token(app, &actor, &name, scope, days, &origin))
        .await?;
    Ok(Json(NewToken {
        token,
        id: view.id,
        name: view.name,
        expires_ms: view.expires_ms,
    }))
}

/// The caller's integration tokens.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "auth", responses((status = 200)))]
#[get("/api/v1/tokens")]
pub async fn tokens(app: &State<App>, actor: Actor) -> Result<Json<Items<TokenView>>> {
    let items = app.run(move |app| service::my_tokens(app, &actor)).await?;
    Ok(Json(Items {
        items,
        next_cursor: None,
    }))
}

/// Revokes one of the caller's tokens.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "auth", responses((status = 204), (status = 404)))]
#[delete("/api/v1/tokens/<id>")]
pub async fn revoke_token(
    app: &State<App>,
    actor: Actor,
    origin: Origin,
    id: u64,
) -> Result<rocket::http::Status> {
    app.run(move |app| service::revoke_token(app, &actor, id, &origin))
        .await?;
    Ok(rocket::http::Status::NoContent)
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        login,
        logout,
        change_password,
        me,
        sessions,
        revoke_session,
        reset_password,
        create_token,
        tokens,
        revoke_token
    ]
}
