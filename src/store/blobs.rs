//! File bodies, content-addressed by SHA-256 under `<data>/blobs/ab/cdef…`. A body is written to
//! a temporary file, fsynced and renamed into place before the record that names it commits, so a
//! committed record never points at a missing or partial file.

use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

#[derive(Clone)]
pub struct Blobs {
    dir: PathBuf,
}

impl Blobs {
    pub fn open(dir: &Path) -> Result<Blobs> {
        fs::create_dir_all(dir.join("tmp"))?;
        Ok(Blobs {
            dir: dir.to_path_buf(),
        })
    }

    fn path_of(&self, hash: &str) -> Option<PathBuf> {
        let valid = hash.len() == 64
            && hash
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
        valid.then(|| self.dir.join(&hash[..2]).join(&hash[2..]))
    }

    /// Stores a body read from `src`; returns its hash and size. Storing the same body twice
    /// keeps one copy.
    /// Stores an upload named `name` of at most `max` bytes: the name checked (1–200 characters,
    /// no path), the body written and synced. Returns the trimmed name, the hash and the size.
    pub fn put_upload(
        &self,
        name: &str,
        body: impl Read,
        max: u64,
    ) -> Result<(String, String, u64)> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 || name.contains(['/', '\\', '\0']) {
            return Err(crate::error::Error::field("name", "error.invalid"));
        }
        let (sha256, size) = self.put(body.take(max + 1))?;
        if size > max {
            return Err(crate::error::Error::TooLarge);
        }
        Ok((name.to_string(), sha256, size))
    }

    pub fn put(&self, mut src: impl Read) -> Result<(String, u64)> {
        let tmp = tempfile::NamedTempFile::new_in(self.dir.join("tmp"))?;
        let mut hasher = Sha256::new();
        let mut size = 0u64;
        let mut buf = vec![0u8; 64 * 1024];
        let mut out = tmp.as_file();
        loop {
            let n = src.read(&mut buf)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            out.write_all(&buf[..n])?;
            size += n as u64;
        }
        out.sync_all()?;
        let hash = hex::encode(hasher.finalize());
        let dest = self
            .path_of(&hash)
            .ok_or_else(|| Error::internal("bad blob hash"))?;
        if !dest.exists() {
            let parent = dest.parent().ok_or_else(|| Error::internal("blob path"))?;
            fs::create_dir_all(parent)?;
            tmp.persist(&dest).map_err(|e| Error::from(e.error))?;
            File::open(parent)?.sync_all()?;
        }
        Ok((hash, size))
    }

    /// Opens a stored body; `NotFound` for an unknown or malformed hash.
    pub fn open_blob(&self, hash: &str) -> Result<File> {
        let path = self.path_of(hash).ok_or(Error::NotFound)?;
        File::open(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::NotFound,
            _ => Error::from(e),
        })
    }

    /// The hashes of every stored body (not those being written).
    pub fn list(&self) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for dir in fs::read_dir(&self.dir)? {
            let dir = dir?;
            let prefix = dir.file_name().to_string_lossy().to_string();
            if prefix.len() != 2 || !dir.file_type()?.is_dir() {
                continue;
            }
            for f in fs::read_dir(dir.path())? {
                let hash = format!("{prefix}{}", f?.file_name().to_string_lossy());
                if self.path_of(&hash).is_some() {
                    out.push(hash);
                }
            }
        }
        out.sort();
        Ok(out)
    }

    /// Where a body lives on disk.
    pub fn path(&self, hash: &str) -> Option<PathBuf> {
        self.path_of(hash)
    }

    pub fn exists(&self, hash: &str) -> bool {
        self.path_of(hash).is_some_and(|p| p.is_file())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_body_is_stored_once_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = Blobs::open(dir.path()).unwrap();
        let (h1, n) = blobs.put(&b"\xe5\x85\xac\xe6\x96\x87 body"[..]).unwrap();
        let (h2, _) = blobs.put(&b"\xe5\x85\xac\xe6\x96\x87 body"[..]).unwrap();
        assert_eq!(h1, h2);
        assert_eq!(n, 11);
        let mut s = String::new();
        blobs
            .open_blob(&h1)
            .unwrap()
            .read_to_string(&mut s)
            .unwrap();
        assert_eq!(s, "公文 body");
        assert_eq!(fs::read_dir(dir.path().join("tmp")).unwrap().count(), 0);
    }

    #[test]
    fn malformed_or_unknown_hash_is_not_found() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = Blobs::open(dir.path()).unwrap();
        assert!(matches!(
            blobs.open_blob("../../etc/passwd"),
            Err(Error::NotFound)
        ));
        assert!(matches!(
            blobs.open_blob(&"a".repeat(64)),
            Err(Error::NotFound)
        ));
        assert!(!blobs.exists("xyz"));
    }
}
