//! Scale: a full snapshot of 10,000 people in 500 units, synced twice.

use super::model::{Field, Mode, PersonRow, Snapshot, UnitRow};
use super::tests::world;

/// A group of `n` people in 500 units (20 enterprises of 24 departments, plus 19 headquarters
/// departments), heads and managers set, 40 positions.
fn big_snapshot(n: usize) -> Snapshot {
    let v = |s: String| Field::Value(s);
    let mut units = vec![UnitRow {
        code: v("G".into()),
        name: v("集团".into()),
        kind: v("group".into()),
        parent: Field::Empty,
        head: v("P000000".into()),
        ..UnitRow::default()
    }];
    for e in 0..20 {
        units.push(UnitRow {
            code: v(format!("E{e:02}")),
            name: v(format!("成员企业{e}")),
            kind: v("enterprise".into()),
            parent: v("G".into()),
            ..UnitRow::default()
        });
        for d in 0..23 {
            units.push(UnitRow {
                code: v(format!("E{e:02}-D{d:02}")),
                name: v(format!("部门{d}")),
                kind: v("department".into()),
                parent: v(format!("E{e:02}")),
                order: Field::Value(d),
                ..UnitRow::default()
            });
        }
    }
    while units.len() < 500 {
        let k = units.len();
        units.push(UnitRow {
            code: v(format!("G-D{k}")),
            name: v(format!("总部部门{k}")),
            kind: v("department".into()),
            parent: v("G".into()),
            ..UnitRow::default()
        });
    }
    // Children before parents, to exercise ordering.
    units.reverse();
    let codes: Vec<String> = units
        .iter()
        .map(|u| u.code.str().unwrap().to_string())
        .collect();
    let mut people = Vec::with_capacity(n);
    for i in 0..n {
        let unit = &codes[i % codes.len()];
        // The first person of each unit heads it and reports to person 0; the rest report to it.
        let head = i % codes.len();
        people.push(PersonRow {
            employee_no: v(format!("P{i:06}")),
            name: v(format!("员工{i}")),
            login: v(format!("user{i:06}")),
            mobile: v(format!("138{i:08}")),
            email: v(format!("user{i:06}@example.com")),
            unit: v(unit.clone()),
            position: v(format!("岗位{}", i % 40)),
            manager: if i == 0 {
                Field::Empty
            } else if i < codes.len() {
                v("P000000".into())
            } else {
                v(format!("P{head:06}"))
            },
            status: v("active".into()),
            ..PersonRow::default()
        });
    }
    for (k, u) in units.iter_mut().enumerate() {
        if u.head.is_absent() {
            let i = codes
                .iter()
                .position(|c| Some(c.as_str()) == u.code.str())
                .unwrap_or(k);
            u.head = v(format!("P{i:06}"));
        }
    }
    let mut s = Snapshot {
        mode: Mode::Full,
        units,
        people,
    };
    s.normalize();
    s
}

#[test]
fn ten_thousand_people_sync_once_then_nothing_changes() {
    let w = world();
    let s = big_snapshot(10_000);
    let t = std::time::Instant::now();
    let r = w.sync(&s);
    let first = t.elapsed();
    assert_eq!(
        r.counts.rejected + r.counts.warnings,
        0,
        "{:?}",
        &r.lines[..r.lines.len().min(5)]
    );
    assert_eq!(
        (r.counts.units_created, r.counts.people_created),
        (500, 10_000)
    );
    let t = std::time::Instant::now();
    let r = w.sync(&s);
    let second = t.elapsed();
    assert_eq!(r.counts.changes(), 0);
    assert_eq!(r.counts.people_unchanged, 10_000);
    // Printed for the measurement (cargo test --release ... -- --nocapture); never asserted.
    println!("eHR sync of 10,000 people in 500 units: first {first:?}, second {second:?}");
    w.check();
}
