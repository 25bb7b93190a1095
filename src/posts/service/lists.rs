//! The lists: what is addressed to the reader (by kind, publishing unit, date and unread), with
//! the pinned posts above; the workbench's latest; and a publisher's own and unit's posts.
//! Each is a merge of index range scans that looks at no more than `SCAN_MAX` entries per page.

use chrono::{NaiveDate, TimeZone};
use serde::Serialize;

use super::super::model::{Kind, Post};
use super::super::store::{self as ps, EVERYONE, unit_scope, user_scope};
use super::{in_audience, permits};
use crate::App;
use crate::auth::Actor;
use crate::error::{Error, Result};
use crate::store::keys::{decode_cursor, encode_cursor, rev_time};

const SCAN_MAX: usize = 5_000;
pub const LIMIT_MAX: usize = 100;
/// At most this many pinned posts above a list.
const PINNED_MAX: usize = 5;

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub kind: Option<Kind>,
    /// Posts of this publishing unit and the units below it.
    pub unit_id: Option<u64>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub unread: bool,
    /// Also expired posts and regulations no longer in force (superseded or repealed).
    pub history: bool,
    pub limit: usize,
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RegulationInfo {
    pub number: String,
    pub category: String,
    pub effective_date: Option<String>,
    pub repeal_date: Option<String>,
    pub version: u32,
    pub in_force: bool,
    pub superseded_by: Option<u64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = PostItem)]
pub struct Item {
    pub id: u64,
    pub kind: String,
    pub title: String,
    /// The first 120 characters of the body's text.
    pub summary: String,
    pub unit_id: u64,
    pub unit_name: String,
    pub author_id: u64,
    /// `draft`, `scheduled`, `published`, `expired` or `withdrawn`.
    pub state: String,
    pub published_at_ms: Option<i64>,
    pub publish_at_ms: Option<i64>,
    pub pinned: bool,
    pub read: bool,
    pub require_ack: bool,
    pub acknowledged: bool,
    pub cover_id: Option<u64>,
    pub regulation: Option<RegulationInfo>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = PostPage)]
pub struct Page {
    /// Pinned posts (the first page only).
    pub pinned: Vec<Item>,
    pub items: Vec<Item>,
    pub next_cursor: Option<String>,
}

pub fn regulation_info(app: &App, post: &Post) -> Option<RegulationInfo> {
    let today = today(app);
    post.regulation.as_ref().map(|r| RegulationInfo {
        number: r.number.clone(),
        category: r.category.clone(),
        effective_date: r.effective_date.map(|d| d.to_string()),
        repeal_date: r.repeal_date.map(|d| d.to_string()),
        version: r.version,
        in_force: r.in_force(today),
        superseded_by: r.superseded_by,
    })
}

pub fn today(app: &App) -> NaiveDate {
    app.tz()
        .timestamp_millis_opt(app.now_ms())
        .single()
        .map(|t| t.date_naive())
        .unwrap_or_default()
}

fn item(app: &App, post: &Post, read: Option<&super::super::model::Read>, pinned: bool) -> Item {
    let now = app.now_ms();
    let unit_name = app
        .directory()
        .ok()
        .and_then(|d| d.unit(post.unit_id).map(|u| u.name.clone()))
        .unwrap_or_default();
    let text = crate::web::richtext::plain_text(&post.body_html);
    Item {
        id: post.id,
        kind: post.kind.code().into(),
        title: post.title.clone(),
        summary: text.chars().take(120).collect(),
        unit_id: post.unit_id,
        unit_name,
        author_id: post.author_id,
        state: post.state(now).into(),
        published_at_ms: post.published_ms,
        publish_at_ms: post.publish_ms,
        pinned,
        read: read.is_some(),
        require_ack: post.require_ack,
        acknowledged: read.is_some_and(|r| r.ack_ms.is_some()),
        cover_id: post.cover,
        regulation: regulation_info(app, post),
    }
}

/// The local day's first instant.
fn day_start(app: &App, d: NaiveDate) -> i64 {
    d.and_hms_opt(0, 0, 0)
        .and_then(|n| app.tz().from_local_datetime(&n).earliest())
        .map_or(0, |t| t.timestamp_millis())
}

/// The feed scopes that reach `actor`: everyone, each unit up their tree, themselves.
fn scopes(actor: &Actor) -> Vec<u64> {
    let mut s = vec![EVERYONE, user_scope(actor.user_id)];
    s.extend(
        actor
            .tree
            .ancestors(actor.unit_id)
            .into_iter()
            .map(unit_scope),
    );
    s
}

/// Whether a published post passes the filter (the audience is the feed's business).
fn passes(app: &App, actor: &Actor, post: &Post, f: &Filter, today: NaiveDate) -> bool {
    let now = app.now_ms();
    if !f.history {
        if !post.is_live(now) {
            return false;
        }
        if post.regulation.as_ref().is_some_and(|r| !r.in_force(today)) {
            return false;
        }
    }
    f.unit_id
        .is_none_or(|u| actor.tree.is_within(post.unit_id, u))
}

/// What is addressed to the caller, newest first, pinned posts above on the first page.
pub fn list(app: &App, actor: &Actor, f: &Filter) -> Result<Page> {
    let limit = f.limit.clamp(1, LIMIT_MAX);
    let after = match &f.cursor {
        None => None,
        Some(c) => {
            let p = decode_cursor(c, 2).ok_or_else(|| Error::field("cursor", "error.invalid"))?;
            Some((p[0], p[1]))
        }
    };
    if let (Some(a), Some(b)) = (f.from, f.to)
        && a > b
    {
        return Err(Error::field("from", "error.posts.range"));
    }
    let now = app.now_ms();
    let today = today(app);
    let kind = f.kind.map_or(0, |k| k.ord());
    // Newest first: `to` (its end) is where the walk starts, `from` where it stops.
    let start_rev =
        f.to.and_then(|d| d.succ_opt())
            .map_or(0, |d| rev_time(day_start(app, d) - 1));
    let stop_rev = f.from.map(|d| rev_time(day_start(app, d)));
    app.store().read(|tx| {
        let mut pinned = Vec::new();
        let mut pinned_ids = Vec::new();
        for id in ps::pinned(tx, kind, now)? {
            if let Some(p) = ps::post(tx, id)?
                && p.is_pinned(now)
                && in_audience(actor, &p)
            {
                pinned_ids.push(id);
                let read = ps::read_of(tx, id, actor.user_id)?;
                let dated = stop_rev.is_none_or(|s| rev_time(p.published_ms.unwrap_or(0)) <= s)
                    && rev_time(p.published_ms.unwrap_or(0)) >= start_rev;
                if after.is_none()
                    && dated
                    && passes(app, actor, &p, f, today)
                    && !(f.unread && read.is_some())
                {
                    pinned.push(item(app, &p, read.as_ref(), true));
                }
            }
        }
        pinned.sort_by_key(|i| std::cmp::Reverse(i.published_at_ms));
        pinned.truncate(PINNED_MAX);

        let mut items = Vec::new();
        let mut scanned = 0;
        let mut more = false;
        let mut last = None;
        ps::walk_feed(tx, &scopes(actor), kind, after, start_rev, |pos| {
            if stop_rev.is_some_and(|s| pos.0 > s) {
                return Ok(false);
            }
            if items.len() == limit {
                more = true;
                return Ok(false);
            }
            scanned += 1;
            last = Some(pos);
            if scanned > SCAN_MAX {
                // Enough looking for one page: the cursor carries on from here.
                more = true;
                return Ok(false);
            }
            if pinned_ids.contains(&pos.1) {
                return Ok(true);
            }
            let Some(p) = ps::post(tx, pos.1)? else {
                return Ok(true);
            };
            if !passes(app, actor, &p, f, today) {
                return Ok(true);
            }
            let read = ps::read_of(tx, p.id, actor.user_id)?;
            if f.unread && read.is_some() {
                return Ok(true);
            }
            items.push(item(app, &p, read.as_ref(), false));
            Ok(true)
        })?;
        let next_cursor = more
            .then(|| last.map(|(r, i)| encode_cursor(&[r, i])))
            .flatten();
        Ok(Page {
            pinned,
            items,
            next_cursor,
        })
    })
}

/// The workbench's latest few of `kind` (pinned first).
pub fn latest(app: &App, actor: &Actor, kind: Kind, n: usize) -> Result<Vec<Item>> {
    let page = list(
        app,
        actor,
        &Filter {
            kind: Some(kind),
            limit: n,
            ..Filter::default()
        },
    )?;
    Ok(page.pinned.into_iter().chain(page.items).take(n).collect())
}

/// A publisher's posts: their own (drafts and scheduled included), or with `unit` every post
/// of that publishing unit they publish for. Newest first.
pub fn managed(
    app: &App,
    actor: &Actor,
    unit: Option<u64>,
    cursor: Option<&str>,
    limit: usize,
) -> Result<Page> {
    let limit = limit.clamp(1, LIMIT_MAX);
    let after = match cursor {
        None => None,
        Some(c) => {
            let p = decode_cursor(c, 2).ok_or_else(|| Error::field("cursor", "error.invalid"))?;
            Some((p[0], p[1]))
        }
    };
    app.store().read(|tx| {
        let keys = match unit {
            None => ps::by_author(tx, actor.user_id, after, limit + 1)?,
            Some(u) => {
                if !Kind::ALL.into_iter().any(|k| permits(actor, k, u)) {
                    return Err(Error::Forbidden(crate::error::Code::Forbidden));
                }
                ps::by_unit(tx, u, after, limit + 1)?
            }
        };
        let more = keys.len() > limit;
        let mut items = Vec::new();
        for (_, id) in keys.iter().take(limit) {
            if let Some(p) = ps::post(tx, *id)?
                && (unit.is_none() || super::manages(actor, &p))
            {
                let read = ps::read_of(tx, p.id, actor.user_id)?;
                items.push(item(app, &p, read.as_ref(), false));
            }
        }
        let next_cursor = more
            .then(|| keys.get(limit - 1).map(|(r, i)| encode_cursor(&[*r, *i])))
            .flatten();
        Ok(Page {
            pinned: Vec::new(),
            items,
            next_cursor,
        })
    })
}

/// The local date of an instant, for the pages.
pub fn date_of(app: &App, ms: i64) -> String {
    app.tz()
        .timestamp_millis_opt(ms)
        .single()
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}
