use chrono::{NaiveDate, TimeZone};
use chrono_tz::Tz;
use proptest::prelude::*;

use super::*;
use crate::workflow::workdays::holidays;

const SH: Tz = chrono_tz::Asia::Shanghai;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn off(name: &str) -> DayEntry {
    DayEntry {
        name: name.into(),
        off: true,
    }
}

fn work(name: &str) -> DayEntry {
    DayEntry {
        name: name.into(),
        off: false,
    }
}

/// Milliseconds of a local time in `tz`.
fn at(tz: Tz, y: i32, m: u32, day: u32, h: u32, min: u32) -> i64 {
    tz.with_ymd_and_hms(y, m, day, h, min, 0)
        .single()
        .unwrap()
        .timestamp_millis()
}

/// The calendar as a new node has it: the shipped 2025 and 2026 schedules.
fn shipped() -> Calendar {
    Calendar::new(
        holidays::shipped()
            .unwrap()
            .into_iter()
            .flat_map(|y| y.days),
    )
}

#[test]
fn the_normal_week_works_monday_to_friday() {
    let c = Calendar::default();
    // 2026-11-23 is a Monday.
    for day in 23..=27 {
        assert!(c.is_working(d(2026, 11, day)), "{day}");
    }
    assert!(!c.is_working(d(2026, 11, 28)) && !c.is_working(d(2026, 11, 29)));
    assert_eq!(c.working_days(d(2026, 11, 23), d(2026, 11, 29)), 5);
    assert_eq!(
        c.working_days(d(2026, 11, 27), d(2026, 11, 30)),
        2,
        "Fri to Mon"
    );
    assert_eq!(
        c.working_days(d(2026, 11, 28), d(2026, 11, 29)),
        0,
        "a weekend"
    );
    assert_eq!(
        c.working_days(d(2026, 11, 30), d(2026, 11, 27)),
        0,
        "to < from"
    );
    assert_eq!(
        c.working_days(d(2026, 11, 25), d(2026, 11, 25)),
        1,
        "one day"
    );
    assert_eq!(c.working_days(d(2026, 1, 1), d(2026, 12, 31)), 261);
    assert!(c.is_empty());
}

#[test]
fn a_public_holiday_is_off_and_a_make_up_sunday_is_worked() {
    let c = shipped();
    assert!(!c.is_working(d(2026, 10, 1)), "国庆节, a Thursday");
    assert!(c.is_working(d(2026, 1, 4)), "元旦 make-up Sunday");
    assert_eq!(c.entry(d(2026, 1, 4)), Some(&work("元旦")));
    assert!(c.is_working(d(2026, 10, 9)), "a normal Friday");
    assert!(!c.is_working(d(2026, 10, 11)), "a normal Sunday");
    // The week of 元旦 2026: Mon 29 to Wed 31 worked, Thu 1 and Fri 2 off, Sun 4 worked.
    assert_eq!(c.working_days(d(2025, 12, 29), d(2026, 1, 4)), 4);
    // 2026: 261 weekdays, 19 of the holidays on weekdays, 6 make-up weekend days.
    let holidays_on_weekdays = c
        .entries_in_year(2026)
        .iter()
        .filter(|(day, e)| e.off && day.weekday().num_days_from_monday() < 5)
        .count() as u32;
    assert_eq!(holidays_on_weekdays, 19);
    assert_eq!(c.working_days(d(2026, 1, 1), d(2026, 12, 31)), 248);
    // 2025: 261 weekdays, 18 holidays on weekdays, 5 make-up days.
    assert_eq!(c.working_days(d(2025, 1, 1), d(2025, 12, 31)), 248);
}

#[test]
fn the_2026_national_day_week() {
    let c = shipped();
    // Sun 20 Sep worked; 25–27 (中秋) and 1–7 Oct off; Sat 10 Oct worked.
    assert!(c.is_working(d(2026, 9, 20)) && c.is_working(d(2026, 10, 10)));
    for day in 1..=7 {
        assert!(!c.is_working(d(2026, 10, day)), "Oct {day}");
    }
    assert_eq!(c.working_days(d(2026, 9, 28), d(2026, 10, 11)), 6);
    // A step opened Wednesday 30 Sep 16:00 is due Thursday 8 Oct 16:00.
    assert_eq!(
        c.add_working_days(at(SH, 2026, 9, 30, 16, 0), 1, &SH),
        at(SH, 2026, 10, 8, 16, 0)
    );
    // Opened during the holiday (Sat 3 Oct 11:00), one working day is the end of Thu 8 Oct.
    assert_eq!(
        c.add_working_days(at(SH, 2026, 10, 3, 11, 0), 1, &SH),
        at(SH, 2026, 10, 9, 0, 0)
    );
    // Three working days from Thursday 8 Oct 09:30: Fri 9, Sat 10 (make-up), Mon 12.
    assert_eq!(
        c.add_working_days(at(SH, 2026, 10, 8, 9, 30), 3, &SH),
        at(SH, 2026, 10, 12, 9, 30)
    );
}

#[test]
fn deadlines_skip_weekends_and_holidays() {
    let monday_off = Calendar::new([(d(2026, 11, 30), off("公司纪念日"))]);
    let c = Calendar::default();
    let fri = at(SH, 2026, 11, 27, 15, 0);
    assert_eq!(c.add_working_days(fri, 1, &SH), at(SH, 2026, 11, 30, 15, 0));
    assert_eq!(
        monday_off.add_working_days(fri, 1, &SH),
        at(SH, 2026, 12, 1, 15, 0),
        "Friday 15:00 + 1 with Monday off is Tuesday 15:00"
    );
    assert_eq!(c.add_working_days(fri, 0, &SH), fri, "0 days is the start");
    assert_eq!(c.add_working_days(fri, 6, &SH), at(SH, 2026, 12, 7, 15, 0));
    // A start on a Saturday counts from Monday 00:00: + 1 is the end of Monday.
    let sat = at(SH, 2026, 11, 28, 10, 0);
    assert_eq!(c.add_working_days(sat, 1, &SH), at(SH, 2026, 12, 1, 0, 0));
    assert_eq!(c.add_working_days(sat, 2, &SH), at(SH, 2026, 12, 2, 0, 0));
    assert_eq!(
        monday_off.add_working_days(sat, 1, &SH),
        at(SH, 2026, 12, 2, 0, 0),
        "with Monday off, the end of Tuesday"
    );
    // The end of the day counts even when the next day is off (Tuesday a holiday too).
    let tue_off = Calendar::new([(d(2026, 12, 1), off("x"))]);
    assert_eq!(
        tue_off.add_working_days(sat, 1, &SH),
        at(SH, 2026, 12, 1, 0, 0)
    );
}

#[test]
fn a_start_on_a_holiday_or_a_make_up_day() {
    let c = shipped();
    // 元旦 2026 (Thu) 09:00 + 1: counting starts Sun 4 Jan (make-up day), due at its end.
    assert_eq!(
        c.add_working_days(at(SH, 2026, 1, 1, 9, 0), 1, &SH),
        at(SH, 2026, 1, 5, 0, 0)
    );
    // Started on the make-up Sunday itself, 14:00: it is a working day.
    assert_eq!(
        c.add_working_days(at(SH, 2026, 1, 4, 14, 0), 1, &SH),
        at(SH, 2026, 1, 5, 14, 0)
    );
    // Late evening on a working day keeps its time of day.
    assert_eq!(
        c.add_working_days(at(SH, 2026, 2, 13, 23, 30), 1, &SH),
        at(SH, 2026, 2, 14, 23, 30),
        "Fri 13 Feb + 1 is the make-up Saturday 14 Feb"
    );
    // Spring festival: Fri 13 Feb 10:00 + 2 = Sat 14 (make-up), then Tue 24 Feb.
    assert_eq!(
        c.add_working_days(at(SH, 2026, 2, 13, 10, 0), 2, &SH),
        at(SH, 2026, 2, 24, 10, 0)
    );
}

#[test]
fn time_zones_are_read_for_the_local_date() {
    let c = Calendar::default();
    // 2026-11-27 17:00 UTC is Saturday 01:00 in Shanghai (no DST there): a non-working start.
    let utc = chrono_tz::UTC;
    let start = at(utc, 2026, 11, 27, 17, 0);
    assert_eq!(
        c.add_working_days(start, 1, &utc),
        at(utc, 2026, 11, 30, 17, 0)
    );
    assert_eq!(c.add_working_days(start, 1, &SH), at(SH, 2026, 12, 1, 0, 0));
    // A zone with DST: the same local time across the change (New York, 2026-11-01).
    let ny = chrono_tz::America::New_York;
    let fri = at(ny, 2026, 10, 30, 9, 0);
    assert_eq!(c.add_working_days(fri, 1, &ny), at(ny, 2026, 11, 2, 9, 0));
    assert_eq!(
        c.add_working_days(fri, 1, &ny) - fri,
        (3 * 24 + 1) * 3_600_000,
        "one hour longer: the clocks went back"
    );
    // A local time that does not exist (spring forward) lands just after the gap.
    let sat = at(ny, 2026, 3, 7, 2, 30);
    let cal = Calendar::new([(d(2026, 3, 7), work("补班"))]);
    assert_eq!(cal.add_working_days(sat, 1, &ny), at(ny, 2026, 3, 9, 2, 30));
    let sun = Calendar::new([(d(2026, 3, 7), work("补班")), (d(2026, 3, 8), work("补班"))]);
    assert_eq!(sun.add_working_days(sat, 1, &ny), at(ny, 2026, 3, 8, 3, 30));
}

#[test]
fn a_calendar_with_years_off_still_answers() {
    // Every day of eleven years off: the search gives up rather than running on.
    let first = d(2026, 1, 1);
    let all_off = Calendar::new(first.iter_days().take(4018).map(|day| (day, off("停"))));
    let start = at(SH, 2025, 12, 31, 10, 0);
    let due = all_off.add_working_days(start, 1, &SH);
    assert_eq!(
        due,
        start + i64::from(SEARCH_LIMIT_DAYS) * 86_400_000,
        "gave up after the limit"
    );
    assert_eq!(all_off.working_days(first, d(2036, 12, 31)), 0);
    // Huge counts beyond the last override are arithmetic, and never panic.
    let c = shipped();
    let far = c.add_working_days(start, 5_000, &SH);
    let in_2026 = c.working_days(d(2026, 1, 1), d(2026, 12, 31));
    assert_eq!(
        far,
        Calendar::default().add_working_days(at(SH, 2026, 12, 31, 10, 0), 5_000 - in_2026, &SH),
        "past 2026 the normal week"
    );
    let _ = c.add_working_days(start, u32::MAX, &SH);
    let _ = c.add_working_days(i64::MAX, 3, &SH);
}

#[test]
fn entries_in_a_year_are_that_years_by_date() {
    let c = shipped();
    let y = c.entries_in_year(2026);
    assert_eq!(y.len(), 39);
    assert!(y.windows(2).all(|w| w[0].0 < w[1].0));
    assert_eq!(y[0], (d(2026, 1, 1), off("元旦")));
    assert_eq!(c.entries_in_year(2025).len(), 33);
    assert!(c.entries_in_year(2031).is_empty());
    assert!(c.entries_in_year(i32::MAX).is_empty());
    assert_eq!(c.len(), 72);
}

/// Overrides: a few dozen random days of 2025–2027, each off or worked.
fn calendars() -> impl Strategy<Value = Calendar> {
    proptest::collection::vec((0u64..1095, any::<bool>()), 0..60).prop_map(|v| {
        Calendar::new(v.into_iter().map(|(i, is_off)| {
            let day = d(2025, 1, 1) + Days::new(i);
            (
                day,
                DayEntry {
                    name: "x".into(),
                    off: is_off,
                },
            )
        }))
    })
}

/// A start between 2024-10 and 2028 in UTC milliseconds.
fn starts() -> impl Strategy<Value = i64> {
    1_727_740_800_000i64..1_830_297_600_000
}

proptest! {
    #[test]
    fn the_deadline_is_after_the_start(c in calendars(), start in starts(), n in 1u32..40) {
        prop_assert!(c.add_working_days(start, n, &SH) > start);
    }

    #[test]
    fn working_days_add_up_over_adjacent_ranges(
        c in calendars(), a in 0u64..1200, len1 in 0u64..200, len2 in 1u64..200,
    ) {
        let from = d(2024, 10, 1) + Days::new(a);
        let mid = from + Days::new(len1);
        let to = mid + Days::new(len2);
        prop_assert_eq!(
            c.working_days(from, mid) + c.working_days(mid + Days::new(1), to),
            c.working_days(from, to)
        );
        // And it is the plain count, day by day.
        let plain = from.iter_days().take_while(|x| *x <= to).filter(|x| c.is_working(*x)).count();
        prop_assert_eq!(c.working_days(from, to) as usize, plain);
    }

    #[test]
    fn n_working_days_from_a_working_day_land_on_one(c in calendars(), start in starts(), n in 1u32..40) {
        let date = DateTime::from_timestamp_millis(start).unwrap().with_timezone(&SH).date_naive();
        prop_assume!(c.is_working(date));
        let due = c.add_working_days(start, n, &SH);
        let due_date = DateTime::from_timestamp_millis(due).unwrap().with_timezone(&SH).date_naive();
        prop_assert!(c.is_working(due_date));
        prop_assert_eq!(c.working_days(date + Days::new(1), due_date), n);
        prop_assert_eq!((due - start).rem_euclid(86_400_000), 0, "same time of day");
    }
}
