//! What people do with official documents, each call authorized here: drafting and submitting
//! (`drafts`), publication when the approval completes (`publish`, run by the workflow's subject
//! handler), reading, acknowledging, printing and revoking (`receipts`), lists (`lists`) and the
//! issuing units' numbering (`numbering`).

pub mod drafts;
pub mod lists;
pub mod numbering;
pub mod publish;
pub mod receipts;

use redb::{ReadTransaction, WriteTransaction};
use serde::Serialize;

use super::model::{Document, Receipt, Status};
use super::store as ds;
use crate::auth::{Actor, Permission};
use crate::error::{Error, Result};

/// What the caller may do with one document (the API's `permissions`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = DocumentRights)]
pub struct Rights {
    pub read: bool,
    pub edit: bool,
    pub submit: bool,
    pub print: bool,
    pub acknowledge: bool,
    /// The issuing side: who received, read and acknowledged; remind them.
    pub receipts: bool,
    pub revoke: bool,
}

impl Rights {
    pub fn names(&self) -> Vec<&'static str> {
        [
            (self.read, "read"),
            (self.edit, "edit"),
            (self.submit, "submit"),
            (self.print, "print"),
            (self.acknowledge, "acknowledge"),
            (self.receipts, "receipts"),
            (self.revoke, "revoke"),
        ]
        .into_iter()
        .filter_map(|(on, n)| on.then_some(n))
        .collect()
    }
}

/// Whether `actor` is a document clerk (行政办公室) of the issuing unit.
pub fn is_clerk(actor: &Actor, doc: &Document) -> bool {
    actor.can(Permission::ManageDocuments, doc.issuing_unit_id)
}

/// Who may open a document and what else they may do: its drafter (a draft is theirs alone),
/// the people of its approval, the issuing unit's clerks, and its recipients once published.
/// `None` means it does not exist for them (404).
pub fn rights(tx: &ReadTransaction, actor: &Actor, doc: &Document) -> Result<Option<Rights>> {
    let receipt = if doc.status.is_out() {
        ds::receipt(tx, doc.id, actor.user_id)?
    } else {
        None
    };
    decide(actor, doc, receipt.as_ref(), || {
        for id in &doc.instances {
            if let Some(inst) = crate::workflow::store::instance(tx, *id)?
                && crate::workflow::service::can_see(actor, &inst)
            {
                return Ok(true);
            }
        }
        Ok(false)
    })
}

/// [`rights`] inside a write transaction.
pub fn rights_w(tx: &WriteTransaction, actor: &Actor, doc: &Document) -> Result<Option<Rights>> {
    let receipt = if doc.status.is_out() {
        ds::receipt_w(tx, doc.id, actor.user_id)?
    } else {
        None
    };
    decide(actor, doc, receipt.as_ref(), || {
        for id in &doc.instances {
            if let Some(inst) = crate::workflow::store::instance_w(tx, *id)?
                && crate::workflow::service::can_see(actor, &inst)
            {
                return Ok(true);
            }
        }
        Ok(false)
    })
}

/// The rule itself; `approver` says whether the actor holds or held a task in one of its
/// approvals (or administers the workflow), and is asked only when it matters.
fn decide(
    actor: &Actor,
    doc: &Document,
    receipt: Option<&Receipt>,
    approver: impl FnOnce() -> Result<bool>,
) -> Result<Option<Rights>> {
    let author = doc.author_id == actor.user_id;
    if doc.status == Status::Draft {
        return Ok(author.then(|| Rights {
            read: true,
            edit: true,
            submit: true,
            ..Rights::default()
        }));
    }
    let clerk = is_clerk(actor, doc);
    let visible = author || clerk || receipt.is_some() || approver()?;
    if !visible {
        return Ok(None);
    }
    let published = doc.status == Status::Published;
    Ok(Some(Rights {
        read: true,
        edit: author && doc.status.editable(),
        submit: author && doc.status.editable(),
        print: published && (clerk || (receipt.is_some() && doc.can_print.allows(actor.user_id))),
        acknowledge: published && receipt.is_some_and(|r| r.acknowledged_ms.is_none()),
        receipts: doc.status.is_out() && (author || clerk),
        revoke: published && clerk,
    }))
}

/// A document with the caller's rights and their own copy, or 404.
pub fn load(
    tx: &ReadTransaction,
    actor: &Actor,
    id: u64,
) -> Result<(Document, Rights, Option<Receipt>)> {
    let doc = ds::document(tx, id)?.ok_or(Error::NotFound)?;
    let rights = rights(tx, actor, &doc)?.ok_or(Error::NotFound)?;
    let receipt = ds::receipt(tx, id, actor.user_id)?;
    Ok((doc, rights, receipt))
}
