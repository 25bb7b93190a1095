//! 系统管理 → 流程报表: the SLA report by approver's unit and template over a span, and the export
//! of a template's instances (CSV or XLSX) for workflow administrators.

use askama::Template;
use askama_web::WebTemplate;
use rocket::{State, get};

use crate::App;
use crate::auth::Actor;
use crate::error::Result;
use crate::web::page::Base;
use crate::workflow::model::template::Template as FlowTemplate;
use crate::workflow::service::reports::{self, SlaRow};
use crate::workflow::service::templates;

#[derive(Template, WebTemplate)]
#[template(path = "workflow/reports.html")]
pub struct ReportsPage {
    pub base: Base,
    pub rows: Vec<SlaRow>,
    pub from: String,
    pub to: String,
    pub templates: Vec<FlowTemplate>,
}

#[get("/admin/workflow/reports?<from>&<to>")]
pub async fn show(
    app: &State<App>,
    base: Base,
    actor: Actor,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<ReportsPage> {
    let base = base.with_user(&actor, "admin");
    let (from, to) = super::super::api::date_span(app, from, to)?;
    let (rows, all) = app
        .run(move |app| {
            let rows = reports::sla(app, &actor, from, to)?;
            Ok((rows, templates::list(app, &actor, false)?))
        })
        .await?;
    Ok(ReportsPage {
        base,
        rows,
        from: from.to_string(),
        to: to.to_string(),
        templates: all,
    })
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![show]
}
