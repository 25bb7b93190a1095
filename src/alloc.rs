//! The process's allocator: jemalloc rather than glibc's malloc (see Cargo.toml), set here in the
//! library so that the tests run on the allocator the node ships with. Its options are compiled in
//! (`.cargo/config.toml`).

/// jemalloc on every target it builds for.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// What the allocator holds, in bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Allocated by the program and not yet freed.
    pub allocated: u64,
    /// In pages the allocator keeps resident (allocated, its metadata and free pages not yet
    /// returned).
    pub resident: u64,
}

/// The allocator's figures now (`None` where jemalloc is not the allocator).
pub fn stats() -> Option<Stats> {
    #[cfg(not(target_env = "msvc"))]
    {
        use tikv_jemalloc_ctl::{epoch, stats};
        epoch::advance().ok()?;
        Some(Stats {
            allocated: stats::allocated::read().ok()? as u64,
            resident: stats::resident::read().ok()? as u64,
        })
    }
    #[cfg(target_env = "msvc")]
    None
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_allocator_counts_what_is_held() {
        // Other tests allocate and free at the same time: only what this one holds is certain.
        let block = std::hint::black_box(vec![1u8; 8 << 20]);
        let now = super::stats().expect("jemalloc is the allocator");
        assert!(now.allocated >= 8 << 20, "{now:?}");
        assert!(now.resident >= now.allocated, "{now:?}");
        drop(block);
    }

    /// The options of `.cargo/config.toml` reached jemalloc's build.
    #[test]
    fn the_options_of_the_build_are_in_effect() {
        assert!(tikv_jemalloc_ctl::opt::background_thread::read().unwrap());
        assert_eq!(tikv_jemalloc_ctl::opt::narenas::read().unwrap(), 2);
    }
}
