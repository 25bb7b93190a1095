//! Templates: everyone signed in lists the enabled ones to start a request; workflow
//! administrators (AdminWorkflow on the group) create, edit (a new version), clone, disable,
//! import and export them. Built-in templates are installed once, with stable keys.

use redb::WriteTransaction;

use super::super::model::template::Template;
use super::super::store as wf;
use crate::App;
use crate::auth::{Actor, Permission};
use crate::error::{Code, Error, Result};
use crate::store::{self, audit};

/// The built-in templates (GLOSSARY.md), installed when a store is created.
pub const BUILTIN: &[&str] = &[
    include_str!("../builtin/leave.json"),
    include_str!("../builtin/general_submission.json"),
    include_str!("../builtin/workflow_change.json"),
    include_str!("../builtin/permission_change.json"),
    include_str!("../builtin/issue_report.json"),
    include_str!("../builtin/new_requirement.json"),
    include_str!("../builtin/document.json"),
    include_str!("../builtin/document_incoming.json"),
];

/// Set once the first six built-ins were installed (before each one got its own mark).
const INSTALLED: &str = "workflow.builtins";

/// Installs each built-in template once, including ones a later release adds to an existing
/// store (a disabled or edited one is never put back).
pub fn install_builtins(tx: &WriteTransaction) -> Result<()> {
    let first_six = store::meta_get_w(tx, INSTALLED)?.is_some();
    for json in BUILTIN {
        let mut t: Template = serde_json::from_str(json)
            .map_err(|e| Error::internal(format!("built-in template: {e}")))?;
        let mark = format!("workflow.builtin.{}", t.key);
        if store::meta_get_w(tx, &mark)?.is_some() {
            continue;
        }
        store::meta_set(tx, &mark, 1)?;
        let old = ORIGINAL_SIX.contains(&t.key.as_str()) && first_six;
        if old || wf::current_id_w(tx, &t.key)?.is_some() {
            continue;
        }
        let problems = t.check();
        if !problems.is_empty() {
            return Err(Error::internal(format!(
                "built-in template {}: {problems:?}",
                t.key
            )));
        }
        t.id = store::next_id(tx, Template::KIND_COUNTER)?;
        t.version = 1;
        t.builtin = true;
        t.enabled = true;
        wf::put_template(tx, &t, true)?;
    }
    store::meta_set(tx, INSTALLED, 1)
}

const ORIGINAL_SIX: [&str; 6] = [
    "leave",
    "workflow_change",
    "permission_change",
    "issue_report",
    "new_requirement",
    "general_submission",
];

impl Template {
    pub const KIND_COUNTER: &'static str = "workflow.template";
}

fn require_admin(app: &App, actor: &Actor) -> Result<()> {
    crate::org::admin::require_person(actor)?;
    let root = app.tree()?.root().unwrap_or(0);
    if actor.can(Permission::AdminWorkflow, root) {
        Ok(())
    } else {
        Err(Error::Forbidden(Code::Forbidden))
    }
}

pub fn is_admin(app: &App, actor: &Actor) -> bool {
    require_admin(app, actor).is_ok()
}

/// The templates a person may start (enabled, current versions), by category then name; all of
/// them, disabled ones too, for a workflow administrator who asks for `all`.
pub fn list(app: &App, actor: &Actor, all: bool) -> Result<Vec<Template>> {
    if all {
        require_admin(app, actor)?;
    }
    let mut out = app.store().read(wf::current_templates)?;
    out.retain(|t| all || t.enabled);
    out.sort_by(|a, b| (&a.category, &a.name).cmp(&(&b.category, &b.name)));
    Ok(out)
}

/// One template version. Disabled and old versions are shown only to administrators (a running
/// instance's own version is shown with the instance).
pub fn get(app: &App, actor: &Actor, id: u64) -> Result<Template> {
    let t = app
        .store()
        .read(|tx| wf::template(tx, id))?
        .ok_or(Error::NotFound)?;
    let current = app.store().read(|tx| wf::current_id(tx, &t.key))? == Some(t.id);
    if (t.enabled && current) || is_admin(app, actor) {
        Ok(t)
    } else {
        Err(Error::NotFound)
    }
}

/// The current version of `key` for starting a request.
pub fn current(app: &App, key: &str) -> Result<Template> {
    app.store()
        .read(|tx| match wf::current_id(tx, key)? {
            Some(id) => wf::template(tx, id),
            None => Ok(None),
        })?
        .filter(|t| t.enabled)
        .ok_or(Error::NotFound)
}

/// The current version of `key`, enabled or not (exports and reports of a disabled template).
pub fn current_any(app: &App, key: &str) -> Result<Template> {
    app.store()
        .read(|tx| match wf::current_id(tx, key)? {
            Some(id) => wf::template(tx, id),
            None => Ok(None),
        })?
        .ok_or(Error::NotFound)
}

pub fn versions(app: &App, actor: &Actor, key: &str) -> Result<Vec<Template>> {
    require_admin(app, actor)?;
    app.store().read(|tx| wf::versions(tx, key))
}

fn audit(tx: &WriteTransaction, now: i64, actor: &Actor, action: &str, t: &Template) -> Result<()> {
    audit::append(
        tx,
        now,
        audit::Event {
            actor_id: Some(actor.user_id),
            actor_login: actor.login.clone(),
            action: action.into(),
            target: format!("workflow.template:{}", t.key),
            detail: format!("v{} {}", t.version, t.name),
            ip: None,
        },
    )?;
    Ok(())
}

/// Saves `t` as a new template (its key unused) or as the next version of an existing key.
/// Instances already running keep the version they started with.
pub fn save(app: &App, actor: &Actor, t: Template, new: bool) -> Result<Template> {
    require_admin(app, actor)?;
    let problems = t.check();
    if !problems.is_empty() {
        return Err(Error::Validation(problems));
    }
    let now = app.now_ms();
    app.store().write(|tx| {
        let mut t = t.clone();
        let prev = match wf::current_id_w(tx, &t.key)? {
            Some(id) => wf::template_w(tx, id)?,
            None => None,
        };
        match (&prev, new) {
            (Some(_), true) => return Err(Error::Conflict(Code::Duplicate)),
            (None, false) => return Err(Error::NotFound),
            _ => {}
        }
        t.id = store::next_id(tx, Template::KIND_COUNTER)?;
        t.version = prev.as_ref().map_or(1, |p| p.version + 1);
        t.builtin = prev.as_ref().is_some_and(|p| p.builtin);
        t.created_by = Some(actor.user_id);
        t.created_ms = now;
        if let Some(s) = &t.subject
            && super::super::subject::find(s).is_none()
        {
            return Err(Error::field("subject", "error.invalid"));
        }
        wf::put_template(tx, &t, true)?;
        audit(
            tx,
            now,
            actor,
            if new {
                "workflow.template.create"
            } else {
                "workflow.template.update"
            },
            &t,
        )?;
        Ok(t)
    })
}

/// Turns a template on or off for new requests (running instances go on).
pub fn set_enabled(app: &App, actor: &Actor, key: &str, enabled: bool) -> Result<Template> {
    require_admin(app, actor)?;
    let now = app.now_ms();
    app.store().write(|tx| {
        let id = wf::current_id_w(tx, key)?.ok_or(Error::NotFound)?;
        let mut t = wf::template_w(tx, id)?.ok_or(Error::NotFound)?;
        if t.enabled != enabled {
            t.enabled = enabled;
            wf::put_template(tx, &t, true)?;
            let action = if enabled {
                "workflow.template.enable"
            } else {
                "workflow.template.disable"
            };
            audit(tx, now, actor, action, &t)?;
        }
        Ok(t)
    })
}

/// Parses an exported template (the JSON of [`Template`]) for import: ids, versions and
/// authorship are the importing node's own.
pub fn parse_import(json: &str) -> Result<Template> {
    let mut t: Template = serde_json::from_str(json)
        .map_err(|e| Error::BadRequest(format!("not a template: {e}")))?;
    t.id = 0;
    t.version = 0;
    t.builtin = false;
    t.created_by = None;
    t.created_ms = 0;
    Ok(t)
}

/// A template version as recorded, for showing an instance its caller may already see.
pub fn get_version(app: &App, id: u64) -> Result<Template> {
    app.store()
        .read(|tx| wf::template(tx, id))?
        .ok_or(Error::NotFound)
}
