//! Crash safety: the real `oanode` binary on a seeded data directory, writers on several threads
//! (sign-ins, submissions and approvals, published posts, uploads), and SIGKILL at random
//! moments, again and again. After every restart each write that was answered with success must
//! be there and intact; at the end `oanode check` must pass (indexes and audit chain) and the
//! search index must catch up with every post.
//!
//! `cargo test --test crash` kills the debug binary 6 times. CI runs it against the release
//! binary (`CRASH_BIN=target/release/oanode CRASH_KILLS=20`), and on demand longer, e.g.
//! `CRASH_BIN=target/release/oanode CRASH_KILLS=200 cargo test --test crash -- --nocapture`.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const PASSWORD: &str = "Seed2026ok";

/// A write the node answered with success, and what must be found afterwards.
#[derive(Debug, Clone)]
enum Ack {
    Session { token: String },
    Instance { id: u64 },
    Approval { instance: u64, task: u64 },
    Post { id: u64, title: String },
    Upload { id: u64, sha256: String },
}

/// Where the node listens; what the writers need of it.
#[derive(Clone, Copy)]
struct Addr(u16);

impl Addr {
    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.0)
    }
}

struct Node {
    bin: PathBuf,
    data: PathBuf,
    addr: Addr,
    child: Option<Child>,
}

impl Node {
    fn url(&self, path: &str) -> String {
        self.addr.url(path)
    }

    fn start(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.data.with_extension("log"))
            .expect("log file");
        let child = Command::new(&self.bin)
            .args(["serve", "--data"])
            .arg(&self.data)
            .args(["--listen", &format!("127.0.0.1:{}", self.addr.0)])
            // One client address signs in many times: lift the per-address limit for this node;
            // and it writes from several threads as fast as the node commits: the general rate
            // limits per address ([limits]) are off (0), or they would refuse the writes tested.
            .env("OANODE_AUTH__ADDRESS_ATTEMPTS_PER_MINUTE", "1000000")
            .env("OANODE_LIMITS__REQUESTS_PER_MINUTE", "0")
            .env("OANODE_LIMITS__WRITES_PER_MINUTE", "0")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start oanode");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(r) = ureq::get(&self.url("/healthz")).call()
                && r.status() == 200
            {
                return;
            }
            if let Some(c) = self.child.as_mut()
                && let Ok(Some(status)) = c.try_wait()
            {
                panic!(
                    "oanode exited at start: {status} (see {})",
                    self.data.with_extension("log").display()
                );
            }
            assert!(Instant::now() < deadline, "oanode not ready within 30 s");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGKILL: no shutdown, no flush beyond what each commit already made durable.
    fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            c.kill().expect("SIGKILL");
            c.wait().expect("reap");
        }
    }

    /// SIGTERM and wait: the graceful way.
    fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-TERM", &c.id().to_string()])
                .status();
            c.wait().expect("reap");
        }
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(20))
        .build()
}

fn login(node: Addr, login: &str) -> Option<String> {
    let r = agent()
        .post(&node.url("/api/v1/auth/login"))
        .send_json(json!({"login": login, "password": PASSWORD}))
        .ok()?;
    let j: Value = r.into_json().ok()?;
    j["token"].as_str().map(str::to_string)
}

fn get(node: Addr, token: &str, path: &str) -> Result<ureq::Response, Box<ureq::Error>> {
    agent()
        .get(&node.url(path))
        .set("Authorization", &format!("Bearer {token}"))
        .call()
        .map_err(Box::new)
}

fn post_json(node: Addr, token: &str, path: &str, body: Value) -> Option<Value> {
    let r = agent()
        .post(&node.url(path))
        .set("Authorization", &format!("Bearer {token}"))
        .send_json(body)
        .ok()?;
    r.into_json().ok()
}

/// The seeded logins the writers use: the administrator (publishes posts, uploads), an
/// applicant and their manager, and a few people who sign in.
struct People {
    admin: String,
    applicant: String,
    approver: String,
    others: Vec<String>,
}

fn seed(bin: &Path, data: &Path) -> People {
    let out = Command::new(bin)
        .args(["seed", "--data"])
        .arg(data)
        .args([
            "--users",
            "60",
            "--units",
            "6",
            "--instances",
            "20",
            "--password",
            PASSWORD,
        ])
        .output()
        .expect("oanode seed");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "seed failed: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pair = text
        .lines()
        .find_map(|l| l.strip_prefix("oanode: applicant and manager: "))
        .expect("the seed names an applicant and a manager");
    let (applicant, approver) = pair.split_once(' ').expect("two logins");
    People {
        admin: "admin".into(),
        applicant: applicant.into(),
        approver: approver.trim().into(),
        others: vec![applicant.into(), approver.trim().into(), "admin".into()],
    }
}

/// One writer: repeats its kind of write until `stop`, recording what was acknowledged.
fn writer(
    node: Addr,
    kind: usize,
    tokens: &Tokens,
    people: &People,
    stop: &AtomicBool,
    acks: &Mutex<Vec<Ack>>,
    counter: &AtomicU64,
) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(counter.fetch_add(1, Ordering::SeqCst));
    while !stop.load(Ordering::SeqCst) {
        let n = counter.fetch_add(1, Ordering::SeqCst);
        let ack = match kind {
            0 => {
                let who = &people.others[n as usize % people.others.len()];
                login(node, who).map(|token| vec![Ack::Session { token }])
            }
            1 => post_json(
                node,
                &tokens.applicant,
                "/api/v1/workflow/instances",
                json!({"template_key": "general_submission", "form": {"title": format!("崩溃测试 {n}"), "content": "请审批"}}),
            )
            .and_then(|v| {
                let id = v["id"].as_u64()?;
                let mut acks = vec![Ack::Instance { id }];
                let task = v["tasks"][0]["id"].as_u64()?;
                if post_json(
                    node,
                    &tokens.approver,
                    &format!("/api/v1/workflow/tasks/{task}/approve"),
                    json!({}),
                )
                .is_some()
                {
                    acks.push(Ack::Approval { instance: id, task });
                }
                Some(acks)
            }),
            2 => {
                let title = format!("崩溃测试公告 第{n}号");
                post_json(
                    node,
                    &tokens.admin,
                    "/api/v1/posts",
                    json!({"kind": "news", "title": title, "body_html": format!("<p>第{n}条 断电演练</p>"), "audience": {"everyone": true}, "publish": true}),
                )
                .and_then(|v| v["id"].as_u64())
                .map(|id| vec![Ack::Post { id, title }])
            }
            _ => {
                let size = rng.gen_range(1..200_000);
                let bytes: Vec<u8> = (0..size).map(|_| rng.r#gen()).collect();
                let sha256 = hex::encode(Sha256::digest(&bytes));
                agent()
                    .post(&node.url(&format!("/api/v1/posts/attachments?name=crash-{n}.bin")))
                    .set("Authorization", &format!("Bearer {}", tokens.admin))
                    .set("Content-Type", "application/octet-stream")
                    .send_bytes(&bytes)
                    .ok()
                    .and_then(|r| r.into_json::<Value>().ok())
                    .and_then(|v| v["id"].as_u64())
                    .map(|id| vec![Ack::Upload { id, sha256 }])
            }
        };
        match ack {
            Some(a) => acks.lock().unwrap().extend(a),
            // The node is gone (killed): this round is over for this writer.
            None if stop.load(Ordering::SeqCst) => return,
            None => {}
        }
    }
}

struct Tokens {
    admin: String,
    applicant: String,
    approver: String,
}

/// Every acknowledged write is there, whole.
fn verify(node: Addr, tokens: &Tokens, acks: &[Ack]) {
    for ack in acks {
        match ack {
            Ack::Session { token } => {
                let r = get(node, token, "/api/v1/me");
                assert!(
                    r.is_ok(),
                    "an acknowledged sign-in's session is gone: {r:?}"
                );
            }
            Ack::Instance { id } => {
                let r = get(
                    node,
                    &tokens.applicant,
                    &format!("/api/v1/workflow/instances/{id}"),
                );
                assert!(r.is_ok(), "acknowledged instance {id} is gone: {r:?}");
            }
            Ack::Approval { instance, task } => {
                let v: Value = get(
                    node,
                    &tokens.applicant,
                    &format!("/api/v1/workflow/instances/{instance}"),
                )
                .expect("instance")
                .into_json()
                .expect("json");
                let t = v["tasks"]
                    .as_array()
                    .and_then(|ts| ts.iter().find(|t| t["id"].as_u64() == Some(*task)))
                    .unwrap_or_else(|| panic!("task {task} of instance {instance} is gone"));
                assert!(
                    t["done_at"].is_string(),
                    "acknowledged approval of task {task} is lost: {t}"
                );
            }
            Ack::Post { id, title } => {
                let v: Value = get(node, &tokens.admin, &format!("/api/v1/posts/{id}"))
                    .unwrap_or_else(|e| panic!("acknowledged post {id} is gone: {e}"))
                    .into_json()
                    .expect("json");
                assert_eq!(v["title"].as_str(), Some(title.as_str()));
                assert_eq!(v["state"], "published");
            }
            Ack::Upload { id, sha256 } => {
                let r = get(
                    node,
                    &tokens.admin,
                    &format!("/api/v1/posts/attachments/{id}"),
                )
                .unwrap_or_else(|e| panic!("acknowledged upload {id} is gone: {e}"));
                let mut bytes = Vec::new();
                std::io::Read::read_to_end(&mut r.into_reader(), &mut bytes).expect("read");
                assert_eq!(
                    &hex::encode(Sha256::digest(&bytes)),
                    sha256,
                    "upload {id} changed"
                );
            }
        }
    }
}

#[test]
fn acknowledged_writes_survive_sigkill_at_random_moments() {
    let bin = std::env::var_os("CRASH_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_oanode")));
    let kills: usize = std::env::var("CRASH_KILLS")
        .ok()
        .and_then(|k| k.parse().ok())
        .unwrap_or(6);
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).expect("data dir");
    let people = seed(&bin, &data);
    let mut node = Node {
        bin: bin.clone(),
        data: data.clone(),
        addr: Addr(free_port()),
        child: None,
    };
    node.start();
    let tokens = Tokens {
        admin: login(node.addr, &people.admin).expect("admin signs in"),
        applicant: login(node.addr, &people.applicant).expect("applicant signs in"),
        approver: login(node.addr, &people.approver).expect("approver signs in"),
    };
    let mut rng = rand::rngs::StdRng::seed_from_u64(
        std::env::var("CRASH_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(2026),
    );
    let acks = Mutex::new(Vec::new());
    let counter = Arc::new(AtomicU64::new(1));
    let started = Instant::now();
    let mut verified = 0;
    for round in 0..kills {
        let stop = AtomicBool::new(false);
        let before = acks.lock().unwrap().len();
        std::thread::scope(|s| {
            for kind in 0..4 {
                for _ in 0..if kind == 0 { 1 } else { 2 } {
                    let (node, tokens, people, stop, acks, counter) =
                        (node.addr, &tokens, &people, &stop, &acks, &counter);
                    s.spawn(move || writer(node, kind, tokens, people, stop, acks, counter));
                }
            }
            // The kill lands at a random moment of the writes (not a timing assumption: any
            // moment must do).
            std::thread::sleep(Duration::from_millis(rng.gen_range(50..1200)));
            node.kill();
            stop.store(true, Ordering::SeqCst);
        });
        node.start();
        let all = acks.lock().unwrap().clone();
        verify(node.addr, &tokens, &all[verified..]);
        verified = all.len();
        eprintln!(
            "crash: round {}/{kills}: {} writes acknowledged before the kill, all there",
            round + 1,
            all.len() - before
        );
    }
    // A backup taken under write load by `oanode backup`, which asks the running node: restored
    // into a new folder, it holds every write acknowledged before the backup began.
    let archive = tmp.path().join("under-load.tar.gz");
    let before: Vec<Ack> = {
        let stop = AtomicBool::new(false);
        std::thread::scope(|s| {
            for kind in 1..4 {
                let (addr, tokens, people, stop, acks, counter) =
                    (node.addr, &tokens, &people, &stop, &acks, &counter);
                s.spawn(move || writer(addr, kind, tokens, people, stop, acks, counter));
            }
            std::thread::sleep(Duration::from_millis(300));
            let before = acks.lock().unwrap().clone();
            let out = Command::new(&bin)
                .args(["backup", "--data"])
                .arg(&data)
                .arg("--out")
                .arg(&archive)
                .output()
                .expect("oanode backup");
            stop.store(true, Ordering::SeqCst);
            assert!(
                out.status.success(),
                "oanode backup under load: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            eprintln!("crash: {}", String::from_utf8_lossy(&out.stdout).trim());
            before
        })
    };
    let restored = tmp.path().join("restored");
    let out = Command::new(&bin)
        .arg("restore")
        .arg(&archive)
        .arg("--data")
        .arg(&restored)
        .output()
        .expect("oanode restore");
    assert!(
        out.status.success(),
        "oanode restore: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("crash: {}", String::from_utf8_lossy(&out.stdout).trim());
    let mut copy = Node {
        bin: bin.clone(),
        data: restored,
        addr: Addr(free_port()),
        child: None,
    };
    copy.start();
    verify(copy.addr, &tokens, &before);
    copy.stop();
    eprintln!(
        "crash: the backup taken under load restored with all {} writes acknowledged before it began",
        before.len()
    );

    // Everything once more, then the store's own check (indexes, audit chain) on a stopped node.
    let all = acks.lock().unwrap().clone();
    verify(node.addr, &tokens, &all);
    node.stop();
    let out = Command::new(&bin)
        .args(["check", "--data"])
        .arg(&data)
        .output()
        .expect("oanode check");
    let report = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "oanode check failed after {kills} kills:\n{report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The search index catches up with every acknowledged post.
    node.start();
    let posts: Vec<&Ack> = all
        .iter()
        .filter(|a| matches!(a, Ack::Post { .. }))
        .collect();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let hits = get(
            node.addr,
            &tokens.admin,
            "/api/v1/search?q=%E6%96%AD%E7%94%B5%E6%BC%94%E7%BB%83&limit=1",
        )
        .ok()
        .and_then(|r| r.into_json::<Value>().ok())
        .and_then(|v| v["total"].as_u64())
        .unwrap_or(0);
        if hits as usize >= posts.len() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the search index has {hits} of {} posts after 60 s",
            posts.len()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    node.stop();
    let count = |f: fn(&Ack) -> bool| all.iter().filter(|a| f(a)).count();
    eprintln!(
        "crash: {kills} SIGKILLs in {:.1} s; acknowledged and found after restarts: {} sign-ins, {} submissions, {} approvals, {} posts, {} uploads; oanode check passed; search caught up",
        started.elapsed().as_secs_f64(),
        count(|a| matches!(a, Ack::Session { .. })),
        count(|a| matches!(a, Ack::Instance { .. })),
        count(|a| matches!(a, Ack::Approval { .. })),
        posts.len(),
        count(|a| matches!(a, Ack::Upload { .. })),
    );
    assert!(
        posts.len() + count(|a| matches!(a, Ack::Instance { .. })) > kills,
        "too few writes to mean anything"
    );
}
