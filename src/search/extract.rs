//! The text of attached files, for the index: PDF (pdf-extract), DOCX (`word/document.xml`
//! read with zip + quick-xml) and XLSX (calamine), chosen by the file's extension.
//!
//! A file is untrusted input read on the indexer's thread: files over [`MAX_FILE_BYTES`] are
//! skipped, archives whose entries unpack to more than [`MAX_UNPACKED_BYTES`] are refused before
//! anything is unpacked (zip bombs), the text is cut at [`MAX_TEXT_BYTES`], and a parser that
//! panics is caught. Any failure is logged and the item is indexed without that file's text.

use std::io::{Cursor, Read};

use quick_xml::events::Event;

use crate::store::blobs::Blobs;
use crate::store::outbox::FileRef;

/// Larger files are not read.
pub const MAX_FILE_BYTES: u64 = 20 << 20;
/// An archive (DOCX, XLSX) whose entries would unpack to more than this is refused.
pub const MAX_UNPACKED_BYTES: u64 = 100 << 20;
/// Text kept per file.
pub const MAX_TEXT_BYTES: usize = 1 << 20;

/// The formats whose text is extracted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Pdf,
    Docx,
    Xlsx,
}

impl Format {
    pub fn of(name: &str) -> Option<Format> {
        let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "pdf" => Some(Format::Pdf),
            "docx" => Some(Format::Docx),
            "xlsx" | "xlsm" => Some(Format::Xlsx),
            _ => None,
        }
    }
}

/// Why a file gave no text.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    #[error("not a format whose text is indexed")]
    Unsupported,
    #[error("larger than the cap")]
    TooLarge,
    #[error("unreadable: {0}")]
    Unreadable(String),
    #[error("the parser panicked")]
    Panicked,
}

/// The text of `bytes` as a file named `name`.
pub fn extract(name: &str, bytes: &[u8]) -> Result<String, ExtractError> {
    let format = Format::of(name).ok_or(ExtractError::Unsupported)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(ExtractError::TooLarge);
    }
    let text = std::panic::catch_unwind(|| match format {
        Format::Pdf => pdf(bytes),
        Format::Docx => docx(bytes),
        Format::Xlsx => xlsx(bytes),
    })
    .map_err(|_| ExtractError::Panicked)??;
    Ok(cut_owned(text, MAX_TEXT_BYTES))
}

/// The text of a stored file, or `None` (logged) when it has none we can read: another format,
/// a missing blob, too large, damaged.
pub fn text_of(blobs: &Blobs, file: &FileRef) -> Option<String> {
    Format::of(&file.name)?;
    let read = || -> Result<String, ExtractError> {
        let mut f = blobs
            .open_blob(&file.blob)
            .map_err(|e| ExtractError::Unreadable(e.to_string()))?;
        let mut bytes = Vec::new();
        (&mut f)
            .take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| ExtractError::Unreadable(e.to_string()))?;
        extract(&file.name, &bytes)
    };
    match read() {
        Ok(text) => Some(text),
        Err(e) => {
            tracing::warn!(name = %file.name, blob = %file.blob, error = %e, "search: no text from an attached file");
            None
        }
    }
}

fn cut_owned(mut text: String, max: usize) -> String {
    if text.len() > max {
        let end = super::indexer::cut(&text, max).len();
        text.truncate(end);
    }
    text
}

fn unreadable(e: impl std::fmt::Display) -> ExtractError {
    ExtractError::Unreadable(e.to_string())
}

/// Opens an archive after checking that its entries unpack to at most [`MAX_UNPACKED_BYTES`].
fn archive(bytes: &[u8]) -> Result<zip::ZipArchive<Cursor<&[u8]>>, ExtractError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(unreadable)?;
    let mut total = 0u64;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(unreadable)?;
        total = total.saturating_add(entry.size());
    }
    if total > MAX_UNPACKED_BYTES {
        return Err(ExtractError::TooLarge);
    }
    Ok(zip)
}

fn pdf(bytes: &[u8]) -> Result<String, ExtractError> {
    pdf_extract::extract_text_from_mem(bytes)
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
        .map_err(unreadable)
}

/// The paragraphs of `word/document.xml`, one per line (tabs and breaks as spaces).
fn docx(bytes: &[u8]) -> Result<String, ExtractError> {
    let mut zip = archive(bytes)?;
    let mut xml = Vec::new();
    zip.by_name("word/document.xml")
        .map_err(unreadable)?
        .take(MAX_UNPACKED_BYTES)
        .read_to_end(&mut xml)
        .map_err(unreadable)?;
    let mut reader = quick_xml::Reader::from_reader(&xml[..]);
    let mut buf = Vec::new();
    let mut out = String::new();
    let mut in_text = false;
    loop {
        match reader.read_event_into(&mut buf).map_err(unreadable)? {
            Event::Start(e) if e.local_name().into_inner() == "t" => in_text = true,
            Event::End(e) => match e.local_name().into_inner() {
                "t" => in_text = false,
                "p" => out.push('\n'),
                _ => {}
            },
            Event::Empty(e) => match e.local_name().into_inner() {
                "tab" | "br" => out.push(' '),
                "p" => out.push('\n'),
                _ => {}
            },
            Event::Text(t) if in_text => out.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_text => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    out.push(c);
                } else {
                    out.push_str(match &*r.into_inner() {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "apos" => "'",
                        _ => "",
                    });
                }
            }
            Event::Eof => break,
            _ => {}
        }
        if out.len() > MAX_TEXT_BYTES {
            break;
        }
        buf.clear();
    }
    Ok(out.trim().to_string())
}

/// Every sheet's non-empty cells, a row per line, cells separated by spaces.
fn xlsx(bytes: &[u8]) -> Result<String, ExtractError> {
    use calamine::{Data, Reader, Xlsx};
    archive(bytes)?;
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(unreadable)?;
    let mut out = String::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).map_err(unreadable)?;
        out.push_str(&name);
        out.push('\n');
        for row in range.rows() {
            let cells: Vec<String> = row
                .iter()
                .filter(|c| !matches!(c, Data::Empty))
                .map(|c| c.to_string())
                .collect();
            if !cells.is_empty() {
                out.push_str(&cells.join(" "));
                out.push('\n');
            }
            if out.len() > MAX_TEXT_BYTES {
                return Ok(out);
            }
        }
    }
    Ok(out.trim().to_string())
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    /// A minimal DOCX: the content types and `word/document.xml` with two paragraphs.
    pub fn docx_with(paragraphs: &[&str]) -> Vec<u8> {
        let mut body = String::new();
        for p in paragraphs {
            body.push_str(&format!(
                "<w:p><w:r><w:t xml:space=\"preserve\">{p}</w:t></w:r></w:p>"
            ));
        }
        let document = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
             <w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
             <w:body>{body}</w:body></w:document>"
        );
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default();
        zip.start_file("[Content_Types].xml", opts).unwrap();
        zip.write_all(b"<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>").unwrap();
        zip.start_file("word/document.xml", opts).unwrap();
        zip.write_all(document.as_bytes()).unwrap();
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn docx_paragraphs_become_lines() {
        let bytes = docx_with(&[
            "关于网络安全等级保护测评的说明",
            "R&amp;D 预算 &lt;二〇二六&gt;",
        ]);
        let text = extract("说明.DOCX", &bytes).unwrap();
        assert_eq!(text, "关于网络安全等级保护测评的说明\nR&D 预算 <二〇二六>");
    }

    #[test]
    fn xlsx_cells_of_every_sheet() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name("预算").unwrap();
        sheet.write_string(0, 0, "项目").unwrap();
        sheet.write_string(0, 1, "金额").unwrap();
        sheet.write_string(1, 0, "机房空调改造").unwrap();
        sheet.write_number(1, 1, 128000.0).unwrap();
        let other = book.add_worksheet();
        other.write_string(3, 2, "备注：分两期支付").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let text = extract("budget.xlsx", &bytes).unwrap();
        assert!(
            text.contains("预算\n项目 金额\n机房空调改造 128000"),
            "{text}"
        );
        assert!(text.contains("备注：分两期支付"), "{text}");
    }

    /// A one-page PDF showing `text` in Helvetica.
    fn pdf_with(text: &str) -> Vec<u8> {
        use lopdf::content::{Content, Operation};
        use lopdf::{Document, Object, Stream, dictionary};
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let font_id = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
        });
        let resources_id = doc.add_object(dictionary! {
            "Font" => dictionary! { "F1" => font_id },
        });
        let content = Content {
            operations: vec![
                Operation::new("BT", vec![]),
                Operation::new("Tf", vec!["F1".into(), 24.into()]),
                Operation::new("Td", vec![72.into(), 700.into()]),
                Operation::new("Tj", vec![Object::string_literal(text)]),
                Operation::new("ET", vec![]),
            ],
        };
        let content_id = doc.add_object(Stream::new(dictionary! {}, content.encode().unwrap()));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
        });
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! {
                "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1,
                "Resources" => resources_id,
                "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            }),
        );
        let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
        doc.trailer.set("Root", catalog_id);
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        out
    }

    #[test]
    fn pdf_text_is_read() {
        let bytes = pdf_with("Quarterly maintenance schedule");
        let text = extract("plan.pdf", &bytes).unwrap();
        assert!(text.contains("Quarterly maintenance schedule"), "{text:?}");
    }

    #[test]
    fn bad_files_give_errors_never_panics() {
        for name in ["a.pdf", "a.docx", "a.xlsx"] {
            assert!(extract(name, b"not really a file").is_err(), "{name}");
        }
        assert!(matches!(
            extract("a.txt", b"text"),
            Err(ExtractError::Unsupported)
        ));
        let big = vec![0u8; MAX_FILE_BYTES as usize + 1];
        assert!(matches!(
            extract("a.pdf", &big),
            Err(ExtractError::TooLarge)
        ));
    }

    #[test]
    fn an_archive_that_unpacks_too_large_is_refused() {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("word/document.xml", opts).unwrap();
        let zeros = vec![b' '; 1 << 20];
        for _ in 0..(MAX_UNPACKED_BYTES >> 20) + 1 {
            zip.write_all(&zeros).unwrap();
        }
        let bytes = zip.finish().unwrap().into_inner();
        assert!(bytes.len() < 1 << 20, "{}", bytes.len());
        assert!(matches!(
            extract("bomb.docx", &bytes),
            Err(ExtractError::TooLarge)
        ));
    }

    #[test]
    fn stored_files_are_read_and_missing_ones_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = Blobs::open(dir.path()).unwrap();
        let (hash, _) = blobs.put(&docx_with(&["机房巡检记录"])[..]).unwrap();
        let file = |name: &str, blob: &str| FileRef {
            name: name.into(),
            blob: blob.into(),
        };
        assert_eq!(
            text_of(&blobs, &file("r.docx", &hash)).as_deref(),
            Some("机房巡检记录")
        );
        assert_eq!(text_of(&blobs, &file("r.docx", &"0".repeat(64))), None);
        assert_eq!(text_of(&blobs, &file("r.png", &hash)), None);
    }
}
