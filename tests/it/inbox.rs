//! 消息中心: notifications written by a feature inside its transaction, read by their owner only,
//! through the API, the page and the live event stream.

use std::time::Duration;

use oanode::inbox::Kind;
use oanode::inbox::service::{KEEP_PER_USER, NewNotification, notify};
use rocket::http::{ContentType, Cookie, Header, Method, Status};
use rocket::local::asynchronous::LocalResponse;
use tokio::io::AsyncReadExt;

use crate::common::{Agent, PW, Resp, SESSION, TestApp, World, page};

fn new(user_id: u64, kind: Kind, subject: &str, link: &str) -> NewNotification {
    NewNotification {
        user_id,
        kind,
        subject: subject.into(),
        note: String::new(),
        link: link.into(),
        actor_id: None,
        actor_name: "张伟".into(),
    }
}

/// What a feature does: notify inside its write transaction, announce after the commit.
fn send(t: &TestApp, n: NewNotification) -> u64 {
    let user = n.user_id;
    let id = t
        .app
        .store()
        .write(|tx| notify(tx, t.app.now_ms(), &n))
        .expect("notify");
    t.app.inbox_announce(&[user]);
    id
}

fn ids(v: &serde_json::Value) -> Vec<u64> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_u64().unwrap())
        .collect()
}

async fn count(w: &World, who: &Agent) -> u64 {
    let r =
        w.t.call(who, Method::Get, "/api/v1/inbox/unread-count", None)
            .await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    r.json()["unread"].as_u64().unwrap()
}

fn check_clean(t: &TestApp) {
    let report = oanode::check::run(t.app.store()).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}

#[rocket::async_test]
async fn each_person_reads_only_their_own_newest_first_page_by_page() {
    let w = World::standard().await;
    let mut mine = Vec::new();
    for i in 1..=5 {
        w.t.clock.advance(60_000);
        mine.push(send(
            &w.t,
            new(
                w.alice,
                Kind::Task,
                &format!("请假单 · {i}"),
                "/workflow/instances/1",
            ),
        ));
    }
    let bobs = send(&w.t, new(w.bob, Kind::Cc, "通知 · 抄送", "/"));
    let alice = w.t.agent("alice", PW).await;
    let bob = w.t.agent("bob", PW).await;

    let r =
        w.t.call(&alice, Method::Get, "/api/v1/inbox?limit=2", None)
            .await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    let first = r.json();
    assert_eq!(ids(&first), [mine[4], mine[3]]);
    assert_eq!(first["unread"], 5);
    let item = &first["items"][0];
    assert_eq!(item["kind"], "task");
    assert_eq!(item["subject"], "请假单 · 5");
    assert_eq!(item["link"], "/workflow/instances/1");
    assert_eq!(item["actor_name"], "张伟");
    assert_eq!(item["note"], "");
    assert_eq!(item["read"], false);
    assert!(
        item["created_at"].as_str().unwrap().ends_with("+08:00"),
        "{item}"
    );
    let mut seen = ids(&first);
    let mut cursor = first["next_cursor"].as_str().expect("more").to_string();
    loop {
        let r =
            w.t.call(
                &alice,
                Method::Get,
                &format!("/api/v1/inbox?limit=2&cursor={cursor}"),
                None,
            )
            .await;
        let v = r.json();
        seen.extend(ids(&v));
        match v["next_cursor"].as_str() {
            Some(c) => cursor = c.to_string(),
            None => break,
        }
    }
    let newest_first: Vec<u64> = mine.iter().rev().copied().collect();
    assert_eq!(seen, newest_first, "every item once, newest first");

    let r = w.t.call(&bob, Method::Get, "/api/v1/inbox", None).await;
    assert_eq!(ids(&r.json()), [bobs]);
    assert_eq!(r.json()["items"][0]["kind"], "cc");

    // The unread tab leaves out what was read.
    let path = format!("/api/v1/inbox/{}/read", mine[2]);
    let read = w.t.call(&alice, Method::Post, &path, None).await;
    assert_eq!(read.json()["unread"], 4);
    let r =
        w.t.call(&alice, Method::Get, "/api/v1/inbox?unread=true", None)
            .await;
    assert_eq!(ids(&r.json()), [mine[4], mine[3], mine[1], mine[0]]);
    let all =
        w.t.call(&alice, Method::Get, "/api/v1/inbox", None)
            .await
            .json();
    assert_eq!(all["items"][2]["read"], true);

    let r =
        w.t.call(&alice, Method::Get, "/api/v1/inbox?cursor=zz", None)
            .await;
    assert_eq!(r.status, Status::BadRequest);
    assert!(r.json()["error"]["fields"]["cursor"].is_string());
}

#[rocket::async_test]
async fn marking_read_counts_down_and_another_persons_item_is_not_found() {
    let w = World::standard().await;
    let a: Vec<u64> = (0..3)
        .map(|i| send(&w.t, new(w.alice, Kind::Urged, &format!("催办 {i}"), "/")))
        .collect();
    let bobs = send(&w.t, new(w.bob, Kind::Task, "报销单", "/"));
    let alice = w.t.agent("alice", PW).await;
    let bob = w.t.agent("bob", PW).await;
    assert_eq!(count(&w, &alice).await, 3);

    let path = format!("/api/v1/inbox/{}/read", a[0]);
    let r = w.t.call(&alice, Method::Post, &path, None).await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    assert_eq!(r.json()["unread"], 2);
    let again = w.t.call(&alice, Method::Post, &path, None).await;
    assert_eq!(again.json()["unread"], 2, "reading twice changes nothing");

    // Bob's item, and an id that does not exist: 404, and nothing changed.
    for id in [bobs, 999_999] {
        let r =
            w.t.call(
                &alice,
                Method::Post,
                &format!("/api/v1/inbox/{id}/read"),
                None,
            )
            .await;
        assert_eq!(r.status, Status::NotFound, "{id}");
        assert_eq!(r.json()["error"]["code"], "not_found");
    }
    assert_eq!(count(&w, &bob).await, 1);
    let theirs =
        w.t.call(&bob, Method::Get, "/api/v1/inbox", None)
            .await
            .json();
    assert_eq!(theirs["items"][0]["read"], false);
    assert_eq!(count(&w, &alice).await, 2);

    let r =
        w.t.call(&alice, Method::Post, "/api/v1/inbox/read-all", None)
            .await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    assert_eq!(r.json(), serde_json::json!({"marked": 2}));
    assert_eq!(count(&w, &alice).await, 0);
    assert_eq!(count(&w, &bob).await, 1, "only one's own");
    let r =
        w.t.call(&alice, Method::Post, "/api/v1/inbox/read-all", None)
            .await;
    assert_eq!(r.json()["marked"], 0);
    check_clean(&w.t);
}

#[rocket::async_test]
async fn a_person_keeps_their_newest_thousand() {
    let w = World::standard().await;
    let first =
        w.t.app
            .store()
            .write(|tx| {
                let mut first = 0;
                for i in 0..KEEP_PER_USER + 5 {
                    let id = notify(
                        tx,
                        oanode::clock::Clock::now_ms(&w.t.clock) + i as i64,
                        &new(w.alice, Kind::Reminder, &format!("第 {i} 条"), "/"),
                    )?;
                    if i == 0 {
                        first = id;
                    }
                }
                Ok(first)
            })
            .unwrap();
    send(&w.t, new(w.bob, Kind::Task, "别人的", "/"));
    let alice = w.t.agent("alice", PW).await;
    assert_eq!(count(&w, &alice).await, KEEP_PER_USER);
    let mut seen = Vec::new();
    let mut path = "/api/v1/inbox?limit=100".to_string();
    loop {
        let v = w.t.call(&alice, Method::Get, &path, None).await.json();
        seen.extend(ids(&v));
        match v["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/inbox?limit=100&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen.len() as u64, KEEP_PER_USER);
    assert_eq!(*seen.last().unwrap(), first + 5, "the five oldest went");
    assert_eq!(seen[0], first + KEEP_PER_USER + 4, "the newest is kept");
    let bob = w.t.agent("bob", PW).await;
    assert_eq!(count(&w, &bob).await, 1, "another's inbox is untouched");
    check_clean(&w.t);
}

#[rocket::async_test]
async fn a_refused_notification_fails_the_callers_whole_transaction() {
    let w = World::standard().await;
    let bad_link = w.t.app.store().write(|tx| {
        notify(tx, 1, &new(w.alice, Kind::Task, "好的", "/ok"))?;
        notify(
            tx,
            1,
            &new(w.alice, Kind::Task, "坏的", "https://evil.example/"),
        )
    });
    match bad_link {
        Err(oanode::error::Error::Validation(f)) => {
            assert_eq!(f.get("link").map(String::as_str), Some("error.inbox.link"))
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    let nobody =
        w.t.app
            .store()
            .write(|tx| notify(tx, 1, &new(999_999, Kind::Task, "给谁", "/")));
    assert!(matches!(nobody, Err(oanode::error::Error::Validation(_))));
    let alice = w.t.agent("alice", PW).await;
    assert_eq!(
        count(&w, &alice).await,
        0,
        "the good one was not kept either"
    );
    let list =
        w.t.call(&alice, Method::Get, "/api/v1/inbox", None)
            .await
            .json();
    assert!(ids(&list).is_empty());
}

#[rocket::async_test]
async fn nobody_signed_in_is_refused_and_a_read_token_only_reads() {
    let w = World::standard().await;
    for path in [
        "/api/v1/inbox",
        "/api/v1/inbox/unread-count",
        "/api/v1/inbox/stream",
    ] {
        assert_eq!(w.t.get(path).await.status, Status::Unauthorized, "{path}");
    }
    for path in ["/api/v1/inbox/1/read", "/api/v1/inbox/read-all"] {
        let r = w.t.client.post(path).dispatch().await;
        assert_eq!(r.status(), Status::Unauthorized, "{path}");
    }
    let page = w.t.get("/inbox").await;
    assert_eq!(page.status, Status::SeeOther);
    assert!(page.header("Location").unwrap().starts_with("/login"));

    let id = send(&w.t, new(w.group_admin, Kind::System, "系统维护", "/"));
    let ga = w.t.agent("gadmin", PW).await;
    let r =
        w.t.call(
            &ga,
            Method::Post,
            "/api/v1/tokens",
            Some(r#"{"name":"读消息","scope":"read","days":30}"#),
        )
        .await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    let reader = Agent {
        user_id: w.group_admin,
        login: "gadmin".into(),
        token: r.json()["token"].as_str().unwrap().into(),
    };
    let list = w.t.call(&reader, Method::Get, "/api/v1/inbox", None).await;
    assert_eq!(ids(&list.json()), [id]);
    let r =
        w.t.call(
            &reader,
            Method::Post,
            &format!("/api/v1/inbox/{id}/read"),
            None,
        )
        .await;
    assert_eq!(r.status, Status::Forbidden);
    assert_eq!(count(&w, &ga).await, 1);
}

/// The session's CSRF token, from a page's sign-out form.
fn csrf_of(page: &Resp) -> String {
    let start = page
        .body
        .find(r#"name="csrf" value=""#)
        .expect("csrf field")
        + 19;
    page.body[start..]
        .chars()
        .take_while(|c| *c != '"')
        .collect()
}

async fn post_form(w: &World, who: &Agent, path: &str, body: String) -> Resp {
    let r =
        w.t.client
            .post(path.to_string())
            .header(ContentType::Form)
            .cookie(Cookie::new(SESSION, who.token.clone()))
            .body(body)
            .dispatch()
            .await;
    Resp::read(r).await
}

/// The bell's badge: its text, and whether it is hidden.
fn bell(page: &Resp) -> (String, bool) {
    let start = page.body.find(r#"id="inbox-count""#).expect("the bell") + 16;
    let tag_end = start + page.body[start..].find('>').unwrap();
    let hidden = page.body[start..tag_end].contains("hidden");
    let text = page.body[tag_end + 1..]
        .chars()
        .take_while(|c| *c != '<')
        .collect();
    (text, hidden)
}

#[rocket::async_test]
async fn the_page_lists_opens_through_a_form_and_marks_all_read() {
    let w = World::standard().await;
    let alice = w.t.agent("alice", PW).await;
    let bob = w.t.agent("bob", PW).await;

    let home = page(&w, &alice, "/").await;
    assert_eq!(bell(&home), ("0".to_string(), true), "no badge at 0");
    let empty = page(&w, &alice, "/inbox").await;
    assert_eq!(empty.status, Status::Ok);
    assert!(empty.body.contains("暂无消息"), "{}", empty.body);
    assert!(
        empty
            .body
            .contains(r#"href="/inbox" class="nav-inbox active""#)
    );

    w.t.clock.advance(60_000);
    let first = send(
        &w.t,
        NewNotification {
            note: "请补充病假证明".into(),
            ..new(
                w.alice,
                Kind::Returned,
                "请假单 · 宋佳 · 2 天",
                "/directory?q=张伟",
            )
        },
    );
    w.t.clock.advance(60_000);
    let second = send(
        &w.t,
        new(w.alice, Kind::Approved, "出差申请 · 已通过", "/settings"),
    );
    let bobs = send(&w.t, new(w.bob, Kind::Task, "鲍勃的待办", "/"));

    let list = page(&w, &alice, "/inbox").await;
    assert_eq!(list.status, Status::Ok);
    assert_eq!(bell(&list), ("2".to_string(), false));
    let body = &list.body;
    assert!(body.contains("请假单 · 宋佳 · 2 天") && body.contains("请补充病假证明"));
    assert!(
        body.contains("被退回") && body.contains("已通过"),
        "kind labels"
    );
    assert!(!body.contains("鲍勃的待办"), "only one's own");
    assert!(
        body.find("出差申请").unwrap() < body.find("请假单").unwrap(),
        "newest first"
    );
    assert!(body.contains(&format!(r#"class="inbox-item unread" id="item-{first}""#)));
    let when = oanode::clock::local_minute(&w.t.app.tz(), crate::common::T0 + 120_000);
    assert!(when.ends_with("09:02"), "{when}");
    assert!(
        body.contains(&format!("<time>{when}</time>")),
        "local time: {body}"
    );
    let english =
        w.t.get_cookie(
            "/inbox",
            (SESSION, &alice.token),
            &[("Accept-Language", "en")],
        )
        .await;
    assert!(english.body.contains("Returned") && english.body.contains("Approved"));

    // Opening: a forged token changes nothing; the real one marks read and goes to the link.
    let csrf = csrf_of(&list);
    let open = format!("/inbox/{first}/open");
    let r = post_form(&w, &alice, &open, "csrf=forged".into()).await;
    assert_eq!(r.status, Status::Forbidden);
    assert_eq!(count(&w, &alice).await, 2);
    let r = post_form(&w, &alice, &open, format!("csrf={csrf}")).await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    assert_eq!(
        r.header("Location"),
        Some("/directory?q=%E5%BC%A0%E4%BC%9F")
    );
    assert_eq!(count(&w, &alice).await, 1);
    let r = post_form(
        &w,
        &alice,
        &format!("/inbox/{bobs}/open"),
        format!("csrf={csrf}"),
    )
    .await;
    assert_eq!(r.status, Status::NotFound, "another's item");

    let unread_tab = page(&w, &alice, "/inbox?tab=unread").await;
    assert!(unread_tab.body.contains(&format!(r#"id="item-{second}""#)));
    assert!(!unread_tab.body.contains(&format!(r#"id="item-{first}""#)));

    let r = post_form(&w, &alice, "/inbox/read-all", "csrf=forged".into()).await;
    assert_eq!(r.status, Status::Forbidden);
    let r = post_form(
        &w,
        &alice,
        "/inbox/read-all",
        format!("csrf={csrf}&tab=unread"),
    )
    .await;
    assert_eq!(r.status, Status::SeeOther);
    assert_eq!(r.header("Location"), Some("/inbox?tab=unread"));
    let after = page(&w, &alice, "/inbox?tab=unread").await;
    assert!(after.body.contains("没有未读消息"), "{}", after.body);
    assert_eq!(bell(&after), ("0".to_string(), true));
    assert_eq!(count(&w, &bob).await, 1, "bob's is still unread");
}

#[rocket::async_test]
async fn the_page_pages_back_through_older_items() {
    let w = World::standard().await;
    for i in 0..25 {
        w.t.clock.advance(1_000);
        send(
            &w.t,
            new(w.alice, Kind::Cc, &format!("抄送第{i:02}号"), "/"),
        );
    }
    let alice = w.t.agent("alice", PW).await;
    let first = page(&w, &alice, "/inbox").await;
    assert!(first.body.contains("抄送第24号") && !first.body.contains("抄送第04号"));
    let start = first
        .body
        .find(r#"<a href="/inbox?tab=all&#38;cursor="#)
        .unwrap_or_else(|| panic!("older link: {}", first.body))
        + 9;
    let href: String = first.body[start..]
        .chars()
        .take_while(|c| *c != '"')
        .collect::<String>()
        .replace("&#38;", "&");
    let older = page(&w, &alice, &href).await;
    assert_eq!(older.status, Status::Ok);
    assert!(older.body.contains("抄送第04号") && older.body.contains("抄送第00号"));
    assert!(!older.body.contains("抄送第05号"), "20 a page");
    assert!(!older.body.contains(r#"id="older""#), "the end");
    assert!(older.body.contains(r#"id="newest""#));
}

/// Reads the stream until one event (not a heartbeat comment) is complete; answers its lines.
async fn next_event(r: &mut LocalResponse<'_>, buf: &mut String) -> Vec<String> {
    let read = async {
        loop {
            while let Some(end) = buf.find("\n\n") {
                let block: Vec<String> = buf[..end]
                    .lines()
                    .filter(|l| !l.starts_with(':') && !l.is_empty())
                    .map(str::to_string)
                    .collect();
                buf.drain(..end + 2);
                if !block.is_empty() {
                    return block;
                }
            }
            let mut chunk = [0u8; 512];
            let n = r.read(&mut chunk).await.expect("read the stream");
            assert!(n > 0, "the stream ended");
            buf.push_str(std::str::from_utf8(&chunk[..n]).unwrap());
        }
    };
    // A guard against a hang, not a wait: each event is already on its way.
    tokio::time::timeout(Duration::from_secs(20), read)
        .await
        .expect("an event")
}

fn unread_of(event: &[String]) -> u64 {
    assert!(event.contains(&"event:unread".to_string()), "{event:?}");
    let data = event
        .iter()
        .find_map(|l| l.strip_prefix("data:"))
        .expect("data");
    serde_json::from_str::<serde_json::Value>(data).unwrap()["unread"]
        .as_u64()
        .unwrap()
}

#[rocket::async_test]
async fn the_stream_sends_the_count_then_each_change() {
    let w = World::standard().await;
    send(&w.t, new(w.alice, Kind::Task, "第一条", "/"));
    let alice = w.t.agent("alice", PW).await;

    let mut r =
        w.t.client
            .get("/api/v1/inbox/stream")
            .header(Header::new(
                "Authorization",
                format!("Bearer {}", alice.token),
            ))
            .dispatch()
            .await;
    assert_eq!(r.status(), Status::Ok);
    assert_eq!(r.content_type(), Some(ContentType::EventStream));
    assert_eq!(r.headers().get_one("X-Accel-Buffering"), Some("no"));
    let mut buf = String::new();
    let first = next_event(&mut r, &mut buf).await;
    assert_eq!(unread_of(&first), 1);
    assert!(first.iter().any(|l| l.starts_with("retry:")), "{first:?}");

    // Someone else's news wakes nobody here; one's own does.
    send(&w.t, new(w.bob, Kind::Task, "别人的", "/"));
    let id = send(&w.t, new(w.alice, Kind::Task, "第二条", "/"));
    assert_eq!(unread_of(&next_event(&mut r, &mut buf).await), 2);
    let read =
        w.t.call(
            &alice,
            Method::Post,
            &format!("/api/v1/inbox/{id}/read"),
            None,
        )
        .await;
    assert_eq!(read.status, Status::Ok);
    assert_eq!(unread_of(&next_event(&mut r, &mut buf).await), 1);
    drop(r);

    // The browser's way: the session cookie, no CSRF token needed for a GET.
    let mut r =
        w.t.client
            .get("/api/v1/inbox/stream")
            .cookie(Cookie::new(SESSION, alice.token.clone()))
            .dispatch()
            .await;
    assert_eq!(r.status(), Status::Ok);
    let mut buf = String::new();
    assert_eq!(unread_of(&next_event(&mut r, &mut buf).await), 1);
}
