//! Embedded assets (rust-embed; debug builds read `assets/` from disk). Served at
//! `/static/<path>?v=<hash>`: the URL changes with the content, so a versioned URL is cached for a
//! year; an unversioned one is revalidated with its ETag.

use std::collections::HashMap;
use std::sync::OnceLock;

use rocket::http::{ContentType, Header, Status};
use rocket::request::{FromRequest, Outcome, Request};
use rocket::response::{self, Responder, Response};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "assets/"]
#[exclude = "templates/*"]
pub struct Assets;

/// Folders under `assets/` that are public.
const PUBLIC: &[&str] = &["css/", "js/", "icons/", "vendor/", "manifest.webmanifest"];

fn hashes() -> &'static HashMap<String, String> {
    static HASHES: OnceLock<HashMap<String, String>> = OnceLock::new();
    HASHES.get_or_init(|| {
        Assets::iter()
            .filter_map(|p| {
                let f = Assets::get(&p)?;
                Some((p.to_string(), hex::encode(&f.metadata.sha256_hash()[..8])))
            })
            .collect()
    })
}

/// The versioned URL of an asset, for templates.
pub fn url(path: &str) -> String {
    match hashes().get(path) {
        Some(h) => format!("/static/{path}?v={h}"),
        None => format!("/static/{path}"),
    }
}

pub struct IfNoneMatch(Option<String>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for IfNoneMatch {
    type Error = ();
    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        Outcome::Success(IfNoneMatch(
            req.headers().get_one("If-None-Match").map(str::to_string),
        ))
    }
}

#[allow(clippy::large_enum_variant)] // built once per request and moved straight into the response
pub enum AssetResponse {
    Body {
        data: Vec<u8>,
        content_type: ContentType,
        etag: String,
        immutable: bool,
    },
    NotModified {
        etag: String,
    },
}

impl<'r> Responder<'r, 'static> for AssetResponse {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        match self {
            AssetResponse::NotModified { etag } => Response::build()
                .status(Status::NotModified)
                .header(Header::new("ETag", etag))
                .ok(),
            AssetResponse::Body {
                data,
                content_type,
                etag,
                immutable,
            } => {
                let cache = if immutable {
                    "public, max-age=31536000, immutable"
                } else {
                    "no-cache"
                };
                Response::build()
                    .header(content_type)
                    .header(Header::new("ETag", etag))
                    .header(Header::new("Cache-Control", cache))
                    .sized_body(data.len(), std::io::Cursor::new(data))
                    .ok()
            }
        }
    }
}

#[rocket::get("/static/<path..>?<v>")]
pub fn serve(path: std::path::PathBuf, v: Option<&str>, inm: IfNoneMatch) -> Option<AssetResponse> {
    let path = path.to_str()?.replace('\\', "/");
    if !PUBLIC.iter().any(|p| path.starts_with(p) || path == *p) {
        return None;
    }
    let file = Assets::get(&path)?;
    let hash = hashes().get(&path)?.clone();
    let etag = format!("\"{hash}\"");
    if inm
        .0
        .as_deref()
        .is_some_and(|h| h.split(',').any(|t| t.trim() == etag))
    {
        return Some(AssetResponse::NotModified { etag });
    }
    let ext = path.rsplit('.').next().unwrap_or("");
    let content_type = match ext {
        "webmanifest" => ContentType::new("application", "manifest+json"),
        _ => ContentType::from_extension(ext).unwrap_or(ContentType::Binary),
    };
    Some(AssetResponse::Body {
        data: file.data.into_owned(),
        content_type,
        etag,
        immutable: v == Some(hash.as_str()),
    })
}

#[cfg(test)]
mod tests {
    use rocket::http::Status;
    use rocket::local::blocking::Client;

    /// The vendored editor and our files around it are embedded, public, versioned and served with
    /// a content type the browser will run under `X-Content-Type-Options: nosniff`.
    #[test]
    fn the_rich_text_editor_is_served() {
        let config = rocket::Config {
            log_level: rocket::config::LogLevel::Off,
            ..rocket::Config::debug_default()
        };
        let rocket = rocket::custom(config).mount("/", rocket::routes![super::serve]);
        let client = Client::untracked(rocket).expect("rocket");
        for (path, content_type, needle) in [
            (
                "vendor/quill-2.0.3/quill.js",
                "text/javascript",
                "themes/snow",
            ),
            ("vendor/quill-2.0.3/quill.snow.css", "text/css", ".ql-snow"),
            (
                "vendor/quill-2.0.3/LICENSE",
                "application/octet-stream",
                "Slab",
            ),
            ("js/richtext.js", "text/javascript", "data-richtext"),
            ("css/richtext.css", "text/css", ".richtext"),
        ] {
            let url = super::url(path);
            assert!(url.contains("?v="), "{path} is not embedded");
            let r = client.get(url).dispatch();
            assert_eq!(r.status(), Status::Ok, "{path}");
            let ct = r.content_type().map(|c| c.to_string()).unwrap_or_default();
            assert!(ct.starts_with(content_type), "{path}: {ct}");
            let body = r.into_string().unwrap_or_default();
            assert!(body.contains(needle), "{path}: {} bytes", body.len());
        }
    }

    /// Each feature appends its block to the one stylesheet; an unclosed block (a merge that
    /// dropped a `}`) would silently swallow every rule after it. Top-level rules start at the
    /// first column, so there the nesting must be zero.
    #[test]
    fn the_stylesheet_closes_every_block() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/css/app.css");
        let css = std::fs::read_to_string(path).expect("app.css");
        let mut depth = 0i32;
        for (n, line) in css.lines().enumerate() {
            let top_level = line.starts_with(|c: char| !c.is_whitespace() && c != '}');
            assert!(
                !top_level || depth == 0,
                "app.css line {}: a rule at the top level inside an open block",
                n + 1
            );
            depth += line.matches('{').count() as i32 - line.matches('}').count() as i32;
            assert!(depth >= 0, "app.css line {}: a `}}` too many", n + 1);
        }
        assert_eq!(depth, 0, "app.css ends inside a block");
    }
}
