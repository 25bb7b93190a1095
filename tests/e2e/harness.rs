//! The plumbing every browser journey shares: find Chromium, start the real `oanode` binary on a
//! fresh data directory and a free port, start chromedriver, open a headless browser session, and
//! tear all of it down again (guards with `Drop`, so a failing assertion cleans up too).
//!
//! A journey reads like this:
//! ```ignore
//! let Some(w) = World::start("my_journey").await else { return }; // skipped: no Chromium
//! w.goto("/").await;
//! assert_eq!(w.text("#page-title").await, "工作台");
//! w.screenshot("my-page").await;
//! w.close().await;
//! ```
//!
//! Every wait here is a bounded readiness poll (is the port open, does `/healthz` answer, did the
//! page switch language), never a sleep that hopes something has happened by then.

#![allow(dead_code)] // helpers for the journeys to come; not every one is used yet

use std::fs::{self, File};
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use tempfile::TempDir;

/// How long the server may take from spawn to its first `200` on `/healthz`.
pub const SERVER_READY_WITHIN: Duration = Duration::from_secs(20);
/// How long chromedriver may take to accept connections.
const DRIVER_READY_WITHIN: Duration = Duration::from_secs(20);
/// How long a page may take to reach a state a journey waits for (after a click, say).
pub const PAGE_READY_WITHIN: Duration = Duration::from_secs(10);
/// The interval of every readiness poll.
const POLL_EVERY: Duration = Duration::from_millis(50);

/// The browser's preferred languages: a Chinese user, the product's default audience. (The server
/// honours `Accept-Language`, and a headless Chromium would otherwise ask for `en-US`.)
const ACCEPT_LANGUAGES: &str = "zh-CN,zh";

const SKIP_LINE: &str =
    "e2e: SKIPPED — chromium/chromedriver not installed (apt-get install chromium chromium-driver)";

/// Where the screenshots go (gitignored), so that people can look at them after a run.
pub fn screenshots_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e/screenshots")
}

/// Where the logs of one journey's server and chromedriver go; kept after the run.
fn logs_dir(journey: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("e2e")
        .join(journey)
}

// ---------------------------------------------------------------------------------------------
// Finding the browser

/// The two programs the journeys need.
#[derive(Debug, Clone)]
pub struct Tools {
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
}

impl Tools {
    /// Finds Chromium and chromedriver (Debian's paths first, then `PATH`). When one is missing:
    /// under CI (`CI=true`) that is a failure, since CI must run the journeys; elsewhere the
    /// journeys are skipped with one clear line, so that `cargo test` passes without Chromium.
    pub fn find() -> Option<Tools> {
        let chromium = find_program(&["/usr/bin/chromium"], &["chromium", "chromium-browser"]);
        let chromedriver = find_program(&["/usr/bin/chromedriver"], &["chromedriver"]);
        match (chromium, chromedriver) {
            (Some(chromium), Some(chromedriver)) => Some(Tools {
                chromium,
                chromedriver,
            }),
            (chromium, chromedriver) => {
                let missing: Vec<&str> = [
                    ("chromium", chromium.is_none()),
                    ("chromedriver", chromedriver.is_none()),
                ]
                .into_iter()
                .filter_map(|(name, gone)| gone.then_some(name))
                .collect();
                if std::env::var("CI").is_ok_and(|v| v == "true") {
                    panic!(
                        "e2e: CI=true but {} not found (looked in /usr/bin and PATH); CI must run \
                         the browser journeys: apt-get install chromium chromium-driver",
                        missing.join(" and ")
                    );
                }
                // Straight to stderr, not `eprintln!`: the test harness would swallow that for a
                // passing test, and this line must be seen.
                let _ = writeln!(std::io::stderr(), "{SKIP_LINE}");
                None
            }
        }
    }
}

fn find_program(absolute: &[&str], names: &[&str]) -> Option<PathBuf> {
    let is_exe = |p: &Path| {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    };
    if let Some(p) = absolute.iter().map(PathBuf::from).find(|p| is_exe(p)) {
        return Some(p);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| is_exe(p))
}

// ---------------------------------------------------------------------------------------------
// Processes

/// A free port on 127.0.0.1: bind port 0, read what the kernel chose, release it.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local address").port()
}

/// A child process stopped when the guard goes away: SIGTERM, a bounded wait, then SIGKILL. It
/// runs in its own process group, so whatever it started goes down with it. Its stdout and stderr
/// go to a log file, whose tail is printed when a journey fails.
struct Proc {
    name: &'static str,
    child: Child,
    log: PathBuf,
}

impl Proc {
    fn spawn(name: &'static str, mut cmd: Command, log: PathBuf) -> Proc {
        let out =
            File::create(&log).unwrap_or_else(|e| panic!("e2e: create {}: {e}", log.display()));
        let err = out.try_clone().expect("clone log file handle");
        cmd.stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .process_group(0);
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("e2e: cannot start {name} ({:?}): {e}", cmd.get_program()));
        Proc { name, child, log }
    }

    /// `Some(status)` once the process has ended.
    fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// The last lines of what the process wrote, for failure messages.
    fn log_tail(&self) -> String {
        let text = fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        let tail = lines[lines.len().saturating_sub(40)..].join("\n");
        format!(
            "--- last lines of {} ({}) ---\n{tail}\n--- end ---",
            self.name,
            self.log.display()
        )
    }

    /// Waits (bounded) for the process to end; true if it did.
    fn wait_exit(&mut self, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if self.exited().is_some() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.exited().is_some()
    }

    /// Sends a signal to the whole process group (with the `kill` program: no unsafe code).
    fn signal_group(&self, signal: &str) {
        let _ = Command::new("kill")
            .args([signal, "--", &format!("-{}", self.child.id())])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }

    fn terminate(&mut self, grace: Duration) {
        if self.exited().is_none() {
            self.signal_group("-TERM");
            if !self.wait_exit(grace) {
                self.signal_group("-KILL");
                let _ = self.child.kill();
                let _ = self.child.wait();
            }
        }
        // Whatever the leader left behind in its group (a browser's helpers, say).
        self.signal_group("-KILL");
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("{}", self.log_tail());
        }
        self.terminate(Duration::from_secs(10));
    }
}

/// The answer to [`http_get`].
#[derive(Debug)]
pub struct HttpAnswer {
    pub status: u16,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpAnswer {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A minimal HTTP/1.0 GET to 127.0.0.1 (no HTTP client crate needed; HTTP/1.0 so the body is never
/// chunked), with timeouts so that it cannot hang.
pub fn http_get(port: u16, path: &str) -> std::io::Result<HttpAnswer> {
    request(port, path, "HTTP/1.0")
}

fn request(port: u16, path: &str, version: &str) -> std::io::Result<HttpAnswer> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.set_write_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "GET {path} {version}\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("no end of headers in the answer"))?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let body = raw[split + 4..].to_vec();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad status line in {head:?}")))?;
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Ok(HttpAnswer {
        status,
        headers,
        body,
    })
}

// ---------------------------------------------------------------------------------------------
// The server

/// The real `oanode` binary serving a fresh temporary data directory on a free port.
pub struct Server {
    pub port: u16,
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub base_url: String,
    /// The initial password `oanode init` printed for the administrator `admin`.
    pub initial_password: String,
    // Field order is drop order: the process before its data directory.
    proc: Proc,
    data: TempDir,
}

impl Server {
    /// Starts `oanode serve --data <tmp> --listen 127.0.0.1:<free port>` and waits (bounded) for
    /// `GET /healthz` to answer 200. With `demo`, the data directory is left empty, so the first
    /// `serve` loads the demo organization (shared password `Demo2026`); otherwise `oanode init`
    /// makes a production-style node first.
    pub async fn start(logs: &Path, demo: bool) -> Server {
        let data = tempfile::Builder::new()
            .prefix("oanode-e2e-data-")
            .tempdir()
            .expect("temp data dir");
        if demo {
            return Server::serve(logs, data, String::new()).await;
        }
        // A production-style node: one group administrator with a random initial password.
        let init = Command::new(env!("CARGO_BIN_EXE_oanode"))
            .args(["init", "--admin", "admin", "--name", "示例集团", "--data"])
            .arg(data.path())
            .env_remove("OANODE_DATA")
            .output()
            .expect("oanode init");
        let out = String::from_utf8_lossy(&init.stdout).into_owned();
        assert!(
            init.status.success(),
            "e2e: oanode init failed: {}",
            String::from_utf8_lossy(&init.stderr)
        );
        let initial_password = out
            .lines()
            .find(|l| l.contains("initial password"))
            .and_then(|l| l.rsplit(": ").next())
            .map(|p| p.trim().to_string())
            .expect("init prints the initial password");
        Server::serve(logs, data, initial_password).await
    }

    async fn serve(logs: &Path, data: TempDir, initial_password: String) -> Server {
        let port = free_port();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_oanode"));
        cmd.arg("serve")
            .arg("--data")
            .arg(data.path())
            .arg("--listen")
            .arg(format!("127.0.0.1:{port}"))
            .env_remove("OANODE_DATA");
        let mut proc = Proc::spawn("oanode", cmd, logs.join("server.log"));

        let started = Instant::now();
        loop {
            if let Some(status) = proc.exited() {
                panic!(
                    "e2e: oanode exited before it was ready ({status})\n{}",
                    proc.log_tail()
                );
            }
            let last = match http_get(port, "/healthz") {
                Ok(a) if a.status == 200 => break,
                Ok(a) => format!("/healthz answered {}", a.status),
                Err(e) => e.to_string(),
            };
            if started.elapsed() > SERVER_READY_WITHIN {
                panic!(
                    "e2e: oanode not ready within {SERVER_READY_WITHIN:?} on port {port} \
                     ({last})\n{}",
                    proc.log_tail()
                );
            }
            tokio::time::sleep(POLL_EVERY).await;
        }
        Server {
            port,
            base_url: format!("http://127.0.0.1:{port}"),
            initial_password,
            proc,
            data,
        }
    }

    pub fn data_dir(&self) -> &Path {
        self.data.path()
    }

    /// The absolute URL of a path on this server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// What the server has logged so far (its stdout and stderr).
    pub fn log(&self) -> String {
        fs::read_to_string(&self.proc.log).unwrap_or_default()
    }
}

// ---------------------------------------------------------------------------------------------
// The browser

/// chromedriver on a free port and one headless Chromium session driven through it.
pub struct Browser {
    pub client: Client,
    // Field order is drop order: chromedriver (and so the browser) before the profile.
    driver: Driver,
    profile: TempDir,
}

/// chromedriver. On drop it is first asked to quit (`GET /shutdown` closes its browsers), then
/// its process group is stopped.
struct Driver {
    port: u16,
    proc: Proc,
}

impl Drop for Driver {
    fn drop(&mut self) {
        if self.proc.exited().is_none() {
            // chromedriver refuses HTTP/1.0.
            let _ = request(self.port, "/shutdown", "HTTP/1.1");
            self.proc.wait_exit(Duration::from_secs(5));
        }
        // Then `Proc`'s own drop stops whatever is left of the group.
    }
}

impl Browser {
    pub async fn start(tools: &Tools, logs: &Path) -> Browser {
        let port = free_port();
        let mut cmd = Command::new(&tools.chromedriver);
        cmd.arg(format!("--port={port}"));
        let mut driver = Driver {
            port,
            proc: Proc::spawn("chromedriver", cmd, logs.join("chromedriver.log")),
        };

        let started = Instant::now();
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        loop {
            if let Some(status) = driver.proc.exited() {
                panic!(
                    "e2e: chromedriver exited before it was ready ({status})\n{}",
                    driver.proc.log_tail()
                );
            }
            if TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_ok() {
                break;
            }
            if started.elapsed() > DRIVER_READY_WITHIN {
                panic!(
                    "e2e: chromedriver not accepting connections on port {port} within \
                     {DRIVER_READY_WITHIN:?}\n{}",
                    driver.proc.log_tail()
                );
            }
            tokio::time::sleep(POLL_EVERY).await;
        }

        let profile = tempfile::Builder::new()
            .prefix("oanode-e2e-chromium-")
            .tempdir()
            .expect("temp profile dir");
        let args = vec![
            "--headless=new".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-dev-shm-usage".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            format!("--user-data-dir={}", profile.path().display()),
            "--window-size=1280,900".into(),
            "--no-proxy-server".into(),
            format!("--accept-lang={ACCEPT_LANGUAGES}"),
        ];
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": tools.chromium,
                "args": args,
                "prefs": { "intl": { "accept_languages": ACCEPT_LANGUAGES } },
            },
        });
        let Value::Object(caps) = caps else {
            unreachable!("a JSON object literal")
        };
        // Test builds compile two rustls providers (ring for the node's TLS, aws-lc-rs through
        // fantoccini's hyper-rustls), so rustls has no default until one is installed.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = ClientBuilder::rustls().unwrap_or_else(|e| {
            panic!("e2e: WebDriver HTTP client (rustls with the system's roots): {e}")
        });
        let client = builder
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "e2e: cannot open a Chromium session through chromedriver: {e}\n{}",
                    driver.proc.log_tail()
                )
            });
        Browser {
            client,
            driver,
            profile,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The world of one journey

/// One journey's server and browser, with the helpers journeys use.
pub struct World {
    pub name: String,
    // Field order is drop order: the browser before the server.
    pub browser: Browser,
    pub server: Server,
}

impl World {
    /// Starts a fresh server and browser for a journey; `None` when Chromium is not installed
    /// (and this is not CI): the journey then returns early.
    pub async fn start(journey: &str) -> Option<World> {
        World::launch(journey, false).await
    }

    /// The same on a node holding the demo organization (sign in with [`World::sign_in`]).
    pub async fn start_demo(journey: &str) -> Option<World> {
        World::launch(journey, true).await
    }

    async fn launch(journey: &str, demo: bool) -> Option<World> {
        let tools = Tools::find()?;
        let logs = logs_dir(journey);
        fs::create_dir_all(&logs).unwrap_or_else(|e| panic!("e2e: create {}: {e}", logs.display()));
        let server = Server::start(&logs, demo).await;
        let browser = Browser::start(&tools, &logs).await;
        Some(World {
            name: journey.to_string(),
            browser,
            server,
        })
    }

    pub fn client(&self) -> &Client {
        &self.browser.client
    }

    /// Ends the browser session cleanly, then stops everything. (Dropping the world without it
    /// also cleans up, less politely: that is what happens when an assertion fails.)
    pub async fn close(self) {
        let World {
            browser, server, ..
        } = self;
        let Browser {
            client,
            driver,
            profile,
        } = browser;
        if let Err(e) = client.close().await {
            eprintln!("e2e: closing the browser session: {e}");
        }
        drop(driver);
        drop(profile);
        drop(server);
    }

    /// Opens a path of the server (`"/"`, `"/no-such-page"`) and waits for it to load.
    pub async fn goto(&self, path: &str) {
        let url = self.server.url(path);
        self.client()
            .goto(&url)
            .await
            .unwrap_or_else(|e| panic!("goto {url}: {e}"));
    }

    /// The current page's path and query (`/`, `/x?y=1`).
    pub async fn path(&self) -> String {
        let url = self.client().current_url().await.expect("current url");
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        }
    }

    async fn where_now(&self) -> String {
        match self.client().current_url().await {
            Ok(u) => u.to_string(),
            Err(_) => "(unknown page)".into(),
        }
    }

    /// Evaluates a JavaScript expression in the page and returns its value.
    pub async fn js(&self, expr: &str) -> Value {
        self.client()
            .execute(&format!("return ({expr});"), vec![])
            .await
            .unwrap_or_else(|e| panic!("evaluating `{expr}`: {e}"))
    }

    /// Evaluates a JavaScript expression that must give a string.
    pub async fn js_string(&self, expr: &str) -> String {
        match self.js(expr).await {
            Value::String(s) => s,
            other => panic!("`{expr}` gave {other}, not a string"),
        }
    }

    /// The element for a CSS selector (it must be on the page now).
    pub async fn find(&self, css: &str) -> Element {
        match self.client().find(Locator::Css(css)).await {
            Ok(el) => el,
            Err(e) => panic!("no element `{css}` on {}: {e}", self.where_now().await),
        }
    }

    /// The rendered text of the element for a CSS selector, trimmed.
    pub async fn text(&self, css: &str) -> String {
        let el = self.find(css).await;
        el.text()
            .await
            .unwrap_or_else(|e| panic!("text of `{css}`: {e}"))
            .trim()
            .to_string()
    }

    /// Clicks the element for a CSS selector.
    /// Types `text` into the field matched by `css`.
    /// Replaces what an input holds with `text`, typed key by key.
    pub async fn fill(&self, css: &str, text: &str) {
        let el = self.find(css).await;
        el.clear()
            .await
            .unwrap_or_else(|e| panic!("e2e: clear {css}: {e}"));
        el.send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("e2e: type into {css}: {e}"));
    }

    /// Signs in through the form and waits for the workbench.
    pub async fn sign_in(&self, login: &str, password: &str) {
        self.goto("/login").await;
        self.fill("#login", login).await;
        self.fill("#password", password).await;
        self.click("#sign-in").await;
        self.wait_until("location.pathname === '/'").await;
    }

    /// Whether the page fits the viewport's width (nothing scrolls sideways on a phone).
    pub async fn fits_width(&self) -> bool {
        self.js("document.documentElement.scrollWidth <= window.innerWidth")
            .await
            == serde_json::Value::Bool(true)
    }

    /// The administrator's first sign-in: the initial password, the forced change to
    /// `new_password`, and the workbench.
    pub async fn first_sign_in(&self, new_password: &str) {
        self.goto("/").await;
        self.wait_until("location.pathname === '/login'").await;
        self.fill("#login", "admin").await;
        self.fill("#password", &self.server.initial_password).await;
        self.click("#sign-in").await;
        self.wait_until("location.pathname === '/settings/password'")
            .await;
        self.screenshot("password-forced-zh").await;
        self.fill("input[name=old_password]", &self.server.initial_password)
            .await;
        self.fill("input[name=new_password]", new_password).await;
        self.fill("input[name=confirm]", new_password).await;
        self.click("form.form button[type=submit]").await;
        self.wait_until("location.search.includes('done=true')")
            .await;
        self.goto("/").await;
    }

    pub async fn click(&self, css: &str) {
        let el = self.find(css).await;
        el.click()
            .await
            .unwrap_or_else(|e| panic!("click `{css}`: {e}"));
    }

    /// Polls a JavaScript condition until it holds; fails after [`PAGE_READY_WITHIN`]. An error
    /// while polling (the page is mid-navigation, say) counts as "not yet".
    pub async fn wait_until(&self, condition: &str) {
        let started = Instant::now();
        let script = format!("return !!({condition});");
        loop {
            if let Ok(Value::Bool(true)) = self.client().execute(&script, vec![]).await {
                return;
            }
            if started.elapsed() > PAGE_READY_WITHIN {
                panic!(
                    "e2e: `{condition}` still false after {PAGE_READY_WITHIN:?} on {}",
                    self.where_now().await
                );
            }
            tokio::time::sleep(POLL_EVERY).await;
        }
    }

    /// Resizes the browser window and waits until the page sees the new viewport width.
    pub async fn resize(&self, width: u32, height: u32) {
        self.client()
            .set_window_size(width, height)
            .await
            .unwrap_or_else(|e| panic!("resize to {width}x{height}: {e}"));
        self.wait_until(&format!("window.innerWidth <= {width}"))
            .await;
    }

    /// Saves a PNG of the viewport as `tests/e2e/screenshots/<name>.png`; returns its path.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self
            .client()
            .screenshot()
            .await
            .unwrap_or_else(|e| panic!("screenshot {name}: {e}"));
        assert!(
            png.starts_with(b"\x89PNG\r\n\x1a\n"),
            "screenshot {name} is not a PNG"
        );
        let dir = screenshots_dir();
        fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
        let path = dir.join(format!("{name}.png"));
        fs::write(&path, png).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        path
    }

    /// A plain HTTP GET to the server outside the browser (for status codes and headers).
    pub fn http_get(&self, path: &str) -> HttpAnswer {
        http_get(self.server.port, path).unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }
}
