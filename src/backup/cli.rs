//! `oanode backup` and `oanode restore`. A running node holds its store, so `backup` asks it,
//! through the control file it writes at start (`<data>/control.json`: its address and a secret
//! only the node's user can read), to write the backup; a stopped node's store is opened here.

use std::io::Write;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::App;
use crate::config::{Config, Flags};
use crate::store::{self, Store, blobs::Blobs};

pub const CONTROL_FILE: &str = "control.json";

#[derive(Debug, Serialize, Deserialize)]
pub struct ControlFile {
    pub addr: String,
    pub token: String,
    /// When the node serves HTTPS itself: the SHA-256 (hex) of its certificate, the one
    /// certificate `oanode backup` then trusts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_sha256: Option<String>,
}

/// Writes the control file of a node that starts serving on `addr` (owner-only permissions),
/// over TLS with the certificate whose SHA-256 is `tls_sha256`; returns the token.
pub fn write_control(
    data: &Path,
    addr: std::net::SocketAddr,
    tls_sha256: Option<&str>,
) -> std::io::Result<String> {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    // A node listening on every address is asked on loopback.
    let host = if addr.ip().is_unspecified() {
        std::net::SocketAddr::new([127, 0, 0, 1].into(), addr.port())
    } else {
        addr
    };
    let json = serde_json::to_vec(&ControlFile {
        addr: host.to_string(),
        token: token.clone(),
        tls_sha256: tls_sha256.map(str::to_string),
    })?;
    let path = data.join(CONTROL_FILE);
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(&path)?;
    f.write_all(&json)?;
    f.sync_all()?;
    Ok(token)
}

pub fn remove_control(data: &Path) {
    let _ = std::fs::remove_file(data.join(CONTROL_FILE));
}

/// One JSON POST to the node on this machine; `None` when nobody answers (a stale control file).
fn ask_node(c: &ControlFile, path: &str, body: &str) -> Option<Result<String, String>> {
    // A backup of a large store takes a while; the node answers when it is written.
    let timeout = Duration::from_secs(6 * 3600);
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {}\r\nX-Oanode-Control: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        c.addr,
        c.token,
        body.len()
    );
    let answer = match &c.tls_sha256 {
        Some(fingerprint) => {
            let addr = c.addr.parse().ok()?;
            let mut s = match crate::web::tls::connect_pinned(addr, fingerprint, timeout) {
                Ok(s) => s,
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => return None,
                Err(e) => return Some(Err(format!("cannot reach the node over TLS: {e}"))),
            };
            crate::web::tls::exchange(&mut s, request.as_bytes()).ok()?
        }
        None => {
            let mut s = TcpStream::connect(&c.addr).ok()?;
            let _ = s.set_read_timeout(Some(timeout));
            crate::web::tls::exchange(&mut s, request.as_bytes()).ok()?
        }
    };
    let answer = String::from_utf8_lossy(&answer);
    let status: u16 = answer.split(' ').nth(1)?.parse().ok()?;
    let body = answer
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    Some(if status == 200 {
        Ok(body)
    } else {
        Err(format!("the node answered {status}: {body}"))
    })
}

/// `oanode backup --data DIR --out FILE`.
pub fn backup(data: &Path, out: &Path, now_ms: i64) -> Result<String, String> {
    if !data.join(store::FILE_NAME).exists() {
        return Err(format!("{} holds no oanode store", data.display()));
    }
    let out = if out.is_absolute() {
        out.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(|e| e.to_string())?
            .join(out)
    };
    if let Ok(text) = std::fs::read(data.join(CONTROL_FILE))
        && let Ok(c) = serde_json::from_slice::<ControlFile>(&text)
    {
        let body = serde_json::json!({"out": out.display().to_string()}).to_string();
        if let Some(answer) = ask_node(&c, "/api/v1/node/backup", &body) {
            let done: serde_json::Value =
                serde_json::from_str(&answer?).map_err(|e| e.to_string())?;
            return Ok(format!(
                "oanode: 备份完成 / backup written by the running node: {} ({} files, {} bytes, {} audit entries)",
                out.display(),
                done["files"],
                done["bytes"],
                done["audit_entries"]
            ));
        }
    }
    let config = Config::load(data, &Flags::default())?;
    let store = Store::open(data, config.store.cache_mb << 20).map_err(|e| {
        format!("cannot open the store ({e}); if the node is running, start it again so that it writes {CONTROL_FILE}")
    })?;
    let blobs = Blobs::open(&data.join("blobs")).map_err(|e| e.to_string())?;
    let m = super::create(&store, &blobs, data, &out, now_ms).map_err(|e| e.to_string())?;
    Ok(format!(
        "oanode: 备份完成 / backup written: {} ({} files, {} audit entries)",
        out.display(),
        m.files.len(),
        m.audit_entries
    ))
}

/// `oanode restore FILE --data NEWDIR`: unpacks and verifies, then opens the node, rebuilds its
/// search index and checks it.
pub fn restore(
    file: &Path,
    data: &Path,
    clock: std::sync::Arc<dyn crate::clock::Clock>,
) -> Result<String, String> {
    let m = super::restore(file, data).map_err(|e| match e {
        crate::error::Error::BadRequest(s) => s,
        e => e.to_string(),
    })?;
    let config = Config::load(data, &Flags::default())?;
    let app = App::open(data, config, clock).map_err(|e| e.to_string())?;
    let indexed = app.reindex().map_err(|e| e.to_string())?;
    let report = crate::check::run(app.store()).map_err(|e| e.to_string())?;
    if !report.problems.is_empty() {
        return Err(format!(
            "restored, but the check found problems: {}",
            report.problems.join("; ")
        ));
    }
    if report.audit_entries != m.audit_entries {
        return Err(format!(
            "restored, but the audit chain holds {} entries where the backup recorded {}",
            report.audit_entries, m.audit_entries
        ));
    }
    app.shutdown();
    Ok(format!(
        "oanode: 恢复完成 / restored into {}: {} files, {} audit entries (chain verified), search index rebuilt ({indexed} items); start it with `oanode serve --data {}`",
        data.display(),
        m.files.len(),
        report.audit_entries,
        data.display()
    ))
}

/// The absolute form of `p` (for messages and the control request).
pub fn absolute(p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    }
}
