//! 系统管理 → 审计日志: the log filtered by person, action and dates, newest first, with a link to
//! older entries. The same search as the API, so the same scope rules.

use askama::Template;
use askama_web::WebTemplate;
use rocket::http::Status;
use rocket::{State, get};

use super::{EntryView, Filter};
use crate::App;
use crate::auth::Actor;
use crate::error::{Error, Result};
use crate::web::page::{Base, FormErrors, encode_query_value};

/// The action families offered in the filter (a prefix matches every action in it).
pub const ACTIONS: &[&str] = &[
    "auth.login",
    "auth.login_failed",
    "auth.lockout",
    "auth.password_",
    "auth.session_revoke",
    "auth.token_",
    "org.user.",
    "org.unit.",
    "org.position.",
    "org.grant.",
    "ehr.sync",
];

#[derive(Template, WebTemplate)]
#[template(path = "audit/list.html")]
pub struct AuditPage {
    pub base: Base,
    pub user: String,
    pub action: String,
    pub from: String,
    pub to: String,
    pub items: Vec<EntryView>,
    /// The link to older entries, filters kept.
    pub older: Option<String>,
    pub errors: FormErrors,
}

impl AuditPage {
    /// `2026-11-29 09:30:05` from the RFC 3339 time.
    pub fn when(&self, e: &EntryView) -> String {
        e.at.get(..19).unwrap_or(&e.at).replace('T', " ")
    }

    /// The action's name in the reader's language, or the action itself.
    pub fn action_label(&self, action: &str) -> String {
        let key = format!(
            "audit.a.{}",
            action.trim_end_matches(['.', '_']).replace('.', "_")
        );
        let label = self.base.tr.t(&key);
        if label == key {
            action.to_string()
        } else {
            label.to_string()
        }
    }

    pub fn is_action(&self, a: &str) -> bool {
        self.action == a
    }

    pub fn actions(&self) -> &'static [&'static str] {
        ACTIONS
    }
}

#[get("/admin/audit?<user>&<action>&<from>&<to>&<before>")]
#[allow(clippy::too_many_arguments)]
pub async fn list(
    app: &State<App>,
    base: Base,
    actor: Actor,
    user: Option<String>,
    action: Option<String>,
    from: Option<String>,
    to: Option<String>,
    before: Option<u64>,
) -> Result<(Status, AuditPage)> {
    let base = base.with_user(&actor, "admin");
    let text = |s: &Option<String>| {
        s.clone()
            .unwrap_or_default()
            .chars()
            .take(64)
            .collect::<String>()
    };
    let mut page = AuditPage {
        user: text(&user),
        action: text(&action),
        from: text(&from),
        to: text(&to),
        base,
        items: Vec::new(),
        older: None,
        errors: FormErrors::default(),
    };
    let filter = match Filter::parse(
        user,
        action,
        from.as_deref(),
        to.as_deref(),
        before,
        Some(50),
    ) {
        Ok(f) => f,
        Err(Error::Validation(f)) => {
            page.errors = FormErrors(f);
            return Ok((Status::BadRequest, page));
        }
        Err(e) => return Err(e),
    };
    let found = app
        .run(move |app| super::search(app, &actor, &filter))
        .await?;
    page.older = found.next_before.map(|b| {
        format!(
            "/admin/audit?user={}&action={}&from={}&to={}&before={b}",
            encode_query_value(&page.user),
            encode_query_value(&page.action),
            encode_query_value(&page.from),
            encode_query_value(&page.to),
        )
    });
    page.items = found.items;
    Ok((Status::Ok, page))
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![list]
}
