//! Publication, run in the transaction of the final approval: the number is taken, the
//! publication time is that approval's, and every recipient gets their copy and a message.

use std::collections::BTreeMap;

use chrono::{Datelike, TimeZone};
use redb::WriteTransaction;

use super::super::model::{
    DEFAULT_FORMAT, Direction, Document, NumberRule, Receipt, RecipientKind, Status,
};
use super::super::store::{self as ds, NumberUse};
use crate::App;
use crate::error::Result;
use crate::inbox::model::{Kind, NewNotification};
use crate::inbox::service::notify;
use crate::org::model::UserStatus;
use crate::org::store as org_store;
use crate::org::tree::UnitTree;
use crate::store::audit;
use crate::store::outbox::{self, Change, FileRef, SearchDoc};

/// The rule of `unit`, or the default: the unit's name as 机关代字.
pub fn rule_or_default(tx: &WriteTransaction, unit: u64) -> Result<NumberRule> {
    if let Some(r) = ds::rule_w(tx, unit)? {
        return Ok(r);
    }
    let name = org_store::unit_by_id_w(tx, unit)?
        .map(|u| u.name)
        .unwrap_or_default();
    Ok(NumberRule {
        unit_id: unit,
        prefix: name,
        format: DEFAULT_FORMAT.into(),
    })
}

/// Local calendar year of an instant.
pub fn year_of(app: &App, ms: i64) -> i32 {
    app.tz()
        .timestamp_millis_opt(ms)
        .single()
        .map_or(1970, |t| t.year())
}

/// The people a document goes to: each active person in the primary and cc units (and the
/// units below them) and each named person; primary wins over cc.
pub fn recipients(
    tx: &WriteTransaction,
    tree: &UnitTree,
    doc: &Document,
) -> Result<BTreeMap<u64, RecipientKind>> {
    let mut out = BTreeMap::new();
    for (units, users, kind) in [
        (&doc.cc_units, &doc.cc_users, RecipientKind::Cc),
        (&doc.to_units, &doc.to_users, RecipientKind::To),
    ] {
        for unit in units {
            for u in tree.subtree(*unit) {
                for person in org_store::users_in_unit_w(tx, u)? {
                    if person.status == UserStatus::Active {
                        out.insert(person.id, kind);
                    }
                }
            }
        }
        for id in users {
            if org_store::user_by_id_w(tx, *id)?.is_some_and(|u| u.status == UserStatus::Active) {
                out.insert(*id, kind);
            }
        }
    }
    Ok(out)
}

/// What the search index holds for a published document: its recipients, drafter and the
/// issuing unit's clerks may find it; its attachments' text is indexed with the body.
pub fn search_doc(
    doc: &Document,
    readers: impl Iterator<Item = u64>,
    clerk_units: &[u64],
    files: Vec<FileRef>,
) -> SearchDoc {
    let mut acl: Vec<String> = readers.map(|u| format!("user:{u}")).collect();
    acl.push(format!("user:{}", doc.author_id));
    acl.extend(
        clerk_units
            .iter()
            .map(|u| format!("role:document_clerk@{u}")),
    );
    let mut title = doc.title.clone();
    if doc.status == Status::Revoked {
        title.push_str("（已撤销）");
    }
    SearchDoc {
        key: format!("document:{}", doc.id),
        kind: "document".into(),
        title,
        body: format!(
            "{} {}",
            doc.doc_number.clone().unwrap_or_default(),
            crate::web::richtext::plain_text(&doc.body_html)
        ),
        acl,
        time_ms: doc.published_ms.unwrap_or(doc.created_ms),
        url: format!("/documents/{}", doc.id),
        units: clerk_units.to_vec(),
        files,
    }
}

/// Appends the document's search entry (recipients from its receipts) to the outbox.
pub fn index(tx: &WriteTransaction, tree: &UnitTree, doc: &Document) -> Result<()> {
    let readers: Vec<u64> = ds::receipts_of_w(tx, doc.id)?
        .into_iter()
        .map(|r| r.user_id)
        .collect();
    let clerk_units = tree.ancestors(doc.issuing_unit_id);
    let mut files = Vec::new();
    for id in &doc.attachments {
        if let Some(a) = ds::attachment_w(tx, *id)? {
            files.push(FileRef {
                name: a.name,
                blob: a.sha256,
            });
        }
    }
    outbox::append(
        tx,
        &Change::Upsert(search_doc(doc, readers.into_iter(), &clerk_units, files)),
    )?;
    Ok(())
}

/// Publishes `doc` at `at` (the final approval's instant); returns the people to ring.
pub fn publish(app: &App, tx: &WriteTransaction, doc: &mut Document, at: i64) -> Result<Vec<u64>> {
    let year = year_of(app, at);
    if doc.direction == Direction::Outgoing {
        let rule = rule_or_default(tx, doc.issuing_unit_id)?;
        let seq = ds::take_numbers(
            tx,
            doc.issuing_unit_id,
            year,
            1,
            NumberUse::Document(doc.id),
        )?;
        doc.doc_number = Some(rule.render(year, seq));
        doc.number_seq = Some((year, seq));
    }
    let old = doc.clone();
    doc.status = Status::Published;
    doc.published_ms = Some(at);
    doc.updated_ms = at;
    let remind_days = app.config().documents.remind_after_days;
    let remind_at = if remind_days > 0 {
        let cal = app.workdays()?;
        Some(cal.add_working_days(at, remind_days, &app.tz()))
    } else {
        None
    };
    // The organization as the node caches it (rebuilt whenever it changes).
    let tree = app.tree()?;
    let people = recipients(tx, &tree, doc)?;
    let subject = format!(
        "{} {}",
        doc.doc_number.clone().unwrap_or_default(),
        doc.title
    )
    .trim()
    .to_string();
    for (user, kind) in &people {
        let r = Receipt {
            document_id: doc.id,
            user_id: *user,
            kind: *kind,
            delivered_ms: at,
            read_ms: None,
            acknowledged_ms: None,
            prints: 0,
            remind_at_ms: remind_at,
            reminded_ms: None,
        };
        ds::put_receipt(tx, None, &r)?;
        notify(
            tx,
            at,
            &NewNotification {
                user_id: *user,
                kind: Kind::Document,
                subject: subject.chars().take(200).collect(),
                note: String::new(),
                link: format!("/documents/{}", doc.id),
                actor_id: None,
                actor_name: String::new(),
            },
        )?;
    }
    doc.recipients = people.len() as u32;
    ds::put_document(tx, Some(&old), doc)?;
    index(tx, &tree, doc)?;
    let issuer_login = match doc.issuer_id {
        Some(id) => org_store::user_by_id_w(tx, id)?.map(|u| u.login),
        None => None,
    };
    audit::append(
        tx,
        at,
        audit::Event {
            actor_id: doc.issuer_id,
            actor_login: issuer_login.unwrap_or_default(),
            action: "document.publish".into(),
            target: format!("document:{}", doc.id),
            detail: format!(
                "{} → {} recipients",
                doc.doc_number.clone().unwrap_or_default(),
                people.len()
            ),
            ip: None,
        },
    )?;
    Ok(people.into_keys().collect())
}
