//! The base context every page gets: language and translator, the navigation, the group's name,
//! the language switch. Pages are askama templates with a `base: Base` field.

use rocket::Request;
use rocket::request::{FromRequest, Outcome};

use super::assets;
use super::i18n::{Lang, Tr, lang_of};
use crate::App;

/// One entry of the main navigation. Each feature adds its entry as it lands; nothing is listed
/// that does not exist yet.
pub struct NavItem {
    pub id: &'static str,
    pub href: &'static str,
    pub label_key: &'static str,
    pub icon: &'static str,
    /// Shown only to those who administer something (the 管理 entry).
    pub admin_only: bool,
}

const fn item(id: &'static str, href: &'static str, label_key: &'static str) -> NavItem {
    NavItem {
        id,
        href,
        label_key,
        icon: id,
        admin_only: false,
    }
}

pub const NAV: &[NavItem] = &[
    item("workbench", "/", "nav.workbench"),
    item("workflow", "/workflow", "nav.workflow"),
    item("documents", "/documents", "nav.documents"),
    item("posts", "/posts", "nav.posts"),
    item("inbox", "/inbox", "nav.inbox"),
    item("directory", "/directory", "nav.directory"),
    item("settings", "/settings", "nav.settings"),
    NavItem {
        admin_only: true,
        ..item("admin", "/admin", "nav.admin")
    },
];

/// Whether `actor` administers anything, i.e. sees the 管理 entry. The pages behind it check
/// each permission again in their services.
pub fn administers(actor: &crate::auth::Actor) -> bool {
    use crate::auth::Permission::*;
    [
        ManageOrg,
        ManageUsers,
        ManageGrants,
        ViewAudit,
        ManageTokens,
        SyncEhr,
        AdminWorkflow,
    ]
    .into_iter()
    .any(|p| actor.can_anywhere(p))
}

pub struct Base {
    pub tr: Tr,
    pub lang: Lang,
    pub org_name: String,
    pub active: &'static str,
    /// `/lang/<other>?next=<this page>`.
    pub switch_href: String,
    pub switch_label: &'static str,
    /// The signed-in person's name, and their session's CSRF token for forms.
    pub user_name: Option<String>,
    pub csrf: String,
    pub admin: bool,
    /// The signed-in person's unread notifications: the bell's badge (hidden at 0).
    pub unread: u64,
    /// Whose count `unread` is, so `with_user` reads it only when it is not yet there.
    unread_of: Option<u64>,
    /// Open approval tasks (counted up to 100): the badge on 流程审批 in the navigation.
    pub todo: usize,
    /// Official documents received and not yet read (公文管理's badge).
    pub docs_unread: usize,
    /// What the header's search box holds (the words on the results page).
    pub search_q: String,
    app: Option<App>,
}

impl Base {
    pub fn from_request(req: &Request<'_>, active: &'static str) -> Base {
        let lang = lang_of(req);
        let other = if lang == Lang::ZhCn {
            Lang::En
        } else {
            Lang::ZhCn
        };
        let here = req.uri().to_string();
        let app = req.rocket().state::<App>().cloned();
        let org_name = app
            .as_ref()
            .and_then(|app| app.group_name())
            .unwrap_or_default();
        Base {
            tr: Tr(lang),
            lang,
            org_name,
            active,
            switch_href: format!("/lang/{}?next={}", other.code(), encode_query_value(&here)),
            switch_label: if other == Lang::En {
                "English"
            } else {
                "中文"
            },
            user_name: None,
            csrf: String::new(),
            admin: false,
            unread: 0,
            unread_of: None,
            todo: 0,
            docs_unread: 0,
            search_q: String::new(),
            app,
        }
    }

    /// Reads `user_id`'s unread count for the bell (one get); 0 when the store does not answer.
    fn load_unread(&mut self, user_id: u64) {
        if self.unread_of == Some(user_id) {
            return;
        }
        self.unread = self
            .app
            .as_ref()
            .and_then(|app| crate::inbox::service::unread_of(app.store(), user_id).ok())
            .unwrap_or(0);
        self.todo = self
            .app
            .as_ref()
            .and_then(|app| crate::workflow::service::lists::todo_count(app.store(), user_id).ok())
            .unwrap_or(0);
        self.docs_unread = self
            .app
            .as_ref()
            .and_then(|app| {
                app.store()
                    .read(|tx| crate::documents::store::unread_count(tx, user_id, 100))
                    .ok()
            })
            .unwrap_or(0);
        self.unread_of = Some(user_id);
    }

    /// The badge beside a navigation entry: the open tasks on 流程审批, the unread documents on
    /// 公文管理, none elsewhere.
    pub fn nav_badge(&self, id: &str) -> Option<String> {
        let n = match id {
            "workflow" => self.todo,
            "documents" => self.docs_unread,
            _ => 0,
        };
        match n {
            0 => None,
            n if n >= 100 => Some("99+".into()),
            n => Some(n.to_string()),
        }
    }

    /// The bell's accessible name: 消息中心, with the unread count when there is one.
    pub fn bell_label(&self) -> String {
        if self.unread == 0 {
            self.t("inbox.bell").to_string()
        } else {
            self.t("inbox.bell_count")
                .replace("{n}", &self.unread.to_string())
        }
    }

    /// The badge's text: the count, or 99+.
    pub fn unread_badge(&self) -> String {
        if self.unread > 99 {
            "99+".into()
        } else {
            self.unread.to_string()
        }
    }

    /// The base of a page shown to `actor`, with `active` marked in the navigation.
    pub fn with_user(mut self, actor: &crate::auth::Actor, active: &'static str) -> Base {
        self.user_name = Some(actor.name.clone());
        self.csrf = actor.csrf.clone();
        self.admin = administers(actor);
        self.active = active;
        self.load_unread(actor.user_id);
        self
    }

    pub fn t<'a>(&self, key: &'a str) -> &'a str {
        self.tr.t(key)
    }

    pub fn asset(&self, path: &str) -> String {
        assets::url(path)
    }

    pub fn html_lang(&self) -> &'static str {
        self.lang.code()
    }

    pub fn nav(&self) -> Vec<&'static NavItem> {
        NAV.iter().filter(|i| self.admin || !i.admin_only).collect()
    }

    /// The kinds search knows, for the header box's labels.
    pub fn search_kinds(&self) -> &'static [&'static str] {
        crate::search::service::KINDS
    }

    pub fn brand(&self) -> &str {
        if self.org_name.is_empty() {
            self.tr.t("app.name")
        } else {
            &self.org_name
        }
    }
}

/// Percent-encodes a value for a query string, keeping the characters a query may hold as they
/// are (so `/` stays readable) and encoding the ones that would end or change it (`&`, `#`, `+`,
/// `%`, spaces, non-ASCII).
pub fn encode_query_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/:@!$'()*,;=?".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Base {
    type Error = ();
    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        let mut base = Base::from_request(req, "");
        if let Outcome::Success(crate::auth::guards::MaybeActor(Some(actor))) =
            req.guard::<crate::auth::guards::MaybeActor>().await
        {
            base.user_name = Some(actor.name.clone());
            base.csrf = actor.csrf.clone();
            base.admin = administers(&actor);
            base.load_unread(actor.user_id);
        }
        Outcome::Success(base)
    }
}

/// A refused form's reasons, field by field, for its template: `errors.of("name")` is the
/// catalog key to show under that field.
#[derive(Debug, Default, Clone)]
pub struct FormErrors(pub crate::error::FieldErrors);

impl FormErrors {
    pub fn of(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }
    pub fn any(&self) -> bool {
        !self.0.is_empty()
    }
}

/// A form's outcome: its errors to show again with 400, or any other error as an error page.
pub fn form_errors(e: crate::error::Error) -> Result<FormErrors, crate::error::Error> {
    match e {
        crate::error::Error::Validation(f) => Ok(FormErrors(f)),
        crate::error::Error::Conflict(crate::error::Code::Duplicate) => Ok(FormErrors(
            [("form".to_string(), "error.duplicate".to_string())].into(),
        )),
        other => Err(other),
    }
}

/// Only a local path may be a redirect target (no `//host`, no scheme): no open redirect.
pub fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") => n,
        _ => "/",
    }
}
