//! The audit log: security-relevant actions, each entry chained to the previous one by SHA-256 so
//! that an edited or removed entry is visible to `oanode check`.

use redb::{ReadTransaction, ReadableTable, TableDefinition, WriteTransaction};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Record, Stored};
use crate::error::Result;

/// `seq -> AuditEntry`, seq ascending from 1 without gaps.
const AUDIT: TableDefinition<'_, u64, Stored<AuditEntry>> = TableDefinition::new("audit");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: u64,
    pub at_ms: i64,
    /// The user who acted; `None` for the system itself (sync, scheduler, CLI).
    pub actor_id: Option<u64>,
    pub actor_login: String,
    /// A stable action name, e.g. `auth.login`, `org.user.disable`, `node.init`.
    pub action: String,
    /// What was acted on, e.g. `user:12`.
    pub target: String,
    #[serde(default)]
    pub detail: String,
    #[serde(default)]
    pub ip: Option<String>,
    /// Hex SHA-256 of the previous entry (empty for the first).
    pub prev_hash: String,
    /// Hex SHA-256 of this entry's fields and `prev_hash`.
    pub hash: String,
}

impl Record for AuditEntry {
    const KIND: &'static str = "audit.entry";
}

/// What a caller says about an action; the chain fields are filled in by [`append`].
#[derive(Debug, Clone, Default)]
pub struct Event {
    pub actor_id: Option<u64>,
    pub actor_login: String,
    pub action: String,
    pub target: String,
    pub detail: String,
    pub ip: Option<String>,
}

impl Event {
    pub fn system(action: &str, target: impl Into<String>, detail: impl Into<String>) -> Event {
        Event {
            actor_login: "system".into(),
            action: action.into(),
            target: target.into(),
            detail: detail.into(),
            ..Event::default()
        }
    }
}

pub(super) fn ensure_tables(tx: &WriteTransaction) -> Result<()> {
    tx.open_table(AUDIT)?;
    Ok(())
}

fn digest(e: &AuditEntry) -> String {
    // A fixed, length-prefixed field order: the same entry always hashes the same way.
    let mut h = Sha256::new();
    let mut field = |b: &[u8]| {
        h.update((b.len() as u64).to_le_bytes());
        h.update(b);
    };
    field(&e.seq.to_le_bytes());
    field(&e.at_ms.to_le_bytes());
    field(&e.actor_id.map_or([0xff; 8], u64::to_le_bytes));
    field(e.actor_login.as_bytes());
    field(e.action.as_bytes());
    field(e.target.as_bytes());
    field(e.detail.as_bytes());
    field(e.ip.as_deref().unwrap_or("").as_bytes());
    field(e.prev_hash.as_bytes());
    hex::encode(h.finalize())
}

/// Appends an entry in the caller's transaction, so the action and its record commit together.
pub fn append(tx: &WriteTransaction, now_ms: i64, ev: Event) -> Result<u64> {
    let mut table = tx.open_table(AUDIT)?;
    let (seq, prev_hash) = match table.last()? {
        Some((k, v)) => (k.value() + 1, v.value().decode()?.hash),
        None => (1, String::new()),
    };
    let mut entry = AuditEntry {
        seq,
        at_ms: now_ms,
        actor_id: ev.actor_id,
        actor_login: ev.actor_login,
        action: ev.action,
        target: ev.target,
        detail: ev.detail,
        ip: ev.ip,
        prev_hash,
        hash: String::new(),
    };
    entry.hash = digest(&entry);
    super::put(&mut table, seq, &entry)?;
    Ok(seq)
}

/// Entries newest first, from `before` (exclusive) down, at most `limit`.
pub fn recent(tx: &ReadTransaction, before: Option<u64>, limit: usize) -> Result<Vec<AuditEntry>> {
    let table = tx.open_table(AUDIT)?;
    let range = match before {
        Some(b) => table.range(..b)?,
        None => table.range(0..)?,
    };
    let mut out = Vec::with_capacity(limit);
    for row in range.rev().take(limit) {
        out.push(row?.1.value().decode()?);
    }
    Ok(out)
}

/// Walks the whole chain. Returns the number of entries, or the problems found.
pub fn verify(tx: &ReadTransaction) -> Result<Result<u64, Vec<String>>> {
    let table = tx.open_table(AUDIT)?;
    let mut problems = Vec::new();
    let mut prev = String::new();
    let mut expected_seq = 1;
    let mut count = 0;
    for row in table.iter()? {
        let (k, v) = row?;
        let seq = k.value();
        let e = match v.value().decode() {
            Ok(e) => e,
            Err(err) => {
                problems.push(format!("audit entry {seq} cannot be read: {err}"));
                continue;
            }
        };
        if seq != expected_seq {
            problems.push(format!(
                "audit entries missing before {seq} (expected {expected_seq})"
            ));
        }
        if e.seq != seq {
            problems.push(format!("audit entry {seq} claims to be {}", e.seq));
        }
        if e.prev_hash != prev {
            problems.push(format!(
                "audit entry {seq} does not follow the entry before it"
            ));
        }
        if digest(&e) != e.hash {
            problems.push(format!("audit entry {seq} was altered (hash mismatch)"));
        }
        prev = e.hash;
        expected_seq = seq + 1;
        count += 1;
    }
    Ok(if problems.is_empty() {
        Ok(count)
    } else {
        Err(problems)
    })
}

#[cfg(test)]
pub(crate) fn tamper(
    tx: &WriteTransaction,
    seq: u64,
    f: impl FnOnce(&mut AuditEntry),
) -> Result<()> {
    let mut table = tx.open_table(AUDIT)?;
    let mut e = super::get(&table, seq)?.expect("entry");
    f(&mut e);
    super::put(&mut table, seq, &e)
}

#[cfg(test)]
pub(crate) fn remove(tx: &WriteTransaction, seq: u64) -> Result<()> {
    tx.open_table(AUDIT)?.remove(seq)?;
    Ok(())
}
