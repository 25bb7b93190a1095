use super::*;
use crate::clock::ManualClock;
use crate::org::model::{Source, UserStatus};
use crate::org::store as org_store;
use crate::store::Store;

fn world() -> (tempfile::TempDir, Store, ManualClock) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), 8 << 20).unwrap();
    (dir, store, ManualClock::new(1_796_000_400_000))
}

const SNAP: &str = r#"{"mode": "full",
  "units": [
    {"code": "G", "name": "集团", "kind": "group", "parent": null, "order": 1},
    {"code": "E1", "name": "能源公司", "kind": "enterprise", "parent": "G", "order": 2},
    {"code": "E1-A", "name": "综合部", "kind": "department", "parent": "E1", "head": "0002", "order": 3}
  ],
  "people": [
    {"employee_no": "0001", "name": "张伟", "login": "zhangwei", "unit": "G", "status": "active"},
    {"employee_no": "0002", "name": "李娜", "login": "lina", "unit": "E1-A", "manager": "0001", "position": "主任", "status": "active"},
    {"employee_no": "0003", "name": "王芳", "login": "wangfang", "unit": "E1-A", "manager": "0002", "status": "active"}
  ]}"#;

fn actor() -> SyncActor {
    SyncActor {
        user_id: None,
        login: "test".into(),
    }
}

fn run(store: &Store, clock: &ManualClock, json: &str, dry_run: bool) -> SyncReport {
    let snap = parse_json(json.as_bytes(), None).unwrap();
    sync(
        store,
        clock,
        actor(),
        &snap,
        SyncOptions {
            dry_run,
            source: "test.json".into(),
        },
    )
    .unwrap()
}

fn counts(store: &Store) -> (u64, u64, u64) {
    store
        .read(|tx| {
            let (u, p) = org_store::counts(tx)?;
            Ok((u, p, crate::store::audit::verify(tx)?.unwrap_or(0)))
        })
        .unwrap()
}

#[test]
fn a_full_snapshot_creates_then_a_second_changes_nothing() {
    let (_d, store, clock) = world();
    let r = run(&store, &clock, SNAP, false);
    assert_eq!(
        (
            r.counts.units_created,
            r.counts.people_created,
            r.counts.rejected
        ),
        (3, 3, 0)
    );
    let again = run(&store, &clock, SNAP, false);
    assert_eq!(
        (
            again.counts.units_created,
            again.counts.units_updated,
            again.counts.people_created,
            again.counts.people_updated
        ),
        (0, 0, 0, 0),
        "idempotent"
    );
    let lina = store
        .read(|tx| org_store::user_by_login(tx, "lina"))
        .unwrap()
        .unwrap();
    assert_eq!(lina.source, Source::Ehr);
    assert!(lina.must_change_password);
    assert!(
        !crate::auth::password::verify(&lina.password_hash, ""),
        "no usable password until a reset"
    );
    let mut problems = Vec::new();
    store
        .read(|tx| org_store::check(tx, &mut problems))
        .unwrap();
    assert!(problems.is_empty(), "{problems:?}");
}

#[test]
fn dry_run_writes_nothing_and_departure_disables() {
    let (_d, store, clock) = world();
    run(&store, &clock, SNAP, false);
    let before = counts(&store);
    let departed = SNAP.replace(
        r#""unit": "E1-A", "manager": "0002", "status": "active""#,
        r#""unit": "E1-A", "manager": "0002", "status": "departed""#,
    );
    let preview = run(&store, &clock, &departed, true);
    assert_eq!(preview.counts.people_disabled, 1);
    assert_eq!(
        counts(&store),
        before,
        "a dry run changes nothing, audit included"
    );
    let r = run(&store, &clock, &departed, false);
    assert_eq!(r.counts.people_disabled, 1);
    let wf = store
        .read(|tx| org_store::user_by_login(tx, "wangfang"))
        .unwrap()
        .unwrap();
    assert_eq!(wf.status, UserStatus::Disabled);
}

#[test]
fn full_mode_disables_missing_ehr_people_but_never_local_accounts() {
    let (_d, store, clock) = world();
    crate::org::service::init_node(&store, &clock, "admin", "集团").unwrap();
    run(&store, &clock, SNAP, false);
    let without = SNAP.replace(
        r#",
    {"employee_no": "0003", "name": "王芳", "login": "wangfang", "unit": "E1-A", "manager": "0002", "status": "active"}"#,
        "",
    );
    let r = run(&store, &clock, &without, false);
    assert_eq!(r.counts.people_disabled, 1);
    let wf = store
        .read(|tx| org_store::user_by_login(tx, "wangfang"))
        .unwrap()
        .unwrap();
    assert_eq!(wf.status, UserStatus::Disabled);
    let admin = store
        .read(|tx| org_store::user_by_login(tx, "admin"))
        .unwrap()
        .unwrap();
    assert_eq!(
        (admin.status, admin.source),
        (UserStatus::Active, Source::Local),
        "init's account is never touched"
    );
}

#[test]
fn bad_rows_are_skipped_with_reasons_and_malformed_files_refused_whole() {
    let (_d, store, clock) = world();
    let bad = SNAP.replace(
        r#""login": "wangfang", "unit": "E1-A""#,
        r#""login": "wang fang", "unit": "NOPE""#,
    );
    let r = run(&store, &clock, &bad, false);
    assert_eq!(r.counts.rejected, 1);
    assert_eq!(r.counts.people_created, 2);
    assert!(r.lines.iter().any(|l| l.reason.is_some()));

    let (_d2, store2, clock2) = world();
    let before = counts(&store2);
    assert!(parse_json(b"{\"mode\": \"full\", \"units\": [", None).is_err());
    assert!(parse_json(b"[1,2,3]", None).is_err());
    let _ = clock2;
    assert_eq!(counts(&store2), before);
}
