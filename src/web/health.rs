//! `GET /healthz` and the OpenAPI document.

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{State, get};
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

use crate::App;

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok` when the store and the search index are usable, else `unavailable`.
    status: &'static str,
    store: bool,
    search: bool,
    version: &'static str,
}

/// Whether the node can serve: the store answers a read and the index gives a searcher.
#[utoipa::path(get, path = "/healthz", tag = "node",
    responses((status = 200, description = "usable", body = Health),
              (status = 503, description = "store or index unusable", body = Health)))]
#[get("/healthz")]
pub fn healthz(app: &State<App>) -> (Status, Json<Health>) {
    let store = app.store().is_usable();
    let search = app.search().is_usable();
    let ok = store && search;
    let status = if ok {
        Status::Ok
    } else {
        Status::ServiceUnavailable
    };
    let body = Health {
        status: if ok { "ok" } else { "unavailable" },
        store,
        search,
        version: crate::VERSION,
    };
    (status, Json(body))
}

#[derive(OpenApi)]
#[openapi(
    info(title = "oanode API", description = "协同办公节点 JSON API. Errors: {\"error\": {\"code\", \"message\", \"fields\"}}."),
    paths(
        healthz,
        openapi_json,
        crate::auth::api::login,
        crate::auth::api::logout,
        crate::auth::api::change_password,
        crate::auth::api::me,
        crate::auth::api::sessions,
        crate::auth::api::revoke_session,
        crate::auth::api::reset_password,
        crate::auth::api::create_token,
        crate::auth::api::tokens,
        crate::auth::api::revoke_token,
        crate::org::api::sync_snapshot,
        crate::org::api::disable_user,
        crate::org::api::list_units,
        crate::org::api::list_users,
        crate::org::api::profile,
        crate::org::api::update_profile,
        crate::org::admin::api::create_unit,
        crate::org::admin::api::update_unit,
        crate::org::admin::api::delete_unit,
        crate::org::admin::api::delete_position,
        crate::org::admin::api::list_positions,
        crate::org::admin::api::create_position,
        crate::org::admin::api::update_position,
        crate::org::admin::api::create_user,
        crate::org::admin::api::update_user,
        crate::org::admin::api::enable_user,
        crate::org::admin::api::list_grants,
        crate::org::admin::api::add_grant,
        crate::org::admin::api::remove_grant,
        crate::org::ehr::api::list,
        crate::org::ehr::api::show,
        crate::org::directory::api::card,
        crate::audit::api::list,
        crate::inbox::api::list,
        crate::inbox::api::unread_count,
        crate::inbox::api::mark_read,
        crate::inbox::api::read_all,
        crate::inbox::api::stream,
        crate::workflow::workdays::api::year,
        crate::workflow::workdays::api::count,
        crate::workflow::workdays::api::set_day,
        crate::workflow::workdays::api::clear_day,
        crate::workflow::workdays::api::import,
        crate::workflow::api::list_templates,
        crate::workflow::api::get_template,
        crate::workflow::api::create_template,
        crate::workflow::api::update_template,
        crate::workflow::api::import_template,
        crate::workflow::api::set_template_state,
        crate::workflow::api::create_instance,
        crate::workflow::api::get_instance,
        crate::workflow::api::edit_instance,
        crate::workflow::api::instance_action,
        crate::workflow::api::list_tasks,
        crate::workflow::api::counts,
        crate::workflow::api::task_action,
        crate::workflow::api::upload,
        crate::workflow::api::download,
        crate::workflow::api::get_delegation,
        crate::workflow::api::set_delegation,
        crate::workflow::api::clear_delegation,
        crate::workflow::api::sla,
        crate::workflow::api::export,
        crate::documents::api::create,
        crate::documents::api::update,
        crate::documents::api::get_one,
        crate::documents::api::submit,
        crate::documents::api::acknowledge,
        crate::documents::api::receipts_list,
        crate::documents::api::remind,
        crate::documents::api::revoke,
        crate::documents::api::print,
        crate::documents::api::list,
        crate::documents::api::upload,
        crate::documents::api::download,
        crate::documents::api::numbering_show,
        crate::documents::api::numbering_set,
        crate::documents::api::numbering_reserve,
        crate::posts::api::list,
        crate::posts::api::create,
        crate::posts::api::get_one,
        crate::posts::api::update,
        crate::posts::api::publish,
        crate::posts::api::withdraw,
        crate::posts::api::read,
        crate::posts::api::acknowledge,
        crate::posts::api::readers,
        crate::posts::api::upload,
        crate::posts::api::download,
        crate::workflow::leave::api::show,
        crate::workflow::leave::api::set,
        crate::workflow::leave::api::list,
        crate::workflow::leave::api::import,
        crate::search::api::search,
        crate::search::api::suggest
    ),
    components(schemas(ErrorBody, ErrorDetail)),
    modifiers(&BearerAuth, &ErrorResponses),
    tags((name = "node", description = "health and description of the node"),
         (name = "auth", description = "sign-in, passwords, sessions, integration tokens"),
         (name = "org", description = "units, users, grants"),
         (name = "inbox", description = "one's notifications and the live unread count"),
         (name = "workflow", description = "templates, requests, the todo center, delegation, leave"),
         (name = "documents", description = "official documents: drafting, approval, receipts, printing, numbering"),
         (name = "posts", description = "news, flash bulletins, notices, regulations, resources"),
         (name = "search", description = "full-text search over what the caller may open"))
)]
pub struct ApiDoc;

/// This document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "node",
    responses((status = 200, description = "the OpenAPI 3 document")))]
#[get("/api/v1/openapi.json")]
pub fn openapi_json() -> (rocket::http::ContentType, String) {
    let doc = ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|_| "{}".into());
    (rocket::http::ContentType::JSON, doc)
}

/// Declares the bearer token every authenticated call sends.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The body of every error answer under `/api/` (web/error.rs).
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// The stable code clients match on: `validation`, `not_found`, `forbidden`, …
    code: String,
    /// The message in the caller's language.
    message: String,
    /// Field name -> the reason, in the caller's language (validation errors).
    fields: Option<std::collections::BTreeMap<String, String>>,
    /// The id under which an internal error was logged.
    incident: Option<String>,
}

/// What the route attributes leave implicit, made explicit for clients and for the fuzzer
/// (tests/fuzz/run.sh checks every answer against this document):
/// - every error answer of the JSON API carries `ErrorBody`;
/// - an operation that takes a parameter or a body may answer 400 (a malformed parameter, e.g.
///   `-1` for an id, or a malformed body: the catcher answers Rocket's 422 as a 400);
/// - an operation that names something in its path may answer 404 (it does not exist or the
///   caller may not see it).
struct ErrorResponses;

impl utoipa::Modify for ErrorResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::{Operation, ParameterIn};
        use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
        let error_content = || {
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build()
        };
        let fix = |op: &mut Operation| {
            let params: Vec<_> = op
                .parameters
                .iter()
                .flatten()
                .filter_map(|p| match p {
                    RefOr::T(p) => Some(p.parameter_in.clone()),
                    RefOr::Ref(_) => None,
                })
                .collect();
            let in_path = params.iter().any(|p| matches!(p, ParameterIn::Path));
            let responses = &mut op.responses.responses;
            if !params.is_empty() || op.request_body.is_some() {
                responses.entry("400".into()).or_insert_with(|| {
                    RefOr::T(
                        ResponseBuilder::new()
                            .description("a malformed parameter or body")
                            .build(),
                    )
                });
            }
            if in_path {
                responses.entry("404".into()).or_insert_with(|| {
                    RefOr::T(
                        ResponseBuilder::new()
                            .description("not found, or not visible to the caller")
                            .build(),
                    )
                });
            }
            for (status, response) in responses.iter_mut() {
                if let RefOr::T(r) = response
                    && !status.starts_with('2')
                    && r.content.is_empty()
                {
                    r.content
                        .insert("application/json".into(), error_content().into());
                }
            }
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            if !path.starts_with("/api/") {
                continue;
            }
            for op in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                fix(op);
            }
        }
    }
}
