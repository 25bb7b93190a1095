//! Reading: a reader's first view is their read (counted once), a notice that asks for it is
//! acknowledged, and its publishers see who has read it and who has not yet.

use serde::Serialize;

use super::super::model::{Post, Read};
use super::super::store as ps;
use super::{Rights, load};
use crate::App;
use crate::auth::Actor;
use crate::error::{Code, Error, Result};
use crate::org::model::UserStatus;

/// Marks the post read by the caller if it is addressed to them (idempotent); returns it with
/// the caller's rights and read state.
pub fn open(app: &App, actor: &Actor, id: u64) -> Result<(Post, Rights, Option<Read>)> {
    let now = app.now_ms();
    let (post, rights, read) = app.store().read(|tx| {
        let (post, rights) = load(tx, actor, id, now)?;
        Ok((post, rights, ps::read_of(tx, id, actor.user_id)?))
    })?;
    if read.is_some() || !post.is_live(now) || !super::in_audience(actor, &post) {
        return Ok((post, rights, read));
    }
    let read = app.store().write(|tx| {
        if let Some(r) = ps::read_of_w(tx, id, actor.user_id)? {
            return Ok(r);
        }
        let r = Read {
            post_id: id,
            user_id: actor.user_id,
            read_ms: now,
            ack_ms: None,
        };
        ps::put_read(tx, None, &r)?;
        Ok(r)
    })?;
    Ok((post, rights, Some(read)))
}

/// Confirms the caller has read a notice that asks for it (409 when it does not, or when it
/// is already confirmed).
pub fn acknowledge(app: &App, actor: &Actor, id: u64) -> Result<Read> {
    crate::org::admin::require_person(actor)?;
    let now = app.now_ms();
    app.store().write(|tx| {
        let post = ps::post_w(tx, id)?.ok_or(Error::NotFound)?;
        let old = ps::read_of_w(tx, id, actor.user_id)?;
        let acked = old.is_some_and(|r| r.ack_ms.is_some());
        let rights = super::rights(actor, &post, now, acked).ok_or(Error::NotFound)?;
        if !rights.acknowledge {
            return Err(Error::Conflict(Code::Conflict));
        }
        let r = Read {
            post_id: id,
            user_id: actor.user_id,
            read_ms: old.map_or(now, |o| o.read_ms),
            ack_ms: Some(now),
        };
        ps::put_read(tx, old.as_ref(), &r)?;
        Ok(r)
    })
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Reader {
    pub user_id: u64,
    pub login: String,
    pub name: String,
    pub unit: String,
    pub read_at_ms: Option<i64>,
    pub acknowledged_at_ms: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Readers {
    /// Active people the post is addressed to.
    pub audience: usize,
    pub read: usize,
    pub acknowledged: usize,
    pub require_ack: bool,
    /// Who has read it, latest first.
    pub readers: Vec<Reader>,
    /// Who is addressed and has not read it yet (the first 1,000 by name).
    pub unread: Vec<Reader>,
}

/// Who has read a post and who has not (its publishers; 403 for its readers, 404 for others).
pub fn readers(app: &App, actor: &Actor, id: u64) -> Result<(Post, Readers)> {
    let now = app.now_ms();
    let (post, rights, reads) = app.store().read(|tx| {
        let (post, rights) = load(tx, actor, id, now)?;
        Ok((post, rights, ps::reads_of(tx, id)?))
    })?;
    if !rights.readers {
        return Err(if super::manages(actor, &post) {
            Error::Conflict(Code::Conflict)
        } else {
            Error::Forbidden(Code::Forbidden)
        });
    }
    let dir = app.directory()?;
    let tree = app.tree()?;
    let person = |user_id: u64, r: Option<&Read>| {
        let p = dir.person(user_id);
        Reader {
            user_id,
            login: p.map(|p| p.login.clone()).unwrap_or_default(),
            name: p.map(|p| p.name.clone()).unwrap_or_default(),
            unit: p
                .and_then(|p| dir.unit(p.unit_id))
                .map(|u| u.name.clone())
                .unwrap_or_default(),
            read_at_ms: r.map(|r| r.read_ms),
            acknowledged_at_ms: r.and_then(|r| r.ack_ms),
        }
    };
    let mut readers: Vec<Reader> = reads.iter().map(|r| person(r.user_id, Some(r))).collect();
    readers.sort_by_key(|r| std::cmp::Reverse(r.read_at_ms));
    let read_ids: std::collections::HashSet<u64> = reads.iter().map(|r| r.user_id).collect();
    let a = &post.audience;
    let mut audience = 0;
    let mut unread = Vec::new();
    for p in dir.people() {
        if p.status != UserStatus::Active {
            continue;
        }
        let addressed = a.everyone
            || a.users.contains(&p.id)
            || a.units.iter().any(|u| tree.is_within(p.unit_id, *u));
        if !addressed {
            continue;
        }
        audience += 1;
        if !read_ids.contains(&p.id) && unread.len() < 1_000 {
            unread.push(person(p.id, None));
        }
    }
    unread.sort_by(|x, y| x.unit.cmp(&y.unit).then(x.name.cmp(&y.name)));
    let acknowledged = reads.iter().filter(|r| r.ack_ms.is_some()).count();
    Ok((
        post.clone(),
        Readers {
            audience,
            read: reads.len(),
            acknowledged,
            require_ack: post.require_ack,
            readers,
            unread,
        },
    ))
}
