//! Backups (备份与恢复): one `.tar.gz` file holding the store as of the last acknowledged write,
//! every stored file body, the configuration and the node's secret key, with a manifest that
//! names and checksums each entry. A backup is made while the node serves (readers go on;
//! writers wait while the store file is copied, about a second per GB), by `oanode backup`, by
//! an administrator's download, or every day by the scheduler (`schedule`). `restore` refuses a
//! target that is not empty and a file that is damaged or not an oanode backup, before writing
//! anything where the node will live. The search index is not in the file: it is rebuilt.

pub mod cli;
pub mod pages;
pub mod schedule;

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::store::blobs::Blobs;
use crate::store::{self, Store};

/// What the first bytes of the manifest say.
pub const MAGIC: &str = "oanode-backup";
/// The layout of the file; a restore refuses a later one.
pub const FORMAT: u32 = 1;
const MANIFEST: &str = "oanode-backup.json";
const STORE_ENTRY: &str = "oanode.redb";
/// The files of the data directory that travel with a backup besides the store and the blobs.
const EXTRA_FILES: [&str; 2] = [crate::config::FILE_NAME, "secret.key"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileSum {
    pub bytes: u64,
    pub sha256: String,
}

/// The backup's table of contents, written last into the archive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub magic: String,
    pub format: u32,
    pub node_version: String,
    pub created_ms: i64,
    pub schema_version: u64,
    /// Audit entries in the store (their chain verified when the backup was made).
    pub audit_entries: u64,
    /// Records made of each kind (the store's id counters).
    pub counters: BTreeMap<String, u64>,
    /// Every other entry of the archive with its size and checksum.
    pub files: BTreeMap<String, FileSum>,
}

fn sum_of(path: &Path) -> Result<FileSum> {
    let mut f = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut bytes = 0u64;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        bytes += n as u64;
    }
    Ok(FileSum {
        bytes,
        sha256: hex::encode(hasher.finalize()),
    })
}

/// Writes a backup of the node in `data_dir` to `out` (through a `.partial` file renamed at the
/// end, so `out` is never half written).
pub fn create(
    store: &Store,
    blobs: &Blobs,
    data_dir: &Path,
    out: &Path,
    now_ms: i64,
) -> Result<Manifest> {
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(parent)?;
    // The store as of the last commit: copied raw while writes wait, then read at leisure.
    let snapshot = tempfile::Builder::new()
        .prefix(".oanode-backup-")
        .tempfile_in(parent)?;
    let blob_list = store.with_writes_paused(|path| {
        fs::copy(path, snapshot.path())?;
        // Every body a record of the snapshot names was stored before that record committed.
        blobs.list()
    })?;
    let (schema_version, audit_entries, counters) = {
        let db = redb::Database::open(snapshot.path())?;
        let tx = redb::ReadableDatabase::begin_read(&db).map_err(Error::from)?;
        let audit = match store::audit::verify(&tx)? {
            Ok(n) => n,
            Err(problems) => {
                return Err(Error::internal(format!(
                    "the audit chain does not verify: {}",
                    problems.join("; ")
                )));
            }
        };
        let schema = store::meta_get(&tx, "schema_version")?.unwrap_or(0);
        (schema, audit, store::counters(&tx)?)
    };

    let partial = out.with_extension("partial");
    let file = File::create(&partial)?;
    let mut tar = tar::Builder::new(GzEncoder::new(file, Compression::fast()));
    let mut files = BTreeMap::new();
    let mut add =
        |tar: &mut tar::Builder<GzEncoder<File>>, name: &str, path: &Path| -> Result<()> {
            files.insert(name.to_string(), sum_of(path)?);
            tar.append_path_with_name(path, name)?;
            Ok(())
        };
    add(&mut tar, STORE_ENTRY, snapshot.path())?;
    for hash in &blob_list {
        if let Some(path) = blobs.path(hash).filter(|p| p.is_file()) {
            add(&mut tar, &format!("blobs/{hash}"), &path)?;
        }
    }
    for name in EXTRA_FILES {
        let path = data_dir.join(name);
        if path.is_file() {
            add(&mut tar, name, &path)?;
        }
    }
    let manifest = Manifest {
        magic: MAGIC.into(),
        format: FORMAT,
        node_version: crate::VERSION.into(),
        created_ms: now_ms,
        schema_version,
        audit_entries,
        counters,
        files,
    };
    let json = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| Error::internal(format!("manifest: {e}")))?;
    let mut header = tar::Header::new_gnu();
    header.set_size(json.len() as u64);
    header.set_mode(0o600);
    header.set_mtime((now_ms / 1000).max(0) as u64);
    header.set_cksum();
    tar.append_data(&mut header, MANIFEST, &json[..])?;
    let gz = tar.into_inner()?;
    let file = gz.finish()?;
    file.sync_all()?;
    fs::rename(&partial, out)?;
    if let Ok(dir) = File::open(parent) {
        let _ = dir.sync_all();
    }
    Ok(manifest)
}

/// Why a restore refused a file, in words for the operator.
fn damaged(what: impl std::fmt::Display) -> Error {
    Error::BadRequest(format!(
        "the backup is damaged or incomplete ({what}); nothing was restored"
    ))
}

fn foreign(what: impl std::fmt::Display) -> Error {
    Error::BadRequest(format!(
        "this is not an oanode backup ({what}); nothing was restored"
    ))
}

/// The archive names a backup may hold: the manifest, the store, `blobs/<sha256>`, the extra
/// files. Anything else (a path escaping the folder among them) marks a foreign file.
fn allowed(name: &str) -> bool {
    let plain = Path::new(name)
        .components()
        .all(|c| matches!(c, Component::Normal(_)));
    plain
        && (name == MANIFEST
            || name == STORE_ENTRY
            || EXTRA_FILES.contains(&name)
            || name.strip_prefix("blobs/").is_some_and(|h| {
                h.len() == 64
                    && h.bytes()
                        .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
            }))
}

/// Unpacks and verifies `file` into the empty (or missing) folder `data_dir`: every entry
/// checked against the manifest, the blobs against their names, before anything is moved into
/// place. Returns the manifest. The caller then opens the node and rebuilds its search index.
pub fn restore(file: &Path, data_dir: &Path) -> Result<Manifest> {
    if data_dir.exists() && fs::read_dir(data_dir)?.next().is_some() {
        return Err(Error::BadRequest(format!(
            "{} is not empty; restore into a new folder (nothing was restored)",
            data_dir.display()
        )));
    }
    let archive = File::open(file)
        .map_err(|e| Error::BadRequest(format!("cannot read {}: {e}", file.display())))?;
    fs::create_dir_all(data_dir)?;
    let staging = data_dir.join(".restoring");
    let result = unpack(archive, &staging).and_then(|m| {
        place(&staging, data_dir)?;
        Ok(m)
    });
    if result.is_err() {
        // Leave the target as it was found: empty.
        let _ = fs::remove_dir_all(&staging);
        for entry in fs::read_dir(data_dir)?.flatten() {
            let p = entry.path();
            let _ = if p.is_dir() {
                fs::remove_dir_all(&p)
            } else {
                fs::remove_file(&p)
            };
        }
    } else {
        fs::remove_dir_all(&staging)?;
    }
    result
}

fn unpack(mut archive: File, staging: &Path) -> Result<Manifest> {
    // A backup is gzip: anything else is not one of ours (a damaged gzip is told apart below).
    let mut magic = [0u8; 2];
    if archive.read_exact(&mut magic).is_err() || magic != [0x1f, 0x8b] {
        return Err(foreign("not a .tar.gz file"));
    }
    std::io::Seek::rewind(&mut archive)?;
    fs::create_dir_all(staging.join("blobs"))?;
    let mut tar = tar::Archive::new(GzDecoder::new(archive));
    let mut found: BTreeMap<String, FileSum> = BTreeMap::new();
    let mut manifest: Option<Manifest> = None;
    let entries = tar.entries().map_err(foreign)?;
    for entry in entries {
        let mut entry = entry.map_err(damaged)?;
        let name = entry.path().map_err(damaged)?.to_string_lossy().to_string();
        if !allowed(&name) {
            return Err(foreign(format!("unexpected entry {name}")));
        }
        if name == MANIFEST {
            let mut json = Vec::new();
            entry
                .by_ref()
                .take(16 << 20)
                .read_to_end(&mut json)
                .map_err(damaged)?;
            let m: Manifest = serde_json::from_slice(&json).map_err(foreign)?;
            manifest = Some(m);
            continue;
        }
        let dest = staging.join(&name);
        let mut out = File::create(&dest)?;
        let mut hasher = Sha256::new();
        let mut bytes = 0u64;
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = entry.read(&mut buf).map_err(damaged)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            out.write_all(&buf[..n])?;
            bytes += n as u64;
        }
        out.sync_all()?;
        found.insert(
            name,
            FileSum {
                bytes,
                sha256: hex::encode(hasher.finalize()),
            },
        );
    }
    let m = manifest.ok_or_else(|| foreign("no manifest"))?;
    if m.magic != MAGIC {
        return Err(foreign("wrong magic"));
    }
    if m.format > FORMAT {
        return Err(Error::BadRequest(format!(
            "the backup was made by a newer oanode (format {}, this one reads {FORMAT}); nothing was restored",
            m.format
        )));
    }
    for (name, sum) in &m.files {
        match found.get(name) {
            None => return Err(damaged(format!("{name} is missing"))),
            Some(f) if f != sum => {
                return Err(damaged(format!("{name} does not match its checksum")));
            }
            Some(_) => {}
        }
        if let Some(hash) = name.strip_prefix("blobs/")
            && *hash != sum.sha256
        {
            return Err(damaged(format!("{name} does not match its name")));
        }
    }
    if let Some(extra) = found.keys().find(|k| !m.files.contains_key(*k)) {
        return Err(damaged(format!("{extra} is not in the manifest")));
    }
    if !m.files.contains_key(STORE_ENTRY) {
        return Err(damaged("no store"));
    }
    Ok(m)
}

/// Moves the verified files from the staging folder to where the node reads them.
fn place(staging: &Path, data_dir: &Path) -> Result<()> {
    let blobs = Blobs::open(&data_dir.join("blobs"))?;
    for entry in fs::read_dir(staging.join("blobs"))? {
        let path = entry?.path();
        blobs.put(File::open(&path)?)?;
    }
    fs::rename(staging.join(STORE_ENTRY), data_dir.join(store::FILE_NAME))?;
    for name in EXTRA_FILES {
        let from = staging.join(name);
        if from.is_file() {
            fs::rename(&from, data_dir.join(name))?;
        }
    }
    File::open(data_dir)?.sync_all()?;
    Ok(())
}

/// The name of a backup made at `now_ms`: `oanode-backup-20261130-023000.tar.gz`, in local time.
pub fn file_name(tz: chrono_tz::Tz, now_ms: i64) -> String {
    use chrono::TimeZone;
    let t = tz
        .timestamp_millis_opt(now_ms)
        .single()
        .map(|t| t.format("%Y%m%d-%H%M%S").to_string())
        .unwrap_or_else(|| now_ms.to_string());
    format!("oanode-backup-{t}.tar.gz")
}

/// A backup of the running node, in `dir` under [`file_name`].
pub fn create_in(app: &crate::App, dir: &Path) -> Result<(PathBuf, Manifest)> {
    let now = app.now_ms();
    let out = dir.join(file_name(app.tz(), now));
    let m = create(app.store(), app.blobs(), app.data_dir(), &out, now)?;
    Ok((out, m))
}
