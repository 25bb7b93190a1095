//! Role grants (授权): a role within a unit subtree. Nobody grants, or takes back, a role wider
//! than their own (`Actor::may_grant`), and nobody takes back their own grants (another
//! administrator must), so an administrator cannot lock the node out by mistake.

use serde::{Deserialize, Serialize};

use super::require_person;
use crate::App;
use crate::auth::service::{Origin, event};
use crate::auth::{Actor, Permission};
use crate::error::{Code, Error, FieldErrors, Result};
use crate::org::model::{Grant, ROLES, UserStatus};
use crate::org::store as org_store;
use crate::store::{self, audit};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantInput {
    pub user_id: u64,
    /// One of the built-in roles (`enterprise_admin`, `news_publisher`, …).
    pub role: String,
    /// The unit whose subtree the role covers.
    pub unit_id: u64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GrantItem {
    pub id: u64,
    pub user_id: u64,
    pub login: String,
    pub name: String,
    pub role: String,
    pub unit_id: u64,
    pub unit_name: String,
    pub granted_by: Option<u64>,
    pub created_at: String,
}

fn item(app: &App, g: Grant) -> Result<GrantItem> {
    let (user, unit) = app.store().read(|tx| {
        Ok((
            org_store::user_by_id(tx, g.user_id)?,
            org_store::unit_by_id(tx, g.unit_id)?,
        ))
    })?;
    let (login, name) = user.map(|u| (u.login, u.name)).unwrap_or_default();
    Ok(GrantItem {
        id: g.id,
        user_id: g.user_id,
        login,
        name,
        role: g.role,
        unit_id: g.unit_id,
        unit_name: unit.map(|u| u.name).unwrap_or_default(),
        granted_by: g.granted_by,
        created_at: crate::clock::rfc3339(&app.tz(), g.created_ms),
    })
}

/// The grants the actor administers (ManageGrants on the grant's unit), optionally one user's.
pub fn list_grants(app: &App, actor: &Actor, user_id: Option<u64>) -> Result<Vec<GrantItem>> {
    require_person(actor)?;
    if !actor.can_anywhere(Permission::ManageGrants) {
        return Err(Error::Forbidden(Code::Forbidden));
    }
    let grants = match user_id {
        Some(u) => app.store().read(|tx| org_store::grants_of(tx, u))?,
        None => app.store().read(org_store::grants_all)?,
    };
    let mut out = Vec::new();
    for g in grants {
        if actor.can(Permission::ManageGrants, g.unit_id) {
            out.push(item(app, g)?);
        }
    }
    out.sort_by(|a, b| (&a.login, &a.role, a.unit_id).cmp(&(&b.login, &b.role, b.unit_id)));
    Ok(out)
}

/// Gives `role` on `unit_id` to a person the actor manages.
pub fn add_grant(
    app: &App,
    actor: &Actor,
    input: GrantInput,
    origin: &Origin,
) -> Result<GrantItem> {
    require_person(actor)?;
    let tree = app.tree()?;
    let mut fields = FieldErrors::new();
    if !ROLES.contains(&input.role.as_str()) {
        fields.insert("role".into(), "error.org.role".into());
    }
    if !tree.contains(input.unit_id) {
        fields.insert("unit_id".into(), "error.org.unit".into());
    }
    super::done(fields)?;
    let user = app
        .store()
        .read(|tx| org_store::user_by_id(tx, input.user_id))?
        .ok_or(Error::NotFound)?;
    if !actor.can(Permission::ManageUsers, user.unit_id) {
        return Err(actor.refusal(user.unit_id));
    }
    if !actor.may_grant(&input.role, input.unit_id) {
        return Err(Error::Forbidden(Code::Forbidden));
    }
    if user.status == UserStatus::Disabled {
        return Err(Error::field("user_id", "error.org.user_disabled"));
    }
    let now = app.now_ms();
    let grant = app.store().write(|tx| {
        let existing = org_store::grants_of_w(tx, user.id)?;
        if existing
            .iter()
            .any(|g| g.role == input.role && g.unit_id == input.unit_id)
        {
            return Err(Error::Conflict(Code::Duplicate));
        }
        let grant = Grant {
            id: store::next_id(tx, "grant")?,
            user_id: user.id,
            role: input.role.clone(),
            unit_id: input.unit_id,
            granted_by: Some(actor.user_id),
            created_ms: now,
        };
        org_store::insert_grant(tx, &grant)?;
        let ev = event(
            Some(actor),
            "org.grant.add",
            format!("user:{}", user.id),
            format!("{} {}@unit:{}", user.login, grant.role, grant.unit_id),
            origin,
        );
        audit::append(tx, now, ev)?;
        Ok(grant)
    })?;
    item(app, grant)
}

/// Takes a grant back: within the actor's own power, and never one of the actor's own.
pub fn remove_grant(app: &App, actor: &Actor, id: u64, origin: &Origin) -> Result<()> {
    require_person(actor)?;
    let now = app.now_ms();
    app.store().write(|tx| {
        let grant = org_store::grant_by_id_w(tx, id)?.ok_or(Error::NotFound)?;
        if !actor.can(Permission::ManageGrants, grant.unit_id) {
            return Err(actor.refusal(grant.unit_id));
        }
        if !actor.may_grant(&grant.role, grant.unit_id) {
            return Err(Error::Forbidden(Code::Forbidden));
        }
        if grant.user_id == actor.user_id {
            return Err(Error::Conflict(Code::Conflict));
        }
        org_store::delete_grant(tx, &grant)?;
        let login = org_store::user_by_id_w(tx, grant.user_id)?
            .map(|u| u.login)
            .unwrap_or_default();
        let ev = event(
            Some(actor),
            "org.grant.remove",
            format!("user:{}", grant.user_id),
            format!("{login} {}@unit:{}", grant.role, grant.unit_id),
            origin,
        );
        audit::append(tx, now, ev)?;
        Ok(())
    })
}
