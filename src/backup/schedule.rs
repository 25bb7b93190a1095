//! The daily backup: when `[backup] dir` is set, a backup is written there every day at
//! `[backup] at` (local time), and only the newest `[backup] keep` are kept. Run by the
//! scheduler thread's tick; missed days are not made up (one backup when the node comes back).

use std::fs;
use std::path::{Path, PathBuf};

use super::create_in;
use crate::App;
use crate::error::{Error, Result};
use crate::store::{self, audit};

/// When the last scheduled backup ran (UTC ms), in the store's meta table.
const LAST_RUN: &str = "backup.last_run_ms";

/// The folder scheduled backups go to (relative paths under the data directory), if any.
pub fn folder(app: &App) -> Option<PathBuf> {
    let dir = app.config().backup.dir.trim();
    (!dir.is_empty()).then(|| app.data_dir().join(dir))
}

/// Makes the day's backup if it is due; returns where it went.
pub fn tick(app: &App) -> Result<Option<PathBuf>> {
    let Some(dir) = folder(app) else {
        return Ok(None);
    };
    let at = crate::org::ehr::parse_pickup_at(&app.config().backup.at)
        .ok_or_else(|| Error::internal("invalid backup.at"))?;
    let now = app.now_ms();
    let last = match app.store().read(|tx| store::meta_get(tx, LAST_RUN))? {
        Some(ms) => ms as i64,
        None => {
            // Never ran: count from now, so that a new node does not back up at once.
            app.store()
                .write(|tx| store::meta_set(tx, LAST_RUN, now as u64))?;
            return Ok(None);
        }
    };
    if !crate::org::ehr::pickup::pickup_due(now, last, at, app.tz()) {
        return Ok(None);
    }
    let (path, m) = create_in(app, &dir)?;
    let removed = prune(&dir, app.config().backup.keep)?;
    let detail = format!(
        "{} ({} files, {} audit entries){}",
        path.display(),
        m.files.len(),
        m.audit_entries,
        if removed > 0 {
            format!("; {removed} older removed")
        } else {
            String::new()
        }
    );
    app.store().write(|tx| {
        store::meta_set(tx, LAST_RUN, now as u64)?;
        audit::append(
            tx,
            now,
            audit::Event::system("node.backup", "store", detail.clone()),
        )?;
        Ok(())
    })?;
    tracing::info!(file = %path.display(), "scheduled backup written");
    Ok(Some(path))
}

/// The backups in `dir`, newest first: `(name, bytes)`.
pub fn list(dir: &Path) -> Result<Vec<(String, u64)>> {
    let mut out = Vec::new();
    if !dir.is_dir() {
        return Ok(out);
    }
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().to_string();
        if name.starts_with("oanode-backup-") && name.ends_with(".tar.gz") {
            out.push((name, entry.metadata()?.len()));
        }
    }
    // The names carry the local time in sortable form.
    out.sort_by(|a, b| b.0.cmp(&a.0));
    Ok(out)
}

/// Removes all but the newest `keep` backups (at least one is always kept).
fn prune(dir: &Path, keep: usize) -> Result<usize> {
    let all = list(dir)?;
    let mut removed = 0;
    for (name, _) in all.iter().skip(keep.max(1)) {
        fs::remove_file(dir.join(name))?;
        removed += 1;
    }
    Ok(removed)
}
