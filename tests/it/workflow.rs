//! Workflow through the API, as people use it: leave with its balance, deadlines on the working-day
//! calendar, delegation, withdraw, all-of steps decided concurrently, who may see what.

use rocket::http::{Method, Status};
use serde_json::{Value, json};

use crate::common::{Agent, PW, Resp, World};

/// The standard world plus reporting lines: alice → bob (manager) → carol (head of E1-OFF);
/// dave heads the enterprise E1; erin is a colleague with no part in anything.
pub struct Wf {
    pub w: World,
    pub carol: u64,
    pub erin: u64,
}

impl Wf {
    pub async fn new() -> Wf {
        let w = World::standard().await;
        let carol = w.t.add_user("carol", w.e1_dept, PW, &[]);
        let dave = w.t.add_user("dave", w.e1, PW, &[]);
        let erin = w.t.add_user("erin", w.e1_dept, PW, &[]);
        let wf = Wf { carol, erin, w };
        wf.set_manager(wf.w.alice, Some(wf.w.bob));
        wf.set_manager(wf.w.bob, Some(carol));
        wf.set_head(wf.w.e1_dept, carol);
        wf.set_head(wf.w.e1, dave);
        wf
    }

    pub fn set_manager(&self, user: u64, manager: Option<u64>) {
        let store = self.w.t.app.store();
        store
            .write(|tx| {
                let old = oanode::org::store::user_by_id_w(tx, user)?.unwrap();
                let mut u = old.clone();
                u.manager_id = manager;
                oanode::org::store::update_user(tx, &old, &u)
            })
            .unwrap();
        self.w.t.app.org_changed();
    }

    pub fn set_head(&self, unit: u64, head: u64) {
        self.w
            .t
            .app
            .store()
            .write(|tx| {
                let old = oanode::org::store::unit_by_id_w(tx, unit)?.unwrap();
                let mut u = old.clone();
                u.head_id = Some(head);
                oanode::org::store::update_unit(tx, &old, &u)
            })
            .unwrap();
        self.w.t.app.org_changed();
    }

    pub async fn agent(&self, login: &str) -> Agent {
        self.w.t.agent(login, PW).await
    }

    pub async fn call(&self, a: &Agent, m: Method, path: &str, body: Option<Value>) -> Resp {
        let body = body.map(|b| b.to_string());
        self.w.t.call(a, m, path, body.as_deref()).await
    }

    pub async fn submit(&self, a: &Agent, key: &str, form: Value) -> Resp {
        let body = json!({"template_key": key, "form": form});
        self.call(a, Method::Post, "/api/v1/workflow/instances", Some(body))
            .await
    }

    pub async fn todo(&self, a: &Agent) -> Vec<Value> {
        self.boxed(a, "todo").await
    }

    pub async fn boxed(&self, a: &Agent, which: &str) -> Vec<Value> {
        let r = self
            .call(
                a,
                Method::Get,
                &format!("/api/v1/workflow/tasks?box={which}"),
                None,
            )
            .await;
        assert_eq!(r.status, Status::Ok, "{}", r.body);
        r.json()["items"].as_array().unwrap().clone()
    }

    pub async fn act(&self, a: &Agent, task: u64, action: &str, body: Value) -> Resp {
        let path = format!("/api/v1/workflow/tasks/{task}/{action}");
        self.call(a, Method::Post, &path, Some(body)).await
    }

    /// Approves the one open task `a` holds on `instance`.
    pub async fn approve(&self, a: &Agent, instance: u64) -> Value {
        let todo = self.todo(a).await;
        let task = todo
            .iter()
            .find(|t| t["instance_id"] == json!(instance))
            .unwrap_or_else(|| panic!("{} has no task on {instance}: {todo:?}", a.login));
        let r = self
            .act(
                a,
                task["id"].as_u64().unwrap(),
                "approve",
                json!({"comment": "同意"}),
            )
            .await;
        assert_eq!(r.status, Status::Ok, "{}", r.body);
        r.json()
    }

    /// The instance as `who` sees it through the API.
    pub async fn instance(&self, who: &Agent, id: u64) -> Value {
        let path = format!("/api/v1/workflow/instances/{id}");
        let r = self.call(who, Method::Get, &path, None).await;
        assert_eq!(r.status, Status::Ok, "{}", r.body);
        r.json()
    }

    pub fn set_clock(&self, rfc3339: &str) {
        let t = chrono::DateTime::parse_from_rfc3339(rfc3339).unwrap();
        self.w.t.clock.set(t.timestamp_millis());
    }
}

/// The first timeline entry of `kind` in an instance view.
pub fn first_event(v: &Value, kind: &str) -> Value {
    v["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} in {v}"))
        .clone()
}

pub fn leave(kind: &str, from: &str, to: &str) -> Value {
    json!({"leave_type": kind, "start_date": from, "end_date": to, "reason": "家中有事"})
}

#[tokio::test]
async fn a_two_day_leave_is_approved_by_the_manager() {
    let wf = Wf::new().await;
    // carol is both alice's manager and the head of her department: she approves once.
    wf.set_manager(wf.w.alice, Some(wf.carol));
    let alice = wf.agent("alice").await;
    let carol = wf.agent("carol").await;
    let r = wf
        .submit(
            &alice,
            "leave",
            leave("personal", "2026-12-14", "2026-12-15"),
        )
        .await;
    assert_eq!(r.status, Status::Created, "{}", r.body);
    let inst = r.json();
    assert_eq!(inst["status"], "running");
    assert_eq!(inst["form"]["days"], 2);
    let id = inst["id"].as_u64().unwrap();
    let done = wf.approve(&carol, id).await;
    assert_eq!(done["status"], "approved", "{done}");
    let kinds: Vec<&str> = done["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "submitted",
            "step_started",
            "approved",
            "step_skipped",
            "completed"
        ]
    );
    assert!(wf.todo(&carol).await.is_empty());
    let mine = wf.boxed(&alice, "mine").await;
    assert_eq!(mine[0]["status"], "approved");
    assert_eq!(wf.boxed(&carol, "done").await.len(), 1);
}

#[tokio::test]
async fn a_five_day_annual_leave_goes_through_three_steps_and_uses_the_balance() {
    let wf = Wf::new().await;
    let (alice, bob, carol, dave) = (
        wf.agent("alice").await,
        wf.agent("bob").await,
        wf.agent("carol").await,
        wf.agent("dave").await,
    );
    let e1admin = wf.agent("e1admin").await;
    let e2admin = wf.agent("e2admin").await;
    let path = format!("/api/v1/leave/balances/{}/2026", wf.w.alice);
    // Only an administrator of alice's enterprise sets it; another enterprise's sees nothing.
    let r = wf
        .call(&alice, Method::Put, &path, Some(json!({"total": 30})))
        .await;
    assert_eq!(r.status, Status::Forbidden);
    let r = wf
        .call(&e2admin, Method::Put, &path, Some(json!({"total": 30})))
        .await;
    assert_eq!(r.status, Status::NotFound);
    let r = wf
        .call(&e1admin, Method::Put, &path, Some(json!({"total": 7})))
        .await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);

    // More than the balance is refused whole.
    let r = wf
        .submit(&alice, "leave", leave("annual", "2026-12-07", "2026-12-16"))
        .await;
    assert_eq!(r.status, Status::BadRequest, "{}", r.body);
    assert!(r.json()["error"]["fields"]["form.leave_type"].is_string());
    assert!(wf.boxed(&alice, "mine").await.is_empty());

    let r = wf
        .submit(&alice, "leave", leave("annual", "2026-12-07", "2026-12-11"))
        .await;
    assert_eq!(r.status, Status::Created, "{}", r.body);
    let id = r.json()["id"].as_u64().unwrap();
    let bal = wf.call(&alice, Method::Get, &path, None).await.json();
    assert_eq!(
        (bal["used"].as_u64(), bal["pending"].as_u64()),
        (Some(0), Some(5))
    );

    // Overlapping leave of the same person is refused.
    let r = wf
        .submit(&alice, "leave", leave("sick", "2026-12-11", "2026-12-14"))
        .await;
    assert_eq!(r.status, Status::BadRequest, "{}", r.body);
    assert!(r.json()["error"]["fields"]["form.start_date"].is_string());

    for who in [&bob, &carol] {
        assert_eq!(wf.approve(who, id).await["status"], "running");
    }
    let done = wf.approve(&dave, id).await;
    assert_eq!(done["status"], "approved");
    let bal = wf.call(&alice, Method::Get, &path, None).await.json();
    assert_eq!(
        (
            bal["total"].as_u64(),
            bal["used"].as_u64(),
            bal["pending"].as_u64()
        ),
        (Some(7), Some(5), Some(0))
    );
}

#[tokio::test]
async fn a_delegate_gets_new_tasks_and_acts_on_the_delegators_behalf() {
    let wf = Wf::new().await;
    let (alice, bob, erin) = (
        wf.agent("alice").await,
        wf.agent("bob").await,
        wf.agent("erin").await,
    );
    let r = wf
        .call(
            &bob,
            Method::Put,
            "/api/v1/me/delegation",
            Some(json!({"delegate_id": bob.user_id, "from": "2026-11-28", "to": "2026-12-05"})),
        )
        .await;
    assert_eq!(r.status, Status::BadRequest, "not to oneself");
    let r = wf
        .call(
            &bob,
            Method::Put,
            "/api/v1/me/delegation",
            Some(json!({"delegate_id": 999_999, "from": "2026-11-28", "to": "2026-12-05"})),
        )
        .await;
    assert_eq!(r.status, Status::BadRequest, "not to nobody");
    let r = wf
        .call(
            &bob,
            Method::Put,
            "/api/v1/me/delegation",
            Some(json!({"delegate_id": wf.erin, "from": "2026-11-28", "to": "2026-12-05"})),
        )
        .await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    assert_eq!(r.json()["active"], true);
    let form = json!({"title": "出差报销", "content": "请批示"});
    let id = wf.submit(&alice, "general_submission", form).await.json()["id"]
        .as_u64()
        .unwrap();
    assert!(wf.todo(&bob).await.is_empty());
    let todo = wf.todo(&erin).await;
    assert_eq!(todo[0]["on_behalf_of"]["id"], json!(wf.w.bob));
    let done = wf.approve(&erin, id).await;
    let approved = first_event(&done, "approved");
    assert_eq!(approved["actor"]["id"], json!(wf.erin));
    assert_eq!(approved["on_behalf_of"]["id"], json!(wf.w.bob));
    // bob sees what was done for him.
    let for_me = wf.boxed(&bob, "for_me").await;
    assert_eq!(for_me[0]["instance_id"], json!(id));
}

#[tokio::test]
async fn withdraw_is_refused_once_an_approver_acted() {
    let wf = Wf::new().await;
    let (alice, bob) = (wf.agent("alice").await, wf.agent("bob").await);
    let form = json!({"title": "申请", "content": "内容"});
    let first = wf
        .submit(&alice, "general_submission", form.clone())
        .await
        .json()["id"]
        .as_u64()
        .unwrap();
    let r = wf
        .call(
            &alice,
            Method::Post,
            &format!("/api/v1/workflow/instances/{first}/withdraw"),
            None,
        )
        .await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    assert_eq!(r.json()["status"], "withdrawn");
    assert!(wf.todo(&bob).await.is_empty(), "bob's task went with it");

    let r = wf
        .submit(&alice, "leave", leave("sick", "2026-12-07", "2026-12-11"))
        .await;
    let id = r.json()["id"].as_u64().unwrap();
    wf.approve(&bob, id).await;
    let path = format!("/api/v1/workflow/instances/{id}/withdraw");
    let r = wf.call(&alice, Method::Post, &path, None).await;
    assert_eq!(r.status, Status::Conflict, "{}", r.body);
    let r = wf.call(&bob, Method::Post, &path, None).await;
    assert_eq!(r.status, Status::Forbidden, "only the applicant withdraws");
    // 催办: the applicant only, and not twice within ten minutes.
    let urge = format!("/api/v1/workflow/instances/{id}/urge");
    let r = wf.call(&bob, Method::Post, &urge, None).await;
    assert_eq!(r.status, Status::Forbidden);
    let r = wf.call(&alice, Method::Post, &urge, None).await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    let r = wf.call(&alice, Method::Post, &urge, None).await;
    assert_eq!(r.status, Status::TooManyRequests);
    let v = wf.instance(&alice, id).await;
    assert_eq!(v["status"], "running");
}

#[tokio::test]
async fn an_all_of_step_approved_concurrently_records_each_approver_once() {
    let wf = Wf::new().await;
    let admin = wf.agent("gadmin").await;
    let template = json!({
        "key": "joint_review", "category": "综合", "name": "联合审核",
        "fields": [{"key": "title", "label": "标题", "kind": "text", "required": true}],
        "steps": [{"id": "joint", "name": "会签", "kind": "approval", "mode": "all_of",
                   "approvers": [{"type": "users", "ids": [wf.w.bob, wf.carol]}]}]
    });
    let r = wf
        .call(
            &admin,
            Method::Post,
            "/api/v1/workflow/templates",
            Some(template.clone()),
        )
        .await;
    assert_eq!(r.status, Status::Created, "{}", r.body);
    let alice = wf.agent("alice").await;
    let r = wf
        .call(
            &alice,
            Method::Post,
            "/api/v1/workflow/templates",
            Some(template),
        )
        .await;
    assert_eq!(r.status, Status::Forbidden, "only workflow administrators");
    let id = wf
        .submit(&alice, "joint_review", json!({"title": "联合审核一"}))
        .await
        .json()["id"]
        .as_u64()
        .unwrap();
    let (bob, carol) = (wf.agent("bob").await, wf.agent("carol").await);
    let tb = wf.todo(&bob).await[0]["id"].as_u64().unwrap();
    let tc = wf.todo(&carol).await[0]["id"].as_u64().unwrap();
    let (rb, rc) = tokio::join!(
        wf.act(&bob, tb, "approve", json!({})),
        wf.act(&carol, tc, "approve", json!({}))
    );
    assert_eq!(
        (rb.status, rc.status),
        (Status::Ok, Status::Ok),
        "{} {}",
        rb.body,
        rc.body
    );
    let v = wf.instance(&alice, id).await;
    assert_eq!(v["status"], "approved");
    let approvers: Vec<u64> = v["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "approved")
        .map(|e| e["actor"]["id"].as_u64().unwrap())
        .collect();
    assert_eq!(approvers.len(), 2);
    assert!(approvers.contains(&wf.w.bob) && approvers.contains(&wf.carol));
    // Approving again is a conflict, not a second record.
    let r = wf.act(&bob, tb, "approve", json!({})).await;
    assert_eq!(r.status, Status::Conflict);
}

#[tokio::test]
async fn outsiders_get_404_for_an_instance_and_its_attachments() {
    let wf = Wf::new().await;
    let (alice, bob, erin) = (
        wf.agent("alice").await,
        wf.agent("bob").await,
        wf.agent("erin").await,
    );
    let e2admin = wf.agent("e2admin").await;
    let mut req =
        wf.w.t
            .client
            .post("/api/v1/workflow/attachments?name=%E6%8A%A5%E5%91%8A.txt");
    req.add_header(rocket::http::Header::new(
        "Authorization",
        format!("Bearer {}", alice.token),
    ));
    let r = Resp::read(req.body("请批示的材料").dispatch().await).await;
    assert_eq!(r.status, Status::Created, "{}", r.body);
    let att = r.json()["id"].as_u64().unwrap();
    // Nobody else can attach alice's file.
    let r = wf
        .submit(
            &erin,
            "general_submission",
            json!({"title": "x", "content": "y", "attachments": [att]}),
        )
        .await;
    assert_eq!(r.status, Status::BadRequest);
    let r = wf
        .submit(
            &alice,
            "general_submission",
            json!({"title": "请示", "content": "见附件", "attachments": [att]}),
        )
        .await;
    assert_eq!(r.status, Status::Created, "{}", r.body);
    let id = r.json()["id"].as_u64().unwrap();
    let inst = format!("/api/v1/workflow/instances/{id}");
    let file = format!("/api/v1/workflow/attachments/{att}");
    for who in [&erin, &e2admin] {
        assert_eq!(
            wf.call(who, Method::Get, &inst, None).await.status,
            Status::NotFound
        );
        assert_eq!(
            wf.call(who, Method::Get, &file, None).await.status,
            Status::NotFound
        );
        let r = wf
            .call(
                who,
                Method::Post,
                &format!("{inst}/comment"),
                Some(json!({"comment": "?"})),
            )
            .await;
        assert_eq!(r.status, Status::NotFound);
    }
    let r = wf.call(&bob, Method::Get, &file, None).await;
    assert_eq!(r.status, Status::Ok);
    assert_eq!(r.body, "请批示的材料");
    assert!(
        r.header("Content-Disposition")
            .unwrap()
            .starts_with("attachment")
    );
    // bob's task is his own: erin may not act on it even knowing its id.
    let task = wf.todo(&bob).await[0]["id"].as_u64().unwrap();
    let r = wf.act(&erin, task, "approve", json!({})).await;
    assert_eq!(r.status, Status::NotFound);
    let r = wf.act(&alice, task, "approve", json!({})).await;
    assert_eq!(
        r.status,
        Status::Forbidden,
        "the applicant sees it but it is bob's task"
    );
}

#[tokio::test]
async fn an_invalid_form_is_refused_field_by_field_and_nothing_is_kept() {
    let wf = Wf::new().await;
    let alice = wf.agent("alice").await;
    let r = wf
        .submit(
            &alice,
            "leave",
            json!({"leave_type": "vacation", "start_date": "2026-13-01", "end_date": "2026-12-01", "foo": 1}),
        )
        .await;
    assert_eq!(r.status, Status::BadRequest, "{}", r.body);
    let fields = r.json()["error"]["fields"].clone();
    for k in [
        "form.leave_type",
        "form.start_date",
        "form.reason",
        "form.foo",
    ] {
        assert!(fields[k].is_string(), "{k} in {fields}");
    }
    assert!(wf.boxed(&alice, "mine").await.is_empty());
    assert!(wf.todo(&wf.agent("bob").await).await.is_empty());
    // End before start.
    let r = wf
        .submit(&alice, "leave", leave("sick", "2026-12-10", "2026-12-07"))
        .await;
    assert!(
        r.json()["error"]["fields"]["form.end_date"].is_string(),
        "{}",
        r.body
    );
    // Malformed JSON and unknown keys are refused whole.
    let r =
        wf.w.t
            .call(
                &alice,
                Method::Post,
                "/api/v1/workflow/instances",
                Some("{"),
            )
            .await;
    assert_eq!(r.status, Status::BadRequest);
    let r = wf
        .call(
            &alice,
            Method::Post,
            "/api/v1/workflow/instances",
            Some(json!({"template_key": "leave", "form": {}, "owner": 1})),
        )
        .await;
    assert_eq!(r.status, Status::BadRequest);
    // An unknown template is 404; a draft saves what is valid without the required fields.
    assert_eq!(
        wf.submit(&alice, "nope", json!({})).await.status,
        Status::NotFound
    );
    let r = wf
        .call(
            &alice,
            Method::Post,
            "/api/v1/workflow/instances",
            Some(json!({"template_key": "leave", "form": {"leave_type": "sick"}, "draft": true})),
        )
        .await;
    assert_eq!(r.status, Status::Created, "{}", r.body);
    assert_eq!(r.json()["status"], "draft");
}

#[tokio::test]
async fn a_return_goes_back_to_the_applicant_who_resubmits() {
    let wf = Wf::new().await;
    let (alice, bob) = (wf.agent("alice").await, wf.agent("bob").await);
    let form = json!({"title": "请示", "content": "初稿"});
    let id = wf.submit(&alice, "general_submission", form).await.json()["id"]
        .as_u64()
        .unwrap();
    let task = wf.todo(&bob).await[0]["id"].as_u64().unwrap();
    let long = "长".repeat(2001);
    let r = wf.act(&bob, task, "return", json!({"comment": long})).await;
    assert_eq!(
        r.status,
        Status::BadRequest,
        "an oversized comment changes nothing"
    );
    let r = wf
        .act(&bob, task, "return", json!({"comment": "请补充预算"}))
        .await;
    assert_eq!(r.json()["status"], "returned", "{}", r.body);
    let path = format!("/api/v1/workflow/instances/{id}");
    let r = wf
        .call(
            &alice,
            Method::Put,
            &path,
            Some(json!({"form": {"title": "请示", "content": "含预算"}, "submit": true})),
        )
        .await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    assert_eq!(r.json()["status"], "running");
    assert_eq!(r.json()["form"]["content"], "含预算");
    let again = wf.todo(&bob).await;
    assert_eq!(again.len(), 1);
    assert_ne!(again[0]["id"].as_u64().unwrap(), task);
}

#[tokio::test]
async fn a_leaver_s_open_tasks_move_to_their_manager_at_once() {
    let wf = Wf::new().await;
    let (alice, carol) = (wf.agent("alice").await, wf.agent("carol").await);
    let e1admin = wf.agent("e1admin").await;
    let form = json!({"title": "请示", "content": "内容"});
    let id = wf.submit(&alice, "general_submission", form).await.json()["id"]
        .as_u64()
        .unwrap();
    let r = wf
        .call(
            &e1admin,
            Method::Post,
            &format!("/api/v1/users/{}/disable", wf.w.bob),
            None,
        )
        .await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    let todo = wf.todo(&carol).await;
    assert_eq!(todo[0]["instance_id"], json!(id));
    let v = wf.instance(&alice, id).await;
    let moved = first_event(&v, "reassigned");
    assert_eq!(moved["reason"], "workflow.reason.departed");
    assert_eq!(moved["target"]["id"], json!(wf.carol));
}
