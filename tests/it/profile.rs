//! `/api/v1/me/profile`: a person keeps their own mobile and email.

use rocket::http::{Method, Status};

use crate::common::{PW, World};

#[rocket::async_test]
async fn a_person_edits_their_contact_details_and_bad_input_changes_nothing() {
    let w = World::standard().await;
    let alice = w.t.agent("alice", PW).await;
    let path = "/api/v1/me/profile";

    let body = r#"{"mobile": " 138-0013-8000 ", "email": "alice@example.cn"}"#;
    let r = w.t.call(&alice, Method::Patch, path, Some(body)).await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    assert_eq!(r.json()["mobile"], "138-0013-8000", "trimmed");

    let bad = r#"{"mobile": "call me", "email": "alice-at-example"}"#;
    let r = w.t.call(&alice, Method::Patch, path, Some(bad)).await;
    assert_eq!(r.status, Status::BadRequest);
    let fields = &r.json()["error"]["fields"];
    assert_eq!(
        fields["mobile"],
        "手机号码格式不正确：只能包含数字、+、- 和空格。"
    );
    assert_eq!(fields["email"], "电子邮箱格式不正确。");

    let r = w.t.call(&alice, Method::Get, path, None).await;
    assert_eq!(
        r.json()["mobile"],
        "138-0013-8000",
        "the refused edit changed nothing"
    );
    assert_eq!(r.json()["email"], "alice@example.cn");

    let r =
        w.t.call(
            &alice,
            Method::Patch,
            path,
            Some(r#"{"mobile": "", "email": null}"#),
        )
        .await;
    assert_eq!(r.status, Status::Ok);
    let r = w.t.call(&alice, Method::Get, path, None).await;
    assert!(
        r.json()["mobile"].is_null() && r.json()["email"].is_null(),
        "cleared"
    );

    // The edits are audited against the person; a read token cannot edit.
    let ga = w.t.agent("gadmin", PW).await;
    let r =
        w.t.call(
            &ga,
            Method::Get,
            "/api/v1/audit?user=alice&action=org.user.profile",
            None,
        )
        .await;
    assert_eq!(r.json()["items"].as_array().unwrap().len(), 2);
    let body = serde_json::json!({"name": "r", "scope": "read", "days": 1}).to_string();
    let r =
        w.t.call(&ga, Method::Post, "/api/v1/tokens", Some(&body))
            .await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    let reader = crate::common::Agent {
        user_id: w.group_admin,
        login: "gadmin".into(),
        token: r.json()["token"].as_str().unwrap().to_string(),
    };
    let edit = r#"{"mobile": "13800138000"}"#;
    let r = w.t.call(&reader, Method::Patch, path, Some(edit)).await;
    assert_eq!(r.status, Status::Forbidden, "a read token does not edit");
    assert_eq!(w.t.get(path).await.status, Status::Unauthorized);
}
