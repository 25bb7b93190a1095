//! Following the outbox: catch-up, rebuild, and the background indexer thread.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use redb::ReadTransaction;
use tantivy::{IndexWriter, TantivyDocument, Term};

use super::Search;
use crate::error::{Code, Error, Result};
use crate::store::outbox::{self, Change, SearchDoc};

/// Changes read from the outbox per read transaction.
const BATCH: usize = 500;
/// Changes applied between two tantivy commits during a long catch-up, so that progress is
/// durable (and the outbox pruned) as it goes.
const COMMIT_EVERY: usize = 10_000;
/// Longest body indexed and stored, in bytes (cut at a character boundary).
pub const MAX_BODY_BYTES: usize = 1 << 20;
/// How long the background indexer sleeps when no commit wakes it.
const IDLE_WAIT: Duration = Duration::from_secs(2);

/// The running background indexer.
pub(super) struct Indexer {
    stop: Arc<AtomicBool>,
    handle: JoinHandle<()>,
}

impl Search {
    /// Applies every outbox change after the index's committed position, commits with the new
    /// position as the commit payload, reloads the reader, then prunes the outbox through that
    /// position. Returns how many changes were applied. Idempotent; callers on several threads
    /// take turns.
    pub fn catch_up(&self) -> Result<usize> {
        let result = self.catch_up_locked();
        self.0.healthy.store(result.is_ok(), Ordering::Release);
        result
    }

    fn catch_up_locked(&self) -> Result<usize> {
        let mut writer = self.lock_writer()?;
        self.prune_leftovers()?;
        let mut total = 0;
        loop {
            let mut position = self.position();
            let mut applied = 0;
            while applied < COMMIT_EVERY {
                let batch = self.0.store.read(|tx| outbox::after(tx, position, BATCH))?;
                if batch.is_empty() {
                    break;
                }
                for (seq, change) in &batch {
                    if let Err(e) = self.apply(&writer, change) {
                        rollback(&mut writer);
                        return Err(e);
                    }
                    position = *seq;
                    applied += 1;
                }
            }
            if applied == 0 {
                return Ok(total);
            }
            self.commit_at(&mut writer, position)?;
            self.0
                .store
                .write(|tx| outbox::prune_through(tx, position))?;
            total += applied;
        }
    }

    /// Prunes outbox entries the index already committed: left behind when the node stopped
    /// between a tantivy commit and the prune that follows it.
    fn prune_leftovers(&self) -> Result<()> {
        let position = self.position();
        let first = self
            .0
            .store
            .read(|tx| Ok(outbox::after(tx, 0, 1)?.first().map(|(seq, _)| *seq)))?;
        if first.is_some_and(|seq| seq <= position) {
            self.0
                .store
                .write(|tx| outbox::prune_through(tx, position))?;
        }
        Ok(())
    }

    /// Wipes the index and refills it with `docs`, which the caller read from the store in the
    /// same read transaction as `upto_seq` (the outbox's `last_seq`). The commit records
    /// `upto_seq`; the outbox is pruned through it and later changes are applied by a catch-up.
    /// Returns the number of documents added.
    ///
    /// If the index has meanwhile committed changes beyond `upto_seq` (the background indexer ran
    /// between the caller's read and this call), those changes may already be pruned from the
    /// outbox and the snapshot lacks them: this refuses with `Conflict(Stale)` and leaves the
    /// index as it was; read again and retry, or use [`Search::rebuild_from_store`], which takes
    /// the snapshot itself and cannot race.
    pub fn rebuild(
        &self,
        mut docs: impl Iterator<Item = SearchDoc>,
        upto_seq: u64,
    ) -> Result<usize> {
        let count = {
            let mut writer = self.lock_writer()?;
            if self.position() > upto_seq {
                return Err(Error::Conflict(Code::Stale));
            }
            self.refill(&mut writer, |add| {
                docs.try_for_each(add)?;
                Ok(upto_seq)
            })?
        };
        self.catch_up()?;
        Ok(count)
    }

    /// Like [`Search::rebuild`], but reads the store itself: `collect` gets ONE read transaction
    /// (taken while catch-up is held off, so nothing can be pruned between the snapshot and the
    /// commit) and hands each document to `add`. If `collect` fails, the index stays as it was.
    ///
    /// ```text
    /// search.rebuild_from_store(|tx, add| {
    ///     for doc in crate::posts::store::search_docs(tx)? { add(doc)?; }
    ///     Ok(())
    /// })?;
    /// ```
    pub fn rebuild_from_store<F>(&self, collect: F) -> Result<usize>
    where
        F: FnOnce(&ReadTransaction, &mut dyn FnMut(SearchDoc) -> Result<()>) -> Result<()>,
    {
        let count = {
            let mut writer = self.lock_writer()?;
            let store = self.0.store.clone();
            self.refill(&mut writer, |add| {
                store.read(|tx| {
                    let upto = outbox::last_seq(tx)?;
                    collect(tx, add)?;
                    Ok(upto)
                })
            })?
        };
        self.catch_up()?;
        Ok(count)
    }

    /// Deletes every document, adds those `fill` hands to its `add` and commits at the position
    /// `fill` returns, then prunes the outbox through it. On failure the writer rolls back to the
    /// last commit.
    fn refill<F>(&self, writer: &mut IndexWriter, fill: F) -> Result<usize>
    where
        F: FnOnce(&mut dyn FnMut(SearchDoc) -> Result<()>) -> Result<u64>,
    {
        writer.delete_all_documents()?;
        let mut count = 0usize;
        let filled = {
            let w: &IndexWriter = writer;
            let mut add = |doc: SearchDoc| -> Result<()> {
                w.add_document(self.document(&doc))?;
                count += 1;
                Ok(())
            };
            fill(&mut add)
        };
        let upto = match filled {
            Ok(upto) => upto,
            Err(e) => {
                rollback(writer);
                return Err(e);
            }
        };
        self.commit_at(writer, upto)?;
        // One segment after a rebuild: each query then looks its terms up once, not once per
        // segment the bulk load left behind. The merge keeps the commit's position.
        match writer.index().searchable_segment_ids() {
            Ok(ids) if ids.len() > 1 => {
                if let Err(e) = writer.merge(&ids).wait() {
                    tracing::warn!(error = %e, "merging the rebuilt index's segments failed; it stays as it is");
                }
                self.0.reader.reload()?;
            }
            _ => {}
        }
        self.0.needs_rebuild.store(false, Ordering::Release);
        self.0.store.write(|tx| outbox::prune_through(tx, upto))?;
        Ok(count)
    }

    /// Commits what the writer holds with `position` as the payload, then publishes it to
    /// searchers. On failure nothing moves and the writer is rolled back.
    fn commit_at(&self, writer: &mut IndexWriter, position: u64) -> Result<()> {
        let committed = (|| -> tantivy::Result<()> {
            let mut prepared = writer.prepare_commit()?;
            prepared.set_payload(&position.to_string());
            prepared.commit()?;
            Ok(())
        })();
        if let Err(e) = committed {
            rollback(writer);
            return Err(e.into());
        }
        self.0.position.store(position, Ordering::Release);
        self.0.reader.reload()?;
        self.prune_open_files();
        Ok(())
    }

    /// Forgets the files of segments that merges have replaced. tantivy's `MmapDirectory`
    /// remembers every file it has mapped (path and weak reference) and drops the dead entries
    /// only when asked for its cache figures: with a commit a second under write load, that
    /// table was the node's one unbounded growth (a heap profile: +5 MB in 6 minutes, the soak's
    /// +21 MB in half an hour; PERFORMANCE.md › Memory).
    fn prune_open_files(&self) {
        let _ = self.0.directory.get_cache_info();
    }

    fn apply(&self, writer: &IndexWriter, change: &Change) -> Result<()> {
        match change {
            Change::Upsert(doc) => {
                writer.delete_term(Term::from_field_text(self.0.fields.key, &doc.key));
                writer.add_document(self.document(doc))?;
            }
            Change::Delete { key } => {
                writer.delete_term(Term::from_field_text(self.0.fields.key, key));
            }
        }
        Ok(())
    }

    fn document(&self, doc: &SearchDoc) -> TantivyDocument {
        let f = &self.0.fields;
        let mut body = cut(&doc.body, MAX_BODY_BYTES).to_string();
        // Attached files: their names, and the text of those we can read, after the body.
        for file in &doc.files {
            if body.len() >= MAX_BODY_BYTES {
                break;
            }
            body.push('\n');
            body.push_str(&file.name);
            if let Some(text) = super::extract::text_of(&self.0.blobs, file) {
                body.push('\n');
                body.push_str(&text);
            }
        }
        let body = cut(&body, MAX_BODY_BYTES);
        let mut d = TantivyDocument::new();
        d.add_text(f.key, &doc.key);
        d.add_text(f.kind, &doc.kind);
        d.add_text(f.title, &doc.title);
        d.add_text(f.body, body);
        d.add_text(f.title_bigram, &doc.title);
        d.add_text(f.body_bigram, body);
        for term in &doc.acl {
            d.add_text(f.acl, term);
        }
        d.add_i64(f.time, doc.time_ms);
        d.add_text(f.url, &doc.url);
        for unit in &doc.units {
            d.add_u64(f.unit, *unit);
        }
        d
    }

    /// Starts the background indexer: a thread that catches up after every store commit (and at
    /// least every 2 s), logging failures and carrying on, until [`Search::stop`]. A second call
    /// while it runs does nothing.
    pub fn start_indexer(&self) {
        let Ok(mut slot) = self.0.indexer.lock() else {
            tracing::error!("search indexer state poisoned; not starting it");
            return;
        };
        if slot.is_some() {
            return;
        }
        let stop = Arc::new(AtomicBool::new(false));
        let search = self.clone();
        let stopping = stop.clone();
        let spawned = std::thread::Builder::new()
            .name("oanode-indexer".into())
            .spawn(move || {
                let signal = search.0.store.signal();
                while !stopping.load(Ordering::Acquire) {
                    search.catch_up_logged();
                    signal.wait(IDLE_WAIT);
                }
                search.catch_up_logged();
            });
        match spawned {
            Ok(handle) => *slot = Some(Indexer { stop, handle }),
            Err(e) => tracing::error!(error = %e, "could not start the search indexer thread"),
        }
    }

    /// Stops the background indexer after a final catch-up and waits for it. Without a running
    /// indexer it catches up once itself, so that what the store holds is committed.
    pub fn stop(&self) {
        let indexer = match self.0.indexer.lock() {
            Ok(mut slot) => slot.take(),
            Err(_) => None,
        };
        match indexer {
            Some(Indexer { stop, handle }) => {
                stop.store(true, Ordering::Release);
                self.0.store.signal().notify();
                if handle.join().is_err() {
                    tracing::error!("the search indexer thread panicked");
                }
            }
            None => self.catch_up_logged(),
        }
    }

    fn catch_up_logged(&self) {
        match self.catch_up() {
            Ok(0) => {}
            Ok(n) => tracing::debug!(
                applied = n,
                position = self.position(),
                "search index caught up"
            ),
            Err(e) => tracing::error!(error = %e, "search indexer: catch-up failed"),
        }
    }
}

fn rollback(writer: &mut IndexWriter) {
    if let Err(e) = writer.rollback() {
        tracing::error!(error = %e, "search index rollback failed");
    }
}

/// `text` cut to at most `max` bytes at a character boundary.
pub(super) fn cut(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}
