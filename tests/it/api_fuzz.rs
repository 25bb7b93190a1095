//! Regressions found by the API fuzzer (tests/fuzz/run.sh: schemathesis checks every answer
//! against the OpenAPI document). None of them was a 5xx; each was an answer the document did
//! not describe, so that clients (and the fuzzer) could not rely on the document.

use rocket::http::{Method, Status};

use crate::common::TestApp;

fn schema_ref(v: &serde_json::Value) -> String {
    v["content"]["application/json"]["schema"]["$ref"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Two types with the same name (posts' and documents' `Item`/`Page`, three `AttachmentRef`s,
/// …) became ONE schema in the document: the document list was described as a page of posts.
#[rocket::async_test]
async fn each_feature_s_lists_and_attachments_have_their_own_schema() {
    let t = TestApp::demo().await;
    let doc = t.get("/api/v1/openapi.json").await.json();
    let ok = |path: &str, method: &str, status: &str| {
        schema_ref(&doc["paths"][path][method]["responses"][status])
    };
    assert_eq!(
        ok("/api/v1/documents", "get", "200"),
        "#/components/schemas/DocumentPage"
    );
    assert_eq!(
        ok("/api/v1/posts", "get", "200"),
        "#/components/schemas/PostPage"
    );
    assert_eq!(
        ok("/api/v1/workflow/tasks", "get", "200"),
        "#/components/schemas/TaskPage"
    );
    assert_eq!(
        ok("/api/v1/workflow/attachments", "post", "201"),
        "#/components/schemas/WorkflowAttachmentRef"
    );
    assert_eq!(
        ok("/api/v1/documents/attachments", "post", "201"),
        "#/components/schemas/DocumentAttachmentRef"
    );
    assert_eq!(
        ok("/api/v1/posts/attachments", "post", "201"),
        "#/components/schemas/PostAttachmentRef"
    );
    let schemas = &doc["components"]["schemas"];
    // A type of these names would be ambiguous again.
    for name in [
        "Item",
        "Page",
        "AttachmentRef",
        "PersonRef",
        "Rights",
        "ImportReport",
        "Status",
    ] {
        assert!(schemas[name].is_null(), "a schema named {name}");
    }
    // `can_print` is "all", "none" or a list of ids, and a condition compares with any JSON
    // value: neither is declared as an object any more.
    assert_ne!(
        schemas["DocumentView"]["properties"]["can_print"]["type"],
        "object"
    );
    let compare = serde_json::to_string(&schemas["Condition"]).unwrap();
    assert!(
        !compare.contains(r#""value":{"type":"object"}"#),
        "{compare}"
    );
}

/// A malformed path parameter (`-1` for an id) answers 400 with the error JSON, an id that
/// names nothing answers 404, and the document says so for every such operation.
#[rocket::async_test]
async fn malformed_and_unknown_path_parameters_are_clear_4xx_and_documented() {
    let t = TestApp::demo().await;
    let admin = t.agent("zhangwei", oanode::demo::DEMO_PASSWORD).await;
    for (method, path) in [
        (Method::Get, "/api/v1/documents/-1"),
        (Method::Post, "/api/v1/posts/-1/read"),
        (Method::Delete, "/api/v1/units/-1"),
        (Method::Get, "/api/v1/leave/balances/0/2147483648"),
        (
            Method::Get,
            "/api/v1/documents/numbering/18446744073709551616",
        ),
    ] {
        let r = t.call(&admin, method, path, None).await;
        assert_eq!(r.status, Status::BadRequest, "{method} {path}: {}", r.body);
        assert_eq!(r.json()["error"]["code"], "validation", "{path}");
    }
    let r = t
        .call(
            &admin,
            Method::Put,
            "/api/v1/documents/numbering/9223372036854775808",
            Some(r#"{"prefix": "", "format": null}"#),
        )
        .await;
    assert_eq!(r.status, Status::NotFound, "{}", r.body);
    assert_eq!(r.json()["error"]["code"], "not_found");

    let doc = t.get("/api/v1/openapi.json").await.json();
    let error = "#/components/schemas/ErrorBody";
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
    for (path, item) in doc["paths"].as_object().unwrap() {
        if !path.starts_with("/api/") {
            continue;
        }
        for (method, op) in item.as_object().unwrap() {
            let responses = &op["responses"];
            if path.contains('{') {
                for status in ["400", "404"] {
                    assert_eq!(
                        schema_ref(&responses[status]),
                        error,
                        "{method} {path} {status}"
                    );
                }
            }
            for (status, response) in responses.as_object().unwrap() {
                if !status.starts_with('2') {
                    assert_eq!(schema_ref(response), error, "{method} {path} {status}");
                }
            }
        }
    }
}

/// Refusals the services give and the route attributes did not declare: a publisher asking who
/// read their own unpublished post (409), submitting somebody else's draft (403), revoking a
/// document revoked already (409).
#[rocket::async_test]
async fn refusals_the_services_give_are_documented() {
    let t = TestApp::demo().await;
    let doc = t.get("/api/v1/openapi.json").await.json();
    for (path, method, status) in [
        ("/api/v1/posts/{id}/readers", "get", "409"),
        ("/api/v1/documents/{id}/submit", "post", "403"),
        ("/api/v1/documents/{id}/revoke", "post", "409"),
    ] {
        assert_eq!(
            schema_ref(&doc["paths"][path][method]["responses"][status]),
            "#/components/schemas/ErrorBody",
            "{method} {path} {status}"
        );
    }
}
