//! 系统管理 → 工作日历 as a browser uses it: the year page, who sees it, and its forms (session
//! cookie, CSRF field, redirects, re-rendered forms with their reasons).

use rocket::http::Status;

use crate::common::{PW, SESSION, World, page, post};
use crate::workdays::{YEAR_2027, audited, d, wf_admin};

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[rocket::async_test]
async fn the_page_shows_the_year_to_admins_only() {
    let w = World::standard().await;
    let wf = wf_admin(&w).await;
    let alice = w.t.agent("alice", PW).await;
    let e1a = w.t.agent("e1admin", PW).await;

    let p = page(&w, &wf, "/admin/workdays?year=2026").await;
    assert_eq!(p.status, Status::Ok, "{}", p.body);
    assert_eq!(p.body.matches(r#"<table class="wd-month">"#).count(), 12);
    assert_eq!(
        p.body.matches("<table").count(),
        p.body.matches("</table>").count()
    );
    assert!(p.body.contains("工作日历") && p.body.contains("国庆节"));
    assert!(
        p.body
            .contains(r#"<td class="wd-off" title="2026-10-01 国庆节">"#),
        "holiday marked"
    );
    assert!(
        p.body
            .contains(r#"<td class="wd-work" title="2026-01-04 元旦">"#),
        "make-up day marked"
    );
    assert!(p.body.contains("wd-weekend") && p.body.contains("wd-today"));
    assert!(p.body.contains(r#"href="/admin/workdays?year=2025""#));
    assert!(p.body.contains(r#"href="/admin/workdays?year=2027""#));
    assert!(p.body.contains(r#"action="/admin/workdays/import""#));
    assert!(p.body.contains(r#"<strong>248</strong>"#));
    // The list reads like the State Council's notice: one line per holiday.
    assert!(
        p.body.contains("10月1日（周四） 至 10月7日（周三）"),
        "{}",
        p.body
    );
    assert!(p.body.contains(r#"name="to" value="2026-10-07""#));
    // Clicking a day fills the form with it, and offers to clear it.
    let p = page(&w, &wf, "/admin/workdays?date=2026-01-04").await;
    assert!(p.body.contains(r#"value="2026-01-04""#) && p.body.contains(r#"value="work" checked"#));
    assert!(p.body.contains(r#"id="clear-picked""#));
    let p = page(&w, &wf, "/admin/workdays?date=2026-03-03").await;
    assert!(
        !p.body.contains(r#"id="clear-picked""#),
        "a normal day has nothing to clear"
    );

    // The 管理 entry and its card for the workflow administrator; refusals for the others.
    assert!(page(&w, &wf, "/").await.body.contains(r#"href="/admin""#));
    assert!(
        page(&w, &wf, "/admin")
            .await
            .body
            .contains(r#"href="/admin/workdays""#)
    );
    assert!(
        !page(&w, &e1a, "/admin")
            .await
            .body
            .contains("/admin/workdays")
    );
    assert_eq!(
        page(&w, &alice, "/admin/workdays").await.status,
        Status::Forbidden
    );
    assert_eq!(
        page(&w, &e1a, "/admin/workdays").await.status,
        Status::Forbidden
    );
    let r = w.t.get("/admin/workdays").await;
    assert!(r.status == Status::SeeOther || r.status == Status::Unauthorized);

    // English.
    let p =
        w.t.get_cookie(
            "/admin/workdays?year=2026",
            (SESSION, &wf.token),
            &[("Accept-Language", "en")],
        )
        .await;
    assert!(p.body.contains("Working-day calendar") && p.body.contains("October"));
}

#[rocket::async_test]
async fn the_page_forms_set_clear_and_import() {
    let w = World::standard().await;
    let wf = wf_admin(&w).await;
    let alice = w.t.agent("alice", PW).await;

    let form = format!(
        "date=2026-11-27&name={}&kind=off&year=2026",
        enc("公司纪念日")
    );
    let r = post(&w, &wf, "/admin/workdays/day", &form, true).await;
    assert_eq!(
        r.status,
        Status::Forbidden,
        "a forged CSRF token changes nothing"
    );
    let r = post(&w, &alice, "/admin/workdays/day", &form, false).await;
    assert_eq!(r.status, Status::Forbidden, "not an administrator");
    assert!(w.t.app.workdays().unwrap().is_working(d("2026-11-27")));

    let r = post(&w, &wf, "/admin/workdays/day", &form, false).await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    assert_eq!(
        r.header("Location"),
        Some("/admin/workdays?year=2026&done=set")
    );
    assert!(!w.t.app.workdays().unwrap().is_working(d("2026-11-27")));
    let p = page(&w, &wf, "/admin/workdays?year=2026&done=set").await;
    assert!(p.body.contains("已保存") && p.body.contains("公司纪念日"));

    // A refused form comes back with its reasons and what was typed.
    let bad = format!("date=2026-11-31&name={}&kind=off&year=2026", enc("节日"));
    let r = post(&w, &wf, "/admin/workdays/day", &bad, false).await;
    assert_eq!(r.status, Status::BadRequest);
    assert!(r.body.contains("日期格式应为") && r.body.contains(r#"value="2026-11-31""#));
    let r = post(
        &w,
        &wf,
        "/admin/workdays/day",
        "date=2026-12-01&name=&kind=work",
        false,
    )
    .await;
    assert_eq!(r.status, Status::BadRequest);
    assert!(r.body.contains("请填写名称"));

    let r = post(
        &w,
        &wf,
        "/admin/workdays/clear",
        "date=2026-11-27&year=2026",
        true,
    )
    .await;
    assert_eq!(r.status, Status::Forbidden);
    assert!(!w.t.app.workdays().unwrap().is_working(d("2026-11-27")));
    let r = post(
        &w,
        &wf,
        "/admin/workdays/clear",
        "date=2026-11-27&year=2026",
        false,
    )
    .await;
    assert_eq!(r.status, Status::SeeOther);
    assert!(w.t.app.workdays().unwrap().is_working(d("2026-11-27")));

    // A whole holiday at once: 国庆节 1–7 October, one transaction, one audit entry.
    let r = post(
        &w,
        &wf,
        "/admin/workdays/clear",
        "date=2026-10-01&to=2026-10-07&year=2026",
        false,
    )
    .await;
    assert_eq!(r.status, Status::SeeOther);
    let cal = w.t.app.workdays().unwrap();
    assert!(cal.is_working(d("2026-10-01")) && cal.is_working(d("2026-10-07")));
    assert!(
        cal.is_working(d("2026-10-10")) && cal.entry(d("2026-10-10")).is_some(),
        "the make-up day stays"
    );
    let clears = audited(&w, "workflow.workday.clear");
    assert_eq!(clears.len(), 2);
    assert_eq!(clears[0].target, "workday:2026-10-01..2026-10-07");
    let r = post(
        &w,
        &wf,
        "/admin/workdays/clear",
        "date=2026-10-07&to=2026-10-01",
        false,
    )
    .await;
    assert_eq!(r.status, Status::BadRequest, "a range backwards");

    // Import: a malformed paste is shown again with its reasons; a good one is reported.
    let broken = YEAR_2027.replace("2027-02-09", "2026-02-09");
    let r = post(
        &w,
        &wf,
        "/admin/workdays/import",
        &format!("file={}&year=2026", enc(&broken)),
        false,
    )
    .await;
    assert_eq!(r.status, Status::BadRequest);
    assert!(
        r.body.contains("days[3].date") && r.body.contains("日期不在文件所述的年份内"),
        "{}",
        r.body
    );
    assert!(r.body.contains("example.gov.cn"), "the paste is kept");
    assert!(w.t.app.workdays().unwrap().entries_in_year(2027).is_empty());
    let r = post(
        &w,
        &wf,
        "/admin/workdays/import",
        &format!("file={}", enc(YEAR_2027)),
        true,
    )
    .await;
    assert_eq!(r.status, Status::Forbidden);
    let r = post(
        &w,
        &wf,
        "/admin/workdays/import",
        &format!("file={}&replace=true&year=2026", enc(YEAR_2027)),
        false,
    )
    .await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    assert!(r.body.contains(r#"id="import-report""#) && r.body.contains("2027"));
    assert_eq!(w.t.app.workdays().unwrap().entries_in_year(2027).len(), 4);
}
