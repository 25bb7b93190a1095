//! The inbox tables. Only this file names them; only `insert`, `set_read` and `remove` touch the
//! indexes, so the record, its list entries and the two counters always change together.

use std::collections::{HashMap, HashSet};
use std::ops::Bound;

use redb::{ReadTransaction, ReadableTable, TableDefinition, WriteTransaction};

use super::model::Notification;
use crate::error::Result;
use crate::store::keys::rev_time;
use crate::store::{self, Stored};

/// `id -> Notification`, ids from the `inbox.notification` counter.
const ITEMS: TableDefinition<'_, u64, Stored<Notification>> = TableDefinition::new("inbox.items");
/// `(user id, rev_time(created), id) -> ()`: a person's inbox, newest first.
const BY_USER: TableDefinition<'_, (u64, u64, u64), ()> = TableDefinition::new("inbox.by_user");
/// `(user id, rev_time(created), id) -> ()`: the unread ones only, in the same order (so both
/// tabs page with the same cursor).
const UNREAD: TableDefinition<'_, (u64, u64, u64), ()> = TableDefinition::new("inbox.unread");
/// `user id -> unread count` (absent when 0): the bell is one get.
const UNREAD_COUNT: TableDefinition<'_, u64, u64> = TableDefinition::new("inbox.unread_count");
/// `user id -> number of notifications kept` (absent when 0): retention without a scan.
const TOTAL: TableDefinition<'_, u64, u64> = TableDefinition::new("inbox.total");

pub fn ensure_tables(tx: &WriteTransaction) -> Result<()> {
    tx.open_table(ITEMS)?;
    tx.open_table(BY_USER)?;
    tx.open_table(UNREAD)?;
    tx.open_table(UNREAD_COUNT)?;
    tx.open_table(TOTAL)?;
    Ok(())
}

fn key(n: &Notification) -> (u64, u64, u64) {
    (n.user_id, rev_time(n.created_ms), n.id)
}

/// Adds `delta` to a per-user counter, removing the key at 0.
fn bump(
    tx: &WriteTransaction,
    table: TableDefinition<'_, u64, u64>,
    user: u64,
    delta: i64,
) -> Result<u64> {
    let mut t = tx.open_table(table)?;
    let now = t.get(user)?.map(|v| v.value()).unwrap_or(0);
    let next = now.saturating_add_signed(delta);
    if next == 0 {
        t.remove(user)?;
    } else {
        t.insert(user, next)?;
    }
    Ok(next)
}

/// Stores a new notification with its list entries and counters; returns how many the user
/// now has.
pub fn insert(tx: &WriteTransaction, n: &Notification) -> Result<u64> {
    store::put(&mut tx.open_table(ITEMS)?, n.id, n)?;
    tx.open_table(BY_USER)?.insert(key(n), ())?;
    if n.is_unread() {
        tx.open_table(UNREAD)?.insert(key(n), ())?;
        bump(tx, UNREAD_COUNT, n.user_id, 1)?;
    }
    bump(tx, TOTAL, n.user_id, 1)
}

/// Marks `n` read at `at_ms`; `false` (nothing written) when it already was.
pub fn set_read(tx: &WriteTransaction, n: &Notification, at_ms: i64) -> Result<bool> {
    if !n.is_unread() {
        return Ok(false);
    }
    let read = Notification {
        read_ms: Some(at_ms),
        ..n.clone()
    };
    store::put(&mut tx.open_table(ITEMS)?, n.id, &read)?;
    if tx.open_table(UNREAD)?.remove(key(n))?.is_some() {
        bump(tx, UNREAD_COUNT, n.user_id, -1)?;
    }
    Ok(true)
}

/// Removes a notification with its list entries and counters.
fn remove_key(tx: &WriteTransaction, k: (u64, u64, u64)) -> Result<()> {
    let (user, _, id) = k;
    tx.open_table(ITEMS)?.remove(id)?;
    tx.open_table(BY_USER)?.remove(k)?;
    if tx.open_table(UNREAD)?.remove(k)?.is_some() {
        bump(tx, UNREAD_COUNT, user, -1)?;
    }
    bump(tx, TOTAL, user, -1)?;
    Ok(())
}

/// Drops the user's oldest notifications until at most `keep` remain (from the tail of their
/// list: no scan of what is kept). Returns how many went.
pub fn trim(tx: &WriteTransaction, user: u64, keep: u64) -> Result<u64> {
    let total = tx
        .open_table(TOTAL)?
        .get(user)?
        .map(|v| v.value())
        .unwrap_or(0);
    let excess = total.saturating_sub(keep);
    if excess == 0 {
        return Ok(0);
    }
    let oldest: Vec<(u64, u64, u64)> = {
        let t = tx.open_table(BY_USER)?;
        let range = t.range(user_range(user))?;
        range
            .rev()
            .take(excess as usize)
            .map(|row| row.map(|(k, _)| k.value()))
            .collect::<Result<_, _>>()?
    };
    for k in &oldest {
        remove_key(tx, *k)?;
    }
    Ok(oldest.len() as u64)
}

fn user_range(user: u64) -> std::ops::RangeInclusive<(u64, u64, u64)> {
    (user, 0, 0)..=(user, u64::MAX, u64::MAX)
}

pub fn get(tx: &ReadTransaction, id: u64) -> Result<Option<Notification>> {
    store::get(&tx.open_table(ITEMS)?, id)
}

/// The same read inside a write transaction (read-modify-write).
pub fn get_w(tx: &WriteTransaction, id: u64) -> Result<Option<Notification>> {
    store::get(&tx.open_table(ITEMS)?, id)
}

/// The user's unread count: one get.
pub fn unread_count(tx: &ReadTransaction, user: u64) -> Result<u64> {
    Ok(tx
        .open_table(UNREAD_COUNT)?
        .get(user)?
        .map(|v| v.value())
        .unwrap_or(0))
}

/// The user's unread notifications, all of them (to mark them read).
pub fn unread_of_w(tx: &WriteTransaction, user: u64) -> Result<Vec<Notification>> {
    let keys: Vec<(u64, u64, u64)> = tx
        .open_table(UNREAD)?
        .range(user_range(user))?
        .map(|row| row.map(|(k, _)| k.value()))
        .collect::<Result<_, _>>()?;
    let items = tx.open_table(ITEMS)?;
    let mut out = Vec::with_capacity(keys.len());
    for (_, _, id) in keys {
        if let Some(n) = store::get(&items, id)? {
            out.push(n);
        }
    }
    Ok(out)
}

/// One page of the user's list (or of their unread ones), newest first, after the position
/// `after` = (rev_time, id) of the previous page's last item. Answers up to `limit` items and
/// whether more follow.
pub fn page(
    tx: &ReadTransaction,
    user: u64,
    unread_only: bool,
    after: Option<(u64, u64)>,
    limit: usize,
) -> Result<(Vec<Notification>, bool)> {
    let index = tx.open_table(if unread_only { UNREAD } else { BY_USER })?;
    let start = match after {
        Some((rev, id)) => Bound::Excluded((user, rev, id)),
        None => Bound::Included((user, 0, 0)),
    };
    let end = Bound::Included((user, u64::MAX, u64::MAX));
    let items = tx.open_table(ITEMS)?;
    let mut out = Vec::with_capacity(limit.min(100));
    let mut more = false;
    for row in index.range::<(u64, u64, u64)>((start, end))? {
        let (k, _) = row?;
        if out.len() == limit {
            more = true;
            break;
        }
        let (_, _, id) = k.value();
        if let Some(n) = store::get(&items, id)? {
            out.push(n);
        }
    }
    Ok((out, more))
}

// ---------------------------------------------------------------- check

/// `oanode check`: every notification has its list entry (and an unread entry exactly when
/// unread), every entry points at its notification, and the counters are the true counts.
pub fn check(tx: &ReadTransaction, problems: &mut Vec<String>) -> Result<()> {
    let mut want_all = HashSet::new();
    let mut want_unread = HashSet::new();
    let mut totals: HashMap<u64, u64> = HashMap::new();
    let mut unread: HashMap<u64, u64> = HashMap::new();
    for row in tx.open_table(ITEMS)?.iter()? {
        let (id, v) = row?;
        let n: Notification = v.value().decode()?;
        if n.id != id.value() {
            problems.push(format!(
                "notification {} is stored under id {}",
                n.id,
                id.value()
            ));
        }
        want_all.insert(key(&n));
        *totals.entry(n.user_id).or_default() += 1;
        if n.is_unread() {
            want_unread.insert(key(&n));
            *unread.entry(n.user_id).or_default() += 1;
        }
    }
    check_index("inbox list", &tx.open_table(BY_USER)?, &want_all, problems)?;
    check_index(
        "inbox unread",
        &tx.open_table(UNREAD)?,
        &want_unread,
        problems,
    )?;
    check_counts("inbox total", &tx.open_table(TOTAL)?, &totals, problems)?;
    check_counts(
        "inbox unread count",
        &tx.open_table(UNREAD_COUNT)?,
        &unread,
        problems,
    )
}

fn check_index(
    name: &str,
    index: &impl ReadableTable<(u64, u64, u64), ()>,
    want: &HashSet<(u64, u64, u64)>,
    problems: &mut Vec<String>,
) -> Result<()> {
    let mut seen = HashSet::new();
    for row in index.iter()? {
        let (k, _) = row?;
        let k = k.value();
        if !want.contains(&k) {
            problems.push(format!(
                "{name}: entry for notification {} of user {} matches no such record",
                k.2, k.0
            ));
        }
        seen.insert(k);
    }
    for k in want.difference(&seen) {
        problems.push(format!(
            "{name}: notification {} of user {} is missing from the index",
            k.2, k.0
        ));
    }
    Ok(())
}

fn check_counts(
    name: &str,
    table: &impl ReadableTable<u64, u64>,
    want: &HashMap<u64, u64>,
    problems: &mut Vec<String>,
) -> Result<()> {
    let mut seen = HashSet::new();
    for row in table.iter()? {
        let (user, n) = row?;
        let (user, n) = (user.value(), n.value());
        let real = want.get(&user).copied().unwrap_or(0);
        if n != real {
            problems.push(format!(
                "{name} of user {user} says {n}, but there are {real}"
            ));
        }
        seen.insert(user);
    }
    for (user, real) in want {
        if !seen.contains(user) {
            problems.push(format!(
                "{name} of user {user} is missing (there are {real})"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inbox::model::Kind;

    fn store() -> (tempfile::TempDir, crate::store::Store) {
        let dir = tempfile::tempdir().unwrap();
        let s = crate::store::Store::open(dir.path(), 4 << 20).unwrap();
        (dir, s)
    }

    fn n(id: u64, user: u64, at: i64) -> Notification {
        Notification {
            id,
            user_id: user,
            kind: Kind::Task,
            subject: format!("事项 {id}"),
            note: String::new(),
            link: "/".into(),
            actor_id: None,
            actor_name: String::new(),
            created_ms: at,
            read_ms: None,
        }
    }

    fn problems(s: &crate::store::Store) -> Vec<String> {
        s.read(|tx| {
            let mut p = Vec::new();
            check(tx, &mut p)?;
            Ok(p)
        })
        .unwrap()
    }

    #[test]
    fn indexes_and_counters_follow_every_change() {
        let (_d, s) = store();
        s.write(|tx| {
            for i in 1..=5 {
                insert(tx, &n(i, 9, 1_000 + i as i64))?;
            }
            insert(tx, &n(6, 8, 1_000))?;
            Ok(())
        })
        .unwrap();
        assert!(problems(&s).is_empty());
        s.write(|tx| {
            let third = get_w(tx, 3)?.unwrap();
            assert!(set_read(tx, &third, 2_000)?);
            let third = get_w(tx, 3)?.unwrap();
            assert!(!set_read(tx, &third, 2_001)?, "already read");
            assert_eq!(trim(tx, 9, 3)?, 2, "the two oldest go");
            Ok(())
        })
        .unwrap();
        assert!(problems(&s).is_empty(), "{:?}", problems(&s));
        s.read(|tx| {
            assert_eq!(unread_count(tx, 9)?, 2, "5 and 4 (3 read, 1 and 2 trimmed)");
            assert_eq!(unread_count(tx, 8)?, 1);
            assert!(get(tx, 1)?.is_none() && get(tx, 2)?.is_none());
            let (all, more) = page(tx, 9, false, None, 2)?;
            assert_eq!(all.iter().map(|n| n.id).collect::<Vec<_>>(), [5, 4]);
            assert!(more);
            let last = all.last().unwrap();
            let (rest, more) = page(tx, 9, false, Some((rev_time(last.created_ms), last.id)), 2)?;
            assert_eq!(rest.iter().map(|n| n.id).collect::<Vec<_>>(), [3]);
            assert!(!more);
            let (unread, _) = page(tx, 9, true, None, 10)?;
            assert_eq!(unread.iter().map(|n| n.id).collect::<Vec<_>>(), [5, 4]);
            Ok(())
        })
        .unwrap();
    }

    #[test]
    fn check_sees_a_broken_index_and_a_wrong_counter() {
        let (_d, s) = store();
        s.write(|tx| {
            insert(tx, &n(1, 9, 1_000))?;
            insert(tx, &n(2, 9, 1_001))?;
            // Damage, as a bug writing past the functions above would.
            tx.open_table(BY_USER)?.remove((9, rev_time(1_000), 1))?;
            tx.open_table(UNREAD)?.insert((9, rev_time(5), 77), ())?;
            tx.open_table(UNREAD_COUNT)?.insert(9, 5)?;
            Ok(())
        })
        .unwrap();
        let p = problems(&s);
        assert!(
            p.iter()
                .any(|l| l.contains("inbox list") && l.contains("notification 1 ")),
            "{p:?}"
        );
        assert!(
            p.iter()
                .any(|l| l.contains("inbox unread") && l.contains("77")),
            "{p:?}"
        );
        assert!(
            p.iter()
                .any(|l| l.contains("unread count of user 9 says 5")),
            "{p:?}"
        );
        assert_eq!(p.len(), 3, "{p:?}");
    }
}
