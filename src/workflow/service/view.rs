//! An instance as one person sees it: the form without the fields hidden from them at their step,
//! the current steps and their holders, the timeline with names, and what they may do now.

use serde::Serialize;

use super::super::model::instance::{
    Event, EventKind, Instance, Status, Task, TaskKind, TaskState,
};
use super::super::model::template::{FieldDef, FieldRight, Template};
use crate::App;
use crate::auth::{Actor, Permission};
use crate::clock::rfc3339;
use crate::error::Result;
use crate::org::directory::Directory;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = WorkflowPersonRef)]
pub struct PersonRef {
    pub id: u64,
    pub name: String,
}

pub fn person(dir: &Directory, id: u64) -> PersonRef {
    PersonRef {
        id,
        name: dir.person(id).map(|p| p.name.clone()).unwrap_or_default(),
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TaskView {
    pub id: u64,
    pub kind: TaskKind,
    pub step: usize,
    pub step_name: String,
    pub assignee: PersonRef,
    /// Set when a delegate holds it: 代 X 审批.
    pub on_behalf_of: Option<PersonRef>,
    pub state: TaskState,
    pub opened_at: Option<String>,
    pub due_at: Option<String>,
    pub overdue: bool,
    pub done_at: Option<String>,
    pub comment: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EventView {
    pub at: String,
    pub kind: EventKind,
    pub actor: Option<PersonRef>,
    pub on_behalf_of: Option<PersonRef>,
    pub step_name: Option<String>,
    pub target: Option<PersonRef>,
    pub comment: String,
    pub attachments: Vec<AttachmentRef>,
    /// A catalog key saying why (a skipped step, a reassignment), or empty.
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = WorkflowAttachmentRef)]
pub struct AttachmentRef {
    pub id: u64,
    pub name: String,
    pub size: u64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FieldView {
    #[serde(flatten)]
    pub def: FieldDef,
    pub right: FieldRight,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StepView {
    pub index: usize,
    pub name: String,
    pub tasks: Vec<TaskView>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InstanceView {
    pub id: u64,
    pub template_id: u64,
    pub template_key: String,
    pub template_version: u32,
    pub template_name: String,
    pub category: String,
    pub title: String,
    pub status: Status,
    pub applicant: PersonRef,
    #[schema(value_type = Object)]
    pub form: super::super::model::instance::Form,
    pub fields: Vec<FieldView>,
    pub current_steps: Vec<StepView>,
    pub steps: Vec<String>,
    pub tasks: Vec<TaskView>,
    pub timeline: Vec<EventView>,
    /// The viewer's own open task, if they hold one.
    pub my_task: Option<u64>,
    pub can_edit: bool,
    pub can_withdraw: bool,
    pub can_urge: bool,
    pub can_intervene: bool,
    pub created_at: String,
    pub submitted_at: Option<String>,
    pub ended_at: Option<String>,
}

/// The right a viewer has on each field: the rights of the step of their open task; for anyone
/// else who had a task, a field hidden at any of their steps stays hidden; the applicant and
/// administrators see everything (the applicant edits while a draft or returned).
pub fn rights(
    inst: &Instance,
    t: &Template,
    viewer: u64,
    admin: bool,
) -> Vec<(FieldDef, FieldRight)> {
    let editing =
        inst.applicant == viewer && matches!(inst.status, Status::Draft | Status::Returned);
    let open_step = inst
        .open_tasks()
        .find(|x| x.assignee == viewer)
        .map(|x| x.step);
    let my_steps: Vec<usize> = inst
        .tasks
        .iter()
        .filter(|x| x.assignee == viewer || x.on_behalf_of == Some(viewer))
        .map(|x| x.step)
        .collect();
    t.fields
        .iter()
        .map(|f| {
            let right = if editing {
                FieldRight::Editable
            } else if let Some(s) = open_step {
                t.steps[s].right(&f.key)
            } else if inst.applicant == viewer || admin {
                FieldRight::ReadOnly
            } else if my_steps
                .iter()
                .any(|s| t.steps[*s].right(&f.key) == FieldRight::Hidden)
            {
                FieldRight::Hidden
            } else {
                FieldRight::ReadOnly
            };
            let right = if f.compute.is_some() && right == FieldRight::Editable {
                FieldRight::ReadOnly
            } else {
                right
            };
            (f.clone(), right)
        })
        .collect()
}

pub fn task_view(app: &App, dir: &Directory, t: &Template, x: &Task) -> TaskView {
    let tz = app.tz();
    let now = app.now_ms();
    TaskView {
        id: x.id,
        kind: x.kind,
        step: x.step,
        step_name: t
            .steps
            .get(x.step)
            .map(|s| s.name.clone())
            .unwrap_or_default(),
        assignee: person(dir, x.assignee),
        on_behalf_of: x.on_behalf_of.map(|u| person(dir, u)),
        state: x.state,
        opened_at: x.opened_ms.map(|m| rfc3339(&tz, m)),
        due_at: x.due_ms.map(|m| rfc3339(&tz, m)),
        overdue: x.is_overdue(now),
        done_at: x.done_ms.map(|m| rfc3339(&tz, m)),
        comment: x.comment.clone(),
    }
}

fn event_view(app: &App, dir: &Directory, t: &Template, e: &Event) -> Result<EventView> {
    let attachments = if e.attachments.is_empty() {
        Vec::new() // most events: no read transaction at all
    } else {
        app.store().read(|tx| {
            let mut out = Vec::new();
            for id in &e.attachments {
                if let Some(a) = super::super::store::attachment(tx, *id)? {
                    out.push(AttachmentRef {
                        id: a.id,
                        name: a.name,
                        size: a.size,
                    });
                }
            }
            Ok(out)
        })?
    };
    let target = match e.kind {
        EventKind::Returned => None, // a step index, named in step_name of the restarted step
        _ => e.target.map(|u| person(dir, u)),
    };
    Ok(EventView {
        at: rfc3339(&app.tz(), e.at_ms),
        kind: e.kind,
        actor: e.actor.map(|u| person(dir, u)),
        on_behalf_of: e.on_behalf_of.map(|u| person(dir, u)),
        step_name: e.step.and_then(|s| t.steps.get(s)).map(|s| s.name.clone()),
        target,
        comment: e.comment.clone(),
        attachments,
        reason: e.reason.clone(),
    })
}

pub fn build(app: &App, actor: &Actor, inst: &Instance, t: &Template) -> Result<InstanceView> {
    let dir = app.directory()?;
    let tz = app.tz();
    let admin = actor.can(Permission::AdminWorkflow, inst.unit_id);
    let rights = rights(inst, t, actor.user_id, admin);
    let form = inst
        .form
        .iter()
        .filter(|(k, _)| {
            rights
                .iter()
                .any(|(f, r)| &f.key == *k && *r != FieldRight::Hidden)
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let fields = rights
        .into_iter()
        .filter(|(_, r)| *r != FieldRight::Hidden)
        .map(|(def, right)| FieldView { def, right })
        .collect();
    let tasks: Vec<TaskView> = inst
        .tasks
        .iter()
        .map(|x| task_view(app, &dir, t, x))
        .collect();
    let mut current_steps: Vec<StepView> = Vec::new();
    for x in inst
        .tasks
        .iter()
        .filter(|x| x.kind == TaskKind::Approval && x.state.is_pending())
    {
        let tv = task_view(app, &dir, t, x);
        match current_steps.iter_mut().find(|s| s.index == x.step) {
            Some(s) => s.tasks.push(tv),
            None => current_steps.push(StepView {
                index: x.step,
                name: tv.step_name.clone(),
                tasks: vec![tv],
            }),
        }
    }
    let timeline = inst
        .timeline
        .iter()
        .map(|e| event_view(app, &dir, t, e))
        .collect::<Result<Vec<_>>>()?;
    let mine = inst.applicant == actor.user_id;
    Ok(InstanceView {
        id: inst.id,
        template_id: inst.template_id,
        template_key: inst.template_key.clone(),
        template_version: inst.template_version,
        template_name: t.name.clone(),
        category: inst.category.clone(),
        title: inst.title.clone(),
        status: inst.status,
        applicant: person(&dir, inst.applicant),
        form,
        fields,
        current_steps,
        steps: t.steps.iter().map(|s| s.name.clone()).collect(),
        tasks,
        timeline,
        my_task: inst
            .open_tasks()
            .find(|x| x.assignee == actor.user_id)
            .map(|x| x.id),
        can_edit: mine && matches!(inst.status, Status::Draft | Status::Returned),
        can_withdraw: mine
            && match inst.status {
                Status::Running => !inst.approver_acted(),
                Status::Returned | Status::Draft => true,
                _ => false,
            },
        can_urge: mine && inst.status == Status::Running,
        can_intervene: admin && matches!(inst.status, Status::Running | Status::Returned),
        created_at: rfc3339(&tz, inst.created_ms),
        submitted_at: inst.submitted_ms.map(|m| rfc3339(&tz, m)),
        ended_at: inst.ended_ms.map(|m| rfc3339(&tz, m)),
    })
}
