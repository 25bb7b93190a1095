//! The search API: `GET /api/v1/search` and `GET /api/v1/search/suggest`.

use rocket::serde::json::Json;
use rocket::{FromForm, State, get};
use serde::Serialize;

use super::service::{self, Found, Params};
use crate::App;
use crate::auth::Actor;
use crate::error::Result;

/// The query string as it arrives (every value as text; the service checks them).
#[derive(Debug, Clone, Default, FromForm)]
pub struct SearchForm {
    pub q: Option<String>,
    pub kind: Vec<String>,
    pub unit: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub order: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

impl SearchForm {
    pub fn params(&self) -> Params {
        Params {
            q: self.q.clone(),
            kind: self.kind.clone(),
            unit: self.unit.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            order: self.order.clone(),
            limit: self.limit.clone(),
            cursor: self.cursor.clone(),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SearchItem {
    /// `news`, `flash`, `notice`, `regulation`, `resource`, `document`, `instance`.
    pub kind: String,
    pub id: u64,
    pub title: String,
    /// The title, HTML-escaped, with the matched words in `<b>`.
    pub title_html: String,
    /// About 160 characters around the best match, HTML-escaped, matches in `<b>`.
    pub snippet: String,
    /// Published, issued or submitted (RFC 3339).
    pub published_at: String,
    pub url: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Facets {
    /// Per kind, within the unit and date filters (not the kind filter).
    pub kind: Vec<FacetCount>,
    /// `week`, `month`, `year` (each holding the shorter ones) and `older`, within the other
    /// filters (not the date range).
    pub date: Vec<FacetCount>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SearchPage {
    pub items: Vec<SearchItem>,
    pub total: usize,
    pub next_cursor: Option<String>,
    pub facets: Facets,
}

fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default()
}

pub fn page_of(found: Found) -> SearchPage {
    let r = found.results;
    SearchPage {
        items: r
            .hits
            .iter()
            .map(|h| SearchItem {
                kind: h.kind.clone(),
                id: service::id_of(h),
                title: h.title.clone(),
                title_html: h.title_html.clone(),
                snippet: h.snippet_html.clone(),
                published_at: rfc3339(h.time_ms),
                url: h.url.clone(),
            })
            .collect(),
        total: r.total,
        next_cursor: found.next_cursor,
        facets: Facets {
            kind: r
                .facets
                .into_iter()
                .map(|(value, count)| FacetCount { value, count })
                .collect(),
            date: r
                .dates
                .into_iter()
                .map(|(value, count)| FacetCount { value, count })
                .collect(),
        },
    }
}

/// Full-text search over what the caller may open: posts, official documents, the workflow
/// requests they took part in. `q` is required; `kind` may repeat or be comma-separated; `unit`
/// keeps what that unit's subtree published; `from`/`to` are days (node time zone, inclusive).
#[utoipa::path(get, path = "/api/v1/search", tag = "search",
    params(("q" = String, Query), ("kind" = Option<String>, Query),
        ("unit" = Option<u64>, Query), ("from" = Option<String>, Query, description = "YYYY-MM-DD"),
        ("to" = Option<String>, Query, description = "YYYY-MM-DD"),
        ("order" = Option<String>, Query, description = "relevance|newest"),
        ("limit" = Option<usize>, Query, description = "1..=100, default 20"),
        ("cursor" = Option<String>, Query)),
    responses((status = 200, body = SearchPage), (status = 400), (status = 401)))]
#[get("/api/v1/search?<f..>")]
pub async fn search(app: &State<App>, actor: Actor, f: SearchForm) -> Result<Json<SearchPage>> {
    let params = f.params();
    let found = app
        .run_cpu(move |app| service::search(app, &actor, &params))
        .await?;
    Ok(Json(page_of(found)))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SuggestItem {
    pub title: String,
    pub kind: String,
    pub url: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Suggestions {
    pub items: Vec<SuggestItem>,
}

/// Up to 8 titles the caller may open matching what was typed (an empty list for a blank `q`).
#[utoipa::path(get, path = "/api/v1/search/suggest", tag = "search",
    params(("q" = Option<String>, Query)),
    responses((status = 200, body = Suggestions), (status = 401)))]
#[get("/api/v1/search/suggest?<q>")]
pub async fn suggest(
    app: &State<App>,
    actor: Actor,
    q: Option<String>,
) -> Result<Json<Suggestions>> {
    let q = q.unwrap_or_default();
    let found = app
        .run_cpu(move |app| service::suggest(app, &actor, &q))
        .await?;
    Ok(Json(Suggestions {
        items: found
            .into_iter()
            .map(|s| SuggestItem {
                title: s.title,
                kind: s.kind,
                url: s.url,
            })
            .collect(),
    }))
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![search, suggest]
}
