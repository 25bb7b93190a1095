//! A notification (消息) and its validation. Pure: no I/O, no Rocket.

use serde::{Deserialize, Serialize};

use crate::error::{Error, FieldErrors, Result};
use crate::store::Record;

/// Characters, at most, of a subject, a note, a link and an actor's name.
pub const SUBJECT_MAX: usize = 200;
pub const NOTE_MAX: usize = 2000;
pub const LINK_MAX: usize = 1000;
pub const ACTOR_NAME_MAX: usize = 100;

/// What happened. The page shows it in the reader's language (`inbox.kind.<name>`); the subject
/// says to what.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// 新待办: a task waits for the reader.
    Task,
    /// 已通过: the reader's request was approved.
    Approved,
    /// 已驳回
    Rejected,
    /// 被退回: sent back to the reader.
    Returned,
    /// 催办
    Urged,
    /// 即将超时
    Reminder,
    /// 已超时
    Overdue,
    /// 抄送待阅
    Cc,
    /// 转交给你
    Transferred,
    /// 代理: a task came to the reader as someone's delegate.
    Delegated,
    /// 已撤回
    Withdrawn,
    /// 收文: an official document arrived (or a reminder to acknowledge one).
    Document,
    /// Anything else the node says. A kind written by a newer binary reads as this one.
    #[serde(other)]
    System,
}

impl Kind {
    pub const ALL: [Kind; 13] = [
        Kind::Task,
        Kind::Approved,
        Kind::Rejected,
        Kind::Returned,
        Kind::Urged,
        Kind::Reminder,
        Kind::Overdue,
        Kind::Cc,
        Kind::Transferred,
        Kind::Delegated,
        Kind::Withdrawn,
        Kind::Document,
        Kind::System,
    ];

    /// The wire name (`task`, `cc`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Task => "task",
            Kind::Approved => "approved",
            Kind::Rejected => "rejected",
            Kind::Returned => "returned",
            Kind::Urged => "urged",
            Kind::Reminder => "reminder",
            Kind::Overdue => "overdue",
            Kind::Cc => "cc",
            Kind::Transferred => "transferred",
            Kind::Delegated => "delegated",
            Kind::Withdrawn => "withdrawn",
            Kind::Document => "document",
            Kind::System => "system",
        }
    }

    /// The catalog key of its label: `inbox.kind.task` → 新待办.
    pub fn label_key(self) -> String {
        format!("inbox.kind.{}", self.as_str())
    }
}

/// One message in one person's inbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notification {
    pub id: u64,
    /// Whose inbox it is in: only they read it.
    pub user_id: u64,
    pub kind: Kind,
    /// Already-human text written by the caller, e.g. 请假单 · 张伟 · 2 天.
    pub subject: String,
    /// Optional extra text (a comment); may be empty.
    #[serde(default)]
    pub note: String,
    /// A local path to go to, e.g. `/workflow/instances/12`.
    pub link: String,
    /// Who caused it, when a person did.
    #[serde(default)]
    pub actor_id: Option<u64>,
    #[serde(default)]
    pub actor_name: String,
    pub created_ms: i64,
    #[serde(default)]
    pub read_ms: Option<i64>,
}

impl Record for Notification {
    const KIND: &'static str = "inbox.notification";
}

impl Notification {
    pub fn is_unread(&self) -> bool {
        self.read_ms.is_none()
    }
}

/// What a feature hands to `inbox::service::notify`.
#[derive(Debug, Clone, PartialEq)]
pub struct NewNotification {
    pub user_id: u64,
    pub kind: Kind,
    pub subject: String,
    pub note: String,
    pub link: String,
    pub actor_id: Option<u64>,
    pub actor_name: String,
}

impl NewNotification {
    /// The same, trimmed, or the reasons it is refused field by field: a subject of 1 to 200
    /// characters, a note of at most 2,000, a local link (`/…`, never `//host` or a scheme) and an
    /// actor's name of at most 100.
    pub fn validated(&self) -> Result<NewNotification> {
        let mut fields = FieldErrors::new();
        let subject = self.subject.trim();
        if subject.is_empty() || subject.chars().count() > SUBJECT_MAX {
            fields.insert("subject".into(), "error.inbox.subject".into());
        }
        let note = self.note.trim();
        if note.chars().count() > NOTE_MAX {
            fields.insert("note".into(), "error.inbox.note".into());
        }
        let link = self.link.trim();
        if !is_local_link(link) {
            fields.insert("link".into(), "error.inbox.link".into());
        }
        let actor_name = self.actor_name.trim();
        if actor_name.chars().count() > ACTOR_NAME_MAX {
            fields.insert("actor_name".into(), "error.inbox.actor_name".into());
        }
        if !fields.is_empty() {
            return Err(Error::Validation(fields));
        }
        Ok(NewNotification {
            user_id: self.user_id,
            kind: self.kind,
            subject: subject.to_string(),
            note: note.to_string(),
            link: link.to_string(),
            actor_id: self.actor_id,
            actor_name: actor_name.to_string(),
        })
    }
}

/// A path on this node: starts with one `/` (not `//host` nor `/\host`, which browsers take for
/// another host), at most [`LINK_MAX`] characters, no spaces or control characters. Anything else
/// would make the inbox an open redirect.
pub fn is_local_link(link: &str) -> bool {
    link.starts_with('/')
        && !link.starts_with("//")
        && !link.starts_with("/\\")
        && link.len() <= LINK_MAX
        && !link.chars().any(|c| c.is_control() || c.is_whitespace())
}

/// `text` cut to at most `max` characters, ending in `…` when cut: for a caller fitting a long
/// comment into a note.
pub fn clip(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new() -> NewNotification {
        NewNotification {
            user_id: 7,
            kind: Kind::Task,
            subject: "  请假单 · 张伟 · 2 天 ".into(),
            note: String::new(),
            link: "/workflow/instances/12".into(),
            actor_id: Some(3),
            actor_name: "张伟".into(),
        }
    }

    fn refused(n: &NewNotification) -> Vec<String> {
        match n.validated() {
            Err(Error::Validation(f)) => f.into_keys().collect(),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn a_good_notification_is_trimmed() {
        let ok = new().validated().unwrap();
        assert_eq!(ok.subject, "请假单 · 张伟 · 2 天");
        assert_eq!(ok.link, "/workflow/instances/12");
    }

    #[test]
    fn subject_is_required_and_at_most_200_characters() {
        let mut n = new();
        n.subject = "审".repeat(SUBJECT_MAX);
        assert!(n.validated().is_ok(), "200 Chinese characters fit");
        n.subject.push('批');
        assert_eq!(refused(&n), ["subject"]);
        n.subject = "   ".into();
        assert_eq!(refused(&n), ["subject"]);
    }

    #[test]
    fn note_is_optional_and_at_most_2000_characters() {
        let mut n = new();
        n.note = "意".repeat(NOTE_MAX);
        assert!(n.validated().is_ok());
        n.note.push('见');
        assert_eq!(refused(&n), ["note"]);
    }

    #[test]
    fn only_local_links_are_kept() {
        for ok in ["/", "/inbox", "/workflow/instances/12?tab=log#step-2"] {
            assert!(is_local_link(ok), "{ok}");
        }
        for bad in [
            "",
            "inbox",
            "//evil.example/x",
            "/\\evil.example",
            "https://evil.example/",
            "javascript:alert(1)",
            "/a b",
            "/a\nb",
        ] {
            assert!(!is_local_link(bad), "{bad:?}");
            let mut n = new();
            n.link = bad.into();
            assert_eq!(refused(&n), ["link"], "{bad:?}");
        }
        assert!(!is_local_link(&format!("/{}", "a".repeat(LINK_MAX))));
    }

    #[test]
    fn every_reason_is_reported_at_once() {
        let n = NewNotification {
            subject: String::new(),
            note: "x".repeat(NOTE_MAX + 1),
            link: "http://x".into(),
            actor_name: "名".repeat(ACTOR_NAME_MAX + 1),
            ..new()
        };
        assert_eq!(refused(&n), ["actor_name", "link", "note", "subject"]);
    }

    #[test]
    fn clip_cuts_by_characters_with_an_ellipsis() {
        assert_eq!(clip(" 同意 ", 10), "同意");
        assert_eq!(clip("一二三四五", 3), "一二…");
        assert_eq!(clip("一二三四五", 3).chars().count(), 3);
    }

    #[test]
    fn kinds_have_stable_wire_names_and_an_unknown_one_reads_as_system() {
        for k in Kind::ALL {
            let json = serde_json::to_string(&k).unwrap();
            assert_eq!(json, format!("\"{}\"", k.as_str()));
            assert_eq!(serde_json::from_str::<Kind>(&json).unwrap(), k);
        }
        assert_eq!(Kind::Cc.label_key(), "inbox.kind.cc");
        assert_eq!(
            serde_json::from_str::<Kind>("\"meeting_invite\"").unwrap(),
            Kind::System
        );
    }

    #[test]
    fn a_stored_notification_round_trips_and_reads_a_newer_kind() {
        use crate::store::{Encoded, Stored};
        use redb::Value;
        let n = Notification {
            id: 1,
            user_id: 2,
            kind: Kind::Returned,
            subject: "报销单".into(),
            note: "发票缺失".into(),
            link: "/workflow/instances/1".into(),
            actor_id: None,
            actor_name: String::new(),
            created_ms: 5,
            read_ms: None,
        };
        let enc = Encoded::encode(&n).unwrap();
        assert_eq!(enc.decode().unwrap(), n);
        // A newer binary's kind in the same bytes.
        let bytes = <Stored<Notification> as Value>::as_bytes(&enc).to_vec();
        let needle = b"returned";
        let at = bytes
            .windows(needle.len())
            .position(|w| w == needle)
            .expect("the kind is stored by name");
        let mut newer = bytes.clone();
        newer[at..at + needle.len()].copy_from_slice(b"futurexx");
        let read: Notification = <Stored<Notification> as Value>::from_bytes(&newer)
            .decode()
            .unwrap();
        assert_eq!(read.kind, Kind::System);
    }
}
