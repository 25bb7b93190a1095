//! Annual-leave balances from a spreadsheet, as HR keeps them: the first sheet of an XLSX
//! workbook, or CSV text, with a header row naming the person's column (`账号`/`login` or
//! `工号`/`employee_no`) and the days (`年假天数`/`total`). Pure parsing; the service applies.

use std::io::Cursor;

use crate::error::{Error, Result};

/// One row: who (a login or an employee number, as the header said) and their days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub line: usize,
    pub who: Who,
    pub total: Result<u32, String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    Login(String),
    EmployeeNo(String),
}

const LOGIN: &[&str] = &["账号", "login", "登录名"];
const EMPLOYEE: &[&str] = &["工号", "employee_no", "员工编号"];
const TOTAL: &[&str] = &["年假天数", "total", "天数", "年假"];

fn find(header: &[String], names: &[&str]) -> Option<usize> {
    header
        .iter()
        .position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)))
}

fn rows_of(table: Vec<Vec<String>>) -> Result<Vec<Row>> {
    let mut it = table.into_iter();
    let header = it.next().unwrap_or_default();
    let total = find(&header, TOTAL).ok_or(Error::field("file", "error.leave.no_total_column"))?;
    let (col, login) = match (find(&header, LOGIN), find(&header, EMPLOYEE)) {
        (Some(c), _) => (c, true),
        (None, Some(c)) => (c, false),
        (None, None) => return Err(Error::field("file", "error.leave.no_person_column")),
    };
    let mut out = Vec::new();
    for (i, r) in it.enumerate() {
        let cell = |c: usize| r.get(c).map(|s| s.trim().to_string()).unwrap_or_default();
        let who = cell(col);
        if who.is_empty() && cell(total).is_empty() {
            continue;
        }
        let days = cell(total);
        let parsed = days
            .parse::<f64>()
            .ok()
            .filter(|d| d.fract() == 0.0 && (0.0..=365.0).contains(d))
            .map(|d| d as u32)
            .ok_or(format!("{days:?} is not a number of days (0–365)"));
        out.push(Row {
            line: i + 2,
            who: if login {
                Who::Login(who)
            } else {
                Who::EmployeeNo(who)
            },
            total: parsed,
        });
    }
    if out.len() > 200_000 {
        return Err(Error::TooLarge);
    }
    Ok(out)
}

/// An XLSX workbook (by its `PK` signature) or CSV text.
pub fn parse(bytes: &[u8]) -> Result<Vec<Row>> {
    if bytes.starts_with(b"PK") {
        use calamine::Reader;
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
            .map_err(|_| Error::field("file", "error.leave.bad_file"))?;
        let range = wb
            .worksheet_range_at(0)
            .ok_or(Error::field("file", "error.leave.bad_file"))?
            .map_err(|_| Error::field("file", "error.leave.bad_file"))?;
        let table = range
            .rows()
            .map(|r| {
                r.iter()
                    .map(|c| match c {
                        calamine::Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
                        other => other.to_string(),
                    })
                    .collect()
            })
            .collect();
        return rows_of(table);
    }
    let text =
        std::str::from_utf8(bytes).map_err(|_| Error::field("file", "error.leave.bad_file"))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let mut table = Vec::new();
    for rec in reader.records() {
        let rec = rec.map_err(|_| Error::field("file", "error.leave.bad_file"))?;
        table.push(rec.iter().map(str::to_string).collect());
    }
    rows_of(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_logins_or_employee_numbers() {
        let rows = parse("账号,姓名,年假天数\nalice,爱丽丝,10\n\nbob,鲍勃,x\n".as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].who, Who::Login("alice".into()));
        assert_eq!(rows[0].total, Ok(10));
        assert_eq!(rows[1].line, 3, "blank lines are not rows");
        assert!(rows[1].total.is_err());
        let rows = parse("工号,total\nD0001,5\n".as_bytes()).unwrap();
        assert_eq!(rows[0].who, Who::EmployeeNo("D0001".into()));
    }

    #[test]
    fn a_file_without_the_columns_or_not_a_table_is_refused_whole() {
        assert!(parse("姓名,部门\n张三,财务部\n".as_bytes()).is_err());
        assert!(parse("账号\nalice\n".as_bytes()).is_err());
        assert!(parse(b"PK\x03\x04garbage").is_err());
        assert!(parse(&[0xff, 0xfe, 0x00]).is_err());
    }

    #[test]
    fn an_xlsx_workbook_reads_its_first_sheet() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let s = book.add_worksheet();
        s.write_string(0, 0, "账号").unwrap();
        s.write_string(0, 1, "年假天数").unwrap();
        s.write_string(1, 0, "alice").unwrap();
        s.write_number(1, 1, 12.0).unwrap();
        let rows = parse(&book.save_to_buffer().unwrap()).unwrap();
        assert_eq!(
            rows,
            vec![Row {
                line: 2,
                who: Who::Login("alice".into()),
                total: Ok(12)
            }]
        );
    }
}
