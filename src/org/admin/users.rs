//! People by hand: create (with an initial password shown once), edit, enable again. Disabling
//! and password resets live beside their sign-in effects (`org::service`, `auth::service`).
//! Acting on someone in another enterprise is 404 (their account is not the admin's business);
//! on someone visible but out of reach, 403.

use serde::{Deserialize, Serialize};

use super::{clean, done, present, require_person};
use crate::App;
use crate::auth::service::{Origin, event};
use crate::auth::{Actor, Permission, password};
use crate::error::{Code, Error, FieldErrors, Result};
use crate::org::model::{OrgEvent, Source, User, UserStatus, valid_login};
use crate::org::profile::{valid_email, valid_phone};
use crate::org::store as org_store;
use crate::store::{self, audit};

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserInput {
    pub login: String,
    pub name: String,
    pub unit_id: u64,
    #[serde(default)]
    pub position_id: Option<u64>,
    #[serde(default)]
    pub manager_id: Option<u64>,
    #[serde(default)]
    pub employee_no: Option<String>,
    #[serde(default)]
    pub mobile: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub ad_login: Option<String>,
}

/// Fields left out stay as they are; `null` (or `""`) clears an optional one. The login is not
/// editable: it is what people sign in with and what the audit log names.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    pub name: Option<String>,
    /// A transfer: the right is needed on both the old and the new unit.
    pub unit_id: Option<u64>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<u64>)]
    pub position_id: Option<Option<u64>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<u64>)]
    pub manager_id: Option<Option<u64>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub employee_no: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub mobile: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub ad_login: Option<Option<String>>,
}

/// A user as administrators see them (never the password hash).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UserDetail {
    pub id: u64,
    pub login: String,
    pub name: String,
    pub employee_no: Option<String>,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub ad_login: Option<String>,
    pub unit_id: u64,
    pub position_id: Option<u64>,
    pub manager_id: Option<u64>,
    /// `active` or `disabled`.
    #[schema(value_type = String)]
    pub status: UserStatus,
    pub must_change_password: bool,
    /// `local`, `ehr` or `demo`: an `ehr` account's organization fields follow the next sync.
    #[schema(value_type = String)]
    pub source: Source,
    pub created_at: String,
    pub updated_at: String,
}

pub fn detail(app: &App, u: User) -> UserDetail {
    let tz = app.tz();
    UserDetail {
        id: u.id,
        created_at: crate::clock::rfc3339(&tz, u.created_ms),
        updated_at: crate::clock::rfc3339(&tz, u.updated_ms),
        login: u.login,
        name: u.name,
        employee_no: u.employee_no,
        mobile: u.mobile,
        email: u.email,
        ad_login: u.ad_login,
        unit_id: u.unit_id,
        position_id: u.position_id,
        manager_id: u.manager_id,
        status: u.status,
        must_change_password: u.must_change_password,
        source: u.source,
    }
}

/// A user the actor manages (ManageUsers on their unit), or the refusal.
pub fn managed_user(app: &App, actor: &Actor, id: u64) -> Result<User> {
    require_person(actor)?;
    let user = app
        .store()
        .read(|tx| org_store::user_by_id(tx, id))?
        .ok_or(Error::NotFound)?;
    if !actor.can(Permission::ManageUsers, user.unit_id) {
        return Err(actor.refusal(user.unit_id));
    }
    Ok(user)
}

fn unit_in_reach(app: &App, actor: &Actor, unit: u64) -> Result<()> {
    if !app.tree()?.contains(unit) {
        return Err(Error::field("unit_id", "error.org.unit"));
    }
    if actor.can(Permission::ManageUsers, unit) {
        Ok(())
    } else {
        Err(Error::Forbidden(Code::Forbidden))
    }
}

/// The optional contact and HR fields, cleaned and checked.
fn check_optional(
    fields: &mut FieldErrors,
    employee_no: &Option<String>,
    mobile: &Option<String>,
    email: &Option<String>,
    ad_login: &Option<String>,
) {
    if employee_no.as_ref().is_some_and(|v| v.chars().count() > 32) {
        fields.insert("employee_no".into(), "error.too_long".into());
    }
    if mobile.as_ref().is_some_and(|v| !valid_phone(v)) {
        fields.insert("mobile".into(), "error.profile.mobile".into());
    }
    if email.as_ref().is_some_and(|v| !valid_email(v)) {
        fields.insert("email".into(), "error.profile.email".into());
    }
    if ad_login.as_ref().is_some_and(|v| v.chars().count() > 100) {
        fields.insert("ad_login".into(), "error.too_long".into());
    }
}

/// References to a position and a manager must exist; nobody manages themselves.
fn check_refs(
    tx: &redb::WriteTransaction,
    fields: &mut FieldErrors,
    id: Option<u64>,
    position: Option<u64>,
    manager: Option<u64>,
) -> Result<()> {
    if let Some(p) = position
        && org_store::position_by_id_w(tx, p)?.is_none()
    {
        fields.insert("position_id".into(), "error.org.position".into());
    }
    if let Some(m) = manager
        && (Some(m) == id || org_store::user_by_id_w(tx, m)?.is_none())
    {
        fields.insert("manager_id".into(), "error.org.manager".into());
    }
    Ok(())
}

/// A new local account with a random initial password, returned once; it must be changed at the
/// first sign-in (the policy applies to every account created after the demo).
pub fn create_user(
    app: &App,
    actor: &Actor,
    input: UserInput,
    origin: &Origin,
) -> Result<(User, String)> {
    require_person(actor)?;
    unit_in_reach(app, actor, input.unit_id)?;
    let mut fields = FieldErrors::new();
    let login = input.login.trim().to_string();
    if !valid_login(&login) {
        fields.insert("login".into(), "error.login_format".into());
    }
    let name = super::check_name(&mut fields, "name", &input.name, 50);
    let (employee_no, mobile, email, ad_login) = (
        clean(input.employee_no),
        clean(input.mobile),
        clean(input.email),
        clean(input.ad_login),
    );
    check_optional(&mut fields, &employee_no, &mobile, &email, &ad_login);
    done(fields.clone())?; // refuse bad input before paying for a hash
    let initial = password::generate_initial();
    let hash = password::hash(&initial)?;
    let now = app.now_ms();
    let user = app.store().write(|tx| {
        // A closure may run twice (store/group.rs): start from the errors found so far.
        let mut fields = fields.clone();
        if org_store::user_by_login_w(tx, &login)?.is_some() {
            fields.insert("login".into(), "error.org.login_taken".into());
        }
        if let Some(no) = &employee_no
            && org_store::user_id_by_employee_no_w(tx, no)?.is_some()
        {
            fields.insert("employee_no".into(), "error.org.employee_no_taken".into());
        }
        check_refs(tx, &mut fields, None, input.position_id, input.manager_id)?;
        done(std::mem::take(&mut fields))?;
        let user = User {
            id: store::next_id(tx, "user")?,
            login: login.clone(),
            name: name.clone().unwrap_or_default(),
            employee_no: employee_no.clone(),
            mobile: mobile.clone(),
            email: email.clone(),
            ad_login: ad_login.clone(),
            unit_id: input.unit_id,
            position_id: input.position_id,
            manager_id: input.manager_id,
            status: UserStatus::Active,
            password_hash: hash.clone(),
            must_change_password: true,
            password_changed_ms: now,
            source: Source::Local,
            created_ms: now,
            updated_ms: now,
        };
        org_store::insert_user(tx, &user)?;
        org_store::append_event(
            tx,
            &OrgEvent::Hired {
                user_id: user.id,
                at_ms: now,
            },
        )?;
        let ev = event(
            Some(actor),
            "org.user.create",
            format!("user:{}", user.id),
            user.login.clone(),
            origin,
        );
        audit::append(tx, now, ev)?;
        Ok(user)
    })?;
    app.org_changed();
    Ok((user, initial))
}

/// Edits a person's name, unit (a transfer), position, manager and contact details.
pub fn update_user(
    app: &App,
    actor: &Actor,
    id: u64,
    patch: UserPatch,
    origin: &Origin,
) -> Result<User> {
    let current = managed_user(app, actor, id)?;
    if let Some(u) = patch.unit_id
        && u != current.unit_id
    {
        unit_in_reach(app, actor, u)?;
    }
    let mut fields = FieldErrors::new();
    let name = match &patch.name {
        Some(n) => super::check_name(&mut fields, "name", n, 50),
        None => None,
    };
    let text = |v: Option<Option<String>>| v.map(clean);
    let (employee_no, mobile, email, ad_login) = (
        text(patch.employee_no),
        text(patch.mobile),
        text(patch.email),
        text(patch.ad_login),
    );
    check_optional(
        &mut fields,
        &employee_no.clone().flatten(),
        &mobile.clone().flatten(),
        &email.clone().flatten(),
        &ad_login.clone().flatten(),
    );
    let now = app.now_ms();
    let user = app.store().write(|tx| {
        // A closure may run twice (store/group.rs): start from the errors found so far.
        let mut fields = fields.clone();
        let old = org_store::user_by_id_w(tx, id)?.ok_or(Error::NotFound)?;
        let mut new = old.clone();
        if let Some(n) = &name {
            new.name = n.clone();
        }
        if let Some(u) = patch.unit_id {
            new.unit_id = u;
        }
        if let Some(p) = patch.position_id {
            new.position_id = p;
        }
        if let Some(m) = patch.manager_id {
            new.manager_id = m;
        }
        if let Some(no) = employee_no.clone() {
            if let Some(n) = &no
                && new.employee_no.as_ref() != Some(n)
                && org_store::user_id_by_employee_no_w(tx, n)?.is_some()
            {
                fields.insert("employee_no".into(), "error.org.employee_no_taken".into());
            }
            new.employee_no = no;
        }
        if let Some(v) = mobile.clone() {
            new.mobile = v;
        }
        if let Some(v) = email.clone() {
            new.email = v;
        }
        if let Some(v) = ad_login.clone() {
            new.ad_login = v;
        }
        let position = (new.position_id != old.position_id)
            .then_some(new.position_id)
            .flatten();
        let manager = (new.manager_id != old.manager_id)
            .then_some(new.manager_id)
            .flatten();
        check_refs(tx, &mut fields, Some(id), position, manager)?;
        done(std::mem::take(&mut fields))?;
        if new == old {
            return Ok(new);
        }
        new.updated_ms = now;
        org_store::update_user(tx, &old, &new)?;
        if new.unit_id != old.unit_id {
            org_store::append_event(
                tx,
                &OrgEvent::Transferred {
                    user_id: id,
                    from_unit: old.unit_id,
                    to_unit: new.unit_id,
                    at_ms: now,
                },
            )?;
        }
        let ev = event(
            Some(actor),
            "org.user.update",
            format!("user:{id}"),
            format!("{}: {}", new.login, changed_fields(&old, &new).join(",")),
            origin,
        );
        audit::append(tx, now, ev)?;
        Ok(new)
    })?;
    app.org_changed();
    Ok(user)
}

/// The names of the fields an edit changed, for the audit entry.
fn changed_fields(old: &User, new: &User) -> Vec<&'static str> {
    let mut out = Vec::new();
    let mut diff = |changed: bool, name: &'static str| {
        if changed {
            out.push(name);
        }
    };
    diff(old.name != new.name, "name");
    diff(old.unit_id != new.unit_id, "unit");
    diff(old.position_id != new.position_id, "position");
    diff(old.manager_id != new.manager_id, "manager");
    diff(old.employee_no != new.employee_no, "employee_no");
    diff(old.mobile != new.mobile, "mobile");
    diff(old.email != new.email, "email");
    diff(old.ad_login != new.ad_login, "ad_login");
    out
}

/// Lets a disabled account sign in again (a returning employee, a mistaken disable). The old
/// sessions stay ended; an administrator usually resets the password too.
pub fn enable_user(app: &App, actor: &Actor, id: u64, origin: &Origin) -> Result<User> {
    managed_user(app, actor, id)?;
    let now = app.now_ms();
    let user = app.store().write(|tx| {
        let old = org_store::user_by_id_w(tx, id)?.ok_or(Error::NotFound)?;
        if old.status == UserStatus::Active {
            return Ok(old);
        }
        let mut new = old.clone();
        new.status = UserStatus::Active;
        new.updated_ms = now;
        org_store::update_user(tx, &old, &new)?;
        org_store::append_event(
            tx,
            &OrgEvent::Hired {
                user_id: id,
                at_ms: now,
            },
        )?;
        let ev = event(
            Some(actor),
            "org.user.enable",
            format!("user:{id}"),
            new.login.clone(),
            origin,
        );
        audit::append(tx, now, ev)?;
        Ok(new)
    })?;
    app.org_changed();
    Ok(user)
}
