//! The directory pages: `/directory` (the unit tree beside the people of the chosen unit, or
//! search results; with htmx the list follows the search box as one types) and
//! `/directory/people/<id>` (a person's card).

use std::collections::HashSet;

use askama::Template;
use askama_web::WebTemplate;
use rocket::request::{FromRequest, Outcome, Request};
use rocket::{Either, State, get};

use super::index::Directory;
use super::service::{self, Card, Found, UnitRef};
use crate::App;
use crate::auth::Actor;
use crate::error::Result;
use crate::web::i18n::Tr;
use crate::web::page::Base;

/// The id of the element an htmx request will swap (`HX-Target`), unless it is a history
/// restore, which needs the whole page.
pub struct HxTarget(Option<String>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for HxTarget {
    type Error = ();
    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        let h = req.headers();
        let htmx = h.get_one("HX-Request") == Some("true")
            && h.get_one("HX-History-Restore-Request") != Some("true");
        let target = h.get_one("HX-Target").filter(|_| htmx).map(str::to_string);
        Outcome::Success(HxTarget(target))
    }
}

/// One line of the unit tree: a unit with children opens a `<details>` that a later `end` row
/// closes; a unit without children is a leaf.
pub struct TreeRow {
    /// `branch`, `leaf` or `end`.
    pub kind: &'static str,
    pub id: u64,
    pub name: String,
    pub count: usize,
    pub open: bool,
    pub current: bool,
}

/// The tree from the roots down: the group's own level, the path to `current` and `current`
/// itself unfolded.
pub fn tree_rows(dir: &Directory, current: Option<u64>) -> Vec<TreeRow> {
    let path: HashSet<u64> = current
        .map(|c| dir.unit_path(c).iter().map(|u| u.id).collect())
        .unwrap_or_default();
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    // An explicit stack (no recursion): `Some(id)` visits a unit, `None` closes a branch.
    let mut stack: Vec<(Option<u64>, usize)> =
        dir.roots().iter().rev().map(|r| (Some(*r), 0)).collect();
    while let Some((item, depth)) = stack.pop() {
        let Some(id) = item else {
            out.push(TreeRow {
                kind: "end",
                id: 0,
                name: String::new(),
                count: 0,
                open: false,
                current: false,
            });
            continue;
        };
        let Some(u) = dir.unit(id).filter(|_| seen.insert(id)) else {
            continue;
        };
        let kids = dir.children(id);
        out.push(TreeRow {
            kind: if kids.is_empty() { "leaf" } else { "branch" },
            id,
            name: u.name.clone(),
            count: u.active_count,
            open: !kids.is_empty() && (depth == 0 || path.contains(&id)),
            current: current == Some(id),
        });
        if !kids.is_empty() {
            stack.push((None, depth));
            stack.extend(kids.iter().rev().map(|k| (Some(*k), depth + 1)));
        }
    }
    out
}

/// A person in the list.
pub struct Row {
    pub id: u64,
    pub name: String,
    pub login: String,
    pub position: String,
    pub unit_name: String,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub disabled: bool,
}

/// The right-hand side: a unit's people, or search results.
pub struct PeopleList {
    pub searching: bool,
    pub q: String,
    /// The chosen unit from the root down (empty when searching everywhere).
    pub unit_path: Vec<UnitRef>,
    pub rows: Vec<Row>,
    /// "12 people", in the page's language.
    pub summary: String,
    /// Set when more matched than are listed.
    pub truncated: Option<String>,
}

impl PeopleList {
    fn new(tr: Tr, found: &Found, q: &str, unit: Option<u64>) -> PeopleList {
        let dir = &found.dir;
        let unit_path = unit
            .map(|u| {
                dir.unit_path(u)
                    .into_iter()
                    .map(|u| UnitRef {
                        id: u.id,
                        name: u.name.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let rows = found
            .people()
            .map(|p| Row {
                id: p.id,
                name: p.name.clone(),
                login: p.login.clone(),
                position: p.position.clone().unwrap_or_default(),
                unit_name: dir
                    .unit(p.unit_id)
                    .map(|u| u.name.clone())
                    .unwrap_or_default(),
                mobile: p.mobile.clone(),
                email: p.email.clone(),
                disabled: !p.is_active(),
            })
            .collect();
        PeopleList {
            searching: !q.is_empty(),
            q: q.to_string(),
            unit_path,
            rows,
            summary: tr
                .t("directory.count")
                .replace("{n}", &found.total.to_string()),
            truncated: found.truncated().then(|| {
                tr.t("directory.truncated")
                    .replace("{n}", &found.ids.len().to_string())
            }),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "directory/index.html")]
pub struct DirectoryPage {
    pub base: Base,
    pub tree: Vec<TreeRow>,
    /// The name of the unit shown (for the tree's summary on a phone).
    pub unit_name: String,
    pub list: PeopleList,
}

#[derive(Template, WebTemplate)]
#[template(path = "directory/people.html")]
pub struct PeopleFragment {
    pub base: Base,
    pub list: PeopleList,
}

/// The directory: without `q` the people of `unit` (the caller's own unit at first), with `q`
/// the people found (everywhere, or within `unit` when given). An htmx request aimed at the
/// list gets the list alone.
#[get("/directory?<unit>&<q>")]
pub async fn index(
    app: &State<App>,
    base: Base,
    actor: Actor,
    hx: HxTarget,
    unit: Option<u64>,
    q: Option<String>,
) -> Result<Either<DirectoryPage, PeopleFragment>> {
    let base = base.with_user(&actor, "directory");
    let q = q.map(|q| q.trim().to_string()).unwrap_or_default();
    let searching = !q.is_empty();
    let asked = q.clone();
    let (found, shown, tree) = app
        .run(move |app| {
            let dir = app.directory()?;
            // Browsing starts at the caller's own unit; a search looks everywhere.
            let shown = unit.or_else(|| {
                (!searching).then(|| {
                    dir.unit(actor.unit_id)
                        .map(|u| u.id)
                        .or_else(|| dir.roots().first().copied())
                })?
            });
            let found = service::search(app, &actor, Some(&asked), shown)?;
            let tree = tree_rows(&found.dir, shown);
            Ok((found, shown, tree))
        })
        .await?;
    let list = PeopleList::new(base.tr, &found, &q, shown);
    if hx.0.as_deref() == Some("people") {
        return Ok(Either::Right(PeopleFragment { base, list }));
    }
    let unit_name = list
        .unit_path
        .last()
        .map(|u| u.name.clone())
        .unwrap_or_default();
    Ok(Either::Left(DirectoryPage {
        base,
        tree,
        unit_name,
        list,
    }))
}

#[derive(Template, WebTemplate)]
#[template(path = "directory/person.html")]
pub struct PersonPage {
    pub base: Base,
    pub card: Card,
    /// The first character of the name, for the avatar.
    pub avatar: String,
    pub disabled: bool,
}

/// A person's card.
#[get("/directory/people/<id>")]
pub async fn person(app: &State<App>, base: Base, actor: Actor, id: u64) -> Result<PersonPage> {
    let base = base.with_user(&actor, "directory");
    let card = app.run(move |app| service::card(app, &actor, id)).await?;
    let avatar = card
        .name
        .chars()
        .next()
        .map(String::from)
        .unwrap_or_default();
    let disabled = card.status == crate::org::model::UserStatus::Disabled;
    Ok(PersonPage {
        base,
        card,
        avatar,
        disabled,
    })
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![index, person]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::model::{Source, Unit, UnitKind};

    fn unit(id: u64, parent: Option<u64>, order: i64) -> Unit {
        Unit {
            id,
            code: format!("U{id}"),
            name: format!("单位{id}"),
            kind: UnitKind::Department,
            parent_id: parent,
            head_id: None,
            order,
            source: Source::Local,
            created_ms: 0,
            updated_ms: 0,
        }
    }

    #[test]
    fn the_tree_nests_and_unfolds_the_path_to_the_current_unit() {
        let dir = Directory::build(
            vec![
                unit(1, None, 0),
                unit(2, Some(1), 2),
                unit(3, Some(1), 1),
                unit(4, Some(3), 0),
                unit(5, Some(4), 0),
            ],
            vec![],
            vec![],
        );
        let rows = tree_rows(&dir, Some(5));
        let shape: Vec<String> = rows
            .iter()
            .map(|r| match r.kind {
                "end" => "/".to_string(),
                k => format!(
                    "{}{}{}{}",
                    &k[..1],
                    r.id,
                    if r.open { "+" } else { "" },
                    if r.current { "*" } else { "" }
                ),
            })
            .collect();
        assert_eq!(shape, vec!["b1+", "b3+", "b4+", "l5*", "/", "/", "l2", "/"]);
        let closed = tree_rows(&dir, Some(2));
        assert!(
            closed.iter().all(|r| r.id != 3 || !r.open),
            "a branch off the path stays folded"
        );
        let at3 = tree_rows(&dir, Some(3));
        assert!(
            at3.iter().any(|r| r.id == 3 && r.open && r.current),
            "the current unit shows its departments"
        );
    }
}
