//! `oanode check` for the organization's tables: every index entry points at its record and every
//! record has its index entries. A child of `org/store.rs`, so it reads the same table
//! definitions and nobody else names them.

use redb::{ReadTransaction, ReadableMultimapTable, ReadableTable};

use super::*;

/// `oanode check`: every index entry points at its record and every record has its index entries.
pub fn check(tx: &ReadTransaction, problems: &mut Vec<String>) -> Result<()> {
    check_units(tx, problems)?;
    check_users(tx, problems)?;
    check_positions(tx, problems)?;
    let grants = tx.open_table(GRANTS)?;
    let by_user = tx.open_multimap_table(GRANTS_BY_USER)?;
    for row in grants.iter()? {
        let (id, v) = row?;
        let grant: Grant = v.value().decode()?;
        if !multimap_has(&by_user, grant.user_id, id.value())? {
            problems.push(format!("grant {} is missing from the user index", grant.id));
        }
    }
    for row in by_user.iter()? {
        let (user, ids) = row?;
        for id in ids {
            let id = id?.value();
            match store::get(&grants, id)? {
                Some(g) if g.user_id == user.value() => {}
                _ => problems.push(format!(
                    "grant index lists grant {id} under user {}, which it is not",
                    user.value()
                )),
            }
        }
    }
    Ok(())
}

fn multimap_has(
    table: &impl ReadableMultimapTable<u64, u64>,
    key: u64,
    value: u64,
) -> Result<bool> {
    for v in table.get(key)? {
        if v?.value() == value {
            return Ok(true);
        }
    }
    Ok(false)
}

/// A `&str -> id` index both ways: `want` lists (key, id) for every record that should be in it.
fn check_str_index(
    name: &str,
    index: &impl ReadableTable<&'static str, u64>,
    want: &std::collections::HashMap<String, u64>,
    problems: &mut Vec<String>,
) -> Result<()> {
    for (key, id) in want {
        if index.get(key.as_str())?.map(|v| v.value()) != Some(*id) {
            problems.push(format!(
                "{name}: {key} (record {id}) is missing from the index"
            ));
        }
    }
    for row in index.iter()? {
        let (key, id) = row?;
        if want.get(key.value()) != Some(&id.value()) {
            problems.push(format!(
                "{name}: {} points at {}, which has no such record",
                key.value(),
                id.value()
            ));
        }
    }
    Ok(())
}

/// A `u64 -> ids` multimap index both ways: `want` lists (key, id) for every record.
fn check_multimap_index(
    name: &str,
    index: &impl ReadableMultimapTable<u64, u64>,
    want: &std::collections::HashSet<(u64, u64)>,
    problems: &mut Vec<String>,
) -> Result<()> {
    for (key, id) in want {
        if !multimap_has(index, *key, *id)? {
            problems.push(format!("{name}: record {id} is missing under {key}"));
        }
    }
    for row in index.iter()? {
        let (key, ids) = row?;
        for id in ids {
            let id = id?.value();
            if !want.contains(&(key.value(), id)) {
                problems.push(format!(
                    "{name}: {id} is listed under {}, which its record does not say",
                    key.value()
                ));
            }
        }
    }
    Ok(())
}

fn check_units(tx: &ReadTransaction, problems: &mut Vec<String>) -> Result<()> {
    let mut codes = std::collections::HashMap::new();
    let mut parents = std::collections::HashSet::new();
    for row in tx.open_table(UNITS)?.iter()? {
        let (id, v) = row?;
        let unit: Unit = v.value().decode()?;
        if unit.id != id.value() {
            problems.push(format!(
                "unit {} is stored under id {}",
                unit.id,
                id.value()
            ));
        }
        codes.insert(unit.code.clone(), id.value());
        parents.insert((unit.parent_id.unwrap_or(ROOT_PARENT), id.value()));
    }
    check_str_index(
        "unit code index",
        &tx.open_table(UNITS_BY_CODE)?,
        &codes,
        problems,
    )?;
    check_multimap_index(
        "unit parent index",
        &tx.open_multimap_table(UNITS_BY_PARENT)?,
        &parents,
        problems,
    )
}

fn check_users(tx: &ReadTransaction, problems: &mut Vec<String>) -> Result<()> {
    let mut logins = std::collections::HashMap::new();
    let mut numbers = std::collections::HashMap::new();
    let mut units = std::collections::HashSet::new();
    for row in tx.open_table(USERS)?.iter()? {
        let (id, v) = row?;
        let user: User = v.value().decode()?;
        if user.id != id.value() {
            problems.push(format!(
                "user {} is stored under id {}",
                user.id,
                id.value()
            ));
        }
        logins.insert(user.login.to_lowercase(), id.value());
        if let Some(no) = user.employee_no {
            numbers.insert(no, id.value());
        }
        units.insert((user.unit_id, id.value()));
    }
    check_str_index(
        "login index",
        &tx.open_table(USERS_BY_LOGIN)?,
        &logins,
        problems,
    )?;
    check_str_index(
        "employee number index",
        &tx.open_table(USERS_BY_EMPLOYEE_NO)?,
        &numbers,
        problems,
    )?;
    check_multimap_index(
        "user unit index",
        &tx.open_multimap_table(USERS_BY_UNIT)?,
        &units,
        problems,
    )
}

fn check_positions(tx: &ReadTransaction, problems: &mut Vec<String>) -> Result<()> {
    let mut codes = std::collections::HashMap::new();
    for row in tx.open_table(POSITIONS)?.iter()? {
        let (id, v) = row?;
        let p: Position = v.value().decode()?;
        codes.insert(p.code, id.value());
    }
    check_str_index(
        "position code index",
        &tx.open_table(POSITIONS_BY_CODE)?,
        &codes,
        problems,
    )
}
