//! The documents' tables. Every list index is derived from a record by its `*_keys` function
//! and kept in step by `put_document` / `put_receipt` alone.

use redb::{ReadTransaction, ReadableTable, TableDefinition, WriteTransaction};
use serde::{Deserialize, Serialize};

use super::model::{DocAttachment, Document, NumberRule, Print, Receipt, Reservation, Status};
use crate::error::Result;
use crate::store::keys::rev_time;
use crate::store::{self, Record, Stored};

const DOCUMENTS: TableDefinition<'_, u64, Stored<Document>> = TableDefinition::new("documents");
/// `(author, rev created, document)`: 我的发文, drafts included.
const BY_AUTHOR: TableDefinition<'_, (u64, u64, u64), ()> =
    TableDefinition::new("documents.by_author");
/// `(issuing unit, rev created, document)`: the unit's 发文, for its clerks (drafts excluded).
const BY_UNIT: TableDefinition<'_, (u64, u64, u64), ()> = TableDefinition::new("documents.by_unit");
/// `(rev published, document)`: every published or revoked document, for the archive and seeds.
const PUBLISHED: TableDefinition<'_, (u64, u64), ()> = TableDefinition::new("documents.published");
/// `(document, user) -> receipt`.
const RECEIPTS: TableDefinition<'_, (u64, u64), Stored<Receipt>> =
    TableDefinition::new("documents.receipts");
/// `(user, read 0/1, rev delivered, document)`: 收文, unread first.
const INBOX: TableDefinition<'_, (u64, u64, u64, u64), ()> =
    TableDefinition::new("documents.inbox");
/// `(user, rev delivered, document)`: 待签收.
const UNACKED: TableDefinition<'_, (u64, u64, u64), ()> = TableDefinition::new("documents.unacked");
/// `(remind at ms, document, user)`: unacknowledged copies and when to remind their readers.
const REMIND: TableDefinition<'_, (u64, u64, u64), ()> = TableDefinition::new("documents.remind");
/// `(document, copy number) -> print`.
const PRINTS: TableDefinition<'_, (u64, u64), Stored<Print>> =
    TableDefinition::new("documents.prints");
const ATTACHMENTS: TableDefinition<'_, u64, Stored<DocAttachment>> =
    TableDefinition::new("documents.attachments");
/// `(unit, year) -> last sequence number handed out` (allocated or reserved).
const SEQ: TableDefinition<'_, (u64, u64), u64> = TableDefinition::new("documents.seq");
/// `(unit, year, sequence) -> what took it`: a number is used once.
const NUMBERS: TableDefinition<'_, (u64, u64, u64), Stored<NumberUse>> =
    TableDefinition::new("documents.numbers");
const RULES: TableDefinition<'_, u64, Stored<NumberRule>> = TableDefinition::new("documents.rules");
/// `(unit, id) -> reservation`.
const RESERVATIONS: TableDefinition<'_, (u64, u64), Stored<Reservation>> =
    TableDefinition::new("documents.reservations");

/// What a sequence number went to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NumberUse {
    Document(u64),
    Reserved(u64),
}

impl Record for NumberUse {
    const KIND: &'static str = "document.number_use";
}

pub fn ensure_tables(tx: &WriteTransaction) -> Result<()> {
    tx.open_table(DOCUMENTS)?;
    tx.open_table(BY_AUTHOR)?;
    tx.open_table(BY_UNIT)?;
    tx.open_table(PUBLISHED)?;
    tx.open_table(RECEIPTS)?;
    tx.open_table(INBOX)?;
    tx.open_table(UNACKED)?;
    tx.open_table(REMIND)?;
    tx.open_table(PRINTS)?;
    tx.open_table(ATTACHMENTS)?;
    tx.open_table(SEQ)?;
    tx.open_table(NUMBERS)?;
    tx.open_table(RULES)?;
    tx.open_table(RESERVATIONS)?;
    Ok(())
}

// ---------------------------------------------------------------- documents

type Key3 = (u64, u64, u64);

fn document_keys(d: &Document) -> (Key3, Option<Key3>, Option<(u64, u64)>) {
    let created = rev_time(d.created_ms);
    let by_unit = (d.status != Status::Draft).then_some((d.issuing_unit_id, created, d.id));
    let published = d.published_ms.map(|p| (rev_time(p), d.id));
    ((d.author_id, created, d.id), by_unit, published)
}

pub fn put_document(tx: &WriteTransaction, old: Option<&Document>, d: &Document) -> Result<()> {
    let mut by_author = tx.open_table(BY_AUTHOR)?;
    let mut by_unit = tx.open_table(BY_UNIT)?;
    let mut published = tx.open_table(PUBLISHED)?;
    if let Some(old) = old {
        let (a, u, p) = document_keys(old);
        by_author.remove(a)?;
        if let Some(u) = u {
            by_unit.remove(u)?;
        }
        if let Some(p) = p {
            published.remove(p)?;
        }
    }
    let (a, u, p) = document_keys(d);
    by_author.insert(a, ())?;
    if let Some(u) = u {
        by_unit.insert(u, ())?;
    }
    if let Some(p) = p {
        published.insert(p, ())?;
    }
    store::put(&mut tx.open_table(DOCUMENTS)?, d.id, d)
}

pub fn document(tx: &ReadTransaction, id: u64) -> Result<Option<Document>> {
    store::get(&tx.open_table(DOCUMENTS)?, id)
}

pub fn document_w(tx: &WriteTransaction, id: u64) -> Result<Option<Document>> {
    store::get(&tx.open_table(DOCUMENTS)?, id)
}

pub fn by_author(
    tx: &ReadTransaction,
    user: u64,
    after: Option<(u64, u64)>,
    limit: usize,
) -> Result<Vec<(u64, u64)>> {
    crate::store::keys::owner_page(&tx.open_table(BY_AUTHOR)?, user, after, limit)
}

pub fn by_unit(
    tx: &ReadTransaction,
    unit: u64,
    after: Option<(u64, u64)>,
    limit: usize,
) -> Result<Vec<(u64, u64)>> {
    crate::store::keys::owner_page(&tx.open_table(BY_UNIT)?, unit, after, limit)
}

/// Published documents, newest first, after the cursor `(rev published, id)`.
pub fn published(
    tx: &ReadTransaction,
    after: Option<(u64, u64)>,
    limit: usize,
) -> Result<Vec<(u64, u64)>> {
    let t = tx.open_table(PUBLISHED)?;
    let start = after.map_or((0, 0), |(rev, id)| (rev, id.saturating_add(1)));
    let mut out = Vec::new();
    for row in t.range(start..)? {
        out.push(row?.0.value());
        if out.len() >= limit {
            break;
        }
    }
    Ok(out)
}

pub fn all_documents(tx: &ReadTransaction) -> Result<Vec<Document>> {
    let mut out = Vec::new();
    for row in tx.open_table(DOCUMENTS)?.iter()? {
        out.push(row?.1.value().decode()?);
    }
    Ok(out)
}

// ---------------------------------------------------------------- receipts

fn receipt_keys(r: &Receipt) -> ((u64, u64, u64, u64), Option<Key3>, Option<Key3>) {
    let rev = rev_time(r.delivered_ms);
    let inbox = (r.user_id, r.read_ms.is_some() as u64, rev, r.document_id);
    let open = r.acknowledged_ms.is_none();
    let unacked = open.then_some((r.user_id, rev, r.document_id));
    let remind = r
        .remind_at_ms
        .filter(|_| open)
        .map(|at| (at as u64, r.document_id, r.user_id));
    (inbox, unacked, remind)
}

/// Writes a receipt and keeps its list entries in step.
pub fn put_receipt(tx: &WriteTransaction, old: Option<&Receipt>, r: &Receipt) -> Result<()> {
    let mut inbox = tx.open_table(INBOX)?;
    let mut unacked = tx.open_table(UNACKED)?;
    let mut remind = tx.open_table(REMIND)?;
    if let Some(old) = old {
        let (i, u, m) = receipt_keys(old);
        inbox.remove(i)?;
        if let Some(u) = u {
            unacked.remove(u)?;
        }
        if let Some(m) = m {
            remind.remove(m)?;
        }
    }
    let (i, u, m) = receipt_keys(r);
    inbox.insert(i, ())?;
    if let Some(u) = u {
        unacked.insert(u, ())?;
    }
    if let Some(m) = m {
        remind.insert(m, ())?;
    }
    store::put(&mut tx.open_table(RECEIPTS)?, (r.document_id, r.user_id), r)
}

pub fn receipt(tx: &ReadTransaction, doc: u64, user: u64) -> Result<Option<Receipt>> {
    store::get(&tx.open_table(RECEIPTS)?, (doc, user))
}

pub fn receipt_w(tx: &WriteTransaction, doc: u64, user: u64) -> Result<Option<Receipt>> {
    store::get(&tx.open_table(RECEIPTS)?, (doc, user))
}

pub fn receipts_of(tx: &ReadTransaction, doc: u64) -> Result<Vec<Receipt>> {
    let mut out = Vec::new();
    for row in tx.open_table(RECEIPTS)?.range((doc, 0)..=(doc, u64::MAX))? {
        out.push(row?.1.value().decode()?);
    }
    Ok(out)
}

pub fn receipts_of_w(tx: &WriteTransaction, doc: u64) -> Result<Vec<Receipt>> {
    let mut out = Vec::new();
    for row in tx.open_table(RECEIPTS)?.range((doc, 0)..=(doc, u64::MAX))? {
        out.push(row?.1.value().decode()?);
    }
    Ok(out)
}

/// 收文: `(read, rev delivered, document)` of `user`, unread first, after the cursor.
pub fn inbox(
    tx: &ReadTransaction,
    user: u64,
    after: Option<(u64, u64, u64)>,
    limit: usize,
) -> Result<Vec<(u64, u64, u64)>> {
    let t = tx.open_table(INBOX)?;
    let start = match after {
        Some((read, rev, id)) => (user, read, rev, id.saturating_add(1)),
        None => (user, 0, 0, 0),
    };
    let mut out = Vec::new();
    for row in t.range(start..=(user, 1, u64::MAX, u64::MAX))? {
        let (_, read, rev, id) = row?.0.value();
        out.push((read, rev, id));
        if out.len() >= limit {
            break;
        }
    }
    Ok(out)
}

/// How many of `user`'s documents are unread, counting no further than `cap` (a badge shows
/// 99+ beyond that).
pub fn unread_count(tx: &ReadTransaction, user: u64, cap: usize) -> Result<usize> {
    let t = tx.open_table(INBOX)?;
    let mut n = 0;
    for row in t.range((user, 0, 0, 0)..=(user, 0, u64::MAX, u64::MAX))? {
        row?;
        n += 1;
        if n >= cap {
            break;
        }
    }
    Ok(n)
}

pub fn unacked(
    tx: &ReadTransaction,
    user: u64,
    after: Option<(u64, u64)>,
    limit: usize,
) -> Result<Vec<(u64, u64)>> {
    crate::store::keys::owner_page(&tx.open_table(UNACKED)?, user, after, limit)
}

/// Unacknowledged copies whose reminder is due at `now`: `(document, user)`.
pub fn reminders_due(tx: &ReadTransaction, now: i64, limit: usize) -> Result<Vec<(u64, u64)>> {
    let mut out = Vec::new();
    for row in tx
        .open_table(REMIND)?
        .range((0, 0, 0)..=(now.max(0) as u64, u64::MAX, u64::MAX))?
    {
        let (_, doc, user) = row?.0.value();
        out.push((doc, user));
        if out.len() >= limit {
            break;
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------- prints and attachments

pub fn put_print(tx: &WriteTransaction, p: &Print) -> Result<()> {
    store::put(
        &mut tx.open_table(PRINTS)?,
        (p.document_id, p.copy_no as u64),
        p,
    )
}

pub fn prints_of(tx: &ReadTransaction, doc: u64) -> Result<Vec<Print>> {
    let mut out = Vec::new();
    for row in tx.open_table(PRINTS)?.range((doc, 0)..=(doc, u64::MAX))? {
        out.push(row?.1.value().decode()?);
    }
    Ok(out)
}

pub fn put_attachment(tx: &WriteTransaction, a: &DocAttachment) -> Result<()> {
    store::put(&mut tx.open_table(ATTACHMENTS)?, a.id, a)
}

pub fn attachment(tx: &ReadTransaction, id: u64) -> Result<Option<DocAttachment>> {
    store::get(&tx.open_table(ATTACHMENTS)?, id)
}

pub fn attachment_w(tx: &WriteTransaction, id: u64) -> Result<Option<DocAttachment>> {
    store::get(&tx.open_table(ATTACHMENTS)?, id)
}

// ---------------------------------------------------------------- numbering

pub fn rule(tx: &ReadTransaction, unit: u64) -> Result<Option<NumberRule>> {
    store::get(&tx.open_table(RULES)?, unit)
}

pub fn rule_w(tx: &WriteTransaction, unit: u64) -> Result<Option<NumberRule>> {
    store::get(&tx.open_table(RULES)?, unit)
}

pub fn put_rule(tx: &WriteTransaction, r: &NumberRule) -> Result<()> {
    store::put(&mut tx.open_table(RULES)?, r.unit_id, r)
}

pub fn last_seq(tx: &ReadTransaction, unit: u64, year: i32) -> Result<u32> {
    Ok(tx
        .open_table(SEQ)?
        .get((unit, year as u64))?
        .map_or(0, |v| v.value() as u32))
}

/// Takes the next `n` numbers of `(unit, year)` for `what`; returns the first. The sequence only
/// grows, so a number is never handed out twice, and it grows by one per number, so there are no
/// gaps (reserved numbers are used by paper documents).
pub fn take_numbers(
    tx: &WriteTransaction,
    unit: u64,
    year: i32,
    n: u32,
    what: NumberUse,
) -> Result<u32> {
    let mut seq = tx.open_table(SEQ)?;
    let last = seq.get((unit, year as u64))?.map_or(0, |v| v.value()) as u32;
    seq.insert((unit, year as u64), (last + n) as u64)?;
    let mut numbers = tx.open_table(NUMBERS)?;
    for s in last + 1..=last + n {
        store::put(&mut numbers, (unit, year as u64, s as u64), &what)?;
    }
    Ok(last + 1)
}

/// Who took each number of `(unit, year)`, in order.
pub fn numbers(tx: &ReadTransaction, unit: u64, year: i32) -> Result<Vec<(u32, NumberUse)>> {
    let mut out = Vec::new();
    let y = year as u64;
    for row in tx
        .open_table(NUMBERS)?
        .range((unit, y, 0)..=(unit, y, u64::MAX))?
    {
        let (k, v) = row?;
        out.push((k.value().2 as u32, v.value().decode()?));
    }
    Ok(out)
}

pub fn put_reservation(tx: &WriteTransaction, r: &Reservation) -> Result<()> {
    store::put(&mut tx.open_table(RESERVATIONS)?, (r.unit_id, r.id), r)
}

pub fn reservations(tx: &ReadTransaction, unit: u64) -> Result<Vec<Reservation>> {
    let mut out = Vec::new();
    for row in tx
        .open_table(RESERVATIONS)?
        .range((unit, 0)..=(unit, u64::MAX))?
        .rev()
    {
        out.push(row?.1.value().decode()?);
    }
    Ok(out)
}

// ---------------------------------------------------------------- oanode check

/// Compares every list index with what the records call for (`oanode check`).
pub fn check(tx: &ReadTransaction, problems: &mut Vec<String>) -> Result<()> {
    use std::collections::BTreeSet;
    let (mut a, mut u, mut p) = (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
    for row in tx.open_table(DOCUMENTS)?.iter()? {
        let d: Document = row?.1.value().decode()?;
        let (ka, ku, kp) = document_keys(&d);
        a.insert(ka);
        u.extend(ku);
        p.extend(kp);
    }
    let (mut i, mut n, mut m) = (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
    for row in tx.open_table(RECEIPTS)?.iter()? {
        let r: Receipt = row?.1.value().decode()?;
        let (ki, kn, km) = receipt_keys(&r);
        i.insert(ki);
        n.extend(kn);
        m.extend(km);
    }
    store::compare_index(tx, BY_AUTHOR, &a, problems)?;
    store::compare_index(tx, BY_UNIT, &u, problems)?;
    store::compare_index(tx, PUBLISHED, &p, problems)?;
    store::compare_index(tx, INBOX, &i, problems)?;
    store::compare_index(tx, UNACKED, &n, problems)?;
    store::compare_index(tx, REMIND, &m, problems)?;
    Ok(())
}
