//! Password hashing (argon2id, salt generated per hash) and initial passwords.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use rand::Rng;
use std::sync::{Condvar, Mutex};

use crate::error::{Error, Result};

/// At most two hashes at a time, whatever the number of blocking threads: argon2 on many threads
/// bloats glibc's arenas (DESIGN.md) and gains nothing on two cores.
const SLOTS: usize = 2;
static IN_USE: Mutex<usize> = Mutex::new(0);
static FREED: Condvar = Condvar::new();

fn with_slot<R>(f: impl FnOnce() -> R) -> R {
    if let Ok(mut n) = IN_USE.lock() {
        while *n >= SLOTS {
            n = match FREED.wait(n) {
                Ok(n) => n,
                Err(_) => return f(),
            };
        }
        *n += 1;
    }
    let out = f();
    if let Ok(mut n) = IN_USE.lock() {
        *n = n.saturating_sub(1);
        FREED.notify_one();
    }
    out
}

/// Hashes a password into a PHC string. Slow (~15 ms) on purpose: never call it inside a write
/// transaction.
pub fn hash(password: &str) -> Result<String> {
    with_slot(|| {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| Error::internal(format!("argon2: {e}")))
    })
}

/// Whether `password` matches the PHC string `phc`. A malformed or empty hash never matches, but
/// still costs one hash, so that a wrong login and a wrong password take the same time.
pub fn verify(phc: &str, password: &str) -> bool {
    with_slot(|| match PasswordHash::new(phc) {
        Ok(h) => Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok(),
        Err(_) => {
            let _ = Argon2::default().hash_password(password.as_bytes());
            false
        }
    })
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
