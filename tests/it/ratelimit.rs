//! Rate limits per client address (`[limits]`): a refused request answers 429 with Retry-After,
//! as JSON under /api/ and as a page elsewhere, and changes nothing; other addresses go on; time
//! (the test clock, never a sleep) gives the budget back; /healthz and static files are exempt.

use oanode::config::{Config, LimitsConfig};
use rocket::http::{ContentType, Cookie, Header, Method, Status};

use crate::common::{Agent, PW, Resp, SESSION, World};

const CLIENT: &str = "203.0.113.7:40000";
const NEIGHBOUR: &str = "203.0.113.8:40000";

async fn world(requests_per_minute: u32, writes_per_minute: u32) -> World {
    World::with_config(Config {
        limits: LimitsConfig {
            requests_per_minute,
            writes_per_minute,
        },
        ..Config::default()
    })
    .await
}

/// A request from the client at `remote` (Rocket's local client has no address unless told,
/// and then no limit applies), with a bearer token.
async fn from(
    w: &World,
    remote: &str,
    who: &Agent,
    method: Method,
    path: &str,
    body: Option<&str>,
) -> Resp {
    let mut req =
        w.t.client
            .req(method, path.to_string())
            .remote(remote.parse().unwrap());
    req.add_header(Header::new(
        "Authorization",
        format!("Bearer {}", who.token),
    ));
    req.add_header(Header::new("Accept-Language", "en"));
    if let Some(b) = body {
        req.add_header(ContentType::JSON);
        req.set_body(b);
    }
    Resp::read(req.dispatch().await).await
}

/// A page (or any GET) from `remote`, with the session cookie and extra headers.
async fn page_from(
    w: &World,
    remote: &str,
    who: &Agent,
    path: &str,
    headers: &[(&'static str, &str)],
) -> Resp {
    let mut req =
        w.t.client
            .get(path.to_string())
            .remote(remote.parse().unwrap())
            .cookie(Cookie::new(SESSION, who.token.clone()));
    for (k, v) in headers {
        req.add_header(Header::new(*k, v.to_string()));
    }
    Resp::read(req.dispatch().await).await
}

fn unit(code: &str, parent: u64) -> String {
    serde_json::json!({"code": code, "name": "安全环保部", "kind": "department",
                       "parent_id": parent, "order": 3})
    .to_string()
}

async fn unit_codes(w: &World, who: &Agent) -> Vec<String> {
    let r = w.t.call(who, Method::Get, "/api/v1/units", None).await;
    r.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["code"].as_str().unwrap().to_string())
        .collect()
}

#[rocket::async_test]
async fn a_write_over_the_limit_is_refused_and_stores_nothing() {
    let w = world(100, 2).await;
    let admin = w.t.agent("gadmin", PW).await;
    for code in ["RL-1", "RL-2"] {
        let r = from(
            &w,
            CLIENT,
            &admin,
            Method::Post,
            "/api/v1/units",
            Some(&unit(code, w.e1)),
        )
        .await;
        assert_eq!(r.status, Status::Created, "{}", r.body);
    }
    let r = from(
        &w,
        CLIENT,
        &admin,
        Method::Post,
        "/api/v1/units",
        Some(&unit("RL-3", w.e1)),
    )
    .await;
    assert_eq!(r.status, Status::TooManyRequests, "{}", r.body);
    assert_eq!(
        r.header("Retry-After"),
        Some("30"),
        "2 a minute: one back in 30 s"
    );
    assert!(r.header("Content-Type").unwrap().contains("json"));
    let j = r.json();
    assert_eq!(j["error"]["code"], "throttled", "{j}");
    assert_eq!(
        j["error"]["message"], "Too many requests; please wait a moment.",
        "in the caller's language"
    );
    assert!(
        !unit_codes(&w, &admin).await.contains(&"RL-3".to_string()),
        "a refused write is not stored"
    );
    // Refused deletes and patches do not run either.
    let id = w.e1_dept;
    let r = from(
        &w,
        CLIENT,
        &admin,
        Method::Delete,
        &format!("/api/v1/units/{id}"),
        None,
    )
    .await;
    assert_eq!(r.status, Status::TooManyRequests);
    let patch = r#"{"name":"改名"}"#;
    let r = from(
        &w,
        CLIENT,
        &admin,
        Method::Patch,
        &format!("/api/v1/units/{id}"),
        Some(patch),
    )
    .await;
    assert_eq!(r.status, Status::TooManyRequests);
    assert!(unit_codes(&w, &admin).await.contains(&"E1-OFF".to_string()));

    // Reads go on from the same address; another address writes as before.
    let r = from(&w, CLIENT, &admin, Method::Get, "/api/v1/me", None).await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    let r = from(
        &w,
        NEIGHBOUR,
        &admin,
        Method::Post,
        "/api/v1/units",
        Some(&unit("RL-4", w.e1)),
    )
    .await;
    assert_eq!(r.status, Status::Created, "{}", r.body);

    // Half a minute later one write is back.
    w.t.clock.advance(29_000);
    let r = from(
        &w,
        CLIENT,
        &admin,
        Method::Post,
        "/api/v1/units",
        Some(&unit("RL-3", w.e1)),
    )
    .await;
    assert_eq!(r.status, Status::TooManyRequests);
    assert_eq!(r.header("Retry-After"), Some("1"));
    w.t.clock.advance(1_000);
    let r = from(
        &w,
        CLIENT,
        &admin,
        Method::Post,
        "/api/v1/units",
        Some(&unit("RL-3", w.e1)),
    )
    .await;
    assert_eq!(r.status, Status::Created, "{}", r.body);

    // The refusals are counted for the scraper (four writes).
    let r = w.t.call(&admin, Method::Get, "/metrics", None).await;
    assert!(
        r.body
            .contains(r#"oanode_rate_limited_total{limit="writes"} 4"#),
        "{}",
        r.body
    );
}

#[rocket::async_test]
async fn pages_are_refused_with_a_localized_page_and_health_checks_are_exempt() {
    let w = world(3, 0).await;
    let alice = w.t.agent("alice", PW).await;
    for _ in 0..3 {
        assert_eq!(
            page_from(&w, CLIENT, &alice, "/", &[]).await.status,
            Status::Ok
        );
    }
    let r = page_from(&w, CLIENT, &alice, "/", &[]).await;
    assert_eq!(r.status, Status::TooManyRequests);
    assert_eq!(r.header("Retry-After"), Some("20"));
    assert!(r.header("Content-Type").unwrap().contains("html"));
    assert!(
        r.body.contains("请求过于频繁"),
        "zh-CN by default: {}",
        r.body
    );
    let r = page_from(&w, CLIENT, &alice, "/posts", &[("Accept-Language", "en")]).await;
    assert_eq!(r.status, Status::TooManyRequests);
    assert!(r.body.contains("Too many requests"), "{}", r.body);
    // One budget for pages and the API.
    let r = from(&w, CLIENT, &alice, Method::Get, "/api/v1/me", None).await;
    assert_eq!(r.status, Status::TooManyRequests);
    assert_eq!(r.json()["error"]["code"], "throttled");

    // Exempt: the health check, the static files (and /metrics).
    for _ in 0..5 {
        assert_eq!(
            page_from(&w, CLIENT, &alice, "/healthz", &[]).await.status,
            Status::Ok
        );
        let css = page_from(&w, CLIENT, &alice, "/static/css/app.css", &[]).await;
        assert_eq!(css.status, Status::Ok);
    }
    // Clients behind the reverse proxy on this host are counted one by one (X-Real-IP).
    let proxied = [("X-Real-IP", "198.51.100.20")];
    let r = page_from(&w, "127.0.0.1:50000", &alice, "/", &proxied).await;
    assert_eq!(r.status, Status::Ok);
    // The refusing route exists only for refused requests.
    assert_eq!(
        page_from(&w, NEIGHBOUR, &alice, "/_rate_limited", &[])
            .await
            .status,
        Status::NotFound
    );
    w.t.clock.advance(20_000);
    assert_eq!(
        page_from(&w, CLIENT, &alice, "/", &[]).await.status,
        Status::Ok
    );
}

#[rocket::async_test]
async fn zero_turns_the_limits_off() {
    let w = world(0, 0).await;
    let admin = w.t.agent("gadmin", PW).await;
    for i in 0..40 {
        let r = from(
            &w,
            CLIENT,
            &admin,
            Method::Post,
            "/api/v1/units",
            Some(&unit(&format!("Z-{i}"), w.e1)),
        )
        .await;
        assert_eq!(r.status, Status::Created, "{}", r.body);
    }
}
