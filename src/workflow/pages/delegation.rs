//! 个人设置 → 代理设置: who takes my tasks while I am away, from when to when, for which
//! categories; and moving the open ones now.

use askama::Template;
use askama_web::WebTemplate;
use rocket::response::Redirect;
use rocket::{FromForm, State, get, post};

use crate::App;
use crate::auth::Actor;
use crate::auth::guards::CsrfForm;
use crate::error::Result;
use crate::web::page::{Base, FormErrors, form_errors};
use crate::workflow::service::delegation::{self, DelegationInput, DelegationView};
use crate::workflow::service::templates;

#[derive(Template, WebTemplate)]
#[template(path = "workflow/delegation.html")]
pub struct DelegationPage {
    pub base: Base,
    pub current: Option<DelegationView>,
    pub categories: Vec<String>,
    pub form: DelegationForm,
    pub errors: FormErrors,
    pub notice: Option<String>,
}

impl DelegationPage {
    pub fn picked(&self, c: &str) -> bool {
        self.form.categories.iter().any(|x| x == c)
    }
}

#[derive(Debug, Default, Clone, FromForm)]
pub struct DelegationForm {
    #[field(default = String::new())]
    pub csrf: String,
    #[field(default = String::new())]
    pub delegate: String,
    #[field(default = String::new())]
    pub from: String,
    #[field(default = String::new())]
    pub to: String,
    #[field(default = Vec::new())]
    pub categories: Vec<String>,
    #[field(default = false)]
    pub move_open: bool,
}

async fn page(
    app: &App,
    base: Base,
    actor: Actor,
    form: DelegationForm,
    errors: FormErrors,
    notice: Option<String>,
) -> Result<DelegationPage> {
    let (current, all) = app
        .run(move |app| {
            Ok((
                delegation::get(app, &actor)?,
                templates::list(app, &actor, false)?,
            ))
        })
        .await?;
    let mut categories: Vec<String> = all.into_iter().map(|t| t.category).collect();
    categories.dedup();
    categories.sort();
    categories.dedup();
    Ok(DelegationPage {
        base,
        current,
        categories,
        form,
        errors,
        notice,
    })
}

#[get("/settings/delegation?<done>")]
pub async fn show(
    app: &State<App>,
    base: Base,
    actor: Actor,
    done: Option<&str>,
) -> Result<DelegationPage> {
    let base = base.with_user(&actor, "settings");
    let notice = match done {
        Some("saved") => Some("workflow.delegation.saved".to_string()),
        Some("cleared") => Some("workflow.delegation.cleared".to_string()),
        _ => None,
    };
    page(
        app,
        base,
        actor,
        DelegationForm::default(),
        FormErrors::default(),
        notice,
    )
    .await
}

#[post("/settings/delegation", data = "<form>")]
pub async fn save(
    app: &State<App>,
    base: Base,
    actor: Actor,
    form: CsrfForm<DelegationForm>,
) -> Result<std::result::Result<Redirect, (rocket::http::Status, DelegationPage)>> {
    let base = base.with_user(&actor, "settings");
    let f = form.0;
    let dir = app.directory()?;
    let date = |s: &str| chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
    let mut errors = crate::error::FieldErrors::new();
    let delegate = super::form::person_value(&dir, &f.delegate).as_u64();
    if delegate.is_none() {
        errors.insert(
            "delegate_id".into(),
            if f.delegate.trim().is_empty() {
                "error.required"
            } else {
                "error.workflow.user"
            }
            .into(),
        );
    }
    let (from, to) = (date(&f.from), date(&f.to));
    if from.is_none() {
        errors.insert("from".into(), "error.date".into());
    }
    if to.is_none() {
        errors.insert("to".into(), "error.date".into());
    }
    let result = match (delegate, from, to) {
        (Some(delegate_id), Some(from), Some(to)) if errors.is_empty() => {
            let input = DelegationInput {
                delegate_id,
                from,
                to,
                categories: f.categories.clone(),
                move_open: f.move_open,
            };
            let a = actor.clone();
            app.run(move |app| delegation::set(app, &a, input))
                .await
                .map(|_| ())
        }
        _ => Err(crate::error::Error::Validation(errors)),
    };
    match result {
        Ok(()) => Ok(Ok(Redirect::to("/settings/delegation?done=saved"))),
        Err(e) => {
            let errors = form_errors(e)?;
            let p = page(app, base, actor, f, errors, None).await?;
            Ok(Err((rocket::http::Status::BadRequest, p)))
        }
    }
}

#[post("/settings/delegation/clear", data = "<form>")]
pub async fn clear(
    app: &State<App>,
    actor: Actor,
    form: CsrfForm<crate::auth::pages::Empty>,
) -> Result<Redirect> {
    let _ = form;
    app.run(move |app| delegation::clear(app, &actor)).await?;
    Ok(Redirect::to("/settings/delegation?done=cleared"))
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![show, save, clear]
}
