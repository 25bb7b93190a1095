//! Read-side listings of the organization for the API: units and users, filtered by what the
//! actor may see. Everyone signed in reads the unit tree and their colleagues' active accounts
//! (the directory is open to the whole group, as in every Chinese OA); disabled accounts are
//! listed only to those who manage users in that unit.

use super::model::{Unit, UnitKind, User, UserStatus};
use super::store as org_store;
use crate::App;
use crate::auth::{Actor, Permission, Scope};
use crate::error::{Error, Result};

/// At most this many users in one answer; `q` or `unit_id` narrow a larger group.
pub const MAX_USERS: usize = 500;

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct UnitItem {
    pub id: u64,
    pub code: String,
    pub name: String,
    /// `group`, `enterprise` or `department`.
    #[schema(value_type = String)]
    pub kind: UnitKind,
    pub parent_id: Option<u64>,
    pub order: i64,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct UserItem {
    pub id: u64,
    pub login: String,
    pub name: String,
    pub unit_id: u64,
    /// `active` or `disabled`.
    #[schema(value_type = String)]
    pub status: UserStatus,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct UserPage {
    pub items: Vec<UserItem>,
    /// True when more users matched than [`MAX_USERS`].
    pub truncated: bool,
}

fn ensure_reader(actor: &Actor) -> Result<()> {
    match actor.scope {
        Scope::Full | Scope::Read => Ok(()),
        Scope::EhrSync => Err(Error::Forbidden(crate::error::Code::Forbidden)),
    }
}

/// Every unit, parents before children, siblings by their order then code.
pub fn list_units(app: &App, actor: &Actor) -> Result<Vec<UnitItem>> {
    ensure_reader(actor)?;
    let mut units = app.store().read(org_store::units_all)?;
    let tree = &actor.tree;
    units.sort_by_cached_key(|u| (tree.ancestors(u.id).len(), u.order, u.code.clone()));
    Ok(units.into_iter().map(unit_item).collect())
}

fn unit_item(u: Unit) -> UnitItem {
    UnitItem {
        id: u.id,
        code: u.code,
        name: u.name,
        kind: u.kind,
        parent_id: u.parent_id,
        order: u.order,
    }
}

/// Users whose name or login contains `q` (case-insensitive), within `unit_id`'s subtree when
/// given. An unknown unit is a 404.
pub fn list_users(
    app: &App,
    actor: &Actor,
    q: Option<&str>,
    unit_id: Option<u64>,
) -> Result<UserPage> {
    ensure_reader(actor)?;
    let tree = &actor.tree;
    if let Some(u) = unit_id
        && !tree.contains(u)
    {
        return Err(Error::NotFound);
    }
    let q = q
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .map(str::to_lowercase);
    let mut users: Vec<User> = app.store().read(org_store::users_all)?;
    users.retain(|u| {
        unit_id.is_none_or(|root| tree.is_within(u.unit_id, root))
            && q.as_deref().is_none_or(|q| {
                u.login.to_lowercase().contains(q) || u.name.to_lowercase().contains(q)
            })
            && (u.status == UserStatus::Active
                || (actor.scope == Scope::Full && actor.can(Permission::ManageUsers, u.unit_id)))
    });
    users.sort_by(|a, b| a.login.cmp(&b.login));
    let truncated = users.len() > MAX_USERS;
    users.truncate(MAX_USERS);
    Ok(UserPage {
        items: users
            .into_iter()
            .map(|u| UserItem {
                id: u.id,
                login: u.login,
                name: u.name,
                unit_id: u.unit_id,
                status: u.status,
            })
            .collect(),
        truncated,
    })
}
