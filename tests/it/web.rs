//! The web shell: health, assets, errors in both shapes, languages, security headers, OpenAPI.

use rocket::http::Status;

use crate::common::{PW, TestApp, World};

/// A signed-in session cookie's value for alice of the standard world.
async fn alice() -> (World, String) {
    let w = World::standard().await;
    let token = w.t.agent("alice", PW).await.token;
    (w, token)
}

#[rocket::async_test]
async fn healthz_answers_ok_with_store_and_index() {
    let t = TestApp::demo().await;
    let r = t.get("/healthz").await;
    assert_eq!(r.status, Status::Ok);
    let j = r.json();
    assert_eq!(j["status"], "ok");
    assert_eq!(j["store"], true);
    assert_eq!(j["search"], true);
}

#[rocket::async_test]
async fn home_is_the_workbench_in_chinese_by_default() {
    let (w, token) = alice().await;
    let r = w.t.get_cookie("/", ("oanode_session", &token), &[]).await;
    assert_eq!(r.status, Status::Ok);
    assert!(r.header("Content-Type").unwrap().starts_with("text/html"));
    assert!(r.body.contains(r#"<html lang="zh-CN">"#));
    assert!(r.body.contains(r#"<h1 id="page-title">工作台</h1>"#));
    assert!(r.body.contains("示例集团"), "the header names the group");
    assert!(r.body.contains(r#"id="lang-switch""#));
    assert!(r.body.contains(r#"href="/lang/en?next=/""#));
}

#[rocket::async_test]
async fn language_follows_cookie_then_accept_language() {
    let t = TestApp::demo().await;
    let r = t
        .get_with("/login", &[("Accept-Language", "en-US,en;q=0.9")])
        .await;
    assert!(r.body.contains(r#"<html lang="en">"#));
    assert!(r.body.contains(">Sign in</h1>"));

    let r = t
        .get_cookie("/login", ("lang", "zh-CN"), &[("Accept-Language", "en-US")])
        .await;
    assert!(
        r.body.contains(">登录</h1>"),
        "the cookie wins over the browser"
    );

    let r = t.get("/lang/en?next=/").await;
    assert_eq!(r.status, Status::SeeOther);
    assert_eq!(r.header("Location"), Some("/"));
    let cookie = r.header("Set-Cookie").unwrap();
    assert!(cookie.starts_with("lang=en"), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
}

#[rocket::async_test]
async fn language_switch_never_redirects_off_site() {
    let t = TestApp::demo().await;
    for next in [
        "//evil.example/x",
        "https://evil.example",
        "%2F%2Fevil.example",
    ] {
        let r = t.get(&format!("/lang/en?next={next}")).await;
        assert_eq!(r.header("Location"), Some("/"), "next={next}");
    }
    let r = t.get("/lang/fr?next=/").await;
    assert_eq!(
        r.header("Set-Cookie"),
        None,
        "an unknown language sets nothing"
    );
}

#[rocket::async_test]
async fn security_headers_on_pages_and_api() {
    let t = TestApp::demo().await;
    for path in ["/login", "/healthz", "/no-such-page"] {
        let r = t.get(path).await;
        let csp = r
            .header("Content-Security-Policy")
            .unwrap_or_else(|| panic!("CSP on {path}"));
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"));
        assert_eq!(r.header("X-Frame-Options"), Some("DENY"));
        assert_eq!(r.header("X-Content-Type-Options"), Some("nosniff"));
        assert_eq!(r.header("Referrer-Policy"), Some("same-origin"));
    }
    let home = t.get("/login").await;
    assert!(!home.body.contains("<script>"), "no inline script");
    assert!(!home.body.contains(" style="), "no inline style");
}

#[rocket::async_test]
async fn assets_are_served_with_etag_and_long_caching() {
    let t = TestApp::demo().await;
    let home = t.get("/login").await;
    let start = home
        .body
        .find("/static/css/app.css?v=")
        .expect("versioned stylesheet link");
    let url: String = home.body[start..]
        .chars()
        .take_while(|c| *c != '"')
        .collect();

    let r = t.get(&url).await;
    assert_eq!(r.status, Status::Ok);
    assert!(r.header("Content-Type").unwrap().starts_with("text/css"));
    assert_eq!(
        r.header("Cache-Control"),
        Some("public, max-age=31536000, immutable")
    );
    let etag = r.header("ETag").unwrap().to_string();
    assert!(r.body.contains(".topbar"));

    let again = t.get_with(&url, &[("If-None-Match", &etag)]).await;
    assert_eq!(again.status, Status::NotModified);
    assert!(again.body.is_empty());

    let unversioned = t.get("/static/css/app.css").await;
    assert_eq!(
        unversioned.header("Cache-Control"),
        Some("no-cache"),
        "revalidated, not cached blind"
    );

    let js = t.get("/static/vendor/htmx-2.0.11/htmx.min.js").await;
    assert_eq!(js.status, Status::Ok);
    assert!(js.header("Content-Type").unwrap().contains("javascript"));
}

#[rocket::async_test]
async fn templates_and_catalogs_are_not_served_and_traversal_fails() {
    let t = TestApp::demo().await;
    for path in [
        "/static/templates/layout.html",
        "/static/i18n/zh-CN.toml",
        "/static/../Cargo.toml",
        "/static/css/../../Cargo.toml",
    ] {
        let r = t.get(path).await;
        assert_eq!(r.status, Status::NotFound, "{path}");
    }
}

#[rocket::async_test]
async fn unknown_page_is_a_localized_html_404() {
    let t = TestApp::demo().await;
    let r = t.get("/no-such-page").await;
    assert_eq!(r.status, Status::NotFound);
    assert!(r.header("Content-Type").unwrap().starts_with("text/html"));
    assert!(r.body.contains(r#"<h1 id="page-title">页面不存在</h1>"#));
    let r = t
        .get_with("/no-such-page", &[("Accept-Language", "en")])
        .await;
    assert!(r.body.contains(">Page not found</h1>"));
}

#[rocket::async_test]
async fn unknown_api_route_is_a_json_404() {
    let t = TestApp::demo().await;
    let r = t.get("/api/v1/no-such-thing").await;
    assert_eq!(r.status, Status::NotFound);
    assert!(
        r.header("Content-Type")
            .unwrap()
            .starts_with("application/json")
    );
    let j = r.json();
    assert_eq!(j["error"]["code"], "not_found");
    assert_eq!(j["error"]["message"], "您访问的内容不存在，或您无权查看。");
    let r = t
        .get_with("/api/v1/no-such-thing", &[("Accept-Language", "en")])
        .await;
    assert_eq!(
        r.json()["error"]["message"],
        "This does not exist, or you may not see it."
    );
    let r = t.post_json("/api/v1/no-such-thing", "{not json").await;
    assert_eq!(r.status, Status::NotFound);
    assert_eq!(r.json()["error"]["code"], "not_found");
}

#[rocket::async_test]
async fn openapi_document_parses_and_lists_the_routes() {
    let t = TestApp::demo().await;
    let r = t.get("/api/v1/openapi.json").await;
    assert_eq!(r.status, Status::Ok);
    let j = r.json();
    assert!(j["openapi"].as_str().unwrap().starts_with("3."));
    assert!(j["paths"]["/healthz"]["get"].is_object());
    assert!(j["paths"]["/api/v1/openapi.json"]["get"].is_object());
    assert!(j["components"]["schemas"]["Health"].is_object());
}

#[rocket::async_test]
async fn demo_people_sign_in_with_the_shared_password_and_hold_their_roles() {
    let t = TestApp::demo().await;
    let a = t.agent("zhangwei", oanode::demo::DEMO_PASSWORD).await;
    let me = t
        .call(&a, rocket::http::Method::Get, "/api/v1/me", None)
        .await;
    assert_eq!(
        me.status,
        Status::Ok,
        "demo accounts skip the forced change"
    );
    assert!(
        me.json()["roles"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["role"] == "group_admin")
    );
    assert_eq!(
        t.login("zhangwei", "wrong123").await.status,
        Status::Unauthorized
    );
}
