//! Workflow: templates, the engine, instances, tasks, delegation, working days.

pub mod workdays;
