//! Reading a snapshot from what HR exports: the JSON document, a CSV pair (`units.csv` +
//! `people.csv`, headers = the JSON field names, UTF-8 with or without a BOM: GBK and other
//! encodings are refused with a sentence saying so), or an XLSX workbook with sheets `units` and
//! `people` (first row = headers). A file that cannot be read as a whole is refused whole
//! ([`ParseError`]); a single unreadable cell only marks its row, which the sync then skips.
//!
//! The mode: JSON carries its own (`"mode"`); CSV and XLSX exports are whole tables, so they are
//! `full` unless the caller says `delta`.

use std::fmt;
use std::io::Cursor;
use std::path::Path;

use serde::Deserialize;

use super::model::{Field, Mode, PersonRow, RowProblem, Snapshot, UnitRow};
use crate::error::Error;

/// A file refused whole: which file, where in it, the catalog key and a sentence for operators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub file: String,
    /// `line 3, column 5`, `row 12`, `sheet people`…
    pub at: Option<String>,
    pub key: &'static str,
    pub detail: String,
}

impl ParseError {
    fn new(file: &str, key: &'static str, detail: impl Into<String>) -> ParseError {
        ParseError {
            file: file.into(),
            at: None,
            key,
            detail: detail.into(),
        }
    }

    fn at(mut self, at: impl Into<String>) -> ParseError {
        self.at = Some(at.into());
        self
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.at {
            Some(at) => write!(f, "{} ({at}): {}", self.file, self.detail),
            None => write!(f, "{}: {}", self.file, self.detail),
        }
    }
}

impl std::error::Error for ParseError {}

/// A malformed file is a 400 with field `file` and the reason's catalog key.
impl From<ParseError> for Error {
    fn from(e: ParseError) -> Error {
        tracing::debug!(error = %e, "eHR file refused");
        Error::field("file", e.key)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonSnapshot {
    #[serde(default)]
    mode: Option<Mode>,
    #[serde(default)]
    units: Vec<UnitRow>,
    #[serde(default)]
    people: Vec<PersonRow>,
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

fn utf8<'a>(file: &str, bytes: &'a [u8]) -> Result<&'a str, ParseError> {
    std::str::from_utf8(strip_bom(bytes)).map_err(|e| {
        ParseError::new(
            file,
            "error.ehr.not_utf8",
            format!(
                "the file is not UTF-8 (only UTF-8 is read; GBK is not: save it as \"CSV UTF-8\"); \
                 first bad byte at offset {}",
                e.valid_up_to()
            ),
        )
    })
}

/// The JSON snapshot. `mode` given by the caller must agree with the file's, and one of the two
/// must say it.
pub fn parse_json(bytes: &[u8], mode: Option<Mode>) -> Result<Snapshot, ParseError> {
    parse_json_named("snapshot.json", bytes, mode)
}

fn parse_json_named(file: &str, bytes: &[u8], mode: Option<Mode>) -> Result<Snapshot, ParseError> {
    let text = utf8(file, bytes)?;
    let raw: JsonSnapshot = serde_json::from_str(text).map_err(|e| {
        ParseError::new(file, "error.ehr.malformed_json", e.to_string()).at(format!(
            "line {}, column {}",
            e.line(),
            e.column()
        ))
    })?;
    let mode = match (raw.mode, mode) {
        (Some(a), Some(b)) if a != b => {
            return Err(ParseError::new(
                file,
                "error.ehr.mode_conflict",
                format!(
                    "the file says mode {}, the caller asked for {}",
                    a.as_str(),
                    b.as_str()
                ),
            ));
        }
        (Some(m), _) | (None, Some(m)) => m,
        (None, None) => {
            return Err(ParseError::new(
                file,
                "error.ehr.mode_required",
                "\"mode\" is missing: say \"full\" or \"delta\"",
            ));
        }
    };
    let mut snap = Snapshot {
        mode,
        units: raw.units,
        people: raw.people,
    };
    snap.normalize();
    Ok(snap)
}

/// A sheet or CSV file as text cells, with its header row.
struct Table {
    file: String,
    headers: Vec<String>,
    /// (1-based row number in the file, cells, index of a cell that could not be read)
    rows: Vec<(usize, Vec<String>, Option<usize>)>,
}

const UNIT_COLUMNS: &[&str] = &["code", "name", "kind", "parent", "head", "order"];
const PEOPLE_COLUMNS: &[&str] = &[
    "employee_no",
    "name",
    "login",
    "ad_login",
    "mobile",
    "email",
    "unit",
    "position",
    "manager",
    "status",
];

impl Table {
    /// Maps each known column to its index; refuses unknown, repeated or missing key columns.
    fn columns(
        &self,
        known: &[&'static str],
        key: &str,
    ) -> Result<Vec<(&'static str, usize)>, ParseError> {
        let mut out: Vec<(&'static str, usize)> = Vec::new();
        for (i, h) in self.headers.iter().enumerate() {
            let h = h.trim().to_ascii_lowercase();
            if h.is_empty() {
                continue;
            }
            let Some(name) = known.iter().find(|k| **k == h) else {
                return Err(ParseError::new(
                    &self.file,
                    "error.ehr.unknown_column",
                    format!("unknown column {h:?} (known: {})", known.join(", ")),
                )
                .at("row 1"));
            };
            if out.iter().any(|(n, _)| n == name) {
                return Err(ParseError::new(
                    &self.file,
                    "error.ehr.duplicate_column",
                    format!("column {h:?} appears twice"),
                )
                .at("row 1"));
            }
            out.push((name, i));
        }
        if !out.iter().any(|(n, _)| *n == key) {
            return Err(ParseError::new(
                &self.file,
                "error.ehr.missing_column",
                format!("the header row has no {key:?} column"),
            )
            .at("row 1"));
        }
        Ok(out)
    }

    fn unit_rows(&self) -> Result<Vec<UnitRow>, ParseError> {
        let cols = self.columns(UNIT_COLUMNS, "code")?;
        let mut out = Vec::with_capacity(self.rows.len());
        for (row, cells, bad) in &self.rows {
            let mut u = UnitRow {
                row: *row,
                ..UnitRow::default()
            };
            for &(name, i) in &cols {
                let cell = cell(cells, i);
                if *bad == Some(i) {
                    u.problem = Some(RowProblem {
                        field: name,
                        key: "error.ehr.bad_cell",
                    });
                }
                match name {
                    "code" => u.code = cell,
                    "name" => u.name = cell,
                    "kind" => u.kind = cell,
                    "parent" => u.parent = cell,
                    "head" => u.head = cell,
                    _ => {
                        u.order = match cell {
                            Field::Value(v) => match parse_int(&v) {
                                Some(n) => Field::Value(n),
                                None => {
                                    u.problem.get_or_insert(RowProblem {
                                        field: "order",
                                        key: "error.ehr.bad_number",
                                    });
                                    Field::Empty
                                }
                            },
                            Field::Empty => Field::Empty,
                            Field::Absent => Field::Absent,
                        }
                    }
                }
            }
            out.push(u);
        }
        Ok(out)
    }

    fn people_rows(&self) -> Result<Vec<PersonRow>, ParseError> {
        let cols = self.columns(PEOPLE_COLUMNS, "employee_no")?;
        let mut out = Vec::with_capacity(self.rows.len());
        for (row, cells, bad) in &self.rows {
            let mut p = PersonRow {
                row: *row,
                ..PersonRow::default()
            };
            for &(name, i) in &cols {
                if *bad == Some(i) {
                    p.problem = Some(RowProblem {
                        field: name,
                        key: "error.ehr.bad_cell",
                    });
                }
                let cell = cell(cells, i);
                let slot = match name {
                    "employee_no" => &mut p.employee_no,
                    "name" => &mut p.name,
                    "login" => &mut p.login,
                    "ad_login" => &mut p.ad_login,
                    "mobile" => &mut p.mobile,
                    "email" => &mut p.email,
                    "unit" => &mut p.unit,
                    "position" => &mut p.position,
                    "manager" => &mut p.manager,
                    _ => &mut p.status,
                };
                *slot = cell;
            }
            out.push(p);
        }
        Ok(out)
    }
}

/// A present column's cell: empty text is empty (cleared), not absent.
fn cell(cells: &[String], i: usize) -> Field<String> {
    match cells.get(i) {
        Some(v) if !v.trim().is_empty() => Field::Value(v.clone()),
        _ => Field::Empty,
    }
}

fn parse_int(s: &str) -> Option<i64> {
    let s = s.trim();
    s.parse::<i64>().ok().or_else(|| {
        // Spreadsheets write whole numbers as 10.0.
        s.parse::<f64>()
            .ok()
            .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
            .map(|f| f as i64)
    })
}

fn csv_table(file: &str, bytes: &[u8]) -> Result<Table, ParseError> {
    let text = utf8(file, bytes)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let bad = |e: csv::Error| {
        let at = e
            .position()
            .map(|p| format!("line {}", p.line()))
            .unwrap_or_else(|| "header".into());
        ParseError::new(file, "error.ehr.bad_csv", e.to_string()).at(at)
    };
    let headers: Vec<String> = reader
        .headers()
        .map_err(bad)?
        .iter()
        .map(str::to_string)
        .collect();
    let mut rows = Vec::new();
    for rec in reader.records() {
        let rec = rec.map_err(bad)?;
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let line = rec.position().map_or(0, |p| p.line() as usize);
        rows.push((line, rec.iter().map(str::to_string).collect(), None));
    }
    Ok(Table {
        file: file.into(),
        headers,
        rows,
    })
}

/// The CSV pair. Either file may be `None` in `delta` mode (a delta of people only); a `full`
/// snapshot needs both.
pub fn parse_csv_pair(
    units: Option<&[u8]>,
    people: Option<&[u8]>,
    mode: Mode,
) -> Result<Snapshot, ParseError> {
    let need = |name: &str| {
        ParseError::new(
            name,
            "error.ehr.missing_file",
            format!("a full snapshot needs both units.csv and people.csv; {name} is missing"),
        )
    };
    let units = match units {
        Some(b) => csv_table("units.csv", b)?.unit_rows()?,
        None if mode == Mode::Full => return Err(need("units.csv")),
        None => Vec::new(),
    };
    let people = match people {
        Some(b) => csv_table("people.csv", b)?.people_rows()?,
        None if mode == Mode::Full => return Err(need("people.csv")),
        None => Vec::new(),
    };
    let mut snap = Snapshot {
        mode,
        units,
        people,
    };
    snap.normalize();
    Ok(snap)
}

fn xlsx_cell(c: &calamine::Data) -> Result<String, ()> {
    use calamine::Data;
    Ok(match c {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        // Employee numbers and mobiles typed as numbers come back as floats.
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => d.to_string(),
        Data::Error(_) => return Err(()),
    })
}

/// The XLSX workbook with sheets `units` and `people` (names compared without case). A missing
/// `people` sheet is refused in `full` mode; a missing `units` sheet likewise.
pub fn parse_xlsx(bytes: &[u8], mode: Mode) -> Result<Snapshot, ParseError> {
    parse_xlsx_named("workbook.xlsx", bytes, mode)
}

fn parse_xlsx_named(file: &str, bytes: &[u8], mode: Mode) -> Result<Snapshot, ParseError> {
    use calamine::Reader;
    let mut wb: calamine::Xlsx<Cursor<&[u8]>> = calamine::open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e: calamine::XlsxError| {
            ParseError::new(file, "error.ehr.bad_xlsx", e.to_string())
        })?;
    let names = wb.sheet_names();
    if mode == Mode::Full {
        for sheet in ["units", "people"] {
            if !names.iter().any(|n| n.trim().eq_ignore_ascii_case(sheet)) {
                return Err(ParseError::new(
                    file,
                    "error.ehr.missing_sheet",
                    format!("the workbook has no sheet named {sheet:?}"),
                ));
            }
        }
    }
    let mut table = |sheet: &str| -> Result<Option<Table>, ParseError> {
        let Some(name) = names.iter().find(|n| n.trim().eq_ignore_ascii_case(sheet)) else {
            return if mode == Mode::Full {
                Err(ParseError::new(
                    file,
                    "error.ehr.missing_sheet",
                    format!("the workbook has no sheet named {sheet:?}"),
                ))
            } else {
                Ok(None)
            };
        };
        let range = wb.worksheet_range(name).map_err(|e| {
            ParseError::new(file, "error.ehr.bad_xlsx", e.to_string()).at(format!("sheet {sheet}"))
        })?;
        let first_row = range.start().map_or(0, |(r, _)| r as usize);
        let mut rows = range.rows().enumerate();
        let headers = match rows.next() {
            Some((_, h)) => h.iter().map(|c| xlsx_cell(c).unwrap_or_default()).collect(),
            None => Vec::new(),
        };
        let mut out = Vec::new();
        for (i, cells) in rows {
            let mut bad = None;
            let text: Vec<String> = cells
                .iter()
                .enumerate()
                .map(|(j, c)| {
                    xlsx_cell(c).unwrap_or_else(|()| {
                        bad.get_or_insert(j);
                        String::new()
                    })
                })
                .collect();
            if bad.is_none() && text.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            out.push((first_row + i + 1, text, bad));
        }
        Ok(Some(Table {
            file: format!("{file} [{sheet}]"),
            headers,
            rows: out,
        }))
    };
    let units = match table("units")? {
        Some(t) => t.unit_rows()?,
        None => Vec::new(),
    };
    let people = match table("people")? {
        Some(t) => t.people_rows()?,
        None => Vec::new(),
    };
    let mut snap = Snapshot {
        mode,
        units,
        people,
    };
    snap.normalize();
    Ok(snap)
}

/// Reads a snapshot from a path as the CLI and the inbox name it: a `.json` file, a `.xlsx`
/// workbook, or a CSV pair given as its folder or as either of its two files. Returns the
/// snapshot and the name to show in the report. `mode` = `None`: the JSON's own, `full` for
/// CSV and XLSX.
pub fn parse_path(path: &Path, mode: Option<Mode>) -> Result<(Snapshot, String), ParseError> {
    let shown = path.display().to_string();
    let read = |p: &Path| {
        std::fs::read(p).map_err(|e| {
            ParseError::new(
                &p.display().to_string(),
                "error.ehr.unreadable",
                e.to_string(),
            )
        })
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| shown.clone());
    let lower = name.to_ascii_lowercase();
    let csv_dir = if path.is_dir() {
        Some(path.to_path_buf())
    } else if lower.ends_with(".csv") {
        Some(path.parent().map(Path::to_path_buf).unwrap_or_default())
    } else {
        None
    };
    if let Some(dir) = csv_dir {
        let mode = mode.unwrap_or(Mode::Full);
        let optional = |file: &str| -> Result<Option<Vec<u8>>, ParseError> {
            let p = dir.join(file);
            if p.exists() {
                read(&p).map(Some)
            } else {
                Ok(None)
            }
        };
        let (units, people) = (optional("units.csv")?, optional("people.csv")?);
        if units.is_none() && people.is_none() {
            return Err(ParseError::new(
                &shown,
                "error.ehr.missing_file",
                "no units.csv or people.csv there",
            ));
        }
        let snap = parse_csv_pair(units.as_deref(), people.as_deref(), mode)?;
        return Ok((snap, format!("{}/{{units,people}}.csv", dir.display())));
    }
    if lower.ends_with(".json") {
        let bytes = read(path)?;
        return Ok((parse_json_named(&name, &bytes, mode)?, name));
    }
    if lower.ends_with(".xlsx") {
        let bytes = read(path)?;
        return Ok((
            parse_xlsx_named(&name, &bytes, mode.unwrap_or(Mode::Full))?,
            name,
        ));
    }
    Err(ParseError::new(
        &shown,
        "error.ehr.unsupported_file",
        "give a .json file, a .xlsx workbook, or a folder with units.csv and people.csv",
    ))
}
