//! The engine's actions beyond approving: reject, return, transfer, add an approver, withdraw,
//! urge, reassign, terminate, read. A child of `engine.rs`, sharing its private helpers.

use super::super::model::instance::{EventKind, Instance, Status, TaskKind, TaskState};
use super::{Engine, NoticeKind, Refusal, TASK_SPAN};

impl Engine<'_> {
    pub fn reject(&mut self, inst: &mut Instance, task: u64, comment: &str) -> Result<(), Refusal> {
        self.require_running(inst)?;
        let t = Self::pending_task(inst, task)?;
        self.close(t, TaskState::Rejected, comment);
        let e = self.record(inst, EventKind::Rejected, task, comment);
        inst.timeline.push(e);
        self.finish(inst, Status::Rejected, None);
        Ok(())
    }

    /// Returns to the applicant (`to_step` None) or to an earlier step, which starts again.
    pub fn send_back(
        &mut self,
        inst: &mut Instance,
        task: u64,
        to_step: Option<usize>,
        comment: &str,
    ) -> Result<(), Refusal> {
        self.require_running(inst)?;
        let step = Self::pending_task(inst, task)?.step;
        if to_step.is_some_and(|s| s >= step) {
            return Err(Refusal::Target);
        }
        let t = Self::pending_task(inst, task)?;
        self.close(t, TaskState::Returned, comment);
        let mut e = self.record(inst, EventKind::Returned, task, comment);
        e.target = to_step.map(|s| s as u64);
        inst.timeline.push(e);
        let pending: Vec<u64> = Self::pending_ids(inst);
        self.cancel(inst, &pending);
        match to_step {
            None => {
                inst.status = Status::Returned;
                inst.current = None;
                self.tell(inst.applicant, NoticeKind::Returned);
            }
            Some(s) => {
                inst.current = None;
                inst.restart_from = inst.tasks.len();
                self.start_from(inst, s);
            }
        }
        Ok(())
    }

    pub(super) fn pending_ids(inst: &Instance) -> Vec<u64> {
        inst.tasks
            .iter()
            .filter(|t| t.kind == TaskKind::Approval && t.state.is_pending())
            .map(|t| t.id)
            .collect()
    }

    fn check_target(&self, inst: &Instance, to: u64) -> Result<(), Refusal> {
        let busy = inst
            .tasks
            .iter()
            .any(|t| t.kind == TaskKind::Approval && t.state.is_pending() && t.assignee == to);
        if to == inst.applicant || busy || !self.org.person(to).is_some_and(|p| p.active) {
            return Err(Refusal::Target);
        }
        if inst.tasks.len() as u64 >= TASK_SPAN - 100 {
            return Err(Refusal::TooMany);
        }
        Ok(())
    }

    /// 转交: the task passes to `to`, who decides in its place.
    pub fn transfer(
        &mut self,
        inst: &mut Instance,
        task: u64,
        to: u64,
        comment: &str,
    ) -> Result<(), Refusal> {
        self.require_running(inst)?;
        self.check_target(inst, to)?;
        let t = Self::pending_task(inst, task)?;
        let (step, seq, gate, added_by) = (t.step, t.seq, t.gate, t.added_by);
        self.close(t, TaskState::Transferred, comment);
        let mut e = self.record(inst, EventKind::Transferred, task, comment);
        e.target = Some(to);
        inst.timeline.push(e);
        let new = self.add_task(
            inst,
            step,
            TaskKind::Approval,
            to,
            TaskState::Open,
            seq,
            gate,
            added_by,
        );
        for t in inst.tasks.iter_mut() {
            if t.gate == Some(task) {
                t.gate = Some(new);
            }
        }
        Ok(())
    }

    /// 加签: `who` approves before the holder (whose task waits) or after them (the holder
    /// approves now and the step waits for `who`).
    pub fn add_approver(
        &mut self,
        inst: &mut Instance,
        task: u64,
        who: u64,
        before: bool,
        comment: &str,
    ) -> Result<(), Refusal> {
        self.require_running(inst)?;
        self.check_target(inst, who)?;
        let t = Self::pending_task(inst, task)?;
        let (step, added_by) = (t.step, t.added_by);
        if before {
            t.state = TaskState::Waiting;
        } else {
            self.close(t, TaskState::Approved, comment);
        }
        let mut e = self.record(inst, EventKind::AddedApprover, task, comment);
        e.target = Some(who);
        e.reason = if before {
            "workflow.reason.before"
        } else {
            "workflow.reason.after"
        }
        .into();
        inst.timeline.push(e);
        let added = self.add_task(
            inst,
            step,
            TaskKind::Approval,
            who,
            TaskState::Open,
            0,
            None,
            Some(task),
        );
        if before && let Some(t) = inst.tasks.iter_mut().find(|t| t.id == task) {
            t.gate = Some(added);
        }
        if !before {
            self.stands_for_peers(inst, task, step, added_by);
        }
        Ok(())
    }

    /// 撤回: the applicant takes a running request back before any approver acted, or abandons a
    /// returned one.
    pub fn withdraw(&mut self, inst: &mut Instance) -> Result<(), Refusal> {
        let ok = match inst.status {
            Status::Running => !inst.approver_acted(),
            Status::Returned | Status::Draft => true,
            _ => false,
        };
        if !ok {
            return Err(Refusal::State);
        }
        for t in inst.open_tasks() {
            self.tell(t.assignee, NoticeKind::Withdrawn);
        }
        inst.timeline
            .push(self.event(EventKind::Withdrawn, Some(inst.applicant)));
        self.finish(inst, Status::Withdrawn, None);
        Ok(())
    }

    /// 催办: tells the current approvers again.
    pub fn urge(&mut self, inst: &mut Instance, by: u64, comment: &str) -> Result<(), Refusal> {
        self.require_running(inst)?;
        let holders: Vec<u64> = inst.open_tasks().map(|t| t.assignee).collect();
        for u in holders {
            self.tell(u, NoticeKind::Urged);
        }
        let mut e = self.event(EventKind::Urged, Some(by));
        e.comment = comment.to_string();
        inst.timeline.push(e);
        inst.last_urged_ms = Some(self.now);
        Ok(())
    }

    /// Gives a pending task to `to`: a delegate (on the holder's behalf), the successor of
    /// someone who left, or whoever an administrator names. The deadline stays.
    pub fn reassign(
        &mut self,
        inst: &mut Instance,
        task: u64,
        to: u64,
        on_behalf: bool,
        by: Option<u64>,
        reason: &str,
    ) -> Result<(), Refusal> {
        if !inst.status.is_open() {
            return Err(Refusal::State);
        }
        if to == inst.applicant || !self.org.person(to).is_some_and(|p| p.active) {
            return Err(Refusal::Target);
        }
        let t = inst
            .tasks
            .iter_mut()
            .find(|t| t.id == task && t.state.is_pending())
            .ok_or(Refusal::State)?;
        let from = t.assignee;
        if from == to {
            return Ok(());
        }
        t.on_behalf_of = if on_behalf {
            Some(t.on_behalf_of.unwrap_or(from))
        } else {
            None
        };
        t.assignee = to;
        let (open, step) = (t.state == TaskState::Open, t.step);
        let mut e = self.event(EventKind::Reassigned, by);
        e.step = Some(step);
        e.on_behalf_of = Some(from);
        e.target = Some(to);
        e.reason = reason.to_string();
        inst.timeline.push(e);
        if open {
            self.tell(to, NoticeKind::Reassigned);
        }
        Ok(())
    }

    /// A workflow administrator ends a stuck instance.
    pub fn terminate(&mut self, inst: &mut Instance, by: u64, reason: &str) -> Result<(), Refusal> {
        if !matches!(inst.status, Status::Running | Status::Returned) {
            return Err(Refusal::State);
        }
        let mut e = self.event(EventKind::Terminated, Some(by));
        e.comment = reason.to_string();
        inst.timeline.push(e);
        self.finish(inst, Status::Terminated, None);
        Ok(())
    }

    /// A cc reader opened it (待阅 → 已阅).
    pub fn mark_read(&mut self, inst: &mut Instance, reader: u64) -> bool {
        let mut changed = false;
        for t in inst.tasks.iter_mut() {
            if t.kind == TaskKind::Cc && t.assignee == reader && t.state == TaskState::Open {
                t.state = TaskState::Read;
                t.done_ms = Some(self.now);
                changed = true;
            }
        }
        changed
    }
}
