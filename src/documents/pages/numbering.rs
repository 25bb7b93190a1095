//! 文号管理: an issuing unit's 机关代字 and format, this year's numbers and who took them, and
//! reserving numbers for paper documents. Clerks of the unit only.

use askama::Template;
use askama_web::WebTemplate;
use rocket::http::Status as HttpStatus;
use rocket::response::Redirect;
use rocket::{FromForm, State, get, post};

use super::super::service::numbering::{self, Numbering, RuleInput};
use crate::App;
use crate::auth::Actor;
use crate::auth::guards::CsrfForm;
use crate::error::Result;
use crate::web::page::{Base, FormErrors, form_errors};

#[derive(Template, WebTemplate)]
#[template(path = "documents/numbering.html")]
pub struct NumberingPage {
    pub base: Base,
    pub n: Numbering,
    pub unit_name: String,
    pub errors: FormErrors,
    /// Numbers just reserved, shown once.
    pub reserved: Vec<String>,
    pub saved: bool,
}

/// What the last action left to show.
#[derive(Default)]
struct After {
    errors: FormErrors,
    reserved: Vec<String>,
    saved: bool,
}

async fn page(
    app: &App,
    base: Base,
    actor: Actor,
    unit: u64,
    year: Option<i32>,
    after: After,
) -> Result<NumberingPage> {
    let n = app
        .run(move |app| numbering::show(app, &actor, unit, year))
        .await?;
    let unit_name = app
        .directory()?
        .unit(unit)
        .map(|u| u.name.clone())
        .unwrap_or_default();
    Ok(NumberingPage {
        base,
        n,
        unit_name,
        errors: after.errors,
        reserved: after.reserved,
        saved: after.saved,
    })
}

#[get("/documents/numbering/<unit>?<year>&<done>")]
pub async fn show(
    app: &State<App>,
    base: Base,
    actor: Actor,
    unit: u64,
    year: Option<i32>,
    done: Option<&str>,
) -> Result<NumberingPage> {
    let base = base.with_user(&actor, "documents");
    let after = After {
        saved: done == Some("saved"),
        ..After::default()
    };
    page(app, base, actor, unit, year, after).await
}

#[derive(FromForm)]
pub struct RuleForm {
    #[field(default = String::new())]
    pub prefix: String,
    #[field(default = String::new())]
    pub format: String,
}

type Outcome = Result<std::result::Result<Redirect, (HttpStatus, NumberingPage)>>;

#[post("/documents/numbering/<unit>", data = "<form>")]
pub async fn set_rule(
    app: &State<App>,
    base: Base,
    actor: Actor,
    unit: u64,
    form: CsrfForm<RuleForm>,
) -> Outcome {
    let base = base.with_user(&actor, "documents");
    let input = RuleInput {
        prefix: form.0.prefix,
        format: Some(form.0.format),
    };
    let a = actor.clone();
    match app
        .run(move |app| numbering::set_rule(app, &a, unit, &input))
        .await
    {
        Ok(_) => Ok(Ok(Redirect::to(format!(
            "/documents/numbering/{unit}?done=saved"
        )))),
        Err(e) => {
            let after = After {
                errors: form_errors(e)?,
                ..After::default()
            };
            let p = page(app, base, actor, unit, None, after).await?;
            Ok(Err((HttpStatus::BadRequest, p)))
        }
    }
}

#[derive(FromForm)]
pub struct ReserveForm {
    #[field(default = String::new())]
    pub count: String,
    #[field(default = String::new())]
    pub reason: String,
}

#[post("/documents/numbering/<unit>/reserve", data = "<form>")]
pub async fn reserve(
    app: &State<App>,
    base: Base,
    actor: Actor,
    unit: u64,
    form: CsrfForm<ReserveForm>,
) -> Result<(HttpStatus, NumberingPage)> {
    let base = base.with_user(&actor, "documents");
    let count = form.0.count.trim().parse::<u32>().unwrap_or(0);
    let reason = form.0.reason;
    let a = actor.clone();
    match app
        .run(move |app| numbering::reserve(app, &a, unit, count, &reason))
        .await
    {
        Ok((_, reserved)) => {
            let after = After {
                reserved,
                ..After::default()
            };
            Ok((
                HttpStatus::Ok,
                page(app, base, actor, unit, None, after).await?,
            ))
        }
        Err(e) => {
            let after = After {
                errors: form_errors(e)?,
                ..After::default()
            };
            let p = page(app, base, actor, unit, None, after).await?;
            Ok((HttpStatus::BadRequest, p))
        }
    }
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![show, set_rule, reserve]
}
