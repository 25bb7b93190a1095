//! The directory (通讯录): find a colleague as one types (htmx), open their card, and the phone
//! layout.

use crate::harness::World;

#[tokio::test]
async fn directory_search_as_you_type_and_the_card() {
    let Some(w) = World::start("directory_search_as_you_type_and_the_card").await else {
        return;
    };
    w.first_sign_in("Directory2026").await;
    w.click("a.nav-directory").await;
    w.wait_until("location.pathname === '/directory'").await;
    assert_eq!(w.text("#page-title").await, "通讯录");
    assert!(
        w.text("#people").await.contains("系统管理员"),
        "one's own unit"
    );

    // The initials of 系统管理员 (xi tong guan li yuan): the list follows the box, no reload.
    w.js("window.__same_page = true").await;
    w.fill("#dir-q", "xtgly").await;
    w.wait_until("document.querySelector('#people-title q')?.textContent === 'xtgly'")
        .await;
    assert_eq!(
        w.js("window.__same_page === true").await,
        true,
        "updated in place"
    );
    w.wait_until("location.search === '?q=xtgly'").await;
    assert!(w.text("table.people").await.contains("系统管理员"));
    w.screenshot("directory-search-zh-desktop").await;

    w.fill("#dir-q", "zzz").await;
    w.wait_until("document.querySelector('#people .empty') !== null")
        .await;

    // The card.
    w.goto("/directory?q=admin").await;
    w.click("table.people .person-name a").await;
    w.wait_until("location.pathname.startsWith('/directory/people/')")
        .await;
    assert!(w.text("#page-title").await.contains("系统管理员"));
    assert_eq!(w.text("#card-login").await, "admin");

    // A phone: the tree folds above the list, nothing scrolls sideways.
    w.resize(390, 844).await;
    w.goto("/directory").await;
    assert_eq!(
        w.js("document.querySelector('details.dir-units').open")
            .await,
        false,
        "the tree starts folded on a phone"
    );
    assert_eq!(
        w.js("document.documentElement.scrollWidth <= window.innerWidth")
            .await,
        true,
        "no sideways scroll"
    );
    w.screenshot("directory-admin-zh-phone").await;
    w.close().await;
}
