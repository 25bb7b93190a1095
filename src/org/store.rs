//! The organization's tables. Only this file names them; only the insert/update functions here
//! touch the indexes.

use redb::{
    MultimapTableDefinition, ReadTransaction, ReadableMultimapTable, ReadableTable,
    ReadableTableMetadata, TableDefinition, WriteTransaction,
};

use super::model::{Grant, OrgEvent, Position, Unit, User};
use crate::error::{Code, Error, Result};
use crate::store::{self, Record, Stored};

/// `unit id -> Unit`
const UNITS: TableDefinition<'_, u64, Stored<Unit>> = TableDefinition::new("org.units");
/// `unit code -> unit id`, kept by `insert_unit`/`update_unit`.
const UNITS_BY_CODE: TableDefinition<'_, &str, u64> = TableDefinition::new("org.units.by_code");
/// `parent unit id (0 for the root) -> child unit ids`, kept by `insert_unit`/`update_unit`.
const UNITS_BY_PARENT: MultimapTableDefinition<'_, u64, u64> =
    MultimapTableDefinition::new("org.units.by_parent");
/// `user id -> User`
const USERS: TableDefinition<'_, u64, Stored<User>> = TableDefinition::new("org.users");
/// `lower-cased login -> user id`, kept by `insert_user`/`update_user`.
const USERS_BY_LOGIN: TableDefinition<'_, &str, u64> = TableDefinition::new("org.users.by_login");
/// `employee number -> user id` (only users that have one), kept by `insert_user`/`update_user`.
const USERS_BY_EMPLOYEE_NO: TableDefinition<'_, &str, u64> =
    TableDefinition::new("org.users.by_employee_no");
/// `unit id -> user ids`, kept by `insert_user`/`update_user`.
const USERS_BY_UNIT: MultimapTableDefinition<'_, u64, u64> =
    MultimapTableDefinition::new("org.users.by_unit");
/// `position id -> Position`
const POSITIONS: TableDefinition<'_, u64, Stored<Position>> = TableDefinition::new("org.positions");
/// `position code -> position id`, kept by `insert_position`/`update_position`.
const POSITIONS_BY_CODE: TableDefinition<'_, &str, u64> =
    TableDefinition::new("org.positions.by_code");
/// `grant id -> Grant`
const GRANTS: TableDefinition<'_, u64, Stored<Grant>> = TableDefinition::new("org.grants");
/// `user id -> grant ids`, kept by `insert_grant`.
const GRANTS_BY_USER: MultimapTableDefinition<'_, u64, u64> =
    MultimapTableDefinition::new("org.grants.by_user");
/// `seq -> OrgEvent` (hires, departures, transfers), seq from the `org.event` counter.
const EVENTS: TableDefinition<'_, u64, Stored<OrgEvent>> = TableDefinition::new("org.events");

/// The key under which a unit without a parent (the root) is listed in `org.units.by_parent`.
const ROOT_PARENT: u64 = 0;

pub fn ensure_tables(tx: &WriteTransaction) -> Result<()> {
    tx.open_table(UNITS)?;
    tx.open_table(UNITS_BY_CODE)?;
    tx.open_multimap_table(UNITS_BY_PARENT)?;
    tx.open_table(USERS)?;
    tx.open_table(USERS_BY_LOGIN)?;
    tx.open_table(USERS_BY_EMPLOYEE_NO)?;
    tx.open_multimap_table(USERS_BY_UNIT)?;
    tx.open_table(POSITIONS)?;
    tx.open_table(POSITIONS_BY_CODE)?;
    tx.open_table(GRANTS)?;
    tx.open_multimap_table(GRANTS_BY_USER)?;
    tx.open_table(EVENTS)?;
    super::ehr::store::ensure_tables(tx)
}

fn all<T: Record>(table: &impl ReadableTable<u64, Stored<T>>) -> Result<Vec<T>> {
    let mut out = Vec::with_capacity(table.len()? as usize);
    for row in table.iter()? {
        out.push(row?.1.value().decode()?);
    }
    Ok(out)
}

// ---------------------------------------------------------------- units

pub fn insert_unit(tx: &WriteTransaction, unit: &Unit) -> Result<()> {
    let mut by_code = tx.open_table(UNITS_BY_CODE)?;
    if by_code.get(unit.code.as_str())?.is_some() {
        return Err(Error::Conflict(Code::Duplicate));
    }
    by_code.insert(unit.code.as_str(), unit.id)?;
    tx.open_multimap_table(UNITS_BY_PARENT)?
        .insert(unit.parent_id.unwrap_or(ROOT_PARENT), unit.id)?;
    store::put(&mut tx.open_table(UNITS)?, unit.id, unit)
}

/// Rewrites a unit, moving its index entries when its code or parent changed.
pub fn update_unit(tx: &WriteTransaction, old: &Unit, new: &Unit) -> Result<()> {
    if old.code != new.code {
        let mut by_code = tx.open_table(UNITS_BY_CODE)?;
        if by_code.get(new.code.as_str())?.is_some() {
            return Err(Error::Conflict(Code::Duplicate));
        }
        by_code.remove(old.code.as_str())?;
        by_code.insert(new.code.as_str(), new.id)?;
    }
    if old.parent_id != new.parent_id {
        let mut by_parent = tx.open_multimap_table(UNITS_BY_PARENT)?;
        by_parent.remove(old.parent_id.unwrap_or(ROOT_PARENT), old.id)?;
        by_parent.insert(new.parent_id.unwrap_or(ROOT_PARENT), new.id)?;
    }
    store::put(&mut tx.open_table(UNITS)?, new.id, new)
}

/// Removes a unit with its index entries. The caller checks that nothing refers to it.
pub fn delete_unit(tx: &WriteTransaction, unit: &Unit) -> Result<()> {
    tx.open_table(UNITS_BY_CODE)?.remove(unit.code.as_str())?;
    tx.open_multimap_table(UNITS_BY_PARENT)?
        .remove(unit.parent_id.unwrap_or(ROOT_PARENT), unit.id)?;
    tx.open_table(UNITS)?.remove(unit.id)?;
    Ok(())
}

/// Whether anything refers to unit `id`: a child unit, a person, a position or a grant.
pub fn unit_in_use(tx: &WriteTransaction, id: u64) -> Result<bool> {
    if tx
        .open_multimap_table(UNITS_BY_PARENT)?
        .get(id)?
        .next()
        .is_some()
        || tx
            .open_multimap_table(USERS_BY_UNIT)?
            .get(id)?
            .next()
            .is_some()
    {
        return Ok(true);
    }
    let positions: Vec<Position> = all(&tx.open_table(POSITIONS)?)?;
    let grants: Vec<Grant> = all(&tx.open_table(GRANTS)?)?;
    Ok(positions.iter().any(|p| p.unit_id == Some(id)) || grants.iter().any(|g| g.unit_id == id))
}

/// Removes a position with its code index entry, when nobody holds it and no post reports to it.
/// Answers false (and removes nothing) when it is in use.
pub fn delete_position_if_unused(tx: &WriteTransaction, p: &Position) -> Result<bool> {
    let users: Vec<User> = all(&tx.open_table(USERS)?)?;
    let positions: Vec<Position> = all(&tx.open_table(POSITIONS)?)?;
    if users.iter().any(|u| u.position_id == Some(p.id))
        || positions.iter().any(|q| q.parent_id == Some(p.id))
    {
        return Ok(false);
    }
    tx.open_table(POSITIONS_BY_CODE)?.remove(p.code.as_str())?;
    tx.open_table(POSITIONS)?.remove(p.id)?;
    Ok(true)
}

pub fn unit_by_id(tx: &ReadTransaction, id: u64) -> Result<Option<Unit>> {
    store::get(&tx.open_table(UNITS)?, id)
}

pub fn unit_by_id_w(tx: &WriteTransaction, id: u64) -> Result<Option<Unit>> {
    store::get(&tx.open_table(UNITS)?, id)
}

pub fn unit_by_code(tx: &ReadTransaction, code: &str) -> Result<Option<Unit>> {
    match tx.open_table(UNITS_BY_CODE)?.get(code)?.map(|v| v.value()) {
        Some(id) => store::get(&tx.open_table(UNITS)?, id),
        None => Ok(None),
    }
}

pub fn unit_id_by_code(tx: &WriteTransaction, code: &str) -> Result<Option<u64>> {
    Ok(tx.open_table(UNITS_BY_CODE)?.get(code)?.map(|v| v.value()))
}

/// Every unit (the organization tree is small: hundreds to a few thousand units). For the tree
/// cache, admin pages and the sync; never per request.
pub fn units_all(tx: &ReadTransaction) -> Result<Vec<Unit>> {
    all(&tx.open_table(UNITS)?)
}

pub fn units_all_w(tx: &WriteTransaction) -> Result<Vec<Unit>> {
    all(&tx.open_table(UNITS)?)
}

/// The direct children of a unit, in display order (`order`, then id).
pub fn children_of(tx: &ReadTransaction, unit_id: u64) -> Result<Vec<Unit>> {
    let units = tx.open_table(UNITS)?;
    let mut out = Vec::new();
    for id in tx.open_multimap_table(UNITS_BY_PARENT)?.get(unit_id)? {
        if let Some(u) = store::get(&units, id?.value())? {
            out.push(u);
        }
    }
    out.sort_by_key(|u: &Unit| (u.order, u.id));
    Ok(out)
}

/// The group at the root of the tree: created first, so it has the lowest id.
pub fn root_unit(tx: &ReadTransaction) -> Result<Option<Unit>> {
    match tx.open_table(UNITS)?.first()? {
        Some((_, v)) => Ok(Some(v.value().decode()?)),
        None => Ok(None),
    }
}

/// The root unit, seen from inside a write transaction.
pub fn root_unit_w(tx: &WriteTransaction) -> Result<Option<Unit>> {
    match tx.open_table(UNITS)?.first()? {
        Some((_, v)) => Ok(Some(v.value().decode()?)),
        None => Ok(None),
    }
}

// ---------------------------------------------------------------- users

pub fn insert_user(tx: &WriteTransaction, user: &User) -> Result<()> {
    let login = user.login.to_lowercase();
    let mut by_login = tx.open_table(USERS_BY_LOGIN)?;
    if by_login.get(login.as_str())?.is_some() {
        return Err(Error::Conflict(Code::Duplicate));
    }
    if let Some(no) = &user.employee_no {
        let mut by_no = tx.open_table(USERS_BY_EMPLOYEE_NO)?;
        if by_no.get(no.as_str())?.is_some() {
            return Err(Error::Conflict(Code::Duplicate));
        }
        by_no.insert(no.as_str(), user.id)?;
    }
    by_login.insert(login.as_str(), user.id)?;
    tx.open_multimap_table(USERS_BY_UNIT)?
        .insert(user.unit_id, user.id)?;
    store::put(&mut tx.open_table(USERS)?, user.id, user)
}

/// Rewrites a user, moving its index entries when an indexed field (login, employee number,
/// unit) changed.
pub fn update_user(tx: &WriteTransaction, old: &User, new: &User) -> Result<()> {
    let (old_login, new_login) = (old.login.to_lowercase(), new.login.to_lowercase());
    if old_login != new_login {
        let mut by_login = tx.open_table(USERS_BY_LOGIN)?;
        if by_login.get(new_login.as_str())?.is_some() {
            return Err(Error::Conflict(Code::Duplicate));
        }
        by_login.remove(old_login.as_str())?;
        by_login.insert(new_login.as_str(), new.id)?;
    }
    if old.employee_no != new.employee_no {
        let mut by_no = tx.open_table(USERS_BY_EMPLOYEE_NO)?;
        if let Some(no) = &new.employee_no
            && by_no.get(no.as_str())?.is_some()
        {
            return Err(Error::Conflict(Code::Duplicate));
        }
        if let Some(no) = &old.employee_no {
            by_no.remove(no.as_str())?;
        }
        if let Some(no) = &new.employee_no {
            by_no.insert(no.as_str(), new.id)?;
        }
    }
    if old.unit_id != new.unit_id {
        let mut by_unit = tx.open_multimap_table(USERS_BY_UNIT)?;
        by_unit.remove(old.unit_id, old.id)?;
        by_unit.insert(new.unit_id, new.id)?;
    }
    store::put(&mut tx.open_table(USERS)?, new.id, new)
}

pub fn user_by_id(tx: &ReadTransaction, id: u64) -> Result<Option<User>> {
    store::get(&tx.open_table(USERS)?, id)
}

/// The same read inside a write transaction (to read-modify-write in one transaction).
pub fn user_by_id_w(tx: &WriteTransaction, id: u64) -> Result<Option<User>> {
    store::get(&tx.open_table(USERS)?, id)
}

pub fn user_by_login(tx: &ReadTransaction, login: &str) -> Result<Option<User>> {
    let Some(id) = tx
        .open_table(USERS_BY_LOGIN)?
        .get(login.to_lowercase().as_str())?
        .map(|v| v.value())
    else {
        return Ok(None);
    };
    store::get(&tx.open_table(USERS)?, id)
}

pub fn user_by_login_w(tx: &WriteTransaction, login: &str) -> Result<Option<User>> {
    let Some(id) = tx
        .open_table(USERS_BY_LOGIN)?
        .get(login.to_lowercase().as_str())?
        .map(|v| v.value())
    else {
        return Ok(None);
    };
    store::get(&tx.open_table(USERS)?, id)
}

pub fn user_id_by_employee_no_w(tx: &WriteTransaction, employee_no: &str) -> Result<Option<u64>> {
    Ok(tx
        .open_table(USERS_BY_EMPLOYEE_NO)?
        .get(employee_no)?
        .map(|v| v.value()))
}

pub fn user_by_employee_no(tx: &ReadTransaction, employee_no: &str) -> Result<Option<User>> {
    let Some(id) = tx
        .open_table(USERS_BY_EMPLOYEE_NO)?
        .get(employee_no)?
        .map(|v| v.value())
    else {
        return Ok(None);
    };
    store::get(&tx.open_table(USERS)?, id)
}

/// The people of one unit (not of its subtree), by id.
pub fn users_in_unit(tx: &ReadTransaction, unit_id: u64) -> Result<Vec<User>> {
    let users = tx.open_table(USERS)?;
    let mut out = Vec::new();
    for id in tx.open_multimap_table(USERS_BY_UNIT)?.get(unit_id)? {
        if let Some(u) = store::get(&users, id?.value())? {
            out.push(u);
        }
    }
    Ok(out)
}

/// The people of one unit, in a write transaction.
pub fn users_in_unit_w(tx: &WriteTransaction, unit_id: u64) -> Result<Vec<User>> {
    let users = tx.open_table(USERS)?;
    let mut out = Vec::new();
    for id in tx.open_multimap_table(USERS_BY_UNIT)?.get(unit_id)? {
        if let Some(u) = store::get(&users, id?.value())? {
            out.push(u);
        }
    }
    Ok(out)
}

/// Every user: for the sync and admin exports only, never per request.
pub fn users_all(tx: &ReadTransaction) -> Result<Vec<User>> {
    all(&tx.open_table(USERS)?)
}

pub fn users_all_w(tx: &WriteTransaction) -> Result<Vec<User>> {
    all(&tx.open_table(USERS)?)
}

pub fn counts(tx: &ReadTransaction) -> Result<(u64, u64)> {
    Ok((tx.open_table(UNITS)?.len()?, tx.open_table(USERS)?.len()?))
}

// ---------------------------------------------------------------- positions

pub fn insert_position(tx: &WriteTransaction, p: &Position) -> Result<()> {
    let mut by_code = tx.open_table(POSITIONS_BY_CODE)?;
    if by_code.get(p.code.as_str())?.is_some() {
        return Err(Error::Conflict(Code::Duplicate));
    }
    by_code.insert(p.code.as_str(), p.id)?;
    store::put(&mut tx.open_table(POSITIONS)?, p.id, p)
}

pub fn update_position(tx: &WriteTransaction, old: &Position, new: &Position) -> Result<()> {
    if old.code != new.code {
        let mut by_code = tx.open_table(POSITIONS_BY_CODE)?;
        if by_code.get(new.code.as_str())?.is_some() {
            return Err(Error::Conflict(Code::Duplicate));
        }
        by_code.remove(old.code.as_str())?;
        by_code.insert(new.code.as_str(), new.id)?;
    }
    store::put(&mut tx.open_table(POSITIONS)?, new.id, new)
}

pub fn position_by_id(tx: &ReadTransaction, id: u64) -> Result<Option<Position>> {
    store::get(&tx.open_table(POSITIONS)?, id)
}

pub fn position_by_code(tx: &ReadTransaction, code: &str) -> Result<Option<Position>> {
    match tx
        .open_table(POSITIONS_BY_CODE)?
        .get(code)?
        .map(|v| v.value())
    {
        Some(id) => store::get(&tx.open_table(POSITIONS)?, id),
        None => Ok(None),
    }
}

pub fn position_by_id_w(tx: &WriteTransaction, id: u64) -> Result<Option<Position>> {
    store::get(&tx.open_table(POSITIONS)?, id)
}

pub fn position_by_code_w(tx: &WriteTransaction, code: &str) -> Result<Option<u64>> {
    Ok(tx
        .open_table(POSITIONS_BY_CODE)?
        .get(code)?
        .map(|v| v.value()))
}

pub fn positions_all(tx: &ReadTransaction) -> Result<Vec<Position>> {
    all(&tx.open_table(POSITIONS)?)
}

pub fn positions_all_w(tx: &WriteTransaction) -> Result<Vec<Position>> {
    all(&tx.open_table(POSITIONS)?)
}

// ---------------------------------------------------------------- grants

pub fn insert_grant(tx: &WriteTransaction, grant: &Grant) -> Result<()> {
    tx.open_multimap_table(GRANTS_BY_USER)?
        .insert(grant.user_id, grant.id)?;
    store::put(&mut tx.open_table(GRANTS)?, grant.id, grant)
}

pub fn grant_by_id_w(tx: &WriteTransaction, id: u64) -> Result<Option<Grant>> {
    store::get(&tx.open_table(GRANTS)?, id)
}

/// Takes a grant back, with its index entry.
pub fn delete_grant(tx: &WriteTransaction, grant: &Grant) -> Result<()> {
    tx.open_multimap_table(GRANTS_BY_USER)?
        .remove(grant.user_id, grant.id)?;
    tx.open_table(GRANTS)?.remove(grant.id)?;
    Ok(())
}

/// Every grant (a few per administrator and publisher: hundreds, not thousands).
pub fn grants_all(tx: &ReadTransaction) -> Result<Vec<Grant>> {
    all(&tx.open_table(GRANTS)?)
}

pub fn grants_all_w(tx: &WriteTransaction) -> Result<Vec<Grant>> {
    all(&tx.open_table(GRANTS)?)
}

pub fn grants_of_w(tx: &WriteTransaction, user_id: u64) -> Result<Vec<Grant>> {
    let grants = tx.open_table(GRANTS)?;
    let mut out = Vec::new();
    for id in tx.open_multimap_table(GRANTS_BY_USER)?.get(user_id)? {
        if let Some(g) = store::get(&grants, id?.value())? {
            out.push(g);
        }
    }
    Ok(out)
}

pub fn grants_of(tx: &ReadTransaction, user_id: u64) -> Result<Vec<Grant>> {
    let grants = tx.open_table(GRANTS)?;
    let mut out = Vec::new();
    for id in tx.open_multimap_table(GRANTS_BY_USER)?.get(user_id)? {
        if let Some(g) = store::get(&grants, id?.value())? {
            out.push(g);
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------- events

/// Appends an organization event in the caller's transaction (the one that makes the change).
pub fn append_event(tx: &WriteTransaction, event: &OrgEvent) -> Result<u64> {
    let seq = store::next_id(tx, OrgEvent::KIND)?;
    store::put(&mut tx.open_table(EVENTS)?, seq, event)?;
    for follow in crate::ORG_EVENT_HANDLERS {
        follow(tx, event)?;
    }
    Ok(seq)
}

/// Up to `limit` events with a sequence number above `after`, in order: a follower keeps the
/// last seq it handled and asks for what came after it.
pub fn events_after(
    tx: &ReadTransaction,
    after: u64,
    limit: usize,
) -> Result<Vec<(u64, OrgEvent)>> {
    let table = tx.open_table(EVENTS)?;
    let mut out = Vec::new();
    for row in table.range(after.saturating_add(1)..)?.take(limit) {
        let (k, v) = row?;
        out.push((k.value(), v.value().decode()?));
    }
    Ok(out)
}

/// The last event's sequence number (0 when none).
pub fn last_event_seq(tx: &ReadTransaction) -> Result<u64> {
    store::last_id(tx, OrgEvent::KIND)
}

// ---------------------------------------------------------------- check

#[path = "store_check.rs"]
mod check;
pub use check::check;

#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;
