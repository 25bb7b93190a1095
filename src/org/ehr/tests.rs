//! The eHR sync against a real store in a temporary folder, with a settable clock.

use serde_json::{Value, json};

use super::model::{LineAction, Sheet, Snapshot, SyncReport};
use super::*;
use crate::clock::ManualClock;
use crate::error::Error;
use crate::org::model::{OrgEvent, Source, Unit, UnitKind, User, UserStatus};
use crate::org::store as org_store;
use crate::store::{self, Store, audit};

pub(super) const T0: i64 = 1_796_000_400_000;

pub(super) struct World {
    _dir: tempfile::TempDir,
    pub(super) store: Store,
    pub(super) clock: ManualClock,
}

pub(super) fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), 8 << 20).unwrap();
    World {
        _dir: dir,
        store,
        clock: ManualClock::new(T0),
    }
}

pub(super) fn snap(v: Value) -> Snapshot {
    parse_json(v.to_string().as_bytes(), None).unwrap()
}

pub(super) fn base_units() -> Value {
    json!([
        {"code": "G", "name": "集团", "kind": "group", "parent": null, "head": "E001", "order": 1},
        {"code": "IT", "name": "信息管理部", "kind": "department", "parent": "G", "head": "E002", "order": 10},
        {"code": "HR", "name": "人力资源部", "kind": "department", "parent": "G", "order": 20}
    ])
}

pub(super) fn person(
    no: &str,
    name: &str,
    login: &str,
    unit: &str,
    manager: Option<&str>,
) -> Value {
    json!({"employee_no": no, "name": name, "login": login, "mobile": "13800000000",
           "email": format!("{login}@example.com"), "unit": unit, "position": "工程师",
           "manager": manager, "status": "active"})
}

pub(super) fn base_people() -> Vec<Value> {
    vec![
        person("E001", "王建国", "wangjianguo", "G", None),
        person("E002", "张伟", "zhangwei", "IT", Some("E001")),
        person("E003", "李娜", "lina", "IT", Some("E002")),
        person("E004", "刘洋", "liuyang", "HR", Some("E001")),
    ]
}

pub(super) fn full(people: Vec<Value>) -> Snapshot {
    snap(json!({"mode": "full", "units": base_units(), "people": people}))
}

pub(super) fn delta(units: Value, people: Vec<Value>) -> Snapshot {
    snap(json!({"mode": "delta", "units": units, "people": people}))
}

impl World {
    pub(super) fn sync(&self, s: &Snapshot) -> SyncReport {
        sync(
            &self.store,
            &self.clock,
            SyncActor::system(),
            s,
            SyncOptions::default(),
        )
        .unwrap()
    }

    pub(super) fn user(&self, login: &str) -> User {
        self.store
            .read(|tx| org_store::user_by_login(tx, login))
            .unwrap()
            .unwrap_or_else(|| panic!("no user {login}"))
    }

    pub(super) fn unit(&self, code: &str) -> Unit {
        self.store
            .read(|tx| org_store::unit_by_code(tx, code))
            .unwrap()
            .unwrap_or_else(|| panic!("no unit {code}"))
    }

    pub(super) fn events(&self) -> Vec<OrgEvent> {
        self.store
            .read(|tx| org_store::events_after(tx, 0, 1000))
            .unwrap()
            .into_iter()
            .map(|(_, e)| e)
            .collect()
    }

    pub(super) fn check(&self) {
        let mut problems = Vec::new();
        self.store
            .read(|tx| org_store::check(tx, &mut problems))
            .unwrap();
        assert!(problems.is_empty(), "{problems:?}");
    }

    /// Everything a sync could write, to compare before and after.
    pub(super) fn fingerprint(&self) -> String {
        self.store
            .read(|tx| {
                let mut s = format!(
                    "{:?}{:?}{:?}",
                    org_store::units_all(tx)?,
                    org_store::users_all(tx)?,
                    org_store::positions_all(tx)?
                );
                for kind in ["unit", "user", "position", "org.ehr_report", "org.event"] {
                    s.push_str(&format!(" {kind}={}", store::last_id(tx, kind)?));
                }
                s.push_str(&format!(
                    " audit={:?}",
                    audit::recent(tx, None, 1)?.first().map(|e| e.seq)
                ));
                s.push_str(&format!(
                    " reports={}",
                    super::store::reports(tx, 100)?.len()
                ));
                Ok(s)
            })
            .unwrap()
    }

    /// A local account (as `oanode init` or an administrator makes them).
    pub(super) fn local_user(&self, login: &str, employee_no: Option<&str>) -> u64 {
        let unit_id = self.unit("G").id;
        self.store
            .write(|tx| {
                let id = store::next_id(tx, "user")?;
                org_store::insert_user(
                    tx,
                    &User {
                        id,
                        login: login.into(),
                        name: "系统管理员".into(),
                        employee_no: employee_no.map(str::to_string),
                        mobile: None,
                        email: None,
                        ad_login: None,
                        unit_id,
                        position_id: None,
                        manager_id: None,
                        status: UserStatus::Active,
                        password_hash: "x".into(),
                        must_change_password: true,
                        password_changed_ms: 0,
                        source: Source::Local,
                        created_ms: 0,
                        updated_ms: 0,
                    },
                )?;
                Ok(id)
            })
            .unwrap()
    }
}

pub(super) fn rejected(r: &SyncReport) -> Vec<(usize, String, String)> {
    r.lines
        .iter()
        .filter(|l| l.action == LineAction::Rejected)
        .map(|l| {
            (
                l.row,
                l.field.clone().unwrap_or_default(),
                l.reason.clone().unwrap_or_default(),
            )
        })
        .collect()
}

#[test]
fn creates_units_people_positions_and_reporting_lines() {
    let w = world();
    let r = w.sync(&full(base_people()));
    assert_eq!(
        (
            r.counts.units_created,
            r.counts.people_created,
            r.counts.positions_created
        ),
        (3, 4, 1)
    );
    assert!(
        rejected(&r).is_empty() && r.counts.warnings == 0,
        "{:?}",
        r.lines
    );
    let (zhang, li) = (w.user("zhangwei"), w.user("lina"));
    let it = w.unit("IT");
    assert_eq!(it.parent_id, Some(w.unit("G").id));
    assert_eq!(it.head_id, Some(zhang.id));
    assert_eq!(it.source, Source::Ehr);
    assert_eq!(li.manager_id, Some(zhang.id));
    assert_eq!(li.unit_id, it.id);
    assert_eq!(li.mobile.as_deref(), Some("13800000000"));
    assert_eq!(li.employee_no.as_deref(), Some("E003"));
    assert_eq!((li.status, li.source), (UserStatus::Active, Source::Ehr));
    assert!(li.must_change_password);
    assert!(
        li.password_hash.is_empty(),
        "no password until an admin reset"
    );
    assert!(!crate::auth::password::verify(&li.password_hash, ""));
    assert_eq!(r.created_user_ids.len(), 4);
    assert!(r.created_user_ids.contains(&li.id));
    assert_eq!(
        w.events()
            .iter()
            .filter(|e| matches!(e, OrgEvent::Hired { .. }))
            .count(),
        4
    );
    // The report is stored, and listed newest first without its lines.
    let (stored, list) = w
        .store
        .read(|tx| {
            Ok((
                super::store::report(tx, r.id)?,
                super::store::reports(tx, 10)?,
            ))
        })
        .unwrap();
    assert_eq!(stored.as_ref(), Some(&r));
    assert_eq!(list.len(), 1);
    assert_eq!((list[0].id, list[0].counts.people_created), (r.id, 4));
    let last = w.store.read(|tx| audit::recent(tx, None, 1)).unwrap();
    assert_eq!(last[0].action, "ehr.sync");
    assert_eq!(last[0].target, format!("ehr_report:{}", r.id));
    w.check();
}

#[test]
fn the_same_snapshot_twice_changes_nothing() {
    let w = world();
    let s = full(base_people());
    w.sync(&s);
    let before = w.fingerprint();
    w.clock.advance(60_000);
    let r = w.sync(&s);
    assert_eq!(r.counts.changes(), 0, "{:?}", r.lines);
    assert_eq!(
        (r.counts.units_unchanged, r.counts.people_unchanged),
        (3, 4)
    );
    assert!(r.lines.is_empty());
    // Only the new report and its audit entry were written.
    let after = w.fingerprint();
    assert_eq!(
        before.split(" org.ehr_report").next(),
        after.split(" org.ehr_report").next()
    );
    let reports = w.store.read(|tx| super::store::reports(tx, 10)).unwrap();
    assert_eq!(reports.len(), 2);
    assert!(reports[0].id > reports[1].id, "newest first");
    w.check();
}

#[test]
fn a_transfer_moves_unit_position_and_manager_and_is_published() {
    let w = world();
    w.sync(&full(base_people()));
    let li = w.user("lina");
    let mut moved = person("E003", "李娜", "lina", "HR", Some("E004"));
    moved["position"] = json!("招聘专员");
    let r = w.sync(&delta(json!([]), vec![moved]));
    assert_eq!(r.counts.people_updated, 1);
    let line = r
        .lines
        .iter()
        .find(|l| l.action == LineAction::Updated)
        .unwrap();
    assert_eq!(line.changes, ["unit", "position", "manager"]);
    let after = w.user("lina");
    assert_eq!(after.unit_id, w.unit("HR").id);
    assert_eq!(after.manager_id, Some(w.user("liuyang").id));
    assert_ne!(after.position_id, li.position_id);
    assert!(w.events().contains(&OrgEvent::Transferred {
        user_id: li.id,
        from_unit: w.unit("IT").id,
        to_unit: w.unit("HR").id,
        at_ms: T0,
    }));
    let in_hr = w
        .store
        .read(|tx| org_store::users_in_unit(tx, w.unit("HR").id))
        .unwrap();
    assert_eq!(in_hr.len(), 2);
    w.check();
}

#[test]
fn a_departure_disables_at_once_and_publishes_the_event() {
    let w = world();
    w.sync(&full(base_people()));
    let li = w.user("lina");
    let zhang = w.user("zhangwei");
    use crate::auth::{model::Session, model::SessionKind, store as auth_store};
    let session = |id: u64, user_id: u64, kind: SessionKind| Session {
        id,
        user_id,
        token_hash: format!("hash{id}"),
        kind,
        scope: crate::auth::Scope::Full,
        csrf: String::new(),
        created_ms: T0,
        last_seen_ms: T0,
        expires_ms: T0 + 3_600_000,
        ip: None,
        user_agent: None,
    };
    w.store
        .write(|tx| {
            auth_store::insert_session(tx, &session(1, li.id, SessionKind::Login))?;
            let token = SessionKind::Token {
                name: "phone".into(),
            };
            auth_store::insert_session(tx, &session(2, li.id, token))?;
            auth_store::insert_session(tx, &session(3, zhang.id, SessionKind::Login))
        })
        .unwrap();
    let r = w.sync(&delta(
        json!([]),
        vec![json!({"employee_no": "E003", "status": "departed"})],
    ));
    assert_eq!(r.counts.people_disabled, 1);
    assert_eq!(r.disabled_user_ids, vec![li.id]);
    let (hers, his) = w
        .store
        .read(|tx| {
            Ok((
                auth_store::sessions_of(tx, li.id)?,
                auth_store::sessions_of(tx, zhang.id)?,
            ))
        })
        .unwrap();
    assert!(
        hers.is_empty(),
        "a leaver's sessions and tokens end with the sync"
    );
    assert_eq!(his.len(), 1);
    assert_eq!(w.user("lina").status, UserStatus::Disabled);
    assert!(w.events().contains(&OrgEvent::Departed {
        user_id: li.id,
        manager_id: li.manager_id,
        at_ms: T0,
    }));
    // Departed again: nothing more to do.
    let r = w.sync(&delta(
        json!([]),
        vec![json!({"employee_no": "E003", "status": "departed"})],
    ));
    assert_eq!(r.counts.changes(), 0);
    // Listed as active again: re-enabled, as a hire.
    let r = w.sync(&full(base_people()));
    assert_eq!((r.counts.people_updated, r.counts.people_disabled), (1, 0));
    assert_eq!(w.user("lina").status, UserStatus::Active);
    assert!(
        matches!(w.events().last(), Some(OrgEvent::Hired { user_id, .. }) if *user_id == li.id)
    );
    w.check();
}

#[test]
fn full_mode_disables_missing_ehr_people_only() {
    let w = world();
    w.sync(&full(base_people()));
    let admin = w.local_user("admin", None);
    let local_with_no = w.local_user("auditor", Some("L001"));
    let mut people = base_people();
    people.remove(3); // 刘洋 is gone from HR's export
    let r = w.sync(&snap(json!({"mode": "full", "units": json!([base_units()[0], base_units()[1]]), "people": people})));
    assert_eq!(r.counts.people_disabled, 1);
    assert_eq!(r.disabled_user_ids, vec![w.user("liuyang").id]);
    assert_eq!(w.user("liuyang").status, UserStatus::Disabled);
    for id in [admin, local_with_no] {
        let u = w
            .store
            .read(|tx| org_store::user_by_id(tx, id))
            .unwrap()
            .unwrap();
        assert_eq!(
            u.status,
            UserStatus::Active,
            "a local account is never touched"
        );
    }
    // The unit HR is absent: reported, left in place.
    assert_eq!(r.counts.units_missing, 1);
    let missing = r
        .lines
        .iter()
        .find(|l| l.action == LineAction::Missing)
        .unwrap();
    assert_eq!((missing.sheet, missing.key.as_str()), (Sheet::Units, "HR"));
    assert_eq!(w.unit("HR").name, "人力资源部");
    w.check();
}

#[test]
fn full_mode_leaves_demo_people_alone() {
    let w = world();
    let demo = crate::org::service::load_demo(&w.store, &w.clock).unwrap();
    let r = w.sync(&snap(json!({"mode": "full", "units": [], "people": [
        person("X001", "新员工", "xinyuangong", "G-IT", Some("D0003"))
    ]})));
    assert_eq!((r.counts.people_created, r.counts.people_disabled), (1, 0));
    let still_active = w
        .store
        .read(org_store::users_all)
        .unwrap()
        .iter()
        .filter(|u| u.source == Source::Demo && u.status == UserStatus::Active)
        .count();
    assert_eq!(still_active, demo.user_ids.len());
    // A demo person named in an eHR snapshot is refused, not taken over.
    let r = w.sync(&delta(
        json!([]),
        vec![person("D0004", "刘洋", "liuyang", "G-IT", None)],
    ));
    assert_eq!(
        rejected(&r),
        [(
            1,
            "employee_no".into(),
            "error.ehr.not_synced_account".into()
        )]
    );
    w.check();
}

#[test]
fn delta_touches_only_the_listed_rows() {
    let w = world();
    w.sync(&full(base_people()));
    let before: Vec<User> = w.store.read(org_store::users_all).unwrap();
    let r = w.sync(&delta(
        json!([{"code": "HR", "name": "人力资源中心"}]),
        vec![json!({"employee_no": "E002", "mobile": "13912345678"})],
    ));
    assert_eq!(
        (
            r.counts.units_updated,
            r.counts.people_updated,
            r.counts.people_disabled
        ),
        (1, 1, 0)
    );
    assert_eq!(w.unit("HR").name, "人力资源中心");
    assert_eq!(
        w.unit("HR").kind,
        UnitKind::Department,
        "absent fields are kept"
    );
    let after: Vec<User> = w.store.read(org_store::users_all).unwrap();
    for (b, a) in before.iter().zip(&after) {
        if b.login == "zhangwei" {
            assert_eq!(a.mobile.as_deref(), Some("13912345678"));
            assert_eq!(
                (a.email.as_ref(), a.manager_id, a.unit_id),
                (b.email.as_ref(), b.manager_id, b.unit_id)
            );
        } else {
            assert_eq!(a, b);
        }
    }
    // An explicit null clears a field.
    w.sync(&delta(
        json!([]),
        vec![json!({"employee_no": "E002", "mobile": null})],
    ));
    assert_eq!(w.user("zhangwei").mobile, None);
    w.check();
}

#[test]
fn a_dry_run_reports_the_same_and_writes_nothing() {
    let w = world();
    w.sync(&full(base_people()));
    let mut people = base_people();
    people[2]["unit"] = json!("HR");
    people.push(person("E005", "陈静", "chenjing", "IT", Some("E002")));
    people.push(person("E006", "坏账号", "坏", "IT", None));
    let s = full(people);
    let before = w.fingerprint();
    let opts = SyncOptions {
        dry_run: true,
        ..SyncOptions::default()
    };
    let dry = sync(&w.store, &w.clock, SyncActor::user(1, "admin"), &s, opts).unwrap();
    assert_eq!(w.fingerprint(), before, "a dry run writes nothing");
    assert!(dry.dry_run && dry.id == 0);
    let real = sync(
        &w.store,
        &w.clock,
        SyncActor::user(1, "admin"),
        &s,
        SyncOptions::default(),
    )
    .unwrap();
    assert_eq!(dry.counts, real.counts);
    assert_eq!(
        dry.lines, real.lines,
        "the same lines, with the ids the records got"
    );
    assert_eq!(dry.created_user_ids, real.created_user_ids);
    assert_eq!(real.actor_id, Some(1));
}

#[test]
fn bad_rows_are_skipped_with_their_reasons_and_the_rest_applied() {
    let w = world();
    w.sync(&full(base_people()));
    w.local_user("admin", None);
    let s = snap(json!({"mode": "delta", "units": [
        {"code": "A", "name": "甲", "kind": "department", "parent": "B"},
        {"code": "B", "name": "乙", "kind": "department", "parent": "A"},
        {"code": "C", "name": "丙", "kind": "department", "parent": "NOPE"},
        {"code": "D", "name": "丁", "kind": "department", "parent": "C"},
        {"code": "IT", "name": "信息部", "kind": "department", "parent": "SUB"},
        {"code": "SUB", "name": "子部门", "kind": "department", "parent": "IT"},
        {"code": "E", "name": "戊", "kind": "team", "parent": "G"},
        {"code": "F", "name": "己", "kind": "department", "parent": "G"}
    ], "people": [
        person("P1", "甲", "bad login", "IT", None),
        person("P2", "乙", "yi", "NOPE", None),
        person("P3", "丙", "bing", "F", None),
        person("P3", "丙二", "bing2", "F", None),
        person("P4", "丁", "ADMIN", "F", None),
        person("P5", "戊", "bing", "F", None),
        person("P6", "己", "ji", "A", None),
        json!({"employee_no": "P7", "name": "庚", "unit": "F", "email": "nope"}),
        json!({"employee_no": "P8", "name": "辛", "unit": "F", "status": "gone"}),
        json!({"employee_no": "张 三", "name": "壬", "unit": "F"}),
        json!({"name": "癸", "unit": "F"}),
    ]}));
    let r = w.sync(&s);
    let rej = rejected(&r);
    let want: Vec<(usize, &str, &str)> = vec![
        (1, "parent", "error.ehr.unit_cycle"),
        (2, "parent", "error.ehr.unit_cycle"),
        (3, "parent", "error.ehr.unknown_parent"),
        (4, "parent", "error.ehr.parent_rejected"),
        (5, "parent", "error.ehr.unit_cycle"),
        (6, "parent", "error.ehr.unit_cycle"),
        (7, "kind", "error.ehr.bad_kind"),
        (1, "login", "error.login_format"),
        (2, "unit", "error.ehr.unknown_unit"),
        (4, "employee_no", "error.ehr.duplicate_employee_no"),
        (5, "login", "error.ehr.login_taken"),
        (6, "login", "error.ehr.duplicate_login"),
        (7, "unit", "error.ehr.unknown_unit"),
        (8, "email", "error.ehr.bad_email"),
        (9, "status", "error.ehr.bad_status"),
        (10, "employee_no", "error.ehr.bad_employee_no"),
        (11, "employee_no", "error.required"),
    ];
    let want: Vec<(usize, String, String)> = want
        .into_iter()
        .map(|(r, f, k)| (r, f.into(), k.into()))
        .collect();
    assert_eq!(rej, want);
    assert_eq!(r.counts.rejected, want.len());
    // The good rows went in: unit F and person P3.
    assert_eq!((r.counts.units_created, r.counts.people_created), (1, 1));
    assert_eq!(w.user("bing").unit_id, w.unit("F").id);
    assert_eq!(
        w.unit("IT").name,
        "信息管理部",
        "a rejected row changes nothing"
    );
    w.check();
}

#[test]
fn unknown_references_are_warnings_and_parents_may_follow_children() {
    let w = world();
    let s = snap(json!({"mode": "full", "units": [
        {"code": "SUB", "name": "科室", "kind": "department", "parent": "DEP", "head": "NOBODY"},
        {"code": "DEP", "name": "部门", "kind": "department", "parent": "G"},
        {"code": "G", "name": "集团", "kind": "group"},
        {"code": "G2", "name": "第二集团", "kind": "group"},
        {"code": "X", "name": "无上级", "kind": "department"}
    ], "people": [
        person("E1", "甲", "jia", "SUB", Some("E2")),
        person("E2", "乙", "yi", "DEP", Some("E9")),
        person("E3", "丙", "bing", "DEP", Some("E3")),
    ]}));
    let r = w.sync(&s);
    assert_eq!(r.counts.units_created, 3);
    assert_eq!(
        rejected(&r),
        [
            (4, "parent".into(), "error.ehr.second_root".into()),
            (5, "parent".into(), "error.ehr.parent_required".into())
        ]
    );
    assert_eq!(w.unit("SUB").parent_id, Some(w.unit("DEP").id));
    assert_eq!(
        w.user("jia").manager_id,
        Some(w.user("yi").id),
        "a manager listed later"
    );
    let warnings: Vec<_> = r
        .lines
        .iter()
        .filter(|l| l.action == LineAction::Warning)
        .map(|l| (l.sheet, l.reason.clone().unwrap_or_default()))
        .collect();
    assert_eq!(
        warnings,
        [
            (Sheet::Units, "error.ehr.unknown_head".to_string()),
            (Sheet::People, "error.ehr.unknown_manager".to_string()),
            (Sheet::People, "error.ehr.manager_self".to_string())
        ]
    );
    assert_eq!(w.user("yi").manager_id, None);
    // Moving a unit under its own descendant is a cycle through the store.
    let r = w.sync(&delta(json!([{"code": "DEP", "parent": "SUB"}]), vec![]));
    assert_eq!(
        rejected(&r),
        [(1, "parent".into(), "error.ehr.unit_cycle".into())]
    );
    w.check();
}

#[test]
fn a_full_snapshot_without_people_is_refused() {
    let w = world();
    let s = snap(json!({"mode": "full", "units": base_units(), "people": []}));
    let before = w.fingerprint();
    assert!(matches!(
        sync(
            &w.store,
            &w.clock,
            SyncActor::system(),
            &s,
            SyncOptions::default()
        ),
        Err(Error::Validation(_))
    ));
    assert_eq!(w.fingerprint(), before);
}

#[test]
fn login_defaults_to_the_lower_cased_employee_number() {
    let w = world();
    let mut p = person("ZW001", "张伟", "zw001", "IT", None);
    p.as_object_mut().unwrap().remove("login");
    let mut q = person("工号1", "李四", "lisi", "IT", None);
    q["login"] = Value::Null;
    let r = w.sync(&full(vec![
        person("E001", "王", "wang", "G", None),
        person("E002", "张", "zhang", "IT", None),
        p,
        q,
    ]));
    assert_eq!(w.user("zw001").employee_no.as_deref(), Some("ZW001"));
    assert_eq!(
        rejected(&r),
        [(4, "login".into(), "error.ehr.login_required".into())]
    );
}
