//! 系统管理 → 工作日历: the year at a glance (twelve month grids, holidays 休 and make-up workdays 班),
//! the list of the year's overrides, and the forms to set a day, clear it and import a year in
//! the holiday-cn format. Forms post back; a refusal re-renders the page with its reasons (400).

use askama::Template;
use askama_web::WebTemplate;
use chrono::{Datelike, NaiveDate};
use rocket::form::FromForm;
use rocket::http::Status;
use rocket::response::Redirect;
use rocket::{Either, State, get, post};

use super::api::this_year;
use super::model::{Calendar, YEAR_MAX, YEAR_MIN};
use super::service::{self, DayItem, ImportReport, YearView};
use crate::App;
use crate::auth::guards::CsrfForm;
use crate::auth::{Actor, Permission};
use crate::error::{Code, Error, Result};
use crate::web::page::{Base, FormErrors, form_errors};

const MONTH_KEYS: [&str; 12] = [
    "workdays.m1",
    "workdays.m2",
    "workdays.m3",
    "workdays.m4",
    "workdays.m5",
    "workdays.m6",
    "workdays.m7",
    "workdays.m8",
    "workdays.m9",
    "workdays.m10",
    "workdays.m11",
    "workdays.m12",
];

/// Monday first, as Chinese calendars are printed (一 二 三 四 五 六 日).
pub const WEEKDAY_KEYS: [&str; 7] = [
    "workdays.w1",
    "workdays.w2",
    "workdays.w3",
    "workdays.w4",
    "workdays.w5",
    "workdays.w6",
    "workdays.w7",
];

/// One day of a month grid; `day == 0` is an empty cell before the 1st or after the last day.
pub struct Cell {
    pub day: u32,
    pub date: String,
    /// `wd-off`, `wd-work`, `wd-weekend`, plus `wd-today`.
    pub class: String,
    /// The catalog key of the mark (休 / 班), or empty.
    pub mark_key: &'static str,
    pub name: String,
}

pub struct Month {
    pub title_key: &'static str,
    pub weeks: Vec<Vec<Cell>>,
}

/// The twelve month grids of `year`, Monday first.
pub fn months(cal: &Calendar, year: i32, today: NaiveDate) -> Vec<Month> {
    let mut out = Vec::with_capacity(12);
    for (m, title_key) in (1u32..=12).zip(MONTH_KEYS) {
        let Some(first) = NaiveDate::from_ymd_opt(year, m, 1) else {
            continue;
        };
        let blank = || Cell {
            day: 0,
            date: String::new(),
            class: String::new(),
            mark_key: "",
            name: String::new(),
        };
        let mut week: Vec<Cell> = (0..first.weekday().num_days_from_monday())
            .map(|_| blank())
            .collect();
        let mut weeks = Vec::new();
        for d in first.iter_days().take_while(|d| d.month() == m) {
            let entry = cal.entry(d);
            let (kind, mark_key) = match entry {
                Some(e) if e.off => ("wd-off", "workdays.mark_off"),
                Some(_) => ("wd-work", "workdays.mark_work"),
                None if !cal.is_working(d) => ("wd-weekend", ""),
                None => ("", ""),
            };
            let class = match (kind, d == today) {
                ("", true) => "wd-today".to_string(),
                (k, true) => format!("{k} wd-today"),
                (k, false) => k.to_string(),
            };
            week.push(Cell {
                day: d.day(),
                date: d.to_string(),
                class,
                mark_key,
                name: entry.map(|e| e.name.clone()).unwrap_or_default(),
            });
            if week.len() == 7 {
                weeks.push(std::mem::take(&mut week));
            }
        }
        if !week.is_empty() {
            week.extend((week.len()..7).map(|_| blank()));
            weeks.push(week);
        }
        out.push(Month { title_key, weeks });
    }
    out
}

#[derive(FromForm, Default, Clone)]
pub struct DayForm {
    #[field(default = String::new())]
    pub date: String,
    #[field(default = String::new())]
    pub name: String,
    /// `off` (public holiday) or `work` (make-up workday).
    #[field(default = String::new())]
    pub kind: String,
    pub year: Option<i32>,
}

/// Clears `date`, or `date..=to` (a whole holiday).
#[derive(FromForm)]
pub struct ClearForm {
    #[field(default = String::new())]
    pub date: String,
    pub to: Option<String>,
    pub year: Option<i32>,
}

#[derive(FromForm)]
pub struct ImportForm {
    #[field(default = String::new())]
    pub file: String,
    #[field(default = false)]
    pub replace: bool,
    pub year: Option<i32>,
}

#[derive(Template, WebTemplate)]
#[template(path = "workdays/year.html")]
pub struct YearPage {
    pub base: Base,
    pub view: YearView,
    pub months: Vec<Month>,
    pub today: String,
    /// `set` / `clear` after a redirect.
    pub done: String,
    /// The set-a-day form and its reasons.
    pub form: DayForm,
    pub errors: FormErrors,
    /// The import form and its reasons (field, catalog key).
    pub import_text: String,
    pub import_replace: bool,
    pub import_errors: Vec<(String, String)>,
    pub imported: Option<ImportReport>,
    /// The override of the day picked in the grid, offered for clearing.
    pub picked: Option<DayItem>,
}

/// Consecutive days with the same name and kind (国庆节 1–7 October), as the State Council's
/// notice lists them.
pub struct Run {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub days: usize,
    pub name: String,
    pub off: bool,
}

pub fn runs(days: &[DayItem]) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::new();
    for d in days {
        match out.last_mut() {
            Some(r) if r.off == d.off && r.name == d.name && r.to.succ_opt() == Some(d.date) => {
                r.to = d.date;
                r.days += 1;
            }
            _ => out.push(Run {
                from: d.date,
                to: d.date,
                days: 1,
                name: d.name.clone(),
                off: d.off,
            }),
        }
    }
    out
}

impl YearPage {
    pub fn weekday_keys(&self) -> [&'static str; 7] {
        WEEKDAY_KEYS
    }
    pub fn runs(&self) -> Vec<Run> {
        runs(&self.view.days)
    }
    /// `10月1日（周四）` / `Oct 1 (Thu)`.
    pub fn day_label(&self, d: impl std::borrow::Borrow<NaiveDate>) -> String {
        let d = *d.borrow();
        let w = self
            .base
            .t(WEEKDAY_KEYS[d.weekday().num_days_from_monday() as usize]);
        match self.base.lang {
            crate::web::i18n::Lang::ZhCn => format!("{}月{}日（周{w}）", d.month(), d.day()),
            crate::web::i18n::Lang::En => format!("{} ({w})", d.format("%b %-d")),
        }
    }
    pub fn prev_year(&self) -> Option<i32> {
        Some(self.view.year - 1).filter(|y| *y >= YEAR_MIN)
    }
    pub fn next_year(&self) -> Option<i32> {
        Some(self.view.year + 1).filter(|y| *y <= YEAR_MAX)
    }
    pub fn is_kind(&self, k: &str) -> bool {
        self.form.kind == k
    }
    pub fn holidays(&self) -> usize {
        self.view.days.iter().filter(|d| d.off).count()
    }
    pub fn make_up_days(&self) -> usize {
        self.view.days.iter().filter(|d| !d.off).count()
    }
}

fn require_page(actor: &Actor) -> Result<()> {
    if actor.can_anywhere(Permission::AdminWorkflow) {
        Ok(())
    } else {
        Err(Error::Forbidden(Code::Forbidden))
    }
}

fn today(app: &App) -> NaiveDate {
    chrono::DateTime::from_timestamp_millis(app.now_ms())
        .map(|t| t.with_timezone(&app.tz()).date_naive())
        .unwrap_or_default()
}

/// The page of `year` with empty forms.
async fn load(app: &App, base: Base, actor: &Actor, year: i32) -> Result<YearPage> {
    let a = actor.clone();
    let (view, cal, today) = app
        .run(move |app| Ok((service::year(app, &a, year)?, app.workdays()?, today(app))))
        .await?;
    Ok(YearPage {
        base: base.with_user(actor, "admin"),
        months: months(&cal, view.year, today),
        view,
        today: today.to_string(),
        done: String::new(),
        form: DayForm {
            kind: "off".into(),
            ..<DayForm as Default>::default()
        },
        errors: FormErrors::default(),
        import_text: String::new(),
        import_replace: false,
        import_errors: Vec::new(),
        imported: None,
        picked: None,
    })
}

#[get("/admin/workdays?<year>&<date>&<done>")]
pub async fn show(
    app: &State<App>,
    base: Base,
    actor: Actor,
    year: Option<i32>,
    date: Option<&str>,
    done: Option<&str>,
) -> Result<YearPage> {
    require_page(&actor)?;
    let picked = date.and_then(super::holidays::parse_date);
    let year = year
        .or(picked.map(|d| d.year()))
        .unwrap_or_else(|| this_year(app));
    let mut page = load(app, base, &actor, year).await?;
    page.done = match done {
        Some("set") => "set",
        Some("clear") => "clear",
        _ => "",
    }
    .to_string();
    // A day clicked in the grid fills the form with what it is now.
    if let Some(d) = picked {
        let current = page.view.days.iter().find(|x| x.date == d).cloned();
        page.form = DayForm {
            date: d.to_string(),
            name: current.as_ref().map(|x| x.name.clone()).unwrap_or_default(),
            kind: if current.as_ref().is_some_and(|x| !x.off) {
                "work"
            } else {
                "off"
            }
            .into(),
            year: Some(year),
        };
        page.picked = current;
    }
    Ok(page)
}

fn back_to(year: Option<i32>, done: &str) -> Redirect {
    match year {
        Some(y) => Redirect::to(format!("/admin/workdays?year={y}&done={done}")),
        None => Redirect::to(format!("/admin/workdays?done={done}")),
    }
}

#[post("/admin/workdays/day", data = "<form>")]
pub async fn set_day(
    app: &State<App>,
    base: Base,
    actor: Actor,
    form: CsrfForm<DayForm>,
) -> Result<Either<Redirect, (Status, YearPage)>> {
    let f = form.0;
    let (a, ff) = (actor.clone(), f.clone());
    let outcome = app
        .run(move |app| {
            let off = match ff.kind.as_str() {
                "off" => true,
                "work" => false,
                _ => return Err(Error::field("kind", "error.workdays.kind")),
            };
            let date = service::parse_date("date", &ff.date)?;
            service::set_day(app, &a, date, &ff.name, off)
        })
        .await;
    match outcome {
        Ok(item) => Ok(Either::Left(back_to(Some(item.date.year()), "set"))),
        Err(e) => {
            let errors = form_errors(e)?;
            let year = f.year.unwrap_or_else(|| this_year(app));
            let mut page = load(app, base, &actor, year).await?;
            page.form = f;
            page.errors = errors;
            Ok(Either::Right((Status::BadRequest, page)))
        }
    }
}

#[post("/admin/workdays/clear", data = "<form>")]
pub async fn clear_day(
    app: &State<App>,
    actor: Actor,
    form: CsrfForm<ClearForm>,
) -> Result<Redirect> {
    let f = form.0;
    let date = service::parse_date("date", &f.date)?;
    let to = match f.to.as_deref().filter(|t| !t.is_empty()) {
        Some(t) => service::parse_date("to", t)?,
        None => date,
    };
    app.run(move |app| service::clear_days(app, &actor, date, to))
        .await?;
    Ok(back_to(f.year.or(Some(date.year())), "clear"))
}

#[post("/admin/workdays/import", data = "<form>")]
pub async fn import(
    app: &State<App>,
    base: Base,
    actor: Actor,
    form: CsrfForm<ImportForm>,
) -> Result<(Status, YearPage)> {
    let f = form.0;
    let (a, text, replace) = (actor.clone(), f.file.clone(), f.replace);
    let outcome = app
        .run(move |app| service::import_year(app, &a, &text, replace))
        .await;
    match outcome {
        Ok(report) => {
            let mut page = load(app, base, &actor, report.year).await?;
            page.imported = Some(report);
            Ok((Status::Ok, page))
        }
        Err(e) => {
            let errors = form_errors(e)?;
            let year = f.year.unwrap_or_else(|| this_year(app));
            let mut page = load(app, base, &actor, year).await?;
            page.import_text = f.file;
            page.import_replace = f.replace;
            page.import_errors = errors.0.into_iter().collect();
            Ok((Status::BadRequest, page))
        }
    }
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![show, set_day, clear_day, import]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::workdays::DayEntry;

    #[test]
    fn month_grids_start_on_monday_and_mark_the_days() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        let cal = Calendar::new([
            (
                d(10, 1),
                DayEntry {
                    name: "国庆节".into(),
                    off: true,
                },
            ),
            (
                d(10, 10),
                DayEntry {
                    name: "国庆节".into(),
                    off: false,
                },
            ),
        ]);
        let ms = months(&cal, 2026, d(10, 9));
        assert_eq!(ms.len(), 12);
        let oct = &ms[9];
        assert_eq!(oct.title_key, "workdays.m10");
        // 1 October 2026 is a Thursday: three blank cells first.
        assert!(oct.weeks[0][..3].iter().all(|c| c.day == 0));
        let first = &oct.weeks[0][3];
        assert_eq!((first.day, first.class.as_str()), (1, "wd-off"));
        assert_eq!(first.mark_key, "workdays.mark_off");
        assert_eq!(first.name, "国庆节");
        let find = |day| oct.weeks.iter().flatten().find(|c| c.day == day).unwrap();
        assert_eq!(find(9).class, "wd-today");
        assert_eq!(find(10).mark_key, "workdays.mark_work");
        assert_eq!(find(11).class, "wd-weekend");
        assert!(oct.weeks.iter().all(|w| w.len() == 7));
        assert_eq!(oct.weeks.iter().flatten().filter(|c| c.day > 0).count(), 31);
        assert_eq!(ms[1].weeks[0][6].date, "2026-02-01");
        // February 2026 starts on a Sunday: six blanks, then 28 days over five rows.
        assert_eq!(ms[1].weeks.len(), 5);
        assert_eq!(ms[1].weeks[0][6].day, 1);
    }

    #[test]
    fn runs_join_consecutive_days_of_one_holiday() {
        let item = |date: &str, name: &str, off: bool| DayItem {
            date: NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap(),
            name: name.into(),
            off,
        };
        let days = [
            item("2026-09-20", "国庆节", false),
            item("2026-09-25", "中秋节", true),
            item("2026-09-26", "中秋节", true),
            item("2026-09-27", "中秋节", true),
            item("2026-09-28", "国庆节", true),
            item("2026-10-01", "国庆节", true),
            item("2026-10-02", "国庆节", true),
            item("2026-10-03", "国庆节", false),
        ];
        let got: Vec<(String, String, usize)> = runs(&days)
            .iter()
            .map(|r| (r.from.to_string(), r.to.to_string(), r.days))
            .collect();
        let want = [
            ("2026-09-20", "2026-09-20", 1),
            ("2026-09-25", "2026-09-27", 3),
            ("2026-09-28", "2026-09-28", 1),
            ("2026-10-01", "2026-10-02", 2),
            ("2026-10-03", "2026-10-03", 1),
        ];
        let want: Vec<(String, String, usize)> = want
            .iter()
            .map(|(a, b, n)| (a.to_string(), b.to_string(), *n))
            .collect();
        assert_eq!(got, want);
        assert!(runs(&[]).is_empty());
    }
}
