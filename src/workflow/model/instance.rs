//! Instances (流程实例), their tasks and their timeline. The tasks live inside the instance record
//! (an instance has a handful), and the store derives every list index from them, so an instance
//! and its todo entries can never disagree.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::store::Record;

/// A form's values by field key.
pub type Form = BTreeMap<String, serde_json::Value>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = InstanceStatus)]
pub enum Status {
    Draft,
    Running,
    /// Sent back to the applicant, who edits and resubmits (or withdraws).
    Returned,
    Approved,
    Rejected,
    Withdrawn,
    /// Ended by a workflow administrator.
    Terminated,
}

impl Status {
    pub fn is_open(self) -> bool {
        matches!(self, Status::Draft | Status::Running | Status::Returned)
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Running => "running",
            Status::Returned => "returned",
            Status::Approved => "approved",
            Status::Rejected => "rejected",
            Status::Withdrawn => "withdrawn",
            Status::Terminated => "terminated",
        }
    }
    pub fn parse(s: &str) -> Option<Status> {
        [
            Status::Draft,
            Status::Running,
            Status::Returned,
            Status::Approved,
            Status::Rejected,
            Status::Withdrawn,
            Status::Terminated,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    Approval,
    /// 待阅: to read, nothing to decide.
    Cc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    /// Waiting for its holder.
    Open,
    /// Later in a sequence (依次), or waiting for an approver added before its holder (加签).
    Waiting,
    Approved,
    Rejected,
    Returned,
    /// Handed to someone else (转交); the new holder has a new task.
    Transferred,
    /// Closed without its holder acting: another approver decided (或签), or the instance ended.
    Cancelled,
    /// A cc task that was read.
    Read,
}

impl TaskState {
    pub fn is_pending(self) -> bool {
        matches!(self, TaskState::Open | TaskState::Waiting)
    }
    /// Whether its holder did something (approve, reject, return, transfer).
    pub fn is_action(self) -> bool {
        matches!(
            self,
            TaskState::Approved
                | TaskState::Rejected
                | TaskState::Returned
                | TaskState::Transferred
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    pub id: u64,
    pub kind: TaskKind,
    /// Index of the step in the template.
    pub step: usize,
    /// Who holds it now.
    pub assignee: u64,
    /// Whose task it is when a delegate holds it (代 X 审批).
    #[serde(default)]
    pub on_behalf_of: Option<u64>,
    pub state: TaskState,
    /// Order within a sequence step.
    #[serde(default)]
    pub seq: u32,
    /// The task whose holder added this one (加签): it stays required when another approver of
    /// an any-of step decides, unless the task that added it is cancelled.
    #[serde(default)]
    pub added_by: Option<u64>,
    /// A waiting task opens when this task is done (an approver added before its holder).
    #[serde(default)]
    pub gate: Option<u64>,
    pub created_ms: i64,
    /// When it opened (a waiting task opens later).
    #[serde(default)]
    pub opened_ms: Option<i64>,
    #[serde(default)]
    pub due_ms: Option<i64>,
    #[serde(default)]
    pub done_ms: Option<i64>,
    #[serde(default)]
    pub comment: String,
    /// Deadline notices already sent: half time, overdue.
    #[serde(default)]
    pub reminded: bool,
    #[serde(default)]
    pub overdue_notified: bool,
}

impl Task {
    pub fn is_overdue(&self, now_ms: i64) -> bool {
        self.state == TaskState::Open && self.due_ms.is_some_and(|d| now_ms > d)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Saved,
    Submitted,
    Resubmitted,
    StepStarted,
    /// A step left out: its condition was false, or its only approver was the applicant.
    StepSkipped,
    Approved,
    Rejected,
    Returned,
    Transferred,
    AddedApprover,
    Withdrawn,
    Urged,
    Commented,
    Read,
    /// Open tasks moved to a delegate, or away from someone who left.
    Reassigned,
    Terminated,
    Completed,
}

/// One line of the timeline: who did what, when, on whose behalf.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub at_ms: i64,
    pub kind: EventKind,
    /// `None` for the system (a skipped step, a departure).
    #[serde(default)]
    pub actor: Option<u64>,
    #[serde(default)]
    pub on_behalf_of: Option<u64>,
    #[serde(default)]
    pub step: Option<usize>,
    /// Someone the event names: the new holder of a transfer, an added approver.
    #[serde(default)]
    pub target: Option<u64>,
    #[serde(default)]
    pub comment: String,
    #[serde(default)]
    pub attachments: Vec<u64>,
    /// A catalog key saying why (a skipped step, a reassignment).
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Instance {
    pub id: u64,
    pub template_id: u64,
    pub template_key: String,
    pub template_version: u32,
    pub category: String,
    pub title: String,
    pub applicant: u64,
    /// The applicant's unit when they submitted.
    pub unit_id: u64,
    pub form: Form,
    pub status: Status,
    /// The step in progress while running.
    #[serde(default)]
    pub current: Option<usize>,
    #[serde(default)]
    pub tasks: Vec<Task>,
    #[serde(default)]
    pub timeline: Vec<Event>,
    pub created_ms: i64,
    #[serde(default)]
    pub submitted_ms: Option<i64>,
    #[serde(default)]
    pub ended_ms: Option<i64>,
    pub updated_ms: i64,
    #[serde(default)]
    pub last_urged_ms: Option<i64>,
    /// The index of the first task of the latest submission: what came before belongs to an
    /// earlier round (before a return), whatever the clock said.
    #[serde(default)]
    pub round_from: usize,
    /// The index of the first task since the process last (re)started a step sequence: a
    /// submission or a return to an earlier step. Approvals before it do not skip later steps.
    #[serde(default)]
    pub restart_from: usize,
}

impl Record for Instance {
    const KIND: &'static str = "workflow.instance";
}

impl Instance {
    pub fn task(&self, id: u64) -> Option<&Task> {
        self.tasks.iter().find(|t| t.id == id)
    }

    /// Whether an approver has acted since the last submission (withdrawal is then refused).
    pub fn approver_acted(&self) -> bool {
        self.round()
            .iter()
            .any(|t| t.kind == TaskKind::Approval && t.state.is_action())
    }

    /// The tasks of the latest submission.
    pub fn round(&self) -> &[Task] {
        self.tasks.get(self.round_from..).unwrap_or_default()
    }

    /// Everyone who has or had a task (and whose behalf it was on).
    pub fn participants(&self) -> impl Iterator<Item = u64> + '_ {
        self.tasks
            .iter()
            .flat_map(|t| std::iter::once(t.assignee).chain(t.on_behalf_of))
    }

    pub fn open_tasks(&self) -> impl Iterator<Item = &Task> {
        self.tasks
            .iter()
            .filter(|t| t.kind == TaskKind::Approval && t.state == TaskState::Open)
    }
}

/// A delegation (代理): while active, new tasks of `user_id` go to `delegate_id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delegation {
    pub user_id: u64,
    pub delegate_id: u64,
    /// `YYYY-MM-DD`, both included, in the node's time zone.
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
    /// UTC bounds of the range, so a check needs no time zone.
    pub from_ms: i64,
    pub until_ms: i64,
    /// Template categories it covers; empty means all.
    #[serde(default)]
    pub categories: Vec<String>,
    pub created_ms: i64,
}

impl Record for Delegation {
    const KIND: &'static str = "workflow.delegation";
}

impl Delegation {
    pub fn covers(&self, at_ms: i64, category: &str) -> bool {
        (self.from_ms..self.until_ms).contains(&at_ms)
            && (self.categories.is_empty() || self.categories.iter().any(|c| c == category))
    }
}

/// An uploaded attachment: a blob, who uploaded it, and the instance it belongs to once used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attachment {
    pub id: u64,
    pub sha256: String,
    pub name: String,
    pub size: u64,
    pub content_type: String,
    pub uploader: u64,
    #[serde(default)]
    pub instance_id: Option<u64>,
    pub created_ms: i64,
}

impl Record for Attachment {
    const KIND: &'static str = "workflow.attachment";
}
