//! The outbox: changes to searchable content, appended in the same transaction as the record, so
//! the search index can never miss a committed change. The indexer follows it by sequence number
//! and prunes what it has committed.

use redb::{ReadTransaction, ReadableTableMetadata, TableDefinition, WriteTransaction};
use serde::{Deserialize, Serialize};

use super::{Record, Stored};
use crate::error::Result;

/// `seq -> Change`, seq from the `outbox` counter (never reused, even after pruning).
const OUTBOX: TableDefinition<'_, u64, Stored<Change>> = TableDefinition::new("outbox");

/// What the search index holds for one item. `key` is `"<kind>:<id>"`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchDoc {
    pub key: String,
    pub kind: String,
    pub title: String,
    #[serde(default)]
    pub body: String,
    /// Who may see it: `all`, `user:ID`, `unit:ID`, `role:NAME@UNIT`.
    pub acl: Vec<String>,
    /// UTC milliseconds (published, submitted…), for newest-first order.
    pub time_ms: i64,
    /// Where a person opens it, e.g. `/posts/12`.
    #[serde(default)]
    pub url: String,
    /// The item's unit and its ancestors (publishing unit, issuing unit, applicant's unit): a
    /// search filtered by a unit finds what its subtree published.
    #[serde(default)]
    pub units: Vec<u64>,
    /// Attached files whose text the indexer extracts (PDF, DOCX, XLSX) and indexes with the body.
    /// Extraction happens in the indexer, off the request path and outside write transactions.
    #[serde(default)]
    pub files: Vec<FileRef>,
}

/// An attached file: its name (the extension picks the extractor) and its blob hash.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRef {
    pub name: String,
    pub blob: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Change {
    Upsert(SearchDoc),
    Delete { key: String },
}

impl Record for Change {
    const KIND: &'static str = "outbox.change";
}

pub(super) fn ensure_tables(tx: &WriteTransaction) -> Result<()> {
    tx.open_table(OUTBOX)?;
    Ok(())
}

/// Appends a change; call it in the transaction that writes the record.
pub fn append(tx: &WriteTransaction, change: &Change) -> Result<u64> {
    let seq = super::next_id(tx, "outbox")?;
    super::put(&mut tx.open_table(OUTBOX)?, seq, change)?;
    Ok(seq)
}

/// Up to `limit` changes with a sequence number above `after`, in order.
pub fn after(tx: &ReadTransaction, after: u64, limit: usize) -> Result<Vec<(u64, Change)>> {
    let table = tx.open_table(OUTBOX)?;
    let mut out = Vec::new();
    for row in table.range(after.saturating_add(1)..)?.take(limit) {
        let (k, v) = row?;
        out.push((k.value(), v.value().decode()?));
    }
    Ok(out)
}

/// The highest sequence number handed out so far.
pub fn last_seq(tx: &ReadTransaction) -> Result<u64> {
    super::last_id(tx, "outbox")
}

/// Number of changes still waiting in the outbox.
pub fn pending(tx: &ReadTransaction) -> Result<u64> {
    Ok(tx.open_table(OUTBOX)?.len()?)
}

/// Drops the changes up to and including `seq`, once the index has committed them.
pub fn prune_through(tx: &WriteTransaction, seq: u64) -> Result<()> {
    let mut table = tx.open_table(OUTBOX)?;
    table.retain_in(..=seq, |_, _| false)?;
    Ok(())
}
