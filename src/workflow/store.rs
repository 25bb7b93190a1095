//! The workflow's tables. An instance record holds its tasks; every list index (todo, done, mine,
//! cc, the scheduler's due list, per template) is derived from the record by [`index_keys`] and
//! kept in step by [`put_instance`] alone, so `oanode check` can rebuild and compare them.

use std::collections::BTreeSet;

use redb::{ReadTransaction, ReadableTable, TableDefinition, WriteTransaction};

use super::model::instance::{Attachment, Delegation, Instance, TaskKind, TaskState};
use super::model::template::Template;
use crate::error::Result;
use crate::store::keys::rev_time;
use crate::store::{self, Stored};

const TEMPLATES: TableDefinition<'_, u64, Stored<Template>> =
    TableDefinition::new("workflow.templates");
/// `key -> id of its current version`.
const TEMPLATE_KEYS: TableDefinition<'_, &str, u64> =
    TableDefinition::new("workflow.templates.by_key");
const INSTANCES: TableDefinition<'_, u64, Stored<Instance>> =
    TableDefinition::new("workflow.instances");
/// `(holder, due ms, task)`: open approval tasks, the most urgent first.
const TODO: TableDefinition<'_, (u64, u64, u64), ()> = TableDefinition::new("workflow.todo");
/// `(holder, rev done, task)`: tasks the holder acted on.
const DONE: TableDefinition<'_, (u64, u64, u64), ()> = TableDefinition::new("workflow.done");
/// `(delegator, rev done, task)`: what a delegate did on someone's behalf.
const FOR_ME: TableDefinition<'_, (u64, u64, u64), ()> = TableDefinition::new("workflow.done_for");
/// `(applicant, rev created, instance)`: 我发起的.
const MINE: TableDefinition<'_, (u64, u64, u64), ()> = TableDefinition::new("workflow.mine");
/// `(reader, read 0/1, rev created, task)`: 待阅 then 已阅.
const CC: TableDefinition<'_, (u64, u64, u64, u64), ()> = TableDefinition::new("workflow.cc");
/// `(next notice ms, task)`: when the scheduler next looks at an open task (half time, due).
const DUE: TableDefinition<'_, (u64, u64), ()> = TableDefinition::new("workflow.due");
/// `(template id, rev created, instance)`: a template's instances, for exports and reports.
const BY_TEMPLATE: TableDefinition<'_, (u64, u64, u64), ()> =
    TableDefinition::new("workflow.by_template");
const DELEGATIONS: TableDefinition<'_, u64, Stored<Delegation>> =
    TableDefinition::new("workflow.delegations");
const ATTACHMENTS: TableDefinition<'_, u64, Stored<Attachment>> =
    TableDefinition::new("workflow.attachments");

pub fn ensure_tables(tx: &WriteTransaction) -> Result<()> {
    tx.open_table(TEMPLATES)?;
    tx.open_table(TEMPLATE_KEYS)?;
    tx.open_table(INSTANCES)?;
    tx.open_table(TODO)?;
    tx.open_table(DONE)?;
    tx.open_table(FOR_ME)?;
    tx.open_table(MINE)?;
    tx.open_table(CC)?;
    tx.open_table(DUE)?;
    tx.open_table(BY_TEMPLATE)?;
    tx.open_table(DELEGATIONS)?;
    tx.open_table(ATTACHMENTS)?;
    Ok(())
}

// ---------------------------------------------------------------- templates

pub fn put_template(tx: &WriteTransaction, t: &Template, current: bool) -> Result<()> {
    store::put(&mut tx.open_table(TEMPLATES)?, t.id, t)?;
    if current {
        tx.open_table(TEMPLATE_KEYS)?.insert(t.key.as_str(), t.id)?;
    }
    Ok(())
}

pub fn template(tx: &ReadTransaction, id: u64) -> Result<Option<Template>> {
    store::get(&tx.open_table(TEMPLATES)?, id)
}

pub fn template_w(tx: &WriteTransaction, id: u64) -> Result<Option<Template>> {
    store::get(&tx.open_table(TEMPLATES)?, id)
}

pub fn current_id(tx: &ReadTransaction, key: &str) -> Result<Option<u64>> {
    Ok(tx.open_table(TEMPLATE_KEYS)?.get(key)?.map(|v| v.value()))
}

pub fn current_id_w(tx: &WriteTransaction, key: &str) -> Result<Option<u64>> {
    Ok(tx.open_table(TEMPLATE_KEYS)?.get(key)?.map(|v| v.value()))
}

/// The current version of every template, by key.
pub fn current_templates(tx: &ReadTransaction) -> Result<Vec<Template>> {
    let templates = tx.open_table(TEMPLATES)?;
    let mut out = Vec::new();
    for row in tx.open_table(TEMPLATE_KEYS)?.iter()? {
        let (_, id) = row?;
        out.extend(store::get(&templates, id.value())?);
    }
    Ok(out)
}

/// Every version of `key`, newest first.
pub fn versions(tx: &ReadTransaction, key: &str) -> Result<Vec<Template>> {
    let mut out = Vec::new();
    for row in tx.open_table(TEMPLATES)?.iter()? {
        let t = row?.1.value().decode()?;
        if t.key == key {
            out.push(t);
        }
    }
    out.sort_by_key(|t| std::cmp::Reverse(t.version));
    Ok(out)
}

// ---------------------------------------------------------------- instances

pub fn instance(tx: &ReadTransaction, id: u64) -> Result<Option<Instance>> {
    store::get(&tx.open_table(INSTANCES)?, id)
}

pub fn instance_w(tx: &WriteTransaction, id: u64) -> Result<Option<Instance>> {
    store::get(&tx.open_table(INSTANCES)?, id)
}

/// Every index entry an instance should have.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Keys {
    pub todo: BTreeSet<(u64, u64, u64)>,
    pub done: BTreeSet<(u64, u64, u64)>,
    pub for_me: BTreeSet<(u64, u64, u64)>,
    pub mine: BTreeSet<(u64, u64, u64)>,
    pub cc: BTreeSet<(u64, u64, u64, u64)>,
    pub due: BTreeSet<(u64, u64)>,
    pub by_template: BTreeSet<(u64, u64, u64)>,
}

/// When the scheduler next has something to say about an open task: at half time if it has not
/// reminded yet, at the deadline if it has not said "overdue" yet.
pub fn next_notice_ms(
    opened: i64,
    due: i64,
    reminded: bool,
    overdue_notified: bool,
) -> Option<i64> {
    if !reminded {
        Some(opened + (due - opened) / 2)
    } else if !overdue_notified {
        Some(due)
    } else {
        None
    }
}

pub fn index_keys(i: &Instance) -> Keys {
    let mut k = Keys::default();
    let created = rev_time(i.created_ms);
    k.mine.insert((i.applicant, created, i.id));
    if i.status != super::model::instance::Status::Draft {
        k.by_template.insert((i.template_id, created, i.id));
    }
    for t in &i.tasks {
        match (t.kind, t.state) {
            (TaskKind::Approval, TaskState::Open) => {
                let due = t.due_ms.unwrap_or(i64::MAX).max(0) as u64;
                k.todo.insert((t.assignee, due, t.id));
                if let (Some(o), Some(d)) = (t.opened_ms, t.due_ms)
                    && let Some(at) = next_notice_ms(o, d, t.reminded, t.overdue_notified)
                {
                    k.due.insert((at.max(0) as u64, t.id));
                }
            }
            (TaskKind::Approval, s) if s.is_action() => {
                let done = rev_time(t.done_ms.unwrap_or(0));
                k.done.insert((t.assignee, done, t.id));
                if let Some(d) = t.on_behalf_of {
                    k.for_me.insert((d, done, t.id));
                }
            }
            (TaskKind::Cc, TaskState::Open) => {
                k.cc.insert((t.assignee, 0, rev_time(t.created_ms), t.id));
            }
            (TaskKind::Cc, TaskState::Read) => {
                k.cc.insert((t.assignee, 1, rev_time(t.created_ms), t.id));
            }
            _ => {}
        }
    }
    k
}

fn sync<K>(
    tx: &WriteTransaction,
    def: TableDefinition<'_, K, ()>,
    old: &BTreeSet<K>,
    new: &BTreeSet<K>,
) -> Result<()>
where
    K: redb::Key + 'static + Ord + Copy,
    for<'a> K: std::borrow::Borrow<K::SelfType<'a>>,
{
    if old == new {
        return Ok(());
    }
    let mut t = tx.open_table(def)?;
    for gone in old.difference(new) {
        t.remove(*gone)?;
    }
    for added in new.difference(old) {
        t.insert(*added, ())?;
    }
    Ok(())
}

/// Writes an instance and brings its index entries and its search entry (the outbox) in step
/// with it (`old` is the record as it was, `None` for a new one).
pub fn put_instance(tx: &WriteTransaction, old: Option<&Instance>, new: &Instance) -> Result<()> {
    let before = old.map(index_keys).unwrap_or_default();
    let after = index_keys(new);
    store::put(&mut tx.open_table(INSTANCES)?, new.id, new)?;
    sync(tx, TODO, &before.todo, &after.todo)?;
    sync(tx, DONE, &before.done, &after.done)?;
    sync(tx, FOR_ME, &before.for_me, &after.for_me)?;
    sync(tx, MINE, &before.mine, &after.mine)?;
    sync(tx, CC, &before.cc, &after.cc)?;
    sync(tx, DUE, &before.due, &after.due)?;
    sync(tx, BY_TEMPLATE, &before.by_template, &after.by_template)?;
    super::search::on_put(tx, old, new)
}

/// Which of a person's lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Box {
    Todo,
    Done,
    /// What delegates did on the person's behalf.
    DoneForMe,
    Mine,
    /// 待阅
    CcUnread,
    /// 已阅
    CcRead,
}

/// One page of a box: `(sort key, id)` pairs after `cursor` (the last pair of the previous page).
/// The id is a task id, except in `Mine` where it is an instance id.
pub fn page(
    tx: &ReadTransaction,
    user: u64,
    which: Box,
    after: Option<(u64, u64)>,
    mut keep: impl FnMut(u64) -> bool,
    limit: usize,
) -> Result<Vec<(u64, u64)>> {
    let (lo, hi) = (after.unwrap_or((0, 0)), (u64::MAX, u64::MAX));
    let skip_first = after.is_some();
    let mut out = Vec::new();
    macro_rules! scan3 {
        ($def:expr) => {{
            let t = tx.open_table($def)?;
            for row in t.range((user, lo.0, lo.1)..=(user, hi.0, hi.1))? {
                let (k, _) = row?;
                let (_, s, id) = k.value();
                if skip_first && (s, id) == lo {
                    continue;
                }
                if keep(id) {
                    out.push((s, id));
                    if out.len() >= limit {
                        break;
                    }
                }
            }
        }};
    }
    match which {
        Box::Todo => scan3!(TODO),
        Box::Done => scan3!(DONE),
        Box::DoneForMe => scan3!(FOR_ME),
        Box::Mine => scan3!(MINE),
        Box::CcUnread | Box::CcRead => {
            let read = u64::from(which == Box::CcRead);
            let t = tx.open_table(CC)?;
            for row in t.range((user, read, lo.0, lo.1)..=(user, read, hi.0, hi.1))? {
                let (k, _) = row?;
                let (_, _, s, id) = k.value();
                if skip_first && (s, id) == lo {
                    continue;
                }
                if keep(id) {
                    out.push((s, id));
                    if out.len() >= limit {
                        break;
                    }
                }
            }
        }
    }
    Ok(out)
}

/// How many entries a box holds, counted up to `cap` (a badge shows "99+").
pub fn count(tx: &ReadTransaction, user: u64, which: Box, cap: usize) -> Result<usize> {
    Ok(page(tx, user, which, None, |_| true, cap)?.len())
}

/// Open tasks whose next deadline notice is due at `now`, oldest first.
pub fn due_tasks(tx: &ReadTransaction, now: i64, limit: usize) -> Result<Vec<u64>> {
    let t = tx.open_table(DUE)?;
    let mut out = Vec::new();
    for row in t.range((0, 0)..=(now.max(0) as u64, u64::MAX))?.take(limit) {
        out.push(row?.0.value().1);
    }
    Ok(out)
}

/// Instances of one template version created in `[from, to)`, newest first.
pub fn of_template(
    tx: &ReadTransaction,
    template_id: u64,
    from_ms: i64,
    to_ms: i64,
    limit: usize,
) -> Result<Vec<u64>> {
    let t = tx.open_table(BY_TEMPLATE)?;
    let mut out = Vec::new();
    let range = (template_id, rev_time(to_ms - 1), 0)..=(template_id, rev_time(from_ms), u64::MAX);
    for row in t.range(range)?.take(limit) {
        out.push(row?.0.value().2);
    }
    Ok(out)
}

/// The open tasks a person holds (for moving them when they leave or go away).
pub fn open_tasks_of_w(tx: &WriteTransaction, user: u64) -> Result<Vec<u64>> {
    let t = tx.open_table(TODO)?;
    let mut out = Vec::new();
    for row in t.range((user, 0, 0)..=(user, u64::MAX, u64::MAX))? {
        out.push(row?.0.value().2);
    }
    Ok(out)
}

/// Every open approval task (for recomputing deadlines when the calendar changes).
pub fn all_open_tasks_w(tx: &WriteTransaction) -> Result<Vec<u64>> {
    let t = tx.open_table(TODO)?;
    let mut out = Vec::new();
    for row in t.iter()? {
        out.push(row?.0.value().2);
    }
    Ok(out)
}

/// Calls `f` with the holder of every open approval task (the seed's report).
pub fn for_each_open_task(tx: &ReadTransaction, mut f: impl FnMut(u64)) -> Result<()> {
    for row in tx.open_table(TODO)?.iter()? {
        f(row?.0.value().0);
    }
    Ok(())
}

/// Every instance, for `oanode check`, reindexing and exports.
pub fn for_each_instance(
    tx: &ReadTransaction,
    mut f: impl FnMut(Instance) -> Result<()>,
) -> Result<()> {
    for row in tx.open_table(INSTANCES)?.iter()? {
        f(row?.1.value().decode()?)?;
    }
    Ok(())
}

// ---------------------------------------------------------------- delegations, attachments

pub fn delegation(tx: &ReadTransaction, user: u64) -> Result<Option<Delegation>> {
    store::get(&tx.open_table(DELEGATIONS)?, user)
}

pub fn delegation_w(tx: &WriteTransaction, user: u64) -> Result<Option<Delegation>> {
    store::get(&tx.open_table(DELEGATIONS)?, user)
}

pub fn put_delegation(tx: &WriteTransaction, d: &Delegation) -> Result<()> {
    store::put(&mut tx.open_table(DELEGATIONS)?, d.user_id, d)
}

pub fn delete_delegation(tx: &WriteTransaction, user: u64) -> Result<bool> {
    Ok(tx.open_table(DELEGATIONS)?.remove(user)?.is_some())
}

pub fn attachment(tx: &ReadTransaction, id: u64) -> Result<Option<Attachment>> {
    store::get(&tx.open_table(ATTACHMENTS)?, id)
}

pub fn attachment_w(tx: &WriteTransaction, id: u64) -> Result<Option<Attachment>> {
    store::get(&tx.open_table(ATTACHMENTS)?, id)
}

pub fn put_attachment(tx: &WriteTransaction, a: &Attachment) -> Result<()> {
    store::put(&mut tx.open_table(ATTACHMENTS)?, a.id, a)
}

/// `oanode check`: the index entries against what the instances call for, both ways.
pub fn check(tx: &ReadTransaction, problems: &mut Vec<String>) -> Result<()> {
    let mut want = Keys::default();
    for_each_instance(tx, |i| {
        let k = index_keys(&i);
        want.todo.extend(k.todo);
        want.done.extend(k.done);
        want.for_me.extend(k.for_me);
        want.mine.extend(k.mine);
        want.cc.extend(k.cc);
        want.due.extend(k.due);
        want.by_template.extend(k.by_template);
        Ok(())
    })?;
    store::compare_index(tx, TODO, &want.todo, problems)?;
    store::compare_index(tx, DONE, &want.done, problems)?;
    store::compare_index(tx, FOR_ME, &want.for_me, problems)?;
    store::compare_index(tx, MINE, &want.mine, problems)?;
    store::compare_index(tx, CC, &want.cc, problems)?;
    store::compare_index(tx, DUE, &want.due, problems)?;
    store::compare_index(tx, BY_TEMPLATE, &want.by_template, problems)?;
    Ok(())
}
