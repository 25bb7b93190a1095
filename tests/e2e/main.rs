//! Browser journeys: the real `oanode` binary, a headless Chromium driven over WebDriver
//! (chromedriver, through fantoccini), one fresh server and data directory per journey.
//!
//! Run: `cargo test --test e2e`. Without Chromium the journeys print one `e2e: SKIPPED` line and
//! pass (so `cargo test` works with nothing but the Rust toolchain); with `CI=true` a missing
//! Chromium is a failure. Screenshots land in `tests/e2e/screenshots/` (gitignored); the logs of
//! the server and of chromedriver in `target/tmp/e2e/<journey>/`.
//!
//! The plumbing is in `harness.rs`; each feature's journeys get a module of their own.

mod admin;
mod directory;
mod documents;
mod harness;
mod home;
mod posts;
mod search;
mod template_admin;
mod workflow;
