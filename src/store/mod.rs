//! The redb layer: one database file, typed tables, and the kernel tables every feature shares
//! (meta and counters here; outbox, audit in their files). Writes commit durably with quick
//! repair on, so that a node killed mid-write reopens at once and consistent.

pub mod audit;
pub mod blobs;
pub mod codec;
pub mod group;
pub mod keys;
pub mod migrate;
pub mod outbox;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use redb::{
    Database, ReadTransaction, ReadableDatabase, ReadableTable, TableDefinition, WriteTransaction,
};

pub use codec::{Encoded, Record, Stored};

use crate::error::{Error, Result};

/// `name -> value`: store-wide numbers such as `schema_version`.
const META: TableDefinition<'_, &str, u64> = TableDefinition::new("meta");
/// `kind -> last id handed out` for each kind of record.
const COUNTERS: TableDefinition<'_, &str, u64> = TableDefinition::new("meta.counters");

pub const FILE_NAME: &str = "oanode.redb";

#[derive(Clone)]
pub struct Store {
    db: Arc<Database>,
    path: PathBuf,
    signal: Arc<Signal>,
    group: Arc<group::GroupCommit>,
}

impl Store {
    /// Opens (or creates) `<dir>/oanode.redb`, runs pending migrations, and makes sure every
    /// table exists so that read transactions never meet a missing table.
    pub fn open(dir: &Path, cache_bytes: usize) -> Result<Store> {
        let path = dir.join(FILE_NAME);
        let existed = path.exists();
        let mut builder = Database::builder();
        builder.set_cache_size(cache_bytes);
        builder.set_repair_callback(|session| {
            // Only reached after an unclean stop; say so, since the start is slower.
            if session.progress() == 0.0 {
                tracing::warn!("the store was not closed cleanly; repairing it");
            }
        });
        let db = builder.create(&path)?;
        let store = Store {
            db: Arc::new(db),
            path,
            signal: Arc::new(Signal::default()),
            group: Arc::default(),
        };
        migrate::run(&store, existed)?;
        store.write(|tx| {
            tx.open_table(META)?;
            tx.open_table(COUNTERS)?;
            outbox::ensure_tables(tx)?;
            audit::ensure_tables(tx)?;
            for ensure in crate::TABLES {
                ensure(tx)?;
            }
            Ok(())
        })?;
        Ok(store)
    }

    /// Runs `f` with the store file at rest: a write transaction is held (and dropped unused), so
    /// no commit can change the file meanwhile, while readers go on. Every commit is durable, so
    /// the file is then a complete database as of the last acknowledged write: what a backup
    /// copies. Writers wait for `f`.
    pub fn with_writes_paused<R>(&self, f: impl FnOnce(&Path) -> Result<R>) -> Result<R> {
        let tx = self.db.begin_write()?;
        let result = f(&self.path);
        tx.abort()?;
        result
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` in a read transaction (a consistent snapshot).
    pub fn read<R>(&self, f: impl FnOnce(&ReadTransaction) -> Result<R>) -> Result<R> {
        let tx = self.db.begin_read()?;
        f(&tx)
    }

    /// Runs `f` in ONE write transaction and commits it durably before returning. If `f` fails,
    /// nothing it wrote is kept. Concurrent writers share a transaction and its flush
    /// (`group.rs`), so `f` may run twice and must not act outside the transaction.
    pub fn write<R>(&self, f: impl Fn(&WriteTransaction) -> Result<R>) -> Result<R> {
        self.group.write(&self.db, &f, || self.signal.notify())
    }

    /// How many writes and commits this store has seen since it was opened.
    pub fn write_stats(&self) -> group::Stats {
        self.group.stats()
    }

    /// Woken after every commit; the search indexer waits on it.
    pub fn signal(&self) -> Arc<Signal> {
        self.signal.clone()
    }

    /// Whether the store answers a read: used by `/healthz`.
    pub fn is_usable(&self) -> bool {
        self.read(|tx| Ok(tx.open_table(META)?.get("schema_version")?.is_some()))
            .unwrap_or(false)
    }
}

/// Next id of `kind`, starting at 1. Ids are never reused.
pub fn next_id(tx: &WriteTransaction, kind: &str) -> Result<u64> {
    let mut t = tx.open_table(COUNTERS)?;
    let next = t.get(kind)?.map(|v| v.value()).unwrap_or(0) + 1;
    t.insert(kind, next)?;
    Ok(next)
}

/// Takes `n` consecutive ids of `kind` at once (for bulk loads); returns the first. With `n` 0
/// nothing is taken and the id the next record would get is returned.
pub fn allocate_ids(tx: &WriteTransaction, kind: &str, n: u64) -> Result<u64> {
    let mut t = tx.open_table(COUNTERS)?;
    let last = t.get(kind)?.map(|v| v.value()).unwrap_or(0);
    if n > 0 {
        t.insert(kind, last + n)?;
    }
    Ok(last + 1)
}

/// The last id handed out for `kind` (0 when none).
/// Every kind's last id handed out (how many records of each kind were ever made).
pub fn counters(tx: &ReadTransaction) -> Result<std::collections::BTreeMap<String, u64>> {
    let mut out = std::collections::BTreeMap::new();
    for row in tx.open_table(COUNTERS)?.iter()? {
        let (k, v) = row?;
        out.insert(k.value().to_string(), v.value());
    }
    Ok(out)
}

pub fn last_id(tx: &ReadTransaction, kind: &str) -> Result<u64> {
    Ok(tx
        .open_table(COUNTERS)?
        .get(kind)?
        .map(|v| v.value())
        .unwrap_or(0))
}

pub fn meta_get(tx: &ReadTransaction, name: &str) -> Result<Option<u64>> {
    Ok(tx.open_table(META)?.get(name)?.map(|v| v.value()))
}

pub fn meta_get_w(tx: &WriteTransaction, name: &str) -> Result<Option<u64>> {
    Ok(tx.open_table(META)?.get(name)?.map(|v| v.value()))
}

pub fn meta_set(tx: &WriteTransaction, name: &str, value: u64) -> Result<()> {
    tx.open_table(META)?.insert(name, value)?;
    Ok(())
}

/// Reads and decodes one record.
pub fn get<K, T>(
    table: &impl ReadableTable<K, Stored<T>>,
    key: K::SelfType<'_>,
) -> Result<Option<T>>
where
    K: redb::Key + 'static,
    T: Record,
{
    match table.get(key)? {
        Some(guard) => Ok(Some(guard.value().decode()?)),
        None => Ok(None),
    }
}

/// Encodes and writes one record.
pub fn put<K, T>(
    table: &mut redb::Table<'_, K, Stored<T>>,
    key: K::SelfType<'_>,
    value: &T,
) -> Result<()>
where
    K: redb::Key + 'static,
    T: Record,
{
    table.insert(key, Encoded::encode(value)?)?;
    Ok(())
}

/// `oanode check`: whether the index table `def` holds exactly the keys its records call for;
/// a line in `problems` when it does not.
pub fn compare_index<K>(
    tx: &ReadTransaction,
    def: TableDefinition<'_, K, ()>,
    want: &std::collections::BTreeSet<K>,
    problems: &mut Vec<String>,
) -> Result<()>
where
    K: redb::Key + Ord + 'static + for<'a> redb::Value<SelfType<'a> = K>,
{
    let mut have = std::collections::BTreeSet::new();
    for row in tx.open_table(def)?.iter()? {
        have.insert(row?.0.value());
    }
    if &have != want {
        problems.push(format!(
            "{}: {} entries, the records call for {}",
            redb::TableHandle::name(&def),
            have.len(),
            want.len()
        ));
    }
    Ok(())
}

/// A level-triggered wake-up between a writer and a background follower.
#[derive(Default)]
pub struct Signal {
    dirty: Mutex<bool>,
    cv: Condvar,
}

impl Signal {
    pub fn notify(&self) {
        if let Ok(mut d) = self.dirty.lock() {
            *d = true;
            self.cv.notify_all();
        }
    }

    /// Waits until notified or `timeout` passes; returns whether something was notified.
    pub fn wait(&self, timeout: Duration) -> bool {
        let Ok(guard) = self.dirty.lock() else {
            return false;
        };
        let Ok((mut guard, _)) = self.cv.wait_timeout_while(guard, timeout, |d| !*d) else {
            return false;
        };
        std::mem::take(&mut *guard)
    }
}

impl From<Error> for std::io::Error {
    fn from(e: Error) -> Self {
        std::io::Error::other(e.to_string())
    }
}

#[cfg(test)]
mod tests;
