//! Official documents (公文): drafting, numbering, approval through the workflow, publication
//! at the final approval, distribution to recipients with read and print rights, receipts
//! (签收), printing with copy numbers and a watermark, revocation, and incoming documents
//! (收文登记). See GLOSSARY.md for the words.

pub mod api;
pub mod model;
pub mod pages;
pub mod seed;
pub mod service;
pub mod store;
pub mod subject;

use crate::error::Result;
use crate::store::outbox::SearchDoc;

pub fn ensure_tables(tx: &redb::WriteTransaction) -> Result<()> {
    store::ensure_tables(tx)
}

/// Every published or revoked document's search entry, for `oanode reindex`.
pub fn search_docs(tx: &redb::ReadTransaction, out: &mut Vec<SearchDoc>) -> Result<()> {
    let units = crate::org::store::units_all(tx)?;
    let tree = crate::org::tree::UnitTree::new(&units);
    for doc in store::all_documents(tx)? {
        if !doc.status.is_out() {
            continue;
        }
        let readers: Vec<u64> = store::receipts_of(tx, doc.id)?
            .into_iter()
            .map(|r| r.user_id)
            .collect();
        let clerks = tree.ancestors(doc.issuing_unit_id);
        let mut files = Vec::new();
        for id in &doc.attachments {
            if let Some(a) = store::attachment(tx, *id)? {
                files.push(crate::store::outbox::FileRef {
                    name: a.name,
                    blob: a.sha256,
                });
            }
        }
        out.push(service::publish::search_doc(
            &doc,
            readers.into_iter(),
            &clerks,
            files,
        ));
    }
    Ok(())
}
