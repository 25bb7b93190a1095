//! What people do with posts, each call authorized here: writing, publishing and withdrawing
//! (`edit`), reading and acknowledging (`reading`), the lists and the workbench (`lists`).
//!
//! Who may publish (the group's rules): news and flash by `news_publisher`; regulations by
//! `regulation_publisher` for the scope they are granted in (headquarters or one member
//! enterprise); notices by a department's `notice_publisher`, to audiences within their
//! enterprise; resources by administrators and any publisher. The same right on the post's unit
//! lets a colleague edit or withdraw it; both are audited.

pub mod edit;
pub mod lists;
pub mod reading;

use redb::ReadTransaction;
use serde::Serialize;

use super::model::{Kind, Post, Status};
use super::store as ps;
use crate::auth::{Actor, Permission};
use crate::error::{Error, Result};

/// What the caller may do with one post (the API's `permissions`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = PostRights)]
pub struct Rights {
    pub read: bool,
    pub edit: bool,
    pub publish: bool,
    pub withdraw: bool,
    /// Who has read it (its publishers).
    pub readers: bool,
    pub acknowledge: bool,
}

impl Rights {
    pub fn names(&self) -> Vec<&'static str> {
        [
            (self.read, "read"),
            (self.edit, "edit"),
            (self.publish, "publish"),
            (self.withdraw, "withdraw"),
            (self.readers, "readers"),
            (self.acknowledge, "acknowledge"),
        ]
        .into_iter()
        .filter_map(|(on, n)| on.then_some(n))
        .collect()
    }
}

/// Whether `actor` may publish posts of `kind` for `unit` (a regulation's scope, otherwise the
/// publishing unit).
pub fn permits(actor: &Actor, kind: Kind, unit: u64) -> bool {
    use Permission::*;
    match kind {
        Kind::News | Kind::Flash => actor.can(PublishNews, unit),
        Kind::Regulation => actor.can(PublishRegulations, unit),
        Kind::Notice => actor.can(PublishNotices, unit),
        Kind::Resource => [ManageOrg, PublishNotices, PublishNews, PublishRegulations]
            .into_iter()
            .any(|p| actor.can(p, unit)),
    }
}

/// The unit a post's right is checked on: a regulation's scope, else its publishing unit.
pub fn right_unit(post: &Post) -> u64 {
    post.regulation
        .as_ref()
        .map_or(post.unit_id, |r| r.scope_unit_id)
}

/// Whether `actor` publishes for the post's unit (its author included).
pub fn manages(actor: &Actor, post: &Post) -> bool {
    post.author_id == actor.user_id || permits(actor, post.kind, right_unit(post))
}

/// Whether the post is addressed to `actor`.
pub fn in_audience(actor: &Actor, post: &Post) -> bool {
    let a = &post.audience;
    a.everyone
        || a.users.contains(&actor.user_id)
        || a.units
            .iter()
            .any(|u| actor.tree.is_within(actor.unit_id, *u))
}

/// The kinds `actor` may publish, with the unit each would be published for by default (the
/// unit of the first grant that allows it).
pub fn publishable(actor: &Actor) -> Vec<(Kind, u64)> {
    Kind::ALL
        .into_iter()
        .filter_map(|k| {
            actor
                .grants
                .iter()
                .map(|(_, at)| *at)
                .find(|at| permits(actor, k, *at))
                .map(|at| (k, at))
        })
        .collect()
}

/// Who may open a post and what else they may do; `None` means it does not exist for them.
pub fn rights(actor: &Actor, post: &Post, now: i64, acked: bool) -> Option<Rights> {
    let manager = manages(actor, post);
    let reader = post.is_live(now) && in_audience(actor, post);
    // Once out, a post stays readable to its audience when it expires (a link keeps working)
    // but not once withdrawn.
    let past_reader = post.status == Status::Published && in_audience(actor, post);
    if !(manager || reader || past_reader) {
        return None;
    }
    let editable = manager && post.status != Status::Withdrawn;
    Some(Rights {
        read: true,
        edit: editable,
        publish: manager && matches!(post.status, Status::Draft | Status::Scheduled),
        withdraw: manager && matches!(post.status, Status::Published | Status::Scheduled),
        readers: manager && post.status == Status::Published,
        acknowledge: reader && post.require_ack && !acked,
    })
}

/// A post with the caller's rights, or 404.
pub fn load(tx: &ReadTransaction, actor: &Actor, id: u64, now: i64) -> Result<(Post, Rights)> {
    let post = ps::post(tx, id)?.ok_or(Error::NotFound)?;
    let read = ps::read_of(tx, id, actor.user_id)?;
    let acked = read.is_some_and(|r| r.ack_ms.is_some());
    let rights = rights(actor, &post, now, acked).ok_or(Error::NotFound)?;
    Ok((post, rights))
}
