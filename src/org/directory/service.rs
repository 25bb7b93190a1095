//! The directory's use cases, over the cached [`Directory`]: find people, read a person's card.
//! Everyone signed in reads the directory (it is open to the whole group, as in every Chinese
//! OA); a disabled account is shown only to those who manage users in its unit, and is a 404 to
//! everyone else, as if it did not exist.

use std::sync::Arc;

use super::index::{Directory, Person, Query};
use crate::App;
use crate::auth::{Actor, Permission, Scope};
use crate::error::{Code, Error, Result};
use crate::org::model::UserStatus;

/// At most this many people in one answer; a text or a unit narrows a larger group.
pub const MAX_RESULTS: usize = 500;
/// The longest search text accepted.
pub const MAX_QUERY_CHARS: usize = 100;

/// People, integration tokens with the `read` scope; not the eHR sync token.
pub fn ensure_reader(actor: &Actor) -> Result<()> {
    match actor.scope {
        Scope::Full | Scope::Read => Ok(()),
        Scope::EhrSync => Err(Error::Forbidden(Code::Forbidden)),
    }
}

/// Whether `actor` may see `p`: anyone an active account, a user manager a disabled one in
/// their units.
pub fn visible(actor: &Actor, p: &Person) -> bool {
    p.status == UserStatus::Active
        || (actor.scope == Scope::Full && actor.can(Permission::ManageUsers, p.unit_id))
}

/// What a search found, borrowed from the directory it came from.
pub struct Found {
    pub dir: Arc<Directory>,
    /// Ids of the people found, best first, at most [`MAX_RESULTS`].
    pub ids: Vec<u64>,
    /// How many matched in all.
    pub total: usize,
}

impl Found {
    pub fn truncated(&self) -> bool {
        self.total > self.ids.len()
    }

    pub fn people(&self) -> impl Iterator<Item = &Person> {
        self.ids.iter().filter_map(|id| self.dir.person(*id))
    }
}

/// The people matching `q` (name or login, part of it; pinyin, start or part; initials, start),
/// within `unit_id`'s subtree when given. An unknown unit is a 404; a text over 100 characters
/// is a validation error.
pub fn search(app: &App, actor: &Actor, q: Option<&str>, unit_id: Option<u64>) -> Result<Found> {
    ensure_reader(actor)?;
    if q.is_some_and(|q| q.chars().count() > MAX_QUERY_CHARS) {
        return Err(Error::field("q", "error.too_long"));
    }
    let dir = app.directory()?;
    let units = match unit_id {
        Some(u) if dir.unit(u).is_none() => return Err(Error::NotFound),
        Some(u) => Some(dir.subtree(u)),
        None => None,
    };
    let query = q.and_then(Query::new);
    let hits = dir.search(query.as_ref(), units.as_ref(), |p| visible(actor, p));
    let total = hits.len();
    let ids = hits.iter().take(MAX_RESULTS).map(|p| p.id).collect();
    Ok(Found { dir, ids, total })
}

/// Someone named on a card: a manager or a direct report.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
#[schema(as = CardPersonRef)]
pub struct PersonRef {
    pub id: u64,
    pub name: String,
    pub position: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct UnitRef {
    pub id: u64,
    pub name: String,
}

/// A person's card (名片).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Card {
    pub id: u64,
    pub login: String,
    pub name: String,
    pub unit_id: u64,
    /// The unit names from the group down to the person's unit.
    pub unit_path: Vec<String>,
    pub position: Option<String>,
    /// The person's manager (岗位上级), when they have one the caller may see.
    pub manager: Option<PersonRef>,
    pub mobile: Option<String>,
    pub email: Option<String>,
    /// `active` or `disabled`.
    #[schema(value_type = String)]
    pub status: UserStatus,
    /// The people who report to this person (visible to the caller), in directory order.
    pub reports: Vec<PersonRef>,
    /// The units of `unit_path` with their ids, for links.
    #[serde(skip)]
    pub units: Vec<UnitRef>,
}

fn person_ref(p: &Person) -> PersonRef {
    PersonRef {
        id: p.id,
        name: p.name.clone(),
        position: p.position.clone(),
    }
}

/// The card of person `id`: 404 when there is no such person or the caller may not see them.
pub fn card(app: &App, actor: &Actor, id: u64) -> Result<Card> {
    ensure_reader(actor)?;
    let dir = app.directory()?;
    let p = dir
        .person(id)
        .filter(|p| visible(actor, p))
        .ok_or(Error::NotFound)?;
    let units: Vec<UnitRef> = dir
        .unit_path(p.unit_id)
        .into_iter()
        .map(|u| UnitRef {
            id: u.id,
            name: u.name.clone(),
        })
        .collect();
    let manager = p
        .manager_id
        .filter(|m| *m != p.id)
        .and_then(|m| dir.person(m))
        .filter(|m| visible(actor, m))
        .map(person_ref);
    let reports = dir
        .reports(p.id)
        .filter(|r| visible(actor, r))
        .map(person_ref)
        .collect();
    Ok(Card {
        id: p.id,
        login: p.login.clone(),
        name: p.name.clone(),
        unit_id: p.unit_id,
        unit_path: units.iter().map(|u| u.name.clone()).collect(),
        position: p.position.clone(),
        manager,
        mobile: p.mobile.clone(),
        email: p.email.clone(),
        status: p.status,
        reports,
        units,
    })
}
