//! Annual-leave balances as enterprise administrators keep them: the page, one person at a time,
//! a pasted table, an XLSX import through the API; and who may not.

use rocket::http::{ContentType, Header, Method, Status};

use crate::common::{PW, World, page, post};

async fn import(w: &World, token: &str, body: Vec<u8>) -> crate::common::Resp {
    let mut req = w.t.client.post("/api/v1/leave/balances/import?year=2026");
    req.add_header(Header::new("Authorization", format!("Bearer {token}")));
    req.add_header(ContentType::Binary);
    crate::common::Resp::read(req.body(body).dispatch().await).await
}

#[rocket::async_test]
async fn balances_are_imported_from_csv_and_xlsx_for_ones_own_people_only() {
    let w = World::standard().await;
    let e1 = w.t.agent("e1admin", PW).await;
    let csv = "账号,姓名,年假天数\nalice,爱丽丝,10\nbob,鲍勃,x\ne2admin,外企,5\n";
    let r = import(&w, &e1.token, csv.as_bytes().to_vec()).await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    let j = r.json();
    assert_eq!(j["set"], 1);
    let lines: Vec<u64> = j["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x[0].as_u64().unwrap())
        .collect();
    assert_eq!(
        lines,
        vec![3, 4],
        "a bad number, and someone of another enterprise"
    );
    let path = format!("/api/v1/leave/balances/{}/2026", w.alice);
    assert_eq!(
        w.t.call(&e1, Method::Get, &path, None).await.json()["total"],
        10
    );

    let mut book = rust_xlsxwriter::Workbook::new();
    let s = book.add_worksheet();
    s.write_string(0, 0, "账号").unwrap();
    s.write_string(0, 1, "年假天数").unwrap();
    s.write_string(1, 0, "bob").unwrap();
    s.write_number(1, 1, 15.0).unwrap();
    let r = import(&w, &e1.token, book.save_to_buffer().unwrap()).await;
    assert_eq!(r.json()["set"], 1, "{}", r.body);
    let bob = format!("/api/v1/leave/balances/{}/2026", w.bob);
    assert_eq!(
        w.t.call(&e1, Method::Get, &bob, None).await.json()["total"],
        15
    );

    // A file without the columns is refused whole; an ordinary person may not import.
    let r = import(&w, &e1.token, "姓名\n张三\n".as_bytes().to_vec()).await;
    assert_eq!(r.status, Status::BadRequest);
    let alice = w.t.agent("alice", PW).await;
    let r = import(&w, &alice.token, csv.as_bytes().to_vec()).await;
    assert_eq!(r.status, Status::Forbidden);
    assert_eq!(
        w.t.call(&e1, Method::Get, &path, None).await.json()["total"],
        10,
        "unchanged"
    );
}

#[rocket::async_test]
async fn the_page_sets_one_person_and_a_pasted_table() {
    let w = World::standard().await;
    let e1 = w.t.agent("e1admin", PW).await;
    let alice = w.t.agent("alice", PW).await;
    assert_eq!(
        page(&w, &alice, "/admin/leave?year=2026").await.status,
        Status::Forbidden
    );
    let p = page(&w, &e1, "/admin/leave?year=2026").await;
    assert_eq!(p.status, Status::Ok);
    assert!(p.body.contains("还没有设置年假额度"));
    let r = post(&w, &e1, "/admin/leave/2026", "person=alice&total=12", false).await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    let r = post(&w, &e1, "/admin/leave/2026", "person=alice&total=13", true).await;
    assert_eq!(r.status, Status::Forbidden, "a forged token");
    let r = post(&w, &e1, "/admin/leave/2026", "person=nobody&total=3", false).await;
    assert_eq!(r.status, Status::BadRequest);
    assert!(r.body.contains("找不到这个人员"));
    let r = post(
        &w,
        &e1,
        "/admin/leave/2026/import",
        "table=%E8%B4%A6%E5%8F%B7%09%E5%B9%B4%E5%81%87%E5%A4%A9%E6%95%B0%0Abob%097",
        false,
    )
    .await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    assert!(r.body.contains("已设置： 1"));
    let p = page(&w, &e1, "/admin/leave?year=2026").await;
    assert!(p.body.contains("用户alice") && p.body.contains("用户bob"));
}
