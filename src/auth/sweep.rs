//! Removes browser sessions that are over (past their hard end, or idle longer than
//! `[auth] session_idle_hours`), once an hour from the scheduler thread. Without it every sign-in
//! stays in the store for good: a busy node gains tens of thousands of dead sessions a day.
//! Integration tokens stay until revoked, so that their owner still sees an expired one listed.

use super::model::{Session, SessionKind};
use super::store as auth_store;
use crate::App;
use crate::error::Result;
use crate::store;

/// When the sweep last finished (UTC ms), in the store's meta table.
const LAST_RUN: &str = "auth.sessions_swept_ms";
const EVERY_MS: i64 = 3_600_000;
/// Removed per write transaction, so that a long-neglected table does not make one huge commit;
/// a full batch means more are left, and the next tick carries on.
const BATCH: usize = 5_000;

/// Sweeps if an hour has passed since the last full sweep; returns how many sessions went.
pub fn tick(app: &App) -> Result<usize> {
    let now = app.now_ms();
    let last = app.store().read(|tx| store::meta_get(tx, LAST_RUN))?;
    if last.is_some_and(|ms| now - (ms as i64) < EVERY_MS) {
        return Ok(0);
    }
    let idle_ms = i64::from(app.config().auth.session_idle_hours) * EVERY_MS;
    let ended = move |s: &Session| {
        s.kind == SessionKind::Login && (now >= s.expires_ms || now - s.last_seen_ms > idle_ms)
    };
    let removed = app.store().write(|tx| {
        let over = auth_store::ended_sessions(tx, BATCH, ended)?;
        for s in &over {
            auth_store::delete_session(tx, s)?;
        }
        if over.len() < BATCH {
            store::meta_set(tx, LAST_RUN, now as u64)?;
        }
        Ok(over.len())
    })?;
    if removed > 0 {
        tracing::info!(removed, "ended sessions removed");
    }
    Ok(removed)
}
