//! The directory (通讯录): search by name, login, pinyin and initials; the person card; the pages;
//! who sees a disabled account; and the index following a profile change.

use rocket::http::{Method, Status};

use crate::common::{Agent, TestApp};

const DEMO_PW: &str = "Demo2026";

async fn demo() -> TestApp {
    TestApp::demo().await
}

fn logins(v: &serde_json::Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["login"].as_str().unwrap().to_string())
        .collect()
}

async fn get(t: &TestApp, who: &Agent, path: &str) -> crate::common::Resp {
    t.call(who, Method::Get, path, None).await
}

/// The id of the demo unit with `code`.
async fn unit_id(t: &TestApp, who: &Agent, code: &str) -> u64 {
    let v = get(t, who, "/api/v1/units").await.json();
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["code"] == code)
        .and_then(|u| u["id"].as_u64())
        .unwrap_or_else(|| panic!("no unit {code}"))
}

async fn user_id(t: &TestApp, who: &Agent, login: &str) -> u64 {
    let v = get(t, who, &format!("/api/v1/users?q={login}"))
        .await
        .json();
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["login"] == login)
        .and_then(|u| u["id"].as_u64())
        .unwrap_or_else(|| panic!("no user {login}"))
}

fn bearer(who: &Agent) -> String {
    format!("Bearer {}", who.token)
}

#[rocket::async_test]
async fn zhang_wei_is_found_by_name_login_pinyin_and_initials() {
    let t = demo().await;
    let liu = t.agent("liuyang", DEMO_PW).await;
    for q in ["zhangwei", "zw", "%E5%BC%A0", "ZhangWei", "zhang%20wei"] {
        let r = get(&t, &liu, &format!("/api/v1/users?q={q}")).await;
        assert_eq!(r.status, Status::Ok, "{q}: {}", r.body);
        let v = r.json();
        assert_eq!(
            logins(&v).first().map(String::as_str),
            Some("zhangwei"),
            "{q}"
        );
        assert_eq!(v["items"][0]["name"], "张伟");
        assert_eq!(v["items"][0]["unit_name"], "信息管理部");
        assert_eq!(v["items"][0]["position"], "信息管理部部长");
        assert_eq!(v["truncated"], false);
    }
    // Best matches first: an exact initials match before a pinyin that merely contains it.
    let v = get(&t, &liu, "/api/v1/users?q=wei").await.json();
    assert!(
        logins(&v).contains(&"zhangwei".to_string()),
        "a pinyin part"
    );

    // Within a unit subtree.
    let it = unit_id(&t, &liu, "G-IT").await;
    let e1 = unit_id(&t, &liu, "E1").await;
    let v = get(&t, &liu, &format!("/api/v1/users?unit_id={it}"))
        .await
        .json();
    let mut got = logins(&v);
    got.sort();
    assert_eq!(got, vec!["chenjing", "liuyang", "zhangwei"]);
    let v = get(&t, &liu, &format!("/api/v1/users?q=zw&unit_id={e1}"))
        .await
        .json();
    assert!(logins(&v).is_empty(), "张伟 is not in the energy company");
    let v = get(&t, &liu, &format!("/api/v1/users?unit_id={e1}"))
        .await
        .json();
    assert_eq!(logins(&v).len(), 10, "the enterprise and its departments");
    let r = get(&t, &liu, "/api/v1/users?q=nobody-by-that-name").await;
    assert_eq!(r.status, Status::Ok);
    assert!(logins(&r.json()).is_empty());
}

#[rocket::async_test]
async fn the_card_shows_unit_path_position_manager_contacts_and_reports() {
    let t = demo().await;
    let liu = t.agent("liuyang", DEMO_PW).await;
    let zw = user_id(&t, &liu, "zhangwei").await;
    let r = get(&t, &liu, &format!("/api/v1/users/{zw}")).await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    let c = r.json();
    assert_eq!(c["id"], zw);
    assert_eq!(c["login"], "zhangwei");
    assert_eq!(c["name"], "张伟");
    assert_eq!(
        c["unit_path"],
        serde_json::json!(["示例集团", "信息管理部"])
    );
    assert_eq!(c["position"], "信息管理部部长");
    assert_eq!(c["manager"]["name"], "李明");
    assert!(c["manager"]["id"].as_u64().is_some());
    assert_eq!(c["mobile"], "13800010003");
    assert_eq!(c["email"], "zhangwei@example.com");
    assert_eq!(c["status"], "active");
    let reports: Vec<&str> = c["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(reports, vec!["陈静", "刘洋"], "in pinyin order");

    // The chairman has no manager.
    let boss = user_id(&t, &liu, "wangjianguo").await;
    let c = get(&t, &liu, &format!("/api/v1/users/{boss}")).await.json();
    assert!(c["manager"].is_null());
    assert_eq!(c["unit_path"], serde_json::json!(["示例集团"]));

    let r = get(&t, &liu, "/api/v1/users/999999").await;
    assert_eq!(r.status, Status::NotFound);
    assert_eq!(r.json()["error"]["code"], "not_found");
    assert_eq!(
        t.get(&format!("/api/v1/users/{zw}")).await.status,
        Status::Unauthorized
    );
    assert_eq!(
        t.get("/api/v1/users?q=zw").await.status,
        Status::Unauthorized
    );
    let doc = t.get("/api/v1/openapi.json").await.json();
    assert!(
        doc["paths"]["/api/v1/users/{id}"]["get"].is_object(),
        "the card is in the OpenAPI document"
    );
}

#[rocket::async_test]
async fn a_disabled_person_is_hidden_from_colleagues_but_not_from_their_enterprise_admin() {
    let t = demo().await;
    let song = t.agent("songjia", DEMO_PW).await; // enterprise admin of E1
    let liang = t.agent("liangchen", DEMO_PW).await; // xiedong's manager, same office
    let deng = t.agent("dengjie", DEMO_PW).await; // enterprise admin of E2
    let xie = user_id(&t, &liang, "xiedong").await;
    // Build the index before the change, so that what follows proves it is refreshed.
    assert_eq!(
        logins(&get(&t, &liang, "/api/v1/users?q=xd").await.json()),
        vec!["xiedong"]
    );

    let r = t
        .call(
            &song,
            Method::Post,
            &format!("/api/v1/users/{xie}/disable"),
            None,
        )
        .await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);

    for who in [&liang, &deng] {
        let v = get(&t, who, "/api/v1/users?q=xiedong").await.json();
        assert!(
            logins(&v).is_empty(),
            "{} lists a disabled account",
            who.login
        );
        let r = get(&t, who, &format!("/api/v1/users/{xie}")).await;
        assert_eq!(r.status, Status::NotFound, "{} reads its card", who.login);
    }
    let c = get(&t, &liang, &format!("/api/v1/users/{}", liang.user_id))
        .await
        .json();
    assert!(
        c["reports"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["id"] != xie),
        "nor among a manager's reports"
    );
    let v = get(&t, &song, "/api/v1/users?q=xiedong").await.json();
    assert_eq!(logins(&v), vec!["xiedong"]);
    assert_eq!(v["items"][0]["status"], "disabled");
    let r = get(&t, &song, &format!("/api/v1/users/{xie}")).await;
    assert_eq!(r.status, Status::Ok);
    assert_eq!(r.json()["status"], "disabled");
    let page = t
        .get_with(
            &format!("/directory/people/{xie}"),
            &[("Authorization", &bearer(&song))],
        )
        .await;
    assert_eq!(page.status, Status::Ok);
    assert!(page.body.contains("已停用"), "the page marks the account");
}

#[rocket::async_test]
async fn the_card_follows_a_profile_change() {
    let t = demo().await;
    let liu = t.agent("liuyang", DEMO_PW).await;
    let zw = t.agent("zhangwei", DEMO_PW).await;
    let path = format!("/api/v1/users/{}", zw.user_id);
    assert_eq!(get(&t, &liu, &path).await.json()["mobile"], "13800010003");

    let body = r#"{"mobile": "139-0000-1234", "email": "zw@example.cn"}"#;
    let r = t
        .call(&zw, Method::Patch, "/api/v1/me/profile", Some(body))
        .await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);

    let c = get(&t, &liu, &path).await.json();
    assert_eq!(c["mobile"], "139-0000-1234", "the index was rebuilt");
    assert_eq!(c["email"], "zw@example.cn");
    let page = t
        .get_with(
            &format!("/directory/people/{}", zw.user_id),
            &[("Authorization", &bearer(&liu))],
        )
        .await;
    assert!(
        page.body.contains(r#"href="tel:139-0000-1234""#),
        "{}",
        page.body
    );
}

#[rocket::async_test]
async fn the_pages_show_the_tree_the_people_and_the_card() {
    let t = demo().await;
    let liu = t.agent("liuyang", DEMO_PW).await;
    let auth = bearer(&liu);
    let h = [("Authorization", auth.as_str())];

    // Browsing starts at one's own unit, in the tree of the whole group.
    let r = t.get_with("/directory", &h).await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    assert!(r.body.contains(r#"<h1 id="page-title">通讯录</h1>"#));
    assert!(
        r.body.contains("示例能源有限公司"),
        "the tree holds the enterprises"
    );
    assert!(
        r.body.contains("张伟") && r.body.contains("陈静"),
        "colleagues of G-IT"
    );
    assert!(!r.body.contains("宋佳"), "not the energy company's people");
    assert!(
        r.body.contains(r#"aria-current="page">信息管理部"#),
        "own unit highlighted"
    );
    assert!(r.body.contains("共 3 人"));

    // A search (a plain GET form) finds by initials across the group.
    let r = t.get_with("/directory?q=zw", &h).await;
    assert!(r.body.contains(r#"value="zw""#), "the box keeps the text");
    assert!(r.body.contains(">张伟</a>"));
    assert!(r.body.contains(r#"href="tel:13800010003""#));
    assert!(r.body.contains(r#"href="mailto:zhangwei@example.com""#));
    let r = t
        .get_with("/directory?q=%E6%97%A0%E6%AD%A4%E4%BA%BA", &h)
        .await;
    assert!(
        r.body.contains("没有找到匹配的人员。"),
        "an empty result says what to try"
    );
    assert!(r.body.contains("zhangwei"), "with examples");

    // htmx asks for the list alone.
    let r = t
        .get_with(
            "/directory?q=zhangwei",
            &[
                ("Authorization", auth.as_str()),
                ("HX-Request", "true"),
                ("HX-Target", "people"),
            ],
        )
        .await;
    assert_eq!(r.status, Status::Ok);
    assert!(
        r.body.contains("张伟") && !r.body.contains("<html"),
        "{}",
        r.body
    );
    let r = t
        .get_with(
            "/directory?q=zhangwei",
            &[
                ("Authorization", auth.as_str()),
                ("HX-Request", "true"),
                ("HX-Target", "people"),
                ("HX-History-Restore-Request", "true"),
            ],
        )
        .await;
    assert!(
        r.body.contains("<html"),
        "a history restore gets the whole page"
    );

    // A unit's subtree.
    let e1 = unit_id(&t, &liu, "E1").await;
    let r = t.get_with(&format!("/directory?unit={e1}"), &h).await;
    assert!(r.body.contains("宋佳") && !r.body.contains(">张伟<"));
    assert_eq!(
        t.get_with("/directory?unit=999999", &h).await.status,
        Status::NotFound
    );

    // The card: manager linked, reports listed.
    let zw = user_id(&t, &liu, "zhangwei").await;
    let r = t.get_with(&format!("/directory/people/{zw}"), &h).await;
    assert_eq!(r.status, Status::Ok);
    assert!(r.body.contains(r#"<h1 id="page-title">张伟"#));
    assert!(r.body.contains("信息管理部部长"));
    assert!(r.body.contains(">李明</a>"), "the manager, linked");
    assert!(
        r.body
            .contains(&format!(r#"href="/directory/people/{}""#, liu.user_id)),
        "reports"
    );
    assert_eq!(
        t.get_with("/directory/people/999999", &h).await.status,
        Status::NotFound
    );

    // English.
    let r = t
        .get_cookie(
            "/directory",
            ("lang", "en"),
            &[("Authorization", auth.as_str())],
        )
        .await;
    assert!(r.body.contains(r#"<h1 id="page-title">Directory</h1>"#));
    assert!(r.body.contains("3 people"));

    // Signed out: sent to sign in, and back here afterwards.
    for path in ["/directory?q=zw", &format!("/directory/people/{zw}")] {
        let r = t.get(path).await;
        assert_eq!(r.status, Status::SeeOther, "{path}");
        let to = r.header("Location").unwrap();
        assert!(to.starts_with("/login?next=/directory"), "{to}");
    }
}
