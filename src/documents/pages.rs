//! 公文管理 pages: the boxes (收文, 待签收, 发文, 归档), a document with its actions, the print
//! view, the receipts; drafting in `pages/editor.rs`, numbering in `pages/numbering.rs`.

pub mod editor;
pub mod numbering;

use askama::Template;
use askama_web::WebTemplate;
use rocket::response::Redirect;
use rocket::{FromForm, State, get, post};

use super::api::{DocumentView, view};
use super::model::{DocType, Document, Print, Receipt};
use super::service::lists::{self, Filter, Folder, Item};
use super::service::receipts::{self, ReceiptSummary};
use super::service::{Rights, drafts};
use crate::App;
use crate::auth::Actor;
use crate::auth::guards::CsrfForm;
use crate::error::{Error, Result};
use crate::web::download::Download;
use crate::web::page::Base;

/// Local time as shown on the pages.
pub fn local(app: &App, ms: i64) -> String {
    use chrono::TimeZone;
    app.tz()
        .timestamp_millis_opt(ms)
        .single()
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

/// 成文日期 as GB/T 9704 writes it: 2026年11月30日 (month and day not padded).
pub fn written_date(app: &App, doc: &Document) -> String {
    use chrono::{Datelike, TimeZone};
    let d = doc.date_written.or_else(|| {
        doc.published_ms
            .and_then(|ms| app.tz().timestamp_millis_opt(ms).single())
            .map(|t| t.date_naive())
    });
    d.map(|d| format!("{}年{}月{}日", d.year(), d.month(), d.day()))
        .unwrap_or_default()
}

pub struct Row {
    pub item: Item,
    pub when: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "documents/list.html")]
pub struct ListPage {
    pub base: Base,
    pub folder: &'static str,
    pub rows: Vec<Row>,
    pub next: Option<String>,
    pub unread: usize,
    pub year: String,
    pub doc_type: String,
    pub types: Vec<(&'static str, &'static str)>,
    pub clerk_unit: Option<u64>,
}

impl ListPage {
    pub fn tab_class(&self, which: &str) -> &'static str {
        if self.folder == which {
            "tab active"
        } else {
            "tab"
        }
    }
    pub fn type_name(&self, code: &str) -> &'static str {
        DocType::parse(code).map_or("", |t| t.zh())
    }
    pub fn status_key(&self, code: &str) -> String {
        format!("documents.status.{code}")
    }
}

/// The enterprise a clerk keeps documents for (their first grant), for the clerk's links.
pub fn clerk_unit(actor: &Actor) -> Option<u64> {
    actor
        .grants
        .iter()
        .find(|(r, _)| r == "document_clerk" || r == "group_admin")
        .map(|(_, u)| *u)
}

#[derive(Debug, FromForm)]
pub struct ListParams {
    #[field(name = "box")]
    pub which: Option<String>,
    pub year: Option<String>,
    pub doc_type: Option<String>,
    pub cursor: Option<String>,
}

#[get("/documents?<q..>")]
pub async fn list(app: &State<App>, base: Base, actor: Actor, q: ListParams) -> Result<ListPage> {
    let base = base.with_user(&actor, "documents");
    let folder = q
        .which
        .as_deref()
        .and_then(Folder::parse)
        .unwrap_or(Folder::Inbox);
    let year_text = q.year.clone().unwrap_or_default();
    let type_text = q.doc_type.clone().unwrap_or_default();
    let filter = Filter {
        unit_id: None,
        year: year_text.trim().parse().ok(),
        doc_type: DocType::parse(&type_text),
        status: None,
        limit: 20,
        cursor: q.cursor.clone().filter(|c| !c.is_empty()),
    };
    let a = actor.clone();
    let (page, unread) = app
        .run(move |app| {
            Ok((
                lists::list(app, &a, folder, &filter)?,
                lists::unread(app, &a)?,
            ))
        })
        .await?;
    let rows = page
        .items
        .into_iter()
        .map(|item| Row {
            when: local(app, item.published_ms.unwrap_or(item.updated_ms)),
            item,
        })
        .collect();
    Ok(ListPage {
        base,
        folder: folder.as_str(),
        rows,
        next: page.next_cursor,
        unread,
        year: year_text,
        doc_type: type_text,
        types: DocType::ALL.iter().map(|t| (t.code(), t.zh())).collect(),
        clerk_unit: clerk_unit(&actor),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "documents/view.html")]
pub struct ViewPage {
    pub base: Base,
    pub d: DocumentView,
    pub rights: Rights,
    pub unit_name: String,
    pub to_line: String,
    pub cc_line: String,
    pub issuer: String,
    pub written: String,
    pub published: String,
    pub watermark: String,
    pub type_name: &'static str,
    pub done: String,
    pub error: String,
    /// The reader's own read and acknowledgement times, local.
    pub read_local: String,
    pub ack_local: String,
}

impl ViewPage {
    pub fn status_key(&self) -> String {
        format!("documents.status.{}", self.d.status)
    }
    pub fn done_key(&self) -> String {
        format!("documents.done.{}", self.done)
    }
    pub fn error_key(&self) -> String {
        format!("error.{}", self.error)
    }
    pub fn urgency_key(&self) -> String {
        format!("documents.urgency.{}", self.d.urgency)
    }
    pub fn class_key(&self) -> String {
        format!("documents.class.{}", self.d.classification)
    }
    /// The watermark repeated to fill the page (a grid of spans, no inline style).
    pub fn marks(&self) -> Vec<&str> {
        vec![self.watermark.as_str(); 24]
    }
}

/// Names of units and people, joined with 、 as GB/T 9704 lists recipients.
fn names(app: &App, units: &[u64], users: &[u64]) -> Result<String> {
    let dir = app.directory()?;
    let mut out: Vec<String> = units
        .iter()
        .filter_map(|u| dir.unit(*u).map(|u| u.name.clone()))
        .collect();
    out.extend(
        users
            .iter()
            .filter_map(|u| dir.person(*u).map(|p| p.name.clone())),
    );
    Ok(out.join("、"))
}

pub fn watermark(app: &App, actor: &Actor) -> String {
    format!(
        "{} {} {}",
        actor.name,
        actor.login,
        local(app, app.now_ms())
    )
}

struct Shown {
    doc: Document,
    v: DocumentView,
    rights: Rights,
    unit_name: String,
    to_line: String,
    cc_line: String,
    issuer: String,
}

fn shown(app: &App, doc: Document, rights: Rights, receipt: Option<&Receipt>) -> Result<Shown> {
    let v = view(app, &doc, rights, receipt)?;
    let dir = app.directory()?;
    Ok(Shown {
        unit_name: dir
            .unit(doc.issuing_unit_id)
            .map(|u| u.name.clone())
            .unwrap_or_default(),
        to_line: names(app, &doc.to_units, &doc.to_users)?,
        cc_line: names(app, &doc.cc_units, &doc.cc_users)?,
        issuer: doc
            .issuer_id
            .and_then(|i| dir.person(i).map(|p| p.name.clone()))
            .unwrap_or_default(),
        doc,
        v,
        rights,
    })
}

#[get("/documents/<id>?<done>&<error>", rank = 2)]
pub async fn show(
    app: &State<App>,
    base: Base,
    actor: Actor,
    id: u64,
    done: Option<String>,
    error: Option<String>,
) -> Result<ViewPage> {
    let base = base.with_user(&actor, "documents");
    let a = actor.clone();
    let (s, receipt) = app
        .run(move |app| {
            let (doc, rights, receipt) = receipts::open(app, &a, id)?;
            Ok((shown(app, doc, rights, receipt.as_ref())?, receipt))
        })
        .await?;
    let t = |m: Option<i64>| m.map(|m| local(app, m)).unwrap_or_default();
    Ok(ViewPage {
        read_local: t(receipt.as_ref().and_then(|r| r.read_ms)),
        ack_local: t(receipt.as_ref().and_then(|r| r.acknowledged_ms)),
        base,
        written: written_date(app, &s.doc),
        published: s
            .doc
            .published_ms
            .map(|m| local(app, m))
            .unwrap_or_default(),
        watermark: watermark(app, &actor),
        type_name: s.doc.doc_type.zh(),
        d: s.v,
        rights: s.rights,
        unit_name: s.unit_name,
        to_line: s.to_line,
        cc_line: s.cc_line,
        issuer: s.issuer,
        done: done.unwrap_or_default(),
        error: error.unwrap_or_default(),
    })
}

#[derive(Debug, FromForm)]
pub struct ActionForm {
    #[field(default = String::new())]
    pub reason: String,
}

/// The buttons of the document page: submit, acknowledge, remind, revoke. A refusal comes back
/// on the page as its localized message.
#[post("/documents/<id>/<action>", data = "<form>", rank = 3)]
pub async fn act(
    app: &State<App>,
    actor: Actor,
    id: u64,
    action: &str,
    form: CsrfForm<ActionForm>,
) -> Result<Redirect> {
    let action = action.to_string();
    let reason = form.0.reason;
    let a = actor.clone();
    let what = action.clone();
    let r = app
        .run(move |app| match what.as_str() {
            "submit" => drafts::submit(app, &a, id).map(|_| ()),
            "acknowledge" => receipts::acknowledge(app, &a, id).map(|_| ()),
            "remind" => receipts::remind(app, &a, id).map(|_| ()),
            "revoke" => receipts::revoke(app, &a, id, &reason).map(|_| ()),
            _ => Err(Error::NotFound),
        })
        .await;
    match r {
        Ok(()) => Ok(Redirect::to(format!("/documents/{id}?done={action}"))),
        Err(Error::NotFound) => Err(Error::NotFound),
        // Missing parts are shown beside their fields in the editor.
        Err(Error::Validation(_)) if action == "submit" => {
            Ok(Redirect::to(format!("/documents/{id}/edit?incomplete=1")))
        }
        Err(e @ (Error::Forbidden(_) | Error::Conflict(_) | Error::Validation(_))) => Ok(
            Redirect::to(format!("/documents/{id}?error={}", e.code().as_str())),
        ),
        Err(e) => Err(e),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "documents/print.html")]
pub struct PrintPage {
    pub base: Base,
    pub d: DocumentView,
    pub unit_name: String,
    pub to_line: String,
    pub cc_line: String,
    pub issuer: String,
    pub written: String,
    pub printing_office: String,
    pub printing_date: String,
    pub watermark: String,
    pub type_name: &'static str,
    /// The copy number just taken (份号), when this render is a print.
    pub copy: Option<String>,
    pub my_prints: Vec<Print>,
    pub limit_left: Option<u32>,
}

impl PrintPage {
    pub fn marks(&self) -> Vec<&str> {
        vec![self.watermark.as_str(); 30]
    }
    pub fn urgency_zh(&self) -> &'static str {
        match self.d.urgency.as_str() {
            "urgent" => "加急",
            "very_urgent" => "特急",
            _ => "",
        }
    }
}

async fn print_page(
    app: &App,
    base: Base,
    actor: Actor,
    id: u64,
    copy: Option<u32>,
) -> Result<PrintPage> {
    let a = actor.clone();
    let (s, mine) = app
        .run(move |app| {
            let (_, prints) = receipts::printable(app, &a, id)?;
            let (doc, rights, receipt) = app.store().read(|tx| super::service::load(tx, &a, id))?;
            Ok((shown(app, doc, rights, receipt.as_ref())?, prints))
        })
        .await?;
    let limit_left = s
        .doc
        .print_limit
        .map(|l| l.saturating_sub(mine.len() as u32));
    let printing_date = written_date(app, &s.doc);
    Ok(PrintPage {
        base,
        written: written_date(app, &s.doc),
        printing_office: if s.doc.printing_office.is_empty() {
            s.unit_name.clone()
        } else {
            s.doc.printing_office.clone()
        },
        printing_date,
        watermark: watermark(app, &actor),
        type_name: s.doc.doc_type.zh(),
        copy: copy.map(|c| format!("{c:06}")),
        my_prints: mine,
        limit_left,
        d: s.v,
        unit_name: s.unit_name,
        to_line: s.to_line,
        cc_line: s.cc_line,
        issuer: s.issuer,
    })
}

/// The print view (GB/T 9704 layout, print CSS): only for those with the print right (403).
#[get("/documents/<id>/print", rank = 2)]
pub async fn print_view(app: &State<App>, base: Base, actor: Actor, id: u64) -> Result<PrintPage> {
    let base = base.with_user(&actor, "documents");
    print_page(app, base, actor, id, None).await
}

/// Takes the next copy number (audited, counted against the allowance) and renders that copy;
/// the page then opens the browser's print dialog.
#[post("/documents/<id>/print", data = "<form>", rank = 2)]
pub async fn print_copy(
    app: &State<App>,
    base: Base,
    actor: Actor,
    id: u64,
    form: CsrfForm<ActionForm>,
) -> Result<std::result::Result<PrintPage, Redirect>> {
    let _ = form;
    let base = base.with_user(&actor, "documents");
    let a = actor.clone();
    match app.run(move |app| receipts::print(app, &a, id)).await {
        Ok((_, p)) => Ok(Ok(print_page(app, base, actor, id, Some(p.copy_no)).await?)),
        Err(Error::Conflict(code)) => Ok(Err(Redirect::to(format!(
            "/documents/{id}?error={}",
            code.as_str()
        )))),
        Err(e) => Err(e),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "documents/receipts.html")]
pub struct ReceiptsPage {
    pub base: Base,
    pub id: u64,
    pub title: String,
    pub number: String,
    pub s: ReceiptSummary,
    pub times: Vec<(String, String, String)>,
}

#[get("/documents/<id>/receipts", rank = 2)]
pub async fn receipts_page(
    app: &State<App>,
    base: Base,
    actor: Actor,
    id: u64,
) -> Result<ReceiptsPage> {
    let base = base.with_user(&actor, "documents");
    let (doc, s) = app
        .run(move |app| receipts::receipts(app, &actor, id))
        .await?;
    let t = |m: Option<i64>| m.map(|m| local(app, m)).unwrap_or_default();
    let times = s
        .rows
        .iter()
        .map(|r| {
            (
                local(app, r.delivered_ms),
                t(r.read_ms),
                t(r.acknowledged_ms),
            )
        })
        .collect();
    Ok(ReceiptsPage {
        base,
        id,
        title: doc.title,
        number: doc.doc_number.unwrap_or_default(),
        s,
        times,
    })
}

/// A document's attachment for the page (same rule as the API: 404 to outsiders, audited).
#[get("/documents/attachments/<id>")]
pub async fn attachment(app: &State<App>, actor: Actor, id: u64) -> Result<Download> {
    let a = app
        .run(move |app| drafts::attachment(app, &actor, id))
        .await?;
    Download::open(app, &a.sha256, &a.name, &a.content_type, a.size).await
}

pub fn routes() -> Vec<rocket::Route> {
    let mut r = rocket::routes![
        list,
        show,
        act,
        print_view,
        print_copy,
        receipts_page,
        attachment
    ];
    r.extend(editor::routes());
    r.extend(numbering::routes());
    r
}
