//! 系统管理 → 人员: the list, a person's form with their actions (disable, enable, reset the
//! password) and their role grants. An initial password is shown once, on the page that made it,
//! never in a URL.

use askama::Template;
use askama_web::WebTemplate;
use rocket::form::FromForm;
use rocket::http::Status;
use rocket::response::Redirect;
use rocket::{Either, State, get, post};

use super::super::grants::{self, GrantInput, GrantItem};
use super::super::units::{self, PositionItem};
use super::super::users::{self, UserInput, UserPatch};
use super::{UnitRow, unit_rows, user_by_login_field};
use crate::App;
use crate::auth::guards::CsrfForm;
use crate::auth::pages::Empty;
use crate::auth::service::Origin;
use crate::auth::{Actor, Permission};
use crate::error::{Code, Error, Result};
use crate::org::model::{ROLES, Source, User, UserStatus};
use crate::org::query::{self, UserItem};
use crate::org::store as org_store;
use crate::web::page::{Base, FormErrors, form_errors};

#[derive(Template, WebTemplate)]
#[template(path = "admin/users.html")]
pub struct UsersPage {
    pub base: Base,
    pub q: String,
    pub unit: Option<u64>,
    pub units: Vec<UnitRow>,
    pub rows: Vec<UserItem>,
    pub truncated: bool,
}

impl UsersPage {
    pub fn active(&self, u: &UserItem) -> bool {
        u.status == UserStatus::Active
    }
}

#[get("/admin/users?<q>&<unit>")]
pub async fn list(
    app: &State<App>,
    base: Base,
    actor: Actor,
    q: Option<String>,
    unit: Option<u64>,
) -> Result<UsersPage> {
    if !actor.can_anywhere(Permission::ManageUsers) {
        return Err(Error::Forbidden(Code::Forbidden));
    }
    let q = q.unwrap_or_default().chars().take(100).collect::<String>();
    let (a, qq) = (actor.clone(), q.clone());
    let (units, page) = app
        .run(move |app| {
            let units = unit_rows(app, &a, Permission::ManageUsers, true)?;
            // Without a unit: the first the admin manages (their enterprise, or the group).
            let scope = unit.or_else(|| units.first().map(|u| u.unit.id));
            let q = Some(qq.as_str()).filter(|s| !s.is_empty());
            Ok((units, query::list_users(app, &a, q, scope)?))
        })
        .await?;
    Ok(UsersPage {
        base: base.with_user(&actor, "admin"),
        q,
        unit,
        units,
        rows: page.items,
        truncated: page.truncated,
    })
}

/// The person form, for a new account or an existing one.
#[derive(FromForm, Default, Clone)]
pub struct UserForm {
    #[field(default = String::new())]
    pub login: String,
    #[field(default = String::new())]
    pub name: String,
    pub unit_id: Option<u64>,
    pub position_id: Option<u64>,
    /// The manager's login.
    #[field(default = String::new())]
    pub manager: String,
    #[field(default = String::new())]
    pub employee_no: String,
    #[field(default = String::new())]
    pub mobile: String,
    #[field(default = String::new())]
    pub email: String,
    #[field(default = String::new())]
    pub ad_login: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/user_form.html")]
pub struct UserFormPage {
    pub base: Base,
    pub user: Option<User>,
    pub form: UserForm,
    pub units: Vec<UnitRow>,
    pub positions: Vec<PositionItem>,
    pub grants: Vec<GrantItem>,
    /// Roles the actor may hand out, and the units they may hand them out on.
    pub roles: Vec<&'static str>,
    pub grant_units: Vec<UnitRow>,
    pub errors: FormErrors,
    /// The catalog key of what just happened (`?done=`).
    pub done: Option<String>,
}

impl UserFormPage {
    pub fn disabled(&self) -> bool {
        self.user
            .as_ref()
            .is_some_and(|u| u.status == UserStatus::Disabled)
    }
    pub fn from_ehr(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.source == Source::Ehr)
    }
}

async fn form_page(
    app: &App,
    base: Base,
    actor: &Actor,
    user: Option<User>,
    form: UserForm,
    errors: FormErrors,
    done: Option<String>,
) -> Result<UserFormPage> {
    let (a, uid) = (actor.clone(), user.as_ref().map(|u| u.id));
    let (units, positions, grants, grant_units) = app
        .run(move |app| {
            let units = unit_rows(app, &a, Permission::ManageUsers, true)?;
            let positions = units::list_positions(app, &a)?;
            let grants = match uid {
                Some(id) if a.can_anywhere(Permission::ManageGrants) => {
                    grants::list_grants(app, &a, Some(id))?
                }
                _ => Vec::new(),
            };
            let grant_units = unit_rows(app, &a, Permission::ManageGrants, true)?;
            Ok((units, positions, grants, grant_units))
        })
        .await?;
    let roles = ROLES
        .iter()
        .copied()
        .filter(|r| grant_units.iter().any(|u| actor.may_grant(r, u.unit.id)))
        .collect();
    Ok(UserFormPage {
        base: base.with_user(actor, "admin"),
        user,
        form,
        units,
        positions,
        grants,
        roles,
        grant_units,
        errors,
        done,
    })
}

fn opt(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

#[get("/admin/users/new?<unit>")]
pub async fn new(
    app: &State<App>,
    base: Base,
    actor: Actor,
    unit: Option<u64>,
) -> Result<UserFormPage> {
    if !actor.can_anywhere(Permission::ManageUsers) {
        return Err(Error::Forbidden(Code::Forbidden));
    }
    let form = UserForm {
        unit_id: unit,
        ..<UserForm as Default>::default()
    };
    form_page(app, base, &actor, None, form, FormErrors::default(), None).await
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/secret.html")]
pub struct SecretPage {
    pub base: Base,
    pub title_key: &'static str,
    pub lead_key: &'static str,
    pub who: String,
    pub secret: String,
    pub back: String,
}

#[post("/admin/users", data = "<form>")]
pub async fn create(
    app: &State<App>,
    base: Base,
    actor: Actor,
    origin: Origin,
    form: CsrfForm<UserForm>,
) -> Result<Either<SecretPage, (Status, UserFormPage)>> {
    let f = form.0;
    let (a, ff) = (actor.clone(), f.clone());
    // Hashes the initial password: waits for a hashing permit, like sign-in.
    let outcome = app
        .run_hashing(move |app| {
            let mut errors = Default::default();
            let manager_id = user_by_login_field(app, &ff.manager, "manager_id", &mut errors)?;
            super::super::done(errors)?;
            let input = UserInput {
                login: ff.login,
                name: ff.name,
                unit_id: ff.unit_id.unwrap_or(0),
                position_id: ff.position_id,
                manager_id,
                employee_no: opt(&ff.employee_no),
                mobile: opt(&ff.mobile),
                email: opt(&ff.email),
                ad_login: opt(&ff.ad_login),
            };
            users::create_user(app, &a, input, &origin)
        })
        .await;
    match outcome {
        Ok((user, initial)) => Ok(Either::Left(SecretPage {
            base: base.with_user(&actor, "admin"),
            title_key: "admin.user_created",
            lead_key: "admin.initial_password_lead",
            who: format!("{} ({})", user.name, user.login),
            secret: initial,
            back: format!("/admin/users/{}", user.id),
        })),
        Err(e) => {
            let errors = form_errors(e)?;
            let page = form_page(app, base, &actor, None, f, errors, None).await?;
            Ok(Either::Right((Status::BadRequest, page)))
        }
    }
}

/// A person's page as stored: their form, actions and grants.
async fn edit_page(
    app: &App,
    base: Base,
    actor: &Actor,
    id: u64,
    errors: FormErrors,
    done: Option<String>,
) -> Result<UserFormPage> {
    let a = actor.clone();
    let (user, manager) = app
        .run(move |app| {
            let u = users::managed_user(app, &a, id)?;
            let m = match u.manager_id {
                Some(m) => app
                    .store()
                    .read(|tx| org_store::user_by_id(tx, m))?
                    .map(|m| m.login),
                None => None,
            };
            Ok((u, m))
        })
        .await?;
    let form = UserForm {
        login: user.login.clone(),
        name: user.name.clone(),
        unit_id: Some(user.unit_id),
        position_id: user.position_id,
        manager: manager.unwrap_or_default(),
        employee_no: user.employee_no.clone().unwrap_or_default(),
        mobile: user.mobile.clone().unwrap_or_default(),
        email: user.email.clone().unwrap_or_default(),
        ad_login: user.ad_login.clone().unwrap_or_default(),
    };
    form_page(app, base, actor, Some(user), form, errors, done).await
}

#[get("/admin/users/<id>?<done>")]
pub async fn edit(
    app: &State<App>,
    base: Base,
    actor: Actor,
    id: u64,
    done: Option<String>,
) -> Result<UserFormPage> {
    let done = done
        .filter(|d| ["saved", "disabled", "enabled", "granted", "revoked"].contains(&d.as_str()));
    edit_page(app, base, &actor, id, FormErrors::default(), done).await
}

#[post("/admin/users/<id>", data = "<form>")]
pub async fn update(
    app: &State<App>,
    base: Base,
    actor: Actor,
    origin: Origin,
    id: u64,
    form: CsrfForm<UserForm>,
) -> Result<Either<Redirect, (Status, UserFormPage)>> {
    let f = form.0;
    let (a, ff) = (actor.clone(), f.clone());
    let outcome = app
        .run(move |app| {
            let mut errors = Default::default();
            let manager_id = user_by_login_field(app, &ff.manager, "manager_id", &mut errors)?;
            super::super::done(errors)?;
            let patch = UserPatch {
                name: Some(ff.name),
                unit_id: ff.unit_id,
                position_id: Some(ff.position_id),
                manager_id: Some(manager_id),
                employee_no: Some(opt(&ff.employee_no)),
                mobile: Some(opt(&ff.mobile)),
                email: Some(opt(&ff.email)),
                ad_login: Some(opt(&ff.ad_login)),
            };
            users::update_user(app, &a, id, patch, &origin)
        })
        .await;
    match outcome {
        Ok(_) => Ok(Either::Left(Redirect::to(format!(
            "/admin/users/{id}?done=saved"
        )))),
        Err(e) => {
            let errors = form_errors(e)?;
            let a = actor.clone();
            let user = app.run(move |app| users::managed_user(app, &a, id)).await?;
            let page = form_page(app, base, &actor, Some(user), f, errors, None).await?;
            Ok(Either::Right((Status::BadRequest, page)))
        }
    }
}

#[post("/admin/users/<id>/disable", data = "<form>")]
pub async fn disable(
    app: &State<App>,
    actor: Actor,
    origin: Origin,
    id: u64,
    form: CsrfForm<Empty>,
) -> Result<Redirect> {
    let _ = form;
    app.run(move |app| crate::org::service::disable_user(app, &actor, id, &origin))
        .await?;
    Ok(Redirect::to(format!("/admin/users/{id}?done=disabled")))
}

#[post("/admin/users/<id>/enable", data = "<form>")]
pub async fn enable(
    app: &State<App>,
    actor: Actor,
    origin: Origin,
    id: u64,
    form: CsrfForm<Empty>,
) -> Result<Redirect> {
    let _ = form;
    app.run(move |app| users::enable_user(app, &actor, id, &origin))
        .await?;
    Ok(Redirect::to(format!("/admin/users/{id}?done=enabled")))
}

#[post("/admin/users/<id>/reset-password", data = "<form>")]
pub async fn reset(
    app: &State<App>,
    base: Base,
    actor: Actor,
    origin: Origin,
    id: u64,
    form: CsrfForm<Empty>,
) -> Result<SecretPage> {
    let _ = form;
    let a = actor.clone();
    // Hashes the new password: waits for a hashing permit like sign-in and the API's reset.
    let (user, secret) = app
        .run_hashing(move |app| {
            let user = users::managed_user(app, &a, id)?;
            let pw = crate::auth::service::reset_password(app, &a, id, &origin)?;
            Ok((user, pw))
        })
        .await?;
    Ok(SecretPage {
        base: base.with_user(&actor, "admin"),
        title_key: "admin.password_reset",
        lead_key: "admin.initial_password_lead",
        who: format!("{} ({})", user.name, user.login),
        secret,
        back: format!("/admin/users/{id}"),
    })
}

#[derive(FromForm)]
pub struct GrantForm {
    role: String,
    unit_id: u64,
}

#[post("/admin/users/<id>/grants", data = "<form>")]
pub async fn grant(
    app: &State<App>,
    base: Base,
    actor: Actor,
    origin: Origin,
    id: u64,
    form: CsrfForm<GrantForm>,
) -> Result<Either<Redirect, (Status, UserFormPage)>> {
    let GrantForm { role, unit_id } = form.0;
    let a = actor.clone();
    let input = GrantInput {
        user_id: id,
        role,
        unit_id,
    };
    match app
        .run(move |app| grants::add_grant(app, &a, input, &origin))
        .await
    {
        Ok(_) => Ok(Either::Left(Redirect::to(format!(
            "/admin/users/{id}?done=granted"
        )))),
        Err(e) => {
            let errors = form_errors(e)?;
            let page = edit_page(app, base, &actor, id, errors, None).await?;
            Ok(Either::Right((Status::BadRequest, page)))
        }
    }
}

#[post("/admin/users/<id>/grants/<grant>/delete", data = "<form>")]
pub async fn revoke(
    app: &State<App>,
    actor: Actor,
    origin: Origin,
    id: u64,
    grant: u64,
    form: CsrfForm<Empty>,
) -> Result<Redirect> {
    let _ = form;
    app.run(move |app| grants::remove_grant(app, &actor, grant, &origin))
        .await?;
    Ok(Redirect::to(format!("/admin/users/{id}?done=revoked")))
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        list, new, create, edit, update, disable, enable, reset, grant, revoke
    ]
}
