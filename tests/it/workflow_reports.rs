//! The administrators' view of workflow: the SLA report and the export of a template's requests.

use rocket::http::{Header, Method, Status};
use serde_json::json;

use crate::common::{Agent, PW, World};

async fn approved_request(w: &World) -> (Agent, u64) {
    w.t.app
        .store()
        .write(|tx| {
            let old = oanode::org::store::user_by_id_w(tx, w.alice)?.unwrap();
            let mut u = old.clone();
            u.manager_id = Some(w.bob);
            oanode::org::store::update_user(tx, &old, &u)
        })
        .unwrap();
    w.t.app.org_changed();
    let alice = w.t.agent("alice", PW).await;
    let body = json!({"template_key": "general_submission", "form": {"title": "采购请示", "content": "打印机"}});
    let r =
        w.t.call(
            &alice,
            Method::Post,
            "/api/v1/workflow/instances",
            Some(&body.to_string()),
        )
        .await;
    let id = r.json()["id"].as_u64().unwrap();
    w.t.clock.advance(2 * 3_600_000);
    let bob = w.t.agent("bob", PW).await;
    let todo =
        w.t.call(&bob, Method::Get, "/api/v1/workflow/tasks", None)
            .await
            .json();
    let task = todo["items"][0]["id"].as_u64().unwrap();
    let r =
        w.t.call(
            &bob,
            Method::Post,
            &format!("/api/v1/workflow/tasks/{task}/approve"),
            Some("{}"),
        )
        .await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    (alice, id)
}

#[rocket::async_test]
async fn the_sla_report_counts_handling_time_by_unit_and_template() {
    let w = World::standard().await;
    let (alice, _) = approved_request(&w).await;
    let admin = w.t.agent("gadmin", PW).await;
    let path = "/api/v1/workflow/reports/sla?from=2026-11-01&to=2026-11-30";
    let r = w.t.call(&admin, Method::Get, path, None).await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    let rows = r.json();
    assert_eq!(rows[0]["template"], "事项呈报");
    assert_eq!(rows[0]["unit"], "综合办公室");
    assert_eq!(
        (rows[0]["handled"].as_u64(), rows[0]["open"].as_u64()),
        (Some(1), Some(0))
    );
    assert_eq!(rows[0]["median_hours"], 2.0);
    for who in [&alice, &w.t.agent("e1admin", PW).await] {
        assert_eq!(
            w.t.call(who, Method::Get, path, None).await.status,
            Status::Forbidden
        );
    }
    let page =
        w.t.get_cookie(
            "/admin/workflow/reports?from=2026-11-01&to=2026-11-30",
            ("oanode_session", &admin.token),
            &[],
        )
        .await;
    assert_eq!(page.status, Status::Ok);
    assert!(page.body.contains("事项呈报") && page.body.contains("综合办公室"));
}

#[rocket::async_test]
async fn a_templates_requests_export_to_csv_and_xlsx() {
    let w = World::standard().await;
    let (alice, id) = approved_request(&w).await;
    let admin = w.t.agent("gadmin", PW).await;
    let base = "/api/v1/workflow/export?template=general_submission&from=2026-11-01&to=2026-11-30";
    let r =
        w.t.call(&admin, Method::Get, &format!("{base}&format=csv"), None)
            .await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    assert!(
        r.header("Content-Disposition")
            .unwrap()
            .starts_with("attachment")
    );
    let mut lines = r.body.trim_start_matches('\u{feff}').lines();
    assert!(lines.next().unwrap().starts_with("编号,标题,申请人"));
    let first = lines.next().unwrap();
    assert!(
        first.starts_with(&format!("{id},"))
            && first.contains("采购请示")
            && first.contains("已通过"),
        "{first}"
    );

    let mut req = w.t.client.get(format!("{base}&format=xlsx"));
    req.add_header(Header::new(
        "Authorization",
        format!("Bearer {}", admin.token),
    ));
    let resp = req.dispatch().await;
    assert_eq!(resp.status(), Status::Ok);
    let bytes = resp.into_bytes().await.unwrap();
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    assert_eq!(sheet.get_value((0, 1)).unwrap().to_string(), "标题");
    assert!(
        sheet
            .get_value((1, 1))
            .unwrap()
            .to_string()
            .contains("采购请示")
    );

    // Nobody else exports; an unknown template or format is refused.
    let r =
        w.t.call(&alice, Method::Get, &format!("{base}&format=csv"), None)
            .await;
    assert_eq!(r.status, Status::Forbidden);
    let r =
        w.t.call(&admin, Method::Get, &format!("{base}&format=pdf"), None)
            .await;
    assert_eq!(r.status, Status::BadRequest);
    let r =
        w.t.call(
            &admin,
            Method::Get,
            "/api/v1/workflow/export?template=nope&format=csv",
            None,
        )
        .await;
    assert_eq!(r.status, Status::NotFound);
}
