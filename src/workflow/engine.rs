//! The workflow engine: a pure state machine over one instance. It knows the template, asks the
//! organization who approves through [`OrgView`], computes deadlines through the given function,
//! and says whom to tell through [`Notice`]s. It knows nothing of what it approves and does no
//! I/O, so every rule is tested here without a store.
//!
//! Invariant (property-tested): a running instance always waits on at least one open approval
//! task; an instance that is not running has no pending approval task.

use super::model::form::as_number;
use super::model::instance::{Event, EventKind, Instance, Status, Task, TaskKind, TaskState};
use super::model::template::{ApproverRule, Condition, Mode, Op, RoleScope, StepKind, Template};

/// Tasks per instance are numbered `instance_id * TASK_SPAN + n`, so a task id names its instance.
pub const TASK_SPAN: u64 = 1000;

pub fn instance_of_task(task_id: u64) -> u64 {
    task_id / TASK_SPAN
}

/// A person as the engine needs them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Person {
    pub id: u64,
    pub unit_id: u64,
    pub manager_id: Option<u64>,
    pub active: bool,
}

/// What the engine asks of the organization.
pub trait OrgView {
    fn person(&self, id: u64) -> Option<Person>;
    fn unit_head(&self, unit: u64) -> Option<u64>;
    /// The enterprise a unit belongs to (the group itself for the group's own departments).
    fn enterprise_of(&self, unit: u64) -> u64;
    fn root(&self) -> u64;
    /// Active holders of `role` granted on `unit` or above it, in a stable order.
    fn role_holders(&self, role: &str, unit: u64) -> Vec<u64>;
    /// The active delegate of `user` at `at_ms` for `category`, if any.
    fn delegate(&self, user: u64, at_ms: i64, category: &str) -> Option<u64>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    Task,
    Cc,
    Approved,
    Rejected,
    Returned,
    Withdrawn,
    Terminated,
    Urged,
    Transferred,
    /// A task given to someone because its holder is away (代理) or left.
    Reassigned,
}

/// Someone to tell about something; the service turns these into inbox notifications.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub user: u64,
    pub kind: NoticeKind,
}

/// Why an action was refused: the service maps these to HTTP answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The instance or task is not in a state that allows it (409).
    State,
    /// The target of a return, transfer or added approver is not valid (400).
    Target,
    /// Too many tasks on one instance.
    TooMany,
}

pub struct Engine<'a> {
    pub template: &'a Template,
    pub org: &'a dyn OrgView,
    /// The deadline of a task opened at `start` with `days` working days.
    pub due: &'a dyn Fn(i64, u32) -> i64,
    pub now: i64,
    pub notices: Vec<Notice>,
}

impl<'a> Engine<'a> {
    pub fn new(
        template: &'a Template,
        org: &'a dyn OrgView,
        due: &'a dyn Fn(i64, u32) -> i64,
        now: i64,
    ) -> Engine<'a> {
        Engine {
            template,
            org,
            due,
            now,
            notices: Vec::new(),
        }
    }

    fn tell(&mut self, user: u64, kind: NoticeKind) {
        let n = Notice { user, kind };
        if !self.notices.contains(&n) {
            self.notices.push(n);
        }
    }

    fn event(&self, kind: EventKind, actor: Option<u64>) -> Event {
        Event {
            at_ms: self.now,
            kind,
            actor,
            on_behalf_of: None,
            step: None,
            target: None,
            comment: String::new(),
            attachments: Vec::new(),
            reason: String::new(),
        }
    }

    /// Submits a draft or resubmits a returned instance: the process starts from its first step.
    pub fn submit(&mut self, inst: &mut Instance) -> Result<(), Refusal> {
        if !matches!(inst.status, Status::Draft | Status::Returned) {
            return Err(Refusal::State);
        }
        let kind = if inst.status == Status::Draft {
            EventKind::Submitted
        } else {
            EventKind::Resubmitted
        };
        inst.timeline.push(self.event(kind, Some(inst.applicant)));
        inst.status = Status::Running;
        inst.submitted_ms = Some(self.now);
        inst.round_from = inst.tasks.len();
        inst.restart_from = inst.tasks.len();
        self.start_from(inst, 0);
        Ok(())
    }

    /// Starts step `from` or the first applicable one after it; completes the instance when
    /// none is left.
    fn start_from(&mut self, inst: &mut Instance, from: usize) {
        let t = self.template;
        for i in from..t.steps.len() {
            let step = &t.steps[i];
            if let Some(c) = &step.condition
                && !holds(c, inst)
            {
                continue; // a branch not taken is not shown as skipped
            }
            let (people, was_self) = self.resolve(inst, i);
            if step.kind == StepKind::Cc {
                for u in people {
                    self.add_task(inst, i, TaskKind::Cc, u, TaskState::Open, 0, None, None);
                }
                continue;
            }
            // Someone who already approved this round is not asked again (相邻同人跳过): for
            // any-of, one of them suffices; otherwise the others are still asked.
            let approved = |u: &u64| {
                let since = inst.tasks.get(inst.restart_from..).unwrap_or_default();
                since.iter().any(|t| {
                    t.kind == TaskKind::Approval
                        && t.state == TaskState::Approved
                        && (t.assignee == *u || t.on_behalf_of == Some(*u))
                })
            };
            let any_done = people.iter().any(approved);
            if any_done && (step.mode == Mode::AnyOf || people.iter().all(approved)) {
                let mut e = self.event(EventKind::StepSkipped, None);
                e.step = Some(i);
                e.reason = "workflow.reason.already".into();
                inst.timeline.push(e);
                continue;
            }
            let people: Vec<u64> = people.into_iter().filter(|u| !approved(u)).collect();
            let (people, reason) = if people.is_empty() && !was_self {
                (self.fallback(inst), "workflow.reason.no_approver")
            } else {
                (people, "workflow.reason.self")
            };
            if people.is_empty() {
                let mut e = self.event(EventKind::StepSkipped, None);
                e.step = Some(i);
                e.reason = reason.into();
                inst.timeline.push(e);
                continue;
            }
            inst.current = Some(i);
            let mut e = self.event(EventKind::StepStarted, None);
            e.step = Some(i);
            inst.timeline.push(e);
            for (n, u) in people.into_iter().enumerate() {
                let state = if step.mode == Mode::Sequence && n > 0 {
                    TaskState::Waiting
                } else {
                    TaskState::Open
                };
                self.add_task(inst, i, TaskKind::Approval, u, state, n as u32, None, None);
            }
            return;
        }
        self.finish(inst, Status::Approved, None);
    }

    /// The approvers of step `i`, in order, without duplicates, inactive people or the applicant;
    /// and whether the applicant was among them (the level is then skipped, not sent elsewhere).
    fn resolve(&self, inst: &Instance, i: usize) -> (Vec<u64>, bool) {
        let org = self.org;
        let applicant = org.person(inst.applicant);
        let unit = applicant.map_or(inst.unit_id, |p| p.unit_id);
        let mut out: Vec<u64> = Vec::new();
        for rule in &self.template.steps[i].approvers {
            match rule {
                ApproverRule::Users { ids } => out.extend(ids),
                ApproverRule::Role { role, scope } => {
                    let at = match scope {
                        RoleScope::Group => org.root(),
                        RoleScope::Enterprise => org.enterprise_of(unit),
                        RoleScope::Department => unit,
                    };
                    out.extend(org.role_holders(role, at));
                }
                ApproverRule::DepartmentHead => out.extend(org.unit_head(unit)),
                ApproverRule::EnterpriseHead => out.extend(org.unit_head(org.enterprise_of(unit))),
                ApproverRule::Manager { levels } => {
                    let mut who = inst.applicant;
                    for _ in 0..*levels {
                        match org.person(who).and_then(|p| p.manager_id) {
                            Some(m) if m != who && !out.contains(&m) => {
                                out.push(m);
                                who = m;
                            }
                            _ => break,
                        }
                    }
                }
                ApproverRule::Field { field } => {
                    out.extend(inst.form.get(field).and_then(serde_json::Value::as_u64))
                }
            }
        }
        let mut seen = Vec::new();
        let mut was_self = false;
        for u in out {
            if u == inst.applicant {
                was_self = true;
            } else if !seen.contains(&u) && org.person(u).is_some_and(|p| p.active) {
                seen.push(u);
            }
        }
        (seen, was_self)
    }

    /// Nobody found for a step: the workflow administrators of the applicant's enterprise
    /// (then the group's) take it, so that no instance waits on nobody.
    fn fallback(&self, inst: &Instance) -> Vec<u64> {
        let org = self.org;
        let unit = org
            .person(inst.applicant)
            .map_or(inst.unit_id, |p| p.unit_id);
        let mut who = org.role_holders("workflow_admin", org.enterprise_of(unit));
        if who.is_empty() {
            who = org.role_holders("group_admin", org.root());
        }
        who.retain(|u| *u != inst.applicant);
        who
    }

    #[allow(clippy::too_many_arguments)]
    fn add_task(
        &mut self,
        inst: &mut Instance,
        step: usize,
        kind: TaskKind,
        user: u64,
        state: TaskState,
        seq: u32,
        gate: Option<u64>,
        added_by: Option<u64>,
    ) -> u64 {
        let n = inst.tasks.len() as u64 + 1;
        let id = inst.id * TASK_SPAN + n;
        let (assignee, on_behalf_of) = match self.org.delegate(user, self.now, &inst.category) {
            Some(d) if d != user && d != inst.applicant => (d, Some(user)),
            _ => (user, None),
        };
        inst.tasks.push(Task {
            id,
            kind,
            step,
            assignee,
            on_behalf_of,
            state,
            seq,
            added_by,
            gate,
            created_ms: self.now,
            opened_ms: None,
            due_ms: None,
            done_ms: None,
            comment: String::new(),
            reminded: false,
            overdue_notified: false,
        });
        if state == TaskState::Open {
            self.open(inst, id);
        }
        id
    }

    fn open(&mut self, inst: &mut Instance, id: u64) {
        let days = |step: usize| self.template.steps.get(step).map_or(1, |s| s.deadline_days);
        let Some(t) = inst.tasks.iter_mut().find(|t| t.id == id) else {
            return;
        };
        t.state = TaskState::Open;
        t.opened_ms = Some(self.now);
        let (kind, who) = (t.kind, t.assignee);
        if kind == TaskKind::Approval {
            t.due_ms = Some((self.due)(self.now, days(t.step)));
        }
        self.tell(
            who,
            if kind == TaskKind::Cc {
                NoticeKind::Cc
            } else {
                NoticeKind::Task
            },
        );
    }

    fn pending_task(inst: &mut Instance, task: u64) -> Result<&mut Task, Refusal> {
        inst.tasks
            .iter_mut()
            .find(|t| t.id == task && t.kind == TaskKind::Approval && t.state == TaskState::Open)
            .ok_or(Refusal::State)
    }

    fn close(&self, t: &mut Task, state: TaskState, comment: &str) {
        t.state = state;
        t.done_ms = Some(self.now);
        t.comment = comment.to_string();
    }

    fn record(&self, inst: &mut Instance, kind: EventKind, task: u64, comment: &str) -> Event {
        let t = inst.task(task).cloned();
        let mut e = self.event(kind, t.as_ref().map(|t| t.assignee));
        e.on_behalf_of = t.as_ref().and_then(|t| t.on_behalf_of);
        e.step = t.map(|t| t.step);
        e.comment = comment.to_string();
        e
    }

    pub fn approve(
        &mut self,
        inst: &mut Instance,
        task: u64,
        comment: &str,
        attachments: &[u64],
    ) -> Result<(), Refusal> {
        self.require_running(inst)?;
        let t = Self::pending_task(inst, task)?;
        let (step, added_by) = (t.step, t.added_by);
        self.close(t, TaskState::Approved, comment);
        let mut e = self.record(inst, EventKind::Approved, task, comment);
        e.attachments = attachments.to_vec();
        inst.timeline.push(e);
        self.stands_for_peers(inst, task, step, added_by);
        self.settle(inst, step);
        Ok(())
    }

    /// 或签: an approval stands for the step's other approvers (not for people someone added).
    fn stands_for_peers(
        &mut self,
        inst: &mut Instance,
        task: u64,
        step: usize,
        added_by: Option<u64>,
    ) {
        if self.template.steps[step].mode != Mode::AnyOf || added_by.is_some() {
            return;
        }
        let peers: Vec<u64> = inst
            .tasks
            .iter()
            .filter(|o| {
                o.step == step && o.state.is_pending() && o.added_by.is_none() && o.id != task
            })
            .map(|o| o.id)
            .collect();
        self.cancel(inst, &peers);
    }

    /// Cancels `ids` and, with them, the people their holders added before themselves.
    fn cancel(&mut self, inst: &mut Instance, ids: &[u64]) {
        let mut todo = ids.to_vec();
        while let Some(id) = todo.pop() {
            for t in inst.tasks.iter_mut() {
                if t.id == id && t.state.is_pending() {
                    t.state = TaskState::Cancelled;
                    t.done_ms = Some(self.now);
                } else if t.added_by == Some(id) && t.state.is_pending() {
                    todo.push(t.id);
                }
            }
        }
    }

    /// After a change in `step`: opens what may open now, and moves on when nothing is pending.
    fn settle(&mut self, inst: &mut Instance, step: usize) {
        loop {
            let done =
                |inst: &Instance, id: u64| inst.task(id).is_none_or(|g| !g.state.is_pending());
            let ungated: Vec<u64> = inst
                .tasks
                .iter()
                .filter(|t| t.step == step && t.state == TaskState::Waiting)
                .filter(|t| t.gate.is_some_and(|g| done(inst, g)))
                .map(|t| t.id)
                .collect();
            if ungated.is_empty() {
                break;
            }
            for id in ungated {
                if let Some(t) = inst.tasks.iter_mut().find(|t| t.id == id) {
                    t.gate = None;
                }
                self.open(inst, id);
            }
        }
        let in_step = |t: &&Task| t.step == step && t.kind == TaskKind::Approval;
        if !inst
            .tasks
            .iter()
            .filter(in_step)
            .any(|t| t.state == TaskState::Open)
        {
            let next = inst
                .tasks
                .iter()
                .filter(in_step)
                .filter(|t| t.state == TaskState::Waiting && t.gate.is_none())
                .min_by_key(|t| (t.seq, t.id))
                .map(|t| t.id);
            if let Some(id) = next {
                self.open(inst, id);
                return;
            }
        }
        if !inst
            .tasks
            .iter()
            .filter(in_step)
            .any(|t| t.state.is_pending())
        {
            self.start_from(inst, step + 1);
        }
    }

    fn require_running(&self, inst: &Instance) -> Result<(), Refusal> {
        if inst.status == Status::Running {
            Ok(())
        } else {
            Err(Refusal::State)
        }
    }

    fn finish(&mut self, inst: &mut Instance, status: Status, by: Option<u64>) {
        let pending = Self::pending_ids(inst);
        self.cancel(inst, &pending);
        inst.status = status;
        inst.current = None;
        inst.ended_ms = Some(self.now);
        match status {
            Status::Approved => {
                inst.timeline.push(self.event(EventKind::Completed, by));
                self.tell(inst.applicant, NoticeKind::Approved);
            }
            Status::Rejected => self.tell(inst.applicant, NoticeKind::Rejected),
            Status::Terminated => self.tell(inst.applicant, NoticeKind::Terminated),
            _ => {}
        }
    }
}

/// Whether a condition holds for the instance's form. A missing value makes a comparison false.
pub fn holds(c: &Condition, inst: &Instance) -> bool {
    match c {
        Condition::All { of } => of.iter().all(|c| holds(c, inst)),
        Condition::Any { of } => of.iter().any(|c| holds(c, inst)),
        Condition::Compare { field, op, value } => {
            let Some(v) = inst.form.get(field) else {
                return false;
            };
            if let (Some(a), Some(b)) = (as_number(v), value.as_f64()) {
                return match op {
                    Op::Eq => a == b,
                    Op::Ne => a != b,
                    Op::Gt => a > b,
                    Op::Ge => a >= b,
                    Op::Lt => a < b,
                    Op::Le => a <= b,
                    Op::In => false,
                };
            }
            match op {
                Op::Eq => v == value,
                Op::Ne => v != value,
                Op::In => value.as_array().is_some_and(|a| a.contains(v)),
                _ => false,
            }
        }
    }
}

mod actions;

#[cfg(test)]
#[path = "engine_tests.rs"]
mod tests;
