//! 流程模板预览: a template's form as an applicant sees it (not to be submitted) and its steps
//! in words, for workflow administrators.

use askama::Template;
use askama_web::WebTemplate;
use rocket::{State, get};

use super::form::{Ctx, FieldInput, input};
use super::template_admin::current;
use super::template_form as tf;
use crate::App;
use crate::auth::Actor;
use crate::error::Result;
use crate::org::directory::Directory;
use crate::web::page::{Base, FormErrors};
use crate::workflow::model::template::{
    ApproverRule, Condition, FieldRight, RoleScope, StepKind, Template as FlowTemplate,
};

pub struct StepWords {
    pub name: String,
    pub cc: bool,
    pub mode_key: String,
    pub rules: Vec<String>,
    pub condition: String,
    pub deadline: u32,
}

#[derive(Template, WebTemplate)]
#[template(path = "workflow/admin/preview.html")]
pub struct PreviewPage {
    pub base: Base,
    pub t: FlowTemplate,
    pub inputs: Vec<FieldInput>,
    pub steps: Vec<StepWords>,
}

fn rule_words(r: &ApproverRule, t: &FlowTemplate, base: &Base, dir: &Directory) -> String {
    let tr = |k: &str| base.t(k).to_string();
    match r {
        ApproverRule::Manager { levels } => {
            tr("workflow.admin.rule.manager").replace("{n}", &levels.to_string())
        }
        ApproverRule::DepartmentHead => tr("workflow.admin.rule.department_head"),
        ApproverRule::EnterpriseHead => tr("workflow.admin.rule.enterprise_head"),
        ApproverRule::Role { role, scope } => {
            let scope = match scope {
                RoleScope::Group => "workflow.admin.scope.group",
                RoleScope::Enterprise => "workflow.admin.scope.enterprise",
                RoleScope::Department => "workflow.admin.scope.department",
            };
            tr("workflow.admin.rule.role")
                .replace("{role}", base.t(&format!("role.{role}")))
                .replace("{scope}", base.t(scope))
        }
        ApproverRule::Users { ids } => {
            let names: Vec<String> = ids
                .iter()
                .map(|id| dir.person(*id).map_or(id.to_string(), |p| p.name.clone()))
                .collect();
            tr("workflow.admin.rule.users").replace("{names}", &names.join("、"))
        }
        ApproverRule::Field { field } => tr("workflow.admin.rule.field").replace(
            "{field}",
            t.field(field).map_or(field.as_str(), |f| f.label.as_str()),
        ),
    }
}

fn condition_words(c: &Condition, t: &FlowTemplate, base: &Base) -> String {
    match c {
        Condition::Compare { field, op, value } => {
            let label = t.field(field).map_or(field.as_str(), |f| f.label.as_str());
            let op = tf::name_of(op);
            let sym = tf::OPS.iter().find(|o| o.0 == op).map_or("?", |o| o.1);
            let one =
                |v: &serde_json::Value| v.as_str().map_or_else(|| v.to_string(), str::to_string);
            let v = match value.as_array() {
                Some(list) => list.iter().map(one).collect::<Vec<_>>().join("、"),
                None => one(value),
            };
            format!("{label} {sym} {v}")
        }
        Condition::All { of } | Condition::Any { of } => {
            let join = if matches!(c, Condition::All { .. }) {
                base.t("workflow.admin.and")
            } else {
                base.t("workflow.admin.or")
            };
            let parts: Vec<String> = of.iter().map(|c| condition_words(c, t, base)).collect();
            format!("（{}）", parts.join(join))
        }
    }
}

#[get("/admin/workflow/<key>/preview")]
pub async fn preview(app: &State<App>, base: Base, actor: Actor, key: &str) -> Result<PreviewPage> {
    let base = base.with_user(&actor, "admin");
    let key = key.to_string();
    let t = app.run(move |app| current(app, &actor, &key)).await?;
    let dir = app.directory()?;
    let files = Default::default();
    let none = FormErrors::default();
    let cx = Ctx {
        dir: &dir,
        files: &files,
        errors: &none,
        days_label: base.t("workflow.days"),
    };
    let inputs = t
        .fields
        .iter()
        .map(|f| {
            input(
                f,
                FieldRight::Editable,
                &serde_json::Value::Null,
                &format!("f.{}", f.key),
                &cx,
            )
        })
        .collect();
    let steps = t
        .steps
        .iter()
        .map(|s| StepWords {
            name: s.name.clone(),
            cc: s.kind == StepKind::Cc,
            mode_key: format!("workflow.admin.mode.{}", tf::name_of(&s.mode)),
            rules: s
                .approvers
                .iter()
                .map(|r| rule_words(r, &t, &base, &dir))
                .collect(),
            condition: s
                .condition
                .as_ref()
                .map(|c| condition_words(c, &t, &base))
                .unwrap_or_default(),
            deadline: s.deadline_days,
        })
        .collect();
    Ok(PreviewPage {
        base,
        t,
        inputs,
        steps,
    })
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![preview]
}
