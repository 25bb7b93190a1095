//! 系统管理 → 岗位: the positions with their superior posts, one form to add or edit.

use askama::Template;
use askama_web::WebTemplate;
use rocket::form::FromForm;
use rocket::http::Status;
use rocket::response::Redirect;
use rocket::{Either, State, get, post};

use super::super::units::{self, PositionInput, PositionItem, PositionPatch};
use super::{UnitRow, require, unit_rows};
use crate::App;
use crate::auth::guards::CsrfForm;
use crate::auth::service::Origin;
use crate::auth::{Actor, Permission};
use crate::error::{Error, Result};
use crate::org::store as org_store;
use crate::web::page::{Base, FormErrors, form_errors};

pub struct PositionRow {
    pub item: PositionItem,
    pub unit: String,
    pub superior: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/positions.html")]
pub struct PositionsPage {
    pub base: Base,
    pub rows: Vec<PositionRow>,
    pub units: Vec<UnitRow>,
    /// The create form (or the one being edited, with `editing`).
    pub form: PositionForm,
    pub editing: Option<u64>,
    pub errors: FormErrors,
    pub done: bool,
}

#[derive(FromForm, Default, Clone)]
pub struct PositionForm {
    #[field(default = String::new())]
    pub code: String,
    #[field(default = String::new())]
    pub name: String,
    pub unit_id: Option<u64>,
    pub parent_id: Option<u64>,
}

async fn positions_page(
    app: &App,
    base: Base,
    actor: &Actor,
    form: PositionForm,
    editing: Option<u64>,
    errors: FormErrors,
    done: bool,
) -> Result<PositionsPage> {
    require(actor, Permission::ManageOrg)?;
    let a = actor.clone();
    let (rows, units) = app
        .run(move |app| {
            let items = units::list_positions(app, &a)?;
            let names: std::collections::HashMap<u64, String> = app
                .store()
                .read(org_store::units_all)?
                .into_iter()
                .map(|u| (u.id, u.name))
                .collect();
            let by_id: std::collections::HashMap<u64, String> =
                items.iter().map(|p| (p.id, p.name.clone())).collect();
            let rows = items
                .into_iter()
                .map(|item| PositionRow {
                    unit: item
                        .unit_id
                        .and_then(|u| names.get(&u).cloned())
                        .unwrap_or_default(),
                    superior: item
                        .parent_id
                        .and_then(|p| by_id.get(&p).cloned())
                        .unwrap_or_default(),
                    item,
                })
                .collect();
            Ok((rows, unit_rows(app, &a, Permission::ManageOrg, true)?))
        })
        .await?;
    Ok(PositionsPage {
        base: base.with_user(actor, "admin"),
        rows,
        units,
        form,
        editing,
        errors,
        done,
    })
}

#[get("/admin/positions?<edit>&<done>")]
pub async fn positions(
    app: &State<App>,
    base: Base,
    actor: Actor,
    edit: Option<u64>,
    done: Option<bool>,
) -> Result<PositionsPage> {
    let mut form = <PositionForm as Default>::default();
    if let Some(id) = edit {
        let p = app
            .store()
            .read(|tx| org_store::position_by_id(tx, id))?
            .ok_or(Error::NotFound)?;
        form = PositionForm {
            code: p.code,
            name: p.name,
            unit_id: p.unit_id,
            parent_id: p.parent_id,
        };
    }
    positions_page(
        app,
        base,
        &actor,
        form,
        edit,
        FormErrors::default(),
        done.unwrap_or(false),
    )
    .await
}

#[post("/admin/positions?<edit>", data = "<form>")]
pub async fn position_save(
    app: &State<App>,
    base: Base,
    actor: Actor,
    origin: Origin,
    edit: Option<u64>,
    form: CsrfForm<PositionForm>,
) -> Result<Either<Redirect, (Status, PositionsPage)>> {
    let f = form.0;
    let (a, ff) = (actor.clone(), f.clone());
    let outcome = app
        .run(move |app| match edit {
            Some(id) => {
                let patch = PositionPatch {
                    name: Some(ff.name),
                    parent_id: Some(ff.parent_id),
                };
                units::update_position(app, &a, id, patch, &origin)
            }
            None => {
                let input = PositionInput {
                    code: ff.code,
                    name: ff.name,
                    unit_id: ff.unit_id,
                    parent_id: ff.parent_id,
                };
                units::create_position(app, &a, input, &origin)
            }
        })
        .await;
    match outcome {
        Ok(_) => Ok(Either::Left(Redirect::to("/admin/positions?done=true"))),
        Err(e) => {
            let errors = form_errors(e)?;
            let page = positions_page(app, base, &actor, f, edit, errors, false).await?;
            Ok(Either::Right((Status::BadRequest, page)))
        }
    }
}

#[post("/admin/positions/<id>/delete", data = "<form>")]
pub async fn position_delete(
    app: &State<App>,
    actor: Actor,
    origin: Origin,
    id: u64,
    form: CsrfForm<crate::auth::pages::Empty>,
) -> Result<Redirect> {
    let _ = form;
    app.run(move |app| units::delete_position(app, &actor, id, &origin))
        .await?;
    Ok(Redirect::to("/admin/positions?done=true"))
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![positions, position_save, position_delete]
}
