//! Leave balances and the leave an instance reserves.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::store::Record;

/// A person's annual leave for one year, in working days.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Balance {
    pub user_id: u64,
    pub year: i32,
    pub total: u32,
    /// Deducted by approved requests.
    pub used: u32,
    /// Held by requests still in approval.
    pub pending: u32,
    #[serde(default)]
    pub updated_ms: i64,
}

impl Balance {
    pub fn remaining(&self) -> u32 {
        self.total.saturating_sub(self.used + self.pending)
    }
}

impl Record for Balance {
    const KIND: &'static str = "leave.balance";
}

/// The leave one instance asks for, kept while it is in approval and after it is approved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reservation {
    pub instance_id: u64,
    pub user_id: u64,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub days: u32,
    pub annual: bool,
}

impl Reservation {
    /// Annual leave counts against the year it starts in.
    pub fn year(&self) -> i32 {
        self.start.year()
    }
}

impl Record for Reservation {
    const KIND: &'static str = "leave.reservation";
}

/// Days since the Common Era, a fixed-width date key.
pub fn day_key(d: NaiveDate) -> u64 {
    d.num_days_from_ce().max(0) as u64
}
