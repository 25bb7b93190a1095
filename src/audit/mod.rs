//! Reading the audit log: administrators filter it by who acted, the action and the date. The
//! chain itself lives in `store::audit`; this is its read side, scoped by `ViewAudit`.
//!
//! A group administrator (ViewAudit on the root) reads every entry; an enterprise administrator
//! reads the entries whose actor, or whose target user, belongs to their enterprise's subtree.

pub mod api;
pub mod pages;

use chrono::{NaiveDate, TimeZone};

use crate::App;
use crate::auth::{Actor, Permission, Scope};
use crate::error::{Code, Error, Result};
use crate::org::store as org_store;
use crate::store::audit::{self, AuditEntry};

/// Entries per answer, at most.
pub const MAX_LIMIT: usize = 200;
/// Entries examined per answer, at most: a narrow filter on a long log answers what it found
/// with a cursor to go on, instead of walking the whole log in one request.
const SCAN_CAP: usize = 20_000;

#[derive(Debug, Default)]
pub struct Filter {
    /// A login (exact, case-insensitive): entries where this person acted or was acted on (a
    /// sign-in, failed or not, targets the account before anyone is signed in).
    pub user: Option<String>,
    /// An action or an action prefix (`auth.` matches `auth.login`).
    pub action: Option<String>,
    /// Local dates (node time zone), inclusive.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Only entries with a smaller sequence number (the cursor of the previous answer).
    pub before: Option<u64>,
    pub limit: usize,
}

impl Filter {
    /// A filter from query parameters (the API's and the page's): blanks are absent, dates are
    /// `YYYY-MM-DD`, the limit defaults to 50 and stops at [`MAX_LIMIT`].
    pub fn parse(
        user: Option<String>,
        action: Option<String>,
        from: Option<&str>,
        to: Option<&str>,
        before: Option<u64>,
        limit: Option<usize>,
    ) -> Result<Filter> {
        let nonempty =
            |s: Option<String>| s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        let date = |field: &str, s: Option<&str>| match s.map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => parse_date(field, s).map(Some),
            None => Ok(None),
        };
        let filter = Filter {
            user: nonempty(user),
            action: nonempty(action),
            from: date("from", from)?,
            to: date("to", to)?,
            before,
            limit: limit.unwrap_or(50).min(MAX_LIMIT),
        };
        if filter.user.as_ref().is_some_and(|u| u.len() > 64) {
            return Err(Error::field("user", "error.too_long"));
        }
        if filter.action.as_ref().is_some_and(|a| a.len() > 64) {
            return Err(Error::field("action", "error.too_long"));
        }
        Ok(filter)
    }
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct EntryView {
    pub seq: u64,
    /// RFC 3339 in the node's time zone.
    pub at: String,
    pub actor_login: String,
    pub action: String,
    pub target: String,
    pub detail: String,
    pub ip: Option<String>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct EntryPage {
    pub items: Vec<EntryView>,
    /// Pass as `before` for the next (older) page; absent at the log's start.
    pub next_before: Option<u64>,
}

/// Parses `YYYY-MM-DD`, answering the field's localized error.
pub fn parse_date(field: &str, s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| Error::field(field, "error.date"))
}

pub fn search(app: &App, actor: &Actor, f: &Filter) -> Result<EntryPage> {
    if actor.scope != Scope::Full || !actor.can_anywhere(Permission::ViewAudit) {
        return Err(Error::Forbidden(Code::Forbidden));
    }
    let tz = app.config().tz().map_err(Error::internal)?;
    let day_start = |d: NaiveDate| {
        tz.from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
            .earliest()
            .map_or(i64::MIN, |t| t.timestamp_millis())
    };
    let from_ms = f.from.map_or(i64::MIN, day_start);
    let to_ms = f.to.and_then(|d| d.succ_opt()).map_or(i64::MAX, day_start);
    let user = f.user.as_deref().map(str::to_lowercase);
    let limit = f.limit.clamp(1, MAX_LIMIT);
    let tree = &actor.tree;
    let everything = tree
        .ancestors(actor.unit_id)
        .last()
        .is_some_and(|root| actor.can(Permission::ViewAudit, *root));

    // Whose unit each user is in, for the enterprise scope: the cached directory, not a read of
    // every user per request.
    let dir = if everything {
        None
    } else {
        Some(app.directory()?)
    };
    app.store().read(|tx| {
        let unit_of = |id: u64| dir.as_ref().and_then(|d| d.person(id)).map(|p| p.unit_id);
        let visible = |e: &AuditEntry| {
            everything || {
                let target_user = e
                    .target
                    .strip_prefix("user:")
                    .and_then(|s| s.parse::<u64>().ok());
                [e.actor_id, target_user]
                    .into_iter()
                    .flatten()
                    .any(|id| unit_of(id).is_some_and(|u| actor.can(Permission::ViewAudit, u)))
            }
        };
        let user_target = match user.as_deref() {
            Some(u) => org_store::user_by_login(tx, u)?.map(|u| format!("user:{}", u.id)),
            None => None,
        };
        let mut items = Vec::new();
        let mut cursor = f.before;
        let mut scanned = 0;
        let mut exhausted = false;
        'scan: while items.len() < limit && scanned < SCAN_CAP {
            let batch = audit::recent(tx, cursor, 500)?;
            if batch.is_empty() {
                exhausted = true;
                break;
            }
            for e in batch {
                scanned += 1;
                cursor = Some(e.seq);
                if e.at_ms < from_ms {
                    exhausted = true; // the log is in time order: nothing older can match
                    break 'scan;
                }
                let keep = e.at_ms < to_ms
                    && user.as_deref().is_none_or(|u| {
                        e.actor_login.to_lowercase() == u
                            || user_target.as_deref() == Some(e.target.as_str())
                    })
                    && f.action.as_deref().is_none_or(|a| e.action.starts_with(a))
                    && visible(&e);
                if keep {
                    items.push(view(&tz, e));
                    if items.len() == limit {
                        break 'scan;
                    }
                }
            }
        }
        let next_before = match cursor {
            Some(c) if !exhausted && c > 1 => Some(c),
            _ => None,
        };
        Ok(EntryPage { items, next_before })
    })
}

fn view(tz: &chrono_tz::Tz, e: AuditEntry) -> EntryView {
    let at = tz
        .timestamp_millis_opt(e.at_ms)
        .single()
        .map(|t| t.to_rfc3339())
        .unwrap_or_default();
    EntryView {
        seq: e.seq,
        at,
        actor_login: e.actor_login,
        action: e.action,
        target: e.target,
        detail: e.detail,
        ip: e.ip,
    }
}
