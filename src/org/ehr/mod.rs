//! eHR sync (人力资源系统同步): the HR system is the source of truth for units, people and
//! reporting lines. One snapshot format (JSON, a CSV pair or an XLSX workbook, `parse.rs`), one
//! pure planner (`plan.rs`), one use case that applies a plan in one write transaction or
//! previews it (`service.rs`), the stored reports (`store.rs`) and the nightly inbox pickup
//! (`pickup.rs`).

pub mod api;
pub mod model;
pub mod pages;
pub mod parse;
pub mod pickup;
mod plan;
pub mod reports;
pub mod service;
pub mod store;

pub use model::{Mode, Snapshot, SyncActor, SyncOptions, SyncReport, SyncSummary};
pub use parse::{ParseError, parse_csv_pair, parse_json, parse_path, parse_xlsx};
pub use pickup::{PickupScheduler, parse_pickup_at, pickup, pickup_due, start_scheduler};
pub use service::sync;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_files;
#[cfg(test)]
mod tests_scale;
