//! 流程模板管理: workflow administrators list every template, edit one (a new version), clone,
//! disable or enable it, export it as JSON and import one (the preview is in
//! `template_preview.rs`). The editor's rows are in `template_form.rs` and the files beside it;
//! every route calls a service that checks AdminWorkflow.

use askama::Template;
use askama_web::WebTemplate;
use rocket::http::{ContentType, Header, Status};
use rocket::response::Redirect;
use rocket::{Responder, State, get, post};

use super::form::Pairs;
use super::template_fields::FieldRow;
use super::template_form::{self as tf, EditorForm};
use super::template_rules::{self as tr, RuleRow};
use super::template_steps::{CondRow, StepRow};
use crate::App;
use crate::auth::Actor;
use crate::auth::guards::CsrfForm;
use crate::error::{Code, Error, FieldErrors, Result};
use crate::web::page::{Base, FormErrors};
use crate::workflow::model::template::Template as FlowTemplate;
use crate::workflow::service::templates;

/// The current version of `key`, for an administrator (the service checks).
pub(super) fn current(app: &App, actor: &Actor, key: &str) -> Result<FlowTemplate> {
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
    /// A field row's error (`fields.I.NAME`).
    pub fn fe(&self, i: impl std::fmt::Display, name: &str) -> Option<&str> {
        self.errors.of(&format!("fields.{i}.{name}"))
    }
    /// A step block's error (`steps.J.NAME`).
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
    /// The kinds a table's column may have (no table in a table).
    pub fn column_kinds(&self) -> &'static [(&'static str, &'static str)] {
        &tf::KINDS[..tf::KINDS.len() - 1]
    }
    pub fn ops(&self) -> &'static [(&'static str, &'static str)] {
        &tf::OPS
    }
    pub fn rule_types(&self) -> &'static [(&'static str, &'static str)] {
        &tr::RULES
    }
    pub fn scopes(&self) -> &'static [&'static str] {
        &tr::SCOPES
    }
    pub fn scope_key(&self, s: &str) -> String {
        format!("workflow.admin.scope.{s}")
    }
    pub fn roles(&self) -> &'static [&'static str] {
        crate::org::model::ROLES
    }
    pub fn role_key(&self, r: &str) -> String {
        format!("role.{r}")
    }
    /// The registered subject handlers a template may name.
    pub fn subjects(&self) -> Vec<&'static str> {
        crate::workflow::subject::SUBJECTS
            .iter()
            .map(|(n, _)| *n)
            .collect()
    }
    pub fn subject_key(&self, s: &str) -> String {
        format!(
            "workflow.admin.subject.{}",
            if s.is_empty() { "none" } else { s }
        )
    }
    pub fn is_subject(&self, s: &str) -> bool {
        crate::workflow::subject::find(s).is_some()
    }
    pub fn is_role(&self, r: &str) -> bool {
        crate::org::model::ROLES.contains(&r)
    }
    pub fn is_field(&self, key: &str) -> bool {
        self.known.iter().any(|k| k.1 == key)
    }
    pub fn is_user_field(&self, key: &str) -> bool {
        self.known.iter().any(|k| k.1 == key && k.3 == "user")
    }
    /// The error of the input named `PREFIX` + `name` (inputs are named by their paths).
    pub fn e(&self, prefix: &str, name: &str) -> Option<&str> {
        self.errors.of(&format!("{prefix}{name}"))
    }
    pub fn fresh_column(&self) -> FieldRow {
        FieldRow::default()
    }
    pub fn fresh_rule(&self) -> RuleRow {
        RuleRow::fresh()
    }
    pub fn fresh_cond(&self) -> CondRow {
        CondRow::fresh()
    }
    pub fn of_kind(&self, kind: &str) -> Vec<&(usize, String, String, String)> {
        self.known.iter().filter(|k| k.3 == kind).collect()
    }
    pub fn is_real(&self, r: &FieldRow) -> bool {
        !r.key.is_empty()
    }
    /// A step's condition is shown open when it has one, or a mistake in it.
    pub fn cond_open(&self, j: impl std::fmt::Display, s: &StepRow) -> bool {
        let rows = format!("steps.{j}.cond.");
        !s.cond_json.is_empty()
            || s.conds.iter().any(|c| !c.field.is_empty())
            || self.se(&j, "condition").is_some()
            || self.errors.0.keys().any(|k| k.starts_with(&rows))
    }
    /// A step's rights are shown open when it has some, or a mistake in them.
    pub fn rights_open(&self, j: impl std::fmt::Display, s: &StepRow) -> bool {
        !s.rights.is_empty() || self.se(j, "field_rights").is_some()
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
                // A new version keeps what the editor does not change: its subject handler
                // and whether it is enabled.
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

pub fn routes() -> Vec<rocket::Route> {
    let mut r = rocket::routes![list, set_state, export, import, new, edit, clone, save];
    r.extend(super::template_preview::routes());
    r
}
