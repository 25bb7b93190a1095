//! Search as people and programs use it: the parameters checked (with localized field errors),
//! the caller's ACL terms applied, date buckets relative to the node's clock, paging by an opaque
//! cursor. The API and the page are thin layers over [`search`] and [`suggest`].

use chrono::{Days, NaiveDate, TimeZone};

use super::query::{DateBucket, MAX_LIMIT, MAX_OFFSET, SearchQuery, SearchResults};
use super::suggest::Suggestion;
use super::{Hit, Order};
use crate::App;
use crate::auth::Actor;
use crate::error::{Error, FieldErrors, Result};
use crate::store::keys::{decode_cursor, encode_cursor};

/// The kinds the index holds, in the order a page lists them.
pub const KINDS: &[&str] = &[
    "news",
    "flash",
    "notice",
    "regulation",
    "resource",
    "document",
    "instance",
];

/// The date buckets, newest first: 近7天, 近30天, 近一年, 更早.
pub const DATE_BUCKETS: &[&str] = &["week", "month", "year", "older"];

/// Hits per page when `limit` is not given.
pub const DEFAULT_LIMIT: usize = 20;
/// Titles offered while typing.
pub const SUGGESTIONS: usize = 8;

/// The parameters as they arrive (query string or form), every one as text, so that a bad value
/// is answered with a field error rather than a framework refusal.
#[derive(Debug, Clone, Default)]
pub struct Params {
    pub q: Option<String>,
    /// Repeated and/or comma-separated.
    pub kind: Vec<String>,
    pub unit: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub order: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

/// The parameters once checked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Checked {
    pub text: String,
    pub kinds: Vec<String>,
    pub unit: Option<u64>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub order: Order,
    pub limit: usize,
    pub offset: usize,
}

/// One page of results.
#[derive(Debug, Clone)]
pub struct Found {
    pub query: Checked,
    pub results: SearchResults,
    pub next_cursor: Option<String>,
    /// The first day of each date bucket that has one (`older` has its last day in `to`):
    /// `(bucket, from, to)`, for the links that narrow to it.
    pub buckets: Vec<(&'static str, Option<NaiveDate>, Option<NaiveDate>)>,
}

fn blank(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Checks the parameters; every bad one is named with its reason. An empty `q` is refused
/// (`error.required`): a search without words has nothing to rank.
pub fn check(p: &Params) -> Result<Checked> {
    let mut errors = FieldErrors::new();
    let mut bad = |field: &str, key: &str| {
        errors
            .entry(field.to_string())
            .or_insert_with(|| key.to_string());
    };
    let text = blank(&p.q).unwrap_or_default().to_string();
    if text.is_empty() {
        bad("q", "error.required");
    }
    let mut kinds = Vec::new();
    for k in p.kind.iter().flat_map(|k| k.split(',')) {
        let k = k.trim();
        if k.is_empty() {
            continue;
        }
        if !KINDS.contains(&k) {
            bad("kind", "error.invalid");
        } else if !kinds.iter().any(|x| x == k) {
            kinds.push(k.to_string());
        }
    }
    let unit = match blank(&p.unit) {
        None => None,
        Some(u) => match u.parse::<u64>() {
            Ok(u) => Some(u),
            Err(_) => {
                bad("unit", "error.invalid");
                None
            }
        },
    };
    let mut date = |field: &str, v: &Option<String>| match blank(v) {
        None => None,
        Some(d) => match NaiveDate::parse_from_str(d, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                bad(field, "error.date");
                None
            }
        },
    };
    let from = date("from", &p.from);
    let to = date("to", &p.to);
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        bad("to", "error.search.range");
    }
    let order = match blank(&p.order) {
        None | Some("relevance") => Order::Relevance,
        Some("newest") => Order::Newest,
        Some(_) => {
            bad("order", "error.invalid");
            Order::Relevance
        }
    };
    let limit = match blank(&p.limit) {
        None => DEFAULT_LIMIT,
        Some(l) => match l.parse::<usize>() {
            Ok(l) if (1..=MAX_LIMIT).contains(&l) => l,
            _ => {
                bad("limit", "error.search.limit");
                DEFAULT_LIMIT
            }
        },
    };
    let offset = match blank(&p.cursor) {
        None => 0,
        Some(c) => match decode_cursor(c, 1) {
            Some(v) if v[0] as usize <= MAX_OFFSET => v[0] as usize,
            _ => {
                bad("cursor", "error.search.cursor");
                0
            }
        },
    };
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    Ok(Checked {
        text,
        kinds,
        unit,
        from,
        to,
        order,
        limit,
        offset,
    })
}

/// The UTC milliseconds of the start of `day` in the node's time zone.
fn midnight(app: &App, day: NaiveDate) -> i64 {
    let naive = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    app.tz()
        .from_local_datetime(&naive)
        .earliest()
        .map_or(0, |t| t.timestamp_millis())
}

/// Today in the node's time zone, by the node's clock.
pub fn today(app: &App) -> NaiveDate {
    app.tz()
        .timestamp_millis_opt(app.now_ms())
        .single()
        .map(|t| t.date_naive())
        .unwrap_or_default()
}

/// The date buckets as day ranges (inclusive): the last 7, 30 and 365 days up to today (each
/// holding the shorter ones), and everything before the year.
pub fn bucket_days(app: &App) -> Vec<(&'static str, Option<NaiveDate>, Option<NaiveDate>)> {
    let today = today(app);
    let back = |n: u64| today.checked_sub_days(Days::new(n)).unwrap_or(today);
    vec![
        ("week", Some(back(6)), None),
        ("month", Some(back(29)), None),
        ("year", Some(back(364)), None),
        ("older", None, Some(back(365))),
    ]
}

/// Searches what `actor` may open.
pub fn search(app: &App, actor: &Actor, p: &Params) -> Result<Found> {
    let checked = check(p)?;
    let buckets = bucket_days(app);
    let next_day = |d: NaiveDate| d.checked_add_days(Days::new(1)).unwrap_or(d);
    let query = SearchQuery {
        text: checked.text.clone(),
        kinds: checked.kinds.clone(),
        order: checked.order,
        offset: checked.offset,
        limit: checked.limit,
        units: checked.unit.into_iter().collect(),
        from_ms: checked.from.map(|d| midnight(app, d)),
        to_ms: checked.to.map(|d| midnight(app, next_day(d))),
        date_buckets: buckets
            .iter()
            .map(|(name, from, to)| DateBucket {
                name: name.to_string(),
                from_ms: from.map(|d| midnight(app, d)),
                to_ms: to.map(|d| midnight(app, next_day(d))),
            })
            .collect(),
    };
    let results = app.search().search(&query, &actor.acl_terms())?;
    let end = checked.offset + results.hits.len();
    let next_cursor = (!results.hits.is_empty() && end < results.total && end <= MAX_OFFSET)
        .then(|| encode_cursor(&[end as u64]));
    Ok(Found {
        query: checked,
        results,
        next_cursor,
        buckets,
    })
}

/// Titles `actor` may open that match what they typed (none for a blank text).
pub fn suggest(app: &App, actor: &Actor, q: &str) -> Result<Vec<Suggestion>> {
    app.search().suggest(q, &actor.acl_terms(), SUGGESTIONS)
}

/// The record id of a hit: the part of its key after the last `:`.
pub fn id_of(hit: &Hit) -> u64 {
    hit.key
        .rsplit(':')
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_default()
}
