//! `GET /api/v1/audit`: filters and who reads what.

use rocket::http::{Method, Status};

use crate::common::{PW, World};

/// (target, action) of each entry.
fn actions(v: &serde_json::Value) -> Vec<(String, String)> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["target"].as_str().unwrap().to_string(),
                i["action"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[rocket::async_test]
async fn admins_filter_the_log_within_their_scope() {
    let w = World::standard().await;
    assert_eq!(
        w.t.login("alice", "wrong-pass1").await.status,
        Status::Unauthorized
    );
    let _alice = w.t.agent("alice", PW).await;
    let _e2 = w.t.agent("e2admin", PW).await;
    let ga = w.t.agent("gadmin", PW).await;
    let e1 = w.t.agent("e1admin", PW).await;

    let r =
        w.t.call(&ga, Method::Get, "/api/v1/audit?action=auth.login", None)
            .await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    let v = r.json();
    let got = actions(&v);
    assert!(
        got.iter().all(|(_, a)| a.starts_with("auth.login")),
        "{got:?}"
    );
    for who in [w.alice, w.e2_admin, w.group_admin, w.e1_admin] {
        let t = format!("user:{who}");
        assert!(got.contains(&(t, "auth.login".into())), "{who}: {got:?}");
    }
    let alice = format!("user:{}", w.alice);
    assert!(got.contains(&(alice.clone(), "auth.login_failed".into())));
    assert!(
        v["items"][0]["at"].as_str().unwrap().ends_with("+08:00"),
        "node time zone"
    );
    assert!(v["next_before"].is_null(), "the whole log fit");

    let r =
        w.t.call(
            &ga,
            Method::Get,
            "/api/v1/audit?user=ALICE&action=auth.login_failed",
            None,
        )
        .await;
    assert_eq!(
        actions(&r.json()),
        vec![(alice.clone(), "auth.login_failed".into())]
    );

    // One per page, following the cursor.
    let r =
        w.t.call(
            &ga,
            Method::Get,
            "/api/v1/audit?action=auth.login&limit=1",
            None,
        )
        .await;
    let first = r.json();
    assert_eq!(first["items"].as_array().unwrap().len(), 1);
    let before = first["next_before"].as_u64().expect("a cursor");
    let r =
        w.t.call(
            &ga,
            Method::Get,
            &format!("/api/v1/audit?action=auth.login&limit=1&before={before}"),
            None,
        )
        .await;
    assert!(
        r.json()["items"][0]["seq"].as_u64().unwrap() < first["items"][0]["seq"].as_u64().unwrap()
    );

    // The enterprise admin reads their enterprise's people only.
    let r = w.t.call(&e1, Method::Get, "/api/v1/audit", None).await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    let got = actions(&r.json());
    assert!(got.iter().any(|(t, _)| *t == alice), "{got:?}");
    let outside = [w.e2_admin, w.group_admin].map(|id| format!("user:{id}"));
    assert!(!got.iter().any(|(t, _)| outside.contains(t)), "{got:?}");

    // Dates: a day long past holds nothing; a malformed date is a clear 400.
    let r =
        w.t.call(&ga, Method::Get, "/api/v1/audit?to=2001-01-01", None)
            .await;
    assert!(actions(&r.json()).is_empty());
    let r =
        w.t.call(&ga, Method::Get, "/api/v1/audit?from=2026-13-01", None)
            .await;
    assert_eq!(r.status, Status::BadRequest);
    assert_eq!(
        r.json()["error"]["fields"]["from"],
        "日期格式应为 年-月-日，如 2026-11-29。"
    );

    // Nobody else reads it.
    let alice = w.t.agent("alice", PW).await;
    let r = w.t.call(&alice, Method::Get, "/api/v1/audit", None).await;
    assert_eq!(r.status, Status::Forbidden);
}
