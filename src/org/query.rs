//! Read-side listings of the organization for the API: units and users, filtered by what the
//! actor may see. Everyone signed in reads the unit tree and their colleagues' active accounts
//! (the directory is open to the whole group, as in every Chinese OA); disabled accounts are
//! listed only to those who manage users in that unit.

use super::model::{Unit, UnitKind, UserStatus};
use super::store as org_store;
use crate::App;
use crate::auth::{Actor, Scope};
use crate::error::{Error, Result};

/// At most this many users in one answer; `q` or `unit_id` narrow a larger group.
pub const MAX_USERS: usize = super::directory::service::MAX_RESULTS;

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
    /// The name of the person's unit.
    pub unit_name: Option<String>,
    /// The name of the person's position.
    pub position: Option<String>,
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

pub(crate) fn unit_item(u: Unit) -> UnitItem {
    UnitItem {
        id: u.id,
        code: u.code,
        name: u.name,
        kind: u.kind,
        parent_id: u.parent_id,
        order: u.order,
    }
}

/// Users whose name or login contains `q` (case-insensitive), or whose name's pinyin contains
/// it or starts with it as initials (张伟: `zhangwei`, `zw`), within `unit_id`'s subtree when
/// given; best matches first. An unknown unit is a 404. Served from the directory's people index,
/// never a scan of the store.
pub fn list_users(
    app: &App,
    actor: &Actor,
    q: Option<&str>,
    unit_id: Option<u64>,
) -> Result<UserPage> {
    ensure_reader(actor)?;
    let found = super::directory::service::search(app, actor, q, unit_id)?;
    let dir = &found.dir;
    Ok(UserPage {
        items: found
            .people()
            .map(|p| UserItem {
                id: p.id,
                login: p.login.clone(),
                name: p.name.clone(),
                unit_id: p.unit_id,
                status: p.status,
                unit_name: dir.unit(p.unit_id).map(|u| u.name.clone()),
                position: p.position.clone(),
            })
            .collect(),
        truncated: found.truncated(),
    })
}
