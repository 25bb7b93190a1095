//! Password hashing (argon2id, salt generated per hash) and initial passwords.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use rand::Rng;
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
const SLOTS: usize = 2;

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
        Ok(h) => Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok(),
        Err(_) => {
            let _ = Argon2::default().hash_password(password.as_bytes());
            false
        }
    })
    .unwrap_or(false)
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
