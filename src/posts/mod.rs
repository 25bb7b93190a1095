//! Posts (信息发布): group news (新闻), flash bulletins (快讯), notices (通知公告), regulations
//! (规章制度) with their version chains, and common resources (常用资料). Who may publish what,
//! to whom, is decided in `service`; the feeds by audience are in `store`.

pub mod api;
pub mod model;
pub mod pages;
pub mod seed;
pub mod service;
pub mod store;

use crate::error::Result;
use crate::store::outbox::{FileRef, SearchDoc};

pub fn ensure_tables(tx: &redb::WriteTransaction) -> Result<()> {
    store::ensure_tables(tx)
}

/// Every published post's search entry, for `oanode reindex`.
pub fn search_docs(tx: &redb::ReadTransaction, out: &mut Vec<SearchDoc>) -> Result<()> {
    let units = crate::org::store::units_all(tx)?;
    let tree = crate::org::tree::UnitTree::new(&units);
    for post in store::all_posts(tx)? {
        if post.status != model::Status::Published {
            continue;
        }
        let mut files = Vec::new();
        for id in &post.attachments {
            if let Some(a) = store::attachment(tx, *id)? {
                files.push(FileRef {
                    name: a.name,
                    blob: a.sha256,
                });
            }
        }
        out.push(service::edit::search_doc(&tree, &post, files));
    }
    Ok(())
}
