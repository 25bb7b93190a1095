//! The working-day calendar (工作日历): the shipped schedule on a fresh node, who may change it,
//! imports in the holiday-cn format. The page is in `workdays_pages.rs`.

use chrono::NaiveDate;
use rocket::http::{ContentType, Method, Status};
use serde_json::{Value, json};

use crate::common::{Agent, PW, Resp, T0, World};

pub fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A workflow administrator of the whole group.
pub async fn wf_admin(w: &World) -> Agent {
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

pub fn audited(w: &World, action: &str) -> Vec<oanode::store::audit::AuditEntry> {
    w.t.app
        .store()
        .read(|tx| oanode::store::audit::recent(tx, None, 100))
        .unwrap()
        .into_iter()
        .filter(|e| e.action == action)
        .collect()
}

pub const YEAR_2027: &str = r#"{"year": 2027, "papers": ["https://example.gov.cn/2027"], "days": [
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
