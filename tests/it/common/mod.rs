//! The test world: a fresh temporary data directory, a settable clock, the real Rocket app behind
//! `rocket::local::asynchronous::Client`. Each test builds what it needs; nothing is shared.

#![allow(dead_code)]

use std::sync::Arc;

use oanode::App;
use oanode::clock::ManualClock;
use oanode::config::Config;
use rocket::http::{ContentType, Cookie, Header, Status};
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
        oanode::demo::install(t.app.store(), t.app.clock()).expect("demo");
        t
    }

    /// A node with nothing in it.
    pub async fn empty() -> TestApp {
        TestApp::with_config(Config::default()).await
    }

    /// An empty node with its own configuration (the store cache kept small).
    pub async fn with_config(config: Config) -> TestApp {
        let dir = tempfile::tempdir().expect("tempdir");
        let clock = ManualClock::new(T0);
        let config = Config {
            store: oanode::config::StoreConfig { cache_mb: 8 },
            ..config
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
    pub async fn read(r: LocalResponse<'_>) -> Resp {
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

/// A person using the node through the API with a bearer token, or through pages with a cookie.
pub struct Agent {
    pub user_id: u64,
    pub login: String,
    pub token: String,
}

impl TestApp {
    /// Adds a unit under `parent` (None = the root group) straight into the store.
    pub fn add_unit(
        &self,
        code: &str,
        name: &str,
        kind: oanode::org::model::UnitKind,
        parent: Option<u64>,
    ) -> u64 {
        use oanode::org::model::{Source, Unit};
        self.app.org_changed();
        self.app
            .store()
            .write(|tx| {
                let id = oanode::store::next_id(tx, "unit")?;
                oanode::org::store::insert_unit(
                    tx,
                    &Unit {
                        id,
                        code: code.into(),
                        name: name.into(),
                        kind,
                        parent_id: parent,
                        head_id: None,
                        order: 0,
                        source: Source::Local,
                        created_ms: T0,
                        updated_ms: T0,
                    },
                )?;
                Ok(id)
            })
            .expect("unit")
    }

    /// Adds an active user with a known password (and the given roles) straight into the store.
    pub fn add_user(
        &self,
        login: &str,
        unit_id: u64,
        password: &str,
        roles: &[(&str, u64)],
    ) -> u64 {
        use oanode::org::model::{Grant, Source, User, UserStatus};
        let hash = oanode::auth::password::hash(password).expect("hash");
        let id = self
            .app
            .store()
            .write(|tx| {
                let id = oanode::store::next_id(tx, "user")?;
                oanode::org::store::insert_user(
                    tx,
                    &User {
                        id,
                        login: login.into(),
                        name: format!("用户{login}"),
                        employee_no: None,
                        mobile: None,
                        email: None,
                        ad_login: None,
                        unit_id,
                        position_id: None,
                        manager_id: None,
                        status: UserStatus::Active,
                        password_hash: hash.clone(),
                        must_change_password: false,
                        password_changed_ms: T0,
                        source: Source::Local,
                        created_ms: T0,
                        updated_ms: T0,
                    },
                )?;
                for (role, unit) in roles {
                    let gid = oanode::store::next_id(tx, "grant")?;
                    oanode::org::store::insert_grant(
                        tx,
                        &Grant {
                            id: gid,
                            user_id: id,
                            role: role.to_string(),
                            unit_id: *unit,
                            granted_by: None,
                            created_ms: T0,
                        },
                    )?;
                }
                Ok(id)
            })
            .expect("user");
        self.app.org_changed();
        id
    }

    pub async fn login(&self, login: &str, password: &str) -> Resp {
        self.post_json(
            "/api/v1/auth/login",
            &serde_json::json!({"login": login, "password": password}).to_string(),
        )
        .await
    }

    /// Signs in through the API and keeps the token.
    pub async fn agent(&self, login: &str, password: &str) -> Agent {
        let r = self.login(login, password).await;
        assert_eq!(r.status, Status::Ok, "{}", r.body);
        let j = r.json();
        Agent {
            user_id: j["user"]["id"].as_u64().unwrap(),
            login: login.into(),
            token: j["token"].as_str().unwrap().into(),
        }
    }

    pub async fn call(
        &self,
        agent: &Agent,
        method: rocket::http::Method,
        path: &str,
        body: Option<&str>,
    ) -> Resp {
        let mut req = self.client.req(method, path.to_string());
        req.add_header(Header::new(
            "Authorization",
            format!("Bearer {}", agent.token),
        ));
        if let Some(b) = body {
            req.add_header(ContentType::JSON);
            req.set_body(b);
        }
        Resp::read(req.dispatch().await).await
    }
}

/// The standard small world: a group with headquarters and two enterprises, an admin for each
/// enterprise, a group admin and two ordinary people.
pub struct World {
    pub t: TestApp,
    pub group: u64,
    pub hq_it: u64,
    pub e1: u64,
    pub e1_dept: u64,
    pub e2: u64,
    pub group_admin: u64,
    pub e1_admin: u64,
    pub e2_admin: u64,
    pub alice: u64,
    pub bob: u64,
}

pub const PW: &str = "Passw0rd";

impl World {
    pub async fn standard() -> World {
        World::with_config(Config::default()).await
    }

    /// The standard world on a node with its own configuration.
    pub async fn with_config(config: Config) -> World {
        use oanode::org::model::UnitKind::*;
        let t = TestApp::with_config(config).await;
        let group = t.add_unit("G", "示例集团", Group, None);
        let hq_it = t.add_unit("G-IT", "信息管理部", Department, Some(group));
        let e1 = t.add_unit("E1", "示例能源", Enterprise, Some(group));
        let e1_dept = t.add_unit("E1-OFF", "综合办公室", Department, Some(e1));
        let e2 = t.add_unit("E2", "示例科技", Enterprise, Some(group));
        let group_admin = t.add_user("gadmin", hq_it, PW, &[("group_admin", group)]);
        let e1_admin = t.add_user("e1admin", e1_dept, PW, &[("enterprise_admin", e1)]);
        let e2_admin = t.add_user("e2admin", e2, PW, &[("enterprise_admin", e2)]);
        let alice = t.add_user("alice", e1_dept, PW, &[]);
        let bob = t.add_user("bob", e1_dept, PW, &[]);
        World {
            t,
            group,
            hq_it,
            e1,
            e1_dept,
            e2,
            group_admin,
            e1_admin,
            e2_admin,
            alice,
            bob,
        }
    }
}

// ---------------------------------------------------------------- pages, as a browser uses them

pub const SESSION: &str = "oanode_session";

pub async fn page(w: &World, who: &Agent, path: &str) -> Resp {
    w.t.get_cookie(path, (SESSION, &who.token), &[]).await
}

/// The session's CSRF token, read from a page's sign-out form.
pub async fn csrf(w: &World, who: &Agent) -> String {
    let home = page(w, who, "/").await;
    let start = home
        .body
        .find(r#"name="csrf" value=""#)
        .expect("csrf field")
        + 19;
    home.body[start..]
        .chars()
        .take_while(|c| *c != '"')
        .collect()
}

/// Posts a form with the session cookie; `csrf` is added unless `forged`.
pub async fn post(w: &World, who: &Agent, path: &str, body: &str, forged: bool) -> Resp {
    let token = if forged {
        "0".repeat(32)
    } else {
        csrf(w, who).await
    };
    let full = format!("csrf={token}&{body}");
    let r =
        w.t.client
            .post(path.to_string())
            .header(ContentType::Form)
            .cookie(Cookie::new(SESSION, who.token.clone()))
            .body(full)
            .dispatch()
            .await;
    Resp::read(r).await
}

/// A DOCX whose only paragraph is `text`.
pub fn docx(text: &str) -> Vec<u8> {
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
         <w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"
    );
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    zip.start_file("word/document.xml", opts).unwrap();
    std::io::Write::write_all(&mut zip, document.as_bytes()).unwrap();
    zip.finish().unwrap().into_inner()
}

/// `path` with every non-ASCII byte percent-encoded, as a browser sends it.
pub fn enc(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        if b.is_ascii() && b != b' ' {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
