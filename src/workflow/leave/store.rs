//! Leave tables: balances by person and year; reservations by instance, with a per-person index
//! of their date spans for the overlap check.

use redb::{ReadTransaction, ReadableTable, TableDefinition, WriteTransaction};

use super::model::{Balance, Reservation, day_key};
use crate::error::Result;
use crate::store::{self, Stored};

/// `(year, user) -> Balance`: a year's balances are one range.
const BALANCES: TableDefinition<'_, (u64, u64), Stored<Balance>> =
    TableDefinition::new("leave.balances");
/// `instance -> Reservation`.
const RESERVATIONS: TableDefinition<'_, u64, Stored<Reservation>> =
    TableDefinition::new("leave.reservations");
/// `(user, start day, instance) -> end day`.
const SPANS: TableDefinition<'_, (u64, u64, u64), u64> = TableDefinition::new("leave.spans");

pub fn ensure_tables(tx: &WriteTransaction) -> Result<()> {
    tx.open_table(BALANCES)?;
    tx.open_table(RESERVATIONS)?;
    tx.open_table(SPANS)?;
    Ok(())
}

fn year_key(year: i32) -> u64 {
    year.max(0) as u64
}

pub fn balance(tx: &ReadTransaction, user: u64, year: i32) -> Result<Balance> {
    Ok(
        store::get(&tx.open_table(BALANCES)?, (year_key(year), user))?.unwrap_or(Balance {
            user_id: user,
            year,
            ..Balance::default()
        }),
    )
}

pub fn balance_w(tx: &WriteTransaction, user: u64, year: i32) -> Result<Balance> {
    Ok(
        store::get(&tx.open_table(BALANCES)?, (year_key(year), user))?.unwrap_or(Balance {
            user_id: user,
            year,
            ..Balance::default()
        }),
    )
}

pub fn put_balance(tx: &WriteTransaction, b: &Balance) -> Result<()> {
    store::put(
        &mut tx.open_table(BALANCES)?,
        (year_key(b.year), b.user_id),
        b,
    )
}

/// Whether `r` overlaps leave of the same person held by another instance.
pub fn overlaps(tx: &WriteTransaction, r: &Reservation) -> Result<bool> {
    let t = tx.open_table(SPANS)?;
    let range = (r.user_id, 0, 0)..=(r.user_id, day_key(r.end), u64::MAX);
    for row in t.range(range)? {
        let (k, end) = row?;
        if k.value().2 != r.instance_id && end.value() >= day_key(r.start) {
            return Ok(true);
        }
    }
    Ok(false)
}

pub fn reserve(tx: &WriteTransaction, r: &Reservation) -> Result<()> {
    store::put(&mut tx.open_table(RESERVATIONS)?, r.instance_id, r)?;
    tx.open_table(SPANS)?
        .insert((r.user_id, day_key(r.start), r.instance_id), day_key(r.end))?;
    if r.annual {
        let mut b = balance_w(tx, r.user_id, r.year())?;
        b.pending += r.days;
        put_balance(tx, &b)?;
    }
    Ok(())
}

/// Gives back what an instance reserved (withdrawn, rejected, resubmitted).
pub fn release(tx: &WriteTransaction, instance: u64) -> Result<()> {
    let Some(r) = store::get(&tx.open_table(RESERVATIONS)?, instance)? else {
        return Ok(());
    };
    tx.open_table(RESERVATIONS)?.remove(instance)?;
    tx.open_table(SPANS)?
        .remove((r.user_id, day_key(r.start), r.instance_id))?;
    if r.annual {
        let mut b = balance_w(tx, r.user_id, r.year())?;
        b.pending = b.pending.saturating_sub(r.days);
        put_balance(tx, &b)?;
    }
    Ok(())
}

/// An approved request: its days move from pending to used; its span stays (no overlap later).
pub fn confirm(tx: &WriteTransaction, instance: u64) -> Result<()> {
    let Some(r) = store::get(&tx.open_table(RESERVATIONS)?, instance)? else {
        return Ok(());
    };
    if r.annual {
        let mut b = balance_w(tx, r.user_id, r.year())?;
        b.pending = b.pending.saturating_sub(r.days);
        b.used += r.days;
        put_balance(tx, &b)?;
    }
    Ok(())
}

/// The balances of one year, for the administrators' page.
pub fn balances_of_year(tx: &ReadTransaction, year: i32) -> Result<Vec<Balance>> {
    let y = year_key(year);
    let mut out = Vec::new();
    for row in tx.open_table(BALANCES)?.range((y, 0)..=(y, u64::MAX))? {
        out.push(row?.1.value().decode()?);
    }
    Ok(out)
}
