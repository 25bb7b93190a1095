//! The auth tables. Only this file names them; only insert/delete touch the indexes.

use redb::{
    MultimapTableDefinition, ReadTransaction, ReadableMultimapTable, ReadableTable,
    ReadableTableMetadata, TableDefinition, WriteTransaction,
};

use super::model::{Failures, PasswordHistory, Session};
use crate::error::Result;
use crate::store::{self, Stored};

/// `session id -> Session` (browser sessions and integration tokens)
const SESSIONS: TableDefinition<'_, u64, Stored<Session>> = TableDefinition::new("auth.sessions");
/// `hex sha-256 of the secret -> session id`, kept by `insert_session`/`delete_session`.
const SESSIONS_BY_TOKEN: TableDefinition<'_, &str, u64> =
    TableDefinition::new("auth.sessions.by_token");
/// `user id -> session ids`, kept by `insert_session`/`delete_session`.
const SESSIONS_BY_USER: MultimapTableDefinition<'_, u64, u64> =
    MultimapTableDefinition::new("auth.sessions.by_user");
/// `user id -> recent failed sign-ins`
const FAILURES: TableDefinition<'_, u64, Stored<Failures>> = TableDefinition::new("auth.failures");
/// `user id -> previous password hashes`
const HISTORY: TableDefinition<'_, u64, Stored<PasswordHistory>> =
    TableDefinition::new("auth.password_history");

pub fn ensure_tables(tx: &WriteTransaction) -> Result<()> {
    tx.open_table(SESSIONS)?;
    tx.open_table(SESSIONS_BY_TOKEN)?;
    tx.open_multimap_table(SESSIONS_BY_USER)?;
    tx.open_table(FAILURES)?;
    tx.open_table(HISTORY)?;
    Ok(())
}

pub fn insert_session(tx: &WriteTransaction, s: &Session) -> Result<()> {
    tx.open_table(SESSIONS_BY_TOKEN)?
        .insert(s.token_hash.as_str(), s.id)?;
    tx.open_multimap_table(SESSIONS_BY_USER)?
        .insert(s.user_id, s.id)?;
    store::put(&mut tx.open_table(SESSIONS)?, s.id, s)
}

pub fn delete_session(tx: &WriteTransaction, s: &Session) -> Result<()> {
    tx.open_table(SESSIONS_BY_TOKEN)?
        .remove(s.token_hash.as_str())?;
    tx.open_multimap_table(SESSIONS_BY_USER)?
        .remove(s.user_id, s.id)?;
    tx.open_table(SESSIONS)?.remove(s.id)?;
    Ok(())
}

/// Rewrites a session's non-indexed fields (last seen, expiry).
pub fn put_session(tx: &WriteTransaction, s: &Session) -> Result<()> {
    store::put(&mut tx.open_table(SESSIONS)?, s.id, s)
}

pub fn session_by_token(tx: &ReadTransaction, token_hash: &str) -> Result<Option<Session>> {
    let Some(id) = tx
        .open_table(SESSIONS_BY_TOKEN)?
        .get(token_hash)?
        .map(|v| v.value())
    else {
        return Ok(None);
    };
    store::get(&tx.open_table(SESSIONS)?, id)
}

pub fn session_by_id_w(tx: &WriteTransaction, id: u64) -> Result<Option<Session>> {
    store::get(&tx.open_table(SESSIONS)?, id)
}

/// How many sessions and tokens are stored: redb keeps each table's length, so this costs
/// nothing. Ended browser sessions stay counted until the hourly sweep removes them.
pub fn session_count(tx: &ReadTransaction) -> Result<u64> {
    Ok(tx.open_table(SESSIONS)?.len()?)
}

/// Up to `limit` sessions that `ended` says are over, oldest first.
pub fn ended_sessions(
    tx: &WriteTransaction,
    limit: usize,
    ended: impl Fn(&Session) -> bool,
) -> Result<Vec<Session>> {
    let mut out = Vec::new();
    for row in tx.open_table(SESSIONS)?.iter()? {
        let s = row?.1.value().decode()?;
        if ended(&s) {
            out.push(s);
            if out.len() == limit {
                break;
            }
        }
    }
    Ok(out)
}

pub fn sessions_of(tx: &ReadTransaction, user_id: u64) -> Result<Vec<Session>> {
    let sessions = tx.open_table(SESSIONS)?;
    let mut out = Vec::new();
    for id in tx.open_multimap_table(SESSIONS_BY_USER)?.get(user_id)? {
        if let Some(s) = store::get(&sessions, id?.value())? {
            out.push(s);
        }
    }
    Ok(out)
}

pub fn sessions_of_w(tx: &WriteTransaction, user_id: u64) -> Result<Vec<Session>> {
    let ids: Vec<u64> = tx
        .open_multimap_table(SESSIONS_BY_USER)?
        .get(user_id)?
        .map(|id| id.map(|v| v.value()))
        .collect::<Result<_, _>>()?;
    let sessions = tx.open_table(SESSIONS)?;
    let mut out = Vec::new();
    for id in ids {
        if let Some(s) = store::get(&sessions, id)? {
            out.push(s);
        }
    }
    Ok(out)
}

pub fn failures_w(tx: &WriteTransaction, user_id: u64) -> Result<Failures> {
    Ok(store::get(&tx.open_table(FAILURES)?, user_id)?.unwrap_or_default())
}

pub fn failures(tx: &ReadTransaction, user_id: u64) -> Result<Failures> {
    Ok(store::get(&tx.open_table(FAILURES)?, user_id)?.unwrap_or_default())
}

pub fn put_failures(tx: &WriteTransaction, user_id: u64, f: &Failures) -> Result<()> {
    if f.at_ms.is_empty() && f.locked_until_ms == 0 {
        tx.open_table(FAILURES)?.remove(user_id)?;
        return Ok(());
    }
    store::put(&mut tx.open_table(FAILURES)?, user_id, f)
}

pub fn history_w(tx: &WriteTransaction, user_id: u64) -> Result<PasswordHistory> {
    Ok(store::get(&tx.open_table(HISTORY)?, user_id)?.unwrap_or_default())
}

pub fn history(tx: &ReadTransaction, user_id: u64) -> Result<PasswordHistory> {
    Ok(store::get(&tx.open_table(HISTORY)?, user_id)?.unwrap_or_default())
}

pub fn put_history(tx: &WriteTransaction, user_id: u64, h: &PasswordHistory) -> Result<()> {
    store::put(&mut tx.open_table(HISTORY)?, user_id, h)
}

/// `oanode check`: sessions against their two indexes, both ways.
pub fn check(tx: &ReadTransaction, problems: &mut Vec<String>) -> Result<()> {
    let sessions = tx.open_table(SESSIONS)?;
    let by_token = tx.open_table(SESSIONS_BY_TOKEN)?;
    let by_user = tx.open_multimap_table(SESSIONS_BY_USER)?;
    for row in sessions.iter()? {
        let s: Session = row?.1.value().decode()?;
        if by_token.get(s.token_hash.as_str())?.map(|v| v.value()) != Some(s.id) {
            problems.push(format!("session {} is missing from the token index", s.id));
        }
        if !by_user
            .get(s.user_id)?
            .any(|v| v.is_ok_and(|v| v.value() == s.id))
        {
            problems.push(format!("session {} is missing from the user index", s.id));
        }
    }
    for row in by_token.iter()? {
        let (_, id) = row?;
        if sessions.get(id.value())?.is_none() {
            problems.push(format!(
                "token index points at a missing session {}",
                id.value()
            ));
        }
    }
    Ok(())
}
