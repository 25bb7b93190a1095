//! A leave request's whole life in a browser: 曹阳 (finance, E1) asks for two days of sick leave
//! on the form, 程红 (his manager and the department's head) approves it from her todo list, and
//! 曹阳 sees the result and the notification; at a desktop and a phone width.

use crate::harness::World;

const DEMO_PASSWORD: &str = "Demo2026";

/// Sets a form control's value as a person picking it would (date pickers and selects).
async fn set(w: &World, css: &str, value: &str) {
    w.js(&format!(
        "(function(){{var e=document.querySelector('{css}'); e.value='{value}'; e.dispatchEvent(new Event('change', {{bubbles:true}})); return true;}})()"
    ))
    .await;
}

async fn sign_out(w: &World) {
    w.click("#sign-out").await;
    w.wait_until("location.pathname === '/login'").await;
}

#[tokio::test]
async fn leave_is_requested_approved_and_reported_back() {
    let Some(w) = World::start_demo("leave_is_requested_approved_and_reported_back").await else {
        return;
    };
    w.sign_in("caoyang", DEMO_PASSWORD).await;
    w.click("a.nav-workflow").await;
    w.wait_until("location.pathname === '/workflow'").await;
    w.click("#start-request").await;
    w.wait_until("location.pathname === '/workflow/new'").await;
    w.screenshot("workflow-new-zh-desktop").await;
    w.click("#new-leave").await;
    w.wait_until("document.querySelector('#flow-form') !== null")
        .await;
    set(&w, "select[name=\"f.leave_type\"]", "sick").await;
    set(&w, "input[name=\"f.start_date\"]", "2026-12-14").await;
    set(&w, "input[name=\"f.end_date\"]", "2026-12-15").await;
    w.fill("textarea[name=\"f.reason\"]", "感冒发烧，需就医休息")
        .await;
    w.screenshot("workflow-leave-form-zh-desktop").await;
    w.click("#submit").await;
    w.wait_until("location.pathname.startsWith('/workflow/instances/')")
        .await;
    assert!(w.text("#instance-status").await.contains("审批中"));
    let instance = w.path().await;
    w.screenshot("workflow-leave-submitted-zh-desktop").await;
    sign_out(&w).await;

    w.sign_in("chenghong", DEMO_PASSWORD).await;
    assert!(
        w.text("#my-todos").await.contains("请假单"),
        "the workbench lists it"
    );
    w.click("a.nav-workflow").await;
    w.wait_until("location.pathname === '/workflow'").await;
    assert!(w.text("#task-list").await.contains("曹阳"));
    w.screenshot("workflow-todo-zh-desktop").await;
    w.click("#task-list a.task-title").await;
    w.wait_until("document.querySelector('#approve') !== null")
        .await;
    w.fill("#decide textarea[name=comment]", "同意，注意休息")
        .await;
    w.click("#approve").await;
    w.wait_until("location.search === '?done=approve'").await;
    assert!(w.text("#instance-status").await.contains("已通过"));
    assert!(w.text("#timeline").await.contains("同意，注意休息"));
    w.screenshot("workflow-approved-zh-desktop").await;
    sign_out(&w).await;

    w.sign_in("caoyang", DEMO_PASSWORD).await;
    w.goto("/inbox").await;
    w.wait_until("document.readyState === 'complete'").await;
    assert!(
        w.text("main").await.contains("请假单"),
        "the result reached the inbox"
    );
    w.screenshot("workflow-inbox-zh-desktop").await;

    w.resize(390, 844).await;
    for (path, shot) in [
        ("/workflow?box=mine", "workflow-mine-zh-phone"),
        (instance.as_str(), "workflow-instance-zh-phone"),
        ("/workflow/new/leave", "workflow-leave-form-zh-phone"),
        ("/settings/delegation", "workflow-delegation-zh-phone"),
    ] {
        w.goto(path).await;
        w.wait_until("document.readyState === 'complete'").await;
        assert!(w.fits_width().await, "{path} scrolls sideways on a phone");
        w.screenshot(shot).await;
    }
    w.close().await;
}
