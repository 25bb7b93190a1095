//! Administration through the API: units, positions, users, grants; each refusal as carefully
//! as each success (another enterprise's admin, a plain user, a grant wider than one's own).

use rocket::http::{Method, Status};
use serde_json::json;

use crate::common::{Agent, PW, Resp, World};

async fn send(w: &World, who: &Agent, m: Method, path: &str, body: serde_json::Value) -> Resp {
    w.t.call(who, m, path, Some(&body.to_string())).await
}

fn field(r: &Resp, name: &str) -> String {
    r.json()["error"]["fields"][name]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

async fn unit_count(w: &World, who: &Agent) -> usize {
    let r = w.t.call(who, Method::Get, "/api/v1/units", None).await;
    r.json()["items"].as_array().unwrap().len()
}

#[rocket::async_test]
async fn units_and_positions_are_managed_within_ones_reach() {
    let w = World::standard().await;
    let ga = w.t.agent("gadmin", PW).await;
    let e1a = w.t.agent("e1admin", PW).await;
    let alice = w.t.agent("alice", PW).await;

    // A group admin adds an enterprise under the group; an enterprise admin may not.
    let body =
        json!({"code": "E3", "name": "示例物流", "kind": "enterprise", "parent_id": w.group});
    let r = send(&w, &e1a, Method::Post, "/api/v1/units", body.clone()).await;
    assert_eq!(r.status, Status::Forbidden, "{}", r.body);
    let r = send(&w, &ga, Method::Post, "/api/v1/units", body.clone()).await;
    assert_eq!(r.status, Status::Created, "{}", r.body);
    let e3 = r.json()["id"].as_u64().unwrap();
    assert_eq!(r.json()["kind"], "enterprise");
    assert_eq!(r.json()["parent_id"], w.group);

    // Departments inside one's enterprise: yes; in another's: no; plain users: no.
    let dept = |code: &str, parent: u64| json!({"code": code, "name": "安全环保部", "kind": "department", "parent_id": parent, "order": 3});
    let r = send(
        &w,
        &e1a,
        Method::Post,
        "/api/v1/units",
        dept("E1-SAFE", w.e1),
    )
    .await;
    assert_eq!(r.status, Status::Created, "{}", r.body);
    let safe = r.json()["id"].as_u64().unwrap();
    let before = unit_count(&w, &ga).await;
    for (who, parent) in [(&e1a, w.e2), (&e1a, e3), (&alice, w.e1)] {
        let r = send(&w, who, Method::Post, "/api/v1/units", dept("X-1", parent)).await;
        assert_eq!(r.status, Status::Forbidden, "{} under {parent}", who.login);
    }
    // Bad input: a taken or malformed code, an enterprise under a department, a blank name.
    let r = send(
        &w,
        &e1a,
        Method::Post,
        "/api/v1/units",
        dept("E1-SAFE", w.e1),
    )
    .await;
    assert_eq!(r.status, Status::BadRequest);
    assert_eq!(field(&r, "code"), "编码已被使用。");
    let r = send(&w, &e1a, Method::Post, "/api/v1/units", dept("安全", w.e1)).await;
    assert_eq!(
        field(&r, "code"),
        "编码只能包含字母、数字和 - _ .，最长 32 位。"
    );
    let body = json!({"code": "E9", "name": " ", "kind": "enterprise", "parent_id": w.e1});
    let r = send(&w, &ga, Method::Post, "/api/v1/units", body).await;
    assert_eq!(r.status, Status::BadRequest);
    assert!(!field(&r, "kind").is_empty() && !field(&r, "name").is_empty());
    let body =
        json!({"code": "E9", "name": "x", "kind": "department", "parent_id": w.e1, "extra": 1});
    let r = send(&w, &ga, Method::Post, "/api/v1/units", body).await;
    assert_eq!(r.status, Status::BadRequest, "unknown fields are refused");
    assert_eq!(unit_count(&w, &ga).await, before, "refusals change nothing");

    // Edits: rename within reach; moving into another enterprise or under itself is refused.
    let p = format!("/api/v1/units/{safe}");
    let r = send(
        &w,
        &e1a,
        Method::Patch,
        &p,
        json!({"name": "安全生产部", "head_id": w.alice}),
    )
    .await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    assert_eq!(r.json()["name"], "安全生产部");
    let r = send(&w, &e1a, Method::Patch, &p, json!({"parent_id": w.e2})).await;
    assert_eq!(r.status, Status::Forbidden);
    let r = send(
        &w,
        &ga,
        Method::Patch,
        &format!("/api/v1/units/{}", w.e1),
        json!({"parent_id": safe}),
    )
    .await;
    assert_eq!(r.status, Status::BadRequest);
    assert_eq!(
        field(&r, "parent_id"),
        "不能把单元移到它自己或它的下级单元之下。"
    );
    let r = send(
        &w,
        &e1a,
        Method::Patch,
        &format!("/api/v1/units/{}", w.e2),
        json!({"name": "x"}),
    )
    .await;
    assert_eq!(r.status, Status::Forbidden);
    let r = send(
        &w,
        &ga,
        Method::Patch,
        "/api/v1/units/9999",
        json!({"name": "x"}),
    )
    .await;
    assert_eq!(r.status, Status::NotFound);
    let r = send(&w, &ga, Method::Patch, &p, json!({"parent_id": w.e1_dept})).await;
    assert_eq!(
        r.status,
        Status::Ok,
        "a department moves under another: {}",
        r.body
    );

    // Positions: group-wide ones are the group admin's; an enterprise's its admin's.
    let pos = |code: &str, unit: Option<u64>, parent: Option<u64>| json!({"code": code, "name": "部门经理", "unit_id": unit, "parent_id": parent});
    let r = send(
        &w,
        &e1a,
        Method::Post,
        "/api/v1/positions",
        pos("P-MGR", None, None),
    )
    .await;
    assert_eq!(r.status, Status::Forbidden);
    let r = send(
        &w,
        &ga,
        Method::Post,
        "/api/v1/positions",
        pos("P-MGR", None, None),
    )
    .await;
    assert_eq!(r.status, Status::Created, "{}", r.body);
    let mgr = r.json()["id"].as_u64().unwrap();
    let r = send(
        &w,
        &e1a,
        Method::Post,
        "/api/v1/positions",
        pos("E1-CLERK", Some(w.e1), Some(mgr)),
    )
    .await;
    assert_eq!(r.status, Status::Created, "{}", r.body);
    let clerk = r.json()["id"].as_u64().unwrap();
    let r = send(
        &w,
        &ga,
        Method::Patch,
        &format!("/api/v1/positions/{mgr}"),
        json!({"parent_id": clerk}),
    )
    .await;
    assert_eq!(
        field(&r, "parent_id"),
        "不能把单元移到它自己或它的下级单元之下。"
    );
    let r = send(
        &w,
        &e1a,
        Method::Patch,
        &format!("/api/v1/positions/{clerk}"),
        json!({"name": "文员"}),
    )
    .await;
    assert_eq!(r.json()["name"], "文员");
    let r =
        w.t.call(&alice, Method::Get, "/api/v1/positions", None)
            .await;
    assert_eq!(r.json()["items"].as_array().unwrap().len(), 2);

    // Deleting: only what nothing refers to; never the group; only within reach.
    let r =
        w.t.call(
            &ga,
            Method::Delete,
            &format!("/api/v1/units/{}", w.e1),
            None,
        )
        .await;
    assert_eq!(r.status, Status::Conflict, "E1 has people");
    assert_eq!(r.json()["error"]["code"], "in_use");
    let r =
        w.t.call(
            &ga,
            Method::Delete,
            &format!("/api/v1/units/{}", w.group),
            None,
        )
        .await;
    assert_eq!(r.status, Status::Conflict, "the group never goes");
    let r =
        w.t.call(&e1a, Method::Delete, &format!("/api/v1/units/{e3}"), None)
            .await;
    assert_eq!(r.status, Status::Forbidden);
    let r =
        w.t.call(&ga, Method::Delete, &format!("/api/v1/units/{e3}"), None)
            .await;
    assert_eq!(r.status, Status::NoContent);
    let r =
        w.t.call(&ga, Method::Delete, &format!("/api/v1/units/{e3}"), None)
            .await;
    assert_eq!(r.status, Status::NotFound);
    let r =
        w.t.call(
            &ga,
            Method::Delete,
            &format!("/api/v1/positions/{mgr}"),
            None,
        )
        .await;
    assert_eq!(r.status, Status::Conflict, "a post reports to it");
    let r =
        w.t.call(
            &e1a,
            Method::Delete,
            &format!("/api/v1/positions/{clerk}"),
            None,
        )
        .await;
    assert_eq!(r.status, Status::NoContent);
    let mut problems = Vec::new();
    w.t.app
        .store()
        .read(|tx| oanode::org::store::check(tx, &mut problems))
        .unwrap();
    assert!(
        problems.is_empty(),
        "indexes follow deletions: {problems:?}"
    );

    // Every change is in the audit log.
    let r =
        w.t.call(&ga, Method::Get, "/api/v1/audit?action=org.", None)
            .await;
    let actions: Vec<String> = r.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect();
    for a in [
        "org.unit.create",
        "org.unit.update",
        "org.unit.delete",
        "org.position.create",
        "org.position.update",
        "org.position.delete",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
    }
}

#[rocket::async_test]
async fn users_are_created_edited_and_enabled_by_their_admins() {
    let w = World::standard().await;
    let ga = w.t.agent("gadmin", PW).await;
    let e1a = w.t.agent("e1admin", PW).await;
    let e2a = w.t.agent("e2admin", PW).await;
    let alice = w.t.agent("alice", PW).await;

    let new = |login: &str, unit: u64| {
        json!({"login": login, "name": "王芳", "unit_id": unit, "manager_id": w.alice,
               "employee_no": "E1-0099", "mobile": "13800138000", "email": "wangfang@example.cn"})
    };
    let r = send(
        &w,
        &e1a,
        Method::Post,
        "/api/v1/users",
        new("wangfang", w.e1_dept),
    )
    .await;
    assert_eq!(r.status, Status::Created, "{}", r.body);
    let v = r.json();
    let id = v["user"]["id"].as_u64().unwrap();
    assert_eq!(v["user"]["must_change_password"], true);
    assert_eq!(v["user"]["manager_id"], w.alice);
    let initial = v["initial_password"].as_str().unwrap().to_string();
    let r = w.t.login("wangfang", &initial).await;
    assert_eq!(r.status, Status::Ok);
    assert_eq!(
        r.json()["must_change_password"],
        true,
        "the policy applies to new accounts"
    );

    // Refusals: taken login or employee number, malformed contacts, someone else's enterprise,
    // a plain user, an unknown manager. None creates anything.
    let r = send(
        &w,
        &e1a,
        Method::Post,
        "/api/v1/users",
        new("WangFang", w.e1_dept),
    )
    .await;
    assert_eq!(field(&r, "login"), "该账号已被使用。");
    assert_eq!(field(&r, "employee_no"), "该员工编号已被使用。");
    let mut bad = new("zhaolei", w.e1_dept);
    bad["mobile"] = json!("abc");
    bad["email"] = json!("no-at-sign");
    bad["manager_id"] = json!(9999);
    let r = send(&w, &e1a, Method::Post, "/api/v1/users", bad).await;
    assert_eq!(r.status, Status::BadRequest);
    assert!(!field(&r, "mobile").is_empty() && !field(&r, "email").is_empty());
    let mut bad = new("zhaolei", w.e1_dept);
    bad["employee_no"] = json!(null);
    bad["manager_id"] = json!(9999);
    let r = send(&w, &e1a, Method::Post, "/api/v1/users", bad).await;
    assert_eq!(field(&r, "manager_id"), "上级不存在，或不能是本人。");
    let r = send(
        &w,
        &e1a,
        Method::Post,
        "/api/v1/users",
        new("zhaolei", w.e2),
    )
    .await;
    assert_eq!(r.status, Status::Forbidden);
    let r = send(
        &w,
        &alice,
        Method::Post,
        "/api/v1/users",
        new("zhaolei", w.e1_dept),
    )
    .await;
    assert_eq!(r.status, Status::Forbidden);
    assert_eq!(
        w.t.login("zhaolei", "whatever1").await.status,
        Status::Unauthorized
    );

    // Edits: the own enterprise's admin edits; another enterprise's admin does not even see the
    // person (404); a colleague is refused (403).
    let path = format!("/api/v1/users/{id}");
    let r = send(
        &w,
        &e1a,
        Method::Patch,
        &path,
        json!({"name": "王芳芳", "mobile": null, "manager_id": w.bob}),
    )
    .await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    assert_eq!(r.json()["name"], "王芳芳");
    assert!(r.json()["mobile"].is_null(), "null clears");
    assert_eq!(r.json()["email"], "wangfang@example.cn", "left out keeps");
    assert_eq!(r.json()["manager_id"], w.bob);
    let r = send(&w, &e2a, Method::Patch, &path, json!({"name": "x"})).await;
    assert_eq!(r.status, Status::NotFound);
    let r = send(&w, &alice, Method::Patch, &path, json!({"name": "x"})).await;
    assert_eq!(r.status, Status::Forbidden);
    let r = send(&w, &e1a, Method::Patch, &path, json!({"login": "other"})).await;
    assert_eq!(r.status, Status::BadRequest, "the login is not editable");
    let r = send(&w, &e1a, Method::Patch, &path, json!({"manager_id": id})).await;
    assert_eq!(r.status, Status::BadRequest, "nobody manages themselves");

    // A transfer to another enterprise is the group admin's, and leaves an event.
    let r = send(&w, &e1a, Method::Patch, &path, json!({"unit_id": w.e2})).await;
    assert_eq!(r.status, Status::Forbidden);
    let r = send(&w, &ga, Method::Patch, &path, json!({"unit_id": w.e2})).await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    assert_eq!(r.json()["unit_id"], w.e2);
    let r = send(&w, &e1a, Method::Patch, &path, json!({"name": "x"})).await;
    assert_eq!(
        r.status,
        Status::NotFound,
        "now in E2: invisible to E1's admin"
    );
    let events =
        w.t.app
            .store()
            .read(|tx| oanode::org::store::events_after(tx, 0, 100))
            .unwrap();
    assert!(events.iter().any(|(_, e)| matches!(e,
        oanode::org::model::OrgEvent::Transferred { user_id, to_unit, .. } if *user_id == id && *to_unit == w.e2)));

    // Disable, then enable again: sign-in works again with the same password.
    let r = send(
        &w,
        &e2a,
        Method::Post,
        &format!("{path}/disable"),
        json!({}),
    )
    .await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    assert_eq!(
        w.t.login("wangfang", &initial).await.status,
        Status::Forbidden
    );
    let r = send(&w, &e1a, Method::Post, &format!("{path}/enable"), json!({})).await;
    assert_eq!(r.status, Status::NotFound);
    let r = send(&w, &e2a, Method::Post, &format!("{path}/enable"), json!({})).await;
    assert_eq!(r.json()["status"], "active");
    assert_eq!(w.t.login("wangfang", &initial).await.status, Status::Ok);

    let r =
        w.t.call(
            &ga,
            Method::Get,
            "/api/v1/audit?user=wangfang&action=org.user",
            None,
        )
        .await;
    let n = r.json()["items"].as_array().unwrap().len();
    assert!(n >= 5, "create, update ×2, disable, enable: {}", r.body);
}

#[rocket::async_test]
async fn nobody_grants_wider_than_their_own() {
    let w = World::standard().await;
    let ga = w.t.agent("gadmin", PW).await;
    let e1a = w.t.agent("e1admin", PW).await;
    let e2a = w.t.agent("e2admin", PW).await;
    let grant =
        |user: u64, role: &str, unit: u64| json!({"user_id": user, "role": role, "unit_id": unit});

    // Within their enterprise, an enterprise admin may make another enterprise admin...
    let r = send(
        &w,
        &e1a,
        Method::Post,
        "/api/v1/grants",
        grant(w.bob, "enterprise_admin", w.e1_dept),
    )
    .await;
    assert_eq!(r.status, Status::Created, "{}", r.body);
    let gid = r.json()["id"].as_u64().unwrap();
    assert_eq!(r.json()["login"], "bob");
    // ...but not a group admin, nor a publisher (they don't publish news themselves), nor
    // anything in another enterprise, nor for someone of another enterprise.
    for (body, want) in [
        (grant(w.bob, "group_admin", w.e1), Status::Forbidden),
        (grant(w.bob, "news_publisher", w.e1), Status::Forbidden),
        (grant(w.bob, "enterprise_admin", w.e2), Status::Forbidden),
        (
            grant(w.e2_admin, "enterprise_admin", w.e1),
            Status::NotFound,
        ),
        (grant(w.bob, "pope", w.e1), Status::BadRequest),
    ] {
        let r = send(&w, &e1a, Method::Post, "/api/v1/grants", body.clone()).await;
        assert_eq!(r.status, want, "{body}: {}", r.body);
    }
    let r = send(
        &w,
        &e1a,
        Method::Post,
        "/api/v1/grants",
        grant(w.bob, "enterprise_admin", w.e1_dept),
    )
    .await;
    assert_eq!(r.status, Status::Conflict, "granted twice");

    // A disabled account is given nothing.
    let r = send(
        &w,
        &e1a,
        Method::Post,
        &format!("/api/v1/users/{}/disable", w.alice),
        json!({}),
    )
    .await;
    assert_eq!(r.status, Status::Ok);
    let r = send(
        &w,
        &e1a,
        Method::Post,
        "/api/v1/grants",
        grant(w.alice, "enterprise_admin", w.e1),
    )
    .await;
    assert_eq!(r.status, Status::BadRequest, "{}", r.body);
    assert_eq!(field(&r, "user_id"), "该账号已停用，不能授权。");
    let r = send(
        &w,
        &e1a,
        Method::Post,
        &format!("/api/v1/users/{}/enable", w.alice),
        json!({}),
    )
    .await;
    assert_eq!(r.status, Status::Ok);

    // The grant takes effect at once: bob now manages people in his department.
    let bob = w.t.agent("bob", PW).await;
    let r = send(
        &w,
        &bob,
        Method::Patch,
        &format!("/api/v1/users/{}", w.alice),
        json!({"mobile": "13900001111"}),
    )
    .await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);

    // A group admin grants what an enterprise admin cannot.
    let r = send(
        &w,
        &ga,
        Method::Post,
        "/api/v1/grants",
        grant(w.alice, "news_publisher", w.e1),
    )
    .await;
    assert_eq!(r.status, Status::Created);
    let news = r.json()["id"].as_u64().unwrap();

    // Lists show what the caller administers.
    let r = w.t.call(&e1a, Method::Get, "/api/v1/grants", None).await;
    let roles: Vec<String> = r.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            format!(
                "{}:{}",
                g["login"].as_str().unwrap(),
                g["role"].as_str().unwrap()
            )
        })
        .collect();
    assert!(
        roles.contains(&"bob:enterprise_admin".to_string()),
        "{roles:?}"
    );
    assert!(
        !roles.contains(&"e2admin:enterprise_admin".to_string()),
        "{roles:?}"
    );
    let alice = w.t.agent("alice", PW).await;
    let r = w.t.call(&alice, Method::Get, "/api/v1/grants", None).await;
    assert_eq!(r.status, Status::Forbidden);

    // Taking back: not wider than one's own, not one's own, not another enterprise's.
    let r =
        w.t.call(
            &e1a,
            Method::Delete,
            &format!("/api/v1/grants/{news}"),
            None,
        )
        .await;
    assert_eq!(r.status, Status::Forbidden);
    let own =
        w.t.call(
            &e2a,
            Method::Get,
            &format!("/api/v1/grants?user_id={}", w.e2_admin),
            None,
        )
        .await;
    let own_id = own.json()["items"][0]["id"].as_u64().unwrap();
    let r =
        w.t.call(
            &e2a,
            Method::Delete,
            &format!("/api/v1/grants/{own_id}"),
            None,
        )
        .await;
    assert_eq!(r.status, Status::Conflict);
    let r =
        w.t.call(
            &e1a,
            Method::Delete,
            &format!("/api/v1/grants/{own_id}"),
            None,
        )
        .await;
    assert_eq!(r.status, Status::NotFound);
    let r =
        w.t.call(&e1a, Method::Delete, &format!("/api/v1/grants/{gid}"), None)
            .await;
    assert_eq!(r.status, Status::NoContent);
    let r = send(
        &w,
        &bob,
        Method::Patch,
        &format!("/api/v1/users/{}", w.alice),
        json!({"mobile": null}),
    )
    .await;
    assert_eq!(r.status, Status::Forbidden, "the role is gone at once");

    let r =
        w.t.call(&ga, Method::Get, "/api/v1/audit?action=org.grant", None)
            .await;
    assert_eq!(r.json()["items"].as_array().unwrap().len(), 3, "{}", r.body);
}
