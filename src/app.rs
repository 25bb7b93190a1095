//! `App`: the shared state handed to routes, the CLI and tests. Cheap to clone. Opening it opens
//! the store (running migrations), the blob folder and the search index; it starts no threads.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use crate::auth::throttle::AddressThrottle;
use crate::clock::Clock;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::org::directory::Directory;
use crate::org::tree::UnitTree;
use crate::search::Search;
use crate::store::blobs::Blobs;
use crate::store::{self, Store};
use crate::workflow::workdays::model::Calendar;

const SECRET_FILE: &str = "secret.key";
/// Announcements a slow listener may fall behind by before it re-reads its count anyway.
const INBOX_EVENTS: usize = 1024;

#[derive(Clone)]
pub struct App(Arc<Inner>);

struct Inner {
    config: Config,
    data_dir: PathBuf,
    store: Store,
    search: Search,
    blobs: Blobs,
    clock: Arc<dyn Clock>,
    secret_key: Vec<u8>,
    throttle: AddressThrottle,
    /// The unit tree for permission checks; `None` after the organization changed.
    tree: RwLock<Option<Arc<UnitTree>>>,
    /// The directory's people index; `None` after the organization changed.
    directory: RwLock<Option<Arc<Directory>>>,
    /// One directory build at a time (the others wait for it rather than repeat it).
    directory_build: Mutex<()>,
    /// Bumped by `org_changed`: a cache built from a read older than the latest change is not kept.
    org_generation: AtomicU64,
    /// User ids whose inbox changed (`inbox_announce`); each open bell stream listens.
    inbox_events: tokio::sync::broadcast::Sender<u64>,
    /// The working-day calendar; `None` after it changed.
    workdays: RwLock<Option<Arc<Calendar>>>,
    /// Bumped by `workdays_changed`, like `org_generation` for the calendar.
    workdays_generation: AtomicU64,
    /// One permit per core for CPU-bound reads (`run_cpu`).
    cpu: tokio::sync::Semaphore,
    /// Two permits per password hashing thread (`run_hashing`): one hashing, one ready next.
    hashing: tokio::sync::Semaphore,
}

/// What the workbench shows about the node.
pub struct Summary {
    pub units: u64,
    pub users: u64,
    pub indexed: u64,
    pub schema_version: u64,
}

impl App {
    pub fn open(data_dir: &Path, config: Config, clock: Arc<dyn Clock>) -> Result<App> {
        ensure_writable(data_dir)?;
        let secret_key = load_or_create_secret(data_dir)?;
        let store = Store::open(data_dir, config.store.cache_mb << 20)?;
        let blobs = Blobs::open(&data_dir.join("blobs"))?;
        let search = Search::open(&data_dir.join("search"), store.clone(), blobs.clone())?;
        Ok(App(Arc::new(Inner {
            data_dir: data_dir.to_path_buf(),
            store,
            search,
            blobs,
            throttle: AddressThrottle::new(config.auth.address_attempts_per_minute),
            tree: RwLock::new(None),
            directory: RwLock::new(None),
            directory_build: Mutex::new(()),
            org_generation: AtomicU64::new(0),
            inbox_events: tokio::sync::broadcast::channel(INBOX_EVENTS).0,
            workdays: RwLock::new(None),
            workdays_generation: AtomicU64::new(0),
            cpu: tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, |n| n.get()),
            ),
            hashing: tokio::sync::Semaphore::new(2 * crate::auth::password::SLOTS),
            config,
            clock,
            secret_key,
        })))
    }

    pub fn config(&self) -> &Config {
        &self.0.config
    }
    pub fn data_dir(&self) -> &Path {
        &self.0.data_dir
    }
    pub fn store(&self) -> &Store {
        &self.0.store
    }
    pub fn search(&self) -> &Search {
        &self.0.search
    }
    pub fn blobs(&self) -> &Blobs {
        &self.0.blobs
    }
    pub fn clock(&self) -> &dyn Clock {
        &*self.0.clock
    }
    pub fn now_ms(&self) -> i64 {
        self.0.clock.now_ms()
    }
    pub fn secret_key(&self) -> &[u8] {
        &self.0.secret_key
    }

    /// Runs blocking work (store commits fsync; argon2 hashes) off the async workers, re-raising
    /// a panic as an internal error rather than losing it.
    pub async fn run<R, F>(&self, f: F) -> Result<R>
    where
        R: Send + 'static,
        F: FnOnce(&App) -> Result<R> + Send + 'static,
    {
        let app = self.clone();
        tokio::task::spawn_blocking(move || f(&app))
            .await
            .map_err(|e| Error::internal(format!("blocking task failed: {e}")))?
    }

    /// Runs CPU-bound read work (a search) like [`App::run`], but at most one such job per core
    /// at a time, the others waiting in arrival order. Unbounded, 64 concurrent searches were 64
    /// threads time-sliced on 2 cores: each answer came late, memory grew with the threads, and
    /// p99 was several times p50. Writes do not go through here: they wait on the disk, not the
    /// CPU, and group commit needs them to arrive together.
    pub async fn run_cpu<R, F>(&self, f: F) -> Result<R>
    where
        R: Send + 'static,
        F: FnOnce(&App) -> Result<R> + Send + 'static,
    {
        self.run_with_permit(&self.0.cpu, f).await
    }

    /// Runs work that hashes a password (sign-in, password change) like [`App::run`], but only
    /// twice as many at a time as there are hashing threads (so that each has its next job
    /// waiting); the others wait here, without a blocking thread. Before, a burst of 64 sign-ins
    /// held 64 blocking threads waiting for the two hashing threads, and every other request's
    /// blocking work queued behind them: the todo list's p99 went from 19 ms to 155 ms for the
    /// seconds after the burst (PERFORMANCE.md).
    pub async fn run_hashing<R, F>(&self, f: F) -> Result<R>
    where
        R: Send + 'static,
        F: FnOnce(&App) -> Result<R> + Send + 'static,
    {
        self.run_with_permit(&self.0.hashing, f).await
    }

    /// [`App::run`] once one of `permits` is free.
    async fn run_with_permit<R, F>(&self, permits: &tokio::sync::Semaphore, f: F) -> Result<R>
    where
        R: Send + 'static,
        F: FnOnce(&App) -> Result<R> + Send + 'static,
    {
        let _permit = permits
            .acquire()
            .await
            .map_err(|e| Error::internal(format!("permits: {e}")))?;
        self.run(f).await
    }

    /// The node's time zone (validated when the configuration was loaded).
    pub fn tz(&self) -> chrono_tz::Tz {
        self.config().tz().unwrap_or(chrono_tz::Asia::Shanghai)
    }

    pub fn throttle(&self) -> &AddressThrottle {
        &self.0.throttle
    }

    /// The unit tree, loaded once and kept until the organization changes.
    pub fn tree(&self) -> Result<Arc<UnitTree>> {
        if let Ok(guard) = self.0.tree.read()
            && let Some(t) = guard.as_ref()
        {
            return Ok(t.clone());
        }
        let generation = self.0.org_generation.load(Ordering::Acquire);
        let units = self.0.store.read(crate::org::store::units_all)?;
        let tree = Arc::new(UnitTree::new(&units));
        if let Ok(mut guard) = self.0.tree.write()
            && self.0.org_generation.load(Ordering::Acquire) == generation
        {
            *guard = Some(tree.clone());
        }
        Ok(tree)
    }

    /// The directory (every person and unit, with pinyin), built from the store at first use
    /// and kept until the organization changes.
    pub fn directory(&self) -> Result<Arc<Directory>> {
        let cached = || {
            self.0
                .directory
                .read()
                .ok()
                .and_then(|guard| guard.as_ref().cloned())
        };
        if let Some(d) = cached() {
            return Ok(d);
        }
        let _one_build = self.0.directory_build.lock();
        if let Some(d) = cached() {
            return Ok(d); // built by whoever held the lock before us
        }
        let generation = self.0.org_generation.load(Ordering::Acquire);
        let (units, users, positions) = self.0.store.read(|tx| {
            use crate::org::store as s;
            Ok((s::units_all(tx)?, s::users_all(tx)?, s::positions_all(tx)?))
        })?;
        let dir = Arc::new(Directory::build(units, users, positions));
        if let Ok(mut guard) = self.0.directory.write()
            && self.0.org_generation.load(Ordering::Acquire) == generation
        {
            *guard = Some(dir.clone());
        }
        Ok(dir)
    }

    /// Call after any committed change to units, positions or users, so that permission checks
    /// and the directory see the new organization.
    pub fn org_changed(&self) {
        self.0.org_generation.fetch_add(1, Ordering::AcqRel);
        if let Ok(mut guard) = self.0.tree.write() {
            *guard = None;
        }
        if let Ok(mut guard) = self.0.directory.write() {
            *guard = None;
        }
    }

    /// Call after a committed change to these people's inboxes (`inbox::service::notify` in the
    /// caller's transaction, then this): their open pages re-read the unread count. Nobody
    /// listening is not an error.
    pub fn inbox_announce(&self, user_ids: &[u64]) {
        for id in user_ids {
            let _ = self.0.inbox_events.send(*id);
        }
    }

    /// The announcements from now on (for the bell's event stream).
    pub fn inbox_subscribe(&self) -> tokio::sync::broadcast::Receiver<u64> {
        self.0.inbox_events.subscribe()
    }

    /// The working-day calendar, loaded once and kept until it changes.
    pub fn workdays(&self) -> Result<Arc<Calendar>> {
        if let Ok(guard) = self.0.workdays.read()
            && let Some(c) = guard.as_ref()
        {
            return Ok(c.clone());
        }
        let generation = self.0.workdays_generation.load(Ordering::Acquire);
        let days = self.0.store.read(crate::workflow::workdays::store::all)?;
        let cal = Arc::new(Calendar::new(days));
        if let Ok(mut guard) = self.0.workdays.write()
            && self.0.workdays_generation.load(Ordering::Acquire) == generation
        {
            *guard = Some(cal.clone());
        }
        Ok(cal)
    }

    /// Call after any committed change to the working-day calendar.
    pub fn workdays_changed(&self) {
        self.0.workdays_generation.fetch_add(1, Ordering::AcqRel);
        if let Ok(mut guard) = self.0.workdays.write() {
            *guard = None;
        }
    }

    pub fn group_name(&self) -> Option<String> {
        crate::org::service::group_name(&self.0.store)
            .ok()
            .flatten()
    }

    pub fn summary(&self) -> Result<Summary> {
        let (units, users, schema_version) = self.0.store.read(|tx| {
            let (units, users) = crate::org::store::counts(tx)?;
            Ok((
                units,
                users,
                store::meta_get(tx, "schema_version")?.unwrap_or(0),
            ))
        })?;
        Ok(Summary {
            units,
            users,
            indexed: self.0.search.num_docs(),
            schema_version,
        })
    }

    /// Rebuilds the search index from the records themselves (every feature's search source),
    /// in one snapshot taken under the index writer's lock, so no concurrent change is lost.
    pub fn reindex(&self) -> Result<usize> {
        self.0.search.rebuild_from_store(|tx, add| {
            let mut docs = Vec::new();
            for source in crate::SEARCH_SOURCES {
                source(tx, &mut docs)?;
            }
            docs.into_iter().try_for_each(add)
        })
    }

    /// Stops background work and commits what the indexer has; the store closes when the last
    /// clone of the `App` is dropped.
    pub fn shutdown(&self) {
        self.0.search.stop();
    }
}

/// Creates the data directory if needed and proves it writable, so that a read-only or foreign
/// folder fails at start with one clear sentence instead of at the first write.
pub fn ensure_writable(dir: &Path) -> Result<()> {
    let fail = |e: std::io::Error| {
        Error::Unavailable(format!(
            "the data directory {} is not writable: {e}",
            dir.display()
        ))
    };
    fs::create_dir_all(dir).map_err(fail)?;
    let probe = dir.join(".write-probe");
    fs::File::create(&probe)
        .and_then(|mut f| f.write_all(b"ok"))
        .map_err(fail)?;
    fs::remove_file(&probe).map_err(fail)?;
    Ok(())
}

/// The key Rocket needs in a release build: 64 random bytes made at first start, kept in the data
/// directory (mode 0600), never in the repository.
fn load_or_create_secret(dir: &Path) -> Result<Vec<u8>> {
    let path = dir.join(SECRET_FILE);
    if let Ok(text) = fs::read_to_string(&path) {
        return hex::decode(text.trim())
            .ok()
            .filter(|k| k.len() == 64)
            .ok_or_else(|| {
                Error::Unavailable(format!(
                    "{} is damaged: delete it to make a new one",
                    path.display()
                ))
            });
    }
    let key: [u8; 64] = std::array::from_fn(|_| rand::random::<u8>());
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(&path)?;
    f.write_all(hex::encode(key).as_bytes())?;
    f.sync_all()?;
    Ok(key.to_vec())
}
