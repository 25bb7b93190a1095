//! 系统管理, 个人设置 and their forms as a browser uses them: a session cookie, the CSRF field,
//! redirects and re-rendered forms with their reasons.

use rocket::http::{Method, Status};

use crate::common::{Agent, PW, Resp, SESSION, World, page, post};

fn secret_of(r: &Resp) -> String {
    let start = r.body.find(r#"<code id="secret">"#).expect("secret shown") + 18;
    r.body[start..].chars().take_while(|c| *c != '<').collect()
}

#[rocket::async_test]
async fn administration_pages_follow_each_admins_reach() {
    let w = World::standard().await;
    let e1a = w.t.agent("e1admin", PW).await;
    let alice = w.t.agent("alice", PW).await;

    // The 系统管理 entry is there for administrators only, and its pages refuse the others.
    assert!(page(&w, &e1a, "/").await.body.contains(r#"href="/admin""#));
    let home = page(&w, &alice, "/").await;
    assert!(!home.body.contains(r#"href="/admin""#));
    assert!(
        home.body.contains(r#"href="/directory""#) && home.body.contains(r#"href="/settings""#)
    );
    for path in ["/admin", "/admin/users", "/admin/units", "/admin/audit"] {
        assert_eq!(
            page(&w, &alice, path).await.status,
            Status::Forbidden,
            "{path}"
        );
    }
    let overview = page(&w, &e1a, "/admin").await;
    assert!(overview.body.contains("/admin/users") && overview.body.contains("/admin/audit"));
    assert!(
        !overview.body.contains("/admin/tokens"),
        "tokens are the group admin's"
    );
    assert_eq!(
        page(&w, &e1a, "/admin/tokens").await.status,
        Status::Forbidden
    );
    assert_eq!(page(&w, &e1a, "/admin/ehr").await.status, Status::Forbidden);

    // People: the list holds the enterprise's people; another enterprise's admin is not found.
    let list = page(&w, &e1a, "/admin/users").await;
    assert_eq!(list.status, Status::Ok);
    assert!(list.body.contains("alice") && !list.body.contains("e2admin"));
    let other = page(&w, &e1a, &format!("/admin/users/{}", w.e2_admin)).await;
    assert_eq!(other.status, Status::NotFound);

    // Create through the form: the initial password is shown once and works.
    let form = format!(
        "login=zhaolei&name=%E8%B5%B5%E7%A3%8A&unit_id={}&manager=alice&mobile=13800001111&email=&employee_no=&ad_login=&position_id=",
        w.e1_dept
    );
    let r = post(&w, &e1a, "/admin/users", &form, true).await;
    assert_eq!(
        r.status,
        Status::Forbidden,
        "a forged CSRF token changes nothing"
    );
    let r = post(
        &w,
        &e1a,
        "/admin/users",
        &form.replace("13800001111", "abc"),
        false,
    )
    .await;
    assert_eq!(r.status, Status::BadRequest);
    assert!(r.body.contains("手机号码格式不正确"), "{}", r.body);
    assert_eq!(
        w.t.login("zhaolei", "x").await.status,
        Status::Unauthorized,
        "not created"
    );
    let r = post(&w, &e1a, "/admin/users", &form, false).await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    let initial = secret_of(&r);
    let login = w.t.login("zhaolei", &initial).await;
    assert_eq!(login.json()["must_change_password"], true);
    let name = &login.json()["user"]["name"];
    assert_eq!(name, "赵磊", "the form's percent-encoding is decoded");
    let id = login.json()["user"]["id"].as_u64().unwrap();

    // Edit, disable, enable, reset, grant, take back.
    let path = format!("/admin/users/{id}");
    let edit = form
        .replace("login=zhaolei&", "")
        .replace("%E7%A3%8A", "%E7%A3%8A%E7%A3%8A");
    let r = post(&w, &e1a, &path, &edit, false).await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    assert!(page(&w, &e1a, &path).await.body.contains("赵磊磊"));
    let r = post(&w, &e1a, &format!("{path}/disable"), "", false).await;
    assert_eq!(r.status, Status::SeeOther);
    assert_eq!(
        w.t.login("zhaolei", &initial).await.status,
        Status::Forbidden
    );
    let shown = page(&w, &e1a, &format!("{path}?done=disabled")).await;
    assert!(shown.body.contains("已停用") && shown.body.contains(r#"id="enable-user""#));
    post(&w, &e1a, &format!("{path}/enable"), "", false).await;
    let r = post(&w, &e1a, &format!("{path}/reset-password"), "", false).await;
    let fresh = secret_of(&r);
    assert_ne!(fresh, initial);
    assert_eq!(
        w.t.login("zhaolei", &initial).await.status,
        Status::Unauthorized
    );
    assert_eq!(w.t.login("zhaolei", &fresh).await.status, Status::Ok);
    let r = post(
        &w,
        &e1a,
        &format!("{path}/grants"),
        &format!("role=enterprise_admin&unit_id={}", w.e1_dept),
        false,
    )
    .await;
    assert_eq!(r.status, Status::SeeOther);
    let shown = page(&w, &e1a, &path).await;
    assert!(
        shown.body.contains("企业系统管理员 @ 综合办公室"),
        "{}",
        shown.body
    );
    let r = post(
        &w,
        &e1a,
        &format!("{path}/grants"),
        &format!("role=group_admin&unit_id={}", w.e1),
        false,
    )
    .await;
    assert_eq!(r.status, Status::Forbidden, "wider than one's own");
    let gid =
        w.t.call(
            &e1a,
            Method::Get,
            &format!("/api/v1/grants?user_id={id}"),
            None,
        )
        .await
        .json()["items"][0]["id"]
            .as_u64()
            .unwrap();
    let r = post(&w, &e1a, &format!("{path}/grants/{gid}/delete"), "", false).await;
    assert_eq!(r.status, Status::SeeOther);
    assert!(
        page(&w, &e1a, &path)
            .await
            .body
            .contains("尚未授予任何角色")
    );

    // Units: add a department under the enterprise; the group's enterprises stay read-only.
    let r = post(
        &w,
        &e1a,
        "/admin/units",
        &format!(
            "code=E1-QA&name=质量部&kind=department&parent_id={}&order=2&head=",
            w.e1
        ),
        false,
    )
    .await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    let units = page(&w, &e1a, "/admin/units").await;
    assert!(units.body.contains("质量部"));
    assert!(
        !units.body.contains(&format!("/admin/units/{}\"", w.e2)),
        "no edit link outside"
    );
    let r = post(
        &w,
        &e1a,
        "/admin/units",
        &format!(
            "code=E1-QA&name=重复&kind=department&parent_id={}&head=",
            w.e1
        ),
        false,
    )
    .await;
    assert_eq!(r.status, Status::BadRequest);
    assert!(r.body.contains("编码已被使用"));
    let r = post(
        &w,
        &e1a,
        "/admin/positions",
        &format!("code=E1-ENG&name=工程师&unit_id={}&parent_id=", w.e1),
        false,
    )
    .await;
    assert_eq!(r.status, Status::SeeOther);
    assert!(
        page(&w, &e1a, "/admin/positions")
            .await
            .body
            .contains("工程师")
    );

    // The audit page lists what happened, filtered; a bad date is explained.
    let audit = page(&w, &e1a, "/admin/audit?user=zhaolei&action=org.user.").await;
    assert_eq!(audit.status, Status::Ok);
    assert!(
        audit.body.contains("新建人员") && audit.body.contains("停用账号"),
        "{}",
        audit.body
    );
    let bad = page(&w, &e1a, "/admin/audit?from=2026-13-01").await;
    assert_eq!(bad.status, Status::BadRequest);
    assert!(bad.body.contains("日期格式应为"));
}

#[rocket::async_test]
async fn group_admin_reads_ehr_reports_and_makes_tokens() {
    let w = World::standard().await;
    let ga = w.t.agent("gadmin", PW).await;
    let e1a = w.t.agent("e1admin", PW).await;
    let snap = r#"{"mode": "delta", "units": [{"code": "E1-NEW", "name": "新设部门", "kind": "department", "parent": "E1"}],
      "people": [{"employee_no": "9001", "name": "新员工", "login": "xinyuangong", "unit": "E1-NEW", "status": "active"},
                 {"employee_no": "9002", "name": "坏行", "login": "x y", "unit": "E1-NEW", "status": "active"}]}"#;
    let r =
        w.t.call(&ga, Method::Post, "/api/v1/ehr/sync", Some(snap))
            .await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);

    let list =
        w.t.call(&ga, Method::Get, "/api/v1/ehr/reports", None)
            .await;
    assert_eq!(list.status, Status::Ok);
    let id = list.json()["items"][0]["id"].as_u64().unwrap();
    assert_eq!(list.json()["items"][0]["counts"]["people_created"], 1);
    let one =
        w.t.call(
            &ga,
            Method::Get,
            &format!("/api/v1/ehr/reports/{id}?action=rejected"),
            None,
        )
        .await;
    let lines = one.json()["lines"].as_array().unwrap().clone();
    assert_eq!(lines.len(), 1, "{}", one.body);
    assert_eq!(lines[0]["key"], "9002");
    assert_eq!(
        w.t.call(&e1a, Method::Get, "/api/v1/ehr/reports", None)
            .await
            .status,
        Status::Forbidden
    );
    assert_eq!(
        w.t.call(&ga, Method::Get, "/api/v1/ehr/reports/999", None)
            .await
            .status,
        Status::NotFound
    );

    let pg = page(&w, &ga, "/admin/ehr").await;
    assert!(pg.body.contains(&format!("/admin/ehr/{id}")));
    let pg = page(&w, &ga, &format!("/admin/ehr/{id}?action=rejected")).await;
    assert_eq!(pg.status, Status::Ok);
    assert!(
        pg.body.contains("9002") && !pg.body.contains("<code>9001</code>"),
        "{}",
        pg.body
    );

    // Tokens: made on the page, shown once, listed without the secret, revoked.
    let r = post(
        &w,
        &ga,
        "/admin/tokens",
        "name=eHR每晚同步&scope=ehr_sync&days=30",
        false,
    )
    .await;
    assert_eq!(r.status, Status::Ok);
    let secret = secret_of(&r);
    assert!(secret.starts_with("oat_"));
    let listed = page(&w, &ga, "/admin/tokens").await;
    assert!(listed.body.contains("eHR每晚同步") && !listed.body.contains(&secret));
    let sync = Agent {
        user_id: w.group_admin,
        login: "ehr".into(),
        token: secret,
    };
    assert_eq!(
        w.t.call(&sync, Method::Get, "/api/v1/ehr/reports", None)
            .await
            .status,
        Status::Ok
    );
    let r = post(&w, &ga, "/admin/tokens", "name=&scope=read&days=0", false).await;
    assert_eq!(r.status, Status::BadRequest);
    assert!(r.body.contains("有效期须在 1 到 3650 天之间"));
    let tid =
        w.t.call(&ga, Method::Get, "/api/v1/tokens", None)
            .await
            .json()["items"][0]["id"]
            .as_u64()
            .unwrap();
    post(&w, &ga, &format!("/admin/tokens/{tid}/delete"), "", false).await;
    assert_eq!(
        w.t.call(&sync, Method::Get, "/api/v1/ehr/reports", None)
            .await
            .status,
        Status::Unauthorized
    );
}

#[rocket::async_test]
async fn settings_keep_profile_show_the_rule_and_end_sessions() {
    let w = World::standard().await;
    let alice = w.t.agent("alice", PW).await;
    let phone = w.t.agent("alice", PW).await; // a second device

    let s = page(&w, &alice, "/settings").await;
    assert_eq!(s.status, Status::Ok);
    assert!(
        s.body.contains("至少 6 个字符") && s.body.contains("须包含数字"),
        "the configured rule"
    );
    assert_eq!(s.body.matches("class=\"session-row\"").count(), 2);
    assert!(s.body.contains("本机"));

    let r = post(
        &w,
        &alice,
        "/settings/profile",
        "mobile=13911112222&email=bad",
        false,
    )
    .await;
    assert_eq!(r.status, Status::BadRequest);
    assert!(r.body.contains("电子邮箱格式不正确"));
    let r = post(
        &w,
        &alice,
        "/settings/profile",
        "mobile=%2B86+139-1111-2222&email=alice%40example.cn",
        false,
    )
    .await;
    assert_eq!(r.status, Status::SeeOther);
    let p =
        w.t.call(&alice, Method::Get, "/api/v1/me/profile", None)
            .await
            .json();
    assert_eq!(p["mobile"], "+86 139-1111-2222", "`+` is a space");
    assert_eq!(p["email"], "alice@example.cn");
    let r = post(&w, &alice, "/settings/profile", "mobile=&email=", true).await;
    assert_eq!(r.status, Status::Forbidden);

    // Ending the other device signs it out; this one stays.
    let sessions =
        w.t.call(&alice, Method::Get, "/api/v1/me/sessions", None)
            .await
            .json();
    let other = sessions["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["current"] == false)
        .unwrap()["id"]
        .as_u64()
        .unwrap();
    let r = post(
        &w,
        &alice,
        &format!("/settings/sessions/{other}/delete"),
        "",
        false,
    )
    .await;
    assert_eq!(r.status, Status::SeeOther);
    assert_eq!(
        w.t.call(&phone, Method::Get, "/api/v1/me", None)
            .await
            .status,
        Status::Unauthorized
    );
    assert_eq!(
        w.t.call(&alice, Method::Get, "/api/v1/me", None)
            .await
            .status,
        Status::Ok
    );

    // English on request.
    let en =
        w.t.get_cookie(
            "/settings",
            (SESSION, &alice.token),
            &[("Accept-Language", "en")],
        )
        .await;
    assert!(en.body.contains("At least 6 characters"));
}
