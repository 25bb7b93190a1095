//! Starting, editing, submitting, withdrawing, urging and commenting on instances, and their
//! attachments.

use std::io::Read;

use redb::WriteTransaction;

use super::super::engine::Engine;
use super::super::model::form::{self, Form};
use super::super::model::instance::{Attachment, Event, EventKind, Instance, Status};
use super::super::model::template::Template;
use super::super::store as wf;
use super::{TxLookup, TxOrg, act, can_see, due_fn, refusal, tell};
use crate::App;
use crate::auth::Actor;
use crate::error::{Code, Error, Result};
use crate::store;

/// A person may urge the same instance at most this often.
const URGE_EVERY_MS: i64 = 10 * 60 * 1000;
const COMMENT_MAX: usize = 2000;
pub const ATTACHMENT_MAX_BYTES: u64 = 20 << 20;

/// What a person submits: a template (by key, or a current version's id) and the form.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInstance {
    #[serde(default)]
    pub template_key: Option<String>,
    #[serde(default)]
    pub template_id: Option<u64>,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub form: Form,
    /// Save without submitting (草稿).
    #[serde(default)]
    pub draft: bool,
}

fn title(t: &Template, form: &Form, applicant: &str) -> String {
    let extra = t
        .title_field
        .as_ref()
        .and_then(|k| form.get(k))
        .and_then(|v| v.as_str())
        .map(|s| format!(" · {}", s.chars().take(60).collect::<String>()))
        .unwrap_or_default();
    format!("{} · {applicant}{extra}", t.name)
}

fn validate(
    tx: &WriteTransaction,
    app: &App,
    t: &Template,
    input: &Form,
    complete: bool,
    applicant: u64,
    instance: Option<u64>,
) -> Result<Form> {
    let cal = app.workdays()?;
    let lookup = TxLookup {
        tx,
        cal: &cal,
        applicant,
        instance,
    };
    form::validate(t, input, complete, &lookup).map_err(|e| {
        let e = e
            .into_iter()
            .map(|(k, v)| (format!("form.{k}"), v))
            .collect();
        Error::Validation(e)
    })
}

/// Attachments named in the form or a comment now belong to the instance.
fn claim_attachments(tx: &WriteTransaction, inst: &Instance, extra: &[u64]) -> Result<()> {
    let mut ids: Vec<u64> = extra.to_vec();
    for v in inst.form.values() {
        if let Some(a) = v.as_array() {
            ids.extend(a.iter().filter_map(|x| x.as_u64()));
        }
    }
    for id in ids {
        if let Some(mut a) = wf::attachment_w(tx, id)?
            && a.instance_id.is_none()
            && a.uploader == inst.applicant
        {
            a.instance_id = Some(inst.id);
            wf::put_attachment(tx, &a)?;
        }
    }
    Ok(())
}

fn resolve_template(app: &App, req: &NewInstance) -> Result<Template> {
    match (&req.template_key, req.template_id) {
        (Some(k), _) => super::templates::current(app, k),
        (None, Some(id)) => {
            let t = app
                .store()
                .read(|tx| wf::template(tx, id))?
                .ok_or(Error::NotFound)?;
            super::templates::current(app, &t.key).and_then(|cur| {
                if cur.id == id {
                    Ok(cur)
                } else {
                    Err(Error::Conflict(Code::Stale)) // an older version: start from the current one
                }
            })
        }
        (None, None) => Err(Error::field("template_key", "error.required")),
    }
}

/// Starts a request: saved as a draft, or submitted at once.
pub fn create(app: &App, actor: &Actor, req: NewInstance) -> Result<Instance> {
    start(app, actor, req, false)
}

/// Starts a request for a subject (an official document): templates that only their subject
/// may start are refused to everyone else with 400.
pub fn start(app: &App, actor: &Actor, req: NewInstance, by_subject: bool) -> Result<Instance> {
    crate::org::admin::require_person(actor)?;
    let t = resolve_template(app, &req)?;
    if !by_subject && super::super::subject::of(&t).is_some_and(|s| !s.direct_start()) {
        return Err(Error::field("template_key", "error.workflow.subject_only"));
    }
    let cal = app.workdays()?;
    let due = due_fn(cal, app.tz());
    let tree = app.tree()?;
    let now = app.now_ms();
    let (inst, ring) = app.store().write(|tx| {
        let me =
            crate::org::store::user_by_id_w(tx, actor.user_id)?.ok_or(Error::Unauthenticated)?;
        let form = validate(tx, app, &t, &req.form, !req.draft, actor.user_id, None)?;
        let id = store::next_id(tx, Instance::KIND)?;
        let mut inst = Instance {
            id,
            template_id: t.id,
            template_key: t.key.clone(),
            template_version: t.version,
            category: t.category.clone(),
            title: title(&t, &form, &me.name),
            applicant: actor.user_id,
            unit_id: me.unit_id,
            form,
            status: Status::Draft,
            current: None,
            tasks: Vec::new(),
            timeline: Vec::new(),
            created_ms: now,
            submitted_ms: None,
            ended_ms: None,
            updated_ms: now,
            last_urged_ms: None,
            round_from: 0,
            restart_from: 0,
        };
        let draft = inst.clone();
        let org = TxOrg::new(tx, tree.clone());
        let mut engine = Engine::new(&t, &org, &due, now);
        if req.draft {
            inst.timeline.push(Event {
                at_ms: now,
                kind: EventKind::Saved,
                actor: Some(actor.user_id),
                on_behalf_of: None,
                step: None,
                target: None,
                comment: String::new(),
                attachments: Vec::new(),
                reason: String::new(),
            });
        } else {
            engine.submit(&mut inst).map_err(refusal)?;
        }
        let mut ring = super::super::subject::after_change(app, tx, &t, &draft, &inst)?;
        claim_attachments(tx, &inst, &[])?;
        wf::put_instance(tx, None, &inst)?;
        ring.extend(tell(tx, now, &inst, &engine.notices, Some((actor, "")))?);
        Ok((inst, ring))
    })?;
    app.inbox_announce(&ring);
    Ok(inst)
}

/// The applicant edits a draft or a returned request, and submits it if `submit`.
pub fn update(app: &App, actor: &Actor, id: u64, input: Form, submit: bool) -> Result<Instance> {
    let (_, inst) = act(app, actor, id, None, |tx, t, inst, engine| {
        if inst.applicant != actor.user_id {
            return Err(Error::Forbidden(Code::Forbidden));
        }
        if !matches!(inst.status, Status::Draft | Status::Returned) {
            return Err(Error::Conflict(Code::Conflict));
        }
        inst.form = validate(tx, app, t, &input, submit, actor.user_id, Some(inst.id))?;
        let name = inst
            .title
            .split(" · ")
            .nth(1)
            .unwrap_or_default()
            .to_string();
        inst.title = title(t, &inst.form, &name);
        claim_attachments(tx, inst, &[])?;
        if submit {
            engine.submit(inst).map_err(refusal)?;
        }
        Ok(((), String::new()))
    })?;
    Ok(inst)
}

/// 撤回: the applicant takes the request back (409 once an approver has acted).
pub fn withdraw(app: &App, actor: &Actor, id: u64) -> Result<Instance> {
    let (_, inst) = act(app, actor, id, None, |_, _, inst, engine| {
        if inst.applicant != actor.user_id {
            return Err(Error::Forbidden(Code::Forbidden));
        }
        engine.withdraw(inst).map_err(refusal)?;
        Ok(((), String::new()))
    })?;
    Ok(inst)
}

/// 催办: the applicant reminds the current approvers (at most every ten minutes).
pub fn urge(app: &App, actor: &Actor, id: u64, comment: &str) -> Result<Instance> {
    let comment = check_comment(comment)?;
    let now = app.now_ms();
    let (_, inst) = act(app, actor, id, None, |_, _, inst, engine| {
        if inst.applicant != actor.user_id {
            return Err(Error::Forbidden(Code::Forbidden));
        }
        if inst.last_urged_ms.is_some_and(|t| now - t < URGE_EVERY_MS) {
            return Err(Error::Throttled {
                code: Code::Throttled,
                retry_after_s: ((URGE_EVERY_MS - (now - inst.last_urged_ms.unwrap_or(now))) / 1000)
                    .max(1) as u64,
            });
        }
        engine
            .urge(inst, actor.user_id, &comment)
            .map_err(refusal)?;
        Ok(((), comment.clone()))
    })?;
    Ok(inst)
}

pub fn check_comment(c: &str) -> Result<String> {
    let c = c.trim();
    if c.chars().count() > COMMENT_MAX {
        return Err(Error::field("comment", "error.too_long"));
    }
    Ok(c.to_string())
}

/// Anyone who may see the instance comments on it, with attachments they uploaded.
pub fn comment(
    app: &App,
    actor: &Actor,
    id: u64,
    text: &str,
    attachments: Vec<u64>,
) -> Result<Instance> {
    crate::org::admin::require_person(actor)?;
    let text = check_comment(text)?;
    if text.is_empty() && attachments.is_empty() {
        return Err(Error::field("comment", "error.required"));
    }
    let now = app.now_ms();
    let (_, inst) = act(app, actor, id, None, |tx, _, inst, _| {
        own_attachments(tx, actor, &attachments, inst.id)?;
        for a in &attachments {
            if let Some(mut att) = wf::attachment_w(tx, *a)? {
                att.instance_id = Some(inst.id);
                wf::put_attachment(tx, &att)?;
            }
        }
        inst.timeline.push(Event {
            at_ms: now,
            kind: EventKind::Commented,
            actor: Some(actor.user_id),
            on_behalf_of: None,
            step: inst.current,
            target: None,
            comment: text.clone(),
            attachments: attachments.clone(),
            reason: String::new(),
        });
        Ok(((), text.clone()))
    })?;
    Ok(inst)
}

/// Attachments named by an action must be the actor's own, not yet used elsewhere.
pub fn own_attachments(tx: &WriteTransaction, actor: &Actor, ids: &[u64], inst: u64) -> Result<()> {
    if ids.len() > 20 {
        return Err(Error::field("attachments", "error.workflow.too_many"));
    }
    for id in ids {
        let ok = wf::attachment_w(tx, *id)?.is_some_and(|a| {
            a.uploader == actor.user_id && a.instance_id.is_none_or(|i| i == inst)
        });
        if !ok {
            return Err(Error::field("attachments", "error.workflow.attachment"));
        }
    }
    Ok(())
}

/// An instance as `actor` may see it (404 otherwise). A cc reader's 待阅 becomes 已阅.
pub fn get(app: &App, actor: &Actor, id: u64) -> Result<(Instance, Template)> {
    let (inst, t) = app.store().read(|tx| {
        let inst = wf::instance(tx, id)?.ok_or(Error::NotFound)?;
        let t = wf::template(tx, inst.template_id)?.ok_or(Error::NotFound)?;
        Ok((inst, t))
    })?;
    if !can_see(actor, &inst) {
        return Err(Error::NotFound);
    }
    let unread = inst.tasks.iter().any(|t| {
        t.kind == super::super::model::instance::TaskKind::Cc
            && t.assignee == actor.user_id
            && t.state == super::super::model::instance::TaskState::Open
    });
    if unread {
        let (_, inst) = act(app, actor, id, None, |_, _, inst, engine| {
            engine.mark_read(inst, actor.user_id);
            Ok(((), String::new()))
        })?;
        return Ok((inst, t));
    }
    Ok((inst, t))
}

/// Stores an uploaded file (its body written and synced before the record) for the uploader to
/// attach to a form or a comment.
pub fn upload(
    app: &App,
    actor: &Actor,
    name: &str,
    content_type: &str,
    body: impl Read,
) -> Result<Attachment> {
    crate::org::admin::require_person(actor)?;
    let (name, sha256, size) = app.blobs().put_upload(name, body, ATTACHMENT_MAX_BYTES)?;
    let now = app.now_ms();
    app.store().write(|tx| {
        let a = Attachment {
            id: store::next_id(tx, Attachment::KIND)?,
            sha256: sha256.clone(),
            name: name.clone(),
            size,
            content_type: content_type.chars().take(100).collect(),
            uploader: actor.user_id,
            instance_id: None,
            created_ms: now,
        };
        wf::put_attachment(tx, &a)?;
        Ok(a)
    })
}

/// An attachment its uploader or anyone who may see its instance may download (404 otherwise).
pub fn attachment(app: &App, actor: &Actor, id: u64) -> Result<Attachment> {
    let (a, inst) = app.store().read(|tx| {
        let a = wf::attachment(tx, id)?.ok_or(Error::NotFound)?;
        let inst = match a.instance_id {
            Some(i) => wf::instance(tx, i)?,
            None => None,
        };
        Ok((a, inst))
    })?;
    let ok = match &inst {
        Some(i) => can_see(actor, i),
        None => a.uploader == actor.user_id,
    };
    if ok { Ok(a) } else { Err(Error::NotFound) }
}

use crate::store::Record as _;
