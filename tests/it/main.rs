//! ONE integration test binary (linked once), a module per feature.

mod audit;
mod auth;
mod common;
mod node;
mod org;
mod org_lists;
mod profile;
mod seed;
mod web;
