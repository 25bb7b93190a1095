//! Leave (请假): the `leave` template's subject. Overlapping leave of the same person is refused,
//! annual leave is checked against the person's balance for the year when submitted (reserved as
//! pending) and deducted when approved; balances are set by enterprise administrators.

pub mod api;
pub mod import;
pub mod model;
pub mod service;
pub mod store;

use redb::WriteTransaction;

use super::model::form::parse_date;
use super::model::instance::{Instance, Status};
use super::subject::Subject;
use crate::error::{Error, Result};
use model::Reservation;

pub struct LeaveSubject;

/// The leave a form asks for.
fn reservation(inst: &Instance) -> Result<Reservation> {
    let f = &inst.form;
    let (Some(start), Some(end)) = (
        f.get("start_date").and_then(parse_date),
        f.get("end_date").and_then(parse_date),
    ) else {
        return Err(Error::field("form.start_date", "error.required"));
    };
    Ok(Reservation {
        instance_id: inst.id,
        user_id: inst.applicant,
        start,
        end,
        days: f.get("days").and_then(|v| v.as_u64()).unwrap_or(0) as u32,
        annual: f.get("leave_type").and_then(|v| v.as_str()) == Some("annual"),
    })
}

impl Subject for LeaveSubject {
    fn submitted(&self, _app: &crate::App, tx: &WriteTransaction, inst: &Instance) -> Result<()> {
        store::release(tx, inst.id)?; // a resubmission replaces what the first one reserved
        let r = reservation(inst)?;
        if r.days == 0 {
            return Err(Error::field("form.end_date", "error.leave.no_working_day"));
        }
        if store::overlaps(tx, &r)? {
            return Err(Error::field("form.start_date", "error.leave.overlap"));
        }
        if r.annual {
            let b = store::balance_w(tx, r.user_id, r.year())?;
            if b.remaining() < r.days {
                return Err(Error::field("form.leave_type", "error.leave.balance"));
            }
        }
        store::reserve(tx, &r)
    }

    fn ended(&self, _app: &crate::App, tx: &WriteTransaction, inst: &Instance) -> Result<Vec<u64>> {
        if inst.status == Status::Approved {
            store::confirm(tx, inst.id)?;
        } else {
            store::release(tx, inst.id)?;
        }
        Ok(Vec::new())
    }
}
