//! Writing a post: title, body in the rich-text editor, attachments uploaded as they are picked,
//! the publishing unit, the audience, the schedule, pinning and expiry, and for regulations their
//! number, category, dates, scope and the version they replace. Saved as a draft or published at
//! once; a mistake comes back beside its field with what was typed kept.

use askama::Template;
use askama_web::WebTemplate;
use rocket::http::Status as HttpStatus;
use rocket::response::Redirect;
use rocket::{State, get, post};

use super::super::model::{Kind, Post, Status};
use super::super::service::edit::{self, AudienceInput, PostInput};
use super::super::service::{load, permits, publishable};
use super::super::store as ps;
use crate::App;
use crate::auth::Actor;
use crate::auth::guards::CsrfForm;
use crate::error::{Code, Error, FieldErrors, Result};
use crate::org::directory::Directory;
use crate::web::page::{Base, FormErrors, form_errors};
use crate::workflow::pages::form::{Pairs, people};

pub struct FileChip {
    pub id: u64,
    pub name: String,
    pub is_image: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "posts/editor.html")]
pub struct EditorPage {
    pub base: Base,
    pub id: Option<u64>,
    pub kind: &'static str,
    pub published: bool,
    pub title: String,
    pub body_html: String,
    pub unit_id: u64,
    pub units: Vec<(u64, String)>,
    pub everyone: bool,
    pub audience_units: Vec<u64>,
    pub audience_users: String,
    pub all_units: Vec<(u64, String)>,
    pub publish_at: String,
    pub pinned_until: String,
    pub expires_at: String,
    pub require_ack: bool,
    pub files: Vec<FileChip>,
    pub cover_id: u64,
    pub number: String,
    pub category: String,
    pub effective_date: String,
    pub repeal_date: String,
    pub scope_unit_id: u64,
    pub scopes: Vec<(u64, String)>,
    pub supersedes: String,
    pub errors: FormErrors,
}

impl EditorPage {
    pub fn kind_key(&self) -> String {
        format!("posts.kind.{}", self.kind)
    }
    pub fn in_audience(&self, id: &u64) -> bool {
        self.audience_units.contains(id)
    }
}

fn local_input(app: &App, ms: Option<i64>, with_time: bool) -> String {
    use chrono::TimeZone;
    ms.and_then(|ms| app.tz().timestamp_millis_opt(ms).single())
        .map(|t| {
            if with_time {
                t.format("%Y-%m-%dT%H:%M").to_string()
            } else {
                // An end-of-day instant shows as the day it ends.
                (t - chrono::Duration::milliseconds(1))
                    .format("%Y-%m-%d")
                    .to_string()
            }
        })
        .unwrap_or_default()
}

/// Units in tree order, each indented by its depth (at most four levels).
fn tree_units(dir: &Directory, keep: impl Fn(u64) -> bool) -> Vec<(u64, String)> {
    let mut out = Vec::new();
    fn walk(
        dir: &Directory,
        id: u64,
        depth: usize,
        keep: &dyn Fn(u64) -> bool,
        out: &mut Vec<(u64, String)>,
    ) {
        if let Some(u) = dir.unit(id)
            && keep(id)
        {
            out.push((u.id, format!("{}{}", "　".repeat(depth), u.name)));
        }
        if depth < 4 {
            for c in dir.children(id) {
                walk(dir, *c, depth + 1, keep, out);
            }
        }
    }
    for r in dir.roots() {
        walk(dir, *r, 0, &keep, &mut out);
    }
    out
}

fn page_of(
    base: Base,
    app: &App,
    actor: &Actor,
    post: &Post,
    errors: FormErrors,
) -> Result<EditorPage> {
    let dir = app.directory()?;
    let files = app.store().read(|tx| {
        let mut out = Vec::new();
        for id in &post.attachments {
            if let Some(a) = ps::attachment(tx, *id)? {
                out.push(FileChip {
                    id: a.id,
                    is_image: a.is_image(),
                    name: a.name,
                });
            }
        }
        Ok(out)
    })?;
    let kind = post.kind;
    let units = tree_units(&dir, |u| {
        post.kind == Kind::Regulation || permits(actor, kind, u)
    });
    let scopes = tree_units(&dir, |u| {
        actor.tree.enterprise_of(u) == Some(u) && permits(actor, Kind::Regulation, u)
    });
    let reg = post.regulation.clone().unwrap_or_default();
    Ok(EditorPage {
        base,
        id: (post.id != 0).then_some(post.id),
        kind: post.kind.code(),
        published: post.status == Status::Published,
        title: post.title.clone(),
        body_html: post.body_html.clone(),
        unit_id: post.unit_id,
        units,
        everyone: post.audience.everyone,
        audience_units: post.audience.units.clone(),
        audience_users: post
            .audience
            .users
            .iter()
            .filter_map(|u| dir.person(*u).map(|p| p.login.clone()))
            .collect::<Vec<_>>()
            .join(", "),
        all_units: tree_units(&dir, |_| true),
        publish_at: local_input(
            app,
            post.publish_ms.filter(|_| post.status != Status::Published),
            true,
        ),
        pinned_until: local_input(app, post.pinned_until_ms, false),
        expires_at: local_input(app, post.expires_ms, false),
        require_ack: post.require_ack,
        files,
        cover_id: post.cover.unwrap_or(0),
        number: reg.number,
        category: reg.category,
        effective_date: reg
            .effective_date
            .map(|d| d.to_string())
            .unwrap_or_default(),
        repeal_date: reg.repeal_date.map(|d| d.to_string()).unwrap_or_default(),
        scope_unit_id: reg.scope_unit_id,
        scopes,
        supersedes: reg.supersedes.map(|s| s.to_string()).unwrap_or_default(),
        errors,
    })
}

/// A blank post of `kind` for the form (nothing stored).
fn blank(actor: &Actor, kind: Kind, unit: u64, now: i64) -> Post {
    let mut p = Post::new(kind, actor.user_id, unit, now);
    if let Some(r) = p.regulation.as_mut() {
        r.scope_unit_id = actor.tree.enterprise_of(unit).unwrap_or(unit);
    }
    p
}

#[get("/posts/new?<kind>&<supersedes>")]
pub async fn new(
    app: &State<App>,
    base: Base,
    actor: Actor,
    kind: Option<&str>,
    supersedes: Option<u64>,
) -> Result<EditorPage> {
    let base = base.with_user(&actor, "posts");
    let kinds = publishable(&actor);
    let wanted = kind.and_then(Kind::parse);
    let Some((kind, unit)) = kinds
        .iter()
        .find(|(k, _)| Some(*k) == wanted)
        .or(kinds.first())
        .copied()
    else {
        return Err(Error::Forbidden(Code::Forbidden));
    };
    let mut post = blank(&actor, kind, unit, 0);
    // 发布新版本: the form starts from the version it replaces.
    if let Some(old_id) = supersedes.filter(|_| kind == Kind::Regulation) {
        let a = actor.clone();
        let now = app.now_ms();
        let (old, _) = app
            .run(move |app| app.store().read(|tx| load(tx, &a, old_id, now)))
            .await?;
        post.title = old.title.clone();
        post.body_html = old.body_html.clone();
        post.audience = old.audience.clone();
        if let (Some(r), Some(o)) = (post.regulation.as_mut(), old.regulation.as_ref()) {
            r.number = o.number.clone();
            r.category = o.category.clone();
            r.scope_unit_id = o.scope_unit_id;
            r.supersedes = Some(old.id);
        }
    }
    page_of(base, app, &actor, &post, FormErrors::default())
}

#[get("/posts/<id>/edit", rank = 2)]
pub async fn edit_page(app: &State<App>, base: Base, actor: Actor, id: u64) -> Result<EditorPage> {
    let base = base.with_user(&actor, "posts");
    let a = actor.clone();
    let now = app.now_ms();
    let (post, rights) = app
        .run(move |app| app.store().read(|tx| load(tx, &a, id, now)))
        .await?;
    if !rights.edit {
        return Err(Error::Forbidden(Code::Forbidden));
    }
    page_of(base, app, &actor, &post, FormErrors::default())
}

fn input_of(
    dir: &Directory,
    p: &Pairs,
    kind: Kind,
    new: bool,
) -> std::result::Result<PostInput, FieldErrors> {
    let mut errors = FieldErrors::new();
    let users = people(dir, &p.text("audience_users"), "audience", &mut errors);
    let supersedes = match p.text("supersedes").as_str() {
        "" => None,
        t => match t.parse::<u64>() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.insert("supersedes".into(), "error.posts.supersedes".into());
                None
            }
        },
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let opt = |name: &str| Some(p.text(name));
    let reg = kind == Kind::Regulation;
    Ok(PostInput {
        kind: new.then(|| kind.code().to_string()),
        title: opt("title"),
        body_html: Some(p.get("body_html").unwrap_or_default().to_string()),
        unit_id: p.text("unit_id").parse().ok(),
        audience: Some(AudienceInput {
            everyone: p.text("everyone") == "1",
            units: p.ids("audience_units"),
            users,
        }),
        publish_at: opt("publish_at"),
        pinned_until: opt("pinned_until"),
        expires_at: opt("expires_at"),
        require_ack: Some(p.text("require_ack") == "1"),
        attachments: Some(p.ids("attachments")),
        cover_id: (kind == Kind::News).then(|| p.text("cover_id").parse().unwrap_or(0)),
        number: reg.then(|| p.text("number")),
        category: reg.then(|| p.text("category")),
        effective_date: reg.then(|| p.text("effective_date")),
        repeal_date: reg.then(|| p.text("repeal_date")),
        scope_unit_id: if reg {
            p.text("scope_unit_id").parse().ok()
        } else {
            None
        },
        supersedes: supersedes.filter(|_| reg),
        publish: None,
    })
}

type Outcome = Result<std::result::Result<Redirect, (HttpStatus, EditorPage)>>;

/// Saves (and with `publish=1`, publishes) a new post or an existing one.
async fn save(app: &App, base: Base, actor: Actor, id: Option<u64>, p: Pairs) -> Outcome {
    let dir = app.directory()?;
    let now = app.now_ms();
    let (kind, unit, status) = match id {
        Some(id) => {
            let a = actor.clone();
            let (post, _) = app
                .run(move |app| app.store().read(|tx| load(tx, &a, id, now)))
                .await?;
            (post.kind, post.unit_id, post.status)
        }
        None => {
            let kind = Kind::parse(&p.text("kind")).ok_or(Error::Forbidden(Code::Forbidden))?;
            let unit = publishable(&actor)
                .into_iter()
                .find(|(k, _)| *k == kind)
                .map(|(_, u)| u)
                .ok_or(Error::Forbidden(Code::Forbidden))?;
            (kind, unit, Status::Draft)
        }
    };
    let go = p.text("publish") == "1" && status != Status::Published;
    let a = actor.clone();
    let result = match input_of(&dir, &p, kind, id.is_none()) {
        Err(f) => Err(Error::Validation(f)),
        Ok(input) => {
            app.run(move |app| {
                let post = match id {
                    Some(id) => edit::update(app, &a, id, input)?,
                    None => edit::create(app, &a, input)?,
                };
                if go {
                    edit::publish(app, &a, post.id)
                } else {
                    Ok(post)
                }
            })
            .await
        }
    };
    match result {
        Ok(post) => Ok(Ok(Redirect::to(format!(
            "/posts/{}?done={}",
            post.id,
            match post.status {
                Status::Scheduled => "scheduled",
                Status::Published if go => "published",
                _ => "saved",
            }
        )))),
        Err(e) => {
            let errors = form_errors(e)?;
            // Show what was typed: a post built from the form, not from the store.
            let mut post = blank(&actor, kind, unit, now);
            post.id = id.unwrap_or(0);
            post.status = status;
            post.title = p.text("title");
            post.body_html = p.get("body_html").unwrap_or_default().to_string();
            post.unit_id = p.text("unit_id").parse().unwrap_or(unit);
            post.audience.everyone = p.text("everyone") == "1";
            post.audience.units = p.ids("audience_units");
            post.require_ack = p.text("require_ack") == "1";
            post.attachments = p.ids("attachments");
            let mut page = page_of(base, app, &actor, &post, errors)?;
            page.audience_users = p.text("audience_users");
            page.publish_at = p.text("publish_at");
            page.pinned_until = p.text("pinned_until");
            page.expires_at = p.text("expires_at");
            page.number = p.text("number");
            page.category = p.text("category");
            page.effective_date = p.text("effective_date");
            page.repeal_date = p.text("repeal_date");
            page.supersedes = p.text("supersedes");
            if let Ok(s) = p.text("scope_unit_id").parse() {
                page.scope_unit_id = s;
            }
            Ok(Err((HttpStatus::BadRequest, page)))
        }
    }
}

#[post("/posts/new", data = "<form>")]
pub async fn create(app: &State<App>, base: Base, actor: Actor, form: CsrfForm<Pairs>) -> Outcome {
    let base = base.with_user(&actor, "posts");
    save(app, base, actor, None, form.0).await
}

#[post("/posts/<id>/edit", data = "<form>", rank = 2)]
pub async fn update(
    app: &State<App>,
    base: Base,
    actor: Actor,
    id: u64,
    form: CsrfForm<Pairs>,
) -> Outcome {
    let base = base.with_user(&actor, "posts");
    save(app, base, actor, Some(id), form.0).await
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![new, edit_page, create, update]
}
