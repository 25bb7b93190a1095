//! Backups: one file made while writes go on, restored into a new folder with everything that
//! was acknowledged before it began; refusals of a non-empty target, a damaged and a foreign file;
//! the daily backup with its retention on the settable clock; the administrator's download.

use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use oanode::backup;
use oanode::config::{BackupConfig, Config};
use oanode::store::audit;
use rocket::http::Status;

use crate::common::{PW, T0, TestApp, World, page};

const DAY: i64 = 24 * 3_600_000;

/// One acknowledged write: an id of kind `test.thing` and its audit entry, in one transaction.
fn write_one(t: &TestApp) -> u64 {
    t.app
        .store()
        .write(|tx| {
            let id = oanode::store::next_id(tx, "test.thing")?;
            audit::append(
                tx,
                T0,
                audit::Event::system("test.write", format!("thing:{id}"), ""),
            )?;
            Ok(id)
        })
        .unwrap()
}

#[rocket::async_test]
async fn a_backup_made_under_writes_restores_everything_acknowledged_before_it_began() {
    let t = TestApp::empty().await;
    let (hash, _) = t
        .app
        .blobs()
        .put(&b"\xe9\x99\x84\xe4\xbb\xb6 attachment body"[..])
        .unwrap();
    for _ in 0..50 {
        write_one(&t);
    }
    let stop = AtomicBool::new(false);
    let acked = AtomicU64::new(0);
    let out = t.dir.path().join("out").join("b.tar.gz");
    let (before, manifest) = std::thread::scope(|s| {
        for _ in 0..3 {
            s.spawn(|| {
                while !stop.load(Ordering::SeqCst) {
                    let id = write_one(&t);
                    acked.fetch_max(id, Ordering::SeqCst);
                }
            });
        }
        while acked.load(Ordering::SeqCst) < 100 {
            std::thread::yield_now();
        }
        let before = acked.load(Ordering::SeqCst);
        let m = backup::create(t.app.store(), t.app.blobs(), t.app.data_dir(), &out, T0).unwrap();
        stop.store(true, Ordering::SeqCst);
        (before, m)
    });
    assert!(manifest.counters["test.thing"] >= before, "{manifest:?}");
    assert_eq!(manifest.magic, "oanode-backup");
    assert!(manifest.files.contains_key(&format!("blobs/{hash}")));

    let target = t.dir.path().join("restored");
    let m = backup::restore(&out, &target).unwrap();
    assert_eq!(m, manifest);
    let config = Config::load(&target, &Default::default()).unwrap();
    let clock = std::sync::Arc::new(oanode::clock::ManualClock::new(T0));
    let restored = oanode::App::open(&target, config, clock).unwrap();
    let report = oanode::check::run(restored.store()).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(
        report.audit_entries, manifest.audit_entries,
        "the audit chain, whole"
    );
    let last = restored
        .store()
        .read(|tx| oanode::store::last_id(tx, "test.thing"))
        .unwrap();
    assert_eq!(last, manifest.counters["test.thing"]);
    assert!(
        last >= before,
        "every write acknowledged before the backup began is there"
    );
    // Each of those writes has its audit entry in the restored chain.
    let targets: std::collections::HashSet<String> = restored
        .store()
        .read(|tx| audit::recent(tx, None, 100_000))
        .unwrap()
        .into_iter()
        .map(|e| e.target)
        .collect();
    for id in 1..=before {
        assert!(targets.contains(&format!("thing:{id}")), "thing {id}");
    }
    assert!(
        restored.blobs().exists(&hash),
        "the file bodies travel with it"
    );
}

#[rocket::async_test]
async fn restore_refuses_a_full_folder_a_damaged_file_and_a_foreign_one_and_writes_nothing() {
    let t = TestApp::empty().await;
    write_one(&t);
    let good = t.dir.path().join("good.tar.gz");
    backup::create(t.app.store(), t.app.blobs(), t.app.data_dir(), &good, T0).unwrap();
    let msg = |r: oanode::error::Result<backup::Manifest>| match r {
        Err(oanode::error::Error::BadRequest(m)) => m,
        other => panic!("refused with a sentence, got {other:?}"),
    };

    let full = t.dir.path().join("full");
    std::fs::create_dir_all(&full).unwrap();
    std::fs::write(full.join("keep.txt"), "mine").unwrap();
    assert!(msg(backup::restore(&good, &full)).contains("not empty"));
    assert_eq!(
        std::fs::read_to_string(full.join("keep.txt")).unwrap(),
        "mine"
    );

    // Damaged: a byte flipped in the middle of the compressed stream.
    let mut bytes = std::fs::read(&good).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    let bad = t.dir.path().join("bad.tar.gz");
    std::fs::write(&bad, &bytes).unwrap();
    let target = t.dir.path().join("t1");
    let m = msg(backup::restore(&bad, &target));
    assert!(
        m.contains("damaged") || m.contains("not an oanode backup"),
        "{m}"
    );
    assert_eq!(
        std::fs::read_dir(&target).unwrap().count(),
        0,
        "nothing left behind"
    );

    // Cut short.
    let short = t.dir.path().join("short.tar.gz");
    std::fs::write(&short, &std::fs::read(&good).unwrap()[..mid]).unwrap();
    let target = t.dir.path().join("t2");
    assert!(backup::restore(&short, &target).is_err());
    assert_eq!(std::fs::read_dir(&target).unwrap().count(), 0);

    // Foreign: a text file, and a gzipped tar of something else.
    let text = t.dir.path().join("notes.txt");
    std::fs::write(&text, "会议纪要").unwrap();
    let target = t.dir.path().join("t3");
    assert!(msg(backup::restore(&text, &target)).contains("not an oanode backup"));
    let other = t.dir.path().join("other.tar.gz");
    {
        let f = std::fs::File::create(&other).unwrap();
        let mut tar = tar::Builder::new(flate2::write::GzEncoder::new(
            f,
            flate2::Compression::fast(),
        ));
        let mut h = tar::Header::new_gnu();
        h.set_size(5);
        h.set_cksum();
        tar.append_data(&mut h, "photo.jpg", &b"hello"[..]).unwrap();
        tar.into_inner().unwrap().finish().unwrap().flush().unwrap();
    }
    let target = t.dir.path().join("t4");
    assert!(msg(backup::restore(&other, &target)).contains("not an oanode backup"));
    assert_eq!(std::fs::read_dir(&target).unwrap().count(), 0);
}

#[rocket::async_test]
async fn the_daily_backup_runs_at_its_time_and_keeps_the_newest() {
    let t = TestApp::with_config(Config {
        backup: BackupConfig {
            dir: "backups".into(),
            at: "02:30".into(),
            keep: 2,
        },
        ..Config::default()
    })
    .await;
    write_one(&t);
    let tick = || backup::schedule::tick(&t.app).unwrap();
    assert_eq!(tick(), None, "a new node starts counting from now");
    let dir = t.dir.path().join("backups");
    let mut made = Vec::new();
    for day in 1..=4 {
        // T0 is 09:00 in Shanghai: the next 02:30 is 17.5 hours later, then a day apart.
        t.clock.set(T0 + (day - 1) * DAY + 17 * 3_600_000);
        assert_eq!(tick(), None, "not yet 02:30");
        t.clock
            .set(T0 + (day - 1) * DAY + 17 * 3_600_000 + 31 * 60_000);
        let path = tick().expect("due");
        assert!(path.starts_with(&dir));
        made.push(path.file_name().unwrap().to_string_lossy().to_string());
        assert_eq!(tick(), None, "once a day");
    }
    let left: Vec<String> = backup::schedule::list(&dir)
        .unwrap()
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(
        left,
        vec![made[3].clone(), made[2].clone()],
        "the newest two"
    );
    assert!(made[0].starts_with("oanode-backup-2026"), "{made:?}");
    let actions: Vec<String> = t
        .app
        .store()
        .read(|tx| audit::recent(tx, None, 50))
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions.iter().filter(|a| *a == "node.backup").count(), 4);
}

#[rocket::async_test]
async fn the_group_administrator_downloads_a_backup_others_are_refused() {
    let w = World::standard().await;
    let admin = w.t.agent("gadmin", PW).await;
    let e1admin = w.t.agent("e1admin", PW).await;
    let alice = w.t.agent("alice", PW).await;
    let r = page(&w, &admin, "/admin/backup").await;
    assert_eq!(r.status, Status::Ok);
    assert!(r.body.contains("备份并下载"));
    let r = page(&w, &admin, "/admin/backup/download").await;
    assert_eq!(r.status, Status::Ok);
    assert!(
        r.header("Content-Disposition")
            .unwrap()
            .contains("oanode-backup-")
    );
    for who in [&e1admin, &alice] {
        assert_eq!(
            page(&w, who, "/admin/backup").await.status,
            Status::Forbidden
        );
        assert_eq!(
            page(&w, who, "/admin/backup/download").await.status,
            Status::Forbidden
        );
    }
    let actions: Vec<String> =
        w.t.app
            .store()
            .read(|tx| audit::recent(tx, None, 20))
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
    assert!(actions.contains(&"node.backup_download".to_string()));
    // The control endpoint answers only with the node's control token (none in tests).
    let r =
        w.t.post_json("/api/v1/node/backup", r#"{"out":"/tmp/x.tar.gz"}"#)
            .await;
    assert_eq!(r.status, Status::NotFound);
}
