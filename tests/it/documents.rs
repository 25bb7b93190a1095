//! Official documents through the API, as a group office uses them: a draft only its author
//! sees, three approvals, publication at the final approval with its number, distribution with
//! read and print rights, receipts, reminders, revocation, and what outsiders get (404).

use rocket::http::{Method, Status};
use serde_json::{Value, json};

use crate::common::{Agent, PW, Resp};
use crate::workflow::Wf;

/// The workflow world (alice → bob → carol, head of E1-OFF; dave heads E1) plus a document
/// clerk of E1 (行政办公室), and e2admin in E2 as the recipient side.
struct Docs {
    wf: Wf,

    dave: u64,
}

impl Docs {
    async fn new() -> Docs {
        let wf = Wf::new().await;
        let clerk =
            wf.w.t
                .add_user("clerk", wf.w.e1_dept, PW, &[("document_clerk", wf.w.e1)]);
        let dave =
            wf.w.t
                .app
                .store()
                .read(|tx| Ok(oanode::org::store::user_by_login(tx, "dave")?.unwrap().id))
                .unwrap();
        let _ = clerk;
        Docs { wf, dave }
    }

    async fn agent(&self, login: &str) -> Agent {
        self.wf.agent(login).await
    }

    async fn call(&self, a: &Agent, m: Method, path: &str, body: Option<Value>) -> Resp {
        self.wf.call(a, m, path, body).await
    }

    fn draft(&self) -> Value {
        json!({
            "doc_type": "notice",
            "title": "关于开展冬季安全生产大检查的通知",
            "body_html": "<p>各单位：</p><p>为做好冬季安全生产工作，现就开展大检查有关事项通知如下。</p>",
            "classification": "internal",
            "urgency": "urgent",
            "issuer_id": self.dave,
            "to_units": [self.wf.w.e2],
            "cc_users": [self.wf.erin],
            "can_print": [self.wf.w.e2_admin],
            "print_limit": 1,
            "notes": "联系人：综合办公室"
        })
    }

    async fn create(&self, a: &Agent, body: Value) -> u64 {
        let r = self
            .call(a, Method::Post, "/api/v1/documents", Some(body))
            .await;
        assert_eq!(r.status, Status::Created, "{}", r.body);
        r.json()["id"].as_u64().unwrap()
    }

    async fn get(&self, a: &Agent, id: u64) -> Resp {
        self.call(a, Method::Get, &format!("/api/v1/documents/{id}"), None)
            .await
    }

    async fn submit(&self, a: &Agent, id: u64) -> Resp {
        let path = format!("/api/v1/documents/{id}/submit");
        self.call(a, Method::Post, &path, None).await
    }

    async fn post(&self, a: &Agent, id: u64, what: &str, body: Option<Value>) -> Resp {
        let path = format!("/api/v1/documents/{id}/{what}");
        self.call(a, Method::Post, &path, body).await
    }

    async fn list(&self, a: &Agent, query: &str) -> Vec<Value> {
        let r = self
            .call(a, Method::Get, &format!("/api/v1/documents?{query}"), None)
            .await;
        assert_eq!(r.status, Status::Ok, "{}", r.body);
        r.json()["items"].as_array().unwrap().clone()
    }

    /// Drafts and submits, then approves as carol, the clerk and dave; returns the id.
    async fn publish(&self, alice: &Agent, approvers: &[&Agent]) -> u64 {
        let id = self.create(alice, self.draft()).await;
        let r = self.submit(alice, id).await;
        assert_eq!(r.status, Status::Ok, "{}", r.body);
        let inst = r.json()["workflow_instance_id"].as_u64().unwrap();
        for a in approvers {
            self.wf.approve(a, inst).await;
        }
        id
    }

    fn audit_actions(&self) -> Vec<String> {
        self.wf
            .w
            .t
            .app
            .store()
            .read(|tx| oanode::store::audit::recent(tx, None, 200))
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect()
    }
}

#[rocket::async_test]
async fn draft_three_approvals_publication_distribution_receipts_and_revocation() {
    let d = Docs::new().await;
    let (alice, bob, carol) = (
        d.agent("alice").await,
        d.agent("bob").await,
        d.agent("carol").await,
    );
    let (clerk, dave, e2admin, erin) = (
        d.agent("clerk").await,
        d.agent("dave").await,
        d.agent("e2admin").await,
        d.agent("erin").await,
    );
    let id = d.create(&alice, d.draft()).await;

    // A draft is its author's alone: not the clerk's, not a colleague's.
    for who in [&bob, &clerk, &e2admin] {
        assert_eq!(d.get(who, id).await.status, Status::NotFound);
    }
    let mine = d.list(&alice, "box=sent").await;
    assert_eq!(mine[0]["status"], "draft");
    assert!(
        d.list(&clerk, &format!("box=sent&unit_id={}", d.wf.w.e1))
            .await
            .is_empty()
    );

    let r = d.submit(&alice, id).await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    let v = r.json();
    assert_eq!(v["status"], "in_review");
    let inst = v["workflow_instance_id"].as_u64().unwrap();
    // Under review: the author can no longer change it.
    let r = d
        .call(
            &alice,
            Method::Patch,
            &format!("/api/v1/documents/{id}"),
            Some(json!({"title": "改"})),
        )
        .await;
    assert_eq!(r.status, Status::Conflict, "{}", r.body);

    // Department head, then 行政办公室, then the issuer signs.
    d.wf.approve(&carol, inst).await;
    assert_eq!(
        d.get(&carol, id).await.status,
        Status::Ok,
        "an approver reads it"
    );
    d.wf.approve(&clerk, inst).await;
    assert_eq!(
        d.get(&e2admin, id).await.status,
        Status::NotFound,
        "not out yet"
    );
    d.wf.set_clock("2026-11-30T15:30:00+08:00");
    d.wf.approve(&dave, inst).await;

    let v = d.get(&alice, id).await.json();
    assert_eq!(v["status"], "published");
    assert_eq!(v["published_at"], "2026-11-30T07:30:00.000Z");
    assert_eq!(v["doc_number"], "示例能源〔2026〕1号");
    assert_eq!(v["recipients"], 2, "e2admin in E2, erin named in cc");
    assert!(
        v["permissions"]
            .as_array()
            .unwrap()
            .contains(&json!("receipts"))
    );

    // The recipient: 收文 unread first, the first view is the read, printing once.
    let inbox = d.list(&e2admin, "box=inbox").await;
    assert_eq!(
        (inbox[0]["id"].as_u64(), inbox[0]["read"].as_bool()),
        (Some(id), Some(false))
    );
    assert_eq!(d.list(&e2admin, "box=unacknowledged").await.len(), 1);
    let v = d.get(&e2admin, id).await.json();
    assert!(v["read_at"].is_string());
    let perms = v["permissions"].as_array().unwrap().clone();
    assert!(perms.contains(&json!("print")) && perms.contains(&json!("acknowledge")));
    assert_eq!(d.list(&e2admin, "box=inbox").await[0]["read"], true);
    let r = d.post(&e2admin, id, "prints", None).await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    assert_eq!(r.json()["copy_label"], "000001");
    let r = d.post(&e2admin, id, "prints", None).await;
    assert_eq!(r.status, Status::Conflict, "one copy allowed: {}", r.body);
    assert_eq!(r.json()["error"]["code"], "print_limit");

    // The cc reader may read but not print.
    let v = d.get(&erin, id).await.json();
    assert!(
        !v["permissions"]
            .as_array()
            .unwrap()
            .contains(&json!("print"))
    );
    assert_eq!(
        d.post(&erin, id, "prints", None).await.status,
        Status::Forbidden
    );

    // An outsider: 404 for the document and for the receipts; a recipient cannot see receipts.
    assert_eq!(d.get(&bob, id).await.status, Status::NotFound);
    let path = format!("/api/v1/documents/{id}/receipts");
    assert_eq!(
        d.call(&bob, Method::Get, &path, None).await.status,
        Status::NotFound
    );
    assert_eq!(
        d.call(&erin, Method::Get, &path, None).await.status,
        Status::Forbidden
    );

    // 签收, and the issuing side sees who did what.
    let r = d.post(&e2admin, id, "acknowledge", None).await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    assert!(r.json()["acknowledged_at"].is_string());
    assert!(d.list(&e2admin, "box=unacknowledged").await.is_empty());
    let s = d.call(&alice, Method::Get, &path, None).await.json();
    assert_eq!(
        (
            s["recipients"].as_u64(),
            s["read"].as_u64(),
            s["acknowledged"].as_u64()
        ),
        (Some(2), Some(2), Some(1))
    );
    assert_eq!(s["prints"], 1);
    // Erin has not acknowledged: she comes first, and a reminder reaches her only.
    assert_eq!(s["rows"][0]["user_id"].as_u64(), Some(d.wf.erin));
    let r = d.post(&alice, id, "remind", None).await;
    assert_eq!(r.json()["reminded"], 1);

    // Revocation: not by the drafter, yes by the clerk with a reason.
    let body = Some(json!({"reason": "内容有误，另行发文"}));
    assert_eq!(
        d.post(&alice, id, "revoke", body.clone()).await.status,
        Status::Forbidden
    );
    let r = d
        .post(&clerk, id, "revoke", Some(json!({"reason": " "})))
        .await;
    assert_eq!(r.status, Status::BadRequest);
    let r = d.post(&clerk, id, "revoke", body).await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    let v = d.get(&e2admin, id).await.json();
    assert_eq!(v["status"], "revoked");
    assert_eq!(v["revoke_reason"], "内容有误，另行发文");
    assert!(
        !v["permissions"]
            .as_array()
            .unwrap()
            .contains(&json!("print"))
    );

    // The archive: a reader's own copies, a clerk's unit's documents, nobody else's.
    let ids = |v: Vec<Value>| {
        v.iter()
            .filter_map(|i| i["id"].as_u64())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(d.list(&e2admin, "box=archive").await), vec![id]);
    assert_eq!(ids(d.list(&clerk, "box=archive&year=2026").await), vec![id]);
    assert!(d.list(&bob, "box=archive").await.is_empty());
    assert!(d.list(&e2admin, "box=archive&year=2025").await.is_empty());

    let actions = d.audit_actions();
    for a in [
        "document.publish",
        "document.print",
        "document.revoke",
        "document.remind",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} audited: {actions:?}");
    }
}

#[rocket::async_test]
async fn classified_documents_and_bad_input_are_refused_field_by_field() {
    let d = Docs::new().await;
    let alice = d.agent("alice").await;
    for c in ["secret", "confidential", "top_secret"] {
        let mut body = d.draft();
        body["classification"] = json!(c);
        let r = d
            .call(&alice, Method::Post, "/api/v1/documents", Some(body))
            .await;
        assert_eq!(r.status, Status::BadRequest, "{c}: {}", r.body);
        let msg = r.json()["error"]["fields"]["classification"].clone();
        assert!(msg.as_str().unwrap().contains("涉密"), "{msg}");
    }
    let mut body = d.draft();
    body["doc_type"] = json!("memo");
    body["title"] = json!("  ");
    body["to_units"] = json!([999_999]);
    body["date_written"] = json!("2026-13-01");
    let r = d
        .call(&alice, Method::Post, "/api/v1/documents", Some(body))
        .await;
    assert_eq!(r.status, Status::BadRequest);
    let f = &r.json()["error"]["fields"];
    for k in ["doc_type", "title", "to_units", "date_written"] {
        assert!(f[k].is_string(), "{k} refused: {f}");
    }
    // Nothing was kept.
    assert!(d.list(&alice, "box=sent").await.is_empty());
    // Submitting without recipients or issuer is refused beside those fields.
    let id = d
        .create(
            &alice,
            json!({"doc_type": "letter", "title": "关于商请支持的函"}),
        )
        .await;
    let r = d.submit(&alice, id).await;
    assert_eq!(r.status, Status::BadRequest);
    let f = &r.json()["error"]["fields"];
    assert!(
        f["to_units"].is_string() && f["issuer_id"].is_string() && f["body_html"].is_string(),
        "{f}"
    );
    assert_eq!(d.get(&alice, id).await.json()["status"], "draft");
    // Someone else's draft: 404 to change, 404 to submit.
    let bob = d.agent("bob").await;
    let path = format!("/api/v1/documents/{id}");
    let r = d
        .call(&bob, Method::Patch, &path, Some(json!({"title": "x"})))
        .await;
    assert_eq!(r.status, Status::NotFound);
    assert_eq!(d.submit(&bob, id).await.status, Status::NotFound);
    // The document template cannot be started by hand from 发起申请.
    let r =
        d.wf.submit(
            &alice,
            "document",
            json!({"title": "x", "doc_type": "notice", "document_id": id, "issuer": d.dave}),
        )
        .await;
    assert_eq!(r.status, Status::BadRequest, "{}", r.body);
}

#[rocket::async_test]
async fn returned_document_is_revised_and_resubmitted_and_withdrawn_goes_back_to_draft() {
    let d = Docs::new().await;
    let (alice, carol, clerk) = (
        d.agent("alice").await,
        d.agent("carol").await,
        d.agent("clerk").await,
    );
    let id = d.create(&alice, d.draft()).await;
    let inst = d.submit(&alice, id).await.json()["workflow_instance_id"]
        .as_u64()
        .unwrap();
    d.wf.approve(&carol, inst).await;
    // The clerk returns it to the drafter.
    let todo = d.wf.todo(&clerk).await;
    let task = todo[0]["id"].as_u64().unwrap();
    let r =
        d.wf.act(
            &clerk,
            task,
            "return",
            json!({"comment": "格式不规范，请修改"}),
        )
        .await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    assert_eq!(d.get(&alice, id).await.json()["status"], "returned");
    let r = d
        .call(
            &alice,
            Method::Patch,
            &format!("/api/v1/documents/{id}"),
            Some(json!({"title": "关于开展冬季安全生产大检查的通知（修改稿）"})),
        )
        .await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    let r = d.submit(&alice, id).await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    let v = r.json();
    assert_eq!(v["status"], "in_review");
    assert_eq!(
        v["workflow_instance_id"].as_u64(),
        Some(inst),
        "the same approval goes on"
    );

    // Withdrawn by the drafter before anyone acts: back to a draft.
    let id2 = d.create(&alice, d.draft()).await;
    let inst2 = d.submit(&alice, id2).await.json()["workflow_instance_id"]
        .as_u64()
        .unwrap();
    let path = format!("/api/v1/workflow/instances/{inst2}/withdraw");
    let r = d.call(&alice, Method::Post, &path, None).await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    assert_eq!(d.get(&alice, id2).await.json()["status"], "draft");
}

#[rocket::async_test]
async fn numbers_are_unique_and_gapless_under_concurrent_publication_and_reservations() {
    let d = Docs::new().await;
    let (alice, carol, clerk, dave) = (
        d.agent("alice").await,
        d.agent("carol").await,
        d.agent("clerk").await,
        d.agent("dave").await,
    );
    let e1 = d.wf.w.e1;
    // The clerk sets the unit's 机关代字 and reserves two numbers for paper documents.
    let r = d
        .call(
            &clerk,
            Method::Put,
            &format!("/api/v1/documents/numbering/{e1}"),
            Some(json!({"prefix": "示例能源发"})),
        )
        .await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    let r = d
        .call(
            &clerk,
            Method::Post,
            &format!("/api/v1/documents/numbering/{e1}/reserve"),
            Some(json!({"count": 2, "reason": "纸质发文"})),
        )
        .await;
    assert_eq!(r.status, Status::Created, "{}", r.body);
    assert_eq!(
        r.json()["numbers"],
        json!(["示例能源发〔2026〕1号", "示例能源发〔2026〕2号"])
    );
    // Not a clerk: refused.
    let r = d
        .call(
            &alice,
            Method::Post,
            &format!("/api/v1/documents/numbering/{e1}/reserve"),
            Some(json!({"count": 1, "reason": "x"})),
        )
        .await;
    assert_eq!(r.status, Status::Forbidden);

    // Eight documents wait for the issuer; he signs them all at once.
    const N: usize = 8;
    let mut insts = Vec::new();
    let mut ids = Vec::new();
    for _ in 0..N {
        let id = d.create(&alice, d.draft()).await;
        let inst = d.submit(&alice, id).await.json()["workflow_instance_id"]
            .as_u64()
            .unwrap();
        d.wf.approve(&carol, inst).await;
        d.wf.approve(&clerk, inst).await;
        insts.push(inst);
        ids.push(id);
    }
    let todo = d.wf.todo(&dave).await;
    assert_eq!(todo.len(), N);
    let paths: Vec<String> = todo
        .iter()
        .map(|t| format!("/api/v1/workflow/tasks/{}/approve", t["id"]))
        .collect();
    let calls = paths
        .iter()
        .map(|p| d.wf.w.t.call(&dave, Method::Post, p, Some("{}")));
    for r in rocket::futures::future::join_all(calls).await {
        assert_eq!(r.status, Status::Ok, "{}", r.body);
    }
    let mut numbers = Vec::new();
    for id in &ids {
        numbers.push(
            d.get(&alice, *id).await.json()["doc_number"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    numbers.sort();
    let mut expected: Vec<String> = (3..3 + N)
        .map(|s| format!("示例能源发〔2026〕{s}号"))
        .collect();
    expected.sort();
    assert_eq!(numbers, expected);
    let n = d
        .call(
            &clerk,
            Method::Get,
            &format!("/api/v1/documents/numbering/{e1}"),
            None,
        )
        .await
        .json();
    assert_eq!(n["last_seq"], 2 + N as u64);
    assert_eq!(n["numbers"].as_array().unwrap().len(), 2 + N);
    assert_eq!(n["next_number"], format!("示例能源发〔2026〕{}号", 3 + N));
}

#[rocket::async_test]
async fn unacknowledged_copies_are_reminded_after_the_configured_working_days() {
    let d = Docs::new().await;
    // Published on Friday 4 December 2026 at 10:00; two working days later is Tuesday 10:00.
    d.wf.set_clock("2026-12-04T10:00:00+08:00");
    let (alice, carol, clerk, dave, e2admin) = (
        d.agent("alice").await,
        d.agent("carol").await,
        d.agent("clerk").await,
        d.agent("dave").await,
        d.agent("e2admin").await,
    );
    let id = d.publish(&alice, &[&carol, &clerk, &dave]).await;
    d.post(&e2admin, id, "acknowledge", None).await;
    let app = &d.wf.w.t.app;
    d.wf.set_clock("2026-12-08T09:59:00+08:00");
    assert_eq!(
        oanode::documents::service::receipts::remind_due(app).unwrap(),
        0
    );
    d.wf.set_clock("2026-12-08T10:00:01+08:00");
    assert_eq!(
        oanode::documents::service::receipts::remind_due(app).unwrap(),
        1,
        "erin only"
    );
    assert_eq!(
        oanode::documents::service::receipts::remind_due(app).unwrap(),
        0,
        "once"
    );
    let erin = d.agent("erin").await;
    let inbox = d
        .call(&erin, Method::Get, "/api/v1/inbox", None)
        .await
        .json();
    let kinds: Vec<&str> = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["kind"].as_str())
        .collect();
    assert!(
        kinds.contains(&"reminder") && kinds.contains(&"document"),
        "{kinds:?}"
    );
}

#[rocket::async_test]
async fn published_documents_are_found_only_by_their_readers() {
    let d = Docs::new().await;
    let (alice, carol, clerk, dave) = (
        d.agent("alice").await,
        d.agent("carol").await,
        d.agent("clerk").await,
        d.agent("dave").await,
    );
    let id = d.publish(&alice, &[&carol, &clerk, &dave]).await;
    let app = &d.wf.w.t.app;
    app.search().catch_up().unwrap();
    let q = oanode::search::query::SearchQuery {
        text: "安全生产".into(),
        kinds: vec!["document".into()],
        order: Default::default(),
        offset: 0,
        limit: 10,
        ..Default::default()
    };
    let terms = |user: u64| vec!["all".to_string(), format!("user:{user}")];
    let found = app.search().search(&q, &terms(d.wf.w.e2_admin)).unwrap();
    assert_eq!(found.total, 1);
    assert_eq!(found.hits[0].url, format!("/documents/{id}"));
    let bob = d.wf.w.bob;
    assert_eq!(app.search().search(&q, &terms(bob)).unwrap().total, 0);
}

fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", urlencode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[rocket::async_test]
async fn pages_draft_read_print_with_watermark_and_refuse_what_they_must() {
    use crate::common::{page, post};
    let d = Docs::new().await;
    let w = &d.wf.w;
    let (alice, carol, clerk, dave, e2admin, erin, bob) = (
        d.agent("alice").await,
        d.agent("carol").await,
        d.agent("clerk").await,
        d.agent("dave").await,
        d.agent("e2admin").await,
        d.agent("erin").await,
        d.agent("bob").await,
    );
    // The editor: a classified document is refused beside its field, nothing kept.
    let e2 = w.e2.to_string();
    let mut fields = vec![
        ("direction", "outgoing"),
        ("doc_type", "notice"),
        ("title", "关于召开年度工作会议的通知"),
        ("classification", "secret"),
        ("urgency", "normal"),
        ("issuer", "dave"),
        ("to_units", e2.as_str()),
        ("cc_users", "erin"),
        ("print_mode", "users"),
        ("print_users", "e2admin"),
        ("print_limit", "2"),
        (
            "body_html",
            "<p>定于下周召开年度工作会议。</p><script>alert(1)</script>",
        ),
        ("submit", "1"),
    ];
    let r = post(w, &alice, "/documents/new", &form(&fields), false).await;
    assert_eq!(r.status, Status::BadRequest);
    assert!(
        r.body.contains("涉密公文"),
        "the refusal is shown: {}",
        r.body
            .split("field-error")
            .skip(1)
            .map(|s| &s[..s.len().min(200)])
            .collect::<Vec<_>>()
            .join(" || ")
    );
    assert!(
        r.body.contains("关于召开年度工作会议的通知"),
        "what was typed is kept"
    );
    assert!(d.list(&alice, "box=sent").await.is_empty());
    // A forged token changes nothing.
    fields[3] = ("classification", "internal");
    let r = post(w, &alice, "/documents/new", &form(&fields), true).await;
    assert_eq!(r.status, Status::Forbidden);
    assert!(d.list(&alice, "box=sent").await.is_empty());
    // Saved and submitted at once; the script is gone from the body.
    let r = post(w, &alice, "/documents/new", &form(&fields), false).await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    let id = d.list(&alice, "box=sent").await[0]["id"].as_u64().unwrap();
    let v = d.get(&alice, id).await.json();
    assert_eq!(v["status"], "in_review");
    assert!(!v["body_html"].as_str().unwrap().contains("script"));
    let inst = v["workflow_instance_id"].as_u64().unwrap();
    for a in [&carol, &clerk, &dave] {
        d.wf.approve(a, inst).await;
    }

    // The recipient's 收文 page lists it; the document page shows it with the watermark.
    let r = page(w, &e2admin, "/documents").await;
    assert_eq!(r.status, Status::Ok);
    assert!(r.body.contains("关于召开年度工作会议的通知"));
    let r = page(w, &e2admin, &format!("/documents/{id}")).await;
    assert_eq!(r.status, Status::Ok);
    assert!(
        r.body.contains("class=\"watermark\"") && r.body.contains("e2admin"),
        "watermarked"
    );
    assert!(r.body.contains("id=\"acknowledge\"") && r.body.contains("id=\"print\""));
    // Print: the view and a copy with its number, for the one allowed to; 403 for erin.
    let r = page(w, &e2admin, &format!("/documents/{id}/print")).await;
    assert_eq!(r.status, Status::Ok);
    assert!(r.body.contains("red-head") && r.body.contains("示例能源〔2026〕1号"));
    let r = post(w, &e2admin, &format!("/documents/{id}/print"), "", false).await;
    assert_eq!(r.status, Status::Ok);
    assert!(r.body.contains("data-autoprint") && r.body.contains("000001"));
    assert_eq!(
        page(w, &erin, &format!("/documents/{id}/print"))
            .await
            .status,
        Status::Forbidden
    );
    let r = post(w, &erin, &format!("/documents/{id}/print"), "", false).await;
    assert_eq!(r.status, Status::Forbidden);
    // 签收 from the page.
    let r = post(
        w,
        &e2admin,
        &format!("/documents/{id}/acknowledge"),
        "",
        false,
    )
    .await;
    assert_eq!(r.status, Status::SeeOther);
    assert!(d.get(&e2admin, id).await.json()["acknowledged_at"].is_string());
    // Outsiders: 404 for the page, the print view and the receipts; the list does not show it.
    for path in [
        format!("/documents/{id}"),
        format!("/documents/{id}/print"),
        format!("/documents/{id}/receipts"),
    ] {
        assert_eq!(
            page(w, &bob, &path).await.status,
            Status::NotFound,
            "{path}"
        );
    }
    assert!(
        !page(w, &bob, "/documents?box=archive")
            .await
            .body
            .contains("年度工作会议")
    );
    // The drafter sees the receipts page.
    let r = page(w, &alice, &format!("/documents/{id}/receipts")).await;
    assert_eq!(r.status, Status::Ok);
    assert!(r.body.contains("receipts-table"));
}

#[rocket::async_test]
async fn incoming_documents_are_registered_by_a_clerk_instructed_by_a_leader_and_distributed() {
    let d = Docs::new().await;
    let (alice, clerk, dave, e2admin) = (
        d.agent("alice").await,
        d.agent("clerk").await,
        d.agent("dave").await,
        d.agent("e2admin").await,
    );
    let body = json!({
        "direction": "incoming",
        "doc_type": "notice",
        "title": "关于报送年度统计数据的通知",
        "doc_number": "市统字〔2026〕15号",
        "source": "市统计局",
        "received_date": "2026-11-27",
        "body_html": "<p>请于12月10日前报送。</p>",
        "issuer_id": d.dave,
        "to_units": [d.wf.w.e2]
    });
    // Only a clerk registers incoming documents.
    let r = d
        .call(
            &alice,
            Method::Post,
            "/api/v1/documents",
            Some(body.clone()),
        )
        .await;
    assert_eq!(r.status, Status::Forbidden);
    let id = d.create(&clerk, body).await;
    let r = d.submit(&clerk, id).await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    let inst = r.json()["workflow_instance_id"].as_u64().unwrap();
    // The leader instructs (批办) and it goes out with the sender's number.
    d.wf.approve(&dave, inst).await;
    let v = d.get(&e2admin, id).await.json();
    assert_eq!(v["status"], "published");
    assert_eq!(v["direction"], "incoming");
    assert_eq!(v["doc_number"], "市统字〔2026〕15号");
    assert_eq!(v["source"], "市统计局");
    // It took no number of the unit's own sequence.
    let n = d
        .call(
            &clerk,
            Method::Get,
            &format!("/api/v1/documents/numbering/{}", d.wf.w.e1),
            None,
        )
        .await
        .json();
    assert_eq!(n["last_seq"], 0);
}

#[rocket::async_test]
async fn attachments_go_to_the_documents_readers_only() {
    let d = Docs::new().await;
    let (alice, carol, clerk, dave, e2admin, bob) = (
        d.agent("alice").await,
        d.agent("carol").await,
        d.agent("clerk").await,
        d.agent("dave").await,
        d.agent("e2admin").await,
        d.agent("bob").await,
    );
    // The body is the file (JSON content type is what the test client sends; any type is kept).
    let r =
        d.wf.w
            .t
            .call(
                &alice,
                Method::Post,
                "/api/v1/documents/attachments?name=%E6%A3%80%E6%9F%A5%E8%A1%A8.txt",
                Some("检查表：一、消防；二、用电。"),
            )
            .await;
    assert_eq!(r.status, Status::Created, "{}", r.body);
    let file = r.json()["id"].as_u64().unwrap();
    let path = format!("/api/v1/documents/attachments/{file}");
    // Before it is attached: its uploader only.
    assert_eq!(
        d.call(&alice, Method::Get, &path, None).await.status,
        Status::Ok
    );
    assert_eq!(
        d.call(&bob, Method::Get, &path, None).await.status,
        Status::NotFound
    );
    // Someone else's upload cannot be attached to one's document.
    let mut body = d.draft();
    body["attachments"] = json!([file]);
    let r = d
        .call(&bob, Method::Post, "/api/v1/documents", Some(body.clone()))
        .await;
    assert_eq!(r.status, Status::BadRequest);
    let id = d.create(&alice, body).await;
    let inst = d.submit(&alice, id).await.json()["workflow_instance_id"]
        .as_u64()
        .unwrap();
    for a in [&carol, &clerk, &dave] {
        d.wf.approve(a, inst).await;
    }
    let v = d.get(&e2admin, id).await.json();
    assert_eq!(v["attachments"][0]["name"], "检查表.txt");
    let r = d.call(&e2admin, Method::Get, &path, None).await;
    assert_eq!(r.status, Status::Ok);
    assert!(r.body.contains("消防"));
    assert_eq!(
        d.call(&bob, Method::Get, &path, None).await.status,
        Status::NotFound
    );
    assert!(d.audit_actions().iter().any(|a| a == "document.download"));
}
