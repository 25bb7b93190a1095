//! 流程模板管理: workflow administrators list every template, edit one (a new version), clone,
//! disable or enable it, preview its form, export it as JSON and import one. The editor's rows
//! are in `template_form.rs`; every route calls a service that checks AdminWorkflow.

use askama::Template;
use askama_web::WebTemplate;
use rocket::http::{ContentType, Header, Status};
use rocket::response::Redirect;
use rocket::{Responder, State, get, post};

use super::form::{Ctx, FieldInput, Pairs, input};
use super::template_form::{self as tf, EditorForm, FieldRow};
use crate::App;
use crate::auth::Actor;
use crate::auth::guards::CsrfForm;
use crate::error::{Code, Error, FieldErrors, Result};
use crate::org::directory::Directory;
use crate::web::page::{Base, FormErrors};
use crate::workflow::model::template::{
    ApproverRule, Condition, FieldRight, RoleScope, StepKind, Template as FlowTemplate,
};
use crate::workflow::service::templates;

/// The current version of `key`, for an administrator (the service checks).
fn current(app: &App, actor: &Actor, key: &str) -> Result<FlowTemplate> {
    templates::versions(app, actor, key)?
        .into_iter()
        .next()
        .ok_or(Error::NotFound)
}

fn require_admin(app: &App, actor: &Actor) -> Result<()> {
    if templates::is_admin(app, actor) {
        Ok(())
    } else {
        Err(Error::Forbidden(Code::Forbidden))
    }
}

// ---------------------------------------------------------------- the list

pub struct Row {
    pub t: FlowTemplate,
    /// `(version, date, enabled)`, newest first.
    pub versions: Vec<(u32, String)>,
    pub steps: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "workflow/admin/list.html")]
pub struct ListPage {
    pub base: Base,
    pub groups: Vec<(String, Vec<Row>)>,
    pub notice: Option<String>,
    pub import_json: String,
    /// Why an import was refused: catalog keys with the place they concern.
    pub import_errors: Vec<(String, String)>,
}

async fn list_page(
    app: &App,
    base: Base,
    actor: Actor,
    notice: Option<String>,
    import_json: String,
    import_errors: Vec<(String, String)>,
) -> Result<ListPage> {
    let base = base.with_user(&actor, "admin");
    let tz = app.tz();
    let rows = app
        .run(move |app| {
            let all = templates::list(app, &actor, true)?;
            all.into_iter()
                .map(|t| {
                    let versions = templates::versions(app, &actor, &t.key)?
                        .into_iter()
                        .map(|v| {
                            let when = crate::clock::local_minute(&tz, v.created_ms);
                            (
                                v.version,
                                if v.created_ms == 0 {
                                    "—".into()
                                } else {
                                    when
                                },
                            )
                        })
                        .collect();
                    let steps = t
                        .steps
                        .iter()
                        .map(|s| s.name.as_str())
                        .collect::<Vec<_>>()
                        .join(" → ");
                    Ok(Row { t, versions, steps })
                })
                .collect::<Result<Vec<_>>>()
        })
        .await?;
    let mut groups: Vec<(String, Vec<Row>)> = Vec::new();
    for r in rows {
        match groups.iter_mut().find(|(c, _)| *c == r.t.category) {
            Some((_, v)) => v.push(r),
            None => groups.push((r.t.category.clone(), vec![r])),
        }
    }
    Ok(ListPage {
        base,
        groups,
        notice,
        import_json,
        import_errors,
    })
}

#[get("/admin/workflow?<done>")]
pub async fn list(
    app: &State<App>,
    base: Base,
    actor: Actor,
    done: Option<String>,
) -> Result<ListPage> {
    let notice = done.map(|d| {
        let clean: String = d.chars().filter(|c| c.is_ascii_lowercase()).collect();
        format!("workflow.admin.done.{clean}")
    });
    list_page(app, base, actor, notice, String::new(), Vec::new()).await
}

#[post("/admin/workflow/<key>/<state>", data = "<_form>")]
pub async fn set_state(
    app: &State<App>,
    actor: Actor,
    key: &str,
    state: &str,
    _form: CsrfForm<Pairs>,
) -> Result<Redirect> {
    let enabled = match state {
        "enable" => true,
        "disable" => false,
        _ => return Err(Error::NotFound),
    };
    let key = key.to_string();
    app.run(move |app| templates::set_enabled(app, &actor, &key, enabled))
        .await?;
    Ok(Redirect::to(format!(
        "/admin/workflow?done={}",
        if enabled { "enabled" } else { "disabled" }
    )))
}

#[derive(Responder)]
pub struct JsonDownload {
    body: (ContentType, String),
    disposition: Header<'static>,
}

#[get("/admin/workflow/<key>/export")]
pub async fn export(app: &State<App>, actor: Actor, key: &str) -> Result<JsonDownload> {
    let key = key.to_string();
    let t = app.run(move |app| current(app, &actor, &key)).await?;
    let body = serde_json::to_string_pretty(&t).map_err(|e| Error::internal(e.to_string()))?;
    Ok(JsonDownload {
        body: (ContentType::JSON, body),
        disposition: Header::new(
            "Content-Disposition",
            format!("attachment; filename={}.json", t.key),
        ),
    })
}

type Answer<P> = Result<std::result::Result<Redirect, (Status, P)>>;

/// Imports pasted JSON: a known key becomes its next version, a new key is created.
#[post("/admin/workflow/import", data = "<form>")]
pub async fn import(
    app: &State<App>,
    base: Base,
    actor: Actor,
    form: CsrfForm<Pairs>,
) -> Answer<ListPage> {
    let json = form.0.get("json").unwrap_or_default().to_string();
    let a = actor.clone();
    let pasted = json.clone();
    let r = app
        .run(move |app| {
            require_admin(app, &a)?;
            let t = templates::parse_import(&pasted)?;
            let known = templates::versions(app, &a, &t.key)?.first().cloned();
            let mut t = t;
            if let Some(k) = &known {
                t.enabled = k.enabled;
            }
            templates::save(app, &a, t, known.is_none())
        })
        .await;
    let errors: Vec<(String, String)> = match r {
        Ok(_) => return Ok(Ok(Redirect::to("/admin/workflow?done=imported"))),
        Err(Error::BadRequest(why)) => vec![(why, "workflow.admin.bad_json".into())],
        Err(Error::Validation(f)) => f.into_iter().collect(),
        Err(e) => return Err(e),
    };
    let page = list_page(app, base, actor, None, json, errors).await?;
    Ok(Err((Status::BadRequest, page)))
}

// ---------------------------------------------------------------- the editor

#[derive(Template, WebTemplate)]
#[template(path = "workflow/admin/editor.html")]
pub struct EditorPage {
    pub base: Base,
    pub f: EditorForm,
    pub errors: FormErrors,
    /// The real field rows (not the blank ones): `(row, key, label, kind)`.
    pub known: Vec<(usize, String, String, String)>,
}

impl EditorPage {
    fn new(base: Base, f: EditorForm, errors: FieldErrors) -> EditorPage {
        let known = f
            .fields
            .iter()
            .enumerate()
            .filter(|(_, r)| !r.key.is_empty())
            .map(|(i, r)| (i, r.key.clone(), r.label.clone(), r.kind.clone()))
            .collect();
        let errors = errors
            .into_iter()
            .map(|(k, v)| (columns_of(&k), v))
            .collect();
        EditorPage {
            base,
            f: f.with_blanks(),
            errors: FormErrors(errors),
            known,
        }
    }
    pub fn title_key(&self) -> String {
        format!("workflow.admin.title_{}", self.f.mode)
    }
    pub fn err(&self, name: &str) -> Option<&str> {
        self.errors.of(name)
    }
    pub fn fe(&self, i: impl std::fmt::Display, name: &str) -> Option<&str> {
        self.errors.of(&format!("fields.{i}.{name}"))
    }
    pub fn se(&self, j: impl std::fmt::Display, name: &str) -> Option<&str> {
        self.errors.of(&format!("steps.{j}.{name}"))
    }
    /// The same text (for askama, whose loop variables are references of references).
    pub fn same(&self, a: &str, b: &str) -> bool {
        a == b
    }
    pub fn kinds(&self) -> &'static [(&'static str, &'static str)] {
        &tf::KINDS
    }
    pub fn ops(&self) -> &'static [(&'static str, &'static str)] {
        &tf::OPS
    }
    pub fn roles(&self) -> &'static [&'static str] {
        crate::org::model::ROLES
    }
    pub fn role_key(&self, r: &str) -> String {
        format!("role.{r}")
    }
    pub fn of_kind(&self, kind: &str) -> Vec<&(usize, String, String, String)> {
        self.known.iter().filter(|k| k.3 == kind).collect()
    }
    pub fn is_real(&self, r: &FieldRow) -> bool {
        !r.key.is_empty()
    }
}

/// A column's own mistake is shown on the table's columns box.
fn columns_of(k: &str) -> String {
    match k.find(".columns.") {
        Some(at) => format!("{}.columns", &k[..at]),
        None => k.to_string(),
    }
}

#[get("/admin/workflow/new")]
pub async fn new(app: &State<App>, base: Base, actor: Actor) -> Result<EditorPage> {
    require_admin(app, &actor)?;
    let f = EditorForm {
        mode: "new".into(),
        ..EditorForm::default()
    };
    Ok(EditorPage::new(
        base.with_user(&actor, "admin"),
        f,
        FieldErrors::new(),
    ))
}

async fn prefilled(
    app: &App,
    base: Base,
    actor: Actor,
    key: &str,
    mode: &str,
) -> Result<EditorPage> {
    let base = base.with_user(&actor, "admin");
    let key = key.to_string();
    let t = app.run(move |app| current(app, &actor, &key)).await?;
    let mut f = EditorForm::of(&t, mode, &*app.directory()?);
    if mode == "clone" {
        f.key = format!("{}_copy", t.key).chars().take(40).collect();
        f.name = format!("{}{}", t.name, base.t("workflow.admin.copy_suffix"));
    }
    Ok(EditorPage::new(base, f, FieldErrors::new()))
}

#[get("/admin/workflow/<key>/edit")]
pub async fn edit(app: &State<App>, base: Base, actor: Actor, key: &str) -> Result<EditorPage> {
    prefilled(app, base, actor, key, "edit").await
}

#[get("/admin/workflow/<key>/clone")]
pub async fn clone(app: &State<App>, base: Base, actor: Actor, key: &str) -> Result<EditorPage> {
    prefilled(app, base, actor, key, "clone").await
}

#[post("/admin/workflow/save", data = "<form>")]
pub async fn save(
    app: &State<App>,
    base: Base,
    actor: Actor,
    form: CsrfForm<Pairs>,
) -> Answer<EditorPage> {
    require_admin(app, &actor)?;
    let base = base.with_user(&actor, "admin");
    let mut f = EditorForm::parse(&form.0);
    if !matches!(f.mode.as_str(), "new" | "edit" | "clone") {
        f.mode = "new".into();
    }
    let dir = app.directory()?;
    let t = match f.build(&dir) {
        Ok(t) => t,
        Err(e) => return Ok(Err((Status::BadRequest, EditorPage::new(base, f, e)))),
    };
    let edit = f.mode == "edit";
    let a = actor.clone();
    let r = app
        .run(move |app| {
            let mut t = t;
            if edit {
                let prev = current(app, &a, &t.key)?;
                t.subject = prev.subject;
                t.enabled = prev.enabled;
            }
            templates::save(app, &a, t, !edit)
        })
        .await;
    let errors = match r {
        Ok(_) => return Ok(Ok(Redirect::to("/admin/workflow?done=saved"))),
        Err(Error::Validation(e)) => e,
        Err(Error::Conflict(Code::Duplicate)) => {
            [("key".to_string(), "error.duplicate".to_string())].into()
        }
        Err(e) => return Err(e),
    };
    Ok(Err((Status::BadRequest, EditorPage::new(base, f, errors))))
}

// ---------------------------------------------------------------- the preview

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
            let v = value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_string);
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
    rocket::routes![
        list, set_state, export, import, new, edit, clone, save, preview
    ]
}
