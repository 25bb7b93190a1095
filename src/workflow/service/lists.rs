//! The todo center's lists (待办, 已办, 我发起的, 待阅, 已阅, and what delegates did for me), each
//! a range scan of its index, filtered by template, status and date, and re-checked for
//! visibility item by item when read.

use chrono::NaiveDate;
use serde::Serialize;

use super::super::model::instance::{Instance, Status, TaskState};
use super::super::store::{self as wf, Box};
use super::can_see;
use super::view::{PersonRef, person};
use crate::App;
use crate::auth::Actor;
use crate::clock::rfc3339;
use crate::error::{Error, Result};
use crate::store::keys::{decode_cursor, encode_cursor};

pub fn parse_box(s: &str) -> Option<Box> {
    Some(match s {
        "todo" => Box::Todo,
        "done" => Box::Done,
        "mine" => Box::Mine,
        "cc" => Box::CcUnread,
        "cc_read" | "read" => Box::CcRead,
        "for_me" | "delegated" => Box::DoneForMe,
        _ => return None,
    })
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub template_key: Option<String>,
    pub status: Option<Status>,
    /// Created (submitted) on or after / on or before, in the node's time zone.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = TaskItem)]
pub struct Item {
    /// The task's id; in 我发起的, the instance's.
    pub id: u64,
    pub instance_id: u64,
    pub template_key: String,
    pub title: String,
    pub applicant: PersonRef,
    pub status: Status,
    pub step_name: Option<String>,
    pub task_state: Option<TaskState>,
    pub on_behalf_of: Option<PersonRef>,
    /// Who holds it now (我发起的: the current approvers).
    pub holders: Vec<PersonRef>,
    pub created_at: String,
    pub due_at: Option<String>,
    pub overdue: bool,
    pub done_at: Option<String>,
    /// The template allows approving from the list.
    pub quick_approve: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = TaskPage)]
pub struct Page {
    pub items: Vec<Item>,
    pub next_cursor: Option<String>,
}

fn matches(app: &App, inst: &Instance, f: &Filter) -> bool {
    let tz = app.tz();
    let day = |ms: i64| {
        use chrono::TimeZone;
        tz.timestamp_millis_opt(ms).single().map(|t| t.date_naive())
    };
    let created = day(inst.submitted_ms.unwrap_or(inst.created_ms));
    f.template_key
        .as_ref()
        .is_none_or(|k| &inst.template_key == k)
        && f.status.is_none_or(|s| inst.status == s)
        && f.from.is_none_or(|d| created.is_some_and(|c| c >= d))
        && f.to.is_none_or(|d| created.is_some_and(|c| c <= d))
}

pub fn list(
    app: &App,
    actor: &Actor,
    which: Box,
    filter: &Filter,
    cursor: Option<&str>,
    limit: usize,
) -> Result<Page> {
    let limit = limit.clamp(1, 100);
    let after = match cursor.filter(|c| !c.is_empty()) {
        Some(c) => {
            let p = decode_cursor(c, 2).ok_or(Error::field("cursor", "error.invalid"))?;
            Some((p[0], p[1]))
        }
        None => None,
    };
    let dir = app.directory()?;
    let tz = app.tz();
    let now = app.now_ms();
    let mut templates = std::collections::HashMap::new();
    let (rows, insts) = app.store().read(|tx| {
        let mut insts: Vec<Instance> = Vec::new();
        let mut err = None;
        let rows = wf::page(
            tx,
            actor.user_id,
            which,
            after,
            |id| {
                let iid = if which == Box::Mine {
                    id
                } else {
                    super::super::engine::instance_of_task(id)
                };
                match wf::instance(tx, iid) {
                    Ok(Some(inst)) if can_see(actor, &inst) && matches(app, &inst, filter) => {
                        insts.push(inst);
                        true
                    }
                    Ok(_) => false,
                    Err(e) => {
                        err = Some(e);
                        false
                    }
                }
            },
            limit,
        )?;
        if let Some(e) = err {
            return Err(e);
        }
        for inst in &insts {
            if !templates.contains_key(&inst.template_id)
                && let Some(t) = wf::template(tx, inst.template_id)?
            {
                templates.insert(inst.template_id, t);
            }
        }
        Ok((rows, insts))
    })?;
    let mut items = Vec::with_capacity(rows.len());
    for ((_, id), inst) in rows.iter().zip(&insts) {
        let t = templates.get(&inst.template_id);
        let task = (which != Box::Mine).then(|| inst.task(*id)).flatten();
        let step_name = |s: usize| t.and_then(|t| t.steps.get(s)).map(|s| s.name.clone());
        let holders = inst
            .open_tasks()
            .map(|x| person(&dir, x.assignee))
            .collect();
        items.push(Item {
            id: *id,
            instance_id: inst.id,
            template_key: inst.template_key.clone(),
            title: inst.title.clone(),
            applicant: person(&dir, inst.applicant),
            status: inst.status,
            step_name: match task {
                Some(x) => step_name(x.step),
                None => inst.current.and_then(step_name),
            },
            task_state: task.map(|x| x.state),
            on_behalf_of: task.and_then(|x| x.on_behalf_of).map(|u| person(&dir, u)),
            holders,
            created_at: rfc3339(&tz, inst.submitted_ms.unwrap_or(inst.created_ms)),
            due_at: task.and_then(|x| x.due_ms).map(|m| rfc3339(&tz, m)),
            overdue: task.is_some_and(|x| x.is_overdue(now)),
            done_at: task.and_then(|x| x.done_ms).map(|m| rfc3339(&tz, m)),
            quick_approve: which == Box::Todo && t.is_some_and(|t| t.quick_approve),
        });
    }
    let next_cursor = (rows.len() == limit)
        .then(|| rows.last().map(|(s, id)| encode_cursor(&[*s, *id])))
        .flatten();
    Ok(Page { items, next_cursor })
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Counts {
    pub todo: usize,
    pub overdue: usize,
    pub cc: usize,
}

const COUNT_CAP: usize = 100;

/// Open approval tasks of `user`, counted up to 100 (the navigation's badge, on every page).
pub fn todo_count(store: &crate::store::Store, user: u64) -> Result<usize> {
    store.read(|tx| wf::count(tx, user, Box::Todo, COUNT_CAP))
}

/// The badges: open tasks (and how many are overdue) and unread cc items, each counted up to 100.
pub fn counts(app: &App, user: u64) -> Result<Counts> {
    let now = app.now_ms().max(0) as u64;
    app.store().read(|tx| {
        let todo = wf::page(tx, user, Box::Todo, None, |_| true, COUNT_CAP)?;
        Ok(Counts {
            todo: todo.len(),
            overdue: todo.iter().filter(|(due, _)| *due < now).count(),
            cc: wf::count(tx, user, Box::CcUnread, COUNT_CAP)?,
        })
    })
}
