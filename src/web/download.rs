//! A stored file sent to the browser: always as an attachment with `nosniff`, so an uploaded
//! page can never run as ours; the name in RFC 5987 form so Chinese names survive.

use rocket::Request;
use rocket::http::{ContentType, Header};
use rocket::response::{self, Responder, Response};

use crate::App;
use crate::error::Result;

pub struct Download {
    file: tokio::fs::File,
    name: String,
    content_type: ContentType,
    size: u64,
}

impl Download {
    pub async fn open(
        app: &App,
        sha256: &str,
        name: &str,
        content_type: &str,
        size: u64,
    ) -> Result<Download> {
        let file = app.blobs().open_blob(sha256)?;
        Ok(Download {
            file: tokio::fs::File::from_std(file),
            name: name.to_string(),
            content_type: ContentType::parse_flexible(content_type).unwrap_or(ContentType::Binary),
            size,
        })
    }
}

impl Download {
    /// A file made on the fly and already open (a backup), sent as an attachment.
    pub fn from_file(file: std::fs::File, name: &str, content_type: &str, size: u64) -> Download {
        Download {
            file: tokio::fs::File::from_std(file),
            name: name.to_string(),
            content_type: ContentType::parse_flexible(content_type).unwrap_or(ContentType::Binary),
            size,
        }
    }
}

impl<'r> Responder<'r, 'static> for Download {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        let encoded =
            super::page::encode_query_value(&self.name).replace(['/', '?', '=', ';', ','], "_");
        Response::build()
            .header(self.content_type)
            .header(Header::new(
                "Content-Disposition",
                format!("attachment; filename*=UTF-8''{encoded}"),
            ))
            .header(Header::new("X-Content-Type-Options", "nosniff"))
            .header(Header::new("Cache-Control", "private, no-store"))
            .sized_body(Some(self.size as usize), self.file)
            .ok()
    }
}

/// A file made on the fly (an export), sent as an attachment.
pub struct Bytes {
    pub name: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

impl<'r> Responder<'r, 'static> for Bytes {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        let encoded =
            super::page::encode_query_value(&self.name).replace(['/', '?', '=', ';', ','], "_");
        Response::build()
            .header(ContentType::parse_flexible(self.content_type).unwrap_or(ContentType::Binary))
            .header(Header::new(
                "Content-Disposition",
                format!("attachment; filename*=UTF-8''{encoded}"),
            ))
            .header(Header::new("X-Content-Type-Options", "nosniff"))
            .header(Header::new("Cache-Control", "private, no-store"))
            .sized_body(self.bytes.len(), std::io::Cursor::new(self.bytes))
            .ok()
    }
}

/// The body of an upload request, refused with 413 beyond `max` bytes.
pub async fn read_upload(data: rocket::Data<'_>, max: u64) -> Result<Vec<u8>> {
    use rocket::data::ToByteUnit;
    let body = data
        .open((max + 1).bytes())
        .into_bytes()
        .await
        .map_err(|e| crate::error::Error::BadRequest(e.to_string()))?;
    if !body.is_complete() {
        return Err(crate::error::Error::TooLarge);
    }
    Ok(body.value)
}
