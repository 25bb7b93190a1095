//! `oanode seed`: the synthetic group of the load harness. Shape and counts, sign-in with the
//! shared password, `check` clean, and a second seed refused with nothing changed.

use std::collections::{HashMap, HashSet};
use std::process::Command;

use oanode::org::model::{Source, UnitKind, User};
use oanode::org::seed::{self, SeedOptions};
use oanode::org::store as org_store;
use rocket::http::{Method, Status};

use crate::common::TestApp;

const PASSWORD: &str = "Seed2026ok";

/// Everything that says what the store holds: units, users, audit entries, id counters.
fn fingerprint(t: &TestApp) -> (u64, u64, u64, Vec<u64>) {
    t.app
        .store()
        .read(|tx| {
            let (units, users) = org_store::counts(tx)?;
            let ids = ["unit", "user", "grant", "position", "org.event"]
                .iter()
                .map(|k| oanode::store::last_id(tx, k))
                .collect::<oanode::error::Result<Vec<u64>>>()?;
            Ok((units, users, ids))
        })
        .map(|(units, users, ids)| {
            let audit = oanode::check::run(t.app.store()).unwrap().audit_entries;
            (units, users, audit, ids)
        })
        .unwrap()
}

#[rocket::async_test]
async fn seeded_group_has_the_asked_shape_and_its_people_can_sign_in() {
    let t = TestApp::empty().await;
    let hash = oanode::auth::password::hash(PASSWORD).unwrap();
    let opts = SeedOptions {
        users: 200,
        units: 20,
    };
    let done = seed::seed(t.app.store(), t.app.clock(), &opts, &hash).unwrap();
    t.app.org_changed();
    assert_eq!((done.units, done.users), (20, 200));

    let (units, users) = t
        .app
        .store()
        .read(|tx| Ok((org_store::units_all(tx)?, org_store::users_all(tx)?)))
        .unwrap();
    assert_eq!((units.len(), users.len()), (20, 200));

    // The tree: one group at the root, enterprises right under it, departments under either.
    let by_id: HashMap<u64, _> = units.iter().map(|u| (u.id, u)).collect();
    let roots: Vec<_> = units.iter().filter(|u| u.parent_id.is_none()).collect();
    assert_eq!(roots.len(), 1);
    assert_eq!(roots[0].kind, UnitKind::Group);
    let group = roots[0].id;
    let enterprises: Vec<_> = units
        .iter()
        .filter(|u| u.kind == UnitKind::Enterprise)
        .collect();
    assert_eq!(enterprises.len(), done.enterprises);
    assert!(enterprises.len() >= 2, "a handful of member enterprises");
    for e in &enterprises {
        assert_eq!(e.parent_id, Some(group), "{} is under the group", e.name);
        assert!(e.name.ends_with("有限公司"), "{}", e.name);
    }
    for u in &units {
        if let Some(p) = u.parent_id {
            assert!(by_id.contains_key(&p), "the parent of {} exists", u.code);
            assert!(
                u.kind == UnitKind::Department || (u.kind == UnitKind::Enterprise && p == group),
                "{} is a department or an enterprise of the group",
                u.code
            );
        }
        assert_eq!(u.source, Source::Demo);
        let head = u.head_id.expect("every unit has a head");
        let head = users
            .iter()
            .find(|p| p.id == head)
            .expect("the head exists");
        assert_eq!(head.unit_id, u.id, "{} heads their own unit", head.login);
    }
    assert!(units.iter().any(|u| u.name == "财务部"));
    assert!(
        units.iter().any(|u| u
            .parent_id
            .is_some_and(|p| by_id[&p].kind == UnitKind::Department)),
        "sub-departments exist"
    );

    // People: in a unit, with a position, unique logins, a manager who exists.
    let people: HashMap<u64, &User> = users.iter().map(|u| (u.id, u)).collect();
    let logins: HashSet<String> = users.iter().map(|u| u.login.to_lowercase()).collect();
    assert_eq!(logins.len(), users.len(), "logins are unique");
    let numbers: HashSet<_> = users.iter().filter_map(|u| u.employee_no.clone()).collect();
    assert_eq!(
        numbers.len(),
        users.len() - 1,
        "everyone but admin has a number"
    );
    let mut without_manager = Vec::new();
    for u in &users {
        assert!(by_id.contains_key(&u.unit_id), "{} has a unit", u.login);
        assert!(u.position_id.is_some(), "{} has a position", u.login);
        assert!(!u.must_change_password);
        assert_eq!(u.source, Source::Demo);
        assert_eq!(u.password_hash, hash, "one shared hash");
        match u.manager_id {
            Some(m) => assert!(people.contains_key(&m), "{}'s manager exists", u.login),
            None => without_manager.push(u.login.as_str()),
        }
        if let Some(m) = &u.mobile {
            assert!(m.len() == 11 && m.starts_with('1'), "{m}");
        }
    }
    // Only the administrator and the chairman report to nobody.
    assert_eq!(without_manager.len(), 2, "{without_manager:?}");
    assert!(without_manager.contains(&"admin"));
    assert!(
        users
            .iter()
            .any(|u| u.name.chars().count() >= 2 && u.name.starts_with(['王', '李', '张']))
    );

    // Grants: the group admin, and one enterprise admin per enterprise.
    let grants: Vec<(String, u64)> = t
        .app
        .store()
        .read(|tx| {
            let mut all = Vec::new();
            for u in &users {
                for g in org_store::grants_of(tx, u.id)? {
                    all.push((g.role, g.unit_id));
                }
            }
            Ok(all)
        })
        .unwrap();
    assert_eq!(grants.len(), done.grants);
    assert!(grants.contains(&("group_admin".into(), group)));
    for e in &enterprises {
        assert!(
            grants.contains(&("enterprise_admin".into(), e.id)),
            "{}",
            e.code
        );
    }

    // Sign-in with the shared password, through the API, for the admin and an ordinary person.
    let admin = t.agent("admin", PASSWORD).await;
    let me = t.call(&admin, Method::Get, "/api/v1/me", None).await;
    assert_eq!(me.status, Status::Ok, "{}", me.body);
    assert_eq!(me.json()["roles"][0]["role"], "group_admin");
    let someone = users.last().unwrap();
    let agent = t.agent(&someone.login, PASSWORD).await;
    let found = t
        .call(&agent, Method::Get, "/api/v1/users?q=%E7%8E%8B", None)
        .await;
    assert_eq!(found.status, Status::Ok, "{}", found.body);
    assert!(
        found.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["name"].as_str().unwrap().contains('王'))
    );
    assert_eq!(
        t.login(&someone.login, "wrong1234").await.status,
        Status::Unauthorized
    );

    let report = oanode::check::run(t.app.store()).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);

    // Twice: refused, nothing changed.
    let before = fingerprint(&t);
    let again = seed::seed(t.app.store(), t.app.clock(), &opts, &hash);
    assert!(matches!(again, Err(oanode::error::Error::Conflict(_))));
    assert_eq!(fingerprint(&t), before);
}

#[rocket::async_test]
async fn the_same_size_gives_the_same_group() {
    let logins = |t: &TestApp| -> Vec<(String, String, u64)> {
        t.app
            .store()
            .read(|tx| {
                Ok(org_store::users_all(tx)?
                    .into_iter()
                    .map(|u| (u.login, u.name, u.unit_id))
                    .collect())
            })
            .unwrap()
    };
    let opts = SeedOptions {
        users: 120,
        units: 15,
    };
    let (a, b) = (TestApp::empty().await, TestApp::empty().await);
    for t in [&a, &b] {
        seed::seed(t.app.store(), t.app.clock(), &opts, "x").unwrap();
    }
    assert_eq!(logins(&a), logins(&b));
}

#[test]
fn the_seed_command_fills_an_empty_directory_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("node");
    let data = data.to_str().unwrap();
    let run = |args: &[&str]| {
        let o = Command::new(env!("CARGO_BIN_EXE_oanode"))
            .args(args)
            .env_remove("OANODE_DATA")
            .output()
            .expect("run oanode");
        (
            o.status.success(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    let seed_args = [
        "seed",
        "--data",
        data,
        "--users",
        "150",
        "--units",
        "12",
        "--password",
        "Load2026x",
        "--documents",
        "300",
    ];
    let (ok, out, err) = run(&seed_args);
    assert!(ok, "{err}");
    assert!(out.contains("seeded 12 units"), "{out}");
    // Documents, one in ten also to the administrator: the 收文 scenario's reader.
    assert!(out.contains("seeded 300 documents"), "{out}");
    assert!(out.contains("busiest reader: admin"), "{out}");
    assert!(out.contains("150 users"), "{out}");
    assert!(out.contains("admin") && out.contains("Load2026x"), "{out}");

    let (ok, out, err) = run(&["check", "--data", data]);
    assert!(ok, "{out}{err}");
    assert!(out.contains("check passed"), "{out}");

    let (ok, _, err) = run(&seed_args);
    assert!(!ok);
    assert!(err.contains("already holds an organization"), "{err}");
    assert_eq!(err.lines().count(), 1, "one sentence: {err}");

    let weak = tempfile::tempdir().unwrap();
    let weak = weak.path().to_str().unwrap();
    let (ok, _, err) = run(&[
        "seed",
        "--data",
        weak,
        "--users",
        "5",
        "--password",
        "short",
    ]);
    assert!(!ok);
    assert!(err.contains("password policy"), "{err}");
    let (ok, _, err) = run(&["seed", "--data", weak, "--users", "0"]);
    assert!(!ok, "{err}");
}
