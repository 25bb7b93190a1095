//! 备份与恢复 in 系统管理 (the group's administrators): the daily backups and a fresh backup to
//! download; and the control endpoint through which `oanode backup` asks a running node for a
//! backup (the node holds the store, so another process cannot open it).

use askama::Template;
use askama_web::WebTemplate;
use rocket::request::{FromRequest, Outcome, Request};
use rocket::serde::json::Json;
use rocket::{State, get, post};
use serde::{Deserialize, Serialize};

use super::schedule;
use crate::App;
use crate::auth::{Actor, Permission};
use crate::error::{Code, Error, Result};
use crate::store::audit;
use crate::web::download::Download;
use crate::web::page::Base;

/// The secret `oanode serve` writes to `<data>/control.json` (readable by the node's own user
/// only); `oanode backup` sends it back in `X-Oanode-Control`.
pub struct ControlToken(pub String);

/// A request carrying the control token.
pub struct Control;

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Control {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        let Some(token) = req.rocket().state::<ControlToken>() else {
            return Outcome::Error((rocket::http::Status::NotFound, ()));
        };
        let given = req
            .headers()
            .get_one("X-Oanode-Control")
            .unwrap_or_default();
        let same = given.len() == token.0.len()
            && given
                .bytes()
                .zip(token.0.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0;
        if same && !token.0.is_empty() {
            Outcome::Success(Control)
        } else {
            Outcome::Error((rocket::http::Status::NotFound, ()))
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct BackupRequest {
    /// Absolute path of the file to write, on this machine.
    pub out: String,
}

#[derive(Debug, Serialize)]
pub struct BackupDone {
    pub out: String,
    pub files: usize,
    pub bytes: u64,
    pub audit_entries: u64,
}

/// Writes a backup where `oanode backup` asked (only with the control token; 404 otherwise).
#[post("/api/v1/node/backup", data = "<body>")]
pub async fn control_backup(
    app: &State<App>,
    _c: Control,
    body: Json<BackupRequest>,
) -> Result<Json<BackupDone>> {
    let out = std::path::PathBuf::from(&body.out);
    if !out.is_absolute() {
        return Err(Error::field("out", "error.invalid"));
    }
    let done = app
        .run(move |app| {
            let now = app.now_ms();
            let m = super::create(app.store(), app.blobs(), app.data_dir(), &out, now)?;
            let bytes = std::fs::metadata(&out)?.len();
            app.store().write(|tx| {
                audit::append(
                    tx,
                    now,
                    audit::Event::system("node.backup", "store", out.display().to_string()),
                )?;
                Ok(())
            })?;
            Ok(BackupDone {
                out: out.display().to_string(),
                files: m.files.len(),
                bytes,
                audit_entries: m.audit_entries,
            })
        })
        .await?;
    Ok(Json(done))
}

fn require_admin(app: &App, actor: &Actor) -> Result<()> {
    let root = app.tree()?.root().unwrap_or(0);
    if actor.can(Permission::ManageOrg, root) {
        Ok(())
    } else {
        Err(Error::Forbidden(Code::Forbidden))
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/backup.html")]
pub struct BackupPage {
    pub base: Base,
    /// The daily backups' folder, or empty when they are off.
    pub folder: String,
    pub at: String,
    pub keep: usize,
    /// `(name, size in MB)`, newest first.
    pub files: Vec<(String, String)>,
}

#[get("/admin/backup")]
pub async fn page(app: &State<App>, base: Base, actor: Actor) -> Result<BackupPage> {
    require_admin(app, &actor)?;
    let folder = schedule::folder(app);
    let files = match &folder {
        Some(dir) => schedule::list(dir)?
            .into_iter()
            .map(|(n, b)| (n, format!("{:.1}", b as f64 / 1_048_576.0)))
            .collect(),
        None => Vec::new(),
    };
    Ok(BackupPage {
        base: base.with_user(&actor, "admin"),
        folder: folder.map(|f| f.display().to_string()).unwrap_or_default(),
        at: app.config().backup.at.clone(),
        keep: app.config().backup.keep,
        files,
    })
}

/// A fresh backup of the node, made now and sent as a download (audited).
#[get("/admin/backup/download")]
pub async fn download(app: &State<App>, actor: Actor) -> Result<Download> {
    require_admin(app, &actor)?;
    let (file, name, size) = app
        .run(move |app| {
            let dir = app.data_dir().join("blobs").join("tmp");
            let now = app.now_ms();
            let name = super::file_name(app.tz(), now);
            let path = dir.join(&name);
            super::create(app.store(), app.blobs(), app.data_dir(), &path, now)?;
            let file = std::fs::File::open(&path)?;
            let size = file.metadata()?.len();
            // The open file is what is sent; its name goes at once.
            std::fs::remove_file(&path)?;
            app.store().write(|tx| {
                audit::append(
                    tx,
                    now,
                    audit::Event {
                        actor_id: Some(actor.user_id),
                        actor_login: actor.login.clone(),
                        action: "node.backup_download".into(),
                        target: "store".into(),
                        detail: name.clone(),
                        ip: None,
                    },
                )?;
                Ok(())
            })?;
            Ok((file, name, size))
        })
        .await?;
    Ok(Download::from_file(file, &name, "application/gzip", size))
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![control_backup, page, download]
}
