//! Queries: parsing the text (without tantivy's QueryParser), the ACL and kind filters, ordering;
//! the facets are counted in [`super::facets`], the snippets made in [`super::snippets`].
//!
//! The text becomes words, and when needed `Should(words, fallback)`:
//! - words: the text cut by jieba in default mode; every word must occur in the title (boosted)
//!   or the body. Cheap term queries: a default-mode cut yields no overlapping sub-words, so no
//!   phrase queries (which cost ~20x at p99). A word the index never holds whole is replaced by
//!   the shorter words the documents' (search-mode) cut makes of it.
//! - fallback: each whitespace-separated chunk as a phrase of CJK bigrams on the bigram fields,
//!   so that a substring the segmentation cut differently (`息管理`) is still found; searched
//!   when the words find little (see [`Search::search`]).

use std::collections::BTreeMap;
use std::ops::Bound;

use serde::{Deserialize, Serialize};
use tantivy::collector::{Collector, Count, TopDocs};
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{DocAddress, Score, Searcher, TantivyDocument, Term};

use super::facets::{DateCounts, KindCounts};
use super::snippets::Snippets;
use super::tokenizer::{BigramTokenizer, WordTokenizer};
use super::{Fields, Search};
use crate::error::Result;

/// At most this many hits per page.
pub const MAX_LIMIT: usize = 100;
/// Deeper pages are not served (refine the query instead).
pub const MAX_OFFSET: usize = 10_000;
/// Query text beyond this many characters is ignored.
pub(super) const MAX_QUERY_CHARS: usize = 200;
/// At most this many words, chunks, and bigrams per chunk make it into the query.
pub(super) const MAX_WORDS: usize = 32;
pub(super) const MAX_CHUNKS: usize = 16;
pub(super) const MAX_CHUNK_TOKENS: usize = 32;
/// Chunks of at most this many bigrams match by their bigrams, longer ones as a phrase.
const SHORT_CHUNK_BIGRAMS: usize = 3;
/// The words query alone is trusted when it finds at least this many items; below, the bigram
/// fallback is searched too (see [`Search::search`]).
pub const FALLBACK_BELOW: usize = 200;
/// Title boost over body in the words query.
const TITLE_BOOST: Score = 2.0;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Order {
    /// Best match first.
    #[default]
    Relevance,
    /// Latest `time` first.
    Newest,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchQuery {
    pub text: String,
    /// Only these kinds; empty = all.
    pub kinds: Vec<String>,
    pub order: Order,
    pub offset: usize,
    /// Hits per page, at most [`MAX_LIMIT`]; 0 returns only the total and the facets.
    pub limit: usize,
    /// Only items of these units (an item carries its unit and every ancestor, so a unit finds
    /// its whole subtree); empty = any unit.
    pub units: Vec<u64>,
    /// Only items whose `time` is at or after this (UTC milliseconds).
    pub from_ms: Option<i64>,
    /// Only items whose `time` is before this (UTC milliseconds, exclusive).
    pub to_ms: Option<i64>,
    /// Date facet buckets, counted over the matching items within the other filters (text, ACL,
    /// units, kinds) but not the date range, so that a page can offer every bucket.
    pub date_buckets: Vec<DateBucket>,
}

/// A date facet bucket: `time` in `[from_ms, to_ms)`, either end open.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateBucket {
    pub name: String,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
}

impl DateBucket {
    pub(super) fn contains(&self, t: i64) -> bool {
        self.from_ms.is_none_or(|f| t >= f) && self.to_ms.is_none_or(|e| t < e)
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct SearchResults {
    /// Matching items the caller may see (within the kinds filter).
    pub total: usize,
    pub hits: Vec<Hit>,
    /// `(kind, count)` over the matching items the caller may see, ignoring the kinds filter so
    /// that a page can offer every kind (within the unit and date filters); most frequent
    /// first.
    pub facets: Vec<(String, u64)>,
    /// `(bucket name, count)` for each of the query's `date_buckets`, in their order.
    pub dates: Vec<(String, u64)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub key: String,
    pub kind: String,
    /// The title as written.
    pub title: String,
    /// The title, HTML-escaped, with matched words in `<b>`.
    pub title_html: String,
    /// About 160 characters of the body around the best match, HTML-escaped, matches in `<b>`.
    pub snippet_html: String,
    pub url: String,
    pub time_ms: i64,
    /// Relevance score; 0 in newest-first order.
    pub score: f32,
}

/// The text part of a query.
pub(super) struct TextQuery {
    /// Every word in the title or the body.
    pub words: Option<Box<dyn Query>>,
    /// Every chunk as a bigram phrase in the title or the body.
    pub fallback: Option<Box<dyn Query>>,
    /// Whether every word occurs somewhere in the index (else the words query matches nothing
    /// and only the fallback can).
    pub words_match: bool,
    /// What to look for in a body to place its snippet: the words and the chunks, lowercased.
    pub needles: Vec<String>,
}

impl TextQuery {
    /// The text's query over the index `searcher` reads (whose term statistics decide how a
    /// word unknown to the index is looked for).
    pub fn parse(searcher: &Searcher, fields: &Fields, text: &str) -> Result<Option<TextQuery>> {
        let text: String = text.chars().take(MAX_QUERY_CHARS).collect();
        let occurs = |w: &str| -> Result<bool> {
            Ok(searcher.doc_freq(&Term::from_field_text(fields.title, w))?
                + searcher.doc_freq(&Term::from_field_text(fields.body, w))?
                > 0)
        };
        let mut words = Vec::new();
        let mut words_match = true;
        for word in super::tokenizer::texts(&mut WordTokenizer::for_query(), &text) {
            if words.len() >= MAX_WORDS {
                break;
            }
            if occurs(&word)? {
                words.push(word);
                continue;
            }
            // A word that documents were never cut into whole (the query's 管理办法 against
            // 会议室预约管理办法, cut 预约 / 管理 / 办法): the shorter words the documents' cut
            // makes of it, when every one of them occurs.
            let mut parts = super::tokenizer::texts(&mut WordTokenizer::for_index(), &word);
            parts.retain(|p| *p != word);
            let mut known = !parts.is_empty();
            for part in &parts {
                known = known && occurs(part)?;
            }
            if known {
                words.extend(parts);
            } else {
                words_match = false;
                words.push(word);
            }
        }
        dedup(&mut words);
        words.truncate(MAX_WORDS);
        let either = |w: &String| -> Box<dyn Query> {
            Box::new(BooleanQuery::union(vec![
                Box::new(BoostQuery::new(term_query(fields.title, w), TITLE_BOOST)),
                term_query(fields.body, w),
            ]))
        };
        let words_query = match words.as_slice() {
            [] => None,
            [one] => Some(either(one)),
            many => Some(Box::new(BooleanQuery::new(
                many.iter().map(|w| (Occur::Must, either(w))).collect(),
            )) as Box<dyn Query>),
        };

        let mut needles = words;
        let mut chunks = Vec::new();
        for chunk in text.split_whitespace().take(MAX_CHUNKS) {
            let mut stream =
                tantivy::tokenizer::Tokenizer::token_stream(&mut BigramTokenizer, chunk);
            let mut tokens = Vec::new();
            while let Some(t) = tantivy::tokenizer::TokenStream::next(&mut stream) {
                tokens.push((t.position, t.text.clone()));
                if tokens.len() == MAX_CHUNK_TOKENS {
                    break;
                }
            }
            if tokens.is_empty() {
                continue;
            }
            needles.push(chunk.to_lowercase());
            let in_field = |field: Field| -> Box<dyn Query> {
                if tokens.len() == 1 {
                    term_query(field, &tokens[0].1)
                } else if tokens.len() <= SHORT_CHUNK_BIGRAMS {
                    // A short chunk (up to four characters): its bigrams anywhere in the field. As
                    // precise in practice, and without reading positions, which cost more than
                    // the rest of the query on a common word (会议室 over 300,000 items).
                    Box::new(BooleanQuery::intersection(
                        tokens.iter().map(|(_, t)| term_query(field, t)).collect(),
                    ))
                } else {
                    let terms = tokens
                        .iter()
                        .map(|(p, t)| (*p, Term::from_field_text(field, t)))
                        .collect();
                    Box::new(PhraseQuery::new_with_offset(terms))
                }
            };
            let either: Box<dyn Query> = Box::new(BooleanQuery::union(vec![
                in_field(fields.title_bigram),
                in_field(fields.body_bigram),
            ]));
            chunks.push((Occur::Must, either));
        }
        let fallback =
            (!chunks.is_empty()).then(|| Box::new(BooleanQuery::new(chunks)) as Box<dyn Query>);
        if words_query.is_none() && fallback.is_none() {
            return Ok(None);
        }
        dedup(&mut needles);
        Ok(Some(TextQuery {
            words: words_query,
            fallback,
            words_match,
            needles,
        }))
    }

    /// The words alone when they can match (the first pass of a search), else what there is.
    fn first(&self) -> Box<dyn Query> {
        match (&self.words, &self.fallback) {
            (Some(words), _) if self.words_match => words.box_clone(),
            _ => self.both(),
        }
    }

    /// Whether [`TextQuery::first`] left the fallback out.
    fn first_without_fallback(&self) -> bool {
        self.words.is_some() && self.words_match && self.fallback.is_some()
    }

    /// `Should(words, fallback)`: a document matching either is a hit.
    pub fn both(&self) -> Box<dyn Query> {
        let parts: Vec<Box<dyn Query>> = [&self.words, &self.fallback]
            .into_iter()
            .flatten()
            .map(|q| q.box_clone())
            .collect();
        match <[_; 1]>::try_from(parts) {
            Ok([one]) => one,
            Err(parts) => Box::new(BooleanQuery::union(parts)),
        }
    }
}

pub(super) fn dedup(items: &mut Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    items.retain(|w| seen.insert(w.clone()));
}

pub(super) fn term_query(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

/// Matches documents holding any of `terms` in `field` (a filter: no scoring weight).
pub(super) fn any_term(field: Field, terms: &[String]) -> Box<dyn Query> {
    let clauses = terms
        .iter()
        .map(|t| {
            (
                Occur::Should,
                Box::new(TermQuery::new(
                    Term::from_field_text(field, t),
                    IndexRecordOption::Basic,
                )) as Box<dyn Query>,
            )
        })
        .collect();
    filter(BooleanQuery::new(clauses))
}

/// `query` as a filter: it adds nothing to the score, and its own parts are not scored at all
/// (a boost of 0 still scored every ACL term of every match, then multiplied by 0).
fn filter(query: impl Query) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(Box::new(query), 0.0))
}

/// Matches documents of any of `units` (a filter: no scoring weight).
fn any_unit(field: Field, units: &[u64]) -> Box<dyn Query> {
    let clauses = units
        .iter()
        .map(|u| {
            (
                Occur::Should,
                Box::new(TermQuery::new(
                    Term::from_field_u64(field, *u),
                    IndexRecordOption::Basic,
                )) as Box<dyn Query>,
            )
        })
        .collect();
    filter(BooleanQuery::new(clauses))
}

/// Matches documents whose `time` is in `[from, to)`.
fn time_range(field: Field, from: Option<i64>, to: Option<i64>) -> Box<dyn Query> {
    let lower = from.map_or(Bound::Unbounded, |t| {
        Bound::Included(Term::from_field_i64(field, t))
    });
    let upper = to.map_or(Bound::Unbounded, |t| {
        Bound::Excluded(Term::from_field_i64(field, t))
    });
    filter(RangeQuery::new(lower, upper))
}

/// The matches of one pass over the index.
struct Matches {
    total: usize,
    kinds: BTreeMap<String, u64>,
    dates: Vec<u64>,
    found: Vec<(Score, DocAddress)>,
}

impl Search {
    /// Searches what the caller may see: `acl_terms` are the caller's own terms (`all`,
    /// `user:ID`, `unit:ID` of each unit up the tree, `role:NAME@UNIT`); an item is visible when
    /// it carries one of them. No terms, or a blank text, find nothing.
    ///
    /// The words are searched first, alone. The bigram fallback joins them (a second pass) only
    /// when a word occurs nowhere or the words find fewer than [`FALLBACK_BELOW`] items: it
    /// exists for the rare item whose text the segmentation cut differently from the query
    /// (~0.3 % of substring matches), and evaluating it costs ten times the words query on a
    /// common word, where those items would sit among thousands of word matches anyway.
    pub fn search(&self, q: &SearchQuery, acl_terms: &[String]) -> Result<SearchResults> {
        let f = &self.0.fields;
        if acl_terms.is_empty() {
            return Ok(SearchResults::default());
        }
        let searcher = self.0.reader.searcher();
        let Some(text) = TextQuery::parse(&searcher, f, &q.text)? else {
            return Ok(SearchResults::default());
        };
        let mut matches = self.matches(&searcher, q, acl_terms, text.first())?;
        if text.first_without_fallback() && matches.total < FALLBACK_BELOW {
            matches = self.matches(&searcher, q, acl_terms, text.both())?;
        }
        let mut facets: Vec<(String, u64)> = matches.kinds.into_iter().collect();
        facets.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));

        let found = if q.limit == 0 {
            Vec::new()
        } else {
            matches.found
        };
        let mut snippets = Snippets::new(&searcher, f, &text)?;
        let mut hits = Vec::with_capacity(found.len());
        for (score, address) in found {
            let doc: TantivyDocument = searcher.doc(address)?;
            let text_of = |field: Field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
            };
            let title = text_of(f.title);
            let body = text_of(f.body);
            hits.push(Hit {
                key: text_of(f.key).to_string(),
                kind: text_of(f.kind).to_string(),
                title: title.to_string(),
                title_html: snippets.title(title),
                snippet_html: snippets.body(body, &text.needles),
                url: text_of(f.url).to_string(),
                time_ms: doc
                    .get_first(f.time)
                    .and_then(|v| v.as_i64())
                    .unwrap_or_default(),
                score,
            });
        }
        Ok(SearchResults {
            total: matches.total,
            hits,
            facets,
            dates: q
                .date_buckets
                .iter()
                .map(|b| b.name.clone())
                .zip(matches.dates)
                .collect(),
        })
    }

    /// One pass: the total, the facets and the page of hits for `text` within the caller's ACL
    /// and the query's filters.
    fn matches(
        &self,
        searcher: &Searcher,
        q: &SearchQuery,
        acl_terms: &[String],
        text: Box<dyn Query>,
    ) -> Result<Matches> {
        let f = &self.0.fields;
        // Text, ACL and units: what every count and the hits share.
        let mut base: Vec<(Occur, Box<dyn Query>)> = vec![
            (Occur::Must, text),
            (Occur::Must, any_term(f.acl, acl_terms)),
        ];
        if !q.units.is_empty() {
            base.push((Occur::Must, any_unit(f.unit, &q.units)));
        }
        let kinds = (!q.kinds.is_empty()).then(|| any_term(f.kind, &q.kinds));
        let dated = (q.from_ms.is_some() || q.to_ms.is_some())
            .then(|| time_range(f.time, q.from_ms, q.to_ms));
        let with = |extra: &[&Option<Box<dyn Query>>]| -> Box<dyn Query> {
            let mut clauses: Vec<(Occur, Box<dyn Query>)> =
                base.iter().map(|(o, c)| (*o, c.box_clone())).collect();
            for q in extra.iter().copied().flatten() {
                clauses.push((Occur::Must, q.box_clone()));
            }
            Box::new(BooleanQuery::new(clauses))
        };
        let hits_query = with(&[&kinds, &dated]);
        let limit = q.limit.min(MAX_LIMIT);
        let offset = q.offset.min(MAX_OFFSET);
        let top = TopDocs::with_limit(limit.max(1)).and_offset(offset);

        // The kind facet ignores the kinds filter and the date facet the date range; when a
        // filter is absent its facet is counted in the same pass as the hits.
        let buckets = (!q.date_buckets.is_empty()).then(|| DateCounts {
            field: f.time,
            buckets: q.date_buckets.clone(),
        });
        let kinds_inline = kinds.is_none().then_some(KindCounts(f.kind));
        let dates_inline = if dated.is_none() {
            buckets.clone()
        } else {
            None
        };
        let (total, kind_counts, date_counts, found) = match q.order {
            Order::Relevance => searcher.search(
                &*hits_query,
                &(Count, kinds_inline, dates_inline, top.order_by_score()),
            )?,
            Order::Newest => {
                let (total, k, d, top) = searcher.search(
                    &*hits_query,
                    &(Count, kinds_inline, dates_inline, newest(top)),
                )?;
                (total, k, d, unscored(top))
            }
        };
        let kind_counts = match kind_counts {
            Some(k) => k,
            None => searcher.search(&*with(&[&dated]), &KindCounts(f.kind))?,
        };
        let dates = match (date_counts, buckets) {
            (Some(d), _) => d,
            (None, Some(b)) => searcher.search(&*with(&[&kinds]), &b)?,
            (None, None) => Vec::new(),
        };
        Ok(Matches {
            total,
            kinds: kind_counts,
            dates,
            found,
        })
    }
}

fn newest(top: TopDocs) -> impl Collector<Fruit = Vec<(Option<i64>, DocAddress)>> {
    top.order_by_fast_field::<i64>("time", tantivy::Order::Desc)
}

fn unscored(top: Vec<(Option<i64>, DocAddress)>) -> Vec<(Score, DocAddress)> {
    top.into_iter().map(|(_, address)| (0.0, address)).collect()
}
