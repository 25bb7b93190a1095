//! The workflow's use cases. Each takes the `Actor` first, checks what they may do and see, and
//! runs ONE write transaction in which the engine moves the instance, the indexes follow, the
//! subject handler runs when it ends, and the inbox is told; the bells ring after the commit.

pub mod deadlines;
pub mod delegation;
pub mod instances;
pub mod lists;
pub mod reports;
pub mod tasks;
pub mod templates;
pub mod view;

use std::cell::OnceCell;
use std::sync::Arc;

use chrono::NaiveDate;
use redb::WriteTransaction;

use super::engine::{Engine, Notice, NoticeKind, OrgView, Person, Refusal};
use super::model::form::Lookup;
use super::model::instance::Instance;
use super::model::template::Template;
use super::store as wf;
use super::workdays::model::Calendar;
use crate::App;
use crate::auth::{Actor, Permission};
use crate::error::{Code, Error, Result};
use crate::inbox::model::Kind;
use crate::inbox::service::{NewNotification, notify};
use crate::org::model::{Grant, UserStatus};
use crate::org::store as org_store;
use crate::org::tree::UnitTree;
use crate::store::audit;

/// The organization as the engine sees it, read in the transaction that changes the instance.
pub struct TxOrg<'a> {
    pub tx: &'a WriteTransaction,
    pub tree: Arc<UnitTree>,
    grants: OnceCell<Vec<Grant>>,
}

impl<'a> TxOrg<'a> {
    pub fn new(tx: &'a WriteTransaction, tree: Arc<UnitTree>) -> TxOrg<'a> {
        TxOrg {
            tx,
            tree,
            grants: OnceCell::new(),
        }
    }
}

impl OrgView for TxOrg<'_> {
    fn person(&self, id: u64) -> Option<Person> {
        let u = org_store::user_by_id_w(self.tx, id).ok().flatten()?;
        Some(Person {
            id,
            unit_id: u.unit_id,
            manager_id: u.manager_id,
            active: u.status == UserStatus::Active,
        })
    }
    fn unit_head(&self, unit: u64) -> Option<u64> {
        org_store::unit_by_id_w(self.tx, unit)
            .ok()
            .flatten()
            .and_then(|u| u.head_id)
    }
    fn enterprise_of(&self, unit: u64) -> u64 {
        self.tree.enterprise_of(unit).unwrap_or_else(|| self.root())
    }
    fn root(&self) -> u64 {
        self.tree.root().unwrap_or(0)
    }
    fn role_holders(&self, role: &str, unit: u64) -> Vec<u64> {
        let grants = self
            .grants
            .get_or_init(|| org_store::grants_all_w(self.tx).unwrap_or_default());
        let mut out: Vec<u64> = grants
            .iter()
            .filter(|g| g.role == role && self.tree.is_within(unit, g.unit_id))
            .map(|g| g.user_id)
            .filter(|u| self.person(*u).is_some_and(|p| p.active))
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
    fn delegate(&self, user: u64, at_ms: i64, category: &str) -> Option<u64> {
        let d = wf::delegation_w(self.tx, user).ok().flatten()?;
        (d.covers(at_ms, category) && self.person(d.delegate_id).is_some_and(|p| p.active))
            .then_some(d.delegate_id)
    }
}

/// What form validation asks, answered from the transaction and the calendar.
pub struct TxLookup<'a> {
    pub tx: &'a WriteTransaction,
    pub cal: &'a Calendar,
    pub applicant: u64,
    pub instance: Option<u64>,
}

impl Lookup for TxLookup<'_> {
    fn user_ok(&self, id: u64) -> bool {
        org_store::user_by_id_w(self.tx, id)
            .ok()
            .flatten()
            .is_some_and(|u| u.status == UserStatus::Active)
    }
    fn unit_ok(&self, id: u64) -> bool {
        org_store::unit_by_id_w(self.tx, id)
            .ok()
            .flatten()
            .is_some()
    }
    fn attachment_ok(&self, id: u64) -> bool {
        wf::attachment_w(self.tx, id)
            .ok()
            .flatten()
            .is_some_and(|a| {
                (a.uploader == self.applicant && a.instance_id.is_none())
                    || (a.instance_id.is_some() && a.instance_id == self.instance)
            })
    }
    fn working_days(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        self.cal.working_days(from, to)
    }
}

pub fn refusal(r: Refusal) -> Error {
    match r {
        Refusal::State => Error::Conflict(Code::Conflict),
        Refusal::Target => Error::field("to", "error.workflow.target"),
        Refusal::TooMany => Error::Conflict(Code::Conflict),
    }
}

/// Whether `actor` may open the instance: its applicant, anyone who has or had a task on it, or
/// a workflow administrator over the applicant's unit.
pub fn can_see(actor: &Actor, inst: &Instance) -> bool {
    inst.applicant == actor.user_id
        || inst.participants().any(|u| u == actor.user_id)
        || actor.can(Permission::AdminWorkflow, inst.unit_id)
}

fn notice_kind(k: NoticeKind) -> Kind {
    match k {
        NoticeKind::Task => Kind::Task,
        NoticeKind::Cc => Kind::Cc,
        NoticeKind::Approved => Kind::Approved,
        NoticeKind::Rejected => Kind::Rejected,
        NoticeKind::Returned => Kind::Returned,
        NoticeKind::Withdrawn => Kind::Withdrawn,
        NoticeKind::Terminated => Kind::System,
        NoticeKind::Urged => Kind::Urged,
        NoticeKind::Transferred => Kind::Transferred,
        NoticeKind::Reassigned => Kind::Delegated,
    }
}

/// Writes the engine's notices into the inbox in the caller's transaction; returns who to ring.
pub fn tell(
    tx: &WriteTransaction,
    now: i64,
    inst: &Instance,
    notices: &[Notice],
    by: Option<(&Actor, &str)>,
) -> Result<Vec<u64>> {
    let mut users = Vec::new();
    for n in notices {
        if by.is_some_and(|(a, _)| a.user_id == n.user) {
            continue; // nobody is told what they did themselves
        }
        notify(
            tx,
            now,
            &NewNotification {
                user_id: n.user,
                kind: notice_kind(n.kind),
                subject: inst.title.clone(),
                note: by
                    .map(|(_, c)| c.chars().take(500).collect())
                    .unwrap_or_default(),
                link: format!("/workflow/instances/{}", inst.id),
                actor_id: by.map(|(a, _)| a.user_id),
                actor_name: by.map(|(a, _)| a.name.clone()).unwrap_or_default(),
            },
        )?;
        users.push(n.user);
    }
    Ok(users)
}

/// The deadline function for the engine: working days on the node's calendar.
pub fn due_fn(cal: Arc<Calendar>, tz: chrono_tz::Tz) -> impl Fn(i64, u32) -> i64 {
    move |start, days| cal.add_working_days(start, days, &tz)
}

/// Loads instance `id` in a write transaction for `actor` (404 when they may not see it), runs
/// `f` with the engine, writes the instance, runs the subject's handler if it ended, tells the
/// inbox, and rings the bells after the commit.
pub fn act<R>(
    app: &App,
    actor: &Actor,
    id: u64,
    audit_action: Option<&str>,
    f: impl Fn(&WriteTransaction, &Template, &mut Instance, &mut Engine<'_>) -> Result<(R, String)>,
) -> Result<(R, Instance)> {
    let cal = app.workdays()?;
    let due = due_fn(cal, app.tz());
    let tree = app.tree()?;
    let now = app.now_ms();
    let (out, inst, ring) = app.store().write(|tx| {
        let mut inst = wf::instance_w(tx, id)?.ok_or(Error::NotFound)?;
        if !can_see(actor, &inst) {
            return Err(Error::NotFound);
        }
        let template = wf::template_w(tx, inst.template_id)?.ok_or(Error::NotFound)?;
        let org = TxOrg::new(tx, tree.clone());
        let mut engine = Engine::new(&template, &org, &due, now);
        let before = inst.clone();
        let (out, comment) = f(tx, &template, &mut inst, &mut engine)?;
        if inst == before {
            return Ok((out, inst, Vec::new()));
        }
        inst.updated_ms = now;
        let mut ring = super::subject::after_change(app, tx, &template, &before, &inst)?;
        wf::put_instance(tx, Some(&before), &inst)?;
        ring.extend(tell(
            tx,
            now,
            &inst,
            &engine.notices,
            Some((actor, &comment)),
        )?);
        if let Some(action) = audit_action {
            audit::append(
                tx,
                now,
                audit::Event {
                    actor_id: Some(actor.user_id),
                    actor_login: actor.login.clone(),
                    action: action.into(),
                    target: format!("workflow.instance:{}", inst.id),
                    detail: comment,
                    ip: None,
                },
            )?;
        }
        Ok((out, inst, ring))
    })?;
    app.inbox_announce(&ring);
    Ok((out, inst))
}
