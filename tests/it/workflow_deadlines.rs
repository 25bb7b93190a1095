//! Deadlines on the working-day calendar: one working day across a weekend and a holiday, a
//! make-up workday, half-time reminders, overdue notices with escalation, and a calendar change
//! moving the deadlines of open tasks.

use rocket::http::{Method, Status};
use serde_json::json;

use crate::common::Resp;
use crate::workflow::{Wf, leave};

#[tokio::test]
async fn a_step_is_due_one_working_day_later_across_a_weekend_and_a_holiday() {
    let wf = Wf::new().await;
    let (alice, bob) = (wf.agent("alice").await, wf.agent("bob").await);
    // Friday before Qingming: Saturday, Sunday and Monday 6 April are off.
    wf.set_clock("2026-04-03T10:00:00+08:00");
    let form = json!({"title": "关于采购打印机的请示", "content": "请批示"});
    let r = wf.submit(&alice, "general_submission", form.clone()).await;
    assert_eq!(r.status, Status::Created, "{}", r.body);
    let due = "2026-04-07T10:00:00+08:00";
    let todo = wf.todo(&bob).await;
    assert_eq!(todo[0]["due_at"], due);
    assert_eq!(todo[0]["overdue"], false);
    wf.set_clock("2026-04-07T09:59:59+08:00");
    assert_eq!(wf.todo(&bob).await[0]["overdue"], false);
    wf.set_clock("2026-04-07T10:00:01+08:00");
    assert_eq!(wf.todo(&bob).await[0]["overdue"], true);
    let counts = wf
        .call(&bob, Method::Get, "/api/v1/workflow/counts", None)
        .await
        .json();
    assert_eq!(
        (counts["todo"].as_u64(), counts["overdue"].as_u64()),
        (Some(1), Some(1))
    );

    // A make-up Saturday is a working day: Friday 9 October + 1 = Saturday 10 October.
    wf.set_clock("2026-10-09T10:00:00+08:00");
    let r = wf.submit(&alice, "general_submission", form).await;
    let id = r.json()["id"].as_u64().unwrap();
    let todo = wf.todo(&bob).await;
    let t = todo.iter().find(|t| t["instance_id"] == json!(id)).unwrap();
    assert_eq!(t["due_at"], "2026-10-10T10:00:00+08:00");
    // …and leave counts it: Friday, Saturday (worked), Monday = 3 days.
    let r = wf
        .submit(
            &alice,
            "leave",
            leave("personal", "2026-10-09", "2026-10-12"),
        )
        .await;
    assert_eq!(r.json()["form"]["days"], 3, "{}", r.body);
}

#[tokio::test]
async fn reminders_overdue_notices_and_a_calendar_change_follow_the_deadline() {
    let wf = Wf::new().await;
    let kinds = |r: Resp| -> Vec<String> {
        r.json()["items"]
            .as_array()
            .unwrap_or_else(|| panic!("{}", r.body))
            .iter()
            .map(|i| i["kind"].as_str().unwrap().to_string())
            .collect()
    };
    let tick = || oanode::workflow::service::deadlines::tick(&wf.w.t.app).unwrap();
    // Sessions expire when idle, so people sign in again after each jump of the clock.
    wf.set_clock("2026-12-07T10:00:00+08:00"); // a Monday: due Tuesday 10:00, half time 22:00
    let alice = wf.agent("alice").await;
    let form = json!({"title": "请示", "content": "内容"});
    let id = wf.submit(&alice, "general_submission", form).await.json()["id"]
        .as_u64()
        .unwrap();
    wf.set_clock("2026-12-07T21:00:00+08:00");
    assert_eq!(tick().reminded, 0);
    wf.set_clock("2026-12-07T22:30:00+08:00");
    assert_eq!(tick().reminded, 1);
    assert_eq!(tick().reminded, 0, "once");
    let bob = wf.agent("bob").await;
    let inbox = wf.call(&bob, Method::Get, "/api/v1/inbox", None).await;
    assert_eq!(kinds(inbox)[0], "reminder");

    // The group makes Tuesday a holiday: the deadline moves to Wednesday.
    let admin = wf.agent("gadmin").await;
    let r = wf
        .call(
            &admin,
            Method::Put,
            "/api/v1/workdays/2026-12-08",
            Some(json!({"name": "临时休假", "off": true})),
        )
        .await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    let todo = wf.todo(&bob).await;
    assert_eq!(todo[0]["due_at"], "2026-12-09T10:00:00+08:00");
    wf.set_clock("2026-12-08T10:00:01+08:00");
    assert_eq!(tick().overdue, 0, "not overdue on the new holiday");
    wf.set_clock("2026-12-09T10:00:01+08:00");
    assert_eq!(tick().overdue, 1);
    let bob = wf.agent("bob").await;
    assert_eq!(
        kinds(wf.call(&bob, Method::Get, "/api/v1/inbox", None).await)[0],
        "overdue"
    );
    // bob's manager hears of it too (escalation is on by default).
    let carol = wf.agent("carol").await;
    let theirs = kinds(wf.call(&carol, Method::Get, "/api/v1/inbox", None).await);
    assert!(theirs.contains(&"overdue".to_string()), "{theirs:?}");
    let alice = wf.agent("alice").await;
    let v = wf.instance(&alice, id).await;
    assert_eq!(v["current_steps"][0]["tasks"][0]["overdue"], true);
}
