//! The workflow's subject handler for documents: submission marks the document in review,
//! a return sends it back to its drafter, and the final approval publishes it, all in the
//! approval's own transaction.

use redb::WriteTransaction;

use super::model::{Document, Status};
use super::service::publish::publish;
use super::store as ds;
use crate::App;
use crate::error::{Code, Error, Result};
use crate::workflow::model::instance::{Instance, Status as FlowStatus};
use crate::workflow::subject::Subject;

pub struct DocumentSubject;

fn document_id(inst: &Instance) -> Option<u64> {
    inst.form.get("document_id").and_then(|v| v.as_u64())
}

/// The document an instance is about: it must be the applicant's own.
fn document_of(tx: &WriteTransaction, inst: &Instance) -> Result<Document> {
    let doc = document_id(inst)
        .map(|id| ds::document_w(tx, id))
        .transpose()?
        .flatten()
        .filter(|d| d.author_id == inst.applicant)
        .ok_or_else(|| Error::field("form.document_id", "error.invalid"))?;
    Ok(doc)
}

impl Subject for DocumentSubject {
    fn submitted(&self, _app: &App, tx: &WriteTransaction, inst: &Instance) -> Result<()> {
        let old = document_of(tx, inst)?;
        if !old.status.editable() {
            return Err(Error::Conflict(Code::Conflict));
        }
        let mut doc = old.clone();
        doc.status = Status::InReview;
        doc.instance_id = Some(inst.id);
        if !doc.instances.contains(&inst.id) {
            doc.instances.push(inst.id);
        }
        doc.submitted_ms = inst.submitted_ms;
        doc.updated_ms = inst.submitted_ms.unwrap_or(doc.updated_ms);
        ds::put_document(tx, Some(&old), &doc)
    }

    fn returned(&self, _app: &App, tx: &WriteTransaction, inst: &Instance) -> Result<()> {
        let old = document_of(tx, inst)?;
        let mut doc = old.clone();
        doc.status = Status::Returned;
        doc.updated_ms = inst.updated_ms;
        ds::put_document(tx, Some(&old), &doc)
    }

    fn ended(&self, app: &App, tx: &WriteTransaction, inst: &Instance) -> Result<Vec<u64>> {
        let old = document_of(tx, inst)?;
        if old.instance_id != Some(inst.id) || old.status != Status::InReview {
            return Ok(Vec::new()); // an older approval of the same document
        }
        let mut doc = old.clone();
        let at = inst.ended_ms.unwrap_or(inst.updated_ms);
        match inst.status {
            FlowStatus::Approved => return publish(app, tx, &mut doc, at),
            FlowStatus::Withdrawn => doc.status = Status::Draft,
            _ => doc.status = Status::Returned,
        }
        doc.updated_ms = at;
        ds::put_document(tx, Some(&old), &doc)?;
        Ok(Vec::new())
    }

    fn direct_start(&self) -> bool {
        false
    }

    fn link(&self, inst: &Instance) -> Option<String> {
        document_id(inst).map(|id| format!("/documents/{id}"))
    }
}
