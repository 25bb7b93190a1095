//! The posts' tables. Every index is derived from a post by [`post_keys`] and kept in step by
//! [`put_post`] alone.
//!
//! The feed is filed by audience scope: everyone, a unit, or a person. A reader's list merges
//! the few scopes that reach them (everyone, each unit up their tree, themselves), newest first,
//! so a list costs the same with 100 or 100,000 posts others cannot see.

use redb::{ReadTransaction, ReadableTable, TableDefinition, WriteTransaction};

use super::model::{Post, PostAttachment, Read, Status};
use crate::error::Result;
use crate::store::keys::rev_time;
use crate::store::{self, Stored};

const POSTS: TableDefinition<'_, u64, Stored<Post>> = TableDefinition::new("posts");
/// `(scope, kind or 0 for all kinds, rev published, post)`: published posts by audience.
const FEED: TableDefinition<'_, (u64, u64, u64, u64), ()> = TableDefinition::new("posts.feed");
/// `(author, rev created, post)`: 我的发布, drafts included.
const BY_AUTHOR: TableDefinition<'_, (u64, u64, u64), ()> = TableDefinition::new("posts.by_author");
/// `(publishing unit, rev created, post)`: the unit's posts, for its publishers.
const BY_UNIT: TableDefinition<'_, (u64, u64, u64), ()> = TableDefinition::new("posts.by_unit");
/// `(publish at, post)`: scheduled posts, for the scheduler.
const SCHEDULED: TableDefinition<'_, (u64, u64), ()> = TableDefinition::new("posts.scheduled");
/// `(kind or 0 for all kinds, pinned until, post)`: published posts with a pin date, shown above
/// the list while pinned; a list reads only the pins that have not run out.
const PINNED: TableDefinition<'_, (u64, u64, u64), ()> = TableDefinition::new("posts.pinned");
/// `(post, user) -> read`.
const READS: TableDefinition<'_, (u64, u64), Stored<Read>> = TableDefinition::new("posts.reads");
/// `post -> (readers, acknowledgements)`.
const COUNTS: TableDefinition<'_, u64, (u64, u64)> = TableDefinition::new("posts.counts");
const ATTACHMENTS: TableDefinition<'_, u64, Stored<PostAttachment>> =
    TableDefinition::new("posts.attachments");

/// The feed scope of everyone.
pub const EVERYONE: u64 = 0;
const UNIT_TAG: u64 = 1 << 56;
const USER_TAG: u64 = 2 << 56;

pub fn unit_scope(unit: u64) -> u64 {
    UNIT_TAG | unit
}

pub fn user_scope(user: u64) -> u64 {
    USER_TAG | user
}

pub fn ensure_tables(tx: &WriteTransaction) -> Result<()> {
    tx.open_table(POSTS)?;
    tx.open_table(FEED)?;
    tx.open_table(BY_AUTHOR)?;
    tx.open_table(BY_UNIT)?;
    tx.open_table(SCHEDULED)?;
    tx.open_table(PINNED)?;
    tx.open_table(READS)?;
    tx.open_table(COUNTS)?;
    tx.open_table(ATTACHMENTS)?;
    Ok(())
}

type Key3 = (u64, u64, u64);
type Key4 = (u64, u64, u64, u64);

/// The index entries of a post.
pub struct Keys {
    feed: Vec<Key4>,
    author: Key3,
    unit: Key3,
    scheduled: Option<(u64, u64)>,
    pinned: Vec<Key3>,
}

pub fn post_keys(p: &Post) -> Keys {
    let created = rev_time(p.created_ms);
    let mut feed = Vec::new();
    if p.status == Status::Published {
        let rev = rev_time(p.published_ms.unwrap_or(p.created_ms));
        for scope in p.audience.scopes() {
            feed.push((scope, 0, rev, p.id));
            feed.push((scope, p.kind.ord(), rev, p.id));
        }
    }
    Keys {
        feed,
        author: (p.author_id, created, p.id),
        unit: (p.unit_id, created, p.id),
        scheduled: (p.status == Status::Scheduled)
            .then(|| (p.publish_ms.unwrap_or(0).max(0) as u64, p.id)),
        pinned: match p.pinned_until_ms {
            Some(until) if p.status == Status::Published => {
                let until = until.max(0) as u64;
                vec![(0, until, p.id), (p.kind.ord(), until, p.id)]
            }
            _ => Vec::new(),
        },
    }
}

pub fn put_post(tx: &WriteTransaction, old: Option<&Post>, p: &Post) -> Result<()> {
    let mut feed = tx.open_table(FEED)?;
    let mut by_author = tx.open_table(BY_AUTHOR)?;
    let mut by_unit = tx.open_table(BY_UNIT)?;
    let mut scheduled = tx.open_table(SCHEDULED)?;
    let mut pinned = tx.open_table(PINNED)?;
    if let Some(old) = old {
        let k = post_keys(old);
        for f in k.feed {
            feed.remove(f)?;
        }
        by_author.remove(k.author)?;
        by_unit.remove(k.unit)?;
        if let Some(s) = k.scheduled {
            scheduled.remove(s)?;
        }
        for s in k.pinned {
            pinned.remove(s)?;
        }
    }
    let k = post_keys(p);
    for f in k.feed {
        feed.insert(f, ())?;
    }
    by_author.insert(k.author, ())?;
    by_unit.insert(k.unit, ())?;
    if let Some(s) = k.scheduled {
        scheduled.insert(s, ())?;
    }
    for s in k.pinned {
        pinned.insert(s, ())?;
    }
    store::put(&mut tx.open_table(POSTS)?, p.id, p)
}

pub fn post(tx: &ReadTransaction, id: u64) -> Result<Option<Post>> {
    store::get(&tx.open_table(POSTS)?, id)
}

pub fn post_w(tx: &WriteTransaction, id: u64) -> Result<Option<Post>> {
    store::get(&tx.open_table(POSTS)?, id)
}

pub fn all_posts(tx: &ReadTransaction) -> Result<Vec<Post>> {
    let mut out = Vec::new();
    for row in tx.open_table(POSTS)?.iter()? {
        out.push(row?.1.value().decode()?);
    }
    Ok(out)
}

/// A position in a feed: `(rev published, post)`.
pub type FeedPos = (u64, u64);

/// Walks the feeds of `scopes` for `kind` (0 = all kinds) merged newest first, starting after
/// `after` (and not before `from_rev`), calling `visit` with each post id once until it returns
/// `false` or the feeds end. Returns the position of the last post visited.
pub fn walk_feed(
    tx: &ReadTransaction,
    scopes: &[u64],
    kind: u64,
    after: Option<FeedPos>,
    from_rev: u64,
    mut visit: impl FnMut(FeedPos) -> Result<bool>,
) -> Result<Option<FeedPos>> {
    let table = tx.open_table(FEED)?;
    let start = match after {
        Some((rev, id)) if (rev, id) >= (from_rev, 0) => (rev, id.saturating_add(1)),
        _ => (from_rev, 0),
    };
    let mut heads = Vec::with_capacity(scopes.len());
    for scope in scopes {
        let mut range =
            table.range((*scope, kind, start.0, start.1)..=(*scope, kind, u64::MAX, u64::MAX))?;
        let first = next_pos(&mut range)?;
        heads.push((range, first));
    }
    let mut last: Option<FeedPos> = None;
    loop {
        let Some(i) = heads
            .iter()
            .enumerate()
            .filter_map(|(i, (_, h))| h.map(|h| (i, h)))
            .min_by_key(|(_, h)| *h)
            .map(|(i, _)| i)
        else {
            return Ok(last);
        };
        let pos = heads[i].1.expect("chosen head");
        heads[i].1 = next_pos(&mut heads[i].0)?;
        // The same post filed under two scopes of this reader comes out twice in a row.
        if last == Some(pos) {
            continue;
        }
        last = Some(pos);
        if !visit(pos)? {
            return Ok(last);
        }
    }
}

fn next_pos(range: &mut redb::Range<'_, Key4, ()>) -> Result<Option<FeedPos>> {
    Ok(match range.next() {
        Some(row) => {
            let (_, _, rev, id) = row?.0.value();
            Some((rev, id))
        }
        None => None,
    })
}

/// `(rev created, post)` of an author's posts, newest first.
pub fn by_author(
    tx: &ReadTransaction,
    user: u64,
    after: Option<(u64, u64)>,
    limit: usize,
) -> Result<Vec<(u64, u64)>> {
    crate::store::keys::owner_page(&tx.open_table(BY_AUTHOR)?, user, after, limit)
}

/// `(rev created, post)` of a publishing unit's posts, newest first.
pub fn by_unit(
    tx: &ReadTransaction,
    unit: u64,
    after: Option<(u64, u64)>,
    limit: usize,
) -> Result<Vec<(u64, u64)>> {
    crate::store::keys::owner_page(&tx.open_table(BY_UNIT)?, unit, after, limit)
}

/// Scheduled posts due at `now`.
pub fn due(tx: &ReadTransaction, now: i64, limit: usize) -> Result<Vec<u64>> {
    let mut out = Vec::new();
    for row in tx
        .open_table(SCHEDULED)?
        .range((0, 0)..=(now.max(0) as u64, u64::MAX))?
    {
        out.push(row?.0.value().1);
        if out.len() >= limit {
            break;
        }
    }
    Ok(out)
}

/// Published posts of `kind` (0 = all) pinned beyond `now`.
pub fn pinned(tx: &ReadTransaction, kind: u64, now: i64) -> Result<Vec<u64>> {
    let t = tx.open_table(PINNED)?;
    let from = (now.max(0) as u64).saturating_add(1);
    let mut out = Vec::new();
    for row in t.range((kind, from, 0)..=(kind, u64::MAX, u64::MAX))? {
        out.push(row?.0.value().2);
    }
    Ok(out)
}

// ---------------------------------------------------------------- reads

pub fn read_of(tx: &ReadTransaction, post: u64, user: u64) -> Result<Option<Read>> {
    store::get(&tx.open_table(READS)?, (post, user))
}

pub fn read_of_w(tx: &WriteTransaction, post: u64, user: u64) -> Result<Option<Read>> {
    store::get(&tx.open_table(READS)?, (post, user))
}

/// Writes a reader's state and keeps the post's counts in step.
pub fn put_read(tx: &WriteTransaction, old: Option<&Read>, r: &Read) -> Result<()> {
    let mut counts = tx.open_table(COUNTS)?;
    let (mut reads, mut acks) = counts.get(r.post_id)?.map_or((0, 0), |v| v.value());
    if old.is_none() {
        reads += 1;
    }
    if r.ack_ms.is_some() && old.is_none_or(|o| o.ack_ms.is_none()) {
        acks += 1;
    }
    counts.insert(r.post_id, (reads, acks))?;
    store::put(&mut tx.open_table(READS)?, (r.post_id, r.user_id), r)
}

pub fn reads_of(tx: &ReadTransaction, post: u64) -> Result<Vec<Read>> {
    let mut out = Vec::new();
    for row in tx.open_table(READS)?.range((post, 0)..=(post, u64::MAX))? {
        out.push(row?.1.value().decode()?);
    }
    Ok(out)
}

/// `(readers, acknowledgements)` of a post.
pub fn counts(tx: &ReadTransaction, post: u64) -> Result<(u64, u64)> {
    Ok(tx
        .open_table(COUNTS)?
        .get(post)?
        .map_or((0, 0), |v| v.value()))
}

// ---------------------------------------------------------------- attachments

pub fn put_attachment(tx: &WriteTransaction, a: &PostAttachment) -> Result<()> {
    store::put(&mut tx.open_table(ATTACHMENTS)?, a.id, a)
}

pub fn attachment(tx: &ReadTransaction, id: u64) -> Result<Option<PostAttachment>> {
    store::get(&tx.open_table(ATTACHMENTS)?, id)
}

pub fn attachment_w(tx: &WriteTransaction, id: u64) -> Result<Option<PostAttachment>> {
    store::get(&tx.open_table(ATTACHMENTS)?, id)
}

/// `oanode check`: whether every index holds exactly what the posts call for.
pub fn check(tx: &ReadTransaction, problems: &mut Vec<String>) -> Result<()> {
    use std::collections::BTreeSet;
    let (mut feed, mut author, mut unit) = (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
    let (mut sched, mut pin) = (BTreeSet::new(), BTreeSet::new());
    for p in all_posts(tx)? {
        let k = post_keys(&p);
        feed.extend(k.feed);
        author.insert(k.author);
        unit.insert(k.unit);
        sched.extend(k.scheduled);
        pin.extend(k.pinned);
    }
    store::compare_index(tx, FEED, &feed, problems)?;
    store::compare_index(tx, BY_AUTHOR, &author, problems)?;
    store::compare_index(tx, BY_UNIT, &unit, problems)?;
    store::compare_index(tx, SCHEDULED, &sched, problems)?;
    store::compare_index(tx, PINNED, &pin, problems)?;
    Ok(())
}
