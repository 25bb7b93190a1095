//! The inbox's use cases: a feature notifies inside its own write transaction; a person lists,
//! reads and opens their own messages. See the module documentation for the contract.

use super::model::Notification;
use super::store as inbox_store;
use crate::App;
use crate::auth::{Actor, Scope};
use crate::error::{Code, Error, Result};
use crate::store::keys::{decode_cursor, encode_cursor, rev_time};
use crate::store::{self, Store};

pub use super::model::NewNotification;

/// Notifications kept per person; older ones are dropped as new ones come.
pub const KEEP_PER_USER: u64 = 1000;
/// Items per page, by default and at most.
pub const DEFAULT_LIMIT: usize = 20;
pub const MAX_LIMIT: usize = 100;

/// Puts a notification in `n.user_id`'s inbox, INSIDE the caller's write transaction, so that
/// what it tells of (a task, a result) and the notification commit together or not at all. Drops
/// the person's oldest notifications beyond [`KEEP_PER_USER`]. Returns the new id.
///
/// Refused (the caller's transaction should then fail too) when the text does not validate
/// (`NewNotification::validated`) or the person does not exist. After the commit the caller calls
/// `app.inbox_announce(&[user ids])` so open pages update their bell.
pub fn notify(tx: &redb::WriteTransaction, now_ms: i64, n: &NewNotification) -> Result<u64> {
    let n = n.validated()?;
    if crate::org::store::user_by_id_w(tx, n.user_id)?.is_none() {
        return Err(Error::field("user_id", "error.inbox.user"));
    }
    let id = store::next_id(tx, <Notification as store::Record>::KIND)?;
    let record = Notification {
        id,
        user_id: n.user_id,
        kind: n.kind,
        subject: n.subject,
        note: n.note,
        link: n.link,
        actor_id: n.actor_id,
        actor_name: n.actor_name,
        created_ms: now_ms,
        read_ms: None,
    };
    let total = inbox_store::insert(tx, &record)?;
    if total > KEEP_PER_USER {
        inbox_store::trim(tx, record.user_id, KEEP_PER_USER)?;
    }
    Ok(id)
}

/// One page of a person's inbox.
#[derive(Debug, Clone)]
pub struct Page {
    /// Newest first.
    pub items: Vec<Notification>,
    /// Pass as `cursor` for the next (older) page; `None` at the end.
    pub next_cursor: Option<String>,
    /// The person's unread count (of the whole inbox, not of this page).
    pub unread: u64,
}

/// Reading one's inbox: a person's session or a read-only token of theirs.
fn may_read(actor: &Actor) -> Result<()> {
    match actor.scope {
        Scope::Full | Scope::Read => Ok(()),
        Scope::EhrSync => Err(Error::Forbidden(Code::Forbidden)),
    }
}

/// Marking read: only a person's own session.
fn may_write(actor: &Actor) -> Result<()> {
    if actor.scope == Scope::Full {
        Ok(())
    } else {
        Err(Error::Forbidden(Code::Forbidden))
    }
}

/// Parses a cursor made by [`list`]; a malformed one is a 400 on the `cursor` field.
fn parse_cursor(cursor: Option<&str>) -> Result<Option<(u64, u64)>> {
    match cursor.map(str::trim).filter(|c| !c.is_empty()) {
        None => Ok(None),
        Some(c) => decode_cursor(c, 2)
            .map(|p| Some((p[0], p[1])))
            .ok_or_else(|| Error::field("cursor", "error.invalid")),
    }
}

/// The actor's own notifications (or only the unread ones), newest first, `limit` at a time
/// (1 to [`MAX_LIMIT`]).
pub fn list(
    app: &App,
    actor: &Actor,
    unread_only: bool,
    cursor: Option<&str>,
    limit: usize,
) -> Result<Page> {
    may_read(actor)?;
    let after = parse_cursor(cursor)?;
    let limit = limit.clamp(1, MAX_LIMIT);
    app.store().read(|tx| {
        let (items, more) = inbox_store::page(tx, actor.user_id, unread_only, after, limit)?;
        let next_cursor = match items.last() {
            Some(last) if more => Some(encode_cursor(&[rev_time(last.created_ms), last.id])),
            _ => None,
        };
        Ok(Page {
            items,
            next_cursor,
            unread: inbox_store::unread_count(tx, actor.user_id)?,
        })
    })
}

/// The actor's unread count.
pub fn unread_count(app: &App, actor: &Actor) -> Result<u64> {
    may_read(actor)?;
    unread_of(app.store(), actor.user_id)
}

/// A person's unread count, one get: for the bell every page shows (whoever is signed in there).
pub fn unread_of(store: &Store, user_id: u64) -> Result<u64> {
    store.read(|tx| inbox_store::unread_count(tx, user_id))
}

/// The actor's own notification `id` for a change, or 404 (someone else's is not theirs to know).
fn own(tx: &redb::WriteTransaction, actor: &Actor, id: u64) -> Result<Notification> {
    match inbox_store::get_w(tx, id)? {
        Some(n) if n.user_id == actor.user_id => Ok(n),
        _ => Err(Error::NotFound),
    }
}

/// Marks one of the actor's notifications read (again: no change). Answers the new unread count.
pub fn mark_read(app: &App, actor: &Actor, id: u64) -> Result<u64> {
    may_write(actor)?;
    let now = app.now_ms();
    let changed = app.store().write(|tx| {
        let n = own(tx, actor, id)?;
        inbox_store::set_read(tx, &n, now)
    })?;
    if changed {
        app.inbox_announce(&[actor.user_id]);
    }
    unread_of(app.store(), actor.user_id)
}

/// Marks all of the actor's notifications read, in one transaction. Answers how many were unread.
pub fn mark_all_read(app: &App, actor: &Actor) -> Result<u64> {
    may_write(actor)?;
    let now = app.now_ms();
    let marked = app.store().write(|tx| {
        let unread = inbox_store::unread_of_w(tx, actor.user_id)?;
        for n in &unread {
            inbox_store::set_read(tx, n, now)?;
        }
        Ok(unread.len() as u64)
    })?;
    if marked > 0 {
        app.inbox_announce(&[actor.user_id]);
    }
    Ok(marked)
}

/// Opens one of the actor's notifications: marks it read and answers where to go.
pub fn open(app: &App, actor: &Actor, id: u64) -> Result<String> {
    may_write(actor)?;
    let now = app.now_ms();
    let (link, changed) = app.store().write(|tx| {
        let n = own(tx, actor, id)?;
        let changed = inbox_store::set_read(tx, &n, now)?;
        Ok((n.link, changed))
    })?;
    if changed {
        app.inbox_announce(&[actor.user_id]);
    }
    Ok(link)
}
