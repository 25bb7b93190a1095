//! Rate limits per client address for pages and the API (`[limits]`): a token bucket per address
//! for every request, and a tighter one for writes (any method but GET, HEAD and OPTIONS, uploads
//! included). A request over a limit does not run: the fairing turns it into a request for a
//! route that only refuses, 429 with `Retry-After`, as JSON under `/api/` and as a localized page
//! elsewhere. `/healthz`, `/metrics` and the static files are exempt. The sign-in throttle
//! (auth::throttle) is separate and much tighter.
//!
//! The address is `auth::guards::client_address` (the peer, or a loopback proxy's `X-Real-IP`);
//! IPv6 clients are counted per /64, the block one subscriber usually holds. The table lives in
//! memory and stays bounded: an address idle for a minute has a full bucket again and is
//! forgotten, and when the table is full anyway, newcomers share one bucket until room is made.
//! Time is the App's clock, so tests move it instead of waiting.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::Method;
use rocket::http::uri::Origin;
use rocket::request::{FromRequest, Outcome};
use rocket::{Data, Request, get};

use crate::App;
use crate::config::LimitsConfig;
use crate::error::{Code, Error};

/// One request, in the buckets' units: a budget of N a minute refills N units a millisecond.
const UNIT: u64 = 60_000;
/// An address unseen this long has full buckets: forgetting it changes nothing.
const IDLE_MS: i64 = 60_000;
/// Addresses tracked at most (about 64 bytes each).
pub const MAX_ADDRESSES: usize = 100_000;

/// Which limit refused a request (the `limit` label of `oanode_rate_limited_total`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    Requests,
    Writes,
}

impl Limit {
    pub fn as_str(self) -> &'static str {
        match self {
            Limit::Requests => "requests",
            Limit::Writes => "writes",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    pub limit: Limit,
    /// Whole seconds until the request would pass (at least 1).
    pub retry_after_s: u64,
}

/// The two buckets of one address (or of every newcomer while the table is full).
#[derive(Debug, Clone, Copy)]
struct Entry {
    requests: u64,
    writes: u64,
    last_ms: i64,
}

struct Table {
    entries: HashMap<IpAddr, Entry>,
    /// Shared by the addresses that found the table full.
    overflow: Entry,
    last_sweep_ms: i64,
}

/// The buckets of every client address; managed by Rocket.
pub struct RateLimiter {
    requests_per_minute: u64,
    writes_per_minute: u64,
    max_addresses: usize,
    table: Mutex<Table>,
}

impl RateLimiter {
    pub fn new(limits: &LimitsConfig) -> RateLimiter {
        RateLimiter::with_capacity(limits, MAX_ADDRESSES)
    }

    pub fn with_capacity(limits: &LimitsConfig, max_addresses: usize) -> RateLimiter {
        let requests_per_minute = u64::from(limits.requests_per_minute);
        let writes_per_minute = u64::from(limits.writes_per_minute);
        RateLimiter {
            requests_per_minute,
            writes_per_minute,
            max_addresses: max_addresses.max(1),
            table: Mutex::new(Table {
                entries: HashMap::new(),
                overflow: Entry {
                    requests: requests_per_minute * UNIT,
                    writes: writes_per_minute * UNIT,
                    last_ms: i64::MIN,
                },
                last_sweep_ms: i64::MIN,
            }),
        }
    }

    /// Whether any limit is on (both 0: the fairing does nothing at all).
    pub fn enabled(&self) -> bool {
        self.requests_per_minute > 0 || self.writes_per_minute > 0
    }

    /// Addresses being tracked now.
    pub fn tracked(&self) -> usize {
        self.table.lock().map_or(0, |t| t.entries.len())
    }

    /// Counts a request from `addr` (a write when `write`) at `now_ms`; `Err` when it is over a
    /// limit, and then nothing is counted.
    pub fn check(&self, addr: IpAddr, write: bool, now_ms: i64) -> Result<(), Refusal> {
        let Ok(mut table) = self.table.lock() else {
            return Ok(());
        };
        let key = bucket_key(addr);
        let table = &mut *table;
        let known = table.entries.contains_key(&key);
        let since_sweep = now_ms.saturating_sub(table.last_sweep_ms);
        let full = table.entries.len() >= self.max_addresses;
        // Forget idle addresses once a minute, or, when a newcomer finds the table full, at most
        // once a second.
        if since_sweep >= IDLE_MS || (full && !known && since_sweep >= 1_000) {
            table
                .entries
                .retain(|_, e| now_ms.saturating_sub(e.last_ms) < IDLE_MS);
            table.last_sweep_ms = now_ms;
        }
        let fresh = Entry {
            requests: self.requests_per_minute * UNIT,
            writes: self.writes_per_minute * UNIT,
            last_ms: now_ms,
        };
        let entry = if known || table.entries.len() < self.max_addresses {
            table.entries.entry(key).or_insert(fresh)
        } else {
            &mut table.overflow
        };
        self.take(entry, write, now_ms)
    }

    fn take(&self, e: &mut Entry, write: bool, now_ms: i64) -> Result<(), Refusal> {
        let elapsed = u64::try_from(now_ms.saturating_sub(e.last_ms)).unwrap_or(0);
        let refill = |level: u64, per_minute: u64| {
            level
                .saturating_add(per_minute.saturating_mul(elapsed))
                .min(per_minute * UNIT)
        };
        e.requests = refill(e.requests, self.requests_per_minute);
        e.writes = refill(e.writes, self.writes_per_minute);
        e.last_ms = e.last_ms.max(now_ms);
        let short = |level: u64, per_minute: u64, limit: Limit| {
            (per_minute > 0 && level < UNIT).then(|| Refusal {
                limit,
                // Milliseconds until one unit of request is back, in whole seconds.
                retry_after_s: (UNIT - level).div_ceil(per_minute).div_ceil(1000).max(1),
            })
        };
        if write && let Some(r) = short(e.writes, self.writes_per_minute, Limit::Writes) {
            return Err(r);
        }
        if let Some(r) = short(e.requests, self.requests_per_minute, Limit::Requests) {
            return Err(r);
        }
        if self.requests_per_minute > 0 {
            e.requests -= UNIT;
        }
        if write && self.writes_per_minute > 0 {
            e.writes -= UNIT;
        }
        Ok(())
    }
}

/// The address a client is counted under: IPv4 as it is (an IPv4-mapped IPv6 address too), IPv6
/// by its /64.
fn bucket_key(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V4(_) => addr,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !((1u128 << 64) - 1)).into()),
        },
    }
}

/// Paths no limit applies to: the health check, the metrics scrape and the static files.
fn exempt(path: &str) -> bool {
    path == "/healthz" || path == "/metrics" || path.starts_with("/static/")
}

fn is_write(method: Method) -> bool {
    !matches!(method, Method::Get | Method::Head | Method::Options)
}

const API_REFUSAL: &str = "/api/_rate_limited";
const PAGE_REFUSAL: &str = "/_rate_limited";

/// A refusal decided by the fairing, for the refusing routes.
#[derive(Clone, Copy)]
struct Refused(Option<u64>);

/// The fairing: counts each request and sends one over a limit to a refusing route.
pub struct RateLimit;

#[rocket::async_trait]
impl Fairing for RateLimit {
    fn info(&self) -> Info {
        Info {
            name: "rate limits",
            kind: Kind::Request,
        }
    }

    async fn on_request(&self, req: &mut Request<'_>, _: &mut Data<'_>) {
        let rocket = req.rocket();
        let (Some(limiter), Some(app)) = (rocket.state::<RateLimiter>(), rocket.state::<App>())
        else {
            return;
        };
        let path = req.uri().path();
        if !limiter.enabled() || exempt(path.as_str()) {
            return;
        }
        // Rocket's local test client has no peer; a served request always has one.
        let Some(addr) = crate::auth::guards::client_address(req) else {
            return;
        };
        let Err(refusal) = limiter.check(addr, is_write(req.method()), app.now_ms()) else {
            return;
        };
        if let Some(m) = rocket.state::<super::metrics::Metrics>() {
            m.rate_limited(refusal.limit);
        }
        tracing::debug!(%addr, limit = refusal.limit.as_str(), path = %path, "rate limited");
        let to = if path.starts_with("/api/") || path == "/api" {
            API_REFUSAL
        } else {
            PAGE_REFUSAL
        };
        req.local_cache(|| Refused(Some(refusal.retry_after_s)));
        // HEAD stays HEAD: Rocket answers it from the GET route without a body.
        if req.method() != Method::Head {
            req.set_method(Method::Get);
        }
        req.set_uri(Origin::parse(to).expect("a valid path"));
    }
}

/// Seconds to wait, when the fairing refused this request; the refusing routes are not found
/// otherwise.
pub struct RetryAfter(u64);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for RetryAfter {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        match req.local_cache(|| Refused(None)).0 {
            Some(s) => Outcome::Success(RetryAfter(s)),
            None => Outcome::Forward(rocket::http::Status::NotFound),
        }
    }
}

fn throttled(r: RetryAfter) -> Error {
    Error::Throttled {
        code: Code::Throttled,
        retry_after_s: r.0,
    }
}

/// The JSON refusal (`{"error": {"code": "throttled", …}}`).
#[get("/api/_rate_limited")]
pub fn refuse_api(r: RetryAfter) -> Error {
    throttled(r)
}

/// The page refusal (the error page in the caller's language).
#[get("/_rate_limited")]
pub fn refuse_page(r: RetryAfter) -> Error {
    throttled(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(requests: u32, writes: u32, cap: usize) -> RateLimiter {
        RateLimiter::with_capacity(
            &LimitsConfig {
                requests_per_minute: requests,
                writes_per_minute: writes,
            },
            cap,
        )
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn a_bucket_per_address_refills_with_time() {
        let l = limiter(6, 0, 100);
        let a = ip("10.0.0.1");
        for _ in 0..6 {
            assert_eq!(l.check(a, false, 0), Ok(()));
        }
        let r = l.check(a, false, 500).unwrap_err();
        assert_eq!(r.limit, Limit::Requests);
        // One request back every 10 s; 0.5 s of it has passed.
        assert_eq!(r.retry_after_s, 10);
        assert!(
            l.check(ip("10.0.0.2"), false, 500).is_ok(),
            "another address"
        );
        assert!(l.check(a, false, 9_999).is_err(), "not yet");
        assert!(l.check(a, false, 10_000).is_ok(), "one is back");
        assert!(l.check(a, false, 10_000).is_err());
        assert!(
            l.check(a, true, 10_000).is_err(),
            "writes count as requests"
        );
    }

    #[test]
    fn writes_have_their_own_tighter_budget() {
        let l = limiter(100, 2, 100);
        let a = ip("192.0.2.7");
        assert!(l.check(a, true, 0).is_ok());
        assert!(l.check(a, true, 0).is_ok());
        let r = l.check(a, true, 0).unwrap_err();
        assert_eq!((r.limit, r.retry_after_s), (Limit::Writes, 30));
        assert!(l.check(a, false, 0).is_ok(), "reads go on");
        assert!(l.check(a, true, 30_000).is_ok());
        // A refused request counted nothing: 97 reads are left of the 100.
        let l = limiter(3, 1, 100);
        assert!(l.check(a, true, 0).is_ok());
        assert!(l.check(a, true, 0).is_err());
        assert!(l.check(a, false, 0).is_ok());
        assert!(l.check(a, false, 0).is_ok());
        assert!(l.check(a, false, 0).is_err());
    }

    #[test]
    fn zero_turns_a_limit_off() {
        let off = limiter(0, 0, 100);
        assert!(!off.enabled());
        let writes_only = limiter(0, 1, 100);
        let a = ip("10.0.0.1");
        for _ in 0..1000 {
            assert!(writes_only.check(a, false, 0).is_ok());
        }
        assert!(writes_only.check(a, true, 0).is_ok());
        assert!(writes_only.check(a, true, 0).is_err());
    }

    #[test]
    fn ipv6_clients_are_counted_per_64() {
        let l = limiter(1, 0, 100);
        assert!(l.check(ip("2001:db8:1:2::1"), false, 0).is_ok());
        assert!(l.check(ip("2001:db8:1:2:ffff::9"), false, 0).is_err());
        assert!(l.check(ip("2001:db8:1:3::1"), false, 0).is_ok());
        assert!(l.check(ip("::ffff:10.0.0.1"), false, 0).is_ok());
        assert!(l.check(ip("10.0.0.1"), false, 0).is_err(), "mapped IPv4");
    }

    #[test]
    fn the_table_stays_bounded() {
        let l = limiter(2, 0, 3);
        for i in 0..3 {
            assert!(l.check(ip(&format!("10.0.0.{i}")), false, 0).is_ok());
        }
        assert_eq!(l.tracked(), 3);
        // Full: newcomers share one bucket; those already known keep theirs.
        assert!(l.check(ip("10.0.1.1"), false, 1).is_ok());
        assert!(l.check(ip("10.0.1.2"), false, 1).is_ok());
        assert!(
            l.check(ip("10.0.1.3"), false, 1).is_err(),
            "the shared bucket"
        );
        assert!(l.check(ip("10.0.0.1"), false, 1).is_ok());
        assert_eq!(l.tracked(), 3);
        // A minute later the idle addresses are forgotten and a newcomer gets its own bucket.
        assert!(l.check(ip("10.0.1.3"), false, 61_000).is_ok());
        assert_eq!(l.tracked(), 1);
    }
}
