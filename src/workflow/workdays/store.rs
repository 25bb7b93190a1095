//! The calendar's table. Only this file names it. Keys are dates as `yyyymmdd` numbers (fixed
//! width, ascending by date), so a year is one range scan.

use chrono::{Datelike, NaiveDate};
use redb::{ReadTransaction, ReadableTable, TableDefinition, WriteTransaction};

use super::holidays;
use super::model::DayEntry;
use crate::error::{Error, Result};
use crate::store::{self, Record, Stored};

/// `yyyymmdd -> DayEntry`: the overrides of the normal week.
const DAYS: TableDefinition<'_, u32, Stored<DayEntry>> = TableDefinition::new("workdays.days");

/// Set once the shipped years were installed, so that a year an administrator emptied stays
/// empty after a restart.
const INSTALLED: &str = "workdays.installed";

impl Record for DayEntry {
    const KIND: &'static str = "workflow.workday";
}

/// The key of a date; `None` outside years 0..=9999 (refused earlier by the services).
pub fn key(d: NaiveDate) -> Option<u32> {
    let y = u32::try_from(d.year()).ok().filter(|y| *y <= 9999)?;
    Some(y * 10_000 + d.month() * 100 + d.day())
}

fn date_of(k: u32) -> Result<NaiveDate> {
    NaiveDate::from_ymd_opt((k / 10_000) as i32, (k / 100) % 100, k % 100)
        .ok_or_else(|| Error::internal(format!("workdays key {k} is not a date")))
}

fn key_or_err(d: NaiveDate) -> Result<u32> {
    key(d).ok_or_else(|| Error::field("date", "error.workdays.date_range"))
}

/// The keys of a year: `yyyy0101..=yyyy1231`.
fn year_keys(year: i32) -> Result<std::ops::RangeInclusive<u32>> {
    let y = u32::try_from(year)
        .ok()
        .filter(|y| *y <= 9999)
        .ok_or_else(|| Error::field("year", "error.workdays.year"))?;
    Ok(y * 10_000 + 101..=y * 10_000 + 1231)
}

/// Creates the table, and on a store that never had them installs the shipped years (dates an
/// administrator already set are kept).
pub fn ensure_tables(tx: &WriteTransaction) -> Result<()> {
    let mut table = tx.open_table(DAYS)?;
    if store::meta_get_w(tx, INSTALLED)?.is_some() {
        return Ok(());
    }
    for year in holidays::shipped()? {
        for (date, entry) in &year.days {
            let k = key_or_err(*date)?;
            if table.get(k)?.is_none() {
                store::put(&mut table, k, entry)?;
            }
        }
    }
    store::meta_set(tx, INSTALLED, 1)
}

fn rows(
    table: &impl ReadableTable<u32, Stored<DayEntry>>,
    range: impl std::ops::RangeBounds<u32> + 'static,
) -> Result<Vec<(NaiveDate, DayEntry)>> {
    let mut out = Vec::new();
    for row in table.range(range)? {
        let (k, v) = row?;
        out.push((date_of(k.value())?, v.value().decode()?));
    }
    Ok(out)
}

/// Every override, by date (the calendar is a few dozen days a year).
pub fn all(tx: &ReadTransaction) -> Result<Vec<(NaiveDate, DayEntry)>> {
    rows(&tx.open_table(DAYS)?, ..)
}

/// The overrides of one year, by date.
pub fn year(tx: &ReadTransaction, year: i32) -> Result<Vec<(NaiveDate, DayEntry)>> {
    rows(&tx.open_table(DAYS)?, year_keys(year)?)
}

/// The overrides of one year, seen from inside a write transaction.
pub fn year_w(tx: &WriteTransaction, year: i32) -> Result<Vec<(NaiveDate, DayEntry)>> {
    rows(&tx.open_table(DAYS)?, year_keys(year)?)
}

pub fn get_w(tx: &WriteTransaction, date: NaiveDate) -> Result<Option<DayEntry>> {
    store::get(&tx.open_table(DAYS)?, key_or_err(date)?)
}

/// Sets the override of `date`.
pub fn put(tx: &WriteTransaction, date: NaiveDate, entry: &DayEntry) -> Result<()> {
    store::put(&mut tx.open_table(DAYS)?, key_or_err(date)?, entry)
}

/// Removes the override of `date`; returns it if there was one.
pub fn remove(tx: &WriteTransaction, date: NaiveDate) -> Result<Option<DayEntry>> {
    let mut table = tx.open_table(DAYS)?;
    let old = table.remove(key_or_err(date)?)?;
    old.map(|v| v.value().decode()).transpose()
}

/// Removes the overrides dated `from..=to`; returns them.
pub fn remove_range(
    tx: &WriteTransaction,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(NaiveDate, DayEntry)>> {
    let (a, b) = (key_or_err(from)?, key_or_err(to)?);
    if b < a {
        return Ok(Vec::new());
    }
    let mut table = tx.open_table(DAYS)?;
    let gone = rows(&table, a..=b)?;
    for (d, _) in &gone {
        table.remove(key_or_err(*d)?)?;
    }
    Ok(gone)
}

/// Removes every override of `year`; returns how many there were.
pub fn remove_year(tx: &WriteTransaction, year: i32) -> Result<usize> {
    let keys = year_keys(year)?;
    let first = date_of(*keys.start())?;
    let last = date_of(*keys.end())?;
    Ok(remove_range(tx, first, last)?.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_ordered_like_dates_and_round_trip() {
        let a = NaiveDate::from_ymd_opt(2026, 9, 30).unwrap();
        let b = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
        assert_eq!(key(a), Some(20_260_930));
        assert!(key(a) < key(b));
        assert_eq!(date_of(key(b).unwrap()).unwrap(), b);
        assert_eq!(key(NaiveDate::from_ymd_opt(10_000, 1, 1).unwrap()), None);
        assert_eq!(key(NaiveDate::from_ymd_opt(-1, 1, 1).unwrap()), None);
        assert!(date_of(20_261_301).is_err());
        assert_eq!(year_keys(2026).unwrap(), 20_260_101..=20_261_231);
    }
}
