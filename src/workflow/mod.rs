//! Workflow (流程管理): templates (form + steps, versioned), the engine (pure), instances and
//! their tasks, the todo center's lists, delegation, leave, and the working-day calendar that
//! deadlines are counted on.

pub mod api;
pub mod engine;
pub mod leave;
pub mod model;
pub mod pages;
pub mod search;
pub mod seed;
pub mod service;
pub mod store;
pub mod subject;
pub mod workdays;

/// Tables, and the built-in templates on a new store.
pub fn ensure_tables(tx: &redb::WriteTransaction) -> crate::error::Result<()> {
    store::ensure_tables(tx)?;
    leave::store::ensure_tables(tx)?;
    service::templates::install_builtins(tx)
}
