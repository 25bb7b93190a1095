//! The inbox (消息中心): what other features tell a person (a new task, an approval's result, a
//! return, an urge, a deadline reminder, a cc item), with the bell in the top bar that counts the
//! unread ones and updates live.
//!
//! # How a feature notifies
//!
//! 1. Inside its own write transaction, next to the change it tells of, the feature calls
//!    [`service::notify`] once per recipient with a [`NewNotification`]: the task and its
//!    notification commit together or not at all. `notify` opens no transaction of its own and
//!    does nothing else in the caller's; it refuses bad text (subject 1–200 characters, note at
//!    most 2,000, a local link such as `/workflow/instances/12`) and an unknown person, and the
//!    caller should let that error fail its transaction. [`model::clip`] fits a long comment.
//! 2. After the commit succeeded, the feature calls [`App::inbox_announce`](crate::App::inbox_announce)
//!    with the recipients' user ids. Each open page of theirs (the bell's server-sent events,
//!    `GET /api/v1/inbox/stream`) then re-reads its count. Announcing costs nothing when nobody
//!    listens; announcing before the commit would let a page read the old count.
//!
//! ```ignore
//! let ids = app.store().write(|tx| {
//!     // ... the feature's own records ...
//!     inbox::service::notify(tx, now, &NewNotification { user_id: approver, kind: Kind::Task,
//!         subject: "请假单 · 张伟 · 2 天".into(), note: String::new(),
//!         link: format!("/workflow/instances/{id}"), actor_id: Some(actor.user_id),
//!         actor_name: actor.name.clone() })?;
//!     Ok(vec![approver])
//! })?;
//! app.inbox_announce(&ids);
//! ```
//!
//! Each person keeps their newest [`service::KEEP_PER_USER`] notifications; older ones are
//! dropped as new ones come. A person reads only their own: another's id answers 404.
//!
//! The live stream lasts at most [`api::STREAM_MAX`]; the browser then reconnects, which checks
//! the session again, so a signed-out or disabled person's open tab stops being told anything.

pub mod api;
pub mod model;
pub mod pages;
pub mod service;
pub mod store;

pub use model::{Kind, NewNotification, Notification};
