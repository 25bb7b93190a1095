//! Organization use cases. Node set-up lives here for now: `oanode init` (one group
//! administrator) and the demo organization loaded by the first `serve` on an empty directory.

pub use super::ehr::service::DemoLoaded;
use super::ehr::service::load_shipped;
use super::model::{Grant, Source, Unit, UnitKind, User, UserStatus, valid_login};
use super::store as org_store;
use crate::auth::password;
use crate::clock::Clock;
use crate::error::{Code, Error, Result};
use crate::store::{self, Store, audit};

/// The demo organization, in the eHR snapshot format: units and people with reporting lines.
/// Its role grants are in `data.example/demo/grants.json`.
pub const DEMO_ORG: &str = include_str!("../../data.example/demo/org.json");

/// Whether the store already holds an organization.
pub fn is_initialized(store: &Store) -> Result<bool> {
    store.read(|tx| Ok(org_store::root_unit(tx)?.is_some()))
}

/// Loads the demo organization (units and people) through the eHR sync as source `Demo`, in one
/// transaction; refused (Conflict) when the store already holds an organization. Demo accounts
/// are created without a password and `must_change_password = false`: the caller sets the
/// shared demo password on `user_ids`.
pub fn load_demo(store: &Store, clock: &dyn Clock) -> Result<DemoLoaded> {
    let snapshot = super::ehr::parse_json(DEMO_ORG.as_bytes(), None)
        .map_err(|e| Error::internal(format!("demo organization: {e}")))?;
    load_shipped(store, clock, &snapshot)
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
                password_hash: hash.clone(),
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

/// An administrator disables an account: sign-in stops, every session and token of the user
/// ends at once, and a departure event hands their work to their manager (later features).
/// Another enterprise's people are invisible (404); without the role it is 403.
pub fn disable_user(
    app: &crate::App,
    actor: &crate::auth::Actor,
    user_id: u64,
    origin: &crate::auth::service::Origin,
) -> Result<User> {
    use crate::auth::{Permission, Scope};
    use crate::org::model::OrgEvent;
    if actor.scope != Scope::Full {
        return Err(Error::Forbidden(Code::Forbidden));
    }
    let user = app
        .store()
        .read(|tx| org_store::user_by_id(tx, user_id))?
        .ok_or(Error::NotFound)?;
    if !actor.can(Permission::ManageUsers, user.unit_id) {
        return Err(actor.refusal(user.unit_id));
    }
    if user.id == actor.user_id {
        return Err(Error::Conflict(Code::Conflict)); // nobody locks themselves out
    }
    let now = app.now_ms();
    let disabled = app.store().write(|tx| {
        let mut u = org_store::user_by_id_w(tx, user_id)?.ok_or(Error::NotFound)?;
        if u.status == UserStatus::Disabled {
            return Ok(u); // already disabled: nothing to do, nothing to audit
        }
        let old = u.clone();
        u.status = UserStatus::Disabled;
        u.updated_ms = now;
        org_store::update_user(tx, &old, &u)?;
        crate::auth::service::end_sessions(tx, u.id, None, true)?;
        org_store::append_event(
            tx,
            &OrgEvent::Departed {
                user_id: u.id,
                manager_id: u.manager_id,
                at_ms: now,
            },
        )?;
        let target = format!("user:{}", u.id);
        let ev = crate::auth::service::event(
            Some(actor),
            "org.user.disable",
            target,
            u.login.clone(),
            origin,
        );
        audit::append(tx, now, ev)?;
        Ok(u)
    })?;
    app.org_changed(); // the directory hides the account from colleagues
    Ok(disabled)
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
        let loaded = load_demo(&store, &ManualClock::new(0)).unwrap();
        assert_eq!(loaded.units, 15);
        assert_eq!(loaded.user_ids.len(), 40);
        assert_eq!(group_name(&store).unwrap().as_deref(), Some("示例集团"));
        let (head, clerk) = store
            .read(|tx| {
                let it = org_store::unit_by_code(tx, "G-IT")?.expect("G-IT");
                let clerk = org_store::user_by_login(tx, "machao")?.expect("clerk");
                Ok((
                    it.head_id
                        .and_then(|h| org_store::user_by_id(tx, h).ok().flatten()),
                    clerk,
                ))
            })
            .unwrap();
        assert_eq!(head.map(|u| u.login).as_deref(), Some("zhangwei"));
        assert_eq!(clerk.source, Source::Demo);
        assert!(!clerk.must_change_password);
        assert!(clerk.manager_id.is_some() && clerk.position_id.is_some());
        let grants: Vec<serde_json::Value> =
            serde_json::from_str(include_str!("../../data.example/demo/grants.json")).unwrap();
        store
            .read(|tx| {
                for g in &grants {
                    let login = g["login"].as_str().unwrap();
                    assert!(org_store::user_by_login(tx, login)?.is_some(), "{login}");
                    let unit = g["unit"].as_str().unwrap();
                    assert!(org_store::unit_by_code(tx, unit)?.is_some(), "{unit}");
                    assert!(crate::org::model::ROLES.contains(&g["role"].as_str().unwrap()));
                }
                Ok(())
            })
            .unwrap();
        let mut problems = Vec::new();
        store
            .read(|tx| org_store::check(tx, &mut problems))
            .unwrap();
        assert!(problems.is_empty(), "{problems:?}");
    }
}
