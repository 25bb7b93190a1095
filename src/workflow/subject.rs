//! Subject handlers: what a template approves (a leave request, later an official document)
//! registers a handler, and the engine's caller runs it in the same transaction when an instance
//! is submitted and when it ends. The engine itself knows nothing of them.

use redb::WriteTransaction;

use super::model::instance::{Instance, Status};
use super::model::template::Template;
use crate::App;
use crate::error::Result;

pub trait Subject: Sync {
    /// An instance was submitted or resubmitted: check and reserve what it asks for. An error
    /// refuses the submission with nothing changed.
    fn submitted(&self, app: &App, tx: &WriteTransaction, inst: &Instance) -> Result<()>;
    /// An instance ended (approved, rejected, withdrawn, terminated). Returns the people whose
    /// bell should ring after the commit.
    fn ended(&self, app: &App, tx: &WriteTransaction, inst: &Instance) -> Result<Vec<u64>>;
    /// An approver returned it to the applicant.
    fn returned(&self, _app: &App, _tx: &WriteTransaction, _inst: &Instance) -> Result<()> {
        Ok(())
    }
    /// Whether a person may start the template from 发起申请 (or only its subject starts it).
    fn direct_start(&self) -> bool {
        true
    }
    /// Where the subject itself is shown (a link on the instance page).
    fn link(&self, _inst: &Instance) -> Option<String> {
        None
    }
}

/// The registered handlers by name (a template's `subject`).
pub const SUBJECTS: &[(&str, &dyn Subject)] = &[
    ("leave", &super::leave::LeaveSubject),
    ("document", &crate::documents::subject::DocumentSubject),
];

pub fn find(name: &str) -> Option<&'static dyn Subject> {
    SUBJECTS.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
}

/// The handler of a template, if it has one.
pub fn of(template: &Template) -> Option<&'static dyn Subject> {
    template.subject.as_deref().and_then(find)
}

/// Runs the template's handler for the change from `before` to `after`; returns whom to ring.
pub fn after_change(
    app: &App,
    tx: &WriteTransaction,
    template: &Template,
    before: &Instance,
    after: &Instance,
) -> Result<Vec<u64>> {
    let Some(s) = of(template) else {
        return Ok(Vec::new());
    };
    // Submitted or resubmitted: it left the applicant's hands (the clock may not have moved).
    let started = matches!(before.status, Status::Draft | Status::Returned)
        && matches!(after.status, Status::Running | Status::Approved);
    if started {
        s.submitted(app, tx, after)?;
    }
    if after.status == Status::Returned && before.status != Status::Returned {
        s.returned(app, tx, after)?;
    }
    if before.status.is_open() && !after.status.is_open() {
        return s.ended(app, tx, after);
    }
    Ok(Vec::new())
}
