//! Request guards: WHO is calling, nothing more (what they may do is `Actor::can`, asked by the
//! services). A session cookie or an `Authorization: Bearer` token; cookie-authenticated changes
//! carry the session's CSRF token (header `X-CSRF-Token`, or the form field `csrf`).

use rocket::data::{FromData, Outcome as DataOutcome, ToByteUnit};
use rocket::form::{Form, ValueField};
use rocket::http::{Method, RawStr, Status};
use rocket::request::{FromRequest, Outcome, Request};
use rocket::{Data, State};

use super::actor::Actor;
use super::service::{self, Origin};
use crate::App;
use crate::error::{Code, Error};

pub const SESSION_COOKIE: &str = "oanode_session";
pub const CSRF_HEADER: &str = "X-CSRF-Token";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Cookie,
    Bearer,
}

/// Why the guard refused, for the catcher: a page is redirected (to sign-in or to the password
/// form), an API call gets the matching code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AuthFailure {
    #[default]
    None,
    Unauthenticated,
    MustChangePassword,
    Csrf,
}

/// The request's caller, resolved once per request.
struct Resolved(Option<(Actor, Via)>);

async fn resolve<'r>(req: &'r Request<'_>) -> &'r Resolved {
    req.local_cache_async(async {
        let Some(app) = req.rocket().state::<App>() else {
            return Resolved(None);
        };
        let bearer = req
            .headers()
            .get_one("Authorization")
            .and_then(|h| {
                h.strip_prefix("Bearer ")
                    .or_else(|| h.strip_prefix("bearer "))
            })
            .map(|t| (t.trim().to_string(), Via::Bearer));
        let cookie = || {
            req.cookies()
                .get(SESSION_COOKIE)
                .map(|c| (c.value().to_string(), Via::Cookie))
        };
        let Some((token, via)) = bearer.or_else(cookie) else {
            return Resolved(None);
        };
        if token.is_empty() || token.len() > 200 {
            return Resolved(None);
        }
        match app.run(move |app| service::resolve(app, &token)).await {
            Ok(found) => Resolved(found.map(|a| (a, via))),
            Err(e) => {
                tracing::error!(error = %e, "resolving a session failed");
                Resolved(None)
            }
        }
    })
    .await
}

fn fail<T>(req: &Request<'_>, why: AuthFailure, status: Status, err: Error) -> Outcome<T, Error> {
    req.local_cache(|| why);
    Outcome::Error((status, err))
}

fn is_unsafe(method: Method) -> bool {
    !matches!(method, Method::Get | Method::Head | Method::Options)
}

async fn guard(req: &Request<'_>, allow_must_change: bool) -> Outcome<Actor, Error> {
    let Resolved(found) = resolve(req).await;
    let Some((actor, via)) = found.clone() else {
        return fail(
            req,
            AuthFailure::Unauthenticated,
            Status::Unauthorized,
            Error::Unauthenticated,
        );
    };
    if actor.must_change_password && !allow_must_change {
        return fail(
            req,
            AuthFailure::MustChangePassword,
            Status::Forbidden,
            Error::Forbidden(Code::MustChangePassword),
        );
    }
    // A cookie-authenticated change through the API must carry the CSRF header; page forms are
    // checked by `CsrfForm` (the token is in the body there).
    let api = req.uri().path().starts_with("/api/");
    if via == Via::Cookie && api && is_unsafe(req.method()) && !csrf_header_ok(req, &actor) {
        return fail(
            req,
            AuthFailure::Csrf,
            Status::Forbidden,
            Error::Forbidden(Code::Csrf),
        );
    }
    Outcome::Success(actor)
}

fn csrf_header_ok(req: &Request<'_>, actor: &Actor) -> bool {
    req.headers()
        .get_one(CSRF_HEADER)
        .is_some_and(|t| constant_eq(t, &actor.csrf))
}

fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && !b.is_empty()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Actor {
    type Error = Error;
    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Error> {
        guard(req, false).await
    }
}

/// A signed-in caller who may still have to change the initial password: only for the
/// password change itself, signing out and `/api/v1/me`'s refusal.
pub struct AnyActor(pub Actor);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for AnyActor {
    type Error = Error;
    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Error> {
        guard(req, true).await.map(AnyActor)
    }
}

/// The caller if signed in (pages that also serve visitors, like the sign-in form).
pub struct MaybeActor(pub Option<Actor>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for MaybeActor {
    type Error = Error;
    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Error> {
        Outcome::Success(MaybeActor(
            resolve(req).await.0.as_ref().map(|(a, _)| a.clone()),
        ))
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Origin {
    type Error = Error;
    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Error> {
        Outcome::Success(Origin {
            ip: client_address(req).map(|ip| ip.to_string()),
            user_agent: req.headers().get_one("User-Agent").map(str::to_string),
        })
    }
}

/// The client's address for throttling and the audit log: the peer's, unless the peer is a
/// reverse proxy on this host (loopback), whose `X-Real-IP` then names the client. A header
/// from anyone else is ignored, so a client reaching the node directly cannot pick an address
/// to escape the per-address sign-in throttle.
pub fn client_address(req: &Request<'_>) -> Option<std::net::IpAddr> {
    let peer = req.remote().map(|a| a.ip());
    match peer {
        Some(ip) if ip.is_loopback() => req
            .headers()
            .get_one("X-Real-IP")
            .and_then(|h| h.trim().parse().ok())
            .or(peer),
        _ => peer,
    }
}

/// Whether the browser reached the node over HTTPS: the node serves TLS itself (`[tls]`), or a
/// reverse proxy on this host says so in `X-Forwarded-Proto` (the installer's nginx and Caddy
/// examples send it). Cookies set then carry `Secure`. The header from anyone else is ignored,
/// as for [`client_address`].
pub struct Https(pub bool);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Https {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        if req.rocket().config().tls_enabled() {
            return Outcome::Success(Https(true));
        }
        let via_proxy = req.remote().is_some_and(|a| a.ip().is_loopback());
        let https = via_proxy
            && req
                .headers()
                .get_one("X-Forwarded-Proto")
                .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"));
        Outcome::Success(Https(https))
    }
}

/// A page form whose `csrf` field (or `X-CSRF-Token` header, for htmx) must match the session's
/// token. Fields other than the form's own are ignored, so `T` does not declare `csrf`.
pub struct CsrfForm<T>(pub T);

#[rocket::async_trait]
impl<'r, T: for<'a> rocket::form::FromForm<'a> + Send + 'static> FromData<'r> for CsrfForm<T> {
    type Error = Error;

    async fn from_data(req: &'r Request<'_>, data: Data<'r>) -> DataOutcome<'r, Self, Error> {
        let Resolved(found) = resolve(req).await;
        let Some((actor, via)) = found.clone() else {
            req.local_cache(|| AuthFailure::Unauthenticated);
            return DataOutcome::Error((Status::Unauthorized, Error::Unauthenticated));
        };
        let body = match data.open(1.mebibytes()).into_string().await {
            Ok(s) if s.is_complete() => s.into_inner(),
            Ok(_) => return DataOutcome::Error((Status::PayloadTooLarge, Error::TooLarge)),
            Err(e) => {
                return DataOutcome::Error((Status::BadRequest, Error::BadRequest(e.to_string())));
            }
        };
        // Browsers percent-encode form bodies (`@` is `%40`, 中文 and `+` for spaces); `Form::parse`
        // expects decoded fields, so each name and value is decoded first, as Rocket's own
        // `Form` guard does.
        let decoded: Vec<(String, String)> = body
            .split('&')
            .filter(|kv| !kv.is_empty())
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                let dec = |s: &str| RawStr::new(s).url_decode_lossy().into_owned();
                (dec(k), dec(v))
            })
            .collect();
        let field_ok = decoded
            .iter()
            .find(|(k, _)| k == "csrf")
            .is_some_and(|(_, v)| constant_eq(v, &actor.csrf));
        if via == Via::Cookie && !field_ok && !csrf_header_ok(req, &actor) {
            req.local_cache(|| AuthFailure::Csrf);
            return DataOutcome::Error((Status::Forbidden, Error::Forbidden(Code::Csrf)));
        }
        let fields = decoded
            .iter()
            .map(|(k, v)| ValueField::from((k.as_str(), v.as_str())));
        match Form::<T>::parse_iter(fields) {
            Ok(v) => DataOutcome::Success(CsrfForm(v)),
            Err(errs) => {
                let mut fields = crate::error::FieldErrors::new();
                for e in errs.iter() {
                    let name = e
                        .name
                        .as_ref()
                        .map_or_else(|| "form".to_string(), |n| n.to_string());
                    fields.insert(name, "error.invalid".into());
                }
                DataOutcome::Error((Status::BadRequest, Error::Validation(fields)))
            }
        }
    }
}

/// The app state, for routes that need it next to the guards above.
pub type AppState<'r> = &'r State<App>;
