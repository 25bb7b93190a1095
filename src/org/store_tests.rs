//! The organization's tables: index upkeep and `check`.

use super::*;
use crate::org::model::{Source, UnitKind, UserStatus};
use crate::store::Store;

fn unit(id: u64, code: &str, parent: Option<u64>) -> Unit {
    Unit {
        id,
        code: code.into(),
        name: code.into(),
        kind: if parent.is_none() {
            UnitKind::Group
        } else {
            UnitKind::Department
        },
        parent_id: parent,
        head_id: None,
        order: id as i64,
        source: Source::Local,
        created_ms: 0,
        updated_ms: 0,
    }
}

fn user(id: u64, login: &str, no: Option<&str>, unit_id: u64) -> User {
    User {
        id,
        login: login.into(),
        name: login.into(),
        employee_no: no.map(str::to_string),
        mobile: None,
        email: None,
        ad_login: None,
        unit_id,
        position_id: None,
        manager_id: None,
        status: UserStatus::Active,
        password_hash: String::new(),
        must_change_password: false,
        password_changed_ms: 0,
        source: Source::Local,
        created_ms: 0,
        updated_ms: 0,
    }
}

fn problems(store: &Store) -> Vec<String> {
    let mut p = Vec::new();
    store.read(|tx| check(tx, &mut p)).unwrap();
    p
}

#[test]
fn updates_move_index_entries_and_check_stays_clean() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), 8 << 20).unwrap();
    store
        .write(|tx| {
            insert_unit(tx, &unit(1, "G", None))?;
            insert_unit(tx, &unit(2, "A", Some(1)))?;
            insert_unit(tx, &unit(3, "B", Some(1)))?;
            insert_user(tx, &user(1, "Zhang", Some("E1"), 2))?;
            insert_user(tx, &user(2, "li", None, 2))?;
            assert!(matches!(
                insert_user(tx, &user(3, "other", Some("E1"), 2)),
                Err(Error::Conflict(Code::Duplicate))
            ));
            Ok(())
        })
        .unwrap();
    assert!(problems(&store).is_empty());
    store
        .write(|tx| {
            let old = user_by_id_w(tx, 1)?.unwrap();
            let mut new = old.clone();
            (new.login, new.employee_no, new.unit_id) = ("zw".into(), Some("E9".into()), 3);
            update_user(tx, &old, &new)?;
            let old = unit_by_id_w(tx, 3)?.unwrap();
            let mut new = old.clone();
            (new.code, new.parent_id) = ("B2".into(), Some(2));
            update_unit(tx, &old, &new)?;
            append_event(
                tx,
                &OrgEvent::Hired {
                    user_id: 1,
                    at_ms: 5,
                },
            )?;
            append_event(
                tx,
                &OrgEvent::Hired {
                    user_id: 2,
                    at_ms: 6,
                },
            )?;
            Ok(())
        })
        .unwrap();
    store
        .read(|tx| {
            assert_eq!(user_by_employee_no(tx, "E9")?.map(|u| u.id), Some(1));
            assert!(user_by_employee_no(tx, "E1")?.is_none());
            assert_eq!(user_by_login(tx, "ZW")?.map(|u| u.id), Some(1));
            let ids = |v: Vec<User>| v.into_iter().map(|u| u.id).collect::<Vec<_>>();
            assert_eq!(ids(users_in_unit(tx, 2)?), [2]);
            assert_eq!(ids(users_in_unit(tx, 3)?), [1]);
            let codes = |v: Vec<Unit>| v.into_iter().map(|u| u.code).collect::<Vec<_>>();
            assert_eq!(codes(children_of(tx, 1)?), ["A"]);
            assert_eq!(codes(children_of(tx, 2)?), ["B2"]);
            assert_eq!(codes(children_of(tx, ROOT_PARENT)?), ["G"]);
            assert!(unit_by_code(tx, "B")?.is_none());
            let after = events_after(tx, 1, 10)?;
            assert_eq!(
                after,
                [(
                    2,
                    OrgEvent::Hired {
                        user_id: 2,
                        at_ms: 6
                    }
                )]
            );
            assert_eq!(last_event_seq(tx)?, 2);
            Ok(())
        })
        .unwrap();
    assert!(problems(&store).is_empty(), "{:?}", problems(&store));
}

#[test]
fn check_finds_index_entries_out_of_step_with_records() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), 8 << 20).unwrap();
    store
        .write(|tx| {
            insert_unit(tx, &unit(1, "G", None))?;
            insert_user(tx, &user(1, "zhang", Some("E1"), 1))?;
            // Behind the insert functions' back: a stale and a missing entry in each index.
            tx.open_table(USERS_BY_EMPLOYEE_NO)?.insert("E404", 9)?;
            tx.open_multimap_table(USERS_BY_UNIT)?.remove(1, 1)?;
            tx.open_multimap_table(UNITS_BY_PARENT)?.insert(7, 1)?;
            tx.open_table(POSITIONS_BY_CODE)?.insert("岗位", 3)?;
            Ok(())
        })
        .unwrap();
    let p = problems(&store);
    assert_eq!(p.len(), 4, "{p:?}");
    assert!(p.iter().any(|s| s.contains("position code index")));
    assert!(p.iter().any(|s| s.contains("E404")));
    assert!(p.iter().any(|s| s.contains("user unit index")));
    assert!(p.iter().any(|s| s.contains("unit parent index")));
}
