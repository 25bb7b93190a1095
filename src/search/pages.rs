//! The search page `/search`: results with highlights, facets by kind and by date that narrow,
//! the order toggle, the next page by cursor. The header's box (layout.html) submits here.

use askama::Template;
use askama_web::WebTemplate;
use rocket::{State, get};

use super::api::SearchForm;
use super::service::{self, KINDS};
use crate::App;
use crate::auth::Actor;
use crate::error::Result;
use crate::web::page::{Base, FormErrors, encode_query_value, form_errors};

pub struct Row {
    pub kind: String,
    pub title_html: String,
    pub snippet_html: String,
    pub url: String,
    pub date: String,
}

pub struct Facet {
    pub value: String,
    pub label_key: String,
    pub count: u64,
    pub href: String,
    pub active: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "search/results.html")]
pub struct ResultsPage {
    pub base: Base,
    pub q: String,
    pub searched: bool,
    pub errors: FormErrors,
    pub total: usize,
    pub rows: Vec<Row>,
    pub kinds: Vec<Facet>,
    pub all_kinds_href: String,
    pub any_kind: bool,
    pub dates: Vec<Facet>,
    pub any_date_href: String,
    pub any_date: bool,
    pub newest: bool,
    pub relevance_href: String,
    pub newest_href: String,
    pub next_href: Option<String>,
}

impl ResultsPage {
    pub fn kind_key(&self, kind: &str) -> String {
        format!("search.kind.{kind}")
    }
    pub fn error_of(&self) -> Vec<(&str, &str)> {
        self.errors
            .0
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }
    pub fn field_key(&self, field: &str) -> String {
        format!("search.field.{field}")
    }
}

/// The query string of the page with some parameters replaced (`None` drops one).
fn href(f: &SearchForm, set: &[(&str, Option<&str>)]) -> String {
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut push = |k: &str, v: &Option<String>| {
        if let Some(v) = v.as_deref().filter(|v| !v.trim().is_empty()) {
            pairs.push((k.to_string(), v.to_string()));
        }
    };
    push("q", &f.q);
    let kind = f.kind.join(",");
    push("kind", &Some(kind));
    push("unit", &f.unit);
    push("from", &f.from);
    push("to", &f.to);
    push("order", &f.order);
    for (k, v) in set {
        pairs.retain(|(name, _)| name != k);
        if let Some(v) = v {
            pairs.push((k.to_string(), v.to_string()));
        }
    }
    let query: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", encode_query_value(v)))
        .collect();
    format!("/search?{}", query.join("&"))
}

#[get("/search?<f..>")]
pub async fn results(
    app: &State<App>,
    base: Base,
    actor: Actor,
    f: SearchForm,
) -> Result<ResultsPage> {
    let mut base = base.with_user(&actor, "");
    let q = f.q.clone().unwrap_or_default().trim().to_string();
    base.search_q = q.clone();
    let searched = !q.is_empty();
    let params = f.params();
    let outcome = if searched {
        Some(
            app.run_cpu(move |app| service::search(app, &actor, &params))
                .await,
        )
    } else {
        None
    };
    let mut page = ResultsPage {
        base,
        q,
        searched,
        errors: FormErrors::default(),
        total: 0,
        rows: Vec::new(),
        kinds: Vec::new(),
        all_kinds_href: href(&f, &[("kind", None)]),
        any_kind: f.kind.iter().all(|k| k.trim().is_empty()),
        dates: Vec::new(),
        any_date_href: href(&f, &[("from", None), ("to", None)]),
        any_date: f.from.as_deref().unwrap_or("").is_empty()
            && f.to.as_deref().unwrap_or("").is_empty(),
        newest: f.order.as_deref() == Some("newest"),
        relevance_href: href(&f, &[("order", None)]),
        newest_href: href(&f, &[("order", Some("newest"))]),
        next_href: None,
    };
    let found = match outcome {
        None => return Ok(page),
        Some(Ok(found)) => found,
        Some(Err(e)) => {
            page.errors = form_errors(e)?;
            return Ok(page);
        }
    };
    let tz = app.tz();
    let date_of = |ms: i64| {
        use chrono::TimeZone;
        tz.timestamp_millis_opt(ms)
            .single()
            .map(|t| t.format("%Y-%m-%d").to_string())
            .unwrap_or_default()
    };
    page.total = found.results.total;
    page.rows = found
        .results
        .hits
        .iter()
        .map(|h| Row {
            kind: h.kind.clone(),
            title_html: h.title_html.clone(),
            snippet_html: h.snippet_html.clone(),
            url: h.url.clone(),
            date: date_of(h.time_ms),
        })
        .collect();
    let selected = &found.query.kinds;
    let mut kinds: Vec<Facet> = found
        .results
        .facets
        .iter()
        .map(|(kind, count)| Facet {
            value: kind.clone(),
            label_key: format!("search.kind.{kind}"),
            count: *count,
            href: href(&f, &[("kind", Some(kind))]),
            active: selected.len() == 1 && &selected[0] == kind,
        })
        .collect();
    kinds.sort_by_key(|k| {
        KINDS
            .iter()
            .position(|x| *x == k.value)
            .unwrap_or(usize::MAX)
    });
    page.kinds = kinds;
    let from_now = f.from.clone().unwrap_or_default();
    let to_now = f.to.clone().unwrap_or_default();
    page.dates = found
        .buckets
        .iter()
        .zip(&found.results.dates)
        .map(|((name, from, to), (_, count))| {
            let from = from.map(|d| d.to_string());
            let to = to.map(|d| d.to_string());
            Facet {
                value: name.to_string(),
                label_key: format!("search.date.{name}"),
                count: *count,
                active: from.clone().unwrap_or_default() == from_now
                    && to.clone().unwrap_or_default() == to_now,
                href: href(&f, &[("from", from.as_deref()), ("to", to.as_deref())]),
            }
        })
        .collect();
    page.next_href = found
        .next_cursor
        .as_deref()
        .map(|c| href(&f, &[("cursor", Some(c))]));
    Ok(page)
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![results]
}
