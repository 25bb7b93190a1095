//! The lists: 收文 (to me, unread first), 待签收, 发文 (mine, or my unit's for its clerks), and
//! the archive of published documents by year, type and unit. Each is a range scan of its
//! index; the archive's filters skip entries, looking at no more than `SCAN_MAX` of them.

use serde::Serialize;

use super::super::model::{DocType, Document, Receipt, Status};
use super::super::store as ds;
use super::is_clerk;
use crate::App;
use crate::auth::{Actor, Permission};
use crate::error::{Error, Result};
use crate::store::keys::{decode_cursor, encode_cursor};

const SCAN_MAX: usize = 5_000;
pub const LIMIT_MAX: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Folder {
    Inbox,
    Unacknowledged,
    Sent,
    Archive,
}

impl Folder {
    pub fn parse(s: &str) -> Option<Folder> {
        match s {
            "inbox" => Some(Folder::Inbox),
            "unacknowledged" => Some(Folder::Unacknowledged),
            "sent" => Some(Folder::Sent),
            "archive" => Some(Folder::Archive),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Folder::Inbox => "inbox",
            Folder::Unacknowledged => "unacknowledged",
            Folder::Sent => "sent",
            Folder::Archive => "archive",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Sent and archive: the issuing unit's documents (its clerks only).
    pub unit_id: Option<u64>,
    pub year: Option<i32>,
    pub doc_type: Option<DocType>,
    pub status: Option<Status>,
    pub limit: usize,
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = DocumentItem)]
pub struct Item {
    pub id: u64,
    pub title: String,
    pub doc_type: String,
    pub doc_number: Option<String>,
    pub status: String,
    pub urgency: String,
    pub issuing_unit_id: u64,
    pub issuing_unit: String,
    pub published_ms: Option<i64>,
    pub updated_ms: i64,
    /// The caller's own copy (收文): read and acknowledged or not.
    pub read: Option<bool>,
    pub acknowledged: Option<bool>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = DocumentPage)]
pub struct Page {
    pub items: Vec<Item>,
    pub next_cursor: Option<String>,
}

fn keep(doc: &Document, f: &Filter, tz: chrono_tz::Tz) -> bool {
    f.year.is_none_or(|y| published_year(doc, tz) == Some(y))
        && f.doc_type.is_none_or(|t| doc.doc_type == t)
        && f.status.is_none_or(|s| doc.status == s)
}

fn published_year(doc: &Document, tz: chrono_tz::Tz) -> Option<i32> {
    use chrono::Datelike;
    doc.published_ms
        .and_then(chrono::DateTime::from_timestamp_millis)
        .map(|t| t.with_timezone(&tz).year())
}

/// The next index entries of a box after `cursor`: each entry's cursor key and document id.
fn entries(
    tx: &redb::ReadTransaction,
    actor: &Actor,
    which: Folder,
    f: &Filter,
    cursor: Option<&[u64]>,
    n: usize,
) -> Result<Vec<(Vec<u64>, u64)>> {
    let two = cursor.map(|c| (c[0], c[1]));
    let pairs = |v: Vec<(u64, u64)>| v.into_iter().map(|(r, id)| (vec![r, id], id)).collect();
    Ok(match which {
        Folder::Inbox => ds::inbox(tx, actor.user_id, cursor.map(|c| (c[0], c[1], c[2])), n)?
            .into_iter()
            .map(|(read, r, id)| (vec![read, r, id], id))
            .collect(),
        Folder::Unacknowledged => pairs(ds::unacked(tx, actor.user_id, two, n)?),
        Folder::Sent => pairs(match f.unit_id {
            Some(u) => ds::by_unit(tx, u, two, n)?,
            None => ds::by_author(tx, actor.user_id, two, n)?,
        }),
        Folder::Archive if f.unit_id.is_none() && !receives_only(actor) => {
            pairs(ds::published(tx, two, n)?)
        }
        Folder::Archive => match f.unit_id {
            Some(u) => pairs(ds::by_unit(tx, u, two, n)?),
            // Someone who keeps no unit's documents: what they received, not every document.
            None => ds::inbox(tx, actor.user_id, cursor.map(|c| (c[0], c[1], c[2])), n)?
                .into_iter()
                .map(|(read, r, id)| (vec![read, r, id], id))
                .collect(),
        },
    })
}

/// The archive of someone who is no clerk anywhere walks their own copies.
fn receives_only(actor: &Actor) -> bool {
    !actor.can_anywhere(Permission::ManageDocuments)
}

fn item(tx: &redb::ReadTransaction, doc: &Document, receipt: Option<&Receipt>) -> Result<Item> {
    let unit = crate::org::store::unit_by_id(tx, doc.issuing_unit_id)?
        .map(|u| u.name)
        .unwrap_or_default();
    Ok(Item {
        id: doc.id,
        title: doc.title.clone(),
        doc_type: doc.doc_type.code().into(),
        doc_number: doc.doc_number.clone(),
        status: doc.status.code().into(),
        urgency: doc.urgency.code().into(),
        issuing_unit_id: doc.issuing_unit_id,
        issuing_unit: unit,
        published_ms: doc.published_ms,
        updated_ms: doc.updated_ms,
        read: receipt.map(|r| r.read_ms.is_some()),
        acknowledged: receipt.map(|r| r.acknowledged_ms.is_some()),
    })
}

/// One page of a box for `actor`.
pub fn list(app: &App, actor: &Actor, which: Folder, f: &Filter) -> Result<Page> {
    let limit = f.limit.clamp(1, LIMIT_MAX);
    if let Some(u) = f.unit_id
        && matches!(which, Folder::Sent | Folder::Archive)
        && !actor.can(Permission::ManageDocuments, u)
    {
        return Err(actor.refusal(u));
    }
    let own_copies = which == Folder::Inbox
        || (which == Folder::Archive && f.unit_id.is_none() && receives_only(actor));
    let width = if own_copies { 3 } else { 2 };
    let mut cursor: Option<Vec<u64>> = match &f.cursor {
        Some(c) => {
            Some(decode_cursor(c, width).ok_or_else(|| Error::field("cursor", "error.invalid"))?)
        }
        None => None,
    };
    let tz = app.tz();
    app.store().read(|tx| {
        let mut items = Vec::new();
        let mut last_key: Option<Vec<u64>> = None;
        let mut scanned = 0;
        loop {
            let batch = entries(tx, actor, which, f, cursor.as_deref(), limit + 1)?;
            if batch.is_empty() {
                return Ok(Page {
                    items,
                    next_cursor: None,
                });
            }
            for (key, id) in batch {
                scanned += 1;
                let Some(doc) = ds::document(tx, id)? else {
                    cursor = Some(key);
                    continue;
                };
                let receipt = ds::receipt(tx, id, actor.user_id)?;
                let visible = match which {
                    Folder::Inbox | Folder::Unacknowledged => receipt.is_some(),
                    // Drafts are their author's alone, even in the unit's list.
                    Folder::Sent => doc.status != Status::Draft || doc.author_id == actor.user_id,
                    // The archive: what the caller received, or their units' documents.
                    Folder::Archive => {
                        doc.status.is_out() && (receipt.is_some() || is_clerk(actor, &doc))
                    }
                };
                if visible && keep(&doc, f, tz) {
                    if items.len() == limit {
                        return Ok(Page {
                            items,
                            next_cursor: last_key.map(|k| encode_cursor(&k)),
                        });
                    }
                    items.push(item(tx, &doc, receipt.as_ref())?);
                    last_key = Some(key.clone());
                }
                if scanned >= SCAN_MAX {
                    // Filters that match little stop here; the caller pages on from this entry.
                    return Ok(Page {
                        items,
                        next_cursor: Some(encode_cursor(&key)),
                    });
                }
                cursor = Some(key);
            }
        }
    })
}

/// How many documents wait in the caller's 收文 unread, for the navigation badge.
pub fn unread(app: &App, actor: &Actor) -> Result<usize> {
    app.store()
        .read(|tx| ds::unread_count(tx, actor.user_id, 1000))
}
