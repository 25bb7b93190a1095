//! Units (组织机构) and positions (岗位) by hand. The tree itself is public (it is the
//! directory's skeleton), so a refusal here is 403, never 404. Units and positions from eHR may
//! be edited too; the next sync puts back what HR says.

use serde::{Deserialize, Serialize};

use super::{check_name, done, present, require_person, valid_code};
use crate::App;
use crate::auth::service::{Origin, event};
use crate::auth::{Actor, Permission};
use crate::error::{Code, Error, FieldErrors, Result};
use crate::org::model::{Position, Source, Unit, UnitKind};
use crate::org::store as org_store;
use crate::store::{self, audit};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitInput {
    pub code: String,
    pub name: String,
    /// `enterprise` (only under the group) or `department`.
    #[schema(value_type = String)]
    pub kind: UnitKind,
    pub parent_id: u64,
    #[serde(default)]
    pub order: i64,
    #[serde(default)]
    pub head_id: Option<u64>,
}

/// Fields left out stay as they are; `"head_id": null` clears the head.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitPatch {
    pub code: Option<String>,
    pub name: Option<String>,
    /// Moving a unit needs the right on both the old and the new parent.
    pub parent_id: Option<u64>,
    pub order: Option<i64>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<u64>)]
    pub head_id: Option<Option<u64>>,
}

fn forbid_unless(actor: &Actor, unit: u64) -> Result<()> {
    if actor.can(Permission::ManageOrg, unit) {
        Ok(())
    } else {
        Err(Error::Forbidden(Code::Forbidden))
    }
}

/// An enterprise hangs only under the group; departments under anything.
fn kind_fits(kind: UnitKind, parent: UnitKind) -> bool {
    match kind {
        UnitKind::Group => false,
        UnitKind::Enterprise => parent == UnitKind::Group,
        UnitKind::Department => true,
    }
}

/// A new unit under `parent_id` (ManageOrg on the parent).
pub fn create_unit(app: &App, actor: &Actor, input: UnitInput, origin: &Origin) -> Result<Unit> {
    require_person(actor)?;
    let parent = app
        .store()
        .read(|tx| org_store::unit_by_id(tx, input.parent_id))?
        .ok_or_else(|| Error::field("parent_id", "error.org.parent"))?;
    forbid_unless(actor, parent.id)?;
    let mut fields = FieldErrors::new();
    let code = input.code.trim().to_string();
    if !valid_code(&code) {
        fields.insert("code".into(), "error.org.code".into());
    }
    let name = check_name(&mut fields, "name", &input.name, 100);
    if !kind_fits(input.kind, parent.kind) {
        fields.insert("kind".into(), "error.org.kind".into());
    }
    let now = app.now_ms();
    let unit = app.store().write(|tx| {
        // A closure may run twice (store/group.rs): start from the errors found so far.
        let mut fields = fields.clone();
        if valid_code(&code) && org_store::unit_id_by_code(tx, &code)?.is_some() {
            fields.insert("code".into(), "error.org.code_taken".into());
        }
        if let Some(h) = input.head_id
            && org_store::user_by_id_w(tx, h)?.is_none()
        {
            fields.insert("head_id".into(), "error.org.user".into());
        }
        done(std::mem::take(&mut fields))?;
        let unit = Unit {
            id: store::next_id(tx, "unit")?,
            code: code.clone(),
            name: name.clone().unwrap_or_default(),
            kind: input.kind,
            parent_id: Some(parent.id),
            head_id: input.head_id,
            order: input.order,
            source: Source::Local,
            created_ms: now,
            updated_ms: now,
        };
        org_store::insert_unit(tx, &unit)?;
        let ev = event(
            Some(actor),
            "org.unit.create",
            format!("unit:{}", unit.id),
            format!("{} {}", unit.code, unit.name),
            origin,
        );
        audit::append(tx, now, ev)?;
        Ok(unit)
    })?;
    app.org_changed();
    Ok(unit)
}

/// Renames, recodes, reorders, moves a unit or changes its head (ManageOrg on the unit, and on
/// the new parent when it moves). The root never moves; nothing moves under itself.
pub fn update_unit(
    app: &App,
    actor: &Actor,
    id: u64,
    patch: UnitPatch,
    origin: &Origin,
) -> Result<Unit> {
    require_person(actor)?;
    let tree = app.tree()?;
    if !tree.contains(id) {
        return Err(Error::NotFound);
    }
    forbid_unless(actor, id)?;
    let mut fields = FieldErrors::new();
    let current_parent = tree.ancestors(id).get(1).copied();
    if let Some(p) = patch.parent_id
        && Some(p) != current_parent
    {
        forbid_unless(actor, p)?;
        if tree.is_within(p, id) {
            fields.insert("parent_id".into(), "error.org.cycle".into());
        }
    }
    let code = patch.code.as_deref().map(str::trim).map(str::to_string);
    if code.as_deref().is_some_and(|c| !valid_code(c)) {
        fields.insert("code".into(), "error.org.code".into());
    }
    let name = match &patch.name {
        Some(n) => check_name(&mut fields, "name", n, 100),
        None => None,
    };
    let now = app.now_ms();
    let unit = app.store().write(|tx| {
        // A closure may run twice (store/group.rs): start from the errors found so far.
        let mut fields = fields.clone();
        let old = org_store::unit_by_id_w(tx, id)?.ok_or(Error::NotFound)?;
        let mut new = old.clone();
        if let Some(p) = patch.parent_id
            && Some(p) != old.parent_id
        {
            match (old.parent_id, org_store::unit_by_id_w(tx, p)?) {
                (None, _) => {
                    fields.insert("parent_id".into(), "error.org.root".into());
                }
                (_, None) => {
                    fields.insert("parent_id".into(), "error.org.parent".into());
                }
                (Some(_), Some(parent)) if !kind_fits(old.kind, parent.kind) => {
                    // A cycle, found above, is the clearer reason.
                    fields
                        .entry("parent_id".into())
                        .or_insert_with(|| "error.org.kind".into());
                }
                _ => new.parent_id = Some(p),
            }
        }
        if let Some(c) = &code
            && *c != old.code
            && valid_code(c)
        {
            if org_store::unit_id_by_code(tx, c)?.is_some() {
                fields.insert("code".into(), "error.org.code_taken".into());
            }
            new.code = c.clone();
        }
        if let Some(n) = &name {
            new.name = n.clone();
        }
        if let Some(o) = patch.order {
            new.order = o;
        }
        if let Some(h) = patch.head_id {
            if let Some(h) = h
                && org_store::user_by_id_w(tx, h)?.is_none()
            {
                fields.insert("head_id".into(), "error.org.user".into());
            }
            new.head_id = h;
        }
        done(std::mem::take(&mut fields))?;
        if new == old {
            return Ok(new);
        }
        new.updated_ms = now;
        org_store::update_unit(tx, &old, &new)?;
        let ev = event(
            Some(actor),
            "org.unit.update",
            format!("unit:{id}"),
            format!("{} {}", new.code, new.name),
            origin,
        );
        audit::append(tx, now, ev)?;
        Ok(new)
    })?;
    app.org_changed();
    Ok(unit)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PositionItem {
    pub id: u64,
    pub code: String,
    pub name: String,
    /// The unit the post belongs to; none for a group-wide post.
    pub unit_id: Option<u64>,
    /// The superior post.
    pub parent_id: Option<u64>,
}

impl From<Position> for PositionItem {
    fn from(p: Position) -> Self {
        PositionItem {
            id: p.id,
            code: p.code,
            name: p.name,
            unit_id: p.unit_id,
            parent_id: p.parent_id,
        }
    }
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PositionInput {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub unit_id: Option<u64>,
    #[serde(default)]
    pub parent_id: Option<u64>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PositionPatch {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<u64>)]
    pub parent_id: Option<Option<u64>>,
}

/// Every position, by code: any signed-in person or read token.
pub fn list_positions(app: &App, actor: &Actor) -> Result<Vec<PositionItem>> {
    if actor.scope == crate::auth::Scope::EhrSync {
        return Err(Error::Forbidden(Code::Forbidden));
    }
    let mut all = app.store().read(org_store::positions_all)?;
    all.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(all.into_iter().map(PositionItem::from).collect())
}

/// The unit whose ManageOrg right a position needs: its own, or the root for a group-wide one.
fn position_scope(app: &App, unit_id: Option<u64>) -> Result<u64> {
    match unit_id {
        Some(u) => Ok(u),
        None => app
            .store()
            .read(org_store::root_unit)?
            .map(|u| u.id)
            .ok_or(Error::NotFound),
    }
}

pub fn create_position(
    app: &App,
    actor: &Actor,
    input: PositionInput,
    origin: &Origin,
) -> Result<Position> {
    require_person(actor)?;
    let tree = app.tree()?;
    if input.unit_id.is_some_and(|u| !tree.contains(u)) {
        return Err(Error::field("unit_id", "error.org.unit"));
    }
    forbid_unless(actor, position_scope(app, input.unit_id)?)?;
    let mut fields = FieldErrors::new();
    let code = input.code.trim().to_string();
    if !valid_code(&code) {
        fields.insert("code".into(), "error.org.code".into());
    }
    let name = check_name(&mut fields, "name", &input.name, 60);
    let now = app.now_ms();
    let p = app.store().write(|tx| {
        // A closure may run twice (store/group.rs): start from the errors found so far.
        let mut fields = fields.clone();
        if valid_code(&code) && org_store::position_by_code_w(tx, &code)?.is_some() {
            fields.insert("code".into(), "error.org.code_taken".into());
        }
        if let Some(parent) = input.parent_id
            && org_store::position_by_id_w(tx, parent)?.is_none()
        {
            fields.insert("parent_id".into(), "error.org.position".into());
        }
        done(std::mem::take(&mut fields))?;
        let p = Position {
            id: store::next_id(tx, "position")?,
            code: code.clone(),
            name: name.clone().unwrap_or_default(),
            unit_id: input.unit_id,
            parent_id: input.parent_id,
            source: Source::Local,
            created_ms: now,
            updated_ms: now,
        };
        org_store::insert_position(tx, &p)?;
        let ev = event(
            Some(actor),
            "org.position.create",
            format!("position:{}", p.id),
            format!("{} {}", p.code, p.name),
            origin,
        );
        audit::append(tx, now, ev)?;
        Ok(p)
    })?;
    app.org_changed();
    Ok(p)
}

/// Renames a position or changes its superior post (never to itself or below itself).
pub fn update_position(
    app: &App,
    actor: &Actor,
    id: u64,
    patch: PositionPatch,
    origin: &Origin,
) -> Result<Position> {
    require_person(actor)?;
    let current = app
        .store()
        .read(|tx| org_store::position_by_id(tx, id))?
        .ok_or(Error::NotFound)?;
    forbid_unless(actor, position_scope(app, current.unit_id)?)?;
    let mut fields = FieldErrors::new();
    let name = match &patch.name {
        Some(n) => check_name(&mut fields, "name", n, 60),
        None => None,
    };
    let now = app.now_ms();
    let p = app.store().write(|tx| {
        // A closure may run twice (store/group.rs): start from the errors found so far.
        let mut fields = fields.clone();
        let old = org_store::position_by_id_w(tx, id)?.ok_or(Error::NotFound)?;
        let mut new = old.clone();
        if let Some(n) = name.clone() {
            new.name = n;
        }
        if let Some(parent) = patch.parent_id {
            if let Some(mut at) = parent {
                // Walk up from the new superior: meeting this post again would be a cycle.
                let mut steps = 0;
                loop {
                    if at == id {
                        fields.insert("parent_id".into(), "error.org.cycle".into());
                        break;
                    }
                    match org_store::position_by_id_w(tx, at)? {
                        None if steps == 0 => {
                            fields.insert("parent_id".into(), "error.org.position".into());
                            break;
                        }
                        Some(Position {
                            parent_id: Some(up),
                            ..
                        }) if steps < 1000 => at = up,
                        _ => break,
                    }
                    steps += 1;
                }
            }
            new.parent_id = parent;
        }
        done(std::mem::take(&mut fields))?;
        if new == old {
            return Ok(new);
        }
        new.updated_ms = now;
        org_store::update_position(tx, &old, &new)?;
        let ev = event(
            Some(actor),
            "org.position.update",
            format!("position:{id}"),
            format!("{} {}", new.code, new.name),
            origin,
        );
        audit::append(tx, now, ev)?;
        Ok(new)
    })?;
    app.org_changed();
    Ok(p)
}

/// Deletes a unit nothing refers to (no units below, people, positions or grants): a unit made
/// by mistake. The group never goes. A unit from eHR comes back at the next full sync.
pub fn delete_unit(app: &App, actor: &Actor, id: u64, origin: &Origin) -> Result<()> {
    require_person(actor)?;
    if !app.tree()?.contains(id) {
        return Err(Error::NotFound);
    }
    forbid_unless(actor, id)?;
    let now = app.now_ms();
    app.store().write(|tx| {
        let unit = org_store::unit_by_id_w(tx, id)?.ok_or(Error::NotFound)?;
        if unit.parent_id.is_none() || org_store::unit_in_use(tx, id)? {
            return Err(Error::Conflict(Code::InUse));
        }
        org_store::delete_unit(tx, &unit)?;
        let ev = event(
            Some(actor),
            "org.unit.delete",
            format!("unit:{id}"),
            format!("{} {}", unit.code, unit.name),
            origin,
        );
        audit::append(tx, now, ev)?;
        Ok(())
    })?;
    app.org_changed();
    Ok(())
}

/// Deletes a position nobody holds and no post reports to.
pub fn delete_position(app: &App, actor: &Actor, id: u64, origin: &Origin) -> Result<()> {
    require_person(actor)?;
    let current = app
        .store()
        .read(|tx| org_store::position_by_id(tx, id))?
        .ok_or(Error::NotFound)?;
    forbid_unless(actor, position_scope(app, current.unit_id)?)?;
    let now = app.now_ms();
    app.store().write(|tx| {
        let p = org_store::position_by_id_w(tx, id)?.ok_or(Error::NotFound)?;
        if !org_store::delete_position_if_unused(tx, &p)? {
            return Err(Error::Conflict(Code::InUse));
        }
        let ev = event(
            Some(actor),
            "org.position.delete",
            format!("position:{id}"),
            format!("{} {}", p.code, p.name),
            origin,
        );
        audit::append(tx, now, ev)?;
        Ok(())
    })?;
    app.org_changed();
    Ok(())
}
