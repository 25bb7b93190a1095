//! The workbench (工作台), the home page. Until sign-in lands it shows the node itself: the
//! organization, the version and the state of the store and the index.

use askama::Template;
use askama_web::WebTemplate;
use rocket::http::{Cookie, CookieJar, SameSite};
use rocket::response::Redirect;
use rocket::{State, get};

use super::i18n::{LANG_COOKIE, Lang};
use super::page::Base;
use crate::App;
use crate::auth::Actor;
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

/// The workbench of the signed-in person (anonymous visitors are sent to sign in).
#[get("/")]
pub async fn show(app: &State<App>, base: Base, actor: Actor) -> Result<HomePage> {
    let summary = app.run(|app| app.summary()).await?;
    Ok(HomePage {
        base: base.with_user(&actor, "workbench"),
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
    Redirect::to(super::page::safe_next(next).to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn next_must_be_local() {
        assert_eq!(super::super::page::safe_next(Some("/x?y=1")), "/x?y=1");
        for bad in ["//evil.example", "https://evil.example", "/\\evil", "evil"] {
            assert_eq!(super::super::page::safe_next(Some(bad)), "/");
        }
        assert_eq!(super::super::page::safe_next(None), "/");
    }
}
