//! ONE integration test binary (linked once), a module per feature.

mod audit;
mod auth;
mod common;
mod directory;
mod node;
mod org;
mod org_lists;
mod profile;
mod web;
