//! A demo enterprise administrator's day: the workbench, the directory, 个人设置 and 系统管理 at a
//! desktop and a phone width, and an account made, shown once and disabled through the pages.

use crate::harness::World;

const DEMO_PASSWORD: &str = "Demo2026";

#[tokio::test]
async fn demo_admin_workbench_directory_settings_and_people() {
    let Some(w) = World::start_demo("demo_admin_workbench_directory_settings_and_people").await
    else {
        return;
    };
    // 宋佳 (songjia) administers the member enterprise E1 in the demo organization.
    w.sign_in("songjia", DEMO_PASSWORD).await;
    assert_eq!(w.text("#page-title").await, "工作台");
    let nav = w.text("nav.sidenav").await;
    for entry in ["工作台", "通讯录", "个人设置", "系统管理"] {
        assert!(nav.contains(entry), "{entry} in the navigation: {nav}");
    }
    w.screenshot("workbench-demo-zh-desktop").await;

    w.click("a.nav-directory").await;
    w.wait_until("location.pathname === '/directory'").await;
    w.screenshot("directory-demo-zh-desktop").await;

    w.click("a.nav-settings").await;
    w.wait_until("location.pathname === '/settings'").await;
    assert_eq!(w.text("#page-title").await, "个人设置");
    assert!(
        w.text("#sessions").await.contains("本机"),
        "this browser is listed"
    );
    assert!(w.text("#password").await.contains("至少 6 个字符"));
    w.fill("input[name=mobile]", "13700001234").await;
    w.click("#save-profile").await;
    w.wait_until("location.search === '?done=profile'").await;
    assert_eq!(
        w.js_string("document.querySelector('input[name=mobile]').value")
            .await,
        "13700001234"
    );
    w.screenshot("settings-zh-desktop").await;

    // 系统管理 → 人员: make an account; its initial password is shown once.
    w.click("a.nav-admin").await;
    w.wait_until("location.pathname === '/admin'").await;
    assert!(w.text("main").await.contains("人员账号"));
    w.screenshot("admin-zh-desktop").await;
    w.goto("/admin/users/new").await;
    w.fill("input[name=login]", "xinren").await;
    w.fill("input[name=name]", "新人").await;
    w.click("#user-form button[type=submit]").await;
    w.wait_until("document.querySelector('#secret') !== null")
        .await;
    let initial = w.text("#secret").await;
    assert!(initial.len() >= 8, "an initial password: {initial}");
    w.screenshot("admin-user-created-zh-desktop").await;
    w.goto("/admin/users?q=xinren").await;
    w.click("#users a").await;
    w.wait_until("document.querySelector('#disable-user') !== null")
        .await;
    w.screenshot("admin-user-zh-desktop").await;
    // The confirmation is a browser dialog: accept it as a person would.
    w.js("window.confirm = function () { return true; }").await;
    w.click("#disable-user").await;
    w.wait_until("location.search === '?done=disabled'").await;
    assert!(w.text("#page-title").await.contains("已停用"));

    // A phone: every page fits the width.
    w.resize(390, 844).await;
    for (path, shot) in [
        ("/", "workbench-demo-zh-phone"),
        ("/directory", "directory-demo-zh-phone"),
        ("/settings", "settings-zh-phone"),
        ("/admin/users", "admin-users-zh-phone"),
    ] {
        w.goto(path).await;
        w.wait_until("document.readyState === 'complete'").await;
        assert!(w.fits_width().await, "{path} scrolls sideways on a phone");
        w.screenshot(shot).await;
    }
    w.close().await;
}
