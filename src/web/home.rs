//! The workbench (工作台), the home page. Until sign-in lands it shows the node itself: the
//! organization, the version and the state of the store and the index.

use askama::Template;
use askama_web::WebTemplate;
use rocket::http::{Cookie, CookieJar, SameSite};
use rocket::response::Redirect;
use rocket::{Request, State, get};

use super::i18n::{LANG_COOKIE, Lang};
use super::page::Base;
use crate::App;
use crate::error::Result;

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub struct HomePage {
    pub base: Base,
    pub version: &'static str,
    pub units: u64,
    pub indexed: u64,
    pub schema_version: u64,
}

pub struct Active(Base);

#[rocket::async_trait]
impl<'r> rocket::request::FromRequest<'r> for Active {
    type Error = ();
    async fn from_request(req: &'r Request<'_>) -> rocket::request::Outcome<Self, ()> {
        rocket::request::Outcome::Success(Active(Base::from_request(req, "workbench")))
    }
}

#[get("/")]
pub async fn show(app: &State<App>, base: Active) -> Result<HomePage> {
    let summary = app.run(|app| app.summary()).await?;
    Ok(HomePage {
        base: base.0,
        version: crate::VERSION,
        units: summary.units,
        indexed: summary.indexed,
        schema_version: summary.schema_version,
    })
}

/// Sets the language cookie and goes back to the page the switch was clicked on.
#[get("/lang/<code>?<next>")]
pub fn switch_lang(code: &str, next: Option<&str>, jar: &CookieJar<'_>) -> Redirect {
    if let Some(lang) = Lang::parse(code) {
        let cookie = Cookie::build((LANG_COOKIE, lang.code()))
            .path("/")
            .same_site(SameSite::Lax)
            .http_only(true)
            .max_age(rocket::time::Duration::days(365));
        jar.add(cookie);
    }
    Redirect::to(safe_next(next).to_string())
}

/// Only a local path may be a redirect target (no `//host`, no scheme): no open redirect.
fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") => n,
        _ => "/",
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn next_must_be_local() {
        assert_eq!(super::safe_next(Some("/x?y=1")), "/x?y=1");
        for bad in ["//evil.example", "https://evil.example", "/\\evil", "evil"] {
            assert_eq!(super::safe_next(Some(bad)), "/");
        }
        assert_eq!(super::safe_next(None), "/");
    }
}
