//! The workbench (home page), the language switch, the stylesheet, the phone layout, and the
//! localized not-found page.

use crate::harness::World;

const TOPBAR_BLUE: &str = "rgb(31, 78, 140)"; // #1f4e8c, the brand colour

async fn lang(w: &World) -> String {
    w.js_string("document.documentElement.lang").await
}

#[tokio::test]
async fn home_language_switch_and_style() {
    let Some(w) = World::start("home_language_switch_and_style").await else {
        return;
    };

    // A new node's administrator signs in with the initial password, must change it, and then
    // a Chinese browser gets the Chinese workbench.
    w.goto("/").await;
    w.wait_until("location.pathname === '/login'").await;
    assert_eq!(w.text("#page-title").await, "登录");
    w.screenshot("login-zh-desktop").await;
    w.first_sign_in("Workbench2026").await;
    assert_eq!(lang(&w).await, "zh-CN", "the default language");
    assert_eq!(w.text("#page-title").await, "工作台");

    // The stylesheet is ours (same origin, under /static/), served as CSS, and applied.
    let href = w
        .js_string("document.querySelector('link[rel=stylesheet]').href")
        .await;
    let prefix = w.server.url("/static/");
    assert!(
        href.starts_with(&prefix),
        "stylesheet {href} is not a same-origin /static/ URL ({prefix}…)"
    );
    assert_eq!(
        w.js("new URL(document.querySelector('link[rel=stylesheet]').href).origin === location.origin").await,
        true,
        "stylesheet origin"
    );
    let css = w.http_get(&href[w.server.base_url.len()..]);
    assert_eq!(css.status, 200, "GET {href}");
    assert!(
        css.header("content-type")
            .is_some_and(|t| t.starts_with("text/css")),
        "GET {href}: content-type {:?}",
        css.header("content-type")
    );
    assert_eq!(
        w.js_string("getComputedStyle(document.querySelector('header.topbar')).backgroundColor")
            .await,
        TOPBAR_BLUE,
        "header.topbar background: is the stylesheet applied?"
    );
    w.screenshot("home-zh-desktop").await;

    // The switch goes to /lang/en?next=/ and comes back to the same page, in English.
    w.click("#lang-switch").await;
    w.wait_until("document.documentElement.lang === 'en'").await;
    assert_eq!(
        w.path().await,
        "/",
        "the switch comes back to the page it was clicked on"
    );
    assert_eq!(w.text("#page-title").await, "Workbench");
    w.screenshot("home-en-desktop").await;

    // And back to Chinese.
    w.click("#lang-switch").await;
    w.wait_until("document.documentElement.lang === 'zh-CN'")
        .await;
    assert_eq!(w.path().await, "/");
    assert_eq!(w.text("#page-title").await, "工作台");

    // A phone: the page fits the width, nothing scrolls sideways.
    w.resize(390, 844).await;
    w.screenshot("home-zh-phone").await;
    let (scroll_width, inner_width) = (
        w.js("document.documentElement.scrollWidth").await,
        w.js("window.innerWidth").await,
    );
    assert!(
        scroll_width.as_f64() <= inner_width.as_f64(),
        "horizontal scroll on a phone: scrollWidth {scroll_width} > innerWidth {inner_width}"
    );

    w.close().await;
}

#[tokio::test]
async fn not_found_page_is_localized() {
    let Some(w) = World::start("not_found_page_is_localized").await else {
        return;
    };

    assert_eq!(
        w.http_get("/no-such-page").status,
        404,
        "an unknown page answers 404"
    );
    w.goto("/no-such-page").await;
    assert_eq!(lang(&w).await, "zh-CN");
    assert_eq!(w.text("#page-title").await, "页面不存在");
    w.screenshot("not-found-zh").await;

    w.close().await;
}
