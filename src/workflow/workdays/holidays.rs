//! The holiday-cn format (`{"year", "papers": [...], "days": [{"name", "date", "isOffDay"}]}`),
//! in which the yearly schedules are published and imported, and the years this binary ships
//! (`data.example/holidays/`). Pure: text in, entries or field-level reasons out.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde_json::Value;

use super::model::{DayEntry, NAME_MAX, YEAR_MAX, YEAR_MIN};
use crate::error::{Error, FieldErrors, Result};

/// The official schedules compiled into the binary and installed into a new node once.
pub const SHIPPED: &[(i32, &str)] = &[
    (
        2025,
        include_str!("../../../data.example/holidays/2025.json"),
    ),
    (
        2026,
        include_str!("../../../data.example/holidays/2026.json"),
    ),
];

/// A file lists at most this many days (a year has 366; the rest would be duplicates).
const MAX_DAYS: usize = 1000;
/// A refused file reports at most this many reasons.
const MAX_REASONS: usize = 20;

/// One year's schedule, read from a holiday-cn file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearFile {
    pub year: i32,
    /// The notices the schedule comes from (URLs), as the file gives them.
    pub papers: Vec<String>,
    /// By date, each date once.
    pub days: Vec<(NaiveDate, DayEntry)>,
}

/// Reads a holiday-cn file. A malformed file is refused whole with its reasons field by field:
/// `file` (not JSON, not an object), `year`, `days`, `days[i].date` (not a date, not in the stated
/// year, listed twice with different values), `days[i].name`, `days[i].isOffDay`. The same day
/// listed twice alike is kept once. Unknown fields (`$schema`, `$id`) are ignored.
pub fn parse(text: &str) -> Result<YearFile> {
    let root: Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|_| Error::field("file", "error.workdays.not_json"))?;
    let Value::Object(root) = root else {
        return Err(Error::field("file", "error.workdays.shape"));
    };
    let mut fields = FieldErrors::new();
    let year = root
        .get("year")
        .and_then(Value::as_i64)
        .and_then(|y| i32::try_from(y).ok())
        .filter(|y| (YEAR_MIN..=YEAR_MAX).contains(y));
    if year.is_none() {
        fields.insert("year".into(), "error.workdays.year".into());
    }
    let papers = match root.get("papers") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => items
            .iter()
            .filter_map(|p| p.as_str().map(str::to_string))
            .collect(),
        Some(_) => {
            fields.insert("papers".into(), "error.workdays.papers".into());
            Vec::new()
        }
    };
    let items = match root.get("days") {
        Some(Value::Array(items)) if items.len() <= MAX_DAYS => items.as_slice(),
        Some(Value::Array(_)) => {
            fields.insert("days".into(), "error.workdays.too_many".into());
            &[]
        }
        _ => {
            fields.insert("days".into(), "error.workdays.days".into());
            &[]
        }
    };
    let mut days: BTreeMap<NaiveDate, DayEntry> = BTreeMap::new();
    for (i, item) in items.iter().enumerate() {
        if fields.len() >= MAX_REASONS {
            break;
        }
        let at = |f: &str| format!("days[{i}].{f}");
        let Value::Object(item) = item else {
            fields.insert(format!("days[{i}]"), "error.workdays.day".into());
            continue;
        };
        let date = item
            .get("date")
            .and_then(Value::as_str)
            .and_then(parse_date);
        match (date, year) {
            (None, _) => {
                fields.insert(at("date"), "error.date".into());
            }
            (Some(d), Some(y)) if d.year() != y => {
                fields.insert(at("date"), "error.workdays.date_year".into());
            }
            _ => {}
        }
        let name = item
            .get("name")
            .and_then(Value::as_str)
            .and_then(clean_name);
        if name.is_none() {
            fields.insert(at("name"), "error.workdays.name".into());
        }
        let off = item.get("isOffDay").and_then(Value::as_bool);
        if off.is_none() {
            fields.insert(at("isOffDay"), "error.workdays.off".into());
        }
        let (Some(date), Some(name), Some(off)) = (date, name, off) else {
            continue;
        };
        let entry = DayEntry { name, off };
        match days.get(&date) {
            Some(seen) if *seen != entry => {
                fields.insert(at("date"), "error.workdays.conflict".into());
            }
            _ => {
                days.insert(date, entry);
            }
        }
    }
    match year {
        Some(year) if fields.is_empty() => Ok(YearFile {
            year,
            papers,
            days: days.into_iter().collect(),
        }),
        _ => Err(Error::Validation(fields)),
    }
}

/// `YYYY-MM-DD`, strictly (no time, no other separator).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    if s.len() != 10 {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// A day's name, trimmed: 1 to [`NAME_MAX`] characters, no control characters.
pub fn clean_name(s: &str) -> Option<String> {
    let s = s.trim();
    let n = s.chars().count();
    ((1..=NAME_MAX).contains(&n) && !s.chars().any(char::is_control)).then(|| s.to_string())
}

/// The shipped years, read. A shipped file that does not read is a bug in this binary.
pub fn shipped() -> Result<Vec<YearFile>> {
    SHIPPED
        .iter()
        .map(|(year, text)| {
            let f = parse(text)
                .map_err(|e| Error::internal(format!("shipped holidays {year}: {e}")))?;
            if f.year != *year {
                return Err(Error::internal(format!(
                    "shipped holidays {year}: the file says {}",
                    f.year
                )));
            }
            Ok(f)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reasons(text: &str) -> FieldErrors {
        match parse(text) {
            Err(Error::Validation(f)) => f,
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    #[test]
    fn the_shipped_years_read_with_their_make_up_days() {
        let years = shipped().unwrap();
        assert_eq!(
            years.iter().map(|y| y.year).collect::<Vec<_>>(),
            [2025, 2026]
        );
        let y26 = &years[1];
        assert_eq!(y26.days.len(), 39);
        assert!(y26.papers[0].starts_with("https://www.gov.cn/"));
        let find = |date: &str| {
            y26.days
                .iter()
                .find(|(x, _)| *x == d(date))
                .unwrap()
                .1
                .clone()
        };
        assert_eq!(
            find("2026-01-04"),
            DayEntry {
                name: "元旦".into(),
                off: false
            }
        );
        assert!(find("2026-10-01").off);
        assert_eq!(years[0].days.len(), 33);
    }

    #[test]
    fn a_small_file_reads_and_a_repeated_day_alike_is_kept_once() {
        let f = parse(
            r#"{"$schema": "x", "year": 2027, "papers": [],
                "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": true},
                         {"name": " 元旦 ", "date": "2027-01-01", "isOffDay": true},
                         {"name": "春节", "date": "2027-02-07", "isOffDay": false}]}"#,
        )
        .unwrap();
        assert_eq!(f.year, 2027);
        assert_eq!(
            f.days,
            vec![
                (
                    d("2027-01-01"),
                    DayEntry {
                        name: "元旦".into(),
                        off: true
                    }
                ),
                (
                    d("2027-02-07"),
                    DayEntry {
                        name: "春节".into(),
                        off: false
                    }
                ),
            ]
        );
        let empty = parse(r#"{"year": 2030, "days": []}"#).unwrap();
        assert!(empty.days.is_empty() && empty.papers.is_empty());
    }

    #[test]
    fn malformed_files_are_refused_field_by_field() {
        assert_eq!(reasons("not json")["file"], "error.workdays.not_json");
        assert_eq!(reasons("[1, 2]")["file"], "error.workdays.shape");
        let r = reasons(r#"{"year": "2026", "days": {}}"#);
        assert_eq!(r["year"], "error.workdays.year");
        assert_eq!(r["days"], "error.workdays.days");
        assert_eq!(
            reasons(r#"{"year": 1800, "days": []}"#)["year"],
            "error.workdays.year"
        );
        let r = reasons(
            r#"{"year": 2026, "papers": [3], "days": [
                {"name": "元旦", "date": "2025-12-31", "isOffDay": true},
                {"name": "", "date": "2026-02-30", "isOffDay": "yes"},
                {"name": "劳动节", "date": "2026-05-01", "isOffDay": true},
                {"name": "劳动节", "date": "2026-05-01", "isOffDay": false},
                7]}"#,
        );
        assert_eq!(r["papers"], "error.workdays.papers");
        assert_eq!(r["days[0].date"], "error.workdays.date_year");
        assert_eq!(r["days[1].date"], "error.date");
        assert_eq!(r["days[1].name"], "error.workdays.name");
        assert_eq!(r["days[1].isOffDay"], "error.workdays.off");
        assert_eq!(r["days[3].date"], "error.workdays.conflict");
        assert_eq!(r["days[4]"], "error.workdays.day");
        assert!(!r.contains_key("days[2].date"));
        let long = "节".repeat(NAME_MAX + 1);
        let r = reasons(&format!(
            r#"{{"year": 2026, "days": [{{"name": "{long}", "date": "2026-01-01", "isOffDay": true}}]}}"#
        ));
        assert_eq!(r["days[0].name"], "error.workdays.name");
    }

    #[test]
    fn a_file_full_of_mistakes_reports_a_bounded_number_of_them() {
        let days: Vec<String> = (0..200)
            .map(|i| format!(r#"{{"name": "x", "date": "bad-{i}", "isOffDay": true}}"#))
            .collect();
        let r = reasons(&format!(
            r#"{{"year": 2026, "days": [{}]}}"#,
            days.join(",")
        ));
        assert!(r.len() <= MAX_REASONS + 3, "{}", r.len());
    }

    #[test]
    fn dates_and_names_are_strict() {
        assert_eq!(
            parse_date("2026-10-01"),
            NaiveDate::from_ymd_opt(2026, 10, 1)
        );
        for bad in [
            "2026-1-1x",
            "2026/10/01",
            "20261001",
            "2026-10-01T00:00",
            "",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
        assert_eq!(clean_name("  国庆节 ").as_deref(), Some("国庆节"));
        assert_eq!(clean_name("   "), None);
        assert_eq!(clean_name("a\u{7}b"), None);
        assert!(clean_name(&"x".repeat(NAME_MAX)).is_some());
    }
}
