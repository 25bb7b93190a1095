use super::*;
use redb::ReadableTableMetadata;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Note {
    id: u64,
    text: String,
}
impl Record for Note {
    const KIND: &'static str = "test.note";
}
const NOTES: TableDefinition<'_, u64, Stored<Note>> = TableDefinition::new("test.notes");

fn open(dir: &Path) -> Store {
    Store::open(dir, 8 << 20).unwrap()
}

#[test]
fn write_commits_and_failed_write_keeps_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    store
        .write(|tx| {
            let id = next_id(tx, "note")?;
            put(
                &mut tx.open_table(NOTES)?,
                id,
                &Note {
                    id,
                    text: "一".into(),
                },
            )
        })
        .unwrap();
    let failed: Result<()> = store.write(|tx| {
        let id = next_id(tx, "note")?;
        put(
            &mut tx.open_table(NOTES)?,
            id,
            &Note {
                id,
                text: "二".into(),
            },
        )?;
        Err(Error::field("text", "error.required"))
    });
    assert!(matches!(failed, Err(Error::Validation(_))));
    let (count, last) = store
        .read(|tx| Ok((tx.open_table(NOTES)?.len()?, last_id(tx, "note")?)))
        .unwrap();
    assert_eq!(
        (count, last),
        (1, 1),
        "the failed write left neither a record nor a used id"
    );
}

#[test]
fn audit_chain_verifies_and_detects_an_edited_or_removed_entry() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    for i in 0..5 {
        store
            .write(|tx| {
                audit::append(
                    tx,
                    1_000 + i,
                    audit::Event::system("test.action", format!("note:{i}"), ""),
                )
            })
            .unwrap();
    }
    assert_eq!(store.read(audit::verify).unwrap(), Ok(5));

    store
        .write(|tx| audit::tamper(tx, 3, |e| e.detail = "edited".into()))
        .unwrap();
    let problems = store.read(audit::verify).unwrap().unwrap_err();
    assert!(
        problems.iter().any(|p| p.contains("entry 3 was altered")),
        "{problems:?}"
    );

    store
        .write(|tx| audit::tamper(tx, 3, |e| e.detail = String::new()))
        .unwrap();
    assert_eq!(
        store.read(audit::verify).unwrap(),
        Ok(5),
        "restoring the text restores the chain"
    );

    store.write(|tx| audit::remove(tx, 2)).unwrap();
    let problems = store.read(audit::verify).unwrap().unwrap_err();
    assert!(
        problems.iter().any(|p| p.contains("missing before 3")),
        "{problems:?}"
    );
}

#[test]
fn outbox_appends_in_order_and_prunes() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    for i in 1..=3 {
        store
            .write(|tx| {
                outbox::append(
                    tx,
                    &outbox::Change::Delete {
                        key: format!("note:{i}"),
                    },
                )
            })
            .unwrap();
    }
    let all = store.read(|tx| outbox::after(tx, 0, 10)).unwrap();
    assert_eq!(
        all.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    store.write(|tx| outbox::prune_through(tx, 2)).unwrap();
    let rest = store.read(|tx| outbox::after(tx, 0, 10)).unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0].0, 3);
    store
        .write(|tx| outbox::append(tx, &outbox::Change::Delete { key: "x".into() }))
        .unwrap();
    assert_eq!(
        store.read(outbox::last_seq).unwrap(),
        4,
        "pruning never reuses a sequence number"
    );
}

#[test]
fn newer_store_is_refused_and_foreign_file_too() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = open(dir.path());
        store
            .write(|tx| meta_set(tx, "schema_version", 999))
            .unwrap();
    }
    let err = Store::open(dir.path(), 8 << 20).err().expect("refused");
    assert!(
        err.to_string().contains("downgrade is not supported"),
        "{err}"
    );

    let other = tempfile::tempdir().unwrap();
    {
        let db = redb::Database::create(other.path().join(FILE_NAME)).unwrap();
        let tx = db.begin_write().unwrap();
        tx.open_table(TableDefinition::<u64, u64>::new("theirs"))
            .unwrap()
            .insert(1, 1)
            .unwrap();
        tx.commit().unwrap();
    }
    let err = Store::open(other.path(), 8 << 20).err().expect("refused");
    assert!(err.to_string().contains("not an oanode store"), "{err}");

    let garbage = tempfile::tempdir().unwrap();
    std::fs::write(
        garbage.path().join(FILE_NAME),
        b"this is not a database at all, just text",
    )
    .unwrap();
    assert!(Store::open(garbage.path(), 8 << 20).is_err());
}

#[test]
fn pending_migrations_run_once_in_one_transaction_after_a_copy_aside() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    store
        .write(|tx| {
            put(
                &mut tx.open_table(NOTES)?,
                1,
                &Note {
                    id: 1,
                    text: "old".into(),
                },
            )
        })
        .unwrap();
    let list = [
        migrate::Migration {
            version: 1,
            name: "initial",
            run: |_| Ok(()),
        },
        migrate::Migration {
            version: 2,
            name: "upper-case notes",
            run: |tx| {
                let mut t = tx.open_table(NOTES)?;
                let mut n: Note = get(&t, 1)?.expect("note");
                n.text = n.text.to_uppercase();
                put(&mut t, 1, &n)
            },
        },
        migrate::Migration {
            version: 3,
            name: "fails",
            run: |_| Err(Error::internal("boom")),
        },
    ];
    assert!(migrate::run_list(&store, true, &list).is_err());
    let (text, version) = store
        .read(|tx| {
            Ok((
                get(&tx.open_table(NOTES)?, 1)?.expect("n").text,
                meta_get(tx, "schema_version")?,
            ))
        })
        .unwrap();
    assert_eq!(
        (text.as_str(), version),
        ("old", Some(1)),
        "a failing migration keeps nothing of the others"
    );

    migrate::run_list(&store, true, &list[..2]).unwrap();
    migrate::run_list(&store, true, &list[..2]).unwrap();
    let (text, version) = store
        .read(|tx| {
            Ok((
                get(&tx.open_table(NOTES)?, 1)?.expect("n").text,
                meta_get(tx, "schema_version")?,
            ))
        })
        .unwrap();
    assert_eq!((text.as_str(), version), ("OLD", Some(2)));
    assert!(dir.path().join("oanode.redb.before-v2").exists());
}

/// The child half of the crash test: when `OANODE_CRASH_CHILD_DIR` is set, this test writes
/// records forever and prints each committed id, until the parent kills it. Run alone (without
/// the variable), it writes a bounded batch and checks it, so it is a real test either way.
#[test]
fn crash_child_writer() {
    let child_dir = std::env::var("OANODE_CRASH_CHILD_DIR").ok();
    let dir_holder;
    let dir = match &child_dir {
        Some(d) => std::path::PathBuf::from(d),
        None => {
            dir_holder = tempfile::tempdir().unwrap();
            dir_holder.path().to_path_buf()
        }
    };
    let store = open(&dir);
    let rounds = if child_dir.is_some() { u64::MAX } else { 50 };
    for _ in 0..rounds {
        let id = store
            .write(|tx| {
                let id = next_id(tx, "note")?;
                put(
                    &mut tx.open_table(NOTES)?,
                    id,
                    &Note {
                        id,
                        text: "x".repeat(500),
                    },
                )?;
                outbox::append(
                    tx,
                    &outbox::Change::Delete {
                        key: format!("note:{id}"),
                    },
                )?;
                audit::append(
                    tx,
                    id as i64,
                    audit::Event::system("test.write", format!("note:{id}"), ""),
                )?;
                Ok(id)
            })
            .unwrap();
        if child_dir.is_some() {
            println!("committed {id}");
        }
    }
    assert_eq!(store.read(|tx| last_id(tx, "note")).unwrap(), 50);
}

#[test]
fn store_whose_writer_was_killed_reopens_consistent() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    for round in 0..3 {
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "store::tests::crash_child_writer",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("OANODE_CRASH_CHILD_DIR", dir.path())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut acknowledged = 0u64;
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        // Kill after a different number of commits each round, while the child is mid-stream.
        let kill_after = 40 + round * 37;
        for line in lines.by_ref() {
            if let Some(id) = line.unwrap().strip_prefix("committed ") {
                acknowledged = id.trim().parse().unwrap();
                if acknowledged >= kill_after {
                    break;
                }
            }
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        assert!(acknowledged >= kill_after, "child stopped early");

        let store = open(dir.path());
        store
            .read(|tx| {
                let last = last_id(tx, "note")?;
                let notes = tx.open_table(NOTES)?;
                assert!(
                    last >= acknowledged,
                    "round {round}: acknowledged {acknowledged}, store has {last}"
                );
                assert_eq!(
                    notes.len()?,
                    last,
                    "every used id has its record and no more"
                );
                for id in 1..=last {
                    assert!(get(&notes, id)?.is_some(), "note {id} missing");
                }
                assert_eq!(
                    outbox::last_seq(tx)?,
                    last,
                    "outbox committed with its record"
                );
                assert_eq!(audit::verify(tx)?, Ok(last), "audit chain intact");
                Ok(())
            })
            .unwrap();
    }
}

#[test]
fn allocate_ids_takes_a_block_after_the_last_id() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let (a, b, c, d) = store
        .write(|tx| {
            let a = next_id(tx, "note")?;
            let b = allocate_ids(tx, "note", 10)?;
            let c = allocate_ids(tx, "note", 0)?;
            let d = next_id(tx, "note")?;
            Ok((a, b, c, d))
        })
        .unwrap();
    assert_eq!((a, b, c, d), (1, 2, 12, 12));
}

/// Writers on many threads: every acknowledged write is kept exactly once, every refused one
/// leaves nothing, a panic reaches only its own caller, and writes share commits.
#[test]
fn concurrent_writes_share_commits_and_keep_failures_apart() {
    use std::sync::atomic::{AtomicU64, Ordering};
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    const THREADS: u64 = 8;
    const EACH: u64 = 60;
    let runs = AtomicU64::new(0);
    let before = store.write_stats();
    let acknowledged: Vec<Vec<u64>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let (store, runs) = (&store, &runs);
                s.spawn(move || {
                    let mut kept = Vec::new();
                    for i in 0..EACH {
                        let n = t * EACH + i;
                        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            store.write(|tx| {
                                runs.fetch_add(1, Ordering::Relaxed);
                                let id = next_id(tx, "note")?;
                                put(
                                    &mut tx.open_table(NOTES)?,
                                    id,
                                    &Note {
                                        id,
                                        text: n.to_string(),
                                    },
                                )?;
                                // Every 7th fails after writing, every 29th panics after writing.
                                if n % 29 == 5 {
                                    panic!("write {n} panics");
                                }
                                if n % 7 == 3 {
                                    return Err(Error::Conflict(crate::error::Code::Duplicate));
                                }
                                Ok(n)
                            })
                        }));
                        match r {
                            Ok(Ok(got)) => kept.push(got),
                            Ok(Err(Error::Conflict(_))) => assert_eq!(n % 7, 3, "write {n}"),
                            Ok(Err(e)) => panic!("write {n}: {e}"),
                            Err(_) => assert_eq!(n % 29, 5, "write {n} panicked"),
                        }
                    }
                    kept
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut acknowledged: Vec<u64> = acknowledged.into_iter().flatten().collect();
    acknowledged.sort();
    let expected: Vec<u64> = (0..THREADS * EACH)
        .filter(|n| n % 7 != 3 && n % 29 != 5)
        .collect();
    assert_eq!(acknowledged, expected);
    let mut stored: Vec<u64> = store
        .read(|tx| {
            let t = tx.open_table(NOTES)?;
            let mut out = Vec::new();
            for row in t.iter()? {
                let (_, v) = row?;
                out.push(v.value().decode()?.text.parse::<u64>().unwrap());
            }
            Ok(out)
        })
        .unwrap();
    stored.sort();
    assert_eq!(
        stored, expected,
        "exactly the acknowledged writes are stored"
    );
    let ids = store.read(|tx| last_id(tx, "note")).unwrap();
    assert_eq!(ids, expected.len() as u64, "refused writes took no id");
    let stats = store.write_stats();
    let (writes, commits) = (stats.writes - before.writes, stats.commits - before.commits);
    assert_eq!(writes, expected.len() as u64);
    assert!(commits < writes, "{commits} commits for {writes} writes");
    assert!(runs.load(Ordering::Relaxed) >= THREADS * EACH);
    // The store still takes writes after all that.
    assert_eq!(store.write(|tx| next_id(tx, "note")).unwrap(), ids + 1);
}
