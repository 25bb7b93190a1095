//! Writing, publishing and withdrawing posts. A post is created as a draft, published at once or
//! scheduled (the scheduler publishes it when its time comes: [`publish_due`]), edited while it
//! is out, and withdrawn. Publication files it in its audience's feeds and writes its search
//! entry in the same transaction; every change by a publisher is audited.

use std::io::Read;

use chrono::{NaiveDate, NaiveDateTime, TimeZone};
use redb::WriteTransaction;
use serde::Deserialize;

use super::super::model::{Audience, Kind, Post, PostAttachment, Status};
use super::super::store as ps;
use super::{manages, permits, publishable, right_unit};
use crate::App;
use crate::auth::Actor;
use crate::error::{Code, Error, FieldErrors, Result};
use crate::input::{date, dedup, text};
use crate::org::store as org_store;
use crate::org::tree::UnitTree;
use crate::store::outbox::{self, Change, FileRef, SearchDoc};
use crate::store::{self, Record, audit};
use crate::web::richtext;

pub const TITLE_MAX: usize = 200;
pub const ATTACHMENT_MAX_BYTES: u64 = 50 << 20;
const AUDIENCE_MAX: usize = 500;
const ATTACHMENTS_MAX: usize = 50;

/// Who a post is for, as the API writes it: `{"everyone": true}` or
/// `{"units": [ids], "users": [ids]}`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AudienceInput {
    #[serde(default)]
    pub everyone: bool,
    #[serde(default)]
    pub units: Vec<u64>,
    #[serde(default)]
    pub users: Vec<u64>,
}

/// A new post (all of it) or a change to one (only what is given). Instants are RFC 3339 or
/// the node's local `YYYY-MM-DD HH:MM`; a date alone means the start of that day for
/// `publish_at` and its end for `pinned_until` and `expires_at`; an empty string clears.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostInput {
    /// `news`, `flash`, `notice`, `regulation` or `resource`; only on create.
    pub kind: Option<String>,
    pub title: Option<String>,
    pub body_html: Option<String>,
    /// The publishing unit; by default the unit of the grant that lets the caller publish.
    pub unit_id: Option<u64>,
    pub audience: Option<AudienceInput>,
    pub publish_at: Option<String>,
    pub pinned_until: Option<String>,
    pub expires_at: Option<String>,
    /// Readers confirm they have read it.
    pub require_ack: Option<bool>,
    pub attachments: Option<Vec<u64>>,
    /// News: the cover picture, one of the attachments (0 for none).
    pub cover_id: Option<u64>,
    /// Regulations: 制度编号, 类别, 施行日期, 废止日期, scope (the group or a member enterprise)
    /// and the version this one replaces.
    pub number: Option<String>,
    pub category: Option<String>,
    pub effective_date: Option<String>,
    pub repeal_date: Option<String>,
    pub scope_unit_id: Option<u64>,
    pub supersedes: Option<u64>,
    /// On create: publish (or schedule) at once instead of keeping a draft.
    pub publish: Option<bool>,
}

/// An instant typed as RFC 3339, a local date-time or a local date (its start, or with
/// `end_of_day` the start of the next day). `Ok(None)` for an empty string.
fn instant(app: &App, v: &str, end_of_day: bool) -> std::result::Result<Option<i64>, ()> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(v) {
        return Ok(Some(t.timestamp_millis()));
    }
    let local = |n: NaiveDateTime| {
        app.tz()
            .from_local_datetime(&n)
            .earliest()
            .map(|t| t.timestamp_millis())
            .ok_or(())
    };
    for f in ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"] {
        if let Ok(n) = NaiveDateTime::parse_from_str(v, f) {
            return local(n).map(Some);
        }
    }
    let d = NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| ())?;
    let d = if end_of_day {
        d.succ_opt().ok_or(())?
    } else {
        d
    };
    local(d.and_hms_opt(0, 0, 0).ok_or(())?).map(Some)
}

fn instant_field(
    app: &App,
    fields: &mut FieldErrors,
    name: &str,
    v: &str,
    end_of_day: bool,
) -> Option<i64> {
    instant(app, v, end_of_day)
        .map_err(|_| fields.insert(name.into(), "error.date".into()))
        .ok()
        .flatten()
}

/// The widest audience the post's publisher may address: notices and resources stay within the
/// publishing unit's enterprise, regulations within their scope; news and flash go anywhere.
fn audience_bound(tree: &UnitTree, post: &Post) -> Option<u64> {
    let bound = match post.kind {
        Kind::News | Kind::Flash => return None,
        Kind::Regulation => right_unit(post),
        Kind::Notice | Kind::Resource => tree.enterprise_of(post.unit_id)?,
    };
    // The group's root reaches everyone anyway.
    (tree.root() != Some(bound)).then_some(bound)
}

/// Applies `input` to `post`, checking each value against the store; errors field by field.
fn apply(
    app: &App,
    tx: &WriteTransaction,
    actor: &Actor,
    post: &mut Post,
    input: &PostInput,
    fields: &mut FieldErrors,
) -> Result<()> {
    if let Some(t) = &input.title {
        post.title = text(fields, "title", t, TITLE_MAX);
    }
    if let Some(b) = &input.body_html {
        match richtext::clean("body_html", b) {
            Ok(clean) => post.body_html = clean,
            Err(Error::Validation(f)) => fields.extend(f),
            Err(e) => return Err(e),
        }
    }
    if let Some(u) = input.unit_id {
        let ok = org_store::unit_by_id_w(tx, u)?.is_some()
            && (post.kind == Kind::Regulation || permits(actor, post.kind, u));
        if ok {
            post.unit_id = u;
        } else {
            fields.insert("unit_id".into(), "error.posts.unit".into());
        }
    }
    if let Some(reg) = post.regulation.as_mut() {
        if let Some(n) = &input.number {
            reg.number = text(fields, "number", n, 60);
        }
        if let Some(c) = &input.category {
            reg.category = text(fields, "category", c, 40);
        }
        if let Some(d) = &input.effective_date {
            reg.effective_date = date(fields, "effective_date", d);
        }
        if let Some(d) = &input.repeal_date {
            reg.repeal_date = date(fields, "repeal_date", d);
        }
        if let (Some(e), Some(r)) = (reg.effective_date, reg.repeal_date)
            && r <= e
        {
            fields.insert("repeal_date".into(), "error.posts.repeal_before".into());
        }
        if let Some(s) = input.scope_unit_id {
            // Headquarters (the group) or a member enterprise, within the publisher's grant.
            let ok = org_store::unit_by_id_w(tx, s)?.is_some()
                && actor.tree.enterprise_of(s) == Some(s)
                && permits(actor, Kind::Regulation, s);
            if ok {
                reg.scope_unit_id = s;
            } else {
                fields.insert("scope_unit_id".into(), "error.posts.scope".into());
            }
        }
    } else {
        for (name, given) in [
            ("number", input.number.is_some()),
            ("category", input.category.is_some()),
            ("effective_date", input.effective_date.is_some()),
            ("repeal_date", input.repeal_date.is_some()),
            ("scope_unit_id", input.scope_unit_id.is_some()),
            ("supersedes", input.supersedes.is_some()),
        ] {
            if given {
                fields.insert(name.into(), "error.posts.regulation_only".into());
            }
        }
    }
    if let Some(old_id) = input.supersedes {
        let scope = right_unit(post);
        let old = ps::post_w(tx, old_id)?;
        let ok = old.as_ref().is_some_and(|o| {
            o.id != post.id
                && o.status == Status::Published
                && o.regulation
                    .as_ref()
                    .is_some_and(|r| r.superseded_by.is_none() && r.scope_unit_id == scope)
        });
        match (ok, old, post.regulation.as_mut()) {
            (true, Some(old), Some(reg)) => {
                let prev = old.regulation.clone().unwrap_or_default();
                reg.supersedes = Some(old_id);
                reg.version = prev.version + 1;
                if reg.number.is_empty() {
                    reg.number = prev.number;
                }
                if reg.category.is_empty() {
                    reg.category = prev.category;
                }
            }
            _ => {
                fields.insert("supersedes".into(), "error.posts.supersedes".into());
            }
        }
    }
    if let Some(a) = &input.audience {
        let mut ok = a.units.len() <= AUDIENCE_MAX && a.users.len() <= AUDIENCE_MAX;
        for u in &a.units {
            ok &= org_store::unit_by_id_w(tx, *u)?.is_some();
        }
        let mut people_ok = true;
        for u in &a.users {
            people_ok &= org_store::user_by_id_w(tx, *u)?.is_some();
        }
        if !ok {
            fields.insert("audience".into(), "error.posts.audience_unit".into());
        } else if !people_ok {
            fields.insert("audience".into(), "error.workflow.user".into());
        } else {
            post.audience = Audience {
                everyone: a.everyone,
                units: if a.everyone { vec![] } else { dedup(&a.units) },
                users: if a.everyone { vec![] } else { dedup(&a.users) },
            };
        }
    }
    if let Some(p) = &input.publish_at {
        post.publish_ms = instant_field(app, fields, "publish_at", p, false);
    }
    if let Some(p) = &input.pinned_until {
        post.pinned_until_ms = instant_field(app, fields, "pinned_until", p, true);
    }
    if let Some(p) = &input.expires_at {
        post.expires_ms = instant_field(app, fields, "expires_at", p, true);
    }
    if let (Some(e), Some(p)) = (post.expires_ms, post.publish_ms)
        && e <= p
    {
        fields.insert("expires_at".into(), "error.posts.expires_before".into());
    }
    if let Some(r) = input.require_ack {
        post.require_ack = r;
    }
    if let Some(ids) = &input.attachments {
        let mut ok = ids.len() <= ATTACHMENTS_MAX;
        for id in ids {
            ok &= ps::attachment_w(tx, *id)?.is_some_and(|a| {
                a.post_id == Some(post.id) || (a.post_id.is_none() && a.uploader == actor.user_id)
            });
        }
        if ok {
            post.attachments = dedup(ids);
        } else {
            fields.insert("attachments".into(), "error.invalid".into());
        }
    }
    if let Some(c) = input.cover_id {
        if c == 0 {
            post.cover = None;
        } else if post.kind != Kind::News {
            fields.insert("cover_id".into(), "error.posts.cover_news".into());
        } else if post.attachments.contains(&c)
            && ps::attachment_w(tx, c)?.is_some_and(|a| a.is_image())
        {
            post.cover = Some(c);
        } else {
            fields.insert("cover_id".into(), "error.posts.cover".into());
        }
    }
    if post.cover.is_some_and(|c| !post.attachments.contains(&c)) {
        post.cover = None;
    }
    // The audience within the publisher's reach: "everyone" of a notice means everyone in its
    // enterprise; a unit or person outside it is refused.
    if let Some(bound) = audience_bound(&actor.tree, post) {
        let a = &mut post.audience;
        if a.everyone {
            *a = Audience {
                everyone: false,
                units: vec![bound],
                users: vec![],
            };
        }
        let mut outside = a.units.iter().any(|u| !actor.tree.is_within(*u, bound));
        for u in &a.users {
            outside |= org_store::user_by_id_w(tx, *u)?
                .is_none_or(|p| !actor.tree.is_within(p.unit_id, bound));
        }
        if outside {
            fields.insert("audience".into(), "error.posts.audience_scope".into());
        }
    }
    if post.title.is_empty() {
        fields.insert("title".into(), "error.required".into());
    }
    Ok(())
}

/// What must be there before a post goes out, field by field.
pub fn complete(post: &Post) -> FieldErrors {
    let mut f = FieldErrors::new();
    if post.title.is_empty() {
        f.insert("title".into(), "error.required".into());
    }
    if post.body_html.trim().is_empty() && post.attachments.is_empty() {
        f.insert("body_html".into(), "error.required".into());
    }
    if post.audience.is_empty() && post.kind != Kind::Regulation {
        f.insert("audience".into(), "error.posts.no_audience".into());
    }
    f
}

/// Files named by the post now belong to it.
fn claim(tx: &WriteTransaction, post: &Post) -> Result<()> {
    for id in &post.attachments {
        if let Some(mut a) = ps::attachment_w(tx, *id)?
            && a.post_id.is_none()
        {
            a.post_id = Some(post.id);
            ps::put_attachment(tx, &a)?;
        }
    }
    Ok(())
}

fn audit_event(
    tx: &WriteTransaction,
    actor: &Actor,
    now: i64,
    action: &str,
    post: &Post,
) -> Result<()> {
    audit::append(
        tx,
        now,
        audit::Event {
            actor_id: Some(actor.user_id),
            actor_login: actor.login.clone(),
            action: action.into(),
            target: format!("post:{}", post.id),
            detail: format!("{}: {}", post.kind.code(), post.title),
            ip: None,
        },
    )?;
    Ok(())
}

/// A new post: a draft, or with `publish: true` published (or scheduled) at once.
pub fn create(app: &App, actor: &Actor, input: PostInput) -> Result<Post> {
    crate::org::admin::require_person(actor)?;
    let kind = match input.kind.as_deref() {
        Some(k) => Kind::parse(k).ok_or_else(|| Error::field("kind", "error.invalid"))?,
        None => return Err(Error::field("kind", "error.required")),
    };
    let Some(default_unit) = publishable(actor)
        .into_iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, u)| u)
    else {
        return Err(Error::Forbidden(Code::Forbidden));
    };
    let now = app.now_ms();
    let post = app.store().write(|tx| {
        let mut post = Post::new(kind, actor.user_id, default_unit, now);
        if let Some(reg) = post.regulation.as_mut() {
            reg.scope_unit_id = actor
                .tree
                .enterprise_of(default_unit)
                .unwrap_or(default_unit);
        }
        let mut fields = FieldErrors::new();
        apply(app, tx, actor, &mut post, &input, &mut fields)?;
        if !fields.is_empty() {
            return Err(Error::Validation(fields));
        }
        if !permits(actor, kind, right_unit(&post)) {
            return Err(Error::Forbidden(Code::Forbidden));
        }
        post.id = store::next_id(tx, Post::KIND)?;
        claim(tx, &post)?;
        ps::put_post(tx, None, &post)?;
        audit_event(tx, actor, now, "post.create", &post)?;
        Ok(post)
    })?;
    if input.publish == Some(true) {
        return publish(app, actor, post.id);
    }
    Ok(post)
}

/// Changes a post (its author or a publisher of its unit); a published one is re-filed and
/// re-indexed at once.
pub fn update(app: &App, actor: &Actor, id: u64, input: PostInput) -> Result<Post> {
    crate::org::admin::require_person(actor)?;
    if input.kind.is_some() || input.publish.is_some() {
        return Err(Error::field(
            if input.kind.is_some() {
                "kind"
            } else {
                "publish"
            },
            "error.invalid",
        ));
    }
    let now = app.now_ms();
    app.store().write(|tx| {
        let old = ps::post_w(tx, id)?.ok_or(Error::NotFound)?;
        may_change(actor, &old, now)?;
        if old.status == Status::Withdrawn {
            return Err(Error::Conflict(Code::Conflict));
        }
        let mut post = old.clone();
        let mut fields = FieldErrors::new();
        apply(app, tx, actor, &mut post, &input, &mut fields)?;
        if post.status != Status::Draft {
            fields.extend(complete(&post));
        }
        if !fields.is_empty() {
            return Err(Error::Validation(fields));
        }
        if !permits(actor, post.kind, right_unit(&post)) && post.author_id != actor.user_id {
            return Err(Error::Forbidden(Code::Forbidden));
        }
        // A scheduled post moved into the past goes out with the next tick.
        post.updated_ms = now;
        claim(tx, &post)?;
        ps::put_post(tx, Some(&old), &post)?;
        if post.status == Status::Published {
            index(tx, &actor.tree, &post)?;
        }
        audit_event(tx, actor, now, "post.edit", &post)?;
        Ok(post)
    })
}

/// 404 unless the caller may see the post; 403 unless they publish for it.
fn may_change(actor: &Actor, post: &Post, now: i64) -> Result<()> {
    if manages(actor, post) {
        return Ok(());
    }
    let visible = super::rights(actor, post, now, false).is_some();
    Err(if visible {
        Error::Forbidden(Code::Forbidden)
    } else {
        Error::NotFound
    })
}

/// Publishes a draft now, or schedules it when its `publish_at` lies ahead; publishing a
/// scheduled post sends it out now.
pub fn publish(app: &App, actor: &Actor, id: u64) -> Result<Post> {
    crate::org::admin::require_person(actor)?;
    let now = app.now_ms();
    app.store().write(|tx| {
        let old = ps::post_w(tx, id)?.ok_or(Error::NotFound)?;
        may_change(actor, &old, now)?;
        if !matches!(old.status, Status::Draft | Status::Scheduled) {
            return Err(Error::Conflict(Code::Conflict));
        }
        let missing = complete(&old);
        if !missing.is_empty() {
            return Err(Error::Validation(missing));
        }
        let mut post = old.clone();
        let later = old.status == Status::Draft && post.publish_ms.is_some_and(|p| p > now);
        if later {
            post.status = Status::Scheduled;
            ps::put_post(tx, Some(&old), &post)?;
            audit_event(tx, actor, now, "post.schedule", &post)?;
        } else {
            go_live(tx, &actor.tree, &old, &mut post, now)?;
            audit_event(tx, actor, now, "post.publish", &post)?;
        }
        Ok(post)
    })
}

/// Sends a post out at `now`: filed in its audience's feeds, indexed for search; a new version
/// of a regulation marks the one it replaces.
fn go_live(
    tx: &WriteTransaction,
    tree: &UnitTree,
    old: &Post,
    post: &mut Post,
    now: i64,
) -> Result<()> {
    if post.kind == Kind::Regulation && post.audience.is_empty() {
        post.audience.units = vec![right_unit(post)];
    }
    post.status = Status::Published;
    post.published_ms = Some(now);
    post.publish_ms = Some(now);
    post.updated_ms = now;
    ps::put_post(tx, Some(old), post)?;
    index(tx, tree, post)?;
    if let Some(prev_id) = post.regulation.as_ref().and_then(|r| r.supersedes)
        && let Some(prev) = ps::post_w(tx, prev_id)?
    {
        let mut next = prev.clone();
        if let Some(r) = next.regulation.as_mut() {
            r.superseded_by = Some(post.id);
        }
        ps::put_post(tx, Some(&prev), &next)?;
        index(tx, tree, &next)?;
    }
    Ok(())
}

/// Takes a published or scheduled post back: out of the feeds and the search (its reads are
/// kept). A withdrawn new version of a regulation puts the one it replaced back in force.
pub fn withdraw(app: &App, actor: &Actor, id: u64, reason: &str) -> Result<Post> {
    crate::org::admin::require_person(actor)?;
    let now = app.now_ms();
    let reason: String = reason.trim().chars().take(500).collect();
    app.store().write(|tx| {
        let old = ps::post_w(tx, id)?.ok_or(Error::NotFound)?;
        may_change(actor, &old, now)?;
        if !matches!(old.status, Status::Published | Status::Scheduled) {
            return Err(Error::Conflict(Code::Conflict));
        }
        let mut post = old.clone();
        post.status = Status::Withdrawn;
        post.withdrawn_ms = Some(now);
        post.updated_ms = now;
        ps::put_post(tx, Some(&old), &post)?;
        outbox::append(
            tx,
            &Change::Delete {
                key: format!("post:{}", post.id),
            },
        )?;
        if let Some(prev_id) = post.regulation.as_ref().and_then(|r| r.supersedes)
            && let Some(prev) = ps::post_w(tx, prev_id)?
            && prev.regulation.as_ref().and_then(|r| r.superseded_by) == Some(post.id)
        {
            let mut back = prev.clone();
            if let Some(r) = back.regulation.as_mut() {
                r.superseded_by = None;
            }
            ps::put_post(tx, Some(&prev), &back)?;
            index(tx, &actor.tree, &back)?;
        }
        audit::append(
            tx,
            now,
            audit::Event {
                actor_id: Some(actor.user_id),
                actor_login: actor.login.clone(),
                action: "post.withdraw".into(),
                target: format!("post:{}", post.id),
                detail: format!("{}: {} ({reason})", post.kind.code(), post.title),
                ip: None,
            },
        )?;
        Ok(post)
    })
}

/// Publishes the scheduled posts whose time has come (the scheduler's tick); returns how many.
pub fn publish_due(app: &App) -> Result<usize> {
    let now = app.now_ms();
    let due = app.store().read(|tx| ps::due(tx, now, 500))?;
    if due.is_empty() {
        return Ok(0);
    }
    let tree = app.tree()?;
    app.store().write(|tx| {
        let mut n = 0;
        for id in &due {
            let Some(old) = ps::post_w(tx, *id)? else {
                continue;
            };
            if old.status != Status::Scheduled || old.publish_ms.is_some_and(|p| p > now) {
                continue;
            }
            let mut post = old.clone();
            go_live(tx, &tree, &old, &mut post, now)?;
            audit::append(
                tx,
                now,
                audit::Event::system(
                    "post.publish",
                    format!("post:{}", post.id),
                    format!("{}: {} (scheduled)", post.kind.code(), post.title),
                ),
            )?;
            n += 1;
        }
        Ok(n)
    })
}

/// What the search index holds for a published post: its audience and its publishers find it.
pub fn search_doc(tree: &UnitTree, post: &Post, files: Vec<FileRef>) -> SearchDoc {
    let mut acl = post.audience.acl();
    acl.push(format!("user:{}", post.author_id));
    let mut body = String::new();
    if let Some(r) = &post.regulation {
        body.push_str(&format!("{} {}\n", r.number, r.category));
    }
    body.push_str(&richtext::plain_text(&post.body_html));
    SearchDoc {
        key: format!("post:{}", post.id),
        kind: post.kind.code().into(),
        title: post.title.clone(),
        body,
        acl,
        time_ms: post.published_ms.unwrap_or(post.created_ms),
        url: format!("/posts/{}", post.id),
        units: tree.ancestors(post.unit_id),
        files,
    }
}

/// Appends the post's search entry to the outbox.
pub fn index(tx: &WriteTransaction, tree: &UnitTree, post: &Post) -> Result<()> {
    let mut files = Vec::new();
    for id in &post.attachments {
        if let Some(a) = ps::attachment_w(tx, *id)? {
            files.push(FileRef {
                name: a.name,
                blob: a.sha256,
            });
        }
    }
    outbox::append(tx, &Change::Upsert(search_doc(tree, post, files)))?;
    Ok(())
}

/// Stores an uploaded file for its uploader to attach to a post (anyone who may publish).
pub fn upload(
    app: &App,
    actor: &Actor,
    name: &str,
    content_type: &str,
    body: impl Read,
) -> Result<PostAttachment> {
    crate::org::admin::require_person(actor)?;
    if publishable(actor).is_empty() {
        return Err(Error::Forbidden(Code::Forbidden));
    }
    let (name, sha256, size) = app.blobs().put_upload(name, body, ATTACHMENT_MAX_BYTES)?;
    let now = app.now_ms();
    app.store().write(|tx| {
        let a = PostAttachment {
            id: store::next_id(tx, PostAttachment::KIND)?,
            sha256: sha256.clone(),
            name: name.clone(),
            size,
            content_type: content_type.chars().take(100).collect(),
            uploader: actor.user_id,
            post_id: None,
            created_ms: now,
        };
        ps::put_attachment(tx, &a)?;
        Ok(a)
    })
}

/// An attachment for whoever may open its post (or its uploader before it is attached); 404 for
/// everyone else.
pub fn attachment(app: &App, actor: &Actor, id: u64) -> Result<PostAttachment> {
    let now = app.now_ms();
    app.store().read(|tx| {
        let a = ps::attachment(tx, id)?.ok_or(Error::NotFound)?;
        let ok = match a.post_id {
            Some(p) => {
                let post = ps::post(tx, p)?.ok_or(Error::NotFound)?;
                post.attachments.contains(&a.id)
                    && super::rights(actor, &post, now, false).is_some()
            }
            None => a.uploader == actor.user_id,
        };
        if ok { Ok(a) } else { Err(Error::NotFound) }
    })
}
