//! Posts (信息发布): news, flash bulletins, notices, regulations and common resources. One record
//! kind for all five: they share the body, audience, schedule, pinning and read state; a
//! regulation adds its number, category, dates, scope and version chain.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::store::Record;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// 新闻: the brand department's group news, with a cover image.
    News,
    /// 快讯: short bulletins.
    Flash,
    /// 通知公告: a functional department's notices to its enterprise.
    Notice,
    /// 规章制度: the audit committee's (or an enterprise's) regulations.
    Regulation,
    /// 常用资料: reference material.
    Resource,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::Notice,
        Kind::News,
        Kind::Flash,
        Kind::Regulation,
        Kind::Resource,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Kind::News => "news",
            Kind::Flash => "flash",
            Kind::Notice => "notice",
            Kind::Regulation => "regulation",
            Kind::Resource => "resource",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.code() == s)
    }

    /// The kind's number in index keys.
    pub fn ord(self) -> u64 {
        match self {
            Kind::News => 1,
            Kind::Flash => 2,
            Kind::Notice => 3,
            Kind::Regulation => 4,
            Kind::Resource => 5,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Only its author and the unit's publishers see it.
    Draft,
    /// Published at `publish_ms` by the scheduler.
    Scheduled,
    /// Visible to its audience (until `expires_ms`, when it reads as expired).
    Published,
    /// Taken back by a publisher: out of the lists and the search, kept for the record.
    Withdrawn,
}

/// Who a post is for: everyone, the people of some unit subtrees, and named people.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Audience {
    pub everyone: bool,
    pub units: Vec<u64>,
    pub users: Vec<u64>,
}

impl Audience {
    pub fn is_empty(&self) -> bool {
        !self.everyone && self.units.is_empty() && self.users.is_empty()
    }

    /// The feed scopes a post is filed under (see `store::scope`).
    pub fn scopes(&self) -> Vec<u64> {
        if self.everyone {
            return vec![super::store::EVERYONE];
        }
        let mut out: Vec<u64> = self
            .units
            .iter()
            .map(|u| super::store::unit_scope(*u))
            .chain(self.users.iter().map(|u| super::store::user_scope(*u)))
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The search ACL terms of the audience.
    pub fn acl(&self) -> Vec<String> {
        if self.everyone {
            return vec!["all".into()];
        }
        self.units
            .iter()
            .map(|u| format!("unit:{u}"))
            .chain(self.users.iter().map(|u| format!("user:{u}")))
            .collect()
    }
}

/// What only regulations have.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Regulation {
    /// 制度编号, e.g. `JT-SJ-2026-003`.
    pub number: String,
    /// 类别: 财务, 人事, 安全…
    pub category: String,
    /// 施行日期.
    pub effective_date: Option<NaiveDate>,
    /// 废止日期: from this day it is no longer in force.
    pub repeal_date: Option<NaiveDate>,
    /// The headquarters (the group) or a member enterprise whose regulation it is.
    pub scope_unit_id: u64,
    /// The version this one replaces.
    pub supersedes: Option<u64>,
    /// The version that replaced this one (set when that one is published).
    pub superseded_by: Option<u64>,
    /// 1 for a first version, one more for each replacement.
    pub version: u32,
}

impl Regulation {
    /// Whether it is in force on `today`: not replaced, not repealed (not yet effective counts
    /// as in force: it is the rule people must prepare for).
    pub fn in_force(&self, today: NaiveDate) -> bool {
        self.superseded_by.is_none() && self.repeal_date.is_none_or(|d| d > today)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Post {
    pub id: u64,
    pub kind: Kind,
    pub title: String,
    /// Sanitized (web::richtext::clean).
    pub body_html: String,
    /// The publishing unit (发布部门).
    pub unit_id: u64,
    pub author_id: u64,
    pub audience: Audience,
    pub status: Status,
    /// When it goes (or went) out: a future instant while scheduled.
    pub publish_ms: Option<i64>,
    /// When it actually went out.
    pub published_ms: Option<i64>,
    /// Shown above the others until this instant.
    pub pinned_until_ms: Option<i64>,
    /// Out of the lists from this instant (it reads as expired).
    pub expires_ms: Option<i64>,
    /// Readers confirm they have read it (通知 needing 确认).
    pub require_ack: bool,
    pub attachments: Vec<u64>,
    /// The news picture: one of the attachments, an image.
    pub cover: Option<u64>,
    pub regulation: Option<Regulation>,
    pub created_ms: i64,
    pub updated_ms: i64,
    pub withdrawn_ms: Option<i64>,
}

impl Record for Post {
    const KIND: &'static str = "post";
}

impl Post {
    pub fn new(kind: Kind, author: u64, unit: u64, now: i64) -> Post {
        Post {
            id: 0,
            kind,
            title: String::new(),
            body_html: String::new(),
            unit_id: unit,
            author_id: author,
            audience: Audience::default(),
            status: Status::Draft,
            publish_ms: None,
            published_ms: None,
            pinned_until_ms: None,
            expires_ms: None,
            require_ack: false,
            attachments: Vec::new(),
            cover: None,
            regulation: (kind == Kind::Regulation).then(|| Regulation {
                version: 1,
                ..Regulation::default()
            }),
            created_ms: now,
            updated_ms: now,
            withdrawn_ms: None,
        }
    }

    /// The state as people see it at `now`: `draft`, `scheduled`, `published`, `expired`,
    /// `withdrawn`.
    pub fn state(&self, now: i64) -> &'static str {
        match self.status {
            Status::Draft => "draft",
            Status::Scheduled => "scheduled",
            Status::Withdrawn => "withdrawn",
            Status::Published if self.expires_ms.is_some_and(|e| e <= now) => "expired",
            Status::Published => "published",
        }
    }

    pub fn is_live(&self, now: i64) -> bool {
        self.state(now) == "published"
    }

    pub fn is_pinned(&self, now: i64) -> bool {
        self.is_live(now) && self.pinned_until_ms.is_some_and(|p| p > now)
    }
}

/// One reader's state of one post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Read {
    pub post_id: u64,
    pub user_id: u64,
    pub read_ms: i64,
    pub ack_ms: Option<i64>,
}

impl Record for Read {
    const KIND: &'static str = "post.read";
}

/// An uploaded file: the uploader's until a post names it, then the post's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostAttachment {
    pub id: u64,
    pub sha256: String,
    pub name: String,
    pub size: u64,
    pub content_type: String,
    pub uploader: u64,
    pub post_id: Option<u64>,
    pub created_ms: i64,
}

impl Record for PostAttachment {
    const KIND: &'static str = "post.attachment";
}

impl PostAttachment {
    pub fn is_image(&self) -> bool {
        let n = self.name.to_ascii_lowercase();
        [".png", ".jpg", ".jpeg", ".gif", ".webp"]
            .iter()
            .any(|e| n.ends_with(e))
    }
}
