//! `oanode seed --instances N`: workflow instances for the load harness, made by the real engine
//! over the seeded organization (so their tasks, deadlines and indexes are what use makes), spread
//! over the past year: most approved step by step, some still waiting, a few rejected. No inbox
//! notifications are written for them. Deterministic for a given organization and N.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;

use super::engine::Engine;
use super::model::instance::{Instance, Status};
use super::model::template::Template;
use super::service::TxOrg;
use super::store as wf;
use crate::App;
use crate::error::{Error, Result};
use crate::org::model::UserStatus;
use crate::store::{self, Record};

pub const MAX_INSTANCES: usize = 5_000_000;
/// Instances written per transaction.
const BATCH: usize = 5_000;
const HOUR: i64 = 3_600_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seeded {
    pub instances: usize,
    pub open_tasks: usize,
    /// The person holding the most open tasks, and how many: the todo list's worst case.
    pub busiest: Option<(String, usize)>,
    /// Someone and their manager (logins): the submit-and-approve scenario's pair.
    pub pair: Option<(String, String)>,
}

/// Seeds `n` instances of the built-in templates that need no subject handler.
pub fn instances(app: &App, n: usize) -> Result<Seeded> {
    if n > MAX_INSTANCES {
        return Err(Error::field("instances", "error.out_of_range"));
    }
    let keys = [
        "general_submission",
        "issue_report",
        "new_requirement",
        "workflow_change",
    ];
    let templates: Vec<Template> = app.store().read(|tx| {
        let mut out = Vec::new();
        for k in keys {
            if let Some(id) = wf::current_id(tx, k)?
                && let Some(t) = wf::template(tx, id)?
            {
                out.push(t);
            }
        }
        Ok(out)
    })?;
    let people: Vec<(u64, String)> = app
        .store()
        .read(crate::org::store::users_all)?
        .into_iter()
        .filter(|u| u.status == UserStatus::Active && u.manager_id.is_some())
        .map(|u| (u.id, u.name))
        .collect();
    if templates.is_empty() || people.is_empty() {
        return Err(Error::internal("seed the organization first"));
    }
    let cal = app.workdays()?;
    let tz = app.tz();
    let due = move |start: i64, days: u32| cal.add_working_days(start, days, &tz);
    let tree = app.tree()?;
    let now = app.now_ms();
    let year = 365 * 24 * HOUR;
    let mut made = 0;
    while made < n {
        let batch = BATCH.min(n - made);
        app.store().write(|tx| {
            // Its own generator per batch: a write closure may run twice (store/group.rs).
            let mut rng = StdRng::seed_from_u64(0x0a0d_e2026 ^ made as u64);
            let first = store::allocate_ids(tx, Instance::KIND, batch as u64)?;
            let org = TxOrg::new(tx, tree.clone());
            for k in 0..batch {
                let i = made + k;
                // Created evenly over the past year, oldest first.
                let created = now - year + (year / n.max(1) as i64) * i as i64;
                let t = &templates[rng.gen_range(0..templates.len())];
                let (applicant, name) = &people[rng.gen_range(0..people.len())];
                let unit = org_unit(tx, *applicant)?;
                let title = format!("{} · {name} · 第{}号", t.name, i + 1);
                let mut inst = Instance {
                    id: first + k as u64,
                    template_id: t.id,
                    template_key: t.key.clone(),
                    template_version: t.version,
                    category: t.category.clone(),
                    title: title.clone(),
                    applicant: *applicant,
                    unit_id: unit,
                    form: form_of(t, &title),
                    status: Status::Draft,
                    current: None,
                    tasks: Vec::new(),
                    timeline: Vec::new(),
                    created_ms: created,
                    submitted_ms: None,
                    ended_ms: None,
                    updated_ms: created,
                    last_urged_ms: None,
                    round_from: 0,
                    restart_from: 0,
                };
                let mut at = created;
                let mut e = Engine::new(t, &org, &due, at);
                let _ = e.submit(&mut inst);
                // Recent ones are more often still waiting: the last 2 % of the year stays open.
                let open = i * 50 >= n * 49 && rng.gen_bool(0.8);
                while inst.status == Status::Running && !open {
                    at += rng.gen_range(1..30) * HOUR;
                    let mut e = Engine::new(t, &org, &due, at);
                    let Some(task) = inst.open_tasks().next().map(|x| x.id) else {
                        break;
                    };
                    if rng.gen_bool(0.03) {
                        let _ = e.reject(&mut inst, task, "不同意");
                    } else {
                        let _ = e.approve(&mut inst, task, "同意", &[]);
                    }
                }
                inst.updated_ms = at;
                wf::put_instance(tx, None, &inst)?;
            }
            Ok(())
        })?;
        made += batch;
    }
    busiest(app, n)
}

fn org_unit(tx: &redb::WriteTransaction, user: u64) -> Result<u64> {
    Ok(crate::org::store::user_by_id_w(tx, user)?.map_or(0, |u| u.unit_id))
}

/// A plausible form for the built-in templates without handlers.
fn form_of(t: &Template, title: &str) -> super::model::instance::Form {
    let mut f = super::model::instance::Form::new();
    for field in &t.fields {
        use super::model::template::FieldKind::*;
        let v = match field.kind {
            Text if field.key == "title" => json!(title),
            Text => json!("办公系统"),
            LongText => json!("请领导审阅。相关情况已在附件中说明，如有疑问请联系申请人。"),
            Single => json!(field.options.first().map(|o| o.value.clone())),
            Date => json!("2026-12-31"),
            _ => continue,
        };
        f.insert(field.key.clone(), v);
    }
    f
}

fn busiest(app: &App, n: usize) -> Result<Seeded> {
    let (open, top) = app.store().read(|tx| {
        let mut per: std::collections::HashMap<u64, usize> = std::collections::HashMap::new();
        let mut open = 0;
        wf::for_each_open_task(tx, |user| {
            *per.entry(user).or_default() += 1;
            open += 1;
        })?;
        Ok((
            open,
            per.into_iter()
                .max_by_key(|(u, c)| (*c, std::cmp::Reverse(*u))),
        ))
    })?;
    let busiest = match top {
        Some((user, count)) => app
            .store()
            .read(|tx| crate::org::store::user_by_id(tx, user))?
            .map(|u| (u.login, count)),
        None => None,
    };
    let pair = app.store().read(|tx| {
        for u in crate::org::store::users_all(tx)? {
            if let Some(m) = u
                .manager_id
                .and_then(|m| crate::org::store::user_by_id(tx, m).ok().flatten())
                && m.status == UserStatus::Active
                && u.status == UserStatus::Active
                && m.id != u.id
                && u.login != "admin"
            {
                return Ok(Some((u.login, m.login)));
            }
        }
        Ok(None)
    })?;
    Ok(Seeded {
        instances: n,
        open_tasks: open,
        busiest,
        pair,
    })
}
