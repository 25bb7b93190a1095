//! The organization's tables. Only this file names them; only insert/update functions here touch
//! the indexes.

use redb::{
    MultimapTableDefinition, ReadTransaction, ReadableTable, ReadableTableMetadata,
    TableDefinition, WriteTransaction,
};

use super::model::{Grant, Unit, User};
use crate::error::{Code, Error, Result};
use crate::store::{self, Stored};

/// `unit id -> Unit`
const UNITS: TableDefinition<'_, u64, Stored<Unit>> = TableDefinition::new("org.units");
/// `unit code -> unit id`, maintained by `insert_unit`.
const UNITS_BY_CODE: TableDefinition<'_, &str, u64> = TableDefinition::new("org.units.by_code");
/// `user id -> User`
const USERS: TableDefinition<'_, u64, Stored<User>> = TableDefinition::new("org.users");
/// `lower-cased login -> user id`, maintained by `insert_user`.
const USERS_BY_LOGIN: TableDefinition<'_, &str, u64> = TableDefinition::new("org.users.by_login");
/// `grant id -> Grant`
const GRANTS: TableDefinition<'_, u64, Stored<Grant>> = TableDefinition::new("org.grants");
/// `user id -> grant ids`, maintained by `insert_grant`.
const GRANTS_BY_USER: MultimapTableDefinition<'_, u64, u64> =
    MultimapTableDefinition::new("org.grants.by_user");

pub fn ensure_tables(tx: &WriteTransaction) -> Result<()> {
    tx.open_table(UNITS)?;
    tx.open_table(UNITS_BY_CODE)?;
    tx.open_table(USERS)?;
    tx.open_table(USERS_BY_LOGIN)?;
    tx.open_table(GRANTS)?;
    tx.open_multimap_table(GRANTS_BY_USER)?;
    Ok(())
}

pub fn insert_unit(tx: &WriteTransaction, unit: &Unit) -> Result<()> {
    let mut by_code = tx.open_table(UNITS_BY_CODE)?;
    if by_code.get(unit.code.as_str())?.is_some() {
        return Err(Error::Conflict(Code::Duplicate));
    }
    by_code.insert(unit.code.as_str(), unit.id)?;
    store::put(&mut tx.open_table(UNITS)?, unit.id, unit)
}

pub fn insert_user(tx: &WriteTransaction, user: &User) -> Result<()> {
    let login = user.login.to_lowercase();
    let mut by_login = tx.open_table(USERS_BY_LOGIN)?;
    if by_login.get(login.as_str())?.is_some() {
        return Err(Error::Conflict(Code::Duplicate));
    }
    by_login.insert(login.as_str(), user.id)?;
    store::put(&mut tx.open_table(USERS)?, user.id, user)
}

/// Rewrites a user, moving its index entries when an indexed field changed.
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
    store::put(&mut tx.open_table(USERS)?, new.id, new)
}

pub fn user_by_id(tx: &ReadTransaction, id: u64) -> Result<Option<User>> {
    store::get(&tx.open_table(USERS)?, id)
}

/// The same read inside a write transaction (to read-modify-write in one transaction).
pub fn user_by_id_w(tx: &WriteTransaction, id: u64) -> Result<Option<User>> {
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

/// Every unit (the organization tree is small: hundreds to a few thousand units). For the tree
/// cache, admin pages and the sync; never per request.
pub fn units_all(tx: &ReadTransaction) -> Result<Vec<Unit>> {
    let mut out = Vec::new();
    for row in tx.open_table(UNITS)?.iter()? {
        out.push(row?.1.value().decode()?);
    }
    Ok(out)
}

pub fn insert_grant(tx: &WriteTransaction, grant: &Grant) -> Result<()> {
    tx.open_multimap_table(GRANTS_BY_USER)?
        .insert(grant.user_id, grant.id)?;
    store::put(&mut tx.open_table(GRANTS)?, grant.id, grant)
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

pub fn unit_id_by_code(tx: &WriteTransaction, code: &str) -> Result<Option<u64>> {
    Ok(tx.open_table(UNITS_BY_CODE)?.get(code)?.map(|v| v.value()))
}

pub fn counts(tx: &ReadTransaction) -> Result<(u64, u64)> {
    Ok((tx.open_table(UNITS)?.len()?, tx.open_table(USERS)?.len()?))
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

/// `oanode check`: every index entry points at its record and every record has its index entry.
pub fn check(tx: &ReadTransaction, problems: &mut Vec<String>) -> Result<()> {
    let units = tx.open_table(UNITS)?;
    let by_code = tx.open_table(UNITS_BY_CODE)?;
    for row in units.iter()? {
        let (id, v) = row?;
        let unit: Unit = v.value().decode()?;
        if by_code.get(unit.code.as_str())?.map(|v| v.value()) != Some(id.value()) {
            problems.push(format!(
                "unit {} ({}) is missing from the code index",
                unit.id, unit.code
            ));
        }
    }
    for row in by_code.iter()? {
        let (code, id) = row?;
        if units.get(id.value())?.is_none() {
            problems.push(format!(
                "unit code {} points at a missing unit {}",
                code.value(),
                id.value()
            ));
        }
    }
    let users = tx.open_table(USERS)?;
    let by_login = tx.open_table(USERS_BY_LOGIN)?;
    for row in users.iter()? {
        let (id, v) = row?;
        let user: User = v.value().decode()?;
        if by_login
            .get(user.login.to_lowercase().as_str())?
            .map(|v| v.value())
            != Some(id.value())
        {
            problems.push(format!(
                "user {} ({}) is missing from the login index",
                user.id, user.login
            ));
        }
    }
    for row in by_login.iter()? {
        let (login, id) = row?;
        if users.get(id.value())?.is_none() {
            problems.push(format!(
                "login {} points at a missing user {}",
                login.value(),
                id.value()
            ));
        }
    }
    let grants = tx.open_table(GRANTS)?;
    let by_user = tx.open_multimap_table(GRANTS_BY_USER)?;
    for row in grants.iter()? {
        let (id, v) = row?;
        let grant: Grant = v.value().decode()?;
        let indexed = by_user
            .get(grant.user_id)?
            .any(|g| g.is_ok_and(|g| g.value() == id.value()));
        if !indexed {
            problems.push(format!("grant {} is missing from the user index", grant.id));
        }
    }
    Ok(())
}
