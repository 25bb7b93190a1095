//! A notice's life in a browser: 郭婷, 人力资源部's notice publisher, publishes a notice to her
//! department in the rich-text editor; 何磊 of 人力资源部 sees it on his workbench and in the
//! list, finds it by search and confirms it; 曹阳 of 示例能源's 财务部 is outside the audience
//! and finds it neither in the list nor by search; at a desktop and a phone width.

use crate::harness::World;

const DEMO_PASSWORD: &str = "Demo2026";
const TITLE: &str = "关于年终人事档案整理的通知";

async fn sign_out(w: &World) {
    w.click("#sign-out").await;
    w.wait_until("location.pathname === '/login'").await;
}

#[tokio::test]
async fn a_department_notice_is_published_found_by_its_audience_and_missing_for_others() {
    let Some(w) = World::start_demo("posts").await else {
        return;
    };
    w.sign_in("guoting", DEMO_PASSWORD).await;
    w.click("a.nav-posts").await;
    w.wait_until("location.pathname === '/posts'").await;
    w.screenshot("posts-list-zh-desktop").await;
    w.goto("/posts/new?kind=notice").await;
    w.wait_until("document.querySelector('.ql-editor') !== null")
        .await;
    w.fill("#title", TITLE).await;
    w.js("(function(){var s=document.querySelector('#audience_units'); for (const o of s.options) { if (o.text.trim() === '人力资源部') o.selected = true; } return true;})()")
        .await;
    w.js("(function(){document.querySelector('input[name=require_ack]').checked = true; return true;})()")
        .await;
    w.fill(
        ".ql-editor",
        "请人力资源部各位同事于12月15日前完成年终人事档案整理，并提交归档清单。",
    )
    .await;
    w.wait_until("document.querySelector('#body_html').value.includes('归档清单')")
        .await;
    w.screenshot("posts-editor-zh-desktop").await;
    w.click("#save-publish").await;
    w.wait_until("location.search === '?done=published'").await;
    assert!(w.text("#post-body").await.contains("归档清单"));
    assert!(w.text("#audience").await.contains("人力资源部"));
    let notice = w.js_string("location.pathname").await;
    w.screenshot("posts-published-zh-desktop").await;
    sign_out(&w).await;

    w.sign_in("helei", DEMO_PASSWORD).await;
    assert!(
        w.text("#home-notice").await.contains(TITLE),
        "the workbench lists the latest notices"
    );
    w.screenshot("posts-workbench-zh-desktop").await;
    w.goto("/posts?kind=notice").await;
    assert!(w.text("#post-list").await.contains(TITLE));
    // The header's search box: a suggestion while typing, the notice among the results.
    w.fill("#top-search-q", "人事档案").await;
    w.wait_until(
        "!document.getElementById('top-search-list').hidden && \
         document.querySelector('#top-search-list').textContent.indexOf('年终人事档案') >= 0",
    )
    .await;
    w.find("#top-search-q")
        .await
        .send_keys("\u{E007}")
        .await
        .expect("enter");
    w.wait_until("document.getElementById('search-list') !== null")
        .await;
    assert!(w.text("#search-list").await.contains(TITLE));
    w.screenshot("posts-search-zh-desktop").await;
    w.goto(&notice).await;
    w.click("#acknowledge").await;
    w.wait_until("location.search === '?done=acknowledged'")
        .await;
    w.screenshot("posts-read-zh-desktop").await;
    sign_out(&w).await;

    w.sign_in("caoyang", DEMO_PASSWORD).await;
    w.goto("/posts?kind=notice").await;
    assert!(!w.js_string("document.body.innerText").await.contains(TITLE));
    w.goto("/search?q=%E4%BA%BA%E4%BA%8B%E6%A1%A3%E6%A1%88")
        .await;
    assert!(
        !w.js_string("document.body.innerText").await.contains(TITLE),
        "search does not find it outside the audience"
    );
    w.screenshot("posts-search-outsider-zh-desktop").await;
    w.goto(&notice).await;
    assert!(
        w.js_string("document.title").await.contains("404")
            || w.js_string("document.body.innerText").await.contains("404"),
        "outside the audience the notice does not exist"
    );

    w.resize(390, 844).await;
    for (path, shot) in [
        ("/posts".to_string(), "posts-list-zh-phone"),
        ("/".to_string(), "posts-workbench-zh-phone"),
    ] {
        w.goto(&path).await;
        w.wait_until("document.readyState === 'complete'").await;
        assert!(w.fits_width().await, "{path} scrolls sideways on a phone");
        w.screenshot(shot).await;
    }
    sign_out(&w).await;
    w.sign_in("helei", DEMO_PASSWORD).await;
    w.goto(&notice).await;
    assert!(
        w.fits_width().await,
        "the notice scrolls sideways on a phone"
    );
    w.screenshot("posts-read-zh-phone").await;
    w.close().await;
}
