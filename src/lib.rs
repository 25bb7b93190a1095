//! oanode (协同办公节点): a self-hosted office-automation node in one binary. See DESIGN.md for the
//! house plan: features are folders with the same rooms (model, store, service, api, pages), the
//! web layer is the only one that knows Rocket.

pub mod alloc;
pub mod app;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod check;
pub mod clock;
pub mod config;
pub mod demo;
pub mod documents;
pub mod error;
pub mod inbox;
pub mod input;
pub mod org;
pub mod posts;
pub mod search;
pub mod store;
pub mod web;
pub mod workflow;

pub use app::App;

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Every feature's `ensure_tables`, run at each open so read transactions never meet a missing
/// table. A feature adds its line when it lands.
pub const TABLES: &[fn(&redb::WriteTransaction) -> error::Result<()>] = &[
    org::store::ensure_tables,
    auth::store::ensure_tables,
    inbox::store::ensure_tables,
    workflow::workdays::store::ensure_tables,
    workflow::ensure_tables,
    documents::ensure_tables,
    posts::ensure_tables,
];

/// Called in the transaction that records an organization event (a hire, a departure, a
/// transfer), so that a feature follows it at once: a leaver's open tasks move on.
pub const ORG_EVENT_HANDLERS: &[fn(
    &redb::WriteTransaction,
    &org::model::OrgEvent,
) -> error::Result<()>] = &[workflow::service::delegation::on_org_event];

/// Every searchable feature's documents, for `oanode reindex`. A feature adds its line when it
/// lands (news, notices, documents, …).
pub const SEARCH_SOURCES: &[SearchSource] = &[
    documents::search_docs,
    posts::search_docs,
    workflow::search::search_docs,
];

/// Adds every searchable record of one feature to the list, from one snapshot.
pub type SearchSource =
    fn(&redb::ReadTransaction, &mut Vec<store::outbox::SearchDoc>) -> error::Result<()>;

/// The Rocket instance serving `app`.
pub fn rocket(app: App) -> rocket::Rocket<rocket::Build> {
    web::build(app)
}
