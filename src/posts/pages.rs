//! 信息发布 pages: the lists by kind with filters and pinned posts, a post (its first view is
//! the read), acknowledging, publishing and withdrawing, who has read it, and a publisher's own
//! posts; writing in `pages/editor.rs`.

pub mod editor;

use askama::Template;
use askama_web::WebTemplate;
use rocket::response::Redirect;
use rocket::{FromForm, State, get, post};

use super::api::{PostView, view};
use super::model::Kind;
use super::service::lists::{self, Item};
use super::service::reading::{self, Readers};
use super::service::{Rights, edit, publishable};
use crate::App;
use crate::auth::Actor;
use crate::auth::guards::CsrfForm;
use crate::error::{Error, Result};
use crate::web::download::Download;
use crate::web::page::Base;

/// Local time as shown on the pages.
pub fn local(app: &App, ms: i64) -> String {
    use chrono::TimeZone;
    app.tz()
        .timestamp_millis_opt(ms)
        .single()
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

pub struct Row {
    pub item: Item,
    pub when: String,
}

fn rows(app: &App, items: Vec<Item>) -> Vec<Row> {
    items
        .into_iter()
        .map(|item| Row {
            when: item
                .published_at_ms
                .or(item.publish_at_ms)
                .map(|ms| lists::date_of(app, ms))
                .unwrap_or_default(),
            item,
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "posts/list.html")]
pub struct ListPage {
    pub base: Base,
    /// `""` for every kind.
    pub kind: String,
    pub pinned: Vec<Row>,
    pub rows: Vec<Row>,
    pub next: Option<String>,
    pub unit: String,
    pub from: String,
    pub to: String,
    pub unread: bool,
    pub history: bool,
    pub units: Vec<(u64, String)>,
    /// The kinds the caller may publish.
    pub publishable: Vec<&'static str>,
    pub error: String,
}

impl ListPage {
    pub fn tab_class(&self, which: &str) -> &'static str {
        if self.kind == which {
            "tab active"
        } else {
            "tab"
        }
    }
    pub fn kinds(&self) -> Vec<&'static str> {
        Kind::ALL.iter().map(|k| k.code()).collect()
    }
    pub fn kind_key(&self, code: &str) -> String {
        format!("posts.kind.{code}")
    }
    pub fn unit_selected(&self, id: &u64) -> bool {
        self.unit == id.to_string()
    }
    /// The query of this list without the cursor, for the next page's link.
    pub fn query(&self) -> String {
        format!(
            "kind={}&unit={}&from={}&to={}{}{}",
            self.kind,
            self.unit,
            self.from,
            self.to,
            if self.unread { "&unread=true" } else { "" },
            if self.history { "&history=true" } else { "" }
        )
    }
}

#[derive(Debug, FromForm)]
pub struct ListParams {
    pub kind: Option<String>,
    pub unit: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub unread: Option<bool>,
    pub history: Option<bool>,
    pub cursor: Option<String>,
}

/// Enterprises and departments that publish, for the unit filter: every unit, indented.
fn unit_choices(app: &App) -> Result<Vec<(u64, String)>> {
    let dir = app.directory()?;
    let mut out = Vec::new();
    fn walk(
        dir: &crate::org::directory::Directory,
        id: u64,
        depth: usize,
        out: &mut Vec<(u64, String)>,
    ) {
        if let Some(u) = dir.unit(id) {
            out.push((u.id, format!("{}{}", "　".repeat(depth), u.name)));
        }
        if depth < 3 {
            for c in dir.children(id) {
                walk(dir, *c, depth + 1, out);
            }
        }
    }
    for r in dir.roots() {
        walk(&dir, *r, 0, &mut out);
    }
    Ok(out)
}

#[get("/posts?<q..>")]
pub async fn list(app: &State<App>, base: Base, actor: Actor, q: ListParams) -> Result<ListPage> {
    let base = base.with_user(&actor, "posts");
    let kind_text = q.kind.clone().unwrap_or_default();
    let unit_text = q.unit.clone().unwrap_or_default();
    let query = super::api::ListQuery {
        kind: Some(kind_text.clone()),
        unit: unit_text.trim().parse().ok(),
        from: q.from.clone(),
        to: q.to.clone(),
        unread: q.unread,
        history: q.history,
        manage: None,
        limit: Some(20),
        cursor: q.cursor.clone(),
    };
    let a = actor.clone();
    let (page, error) = match query.filter() {
        Ok(filter) => match app.run(move |app| lists::list(app, &a, &filter)).await {
            Ok(p) => (Some(p), String::new()),
            Err(Error::Validation(f)) => (None, f.into_values().next().unwrap_or_default()),
            Err(e) => return Err(e),
        },
        Err(Error::Validation(f)) => (None, f.into_values().next().unwrap_or_default()),
        Err(e) => return Err(e),
    };
    let (pinned, items, next) = match page {
        Some(p) => (p.pinned, p.items, p.next_cursor),
        None => (vec![], vec![], None),
    };
    Ok(ListPage {
        base,
        kind: Kind::parse(&kind_text).map_or("", |k| k.code()).into(),
        pinned: rows(app, pinned),
        rows: rows(app, items),
        next,
        unit: unit_text,
        from: q.from.clone().unwrap_or_default(),
        to: q.to.clone().unwrap_or_default(),
        unread: q.unread.unwrap_or(false),
        history: q.history.unwrap_or(false),
        units: unit_choices(app)?,
        publishable: publishable(&actor)
            .into_iter()
            .map(|(k, _)| k.code())
            .collect(),
        error,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "posts/view.html")]
pub struct ViewPage {
    pub base: Base,
    pub p: PostView,
    pub rights: Rights,
    pub published: String,
    pub author: String,
    pub audience_line: String,
    pub done: String,
    pub error: String,
    pub effective: String,
    pub regulation_scope: String,
}

impl ViewPage {
    pub fn kind_key(&self) -> String {
        format!("posts.kind.{}", self.p.kind)
    }
    pub fn state_key(&self, s: &str) -> String {
        format!("posts.state.{s}")
    }
    pub fn done_key(&self) -> String {
        format!("posts.done.{}", self.done)
    }
    pub fn error_key(&self) -> String {
        format!("posts.error.{}", self.error)
    }
    pub fn superseded(&self) -> Option<u64> {
        self.p.regulation.as_ref().and_then(|r| r.superseded_by)
    }
}

/// Who a post is for, in words.
fn audience_line(app: &App, p: &PostView) -> Result<String> {
    if p.audience.everyone {
        return Ok(String::new());
    }
    let dir = app.directory()?;
    let mut names: Vec<String> = p
        .audience
        .units
        .iter()
        .filter_map(|u| dir.unit(*u).map(|u| u.name.clone()))
        .collect();
    names.extend(
        p.audience
            .users
            .iter()
            .filter_map(|u| dir.person(*u).map(|p| p.name.clone())),
    );
    Ok(names.join("、"))
}

#[get("/posts/<id>?<done>&<error>", rank = 2)]
pub async fn show(
    app: &State<App>,
    base: Base,
    actor: Actor,
    id: u64,
    done: Option<&str>,
    error: Option<&str>,
) -> Result<ViewPage> {
    let base = base.with_user(&actor, "posts");
    let a = actor.clone();
    let (p, rights) = app
        .run(move |app| {
            let (post, rights, read) = reading::open(app, &a, id)?;
            Ok((view(app, &a, &post, rights, read.as_ref())?, rights))
        })
        .await?;
    let dir = app.directory()?;
    let author = dir
        .person(p.author_id)
        .map(|x| x.name.clone())
        .unwrap_or_default();
    let regulation_scope = p
        .scope_unit_id
        .and_then(|u| dir.unit(u).map(|u| u.name.clone()))
        .unwrap_or_default();
    let published = p
        .published_at
        .as_deref()
        .or(p.publish_at.as_deref())
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| local(app, t.timestamp_millis()))
        .unwrap_or_default();
    let effective = p
        .regulation
        .as_ref()
        .and_then(|r| r.effective_date.clone())
        .unwrap_or_default();
    Ok(ViewPage {
        base,
        audience_line: audience_line(app, &p)?,
        p,
        rights,
        published,
        author,
        done: done
            .unwrap_or_default()
            .chars()
            .filter(|c| c.is_ascii_lowercase())
            .collect(),
        error: error
            .unwrap_or_default()
            .chars()
            .filter(|c| c.is_ascii_lowercase() || *c == '_')
            .collect(),
        effective,
        regulation_scope,
    })
}

/// Where an action's failure is shown: back on the post with its reason.
fn back(id: u64, e: Error) -> Result<Redirect> {
    let reason = match e {
        Error::Validation(_) => "incomplete",
        Error::Conflict(_) => "conflict",
        Error::Forbidden(_) => "forbidden",
        e => return Err(e),
    };
    Ok(Redirect::to(format!("/posts/{id}?error={reason}")))
}

#[post("/posts/<id>/publish", data = "<_form>")]
pub async fn publish(
    app: &State<App>,
    actor: Actor,
    id: u64,
    _form: CsrfForm<crate::workflow::pages::form::Pairs>,
) -> Result<Redirect> {
    match app.run(move |app| edit::publish(app, &actor, id)).await {
        Ok(p) => Ok(Redirect::to(format!(
            "/posts/{id}?done={}",
            if p.status == super::model::Status::Scheduled {
                "scheduled"
            } else {
                "published"
            }
        ))),
        Err(e) => back(id, e),
    }
}

#[derive(Debug, FromForm)]
pub struct ReasonForm {
    #[field(default = String::new())]
    pub reason: String,
}

#[post("/posts/<id>/withdraw", data = "<form>")]
pub async fn withdraw(
    app: &State<App>,
    actor: Actor,
    id: u64,
    form: CsrfForm<ReasonForm>,
) -> Result<Redirect> {
    let reason = form.0.reason;
    match app
        .run(move |app| edit::withdraw(app, &actor, id, &reason))
        .await
    {
        Ok(_) => Ok(Redirect::to(format!("/posts/{id}?done=withdrawn"))),
        Err(e) => back(id, e),
    }
}

#[post("/posts/<id>/acknowledge", data = "<_form>")]
pub async fn acknowledge(
    app: &State<App>,
    actor: Actor,
    id: u64,
    _form: CsrfForm<crate::workflow::pages::form::Pairs>,
) -> Result<Redirect> {
    match app
        .run(move |app| reading::acknowledge(app, &actor, id))
        .await
    {
        Ok(_) => Ok(Redirect::to(format!("/posts/{id}?done=acknowledged"))),
        Err(e) => back(id, e),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "posts/readers.html")]
pub struct ReadersPage {
    pub base: Base,
    pub id: u64,
    pub title: String,
    pub r: Readers,
    pub read_times: Vec<(String, String)>,
}

#[get("/posts/<id>/readers", rank = 3)]
pub async fn readers(app: &State<App>, base: Base, actor: Actor, id: u64) -> Result<ReadersPage> {
    let base = base.with_user(&actor, "posts");
    let (post, r) = app
        .run(move |app| reading::readers(app, &actor, id))
        .await?;
    let read_times = r
        .readers
        .iter()
        .map(|x| {
            (
                x.read_at_ms.map(|t| local(app, t)).unwrap_or_default(),
                x.acknowledged_at_ms
                    .map(|t| local(app, t))
                    .unwrap_or_default(),
            )
        })
        .collect();
    Ok(ReadersPage {
        base,
        id,
        title: post.title,
        r,
        read_times,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "posts/manage.html")]
pub struct ManagePage {
    pub base: Base,
    pub rows: Vec<Row>,
    pub next: Option<String>,
    /// The publishing units the caller may look after, and the one shown (None: mine).
    pub units: Vec<(u64, String)>,
    pub unit: Option<u64>,
    pub publishable: Vec<&'static str>,
}

impl ManagePage {
    pub fn is_unit(&self, id: &u64) -> bool {
        self.unit == Some(*id)
    }
    pub fn kind_key(&self, code: &str) -> String {
        format!("posts.kind.{code}")
    }
    pub fn state_key(&self, s: &str) -> String {
        format!("posts.state.{s}")
    }
}

#[get("/posts/manage?<unit>&<cursor>")]
pub async fn manage(
    app: &State<App>,
    base: Base,
    actor: Actor,
    unit: Option<u64>,
    cursor: Option<String>,
) -> Result<ManagePage> {
    let base = base.with_user(&actor, "posts");
    let kinds = publishable(&actor);
    if kinds.is_empty() {
        return Err(Error::Forbidden(crate::error::Code::Forbidden));
    }
    let dir = app.directory()?;
    let mut units: Vec<(u64, String)> = Vec::new();
    for (_, u) in &kinds {
        if !units.iter().any(|(x, _)| x == u)
            && let Some(n) = dir.unit(*u)
        {
            units.push((*u, n.name.clone()));
        }
    }
    let a = actor.clone();
    let page = app
        .run(move |app| lists::managed(app, &a, unit, cursor.as_deref(), 30))
        .await?;
    Ok(ManagePage {
        base,
        rows: rows(app, page.items),
        next: page.next_cursor,
        units,
        unit,
        publishable: kinds.into_iter().map(|(k, _)| k.code()).collect(),
    })
}

/// An attachment, or a news picture shown inline.
#[get("/posts/files/<id>")]
pub async fn file(app: &State<App>, actor: Actor, id: u64) -> Result<Download> {
    let a = app
        .run(move |app| edit::attachment(app, &actor, id))
        .await?;
    Download::open(app, &a.sha256, &a.name, &a.content_type, a.size).await
}

pub fn routes() -> Vec<rocket::Route> {
    let mut r = rocket::routes![
        list,
        show,
        publish,
        withdraw,
        acknowledge,
        readers,
        manage,
        file
    ];
    r.extend(editor::routes());
    r
}
