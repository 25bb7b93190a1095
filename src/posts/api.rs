//! The posts' JSON API under `/api/v1/posts/...`.

use rocket::data::Data;
use rocket::http::ContentType;
use rocket::response::status::Created;
use rocket::serde::json::Json;
use rocket::{FromForm, State, get, patch, post};
use serde::{Deserialize, Serialize};

use super::model::{Kind, Post, Read};
use super::service::edit::{self, ATTACHMENT_MAX_BYTES, PostInput};
use super::service::lists::{self, Filter, Page, RegulationInfo};
use super::service::reading::{self, Readers};
use super::service::{Rights, load};
use super::store as ps;
use crate::App;
use crate::auth::Actor;
use crate::error::{Error, Result};
use crate::web::download::Download;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AudienceView {
    pub everyone: bool,
    pub units: Vec<u64>,
    pub users: Vec<u64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = PostAttachmentRef)]
pub struct AttachmentRef {
    pub id: u64,
    pub name: String,
    pub size: u64,
    pub is_image: bool,
}

/// One version of a regulation in its chain.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Version {
    pub id: u64,
    pub version: u32,
    pub title: String,
    pub state: String,
    pub published_at: Option<String>,
    pub in_force: bool,
}

/// A post as the API shows it, with the caller's `permissions`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PostView {
    pub id: u64,
    pub kind: String,
    pub title: String,
    pub body_html: String,
    pub unit_id: u64,
    pub unit_name: String,
    pub author_id: u64,
    pub audience: AudienceView,
    /// `draft`, `scheduled`, `published`, `expired` or `withdrawn`.
    pub state: String,
    pub publish_at: Option<String>,
    pub published_at: Option<String>,
    pub pinned_until: Option<String>,
    pub expires_at: Option<String>,
    pub require_ack: bool,
    pub attachments: Vec<AttachmentRef>,
    pub cover_id: Option<u64>,
    pub regulation: Option<RegulationInfo>,
    pub scope_unit_id: Option<u64>,
    pub supersedes: Option<u64>,
    /// A regulation's versions, oldest first (those the caller may open).
    pub versions: Vec<Version>,
    pub read_count: u64,
    pub ack_count: u64,
    pub created_at: String,
    pub updated_at: String,
    pub permissions: Vec<&'static str>,
    /// The caller's own reading.
    pub read_at: Option<String>,
    pub acknowledged_at: Option<String>,
}

pub fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default()
}

/// The versions of a regulation, oldest first: back along `supersedes`, on along
/// `superseded_by` (bounded, in case of a cycle in damaged data).
pub fn versions(app: &App, actor: &Actor, post: &Post) -> Result<Vec<Version>> {
    let Some(reg) = &post.regulation else {
        return Ok(Vec::new());
    };
    if reg.supersedes.is_none() && reg.superseded_by.is_none() {
        return Ok(Vec::new());
    }
    let now = app.now_ms();
    let today = lists::today(app);
    app.store().read(|tx| {
        let mut chain = vec![post.clone()];
        let mut back = reg.supersedes;
        while let Some(id) = back.filter(|_| chain.len() < 100) {
            let Some(p) = ps::post(tx, id)? else { break };
            back = p.regulation.as_ref().and_then(|r| r.supersedes);
            chain.insert(0, p);
        }
        let mut on = reg.superseded_by;
        while let Some(id) = on.filter(|_| chain.len() < 200) {
            let Some(p) = ps::post(tx, id)? else { break };
            on = p.regulation.as_ref().and_then(|r| r.superseded_by);
            chain.push(p);
        }
        Ok(chain
            .into_iter()
            .filter(|p| super::service::rights(actor, p, now, false).is_some())
            .map(|p| Version {
                id: p.id,
                version: p.regulation.as_ref().map_or(1, |r| r.version),
                title: p.title.clone(),
                state: p.state(now).into(),
                published_at: p.published_ms.map(rfc3339),
                in_force: p.is_live(now)
                    && p.regulation.as_ref().is_some_and(|r| r.in_force(today)),
            })
            .collect())
    })
}

pub fn view(
    app: &App,
    actor: &Actor,
    post: &Post,
    rights: Rights,
    read: Option<&Read>,
) -> Result<PostView> {
    let (attachments, (reads, acks)) = app.store().read(|tx| {
        let mut out = Vec::new();
        for id in &post.attachments {
            if let Some(a) = ps::attachment(tx, *id)? {
                out.push(AttachmentRef {
                    id: a.id,
                    is_image: a.is_image(),
                    name: a.name,
                    size: a.size,
                });
            }
        }
        Ok((out, ps::counts(tx, post.id)?))
    })?;
    let unit_name = app
        .directory()?
        .unit(post.unit_id)
        .map(|u| u.name.clone())
        .unwrap_or_default();
    Ok(PostView {
        id: post.id,
        kind: post.kind.code().into(),
        title: post.title.clone(),
        body_html: post.body_html.clone(),
        unit_id: post.unit_id,
        unit_name,
        author_id: post.author_id,
        audience: AudienceView {
            everyone: post.audience.everyone,
            units: post.audience.units.clone(),
            users: post.audience.users.clone(),
        },
        state: post.state(app.now_ms()).into(),
        publish_at: post.publish_ms.map(rfc3339),
        published_at: post.published_ms.map(rfc3339),
        pinned_until: post.pinned_until_ms.map(rfc3339),
        expires_at: post.expires_ms.map(rfc3339),
        require_ack: post.require_ack,
        attachments: attachments.clone(),
        // News without a chosen picture shows its first picture.
        cover_id: post.cover.or_else(|| {
            (post.kind == Kind::News)
                .then(|| attachments.iter().find(|a| a.is_image).map(|a| a.id))
                .flatten()
        }),
        regulation: lists::regulation_info(app, post),
        scope_unit_id: post.regulation.as_ref().map(|r| r.scope_unit_id),
        supersedes: post.regulation.as_ref().and_then(|r| r.supersedes),
        versions: versions(app, actor, post)?,
        read_count: reads,
        ack_count: acks,
        created_at: rfc3339(post.created_ms),
        updated_at: rfc3339(post.updated_ms),
        permissions: rights.names(),
        read_at: read.map(|r| rfc3339(r.read_ms)),
        acknowledged_at: read.and_then(|r| r.ack_ms).map(rfc3339),
    })
}

/// The post as `actor` now sees it.
fn current(app: &App, actor: &Actor, id: u64) -> Result<PostView> {
    let now = app.now_ms();
    let (post, rights, read) = app.store().read(|tx| {
        let (post, rights) = load(tx, actor, id, now)?;
        Ok((post, rights, ps::read_of(tx, id, actor.user_id)?))
    })?;
    view(app, actor, &post, rights, read.as_ref())
}

#[derive(Debug, Clone, FromForm)]
pub struct ListQuery {
    pub kind: Option<String>,
    pub unit: Option<u64>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub unread: Option<bool>,
    pub history: Option<bool>,
    /// `mine` (my posts, drafts included) or `unit` (with `unit`: a publishing unit's posts).
    pub manage: Option<String>,
    pub limit: Option<usize>,
    pub cursor: Option<String>,
}

impl ListQuery {
    pub fn filter(&self) -> Result<Filter> {
        let kind = match self.kind.as_deref() {
            None | Some("") => None,
            Some(k) => Some(Kind::parse(k).ok_or_else(|| Error::field("kind", "error.invalid"))?),
        };
        let day = |name: &str, v: &Option<String>| -> Result<Option<chrono::NaiveDate>> {
            match v.as_deref().map(str::trim) {
                None | Some("") => Ok(None),
                Some(d) => chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
                    .map(Some)
                    .map_err(|_| Error::field(name, "error.date")),
            }
        };
        let limit = self.limit.unwrap_or(20);
        if limit == 0 || limit > lists::LIMIT_MAX {
            return Err(Error::field("limit", "error.out_of_range"));
        }
        Ok(Filter {
            kind,
            unit_id: self.unit,
            from: day("from", &self.from)?,
            to: day("to", &self.to)?,
            unread: self.unread.unwrap_or(false),
            history: self.history.unwrap_or(false),
            limit,
            cursor: self.cursor.clone().filter(|c| !c.is_empty()),
        })
    }
}

/// What is addressed to the caller, newest first with the pinned ones above (`kind`, publishing
/// `unit` and below, `from`/`to` dates, `unread`, `history` for expired posts and regulations no
/// longer in force). With `manage=mine` the caller's own posts, drafts included; with
/// `manage=unit&unit=ID` a unit's posts for its publishers.
#[utoipa::path(get, path = "/api/v1/posts", tag = "posts",
    params(("kind" = Option<String>, Query, description = "news|flash|notice|regulation|resource"),
        ("unit" = Option<u64>, Query), ("from" = Option<String>, Query), ("to" = Option<String>, Query),
        ("unread" = Option<bool>, Query), ("history" = Option<bool>, Query),
        ("manage" = Option<String>, Query, description = "mine|unit"),
        ("limit" = Option<usize>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = Page), (status = 400), (status = 403)))]
#[get("/api/v1/posts?<q..>")]
pub async fn list(app: &State<App>, actor: Actor, q: ListQuery) -> Result<Json<Page>> {
    let filter = q.filter()?;
    let manage = q.manage.clone();
    Ok(Json(
        app.run(move |app| match manage.as_deref() {
            None | Some("") => lists::list(app, &actor, &filter),
            Some("mine") => {
                lists::managed(app, &actor, None, filter.cursor.as_deref(), filter.limit)
            }
            Some("unit") => {
                let unit = filter
                    .unit_id
                    .ok_or_else(|| Error::field("unit", "error.required"))?;
                lists::managed(
                    app,
                    &actor,
                    Some(unit),
                    filter.cursor.as_deref(),
                    filter.limit,
                )
            }
            Some(_) => Err(Error::field("manage", "error.invalid")),
        })
        .await?,
    ))
}

/// Creates a post: a draft, or with `"publish": true` published (or scheduled by `publish_at`).
#[utoipa::path(post, path = "/api/v1/posts", tag = "posts", request_body = PostInput,
    responses((status = 201, body = PostView), (status = 400), (status = 403)))]
#[post("/api/v1/posts", data = "<body>")]
pub async fn create(
    app: &State<App>,
    actor: Actor,
    body: Json<PostInput>,
) -> Result<Created<Json<PostView>>> {
    let input = body.into_inner();
    let v = app
        .run(move |app| {
            let post = edit::create(app, &actor, input)?;
            current(app, &actor, post.id)
        })
        .await?;
    Ok(Created::new(format!("/api/v1/posts/{}", v.id)).body(Json(v)))
}

/// One post (404 for anyone it is not addressed to and who does not publish it).
#[utoipa::path(get, path = "/api/v1/posts/{id}", tag = "posts",
    responses((status = 200, body = PostView), (status = 404)))]
#[get("/api/v1/posts/<id>", rank = 2)]
pub async fn get_one(app: &State<App>, actor: Actor, id: u64) -> Result<Json<PostView>> {
    Ok(Json(app.run(move |app| current(app, &actor, id)).await?))
}

/// Changes a post (its author or a publisher of its unit); audited.
#[utoipa::path(patch, path = "/api/v1/posts/{id}", tag = "posts", request_body = PostInput,
    responses((status = 200, body = PostView), (status = 400), (status = 403), (status = 404), (status = 409)))]
#[patch("/api/v1/posts/<id>", data = "<body>")]
pub async fn update(
    app: &State<App>,
    actor: Actor,
    id: u64,
    body: Json<PostInput>,
) -> Result<Json<PostView>> {
    let input = body.into_inner();
    Ok(Json(
        app.run(move |app| {
            edit::update(app, &actor, id, input)?;
            current(app, &actor, id)
        })
        .await?,
    ))
}

/// Publishes a draft now, or schedules it when its `publish_at` lies ahead.
#[utoipa::path(post, path = "/api/v1/posts/{id}/publish", tag = "posts",
    responses((status = 200, body = PostView), (status = 400), (status = 403), (status = 404), (status = 409)))]
#[post("/api/v1/posts/<id>/publish")]
pub async fn publish(app: &State<App>, actor: Actor, id: u64) -> Result<Json<PostView>> {
    Ok(Json(
        app.run(move |app| {
            edit::publish(app, &actor, id)?;
            current(app, &actor, id)
        })
        .await?,
    ))
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawInput {
    #[serde(default)]
    pub reason: String,
}

/// Takes a post back (audited with the reason).
#[utoipa::path(post, path = "/api/v1/posts/{id}/withdraw", tag = "posts", request_body = WithdrawInput,
    responses((status = 200, body = PostView), (status = 403), (status = 404), (status = 409)))]
#[post("/api/v1/posts/<id>/withdraw", data = "<body>")]
pub async fn withdraw(
    app: &State<App>,
    actor: Actor,
    id: u64,
    body: Option<Json<WithdrawInput>>,
) -> Result<Json<PostView>> {
    let reason = body.map(|b| b.into_inner().reason).unwrap_or_default();
    Ok(Json(
        app.run(move |app| {
            edit::withdraw(app, &actor, id, &reason)?;
            current(app, &actor, id)
        })
        .await?,
    ))
}

/// Marks the post read by the caller (idempotent; counted once).
#[utoipa::path(post, path = "/api/v1/posts/{id}/read", tag = "posts",
    responses((status = 200, body = PostView), (status = 404)))]
#[post("/api/v1/posts/<id>/read")]
pub async fn read(app: &State<App>, actor: Actor, id: u64) -> Result<Json<PostView>> {
    Ok(Json(
        app.run(move |app| {
            let (post, rights, read) = reading::open(app, &actor, id)?;
            view(app, &actor, &post, rights, read.as_ref())
        })
        .await?,
    ))
}

/// Confirms reading a notice that asks for it (409 when it does not or it is done).
#[utoipa::path(post, path = "/api/v1/posts/{id}/acknowledge", tag = "posts",
    responses((status = 200, body = PostView), (status = 404), (status = 409)))]
#[post("/api/v1/posts/<id>/acknowledge")]
pub async fn acknowledge(app: &State<App>, actor: Actor, id: u64) -> Result<Json<PostView>> {
    Ok(Json(
        app.run(move |app| {
            reading::acknowledge(app, &actor, id)?;
            current(app, &actor, id)
        })
        .await?,
    ))
}

/// Who has read the post and who has not yet (its publishers).
#[utoipa::path(get, path = "/api/v1/posts/{id}/readers", tag = "posts",
    responses((status = 200, body = Readers), (status = 403), (status = 404),
              (status = 409, description = "one's own post, not published yet")))]
#[get("/api/v1/posts/<id>/readers", rank = 3)]
pub async fn readers(app: &State<App>, actor: Actor, id: u64) -> Result<Json<Readers>> {
    Ok(Json(
        app.run(move |app| reading::readers(app, &actor, id).map(|(_, r)| r))
            .await?,
    ))
}

/// Uploads a file (the request body; `name` in the query) to attach to a post (publishers).
#[utoipa::path(post, path = "/api/v1/posts/attachments", tag = "posts",
    params(("name" = String, Query, description = "the file's name")),
    request_body(content = Vec<u8>, description = "the file", content_type = "application/octet-stream"),
    responses((status = 201, body = AttachmentRef), (status = 400), (status = 403), (status = 413)))]
#[post("/api/v1/posts/attachments?<name>", data = "<data>")]
pub async fn upload(
    app: &State<App>,
    actor: Actor,
    name: &str,
    content_type: Option<&ContentType>,
    data: Data<'_>,
) -> Result<Created<Json<AttachmentRef>>> {
    let body = crate::web::download::read_upload(data, ATTACHMENT_MAX_BYTES).await?;
    let ct = content_type.map_or("application/octet-stream".to_string(), |c| c.to_string());
    let name = name.to_string();
    let a = app
        .run(move |app| edit::upload(app, &actor, &name, &ct, &body[..]))
        .await?;
    Ok(
        Created::new(format!("/api/v1/posts/attachments/{}", a.id)).body(Json(AttachmentRef {
            id: a.id,
            is_image: a.is_image(),
            name: a.name,
            size: a.size,
        })),
    )
}

/// Downloads an attachment (whoever may open its post; else 404).
#[utoipa::path(get, path = "/api/v1/posts/attachments/{id}", tag = "posts",
    responses((status = 200, description = "the file"), (status = 404)))]
#[get("/api/v1/posts/attachments/<id>")]
pub async fn download(app: &State<App>, actor: Actor, id: u64) -> Result<Download> {
    let a = app
        .run(move |app| edit::attachment(app, &actor, id))
        .await?;
    Download::open(app, &a.sha256, &a.name, &a.content_type, a.size).await
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        list,
        create,
        get_one,
        update,
        publish,
        withdraw,
        read,
        acknowledge,
        readers,
        upload,
        download,
    ]
}
