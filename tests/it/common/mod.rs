//! The test world: a fresh temporary data directory, a settable clock, the real Rocket app behind
//! `rocket::local::asynchronous::Client`. Each test builds what it needs; nothing is shared.

#![allow(dead_code)]

use std::sync::Arc;

use oanode::App;
use oanode::clock::ManualClock;
use oanode::config::Config;
use rocket::http::{ContentType, Header, Status};
use rocket::local::asynchronous::{Client, LocalResponse};

/// 2026-11-28 09:00 Asia/Shanghai.
pub const T0: i64 = 1_796_000_400_000;

pub struct TestApp {
    pub dir: tempfile::TempDir,
    pub clock: ManualClock,
    pub app: App,
    pub client: Client,
}

impl TestApp {
    /// A node with the demo organization, as the first `serve` on an empty directory makes it.
    pub async fn demo() -> TestApp {
        let t = TestApp::empty().await;
        oanode::org::service::load_demo(t.app.store(), t.app.clock()).expect("demo");
        t
    }

    /// A node with nothing in it.
    pub async fn empty() -> TestApp {
        let dir = tempfile::tempdir().expect("tempdir");
        let clock = ManualClock::new(T0);
        let config = Config {
            store: oanode::config::StoreConfig { cache_mb: 8 },
            ..Config::default()
        };
        let app = App::open(dir.path(), config, Arc::new(clock.clone())).expect("open app");
        let client = Client::untracked(oanode::rocket(app.clone()))
            .await
            .expect("rocket");
        TestApp {
            dir,
            clock,
            app,
            client,
        }
    }

    pub async fn get(&self, path: &str) -> Resp {
        Resp::read(self.client.get(path.to_string()).dispatch().await).await
    }

    pub async fn get_with(&self, path: &str, headers: &[(&'static str, &str)]) -> Resp {
        let mut req = self.client.get(path.to_string());
        for (k, v) in headers {
            req.add_header(Header::new(*k, v.to_string()));
        }
        Resp::read(req.dispatch().await).await
    }

    /// A GET carrying one cookie (the local client keeps cookies apart from headers).
    pub async fn get_cookie(
        &self,
        path: &str,
        cookie: (&str, &str),
        headers: &[(&'static str, &str)],
    ) -> Resp {
        let mut req = self
            .client
            .get(path.to_string())
            .cookie(rocket::http::Cookie::new(
                cookie.0.to_string(),
                cookie.1.to_string(),
            ));
        for (k, v) in headers {
            req.add_header(Header::new(*k, v.to_string()));
        }
        Resp::read(req.dispatch().await).await
    }

    pub async fn post_json(&self, path: &str, body: &str) -> Resp {
        let req = self
            .client
            .post(path.to_string())
            .header(ContentType::JSON)
            .body(body);
        Resp::read(req.dispatch().await).await
    }
}

/// A response read to the end, so tests can look at it freely.
pub struct Resp {
    pub status: Status,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Resp {
    async fn read(r: LocalResponse<'_>) -> Resp {
        let status = r.status();
        let headers = r
            .headers()
            .iter()
            .map(|h| (h.name().to_string(), h.value().to_string()))
            .collect();
        let body = r.into_string().await.unwrap_or_default();
        Resp {
            status,
            headers,
            body,
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}
