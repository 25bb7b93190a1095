//! Schema migrations: an ordered list, run at start-up in ONE write transaction that also records
//! the new `schema_version`. The store file is copied aside first. A store written by a newer
//! binary is refused: no silent downgrade. Migrations transform data; they never validate it
//! against today's rules, and a shipped migration is never edited.

use redb::WriteTransaction;

use super::Store;
use crate::error::{Error, Result};

pub struct Migration {
    pub version: u64,
    pub name: &'static str,
    pub run: fn(&WriteTransaction) -> Result<()>,
}

/// Every migration ever shipped, in order. Append only.
pub const MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    name: "initial schema",
    // Tables are created on open; the first version has nothing to transform.
    run: |_| Ok(()),
}];

/// The schema version this binary writes.
pub fn current_version() -> u64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

pub(super) fn run(store: &Store, existed: bool) -> Result<()> {
    run_list(store, existed, MIGRATIONS)
}

pub(super) fn run_list(store: &Store, existed: bool, list: &[Migration]) -> Result<()> {
    let target = list.last().map_or(0, |m| m.version);
    let found = store.read(|tx| match tx.open_table(super::META) {
        Ok(t) => Ok(t.get("schema_version")?.map(|v| v.value())),
        Err(redb::TableError::TableDoesNotExist(_)) => Ok(None),
        Err(e) => Err(e.into()),
    })?;
    if existed && found.is_none() {
        return Err(Error::Unavailable(format!(
            "{} is a redb file but not an oanode store",
            store.path().display()
        )));
    }
    let found = found.unwrap_or(0);
    if found > target {
        return Err(Error::Unavailable(format!(
            "the store has schema version {found}, newer than this binary's {target}; \
             downgrade is not supported: run the newer oanode"
        )));
    }
    let pending: Vec<&Migration> = list.iter().filter(|m| m.version > found).collect();
    if pending.is_empty() {
        return Ok(());
    }
    if found > 0 {
        let aside = store
            .path()
            .with_extension(format!("redb.before-v{target}"));
        std::fs::copy(store.path(), &aside)?;
        tracing::info!(from = found, to = target, copy = %aside.display(), "migrating the store");
    }
    store.write(|tx| {
        for m in &pending {
            tracing::info!(version = m.version, name = m.name, "running migration");
            (m.run)(tx)?;
        }
        super::meta_set(tx, "schema_version", target)
    })
}
