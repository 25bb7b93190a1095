//! Fairings: security headers on every answer, and one log line per request.

use std::time::Instant;

use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::Header;
use rocket::{Data, Request, Response};

/// No inline script, no framing, no sniffing, no referrer leaving the node.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
     frame-ancestors 'none'";

pub struct SecurityHeaders;

#[rocket::async_trait]
impl Fairing for SecurityHeaders {
    fn info(&self) -> Info {
        Info {
            name: "security headers",
            kind: Kind::Response,
        }
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        // Ours replace Rocket's Shield defaults (which allow same-origin framing).
        let set = |res: &mut Response<'r>, name: &'static str, value: &'static str| {
            res.set_header(Header::new(name, value));
        };
        set(res, "Content-Security-Policy", CSP);
        set(res, "X-Frame-Options", "DENY");
        set(res, "X-Content-Type-Options", "nosniff");
        set(res, "Referrer-Policy", "same-origin");
        set(
            res,
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=()",
        );
        set(res, "Cross-Origin-Opener-Policy", "same-origin");
        // Serving HTTPS itself (`[tls]`), the node asks browsers to keep to it, as the nginx
        // example does (browsers ignore it over a certificate they had to be told to accept).
        if req.rocket().config().tls_enabled() {
            set(res, "Strict-Transport-Security", "max-age=63072000");
        }
        if !res.headers().contains("Cache-Control") {
            res.set_header(Header::new("Cache-Control", "no-store"));
        }
    }
}

pub struct RequestLog;

#[derive(Clone, Copy)]
struct Started(Instant);

#[rocket::async_trait]
impl Fairing for RequestLog {
    fn info(&self) -> Info {
        Info {
            name: "request log",
            kind: Kind::Request | Kind::Response,
        }
    }

    async fn on_request(&self, req: &mut Request<'_>, _: &mut Data<'_>) {
        req.local_cache(|| Started(Instant::now()));
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        let started = req.local_cache(|| Started(Instant::now()));
        if let Some(m) = req.rocket().state::<super::metrics::Metrics>() {
            m.observe(req, res.status().code, started.0.elapsed().as_secs_f64());
        }
        tracing::info!(
            target: "oanode::http",
            method = %req.method(),
            path = %req.uri().path(),
            status = res.status().code,
            ms = started.0.elapsed().as_secs_f64() * 1000.0,
        );
    }
}
