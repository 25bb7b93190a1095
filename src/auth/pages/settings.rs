//! 个人设置 (profile, password rule, language, signed-in sessions) and 系统管理 → 集成令牌.
//! The password form itself is in `pages.rs`.

use askama::Template;
use askama_web::WebTemplate;
use rocket::form::FromForm;
use rocket::http::Status;
use rocket::response::Redirect;
use rocket::{Either, State, get, post};

use super::Empty;
use crate::App;
use crate::auth::guards::CsrfForm;
use crate::auth::service::{self, Origin, SessionView, TokenView};
use crate::auth::{Actor, Scope};
use crate::config::PasswordPolicy;
use crate::error::Result;
use crate::org::profile::{self, Profile};
use crate::org::store as org_store;
use crate::web::i18n::{Lang, Tr};
use crate::web::page::{Base, FormErrors, encode_query_value, form_errors};

/// The password rule in the reader's words, one line per requirement.
pub fn policy_lines(p: &PasswordPolicy, tr: Tr) -> Vec<String> {
    let mut out = vec![
        tr.t("settings.policy_min")
            .replace("{n}", &p.min_length.to_string()),
    ];
    for (on, key) in [
        (p.require_letters, "settings.policy_letters"),
        (p.require_digits, "settings.policy_digits"),
        (p.require_symbols, "settings.policy_symbols"),
    ] {
        if on {
            out.push(tr.t(key).to_string());
        }
    }
    if p.expiry_days > 0 {
        out.push(
            tr.t("settings.policy_expiry")
                .replace("{n}", &p.expiry_days.to_string()),
        );
    }
    if p.history > 0 {
        out.push(
            tr.t("settings.policy_history")
                .replace("{n}", &p.history.to_string()),
        );
    }
    out
}

pub struct SessionRow {
    pub s: SessionView,
    pub last_seen: String,
    pub created: String,
    pub device: String,
}

/// A short name for a browser from its User-Agent (what people recognise: 手机 Chrome, Windows Edge).
fn device(ua: Option<&str>) -> String {
    let Some(ua) = ua else {
        return "—".into();
    };
    let os = [
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Android", "Android"),
        ("Windows", "Windows"),
        ("Mac OS", "macOS"),
        ("Linux", "Linux"),
    ]
    .into_iter()
    .find(|(k, _)| ua.contains(k))
    .map_or("", |(_, v)| v);
    let browser = [
        ("MicroMessenger", "微信"),
        ("Edg/", "Edge"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
    ]
    .into_iter()
    .find(|(k, _)| ua.contains(k))
    .map_or("", |(_, v)| v);
    let name = format!("{os} {browser}").trim().to_string();
    if name.is_empty() {
        ua.chars().take(40).collect()
    } else {
        name
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "settings/index.html")]
pub struct SettingsPage {
    pub base: Base,
    pub login: String,
    pub unit: String,
    pub position: String,
    pub profile: Profile,
    pub errors: FormErrors,
    pub policy: Vec<String>,
    pub sessions: Vec<SessionRow>,
    pub zh_href: String,
    pub en_href: String,
    pub done: Option<String>,
}

async fn settings_page(
    app: &App,
    base: Base,
    actor: &Actor,
    form: Option<Profile>,
    errors: FormErrors,
    done: Option<String>,
) -> Result<SettingsPage> {
    let a = actor.clone();
    let (unit, position, stored, sessions) = app
        .run(move |app| {
            let (unit, position) = app.store().read(|tx| {
                let u = org_store::user_by_id(tx, a.user_id)?;
                let unit = org_store::unit_by_id(tx, a.unit_id)?.map(|u| u.name);
                let pos = match u.and_then(|u| u.position_id) {
                    Some(p) => org_store::position_by_id(tx, p)?.map(|p| p.name),
                    None => None,
                };
                Ok((unit.unwrap_or_default(), pos.unwrap_or_default()))
            })?;
            Ok((
                unit,
                position,
                profile::show(app, &a)?,
                service::my_sessions(app, &a)?,
            ))
        })
        .await?;
    let tz = app.tz();
    let sessions = sessions
        .into_iter()
        .map(|s| SessionRow {
            last_seen: crate::clock::local_minute(&tz, s.last_seen_ms),
            created: crate::clock::local_minute(&tz, s.created_ms),
            device: device(s.user_agent.as_deref()),
            s,
        })
        .collect();
    let back = encode_query_value("/settings");
    Ok(SettingsPage {
        policy: policy_lines(&app.config().auth.password, base.tr),
        zh_href: format!("/lang/{}?next={back}", Lang::ZhCn.code()),
        en_href: format!("/lang/{}?next={back}", Lang::En.code()),
        base: base.with_user(actor, "settings"),
        login: actor.login.clone(),
        unit,
        position,
        profile: form.unwrap_or(stored),
        errors,
        sessions,
        done,
    })
}

#[get("/settings?<done>")]
pub async fn show(
    app: &State<App>,
    base: Base,
    actor: Actor,
    done: Option<String>,
) -> Result<SettingsPage> {
    let done = done.filter(|d| ["profile", "session"].contains(&d.as_str()));
    settings_page(app, base, &actor, None, FormErrors::default(), done).await
}

#[derive(FromForm)]
pub struct ProfileForm {
    mobile: String,
    email: String,
}

#[post("/settings/profile", data = "<form>")]
pub async fn save_profile(
    app: &State<App>,
    base: Base,
    actor: Actor,
    origin: Origin,
    form: CsrfForm<ProfileForm>,
) -> Result<Either<Redirect, (Status, SettingsPage)>> {
    let p = Profile {
        mobile: Some(form.0.mobile),
        email: Some(form.0.email),
    };
    let (a, pp) = (actor.clone(), p.clone());
    match app
        .run(move |app| profile::update(app, &a, pp, &origin))
        .await
    {
        Ok(_) => Ok(Either::Left(Redirect::to("/settings?done=profile"))),
        Err(e) => {
            let errors = form_errors(e)?;
            let page = settings_page(app, base, &actor, Some(p), errors, None).await?;
            Ok(Either::Right((Status::BadRequest, page)))
        }
    }
}

#[post("/settings/sessions/<id>/delete", data = "<form>")]
pub async fn end_session(
    app: &State<App>,
    actor: Actor,
    origin: Origin,
    id: u64,
    form: CsrfForm<Empty>,
) -> Result<Redirect> {
    let _ = form;
    let current = id == actor.session_id;
    app.run(move |app| service::revoke_my_session(app, &actor, id, &origin))
        .await?;
    Ok(Redirect::to(if current {
        "/login"
    } else {
        "/settings?done=session"
    }))
}

// ---------------------------------------------------------------- integration tokens

#[derive(Template, WebTemplate)]
#[template(path = "settings/tokens.html")]
pub struct TokensPage {
    pub base: Base,
    pub tokens: Vec<(TokenView, String, String)>,
    pub name: String,
    pub errors: FormErrors,
    /// A token just made: its name and secret, shown this once.
    pub created: Option<(String, String)>,
}

impl TokensPage {
    pub fn scope_key(&self, t: &TokenView) -> &'static str {
        match t.scope {
            Scope::EhrSync => "tokens.scope_ehr_sync",
            Scope::Read => "tokens.scope_read",
            Scope::Full => "tokens.scope_full",
        }
    }
}

async fn tokens_page(
    app: &App,
    base: Base,
    actor: &Actor,
    name: String,
    errors: FormErrors,
    created: Option<(String, String)>,
) -> Result<TokensPage> {
    let a = actor.clone();
    let list = app.run(move |app| service::my_tokens(app, &a)).await?;
    let tz = app.tz();
    let tokens = list
        .into_iter()
        .map(|t| {
            let exp = crate::clock::local_minute(&tz, t.expires_ms);
            let seen = if t.last_seen_ms > t.created_ms {
                crate::clock::local_minute(&tz, t.last_seen_ms)
            } else {
                String::new()
            };
            (t, exp, seen)
        })
        .collect();
    Ok(TokensPage {
        base: base.with_user(actor, "admin"),
        tokens,
        name,
        errors,
        created,
    })
}

#[get("/admin/tokens")]
pub async fn tokens(app: &State<App>, base: Base, actor: Actor) -> Result<TokensPage> {
    if !actor.can_anywhere(crate::auth::Permission::ManageTokens) {
        return Err(crate::error::Error::Forbidden(
            crate::error::Code::Forbidden,
        ));
    }
    tokens_page(
        app,
        base,
        &actor,
        String::new(),
        FormErrors::default(),
        None,
    )
    .await
}

#[derive(FromForm)]
pub struct TokenForm {
    name: String,
    scope: String,
    days: Option<u32>,
}

#[post("/admin/tokens", data = "<form>")]
pub async fn create_token(
    app: &State<App>,
    base: Base,
    actor: Actor,
    origin: Origin,
    form: CsrfForm<TokenForm>,
) -> Result<(Status, TokensPage)> {
    let TokenForm { name, scope, days } = form.0;
    let scope = if scope == "read" {
        Scope::Read
    } else {
        Scope::EhrSync
    };
    let (a, n) = (actor.clone(), name.clone());
    let made = app
        .run(move |app| service::create_token(app, &a, &n, scope, days.unwrap_or(0), &origin))
        .await;
    match made {
        Ok((secret, view)) => {
            let page = tokens_page(
                app,
                base,
                &actor,
                String::new(),
                FormErrors::default(),
                Some((view.name, secret)),
            )
            .await?;
            Ok((Status::Ok, page))
        }
        Err(e) => {
            let errors = form_errors(e)?;
            Ok((
                Status::BadRequest,
                tokens_page(app, base, &actor, name, errors, None).await?,
            ))
        }
    }
}

#[post("/admin/tokens/<id>/delete", data = "<form>")]
pub async fn revoke_token(
    app: &State<App>,
    actor: Actor,
    origin: Origin,
    id: u64,
    form: CsrfForm<Empty>,
) -> Result<Redirect> {
    let _ = form;
    app.run(move |app| service::revoke_token(app, &actor, id, &origin))
        .await?;
    Ok(Redirect::to("/admin/tokens"))
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        show,
        save_profile,
        end_session,
        tokens,
        create_token,
        revoke_token
    ]
}

#[cfg(test)]
mod tests {
    #[test]
    fn devices_have_short_names() {
        let ua =
            "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36";
        assert_eq!(super::device(Some(ua)), "Android Chrome");
        assert_eq!(super::device(Some("curl/8.5.0")), "curl");
        assert_eq!(super::device(None), "—");
    }
}
