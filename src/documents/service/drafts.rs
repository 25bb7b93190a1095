//! Drafting: a document is created as a draft (only its author sees it), edited while a draft
//! or returned, and submitted into its approval workflow. Incoming documents (收文登记) are
//! drafted by a clerk the same way and routed to a leader for instructions (批办).

use std::io::Read;

use redb::WriteTransaction;
use serde::Deserialize;

use super::super::model::{
    Classification, Direction, DocAttachment, DocType, Document, PrintRight, Status, Urgency,
};
use super::super::store as ds;
use super::rights;
use crate::App;
use crate::auth::{Actor, Permission};
use crate::error::{Code, Error, FieldErrors, Result};
use crate::input::{date, dedup, text};
use crate::org::store as org_store;
use crate::store::{self, Record};
use crate::web::richtext;
use crate::workflow::service::instances::{self, NewInstance};

pub const TITLE_MAX: usize = 200;
pub const ATTACHMENT_MAX_BYTES: u64 = 50 << 20;
const RECIPIENTS_MAX: usize = 500;

/// Who may print, as the API writes it: `"all"`, `"none"` or a list of user ids.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum PrintInput {
    Word(String),
    Users(Vec<u64>),
}

/// A new draft (all of it) or a change to one (only what is given).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocInput {
    /// `outgoing` (default) or `incoming` (收文登记, clerks only); only on create.
    pub direction: Option<String>,
    pub doc_type: Option<String>,
    pub title: Option<String>,
    pub body_html: Option<String>,
    /// `public` or `internal`; `secret`, `confidential` and `top_secret` are refused.
    pub classification: Option<String>,
    /// `normal`, `urgent` or `very_urgent`.
    pub urgency: Option<String>,
    pub issuing_unit_id: Option<u64>,
    pub issuer_id: Option<u64>,
    pub to_units: Option<Vec<u64>>,
    pub to_users: Option<Vec<u64>>,
    pub cc_units: Option<Vec<u64>>,
    pub cc_users: Option<Vec<u64>>,
    pub can_print: Option<PrintInput>,
    /// Copies each recipient may print; 0 for no limit.
    pub print_limit: Option<u32>,
    pub attachments: Option<Vec<u64>>,
    /// `YYYY-MM-DD`, or empty for the publication date.
    pub date_written: Option<String>,
    pub notes: Option<String>,
    pub printing_office: Option<String>,
    /// Incoming: the sender's number, the sender, the date received.
    pub doc_number: Option<String>,
    pub source: Option<String>,
    pub received_date: Option<String>,
}

/// Applies `input` to `doc`, checking each value against the store; errors field by field.
fn apply(
    tx: &WriteTransaction,
    actor: &Actor,
    doc: &mut Document,
    input: &DocInput,
    fields: &mut FieldErrors,
) -> Result<()> {
    if let Some(t) = &input.doc_type {
        match DocType::parse(t) {
            Some(t) => doc.doc_type = t,
            None => {
                fields.insert("doc_type".into(), "error.invalid".into());
            }
        }
    }
    if let Some(t) = &input.title {
        doc.title = text(fields, "title", t, TITLE_MAX);
    }
    if let Some(c) = &input.classification {
        let parsed = match c.as_str() {
            "public" => Some(Classification::Public),
            "internal" => Some(Classification::Internal),
            "secret" => Some(Classification::Secret),
            "confidential" => Some(Classification::Confidential),
            "top_secret" => Some(Classification::TopSecret),
            _ => None,
        };
        match parsed {
            Some(c) if c.allowed() => doc.classification = c,
            Some(_) => {
                fields.insert("classification".into(), "error.documents.classified".into());
            }
            None => {
                fields.insert("classification".into(), "error.invalid".into());
            }
        }
    }
    if let Some(u) = &input.urgency {
        match u.as_str() {
            "normal" => doc.urgency = Urgency::Normal,
            "urgent" => doc.urgency = Urgency::Urgent,
            "very_urgent" => doc.urgency = Urgency::VeryUrgent,
            _ => {
                fields.insert("urgency".into(), "error.invalid".into());
            }
        }
    }
    if let Some(b) = &input.body_html {
        match richtext::clean("body_html", b) {
            Ok(clean) => doc.body_html = clean,
            Err(Error::Validation(f)) => fields.extend(f),
            Err(e) => return Err(e),
        }
    }
    if let Some(u) = input.issuing_unit_id {
        let exists = org_store::unit_by_id_w(tx, u)?.is_some();
        // A drafter issues for a unit they belong to; a clerk for any unit in their reach.
        let reach =
            actor.tree.is_within(actor.unit_id, u) || actor.can(Permission::ManageDocuments, u);
        if exists && reach {
            doc.issuing_unit_id = u;
        } else {
            fields.insert(
                "issuing_unit_id".into(),
                "error.documents.issuing_unit".into(),
            );
        }
    }
    if let Some(u) = input.issuer_id {
        if org_store::user_by_id_w(tx, u)?
            .is_some_and(|u| u.status == crate::org::model::UserStatus::Active)
        {
            doc.issuer_id = Some(u);
        } else {
            fields.insert("issuer_id".into(), "error.workflow.user".into());
        }
    }
    for (name, given, slot) in [
        ("to_units", &input.to_units, &mut doc.to_units),
        ("cc_units", &input.cc_units, &mut doc.cc_units),
    ] {
        if let Some(ids) = given {
            let mut ok = ids.len() <= RECIPIENTS_MAX;
            for id in ids {
                ok &= org_store::unit_by_id_w(tx, *id)?.is_some();
            }
            if ok {
                *slot = dedup(ids);
            } else {
                fields.insert(name.into(), "error.documents.unit".into());
            }
        }
    }
    for (name, given, slot) in [
        ("to_users", &input.to_users, &mut doc.to_users),
        ("cc_users", &input.cc_users, &mut doc.cc_users),
    ] {
        if let Some(ids) = given {
            let mut ok = ids.len() <= RECIPIENTS_MAX;
            for id in ids {
                ok &= org_store::user_by_id_w(tx, *id)?.is_some();
            }
            if ok {
                *slot = dedup(ids);
            } else {
                fields.insert(name.into(), "error.workflow.user".into());
            }
        }
    }
    match &input.can_print {
        None => {}
        Some(PrintInput::Word(w)) if w == "all" => doc.can_print = PrintRight::All,
        Some(PrintInput::Word(w)) if w == "none" => doc.can_print = PrintRight::None,
        Some(PrintInput::Word(_)) => {
            fields.insert("can_print".into(), "error.invalid".into());
        }
        Some(PrintInput::Users(ids)) => {
            let mut ok = ids.len() <= RECIPIENTS_MAX;
            for id in ids {
                ok &= org_store::user_by_id_w(tx, *id)?.is_some();
            }
            if ok {
                doc.can_print = PrintRight::Users(dedup(ids));
            } else {
                fields.insert("can_print".into(), "error.workflow.user".into());
            }
        }
    }
    if let Some(n) = input.print_limit {
        doc.print_limit = (n > 0).then_some(n.min(999));
    }
    if let Some(ids) = &input.attachments {
        let mut ok = ids.len() <= 50;
        for id in ids {
            ok &= ds::attachment_w(tx, *id)?.is_some_and(|a| {
                a.document_id == Some(doc.id)
                    || (a.document_id.is_none() && a.uploader == actor.user_id)
            });
        }
        if ok {
            doc.attachments = dedup(ids);
        } else {
            fields.insert("attachments".into(), "error.invalid".into());
        }
    }
    if let Some(d) = &input.date_written {
        doc.date_written = date(fields, "date_written", d);
    }
    if let Some(n) = &input.notes {
        doc.notes = text(fields, "notes", n, 500);
    }
    if let Some(p) = &input.printing_office {
        doc.printing_office = text(fields, "printing_office", p, 100);
    }
    if doc.direction == Direction::Incoming {
        if let Some(n) = &input.doc_number {
            let n = text(fields, "doc_number", n, 100);
            doc.doc_number = (!n.is_empty()).then_some(n);
        }
        if let Some(s) = &input.source {
            doc.source = text(fields, "source", s, 200);
        }
        if let Some(d) = &input.received_date {
            doc.received_date = date(fields, "received_date", d);
        }
    }
    Ok(())
}

/// Files named by the document now belong to it.
fn claim(tx: &WriteTransaction, doc: &Document) -> Result<()> {
    for id in &doc.attachments {
        if let Some(mut a) = ds::attachment_w(tx, *id)?
            && a.document_id.is_none()
        {
            a.document_id = Some(doc.id);
            ds::put_attachment(tx, &a)?;
        }
    }
    Ok(())
}

/// A new draft. Outgoing documents are issued by the drafter's enterprise unless they say
/// otherwise; incoming ones are registered by a clerk.
pub fn create(app: &App, actor: &Actor, input: DocInput) -> Result<Document> {
    crate::org::admin::require_person(actor)?;
    let direction = match input.direction.as_deref() {
        None | Some("outgoing") => Direction::Outgoing,
        Some("incoming") => Direction::Incoming,
        Some(_) => return Err(Error::field("direction", "error.invalid")),
    };
    if input.doc_type.is_none() && direction == Direction::Outgoing {
        return Err(Error::field("doc_type", "error.required"));
    }
    let now = app.now_ms();
    let home = actor
        .tree
        .enterprise_of(actor.unit_id)
        .unwrap_or(actor.unit_id);
    if direction == Direction::Incoming && !actor.can(Permission::ManageDocuments, home) {
        return Err(Error::Forbidden(Code::Forbidden));
    }
    app.store().write(|tx| {
        let mut fields = FieldErrors::new();
        let mut doc = Document::draft(actor.user_id, home, direction, now);
        apply(tx, actor, &mut doc, &input, &mut fields)?;
        if doc.title.is_empty() {
            fields.insert("title".into(), "error.required".into());
        }
        if !fields.is_empty() {
            return Err(Error::Validation(fields));
        }
        doc.id = store::next_id(tx, Document::KIND)?;
        claim(tx, &doc)?;
        ds::put_document(tx, None, &doc)?;
        Ok(doc)
    })
}

/// Changes a draft or a returned document (its author only; 409 once it is under review).
pub fn update(app: &App, actor: &Actor, id: u64, input: DocInput) -> Result<Document> {
    crate::org::admin::require_person(actor)?;
    if input.direction.is_some() {
        return Err(Error::field("direction", "error.invalid"));
    }
    let now = app.now_ms();
    app.store().write(|tx| {
        let old = ds::document_w(tx, id)?.ok_or(Error::NotFound)?;
        editable(actor, &old)?;
        let mut doc = old.clone();
        let mut fields = FieldErrors::new();
        apply(tx, actor, &mut doc, &input, &mut fields)?;
        if doc.title.is_empty() {
            fields.insert("title".into(), "error.required".into());
        }
        if !fields.is_empty() {
            return Err(Error::Validation(fields));
        }
        doc.updated_ms = now;
        claim(tx, &doc)?;
        ds::put_document(tx, Some(&old), &doc)?;
        Ok(doc)
    })
}

/// 404 unless the caller may see it; 403 unless they wrote it; 409 unless it is editable.
fn editable(actor: &Actor, doc: &Document) -> Result<()> {
    if doc.author_id != actor.user_id {
        return Err(if doc.status == Status::Draft {
            Error::NotFound
        } else {
            Error::Forbidden(Code::Forbidden)
        });
    }
    if !doc.status.editable() {
        return Err(Error::Conflict(Code::Conflict));
    }
    Ok(())
}

/// What must be there before a document goes for approval, field by field.
pub fn complete(doc: &Document) -> FieldErrors {
    let mut f = FieldErrors::new();
    if doc.title.is_empty() {
        f.insert("title".into(), "error.required".into());
    }
    if doc.to_units.is_empty() && doc.to_users.is_empty() {
        f.insert("to_units".into(), "error.documents.no_recipients".into());
    }
    if doc.issuer_id.is_none() {
        f.insert("issuer_id".into(), "error.required".into());
    }
    if doc.body_html.trim().is_empty() && doc.attachments.is_empty() {
        f.insert("body_html".into(), "error.required".into());
    }
    f
}

/// The approval template for a document: `document_<type>` when an administrator made one,
/// else `document` (`document_incoming` for 收文).
fn template_key(app: &App, doc: &Document) -> String {
    if doc.direction == Direction::Incoming {
        return "document_incoming".into();
    }
    let special = format!("document_{}", doc.doc_type.code());
    let exists = app
        .store()
        .read(|tx| crate::workflow::store::current_id(tx, &special))
        .ok()
        .flatten()
        .is_some();
    if exists { special } else { "document".into() }
}

/// Sends a draft (or a returned document) for approval: a returned approval is resubmitted,
/// otherwise a new one starts. The workflow's subject handler marks the document in review in
/// the same transaction.
pub fn submit(app: &App, actor: &Actor, id: u64) -> Result<Document> {
    crate::org::admin::require_person(actor)?;
    let (doc, returned_instance) = app.store().read(|tx| {
        let doc = ds::document(tx, id)?.ok_or(Error::NotFound)?;
        let r = rights(tx, actor, &doc)?.ok_or(Error::NotFound)?;
        if !r.submit {
            return Err(if doc.author_id == actor.user_id {
                Error::Conflict(Code::Conflict)
            } else {
                Error::Forbidden(Code::Forbidden)
            });
        }
        let returned = match doc.instance_id {
            Some(i) => crate::workflow::store::instance(tx, i)?
                .filter(|inst| inst.status == crate::workflow::model::instance::Status::Returned),
            None => None,
        };
        Ok((doc, returned.map(|i| i.id)))
    })?;
    let missing = complete(&doc);
    if !missing.is_empty() {
        return Err(Error::Validation(missing));
    }
    let mut form = crate::workflow::model::form::Form::new();
    form.insert("title".into(), doc.title.clone().into());
    form.insert("document_id".into(), doc.id.into());
    form.insert("issuer".into(), doc.issuer_id.unwrap_or_default().into());
    if doc.direction == Direction::Outgoing {
        form.insert("doc_type".into(), doc.doc_type.code().into());
    }
    let started = match returned_instance {
        Some(inst) => instances::update(app, actor, inst, form, true),
        None => instances::start(
            app,
            actor,
            NewInstance {
                template_key: Some(template_key(app, &doc)),
                template_id: None,
                form,
                draft: false,
            },
            true,
        ),
    };
    // The form is ours, so a refusal of one of its fields is a refusal of the document's.
    started.map_err(|e| match e {
        Error::Validation(f) => Error::Validation(
            f.into_iter()
                .map(|(k, v)| match k.as_str() {
                    "form.issuer" => ("issuer_id".to_string(), v),
                    "form.title" => ("title".to_string(), v),
                    _ => (k, v),
                })
                .collect(),
        ),
        e => e,
    })?;
    app.store()
        .read(|tx| ds::document(tx, id))?
        .ok_or(Error::NotFound)
}

/// Stores an uploaded file for its uploader to attach to a document.
pub fn upload(
    app: &App,
    actor: &Actor,
    name: &str,
    content_type: &str,
    body: impl Read,
) -> Result<DocAttachment> {
    crate::org::admin::require_person(actor)?;
    let (name, sha256, size) = app.blobs().put_upload(name, body, ATTACHMENT_MAX_BYTES)?;
    let now = app.now_ms();
    app.store().write(|tx| {
        let a = DocAttachment {
            id: store::next_id(tx, DocAttachment::KIND)?,
            sha256: sha256.clone(),
            name: name.clone(),
            size,
            content_type: content_type.chars().take(100).collect(),
            uploader: actor.user_id,
            document_id: None,
            created_ms: now,
        };
        ds::put_attachment(tx, &a)?;
        Ok(a)
    })
}

/// An attachment for whoever may open its document (or its uploader before it is attached);
/// 404 for everyone else. Downloads are audited.
pub fn attachment(app: &App, actor: &Actor, id: u64) -> Result<DocAttachment> {
    let a = app.store().read(|tx| {
        let a = ds::attachment(tx, id)?.ok_or(Error::NotFound)?;
        let ok = match a.document_id {
            Some(d) => {
                let doc = ds::document(tx, d)?.ok_or(Error::NotFound)?;
                rights(tx, actor, &doc)?.is_some()
            }
            None => a.uploader == actor.user_id,
        };
        if ok { Ok(a) } else { Err(Error::NotFound) }
    })?;
    let now = app.now_ms();
    app.store().write(|tx| {
        crate::store::audit::append(
            tx,
            now,
            crate::store::audit::Event {
                actor_id: Some(actor.user_id),
                actor_login: actor.login.clone(),
                action: "document.download".into(),
                target: format!("document.attachment:{}", a.id),
                detail: a.name.clone(),
                ip: None,
            },
        )
    })?;
    Ok(a)
}

/// Whether the caller may register incoming documents (a clerk anywhere).
pub fn may_register(actor: &Actor) -> bool {
    actor.can_anywhere(Permission::ManageDocuments)
}
