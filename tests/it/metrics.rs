//! `/metrics`: the Prometheus figures, for the group's administrators only.

use rocket::http::Status;

use crate::common::{PW, World, page};

#[rocket::async_test]
async fn metrics_count_requests_and_sign_in_failures_for_administrators_only() {
    let w = World::standard().await;
    let admin = w.t.agent("gadmin", PW).await;
    let alice = w.t.agent("alice", PW).await;
    // A refused sign-in and a few pages.
    let r = w.t.login("alice", "wrong-password").await;
    assert_eq!(r.status, Status::Unauthorized);
    for _ in 0..3 {
        page(&w, &alice, "/").await;
    }
    assert_eq!(page(&w, &alice, "/metrics").await.status, Status::Forbidden);
    let anonymous = w.t.get("/metrics").await.status;
    assert!(
        anonymous == Status::Unauthorized || anonymous == Status::SeeOther,
        "{anonymous}"
    );
    let r = page(&w, &admin, "/metrics").await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    assert!(r.header("Content-Type").unwrap().starts_with("text/plain"));
    let m = r.body;
    for name in [
        "oanode_http_requests_total",
        "oanode_http_request_duration_seconds_bucket",
        "oanode_store_size_bytes",
        "oanode_search_outbox_lag",
        "oanode_sessions_active",
        "oanode_resident_memory_bytes",
    ] {
        assert!(m.contains(name), "{name} in\n{m}");
    }
    assert!(
        m.contains(r#"oanode_http_requests_total{method="GET",route="/",status="200"} 3"#),
        "{m}"
    );
    assert!(m.contains("oanode_sign_in_failures_total 1"), "{m}");
    // Two sessions signed in (the admin's and alice's).
    assert!(m.contains("oanode_sessions_active 2"), "{m}");
    // The allocator's figures: something is allocated, and it is resident.
    let value = |name: &str| -> u64 {
        m.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
            .unwrap_or_else(|| panic!("{name} in\n{m}"))
    };
    let allocated = value("oanode_allocator_allocated_bytes");
    assert!(allocated > 0);
    assert!(value("oanode_allocator_resident_bytes") >= allocated);
}
