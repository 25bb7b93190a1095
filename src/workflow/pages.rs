//! 流程审批 pages: the todo center (待办中心), starting a request, an instance with its form,
//! timeline and the actions the viewer may take. Thin: parse, call the service, render.

pub mod delegation;
pub mod form;
pub mod leave;
pub mod reports;
pub mod template_admin;
pub mod template_fields;
pub mod template_form;
pub mod template_preview;
pub mod template_rules;
pub mod template_steps;

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use rocket::response::Redirect;
use rocket::{State, get, post};

use self::form::{Ctx, FieldInput, Pairs, input, person_value};
use super::model::instance::Status;
use super::model::template::{FieldRight, Template as FlowTemplate};
use super::service::lists::{self, Counts, Item};
use super::service::tasks::{self, Action, ActionInput};
use super::service::view::{self, AttachmentRef, InstanceView};
use super::service::{instances, templates};
use super::store::Box;
use crate::App;
use crate::auth::Actor;
use crate::auth::guards::CsrfForm;
use crate::error::{Error, Result};
use crate::web::page::{Base, FormErrors, form_errors};

/// The tabs of the todo center: `(box, label key)`.
const TABS: [(&str, &str); 6] = [
    ("todo", "workflow.box.todo"),
    ("done", "workflow.box.done"),
    ("mine", "workflow.box.mine"),
    ("cc", "workflow.box.cc"),
    ("cc_read", "workflow.box.cc_read"),
    ("for_me", "workflow.box.for_me"),
];

#[derive(Template, WebTemplate)]
#[template(path = "workflow/center.html")]
pub struct CenterPage {
    pub base: Base,
    pub tab: String,
    pub items: Vec<Item>,
    pub next: Option<String>,
    pub counts: Counts,
    pub templates: Vec<FlowTemplate>,
    pub template: String,
    pub status: String,
    pub from: String,
    pub to: String,
    pub notice: Option<String>,
}

impl CenterPage {
    pub fn tabs(&self) -> &'static [(&'static str, &'static str)] {
        &TABS
    }
    pub fn badge(&self, tab: &str) -> usize {
        match tab {
            "todo" => self.counts.todo,
            "cc" => self.counts.cc,
            _ => 0,
        }
    }
    pub fn status_key(&self, s: &Status) -> String {
        format!("workflow.status.{}", s.as_str())
    }
    pub fn statuses(&self) -> [&'static str; 7] {
        [
            "draft",
            "running",
            "returned",
            "approved",
            "rejected",
            "withdrawn",
            "terminated",
        ]
    }
    pub fn when(&self, rfc: &str) -> String {
        rfc.get(..16).unwrap_or(rfc).replace('T', " ")
    }
    pub fn empty_key(&self) -> String {
        format!("workflow.empty.{}", self.tab)
    }
    pub fn more_href(&self, cursor: &str) -> String {
        format!(
            "/workflow?box={}&template={}&status={}&from={}&to={}&cursor={cursor}",
            self.tab, self.template, self.status, self.from, self.to
        )
    }
}

#[get("/workflow?<done>&<q..>")]
pub async fn center(
    app: &State<App>,
    base: Base,
    actor: Actor,
    done: Option<String>,
    q: super::api::TaskQuery,
) -> Result<CenterPage> {
    let base = base.with_user(&actor, "workflow");
    let tab = q
        .which
        .clone()
        .filter(|b| lists::parse_box(b).is_some())
        .unwrap_or("todo".into());
    let which = lists::parse_box(&tab).unwrap_or(Box::Todo);
    let filter = q.filter()?;
    let uid = actor.user_id;
    let cursor = q.cursor.clone();
    let (page, counts, all) = app
        .run(move |app| {
            let page = lists::list(app, &actor, which, &filter, cursor.as_deref(), 20)?;
            Ok((
                page,
                lists::counts(app, uid)?,
                templates::list(app, &actor, false)?,
            ))
        })
        .await?;
    Ok(CenterPage {
        base,
        tab,
        items: page.items,
        next: page.next_cursor,
        counts,
        templates: all,
        template: q.template.unwrap_or_default(),
        status: q.status.unwrap_or_default(),
        from: q.from.unwrap_or_default(),
        to: q.to.unwrap_or_default(),
        notice: done.map(|d| done_key(&d)),
    })
}

/// The catalog key of a "done" notice from the query (only letters, digits and `_`).
fn done_key(d: &str) -> String {
    let clean: String = d
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    format!("workflow.done.{clean}")
}

#[derive(Template, WebTemplate)]
#[template(path = "workflow/new.html")]
pub struct NewPage {
    pub base: Base,
    /// `(category, templates)`.
    pub groups: Vec<(String, Vec<FlowTemplate>)>,
}

#[get("/workflow/new")]
pub async fn new(app: &State<App>, base: Base, actor: Actor) -> Result<NewPage> {
    let base = base.with_user(&actor, "workflow");
    let all = app
        .run(move |app| templates::list(app, &actor, false))
        .await?;
    let mut groups: Vec<(String, Vec<FlowTemplate>)> = Vec::new();
    // Templates their subject starts (official documents) are started from that subject's page.
    let startable = all
        .into_iter()
        .filter(|t| super::subject::of(t).is_none_or(|s| s.direct_start()));
    for t in startable {
        match groups.iter_mut().find(|(c, _)| *c == t.category) {
            Some((_, v)) => v.push(t),
            None => groups.push((t.category.clone(), vec![t])),
        }
    }
    Ok(NewPage { base, groups })
}

#[derive(Template, WebTemplate)]
#[template(path = "workflow/form.html")]
pub struct FormPage {
    pub base: Base,
    pub template: FlowTemplate,
    pub inputs: Vec<FieldInput>,
    pub errors: FormErrors,
    /// Where the form posts.
    pub action: String,
    pub title: String,
}

fn inputs(
    app: &App,
    fields: &[(super::model::template::FieldDef, FieldRight)],
    values: &super::model::instance::Form,
    files: &HashMap<u64, AttachmentRef>,
    errors: &FormErrors,
    base: &Base,
) -> Result<Vec<FieldInput>> {
    let dir = app.directory()?;
    let cx = Ctx {
        dir: &dir,
        files,
        errors,
        days_label: base.t("workflow.days"),
    };
    Ok(fields
        .iter()
        .filter(|(_, r)| *r != FieldRight::Hidden)
        .map(|(f, r)| {
            let v = values.get(&f.key).cloned().unwrap_or_default();
            input(f, *r, &v, &format!("f.{}", f.key), &cx)
        })
        .collect())
}

fn editable(t: &FlowTemplate) -> Vec<(super::model::template::FieldDef, FieldRight)> {
    t.fields
        .iter()
        .map(|f| (f.clone(), FieldRight::Editable))
        .collect()
}

/// The attachments a form names that the viewer may see, by id.
fn files_of(
    app: &App,
    actor: &Actor,
    form: &super::model::instance::Form,
) -> HashMap<u64, AttachmentRef> {
    form.values()
        .filter_map(|v| v.as_array())
        .flatten()
        .filter_map(|x| x.as_u64())
        .filter_map(|id| instances::attachment(app, actor, id).ok())
        .map(|a| {
            (
                a.id,
                AttachmentRef {
                    id: a.id,
                    name: a.name,
                    size: a.size,
                },
            )
        })
        .collect()
}

#[get("/workflow/new/<key>")]
pub async fn new_form(app: &State<App>, base: Base, actor: Actor, key: &str) -> Result<FormPage> {
    let base = base.with_user(&actor, "workflow");
    let key = key.to_string();
    let t = app.run(move |app| templates::current(app, &key)).await?;
    let inputs = inputs(
        app,
        &editable(&t),
        &Default::default(),
        &HashMap::new(),
        &FormErrors::default(),
        &base,
    )?;
    Ok(FormPage {
        action: format!("/workflow/new/{}", t.key),
        title: t.name.clone(),
        base,
        template: t,
        inputs,
        errors: FormErrors::default(),
    })
}

fn is_draft(p: &Pairs) -> bool {
    p.get("action") == Some("draft")
}

#[post("/workflow/new/<key>", data = "<form>")]
pub async fn create(
    app: &State<App>,
    base: Base,
    actor: Actor,
    key: &str,
    form: CsrfForm<Pairs>,
) -> Result<std::result::Result<Redirect, (rocket::http::Status, FormPage)>> {
    let base = base.with_user(&actor, "workflow");
    let pairs = form.0;
    let key = key.to_string();
    let t = app
        .run({
            let key = key.clone();
            move |app| templates::current(app, &key)
        })
        .await?;
    let values = form::form_from(&editable(&t), &pairs, &*app.directory()?);
    let draft = is_draft(&pairs);
    let req = instances::NewInstance {
        template_key: Some(key),
        template_id: None,
        form: values.clone(),
        draft,
    };
    let a = actor.clone();
    match app.run(move |app| instances::create(app, &a, req)).await {
        Ok(inst) => Ok(Ok(Redirect::to(format!(
            "/workflow/instances/{}?done={}",
            inst.id,
            if draft { "saved" } else { "submitted" }
        )))),
        Err(e) => {
            let errors = form_errors(e)?;
            let files = files_of(app, &actor, &values);
            let inputs = inputs(app, &editable(&t), &values, &files, &errors, &base)?;
            Ok(Err((
                rocket::http::Status::BadRequest,
                FormPage {
                    action: format!("/workflow/new/{}", t.key),
                    title: t.name.clone(),
                    base,
                    template: t,
                    inputs,
                    errors,
                },
            )))
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "workflow/instance.html")]
pub struct InstancePage {
    pub base: Base,
    pub v: InstanceView,
    pub inputs: Vec<FieldInput>,
    pub errors: FormErrors,
    pub notice: Option<String>,
    /// Steps before the viewer's step, to return to.
    pub earlier: Vec<(usize, String)>,
    pub quick: bool,
}

impl InstancePage {
    pub fn status_key(&self) -> String {
        format!("workflow.status.{}", self.v.status.as_str())
    }
    pub fn event_key(&self, e: &view::EventView) -> String {
        let k = serde_json::to_value(e.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string));
        format!("workflow.event.{}", k.unwrap_or_default())
    }
    pub fn state_key(&self, t: &view::TaskView) -> String {
        let k = serde_json::to_value(t.state)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string));
        format!("workflow.task.{}", k.unwrap_or_default())
    }
    pub fn when(&self, rfc: &str) -> String {
        rfc.get(..16).unwrap_or(rfc).replace('T', " ")
    }
    pub fn is_current(&self, step: &str) -> bool {
        self.v.current_steps.iter().any(|c| c.name == step)
    }
}

async fn instance_page(
    app: &App,
    base: Base,
    actor: Actor,
    id: u64,
    errors: FormErrors,
    notice: Option<String>,
    posted: Option<super::model::instance::Form>,
) -> Result<InstancePage> {
    let a = actor.clone();
    let (v, inst, t) = app
        .run(move |app| {
            let (inst, t) = instances::get(app, &a, id)?;
            Ok((view::build(app, &a, &inst, &t)?, inst, t))
        })
        .await?;
    let admin = v.can_intervene;
    let rights = view::rights(&inst, &t, actor.user_id, admin);
    let values = posted.unwrap_or_else(|| inst.form.clone());
    let files = files_of(app, &actor, &values);
    let inputs = inputs(app, &rights, &values, &files, &errors, &base)?;
    let my_step = inst
        .open_tasks()
        .find(|x| x.assignee == actor.user_id)
        .map(|x| x.step);
    let earlier = my_step
        .map(|s| (0..s).map(|i| (i, t.steps[i].name.clone())).collect())
        .unwrap_or_default();
    Ok(InstancePage {
        base,
        v,
        inputs,
        errors,
        notice,
        earlier,
        quick: t.quick_approve,
    })
}

#[get("/workflow/instances/<id>?<done>")]
pub async fn show(
    app: &State<App>,
    base: Base,
    actor: Actor,
    id: u64,
    done: Option<String>,
) -> Result<InstancePage> {
    let base = base.with_user(&actor, "workflow");
    let notice = done.map(|d| done_key(&d));
    instance_page(app, base, actor, id, FormErrors::default(), notice, None).await
}

type Outcome = Result<std::result::Result<Redirect, (rocket::http::Status, InstancePage)>>;

async fn again(
    app: &App,
    base: Base,
    actor: Actor,
    id: u64,
    e: Error,
    posted: Option<super::model::instance::Form>,
) -> Outcome {
    let errors = match e {
        Error::Conflict(_) => {
            FormErrors([("form".to_string(), "workflow.error.state".to_string())].into())
        }
        Error::Throttled { .. } => {
            FormErrors([("form".to_string(), "error.throttled".to_string())].into())
        }
        e => form_errors(e)?,
    };
    let page = instance_page(app, base, actor, id, errors, None, posted).await?;
    Ok(Err((rocket::http::Status::BadRequest, page)))
}

/// The applicant saves or resubmits a draft or returned request.
#[post("/workflow/instances/<id>/edit", data = "<form>")]
pub async fn edit(
    app: &State<App>,
    base: Base,
    actor: Actor,
    id: u64,
    form: CsrfForm<Pairs>,
) -> Outcome {
    let base = base.with_user(&actor, "workflow");
    let pairs = form.0;
    let a = actor.clone();
    let t = app
        .run(move |app| {
            let (inst, _) = instances::get(app, &a, id)?;
            templates::get_version(app, inst.template_id)
        })
        .await?;
    let values = form::form_from(&editable(&t), &pairs, &*app.directory()?);
    let submit = !is_draft(&pairs);
    let (a, v) = (actor.clone(), values.clone());
    match app
        .run(move |app| instances::update(app, &a, id, v, submit))
        .await
    {
        Ok(_) => Ok(Ok(Redirect::to(format!(
            "/workflow/instances/{id}?done={}",
            if submit { "submitted" } else { "saved" }
        )))),
        Err(e) => again(app, base, actor, id, e, Some(values)).await,
    }
}

/// Withdraw, urge, comment, terminate.
#[post("/workflow/instances/<id>/<action>", data = "<form>", rank = 2)]
pub async fn instance_action(
    app: &State<App>,
    base: Base,
    actor: Actor,
    id: u64,
    action: &str,
    form: CsrfForm<Pairs>,
) -> Outcome {
    let base = base.with_user(&actor, "workflow");
    let p = form.0;
    let (comment, files) = (p.text("comment"), attachment_ids(&p));
    let action = action.to_string();
    let a = actor.clone();
    let done = action.clone();
    let r = app
        .run(move |app| match action.as_str() {
            "withdraw" => instances::withdraw(app, &a, id),
            "urge" => instances::urge(app, &a, id, &comment),
            "comment" => instances::comment(app, &a, id, &comment, files),
            "terminate" => tasks::terminate(app, &a, id, &comment),
            _ => Err(Error::NotFound),
        })
        .await;
    match r {
        Ok(_) => Ok(Ok(Redirect::to(format!(
            "/workflow/instances/{id}?done={done}"
        )))),
        Err(e) => again(app, base, actor, id, e, None).await,
    }
}

fn attachment_ids(p: &Pairs) -> Vec<u64> {
    p.all("attachments")
        .iter()
        .filter_map(|v| v.trim().parse().ok())
        .collect()
}

/// The holder acts on a task (from the instance page, or 同意 from the todo list).
#[post("/workflow/tasks/<id>/<action>", data = "<form>")]
pub async fn task_action(
    app: &State<App>,
    base: Base,
    actor: Actor,
    id: u64,
    action: &str,
    form: CsrfForm<Pairs>,
) -> Outcome {
    let base = base.with_user(&actor, "workflow");
    let p = form.0;
    let instance = super::engine::instance_of_task(id);
    let dir = app.directory()?;
    let to = person_value(&dir, &p.text("to")).as_u64();
    let from_list = p.get("from") == Some("list");
    let parsed = Action::parse(action);
    let is_reassign = action == "reassign";
    let a = actor.clone();
    let mut input = ActionInput {
        comment: p.text("comment"),
        attachments: attachment_ids(&p),
        form: None,
        to,
        step: p.text("step").parse().ok(),
        before: p.get("before") == Some("true"),
    };
    let posted = if parsed == Some(Action::Approve) && p.0.iter().any(|(k, _)| k.starts_with("f."))
    {
        let a2 = actor.clone();
        let (inst, t) = app
            .run(move |app| instances::get(app, &a2, instance))
            .await?;
        let rights = view::rights(&inst, &t, actor.user_id, false);
        let edits = form::form_from(&rights, &p, &dir);
        input.form = Some(edits.clone());
        Some(edits)
    } else {
        None
    };
    let needs_to = matches!(parsed, Some(Action::Transfer | Action::AddApprover)) || is_reassign;
    if needs_to && to.is_none() {
        let e = Error::field(
            "to",
            if p.text("to").is_empty() {
                "error.required"
            } else {
                "error.workflow.user"
            },
        );
        return again(app, base, actor, instance, e, None).await;
    }
    let r = app
        .run(move |app| match (parsed, to) {
            (Some(act), _) => tasks::perform(app, &a, id, act, input),
            (None, Some(to)) if is_reassign => tasks::reassign(app, &a, id, to, &p.text("comment")),
            _ => Err(Error::NotFound),
        })
        .await;
    match r {
        Ok(_) if from_list => Ok(Ok(Redirect::to("/workflow?done=approved"))),
        Ok(_) => Ok(Ok(Redirect::to(format!(
            "/workflow/instances/{instance}?done={}",
            action.replace('-', "_")
        )))),
        Err(e) => again(app, base, actor, instance, e, posted).await,
    }
}

pub fn routes() -> Vec<rocket::Route> {
    let mut r = rocket::routes![
        center,
        new,
        new_form,
        create,
        show,
        edit,
        instance_action,
        task_action
    ];
    r.extend(delegation::routes());
    r.extend(reports::routes());
    r.extend(leave::routes());
    r.extend(template_admin::routes());
    r
}
