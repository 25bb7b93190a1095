//! 系统管理 pages: the overview and units. Positions are in `pages/positions.rs`, people and
//! their grants in `pages/users.rs`.
//! Forms post back to the same path; a refusal re-renders the form with its reasons (400).

pub mod positions;
pub mod users;

use askama::Template;
use askama_web::WebTemplate;
use rocket::form::FromForm;
use rocket::http::Status;
use rocket::response::Redirect;
use rocket::{Either, State, get, post};

use super::units::{self, UnitInput, UnitPatch};
use crate::App;
use crate::auth::guards::CsrfForm;
use crate::auth::service::Origin;
use crate::auth::{Actor, Permission};
use crate::error::{Code, Error, Result};
use crate::org::model::{Unit, UnitKind};
use crate::org::store as org_store;
use crate::web::page::{Base, FormErrors, form_errors};

/// A unit in tree order with its depth, for tables and indented selects.
pub struct UnitRow {
    pub unit: Unit,
    pub depth: usize,
    pub head: String,
    /// The actor may edit it (ManageOrg) / add people to it (ManageUsers).
    pub editable: bool,
}

impl UnitRow {
    /// The name indented by its depth, for `<option>`s.
    pub fn label(&self) -> String {
        format!("{}{}", "\u{3000}".repeat(self.depth), self.unit.name)
    }
    pub fn kind_key(&self) -> &'static str {
        kind_key(self.unit.kind)
    }
}

pub fn kind_key(kind: UnitKind) -> &'static str {
    match kind {
        UnitKind::Group => "admin.kind_group",
        UnitKind::Enterprise => "admin.kind_enterprise",
        UnitKind::Department => "admin.kind_department",
    }
}

/// Every unit depth-first (siblings by order, then code), marked editable where the actor holds
/// `perm`. With `only_editable`, the others are left out.
pub fn unit_rows(
    app: &App,
    actor: &Actor,
    perm: Permission,
    only_editable: bool,
) -> Result<Vec<UnitRow>> {
    let (units, heads) = app.store().read(|tx| {
        let units = org_store::units_all(tx)?;
        let mut heads = std::collections::HashMap::new();
        for h in units.iter().filter_map(|u| u.head_id) {
            if let Some(u) = org_store::user_by_id(tx, h)? {
                heads.insert(h, u.name);
            }
        }
        Ok((units, heads))
    })?;
    let mut children: std::collections::HashMap<Option<u64>, Vec<Unit>> = Default::default();
    for u in units {
        children.entry(u.parent_id).or_default().push(u);
    }
    for list in children.values_mut() {
        list.sort_by(|a, b| (a.order, &a.code).cmp(&(b.order, &b.code)));
    }
    let mut out = Vec::new();
    let mut stack: Vec<(Unit, usize)> = children
        .remove(&None)
        .unwrap_or_default()
        .into_iter()
        .rev()
        .map(|u| (u, 0))
        .collect();
    while let Some((unit, depth)) = stack.pop() {
        if let Some(kids) = children.remove(&Some(unit.id)) {
            stack.extend(kids.into_iter().rev().map(|k| (k, depth + 1)));
        }
        let editable = actor.can(perm, unit.id);
        if only_editable && !editable {
            continue;
        }
        let head = unit
            .head_id
            .and_then(|h| heads.get(&h).cloned())
            .unwrap_or_default();
        out.push(UnitRow {
            unit,
            depth,
            head,
            editable,
        });
    }
    Ok(out)
}

pub(super) fn require(actor: &Actor, perm: Permission) -> Result<()> {
    if actor.can_anywhere(perm) {
        Ok(())
    } else {
        Err(Error::Forbidden(Code::Forbidden))
    }
}

/// A person's id from a login typed in a form (managers, unit heads): empty is none.
pub fn user_by_login_field(
    app: &App,
    login: &str,
    field: &str,
    errors: &mut crate::error::FieldErrors,
) -> Result<Option<u64>> {
    let login = login.trim();
    if login.is_empty() {
        return Ok(None);
    }
    match app.store().read(|tx| org_store::user_by_login(tx, login))? {
        Some(u) => Ok(Some(u.id)),
        None => {
            errors.insert(field.into(), "error.org.user".into());
            Ok(None)
        }
    }
}

// ---------------------------------------------------------------- overview

pub struct Section {
    pub href: &'static str,
    pub title_key: &'static str,
    pub body_key: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/home.html")]
pub struct HomePage {
    pub base: Base,
    pub sections: Vec<Section>,
}

#[get("/admin")]
pub async fn home(app: &State<App>, base: Base, actor: Actor) -> Result<HomePage> {
    let root = app
        .store()
        .read(org_store::root_unit)?
        .map(|u| u.id)
        .unwrap_or(0);
    let all = [
        (
            actor.can_anywhere(Permission::ManageOrg),
            "/admin/units",
            "admin.units",
            "admin.units_lead",
        ),
        (
            actor.can_anywhere(Permission::ManageOrg),
            "/admin/positions",
            "admin.positions",
            "admin.positions_lead",
        ),
        (
            actor.can_anywhere(Permission::ManageUsers),
            "/admin/users",
            "admin.users",
            "admin.users_lead",
        ),
        (
            actor.can_anywhere(Permission::ViewAudit),
            "/admin/audit",
            "admin.audit",
            "admin.audit_lead",
        ),
        (
            actor.can(Permission::SyncEhr, root),
            "/admin/ehr",
            "admin.ehr",
            "admin.ehr_lead",
        ),
        (
            actor.can(Permission::ManageOrg, root),
            "/admin/backup",
            "admin.backup",
            "admin.backup_lead",
        ),
        (
            actor.can(Permission::ManageTokens, root),
            "/admin/tokens",
            "admin.tokens",
            "admin.tokens_lead",
        ),
        (
            actor.can_anywhere(Permission::AdminWorkflow),
            "/admin/workdays",
            "workdays.title",
            "workdays.admin_lead",
        ),
        (
            actor.can(Permission::AdminWorkflow, root),
            "/admin/workflow",
            "workflow.admin.title",
            "workflow.admin.card_lead",
        ),
        (
            actor.can_anywhere(Permission::AdminWorkflow),
            "/admin/workflow/reports",
            "workflow.reports.title",
            "workflow.reports.lead",
        ),
        (
            actor.can_anywhere(Permission::ManageUsers),
            "/admin/leave",
            "workflow.leave.title",
            "workflow.leave.lead",
        ),
    ];
    let sections: Vec<Section> = all
        .into_iter()
        .filter(|s| s.0)
        .map(|(_, href, title_key, body_key)| Section {
            href,
            title_key,
            body_key,
        })
        .collect();
    if sections.is_empty() {
        return Err(Error::Forbidden(Code::Forbidden));
    }
    Ok(HomePage {
        base: base.with_user(&actor, "admin"),
        sections,
    })
}

// ---------------------------------------------------------------- units

#[derive(Template, WebTemplate)]
#[template(path = "admin/units.html")]
pub struct UnitsPage {
    pub base: Base,
    pub rows: Vec<UnitRow>,
    pub done: bool,
}

#[get("/admin/units?<done>")]
pub async fn units_list(
    app: &State<App>,
    base: Base,
    actor: Actor,
    done: Option<bool>,
) -> Result<UnitsPage> {
    require(&actor, Permission::ManageOrg)?;
    let a = actor.clone();
    let rows = app
        .run(move |app| unit_rows(app, &a, Permission::ManageOrg, false))
        .await?;
    Ok(UnitsPage {
        base: base.with_user(&actor, "admin"),
        rows,
        done: done.unwrap_or(false),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/unit_form.html")]
pub struct UnitFormPage {
    pub base: Base,
    /// None: a new unit.
    pub id: Option<u64>,
    pub form: UnitForm,
    /// Possible parents (units the actor manages).
    pub parents: Vec<UnitRow>,
    pub errors: FormErrors,
    pub from_ehr: bool,
}

#[derive(FromForm, Default, Clone)]
pub struct UnitForm {
    #[field(default = String::new())]
    pub code: String,
    #[field(default = String::new())]
    pub name: String,
    #[field(default = String::new())]
    pub kind: String,
    pub parent_id: Option<u64>,
    pub order: Option<i64>,
    /// The head's login.
    #[field(default = String::new())]
    pub head: String,
}

fn parse_kind(s: &str) -> Option<UnitKind> {
    match s {
        "enterprise" => Some(UnitKind::Enterprise),
        "department" => Some(UnitKind::Department),
        _ => None,
    }
}

async fn unit_form_page(
    app: &App,
    base: Base,
    actor: &Actor,
    id: Option<u64>,
    form: UnitForm,
    errors: FormErrors,
    from_ehr: bool,
) -> Result<UnitFormPage> {
    let a = actor.clone();
    let current = form.parent_id;
    let parents = app
        .run(move |app| {
            let mut rows = unit_rows(app, &a, Permission::ManageOrg, true)?;
            // The current parent stays selectable even where the actor may not add units (an
            // enterprise admin editing their enterprise, which hangs under the group).
            if let Some(p) = current
                && !rows.iter().any(|r| r.unit.id == p)
                && let Some(unit) = app.store().read(|tx| org_store::unit_by_id(tx, p))?
            {
                let head = String::new();
                rows.insert(
                    0,
                    UnitRow {
                        unit,
                        depth: 0,
                        head,
                        editable: false,
                    },
                );
            }
            Ok(rows)
        })
        .await?;
    Ok(UnitFormPage {
        base: base.with_user(actor, "admin"),
        id,
        form,
        parents,
        errors,
        from_ehr,
    })
}

#[get("/admin/units/new?<parent>")]
pub async fn unit_new(
    app: &State<App>,
    base: Base,
    actor: Actor,
    parent: Option<u64>,
) -> Result<UnitFormPage> {
    require(&actor, Permission::ManageOrg)?;
    let form = UnitForm {
        kind: "department".into(),
        parent_id: parent,
        ..<UnitForm as Default>::default()
    };
    unit_form_page(app, base, &actor, None, form, FormErrors::default(), false).await
}

#[post("/admin/units", data = "<form>")]
pub async fn unit_create(
    app: &State<App>,
    base: Base,
    actor: Actor,
    origin: Origin,
    form: CsrfForm<UnitForm>,
) -> Result<Either<Redirect, (Status, UnitFormPage)>> {
    let f = form.0;
    let (a, ff) = (actor.clone(), f.clone());
    let outcome = app
        .run(move |app| {
            let mut errors = Default::default();
            let head_id = user_by_login_field(app, &ff.head, "head_id", &mut errors)?;
            let Some(kind) = parse_kind(&ff.kind) else {
                errors.insert("kind".into(), "error.org.kind".into());
                return Err(Error::Validation(errors));
            };
            super::done(errors)?;
            let input = UnitInput {
                code: ff.code,
                name: ff.name,
                kind,
                parent_id: ff.parent_id.unwrap_or(0),
                order: ff.order.unwrap_or(0),
                head_id,
            };
            units::create_unit(app, &a, input, &origin)
        })
        .await;
    match outcome {
        Ok(_) => Ok(Either::Left(Redirect::to("/admin/units?done=true"))),
        Err(e) => {
            let errors = form_errors(e)?;
            let page = unit_form_page(app, base, &actor, None, f, errors, false).await?;
            Ok(Either::Right((Status::BadRequest, page)))
        }
    }
}

#[get("/admin/units/<id>")]
pub async fn unit_edit(
    app: &State<App>,
    base: Base,
    actor: Actor,
    id: u64,
) -> Result<UnitFormPage> {
    if !actor.tree.contains(id) {
        return Err(Error::NotFound);
    }
    if !actor.can(Permission::ManageOrg, id) {
        return Err(Error::Forbidden(Code::Forbidden));
    }
    let (unit, head) = app
        .run(move |app| {
            app.store().read(|tx| {
                let u = org_store::unit_by_id(tx, id)?.ok_or(Error::NotFound)?;
                let head = match u.head_id {
                    Some(h) => org_store::user_by_id(tx, h)?.map(|u| u.login),
                    None => None,
                };
                Ok((u, head))
            })
        })
        .await?;
    let from_ehr = unit.source == crate::org::model::Source::Ehr;
    let form = UnitForm {
        code: unit.code,
        name: unit.name,
        kind: match unit.kind {
            UnitKind::Group => "group",
            UnitKind::Enterprise => "enterprise",
            UnitKind::Department => "department",
        }
        .into(),
        parent_id: unit.parent_id,
        order: Some(unit.order),
        head: head.unwrap_or_default(),
    };
    unit_form_page(
        app,
        base,
        &actor,
        Some(id),
        form,
        FormErrors::default(),
        from_ehr,
    )
    .await
}

#[post("/admin/units/<id>", data = "<form>")]
pub async fn unit_update(
    app: &State<App>,
    base: Base,
    actor: Actor,
    origin: Origin,
    id: u64,
    form: CsrfForm<UnitForm>,
) -> Result<Either<Redirect, (Status, UnitFormPage)>> {
    let f = form.0;
    let (a, ff) = (actor.clone(), f.clone());
    let outcome = app
        .run(move |app| {
            let mut errors = Default::default();
            let head_id = user_by_login_field(app, &ff.head, "head_id", &mut errors)?;
            super::done(errors)?;
            let patch = UnitPatch {
                code: Some(ff.code),
                name: Some(ff.name),
                parent_id: ff.parent_id,
                order: ff.order,
                head_id: Some(head_id),
            };
            units::update_unit(app, &a, id, patch, &origin)
        })
        .await;
    match outcome {
        Ok(_) => Ok(Either::Left(Redirect::to("/admin/units?done=true"))),
        Err(e) => {
            let errors = form_errors(e)?;
            let page = unit_form_page(app, base, &actor, Some(id), f, errors, false).await?;
            Ok(Either::Right((Status::BadRequest, page)))
        }
    }
}

#[post("/admin/units/<id>/delete", data = "<form>")]
pub async fn unit_delete(
    app: &State<App>,
    actor: Actor,
    origin: Origin,
    id: u64,
    form: CsrfForm<crate::auth::pages::Empty>,
) -> Result<Redirect> {
    let _ = form;
    app.run(move |app| units::delete_unit(app, &actor, id, &origin))
        .await?;
    Ok(Redirect::to("/admin/units?done=true"))
}

pub fn routes() -> Vec<rocket::Route> {
    let mut r = rocket::routes![
        home,
        units_list,
        unit_new,
        unit_create,
        unit_edit,
        unit_update,
        unit_delete
    ];
    r.extend(positions::routes());
    r.extend(users::routes());
    r
}
