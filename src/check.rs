//! `oanode check`: the store's indexes against their records both ways, the audit chain, and the
//! search index's position against the outbox.

use crate::error::Result;
use crate::store::{Store, audit, outbox};

pub struct Report {
    pub audit_entries: u64,
    pub outbox_pending: u64,
    pub problems: Vec<String>,
}

pub fn run(store: &Store) -> Result<Report> {
    store.read(|tx| {
        let mut problems = Vec::new();
        let audit_entries = match audit::verify(tx)? {
            Ok(n) => n,
            Err(p) => {
                problems.extend(p);
                0
            }
        };
        crate::org::store::check(tx, &mut problems)?;
        crate::auth::store::check(tx, &mut problems)?;
        crate::inbox::store::check(tx, &mut problems)?;
        crate::workflow::store::check(tx, &mut problems)?;
        crate::documents::store::check(tx, &mut problems)?;
        crate::posts::store::check(tx, &mut problems)?;
        let outbox_pending = outbox::pending(tx)?;
        Ok(Report {
            audit_entries,
            outbox_pending,
            problems,
        })
    })
}
