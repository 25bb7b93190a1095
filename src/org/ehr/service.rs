//! The eHR sync use case: read the organization, plan, and (unless a dry run) apply the plan,
//! the events, the report and the audit entry in ONE write transaction.
//!
//! Accounts created by a sync have no password (`password_hash` empty: `verify` never matches
//! it), so nobody can sign in to them until an administrator resets the password to an initial
//! one, shown once and changed at first sign-in. Hashing a random password per new person would
//! cost ~15 ms each (2.5 minutes for 10,000 people) for passwords nobody would ever see.
//!
//! People disabled by a sync (departed, or missing from a full snapshot) lose their sessions and
//! tokens in the sync's transaction; `SyncReport::disabled_user_ids` lists them.
//!
//! Permission: the caller checks that the actor may sync (the API's sync token or a group
//! admin; the CLI and the scheduler act as the system).

use super::model::{Snapshot, SyncActor, SyncOptions, SyncReport};
use super::plan::{Current, Plan, plan};
use super::store as ehr_store;
use crate::clock::Clock;
use crate::error::{Code, Error, Result};
use crate::org::model::Source;
use crate::org::store as org_store;
use crate::store::{self, Store, audit};

/// Counter names of the organization's records (shared with `org::service`).
const UNIT_COUNTER: &str = "unit";
const USER_COUNTER: &str = "user";
const POSITION_COUNTER: &str = "position";

/// Extra guards for the demo loader.
#[derive(Default, Clone, Copy)]
pub(crate) struct Guards {
    /// Refuse (Conflict) when the store already holds an organization.
    pub require_empty: bool,
    /// Refuse (internal error) when any row is rejected: for data we ship.
    pub strict: bool,
}

/// Syncs a snapshot from eHR. Bad rows are skipped and reported; the rest is applied in one
/// transaction. A `full` snapshot without people is refused whole (it would disable everyone).
pub fn sync(
    store: &Store,
    clock: &dyn Clock,
    actor: SyncActor,
    snap: &Snapshot,
    opts: SyncOptions,
) -> Result<SyncReport> {
    sync_as(
        store,
        clock,
        actor,
        snap,
        opts,
        Source::Ehr,
        Guards::default(),
    )
}

pub(crate) fn sync_as(
    store: &Store,
    clock: &dyn Clock,
    actor: SyncActor,
    snap: &Snapshot,
    opts: SyncOptions,
    origin: Source,
    guards: Guards,
) -> Result<SyncReport> {
    if snap.mode == super::model::Mode::Full && snap.people.is_empty() {
        return Err(Error::field("people", "error.ehr.full_without_people"));
    }
    let now = clock.now_ms();
    let report = |plan: &Plan| SyncReport {
        id: 0,
        at_ms: now,
        actor_id: actor.user_id,
        actor_login: actor.login.clone(),
        mode: snap.mode,
        source: opts.source.clone(),
        dry_run: opts.dry_run,
        counts: plan.counts.clone(),
        lines: plan.lines.clone(),
        disabled_user_ids: plan.disabled_user_ids.clone(),
        created_user_ids: plan.created_user_ids.clone(),
    };
    if opts.dry_run {
        return store.read(|tx| {
            let cur = Current {
                units: org_store::units_all(tx)?,
                users: org_store::users_all(tx)?,
                positions: org_store::positions_all(tx)?,
            };
            let mut p = plan(&cur, snap, origin, now);
            // The ids new records would most likely get.
            p.assign_ids(
                store::last_id(tx, UNIT_COUNTER)? + 1,
                store::last_id(tx, USER_COUNTER)? + 1,
                store::last_id(tx, POSITION_COUNTER)? + 1,
            );
            Ok(report(&p))
        });
    }
    store.write(|tx| {
        if guards.require_empty && org_store::root_unit_w(tx)?.is_some() {
            return Err(Error::Conflict(Code::Conflict));
        }
        let cur = Current {
            units: org_store::units_all_w(tx)?,
            users: org_store::users_all_w(tx)?,
            positions: org_store::positions_all_w(tx)?,
        };
        let mut p = plan(&cur, snap, origin, now);
        drop(cur);
        if guards.strict && p.counts.rejected + p.counts.warnings > 0 {
            return Err(Error::internal(format!(
                "shipped organization data has bad rows: {:?}",
                p.lines
                    .iter()
                    .filter(|l| l.reason.is_some())
                    .collect::<Vec<_>>()
            )));
        }
        let first_unit = allocate(tx, UNIT_COUNTER, p.unit_inserts.len())?;
        let first_user = allocate(tx, USER_COUNTER, p.user_inserts.len())?;
        let first_position = allocate(tx, POSITION_COUNTER, p.position_inserts.len())?;
        p.assign_ids(first_unit, first_user, first_position);
        apply(tx, &p)?;
        let mut r = report(&p);
        let id = ehr_store::insert_report(tx, &mut r)?;
        let c = &r.counts;
        audit::append(
            tx,
            now,
            audit::Event {
                actor_id: actor.user_id,
                actor_login: actor.login.clone(),
                action: "ehr.sync".into(),
                target: format!("ehr_report:{id}"),
                detail: format!(
                    "{} {}: units +{} ~{}, people +{} ~{} -{}, rejected {}",
                    snap.mode.as_str(),
                    opts.source,
                    c.units_created,
                    c.units_updated,
                    c.people_created,
                    c.people_updated,
                    c.people_disabled,
                    c.rejected
                ),
                ip: None,
            },
        )?;
        Ok(r)
    })
}

/// Takes `n` consecutive ids of `kind`; returns the first (meaningless when `n` is 0).
fn allocate(tx: &redb::WriteTransaction, kind: &str, n: usize) -> Result<u64> {
    let mut first = 0;
    for i in 0..n {
        let id = store::next_id(tx, kind)?;
        if i == 0 {
            first = id;
        } else if id != first + i as u64 {
            return Err(Error::internal(format!("{kind} ids are not consecutive")));
        }
    }
    Ok(first)
}

fn apply(tx: &redb::WriteTransaction, p: &Plan) -> Result<()> {
    for u in &p.unit_inserts {
        org_store::insert_unit(tx, u)?;
    }
    for (old, new) in &p.unit_updates {
        org_store::update_unit(tx, old, new)?;
    }
    for pos in &p.position_inserts {
        org_store::insert_position(tx, pos)?;
    }
    for u in &p.user_inserts {
        org_store::insert_user(tx, u)?;
    }
    for (old, new) in &p.user_updates {
        org_store::update_user(tx, old, new)?;
    }
    for e in &p.events {
        org_store::append_event(tx, e)?;
    }
    // A departed person's sessions and tokens end with the account, in the same transaction
    // (as an administrator's disable does), whoever ran the sync: API, CLI or the pickup.
    for id in &p.disabled_user_ids {
        crate::auth::service::end_sessions(tx, *id, None, true)?;
    }
    Ok(())
}

/// What `load_demo` made: the unit count and the demo people (to give them the demo password).
#[derive(Debug, Clone)]
pub struct DemoLoaded {
    pub units: usize,
    pub user_ids: Vec<u64>,
}

/// Loads a shipped organization (the demo) through the sync as source `Demo`: demo accounts
/// skip the forced password change and are never touched by an eHR sync. Refused when the
/// store already holds an organization.
pub(crate) fn load_shipped(
    store: &Store,
    clock: &dyn Clock,
    snap: &Snapshot,
) -> Result<DemoLoaded> {
    let r = sync_as(
        store,
        clock,
        SyncActor::system(),
        snap,
        SyncOptions {
            dry_run: false,
            source: "demo".into(),
        },
        Source::Demo,
        Guards {
            require_empty: true,
            strict: true,
        },
    )?;
    Ok(DemoLoaded {
        units: r.counts.units_created,
        user_ids: r.created_user_ids,
    })
}

/// The report as text for an operator (the CLI): counts, then each rejected, warned or missing
/// row with its reason's catalog key.
pub fn summary_text(r: &SyncReport) -> String {
    use super::model::{LineAction, Sheet};
    use std::fmt::Write;
    let c = &r.counts;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "eHR {} sync of {}{}: report {}",
        r.mode.as_str(),
        r.source,
        if r.dry_run {
            " (dry run: nothing changed)"
        } else {
            ""
        },
        if r.id == 0 {
            "-".to_string()
        } else {
            r.id.to_string()
        }
    );
    let _ = writeln!(
        s,
        "units: {} created, {} updated, {} unchanged, {} missing from a full snapshot",
        c.units_created, c.units_updated, c.units_unchanged, c.units_missing
    );
    let _ = writeln!(
        s,
        "people: {} created, {} updated, {} disabled, {} unchanged; positions: {} created",
        c.people_created,
        c.people_updated,
        c.people_disabled,
        c.people_unchanged,
        c.positions_created
    );
    let _ = writeln!(s, "rejected rows: {}, warnings: {}", c.rejected, c.warnings);
    for l in &r.lines {
        let what = match l.action {
            LineAction::Rejected => "rejected",
            LineAction::Warning => "warning",
            LineAction::Missing => "missing",
            _ => continue,
        };
        let sheet = match l.sheet {
            Sheet::Units => "units",
            Sheet::People => "people",
        };
        let _ = writeln!(
            s,
            "  {what}: {sheet} row {} ({}): {} {}",
            l.row,
            l.key,
            l.field.as_deref().unwrap_or("-"),
            l.reason.as_deref().unwrap_or("")
        );
    }
    s
}
