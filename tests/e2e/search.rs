//! Search in a browser: the header's box suggests a title while typing, Enter opens the results
//! page with highlights and facets; the same on a phone.

use crate::harness::World;

const DEMO_PASSWORD: &str = "Demo2026";

#[tokio::test]
async fn header_box_suggests_and_the_results_page_narrows() {
    let Some(w) = World::start_demo("search").await else {
        return;
    };
    w.sign_in("zhangwei", DEMO_PASSWORD).await;

    // A request to find: submitted through the API with the page's session and CSRF token.
    w.js("(function () {
           var csrf = document.querySelector('input[name=csrf]').value;
           window.__submitted = 0;
           fetch('/api/v1/workflow/instances', {
             method: 'POST', credentials: 'same-origin',
             headers: {'Content-Type': 'application/json', 'X-CSRF-Token': csrf},
             body: JSON.stringify({template_key: 'general_submission',
               form: {title: '机房空调采购呈报', content: '拟采购精密空调两台，预算十二万元。'}})
           }).then(function (r) { window.__submitted = r.status; });
           return true;
         })()")
        .await;
    w.wait_until("window.__submitted === 201").await;
    // The indexer follows the commit by itself.
    w.wait_until(
        "(function () { var x = new XMLHttpRequest();
           x.open('GET', '/api/v1/search?q=' + encodeURIComponent('精密空调'), false); x.send();
           return x.status === 200 && JSON.parse(x.responseText).total > 0; })()",
    )
    .await;

    w.goto("/").await;
    w.fill("#top-search-q", "机房").await;
    w.wait_until(
        "!document.getElementById('top-search-list').hidden && \
         document.querySelector('#top-search-list .s-title') && \
         document.querySelector('#top-search-list .s-title').textContent.indexOf('机房') >= 0",
    )
    .await;
    assert_eq!(
        w.js_string("document.getElementById('top-search-q').getAttribute('aria-expanded')")
            .await,
        "true"
    );
    w.screenshot("search-suggest-desktop").await;

    // Enter without choosing a suggestion searches the full text.
    w.find("#top-search-q")
        .await
        .send_keys("\u{E007}")
        .await
        .expect("enter");
    w.wait_until("location.pathname === '/search'").await;
    w.wait_until("document.getElementById('search-list') !== null")
        .await;
    assert!(w.text("#search-list").await.contains("机房空调采购呈报"));
    assert!(
        w.js("document.querySelector('#search-list b') !== null")
            .await
            .as_bool()
            .unwrap_or(false),
        "a highlight"
    );
    w.screenshot("search-results-desktop").await;

    // Narrowing by kind keeps the query.
    w.click("#facet-kind a[data-kind=instance]").await;
    w.wait_until("location.search.indexOf('kind=instance') >= 0")
        .await;
    assert!(w.text("#search-list").await.contains("机房空调采购呈报"));

    // A bad date is said on the page, in the reader's language.
    w.goto("/search?q=%E6%9C%BA%E6%88%BF&from=2026-02-30").await;
    assert!(w.text("#search-errors").await.contains("日期格式"));
    w.screenshot("search-error-desktop").await;
    w.goto("/lang/en?next=/search%3Fq%3D%25E6%259C%25BA%25E6%2588%25BF")
        .await;
    w.wait_until("document.documentElement.lang === 'en'").await;
    assert!(w.text("#search-summary").await.contains("Found: 1"));
    w.screenshot("search-results-en-desktop").await;
    w.goto("/lang/zh-CN?next=/").await;
    w.wait_until("document.documentElement.lang === 'zh-CN'")
        .await;

    // A phone: nothing scrolls sideways; the box is still in the header.
    w.resize(390, 844).await;
    w.goto("/search?q=%E6%9C%BA%E6%88%BF").await;
    assert!(
        w.fits_width().await,
        "the results page is wider than a phone"
    );
    w.screenshot("search-results-phone").await;
    w.goto("/").await;
    assert!(w.fits_width().await, "the workbench is wider than a phone");
    w.screenshot("search-home-phone").await;
    w.close().await;
}
