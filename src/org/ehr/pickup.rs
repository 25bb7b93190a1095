//! The nightly pickup: at `ehr.pickup_at` (local time in `config.timezone`, default 23:30) every
//! `*.json` and `*.xlsx` file in the `ehr.inbox` folder is synced, in name order, as the
//! system. A processed file moves to `<inbox>/done/`; a file refused whole moves to
//! `<inbox>/failed/` with `<name>.error.txt` beside it saying why. When the store itself fails,
//! the file stays where it is for the next run.
//!
//! The last run is kept in the store (`meta: ehr.last_pickup_ms`), so a node that was down at
//! pickup time catches up when it starts.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use chrono::{NaiveTime, TimeZone};
use chrono_tz::Tz;

use super::model::{SyncActor, SyncOptions, SyncReport};
use super::parse::parse_path;
use super::service::sync;
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::store::{self, Store};

const LAST_RUN: &str = "ehr.last_pickup_ms";

/// `HH:MM`, 00:00 to 23:59, two digits each.
pub fn parse_pickup_at(s: &str) -> Option<NaiveTime> {
    let b = s.as_bytes();
    if b.len() != 5
        || b[2] != b':'
        || !s[..2]
            .bytes()
            .chain(s[3..].bytes())
            .all(|c| c.is_ascii_digit())
    {
        return None;
    }
    NaiveTime::from_hms_opt(s[..2].parse().ok()?, s[3..].parse().ok()?, 0)
}

/// The instant of `at` on a local date in `tz` (a time skipped by a clock change moves an hour
/// later; a repeated one takes the first).
fn local_instant(tz: Tz, date: chrono::NaiveDate, at: NaiveTime) -> Option<i64> {
    let naive = date.and_time(at);
    tz.from_local_datetime(&naive)
        .earliest()
        .or_else(|| {
            tz.from_local_datetime(&(naive + chrono::Duration::hours(1)))
                .earliest()
        })
        .map(|t| t.timestamp_millis())
}

/// The latest pickup time at or before `now_ms`.
fn latest_slot(now_ms: i64, at: NaiveTime, tz: Tz) -> Option<i64> {
    let now = tz.timestamp_millis_opt(now_ms).single()?;
    let today = now.date_naive();
    match local_instant(tz, today, at) {
        Some(t) if t <= now_ms => Some(t),
        _ => local_instant(tz, today.pred_opt()?, at),
    }
}

/// Whether a pickup is due: a pickup time has passed since the last run.
pub fn pickup_due(now_ms: i64, last_run_ms: i64, pickup_at: NaiveTime, tz: Tz) -> bool {
    latest_slot(now_ms, pickup_at, tz).is_some_and(|slot| slot > last_run_ms && slot <= now_ms)
}

/// What happened to one inbox file.
#[derive(Debug)]
pub struct PickupOutcome {
    pub file: PathBuf,
    /// Where the file went (`done/…` or `failed/…`).
    pub moved_to: PathBuf,
    /// The report, or the sentence saying why the file was refused.
    pub result: std::result::Result<SyncReport, String>,
}

/// Imports every `*.json` / `*.xlsx` file of `dir`, in name order. Stops (leaving the file in
/// place) on an error of the store rather than of the file.
pub fn pickup(store: &Store, clock: &dyn Clock, dir: &Path) -> Result<Vec<PickupOutcome>> {
    let mut files: Vec<PathBuf> = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        if path.is_file()
            && !name.starts_with('.')
            && (name.ends_with(".json") || name.ends_with(".xlsx"))
        {
            files.push(path);
        }
    }
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let result = match parse_path(&file, None) {
            Ok((snap, source)) => {
                let opts = SyncOptions {
                    dry_run: false,
                    source: format!("inbox: {source}"),
                };
                match sync(store, clock, SyncActor::system(), &snap, opts) {
                    Ok(r) => Ok(r),
                    Err(Error::Validation(f)) => Err(format!("refused: {f:?}")),
                    Err(e) => return Err(e),
                }
            }
            Err(e) => Err(e.to_string()),
        };
        let sub = if result.is_ok() { "done" } else { "failed" };
        let moved_to = move_into(&file, &dir.join(sub), clock.now_ms())?;
        if let Err(why) = &result {
            let mut note = moved_to.clone().into_os_string();
            note.push(".error.txt");
            std::fs::write(PathBuf::from(note), format!("{why}\n"))?;
            tracing::warn!(file = %file.display(), error = %why, "eHR inbox file refused");
        }
        out.push(PickupOutcome {
            file,
            moved_to,
            result,
        });
    }
    Ok(out)
}

/// Moves `file` into `dir`, never over an earlier file of the same name.
fn move_into(file: &Path, dir: &Path, now_ms: i64) -> Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let mut target = dir.join(&name);
    if target.exists() {
        target = dir.join(format!("{now_ms}-{name}"));
    }
    std::fs::rename(file, &target)?;
    Ok(target)
}

/// The running pickup thread; `stop` ends it (within a second) and waits for it.
pub struct PickupScheduler {
    stop: Arc<AtomicBool>,
    handle: Mutex<Option<JoinHandle<()>>>,
}

impl PickupScheduler {
    pub fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
        let handle = self.handle.lock().ok().and_then(|mut h| h.take());
        if let Some(h) = handle {
            h.thread().unpark();
            let _ = h.join();
        }
    }
}

impl Drop for PickupScheduler {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Starts the pickup thread for `inbox`. After each imported file `after` gets its report (to
/// end the disabled people's sessions and refresh the unit tree).
pub fn start_scheduler(
    store: Store,
    clock: Arc<dyn Clock>,
    inbox: PathBuf,
    pickup_at: NaiveTime,
    tz: Tz,
    after: Box<dyn Fn(&SyncReport) + Send>,
) -> Result<PickupScheduler> {
    let mut last = match store.read(|tx| store::meta_get(tx, LAST_RUN))? {
        Some(ms) => ms as i64,
        // Never ran: start counting from now, not from last night.
        None => clock.now_ms(),
    };
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let handle = std::thread::Builder::new()
        .name("ehr-pickup".into())
        .spawn(move || {
            while !flag.load(Ordering::SeqCst) {
                let now = clock.now_ms();
                if pickup_due(now, last, pickup_at, tz) {
                    last = now;
                    run_once(&store, &*clock, &inbox, &*after, now);
                }
                std::thread::park_timeout(Duration::from_secs(1));
            }
        })?;
    Ok(PickupScheduler {
        stop,
        handle: Mutex::new(Some(handle)),
    })
}

fn run_once(store: &Store, clock: &dyn Clock, inbox: &Path, after: &dyn Fn(&SyncReport), now: i64) {
    if let Err(e) = store.write(|tx| store::meta_set(tx, LAST_RUN, now.max(0) as u64)) {
        tracing::error!(error = %e, "cannot record the eHR pickup time");
    }
    if !inbox.is_dir() {
        tracing::warn!(inbox = %inbox.display(), "the eHR inbox is not a folder; nothing picked up");
        return;
    }
    match pickup(store, clock, inbox) {
        Ok(outcomes) => {
            for o in &outcomes {
                if let Ok(r) = &o.result {
                    tracing::info!(file = %o.file.display(), report = r.id, changes = r.counts.changes(), rejected = r.counts.rejected, "eHR file synced");
                    after(r);
                }
            }
        }
        Err(e) => tracing::error!(error = %e, "eHR pickup stopped"),
    }
}
