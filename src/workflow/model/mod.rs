//! The workflow's records: templates (form + process), instances with their tasks and timeline,
//! delegations, attachments; and form validation.

pub mod form;
pub mod instance;
pub mod template;
