//! The eHR files (JSON, CSV pair, XLSX) and the nightly pickup.

use serde_json::json;

use super::model::{Field, Mode};
use super::tests::{base_people, base_units, full, rejected, world};
use super::*;
use crate::error::Error;
use crate::org::model::UserStatus;

#[test]
fn json_is_refused_whole_when_malformed() {
    for (text, key) in [
        (
            "{\"mode\": \"full\", \"people\": [",
            "error.ehr.malformed_json",
        ),
        (
            "{\"mode\": \"full\", \"people\": [], \"extra\": 1}",
            "error.ehr.malformed_json",
        ),
        (
            "{\"mode\": \"full\", \"people\": [{\"employee_no\": \"1\", \"salary\": 9}]}",
            "error.ehr.malformed_json",
        ),
        ("{\"mode\": \"sometimes\"}", "error.ehr.malformed_json"),
        ("{\"units\": []}", "error.ehr.mode_required"),
    ] {
        let e = parse_json(text.as_bytes(), None).unwrap_err();
        assert_eq!(e.key, key, "{text}");
        assert!(matches!(Error::from(e), Error::Validation(_)));
    }
    let e = parse_json(b"{\"mode\": \"delta\"}", Some(Mode::Full)).unwrap_err();
    assert_eq!(e.key, "error.ehr.mode_conflict");
    let e = parse_json(b"{\"mode\": \"full\", \"people\": [}", None).unwrap_err();
    assert!(e.to_string().contains("line 1"), "{e}");
    let s = parse_json(b"\xEF\xBB\xBF{\"units\": []}", Some(Mode::Delta)).unwrap();
    assert_eq!(s.mode, Mode::Delta);
}

const UNITS_CSV: &str =
    "code,name,kind,parent,head,order\nG,集团,group,,E001,1\nIT,信息管理部,department,G,E002,10\n";
const PEOPLE_CSV: &str = "employee_no,name,login,mobile,email,unit,manager,status\n\
    E001,王建国,wangjianguo,13800000001,wang@example.com,G,,active\n\
    E002,张伟,zhangwei,,,IT,E001,\n\n";

#[test]
fn a_csv_pair_reads_with_or_without_bom() {
    let bom = format!("\u{feff}{UNITS_CSV}");
    let s = parse_csv_pair(
        Some(bom.as_bytes()),
        Some(PEOPLE_CSV.as_bytes()),
        Mode::Full,
    )
    .unwrap();
    assert_eq!(s.units.len(), 2);
    assert_eq!(s.units[1].code, Field::Value("IT".into()));
    assert_eq!(s.units[1].order, Field::Value(10));
    assert_eq!(s.units[1].row, 3, "rows are numbered as in a spreadsheet");
    assert_eq!(s.units[0].parent, Field::Empty);
    assert_eq!(s.people[1].mobile, Field::Empty, "an empty cell clears");
    assert_eq!(
        s.people[1].ad_login,
        Field::Absent,
        "a missing column keeps"
    );
    let w = world();
    let r = w.sync(&s);
    assert_eq!((r.counts.units_created, r.counts.people_created), (2, 2));
    assert_eq!(
        w.user("zhangwei").manager_id,
        Some(w.user("wangjianguo").id)
    );
    // A bad number marks its row only.
    let s = parse_csv_pair(
        Some("code,name,kind,parent,order\nX,x,department,G,ten\n".as_bytes()),
        None,
        Mode::Delta,
    )
    .unwrap();
    let r = w.sync(&s);
    assert_eq!(
        rejected(&r),
        [(2, "order".into(), "error.ehr.bad_number".into())]
    );
}

#[test]
fn a_malformed_csv_is_refused_whole_with_nothing_changed() {
    let w = world();
    w.sync(&full(base_people()));
    let before = w.fingerprint();
    let gbk_name: &[u8] = b"code,name,kind\nX,\xd0\xc5\xcf\xa2,department\n"; // 信息 in GBK
    type Case<'a> = (Option<&'a [u8]>, Option<&'a [u8]>, &'a str);
    let cases: Vec<Case<'_>> = vec![
        (
            Some(gbk_name),
            Some(PEOPLE_CSV.as_bytes()),
            "error.ehr.not_utf8",
        ),
        (
            Some(b"code,name,kind\nX,a\n"),
            Some(PEOPLE_CSV.as_bytes()),
            "error.ehr.bad_csv",
        ),
        (
            Some(b"code,name,colour\nX,a,red\n"),
            Some(PEOPLE_CSV.as_bytes()),
            "error.ehr.unknown_column",
        ),
        (
            Some(b"name,kind\na,group\n"),
            Some(PEOPLE_CSV.as_bytes()),
            "error.ehr.missing_column",
        ),
        (
            Some(b"code,code\nA,B\n"),
            Some(PEOPLE_CSV.as_bytes()),
            "error.ehr.duplicate_column",
        ),
        (None, Some(PEOPLE_CSV.as_bytes()), "error.ehr.missing_file"),
    ];
    for (units, people, key) in cases {
        let e = parse_csv_pair(units, people, Mode::Full).unwrap_err();
        assert_eq!(e.key, key, "{e}");
    }
    let e = parse_csv_pair(Some(gbk_name), None, Mode::Delta).unwrap_err();
    assert!(e.to_string().contains("UTF-8"), "{e}");
    assert_eq!(w.fingerprint(), before);
}

fn workbook(units: &[&[&str]], people: &[&[&str]]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    for (name, rows) in [("units", units), ("People", people)] {
        let ws = wb.add_worksheet();
        ws.set_name(name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                // Numbers as HR's spreadsheets hold them: employee numbers and mobiles as numbers.
                if let Ok(n) = cell.parse::<f64>() {
                    ws.write_number(r as u32, c as u16, n).unwrap();
                } else if !cell.is_empty() {
                    ws.write_string(r as u32, c as u16, *cell).unwrap();
                }
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

#[test]
fn an_xlsx_workbook_reads_and_a_broken_one_is_refused() {
    let bytes = workbook(
        &[
            &["code", "name", "kind", "parent", "head", "order"],
            &["G", "集团", "group", "", "1001", "1"],
            &["IT", "信息管理部", "department", "G", "", "10"],
        ],
        &[
            &[
                "employee_no",
                "name",
                "login",
                "mobile",
                "unit",
                "manager",
                "position",
            ],
            &["1001", "王建国", "wang", "13800000001", "G", "", "董事长"],
            &[
                "1002",
                "张伟",
                "zhangwei",
                "13800000002",
                "IT",
                "1001",
                "部长",
            ],
        ],
    );
    let s = parse_xlsx(&bytes, Mode::Full).unwrap();
    assert_eq!(
        s.people[0].employee_no,
        Field::Value("1001".into()),
        "no 1001.0"
    );
    assert_eq!(s.people[1].mobile, Field::Value("13800000002".into()));
    assert_eq!((s.units[1].row, s.people[1].row), (3, 3));
    let w = world();
    let r = w.sync(&s);
    assert_eq!(
        (
            r.counts.units_created,
            r.counts.people_created,
            r.counts.positions_created
        ),
        (2, 2, 2)
    );
    assert_eq!(w.unit("G").head_id, Some(w.user("wang").id));
    assert_eq!(r.counts.changes(), 6);
    assert_eq!(w.sync(&s).counts.changes(), 0);

    let before = w.fingerprint();
    let e = parse_xlsx(b"PK\x03\x04 not really a zip", Mode::Full).unwrap_err();
    assert_eq!(e.key, "error.ehr.bad_xlsx");
    let only_units = {
        let mut wb = rust_xlsxwriter::Workbook::new();
        wb.add_worksheet().set_name("units").unwrap();
        wb.save_to_buffer().unwrap()
    };
    assert_eq!(
        parse_xlsx(&only_units, Mode::Full).unwrap_err().key,
        "error.ehr.missing_sheet"
    );
    let bad_header = workbook(&[&["code", "名称"]], &[&["employee_no"]]);
    assert_eq!(
        parse_xlsx(&bad_header, Mode::Full).unwrap_err().key,
        "error.ehr.unknown_column"
    );
    assert_eq!(w.fingerprint(), before);
}

#[test]
fn parse_path_dispatches_on_the_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("units.csv"), UNITS_CSV).unwrap();
    std::fs::write(dir.path().join("people.csv"), PEOPLE_CSV).unwrap();
    let (s, _) = parse_path(dir.path(), None).unwrap();
    assert_eq!((s.mode, s.people.len()), (Mode::Full, 2));
    let (s, _) = parse_path(&dir.path().join("people.csv"), Some(Mode::Delta)).unwrap();
    assert_eq!((s.mode, s.units.len()), (Mode::Delta, 2));
    let json = dir.path().join("snap.json");
    std::fs::write(&json, r#"{"mode": "delta", "people": []}"#).unwrap();
    assert_eq!(parse_path(&json, None).unwrap().1, "snap.json");
    let txt = dir.path().join("snap.txt");
    std::fs::write(&txt, "x").unwrap();
    assert_eq!(
        parse_path(&txt, None).unwrap_err().key,
        "error.ehr.unsupported_file"
    );
    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data.example/ehr");
    for f in ["snapshot.json", "csv"] {
        let (s, _) = parse_path(&example.join(f), None).unwrap();
        let w = world();
        let r = w.sync(&s);
        assert!(
            r.counts.rejected == 0 && r.counts.warnings == 0,
            "{f}: {:?}",
            r.lines
        );
        assert!(r.counts.people_created > 0);
        if f == "snapshot.json" {
            let (d, _) = parse_path(&example.join("delta.json"), None).unwrap();
            let r = w.sync(&d);
            let c = &r.counts;
            assert_eq!(
                (
                    c.people_created,
                    c.people_updated,
                    c.people_disabled,
                    c.rejected
                ),
                (1, 1, 1, 0)
            );
        }
    }
}

// ------------------------------------------------------------------ pickup

#[test]
fn pickup_is_due_once_per_night_in_the_configured_zone() {
    use chrono::TimeZone;
    let at = parse_pickup_at("23:30").unwrap();
    let sh: chrono_tz::Tz = "Asia/Shanghai".parse().unwrap();
    let ms = |tz: chrono_tz::Tz, y, mo, d, h, mi| {
        tz.with_ymd_and_hms(y, mo, d, h, mi, 0)
            .unwrap()
            .timestamp_millis()
    };
    let last = ms(sh, 2026, 11, 27, 23, 30);
    assert!(
        !pickup_due(ms(sh, 2026, 11, 28, 9, 0), last, at, sh),
        "ran last night"
    );
    assert!(!pickup_due(ms(sh, 2026, 11, 28, 23, 29), last, at, sh));
    assert!(pickup_due(ms(sh, 2026, 11, 28, 23, 30), last, at, sh));
    assert!(
        pickup_due(ms(sh, 2026, 11, 29, 0, 10), last, at, sh),
        "after midnight, still due"
    );
    assert!(!pickup_due(
        ms(sh, 2026, 11, 29, 0, 10),
        ms(sh, 2026, 11, 28, 23, 31),
        at,
        sh
    ));
    assert!(
        pickup_due(ms(sh, 2026, 12, 1, 8, 0), last, at, sh),
        "a node down for days catches up"
    );
    // 23:30 in Shanghai is 15:30 UTC: the same instant is not yet due in London's evening.
    let utc_1600 = chrono::Utc
        .with_ymd_and_hms(2026, 11, 28, 16, 0, 0)
        .unwrap()
        .timestamp_millis();
    let two_hours_before = utc_1600 - 2 * 3_600_000;
    assert!(pickup_due(utc_1600, two_hours_before, at, sh));
    assert!(!pickup_due(
        utc_1600,
        two_hours_before,
        at,
        chrono_tz::Europe::London
    ));
    // A pickup time skipped by a clock change runs an hour later that night.
    let ny = chrono_tz::America::New_York;
    let two_thirty = parse_pickup_at("02:30").unwrap();
    let before = ms(ny, 2026, 3, 7, 12, 0);
    assert!(!pickup_due(
        ms(ny, 2026, 3, 8, 1, 59),
        before,
        two_thirty,
        ny
    ));
    assert!(pickup_due(
        ms(ny, 2026, 3, 8, 3, 31),
        before,
        two_thirty,
        ny
    ));
    for bad in ["7:30", "24:00", "23:60", "2330", "ab:cd", ""] {
        assert!(parse_pickup_at(bad).is_none(), "{bad}");
    }
}

#[test]
fn pickup_imports_inbox_files_in_name_order_and_files_them() {
    let w = world();
    let inbox = tempfile::tempdir().unwrap();
    let first = json!({"mode": "full", "units": base_units(), "people": base_people()});
    let second =
        json!({"mode": "delta", "people": [{"employee_no": "E003", "status": "departed"}]});
    std::fs::write(inbox.path().join("2026-11-28.json"), second.to_string()).unwrap();
    std::fs::write(inbox.path().join("2026-11-27.json"), first.to_string()).unwrap();
    std::fs::write(inbox.path().join("2026-11-29.json"), "{ not json").unwrap();
    std::fs::write(inbox.path().join("notes.txt"), "ignored").unwrap();
    let out = pickup(&w.store, &w.clock, inbox.path()).unwrap();
    let names: Vec<_> = out
        .iter()
        .map(|o| o.file.file_name().unwrap().to_string_lossy().to_string())
        .collect();
    assert_eq!(
        names,
        ["2026-11-27.json", "2026-11-28.json", "2026-11-29.json"]
    );
    assert_eq!(out[0].result.as_ref().unwrap().counts.people_created, 4);
    assert_eq!(out[1].result.as_ref().unwrap().counts.people_disabled, 1);
    assert!(out[2].result.is_err());
    assert!(inbox.path().join("done/2026-11-27.json").exists());
    assert!(inbox.path().join("done/2026-11-28.json").exists());
    assert!(inbox.path().join("failed/2026-11-29.json").exists());
    let why =
        std::fs::read_to_string(inbox.path().join("failed/2026-11-29.json.error.txt")).unwrap();
    assert!(why.contains("2026-11-29.json"), "{why}");
    assert!(inbox.path().join("notes.txt").exists());
    assert_eq!(w.user("lina").status, UserStatus::Disabled);
    let reports = w.store.read(|tx| super::store::reports(tx, 10)).unwrap();
    assert_eq!(reports[0].source, "inbox: 2026-11-28.json");
    // The same name again goes beside the first, not over it.
    std::fs::write(inbox.path().join("2026-11-28.json"), second.to_string()).unwrap();
    pickup(&w.store, &w.clock, inbox.path()).unwrap();
    assert_eq!(
        std::fs::read_dir(inbox.path().join("done"))
            .unwrap()
            .count(),
        3
    );
}

/// The first tests, written with the API (kept as they were).
mod first {
    use super::super::*;
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
}
