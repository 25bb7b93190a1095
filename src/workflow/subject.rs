//! Subject handlers: what a template approves (a leave request, later an official document)
//! registers a handler, and the engine's caller runs it in the same transaction when an instance
//! is submitted and when it ends. The engine itself knows nothing of them.

use redb::WriteTransaction;

use super::model::instance::{Instance, Status};
use super::model::template::Template;
use crate::error::Result;

pub trait Subject: Sync {
    /// An instance was submitted or resubmitted: check and reserve what it asks for. An error
    /// refuses the submission with nothing changed.
    fn submitted(&self, tx: &WriteTransaction, inst: &Instance) -> Result<()>;
    /// An instance ended (approved, rejected, withdrawn, terminated).
    fn ended(&self, tx: &WriteTransaction, inst: &Instance) -> Result<()>;
}

/// The registered handlers by name (a template's `subject`).
pub const SUBJECTS: &[(&str, &dyn Subject)] = &[("leave", &super::leave::LeaveSubject)];

pub fn find(name: &str) -> Option<&'static dyn Subject> {
    SUBJECTS.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
}

/// Runs the template's handler for the change from `before` to `after`.
pub fn after_change(
    tx: &WriteTransaction,
    template: &Template,
    before: &Instance,
    after: &Instance,
) -> Result<()> {
    let Some(s) = template.subject.as_deref().and_then(find) else {
        return Ok(());
    };
    let started = after.submitted_ms != before.submitted_ms && after.submitted_ms.is_some();
    if started && after.status != Status::Draft {
        s.submitted(tx, after)?;
    }
    if before.status.is_open() && !after.status.is_open() {
        s.ended(tx, after)?;
    }
    Ok(())
}
