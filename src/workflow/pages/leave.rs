//! 系统管理 → 年假额度: an enterprise administrator sets the year's annual leave of the people they
//! manage, one by one or from a pasted table (as HR keeps it), and sees what is used and pending.

use askama::Template;
use askama_web::WebTemplate;
use rocket::response::Redirect;
use rocket::{FromForm, State, get, post};

use crate::App;
use crate::auth::Actor;
use crate::auth::guards::CsrfForm;
use crate::error::{Error, Result};
use crate::web::page::{Base, FormErrors, form_errors};
use crate::workflow::leave::model::Balance;
use crate::workflow::leave::service::{self, ImportReport};

#[derive(Template, WebTemplate)]
#[template(path = "workflow/leave.html")]
pub struct LeavePage {
    pub base: Base,
    pub year: i32,
    pub rows: Vec<(Balance, String)>,
    pub errors: FormErrors,
    pub report: Option<ImportReport>,
    pub saved: bool,
}

async fn page(
    app: &App,
    base: Base,
    actor: Actor,
    year: i32,
    errors: FormErrors,
    report: Option<ImportReport>,
    saved: bool,
) -> Result<LeavePage> {
    let rows = app.run(move |app| service::list(app, &actor, year)).await?;
    Ok(LeavePage {
        base,
        year,
        rows,
        errors,
        report,
        saved,
    })
}

fn this_year(app: &App) -> i32 {
    use chrono::{Datelike, TimeZone};
    app.tz()
        .timestamp_millis_opt(app.now_ms())
        .single()
        .map_or(2026, |t| t.year())
}

#[get("/admin/leave?<year>&<done>")]
pub async fn show(
    app: &State<App>,
    base: Base,
    actor: Actor,
    year: Option<i32>,
    done: Option<&str>,
) -> Result<LeavePage> {
    let base = base.with_user(&actor, "admin");
    let year = year.unwrap_or_else(|| this_year(app));
    page(
        app,
        base,
        actor,
        year,
        FormErrors::default(),
        None,
        done == Some("saved"),
    )
    .await
}

#[derive(FromForm)]
pub struct SetForm {
    #[field(default = String::new())]
    pub csrf: String,
    #[field(default = String::new())]
    pub person: String,
    #[field(default = String::new())]
    pub total: String,
}

type Outcome = Result<std::result::Result<Redirect, (rocket::http::Status, LeavePage)>>;

#[post("/admin/leave/<year>", data = "<form>")]
pub async fn set(
    app: &State<App>,
    base: Base,
    actor: Actor,
    year: i32,
    form: CsrfForm<SetForm>,
) -> Outcome {
    let base = base.with_user(&actor, "admin");
    let f = form.0;
    let dir = app.directory()?;
    let who = crate::workflow::pages::form::person_value(&dir, &f.person).as_u64();
    let total = f.total.trim().parse::<u32>().ok();
    let a = actor.clone();
    let r = match (who, total) {
        (Some(user), Some(total)) => app
            .run(move |app| service::set_total(app, &a, user, year, total))
            .await
            .map(|_| ()),
        (None, _) => Err(Error::field("person", "error.workflow.user")),
        (_, None) => Err(Error::field("total", "error.invalid")),
    };
    match r {
        Ok(()) => Ok(Ok(Redirect::to(format!(
            "/admin/leave?year={year}&done=saved"
        )))),
        Err(e) => {
            let errors = match e {
                Error::NotFound => {
                    FormErrors([("person".to_string(), "error.workflow.user".to_string())].into())
                }
                e => form_errors(e)?,
            };
            let p = page(app, base, actor, year, errors, None, false).await?;
            Ok(Err((rocket::http::Status::BadRequest, p)))
        }
    }
}

#[derive(FromForm)]
pub struct ImportForm {
    #[field(default = String::new())]
    pub csrf: String,
    #[field(default = String::new())]
    pub table: String,
}

/// A table pasted from a spreadsheet (CSV, or tab-separated as Excel copies it).
#[post("/admin/leave/<year>/import", data = "<form>")]
pub async fn import(
    app: &State<App>,
    base: Base,
    actor: Actor,
    year: i32,
    form: CsrfForm<ImportForm>,
) -> Outcome {
    let base = base.with_user(&actor, "admin");
    let text = form.0.table.replace('\t', ",");
    let a = actor.clone();
    match app
        .run(move |app| service::import(app, &a, year, text.as_bytes()))
        .await
    {
        Ok(report) => {
            let p = page(
                app,
                base,
                actor,
                year,
                FormErrors::default(),
                Some(report),
                false,
            )
            .await?;
            Ok(Err((rocket::http::Status::Ok, p)))
        }
        Err(e) => {
            let errors = form_errors(e)?;
            let p = page(app, base, actor, year, errors, None, false).await?;
            Ok(Err((rocket::http::Status::BadRequest, p)))
        }
    }
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![show, set, import]
}
