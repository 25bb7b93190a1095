//! The workbench (工作台), the home page: a greeting, one's place in the organization and one's
//! shortcuts; the group's administrators also see the node's state.

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
    /// `home.morning`, `home.afternoon` or `home.evening`, by the node's local time.
    pub greeting_key: &'static str,
    /// The signed-in person's card: unit path, position, manager, direct reports.
    pub me: crate::org::directory::service::Card,
    /// Group administrators see the node's state and the operator's commands.
    pub operator: bool,
    pub version: &'static str,
    pub units: u64,
    pub indexed: u64,
    pub schema_version: u64,
    /// 我的待办: the badges and the most urgent few.
    pub counts: crate::workflow::service::lists::Counts,
    pub todos: Vec<crate::workflow::service::lists::Item>,
    /// The latest notices, news and flash bulletins addressed to the person: `(kind, title key,
    /// items)`.
    pub posts: Vec<(
        &'static str,
        &'static str,
        Vec<crate::posts::service::lists::Item>,
    )>,
    pub tz: chrono_tz::Tz,
}

impl HomePage {
    /// `MM-DD` of a post's publication, in the node's time zone.
    pub fn day(&self, ms: &Option<i64>) -> String {
        use chrono::TimeZone;
        ms.and_then(|ms| self.tz.timestamp_millis_opt(ms).single())
            .map(|t| t.format("%m-%d").to_string())
            .unwrap_or_default()
    }

    pub fn when(&self, rfc: &str) -> String {
        rfc.get(5..16).unwrap_or(rfc).replace('T', " ")
    }
}

fn greeting_key(hour: u32) -> &'static str {
    match hour {
        0..=4 | 18..=23 => "home.evening",
        5..=11 => "home.morning",
        _ => "home.afternoon",
    }
}

/// The workbench of the signed-in person (anonymous visitors are sent to sign in). Later
/// features add their cards (todos, schedule, notices); for now: who one is in the
/// organization, the shortcuts one has, and, for the group's administrators, the node.
#[get("/")]
pub async fn show(app: &State<App>, base: Base, actor: Actor) -> Result<HomePage> {
    use chrono::{TimeZone, Timelike};
    let a = actor.clone();
    let (summary, me, counts, todos, posts) = app
        .run(move |app| {
            use crate::posts::model::Kind;
            let mut posts = Vec::new();
            for (kind, key) in [
                (Kind::Notice, "posts.workbench_notices"),
                (Kind::News, "posts.workbench_news"),
                (Kind::Flash, "posts.workbench_flash"),
            ] {
                let items = crate::posts::service::lists::latest(app, &a, kind, 6)?;
                posts.push((kind.code(), key, items));
            }
            use crate::workflow::service::lists;
            let me = crate::org::directory::service::card(app, &a, a.user_id)?;
            let counts = lists::counts(app, a.user_id)?;
            let todo = crate::workflow::store::Box::Todo;
            let todos = lists::list(app, &a, todo, &Default::default(), None, 5)?.items;
            Ok((app.summary()?, me, counts, todos, posts))
        })
        .await?;
    let hour = app
        .tz()
        .timestamp_millis_opt(app.now_ms())
        .single()
        .map_or(9, |t| t.hour());
    let root = actor.tree.ancestors(actor.unit_id).last().copied();
    let operator = root.is_some_and(|r| actor.can(crate::auth::Permission::ManageOrg, r));
    Ok(HomePage {
        base: base.with_user(&actor, "workbench"),
        greeting_key: greeting_key(hour),
        me,
        operator,
        version: crate::VERSION,
        units: summary.units,
        indexed: summary.indexed,
        schema_version: summary.schema_version,
        counts,
        todos,
        posts,
        tz: app.tz(),
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
    fn greetings_follow_the_hour() {
        assert_eq!(super::greeting_key(8), "home.morning");
        assert_eq!(super::greeting_key(14), "home.afternoon");
        assert_eq!(super::greeting_key(21), "home.evening");
        assert_eq!(super::greeting_key(2), "home.evening");
    }

    #[test]
    fn next_must_be_local() {
        assert_eq!(super::super::page::safe_next(Some("/x?y=1")), "/x?y=1");
        for bad in ["//evil.example", "https://evil.example", "/\\evil", "evil"] {
            assert_eq!(super::super::page::safe_next(Some(bad)), "/");
        }
        assert_eq!(super::super::page::safe_next(None), "/");
    }
}
