//! 拟稿 and 收文登记: the document form (the elements of GB/T 9704, recipients, rights, the body in
//! the rich-text editor, attachments uploaded as they are picked), saved as a draft or saved and
//! submitted at once. A mistake comes back beside its field with what was typed kept.

use askama::Template;
use askama_web::WebTemplate;
use rocket::http::Status as HttpStatus;
use rocket::response::Redirect;
use rocket::{State, get, post};

use super::super::model::{Direction, DocType, Document, PrintRight};
use super::super::service::drafts::{self, DocInput, PrintInput};
use crate::App;
use crate::auth::Actor;
use crate::auth::guards::CsrfForm;
use crate::error::{Error, FieldErrors, Result};
use crate::org::directory::Directory;
use crate::web::page::{Base, FormErrors, form_errors};
use crate::workflow::pages::form::{Pairs, people, person_value};

/// One unit in the recipients' list, indented by its depth.
pub struct UnitOption {
    pub id: u64,
    pub label: String,
    pub to: bool,
    pub cc: bool,
}

pub struct FileRef {
    pub id: u64,
    pub name: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "documents/editor.html")]
pub struct EditorPage {
    pub base: Base,
    /// None for a new document.
    pub id: Option<u64>,
    pub incoming: bool,
    pub doc_type: String,
    pub title: String,
    pub body_html: String,
    pub classification: String,
    pub urgency: String,
    pub issuer: String,
    pub to_users: String,
    pub cc_users: String,
    pub print_mode: String,
    pub print_users: String,
    pub print_limit: String,
    pub date_written: String,
    pub notes: String,
    pub printing_office: String,
    pub doc_number: String,
    pub source: String,
    pub received_date: String,
    pub units: Vec<UnitOption>,
    pub files: Vec<FileRef>,
    pub types: Vec<(&'static str, &'static str)>,
    pub errors: FormErrors,
}

impl EditorPage {
    pub fn sel(&self, current: &str, value: &str) -> &'static str {
        if current == value { "selected" } else { "" }
    }
    pub fn checked(&self, current: &str, value: &str) -> &'static str {
        if current == value { "checked" } else { "" }
    }
}

fn person_names(dir: &Directory, ids: &[u64]) -> String {
    ids.iter()
        .filter_map(|i| dir.person(*i).map(|p| p.login.clone()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Units in tree order, each with its depth shown by indentation.
fn unit_options(dir: &Directory, to: &[u64], cc: &[u64]) -> Vec<UnitOption> {
    let mut all: Vec<_> = dir.units().collect();
    all.sort_by_key(|u| u.id);
    let mut out = Vec::new();
    fn walk(
        all: &[&crate::org::directory::index::UnitNode],
        parent: Option<u64>,
        depth: usize,
        to: &[u64],
        cc: &[u64],
        out: &mut Vec<UnitOption>,
    ) {
        for u in all.iter().filter(|u| u.parent_id == parent) {
            out.push(UnitOption {
                id: u.id,
                label: format!("{}{}", "　".repeat(depth), u.name),
                to: to.contains(&u.id),
                cc: cc.contains(&u.id),
            });
            if depth < 8 {
                walk(all, Some(u.id), depth + 1, to, cc, out);
            }
        }
    }
    walk(&all, None, 0, to, cc, &mut out);
    out
}

fn page_of(
    base: Base,
    dir: &Directory,
    app: &App,
    doc: &Document,
    errors: FormErrors,
) -> EditorPage {
    let files = app
        .store()
        .read(|tx| {
            let mut out = Vec::new();
            for id in &doc.attachments {
                if let Some(a) = super::super::store::attachment(tx, *id)? {
                    out.push(FileRef {
                        id: a.id,
                        name: a.name,
                    });
                }
            }
            Ok(out)
        })
        .unwrap_or_default();
    let (print_mode, print_users) = match &doc.can_print {
        PrintRight::All => ("all", String::new()),
        PrintRight::None => ("none", String::new()),
        PrintRight::Users(ids) => ("users", person_names(dir, ids)),
    };
    EditorPage {
        base,
        id: (doc.id != 0).then_some(doc.id),
        incoming: doc.direction == Direction::Incoming,
        doc_type: doc.doc_type.code().into(),
        title: doc.title.clone(),
        body_html: doc.body_html.clone(),
        classification: doc.classification.code().into(),
        urgency: doc.urgency.code().into(),
        issuer: doc
            .issuer_id
            .and_then(|i| dir.person(i).map(|p| p.login.clone()))
            .unwrap_or_default(),
        to_users: person_names(dir, &doc.to_users),
        cc_users: person_names(dir, &doc.cc_users),
        print_mode: print_mode.into(),
        print_users,
        print_limit: doc.print_limit.map(|n| n.to_string()).unwrap_or_default(),
        date_written: doc.date_written.map(|d| d.to_string()).unwrap_or_default(),
        notes: doc.notes.clone(),
        printing_office: doc.printing_office.clone(),
        doc_number: doc.doc_number.clone().unwrap_or_default(),
        source: doc.source.clone(),
        received_date: doc.received_date.map(|d| d.to_string()).unwrap_or_default(),
        units: unit_options(dir, &doc.to_units, &doc.cc_units),
        files,
        types: DocType::ALL.iter().map(|t| (t.code(), t.zh())).collect(),
        errors,
    }
}

/// A blank document for the form (nothing stored).
fn blank(actor: &Actor, incoming: bool) -> Document {
    let direction = if incoming {
        Direction::Incoming
    } else {
        Direction::Outgoing
    };
    Document::draft(actor.user_id, actor.unit_id, direction, 0)
}

#[get("/documents/new?<direction>")]
pub async fn new(
    app: &State<App>,
    base: Base,
    actor: Actor,
    direction: Option<&str>,
) -> Result<EditorPage> {
    let base = base.with_user(&actor, "documents");
    let incoming = direction == Some("incoming");
    if incoming && !drafts::may_register(&actor) {
        return Err(Error::Forbidden(crate::error::Code::Forbidden));
    }
    let dir = app.directory()?;
    Ok(page_of(
        base,
        &dir,
        app,
        &blank(&actor, incoming),
        FormErrors::default(),
    ))
}

#[get("/documents/<id>/edit?<incomplete>", rank = 2)]
pub async fn edit(
    app: &State<App>,
    base: Base,
    actor: Actor,
    id: u64,
    incomplete: Option<&str>,
) -> Result<EditorPage> {
    let base = base.with_user(&actor, "documents");
    let a = actor.clone();
    let (doc, rights, _) = app
        .run(move |app| {
            app.store()
                .read(|tx| super::super::service::load(tx, &a, id))
        })
        .await?;
    if !rights.edit {
        return Err(Error::Conflict(crate::error::Code::Conflict));
    }
    let errors = if incomplete.is_some() {
        FormErrors(drafts::complete(&doc).into_iter().collect())
    } else {
        FormErrors::default()
    };
    let dir = app.directory()?;
    Ok(page_of(base, &dir, app, &doc, errors))
}

/// The form as the service's input; names that match nobody are refused before anything else.
fn input_of(
    dir: &Directory,
    p: &Pairs,
    incoming: bool,
) -> std::result::Result<DocInput, FieldErrors> {
    let mut errors = FieldErrors::new();
    let issuer = p.text("issuer");
    let issuer_id = if issuer.is_empty() {
        None
    } else {
        let id = person_value(dir, &issuer).as_u64();
        if id.is_none() {
            errors.insert("issuer_id".into(), "error.workflow.user".into());
        }
        id
    };
    let to_users = people(dir, &p.text("to_users"), "to_users", &mut errors);
    let cc_users = people(dir, &p.text("cc_users"), "cc_users", &mut errors);
    let can_print = match p.text("print_mode").as_str() {
        "all" => PrintInput::Word("all".into()),
        "users" => PrintInput::Users(people(
            dir,
            &p.text("print_users"),
            "can_print",
            &mut errors,
        )),
        _ => PrintInput::Word("none".into()),
    };
    let print_limit = match p.text("print_limit").as_str() {
        "" => Some(0),
        t => match t.parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.insert("print_limit".into(), "error.invalid".into());
                None
            }
        },
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let opt = |name: &str| Some(p.text(name));
    Ok(DocInput {
        direction: None,
        doc_type: opt("doc_type"),
        title: opt("title"),
        body_html: Some(p.get("body_html").unwrap_or_default().to_string()),
        classification: opt("classification"),
        urgency: opt("urgency"),
        issuing_unit_id: None,
        issuer_id,
        to_units: Some(p.ids("to_units")),
        to_users: Some(to_users),
        cc_units: Some(p.ids("cc_units")),
        cc_users: Some(cc_users),
        can_print: Some(can_print),
        print_limit,
        attachments: Some(p.ids("attachments")),
        date_written: opt("date_written"),
        notes: opt("notes"),
        printing_office: opt("printing_office"),
        doc_number: incoming.then(|| p.text("doc_number")),
        source: incoming.then(|| p.text("source")),
        received_date: incoming.then(|| p.text("received_date")),
    })
}

type Outcome = Result<std::result::Result<Redirect, (HttpStatus, EditorPage)>>;

/// Saves (and with `submit=1`, submits) a new document or an existing draft.
async fn save(app: &App, base: Base, actor: Actor, id: Option<u64>, p: Pairs) -> Outcome {
    let dir = app.directory()?;
    let incoming = p.text("direction") == "incoming";
    let submit = p.text("submit") == "1";
    let input = input_of(&dir, &p, incoming);
    let a = actor.clone();
    let result = match input.clone() {
        Err(f) => Err(Error::Validation(f)),
        Ok(mut input) => {
            app.run(move |app| {
                let doc = match id {
                    Some(id) => drafts::update(app, &a, id, input)?,
                    None => {
                        input.direction =
                            Some(if incoming { "incoming" } else { "outgoing" }.into());
                        drafts::create(app, &a, input)?
                    }
                };
                if submit {
                    drafts::submit(app, &a, doc.id)
                        .map(|d| (d, None))
                        .or_else(|e| match e {
                            Error::Validation(f) => Ok((doc, Some(f))),
                            e => Err(e),
                        })
                } else {
                    Ok((doc, None))
                }
            })
            .await
        }
    };
    match result {
        Ok((doc, None)) => Ok(Ok(Redirect::to(format!(
            "/documents/{}?done={}",
            doc.id,
            if submit { "submit" } else { "saved" }
        )))),
        // Saved, but not complete enough to submit: back to the form with what is missing.
        Ok((doc, Some(_))) => Ok(Ok(Redirect::to(format!(
            "/documents/{}/edit?incomplete=1",
            doc.id
        )))),
        Err(e) => {
            let errors = form_errors(e)?;
            // Show what was typed: a document built from the form, not from the store.
            let mut doc = blank(&actor, incoming);
            doc.id = id.unwrap_or(0);
            doc.title = p.text("title");
            doc.body_html = p.get("body_html").unwrap_or_default().to_string();
            doc.doc_type = DocType::parse(&p.text("doc_type")).unwrap_or(DocType::Notice);
            doc.to_units = p.ids("to_units");
            doc.cc_units = p.ids("cc_units");
            doc.notes = p.text("notes");
            doc.printing_office = p.text("printing_office");
            doc.source = p.text("source");
            let mut page = page_of(base, &dir, app, &doc, errors);
            page.issuer = p.text("issuer");
            page.to_users = p.text("to_users");
            page.cc_users = p.text("cc_users");
            page.print_mode = p.text("print_mode");
            page.print_users = p.text("print_users");
            page.print_limit = p.text("print_limit");
            page.date_written = p.text("date_written");
            page.classification = p.text("classification");
            page.urgency = p.text("urgency");
            page.doc_number = p.text("doc_number");
            page.received_date = p.text("received_date");
            Ok(Err((HttpStatus::BadRequest, page)))
        }
    }
}

#[post("/documents/new", data = "<form>")]
pub async fn create(app: &State<App>, base: Base, actor: Actor, form: CsrfForm<Pairs>) -> Outcome {
    let base = base.with_user(&actor, "documents");
    save(app, base, actor, None, form.0).await
}

#[post("/documents/<id>/edit", data = "<form>", rank = 2)]
pub async fn update(
    app: &State<App>,
    base: Base,
    actor: Actor,
    id: u64,
    form: CsrfForm<Pairs>,
) -> Outcome {
    let base = base.with_user(&actor, "documents");
    save(app, base, actor, Some(id), form.0).await
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![new, edit, create, update]
}
