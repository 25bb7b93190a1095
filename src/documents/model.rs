//! Official documents (公文): the record with the elements of GB/T 9704-2012, the people it is
//! distributed to, its prints, and the numbering rules of an issuing unit.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::store::Record;

/// 文种.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocType {
    Notice,
    Bulletin,
    Decision,
    Opinion,
    Request,
    Report,
    Reply,
    Letter,
    Minutes,
}

impl DocType {
    pub const ALL: [DocType; 9] = [
        DocType::Notice,
        DocType::Bulletin,
        DocType::Decision,
        DocType::Opinion,
        DocType::Request,
        DocType::Report,
        DocType::Reply,
        DocType::Letter,
        DocType::Minutes,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DocType::Notice => "notice",
            DocType::Bulletin => "bulletin",
            DocType::Decision => "decision",
            DocType::Opinion => "opinion",
            DocType::Request => "request",
            DocType::Report => "report",
            DocType::Reply => "reply",
            DocType::Letter => "letter",
            DocType::Minutes => "minutes",
        }
    }

    pub fn parse(s: &str) -> Option<DocType> {
        DocType::ALL.into_iter().find(|t| t.code() == s)
    }

    /// The Chinese name, as printed after the issuing unit (e.g. 通知).
    pub fn zh(self) -> &'static str {
        match self {
            DocType::Notice => "通知",
            DocType::Bulletin => "通报",
            DocType::Decision => "决定",
            DocType::Opinion => "意见",
            DocType::Request => "请示",
            DocType::Report => "报告",
            DocType::Reply => "批复",
            DocType::Letter => "函",
            DocType::Minutes => "纪要",
        }
    }
}

/// 密级. Only the first two may enter the system; the others are refused with a message that
/// classified documents stay offline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Classification {
    Public,
    Internal,
    Secret,
    Confidential,
    TopSecret,
}

impl Classification {
    pub fn allowed(self) -> bool {
        matches!(self, Classification::Public | Classification::Internal)
    }

    pub fn code(self) -> &'static str {
        match self {
            Classification::Public => "public",
            Classification::Internal => "internal",
            Classification::Secret => "secret",
            Classification::Confidential => "confidential",
            Classification::TopSecret => "top_secret",
        }
    }
}

/// 紧急程度.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    #[default]
    Normal,
    Urgent,
    VeryUrgent,
}

impl Urgency {
    pub fn code(self) -> &'static str {
        match self {
            Urgency::Normal => "normal",
            Urgency::Urgent => "urgent",
            Urgency::VeryUrgent => "very_urgent",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = DocumentStatus)]
pub enum Status {
    Draft,
    InReview,
    /// Returned or rejected by an approver: the drafter revises and submits again.
    Returned,
    Published,
    Revoked,
}

impl Status {
    pub fn code(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::InReview => "in_review",
            Status::Returned => "returned",
            Status::Published => "published",
            Status::Revoked => "revoked",
        }
    }

    /// Published or revoked: it has recipients.
    pub fn is_out(self) -> bool {
        matches!(self, Status::Published | Status::Revoked)
    }

    /// The drafter may still change it.
    pub fn editable(self) -> bool {
        matches!(self, Status::Draft | Status::Returned)
    }
}

/// 发文 (drafted here) or 收文 (received from outside and registered by a clerk).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    #[default]
    Outgoing,
    Incoming,
}

/// Who may print: every recipient, nobody, or the named people.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrintRight {
    All,
    #[default]
    None,
    Users(Vec<u64>),
}

impl PrintRight {
    pub fn allows(&self, user: u64) -> bool {
        match self {
            PrintRight::All => true,
            PrintRight::None => false,
            PrintRight::Users(ids) => ids.contains(&user),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    pub id: u64,
    #[serde(default)]
    pub direction: Direction,
    pub doc_type: DocType,
    pub title: String,
    pub classification: Classification,
    pub urgency: Urgency,
    /// 发文机关.
    pub issuing_unit_id: u64,
    /// 签发人: signs as the last approver.
    pub issuer_id: Option<u64>,
    /// 发文字号, allocated at publication (or, for an incoming document, the sender's number).
    pub doc_number: Option<String>,
    /// `(year, sequence)` of the number allocated here.
    pub number_seq: Option<(i32, u32)>,
    pub to_units: Vec<u64>,
    pub to_users: Vec<u64>,
    pub cc_units: Vec<u64>,
    pub cc_users: Vec<u64>,
    /// Sanitized HTML (web::richtext).
    pub body_html: String,
    pub attachments: Vec<u64>,
    /// 成文日期; the publication date when not set.
    pub date_written: Option<NaiveDate>,
    /// 附注.
    pub notes: String,
    /// 印发机关; the issuing unit's name when empty.
    pub printing_office: String,
    pub can_print: PrintRight,
    /// Copies each recipient may print (None: no limit).
    pub print_limit: Option<u32>,
    pub author_id: u64,
    pub status: Status,
    /// The approval under way or last finished, and all of them in order.
    pub instance_id: Option<u64>,
    pub instances: Vec<u64>,
    /// Incoming documents: the sending organization (来文单位) and the date received.
    pub source: String,
    pub received_date: Option<NaiveDate>,
    pub created_ms: i64,
    pub updated_ms: i64,
    pub submitted_ms: Option<i64>,
    /// The instant the final approval completed.
    pub published_ms: Option<i64>,
    pub revoked_ms: Option<i64>,
    pub revoked_by: Option<u64>,
    pub revoke_reason: String,
    /// Copy numbers (份号) handed out so far; the next print gets this plus one.
    pub copies: u32,
    /// People the document was distributed to.
    pub recipients: u32,
}

impl Record for Document {
    const KIND: &'static str = "document";
}

impl Document {
    /// An empty draft of `author`'s, issued by `unit` (id 0 until it is stored).
    pub fn draft(author: u64, unit: u64, direction: Direction, now: i64) -> Document {
        Document {
            id: 0,
            direction,
            doc_type: DocType::Notice,
            title: String::new(),
            classification: Classification::Internal,
            urgency: Urgency::Normal,
            issuing_unit_id: unit,
            issuer_id: None,
            doc_number: None,
            number_seq: None,
            to_units: Vec::new(),
            to_users: Vec::new(),
            cc_units: Vec::new(),
            cc_users: Vec::new(),
            body_html: String::new(),
            attachments: Vec::new(),
            date_written: None,
            notes: String::new(),
            printing_office: String::new(),
            can_print: PrintRight::None,
            print_limit: None,
            author_id: author,
            status: Status::Draft,
            instance_id: None,
            instances: Vec::new(),
            source: String::new(),
            received_date: None,
            created_ms: now,
            updated_ms: now,
            submitted_ms: None,
            published_ms: None,
            revoked_ms: None,
            revoked_by: None,
            revoke_reason: String::new(),
            copies: 0,
            recipients: 0,
        }
    }

    /// The year its number belongs to, or of its publication.
    pub fn year(&self) -> Option<i32> {
        self.number_seq.map(|(y, _)| y)
    }
}

/// A file attached to a document (its body is a blob).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocAttachment {
    pub id: u64,
    pub sha256: String,
    pub name: String,
    pub size: u64,
    pub content_type: String,
    pub uploader: u64,
    pub document_id: Option<u64>,
    pub created_ms: i64,
}

impl Record for DocAttachment {
    const KIND: &'static str = "document.attachment";
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecipientKind {
    /// 主送.
    To,
    /// 抄送.
    Cc,
}

/// One person's copy of a published document: when it arrived, was read, acknowledged (签收),
/// how often they printed it and when they were last reminded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Receipt {
    pub document_id: u64,
    pub user_id: u64,
    pub kind: RecipientKind,
    pub delivered_ms: i64,
    pub read_ms: Option<i64>,
    pub acknowledged_ms: Option<i64>,
    pub prints: u32,
    /// When the automatic reminder is due (while not acknowledged).
    pub remind_at_ms: Option<i64>,
    pub reminded_ms: Option<i64>,
}

impl Record for Receipt {
    const KIND: &'static str = "document.receipt";
}

/// One printed copy: its copy number (份号), who printed it and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Print {
    pub document_id: u64,
    pub copy_no: u32,
    pub user_id: u64,
    pub at_ms: i64,
}

impl Record for Print {
    const KIND: &'static str = "document.print";
}

/// How an issuing unit numbers its documents: `{prefix}〔{year}〕{seq}号` by default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NumberRule {
    pub unit_id: u64,
    /// 机关代字, e.g. 示例集.
    pub prefix: String,
    pub format: String,
}

impl Record for NumberRule {
    const KIND: &'static str = "document.number_rule";
}

pub const DEFAULT_FORMAT: &str = "{prefix}〔{year}〕{seq}号";

impl NumberRule {
    pub fn render(&self, year: i32, seq: u32) -> String {
        self.format
            .replace("{prefix}", &self.prefix)
            .replace("{year}", &year.to_string())
            .replace("{seq}", &seq.to_string())
    }
}

/// Numbers a clerk took out of the sequence for paper documents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reservation {
    pub id: u64,
    pub unit_id: u64,
    pub year: i32,
    pub first: u32,
    pub last: u32,
    pub by: u64,
    pub reason: String,
    pub at_ms: i64,
}

impl Record for Reservation {
    const KIND: &'static str = "document.reservation";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_number_format_follows_gbt9704() {
        let r = NumberRule {
            unit_id: 1,
            prefix: "示例集".into(),
            format: DEFAULT_FORMAT.into(),
        };
        assert_eq!(r.render(2026, 7), "示例集〔2026〕7号");
    }

    #[test]
    fn only_unclassified_documents_are_allowed() {
        assert!(Classification::Public.allowed());
        assert!(Classification::Internal.allowed());
        for c in [
            Classification::Secret,
            Classification::Confidential,
            Classification::TopSecret,
        ] {
            assert!(!c.allowed());
        }
    }
}
