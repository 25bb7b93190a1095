//! ONE integration test binary (linked once), a module per feature.

mod auth;
mod common;
mod node;
mod org;
mod org_lists;
mod web;
