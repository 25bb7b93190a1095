//! ONE integration test binary (linked once), a module per feature.

mod admin;
mod admin_pages;
mod api_fuzz;
mod audit;
mod auth;
mod common;
mod directory;
mod documents;
mod inbox;
mod leave;
mod node;
mod org;
mod org_lists;
mod posts;
mod profile;
mod search;
mod seed;
mod web;
mod workdays;
mod workdays_pages;
mod workflow;
mod workflow_deadlines;
mod workflow_pages;
mod workflow_reports;
mod workflow_template_editor;
mod workflow_templates;
