//! Group commit: writers that arrive together share one redb transaction and one fsync.
//!
//! A durable redb commit costs a flush to disk (about 1.3 ms on a 2 GB store on the development
//! machine), and redb has one writer at a time, so a commit per request capped writes near 700
//! a second however light the request. Here, writers that arrive while a batch is open or being
//! committed queue up; the first of them opens the next transaction and the others run their
//! closures in it, one at a time, each on its own thread; the batch then commits once, and only
//! then does any of them answer. If one closure fails, the batch is aborted and each member runs
//! again alone, so every caller gets exactly what a serial run would have given it. That is why
//! a write closure is `Fn` and has no effect outside the transaction: it may run twice.

use std::any::Any;
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::{Condvar, Mutex, MutexGuard};

use redb::{Database, WriteTransaction};

use crate::error::{Error, Result};

/// Enough to amortize the flush, small enough that a batch never holds a caller for long.
const MAX_BATCH: usize = 64;

#[derive(Clone, PartialEq, Eq, Debug)]
enum Outcome {
    Committed,
    /// A member failed: the batch was aborted, and every member runs again alone.
    Retry,
    /// The commit itself failed (I/O); nothing of the batch is kept. Holds redb's reason.
    CommitFailed(String),
}

#[derive(Default)]
struct State {
    /// The open batch's transaction; taken out while it commits.
    tx: Option<WriteTransaction>,
    /// A batch exists (open or committing), so a would-be leader waits.
    busy: bool,
    /// The batch still accepts members.
    open: bool,
    /// Whether the open batch was started by a caller that runs alone.
    solo: bool,
    batch: u64,
    members: usize,
    failed: bool,
    /// Joinable callers waiting for their turn; the leader commits when none are left.
    queued: usize,
    /// batch -> (outcome, members still to read it).
    outcomes: HashMap<u64, (Outcome, usize)>,
    stats: Stats,
}

/// Writes and commits since the store was opened: how well writes are grouped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub writes: u64,
    pub commits: u64,
}

#[derive(Default)]
pub(super) struct GroupCommit {
    state: Mutex<State>,
    cv: Condvar,
}

/// What one member's closure gave.
type Ran<R> = std::result::Result<Result<R>, Box<dyn Any + Send>>;

enum Attempt<R> {
    Done(Result<R>),
    Retry,
}

impl GroupCommit {
    /// Runs `f` in a shared batch and returns once the batch is durable; `committed` is called
    /// once per committed batch, by its leader.
    pub(super) fn write<R>(
        &self,
        db: &Database,
        f: &impl Fn(&WriteTransaction) -> Result<R>,
        committed: impl Fn(),
    ) -> Result<R> {
        match self.attempt(db, f, false, &committed)? {
            Attempt::Done(r) => r,
            Attempt::Retry => match self.attempt(db, f, true, &committed)? {
                Attempt::Done(r) => r,
                Attempt::Retry => unreachable!("a caller alone in its batch is never retried"),
            },
        }
    }

    pub(super) fn stats(&self) -> Stats {
        self.lock().stats
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Closures run under catch_unwind, so the lock is never poisoned by them; recover anyway.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn wait<'a>(&self, g: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        self.cv.wait(g).unwrap_or_else(|p| p.into_inner())
    }

    fn attempt<R>(
        &self,
        db: &Database,
        f: &impl Fn(&WriteTransaction) -> Result<R>,
        solo: bool,
        committed: &impl Fn(),
    ) -> Result<Attempt<R>> {
        let mut st = self.lock();
        if !solo {
            st.queued += 1;
        }
        let lead = loop {
            if !solo && st.open && !st.solo && !st.failed && st.members < MAX_BATCH {
                break false;
            }
            if !st.busy {
                break true;
            }
            st = self.wait(st);
        };
        if !solo {
            st.queued -= 1;
        }
        if lead {
            self.lead(st, db, f, solo, committed)
        } else {
            self.join(st, f)
        }
    }

    fn lead<R>(
        &self,
        mut st: MutexGuard<'_, State>,
        db: &Database,
        f: &impl Fn(&WriteTransaction) -> Result<R>,
        solo: bool,
        committed: &impl Fn(),
    ) -> Result<Attempt<R>> {
        let mut tx = match db.begin_write() {
            Ok(tx) => tx,
            Err(e) => {
                self.cv.notify_all();
                return Err(e.into());
            }
        };
        tx.set_quick_repair(true);
        st.busy = true;
        st.open = true;
        st.solo = solo;
        st.batch += 1;
        st.members = 0;
        st.failed = false;
        st.tx = Some(tx);
        let id = st.batch;
        let ran = run_member(&mut st, f);
        while !solo && !st.failed && st.queued > 0 && st.members < MAX_BATCH {
            st = self.wait(st);
        }
        st.open = false;
        let tx = st.tx.take().expect("the open batch has its transaction");
        let (failed, members) = (st.failed, st.members);
        drop(st);
        // Flushing happens without the lock, so that the next batch gathers meanwhile.
        let outcome = if failed {
            tx.abort()
                .map(|_| Outcome::Retry)
                .unwrap_or_else(|e| Outcome::CommitFailed(e.to_string()))
        } else {
            match tx.commit() {
                Ok(()) => Outcome::Committed,
                Err(e) => {
                    tracing::error!(error = %e, members, "a batch of writes failed to commit");
                    Outcome::CommitFailed(e.to_string())
                }
            }
        };
        let mut st = self.lock();
        st.busy = false;
        if outcome == Outcome::Committed {
            st.stats.commits += 1;
            st.stats.writes += members as u64;
        }
        if members > 1 {
            st.outcomes.insert(id, (outcome.clone(), members - 1));
        }
        self.cv.notify_all();
        drop(st);
        if outcome == Outcome::Committed {
            committed();
        }
        // Alone in its batch, a failing leader's own error is exactly the serial answer.
        finish(
            ran,
            if members == 1 && outcome == Outcome::Retry {
                Outcome::Committed
            } else {
                outcome
            },
        )
    }

    fn join<R>(
        &self,
        mut st: MutexGuard<'_, State>,
        f: &impl Fn(&WriteTransaction) -> Result<R>,
    ) -> Result<Attempt<R>> {
        let id = st.batch;
        let ran = run_member(&mut st, f);
        self.cv.notify_all();
        let outcome = loop {
            if let Some((outcome, readers)) = st.outcomes.get_mut(&id) {
                let outcome = outcome.clone();
                *readers -= 1;
                if *readers == 0 {
                    st.outcomes.remove(&id);
                }
                break outcome;
            }
            st = self.wait(st);
        };
        drop(st);
        finish(ran, outcome)
    }
}

fn run_member<R>(st: &mut State, f: &impl Fn(&WriteTransaction) -> Result<R>) -> Ran<R> {
    let tx = st.tx.as_ref().expect("the open batch has its transaction");
    let ran = catch_unwind(AssertUnwindSafe(|| f(tx)));
    st.members += 1;
    if !matches!(ran, Ok(Ok(_))) {
        st.failed = true;
    }
    ran
}

fn finish<R>(ran: Ran<R>, outcome: Outcome) -> Result<Attempt<R>> {
    let r = match ran {
        Ok(r) => r,
        // The batch is settled; now the panic goes on in the caller's thread.
        Err(panic) => resume_unwind(panic),
    };
    match outcome {
        Outcome::Committed => Ok(Attempt::Done(r)),
        Outcome::Retry => Ok(Attempt::Retry),
        Outcome::CommitFailed(why) => Err(Error::Internal(anyhow::anyhow!(
            "the write could not be committed: {why}"
        ))),
    }
}
