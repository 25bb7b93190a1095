//! Reading (the first view is the read receipt), acknowledging (签收), printing with copy
//! numbers (份号), the issuing side's view of receipts and its reminders, and revocation.

use serde::Serialize;

use super::super::model::{Document, Print, Receipt, RecipientKind, Status};
use super::super::store as ds;
use super::publish::index;
use super::{Rights, load};
use crate::App;
use crate::auth::Actor;
use crate::error::{Code, Error, Result};
use crate::inbox::model::{Kind, NewNotification};
use crate::inbox::service::notify;
use crate::store::audit;

/// Reminders sent per transaction by the scheduler.
const REMIND_BATCH: usize = 200;

fn audit_event(actor: &Actor, action: &str, doc: u64, detail: String) -> audit::Event {
    audit::Event {
        actor_id: Some(actor.user_id),
        actor_login: actor.login.clone(),
        action: action.into(),
        target: format!("document:{doc}"),
        detail,
        ip: None,
    }
}

/// Opens a document: a recipient's first view is recorded as read.
pub fn open(app: &App, actor: &Actor, id: u64) -> Result<(Document, Rights, Option<Receipt>)> {
    let (doc, rights, receipt) = app.store().read(|tx| load(tx, actor, id))?;
    if receipt.as_ref().is_some_and(|r| r.read_ms.is_none()) {
        let now = app.now_ms();
        let receipt = app.store().write(|tx| {
            let Some(old) = ds::receipt_w(tx, id, actor.user_id)? else {
                return Ok(None);
            };
            let mut r = old.clone();
            r.read_ms.get_or_insert(now);
            if r != old {
                ds::put_receipt(tx, Some(&old), &r)?;
            }
            Ok(Some(r))
        })?;
        return Ok((doc, rights, receipt));
    }
    Ok((doc, rights, receipt))
}

/// 签收: the recipient confirms they received it (idempotent).
pub fn acknowledge(app: &App, actor: &Actor, id: u64) -> Result<Receipt> {
    let now = app.now_ms();
    app.store().write(|tx| {
        let doc = ds::document_w(tx, id)?.ok_or(Error::NotFound)?;
        let old = ds::receipt_w(tx, id, actor.user_id)?;
        let Some(old) = old.filter(|_| matches!(doc.status, Status::Published | Status::Revoked))
        else {
            return Err(Error::NotFound);
        };
        if doc.status == Status::Revoked {
            return Err(Error::Conflict(Code::Conflict));
        }
        let mut r = old.clone();
        r.read_ms.get_or_insert(now);
        r.acknowledged_ms.get_or_insert(now);
        if r != old {
            ds::put_receipt(tx, Some(&old), &r)?;
        }
        Ok(r)
    })
}

/// The print view's data for someone with the print right (403 for a reader without it).
pub fn printable(app: &App, actor: &Actor, id: u64) -> Result<(Document, Vec<Print>)> {
    app.store().read(|tx| {
        let (doc, rights, _) = load(tx, actor, id)?;
        if !rights.print {
            return Err(Error::Forbidden(Code::Forbidden));
        }
        let mine = ds::prints_of(tx, id)?
            .into_iter()
            .filter(|p| p.user_id == actor.user_id)
            .collect();
        Ok((doc, mine))
    })
}

/// Records one printed copy: the next copy number, counted against the reader's allowance,
/// audited. 403 without the print right, 409 when the allowance is used up.
pub fn print(app: &App, actor: &Actor, id: u64) -> Result<(Document, Print)> {
    let now = app.now_ms();
    app.store().write(|tx| {
        let old = ds::document_w(tx, id)?.ok_or(Error::NotFound)?;
        let rights = super::rights_w(tx, actor, &old)?.ok_or(Error::NotFound)?;
        if !rights.print {
            return Err(Error::Forbidden(Code::Forbidden));
        }
        let receipt = ds::receipt_w(tx, id, actor.user_id)?;
        if let (Some(limit), Some(r)) = (old.print_limit, &receipt)
            && r.prints >= limit
        {
            return Err(Error::Conflict(Code::PrintLimit));
        }
        let mut doc = old.clone();
        doc.copies += 1;
        let p = Print {
            document_id: id,
            copy_no: doc.copies,
            user_id: actor.user_id,
            at_ms: now,
        };
        ds::put_print(tx, &p)?;
        if let Some(old_r) = receipt {
            let mut r = old_r.clone();
            r.prints += 1;
            r.read_ms.get_or_insert(now);
            ds::put_receipt(tx, Some(&old_r), &r)?;
        }
        ds::put_document(tx, Some(&old), &doc)?;
        audit::append(
            tx,
            now,
            audit_event(
                actor,
                "document.print",
                id,
                format!("份号 {:06}", p.copy_no),
            ),
        )?;
        Ok((doc, p))
    })
}

/// One recipient's state, for the issuing side.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReceiptRow {
    pub user_id: u64,
    pub name: String,
    pub unit: String,
    pub kind: RecipientKind,
    pub delivered_ms: i64,
    pub read_ms: Option<i64>,
    pub acknowledged_ms: Option<i64>,
    pub prints: u32,
    pub reminded_ms: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReceiptSummary {
    pub recipients: usize,
    pub read: usize,
    pub acknowledged: usize,
    pub prints: u32,
    pub rows: Vec<ReceiptRow>,
}

/// Who received, read and acknowledged, and when: for the drafter and the issuing unit's
/// clerks (403 for a recipient, 404 for anyone else). Not yet read first.
pub fn receipts(app: &App, actor: &Actor, id: u64) -> Result<(Document, ReceiptSummary)> {
    app.store().read(|tx| {
        let (doc, rights, _) = load(tx, actor, id)?;
        if !rights.receipts {
            return Err(Error::Forbidden(Code::Forbidden));
        }
        let mut rows = Vec::new();
        for r in ds::receipts_of(tx, id)? {
            let user = crate::org::store::user_by_id(tx, r.user_id)?;
            let unit = match &user {
                Some(u) => crate::org::store::unit_by_id(tx, u.unit_id)?
                    .map(|u| u.name)
                    .unwrap_or_default(),
                None => String::new(),
            };
            rows.push(ReceiptRow {
                user_id: r.user_id,
                name: user.map(|u| u.name).unwrap_or_default(),
                unit,
                kind: r.kind,
                delivered_ms: r.delivered_ms,
                read_ms: r.read_ms,
                acknowledged_ms: r.acknowledged_ms,
                prints: r.prints,
                reminded_ms: r.reminded_ms,
            });
        }
        rows.sort_by_key(|r| (r.acknowledged_ms.is_some(), r.read_ms.is_some(), r.user_id));
        let summary = ReceiptSummary {
            recipients: rows.len(),
            read: rows.iter().filter(|r| r.read_ms.is_some()).count(),
            acknowledged: rows.iter().filter(|r| r.acknowledged_ms.is_some()).count(),
            prints: rows.iter().map(|r| r.prints).sum(),
            rows,
        };
        Ok((doc, summary))
    })
}

fn remind_one(
    tx: &redb::WriteTransaction,
    doc: &Document,
    old: &Receipt,
    now: i64,
    by: Option<&Actor>,
) -> Result<()> {
    let mut r = old.clone();
    r.reminded_ms = Some(now);
    r.remind_at_ms = None;
    ds::put_receipt(tx, Some(old), &r)?;
    notify(
        tx,
        now,
        &NewNotification {
            user_id: r.user_id,
            kind: Kind::Reminder,
            subject: format!(
                "请签收：{} {}",
                doc.doc_number.clone().unwrap_or_default(),
                doc.title
            )
            .chars()
            .take(200)
            .collect(),
            note: String::new(),
            link: format!("/documents/{}", doc.id),
            actor_id: by.map(|a| a.user_id),
            actor_name: by.map(|a| a.name.clone()).unwrap_or_default(),
        },
    )?;
    Ok(())
}

/// The issuing side reminds everyone who has not acknowledged yet; returns how many.
pub fn remind(app: &App, actor: &Actor, id: u64) -> Result<usize> {
    let now = app.now_ms();
    let ring = app.store().write(|tx| {
        let doc = ds::document_w(tx, id)?.ok_or(Error::NotFound)?;
        let rights = super::rights_w(tx, actor, &doc)?.ok_or(Error::NotFound)?;
        if !rights.receipts {
            return Err(Error::Forbidden(Code::Forbidden));
        }
        if doc.status != Status::Published {
            return Err(Error::Conflict(Code::Conflict));
        }
        let mut ring = Vec::new();
        for r in ds::receipts_of_w(tx, id)? {
            if r.acknowledged_ms.is_none() {
                remind_one(tx, &doc, &r, now, Some(actor))?;
                ring.push(r.user_id);
            }
        }
        audit::append(
            tx,
            now,
            audit_event(
                actor,
                "document.remind",
                id,
                format!("{} recipients", ring.len()),
            ),
        )?;
        Ok(ring)
    })?;
    app.inbox_announce(&ring);
    Ok(ring.len())
}

/// The scheduler's automatic reminders: copies not acknowledged within the configured working
/// days. Returns how many were sent.
pub fn remind_due(app: &App) -> Result<usize> {
    let now = app.now_ms();
    let mut total = 0;
    loop {
        let due = app
            .store()
            .read(|tx| ds::reminders_due(tx, now, REMIND_BATCH))?;
        if due.is_empty() {
            return Ok(total);
        }
        let ring = app.store().write(|tx| {
            let mut ring = Vec::new();
            for (doc_id, user) in &due {
                let (Some(doc), Some(r)) = (
                    ds::document_w(tx, *doc_id)?,
                    ds::receipt_w(tx, *doc_id, *user)?,
                ) else {
                    continue;
                };
                if r.acknowledged_ms.is_some() || r.remind_at_ms.is_none_or(|at| at > now) {
                    continue;
                }
                if doc.status == Status::Published {
                    remind_one(tx, &doc, &r, now, None)?;
                    ring.push(*user);
                } else {
                    let mut quiet = r.clone();
                    quiet.remind_at_ms = None;
                    ds::put_receipt(tx, Some(&r), &quiet)?;
                }
            }
            Ok(ring)
        })?;
        total += ring.len();
        app.inbox_announce(&ring);
        if due.len() < REMIND_BATCH {
            return Ok(total);
        }
    }
}

/// A clerk of the issuing unit revokes a published document with a reason; recipients see it
/// as revoked and are told. Audited.
pub fn revoke(app: &App, actor: &Actor, id: u64, reason: &str) -> Result<Document> {
    let reason = reason.trim().to_string();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(Error::field("reason", "error.required"));
    }
    let now = app.now_ms();
    let tree = app.tree()?;
    let (doc, ring) = app.store().write(|tx| {
        let old = ds::document_w(tx, id)?.ok_or(Error::NotFound)?;
        let rights = super::rights_w(tx, actor, &old)?.ok_or(Error::NotFound)?;
        if !rights.revoke {
            return Err(if old.status == Status::Revoked {
                Error::Conflict(Code::Conflict)
            } else {
                Error::Forbidden(Code::Forbidden)
            });
        }
        let mut doc = old.clone();
        doc.status = Status::Revoked;
        doc.revoked_ms = Some(now);
        doc.revoked_by = Some(actor.user_id);
        doc.revoke_reason = reason.clone();
        doc.updated_ms = now;
        ds::put_document(tx, Some(&old), &doc)?;
        let mut ring = Vec::new();
        for r in ds::receipts_of_w(tx, id)? {
            notify(
                tx,
                now,
                &NewNotification {
                    user_id: r.user_id,
                    kind: Kind::Document,
                    subject: format!(
                        "已撤销：{} {}",
                        doc.doc_number.clone().unwrap_or_default(),
                        doc.title
                    )
                    .chars()
                    .take(200)
                    .collect(),
                    note: reason.clone(),
                    link: format!("/documents/{id}"),
                    actor_id: Some(actor.user_id),
                    actor_name: actor.name.clone(),
                },
            )?;
            ring.push(r.user_id);
        }
        index(tx, &tree, &doc)?;
        audit::append(
            tx,
            now,
            audit_event(actor, "document.revoke", id, reason.clone()),
        )?;
        Ok((doc, ring))
    })?;
    app.inbox_announce(&ring);
    Ok(doc)
}
