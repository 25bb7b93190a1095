//! The organization: units, users, role grants (and, with sign-in, the directory and eHR sync).

pub mod admin;
pub mod api;
pub mod directory;
pub mod ehr;
pub mod model;
pub mod profile;
pub mod query;
pub mod seed;
pub mod service;
pub mod store;
pub mod tree;
