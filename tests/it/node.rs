//! The node as an operator meets it: the `oanode` command's sub-commands and its refusals, and
//! what survives a restart.

use std::process::{Command, Output};
use std::sync::Arc;

use oanode::App;
use oanode::clock::ManualClock;
use oanode::config::Config;
use oanode::store::outbox::{Change, SearchDoc};

use crate::common::T0;

fn oanode(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_oanode"))
        .args(args)
        .env_remove("OANODE_DATA")
        .output()
        .expect("run oanode")
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn version_is_printed() {
    let o = oanode(&["--version"]);
    assert!(o.status.success());
    assert_eq!(text(&o).0.trim(), format!("oanode {}", oanode::VERSION));
}

#[test]
fn init_makes_a_node_once_and_check_passes() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("node");
    let data = data.to_str().unwrap();
    let o = oanode(&[
        "init",
        "--data",
        data,
        "--admin",
        "itadmin",
        "--name",
        "某某集团",
    ]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let password = out
        .lines()
        .find_map(|l| {
            l.rsplit_once(": ")
                .filter(|_| l.contains("initial password"))
                .map(|(_, p)| p.trim().to_string())
        })
        .expect("the initial password is printed");
    assert_eq!(password.len(), 12);
    assert_eq!(out.matches(&password).count(), 1, "printed once");

    let again = oanode(&["init", "--data", data, "--admin", "other"]);
    assert!(!again.status.success());
    let (_, err) = text(&again);
    assert!(err.contains("already holds an oanode store"), "{err}");
    assert_eq!(err.lines().count(), 1, "one sentence, no trace: {err}");

    let check = oanode(&["check", "--data", data]);
    let (out, err) = text(&check);
    assert!(check.status.success(), "{out}{err}");
    assert!(out.contains("audit entries: 1"), "{out}");
    assert!(out.contains("check passed"));

    let reindex = oanode(&["reindex", "--data", data]);
    assert!(reindex.status.success(), "{}", text(&reindex).1);
}

#[test]
fn init_refuses_a_bad_login_and_leaves_no_store() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let o = oanode(&["init", "--data", data, "--admin", "bad login"]);
    assert!(!o.status.success());
    assert!(text(&o).1.contains("admin"), "{}", text(&o).1);
}

#[test]
fn unwritable_data_directory_is_one_clear_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let data = file.join("data");
    let o = oanode(&[
        "serve",
        "--data",
        data.to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
    ]);
    assert!(!o.status.success());
    let (_, err) = text(&o);
    assert!(
        err.starts_with("oanode: the data directory") && err.contains("is not writable"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}

#[test]
fn port_in_use_is_one_clear_sentence() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let o = oanode(&[
        "serve",
        "--data",
        dir.path().to_str().unwrap(),
        "--listen",
        &addr,
    ]);
    assert!(!o.status.success());
    let (_, err) = text(&o);
    assert!(err.contains(&format!("cannot listen on {addr}")), "{err}");
    assert!(!err.contains("panicked"));
}

#[test]
fn corrupt_store_file_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("oanode.redb"), vec![0x42u8; 8192]).unwrap();
    let o = oanode(&["check", "--data", dir.path().to_str().unwrap()]);
    assert!(!o.status.success());
    let (_, err) = text(&o);
    assert!(err.contains("damaged or is not an oanode store"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn unknown_config_option_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("oanode.toml"), "[store]\ncache = 12\n").unwrap();
    let o = oanode(&["reindex", "--data", dir.path().to_str().unwrap()]);
    assert!(!o.status.success());
    let (_, err) = text(&o);
    assert!(err.contains("cache"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}

fn open(dir: &std::path::Path) -> App {
    let config = Config {
        store: oanode::config::StoreConfig { cache_mb: 8 },
        ..Config::default()
    };
    App::open(dir, config, Arc::new(ManualClock::new(T0))).unwrap()
}

fn doc(id: u64, title: &str, acl: &str) -> Change {
    Change::Upsert(SearchDoc {
        key: format!("test:{id}"),
        kind: "test".into(),
        title: title.into(),
        body: "集团信息管理部负责系统用户账号的运维管理".into(),
        acl: vec![acl.into()],
        time_ms: T0 + id as i64,
        url: format!("/test/{id}"),
        ..Default::default()
    })
}

fn query(text: &str) -> oanode::search::SearchQuery {
    oanode::search::SearchQuery {
        text: text.into(),
        kinds: vec![],
        order: oanode::search::Order::Relevance,
        offset: 0,
        limit: 10,
        ..Default::default()
    }
}

#[test]
fn records_and_index_survive_a_restart_and_the_index_catches_up() {
    let dir = tempfile::tempdir().unwrap();
    {
        let app = open(dir.path());
        oanode::org::service::load_demo(app.store(), app.clock()).unwrap();
        app.store()
            .write(|tx| oanode::store::outbox::append(tx, &doc(1, "关于系统账号管理的通知", "all")))
            .unwrap();
        app.search().catch_up().unwrap();
        // Written but not indexed before the "crash".
        app.store()
            .write(|tx| oanode::store::outbox::append(tx, &doc(2, "规章制度汇编", "user:2")))
            .unwrap();
    }
    let app = open(dir.path());
    assert_eq!(app.summary().unwrap().units, 15);
    let visible = |terms: &[&str], q: &str| {
        let terms: Vec<String> = terms.iter().map(|s| s.to_string()).collect();
        app.search()
            .search(&query(q), &terms)
            .unwrap()
            .hits
            .into_iter()
            .map(|h| h.key)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        visible(&["all", "user:2"], "规章制度"),
        Vec::<String>::new(),
        "not indexed yet"
    );
    assert_eq!(app.search().catch_up().unwrap(), 1);
    assert_eq!(visible(&["all", "user:2"], "规章制度"), vec!["test:2"]);
    assert!(
        visible(&["all", "user:3"], "规章制度").is_empty(),
        "user 3 never sees user 2's item"
    );
    assert_eq!(visible(&["all", "user:3"], "账号"), vec!["test:1"]);

    let report = oanode::check::run(app.store()).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.outbox_pending, 0);
}

#[test]
fn passwd_sets_a_password_from_standard_input() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    assert!(
        oanode(&["init", "--data", data, "--admin", "admin"])
            .status
            .success()
    );
    let run = |login: &str, input: &str, extra: &[&str]| {
        let mut args = vec!["passwd", "--data", data, login];
        args.extend_from_slice(extra);
        let mut child = Command::new(env!("CARGO_BIN_EXE_oanode"))
            .args(&args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let o = run("nobody", "Recover123\n", &[]);
    assert!(!o.status.success());
    assert!(text(&o).1.contains("no user with the login nobody"));
    let o = run("admin", "abc\n", &[]);
    assert!(!o.status.success(), "too short is refused");
    let o = run("admin", "Recover123\n", &[]);
    assert!(o.status.success(), "{}", text(&o).1);

    let app = open(dir.path());
    let user = app
        .store()
        .read(|tx| oanode::org::store::user_by_login(tx, "admin"))
        .unwrap()
        .unwrap();
    assert!(oanode::auth::password::verify(
        &user.password_hash,
        "Recover123"
    ));
    assert!(!user.must_change_password);
    drop(app);
    let o = run("admin", "Again1234\n", &["--initial"]);
    assert!(o.status.success());
    let app = open(dir.path());
    let user = app
        .store()
        .read(|tx| oanode::org::store::user_by_login(tx, "admin"))
        .unwrap()
        .unwrap();
    assert!(user.must_change_password);
}
