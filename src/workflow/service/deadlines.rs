//! Deadlines: the approver is reminded at half time and told when a task is overdue (and, if
//! configured, so is their manager); when the working-day calendar changes, the deadlines of open
//! tasks are computed again. `tick` is what the scheduler thread runs every half minute; tests
//! call it with the settable clock.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::super::engine::instance_of_task;
use super::super::model::instance::TaskState;
use super::super::store as wf;
use crate::App;
use crate::error::Result;
use crate::inbox::model::{Kind, NewNotification};
use crate::inbox::service::notify;

/// Tasks looked at per transaction.
const BATCH: usize = 200;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Ticked {
    pub reminded: usize,
    pub overdue: usize,
}

/// Sends the reminders and overdue notices that are due now.
pub fn tick(app: &App) -> Result<Ticked> {
    let now = app.now_ms();
    let escalate = app.config().workflow.escalate_overdue;
    let mut out = Ticked::default();
    loop {
        let due = app.store().read(|tx| wf::due_tasks(tx, now, BATCH))?;
        if due.is_empty() {
            return Ok(out);
        }
        let (n, ring) = app.store().write(|tx| {
            let mut n = Ticked::default();
            let mut ring = Vec::new();
            for task in &due {
                let Some(before) = wf::instance_w(tx, instance_of_task(*task))? else {
                    continue;
                };
                let mut inst = before.clone();
                let Some(t) = inst.tasks.iter_mut().find(|t| t.id == *task) else {
                    continue;
                };
                let (Some(opened), Some(due_ms)) = (t.opened_ms, t.due_ms) else {
                    continue;
                };
                if t.state != TaskState::Open {
                    continue;
                }
                let mut tell = Vec::new();
                if !t.reminded && now >= opened + (due_ms - opened) / 2 {
                    t.reminded = true;
                    if now <= due_ms {
                        tell.push((t.assignee, Kind::Reminder));
                        n.reminded += 1;
                    }
                }
                if !t.overdue_notified && now > due_ms {
                    t.reminded = true;
                    t.overdue_notified = true;
                    tell.push((t.assignee, Kind::Overdue));
                    if escalate
                        && let Some(m) = crate::org::store::user_by_id_w(tx, t.assignee)?
                            .and_then(|u| u.manager_id)
                    {
                        tell.push((m, Kind::Overdue));
                    }
                    n.overdue += 1;
                }
                wf::put_instance(tx, Some(&before), &inst)?;
                for (user, kind) in tell {
                    notify(
                        tx,
                        now,
                        &NewNotification {
                            user_id: user,
                            kind,
                            subject: inst.title.clone(),
                            note: String::new(),
                            link: format!("/workflow/instances/{}", inst.id),
                            actor_id: None,
                            actor_name: String::new(),
                        },
                    )?;
                    ring.push(user);
                }
            }
            Ok((n, ring))
        })?;
        app.inbox_announce(&ring);
        out.reminded += n.reminded;
        out.overdue += n.overdue;
        if due.len() < BATCH {
            return Ok(out);
        }
    }
}

/// The calendar changed: every open task's deadline is computed again from when it opened, and
/// its notices follow the new deadline. Returns how many deadlines moved.
pub fn recompute(app: &App) -> Result<usize> {
    let cal = app.workdays()?;
    let tz = app.tz();
    let now = app.now_ms();
    app.store().write(|tx| {
        let mut moved = 0;
        let mut seen = std::collections::BTreeSet::new();
        for task in wf::all_open_tasks_w(tx)? {
            let id = instance_of_task(task);
            if !seen.insert(id) {
                continue;
            }
            let Some(before) = wf::instance_w(tx, id)? else {
                continue;
            };
            let Some(t) = wf::template_w(tx, before.template_id)? else {
                continue;
            };
            let mut inst = before.clone();
            for task in inst.tasks.iter_mut().filter(|x| x.state == TaskState::Open) {
                let (Some(opened), Some(old)) = (task.opened_ms, task.due_ms) else {
                    continue;
                };
                let days = t.steps.get(task.step).map_or(1, |s| s.deadline_days);
                let due = cal.add_working_days(opened, days, &tz);
                if due != old {
                    task.due_ms = Some(due);
                    task.reminded = now >= opened + (due - opened) / 2 && task.reminded;
                    task.overdue_notified = now > due && task.overdue_notified;
                    moved += 1;
                }
            }
            if inst != before {
                wf::put_instance(tx, Some(&before), &inst)?;
            }
        }
        Ok(moved)
    })
}

/// The thread that runs [`tick`] every half minute until stopped.
pub struct DeadlineScheduler {
    stop: Arc<AtomicBool>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl DeadlineScheduler {
    pub fn start(app: App) -> DeadlineScheduler {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let handle = std::thread::Builder::new()
            .name("oanode-deadlines".into())
            .spawn(move || {
                while !flag.load(Ordering::SeqCst) {
                    if let Err(e) = tick(&app) {
                        tracing::warn!(error = %e, "deadline notices failed; retrying");
                    }
                    if let Err(e) = crate::documents::service::receipts::remind_due(&app) {
                        tracing::warn!(error = %e, "document reminders failed; retrying");
                    }
                    if let Err(e) = crate::posts::service::edit::publish_due(&app) {
                        tracing::warn!(error = %e, "scheduled posts failed; retrying");
                    }
                    if let Err(e) = crate::auth::sweep::tick(&app) {
                        tracing::warn!(error = %e, "removing ended sessions failed; retrying");
                    }
                    if let Err(e) = crate::backup::schedule::tick(&app) {
                        tracing::error!(error = %e, "the daily backup failed; retrying");
                    }
                    for _ in 0..30 {
                        if flag.load(Ordering::SeqCst) {
                            return;
                        }
                        std::thread::sleep(Duration::from_secs(1));
                    }
                }
            })
            .ok();
        DeadlineScheduler { stop, handle }
    }

    pub fn stop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

impl Drop for DeadlineScheduler {
    fn drop(&mut self) {
        self.stop();
    }
}
