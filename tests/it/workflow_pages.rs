//! The workflow pages as a browser uses them: a leave request filled in on its form, approved
//! from the instance page, the todo center's tabs, the delegation settings; refusals included.

use rocket::http::Status;

use crate::common::{PW, World, page, post};

fn set_manager(w: &World, user: u64, manager: u64) {
    w.t.app
        .store()
        .write(|tx| {
            let old = oanode::org::store::user_by_id_w(tx, user)?.unwrap();
            let mut u = old.clone();
            u.manager_id = Some(manager);
            oanode::org::store::update_user(tx, &old, &u)
        })
        .unwrap();
    w.t.app.org_changed();
}

fn id_after(body: &str, prefix: &str) -> u64 {
    let at = body
        .find(prefix)
        .unwrap_or_else(|| panic!("{prefix} in {body}"))
        + prefix.len();
    body[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap()
}

#[rocket::async_test]
async fn a_leave_request_is_filled_in_approved_and_listed() {
    let w = World::standard().await;
    set_manager(&w, w.alice, w.bob);
    let alice = w.t.agent("alice", PW).await;
    let bob = w.t.agent("bob", PW).await;

    let choose = page(&w, &alice, "/workflow/new").await;
    assert_eq!(choose.status, Status::Ok);
    for key in [
        "leave",
        "general_submission",
        "issue_report",
        "permission_change",
    ] {
        assert!(
            choose.body.contains(&format!("/workflow/new/{key}")),
            "{key}"
        );
    }
    let form = page(&w, &alice, "/workflow/new/leave").await;
    assert!(form.body.contains(r#"name="f.leave_type""#) && form.body.contains("病假"));

    // A mistake comes back with its reason beside the field, and nothing is created.
    let r = post(
        &w,
        &alice,
        "/workflow/new/leave",
        "f.leave_type=sick&f.start_date=2026-12-09&f.end_date=2026-12-07&f.reason=&action=submit",
        false,
    )
    .await;
    assert_eq!(r.status, Status::BadRequest);
    assert!(r.body.contains("结束日期不能早于开始日期") && r.body.contains("此项必填"));
    assert!(
        page(&w, &alice, "/workflow?box=mine")
            .await
            .body
            .contains("您还没有发起过申请")
    );

    let r = post(
        &w,
        &alice,
        "/workflow/new/leave",
        "f.leave_type=sick&f.start_date=2026-12-07&f.end_date=2026-12-08&f.reason=%E7%9C%8B%E7%97%85&action=submit",
        false,
    )
    .await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    let to = r.header("Location").unwrap().to_string();
    let id = id_after(&to, "/workflow/instances/");
    let mine = page(&w, &alice, &to).await;
    assert!(mine.body.contains("已提交，等待审批") && mine.body.contains("看病"));

    // bob sees it in his todo list and approves it from the instance page.
    let todo = page(&w, &bob, "/workflow").await;
    assert!(todo.body.contains(&format!("/workflow/instances/{id}")));
    assert!(
        todo.body.contains(r#"id="nav-badge-workflow">1<"#),
        "the navigation counts bob's open task"
    );
    assert!(
        !page(&w, &alice, "/")
            .await
            .body
            .contains("nav-badge-workflow")
    );
    let inst = page(&w, &bob, &format!("/workflow/instances/{id}")).await;
    let task = id_after(&inst.body, "/workflow/tasks/");
    let forged = post(
        &w,
        &bob,
        &format!("/workflow/tasks/{task}/approve"),
        "comment=ok",
        true,
    )
    .await;
    assert_eq!(forged.status, Status::Forbidden);
    let r = post(
        &w,
        &bob,
        &format!("/workflow/tasks/{task}/approve"),
        "comment=%E5%90%8C%E6%84%8F",
        false,
    )
    .await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    let done = page(&w, &bob, &format!("/workflow/instances/{id}")).await;
    assert!(done.body.contains("同意"));
    // The department has no head here, so its step falls to the group's administrators rather
    // than waiting on nobody.
    let mine = page(&w, &alice, "/workflow?box=mine").await;
    assert!(
        mine.body.contains(&format!("/workflow/instances/{id}")) && mine.body.contains("审批中")
    );
    let gadmin = w.t.agent("gadmin", PW).await;
    assert!(
        page(&w, &gadmin, "/workflow")
            .await
            .body
            .contains(&format!("/workflow/instances/{id}"))
    );

    // Acting twice is refused with a message, not a crash.
    let again = post(
        &w,
        &bob,
        &format!("/workflow/tasks/{task}/approve"),
        "comment=",
        false,
    )
    .await;
    assert_eq!(again.status, Status::BadRequest);
    // An outsider sees nothing.
    let e2 = w.t.agent("e2admin", PW).await;
    assert_eq!(
        page(&w, &e2, &format!("/workflow/instances/{id}"))
            .await
            .status,
        Status::NotFound
    );
}

#[rocket::async_test]
async fn delegation_is_set_and_ended_in_personal_settings() {
    let w = World::standard().await;
    let bob = w.t.agent("bob", PW).await;
    let p = page(&w, &bob, "/settings/delegation").await;
    assert_eq!(p.status, Status::Ok);
    assert!(p.body.contains("未设置代理"));
    let r = post(
        &w,
        &bob,
        "/settings/delegation",
        "delegate=nobody&from=2026-11-28&to=2026-12-01",
        false,
    )
    .await;
    assert_eq!(r.status, Status::BadRequest);
    assert!(r.body.contains("找不到这个人员"));
    let r = post(
        &w,
        &bob,
        "/settings/delegation",
        "delegate=alice&from=2026-11-28&to=2026-12-01&categories=%E4%BA%BA%E4%BA%8B",
        false,
    )
    .await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    let p = page(&w, &bob, "/settings/delegation").await;
    assert!(p.body.contains("生效中") && p.body.contains("用户alice") && p.body.contains("人事"));
    let r = post(&w, &bob, "/settings/delegation/clear", "", false).await;
    assert_eq!(r.status, Status::SeeOther);
    assert!(
        page(&w, &bob, "/settings/delegation")
            .await
            .body
            .contains("未设置代理")
    );
}
