//! An issuing unit's numbering: its rule (机关代字 and format), the numbers taken this year, and
//! ranges reserved for paper documents. Clerks of the unit only.

use serde::{Deserialize, Serialize};

use super::super::model::{DEFAULT_FORMAT, NumberRule, Reservation};
use super::super::store::{self as ds, NumberUse};
use super::publish::{rule_or_default, year_of};
use crate::App;
use crate::auth::{Actor, Permission};
use crate::error::{Error, FieldErrors, Result};
use crate::store::{self, Record, audit};

/// Most numbers one reservation may take.
pub const RESERVE_MAX: u32 = 100;

fn require_clerk(actor: &Actor, unit: u64) -> Result<()> {
    if actor.can(Permission::ManageDocuments, unit) {
        Ok(())
    } else {
        Err(actor.refusal(unit))
    }
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleInput {
    pub prefix: String,
    /// Must contain `{seq}`; may contain `{prefix}` and `{year}`.
    #[serde(default)]
    pub format: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NumberRow {
    pub seq: u32,
    pub number: String,
    /// `document` or `reserved`.
    pub used_by: String,
    pub id: u64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Numbering {
    pub unit_id: u64,
    pub prefix: String,
    pub format: String,
    pub year: i32,
    pub last_seq: u32,
    pub next_number: String,
    pub numbers: Vec<NumberRow>,
    #[schema(value_type = Vec<Object>)]
    pub reservations: Vec<Reservation>,
}

/// The unit's rule, this year's numbers and its reservations.
pub fn show(app: &App, actor: &Actor, unit: u64, year: Option<i32>) -> Result<Numbering> {
    require_clerk(actor, unit)?;
    let year = year.unwrap_or_else(|| year_of(app, app.now_ms()));
    let rule = app.store().read(|tx| {
        Ok(match ds::rule(tx, unit)? {
            Some(r) => r,
            None => NumberRule {
                unit_id: unit,
                prefix: crate::org::store::unit_by_id(tx, unit)?
                    .ok_or(Error::NotFound)?
                    .name,
                format: DEFAULT_FORMAT.into(),
            },
        })
    })?;
    app.store().read(|tx| {
        let last = ds::last_seq(tx, unit, year)?;
        let numbers = ds::numbers(tx, unit, year)?
            .into_iter()
            .map(|(seq, what)| {
                let (used_by, id) = match what {
                    NumberUse::Document(d) => ("document", d),
                    NumberUse::Reserved(r) => ("reserved", r),
                };
                NumberRow {
                    seq,
                    number: rule.render(year, seq),
                    used_by: used_by.into(),
                    id,
                }
            })
            .collect();
        Ok(Numbering {
            unit_id: unit,
            prefix: rule.prefix.clone(),
            format: rule.format.clone(),
            year,
            last_seq: last,
            next_number: rule.render(year, last + 1),
            numbers,
            reservations: ds::reservations(tx, unit)?,
        })
    })
}

/// Sets the unit's 机关代字 and format (numbers already taken keep their text).
pub fn set_rule(app: &App, actor: &Actor, unit: u64, input: &RuleInput) -> Result<NumberRule> {
    require_clerk(actor, unit)?;
    let mut f = FieldErrors::new();
    let prefix = input.prefix.trim().to_string();
    if prefix.is_empty() || prefix.chars().count() > 20 {
        f.insert("prefix".into(), "error.required".into());
    }
    let format = input
        .format
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or(DEFAULT_FORMAT)
        .to_string();
    if !format.contains("{seq}") || format.chars().count() > 60 {
        f.insert("format".into(), "error.documents.format".into());
    }
    if !f.is_empty() {
        return Err(Error::Validation(f));
    }
    let now = app.now_ms();
    app.store().write(|tx| {
        crate::org::store::unit_by_id_w(tx, unit)?.ok_or(Error::NotFound)?;
        let r = NumberRule {
            unit_id: unit,
            prefix: prefix.clone(),
            format: format.clone(),
        };
        ds::put_rule(tx, &r)?;
        audit::append(
            tx,
            now,
            audit::Event {
                actor_id: Some(actor.user_id),
                actor_login: actor.login.clone(),
                action: "document.number_rule".into(),
                target: format!("unit:{unit}"),
                detail: r.render(year_of(app, now), 1),
                ip: None,
            },
        )?;
        Ok(r)
    })
}

/// Takes `count` numbers of this year's sequence for paper documents; returns the reservation
/// and the numbers as text. They are never handed out again.
pub fn reserve(
    app: &App,
    actor: &Actor,
    unit: u64,
    count: u32,
    reason: &str,
) -> Result<(Reservation, Vec<String>)> {
    require_clerk(actor, unit)?;
    if !(1..=RESERVE_MAX).contains(&count) {
        return Err(Error::field("count", "error.documents.reserve_count"));
    }
    let reason = reason.trim().to_string();
    if reason.is_empty() || reason.chars().count() > 200 {
        return Err(Error::field("reason", "error.required"));
    }
    let now = app.now_ms();
    let year = year_of(app, now);
    app.store().write(|tx| {
        let rule = rule_or_default(tx, unit)?;
        let id = store::next_id(tx, Reservation::KIND)?;
        let first = ds::take_numbers(tx, unit, year, count, NumberUse::Reserved(id))?;
        let r = Reservation {
            id,
            unit_id: unit,
            year,
            first,
            last: first + count - 1,
            by: actor.user_id,
            reason: reason.clone(),
            at_ms: now,
        };
        ds::put_reservation(tx, &r)?;
        let numbers: Vec<String> = (r.first..=r.last).map(|s| rule.render(year, s)).collect();
        audit::append(
            tx,
            now,
            audit::Event {
                actor_id: Some(actor.user_id),
                actor_login: actor.login.clone(),
                action: "document.reserve_numbers".into(),
                target: format!("unit:{unit}"),
                detail: format!(
                    "{} – {}：{}",
                    numbers[0],
                    numbers[numbers.len() - 1],
                    reason
                ),
                ip: None,
            },
        )?;
        Ok((r, numbers))
    })
}
