//! Upgrades: a store written by an earlier build (before official documents, posts and search of
//! requests existed: the demo node of 2026-11-29 13:50, kept in `tests/fixtures/`) opens with this
//! binary as it is: the missing tables are made, the records are all there, the check passes and
//! people sign in as before. Stop, replace the binary, start.

use std::sync::Arc;

use oanode::App;
use oanode::clock::ManualClock;
use oanode::config::Config;

use crate::common::T0;

#[test]
fn a_store_written_by_an_earlier_build_opens_and_checks_clean() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/store-before-documents/oanode.redb"
        ),
        dir.path().join("oanode.redb"),
    )
    .unwrap();
    let app = App::open(
        dir.path(),
        Config::default(),
        Arc::new(ManualClock::new(T0)),
    )
    .unwrap();
    let report = oanode::check::run(app.store()).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert!(
        report.audit_entries > 0,
        "the audit chain came along and verifies"
    );
    let (zhangwei, units, schema) = app
        .store()
        .read(|tx| {
            Ok((
                oanode::org::store::user_by_login(tx, "zhangwei")?,
                oanode::org::store::units_all(tx)?.len(),
                oanode::store::meta_get(tx, "schema_version")?,
            ))
        })
        .unwrap();
    let zhangwei = zhangwei.expect("the demo people are there");
    assert!(oanode::auth::password::verify(
        &zhangwei.password_hash,
        "Demo2026"
    ));
    assert_eq!(units, 15);
    assert_eq!(schema, Some(oanode::store::migrate::current_version()));
    // The features added since have their tables, empty, and work at once.
    let (posts, docs) = app
        .store()
        .read(|tx| {
            Ok((
                oanode::posts::store::all_posts(tx)?.len(),
                oanode::documents::store::all_documents(tx)?.len(),
            ))
        })
        .unwrap();
    assert_eq!((posts, docs), (0, 0));
    assert_eq!(oanode::posts::seed::demo(&app).unwrap(), 7);
    assert!(oanode::check::run(app.store()).unwrap().problems.is_empty());
}
