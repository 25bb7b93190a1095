//! Password hashing (argon2id, salt generated per hash) and initial passwords.

use argon2::password_hash::PasswordHasher;
use argon2::password_hash::phc::{Output, PasswordHash};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use rand::Rng;
use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{self, SendError, Sender};
use std::sync::{Arc, Mutex, OnceLock};

use crate::error::{Error, Result};

/// Two hashing threads, whatever the number of request threads. Limiting hashes to two at a time
/// is not enough: each hash allocates a 19 MiB block, and once glibc has seen one freed it serves
/// the next from the calling thread's malloc arena and keeps it there, so hashing on any of ~64
/// blocking threads left ~15 MB resident per sign-in (3.4 GB in the load harness, DESIGN.md).
/// Only these threads ever run argon2, so only their two arenas hold its blocks, reused from one
/// hash to the next.
pub const SLOTS: usize = 2;

type Job = Box<dyn FnOnce() + Send>;

fn pool() -> &'static Sender<Job> {
    static POOL: OnceLock<Sender<Job>> = OnceLock::new();
    POOL.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..SLOTS {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || {
                    loop {
                        let job = match rx.lock() {
                            Ok(rx) => rx.recv(),
                            Err(_) => return,
                        };
                        match job {
                            // A panic is the caller's error (it sees no answer), not the pool's end.
                            Ok(job) => {
                                let _ = catch_unwind(AssertUnwindSafe(job));
                            }
                            Err(_) => return,
                        }
                    }
                });
            if let Err(e) = spawned {
                tracing::error!("cannot start a password hashing thread: {e}");
            }
        }
        tx
    })
}

/// Runs `f` on a hashing thread and waits for it (the caller is a blocking thread already).
/// `None` when `f` panicked.
fn on_pool<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> Option<R> {
    let (reply, answer) = mpsc::sync_channel(1);
    let job: Job = Box::new(move || {
        let _ = reply.send(f());
    });
    if let Err(SendError(job)) = pool().send(job) {
        job(); // no pool (threads could not start): hash here rather than not at all
    }
    answer.recv().ok()
}

/// Hashes a password into a PHC string. Slow (~15 ms) on purpose: never call it inside a write
/// transaction.
pub fn hash(password: &str) -> Result<String> {
    let password = password.to_owned();
    on_pool(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| Error::internal(format!("argon2: {e}")))
    })
    .unwrap_or_else(|| Err(Error::internal("argon2: the hashing thread failed")))
}

/// Whether `password` matches the PHC string `phc`. A malformed or empty hash never matches, but
/// still costs one hash, so that a wrong login and a wrong password take the same time.
pub fn verify(phc: &str, password: &str) -> bool {
    let (phc, password) = (phc.to_owned(), password.to_owned());
    on_pool(move || match PasswordHash::new(&phc) {
        Ok(h) => matches(&h, password.as_bytes()),
        Err(_) => {
            let _ = compute(&Argon2::default(), password.as_bytes(), &[0; 16], 32);
            false
        }
    })
    .unwrap_or(false)
}

thread_local! {
    /// A hashing thread's argon2 memory (19 MiB at the default cost), kept from one sign-in to
    /// the next. Allocating it per hash made every sign-in fault in 19 MiB of fresh pages under
    /// jemalloc (sign-in throughput fell by a third); kept, it is two blocks of memory for the
    /// node's life, as glibc's arenas kept them before.
    static MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// The `len`-byte argon2 output of `password` with `salt`, computed in this thread's kept memory.
fn compute(argon: &Argon2<'_>, password: &[u8], salt: &[u8], len: usize) -> Option<Output> {
    let blocks = argon.params().block_count();
    let mut out = vec![0u8; len];
    MEMORY.with(|memory| {
        let mut memory = memory.borrow_mut();
        if memory.len() < blocks {
            memory.resize(blocks, Block::default());
        }
        argon
            .hash_password_into_with_memory(password, salt, &mut out, &mut memory[..blocks])
            .ok()
    })?;
    Output::new(&out).ok()
}

/// argon2's own verification (the hash's algorithm, version and parameters), in kept memory.
fn matches(h: &PasswordHash, password: &[u8]) -> bool {
    let (Some(salt), Some(expected)) = (&h.salt, &h.hash) else {
        let _ = compute(&Argon2::default(), password, &[0; 16], 32);
        return false;
    };
    let algorithm = Algorithm::try_from(h.algorithm.as_str());
    let version = h.version.map_or(Ok(Version::default()), Version::try_from);
    let (Ok(algorithm), Ok(version), Ok(params)) = (algorithm, version, Params::try_from(h)) else {
        return false;
    };
    let argon = Argon2::new(algorithm, version, params);
    // `Output`'s equality is constant-time.
    compute(&argon, password, salt.as_ref(), expected.len()).is_some_and(|out| out == *expected)
}

/// A random initial password of 12 characters with letters and digits (it satisfies the default
/// policy), without look-alike characters, so it can be read out over the phone.
pub fn generate_initial() -> String {
    const LETTERS: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ";
    const DIGITS: &[u8] = b"23456789";
    let mut rng = rand::thread_rng();
    loop {
        let pw: String = (0..12)
            .map(|_| {
                let set = if rng.gen_bool(0.3) { DIGITS } else { LETTERS };
                set[rng.gen_range(0..set.len())] as char
            })
            .collect();
        if pw.chars().any(|c| c.is_ascii_digit()) && pw.chars().any(|c| c.is_ascii_alphabetic()) {
            return pw;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_verifies_only_the_right_password() {
        let h = hash("Abc12345").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify(&h, "Abc12345"));
        assert!(!verify(&h, "abc12345"));
        assert!(!verify("not a hash", "Abc12345"));
        assert_ne!(h, hash("Abc12345").unwrap(), "each hash has its own salt");
    }

    #[test]
    fn hashes_of_other_costs_and_kinds_verify_by_their_own_parameters() {
        // Stored hashes outlive the default cost (and an import may bring argon2i): the kept
        // memory is sized and the output computed by what each hash says.
        let params = Params::new(8 * 1024, 3, 1, Some(24)).unwrap();
        for algorithm in [Algorithm::Argon2id, Algorithm::Argon2i] {
            let argon = Argon2::new(algorithm, Version::V0x10, params.clone());
            let h = argon.hash_password(b"Abc12345").unwrap().to_string();
            assert!(verify(&h, "Abc12345"), "{h}");
            assert!(!verify(&h, "Abc12346"), "{h}");
        }
        // After a larger cost, the default one still verifies (the memory is cut to size).
        let big = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(40 * 1024, 1, 1, None).unwrap(),
        );
        assert!(verify(
            &big.hash_password(b"x1234567").unwrap().to_string(),
            "x1234567"
        ));
        assert!(verify(&hash("Abc12345").unwrap(), "Abc12345"));
        // A hash without its output never matches.
        let bare = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ";
        assert!(!verify(bare, ""));
    }

    #[test]
    fn initial_passwords_have_letters_and_digits() {
        for _ in 0..50 {
            let p = generate_initial();
            assert_eq!(p.len(), 12);
            assert!(
                p.chars().any(|c| c.is_ascii_digit()) && p.chars().any(|c| c.is_ascii_alphabetic())
            );
        }
    }
}
