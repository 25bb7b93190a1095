//! The workflow's JSON API under `/api/v1/workflow/...` and `/api/v1/me/delegation`.

use rocket::data::Data;
use rocket::http::ContentType;
use rocket::serde::json::Json;
use rocket::{State, delete, get, post, put};
use serde::Deserialize;

use super::model::instance::{Form, Status};
use super::model::template::Template;
use super::service::delegation::{self, DelegationInput, DelegationView};
use super::service::instances::{self, ATTACHMENT_MAX_BYTES, NewInstance};
use super::service::lists::{self, Counts, Filter, Page};
use super::service::reports::{self, SlaRow};
use super::service::tasks::{self, Action, ActionInput};
use super::service::templates;
use super::service::view::{self, AttachmentRef, InstanceView};
use crate::App;
use crate::auth::Actor;
use crate::error::{Error, Result};
use crate::web::download::Download;

/// The templates a person may start; `all=true` (workflow administrators) includes disabled ones.
#[utoipa::path(get, path = "/api/v1/workflow/templates", tag = "workflow",
    params(("all" = Option<bool>, Query, description = "include disabled (administrators)")),
    responses((status = 200, body = [Template]), (status = 403)))]
#[get("/api/v1/workflow/templates?<all>")]
pub async fn list_templates(
    app: &State<App>,
    actor: Actor,
    all: Option<bool>,
) -> Result<Json<Vec<Template>>> {
    let all = all.unwrap_or(false);
    Ok(Json(
        app.run(move |app| templates::list(app, &actor, all))
            .await?,
    ))
}

/// One template version.
#[utoipa::path(get, path = "/api/v1/workflow/templates/{id}", tag = "workflow",
    responses((status = 200, body = Template), (status = 404)))]
#[get("/api/v1/workflow/templates/<id>", rank = 2)]
pub async fn get_template(app: &State<App>, actor: Actor, id: u64) -> Result<Json<Template>> {
    Ok(Json(
        app.run(move |app| templates::get(app, &actor, id)).await?,
    ))
}

/// Creates a template (workflow administrators); its key must be new.
#[utoipa::path(post, path = "/api/v1/workflow/templates", tag = "workflow", request_body = Template,
    responses((status = 201, body = Template), (status = 400), (status = 403), (status = 409)))]
#[post("/api/v1/workflow/templates", data = "<body>")]
pub async fn create_template(
    app: &State<App>,
    actor: Actor,
    body: &str,
) -> Result<rocket::response::status::Created<Json<Template>>> {
    let t = templates::parse_import(body)?;
    let t = app
        .run(move |app| templates::save(app, &actor, t, true))
        .await?;
    let at = format!("/api/v1/workflow/templates/{}", t.id);
    Ok(rocket::response::status::Created::new(at).body(Json(t)))
}

/// Saves a new version of template `key` (running instances keep theirs).
#[utoipa::path(put, path = "/api/v1/workflow/templates/{key}", tag = "workflow", request_body = Template,
    responses((status = 200, body = Template), (status = 400), (status = 403), (status = 404)))]
#[put("/api/v1/workflow/templates/<key>", data = "<body>")]
pub async fn update_template(
    app: &State<App>,
    actor: Actor,
    key: &str,
    body: &str,
) -> Result<Json<Template>> {
    let t = templates::parse_import(body)?;
    if t.key != key {
        return Err(Error::field("key", "error.invalid"));
    }
    Ok(Json(
        app.run(move |app| templates::save(app, &actor, t, false))
            .await?,
    ))
}

/// Imports an exported template: a new key is created, a known key gets a new version.
#[utoipa::path(post, path = "/api/v1/workflow/templates/import", tag = "workflow", request_body = Template,
    responses((status = 200, body = Template), (status = 400), (status = 403)))]
#[post("/api/v1/workflow/templates/import", data = "<body>")]
pub async fn import_template(app: &State<App>, actor: Actor, body: &str) -> Result<Json<Template>> {
    let t = templates::parse_import(body)?;
    let t = app
        .run(move |app| {
            let known = app
                .store()
                .read(|tx| super::store::current_id(tx, &t.key))?
                .is_some();
            templates::save(app, &actor, t, !known)
        })
        .await?;
    Ok(Json(t))
}

/// Turns a template on or off for new requests.
#[utoipa::path(post, path = "/api/v1/workflow/templates/{key}/{state}", tag = "workflow",
    params(("state" = String, Path, description = "enable or disable")),
    responses((status = 200, body = Template), (status = 403), (status = 404)))]
#[post("/api/v1/workflow/templates/<key>/<state>")]
pub async fn set_template_state(
    app: &State<App>,
    actor: Actor,
    key: &str,
    state: &str,
) -> Result<Json<Template>> {
    let enabled = match state {
        "enable" => true,
        "disable" => false,
        _ => return Err(Error::NotFound),
    };
    let key = key.to_string();
    Ok(Json(
        app.run(move |app| templates::set_enabled(app, &actor, &key, enabled))
            .await?,
    ))
}

/// Starts a request (`draft: true` saves it without submitting).
#[utoipa::path(post, path = "/api/v1/workflow/instances", tag = "workflow", request_body = NewInstance,
    responses((status = 201, body = InstanceView), (status = 400), (status = 404)))]
#[post("/api/v1/workflow/instances", data = "<body>")]
pub async fn create_instance(
    app: &State<App>,
    actor: Actor,
    body: Json<NewInstance>,
) -> Result<rocket::response::status::Created<Json<InstanceView>>> {
    let req = body.into_inner();
    let v = app
        .run(move |app| {
            let inst = instances::create(app, &actor, req)?;
            let t = templates::get_version(app, inst.template_id)?;
            view::build(app, &actor, &inst, &t)
        })
        .await?;
    let at = format!("/api/v1/workflow/instances/{}", v.id);
    Ok(rocket::response::status::Created::new(at).body(Json(v)))
}

/// An instance with its form, current steps and timeline (404 for anyone not involved).
#[utoipa::path(get, path = "/api/v1/workflow/instances/{id}", tag = "workflow",
    responses((status = 200, body = InstanceView), (status = 404)))]
#[get("/api/v1/workflow/instances/<id>")]
pub async fn get_instance(app: &State<App>, actor: Actor, id: u64) -> Result<Json<InstanceView>> {
    let v = app
        .run(move |app| {
            let (inst, t) = instances::get(app, &actor, id)?;
            view::build(app, &actor, &inst, &t)
        })
        .await?;
    Ok(Json(v))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditInstance {
    #[schema(value_type = Object)]
    pub form: Form,
    #[serde(default)]
    pub submit: bool,
}

/// The applicant edits a draft or a returned request (and submits it with `submit: true`).
#[utoipa::path(put, path = "/api/v1/workflow/instances/{id}", tag = "workflow", request_body = EditInstance,
    responses((status = 200, body = InstanceView), (status = 400), (status = 403), (status = 404), (status = 409)))]
#[put("/api/v1/workflow/instances/<id>", data = "<body>")]
pub async fn edit_instance(
    app: &State<App>,
    actor: Actor,
    id: u64,
    body: Json<EditInstance>,
) -> Result<Json<InstanceView>> {
    let b = body.into_inner();
    let v = app
        .run(move |app| {
            let inst = instances::update(app, &actor, id, b.form, b.submit)?;
            let t = templates::get_version(app, inst.template_id)?;
            view::build(app, &actor, &inst, &t)
        })
        .await?;
    Ok(Json(v))
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Note {
    #[serde(default)]
    pub comment: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub attachments: Vec<u64>,
}

/// `withdraw` (the applicant, before any approver acted: else 409), `urge` (the applicant),
/// `comment` (anyone involved), `terminate` (workflow administrators, with a reason).
#[utoipa::path(post, path = "/api/v1/workflow/instances/{id}/{action}", tag = "workflow",
    params(("action" = String, Path, description = "withdraw, urge, comment or terminate")),
    request_body = Note,
    responses((status = 200, body = InstanceView), (status = 403), (status = 404), (status = 409), (status = 429)))]
#[post("/api/v1/workflow/instances/<id>/<action>", data = "<body>")]
pub async fn instance_action(
    app: &State<App>,
    actor: Actor,
    id: u64,
    action: &str,
    body: Option<Json<Note>>,
) -> Result<Json<InstanceView>> {
    let note = body.map(Json::into_inner).unwrap_or_default();
    let action = action.to_string();
    let v = app
        .run(move |app| {
            let inst = match action.as_str() {
                "withdraw" => instances::withdraw(app, &actor, id)?,
                "urge" => instances::urge(app, &actor, id, &note.comment)?,
                "comment" => instances::comment(app, &actor, id, &note.comment, note.attachments)?,
                "terminate" => tasks::terminate(app, &actor, id, &note.reason)?,
                _ => return Err(Error::NotFound),
            };
            let t = templates::get_version(app, inst.template_id)?;
            view::build(app, &actor, &inst, &t)
        })
        .await?;
    Ok(Json(v))
}

/// A box of the todo center: `todo` (待办, most urgent first), `done` (已办), `mine` (我发起的),
/// `cc` (待阅), `cc_read` (已阅), `for_me` (done by my delegate).
#[utoipa::path(get, path = "/api/v1/workflow/tasks", tag = "workflow",
    params(("box" = Option<String>, Query, description = "todo (default), done, mine, cc, cc_read, for_me"),
           ("template" = Option<String>, Query, description = "a template key"),
           ("status" = Option<String>, Query, description = "an instance status"),
           ("from" = Option<String>, Query, description = "submitted on or after YYYY-MM-DD"),
           ("to" = Option<String>, Query, description = "submitted on or before YYYY-MM-DD"),
           ("cursor" = Option<String>, Query), ("limit" = Option<usize>, Query)),
    responses((status = 200, body = Page), (status = 400)))]
#[get("/api/v1/workflow/tasks?<q..>")]
pub async fn list_tasks(app: &State<App>, actor: Actor, q: TaskQuery) -> Result<Json<Page>> {
    let which = lists::parse_box(q.which.as_deref().unwrap_or("todo"))
        .ok_or(Error::field("box", "error.invalid"))?;
    let filter = q.filter()?;
    let page = app
        .run(move |app| {
            lists::list(
                app,
                &actor,
                which,
                &filter,
                q.cursor.as_deref(),
                q.limit.unwrap_or(20),
            )
        })
        .await?;
    Ok(Json(page))
}

/// The todo center's query: which box, the filters, the page.
#[derive(Debug, Default, rocket::FromForm)]
pub struct TaskQuery {
    #[field(name = "box")]
    pub which: Option<String>,
    pub template: Option<String>,
    pub status: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<usize>,
}

impl TaskQuery {
    pub fn filter(&self) -> Result<Filter> {
        parse_filter(
            self.template.as_deref(),
            self.status.as_deref(),
            self.from.as_deref(),
            self.to.as_deref(),
        )
    }
}

pub fn parse_filter(
    template: Option<&str>,
    status: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<Filter> {
    let date = |name: &str, v: Option<&str>| -> Result<Option<chrono::NaiveDate>> {
        match v.filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(s) => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| Error::field(name, "error.workflow.date")),
        }
    };
    Ok(Filter {
        template_key: template.filter(|s| !s.is_empty()).map(str::to_string),
        status: match status.filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => Some(Status::parse(s).ok_or(Error::field("status", "error.invalid"))?),
        },
        from: date("from", from)?,
        to: date("to", to)?,
    })
}

/// The badges: open tasks, how many of them are overdue, unread cc items.
#[utoipa::path(get, path = "/api/v1/workflow/counts", tag = "workflow", responses((status = 200, body = Counts)))]
#[get("/api/v1/workflow/counts")]
pub async fn counts(app: &State<App>, actor: Actor) -> Result<Json<Counts>> {
    Ok(Json(
        app.run(move |app| lists::counts(app, actor.user_id))
            .await?,
    ))
}

/// The holder acts on a task: `approve`, `reject`, `return` (to the applicant, or `step`),
/// `transfer` (`to`), `add-approver` (`to`, `before`).
#[utoipa::path(post, path = "/api/v1/workflow/tasks/{id}/{action}", tag = "workflow", request_body = ActionInput,
    params(("action" = String, Path, description = "approve, reject, return, transfer, add-approver")),
    responses((status = 200, body = InstanceView), (status = 400), (status = 403), (status = 404), (status = 409)))]
#[post("/api/v1/workflow/tasks/<id>/<action>", data = "<body>")]
pub async fn task_action(
    app: &State<App>,
    actor: Actor,
    id: u64,
    action: &str,
    body: Option<Json<ActionInput>>,
) -> Result<Json<InstanceView>> {
    let input = body.map(Json::into_inner).unwrap_or_default();
    let v = match Action::parse(action) {
        Some(a) => {
            app.run(move |app| {
                let inst = tasks::perform(app, &actor, id, a, input)?;
                let t = templates::get_version(app, inst.template_id)?;
                view::build(app, &actor, &inst, &t)
            })
            .await?
        }
        None if action == "reassign" => {
            let to = input.to.ok_or(Error::field("to", "error.required"))?;
            app.run(move |app| {
                let inst = tasks::reassign(app, &actor, id, to, &input.comment)?;
                let t = templates::get_version(app, inst.template_id)?;
                view::build(app, &actor, &inst, &t)
            })
            .await?
        }
        None => return Err(Error::NotFound),
    };
    Ok(Json(v))
}

/// Uploads a file (the request body; `name` in the query) to attach to a form or a comment.
#[utoipa::path(post, path = "/api/v1/workflow/attachments", tag = "workflow",
    params(("name" = String, Query, description = "the file's name")),
    request_body(content = Vec<u8>, description = "the file", content_type = "application/octet-stream"),
    responses((status = 201, body = AttachmentRef), (status = 400), (status = 413)))]
#[post("/api/v1/workflow/attachments?<name>", data = "<data>")]
pub async fn upload(
    app: &State<App>,
    actor: Actor,
    name: &str,
    content_type: Option<&ContentType>,
    data: Data<'_>,
) -> Result<rocket::response::status::Created<Json<AttachmentRef>>> {
    let body = crate::web::download::read_upload(data, ATTACHMENT_MAX_BYTES).await?;
    let ct = content_type.map_or("application/octet-stream".to_string(), |c| c.to_string());
    let name = name.to_string();
    let a = app
        .run(move |app| instances::upload(app, &actor, &name, &ct, &body[..]))
        .await?;
    let at = format!("/api/v1/workflow/attachments/{}", a.id);
    Ok(
        rocket::response::status::Created::new(at).body(Json(AttachmentRef {
            id: a.id,
            name: a.name,
            size: a.size,
        })),
    )
}

/// Downloads an attachment (its uploader, or anyone who may see its instance; else 404).
#[utoipa::path(get, path = "/api/v1/workflow/attachments/{id}", tag = "workflow",
    responses((status = 200, description = "the file"), (status = 404)))]
#[get("/api/v1/workflow/attachments/<id>")]
pub async fn download(app: &State<App>, actor: Actor, id: u64) -> Result<Download> {
    let a = app
        .run(move |app| instances::attachment(app, &actor, id))
        .await?;
    Download::open(app, &a.sha256, &a.name, &a.content_type, a.size).await
}

/// The caller's delegation, or null.
#[utoipa::path(get, path = "/api/v1/me/delegation", tag = "workflow",
    responses((status = 200, body = Option<DelegationView>)))]
#[get("/api/v1/me/delegation")]
pub async fn get_delegation(
    app: &State<App>,
    actor: Actor,
) -> Result<Json<Option<DelegationView>>> {
    Ok(Json(
        app.run(move |app| delegation::get(app, &actor)).await?,
    ))
}

/// Sets the caller's delegation (`move_open` also moves the open tasks it covers now).
#[utoipa::path(put, path = "/api/v1/me/delegation", tag = "workflow", request_body = DelegationInput,
    responses((status = 200, body = DelegationView), (status = 400)))]
#[put("/api/v1/me/delegation", data = "<body>")]
pub async fn set_delegation(
    app: &State<App>,
    actor: Actor,
    body: Json<DelegationInput>,
) -> Result<Json<DelegationView>> {
    let input = body.into_inner();
    Ok(Json(
        app.run(move |app| delegation::set(app, &actor, input))
            .await?,
    ))
}

/// Ends the caller's delegation.
#[utoipa::path(delete, path = "/api/v1/me/delegation", tag = "workflow", responses((status = 204)))]
#[delete("/api/v1/me/delegation")]
pub async fn clear_delegation(app: &State<App>, actor: Actor) -> Result<rocket::http::Status> {
    app.run(move |app| delegation::clear(app, &actor)).await?;
    Ok(rocket::http::Status::NoContent)
}

/// `[from, to]` from the query, by default the last 30 days.
pub fn date_span(
    app: &App,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<(chrono::NaiveDate, chrono::NaiveDate)> {
    use chrono::TimeZone;
    let today = app
        .tz()
        .timestamp_millis_opt(app.now_ms())
        .single()
        .map(|t| t.date_naive())
        .unwrap_or_default();
    let date = |name: &str, v: Option<&str>, default| match v.filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(s) => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|_| Error::field(name, "error.workflow.date")),
    };
    Ok((
        date("from", from, today - chrono::Days::new(30))?,
        date("to", to, today)?,
    ))
}

/// The SLA report (workflow administrators): per approver's unit and template, tasks handled,
/// the median handling time in hours and the overdue ones, for instances submitted in the span.
#[utoipa::path(get, path = "/api/v1/workflow/reports/sla", tag = "workflow",
    params(("from" = Option<String>, Query, description = "YYYY-MM-DD, default 30 days ago"),
           ("to" = Option<String>, Query, description = "YYYY-MM-DD, default today")),
    responses((status = 200, body = [SlaRow]), (status = 403)))]
#[get("/api/v1/workflow/reports/sla?<from>&<to>")]
pub async fn sla(
    app: &State<App>,
    actor: Actor,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<Json<Vec<SlaRow>>> {
    let (from, to) = date_span(app, from, to)?;
    Ok(Json(
        app.run(move |app| reports::sla(app, &actor, from, to))
            .await?,
    ))
}

/// A template's instances submitted in the span as CSV or XLSX (workflow administrators; only
/// the instances of units they administer).
#[utoipa::path(get, path = "/api/v1/workflow/export", tag = "workflow",
    params(("template" = String, Query, description = "a template key"),
           ("from" = Option<String>, Query), ("to" = Option<String>, Query),
           ("format" = Option<String>, Query, description = "csv (default) or xlsx")),
    responses((status = 200, description = "the file"), (status = 403), (status = 404)))]
#[get("/api/v1/workflow/export?<template>&<from>&<to>&<format>")]
pub async fn export(
    app: &State<App>,
    actor: Actor,
    template: &str,
    from: Option<&str>,
    to: Option<&str>,
    format: Option<&str>,
) -> Result<crate::web::download::Bytes> {
    let (from, to) = date_span(app, from, to)?;
    let format = match format.unwrap_or("csv") {
        "csv" => reports::Format::Csv,
        "xlsx" => reports::Format::Xlsx,
        _ => return Err(Error::field("format", "error.invalid")),
    };
    let key = template.to_string();
    let e = app
        .run(move |app| reports::export(app, &actor, &key, from, to, format))
        .await?;
    Ok(crate::web::download::Bytes {
        name: e.file_name,
        content_type: e.content_type,
        bytes: e.bytes,
    })
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        list_templates,
        get_template,
        create_template,
        update_template,
        import_template,
        set_template_state,
        create_instance,
        get_instance,
        edit_instance,
        instance_action,
        list_tasks,
        counts,
        task_action,
        upload,
        download,
        get_delegation,
        set_delegation,
        clear_delegation,
        sla,
        export
    ]
}
