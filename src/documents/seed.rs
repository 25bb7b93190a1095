//! `oanode seed --documents N`: published documents for the load harness, spread over the past
//! year, each issued by an enterprise (or the group) with its real number, sent to one
//! department, and one in ten also to the seeded administrator (the 收文 list's worst case).
//! Documents older than a month are read and acknowledged. No inbox messages and no search
//! entries are written for them (`oanode reindex` indexes them). Deterministic for a given
//! organization and N.

use chrono::{Datelike, TimeZone};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::model::{
    Classification, Direction, DocType, Document, PrintRight, Receipt, RecipientKind, Status,
    Urgency,
};
use super::service::publish::rule_or_default;
use super::store::{self as ds, NumberUse};
use crate::App;
use crate::error::{Error, Result};
use crate::org::model::{UnitKind, UserStatus};
use crate::store::{self, Record};

pub const MAX_DOCUMENTS: usize = 1_000_000;
/// Documents written per transaction.
const BATCH: usize = 2_000;
const DAY: i64 = 24 * 3_600_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seeded {
    pub documents: usize,
    pub receipts: usize,
    /// The reader with the most documents (login, count): the 收文 scenario's reader.
    pub busiest: Option<(String, usize)>,
}

const TITLES: [&str; 8] = [
    "关于开展安全生产大检查的通知",
    "关于做好年度预算编制工作的通知",
    "关于印发信息化管理办法的通知",
    "关于表彰先进集体和先进个人的决定",
    "关于调整会议室预约规则的通知",
    "关于加强合同管理的意见",
    "关于近期工作情况的报告",
    "关于商请支持数据治理项目的函",
];

pub fn documents(app: &App, n: usize) -> Result<Seeded> {
    if n > MAX_DOCUMENTS {
        return Err(Error::field("documents", "error.out_of_range"));
    }
    let (units, users) = app.store().read(|tx| {
        Ok((
            crate::org::store::units_all(tx)?,
            crate::org::store::users_all(tx)?,
        ))
    })?;
    let issuers: Vec<u64> = units
        .iter()
        .filter(|u| matches!(u.kind, UnitKind::Enterprise | UnitKind::Group))
        .map(|u| u.id)
        .collect();
    let tree = crate::org::tree::UnitTree::new(&units);
    // The people of each department, for distribution.
    let mut by_unit: std::collections::HashMap<u64, Vec<u64>> = Default::default();
    for u in users.iter().filter(|u| u.status == UserStatus::Active) {
        by_unit.entry(u.unit_id).or_default().push(u.id);
    }
    let mut departments: Vec<u64> = by_unit.keys().copied().collect();
    departments.sort_unstable();
    let admin = users
        .iter()
        .find(|u| u.login == crate::org::seed::ADMIN_LOGIN)
        .map(|u| u.id);
    if issuers.is_empty() || departments.is_empty() {
        return Err(Error::internal("seed the organization first"));
    }
    let now = app.now_ms();
    let tz = app.tz();
    let mut made = 0;
    let mut total = 0;
    let mut receipts = 0;
    let mut per_reader: std::collections::HashMap<u64, usize> = Default::default();
    while made < n {
        let batch = BATCH.min(n - made);
        let (written, counts) = app.store().write(|tx| {
            // Its own generator per batch: a write closure may run twice (store/group.rs).
            let mut rng = StdRng::seed_from_u64(0x0d0c_2026 ^ made as u64);
            let first = store::allocate_ids(tx, Document::KIND, batch as u64)?;
            let mut written = 0;
            let mut counts: Vec<u64> = Vec::new();
            for k in 0..batch {
                let i = made + k;
                let at = now - 365 * DAY + (365 * DAY / n.max(1) as i64) * i as i64;
                let unit = issuers[rng.gen_range(0..issuers.len())];
                let authors: Vec<u64> = tree
                    .subtree(unit)
                    .into_iter()
                    .filter_map(|u| by_unit.get(&u))
                    .flatten()
                    .copied()
                    .take(50)
                    .collect();
                let Some(&author) = authors.first() else {
                    continue;
                };
                let dept = departments[rng.gen_range(0..departments.len())];
                let mut to_users = Vec::new();
                if i % 10 == 0
                    && let Some(a) = admin
                {
                    to_users.push(a);
                }
                let year = tz
                    .timestamp_millis_opt(at)
                    .single()
                    .map_or(2026, |t| t.year());
                let id = first + k as u64;
                let rule = rule_or_default(tx, unit)?;
                let seq = ds::take_numbers(tx, unit, year, 1, NumberUse::Document(id))?;
                let doc_type = DocType::ALL[rng.gen_range(0..DocType::ALL.len())];
                let mut doc = Document {
                    id,
                    direction: Direction::Outgoing,
                    doc_type,
                    title: TITLES[i % TITLES.len()].to_string(),
                    classification: Classification::Internal,
                    urgency: Urgency::Normal,
                    issuing_unit_id: unit,
                    issuer_id: Some(author),
                    doc_number: Some(rule.render(year, seq)),
                    number_seq: Some((year, seq)),
                    to_units: vec![dept],
                    to_users: to_users.clone(),
                    cc_units: Vec::new(),
                    cc_users: Vec::new(),
                    body_html: "<p>各单位：</p><p>现将有关事项通知如下，请认真贯彻执行。</p>"
                        .into(),
                    attachments: Vec::new(),
                    date_written: None,
                    notes: String::new(),
                    printing_office: String::new(),
                    can_print: PrintRight::All,
                    print_limit: None,
                    author_id: author,
                    status: Status::Published,
                    instance_id: None,
                    instances: Vec::new(),
                    source: String::new(),
                    received_date: None,
                    created_ms: at - DAY,
                    updated_ms: at,
                    submitted_ms: Some(at - DAY),
                    published_ms: Some(at),
                    revoked_ms: None,
                    revoked_by: None,
                    revoke_reason: String::new(),
                    copies: 0,
                    recipients: 0,
                };
                let old = now - at > 30 * DAY;
                let mut readers: Vec<u64> = by_unit.get(&dept).cloned().unwrap_or_default();
                for u in to_users {
                    if !readers.contains(&u) {
                        readers.push(u);
                    }
                }
                for user in &readers {
                    let r = Receipt {
                        document_id: id,
                        user_id: *user,
                        kind: RecipientKind::To,
                        delivered_ms: at,
                        read_ms: old.then_some(at + DAY),
                        acknowledged_ms: old.then_some(at + DAY),
                        prints: 0,
                        remind_at_ms: None,
                        reminded_ms: None,
                    };
                    ds::put_receipt(tx, None, &r)?;
                    counts.push(*user);
                }
                doc.recipients = readers.len() as u32;
                ds::put_document(tx, None, &doc)?;
                written += 1;
            }
            Ok((written, counts))
        })?;
        receipts += counts.len();
        for u in counts {
            *per_reader.entry(u).or_default() += 1;
        }
        total += written;
        made += batch;
    }
    let busiest = per_reader
        .into_iter()
        .max_by_key(|(u, c)| (*c, std::cmp::Reverse(*u)))
        .and_then(|(u, c)| {
            users
                .iter()
                .find(|x| x.id == u)
                .map(|x| (x.login.clone(), c))
        });
    Ok(Seeded {
        documents: total,
        receipts,
        busiest,
    })
}
