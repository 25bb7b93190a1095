//! Sign-in, the must-change gate, passwords, lockout, sessions, CSRF, tokens and the admin reset,
//! each refusal beside its success.

use rocket::http::{ContentType, Header, Method, Status};

use crate::common::{PW, TestApp, World};

#[rocket::async_test]
async fn login_answers_a_token_and_me_knows_the_caller() {
    let w = World::standard().await;
    let r = w.t.login("alice", PW).await;
    assert_eq!(r.status, Status::Ok);
    let j = r.json();
    assert_eq!(j["user"]["login"], "alice");
    assert_eq!(j["must_change_password"], false);
    let a = w.t.agent("ALICE", PW).await; // logins are case-insensitive
    let me = w.t.call(&a, Method::Get, "/api/v1/me", None).await;
    assert_eq!(me.status, Status::Ok);
    assert_eq!(me.json()["id"], w.alice);
}

#[rocket::async_test]
async fn wrong_password_and_unknown_login_look_the_same() {
    let w = World::standard().await;
    for (login, pw) in [("alice", "wrong1"), ("nobody", PW)] {
        let r = w.t.login(login, pw).await;
        assert_eq!(r.status, Status::Unauthorized);
        assert_eq!(r.json()["error"]["code"], "bad_credentials");
    }
    let r = w.t.get("/api/v1/me").await;
    assert_eq!(r.status, Status::Unauthorized);
    assert_eq!(r.json()["error"]["code"], "unauthenticated");
    let forged =
        w.t.get_with(
            "/api/v1/me",
            &[("Authorization", "Bearer 0123456789abcdef")],
        )
        .await;
    assert_eq!(forged.status, Status::Unauthorized);
}

#[rocket::async_test]
async fn five_failures_lock_the_account_then_time_unlocks_it() {
    let w = World::standard().await;
    for i in 0..4 {
        assert_eq!(
            w.t.login("bob", "wrong1").await.status,
            Status::Unauthorized,
            "attempt {i}"
        );
    }
    let r = w.t.login("bob", "wrong1").await;
    assert_eq!(r.status, Status::TooManyRequests);
    assert_eq!(r.json()["error"]["code"], "locked");
    assert!(r.header("Retry-After").is_some());
    let r = w.t.login("bob", PW).await;
    assert_eq!(
        r.status,
        Status::TooManyRequests,
        "even the right password waits out the lock"
    );
    w.t.clock.advance(15 * 60_000 + 1);
    assert_eq!(w.t.login("bob", PW).await.status, Status::Ok);
    let audit =
        w.t.app
            .store()
            .read(|tx| oanode::store::audit::recent(tx, None, 50))
            .unwrap();
    assert!(audit.iter().any(|e| e.action == "auth.lockout"));
    assert_eq!(
        audit
            .iter()
            .filter(|e| e.action == "auth.login_failed")
            .count(),
        5
    );
}

#[rocket::async_test]
async fn disabled_user_cannot_sign_in_and_loses_sessions() {
    let w = World::standard().await;
    let a = w.t.agent("alice", PW).await;
    w.t.app
        .store()
        .write(|tx| {
            let mut u = oanode::org::store::user_by_id_w(tx, w.alice)?.unwrap();
            let old = u.clone();
            u.status = oanode::org::model::UserStatus::Disabled;
            oanode::org::store::update_user(tx, &old, &u)
        })
        .unwrap();
    assert_eq!(
        w.t.call(&a, Method::Get, "/api/v1/me", None).await.status,
        Status::Unauthorized
    );
    let r = w.t.login("alice", PW).await;
    assert_eq!(r.status, Status::Forbidden);
    assert_eq!(r.json()["error"]["code"], "account_disabled");
}

#[rocket::async_test]
async fn initial_password_gates_everything_until_changed() {
    let t = TestApp::empty().await;
    let initial =
        oanode::org::service::init_node(t.app.store(), t.app.clock(), "admin", "集团").unwrap();
    let r = t.login("admin", &initial).await;
    assert_eq!(r.json()["must_change_password"], true);
    let a = t.agent("admin", &initial).await;
    let me = t.call(&a, Method::Get, "/api/v1/me", None).await;
    assert_eq!(me.status, Status::Forbidden);
    assert_eq!(me.json()["error"]["code"], "must_change_password");
    // Pages send the person to the password form.
    let page = t.get_cookie("/", ("oanode_session", &a.token), &[]).await;
    assert_eq!(page.status, Status::SeeOther);
    assert_eq!(page.header("Location"), Some("/settings/password"));

    let weak = serde_json::json!({"old_password": initial, "new_password": "abcdef"}).to_string();
    let r = t
        .call(&a, Method::Post, "/api/v1/auth/password", Some(&weak))
        .await;
    assert_eq!(r.status, Status::BadRequest);
    assert_eq!(
        r.json()["error"]["fields"]["new_password"],
        "密码须包含数字。"
    );
    let wrong_old =
        serde_json::json!({"old_password": "nope12", "new_password": "Better123"}).to_string();
    let r = t
        .call(&a, Method::Post, "/api/v1/auth/password", Some(&wrong_old))
        .await;
    assert_eq!(
        r.json()["error"]["fields"]["old_password"],
        "当前密码不正确。"
    );
    let extra = serde_json::json!({"old_password": initial, "new_password": "Better123", "x": 1})
        .to_string();
    assert_eq!(
        t.call(&a, Method::Post, "/api/v1/auth/password", Some(&extra))
            .await
            .status,
        Status::BadRequest
    );
    assert_eq!(
        t.call(&a, Method::Get, "/api/v1/me", None).await.status,
        Status::Forbidden,
        "refusals changed nothing"
    );

    let ok = serde_json::json!({"old_password": initial, "new_password": "Better123"}).to_string();
    assert_eq!(
        t.call(&a, Method::Post, "/api/v1/auth/password", Some(&ok))
            .await
            .status,
        Status::NoContent
    );
    assert_eq!(
        t.call(&a, Method::Get, "/api/v1/me", None).await.status,
        Status::Ok
    );
    assert_eq!(
        t.login("admin", &initial).await.status,
        Status::Unauthorized,
        "the old password is gone"
    );
}

#[rocket::async_test]
async fn changing_the_password_ends_the_other_sessions() {
    let w = World::standard().await;
    let phone = w.t.agent("alice", PW).await;
    let laptop = w.t.agent("alice", PW).await;
    let list =
        w.t.call(&laptop, Method::Get, "/api/v1/me/sessions", None)
            .await
            .json();
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    let body = serde_json::json!({"old_password": PW, "new_password": "Fresh1234"}).to_string();
    assert_eq!(
        w.t.call(&laptop, Method::Post, "/api/v1/auth/password", Some(&body))
            .await
            .status,
        Status::NoContent
    );
    assert_eq!(
        w.t.call(&phone, Method::Get, "/api/v1/me", None)
            .await
            .status,
        Status::Unauthorized
    );
    assert_eq!(
        w.t.call(&laptop, Method::Get, "/api/v1/me", None)
            .await
            .status,
        Status::Ok
    );
}

#[rocket::async_test]
async fn sessions_are_listed_and_revocable_only_by_their_owner() {
    let w = World::standard().await;
    let a1 = w.t.agent("alice", PW).await;
    let a2 = w.t.agent("alice", PW).await;
    let bob = w.t.agent("bob", PW).await;
    let items =
        w.t.call(&a1, Method::Get, "/api/v1/me/sessions", None)
            .await
            .json()["items"]
            .clone();
    let other = items
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["current"] == false)
        .unwrap()["id"]
        .as_u64()
        .unwrap();
    let r =
        w.t.call(
            &bob,
            Method::Delete,
            &format!("/api/v1/me/sessions/{other}"),
            None,
        )
        .await;
    assert_eq!(r.status, Status::NotFound, "bob cannot end alice's session");
    assert_eq!(
        w.t.call(&a2, Method::Get, "/api/v1/me", None).await.status,
        Status::Ok
    );
    let r =
        w.t.call(
            &a1,
            Method::Delete,
            &format!("/api/v1/me/sessions/{other}"),
            None,
        )
        .await;
    assert_eq!(r.status, Status::NoContent);
    assert_eq!(
        w.t.call(&a2, Method::Get, "/api/v1/me", None).await.status,
        Status::Unauthorized
    );
}

#[rocket::async_test]
async fn session_expires_after_idle_time() {
    let w = World::standard().await;
    let a = w.t.agent("alice", PW).await;
    w.t.clock.advance(11 * 3_600_000);
    assert_eq!(
        w.t.call(&a, Method::Get, "/api/v1/me", None).await.status,
        Status::Ok
    );
    w.t.clock.advance(12 * 3_600_000 + 1);
    assert_eq!(
        w.t.call(&a, Method::Get, "/api/v1/me", None).await.status,
        Status::Unauthorized
    );
}

#[rocket::async_test]
async fn cookie_api_changes_need_the_csrf_header_bearer_does_not() {
    let w = World::standard().await;
    let a = w.t.agent("alice", PW).await;
    let body = serde_json::json!({"old_password": PW, "new_password": "Fresh1234"}).to_string();
    for header in [None, Some("forged-token")] {
        let mut req =
            w.t.client
                .post("/api/v1/auth/password")
                .header(ContentType::JSON)
                .body(body.clone());
        req = req.cookie(rocket::http::Cookie::new("oanode_session", a.token.clone()));
        if let Some(h) = header {
            req.add_header(Header::new("X-CSRF-Token", h));
        }
        let r = req.dispatch().await;
        assert_eq!(r.status(), Status::Forbidden);
        let j: serde_json::Value = serde_json::from_str(&r.into_string().await.unwrap()).unwrap();
        assert_eq!(j["error"]["code"], "csrf");
    }
    assert_eq!(
        w.t.login("alice", "Fresh1234").await.status,
        Status::Unauthorized,
        "nothing changed"
    );
}

#[rocket::async_test]
async fn page_sign_in_sets_a_cookie_and_forms_need_the_csrf_field() {
    let w = World::standard().await;
    let anon = w.t.get("/").await;
    assert_eq!(anon.status, Status::SeeOther);
    assert_eq!(anon.header("Location"), Some("/login?next=/"));
    let form = w.t.get("/login?next=/").await;
    assert!(form.body.contains(r#"<h1 id="page-title">登录</h1>"#));

    let bad =
        w.t.client
            .post("/login")
            .header(ContentType::Form)
            .body("login=alice&password=nope&next=/")
            .dispatch()
            .await;
    assert_eq!(bad.status(), Status::Unauthorized);
    assert!(
        bad.into_string()
            .await
            .unwrap()
            .contains("账号或密码错误。")
    );

    let ok =
        w.t.client
            .post("/login")
            .header(ContentType::Form)
            .body(format!("login=alice&password={PW}&next=/"))
            .dispatch()
            .await;
    assert_eq!(ok.status(), Status::SeeOther);
    let set = ok.headers().get_one("Set-Cookie").unwrap().to_string();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    assert!(!set.contains("Secure"), "plain HTTP: {set}");
    // Behind a proxy on this host that says the browser came over HTTPS, the cookie is Secure;
    // the same header from a client elsewhere is ignored.
    for (peer, secure) in [("127.0.0.1:9000", true), ("203.0.113.7:9000", false)] {
        let r =
            w.t.client
                .post("/login")
                .header(ContentType::Form)
                .header(rocket::http::Header::new("X-Forwarded-Proto", "https"))
                .remote(peer.parse().unwrap())
                .body(format!("login=alice&password={PW}&next=/"))
                .dispatch()
                .await;
        let c = r.headers().get_one("Set-Cookie").unwrap().to_string();
        assert_eq!(c.contains("; Secure"), secure, "{peer}: {c}");
    }
    let token = set
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("oanode_session=")
        .to_string();

    let home = w.t.get_cookie("/", ("oanode_session", &token), &[]).await;
    assert_eq!(home.status, Status::Ok);
    assert!(home.body.contains("用户alice"));
    let start = home.body.find(r#"name="csrf" value=""#).unwrap() + 19;
    let csrf: String = home.body[start..]
        .chars()
        .take_while(|c| *c != '"')
        .collect();
    assert_eq!(csrf.len(), 32);

    let forged =
        w.t.client
            .post("/logout")
            .header(ContentType::Form)
            .body("csrf=0000")
            .cookie(rocket::http::Cookie::new("oanode_session", token.clone()))
            .dispatch()
            .await;
    assert_eq!(forged.status(), Status::Forbidden);
    assert_eq!(
        w.t.get_cookie("/", ("oanode_session", &token), &[])
            .await
            .status,
        Status::Ok,
        "still signed in"
    );

    let out =
        w.t.client
            .post("/logout")
            .header(ContentType::Form)
            .body(format!("csrf={csrf}"))
            .cookie(rocket::http::Cookie::new("oanode_session", token.clone()))
            .dispatch()
            .await;
    assert_eq!(out.status(), Status::SeeOther);
    assert_eq!(
        w.t.get_cookie("/", ("oanode_session", &token), &[])
            .await
            .status,
        Status::SeeOther,
        "signed out"
    );
}

#[rocket::async_test]
async fn admin_reset_follows_the_enterprise_boundary() {
    let w = World::standard().await;
    let e2 = w.t.agent("e2admin", PW).await;
    let bob = w.t.agent("bob", PW).await;
    let path = format!("/api/v1/users/{}/reset-password", w.alice);
    assert_eq!(
        w.t.call(&e2, Method::Post, &path, None).await.status,
        Status::NotFound,
        "another enterprise's admin"
    );
    assert_eq!(
        w.t.call(&bob, Method::Post, &path, None).await.status,
        Status::Forbidden,
        "a colleague without the role"
    );
    assert_eq!(
        w.t.call(&e2, Method::Post, "/api/v1/users/9999/reset-password", None)
            .await
            .status,
        Status::NotFound
    );
    assert_eq!(
        w.t.login("alice", PW).await.status,
        Status::Ok,
        "refusals changed nothing"
    );

    let e1 = w.t.agent("e1admin", PW).await;
    let r = w.t.call(&e1, Method::Post, &path, None).await;
    assert_eq!(r.status, Status::Ok);
    let initial = r.json()["initial_password"].as_str().unwrap().to_string();
    assert_eq!(w.t.login("alice", PW).await.status, Status::Unauthorized);
    let r = w.t.login("alice", &initial).await;
    assert_eq!(r.json()["must_change_password"], true);
}

#[rocket::async_test]
async fn integration_tokens_have_a_scope_and_an_expiry() {
    let w = World::standard().await;
    let ga = w.t.agent("gadmin", PW).await;
    let e1 = w.t.agent("e1admin", PW).await;
    let body =
        serde_json::json!({"name": "eHR 夜间同步", "scope": "ehr_sync", "days": 30}).to_string();
    assert_eq!(
        w.t.call(&e1, Method::Post, "/api/v1/tokens", Some(&body))
            .await
            .status,
        Status::Forbidden
    );
    let full = serde_json::json!({"name": "x", "scope": "full", "days": 30}).to_string();
    assert_eq!(
        w.t.call(&ga, Method::Post, "/api/v1/tokens", Some(&full))
            .await
            .status,
        Status::BadRequest
    );
    let r =
        w.t.call(&ga, Method::Post, "/api/v1/tokens", Some(&body))
            .await;
    assert_eq!(r.status, Status::Ok);
    let token = oanode_token(&r.json());
    let sync = crate::common::Agent {
        user_id: w.group_admin,
        login: "token".into(),
        token,
    };
    let reset = format!("/api/v1/users/{}/reset-password", w.alice);
    assert_eq!(
        w.t.call(&sync, Method::Post, &reset, None).await.status,
        Status::Forbidden,
        "scope ehr_sync only"
    );
    let list =
        w.t.call(&ga, Method::Get, "/api/v1/tokens", None)
            .await
            .json();
    assert_eq!(list["items"][0]["name"], "eHR 夜间同步");
    assert!(
        !list.to_string().contains(&sync.token),
        "the secret is shown once"
    );
    w.t.clock.advance(31 * 24 * 3_600_000);
    assert_eq!(
        w.t.call(&sync, Method::Get, "/api/v1/me", None)
            .await
            .status,
        Status::Unauthorized,
        "expired"
    );
}

fn oanode_token(j: &serde_json::Value) -> String {
    let t = j["token"].as_str().unwrap().to_string();
    assert!(t.starts_with("oat_"));
    t
}

#[rocket::async_test]
async fn only_a_local_proxy_names_the_client_address() {
    let w = World::standard().await;
    let attempt = |remote: &'static str, real_ip: String| {
        let client = &w.t.client;
        async move {
            client
                .post("/api/v1/auth/login")
                .remote(remote.parse().unwrap())
                .header(ContentType::JSON)
                .header(Header::new("X-Real-IP", real_ip))
                .body(r#"{"login":"nobody","password":"wrong1"}"#)
                .dispatch()
                .await
                .status()
        }
    };
    // Straight from the network: the header is ignored, so inventing addresses does not escape
    // the per-address throttle (30 a minute).
    for i in 0..30 {
        assert_eq!(
            attempt("203.0.113.7:5000", format!("10.0.0.{i}")).await,
            Status::Unauthorized
        );
    }
    assert_eq!(
        attempt("203.0.113.7:5000", "10.0.1.1".into()).await,
        Status::TooManyRequests
    );
    // Through the reverse proxy on this host: each client is counted on its own.
    for i in 0..31 {
        assert_eq!(
            attempt("127.0.0.1:5000", format!("10.0.2.{i}")).await,
            Status::Unauthorized
        );
    }
}

#[rocket::async_test]
async fn ended_sessions_are_removed_hourly_and_tokens_stay() {
    const H: i64 = 3_600_000;
    let w = World::standard().await;
    let held = || {
        w.t.app
            .store()
            .read(oanode::auth::store::session_count)
            .unwrap()
    };
    let sweep = || oanode::auth::sweep::tick(&w.t.app).unwrap();
    let alice = w.t.agent("alice", PW).await;
    let ga = w.t.agent("gadmin", PW).await;
    let body = serde_json::json!({"name": "eHR", "scope": "ehr_sync", "days": 1}).to_string();
    let r =
        w.t.call(&ga, Method::Post, "/api/v1/tokens", Some(&body))
            .await;
    assert_eq!(r.status, Status::Ok);
    assert_eq!(held(), 3);
    assert_eq!(sweep(), 0, "nothing has ended");

    w.t.clock.advance(11 * H + 30 * 60_000);
    let bob = w.t.agent("bob", PW).await;
    w.t.clock.advance(30 * 60_000 + 1);
    // alice's and the admin's sessions have been idle for more than 12 hours; bob's has not.
    assert_eq!(sweep(), 2);
    assert_eq!(held(), 2, "bob's session and the token");
    let me = |a| w.t.call(a, Method::Get, "/api/v1/me", None);
    assert_eq!(me(&bob).await.status, Status::Ok);
    assert_eq!(me(&alice).await.status, Status::Unauthorized);

    // bob was seen just now; half a day on, the sweep finds nothing.
    w.t.clock.advance(11 * H + 30 * 60_000);
    assert_eq!(sweep(), 0);
    w.t.clock.advance(30 * 60_000 + 1);
    // bob's session is over, but the last sweep was half an hour ago: it waits for the next.
    assert_eq!(me(&bob).await.status, Status::Unauthorized);
    assert_eq!(sweep(), 0);
    assert_eq!(held(), 2);
    w.t.clock.advance(30 * 60_000);
    assert_eq!(sweep(), 1);
    // The token expired a day after it was made, but stays listed until its owner revokes it.
    assert_eq!(held(), 1);
    let ga = w.t.agent("gadmin", PW).await;
    let list =
        w.t.call(&ga, Method::Get, "/api/v1/tokens", None)
            .await
            .json();
    assert_eq!(list["items"][0]["name"], "eHR");
}
