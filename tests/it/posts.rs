//! Posts through the API and the pages, as a group's publishers and readers use them: who may
//! publish what to whom, audiences in lists and in search, regulations replaced by new versions,
//! scheduled publishing on the settable clock, reading and acknowledging, and refusals.

use rocket::http::{Method, Status};
use serde_json::{Value, json};

use crate::common::{Agent, PW, Resp, T0, World, docx, enc, page, post};

const HOUR: i64 = 3_600_000;

/// The standard world plus the group's brand department (news), the audit committee
/// (regulations for the group), E1's own regulation publisher, E1-OFF's notice publishers, a
/// second department in E1 and an ordinary person in E2.
struct Posts {
    w: World,
    brand: u64,
    e1_fin: u64,
    frank: u64,
    eve: u64,
}

impl Posts {
    async fn new() -> Posts {
        use oanode::org::model::UnitKind::Department;
        let w = World::standard().await;
        let t = &w.t;
        let brand = t.add_unit("G-BRAND", "品牌文化部", Department, Some(w.group));
        let audit = t.add_unit("G-AUDIT", "审计委员会", Department, Some(w.group));
        let e1_fin = t.add_unit("E1-FIN", "财务部", Department, Some(w.e1));
        t.add_user("brand", brand, PW, &[("news_publisher", brand)]);
        t.add_user("auditor", audit, PW, &[("regulation_publisher", w.group)]);
        t.add_user("e1reg", w.e1_dept, PW, &[("regulation_publisher", w.e1)]);
        t.add_user(
            "e1notice",
            w.e1_dept,
            PW,
            &[("notice_publisher", w.e1_dept)],
        );
        t.add_user(
            "e1notice2",
            w.e1_dept,
            PW,
            &[("notice_publisher", w.e1_dept)],
        );
        let frank = t.add_user("frank", e1_fin, PW, &[]);
        let eve = t.add_user("eve", w.e2, PW, &[]);
        Posts {
            w,
            brand,
            e1_fin,
            frank,
            eve,
        }
    }

    async fn agent(&self, login: &str) -> Agent {
        self.w.t.agent(login, PW).await
    }

    async fn call(&self, a: &Agent, m: Method, path: &str, body: Option<Value>) -> Resp {
        let body = body.map(|b| b.to_string());
        self.w.t.call(a, m, path, body.as_deref()).await
    }

    async fn create(&self, a: &Agent, body: Value) -> Resp {
        self.call(a, Method::Post, "/api/v1/posts", Some(body))
            .await
    }

    /// Creates and publishes a minute after the last one; returns the id.
    async fn publish(&self, a: &Agent, mut body: Value) -> u64 {
        self.w.t.clock.advance(60_000);
        body["publish"] = json!(true);
        let r = self.create(a, body).await;
        assert_eq!(r.status, Status::Created, "{}", r.body);
        r.json()["id"].as_u64().unwrap()
    }

    async fn get(&self, a: &Agent, id: u64) -> Resp {
        self.call(a, Method::Get, &format!("/api/v1/posts/{id}"), None)
            .await
    }

    async fn act(&self, a: &Agent, id: u64, what: &str, body: Option<Value>) -> Resp {
        let path = format!("/api/v1/posts/{id}/{what}");
        self.call(a, Method::Post, &path, body).await
    }

    /// The ids in `a`'s list for `query` (pinned ones first).
    async fn list(&self, a: &Agent, query: &str) -> Vec<u64> {
        let r = self
            .call(a, Method::Get, &format!("/api/v1/posts?{query}"), None)
            .await;
        assert_eq!(r.status, Status::Ok, "{}", r.body);
        let j = r.json();
        j["pinned"]
            .as_array()
            .unwrap()
            .iter()
            .chain(j["items"].as_array().unwrap())
            .map(|i| i["id"].as_u64().unwrap())
            .collect()
    }

    /// The ids of the posts `/api/v1/search` finds for `a` (after the index caught up).
    async fn search(&self, a: &Agent, text: &str) -> Vec<u64> {
        self.w.t.app.search().catch_up().unwrap();
        let path = enc(&format!("/api/v1/search?q={text}&limit=50"));
        let r = self.call(a, Method::Get, &path, None).await;
        assert_eq!(r.status, Status::Ok, "{}", r.body);
        r.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["url"].as_str().unwrap_or_default().starts_with("/posts/"))
            .map(|i| i["id"].as_u64().unwrap())
            .collect()
    }

    fn audit_actions(&self) -> Vec<String> {
        self.w
            .t
            .app
            .store()
            .read(|tx| oanode::store::audit::recent(tx, None, 200))
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect()
    }

    fn field(r: &Resp, name: &str) -> String {
        r.json()["error"]["fields"][name]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

fn notice(unit: u64) -> Value {
    json!({
        "kind": "notice",
        "title": "关于会议室预约规则调整的通知",
        "body_html": "<p>自下周起，会议室预约须提前一天在系统中提交。</p>",
        "audience": {"units": [unit]},
    })
}

#[rocket::async_test]
async fn each_kind_has_its_publishers_and_everyone_else_is_refused() {
    let p = Posts::new().await;
    let brand = p.agent("brand").await;
    let auditor = p.agent("auditor").await;
    let e1reg = p.agent("e1reg").await;
    let e1notice = p.agent("e1notice").await;
    let e1admin = p.agent("e1admin").await;
    let alice = p.agent("alice").await;
    let w = &p.w;

    // News and flash: the brand department, to anyone.
    let news = json!({"kind": "news", "title": "集团召开年度工作会议", "body_html": "<p>会议总结了全年工作。</p>", "audience": {"everyone": true}});
    let id = p.publish(&brand, news.clone()).await;
    let v = p.get(&brand, id).await.json();
    assert_eq!(v["state"], "published");
    assert_eq!(
        v["unit_id"], p.brand,
        "published for the publisher's department"
    );
    for who in [&alice, &e1notice, &auditor] {
        let r = p.create(who, news.clone()).await;
        assert_eq!(r.status, Status::Forbidden, "{}: {}", who.login, r.body);
    }
    let flash = json!({"kind": "flash", "title": "快讯：新系统上线", "body_html": "<p>上线</p>", "audience": {"everyone": true}});
    assert_eq!(
        p.create(&brand, flash.clone()).await.status,
        Status::Created
    );
    assert_eq!(p.create(&alice, flash).await.status, Status::Forbidden);

    // Notices: a department's notice publisher, within their enterprise; "everyone" means
    // everyone in it.
    let r = p.create(&e1notice, notice(w.e1_dept)).await;
    assert_eq!(r.status, Status::Created, "{}", r.body);
    let r = p.create(&e1notice, notice(w.e2)).await;
    assert_eq!(r.status, Status::BadRequest, "{}", r.body);
    assert_eq!(
        Posts::field(&r, "audience"),
        "发布范围超出了你所在企业（制度：超出了适用范围）。"
    );
    let r = p
        .create(&e1notice, json!({"kind": "notice", "title": "全员通知", "body_html": "<p>x</p>", "audience": {"users": [p.eve]}}))
        .await;
    assert_eq!(
        r.status,
        Status::BadRequest,
        "a person of another enterprise: {}",
        r.body
    );
    let r = p
        .create(&e1notice, json!({"kind": "notice", "title": "全员通知", "body_html": "<p>x</p>", "audience": {"everyone": true}}))
        .await;
    assert_eq!(r.status, Status::Created, "{}", r.body);
    assert_eq!(
        r.json()["audience"],
        json!({"everyone": false, "units": [w.e1], "users": []})
    );
    assert_eq!(
        p.create(&alice, notice(w.e1_dept)).await.status,
        Status::Forbidden
    );
    let r = p
        .create(&e1notice, json!({"kind": "notice", "title": "以他部门名义", "unit_id": p.e1_fin, "audience": {"units": [w.e1]}}))
        .await;
    assert_eq!(r.status, Status::BadRequest, "{}", r.body);
    assert!(Posts::field(&r, "unit_id").contains("不能以这个部门"));

    // Regulations: the audit committee for headquarters (the group), an enterprise's own
    // publisher for that enterprise only.
    let reg = |scope: u64| json!({"kind": "regulation", "title": "合同管理办法", "body_html": "<p>第一条</p>", "number": "ZD-001", "category": "法务", "scope_unit_id": scope});
    let r = p.create(&auditor, reg(w.group)).await;
    assert_eq!(r.status, Status::Created, "{}", r.body);
    let r = p.create(&auditor, reg(w.e1)).await;
    assert_eq!(
        r.status,
        Status::Created,
        "the group's publisher also serves members: {}",
        r.body
    );
    let r = p.create(&e1reg, reg(w.e1)).await;
    assert_eq!(r.status, Status::Created, "{}", r.body);
    for scope in [w.group, w.e2, w.e1_dept] {
        let r = p.create(&e1reg, reg(scope)).await;
        assert_eq!(r.status, Status::BadRequest, "scope {scope}: {}", r.body);
        assert!(Posts::field(&r, "scope_unit_id").contains("适用范围"));
    }
    assert_eq!(p.create(&alice, reg(w.e1)).await.status, Status::Forbidden);
    assert_eq!(
        p.create(&e1notice, reg(w.e1)).await.status,
        Status::Forbidden
    );

    // Resources: administrators and publishers.
    let res = json!({"kind": "resource", "title": "常用表格下载", "body_html": "<p>报销单</p>", "audience": {"units": [w.e1]}});
    assert_eq!(
        p.create(&e1admin, res.clone()).await.status,
        Status::Created
    );
    assert_eq!(
        p.create(&e1notice, res.clone()).await.status,
        Status::Created
    );
    assert_eq!(p.create(&alice, res).await.status, Status::Forbidden);
}

#[rocket::async_test]
async fn a_colleague_edits_and_withdraws_outsiders_cannot_and_both_are_audited() {
    let p = Posts::new().await;
    let e1notice = p.agent("e1notice").await;
    let colleague = p.agent("e1notice2").await;
    let alice = p.agent("alice").await;
    let eve = p.agent("eve").await;
    let id = p.publish(&e1notice, notice(p.w.e1_dept)).await;

    let change = json!({"title": "关于会议室预约规则调整的通知（修订）"});
    let r = p
        .call(
            &colleague,
            Method::Patch,
            &format!("/api/v1/posts/{id}"),
            Some(change.clone()),
        )
        .await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    assert_eq!(r.json()["title"], "关于会议室预约规则调整的通知（修订）");
    let r = p
        .call(
            &alice,
            Method::Patch,
            &format!("/api/v1/posts/{id}"),
            Some(change.clone()),
        )
        .await;
    assert_eq!(r.status, Status::Forbidden, "a reader: {}", r.body);
    let r = p
        .call(
            &eve,
            Method::Patch,
            &format!("/api/v1/posts/{id}"),
            Some(change),
        )
        .await;
    assert_eq!(r.status, Status::NotFound, "an outsider: {}", r.body);
    assert_eq!(
        p.act(&alice, id, "withdraw", None).await.status,
        Status::Forbidden
    );
    assert_eq!(
        p.act(&eve, id, "withdraw", None).await.status,
        Status::NotFound
    );
    assert!(p.list(&alice, "kind=notice").await.contains(&id));

    let r = p
        .act(
            &colleague,
            id,
            "withdraw",
            Some(json!({"reason": "内容有误"})),
        )
        .await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    assert_eq!(r.json()["state"], "withdrawn");
    assert!(!p.list(&alice, "kind=notice").await.contains(&id));
    assert_eq!(
        p.get(&alice, id).await.status,
        Status::NotFound,
        "gone for readers"
    );
    assert_eq!(
        p.act(&colleague, id, "withdraw", None).await.status,
        Status::Conflict
    );
    let actions = p.audit_actions();
    for a in ["post.create", "post.publish", "post.edit", "post.withdraw"] {
        assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
    }
    assert!(
        p.search(&alice, "会议室").await.is_empty(),
        "withdrawn from search"
    );
}

#[rocket::async_test]
async fn a_notice_to_one_department_never_appears_for_another_in_lists_or_search() {
    let p = Posts::new().await;
    let e1notice = p.agent("e1notice").await;
    let alice = p.agent("alice").await;
    let frank = p.agent("frank").await;
    let eve = p.agent("eve").await;
    let brand = p.agent("brand").await;
    let id = p.publish(&e1notice, notice(p.w.e1_dept)).await;
    let named = p
        .publish(&e1notice, json!({"kind": "notice", "title": "财务部个别通知：会议室钥匙", "body_html": "<p>请领取会议室钥匙</p>", "audience": {"users": [p.frank]}}))
        .await;
    let all = p
        .publish(&brand, json!({"kind": "news", "title": "集团新闻：新会议室启用", "body_html": "<p>会议室</p>", "audience": {"everyone": true}}))
        .await;

    assert_eq!(p.list(&alice, "kind=notice").await, vec![id]);
    assert_eq!(p.list(&frank, "kind=notice").await, vec![named]);
    assert!(p.list(&eve, "kind=notice").await.is_empty());
    assert_eq!(p.list(&eve, "").await, vec![all]);
    assert_eq!(p.list(&alice, "").await, vec![all, id]);
    assert_eq!(p.get(&frank, id).await.status, Status::NotFound);
    assert_eq!(p.get(&eve, named).await.status, Status::NotFound);
    assert_eq!(
        p.act(&frank, id, "read", None).await.status,
        Status::NotFound
    );
    let page_alice = page(&p.w, &alice, "/posts?kind=notice").await;
    assert!(page_alice.body.contains("关于会议室预约规则调整的通知"));
    let page_frank = page(&p.w, &frank, "/posts?kind=notice").await;
    assert!(!page_frank.body.contains("关于会议室预约规则调整的通知"));
    assert_eq!(
        page(&p.w, &frank, &format!("/posts/{id}")).await.status,
        Status::NotFound
    );

    // 会议室 finds the notice about 会议室预约 for its department only.
    let hits = p.search(&alice, "会议室").await;
    assert!(hits.contains(&id), "{hits:?}");
    assert!(hits.contains(&all));
    assert!(!hits.contains(&named));
    let hits = p.search(&frank, "会议室").await;
    assert!(!hits.contains(&id), "{hits:?}");
    assert!(hits.contains(&named));
    let hits = p.search(&eve, "会议室预约").await;
    assert!(!hits.contains(&id), "{hits:?}");

    // Filters: the publishing unit (and below), dates, unread.
    assert_eq!(p.list(&alice, &format!("unit={}", p.w.e1)).await, vec![id]);
    assert_eq!(
        p.list(&alice, &format!("unit={}", p.brand)).await,
        vec![all]
    );
    assert!(p.list(&alice, "from=2030-01-01").await.is_empty());
    assert_eq!(p.list(&alice, "to=2030-01-01").await.len(), 2);
    let r = p
        .call(
            &alice,
            Method::Get,
            "/api/v1/posts?from=2026-12-01&to=2026-01-01",
            None,
        )
        .await;
    assert_eq!(r.status, Status::BadRequest);
    for bad in [
        "kind=memo",
        "from=yesterday",
        "limit=0",
        "limit=1000",
        "cursor=zz",
    ] {
        let r = p
            .call(&alice, Method::Get, &format!("/api/v1/posts?{bad}"), None)
            .await;
        assert_eq!(r.status, Status::BadRequest, "{bad}: {}", r.body);
    }
    p.act(&alice, id, "read", None).await;
    assert_eq!(p.list(&alice, "unread=true").await, vec![all]);
}

#[rocket::async_test]
async fn a_regulation_replaced_by_a_new_version_stays_readable_and_out_of_force() {
    let p = Posts::new().await;
    let auditor = p.agent("auditor").await;
    let e1reg = p.agent("e1reg").await;
    let alice = p.agent("alice").await;
    let v1 = p
        .publish(&auditor, json!({"kind": "regulation", "title": "集团信息安全规章制度", "body_html": "<p>第一条 为加强信息安全管理……</p>", "number": "JT-XX-001", "category": "信息", "effective_date": "2026-01-01", "scope_unit_id": p.w.group}))
        .await;
    let v = p.get(&alice, v1).await.json();
    assert_eq!(
        v["audience"]["units"],
        json!([p.w.group]),
        "a regulation goes to its scope"
    );
    assert_eq!(v["regulation"]["in_force"], true);
    assert_eq!(p.list(&alice, "kind=regulation").await, vec![v1]);

    // 规章 finds 规章制度.
    assert!(p.search(&alice, "规章").await.contains(&v1));

    // Another scope's publisher cannot replace it.
    let r = p
        .create(&e1reg, json!({"kind": "regulation", "title": "x", "body_html": "<p>x</p>", "scope_unit_id": p.w.e1, "supersedes": v1}))
        .await;
    assert_eq!(r.status, Status::BadRequest, "{}", r.body);
    assert!(Posts::field(&r, "supersedes").contains("同一适用范围"));

    let v2 = p
        .publish(&auditor, json!({"kind": "regulation", "title": "集团信息安全规章制度（2026年修订）", "body_html": "<p>第一条 修订后……</p>", "scope_unit_id": p.w.group, "supersedes": v1}))
        .await;
    let new = p.get(&alice, v2).await.json();
    assert_eq!(new["regulation"]["version"], 2);
    assert_eq!(
        new["regulation"]["number"], "JT-XX-001",
        "the number carries over"
    );
    let old = p.get(&alice, v1).await;
    assert_eq!(old.status, Status::Ok, "the old version stays readable");
    let old = old.json();
    assert_eq!(old["regulation"]["in_force"], false);
    assert_eq!(old["regulation"]["superseded_by"], v2);
    let chain: Vec<u64> = old["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_u64().unwrap())
        .collect();
    assert_eq!(chain, vec![v1, v2]);
    assert_eq!(
        p.list(&alice, "kind=regulation").await,
        vec![v2],
        "in force by default"
    );
    assert_eq!(
        p.list(&alice, "kind=regulation&history=true").await,
        vec![v2, v1]
    );
    let view = page(&p.w, &alice, &format!("/posts/{v1}")).await;
    assert!(view.body.contains("本制度已被新版本替代"), "{}", view.body);
    // A version that was replaced cannot be replaced again.
    let r = p
        .create(&auditor, json!({"kind": "regulation", "title": "x", "scope_unit_id": p.w.group, "supersedes": v1}))
        .await;
    assert_eq!(r.status, Status::BadRequest);

    // Withdrawing the new version puts the old one back in force.
    assert_eq!(
        p.act(&auditor, v2, "withdraw", None).await.status,
        Status::Ok
    );
    assert_eq!(
        p.get(&alice, v1).await.json()["regulation"]["in_force"],
        true
    );
    assert_eq!(p.list(&alice, "kind=regulation").await, vec![v1]);
}

#[rocket::async_test]
async fn a_scheduled_post_goes_out_when_the_clock_reaches_it() {
    let p = Posts::new().await;
    let brand = p.agent("brand").await;
    let alice = p.agent("alice").await;
    let at = oanode::clock::rfc3339(&chrono_tz::Asia::Shanghai, T0 + 2 * HOUR);
    let r = p
        .create(&brand, json!({"kind": "news", "title": "明早发布的新闻：年度表彰", "body_html": "<p>表彰</p>", "audience": {"everyone": true}, "publish_at": at, "publish": true}))
        .await;
    assert_eq!(r.status, Status::Created, "{}", r.body);
    let id = r.json()["id"].as_u64().unwrap();
    assert_eq!(r.json()["state"], "scheduled");
    assert!(p.list(&alice, "").await.is_empty());
    assert_eq!(p.get(&alice, id).await.status, Status::NotFound);
    assert!(p.search(&alice, "年度表彰").await.is_empty());

    let app = &p.w.t.app;
    p.w.t.clock.advance(HOUR);
    assert_eq!(
        oanode::posts::service::edit::publish_due(app).unwrap(),
        0,
        "not yet"
    );
    p.w.t.clock.advance(HOUR);
    assert_eq!(oanode::posts::service::edit::publish_due(app).unwrap(), 1);
    assert_eq!(
        oanode::posts::service::edit::publish_due(app).unwrap(),
        0,
        "once"
    );
    let v = p.get(&alice, id).await.json();
    assert_eq!(v["state"], "published");
    let published =
        chrono::DateTime::parse_from_rfc3339(v["published_at"].as_str().unwrap()).unwrap();
    assert_eq!(
        published.timestamp_millis(),
        T0 + 2 * HOUR,
        "at the scheduled instant"
    );
    assert_eq!(p.list(&alice, "").await, vec![id]);
    assert!(p.search(&alice, "年度表彰").await.contains(&id));

    // Pinning and expiry by the clock.
    let pinned = p
        .publish(&brand, json!({"kind": "news", "title": "置顶新闻", "body_html": "<p>x</p>", "audience": {"everyone": true}, "pinned_until": oanode::clock::rfc3339(&chrono_tz::UTC, T0 + 5 * HOUR), "expires_at": oanode::clock::rfc3339(&chrono_tz::UTC, T0 + 10 * HOUR)}))
        .await;
    let later = p
        .publish(&brand, json!({"kind": "news", "title": "普通新闻", "body_html": "<p>y</p>", "audience": {"everyone": true}}))
        .await;
    assert_eq!(
        p.list(&alice, "").await,
        vec![pinned, later, id],
        "pinned first"
    );
    p.w.t.clock.advance(4 * HOUR);
    assert_eq!(
        p.list(&alice, "").await,
        vec![later, pinned, id],
        "pin over"
    );
    p.w.t.clock.advance(5 * HOUR);
    assert_eq!(p.list(&alice, "").await, vec![later, id], "expired");
    assert_eq!(p.get(&alice, pinned).await.json()["state"], "expired");
    assert_eq!(
        p.list(&alice, "history=true").await,
        vec![later, pinned, id]
    );
}

#[rocket::async_test]
async fn readers_are_counted_once_acknowledge_and_the_publisher_sees_who_has_not() {
    let p = Posts::new().await;
    let e1notice = p.agent("e1notice").await;
    let alice = p.agent("alice").await;
    let bob = p.agent("bob").await;
    let mut body = notice(p.w.e1_dept);
    body["require_ack"] = json!(true);
    let id = p.publish(&e1notice, body).await;

    for _ in 0..2 {
        let r = p.act(&alice, id, "read", None).await;
        assert_eq!(r.status, Status::Ok, "{}", r.body);
    }
    let v = p.get(&e1notice, id).await.json();
    assert_eq!(v["read_count"], 1, "counted once");
    assert!(
        p.get(&alice, id).await.json()["permissions"]
            .as_array()
            .unwrap()
            .contains(&json!("acknowledge"))
    );
    assert_eq!(
        p.act(&alice, id, "acknowledge", None).await.status,
        Status::Ok
    );
    assert_eq!(
        p.act(&alice, id, "acknowledge", None).await.status,
        Status::Conflict
    );
    assert!(p.get(&alice, id).await.json()["acknowledged_at"].is_string());

    let r = p
        .call(
            &e1notice,
            Method::Get,
            &format!("/api/v1/posts/{id}/readers"),
            None,
        )
        .await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    let j = r.json();
    assert_eq!(j["read"], 1);
    assert_eq!(j["acknowledged"], 1);
    assert_eq!(j["readers"][0]["login"], "alice");
    let unread: Vec<&str> = j["unread"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["login"].as_str().unwrap())
        .collect();
    assert!(unread.contains(&"bob"), "{unread:?}");
    assert!(!unread.contains(&"alice"));
    assert!(!unread.contains(&"frank"), "not addressed");
    assert_eq!(j["audience"].as_u64().unwrap(), unread.len() as u64 + 1);
    let r = p
        .call(
            &alice,
            Method::Get,
            &format!("/api/v1/posts/{id}/readers"),
            None,
        )
        .await;
    assert_eq!(r.status, Status::Forbidden);
    assert_eq!(p.list(&bob, "unread=true").await, vec![id]);
    assert!(p.list(&alice, "unread=true").await.is_empty());

    // The page: bob's first view is his read; the readers page for the publisher.
    let view = page(&p.w, &bob, &format!("/posts/{id}")).await;
    assert_eq!(view.status, Status::Ok);
    assert!(view.body.contains("确认已阅"));
    assert_eq!(p.get(&e1notice, id).await.json()["read_count"], 2);
    let r = post(&p.w, &bob, &format!("/posts/{id}/acknowledge"), "", false).await;
    assert_eq!(r.status, Status::SeeOther);
    let readers = page(&p.w, &e1notice, &format!("/posts/{id}/readers")).await;
    assert_eq!(readers.status, Status::Ok);
    assert!(readers.body.contains("用户bob"));
    assert_eq!(
        page(&p.w, &alice, &format!("/posts/{id}/readers"))
            .await
            .status,
        Status::Forbidden
    );
}

#[rocket::async_test]
async fn malformed_input_is_refused_field_by_field_and_nothing_is_kept() {
    let p = Posts::new().await;
    let e1notice = p.agent("e1notice").await;
    let w = &p.w;
    let cases = [
        (json!({"kind": "memo", "title": "x"}), "kind"),
        (json!({"title": "x"}), "kind"),
        (
            json!({"kind": "notice", "title": "  ", "audience": {"units": [w.e1]}}),
            "title",
        ),
        (json!({"kind": "notice", "title": "x".repeat(201)}), "title"),
        (
            json!({"kind": "notice", "title": "x", "audience": {"units": [999_999]}}),
            "audience",
        ),
        (
            json!({"kind": "notice", "title": "x", "publish_at": "tomorrow"}),
            "publish_at",
        ),
        (
            json!({"kind": "notice", "title": "x", "publish_at": "2026-12-01", "expires_at": "2026-11-01"}),
            "expires_at",
        ),
        (
            json!({"kind": "notice", "title": "x", "number": "1"}),
            "number",
        ),
        (
            json!({"kind": "notice", "title": "x", "cover_id": 1}),
            "cover_id",
        ),
        (
            json!({"kind": "notice", "title": "x", "attachments": [12345]}),
            "attachments",
        ),
        (
            json!({"kind": "notice", "title": "x", "body_html": "<div>".repeat(300)}),
            "body_html",
        ),
    ];
    for (body, field) in cases {
        let r = p.create(&e1notice, body.clone()).await;
        assert_eq!(r.status, Status::BadRequest, "{body}: {}", r.body);
        assert!(!Posts::field(&r, field).is_empty(), "{field} in {}", r.body);
    }
    let r = p
        .create(
            &e1notice,
            json!({"kind": "notice", "title": "x", "colour": "red"}),
        )
        .await;
    assert!(
        r.status == Status::BadRequest || r.status == Status::UnprocessableEntity,
        "{}",
        r.body
    );
    // A draft without an audience or body cannot go out.
    let r = p
        .create(&e1notice, json!({"kind": "notice", "title": "草稿"}))
        .await;
    let id = r.json()["id"].as_u64().unwrap();
    let r = p.act(&e1notice, id, "publish", None).await;
    assert_eq!(r.status, Status::BadRequest);
    assert!(!Posts::field(&r, "audience").is_empty());
    assert_eq!(p.get(&e1notice, id).await.json()["state"], "draft");

    let r = p
        .call(&e1notice, Method::Get, "/api/v1/posts?manage=mine", None)
        .await;
    assert_eq!(
        r.json()["items"].as_array().unwrap().len(),
        1,
        "only the draft was kept"
    );
    // A forged CSRF token on the page form changes nothing.
    let r = post(
        w,
        &e1notice,
        "/posts/new",
        "kind=notice&title=伪造&publish=1",
        true,
    )
    .await;
    assert_eq!(r.status, Status::Forbidden);
    let r = p
        .call(&e1notice, Method::Get, "/api/v1/posts?manage=mine", None)
        .await;
    assert_eq!(r.json()["items"].as_array().unwrap().len(), 1);
    // A draft is its publishers' alone.
    let alice = p.agent("alice").await;
    assert_eq!(p.get(&alice, id).await.status, Status::NotFound);
    let _ = p.eve;
}

#[rocket::async_test]
async fn pages_publish_a_notice_through_the_form_and_show_it_on_the_workbench() {
    let p = Posts::new().await;
    let e1notice = p.agent("e1notice").await;
    let alice = p.agent("alice").await;
    let w = &p.w;
    let r = page(w, &e1notice, "/posts/new?kind=notice").await;
    assert_eq!(r.status, Status::Ok);
    assert!(r.body.contains("data-richtext"));
    assert_eq!(
        page(w, &alice, "/posts/new?kind=notice").await.status,
        Status::Forbidden
    );

    let form = format!(
        "kind=notice&title=%E5%85%B3%E4%BA%8E%E5%81%9C%E6%B0%B4%E7%9A%84%E9%80%9A%E7%9F%A5&body_html=%3Cp%3E%E6%98%8E%E6%97%A5%E5%81%9C%E6%B0%B4%3C%2Fp%3E&unit_id={}&audience_units={}&publish=1",
        w.e1_dept, w.e1_dept
    );
    let r = post(w, &e1notice, "/posts/new", &form, false).await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    let loc = r.header("Location").unwrap().to_string();
    assert!(loc.contains("done=published"), "{loc}");
    let home = page(w, &alice, "/").await;
    assert!(
        home.body.contains("关于停水的通知"),
        "the workbench shows the latest notices"
    );
    let list = page(w, &alice, "/posts").await;
    assert!(list.body.contains("关于停水的通知"));
    let manage = page(w, &e1notice, "/posts/manage").await;
    assert!(manage.body.contains("关于停水的通知"));
    assert_eq!(
        page(w, &alice, "/posts/manage").await.status,
        Status::Forbidden
    );

    // A form mistake comes back beside its field with what was typed.
    let r = post(
        w,
        &e1notice,
        "/posts/new",
        &format!("kind=notice&title=&audience_units={}&publish=1", w.e2),
        false,
    )
    .await;
    assert_eq!(r.status, Status::BadRequest);
    assert!(r.body.contains("field-error"));
}

#[rocket::async_test]
async fn pages_of_a_merged_feed_follow_each_other_without_gaps_or_repeats() {
    let p = Posts::new().await;
    let brand = p.agent("brand").await;
    let e1notice = p.agent("e1notice").await;
    let alice = p.agent("alice").await;
    let mut ids = Vec::new();
    // Filed under three of alice's scopes: everyone, her enterprise, her department, herself.
    for i in 0..23 {
        let (who, audience) = match i % 4 {
            0 => (&brand, json!({"everyone": true})),
            1 => (&e1notice, json!({"units": [p.w.e1]})),
            2 => (
                &e1notice,
                json!({"units": [p.w.e1_dept], "users": [p.w.alice]}),
            ),
            _ => (&e1notice, json!({"users": [p.w.alice]})),
        };
        let kind = if i % 4 == 0 { "news" } else { "notice" };
        ids.push(
            p.publish(who, json!({"kind": kind, "title": format!("第{i}条"), "body_html": "<p>x</p>", "audience": audience}))
                .await,
        );
    }
    ids.reverse();
    let mut seen = Vec::new();
    let mut cursor = String::new();
    for _ in 0..10 {
        let r = p
            .call(
                &alice,
                Method::Get,
                &format!("/api/v1/posts?limit=10&cursor={cursor}"),
                None,
            )
            .await;
        assert_eq!(r.status, Status::Ok, "{}", r.body);
        let j = r.json();
        seen.extend(
            j["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["id"].as_u64().unwrap()),
        );
        match j["next_cursor"].as_str() {
            Some(c) => cursor = c.to_string(),
            None => break,
        }
    }
    assert_eq!(seen, ids, "newest first, each once");
    // An outsider's feed is empty however many posts there are.
    let eve = p.agent("eve").await;
    // ids is newest first; the news (every fourth, from the first) went to everyone.
    let everyone: Vec<u64> = ids.iter().rev().step_by(4).rev().copied().collect();
    assert_eq!(p.list(&eve, "limit=100").await, everyone);
}

#[rocket::async_test]
async fn search_finds_a_notice_by_a_word_inside_its_attached_docx_for_its_audience_only() {
    let p = Posts::new().await;
    let e1notice = p.agent("e1notice").await;
    let alice = p.agent("alice").await;
    let frank = p.agent("frank").await;
    let r =
        p.w.t
            .client
            .post(enc("/api/v1/posts/attachments?name=会议室操作手册.docx"))
            .header(rocket::http::Header::new(
                "Authorization",
                format!("Bearer {}", e1notice.token),
            ))
            .header(rocket::http::ContentType::Binary)
            .body(docx("投影仪遥控器存放在前台保险柜"))
            .dispatch()
            .await;
    let r = Resp::read(r).await;
    assert_eq!(r.status, Status::Created, "{}", r.body);
    let file = r.json()["id"].as_u64().unwrap();
    // Someone who may not publish cannot upload.
    let r = p
        .call(
            &alice,
            Method::Post,
            "/api/v1/posts/attachments?name=x.txt",
            None,
        )
        .await;
    assert_eq!(r.status, Status::Forbidden);

    let mut body = notice(p.w.e1_dept);
    body["attachments"] = json!([file]);
    let id = p.publish(&e1notice, body).await;
    assert_eq!(
        p.search(&alice, "保险柜").await,
        vec![id],
        "a word only inside the DOCX"
    );
    assert!(
        p.search(&frank, "保险柜").await.is_empty(),
        "not for another department"
    );
    let r = p
        .call(
            &alice,
            Method::Get,
            &enc("/api/v1/search?q=保险柜&kind=notice"),
            None,
        )
        .await;
    let j = r.json();
    assert_eq!(j["items"][0]["kind"], "notice");
    assert_eq!(j["items"][0]["url"], format!("/posts/{id}"));
    assert!(
        j["items"][0]["snippet"].as_str().unwrap().contains("<b>"),
        "{j}"
    );
    // The file itself: its readers download it, others get 404.
    let path = format!("/api/v1/posts/attachments/{file}");
    assert_eq!(
        p.call(&alice, Method::Get, &path, None).await.status,
        Status::Ok
    );
    assert_eq!(
        p.call(&frank, Method::Get, &path, None).await.status,
        Status::NotFound
    );
    let page = page(&p.w, &alice, &enc("/search?q=保险柜")).await;
    assert!(
        page.body.contains("关于会议室预约规则调整的通知"),
        "the search page lists it"
    );
}
