//! How an `Error` reaches people and programs: under `/api/` the JSON body
//! `{"error": {"code", "message", "fields"}}`, elsewhere a localized HTML page. Internal details
//! are logged with an id; only the id is shown.

use askama::Template;
use rocket::http::{ContentType, Header, Status};
use rocket::response::{self, Responder, Response};
use rocket::{Request, catch};
use serde_json::json;

use super::i18n::{lang_of, t};
use super::page::Base;
use crate::error::{Code, Error};

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub base: Base,
    pub status: u16,
    pub title_key: String,
    pub message_key: String,
    pub incident: Option<String>,
}

fn is_api(req: &Request<'_>) -> bool {
    let path = req.uri().path();
    path.starts_with("/api/") || path == "/api"
}

fn incident_id() -> String {
    format!("{:08x}", rand::random::<u32>())
}

/// Renders a status with a code and message key, in JSON or HTML as the path asks.
fn respond(
    req: &Request<'_>,
    status: u16,
    code: Code,
    fields: Option<&crate::error::FieldErrors>,
    incident: Option<String>,
    extra: Vec<Header<'static>>,
) -> response::Result<'static> {
    let lang = lang_of(req);
    let message_key = format!("error.{}", code.as_str());
    let st = Status::from_code(status).unwrap_or(Status::InternalServerError);
    let mut builder = Response::build();
    builder.status(st);
    for h in extra {
        builder.header(h);
    }
    if is_api(req) {
        let mut body = json!({"code": code.as_str(), "message": t(lang, &message_key)});
        if let Some(fields) = fields {
            let localized: serde_json::Map<String, serde_json::Value> = fields
                .iter()
                .map(|(k, v)| (k.clone(), json!(t(lang, v))))
                .collect();
            body["fields"] = serde_json::Value::Object(localized);
        }
        if let Some(id) = &incident {
            body["incident"] = json!(id);
        }
        let text = json!({ "error": body }).to_string();
        builder
            .header(ContentType::JSON)
            .sized_body(text.len(), std::io::Cursor::new(text))
            .ok()
    } else {
        let page = ErrorPage {
            base: Base::from_request(req, ""),
            status,
            title_key: format!("error.title.{status}"),
            message_key,
            incident,
        };
        let html = page.render().map_err(|e| {
            tracing::error!(error = %e, "error page failed to render");
            Status::InternalServerError
        })?;
        builder
            .header(ContentType::HTML)
            .sized_body(html.len(), std::io::Cursor::new(html))
            .ok()
    }
}

impl<'r> Responder<'r, 'static> for Error {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        let mut extra = Vec::new();
        let incident = match &self {
            Error::Internal(e) => {
                let id = incident_id();
                tracing::error!(incident = %id, error = %format!("{e:#}"), path = %req.uri(), "internal error");
                Some(id)
            }
            Error::Unavailable(why) => {
                tracing::warn!(reason = %why, "unavailable");
                None
            }
            Error::BadRequest(why) => {
                tracing::debug!(reason = %why, "bad request");
                None
            }
            Error::Throttled { retry_after_s, .. } => {
                extra.push(Header::new("Retry-After", retry_after_s.to_string()));
                None
            }
            _ => None,
        };
        let fields = match &self {
            Error::Validation(f) => Some(f),
            _ => None,
        };
        respond(req, self.status(), self.code(), fields, incident, extra)
    }
}

/// One catcher for every status Rocket produces itself (unknown route, malformed body, …).
#[catch(default)]
pub fn default_catcher(status: Status, _req: &Request<'_>) -> CatcherResponse {
    CatcherResponse(status)
}

pub struct CatcherResponse(Status);

impl<'r> Responder<'r, 'static> for CatcherResponse {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        use crate::auth::guards::AuthFailure;
        let why = *req.local_cache(AuthFailure::default);
        // A person without a session, or with a password to change, is sent where they can act.
        if !is_api(req) {
            let to = match why {
                AuthFailure::Unauthenticated => Some(format!(
                    "/login?next={}",
                    super::page::encode_query_value(&req.uri().to_string())
                )),
                AuthFailure::MustChangePassword => Some("/settings/password".to_string()),
                _ => None,
            };
            if let Some(to) = to {
                return Response::build()
                    .status(Status::SeeOther)
                    .header(Header::new("Location", to))
                    .ok();
            }
        }
        if why == AuthFailure::MustChangePassword {
            return respond(req, 403, Code::MustChangePassword, None, None, Vec::new());
        }
        if why == AuthFailure::Csrf {
            return respond(req, 403, Code::Csrf, None, None, Vec::new());
        }
        let code = match self.0.code {
            400 | 422 => Code::Validation,
            401 => Code::Unauthenticated,
            403 => Code::Forbidden,
            404 => Code::NotFound,
            409 => Code::Conflict,
            413 => Code::TooLarge,
            429 => Code::Throttled,
            503 => Code::Unavailable,
            _ => Code::Internal,
        };
        // 422 is Rocket's "body did not parse": to clients it is a plain 400.
        let status = if self.0.code == 422 { 400 } else { self.0.code };
        respond(req, status, code, None, None, Vec::new())
    }
}
