//! The working-day calendar (工作日历): the shipped schedule on a fresh node, who may change it,
//! imports in the holiday-cn format, and the 系统管理 page with its forms.

use chrono::NaiveDate;
use rocket::http::{ContentType, Cookie, Method, Status};
use serde_json::{Value, json};

use crate::common::{Agent, PW, Resp, T0, World};

const SESSION: &str = "oanode_session";

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A workflow administrator of the whole group.
async fn wf_admin(w: &World) -> Agent {
    w.t.add_user("wfadmin", w.hq_it, PW, &[("workflow_admin", w.group)]);
    w.t.agent("wfadmin", PW).await
}

async fn year(w: &World, who: &Agent, y: i32) -> Value {
    let r =
        w.t.call(
            who,
            Method::Get,
            &format!("/api/v1/workdays?year={y}"),
            None,
        )
        .await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    r.json()
}

/// The `off` of `date` in a year answer, `None` when the date follows the normal week.
fn listed(view: &Value, date: &str) -> Option<(String, bool)> {
    view["days"].as_array().unwrap().iter().find_map(|x| {
        (x["date"] == date).then(|| {
            (
                x["name"].as_str().unwrap().to_string(),
                x["off"].as_bool().unwrap(),
            )
        })
    })
}

async fn count(w: &World, who: &Agent, from: &str, to: &str) -> Resp {
    w.t.call(
        who,
        Method::Get,
        &format!("/api/v1/workdays/count?from={from}&to={to}"),
        None,
    )
    .await
}

fn audited(w: &World, action: &str) -> Vec<oanode::store::audit::AuditEntry> {
    w.t.app
        .store()
        .read(|tx| oanode::store::audit::recent(tx, None, 100))
        .unwrap()
        .into_iter()
        .filter(|e| e.action == action)
        .collect()
}

const YEAR_2027: &str = r#"{"year": 2027, "papers": ["https://example.gov.cn/2027"], "days": [
    {"name": "元旦", "date": "2027-01-01", "isOffDay": true},
    {"name": "春节", "date": "2027-02-07", "isOffDay": false},
    {"name": "春节", "date": "2027-02-08", "isOffDay": true},
    {"name": "春节", "date": "2027-02-09", "isOffDay": true}]}"#;

#[rocket::async_test]
async fn a_fresh_node_has_the_shipped_calendar_for_everyone_to_read() {
    let w = World::standard().await;
    let alice = w.t.agent("alice", PW).await;
    let y = year(&w, &alice, 2026).await;
    assert_eq!(y["year"], 2026);
    assert_eq!(y["days"].as_array().unwrap().len(), 39);
    assert_eq!(listed(&y, "2026-10-01"), Some(("国庆节".into(), true)));
    assert_eq!(
        listed(&y, "2026-01-04"),
        Some(("元旦".into(), false)),
        "a make-up Sunday"
    );
    assert_eq!(y["working_days"], 248);
    assert_eq!(y["editable"], false);
    assert_eq!(
        year(&w, &alice, 2025).await["days"]
            .as_array()
            .unwrap()
            .len(),
        33
    );
    // Without a year: this year (the clock says 2026).
    let r =
        w.t.call(&alice, Method::Get, "/api/v1/workdays", None)
            .await;
    assert_eq!(r.json()["year"], 2026);

    // The engine's calendar agrees.
    let cal = w.t.app.workdays().unwrap();
    assert!(!cal.is_working(d("2026-10-01")) && cal.is_working(d("2026-01-04")));
    let tz = w.t.app.tz();
    assert!(cal.add_working_days(T0, 1, &tz) > T0);

    // Counting: the National Day fortnight, a Friday-to-Monday leave, a reversed range.
    assert_eq!(
        count(&w, &alice, "2026-09-28", "2026-10-11").await.json()["working_days"],
        6
    );
    assert_eq!(
        count(&w, &alice, "2026-11-27", "2026-11-30").await.json()["working_days"],
        2
    );
    assert_eq!(
        count(&w, &alice, "2026-11-30", "2026-11-27").await.json()["working_days"],
        0
    );
    let bad = count(&w, &alice, "2026-13-01", "").await;
    assert_eq!(bad.status, Status::BadRequest);
    let fields = &bad.json()["error"]["fields"];
    assert!(
        fields["from"].is_string() && fields["to"].is_string(),
        "{}",
        bad.body
    );
    let r =
        w.t.call(&alice, Method::Get, "/api/v1/workdays?year=99999", None)
            .await;
    assert_eq!(r.status, Status::BadRequest);

    // Unsigned callers read nothing.
    let r = w.t.get("/api/v1/workdays?year=2026").await;
    assert_eq!(r.status, Status::Unauthorized);
    let r =
        w.t.get("/api/v1/workdays/count?from=2026-01-01&to=2026-01-31")
            .await;
    assert_eq!(r.status, Status::Unauthorized);
}

#[rocket::async_test]
async fn a_workflow_admin_sets_and_clears_a_day() {
    let w = World::standard().await;
    let wf = wf_admin(&w).await;
    assert_eq!(year(&w, &wf, 2026).await["editable"], true);
    assert_eq!(
        count(&w, &wf, "2026-11-23", "2026-11-29").await.json()["working_days"],
        5
    );

    let body = json!({"name": " 公司纪念日 ", "off": true}).to_string();
    let r =
        w.t.call(&wf, Method::Put, "/api/v1/workdays/2026-11-27", Some(&body))
            .await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    assert_eq!(
        r.json(),
        json!({"date": "2026-11-27", "name": "公司纪念日", "off": true})
    );
    let y = year(&w, &wf, 2026).await;
    assert_eq!(listed(&y, "2026-11-27"), Some(("公司纪念日".into(), true)));
    assert_eq!(y["working_days"], 247);
    assert_eq!(
        count(&w, &wf, "2026-11-23", "2026-11-29").await.json()["working_days"],
        4
    );
    assert!(!w.t.app.workdays().unwrap().is_working(d("2026-11-27")));

    // A Saturday made a make-up workday, then the holiday changed back into a workday.
    let body = json!({"name": "补班", "off": false}).to_string();
    let r =
        w.t.call(&wf, Method::Put, "/api/v1/workdays/2026-11-28", Some(&body))
            .await;
    assert_eq!(r.status, Status::Ok);
    assert_eq!(
        count(&w, &wf, "2026-11-23", "2026-11-29").await.json()["working_days"],
        5
    );

    let r =
        w.t.call(&wf, Method::Delete, "/api/v1/workdays/2026-11-27", None)
            .await;
    assert_eq!(r.status, Status::NoContent);
    let r =
        w.t.call(&wf, Method::Delete, "/api/v1/workdays/2026-11-27", None)
            .await;
    assert_eq!(r.status, Status::NoContent, "clearing twice is harmless");
    let y = year(&w, &wf, 2026).await;
    assert_eq!(listed(&y, "2026-11-27"), None);
    assert_eq!(
        count(&w, &wf, "2026-11-23", "2026-11-29").await.json()["working_days"],
        6
    );
    assert!(w.t.app.workdays().unwrap().is_working(d("2026-11-27")));

    let set = audited(&w, "workflow.workday.set");
    assert_eq!(set.len(), 2);
    assert_eq!(
        set.iter()
            .filter(|e| e.target == "workday:2026-11-27")
            .count(),
        1
    );
    assert!(set.iter().all(|e| e.actor_login == "wfadmin"));
    assert_eq!(
        audited(&w, "workflow.workday.clear").len(),
        1,
        "only the real clear"
    );

    // Field errors: a bad date, a name too long or empty, a date out of range.
    for (path, body, field) in [
        (
            "/api/v1/workdays/2026-02-30",
            json!({"name": "x", "off": true}),
            "date",
        ),
        (
            "/api/v1/workdays/26-1-1",
            json!({"name": "x", "off": true}),
            "date",
        ),
        (
            "/api/v1/workdays/1900-01-01",
            json!({"name": "x", "off": true}),
            "date",
        ),
        (
            "/api/v1/workdays/2026-12-01",
            json!({"name": "节".repeat(33), "off": true}),
            "name",
        ),
        (
            "/api/v1/workdays/2026-12-01",
            json!({"name": "  ", "off": false}),
            "name",
        ),
    ] {
        let r =
            w.t.call(&wf, Method::Put, path, Some(&body.to_string()))
                .await;
        assert_eq!(r.status, Status::BadRequest, "{path} {body}");
        assert!(r.json()["error"]["fields"][field].is_string(), "{}", r.body);
    }
    let r =
        w.t.call(&wf, Method::Delete, "/api/v1/workdays/not-a-date", None)
            .await;
    assert_eq!(r.status, Status::BadRequest);
    assert_eq!(
        year(&w, &wf, 2026).await["days"].as_array().unwrap().len(),
        40
    );

    // A group administrator holds the workflow administration too.
    let ga = w.t.agent("gadmin", PW).await;
    let body = json!({"name": "x", "off": true}).to_string();
    let r =
        w.t.call(&ga, Method::Put, "/api/v1/workdays/2026-12-01", Some(&body))
            .await;
    assert_eq!(r.status, Status::Ok);
    let report = oanode::check::run(w.t.app.store()).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}

#[rocket::async_test]
async fn others_are_refused_and_nothing_changes() {
    let w = World::standard().await;
    let alice = w.t.agent("alice", PW).await;
    let e1a = w.t.agent("e1admin", PW).await;
    // A workflow administrator of one enterprise: the calendar is the group's.
    w.t.add_user("e1wf", w.e1_dept, PW, &[("workflow_admin", w.e1)]);
    let e1wf = w.t.agent("e1wf", PW).await;
    let before = year(&w, &alice, 2026).await;
    let body = json!({"name": "放假", "off": true}).to_string();
    for who in [&alice, &e1a, &e1wf] {
        let r =
            w.t.call(who, Method::Put, "/api/v1/workdays/2026-11-27", Some(&body))
                .await;
        assert_eq!(r.status, Status::Forbidden, "{}", who.login);
        assert_eq!(r.json()["error"]["code"], "forbidden");
        let r =
            w.t.call(who, Method::Delete, "/api/v1/workdays/2026-10-01", None)
                .await;
        assert_eq!(r.status, Status::Forbidden, "{}", who.login);
        let r =
            w.t.call(
                who,
                Method::Post,
                "/api/v1/workdays/import?replace=true",
                Some(YEAR_2027),
            )
            .await;
        assert_eq!(r.status, Status::Forbidden, "{}", who.login);
    }
    assert_eq!(year(&w, &e1wf, 2026).await["editable"], false);
    // Unsigned: 401.
    let r =
        w.t.client
            .put("/api/v1/workdays/2026-11-27")
            .header(ContentType::JSON)
            .body(body.clone())
            .dispatch()
            .await;
    assert_eq!(r.status(), Status::Unauthorized);
    assert_eq!(year(&w, &alice, 2026).await, before);
    assert!(
        year(&w, &alice, 2027).await["days"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert!(audited(&w, "workflow.workday.set").is_empty());
    assert!(audited(&w, "workflow.workday.import").is_empty());
}

#[rocket::async_test]
async fn a_year_is_imported_in_the_holiday_cn_format() {
    let w = World::standard().await;
    let wf = wf_admin(&w).await;
    let import = |replace: bool, body: String| {
        let w = &w;
        let wf = &wf;
        async move {
            w.t.call(
                wf,
                Method::Post,
                &format!("/api/v1/workdays/import?replace={replace}"),
                Some(&body),
            )
            .await
        }
    };
    let r = import(false, YEAR_2027.into()).await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    assert_eq!(
        r.json(),
        json!({"year": 2027, "days": 4, "added": 4, "updated": 0, "unchanged": 0, "removed": 0})
    );
    let y = year(&w, &wf, 2027).await;
    assert_eq!(listed(&y, "2027-02-07"), Some(("春节".into(), false)));
    assert!(!w.t.app.workdays().unwrap().is_working(d("2027-02-08")));
    assert!(
        w.t.app.workdays().unwrap().is_working(d("2027-02-07")),
        "a Sunday worked"
    );

    // A day set by hand stays through a merging import and goes with a replacing one.
    let body = json!({"name": "公司纪念日", "off": true}).to_string();
    w.t.call(&wf, Method::Put, "/api/v1/workdays/2027-06-01", Some(&body))
        .await;
    let changed = YEAR_2027.replace(
        r#""date": "2027-02-09", "isOffDay": true"#,
        r#""date": "2027-02-09", "isOffDay": false"#,
    );
    let r = import(false, changed.clone()).await;
    assert_eq!(
        r.json(),
        json!({"year": 2027, "days": 4, "added": 0, "updated": 1, "unchanged": 3, "removed": 0})
    );
    assert!(listed(&year(&w, &wf, 2027).await, "2027-06-01").is_some());
    let r = import(true, changed).await;
    assert_eq!(r.json()["removed"], 1);
    let y = year(&w, &wf, 2027).await;
    assert_eq!(y["days"].as_array().unwrap().len(), 4);
    assert_eq!(listed(&y, "2027-06-01"), None);
    // Other years are untouched by a replacing import.
    assert_eq!(
        year(&w, &wf, 2026).await["days"].as_array().unwrap().len(),
        39
    );
    let imports = audited(&w, "workflow.workday.import");
    assert_eq!(imports.len(), 3);
    assert!(imports.iter().any(|e| e.detail.contains("(replace)")));

    // The shipped file itself imports as unchanged.
    let shipped = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data.example/holidays/2026.json"),
    )
    .unwrap();
    let r = import(false, shipped).await;
    assert_eq!(r.json()["unchanged"], 39);
}

#[rocket::async_test]
async fn a_malformed_import_is_refused_whole() {
    let w = World::standard().await;
    let wf = wf_admin(&w).await;
    let before = year(&w, &wf, 2026).await;
    let cases = [
        ("not json at all", "file"),
        (r#"{"year": 2026, "days": "none"}"#, "days"),
        (r#"{"days": []}"#, "year"),
        // The first day is fine; the second is dated in another year.
        (
            r#"{"year": 2026, "days": [{"name": "国庆节", "date": "2026-10-01", "isOffDay": false},
               {"name": "元旦", "date": "2027-01-01", "isOffDay": true}]}"#,
            "days[1].date",
        ),
        (
            r#"{"year": 2026, "days": [{"name": "a", "date": "2026-12-01", "isOffDay": true},
               {"name": "a", "date": "2026-12-01", "isOffDay": false}]}"#,
            "days[1].date",
        ),
        (
            r#"{"year": 2026, "days": [{"name": "a", "date": "2026-12-01", "isOffDay": "yes"}]}"#,
            "days[0].isOffDay",
        ),
    ];
    for (body, field) in cases {
        for replace in [false, true] {
            let r =
                w.t.call(
                    &wf,
                    Method::Post,
                    &format!("/api/v1/workdays/import?replace={replace}"),
                    Some(body),
                )
                .await;
            assert_eq!(r.status, Status::BadRequest, "{body}");
            let j = r.json();
            assert_eq!(j["error"]["code"], "validation");
            assert!(
                j["error"]["fields"][field].is_string(),
                "{field}: {}",
                r.body
            );
        }
    }
    assert_eq!(year(&w, &wf, 2026).await, before, "nothing changed");
    assert!(audited(&w, "workflow.workday.import").is_empty());
    assert!(w.t.app.workdays().unwrap().is_working(d("2026-12-01")));
}

#[test]
fn the_shipped_years_are_installed_once() {
    use oanode::workflow::workdays::store as days;
    let dir = tempfile::tempdir().unwrap();
    let open = || {
        let config = oanode::config::Config {
            store: oanode::config::StoreConfig { cache_mb: 8 },
            ..oanode::config::Config::default()
        };
        let clock = oanode::clock::ManualClock::new(T0);
        oanode::App::open(dir.path(), config, std::sync::Arc::new(clock)).unwrap()
    };
    let app = open();
    assert_eq!(app.workdays().unwrap().len(), 72);
    // An administrator empties 2025 (an import of an empty year with replace does the same).
    let removed = app.store().write(|tx| days::remove_year(tx, 2025)).unwrap();
    assert_eq!(removed, 33);
    drop(app);
    let app = open();
    let all = app.store().read(days::all).unwrap();
    assert_eq!(all.len(), 39, "2025 does not come back");
    assert!(
        all.iter()
            .all(|(d, _)| d.format("%Y").to_string() == "2026")
    );
}

// ------------------------------------------------------------------------------- the page

async fn page(w: &World, who: &Agent, path: &str) -> Resp {
    w.t.get_cookie(path, (SESSION, &who.token), &[]).await
}

async fn csrf(w: &World, who: &Agent) -> String {
    let home = page(w, who, "/").await;
    let start = home
        .body
        .find(r#"name="csrf" value=""#)
        .expect("csrf field")
        + 19;
    home.body[start..]
        .chars()
        .take_while(|c| *c != '"')
        .collect()
}

/// Posts a form with the session cookie and its CSRF token (a wrong one when `forged`).
async fn post(w: &World, who: &Agent, path: &str, body: &str, forged: bool) -> Resp {
    let token = if forged {
        "0".repeat(32)
    } else {
        csrf(w, who).await
    };
    let r =
        w.t.client
            .post(path.to_string())
            .header(ContentType::Form)
            .cookie(Cookie::new(SESSION, who.token.clone()))
            .body(format!("csrf={token}&{body}"))
            .dispatch()
            .await;
    Resp::read(r).await
}

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
