//! Workflow instances in the search index (kind `instance`): the title, the template's name, the
//! applicant's name and the form's values; visible to the applicant and to everyone who ever
//! held a task on it (approvers, delegates and those they acted for, cc readers). A draft has no
//! tasks, so only its applicant finds it.

use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, HashMap};

use redb::{ReadTransaction, WriteTransaction};

use super::model::instance::{Form, Instance, Status};
use crate::error::Result;
use crate::store::outbox::{self, Change, SearchDoc};

/// What the index holds of an instance: an instance whose search fields are unchanged (most
/// task updates) is not written to the outbox again.
#[derive(PartialEq)]
struct Fingerprint<'a> {
    title: &'a str,
    form: &'a Form,
    draft: bool,
    people: BTreeSet<u64>,
    time: i64,
    applicant: u64,
    unit: u64,
    template: u64,
}

fn fingerprint(i: &Instance) -> Fingerprint<'_> {
    Fingerprint {
        title: &i.title,
        form: &i.form,
        draft: i.status == Status::Draft,
        people: i.participants().collect(),
        time: time_of(i),
        applicant: i.applicant,
        unit: i.unit_id,
        template: i.template_id,
    }
}

fn time_of(i: &Instance) -> i64 {
    i.submitted_ms.unwrap_or(i.created_ms)
}

/// The text of a form's values: strings and numbers, arrays flattened; one per line.
fn form_text(form: &Form) -> String {
    fn walk(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::String(s) if !s.trim().is_empty() => out.push(s.trim().to_string()),
            serde_json::Value::Number(n) => out.push(n.to_string()),
            serde_json::Value::Array(items) => items.iter().for_each(|x| walk(x, out)),
            serde_json::Value::Object(map) => map.values().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for v in form.values() {
        walk(v, &mut out);
    }
    out.join("\n")
}

/// The search entry of an instance, given its template's name, its applicant's name and its
/// unit chain (the unit first, then its ancestors).
pub fn search_doc(i: &Instance, template: &str, applicant: &str, units: Vec<u64>) -> SearchDoc {
    let mut readers: BTreeSet<u64> = i.participants().collect();
    readers.insert(i.applicant);
    SearchDoc {
        key: format!("instance:{}", i.id),
        kind: "instance".into(),
        title: i.title.clone(),
        body: format!("{template}\n{applicant}\n{}", form_text(&i.form)),
        acl: readers.into_iter().map(|u| format!("user:{u}")).collect(),
        time_ms: time_of(i),
        url: format!("/workflow/instances/{}", i.id),
        units,
        files: Vec::new(),
    }
}

/// Appends the instance's entry to the outbox in the caller's transaction, unless nothing the
/// index holds of it changed. A few point reads (template, applicant, unit chain).
pub fn on_put(tx: &WriteTransaction, old: Option<&Instance>, new: &Instance) -> Result<()> {
    if old.is_some_and(|o| fingerprint(o) == fingerprint(new)) {
        return Ok(());
    }
    let template = super::store::template_w(tx, new.template_id)?
        .map(|t| t.name)
        .unwrap_or_default();
    let applicant = crate::org::store::user_by_id_w(tx, new.applicant)?
        .map(|u| u.name)
        .unwrap_or_default();
    let mut units = Vec::new();
    let mut cur = Some(new.unit_id);
    while let Some(u) = cur {
        if units.contains(&u) {
            break;
        }
        units.push(u);
        cur = crate::org::store::unit_by_id_w(tx, u)?.and_then(|unit| unit.parent_id);
    }
    let doc = search_doc(new, &template, &applicant, units);
    outbox::append(tx, &Change::Upsert(doc))?;
    Ok(())
}

/// Every instance's search entry, for `oanode reindex`.
pub fn search_docs(tx: &ReadTransaction, out: &mut Vec<SearchDoc>) -> Result<()> {
    let units = crate::org::store::units_all(tx)?;
    let tree = crate::org::tree::UnitTree::new(&units);
    let names: HashMap<u64, String> = crate::org::store::users_all(tx)?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let mut templates: HashMap<u64, String> = HashMap::new();
    super::store::for_each_instance(tx, |i| {
        let template = match templates.entry(i.template_id) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => e.insert(
                super::store::template(tx, i.template_id)?
                    .map(|t| t.name)
                    .unwrap_or_default(),
            ),
        };
        let applicant = names.get(&i.applicant).map_or("", String::as_str);
        out.push(search_doc(
            &i,
            template,
            applicant,
            tree.ancestors(i.unit_id),
        ));
        Ok(())
    })
}
