//! 代理设置: while a person is away their new tasks go to a delegate (optionally only for some
//! categories), and their open tasks can be moved at once; the delegate acts "代 X 审批" and the
//! timeline records both. When an account is disabled (an eHR departure), its open tasks move at
//! once to its delegate, else its manager, else the workflow administrators.

use chrono::{NaiveDate, TimeZone};
use redb::WriteTransaction;
use serde::{Deserialize, Serialize};

use super::super::engine::{Engine, OrgView, instance_of_task};
use super::super::model::instance::{Delegation, Instance};
use super::super::store as wf;
use super::{TxOrg, tell};
use crate::App;
use crate::auth::Actor;
use crate::error::{Error, FieldErrors, Result};
use crate::org::model::OrgEvent;
use crate::org::tree::UnitTree;

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DelegationInput {
    pub delegate_id: u64,
    #[schema(value_type = String, format = Date)]
    pub from: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub to: NaiveDate,
    #[serde(default)]
    pub categories: Vec<String>,
    /// Also move the open tasks the delegation covers now.
    #[serde(default)]
    pub move_open: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DelegationView {
    pub delegate: super::view::PersonRef,
    #[schema(value_type = String, format = Date)]
    pub from: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub to: NaiveDate,
    pub categories: Vec<String>,
    pub active: bool,
    /// Open tasks moved by this request.
    pub moved: usize,
}

fn view(app: &App, d: &Delegation, moved: usize) -> Result<DelegationView> {
    let dir = app.directory()?;
    Ok(DelegationView {
        delegate: super::view::person(&dir, d.delegate_id),
        from: d.from,
        to: d.to,
        categories: d.categories.clone(),
        active: (d.from_ms..d.until_ms).contains(&app.now_ms()),
        moved,
    })
}

pub fn get(app: &App, actor: &Actor) -> Result<Option<DelegationView>> {
    let d = app.store().read(|tx| wf::delegation(tx, actor.user_id))?;
    d.map(|d| view(app, &d, 0)).transpose()
}

pub fn set(app: &App, actor: &Actor, input: DelegationInput) -> Result<DelegationView> {
    crate::org::admin::require_person(actor)?;
    let tz = app.tz();
    let now = app.now_ms();
    let today = tz
        .timestamp_millis_opt(now)
        .single()
        .map(|t| t.date_naive())
        .unwrap_or_default();
    let mut e = FieldErrors::new();
    if input.delegate_id == actor.user_id {
        e.insert("delegate_id".into(), "error.workflow.target".into());
    }
    if input.to < input.from || input.to < today {
        e.insert("to".into(), "error.workflow.date_order".into());
    }
    if (input.to - input.from).num_days() > 366 {
        e.insert("to".into(), "error.invalid".into());
    }
    let mut categories: Vec<String> = input
        .categories
        .iter()
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect();
    categories.sort();
    categories.dedup();
    if categories.len() > 20 || categories.iter().any(|c| c.chars().count() > 30) {
        e.insert("categories".into(), "error.invalid".into());
    }
    let start = |d: NaiveDate| {
        tz.from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
            .earliest()
            .map_or(0, |t| t.timestamp_millis())
    };
    let d = Delegation {
        user_id: actor.user_id,
        delegate_id: input.delegate_id,
        from: input.from,
        to: input.to,
        from_ms: start(input.from),
        until_ms: start(input.to + chrono::Days::new(1)),
        categories,
        created_ms: now,
    };
    let tree = app.tree()?;
    let (moved, ring) = app.store().write(|tx| {
        let mut e = e.clone();
        let org = TxOrg::new(tx, tree.clone());
        if e.is_empty() && !org.person(input.delegate_id).is_some_and(|p| p.active) {
            e.insert("delegate_id".into(), "error.workflow.user".into());
        }
        if !e.is_empty() {
            return Err(Error::Validation(e.clone()));
        }
        wf::put_delegation(tx, &d)?;
        if !input.move_open || !(d.from_ms..d.until_ms).contains(&now) {
            return Ok((0, Vec::new()));
        }
        move_open(tx, &tree, actor.user_id, now, Some(actor.user_id), |inst| {
            d.covers(now, &inst.category)
                .then_some((d.delegate_id, true))
        })
    })?;
    app.inbox_announce(&ring);
    view(app, &d, moved)
}

pub fn clear(app: &App, actor: &Actor) -> Result<bool> {
    crate::org::admin::require_person(actor)?;
    app.store()
        .write(|tx| wf::delete_delegation(tx, actor.user_id))
}

/// Moves `user`'s open tasks to whom `to(instance)` names (`(person, on their behalf)`), one
/// transaction with the caller's change. Returns how many moved and whom to ring.
fn move_open(
    tx: &WriteTransaction,
    tree: &std::sync::Arc<UnitTree>,
    user: u64,
    now: i64,
    by: Option<u64>,
    to: impl Fn(&Instance) -> Option<(u64, bool)>,
) -> Result<(usize, Vec<u64>)> {
    let reason = if by.is_some() {
        "workflow.reason.delegated"
    } else {
        "workflow.reason.departed"
    };
    let mut moved = 0;
    let mut ring = Vec::new();
    for task in wf::open_tasks_of_w(tx, user)? {
        let Some(mut inst) = wf::instance_w(tx, instance_of_task(task))? else {
            continue;
        };
        let Some(t) = wf::template_w(tx, inst.template_id)? else {
            continue;
        };
        let org = TxOrg::new(tx, tree.clone());
        let no_due = |s: i64, _: u32| s;
        let mut engine = Engine::new(&t, &org, &no_due, now);
        let before = inst.clone();
        let mut candidates: Vec<(u64, bool)> = to(&inst).into_iter().collect();
        if by.is_none() {
            candidates.extend(successors(&org, &inst, user));
        }
        let done = candidates.into_iter().any(|(who, behalf)| {
            engine
                .reassign(&mut inst, task, who, behalf, by, reason)
                .is_ok()
        });
        if done && inst != before {
            inst.updated_ms = now;
            wf::put_instance(tx, Some(&before), &inst)?;
            ring.extend(tell(tx, now, &inst, &engine.notices, None)?);
            moved += 1;
        }
    }
    Ok((moved, ring))
}

/// Who takes over from someone who left: their manager, else the workflow administrators of the
/// applicant's enterprise, else the group administrators.
fn successors(org: &TxOrg<'_>, inst: &Instance, user: u64) -> Vec<(u64, bool)> {
    let mut out: Vec<u64> = org
        .person(user)
        .and_then(|p| p.manager_id)
        .into_iter()
        .collect();
    let unit = org
        .person(inst.applicant)
        .map_or(inst.unit_id, |p| p.unit_id);
    out.extend(org.role_holders("workflow_admin", org.enterprise_of(unit)));
    out.extend(org.role_holders("group_admin", org.root()));
    out.into_iter().map(|u| (u, false)).collect()
}

/// Called in the transaction that records an organization event (lib.rs `ORG_EVENT_HANDLERS`):
/// a departure hands the person's open tasks on at once.
pub fn on_org_event(tx: &WriteTransaction, event: &OrgEvent) -> Result<()> {
    let OrgEvent::Departed { user_id, at_ms, .. } = event else {
        return Ok(());
    };
    let units = crate::org::store::units_all_w(tx)?;
    let tree = std::sync::Arc::new(UnitTree::new(&units));
    let delegate = wf::delegation_w(tx, *user_id)?;
    move_open(tx, &tree, *user_id, *at_ms, None, |inst| {
        delegate
            .as_ref()
            .filter(|d| d.covers(*at_ms, &inst.category))
            .map(|d| (d.delegate_id, false))
    })?;
    Ok(())
}
