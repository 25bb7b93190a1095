//! What an approver does with a task (approve, reject, return, transfer, add an approver), and
//! what a workflow administrator does with a stuck instance (reassign, terminate).

use serde::Deserialize;

use super::super::engine::instance_of_task;
use super::super::model::form::Form;
use super::super::model::instance::{Instance, TaskKind, TaskState};
use super::super::model::template::FieldRight;
use super::instances::{check_comment, own_attachments};
use super::{act, refusal};
use crate::App;
use crate::auth::{Actor, Permission};
use crate::error::{Code, Error, FieldErrors, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Approve,
    Reject,
    Return,
    Transfer,
    AddApprover,
}

impl Action {
    pub fn parse(s: &str) -> Option<Action> {
        Some(match s {
            "approve" => Action::Approve,
            "reject" => Action::Reject,
            "return" => Action::Return,
            "transfer" => Action::Transfer,
            "add-approver" | "add_approver" => Action::AddApprover,
            _ => return None,
        })
    }
}

/// The body of a task action.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionInput {
    #[serde(default)]
    pub comment: String,
    #[serde(default)]
    pub attachments: Vec<u64>,
    /// Approve: new values of the fields editable at this step.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub form: Option<Form>,
    /// Transfer and add-approver: the person.
    #[serde(default)]
    pub to: Option<u64>,
    /// Return: the earlier step (its index) to go back to; absent = to the applicant.
    #[serde(default)]
    pub step: Option<usize>,
    /// Add-approver: before the holder (true) or after (false, the default).
    #[serde(default)]
    pub before: bool,
}

/// Merges an approver's changes into the form: only fields editable at the step may change.
fn apply_edits(
    app: &App,
    tx: &redb::WriteTransaction,
    t: &super::super::model::template::Template,
    inst: &mut Instance,
    step: usize,
    edits: &Form,
) -> Result<()> {
    let mut errors = FieldErrors::new();
    let mut merged = inst.form.clone();
    for (k, v) in edits {
        if t.steps[step].right(k) != FieldRight::Editable {
            if inst.form.get(k) != Some(v) {
                errors.insert(format!("form.{k}"), "error.workflow.read_only".into());
            }
            continue;
        }
        merged.insert(k.to_string(), v.clone());
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    for f in &t.fields {
        if f.compute.is_some() {
            merged.remove(&f.key);
        }
    }
    let cal = app.workdays()?;
    let lookup = super::TxLookup {
        tx,
        cal: &cal,
        applicant: inst.applicant,
        instance: Some(inst.id),
    };
    inst.form = super::super::model::form::validate(t, &merged, true, &lookup).map_err(|e| {
        Error::Validation(
            e.into_iter()
                .map(|(k, v)| (format!("form.{k}"), v))
                .collect(),
        )
    })?;
    Ok(())
}

/// The holder of open task `task_id` acts on it. Another person's task is 403 when they may see
/// the instance, 404 when not; a task no longer open is 409.
pub fn perform(
    app: &App,
    actor: &Actor,
    task_id: u64,
    action: Action,
    input: ActionInput,
) -> Result<Instance> {
    crate::org::admin::require_person(actor)?;
    let comment = check_comment(&input.comment)?;
    if matches!(action, Action::Transfer | Action::AddApprover) && input.to.is_none() {
        return Err(Error::field("to", "error.required"));
    }
    let id = instance_of_task(task_id);
    let (_, inst) = act(app, actor, id, None, |tx, t, inst, engine| {
        let task = inst
            .task(task_id)
            .filter(|t| t.kind == TaskKind::Approval)
            .cloned()
            .ok_or(Error::NotFound)?;
        if task.assignee != actor.user_id {
            return Err(Error::Forbidden(Code::Forbidden));
        }
        if task.state != TaskState::Open {
            return Err(Error::Conflict(Code::Conflict));
        }
        own_attachments(tx, actor, &input.attachments, inst.id)?;
        for a in &input.attachments {
            if let Some(mut att) = super::super::store::attachment_w(tx, *a)? {
                att.instance_id = Some(inst.id);
                super::super::store::put_attachment(tx, &att)?;
            }
        }
        let r = match action {
            Action::Approve => {
                if let Some(edits) = &input.form {
                    apply_edits(app, tx, t, inst, task.step, edits)?;
                }
                engine.approve(inst, task_id, &comment, &input.attachments)
            }
            Action::Reject => engine.reject(inst, task_id, &comment),
            Action::Return => engine.send_back(inst, task_id, input.step, &comment),
            Action::Transfer => engine.transfer(inst, task_id, input.to.unwrap_or(0), &comment),
            Action::AddApprover => {
                engine.add_approver(inst, task_id, input.to.unwrap_or(0), input.before, &comment)
            }
        };
        r.map_err(|e| match (action, e) {
            (Action::Return, super::super::engine::Refusal::Target) => {
                Error::field("step", "error.workflow.target")
            }
            (_, e) => refusal(e),
        })?;
        Ok(((), comment.clone()))
    })?;
    Ok(inst)
}

fn require_admin_of(actor: &Actor, inst: &Instance) -> Result<()> {
    crate::org::admin::require_person(actor)?;
    if actor.can(Permission::AdminWorkflow, inst.unit_id) {
        Ok(())
    } else {
        Err(Error::Forbidden(Code::Forbidden))
    }
}

/// A workflow administrator gives a pending task to someone else (audited).
pub fn reassign(app: &App, actor: &Actor, task_id: u64, to: u64, reason: &str) -> Result<Instance> {
    let reason = check_comment(reason)?;
    let (_, inst) = act(
        app,
        actor,
        instance_of_task(task_id),
        Some("workflow.instance.reassign"),
        |_, _, inst, engine| {
            require_admin_of(actor, inst)?;
            engine
                .reassign(
                    inst,
                    task_id,
                    to,
                    false,
                    Some(actor.user_id),
                    "workflow.reason.admin",
                )
                .map_err(refusal)?;
            Ok(((), format!("task {task_id} -> user {to}: {reason}")))
        },
    )?;
    Ok(inst)
}

/// A workflow administrator ends a stuck instance with a reason (audited).
pub fn terminate(app: &App, actor: &Actor, id: u64, reason: &str) -> Result<Instance> {
    let reason = check_comment(reason)?;
    if reason.is_empty() {
        return Err(Error::field("reason", "error.required"));
    }
    let (_, inst) = act(
        app,
        actor,
        id,
        Some("workflow.instance.terminate"),
        |_, _, inst, engine| {
            require_admin_of(actor, inst)?;
            engine
                .terminate(inst, actor.user_id, &reason)
                .map_err(refusal)?;
            Ok(((), reason.clone()))
        },
    )?;
    Ok(inst)
}
