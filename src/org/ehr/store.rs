//! The sync reports table. Only this file names it. (The organization's own tables, events
//! included, are in `org/store.rs`.)

use redb::{ReadTransaction, TableDefinition, Value, WriteTransaction};

use super::model::{SyncReport, SyncSummary};
use crate::error::Result;
use crate::store::{self, Stored};

/// `report id -> SyncReport`, ids from the `org.ehr_report` counter; newest = highest id.
const REPORTS: TableDefinition<'_, u64, Stored<SyncReport>> =
    TableDefinition::new("org.ehr_reports");

pub fn ensure_tables(tx: &WriteTransaction) -> Result<()> {
    tx.open_table(REPORTS)?;
    Ok(())
}

/// Stores a report under a new id (written into `report.id`) and returns the id.
pub fn insert_report(tx: &WriteTransaction, report: &mut SyncReport) -> Result<u64> {
    report.id = store::next_id(tx, "org.ehr_report")?;
    store::put(&mut tx.open_table(REPORTS)?, report.id, report)?;
    Ok(report.id)
}

/// One report with all its lines.
pub fn report(tx: &ReadTransaction, id: u64) -> Result<Option<SyncReport>> {
    store::get(&tx.open_table(REPORTS)?, id)
}

/// The newest reports first, without their lines (a full snapshot's report holds a line per
/// created person, so a list decodes only the summary).
pub fn reports(tx: &ReadTransaction, limit: usize) -> Result<Vec<SyncSummary>> {
    reports_before(tx, None, limit)
}

/// Reports with an id below `before` (the previous page's last id), newest first.
pub fn reports_before(
    tx: &ReadTransaction,
    before: Option<u64>,
    limit: usize,
) -> Result<Vec<SyncSummary>> {
    let table = tx.open_table(REPORTS)?;
    let range = match before {
        Some(b) => table.range(..b)?,
        None => table.range(0..)?,
    };
    let mut out = Vec::with_capacity(limit.min(100));
    for row in range.rev().take(limit) {
        let (_, v) = row?;
        let bytes = <Stored<SyncReport> as Value>::as_bytes(&v.value()).to_vec();
        out.push(<Stored<SyncSummary> as Value>::from_bytes(&bytes).decode()?);
    }
    Ok(out)
}
