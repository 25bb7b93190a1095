//! Organization use cases. Node set-up lives here for now: `oanode init` (one group
//! administrator) and the demo organization loaded by the first `serve` on an empty directory.

use serde::Deserialize;

use super::model::{Grant, Source, Unit, UnitKind, User, UserStatus, valid_login};
use super::store as org_store;
use crate::auth::password;
use crate::clock::Clock;
use crate::error::{Code, Error, Result};
use crate::store::{self, Store, audit};

/// The demo organization, in the eHR snapshot format (units only until sign-in lands).
pub const DEMO_ORG: &str = include_str!("../../data.example/demo/org.json");

#[derive(Deserialize)]
struct Snapshot {
    units: Vec<SnapshotUnit>,
}

#[derive(Deserialize)]
struct SnapshotUnit {
    code: String,
    name: String,
    kind: UnitKind,
    parent: Option<String>,
    #[serde(default)]
    order: i64,
}

/// Whether the store already holds an organization.
pub fn is_initialized(store: &Store) -> Result<bool> {
    store.read(|tx| Ok(org_store::root_unit(tx)?.is_some()))
}

/// Loads the demo organization's units, parents before children, in one transaction.
pub fn load_demo(store: &Store, clock: &dyn Clock) -> Result<usize> {
    let snapshot: Snapshot = serde_json::from_str(DEMO_ORG)
        .map_err(|e| Error::internal(format!("demo organization: {e}")))?;
    let now = clock.now_ms();
    store.write(|tx| {
        if org_store::root_unit_w(tx)?.is_some() {
            return Err(Error::Conflict(Code::Conflict));
        }
        for u in &snapshot.units {
            let parent_id = match &u.parent {
                Some(code) => Some(org_store::unit_id_by_code(tx, code)?.ok_or_else(|| {
                    Error::internal(format!("demo unit {} names unknown parent {code}", u.code))
                })?),
                None => None,
            };
            let id = store::next_id(tx, "unit")?;
            org_store::insert_unit(
                tx,
                &Unit {
                    id,
                    code: u.code.clone(),
                    name: u.name.clone(),
                    kind: u.kind,
                    parent_id,
                    head_id: None,
                    order: u.order,
                    source: Source::Demo,
                    created_ms: now,
                    updated_ms: now,
                },
            )?;
        }
        audit::append(
            tx,
            now,
            audit::Event::system(
                "node.demo",
                "org",
                format!("{} units", snapshot.units.len()),
            ),
        )?;
        Ok(snapshot.units.len())
    })
}

/// An empty production node: the group unit and one group administrator whose random initial
/// password is returned (shown once) and must be changed at first sign-in.
pub fn init_node(
    store: &Store,
    clock: &dyn Clock,
    admin_login: &str,
    group_name: &str,
) -> Result<String> {
    if !valid_login(admin_login) {
        return Err(Error::field("admin", "error.login_format"));
    }
    let group_name = group_name.trim();
    if group_name.is_empty() || group_name.chars().count() > 100 {
        return Err(Error::field("name", "error.required"));
    }
    let initial = password::generate_initial();
    let hash = password::hash(&initial)?; // slow: before the transaction
    let now = clock.now_ms();
    store.write(|tx| {
        if org_store::root_unit_w(tx)?.is_some() {
            return Err(Error::Conflict(Code::Conflict));
        }
        let unit_id = store::next_id(tx, "unit")?;
        org_store::insert_unit(
            tx,
            &Unit {
                id: unit_id,
                code: "G".into(),
                name: group_name.into(),
                kind: UnitKind::Group,
                parent_id: None,
                head_id: None,
                order: 0,
                source: Source::Local,
                created_ms: now,
                updated_ms: now,
            },
        )?;
        let user_id = store::next_id(tx, "user")?;
        org_store::insert_user(
            tx,
            &User {
                id: user_id,
                login: admin_login.into(),
                name: "系统管理员".into(),
                employee_no: None,
                mobile: None,
                email: None,
                ad_login: None,
                unit_id,
                position_id: None,
                manager_id: None,
                status: UserStatus::Active,
                password_hash: hash,
                must_change_password: true,
                password_changed_ms: now,
                source: Source::Local,
                created_ms: now,
                updated_ms: now,
            },
        )?;
        let grant_id = store::next_id(tx, "grant")?;
        org_store::insert_grant(
            tx,
            &Grant {
                id: grant_id,
                user_id,
                role: "group_admin".into(),
                unit_id,
                granted_by: None,
                created_ms: now,
            },
        )?;
        audit::append(
            tx,
            now,
            audit::Event::system("node.init", format!("user:{user_id}"), admin_login),
        )?;
        Ok(())
    })?;
    Ok(initial)
}

/// The name shown in the header: the root unit's.
pub fn group_name(store: &Store) -> Result<Option<String>> {
    store.read(|tx| Ok(org_store::root_unit(tx)?.map(|u| u.name)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;

    #[test]
    fn init_creates_one_admin_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), 8 << 20).unwrap();
        let clock = ManualClock::new(1_764_000_000_000);
        assert!(matches!(
            init_node(&store, &clock, "a b", "集团"),
            Err(Error::Validation(_))
        ));
        assert!(
            !is_initialized(&store).unwrap(),
            "a refused init changes nothing"
        );
        let pw = init_node(&store, &clock, "admin", "某某集团").unwrap();
        let (user, grants) = store
            .read(|tx| {
                let u = org_store::user_by_login(tx, "ADMIN")?.expect("admin");
                let g = org_store::grants_of(tx, u.id)?;
                Ok((u, g))
            })
            .unwrap();
        assert!(password::verify(&user.password_hash, &pw));
        assert!(user.must_change_password);
        assert_eq!(grants.len(), 1);
        assert_eq!(grants[0].role, "group_admin");
        assert_eq!(group_name(&store).unwrap().as_deref(), Some("某某集团"));
        assert!(matches!(
            init_node(&store, &clock, "admin2", "x"),
            Err(Error::Conflict(_))
        ));
        assert!(matches!(load_demo(&store, &clock), Err(Error::Conflict(_))));
    }

    #[test]
    fn demo_loads_the_unit_tree() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), 8 << 20).unwrap();
        let n = load_demo(&store, &ManualClock::new(0)).unwrap();
        assert_eq!(n, 15);
        assert_eq!(group_name(&store).unwrap().as_deref(), Some("示例集团"));
        let mut problems = Vec::new();
        store
            .read(|tx| org_store::check(tx, &mut problems))
            .unwrap();
        assert!(problems.is_empty(), "{problems:?}");
    }
}
