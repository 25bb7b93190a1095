//! Sign-in throttling per client address (in memory: it protects the password hasher, and a
//! restart forgetting it is harmless; per-account lockout is stored).

use std::collections::HashMap;
use std::sync::Mutex;

pub struct AddressThrottle {
    per_minute: u32,
    seen: Mutex<HashMap<String, (i64, u32)>>,
}

impl AddressThrottle {
    pub fn new(per_minute: u32) -> Self {
        AddressThrottle {
            per_minute,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Counts an attempt from `addr`; `Err(seconds to wait)` when over the limit.
    pub fn attempt(&self, addr: &str, now_ms: i64) -> Result<(), u64> {
        let Ok(mut seen) = self.seen.lock() else {
            return Ok(());
        };
        if seen.len() > 10_000 {
            // Bound the memory: forget windows that have ended.
            seen.retain(|_, (start, _)| now_ms - *start < 60_000);
        }
        let entry = seen.entry(addr.to_string()).or_insert((now_ms, 0));
        if now_ms - entry.0 >= 60_000 {
            *entry = (now_ms, 0);
        }
        if entry.1 >= self.per_minute {
            return Err(((entry.0 + 60_000 - now_ms + 999) / 1000).max(1) as u64);
        }
        entry.1 += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn limits_per_address_per_minute() {
        let t = super::AddressThrottle::new(3);
        for _ in 0..3 {
            assert!(t.attempt("10.0.0.1", 1_000).is_ok());
        }
        assert_eq!(t.attempt("10.0.0.1", 1_500), Err(60));
        assert!(
            t.attempt("10.0.0.2", 1_500).is_ok(),
            "other addresses are not affected"
        );
        assert!(t.attempt("10.0.0.1", 61_000).is_ok(), "a new minute");
    }
}
