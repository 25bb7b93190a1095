//! Leave balances: a person reads their own; an enterprise administrator (ManageUsers over the
//! person's unit) reads and sets those of their people.

use super::model::Balance;
use super::store;
use crate::App;
use crate::auth::{Actor, Permission};
use crate::error::{Error, Result};
use crate::org::store as org_store;
use crate::store::audit;

const MAX_DAYS: u32 = 365;

fn valid_year(year: i32) -> Result<()> {
    if (2000..=2100).contains(&year) {
        Ok(())
    } else {
        Err(Error::field("year", "error.invalid"))
    }
}

/// One person's balance for `year`: their own, or one an administrator manages.
pub fn balance(app: &App, actor: &Actor, user_id: u64, year: i32) -> Result<Balance> {
    valid_year(year)?;
    app.store().read(|tx| {
        if user_id != actor.user_id {
            let u = org_store::user_by_id(tx, user_id)?.ok_or(Error::NotFound)?;
            if !actor.can(Permission::ManageUsers, u.unit_id) {
                return Err(actor.refusal(u.unit_id));
            }
        }
        store::balance(tx, user_id, year)
    })
}

/// Sets a person's total annual leave for `year` (what is used and pending stays).
pub fn set_total(app: &App, actor: &Actor, user_id: u64, year: i32, total: u32) -> Result<Balance> {
    crate::org::admin::require_person(actor)?;
    valid_year(year)?;
    if total > MAX_DAYS {
        return Err(Error::field("total", "error.invalid"));
    }
    let now = app.now_ms();
    app.store().write(|tx| {
        let u = org_store::user_by_id_w(tx, user_id)?.ok_or(Error::NotFound)?;
        if !actor.can(Permission::ManageUsers, u.unit_id) {
            return Err(actor.refusal(u.unit_id));
        }
        let mut b = store::balance_w(tx, user_id, year)?;
        let before = b.total;
        b.total = total;
        b.updated_ms = now;
        store::put_balance(tx, &b)?;
        audit::append(
            tx,
            now,
            audit::Event {
                actor_id: Some(actor.user_id),
                actor_login: actor.login.clone(),
                action: "leave.balance.set".into(),
                target: format!("user:{user_id}"),
                detail: format!("{year}: {before} -> {total}"),
                ip: None,
            },
        )?;
        Ok(b)
    })
}

/// The balances of `year` of the people the actor manages, with their names, by name.
pub fn list(app: &App, actor: &Actor, year: i32) -> Result<Vec<(Balance, String)>> {
    valid_year(year)?;
    if !actor.can_anywhere(Permission::ManageUsers) {
        return Err(crate::error::Error::Forbidden(
            crate::error::Code::Forbidden,
        ));
    }
    let dir = app.directory()?;
    let all = app.store().read(|tx| store::balances_of_year(tx, year))?;
    let mut out: Vec<(Balance, String)> = all
        .into_iter()
        .filter_map(|b| {
            let p = dir.person(b.user_id)?;
            actor
                .can(Permission::ManageUsers, p.unit_id)
                .then(|| (b, p.name.clone()))
        })
        .collect();
    out.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(out)
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
#[schema(as = LeaveImportReport)]
pub struct ImportReport {
    pub set: usize,
    /// `(line, reason)` of the rows left out.
    pub rejected: Vec<(usize, String)>,
}

/// Sets the totals of `year` from a spreadsheet (XLSX or CSV): rows naming someone the actor
/// does not manage, nobody, or a bad number are left out with their reason; the rest are set in
/// one transaction, audited once.
pub fn import(app: &App, actor: &Actor, year: i32, bytes: &[u8]) -> Result<ImportReport> {
    use super::import::{Who, parse};
    crate::org::admin::require_person(actor)?;
    valid_year(year)?;
    if !actor.can_anywhere(Permission::ManageUsers) {
        return Err(crate::error::Error::Forbidden(
            crate::error::Code::Forbidden,
        ));
    }
    let rows = parse(bytes)?;
    let now = app.now_ms();
    app.store().write(|tx| {
        let mut report = ImportReport {
            set: 0,
            rejected: Vec::new(),
        };
        for row in &rows {
            let user = match &row.who {
                Who::Login(l) => org_store::user_by_login_w(tx, l)?,
                Who::EmployeeNo(n) => match org_store::user_id_by_employee_no_w(tx, n)? {
                    Some(id) => org_store::user_by_id_w(tx, id)?,
                    None => None,
                },
            };
            let Some(user) = user.filter(|u| actor.can(Permission::ManageUsers, u.unit_id)) else {
                report.rejected.push((row.line, "unknown person".into()));
                continue;
            };
            let total = match &row.total {
                Ok(t) => *t,
                Err(why) => {
                    report.rejected.push((row.line, why.clone()));
                    continue;
                }
            };
            let mut b = store::balance_w(tx, user.id, year)?;
            b.total = total;
            b.updated_ms = now;
            store::put_balance(tx, &b)?;
            report.set += 1;
        }
        audit::append(
            tx,
            now,
            audit::Event {
                actor_id: Some(actor.user_id),
                actor_login: actor.login.clone(),
                action: "leave.balance.import".into(),
                target: format!("year:{year}"),
                detail: format!("{} set, {} left out", report.set, report.rejected.len()),
                ip: None,
            },
        )?;
        Ok(report)
    })
}
