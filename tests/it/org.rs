//! The eHR sync over the API: who may post, dry run, malformed files.

use rocket::http::{Method, Status};

use crate::common::{PW, World};

const SNAP: &str = r#"{"mode": "delta",
  "units": [{"code": "E1-NEW", "name": "新设部门", "kind": "department", "parent": "E1", "order": 9}],
  "people": [{"employee_no": "9001", "name": "新员工", "login": "xinyuangong", "unit": "E1-NEW", "status": "active"}]}"#;

#[rocket::async_test]
async fn a_sync_token_posts_a_snapshot_others_are_refused_and_dry_run_changes_nothing() {
    let w = World::standard().await;
    let ga = w.t.agent("gadmin", PW).await;
    let e1 = w.t.agent("e1admin", PW).await;
    let body = serde_json::json!({"name": "eHR", "scope": "ehr_sync", "days": 30}).to_string();
    let token =
        w.t.call(&ga, Method::Post, "/api/v1/tokens", Some(&body))
            .await
            .json()["token"]
            .as_str()
            .unwrap()
            .to_string();
    let sync = crate::common::Agent {
        user_id: w.group_admin,
        login: "ehr".into(),
        token,
    };

    let r =
        w.t.call(&e1, Method::Post, "/api/v1/ehr/sync", Some(SNAP))
            .await;
    assert_eq!(
        r.status,
        Status::Forbidden,
        "an enterprise admin does not sync eHR"
    );
    let r =
        w.t.call(
            &sync,
            Method::Post,
            "/api/v1/ehr/sync",
            Some("{\"mode\": \"delta\", \"units\": ["),
        )
        .await;
    assert_eq!(r.status, Status::BadRequest);
    assert_eq!(r.json()["error"]["fields"]["snapshot"], "JSON 格式不正确。");
    let r =
        w.t.call(
            &sync,
            Method::Post,
            "/api/v1/ehr/sync?dry_run=true",
            Some(SNAP),
        )
        .await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    assert_eq!(r.json()["counts"]["people_created"], 1);
    assert_eq!(
        w.t.login("xinyuangong", "anything1").await.status,
        Status::Unauthorized
    );
    let exists =
        w.t.app
            .store()
            .read(|tx| oanode::org::store::user_by_login(tx, "xinyuangong"))
            .unwrap();
    assert!(
        exists.is_none(),
        "the dry run and the refusals changed nothing"
    );

    let r =
        w.t.call(&sync, Method::Post, "/api/v1/ehr/sync", Some(SNAP))
            .await;
    assert_eq!(r.status, Status::Ok);
    assert_eq!(r.json()["counts"]["units_created"], 1);
    let again =
        w.t.call(&sync, Method::Post, "/api/v1/ehr/sync", Some(SNAP))
            .await
            .json();
    assert_eq!(
        (
            again["counts"]["units_created"].as_u64(),
            again["counts"]["people_created"].as_u64()
        ),
        (Some(0), Some(0))
    );
    // The new person's unit is inside E1: the enterprise admin can now reset their password.
    let id =
        w.t.app
            .store()
            .read(|tx| oanode::org::store::user_by_login(tx, "xinyuangong"))
            .unwrap()
            .unwrap()
            .id;
    let r =
        w.t.call(
            &e1,
            Method::Post,
            &format!("/api/v1/users/{id}/reset-password"),
            None,
        )
        .await;
    assert_eq!(
        r.status,
        Status::Ok,
        "the unit tree was refreshed after the sync"
    );
    let initial = r.json()["initial_password"].as_str().unwrap().to_string();
    assert_eq!(
        w.t.login("xinyuangong", &initial).await.json()["must_change_password"],
        true
    );
}

#[rocket::async_test]
async fn disabling_a_user_ends_their_sessions_within_the_enterprise_boundary() {
    let w = World::standard().await;
    let alice = w.t.agent("alice", PW).await;
    let e2 = w.t.agent("e2admin", PW).await;
    let bob = w.t.agent("bob", PW).await;
    let e1 = w.t.agent("e1admin", PW).await;
    let path = format!("/api/v1/users/{}/disable", w.alice);
    assert_eq!(
        w.t.call(&e2, Method::Post, &path, None).await.status,
        Status::NotFound,
        "another enterprise's admin"
    );
    assert_eq!(
        w.t.call(&bob, Method::Post, &path, None).await.status,
        Status::Forbidden,
        "a colleague"
    );
    let own = format!("/api/v1/users/{}/disable", w.e1_admin);
    assert_eq!(
        w.t.call(&e1, Method::Post, &own, None).await.status,
        Status::Conflict,
        "not oneself"
    );
    assert_eq!(
        w.t.call(&alice, Method::Get, "/api/v1/me", None)
            .await
            .status,
        Status::Ok,
        "refusals changed nothing"
    );

    let r = w.t.call(&e1, Method::Post, &path, None).await;
    assert_eq!(r.status, Status::Ok);
    assert_eq!(r.json()["status"], "disabled");
    assert_eq!(
        w.t.call(&alice, Method::Get, "/api/v1/me", None)
            .await
            .status,
        Status::Unauthorized
    );
    assert_eq!(w.t.login("alice", PW).await.status, Status::Forbidden);
    let sessions =
        w.t.app
            .store()
            .read(|tx| oanode::auth::store::sessions_of(tx, w.alice))
            .unwrap();
    assert!(sessions.is_empty(), "every session ended");
    let events =
        w.t.app
            .store()
            .read(|tx| oanode::org::store::events_after(tx, 0, 10))
            .unwrap();
    assert!(format!("{events:?}").contains("Departed"), "{events:?}");
}
