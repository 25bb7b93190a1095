//! `oanode seed`: a synthetic but realistic group, for the load harness (`tests/load/`) and for
//! trying the node at scale. Later features add their own records to it.
//!
//! What it makes, deterministically for a given (users, units): the group (中恒实业集团) with its
//! headquarters departments; a handful of member enterprises (子公司); departments (财务部,
//! 人力资源部, 生产部, ...) and sub-departments (一车间, 会计核算科, ...) under them, each with a code;
//! a small catalog of positions (岗位) with their reporting line; people with Chinese names
//! (surnames weighted as in the population), pinyin logins, employee numbers, mobiles and
//! e-mails; a head for every unit (as far as the people go) and everyone reporting to a manager;
//! one `group_admin` (login `admin`) and one `enterprise_admin` per enterprise.
//!
//! Every account is source `Demo` and shares one password without the forced change: that is
//! exactly what `Demo` means elsewhere (the demo organization: shipped, synthetic people with a
//! known shared password, never touched by an eHR sync). `Local` would claim that an
//! administrator created real accounts, and eHR-created accounts are `Ehr`.
//!
//! Fast by construction: the password is hashed ONCE (argon2 costs ~15 ms a hash; 10,000 hashes
//! would take minutes) and its PHC string shared; ids are taken in blocks; everything is written
//! in ONE transaction through the store's own insert functions, so the indexes are right and
//! `oanode check` passes.

mod people;
mod units;

use std::collections::HashMap;

use people::*;
use units::*;

use rand::distributions::{Distribution, WeightedIndex};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::model::{Grant, OrgEvent, Position, Source, Unit, UnitKind, User, UserStatus};
use super::store as org_store;
use crate::clock::Clock;
use crate::error::{Code, Error, Result};
use crate::store::{self, Store, audit};

/// The shared password of seeded accounts unless `--password` says otherwise.
pub const DEFAULT_PASSWORD: &str = "Seed2026ok";
/// The group administrator's login.
pub const ADMIN_LOGIN: &str = "admin";
pub const MAX_USERS: usize = 200_000;
pub const MAX_UNITS: usize = 20_000;

const GROUP_NAME: &str = "中恒实业集团";
const BRAND: &str = "中恒";
const MAIL_DOMAIN: &str = "zhongheng.example";

#[derive(Debug, Clone)]
pub struct SeedOptions {
    /// People, the administrator included.
    pub users: usize,
    /// Units, the group included.
    pub units: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seeded {
    pub units: usize,
    pub enterprises: usize,
    pub users: usize,
    pub positions: usize,
    pub grants: usize,
}

/// Seeds an empty store. Refused (Conflict, nothing written) when the store already holds an
/// organization; `password_hash` is the PHC string every account gets (hash it once, outside).
pub fn seed(
    store: &Store,
    clock: &dyn Clock,
    opts: &SeedOptions,
    password_hash: &str,
) -> Result<Seeded> {
    if !(1..=MAX_USERS).contains(&opts.users) {
        return Err(Error::field("users", "error.out_of_range"));
    }
    if !(1..=MAX_UNITS).contains(&opts.units) {
        return Err(Error::field("units", "error.out_of_range"));
    }
    let now = clock.now_ms();
    store.write(|tx| {
        if org_store::root_unit_w(tx)?.is_some() {
            return Err(Error::Conflict(Code::Conflict));
        }
        let mut units = plan_units(opts.units);
        let positions = positions();
        let people = plan_people(&mut units, opts.users);
        let unit_base = store::allocate_ids(tx, "unit", units.len() as u64)?;
        let user_base = store::allocate_ids(tx, "user", people.len() as u64)?;
        let position_base = store::allocate_ids(tx, "position", positions.len() as u64)?;
        let grant_base = store::allocate_ids(tx, "grant", count_grants(&units, &people) as u64)?;
        let unit_id = |i: usize| unit_base + i as u64;
        let user_id = |i: usize| user_base + i as u64;
        let position_id = |p: Post| position_base + p as u64;

        for (i, p) in positions.iter().enumerate() {
            org_store::insert_position(
                tx,
                &Position {
                    id: position_base + i as u64,
                    code: p.code.into(),
                    name: p.name.into(),
                    unit_id: None,
                    parent_id: p.parent.map(position_id),
                    source: Source::Demo,
                    created_ms: now,
                    updated_ms: now,
                },
            )?;
        }
        for (i, u) in units.iter().enumerate() {
            org_store::insert_unit(
                tx,
                &Unit {
                    id: unit_id(i),
                    code: u.code.clone(),
                    name: u.name.clone(),
                    kind: u.kind,
                    parent_id: u.parent.map(unit_id),
                    head_id: u.head.map(user_id),
                    order: u.order,
                    source: Source::Demo,
                    created_ms: now,
                    updated_ms: now,
                },
            )?;
        }
        for (i, p) in people.iter().enumerate() {
            org_store::insert_user(
                tx,
                &User {
                    id: user_id(i),
                    login: p.login.clone(),
                    name: p.name.clone(),
                    employee_no: p.employee_no.clone(),
                    mobile: p.mobile.clone(),
                    email: p.email.clone(),
                    ad_login: None,
                    unit_id: unit_id(p.unit),
                    position_id: Some(position_id(p.post)),
                    manager_id: p.manager.map(user_id),
                    status: UserStatus::Active,
                    password_hash: password_hash.to_string(),
                    must_change_password: false,
                    password_changed_ms: now,
                    source: Source::Demo,
                    created_ms: now,
                    updated_ms: now,
                },
            )?;
            // As the demo (through the eHR sync) does: followers of org events see the hires.
            org_store::append_event(
                tx,
                &OrgEvent::Hired {
                    user_id: user_id(i),
                    at_ms: now,
                },
            )?;
        }
        let mut grants = 0;
        for (user, role, unit) in grant_list(&units, &people) {
            org_store::insert_grant(
                tx,
                &Grant {
                    id: grant_base + grants as u64,
                    user_id: user_id(user),
                    role: role.into(),
                    unit_id: unit_id(unit),
                    granted_by: None,
                    created_ms: now,
                },
            )?;
            grants += 1;
        }
        let enterprises = units
            .iter()
            .filter(|u| u.kind == UnitKind::Enterprise)
            .count();
        audit::append(
            tx,
            now,
            audit::Event::system(
                "node.seed",
                "org",
                format!(
                    "{} units, {} enterprises, {} people",
                    units.len(),
                    enterprises,
                    people.len()
                ),
            ),
        )?;
        Ok(Seeded {
            units: units.len(),
            enterprises,
            users: people.len(),
            positions: positions.len(),
            grants,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_plan_has_the_asked_size_and_parents_first() {
        for total in [1, 2, 3, 7, 20, 60, 500, 2000] {
            let units = plan_units(total);
            assert_eq!(units.len(), total, "{total}");
            for (i, u) in units.iter().enumerate() {
                if let Some(p) = u.parent {
                    assert!(p < i, "parent before child");
                }
            }
            let mut codes: Vec<&str> = units.iter().map(|u| u.code.as_str()).collect();
            codes.sort_unstable();
            codes.dedup();
            assert_eq!(codes.len(), total, "codes are unique");
        }
        assert_eq!(enterprise_count(500), 11);
        assert_eq!(enterprise_name(0), "中恒能源有限公司");
        assert_eq!(enterprise_name(21), "中恒北京化工有限公司");
    }

    #[test]
    fn people_plan_is_deterministic_with_unique_logins() {
        let plan = || {
            let mut units = plan_units(40);
            let people = plan_people(&mut units, 1000);
            (units, people)
        };
        let (units, a) = plan();
        let (_, b) = plan();
        assert_eq!(a.len(), 1000);
        assert_eq!(
            a.iter().map(|p| &p.login).collect::<Vec<_>>(),
            b.iter().map(|p| &p.login).collect::<Vec<_>>()
        );
        let mut logins: Vec<&str> = a.iter().map(|p| p.login.as_str()).collect();
        logins.sort_unstable();
        logins.dedup();
        assert_eq!(logins.len(), 1000);
        assert!(a.iter().all(|p| crate::org::model::valid_login(&p.login)));
        assert!(
            units.iter().all(|u| u.head.is_some()),
            "every unit has a head"
        );
        let wang = a.iter().filter(|p| p.name.starts_with('王')).count();
        assert!((30..=120).contains(&wang), "王 is common: {wang}");
        for p in &a[2..] {
            let m = p.mobile.as_deref().unwrap();
            assert_eq!(m.len(), 11);
            assert!(m.starts_with('1') && (b'3'..=b'9').contains(&m.as_bytes()[1]));
            assert!(p.manager.is_some(), "{} reports to someone", p.login);
        }
        assert_eq!(a[1].post, Post::Chairman, "the chairman reports to nobody");
    }

    #[test]
    fn few_people_for_many_units_still_makes_a_valid_plan() {
        let mut units = plan_units(50);
        let people = plan_people(&mut units, 5);
        assert_eq!(people.len(), 5);
        assert!(units.iter().filter_map(|u| u.head).all(|h| h < 5));
        assert!(grant_list(&units, &people).iter().all(|g| g.0 < 5));
    }
}
