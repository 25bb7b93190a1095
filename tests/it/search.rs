//! Search through the API and the page, as people use it: what each person finds (a document by
//! its readers, a request by those who took part, nothing for outsiders or visitors), the kind,
//! unit and date filters, both orders, paging to the end, the facets, suggestions, the refusals
//! in the caller's language, and the text of an attached DOCX.

use rocket::http::{ContentType, Header, Method, Status};
use serde_json::{Value, json};

use crate::common::{Agent, PW, Resp, SESSION, T0, docx, enc, page};
use crate::workflow::Wf;

const DAY: i64 = 86_400_000;

async fn get(wf: &Wf, who: &Agent, path: &str) -> Resp {
    wf.call(who, Method::Get, &enc(path), None).await
}

async fn search(wf: &Wf, who: &Agent, query: &str) -> Value {
    let r = get(wf, who, &format!("/api/v1/search?{query}")).await;
    assert_eq!(r.status, Status::Ok, "{query}: {}", r.body);
    r.json()
}

fn titles(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap().to_string())
        .collect()
}

fn facet(v: &Value, which: &str, value: &str) -> u64 {
    v["facets"][which]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["value"] == value)
        .map_or(0, |f| f["count"].as_u64().unwrap())
}

fn catch_up(wf: &Wf) {
    wf.w.t.app.search().catch_up().unwrap();
}

/// An entry written straight to the outbox, as a feature's service would: `(key, kind, title,
/// body, days before T0, units)`, visible to everyone.
type Entry<'a> = (String, &'a str, String, &'a str, i64, Vec<u64>);

fn put_entries(wf: &Wf, entries: &[Entry<'_>]) {
    use oanode::store::outbox::{self, Change, SearchDoc};
    wf.w.t
        .app
        .store()
        .write(|tx| {
            for (key, kind, title, body, days, units) in entries {
                let doc = SearchDoc {
                    key: key.clone(),
                    kind: kind.to_string(),
                    title: title.clone(),
                    body: body.to_string(),
                    acl: vec!["all".into()],
                    time_ms: T0 - days * DAY,
                    url: format!("/posts/{}", key.rsplit(':').next().unwrap()),
                    units: units.clone(),
                    files: vec![],
                };
                outbox::append(tx, &Change::Upsert(doc))?;
            }
            Ok(())
        })
        .unwrap();
    catch_up(wf);
}

/// The document world: the workflow people plus a document clerk of E1; returns dave's id.
async fn with_clerk(wf: &Wf) -> u64 {
    wf.w.t
        .add_user("clerk", wf.w.e1_dept, PW, &[("document_clerk", wf.w.e1)]);
    wf.w.t
        .app
        .store()
        .read(|tx| Ok(oanode::org::store::user_by_login(tx, "dave")?.unwrap().id))
        .unwrap()
}

/// alice drafts a notice to E2 (with `attachments`), carol, the clerk and dave approve it.
async fn publish(wf: &Wf, dave: u64, title: &str, attachments: &[u64]) -> u64 {
    let alice = wf.agent("alice").await;
    let body = json!({
        "doc_type": "notice",
        "title": title,
        "body_html": "<p>各单位：现就冬季安全生产大检查有关事项通知如下。</p>",
        "classification": "internal",
        "urgency": "normal",
        "issuer_id": dave,
        "to_units": [wf.w.e2],
        "attachments": attachments,
    });
    let r = wf
        .call(&alice, Method::Post, "/api/v1/documents", Some(body))
        .await;
    assert_eq!(r.status, Status::Created, "{}", r.body);
    let id = r.json()["id"].as_u64().unwrap();
    let r = wf
        .call(
            &alice,
            Method::Post,
            &format!("/api/v1/documents/{id}/submit"),
            None,
        )
        .await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    let inst = r.json()["workflow_instance_id"].as_u64().unwrap();
    for who in ["carol", "clerk", "dave"] {
        let a = wf.agent(who).await;
        wf.approve(&a, inst).await;
    }
    id
}

#[rocket::async_test]
async fn documents_and_requests_are_found_only_by_those_who_may_open_them() {
    let wf = Wf::new().await;
    let dave = with_clerk(&wf).await;
    let doc = publish(&wf, dave, "关于开展冬季安全生产大检查的通知", &[]).await;
    // A request: alice asks, bob (her manager) approves it; erin has no part in it.
    let alice = wf.agent("alice").await;
    let r = wf
        .submit(
            &alice,
            "general_submission",
            json!({"title": "机房空调采购呈报", "content": "拟采购精密空调两台，预算十二万元。"}),
        )
        .await;
    assert_eq!(r.status, Status::Created, "{}", r.body);
    let inst = r.json()["id"].as_u64().unwrap();
    catch_up(&wf);

    let (e2admin, bob, erin) = (
        wf.agent("e2admin").await,
        wf.agent("bob").await,
        wf.agent("erin").await,
    );
    // The recipient finds the document; the drafter too; a colleague who received nothing not.
    let v = search(&wf, &e2admin, "q=安全生产").await;
    assert_eq!(v["total"], 1, "{v}");
    let item = &v["items"][0];
    assert_eq!(item["kind"], "document");
    assert_eq!(item["id"], doc);
    assert_eq!(item["url"], format!("/documents/{doc}"));
    assert!(
        item["title_html"].as_str().unwrap().contains("<b>"),
        "{item}"
    );
    assert!(item["published_at"].as_str().unwrap().starts_with("20"));
    // alice also finds the document's approval request, which she submitted.
    let v = search(&wf, &alice, "q=安全生产").await;
    assert_eq!(v["total"], 2, "{v}");
    assert_eq!(facet(&v, "kind", "document"), 1);
    assert_eq!(facet(&v, "kind", "instance"), 1);
    assert_eq!(
        search(&wf, &alice, "q=安全生产&kind=document").await["total"],
        1
    );
    assert_eq!(search(&wf, &erin, "q=安全生产").await["total"], 0);

    // The request: by its applicant and its approver (by a word of the form), not by erin.
    for who in [&alice, &bob] {
        let v = search(&wf, who, "q=精密空调").await;
        assert_eq!(v["total"], 1, "{}: {v}", who.login);
        assert_eq!(v["items"][0]["kind"], "instance");
        assert_eq!(v["items"][0]["id"], inst);
        let title = v["items"][0]["title"].as_str().unwrap();
        assert!(title.contains("机房空调采购呈报"), "{title}");
        assert_eq!(v["items"][0]["url"], format!("/workflow/instances/{inst}"));
    }
    // By the template's name and the applicant's name too.
    assert_eq!(search(&wf, &bob, "q=事项呈报").await["total"], 1);
    assert_eq!(search(&wf, &erin, "q=精密空调").await["total"], 0);
    assert!(
        get(&wf, &erin, "/api/v1/search/suggest?q=机房")
            .await
            .json()["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // Bob approves: he keeps finding it; the unit filter finds it under E1, not under E2.
    wf.approve(&bob, inst).await;
    catch_up(&wf);
    assert_eq!(search(&wf, &bob, "q=精密空调").await["total"], 1);
    let e1 = wf.w.e1;
    let e2 = wf.w.e2;
    assert_eq!(
        search(&wf, &alice, &format!("q=精密空调&unit={e1}")).await["total"],
        1
    );
    assert_eq!(
        search(&wf, &alice, &format!("q=精密空调&unit={e2}")).await["total"],
        0
    );
    // The kind filter.
    assert_eq!(
        search(&wf, &alice, "q=精密空调&kind=document").await["total"],
        0
    );
    assert_eq!(
        search(&wf, &alice, "q=精密空调&kind=document,instance").await["total"],
        1
    );

    // A draft is its applicant's alone, until it is submitted.
    let body = json!({"template_key": "general_submission", "draft": true,
        "form": {"title": "档案室除湿机呈报", "content": "梅雨季前添置除湿机。"}});
    let r = wf
        .call(
            &alice,
            Method::Post,
            "/api/v1/workflow/instances",
            Some(body),
        )
        .await;
    assert_eq!(r.status, Status::Created, "{}", r.body);
    catch_up(&wf);
    assert_eq!(search(&wf, &alice, "q=除湿机").await["total"], 1);
    for who in [&bob, &erin] {
        assert_eq!(
            search(&wf, who, "q=除湿机").await["total"],
            0,
            "{}",
            who.login
        );
    }

    // Nothing at all for a visitor.
    let r = wf.w.t.get(&enc("/api/v1/search?q=安全生产")).await;
    assert_eq!(r.status, Status::Unauthorized, "{}", r.body);
    let r = wf.w.t.get(&enc("/api/v1/search/suggest?q=安全")).await;
    assert_eq!(r.status, Status::Unauthorized, "{}", r.body);
}

#[rocket::async_test]
async fn a_word_only_inside_an_attached_docx_finds_the_document() {
    let wf = Wf::new().await;
    let dave = with_clerk(&wf).await;
    let alice = wf.agent("alice").await;
    let r =
        wf.w.t
            .client
            .post("/api/v1/documents/attachments?name=%E6%B5%8B%E8%AF%84.docx")
            .header(Header::new(
                "Authorization",
                format!("Bearer {}", alice.token),
            ))
            .header(ContentType::Binary)
            .body(docx("等级保护测评由第三方机构承担"))
            .dispatch()
            .await;
    let r = Resp::read(r).await;
    assert_eq!(r.status, Status::Created, "{}", r.body);
    let file = r.json()["id"].as_u64().unwrap();
    let doc = publish(&wf, dave, "关于网络安全工作的通知", &[file]).await;
    catch_up(&wf);
    let e2admin = wf.agent("e2admin").await;
    let v = search(&wf, &e2admin, "q=等级保护测评").await;
    assert_eq!(v["total"], 1, "{v}");
    assert_eq!(v["items"][0]["id"], doc);
    assert!(
        v["items"][0]["snippet"].as_str().unwrap().contains("<b>"),
        "{v}"
    );
    // The file's name is indexed as well; an outsider finds nothing.
    assert_eq!(search(&wf, &e2admin, "q=测评.docx").await["total"], 1);
    let erin = wf.agent("erin").await;
    assert_eq!(search(&wf, &erin, "q=等级保护测评").await["total"], 0);
    // `oanode reindex` brings it back the same way (attachments included).
    wf.w.t.app.reindex().unwrap();
    assert_eq!(search(&wf, &e2admin, "q=等级保护测评").await["total"], 1);
    // … and the approval requests: the document's own, by its drafter.
    assert_eq!(
        search(&wf, &alice, "q=网络安全&kind=instance").await["total"],
        1
    );
    assert_eq!(search(&wf, &e2admin, "q=精密").await["total"], 0);
}

/// 25 news from today back, 5 notices a month ago, 3 regulations 100 days ago and 2 resources
/// two years ago, all about 预算; the regulations belong to E1's subtree.
async fn library(wf: &Wf) {
    let mut entries = Vec::new();
    for i in 0..25 {
        entries.push((
            format!("post:{}", 100 + i),
            "news",
            format!("预算新闻第{i}号"),
            "年度预算执行情况",
            i / 5,
            vec![],
        ));
    }
    for i in 0..5 {
        entries.push((
            format!("post:{}", 200 + i),
            "notice",
            format!("预算通知{i}"),
            "关于预算编制的通知",
            20,
            vec![],
        ));
    }
    for i in 0..3 {
        entries.push((
            format!("post:{}", 300 + i),
            "regulation",
            format!("预算管理办法{i}"),
            "预算管理",
            100,
            vec![wf.w.e1, wf.w.group],
        ));
    }
    for i in 0..2 {
        entries.push((
            format!("post:{}", 400 + i),
            "resource",
            format!("预算模板{i}"),
            "预算表格",
            730,
            vec![wf.w.group],
        ));
    }
    put_entries(wf, &entries);
}

#[rocket::async_test]
async fn filters_orders_pages_and_facets() {
    let wf = Wf::new().await;
    library(&wf).await;
    let alice = wf.agent("alice").await;

    let v = search(&wf, &alice, "q=预算&limit=100").await;
    assert_eq!(v["total"], 35);
    assert_eq!(facet(&v, "kind", "news"), 25);
    assert_eq!(facet(&v, "kind", "notice"), 5);
    assert_eq!(facet(&v, "kind", "regulation"), 3);
    assert_eq!(facet(&v, "kind", "resource"), 2);
    // Dates: news of today..4 days ago (last 7 days: 25), notices 20 days ago (30 days: 30),
    // regulations 100 days ago (year: 33), resources two years ago (older: 2).
    assert_eq!(facet(&v, "date", "week"), 25);
    assert_eq!(facet(&v, "date", "month"), 30);
    assert_eq!(facet(&v, "date", "year"), 33);
    assert_eq!(facet(&v, "date", "older"), 2);
    let dates: Vec<&str> = v["facets"]["date"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["value"].as_str().unwrap())
        .collect();
    assert_eq!(dates, ["week", "month", "year", "older"]);

    // A kind filter keeps every kind in the kind facet and counts the dates within the kind.
    let v = search(&wf, &alice, "q=预算&kind=notice").await;
    assert_eq!(v["total"], 5);
    assert_eq!(facet(&v, "kind", "news"), 25);
    assert_eq!(facet(&v, "date", "week"), 0);
    assert_eq!(facet(&v, "date", "month"), 5);
    // Repeated kinds.
    let v = search(&wf, &alice, "q=预算&kind=notice&kind=resource").await;
    assert_eq!(v["total"], 7);

    // Dates (node time zone, inclusive): T0 is 2026-11-30 09:00 in Shanghai.
    let v = search(&wf, &alice, "q=预算&from=2026-11-26&to=2026-11-30").await;
    assert_eq!(v["total"], 25);
    assert_eq!(facet(&v, "kind", "news"), 25);
    assert_eq!(facet(&v, "kind", "notice"), 0);
    assert_eq!(
        facet(&v, "date", "older"),
        2,
        "the date facet ignores the range"
    );
    let v = search(&wf, &alice, "q=预算&from=2026-11-30&to=2026-11-30").await;
    assert_eq!(v["total"], 5);
    let v = search(&wf, &alice, "q=预算&from=2026-11-29&to=2026-11-29").await;
    assert_eq!(v["total"], 5);
    let v = search(&wf, &alice, "q=预算&to=2025-01-01").await;
    assert_eq!(v["total"], 2);
    assert!(titles(&v).iter().all(|t| t.starts_with("预算模板")));

    // Units: E1's subtree holds the regulations; the group holds those and the resources.
    let v = search(&wf, &alice, &format!("q=预算&unit={}", wf.w.e1)).await;
    assert_eq!(v["total"], 3);
    let v = search(&wf, &alice, &format!("q=预算&unit={}", wf.w.group)).await;
    assert_eq!(v["total"], 5);
    let v = search(&wf, &alice, &format!("q=预算&unit={}", wf.w.e2)).await;
    assert_eq!(v["total"], 0);

    // Newest first: today's news first, the oldest resources last.
    let v = search(&wf, &alice, "q=预算&order=newest&limit=100").await;
    let times: Vec<String> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["published_at"].as_str().unwrap().to_string())
        .collect();
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted);
    assert!(titles(&v).last().unwrap().starts_with("预算模板"));

    // Paging to the end: 35 in pages of 10, every item once, no cursor after the last page.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut q = "q=预算&order=newest&limit=10".to_string();
        if let Some(c) = &cursor {
            q.push_str(&format!("&cursor={c}"));
        }
        let v = search(&wf, &alice, &q).await;
        for item in v["items"].as_array().unwrap() {
            seen.push(item["url"].as_str().unwrap().to_string());
        }
        pages += 1;
        match v["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => {
                assert!(v["next_cursor"].is_null());
                break;
            }
        }
        assert!(pages < 10);
    }
    assert_eq!(pages, 4);
    assert_eq!(seen.len(), 35);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 35);
}

#[rocket::async_test]
async fn suggestions_offer_titles_the_caller_may_open() {
    let wf = Wf::new().await;
    library(&wf).await;
    let alice = wf.agent("alice").await;
    let suggest = |q: &'static str| {
        let wf = &wf;
        let alice = &alice;
        async move {
            let path = format!(
                "/api/v1/search/suggest?q={}",
                oanode::web::page::encode_query_value(q)
            );
            let r = get(wf, alice, &path).await;
            assert_eq!(r.status, Status::Ok, "{}", r.body);
            r.json()["items"].as_array().unwrap().clone()
        }
    };
    let items = suggest("管理办法").await;
    assert_eq!(items.len(), 3, "{items:?}");
    assert!(
        items[0]["title"]
            .as_str()
            .unwrap()
            .starts_with("预算管理办法")
    );
    assert_eq!(items[0]["kind"], "regulation");
    assert!(items[0]["url"].as_str().unwrap().starts_with("/posts/"));
    // At most 8; a bigram of a title; a single character.
    assert_eq!(suggest("预算").await.len(), 8);
    assert_eq!(suggest("算通").await.len(), 5);
    assert!(!suggest("模").await.is_empty());
    // Nothing for a blank text or a body-only word.
    assert!(suggest(" ").await.is_empty());
    assert!(suggest("表格").await.is_empty());
}

#[rocket::async_test]
async fn bad_parameters_are_refused_field_by_field_in_the_callers_language() {
    let wf = Wf::new().await;
    let alice = wf.agent("alice").await;
    let cases = [
        ("q=预算&limit=0", "limit"),
        ("q=预算&limit=101", "limit"),
        ("q=预算&limit=ten", "limit"),
        ("q=预算&cursor=zz", "cursor"),
        ("q=预算&from=2026-13-01", "from"),
        ("q=预算&to=yesterday", "to"),
        ("q=预算&from=2026-11-20&to=2026-11-01", "to"),
        ("q=预算&order=oldest", "order"),
        ("q=预算&kind=poem", "kind"),
        ("q=预算&unit=e1", "unit"),
        ("q=", "q"),
        ("", "q"),
    ];
    for (query, field) in cases {
        let r = get(&wf, &alice, &format!("/api/v1/search?{query}")).await;
        assert_eq!(r.status, Status::BadRequest, "{query}: {}", r.body);
        let e = &r.json()["error"];
        assert_eq!(e["code"], "validation", "{query}");
        assert!(
            e["fields"][field].as_str().is_some_and(|m| !m.is_empty()),
            "{query}: {e}"
        );
    }
    // Chinese by default, English on request.
    let r = get(&wf, &alice, "/api/v1/search?q=预算&limit=0").await;
    assert_eq!(
        r.json()["error"]["fields"]["limit"],
        "每页条数应为 1 到 100。"
    );
    let mut req =
        wf.w.t
            .client
            .get("/api/v1/search?q=x&from=2026-11-20&to=2026-11-01".to_string());
    req.add_header(Header::new(
        "Authorization",
        format!("Bearer {}", alice.token),
    ));
    req.add_header(Header::new("Accept-Language", "en"));
    let r = Resp::read(req.dispatch().await).await;
    assert_eq!(
        r.json()["error"]["fields"]["to"],
        "The end date cannot be before the start date."
    );
}

#[rocket::async_test]
async fn the_page_shows_hits_facets_and_errors_and_every_page_has_the_box() {
    let wf = Wf::new().await;
    library(&wf).await;
    let alice = wf.agent("alice").await;

    let home = page(&wf.w, &alice, "/").await;
    assert_eq!(home.status, Status::Ok);
    assert!(home.body.contains(r#"id="top-search""#), "no header box");
    assert!(home.body.contains(r#"action="/search""#));

    let r = page(&wf.w, &alice, "/search?q=%E9%A2%84%E7%AE%97").await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    assert!(r.body.contains(r#"id="search-list""#));
    assert!(r.body.contains("<b>预算</b>"), "no highlight");
    assert!(r.body.contains("共找到 35 条结果"));
    assert!(r.body.contains(r#"data-kind="regulation""#));
    assert!(r.body.contains("规章制度"));
    assert!(r.body.contains(r#"data-date="week""#));
    assert!(r.body.contains("近7天"));
    assert!(r.body.contains(r#"id="next-page""#));
    assert!(r.body.contains(r#"id="order-newest""#));

    // Narrowed by kind: the next page keeps the filter.
    let r = page(&wf.w, &alice, "/search?q=%E9%A2%84%E7%AE%97&kind=news").await;
    assert!(r.body.contains("共找到 25 条结果"), "{}", r.body);

    // Nothing found, a bad date, no words: a page that says so, never an error page.
    let r = page(&wf.w, &alice, "/search?q=%E9%B2%B8%E9%B1%BC").await;
    assert_eq!(r.status, Status::Ok);
    assert!(r.body.contains(r#"id="search-none""#));
    let r = page(&wf.w, &alice, "/search?q=x&from=2026-02-30").await;
    assert_eq!(r.status, Status::Ok);
    assert!(r.body.contains(r#"id="search-errors""#), "{}", r.body);
    assert!(r.body.contains("日期格式应为"));
    let r = page(&wf.w, &alice, "/search").await;
    assert_eq!(r.status, Status::Ok);
    assert!(r.body.contains(r#"id="search-prompt""#));

    // A visitor is sent to sign in and sees no box.
    let r = wf.w.t.get("/search?q=x").await;
    assert_ne!(r.status, Status::Ok);
    let login = wf.w.t.get("/login").await;
    assert!(!login.body.contains(r#"id="top-search""#));
    let _ = SESSION;
}
