//! Browser-test harness: the built `oanode` binary on a temporary data directory and a free port,
//! Debian's headless Chromium driven through chromedriver over WebDriver (fantoccini). Both
//! processes are killed when the guards drop. Screenshots go to `tests/e2e/screenshots/`.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};

const CHROMIUM: &[&str] = &["/usr/bin/chromium", "/usr/bin/chromium-browser"];
const CHROMEDRIVER: &[&str] = &["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"];

fn find(candidates: &[&str], name: &str) -> Option<PathBuf> {
    candidates.iter().map(PathBuf::from).find(|p| p.is_file()).or_else(|| {
        std::env::var_os("PATH")
            .and_then(|paths| std::env::split_paths(&paths).map(|d| d.join(name)).find(|p| p.is_file()))
    })
}

/// The browser and its driver, or `None` (with a clear line) when they are not installed. In CI
/// they must be: a missing browser there fails instead of skipping.
pub fn browser() -> Option<(PathBuf, PathBuf)> {
    match (find(CHROMIUM, "chromium"), find(CHROMEDRIVER, "chromedriver")) {
        (Some(c), Some(d)) => Some((c, d)),
        _ => {
            let msg = "e2e: SKIPPED — chromium/chromedriver not installed (apt-get install chromium chromium-driver)";
            assert!(std::env::var("CI").as_deref() != Ok("true"), "{msg}; CI must run the browser tests");
            eprintln!("{msg}");
            None
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

/// Polls `ready` until it holds or `limit` passes: readiness of a started process, not timing.
fn wait_until(limit: Duration, what: &str, mut ready: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ready() {
        assert!(start.elapsed() < limit, "{what} did not become ready within {limit:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn accepts(port: u16) -> bool {
    std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
}

/// A process killed on drop.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A running oanode with its own data directory.
pub struct Server {
    _proc: Guard,
    _data: tempfile::TempDir,
    pub base: String,
}

impl Server {
    pub fn start() -> Server {
        let data = tempfile::tempdir().expect("tempdir");
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_oanode"))
            .args(["serve", "--data"])
            .arg(data.path())
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .env_remove("OANODE_DATA")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start oanode");
        let proc = Guard(child);
        wait_until(Duration::from_secs(20), "oanode", || healthz(port));
        Server { _proc: proc, _data: data, base: format!("http://127.0.0.1:{port}") }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

fn healthz(port: u16) -> bool {
    use std::io::{Read, Write};
    let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) else { return false };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    if s.write_all(b"GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n").is_err() {
        return false;
    }
    let mut buf = [0u8; 16];
    s.read(&mut buf).is_ok_and(|n| buf[..n].starts_with(b"HTTP/1.0 200") || buf[..n].starts_with(b"HTTP/1.1 200"))
}

/// A headless Chromium session. Its language is Chinese, as our users' browsers are.
pub struct Browser {
    pub client: Client,
    _driver: Guard,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub async fn start(chromium: &Path, chromedriver: &Path) -> Browser {
        let port = free_port();
        let driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let driver = Guard(driver);
        wait_until(Duration::from_secs(20), "chromedriver", || accepts(port));
        let profile = tempfile::tempdir().expect("profile dir");
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
            "--accept-lang=zh-CN,zh".into(),
            "--window-size=1280,900".into(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({"binary": chromium.to_string_lossy(), "args": args}),
        );
        let client = ClientBuilder::rustls()
            .expect("tls")
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("webdriver session");
        Browser { client, _driver: driver, _profile: profile }
    }

    pub async fn js(&self, script: &str) -> serde_json::Value {
        self.client.execute(script, vec![]).await.expect("script")
    }

    pub async fn text_of(&self, css: &str) -> String {
        let el = self.client.find(fantoccini::Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}"));
        el.text().await.expect("text")
    }

    pub async fn click(&self, css: &str) {
        let el = self.client.find(fantoccini::Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}"));
        el.click().await.expect("click");
    }

    /// Saves a screenshot for people to look at.
    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e/screenshots");
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("write screenshot");
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}
