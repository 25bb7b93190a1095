//! The documents' JSON API under `/api/v1/documents/...`.

use rocket::data::Data;
use rocket::http::ContentType;
use rocket::response::status::Created;
use rocket::serde::json::Json;
use rocket::{State, get, patch, post, put};
use serde::{Deserialize, Serialize};

use super::model::{DocType, Document, PrintRight, Status};
use super::service::drafts::{self, ATTACHMENT_MAX_BYTES, DocInput};
use super::service::lists::{self, Filter, Folder, Page};
use super::service::numbering::{self, Numbering, RuleInput};
use super::service::receipts::{self, ReceiptSummary};
use super::service::{Rights, load};
use super::store as ds;
use crate::App;
use crate::auth::Actor;
use crate::error::{Error, Result};
use crate::web::download::Download;

/// A document as the API shows it, with the caller's `permissions`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DocumentView {
    pub id: u64,
    pub direction: String,
    pub doc_type: String,
    pub title: String,
    pub classification: String,
    pub urgency: String,
    pub issuing_unit_id: u64,
    pub issuer_id: Option<u64>,
    pub doc_number: Option<String>,
    pub to_units: Vec<u64>,
    pub to_users: Vec<u64>,
    pub cc_units: Vec<u64>,
    pub cc_users: Vec<u64>,
    pub body_html: String,
    pub attachments: Vec<AttachmentRef>,
    pub date_written: Option<String>,
    pub notes: String,
    pub printing_office: String,
    /// `"all"`, `"none"` or a list of user ids.
    #[schema(value_type = Value)]
    pub can_print: serde_json::Value,
    pub print_limit: Option<u32>,
    pub author_id: u64,
    pub status: String,
    pub workflow_instance_id: Option<u64>,
    pub source: String,
    pub received_date: Option<String>,
    pub created_at: String,
    pub submitted_at: Option<String>,
    pub published_at: Option<String>,
    pub revoked_at: Option<String>,
    pub revoke_reason: String,
    pub recipients: u32,
    pub permissions: Vec<&'static str>,
    /// The caller's own copy, when they are a recipient.
    pub read_at: Option<String>,
    pub acknowledged_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = DocumentAttachmentRef)]
pub struct AttachmentRef {
    pub id: u64,
    pub name: String,
    pub size: u64,
}

fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default()
}

pub fn view(
    app: &App,
    doc: &Document,
    rights: Rights,
    receipt: Option<&super::model::Receipt>,
) -> Result<DocumentView> {
    let attachments = app.store().read(|tx| {
        let mut out = Vec::new();
        for id in &doc.attachments {
            if let Some(a) = ds::attachment(tx, *id)? {
                out.push(AttachmentRef {
                    id: a.id,
                    name: a.name,
                    size: a.size,
                });
            }
        }
        Ok(out)
    })?;
    Ok(DocumentView {
        id: doc.id,
        direction: match doc.direction {
            super::model::Direction::Outgoing => "outgoing",
            super::model::Direction::Incoming => "incoming",
        }
        .into(),
        doc_type: doc.doc_type.code().into(),
        title: doc.title.clone(),
        classification: doc.classification.code().into(),
        urgency: doc.urgency.code().into(),
        issuing_unit_id: doc.issuing_unit_id,
        issuer_id: doc.issuer_id,
        doc_number: doc.doc_number.clone(),
        to_units: doc.to_units.clone(),
        to_users: doc.to_users.clone(),
        cc_units: doc.cc_units.clone(),
        cc_users: doc.cc_users.clone(),
        body_html: doc.body_html.clone(),
        attachments,
        date_written: doc.date_written.map(|d| d.to_string()),
        notes: doc.notes.clone(),
        printing_office: doc.printing_office.clone(),
        can_print: match &doc.can_print {
            PrintRight::All => "all".into(),
            PrintRight::None => "none".into(),
            PrintRight::Users(ids) => serde_json::json!(ids),
        },
        print_limit: doc.print_limit,
        author_id: doc.author_id,
        status: doc.status.code().into(),
        workflow_instance_id: doc.instance_id,
        source: doc.source.clone(),
        received_date: doc.received_date.map(|d| d.to_string()),
        created_at: rfc3339(doc.created_ms),
        submitted_at: doc.submitted_ms.map(rfc3339),
        published_at: doc.published_ms.map(rfc3339),
        revoked_at: doc.revoked_ms.map(rfc3339),
        revoke_reason: doc.revoke_reason.clone(),
        recipients: doc.recipients,
        permissions: rights.names(),
        read_at: receipt.and_then(|r| r.read_ms).map(rfc3339),
        acknowledged_at: receipt.and_then(|r| r.acknowledged_ms).map(rfc3339),
    })
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IdOnly {
    pub id: u64,
}

/// Creates a draft (only its author sees it until it is submitted).
#[utoipa::path(post, path = "/api/v1/documents", tag = "documents", request_body = DocInput,
    responses((status = 201, body = IdOnly), (status = 400), (status = 403)))]
#[post("/api/v1/documents", data = "<body>")]
pub async fn create(
    app: &State<App>,
    actor: Actor,
    body: Json<DocInput>,
) -> Result<Created<Json<IdOnly>>> {
    let input = body.into_inner();
    let doc = app
        .run(move |app| drafts::create(app, &actor, input))
        .await?;
    Ok(Created::new(format!("/api/v1/documents/{}", doc.id)).body(Json(IdOnly { id: doc.id })))
}

/// Changes a draft or a returned document (its author; 409 while in review or once published).
#[utoipa::path(patch, path = "/api/v1/documents/{id}", tag = "documents", request_body = DocInput,
    responses((status = 200, body = DocumentView), (status = 400), (status = 404), (status = 409)))]
#[patch("/api/v1/documents/<id>", data = "<body>")]
pub async fn update(
    app: &State<App>,
    actor: Actor,
    id: u64,
    body: Json<DocInput>,
) -> Result<Json<DocumentView>> {
    let input = body.into_inner();
    Ok(Json(
        app.run(move |app| {
            drafts::update(app, &actor, id, input)?;
            let (doc, rights, receipt) = app.store().read(|tx| load(tx, &actor, id))?;
            view(app, &doc, rights, receipt.as_ref())
        })
        .await?,
    ))
}

/// One document (404 for anyone who may not open it); a recipient's first view is their read.
#[utoipa::path(get, path = "/api/v1/documents/{id}", tag = "documents",
    responses((status = 200, body = DocumentView), (status = 404)))]
#[get("/api/v1/documents/<id>", rank = 2)]
pub async fn get_one(app: &State<App>, actor: Actor, id: u64) -> Result<Json<DocumentView>> {
    Ok(Json(
        app.run(move |app| {
            let (doc, rights, receipt) = receipts::open(app, &actor, id)?;
            view(app, &doc, rights, receipt.as_ref())
        })
        .await?,
    ))
}

/// Sends the document for approval (a returned one is resubmitted).
#[utoipa::path(post, path = "/api/v1/documents/{id}/submit", tag = "documents",
    responses((status = 200, body = DocumentView), (status = 400),
              (status = 403, description = "not the draft's author"), (status = 404), (status = 409)))]
#[post("/api/v1/documents/<id>/submit")]
pub async fn submit(app: &State<App>, actor: Actor, id: u64) -> Result<Json<DocumentView>> {
    Ok(Json(
        app.run(move |app| {
            drafts::submit(app, &actor, id)?;
            let (doc, rights, receipt) = app.store().read(|tx| load(tx, &actor, id))?;
            view(app, &doc, rights, receipt.as_ref())
        })
        .await?,
    ))
}

/// 签收: the recipient confirms receipt (idempotent).
#[utoipa::path(post, path = "/api/v1/documents/{id}/acknowledge", tag = "documents",
    responses((status = 200, body = DocumentView), (status = 404), (status = 409)))]
#[post("/api/v1/documents/<id>/acknowledge")]
pub async fn acknowledge(app: &State<App>, actor: Actor, id: u64) -> Result<Json<DocumentView>> {
    Ok(Json(
        app.run(move |app| {
            receipts::acknowledge(app, &actor, id)?;
            let (doc, rights, receipt) = app.store().read(|tx| load(tx, &actor, id))?;
            view(app, &doc, rights, receipt.as_ref())
        })
        .await?,
    ))
}

/// Who received, read and acknowledged (the drafter and the issuing unit's clerks).
#[utoipa::path(get, path = "/api/v1/documents/{id}/receipts", tag = "documents",
    responses((status = 200, body = ReceiptSummary), (status = 403), (status = 404)))]
#[get("/api/v1/documents/<id>/receipts", rank = 3)]
pub async fn receipts_list(
    app: &State<App>,
    actor: Actor,
    id: u64,
) -> Result<Json<ReceiptSummary>> {
    Ok(Json(
        app.run(move |app| receipts::receipts(app, &actor, id).map(|(_, s)| s))
            .await?,
    ))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Reminded {
    pub reminded: usize,
}

/// Reminds every recipient who has not acknowledged yet.
#[utoipa::path(post, path = "/api/v1/documents/{id}/remind", tag = "documents",
    responses((status = 200, body = Reminded), (status = 403), (status = 404), (status = 409)))]
#[post("/api/v1/documents/<id>/remind")]
pub async fn remind(app: &State<App>, actor: Actor, id: u64) -> Result<Json<Reminded>> {
    let n = app
        .run(move |app| receipts::remind(app, &actor, id))
        .await?;
    Ok(Json(Reminded { reminded: n }))
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    pub reason: String,
}

/// Revokes a published document (a clerk of the issuing unit), with a reason.
#[utoipa::path(post, path = "/api/v1/documents/{id}/revoke", tag = "documents", request_body = Reason,
    responses((status = 200, body = DocumentView), (status = 400), (status = 403), (status = 404),
              (status = 409, description = "not published (e.g. revoked already)")))]
#[post("/api/v1/documents/<id>/revoke", data = "<body>")]
pub async fn revoke(
    app: &State<App>,
    actor: Actor,
    id: u64,
    body: Json<Reason>,
) -> Result<Json<DocumentView>> {
    let reason = body.into_inner().reason;
    Ok(Json(
        app.run(move |app| {
            receipts::revoke(app, &actor, id, &reason)?;
            let (doc, rights, receipt) = app.store().read(|tx| load(tx, &actor, id))?;
            view(app, &doc, rights, receipt.as_ref())
        })
        .await?,
    ))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PrintView {
    pub copy_no: u32,
    /// Six digits, as printed (份号).
    pub copy_label: String,
}

/// Records one printed copy and returns its copy number (403 without the print right, 409
/// when the reader's copies are used up).
#[utoipa::path(post, path = "/api/v1/documents/{id}/prints", tag = "documents",
    responses((status = 200, body = PrintView), (status = 403), (status = 404), (status = 409)))]
#[post("/api/v1/documents/<id>/prints")]
pub async fn print(app: &State<App>, actor: Actor, id: u64) -> Result<Json<PrintView>> {
    let (_, p) = app.run(move |app| receipts::print(app, &actor, id)).await?;
    Ok(Json(PrintView {
        copy_no: p.copy_no,
        copy_label: format!("{:06}", p.copy_no),
    }))
}

#[derive(Debug, Clone, rocket::FromForm)]
pub struct ListQuery {
    #[field(name = "box")]
    pub which: Option<String>,
    pub unit_id: Option<u64>,
    pub year: Option<i32>,
    pub doc_type: Option<String>,
    pub status: Option<String>,
    pub limit: Option<usize>,
    pub cursor: Option<String>,
}

impl ListQuery {
    pub fn parse(&self) -> Result<(Folder, Filter)> {
        let which = match self.which.as_deref() {
            None | Some("") => Folder::Inbox,
            Some(b) => Folder::parse(b).ok_or_else(|| Error::field("box", "error.invalid"))?,
        };
        let doc_type = match self.doc_type.as_deref() {
            None | Some("") => None,
            Some(t) => {
                Some(DocType::parse(t).ok_or_else(|| Error::field("doc_type", "error.invalid"))?)
            }
        };
        let status = match self.status.as_deref() {
            None | Some("") => None,
            Some(s) => Some(
                [
                    Status::Draft,
                    Status::InReview,
                    Status::Returned,
                    Status::Published,
                    Status::Revoked,
                ]
                .into_iter()
                .find(|x| x.code() == s)
                .ok_or_else(|| Error::field("status", "error.invalid"))?,
            ),
        };
        Ok((
            which,
            Filter {
                unit_id: self.unit_id,
                year: self.year,
                doc_type,
                status,
                limit: self.limit.unwrap_or(20),
                cursor: self.cursor.clone().filter(|c| !c.is_empty()),
            },
        ))
    }
}

/// A box: `inbox` (收文, unread first), `unacknowledged` (待签收), `sent` (发文: mine, or a
/// unit's with `unit_id` for its clerks), `archive` (published, by `year`, `doc_type`, unit).
#[utoipa::path(get, path = "/api/v1/documents", tag = "documents",
    params(("box" = Option<String>, Query, description = "inbox|unacknowledged|sent|archive"),
        ("unit_id" = Option<u64>, Query), ("year" = Option<i32>, Query),
        ("doc_type" = Option<String>, Query), ("status" = Option<String>, Query),
        ("limit" = Option<usize>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = Page), (status = 400), (status = 403)))]
#[get("/api/v1/documents?<q..>")]
pub async fn list(app: &State<App>, actor: Actor, q: ListQuery) -> Result<Json<Page>> {
    let (which, filter) = q.parse()?;
    Ok(Json(
        app.run(move |app| lists::list(app, &actor, which, &filter))
            .await?,
    ))
}

/// Uploads a file (the request body; `name` in the query) to attach to a document.
#[utoipa::path(post, path = "/api/v1/documents/attachments", tag = "documents",
    params(("name" = String, Query, description = "the file's name")),
    request_body(content = Vec<u8>, description = "the file", content_type = "application/octet-stream"),
    responses((status = 201, body = AttachmentRef), (status = 400), (status = 413)))]
#[post("/api/v1/documents/attachments?<name>", data = "<data>")]
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
        .run(move |app| drafts::upload(app, &actor, &name, &ct, &body[..]))
        .await?;
    Ok(
        Created::new(format!("/api/v1/documents/attachments/{}", a.id)).body(Json(AttachmentRef {
            id: a.id,
            name: a.name,
            size: a.size,
        })),
    )
}

/// Downloads an attachment (whoever may open its document; else 404). Audited.
#[utoipa::path(get, path = "/api/v1/documents/attachments/{id}", tag = "documents",
    responses((status = 200, description = "the file"), (status = 404)))]
#[get("/api/v1/documents/attachments/<id>")]
pub async fn download(app: &State<App>, actor: Actor, id: u64) -> Result<Download> {
    let a = app
        .run(move |app| drafts::attachment(app, &actor, id))
        .await?;
    Download::open(app, &a.sha256, &a.name, &a.content_type, a.size).await
}

/// An issuing unit's numbering: rule, this year's numbers, reservations (its clerks).
#[utoipa::path(get, path = "/api/v1/documents/numbering/{unit_id}", tag = "documents",
    params(("year" = Option<i32>, Query)),
    responses((status = 200, body = Numbering), (status = 403), (status = 404)))]
#[get("/api/v1/documents/numbering/<unit_id>?<year>")]
pub async fn numbering_show(
    app: &State<App>,
    actor: Actor,
    unit_id: u64,
    year: Option<i32>,
) -> Result<Json<Numbering>> {
    Ok(Json(
        app.run(move |app| numbering::show(app, &actor, unit_id, year))
            .await?,
    ))
}

/// Sets the unit's 机关代字 and number format.
#[utoipa::path(put, path = "/api/v1/documents/numbering/{unit_id}", tag = "documents",
    request_body = RuleInput,
    responses((status = 200, body = Numbering), (status = 400), (status = 403)))]
#[put("/api/v1/documents/numbering/<unit_id>", data = "<body>")]
pub async fn numbering_set(
    app: &State<App>,
    actor: Actor,
    unit_id: u64,
    body: Json<RuleInput>,
) -> Result<Json<Numbering>> {
    let input = body.into_inner();
    Ok(Json(
        app.run(move |app| {
            numbering::set_rule(app, &actor, unit_id, &input)?;
            numbering::show(app, &actor, unit_id, None)
        })
        .await?,
    ))
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReserveInput {
    pub count: u32,
    pub reason: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Reserved {
    pub id: u64,
    pub numbers: Vec<String>,
}

/// Reserves numbers of this year's sequence for paper documents (never handed out again).
#[utoipa::path(post, path = "/api/v1/documents/numbering/{unit_id}/reserve", tag = "documents",
    request_body = ReserveInput,
    responses((status = 201, body = Reserved), (status = 400), (status = 403)))]
#[post("/api/v1/documents/numbering/<unit_id>/reserve", data = "<body>")]
pub async fn numbering_reserve(
    app: &State<App>,
    actor: Actor,
    unit_id: u64,
    body: Json<ReserveInput>,
) -> Result<Created<Json<Reserved>>> {
    let input = body.into_inner();
    let (r, numbers) = app
        .run(move |app| numbering::reserve(app, &actor, unit_id, input.count, &input.reason))
        .await?;
    Ok(
        Created::new(format!("/api/v1/documents/numbering/{unit_id}"))
            .body(Json(Reserved { id: r.id, numbers })),
    )
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        create,
        update,
        get_one,
        submit,
        acknowledge,
        receipts_list,
        remind,
        revoke,
        print,
        list,
        upload,
        download,
        numbering_show,
        numbering_set,
        numbering_reserve,
    ]
}
