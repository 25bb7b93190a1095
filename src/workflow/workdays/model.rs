//! The working-day calendar (工作日历): the normal week (Monday to Friday working) with overrides
//! per date, public holidays (法定节假日, `off`) and make-up workdays (调休补班, a weekend day that is
//! worked). Pure: approval deadlines are computed here, counted in working days.

use std::collections::BTreeMap;

use chrono::{
    DateTime, Datelike, Days, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone,
};
use serde::{Deserialize, Serialize};

/// The longest name of a day (国庆节、中秋节 and the like), in characters.
pub const NAME_MAX: usize = 32;

/// The years a calendar entry may fall in (input outside them is refused as a typo).
pub const YEAR_MIN: i32 = 1970;
pub const YEAR_MAX: i32 = 2200;

/// A search for the next working day gives up after this many non-working days in a row (a
/// calendar whose overrides turn ten years off) and answers the last day it looked at.
pub const SEARCH_LIMIT_DAYS: u32 = 3660;

/// One override of the normal week.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayEntry {
    /// What the day is, e.g. 国庆节.
    pub name: String,
    /// `true`: a public holiday; `false`: a make-up workday.
    pub off: bool,
}

/// The calendar: the overrides by date. Cheap to query; built once per change (`App::workdays`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    days: BTreeMap<NaiveDate, DayEntry>,
}

/// Monday to Friday.
fn is_weekday(d: NaiveDate) -> bool {
    d.weekday().num_days_from_monday() < 5
}

/// Mondays to Fridays in `from..=to` (`from <= to`), in constant time.
fn weekdays_between(from: NaiveDate, to: NaiveDate) -> i64 {
    let n = (to - from).num_days() + 1;
    let first = i64::from(from.weekday().num_days_from_monday());
    let rest = (0..n % 7).filter(|i| (first + i) % 7 < 5).count() as i64;
    n / 7 * 5 + rest
}

/// The `n`-th Monday-to-Friday strictly after `d` (`n >= 1`); the latest representable date when
/// it lies beyond chrono's range.
fn nth_weekday_after(d: NaiveDate, n: u32) -> NaiveDate {
    let weeks = (n - 1) / 5;
    let Some(mut cur) = d.checked_add_days(Days::new(u64::from(weeks) * 7)) else {
        return NaiveDate::MAX;
    };
    let mut left = n - weeks * 5;
    while left > 0 {
        let Some(next) = cur.succ_opt() else {
            return cur;
        };
        cur = next;
        if is_weekday(cur) {
            left -= 1;
        }
    }
    cur
}

/// The instant of a local time in `tz`: the earlier one when the clock is set back, the first
/// instant after the gap when it is set forward.
fn local_ms(tz: &chrono_tz::Tz, local: NaiveDateTime) -> i64 {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.timestamp_millis(),
        LocalResult::None => local
            .checked_add_signed(chrono::Duration::hours(1))
            .and_then(|later| tz.from_local_datetime(&later).earliest())
            .map_or_else(
                || local.and_utc().timestamp_millis(),
                |t| t.timestamp_millis(),
            ),
    }
}

impl Calendar {
    /// A calendar from its overrides; a date listed twice keeps the last entry.
    pub fn new(entries: impl IntoIterator<Item = (NaiveDate, DayEntry)>) -> Calendar {
        Calendar {
            days: entries.into_iter().collect(),
        }
    }

    /// The override of `d`, if any.
    pub fn entry(&self, d: NaiveDate) -> Option<&DayEntry> {
        self.days.get(&d)
    }

    /// How many overrides the calendar holds.
    pub fn len(&self) -> usize {
        self.days.len()
    }

    pub fn is_empty(&self) -> bool {
        self.days.is_empty()
    }

    /// Whether `d` is worked: its override says so, or else it is a Monday to Friday.
    pub fn is_working(&self, d: NaiveDate) -> bool {
        match self.days.get(&d) {
            Some(e) => !e.off,
            None => is_weekday(d),
        }
    }

    /// The working days in `from..=to`; 0 when `to < from`. A leave from Friday to Monday is 2.
    pub fn working_days(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        if to < from {
            return 0;
        }
        let mut n = weekdays_between(from, to);
        for (d, e) in self.days.range(from..=to) {
            match (is_weekday(*d), !e.off) {
                (true, false) => n -= 1,
                (false, true) => n += 1,
                _ => {}
            }
        }
        u32::try_from(n.max(0)).unwrap_or(u32::MAX)
    }

    /// The deadline `days` working days after `start_ms` (UTC milliseconds), read in `tz`.
    ///
    /// From a working day, it is the same time of day on the `days`-th working day after it
    /// (Friday 15:00 + 1, Monday a holiday: Tuesday 15:00). From a non-working day, counting
    /// starts at 00:00 of the next working day, so the deadline is the end of the `days`-th
    /// working day from there (Saturday 10:00 + 1: the end of Monday, i.e. Tuesday 00:00).
    /// `days == 0` is `start_ms` itself.
    pub fn add_working_days(&self, start_ms: i64, days: u32, tz: &chrono_tz::Tz) -> i64 {
        if days == 0 {
            return start_ms;
        }
        let Some(utc) = DateTime::from_timestamp_millis(start_ms) else {
            return start_ms;
        };
        let local = utc.with_timezone(tz).naive_local();
        let date = local.date();
        let last = self.nth_working_after(date, days);
        if self.is_working(date) {
            local_ms(tz, last.and_time(local.time()))
        } else {
            let end = last.succ_opt().unwrap_or(last);
            local_ms(tz, end.and_time(NaiveTime::MIN))
        }
    }

    /// The overrides dated in `year`, by date.
    pub fn entries_in_year(&self, year: i32) -> Vec<(NaiveDate, DayEntry)> {
        let (Some(first), Some(last)) = (
            NaiveDate::from_ymd_opt(year, 1, 1),
            NaiveDate::from_ymd_opt(year, 12, 31),
        ) else {
            return Vec::new();
        };
        self.days
            .range(first..=last)
            .map(|(d, e)| (*d, e.clone()))
            .collect()
    }

    /// The `n`-th working day strictly after `d` (`n >= 1`). Past the last override the normal
    /// week is counted arithmetically; before it, day by day, giving up after
    /// [`SEARCH_LIMIT_DAYS`] non-working days in a row.
    fn nth_working_after(&self, d: NaiveDate, n: u32) -> NaiveDate {
        let last_override = self.days.last_key_value().map(|(k, _)| *k);
        let (mut cur, mut left, mut idle) = (d, n, 0u32);
        while left > 0 {
            if last_override.is_none_or(|l| cur >= l) {
                return nth_weekday_after(cur, left);
            }
            let Some(next) = cur.succ_opt() else {
                return cur;
            };
            cur = next;
            if self.is_working(cur) {
                left -= 1;
                idle = 0;
            } else {
                idle += 1;
                if idle >= SEARCH_LIMIT_DAYS {
                    return cur;
                }
            }
        }
        cur
    }
}

#[cfg(test)]
#[path = "model_tests.rs"]
mod tests;
