//! `GET /api/v1/units` and `GET /api/v1/users`: what each caller sees.

use rocket::http::{Method, Status};

use crate::common::{PW, World};

fn ids(v: &serde_json::Value) -> Vec<u64> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_u64().unwrap())
        .collect()
}

#[rocket::async_test]
async fn units_come_parents_first_to_anyone_signed_in() {
    let w = World::standard().await;
    let alice = w.t.agent("alice", PW).await;
    let r = w.t.call(&alice, Method::Get, "/api/v1/units", None).await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    let v = r.json();
    let got = ids(&v);
    assert_eq!(got.len(), 5);
    assert_eq!(got[0], w.group, "the group first");
    let pos = |id| got.iter().position(|x| *x == id).unwrap();
    assert!(pos(w.e1) < pos(w.e1_dept), "a parent before its child");
    let dept = &v["items"][pos(w.e1_dept)];
    assert_eq!(dept["code"], "E1-OFF");
    assert_eq!(dept["kind"], "department");
    assert_eq!(dept["parent_id"], w.e1);

    assert_eq!(w.t.get("/api/v1/units").await.status, Status::Unauthorized);

    // An eHR integration token syncs and nothing else; a read token reads.
    let ga = w.t.agent("gadmin", PW).await;
    let token = |scope: &str| {
        let body = serde_json::json!({"name": scope, "scope": scope, "days": 1}).to_string();
        (body, scope.to_string())
    };
    for (body, scope) in [token("ehr_sync"), token("read")] {
        let r =
            w.t.call(&ga, Method::Post, "/api/v1/tokens", Some(&body))
                .await;
        let agent = crate::common::Agent {
            user_id: w.group_admin,
            login: "integration".into(),
            token: r.json()["token"].as_str().unwrap().to_string(),
        };
        let want = if scope == "read" {
            Status::Ok
        } else {
            Status::Forbidden
        };
        for path in ["/api/v1/units", "/api/v1/users?q=a"] {
            let r = w.t.call(&agent, Method::Get, path, None).await;
            assert_eq!(r.status, want, "{scope} {path}");
        }
        let r = w.t.call(&agent, Method::Get, "/api/v1/audit", None).await;
        assert_eq!(
            r.status,
            Status::Forbidden,
            "{scope}: the audit log is for people"
        );
    }
}

#[rocket::async_test]
async fn users_filter_by_text_and_subtree_and_hide_disabled_from_non_admins() {
    let w = World::standard().await;
    let alice = w.t.agent("alice", PW).await;
    let e1 = w.t.agent("e1admin", PW).await;
    let e2 = w.t.agent("e2admin", PW).await;

    let r =
        w.t.call(
            &alice,
            Method::Get,
            &format!("/api/v1/users?unit_id={}", w.e1),
            None,
        )
        .await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    let mut got = ids(&r.json());
    got.sort();
    let mut want = vec![w.e1_admin, w.alice, w.bob];
    want.sort();
    assert_eq!(got, want, "the enterprise's subtree, nobody else");

    let r =
        w.t.call(&alice, Method::Get, "/api/v1/users?q=BO", None)
            .await;
    let v = r.json();
    assert_eq!(ids(&v), vec![w.bob], "case-insensitive part of the login");
    assert_eq!(v["items"][0]["login"], "bob");
    assert_eq!(v["items"][0]["status"], "active");
    assert_eq!(v["items"][0]["unit_id"], w.e1_dept);

    let r =
        w.t.call(
            &e1,
            Method::Post,
            &format!("/api/v1/users/{}/disable", w.bob),
            None,
        )
        .await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);

    let r =
        w.t.call(&alice, Method::Get, "/api/v1/users?q=bob", None)
            .await;
    assert!(
        ids(&r.json()).is_empty(),
        "a colleague does not list a disabled account"
    );
    let r =
        w.t.call(&e2, Method::Get, "/api/v1/users?q=bob", None)
            .await;
    assert!(
        ids(&r.json()).is_empty(),
        "nor does another enterprise's admin"
    );
    let r =
        w.t.call(&e1, Method::Get, "/api/v1/users?q=bob", None)
            .await;
    let v = r.json();
    assert_eq!(ids(&v), vec![w.bob], "their enterprise admin does");
    assert_eq!(v["items"][0]["status"], "disabled");

    let r =
        w.t.call(&alice, Method::Get, "/api/v1/users?unit_id=999999", None)
            .await;
    assert_eq!(r.status, Status::NotFound);
    let long = "长".repeat(101);
    let r =
        w.t.call(
            &alice,
            Method::Get,
            &format!(
                "/api/v1/users?q={}",
                oanode::web::page::encode_query_value(&long)
            ),
            None,
        )
        .await;
    assert_eq!(r.status, Status::BadRequest);
    assert_eq!(r.json()["error"]["fields"]["q"], "输入太长。");
}
