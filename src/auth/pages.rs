//! Sign-in, sign-out and the password form; 个人设置 and the token pages are in `pages/settings.rs`.

pub mod settings;

use askama::Template;
use askama_web::WebTemplate;
use rocket::form::{Form, FromForm};
use rocket::http::{Cookie, CookieJar, SameSite, Status};
use rocket::response::Redirect;
use rocket::{Either, State, get, post};

use super::guards::{AnyActor, CsrfForm, Https, MaybeActor, SESSION_COOKIE};
use super::service::{self, Origin};
use crate::App;
use crate::error::{Error, Result};
use crate::web::page::{Base, safe_next};

#[derive(Template, WebTemplate)]
#[template(path = "auth/login.html")]
pub struct LoginPage {
    pub base: Base,
    pub next: String,
    pub login: String,
    pub error_key: Option<String>,
}

#[get("/login?<next>")]
pub fn login_form(base: Base, who: MaybeActor, next: Option<&str>) -> Either<LoginPage, Redirect> {
    let next = safe_next(next).to_string();
    if who.0.is_some() {
        return Either::Right(Redirect::to(next));
    }
    Either::Left(LoginPage {
        base,
        next,
        login: String::new(),
        error_key: None,
    })
}

#[derive(FromForm)]
pub struct LoginForm {
    login: String,
    password: String,
    next: Option<String>,
}

#[post("/login", data = "<form>")]
pub async fn login(
    app: &State<App>,
    base: Base,
    origin: Origin,
    jar: &CookieJar<'_>,
    https: Https,
    form: Form<LoginForm>,
) -> Either<Redirect, (Status, LoginPage)> {
    let LoginForm {
        login,
        password,
        next,
    } = form.into_inner();
    let next = safe_next(next.as_deref()).to_string();
    let who = login.clone();
    match app
        .run_hashing(move |app| service::login(app, &who, &password, &origin))
        .await
    {
        Ok(out) => {
            let cookie = Cookie::build((SESSION_COOKIE, out.token))
                .path("/")
                .http_only(true)
                .same_site(SameSite::Lax)
                .secure(https.0);
            jar.add(cookie);
            let to = if out.must_change_password {
                "/settings/password".to_string()
            } else {
                next
            };
            Either::Left(Redirect::to(to))
        }
        Err(e) => {
            let status = Status::from_code(e.status()).unwrap_or(Status::BadRequest);
            Either::Right((
                status,
                LoginPage {
                    base,
                    next,
                    login,
                    error_key: Some(e.message_key()),
                },
            ))
        }
    }
}

/// A form that carries nothing but its CSRF token.
#[derive(FromForm)]
pub struct Empty {
    #[field(default = String::new())]
    csrf: String,
}

#[post("/logout", data = "<form>")]
pub async fn logout(
    app: &State<App>,
    actor: AnyActor,
    origin: Origin,
    jar: &CookieJar<'_>,
    form: CsrfForm<Empty>,
) -> Result<Redirect> {
    let _ = form.0.csrf; // checked by CsrfForm
    app.run(move |app| service::logout(app, &actor.0, &origin))
        .await?;
    jar.remove(Cookie::build(SESSION_COOKIE).path("/"));
    Ok(Redirect::to("/login"))
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/password.html")]
pub struct PasswordPage {
    pub base: Base,
    pub forced: bool,
    pub errors: crate::error::FieldErrors,
    pub done: bool,
    /// The configured password rule, a line per requirement.
    pub policy: Vec<String>,
}

impl PasswordPage {
    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors.get(field).map(String::as_str)
    }
}

#[get("/settings/password?<done>")]
pub fn password_form(
    app: &State<App>,
    base: Base,
    actor: AnyActor,
    done: Option<bool>,
) -> PasswordPage {
    let base = base.with_user(&actor.0, "settings");
    PasswordPage {
        policy: settings::policy_lines(&app.config().auth.password, base.tr),
        base,
        forced: actor.0.must_change_password,
        errors: Default::default(),
        done: done.unwrap_or(false),
    }
}

#[derive(FromForm)]
pub struct PasswordForm {
    old_password: String,
    new_password: String,
    confirm: String,
}

#[post("/settings/password", data = "<form>")]
pub async fn change_password(
    app: &State<App>,
    base: Base,
    actor: AnyActor,
    origin: Origin,
    form: CsrfForm<PasswordForm>,
) -> Result<Either<Redirect, (Status, PasswordPage)>> {
    let PasswordForm {
        old_password,
        new_password,
        confirm,
    } = form.0;
    let forced = actor.0.must_change_password;
    let base = base.with_user(&actor.0, "settings");
    let policy = settings::policy_lines(&app.config().auth.password, base.tr);
    if new_password != confirm {
        let errors = [("confirm".to_string(), "error.password.mismatch".to_string())].into();
        return Ok(Either::Right((
            Status::BadRequest,
            PasswordPage {
                base,
                forced,
                errors,
                done: false,
                policy,
            },
        )));
    }
    let a = actor.0.clone();
    match app
        .run_hashing(move |app| {
            service::change_password(app, &a, &old_password, &new_password, &origin)
        })
        .await
    {
        Ok(()) => Ok(Either::Left(Redirect::to("/settings/password?done=true"))),
        Err(Error::Validation(errors)) => Ok(Either::Right((
            Status::BadRequest,
            PasswordPage {
                base,
                forced,
                errors,
                done: false,
                policy,
            },
        ))),
        Err(e) => Err(e),
    }
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![login_form, login, logout, password_form, change_password]
}
