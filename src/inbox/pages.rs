//! 消息中心 (`/inbox`): one's notifications, all or only the unread ones, newest first. An item
//! is opened through a small form (`POST /inbox/{id}/open`) that marks it read and goes to its
//! link, so it works without script; 全部标为已读 is another form.

use askama::Template;
use askama_web::WebTemplate;
use rocket::form::FromForm;
use rocket::response::Redirect;
use rocket::{State, get, post};

use super::model::{Kind, Notification};
use super::service::{self, DEFAULT_LIMIT};
use crate::App;
use crate::auth::Actor;
use crate::auth::guards::CsrfForm;
use crate::auth::pages::Empty;
use crate::error::Result;
use crate::web::page::{Base, encode_query_value, safe_next};

/// One line of the list, ready to show.
pub struct Row {
    pub id: u64,
    pub kind_key: String,
    /// The colour of the kind's tag (`tone-todo`, `tone-ok`, …).
    pub tone: &'static str,
    pub subject: String,
    pub note: String,
    pub actor_name: String,
    pub when: String,
    pub unread: bool,
}

/// The kind's tag colour: blue for something to do, green for good news, red for bad news or a
/// missed deadline, amber for a nudge, grey for the rest.
pub fn tone(kind: Kind) -> &'static str {
    match kind {
        Kind::Task | Kind::Transferred | Kind::Delegated => "tone-todo",
        Kind::Approved => "tone-ok",
        Kind::Rejected | Kind::Overdue => "tone-bad",
        Kind::Returned | Kind::Urged | Kind::Reminder => "tone-warn",
        Kind::Cc | Kind::Document => "tone-info",
        Kind::Withdrawn | Kind::System => "tone-muted",
    }
}

fn row(n: Notification, tz: &chrono_tz::Tz) -> Row {
    Row {
        id: n.id,
        kind_key: n.kind.label_key(),
        tone: tone(n.kind),
        unread: n.is_unread(),
        when: crate::clock::local_minute(tz, n.created_ms),
        subject: n.subject,
        note: n.note,
        actor_name: n.actor_name,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "inbox/index.html")]
pub struct InboxPage {
    pub base: Base,
    /// The 未读 tab is shown (else 全部).
    pub unread_only: bool,
    pub rows: Vec<Row>,
    /// The link to older items, the tab kept.
    pub older: Option<String>,
    /// Whether this is a later page (a link back to the newest is shown).
    pub paged: bool,
    pub unread: u64,
}

impl InboxPage {
    /// `{n}` in a catalog text replaced by the unread count.
    pub fn with_count(&self, key: &str) -> String {
        self.base.t(key).replace("{n}", &self.unread.to_string())
    }
}

#[get("/inbox?<tab>&<cursor>")]
pub async fn index(
    app: &State<App>,
    base: Base,
    actor: Actor,
    tab: Option<&str>,
    cursor: Option<String>,
) -> Result<InboxPage> {
    let mut base = base.with_user(&actor, "inbox");
    let unread_only = tab == Some("unread");
    let paged = cursor.as_deref().is_some_and(|c| !c.is_empty());
    let page = app
        .run(move |app| service::list(app, &actor, unread_only, cursor.as_deref(), DEFAULT_LIMIT))
        .await?;
    let tz = app.tz();
    let tab = if unread_only { "unread" } else { "all" };
    // The bell counts what the list does, even when a notification came in between.
    base.unread = page.unread;
    Ok(InboxPage {
        base,
        unread_only,
        older: page
            .next_cursor
            .map(|c| format!("/inbox?tab={tab}&cursor={}", encode_query_value(&c))),
        paged,
        unread: page.unread,
        rows: page.items.into_iter().map(|n| row(n, &tz)).collect(),
    })
}

/// A stored link as a valid URI for the `Location` header: bytes outside what a URI may hold
/// (Chinese characters in a query, say) are percent-encoded.
fn location(link: &str) -> String {
    let mut out = String::with_capacity(link.len());
    for b in link.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=%".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Opens an item: marks it read and goes where it leads. Someone else's id is 404.
#[post("/inbox/<id>/open", data = "<form>")]
pub async fn open(
    app: &State<App>,
    actor: Actor,
    id: u64,
    form: CsrfForm<Empty>,
) -> Result<Redirect> {
    let _ = form; // the CSRF token was checked
    let link = app.run(move |app| service::open(app, &actor, id)).await?;
    Ok(Redirect::to(location(safe_next(Some(&link)))))
}

#[derive(FromForm)]
pub struct ReadAllForm {
    /// The tab to go back to.
    tab: Option<String>,
}

/// 全部标为已读, then back to the list.
#[post("/inbox/read-all", data = "<form>")]
pub async fn read_all(
    app: &State<App>,
    actor: Actor,
    form: CsrfForm<ReadAllForm>,
) -> Result<Redirect> {
    app.run(move |app| service::mark_all_read(app, &actor))
        .await?;
    Ok(Redirect::to(match form.0.tab.as_deref() {
        Some("unread") => "/inbox?tab=unread",
        _ => "/inbox",
    }))
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![index, open, read_all]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_are_valid_uris() {
        assert_eq!(
            location("/workflow/instances/12?tab=log#s2"),
            "/workflow/instances/12?tab=log#s2"
        );
        assert_eq!(location("/directory?q=张"), "/directory?q=%E5%BC%A0");
        assert_eq!(location("/a\"<b>"), "/a%22%3Cb%3E");
    }

    #[test]
    fn every_kind_has_a_tone() {
        for k in Kind::ALL {
            assert!(tone(k).starts_with("tone-"));
        }
        assert_eq!(tone(Kind::Overdue), "tone-bad");
    }
}
