//! Full-text search: one tantivy index for every searchable kind, fed by the store's outbox.
//!
//! - [`schema`]: the fields; [`tokenizer`]: jieba words and CJK bigrams.
//! - [`indexer`]: `catch_up` applies the outbox to the index and records the outbox position in
//!   the tantivy commit itself, so a crash anywhere only re-applies changes (an upsert deletes the
//!   key's old version first, so re-applying is harmless); the outbox is pruned only after the
//!   commit. `rebuild` wipes and refills it from the store (`oanode reindex`).
//! - [`query`]: words query plus bigram phrase fallback, always filtered by the caller's ACL terms;
//!   relevance or newest-first order; `facets` (kind and date counts), `snippets` (highlighting),
//!   `suggest` (titles while typing).
//!
//! The index is a cache: an index of another schema version, or one that cannot be read, is
//! wiped at open and starts empty.

pub mod api;
pub mod extract;
mod facets;
pub mod indexer;
pub mod pages;
pub mod query;
pub mod schema;
pub mod service;
mod snippets;
mod suggest;
pub mod tokenizer;

#[cfg(test)]
mod tests;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use tantivy::directory::MmapDirectory;
use tantivy::{Index, IndexReader, IndexSettings, IndexWriter, ReloadPolicy};

pub use query::{DateBucket, Hit, Order, SearchQuery, SearchResults};
pub use schema::Fields;
pub use suggest::Suggestion;

use crate::error::{Error, Result};
use crate::store::blobs::Blobs;
use crate::store::{Store, outbox};

/// The writer's indexing memory: tantivy's minimum for one thread. The node's whole budget is
/// 200 MB; a larger arena only makes segments bigger between commits.
const WRITER_MEMORY_BYTES: usize = 15_000_000;

/// The search index. Cheap to clone; Send + Sync.
#[derive(Clone)]
pub struct Search(Arc<Inner>);

struct Inner {
    dir: PathBuf,
    fields: Fields,
    reader: IndexReader,
    /// The index's folder as tantivy reads it (`prune_open_files`).
    directory: MmapDirectory,
    /// The one writer, for the life of the `Search`. Its lock also serializes catch-up and
    /// rebuild, so the committed position only moves forward under it.
    writer: Mutex<IndexWriter>,
    store: Store,
    /// File bodies, for the text of attached files.
    blobs: Blobs,
    /// The outbox sequence number of the last tantivy commit.
    position: AtomicU64,
    /// Whether the last catch-up succeeded.
    healthy: AtomicBool,
    /// Whether changes the index never saw were already pruned from the outbox (a new or wiped
    /// index on a store with history): only a rebuild brings it back.
    needs_rebuild: AtomicBool,
    indexer: Mutex<Option<indexer::Indexer>>,
}

impl Search {
    /// Opens or creates the index in `dir` (= `<data>/search`). An index of another schema
    /// version, one that cannot be read, or one ahead of the store's outbox (an index from
    /// another store) is wiped and starts empty; [`Search::needs_rebuild`] then says whether the
    /// store holds content that only a [`Search::rebuild`] can bring back. `blobs` is where the
    /// indexer reads attached files for their text.
    pub fn open(dir: &Path, store: Store, blobs: Blobs) -> Result<Search> {
        let (schema, fields) = schema::build();
        let (first_pending, last_seq) = store.read(|tx| {
            let first = outbox::after(tx, 0, 1)?.first().map(|(seq, _)| *seq);
            let last = outbox::last_seq(tx)?;
            Ok((first, last))
        })?;

        let ((index, directory), position) = match open_existing(dir, &schema) {
            Some((_, position)) if position > last_seq => {
                tracing::warn!(
                    dir = %dir.display(), position, last_seq,
                    "the search index is ahead of the store (another store's index?); starting it afresh"
                );
                (create_fresh(dir, &schema)?, 0)
            }
            Some(found) => found,
            None => (create_fresh(dir, &schema)?, 0),
        };
        tokenizer::register(&index);

        let writer = index
            .writer_with_num_threads(1, WRITER_MEMORY_BYTES)
            .map_err(|e| match e {
                tantivy::TantivyError::LockFailure(..) => Error::Unavailable(format!(
                    "the search index in {} is in use by another process",
                    dir.display()
                )),
                e => e.into(),
            })?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;

        // Changes between the index's position and the oldest change still in the outbox were
        // pruned without reaching this index.
        let first_kept = first_pending.unwrap_or(last_seq.saturating_add(1));
        let needs_rebuild = position.saturating_add(1) < first_kept;
        if needs_rebuild {
            tracing::warn!(
                position,
                first_kept,
                "the search index misses content of the store: run `oanode reindex`"
            );
        }

        Ok(Search(Arc::new(Inner {
            dir: dir.to_path_buf(),
            fields,
            reader,
            directory,
            writer: Mutex::new(writer),
            store,
            blobs,
            position: AtomicU64::new(position),
            healthy: AtomicBool::new(true),
            needs_rebuild: AtomicBool::new(needs_rebuild),
            indexer: Mutex::new(None),
        })))
    }

    /// The outbox sequence number the index has committed (0 when none).
    pub fn position(&self) -> u64 {
        self.0.position.load(Ordering::Acquire)
    }

    /// Documents visible to the current searcher (deleted ones excluded).
    pub fn num_docs(&self) -> u64 {
        self.0.reader.searcher().num_docs()
    }

    /// Whether searches can be served and the indexer keeps up: the writer is intact, a searcher
    /// can be taken and the last catch-up did not fail.
    pub fn is_usable(&self) -> bool {
        if self.0.writer.is_poisoned() || !self.0.healthy.load(Ordering::Acquire) {
            return false;
        }
        // Taking a searcher cannot fail once the reader exists; it is what a query does first.
        let _searcher = self.0.reader.searcher();
        true
    }

    /// Whether the store holds content this index never received (a new, wiped or foreign
    /// index on a store whose outbox was already pruned): call [`Search::rebuild`].
    pub fn needs_rebuild(&self) -> bool {
        self.0.needs_rebuild.load(Ordering::Acquire)
    }

    /// The directory of the index.
    pub fn dir(&self) -> &Path {
        &self.0.dir
    }

    fn lock_writer(&self) -> Result<MutexGuard<'_, IndexWriter>> {
        self.0
            .writer
            .lock()
            .map_err(|_| Error::internal("the search index writer is poisoned"))
    }
}

/// The index in `dir` and its committed position, if it is ours, of this schema version, and
/// readable.
fn open_existing(
    dir: &Path,
    schema: &tantivy::schema::Schema,
) -> Option<((Index, MmapDirectory), u64)> {
    if !dir.join("meta.json").exists() {
        return None;
    }
    let version = fs::read_to_string(dir.join(schema::VERSION_FILE)).unwrap_or_default();
    if version.trim() != schema::SCHEMA_VERSION {
        tracing::warn!(dir = %dir.display(), found = version.trim(), "search index of another version; rebuilding it");
        return None;
    }
    let opened = MmapDirectory::open(dir)
        .map_err(tantivy::TantivyError::from)
        .and_then(|directory| Ok((Index::open(directory.clone())?, directory)));
    let (index, directory) = match opened {
        Ok(opened) => opened,
        Err(e) => {
            tracing::warn!(dir = %dir.display(), error = %e, "search index unreadable; starting it afresh");
            return None;
        }
    };
    if &index.schema() != schema {
        tracing::warn!(dir = %dir.display(), "search index has another schema; starting it afresh");
        return None;
    }
    match index.load_metas() {
        Ok(metas) => Some((
            (index, directory),
            payload_position(metas.payload.as_deref()),
        )),
        Err(e) => {
            tracing::warn!(dir = %dir.display(), error = %e, "search index metadata unreadable; starting it afresh");
            None
        }
    }
}

/// The outbox position a commit payload records (0 when none).
fn payload_position(payload: Option<&str>) -> u64 {
    payload.and_then(|p| p.trim().parse().ok()).unwrap_or(0)
}

/// Empties `dir` (keeping the folder itself, which may be a mount point) and creates an empty
/// index of this schema version in it.
fn create_fresh(dir: &Path, schema: &tantivy::schema::Schema) -> Result<(Index, MmapDirectory)> {
    if dir.exists() {
        for entry in fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_dir() {
                fs::remove_dir_all(&path)?
            } else {
                fs::remove_file(&path)?
            }
        }
    }
    fs::create_dir_all(dir)?;
    let directory = MmapDirectory::open(dir).map_err(tantivy::TantivyError::from)?;
    let index = Index::create(directory.clone(), schema.clone(), IndexSettings::default())?;
    // Written after the index: a crash in between leaves no version file, so the next open
    // starts afresh again.
    let path = dir.join(schema::VERSION_FILE);
    let mut file = fs::File::create(&path)?;
    std::io::Write::write_all(&mut file, schema::SCHEMA_VERSION.as_bytes())?;
    file.sync_all()?;
    Ok((index, directory))
}
