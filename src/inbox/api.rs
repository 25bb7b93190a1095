//! `/api/v1/inbox`: one's notifications, the unread count, marking read, and the live count as
//! server-sent events (the bell of every open page listens to it).

use std::time::Duration;

use rocket::futures::Stream;
use rocket::response::stream::{Event, EventStream};
use rocket::response::{self, Responder};
use rocket::serde::json::Json;
use rocket::{Request, Shutdown, State, get, post};
use serde::Serialize;
use tokio::sync::broadcast::error::RecvError;
use utoipa::ToSchema;

use super::model::{Kind, Notification};
use super::service::{self, DEFAULT_LIMIT};
use crate::App;
use crate::auth::Actor;
use crate::error::Result;

/// How long one event stream lasts; the browser then reconnects, which checks the session again.
pub const STREAM_MAX: Duration = Duration::from_secs(15 * 60);
/// A comment this often keeps proxies from closing a quiet stream.
const HEARTBEAT: Duration = Duration::from_secs(25);
/// What the browser waits before reconnecting.
const RETRY: Duration = Duration::from_secs(5);

#[derive(Debug, Serialize, ToSchema)]
pub struct ItemView {
    pub id: u64,
    pub kind: Kind,
    pub subject: String,
    pub note: String,
    /// A local path: where the item leads.
    pub link: String,
    /// Who caused it; empty when the node did.
    pub actor_name: String,
    /// RFC 3339 in the node's time zone.
    pub created_at: String,
    pub read: bool,
}

impl ItemView {
    pub fn of(n: Notification, tz: &chrono_tz::Tz) -> ItemView {
        ItemView {
            id: n.id,
            kind: n.kind,
            read: !n.is_unread(),
            created_at: crate::clock::rfc3339(tz, n.created_ms),
            subject: n.subject,
            note: n.note,
            link: n.link,
            actor_name: n.actor_name,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PageView {
    /// Newest first.
    pub items: Vec<ItemView>,
    /// Pass as `cursor` for the next (older) page; absent at the end.
    pub next_cursor: Option<String>,
    /// Unread notifications in the whole inbox.
    pub unread: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnreadView {
    pub unread: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MarkedView {
    /// How many were unread and are now read.
    pub marked: u64,
}

/// The caller's own notifications, newest first.
#[utoipa::path(get, path = "/api/v1/inbox", tag = "inbox",
    params(("unread" = Option<bool>, Query, description = "true: only the unread ones"),
           ("cursor" = Option<String>, Query, description = "next_cursor of the previous page"),
           ("limit" = Option<usize>, Query, description = "1 to 100, default 20")),
    responses((status = 200, body = PageView), (status = 400, description = "a malformed cursor"),
              (status = 401)))]
#[get("/api/v1/inbox?<unread>&<cursor>&<limit>")]
pub async fn list(
    app: &State<App>,
    actor: Actor,
    unread: Option<bool>,
    cursor: Option<String>,
    limit: Option<usize>,
) -> Result<Json<PageView>> {
    let page = app
        .run(move |app| {
            service::list(
                app,
                &actor,
                unread.unwrap_or(false),
                cursor.as_deref(),
                limit.unwrap_or(DEFAULT_LIMIT),
            )
        })
        .await?;
    let tz = app.tz();
    Ok(Json(PageView {
        items: page
            .items
            .into_iter()
            .map(|n| ItemView::of(n, &tz))
            .collect(),
        next_cursor: page.next_cursor,
        unread: page.unread,
    }))
}

/// The caller's unread count (one read: cheap to poll, though the stream is better).
#[utoipa::path(get, path = "/api/v1/inbox/unread-count", tag = "inbox",
    responses((status = 200, body = UnreadView), (status = 401)))]
#[get("/api/v1/inbox/unread-count")]
pub async fn unread_count(app: &State<App>, actor: Actor) -> Result<Json<UnreadView>> {
    let unread = app
        .run(move |app| service::unread_count(app, &actor))
        .await?;
    Ok(Json(UnreadView { unread }))
}

/// Marks one of the caller's notifications read; answers the new unread count. Another
/// person's id is 404.
#[utoipa::path(post, path = "/api/v1/inbox/{id}/read", tag = "inbox",
    responses((status = 200, body = UnreadView), (status = 401), (status = 404)))]
#[post("/api/v1/inbox/<id>/read")]
pub async fn mark_read(app: &State<App>, actor: Actor, id: u64) -> Result<Json<UnreadView>> {
    let unread = app
        .run(move |app| service::mark_read(app, &actor, id))
        .await?;
    Ok(Json(UnreadView { unread }))
}

/// Marks all of the caller's notifications read.
#[utoipa::path(post, path = "/api/v1/inbox/read-all", tag = "inbox",
    responses((status = 200, body = MarkedView), (status = 401)))]
#[post("/api/v1/inbox/read-all")]
pub async fn read_all(app: &State<App>, actor: Actor) -> Result<Json<MarkedView>> {
    let marked = app
        .run(move |app| service::mark_all_read(app, &actor))
        .await?;
    Ok(Json(MarkedView { marked }))
}

/// An event stream that tells a proxy (nginx) not to buffer it.
pub struct Unbuffered<S>(EventStream<S>);

impl<'r, S: Stream<Item = Event> + Send + 'r> Responder<'r, 'r> for Unbuffered<S> {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'r> {
        let mut res = self.0.respond_to(req)?;
        res.set_raw_header("X-Accel-Buffering", "no");
        Ok(res)
    }
}

fn unread_event(n: u64) -> Event {
    Event::json(&UnreadView { unread: n }).event("unread")
}

enum Wake {
    Mine,
    End,
}

/// Server-sent events: first `unread` with the current count, then a new `unread` event each
/// time the count changes, a comment every 25 s, and the end after 15 minutes (the browser
/// reconnects) or when the node stops. Works with the session cookie.
#[utoipa::path(get, path = "/api/v1/inbox/stream", tag = "inbox",
    responses((status = 200, content_type = "text/event-stream",
               description = "`event: unread` with `data: {\"unread\": N}`"),
              (status = 401)))]
#[get("/api/v1/inbox/stream")]
pub async fn stream(
    app: &State<App>,
    actor: Actor,
    mut shutdown: Shutdown,
) -> Result<Unbuffered<impl Stream<Item = Event>>> {
    let app = app.inner().clone();
    let user = actor.user_id;
    // Listen before the first read, so a change between the two is not missed.
    let mut events = app.inbox_subscribe();
    let first = app
        .run(move |app| service::unread_count(app, &actor))
        .await?;
    let stream = EventStream! {
        let mut last = first;
        yield unread_event(first).with_retry(RETRY);
        let deadline = tokio::time::sleep(STREAM_MAX);
        tokio::pin!(deadline);
        loop {
            let wake = tokio::select! {
                got = events.recv() => match got {
                    Ok(id) if id == user => Wake::Mine,
                    Ok(_) => continue,
                    // Fell behind: this person may have been among the missed.
                    Err(RecvError::Lagged(_)) => Wake::Mine,
                    Err(RecvError::Closed) => Wake::End,
                },
                _ = &mut shutdown => Wake::End,
                _ = &mut deadline => Wake::End,
            };
            if matches!(wake, Wake::End) {
                break;
            }
            match app.run(move |app| service::unread_of(app.store(), user)).await {
                Ok(n) if n != last => {
                    last = n;
                    yield unread_event(n);
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "the inbox stream could not read a count");
                    break;
                }
            }
        }
    };
    Ok(Unbuffered(stream.heartbeat(HEARTBEAT)))
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![list, unread_count, mark_read, read_all, stream]
}
