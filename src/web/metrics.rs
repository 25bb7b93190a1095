//! `GET /metrics`: the node's own figures in the Prometheus text format: requests by route and
//! status, latency histograms by route, sign-in failures, rate-limit refusals, and at each scrape
//! the store's size, the index's lag behind the outbox, the indexed items, the active sessions,
//! the resident memory and the uptime. Only the group's administrators (a session, or an
//! integration token of theirs for the scraper) may read it.

use std::sync::Mutex;
use std::time::Instant;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use rocket::http::{ContentType, Method};
use rocket::{Request, State, get};

use crate::App;
use crate::auth::{Actor, Permission, Scope};
use crate::error::{Code, Error, Result};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LimitLabels {
    limit: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

type Buckets = fn() -> Histogram;

fn latency_buckets() -> Histogram {
    // 0.5 ms to about 4 s.
    Histogram::new(exponential_buckets(0.0005, 2.0, 14))
}

/// The registry and the live figures; managed by Rocket, fed by the request log fairing.
pub struct Metrics {
    registry: Mutex<Registry>,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, Buckets>,
    sign_in_failures: Counter,
    rate_limited: Family<LimitLabels, Counter>,
    store_bytes: Gauge,
    outbox_lag: Gauge,
    indexed: Gauge,
    sessions: Gauge,
    resident_bytes: Gauge,
    allocated_bytes: Gauge,
    allocator_resident_bytes: Gauge,
    uptime_seconds: Gauge,
    started: Instant,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut r = Registry::with_prefix("oanode");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram, Buckets>::new_with_constructor(
            latency_buckets as Buckets,
        );
        let sign_in_failures = Counter::default();
        let rate_limited = Family::<LimitLabels, Counter>::default();
        let (store_bytes, outbox_lag, indexed, sessions, resident_bytes, uptime_seconds) = (
            Gauge::default(),
            Gauge::default(),
            Gauge::default(),
            Gauge::default(),
            Gauge::default(),
            Gauge::default(),
        );
        let (allocated_bytes, allocator_resident_bytes) = (Gauge::default(), Gauge::default());
        r.register(
            "http_requests",
            "HTTP requests answered, by route and status",
            requests.clone(),
        );
        r.register(
            "http_request_duration_seconds",
            "Time to answer, by route",
            latency.clone(),
        );
        r.register(
            "sign_in_failures",
            "Sign-ins refused (wrong password, unknown login, locked, throttled)",
            sign_in_failures.clone(),
        );
        r.register(
            "rate_limited",
            "Requests refused by the per-address rate limits ([limits]), by limit",
            rate_limited.clone(),
        );
        r.register(
            "store_size_bytes",
            "Size of the store file",
            store_bytes.clone(),
        );
        r.register(
            "search_outbox_lag",
            "Changes committed to the store and not yet in the search index",
            outbox_lag.clone(),
        );
        r.register(
            "search_indexed_items",
            "Items in the search index",
            indexed.clone(),
        );
        r.register(
            "sessions_active",
            "Sessions and integration tokens held (ended sessions are removed hourly)",
            sessions.clone(),
        );
        r.register(
            "resident_memory_bytes",
            "Resident memory of the process",
            resident_bytes.clone(),
        );
        r.register(
            "allocator_allocated_bytes",
            "Memory the program has allocated and not freed (jemalloc's stats.allocated)",
            allocated_bytes.clone(),
        );
        r.register(
            "allocator_resident_bytes",
            "Memory the allocator keeps resident: allocated, its metadata and freed pages not yet returned",
            allocator_resident_bytes.clone(),
        );
        r.register(
            "uptime_seconds",
            "Seconds since the node started",
            uptime_seconds.clone(),
        );
        Metrics {
            registry: Mutex::new(r),
            requests,
            latency,
            sign_in_failures,
            rate_limited,
            store_bytes,
            outbox_lag,
            indexed,
            sessions,
            resident_bytes,
            allocated_bytes,
            allocator_resident_bytes,
            uptime_seconds,
            started: Instant::now(),
        }
    }
}

impl Metrics {
    /// Records one answered request (called by the request log fairing).
    pub fn observe(&self, req: &Request<'_>, status: u16, seconds: f64) {
        // The route's template (`/api/v1/posts/<id>`), not the path: a bounded set of labels.
        let route = req.route().map_or_else(
            || "unmatched".to_string(),
            |r| {
                let uri = r.uri.as_str();
                uri.split('?').next().unwrap_or(uri).to_string()
            },
        );
        let method = req.method().as_str().to_string();
        if req.method() == Method::Post
            && (route == "/api/v1/auth/login" || route == "/login")
            && !(200..400).contains(&status)
        {
            self.sign_in_failures.inc();
        }
        self.latency
            .get_or_create(&RouteLabels {
                method: method.clone(),
                route: route.clone(),
            })
            .observe(seconds);
        self.requests
            .get_or_create(&RequestLabels {
                method,
                route,
                status,
            })
            .inc();
    }

    /// Counts a request refused by a rate limit (called by the rate limit fairing).
    pub fn rate_limited(&self, limit: super::ratelimit::Limit) {
        self.rate_limited
            .get_or_create(&LimitLabels {
                limit: limit.as_str(),
            })
            .inc();
    }

    fn refresh(&self, app: &App) -> Result<()> {
        let size = std::fs::metadata(app.store().path()).map_or(0, |m| m.len());
        self.store_bytes.set(size as i64);
        let (last, sessions) = app.store().read(|tx| {
            Ok((
                crate::store::outbox::last_seq(tx)?,
                crate::auth::store::session_count(tx)?,
            ))
        })?;
        self.outbox_lag
            .set(last.saturating_sub(app.search().position()) as i64);
        self.indexed.set(app.search().num_docs() as i64);
        self.sessions.set(sessions as i64);
        self.resident_bytes.set(resident_bytes() as i64);
        let heap = crate::alloc::stats().unwrap_or_default();
        self.allocated_bytes.set(heap.allocated as i64);
        self.allocator_resident_bytes.set(heap.resident as i64);
        self.uptime_seconds
            .set(self.started.elapsed().as_secs() as i64);
        Ok(())
    }

    fn render(&self) -> Result<String> {
        let mut out = String::new();
        let registry = self
            .registry
            .lock()
            .map_err(|_| Error::internal("metrics registry poisoned"))?;
        encode(&mut out, &registry).map_err(|e| Error::internal(format!("metrics: {e}")))?;
        Ok(out)
    }
}

/// VmRSS of this process (0 where /proc is not there).
fn resident_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

/// The figures (group administrators: a session or one of their integration tokens).
#[get("/metrics")]
pub async fn metrics(
    app: &State<App>,
    m: &State<Metrics>,
    actor: Actor,
) -> Result<(ContentType, String)> {
    let root = app.tree()?.root().unwrap_or(0);
    let admin = actor.grants.iter().any(|(role, at)| {
        *at == root && crate::auth::actor::role_permissions(role).contains(&Permission::ManageOrg)
    });
    if !admin || actor.scope == Scope::EhrSync {
        return Err(Error::Forbidden(Code::Forbidden));
    }
    m.refresh(app)?;
    let text = m.render()?;
    Ok((
        ContentType::new("text", "plain").with_params(("version", "0.0.4")),
        text,
    ))
}
