//! Queries: parsing the text (without tantivy's QueryParser), the ACL and kind filters, ordering,
//! kind facets and highlighted snippets.
//!
//! The text becomes `Should(words, fallback)`:
//! - words: the text cut by jieba in default mode; every word must occur in the title (boosted)
//!   or the body. Cheap term queries: a default-mode cut yields no overlapping sub-words, so no
//!   phrase queries (which cost ~20x at p99).
//! - fallback: each whitespace-separated chunk as a phrase of CJK bigrams on the bigram fields,
//!   so that a substring the segmentation cut differently (`息管理`) is still found.

use std::collections::BTreeMap;
use std::ops::Bound;

use serde::{Deserialize, Serialize};
use tantivy::collector::{Collector, Count, SegmentCollector, TopDocs};
use tantivy::columnar::StrColumn;
use tantivy::query::{
    BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, RangeQuery, RegexQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{
    DocAddress, DocId, Score, Searcher, SegmentOrdinal, SegmentReader, TantivyDocument, Term,
};

use super::indexer::cut;
use super::tokenizer::{BigramTokenizer, WordTokenizer};
use super::{Fields, Search};
use crate::error::Result;

/// At most this many hits per page.
pub const MAX_LIMIT: usize = 100;
/// Deeper pages are not served (refine the query instead).
pub const MAX_OFFSET: usize = 10_000;
/// Query text beyond this many characters is ignored.
const MAX_QUERY_CHARS: usize = 200;
/// At most this many words, chunks, and bigrams per chunk make it into the query.
const MAX_WORDS: usize = 32;
const MAX_CHUNKS: usize = 16;
const MAX_CHUNK_TOKENS: usize = 32;
/// Chunks of at most this many bigrams match by their bigrams, longer ones as a phrase.
const SHORT_CHUNK_BIGRAMS: usize = 3;
/// Snippet length in characters.
const SNIPPET_CHARS: usize = 160;
/// The part of a body around the first match that the snippet is chosen from (bytes), so that a
/// long body is never tokenized whole for a snippet.
const WINDOW_BEFORE: usize = 120;
const WINDOW_BYTES: usize = 2_000;
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
    fn contains(&self, t: i64) -> bool {
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
    /// The words of the words query.
    pub word_list: Vec<String>,
    /// What to look for in a body to place its snippet: the words and the chunks, lowercased.
    pub needles: Vec<String>,
}

impl TextQuery {
    pub fn parse(fields: &Fields, text: &str) -> Option<TextQuery> {
        let text: String = text.chars().take(MAX_QUERY_CHARS).collect();
        let mut words = super::tokenizer::texts(&mut WordTokenizer::for_query(), &text);
        dedup(&mut words);
        words.truncate(MAX_WORDS);
        let words_query = (!words.is_empty()).then(|| {
            let clauses = words
                .iter()
                .map(|w| {
                    let either: Box<dyn Query> = Box::new(BooleanQuery::union(vec![
                        Box::new(BoostQuery::new(term_query(fields.title, w), TITLE_BOOST)),
                        term_query(fields.body, w),
                    ]));
                    (Occur::Must, either)
                })
                .collect();
            Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>
        });

        let mut needles = words.clone();
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
            return None;
        }
        dedup(&mut needles);
        Some(TextQuery {
            words: words_query,
            fallback,
            word_list: words,
            needles,
        })
    }

    /// `Should(words, fallback)`: a document matching either is a hit.
    pub fn query(&self) -> Box<dyn Query> {
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

fn dedup(items: &mut Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    items.retain(|w| seen.insert(w.clone()));
}

fn term_query(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

/// Matches documents holding any of `terms` in `field` (a filter: no scoring weight).
fn any_term(field: Field, terms: &[String]) -> Box<dyn Query> {
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
    Box::new(BoostQuery::new(Box::new(BooleanQuery::new(clauses)), 0.0))
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
    Box::new(BoostQuery::new(Box::new(BooleanQuery::new(clauses)), 0.0))
}

/// Matches documents whose `time` is in `[from, to)`.
fn time_range(field: Field, from: Option<i64>, to: Option<i64>) -> Box<dyn Query> {
    let lower = from.map_or(Bound::Unbounded, |t| {
        Bound::Included(Term::from_field_i64(field, t))
    });
    let upper = to.map_or(Bound::Unbounded, |t| {
        Bound::Excluded(Term::from_field_i64(field, t))
    });
    Box::new(BoostQuery::new(
        Box::new(RangeQuery::new(lower, upper)),
        0.0,
    ))
}

impl Search {
    /// Searches what the caller may see: `acl_terms` are the caller's own terms (`all`,
    /// `user:ID`, `unit:ID` of each unit up the tree, `role:NAME@UNIT`); an item is visible when
    /// it carries one of them. No terms, or a blank text, find nothing.
    pub fn search(&self, q: &SearchQuery, acl_terms: &[String]) -> Result<SearchResults> {
        let f = &self.0.fields;
        if acl_terms.is_empty() {
            return Ok(SearchResults::default());
        }
        let Some(text) = TextQuery::parse(f, &q.text) else {
            return Ok(SearchResults::default());
        };
        let searcher = self.0.reader.searcher();
        // Text, ACL and units: what every count and the hits share.
        let mut base: Vec<(Occur, Box<dyn Query>)> = vec![
            (Occur::Must, text.query()),
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
            Order::Relevance => {
                let (total, k, d, top) = searcher.search(
                    &*hits_query,
                    &(Count, kinds_inline, dates_inline, top.order_by_score()),
                )?;
                (total, k, d, top)
            }
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
        let date_counts = match (date_counts, buckets) {
            (Some(d), _) => d,
            (None, Some(b)) => searcher.search(&*with(&[&kinds]), &b)?,
            (None, None) => Vec::new(),
        };
        let kinds = kind_counts;
        let mut facets: Vec<(String, u64)> = kinds.into_iter().collect();
        facets.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));

        let found = if limit == 0 { Vec::new() } else { found };
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
            total,
            hits,
            facets,
            dates: q
                .date_buckets
                .iter()
                .map(|b| b.name.clone())
                .zip(date_counts)
                .collect(),
        })
    }
}

fn newest(top: TopDocs) -> impl Collector<Fruit = Vec<(Option<i64>, DocAddress)>> {
    top.order_by_fast_field::<i64>("time", tantivy::Order::Desc)
}

fn unscored(top: Vec<(Option<i64>, DocAddress)>) -> Vec<(Score, DocAddress)> {
    top.into_iter().map(|(_, address)| (0.0, address)).collect()
}

/// Counts matching documents per `kind` (a fast string field): per segment by term ordinal,
/// turned into names once per segment.
struct KindCounts(Field);

struct SegmentKindCounts {
    column: Option<StrColumn>,
    counts: Vec<u64>,
}

impl Collector for KindCounts {
    type Fruit = BTreeMap<String, u64>;
    type Child = SegmentKindCounts;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentKindCounts> {
        let name = segment.schema().get_field_name(self.0).to_string();
        let column = segment.fast_fields().str(&name)?;
        let counts = vec![0; column.as_ref().map_or(0, |c| c.num_terms())];
        Ok(SegmentKindCounts { column, counts })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        fruits: Vec<BTreeMap<String, u64>>,
    ) -> tantivy::Result<BTreeMap<String, u64>> {
        let mut all = BTreeMap::new();
        for fruit in fruits {
            for (kind, n) in fruit {
                *all.entry(kind).or_insert(0) += n;
            }
        }
        Ok(all)
    }
}

impl SegmentCollector for SegmentKindCounts {
    type Fruit = BTreeMap<String, u64>;

    fn collect(&mut self, doc: DocId, _: Score) {
        if let Some(column) = &self.column
            && let Some(ord) = column.ords().first(doc)
            && let Some(n) = self.counts.get_mut(ord as usize)
        {
            *n += 1;
        }
    }

    fn harvest(self) -> BTreeMap<String, u64> {
        let mut out = BTreeMap::new();
        let Some(column) = self.column else {
            return out;
        };
        let mut name = String::new();
        for (ord, n) in self.counts.into_iter().enumerate() {
            if n > 0 && column.ord_to_str(ord as u64, &mut name).unwrap_or(false) {
                out.insert(name.clone(), n);
            }
        }
        out
    }
}

/// Counts matching documents per date bucket (a document may fall in several), by the `time`
/// fast field.
#[derive(Clone)]
struct DateCounts {
    field: Field,
    buckets: Vec<DateBucket>,
}

struct SegmentDateCounts {
    column: tantivy::columnar::Column<i64>,
    buckets: Vec<DateBucket>,
    counts: Vec<u64>,
}

impl Collector for DateCounts {
    type Fruit = Vec<u64>;
    type Child = SegmentDateCounts;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentDateCounts> {
        let name = segment.schema().get_field_name(self.field).to_string();
        Ok(SegmentDateCounts {
            column: segment.fast_fields().i64(&name)?,
            buckets: self.buckets.clone(),
            counts: vec![0; self.buckets.len()],
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Vec<u64>>) -> tantivy::Result<Vec<u64>> {
        let mut all = vec![0; self.buckets.len()];
        for fruit in fruits {
            for (a, n) in all.iter_mut().zip(fruit) {
                *a += n;
            }
        }
        Ok(all)
    }
}

impl SegmentCollector for SegmentDateCounts {
    type Fruit = Vec<u64>;

    fn collect(&mut self, doc: DocId, _: Score) {
        if let Some(t) = self.column.first(doc) {
            for (b, n) in self.buckets.iter().zip(self.counts.iter_mut()) {
                if b.contains(t) {
                    *n += 1;
                }
            }
        }
    }

    fn harvest(self) -> Vec<u64> {
        self.counts
    }
}

/// Highlighting for one query: words first, bigrams when only the fallback matched.
struct Snippets {
    title: Vec<SnippetGenerator>,
    body: Vec<SnippetGenerator>,
}

impl Snippets {
    fn new(searcher: &Searcher, f: &Fields, text: &TextQuery) -> Result<Snippets> {
        let mut title = Vec::new();
        let mut body = Vec::new();
        let words = (&text.words, f.title, f.body);
        let bigrams = (&text.fallback, f.title_bigram, f.body_bigram);
        // When a word occurs nowhere, the words query matched nothing and every hit came from the
        // fallback: highlight its bigrams first (the words that do occur are only part of it).
        let mut words_match = true;
        for w in &text.word_list {
            let df = searcher.doc_freq(&Term::from_field_text(f.title, w))?
                + searcher.doc_freq(&Term::from_field_text(f.body, w))?;
            words_match &= df > 0;
        }
        let order = if words_match {
            [words, bigrams]
        } else {
            [bigrams, words]
        };
        for (query, title_field, body_field) in order {
            if let Some(query) = query {
                let mut t = SnippetGenerator::create(searcher, &**query, title_field)?;
                t.set_max_num_chars(usize::MAX / 2);
                title.push(t);
                body.push(SnippetGenerator::create(searcher, &**query, body_field)?);
            }
        }
        Ok(Snippets { title, body })
    }

    /// The whole title, escaped, with the matches in `<b>`.
    fn title(&self, title: &str) -> String {
        for generator in &self.title {
            let snippet = generator.snippet(title);
            if !snippet.is_empty() {
                let range = snippet.fragment_range();
                return format!(
                    "{}{}{}",
                    escape(&title[..range.start]),
                    snippet.to_html(),
                    escape(&title[range.end..])
                );
            }
        }
        escape(title)
    }

    /// About [`SNIPPET_CHARS`] characters around the first match, escaped, matches in `<b>`;
    /// the start of the body when nothing is highlighted.
    fn body(&mut self, body: &str, needles: &[String]) -> String {
        let (start, end) = window(body, needles);
        let part = &body[start..end];
        let chars = part.chars().count().max(1);
        let max_bytes = SNIPPET_CHARS * part.len().div_ceil(chars);
        for generator in &mut self.body {
            generator.set_max_num_chars(max_bytes);
            let snippet = generator.snippet(part);
            if !snippet.is_empty() {
                let range = snippet.fragment_range();
                let before = if start + range.start > 0 { "…" } else { "" };
                let after = if start + range.end < body.len() {
                    "…"
                } else {
                    ""
                };
                return format!("{before}{}{after}", snippet.to_html());
            }
        }
        let head: String = body.chars().take(SNIPPET_CHARS).collect();
        let more = if head.len() < body.len() { "…" } else { "" };
        format!("{}{more}", escape(&head))
    }
}

/// The byte range of `body` to take a snippet from: around the first occurrence of a needle
/// (ASCII case-insensitive), else the start.
fn window(body: &str, needles: &[String]) -> (usize, usize) {
    let lower;
    let haystack = if body.bytes().any(|b| b.is_ascii_uppercase()) {
        lower = body.to_ascii_lowercase();
        lower.as_str()
    } else {
        body
    };
    let first = needles
        .iter()
        .filter_map(|n| haystack.find(n.as_str()))
        .min()
        .unwrap_or(0);
    let mut start = first.saturating_sub(WINDOW_BEFORE);
    while !body.is_char_boundary(start) {
        start -= 1;
    }
    let end = start + cut(&body[start..], WINDOW_BYTES).len();
    (start, end)
}

/// HTML-escapes text for element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

/// A title offered while typing.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Suggestion {
    pub title: String,
    pub kind: String,
    pub url: String,
}

impl Search {
    /// Up to `limit` titles the caller may open that match what was typed: every word of it in
    /// the title, or each chunk as a bigram phrase of the title, or (a single CJK character) a
    /// title bigram starting with it, or (a last Latin word being typed) a title word starting with it.
    /// Best match first, then newest.
    pub fn suggest(
        &self,
        text: &str,
        acl_terms: &[String],
        limit: usize,
    ) -> Result<Vec<Suggestion>> {
        let f = &self.0.fields;
        let text: String = text.chars().take(MAX_QUERY_CHARS).collect();
        let text = text.trim();
        if acl_terms.is_empty() || text.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let mut alternatives: Vec<Box<dyn Query>> = Vec::new();
        let mut words = super::tokenizer::texts(&mut WordTokenizer::for_query(), text);
        dedup(&mut words);
        words.truncate(MAX_WORDS);
        if !words.is_empty() {
            let clauses = words
                .iter()
                .map(|w| (Occur::Must, term_query(f.title, w)))
                .collect();
            alternatives.push(Box::new(BooleanQuery::new(clauses)));
        }
        let mut chunks = Vec::new();
        for chunk in text.split_whitespace().take(MAX_CHUNKS) {
            let mut stream =
                tantivy::tokenizer::Tokenizer::token_stream(&mut BigramTokenizer, chunk);
            let mut terms = Vec::new();
            while let Some(t) = tantivy::tokenizer::TokenStream::next(&mut stream) {
                terms.push((t.position, Term::from_field_text(f.title_bigram, &t.text)));
                if terms.len() == MAX_CHUNK_TOKENS {
                    break;
                }
            }
            let q: Box<dyn Query> = match terms.len() {
                0 => continue,
                1 => Box::new(TermQuery::new(terms.remove(0).1, IndexRecordOption::Basic)),
                _ => Box::new(PhraseQuery::new_with_offset(terms)),
            };
            chunks.push((Occur::Must, q));
        }
        if !chunks.is_empty() {
            alternatives.push(Box::new(BooleanQuery::new(chunks)));
        }
        let mut chars = text.chars();
        if let (Some(c), None) = (chars.next(), chars.next())
            && super::tokenizer::is_cjk(c)
        {
            // A prefix of the bigram dictionary: the automaton only walks the terms that start
            // with the character.
            alternatives.push(Box::new(RegexQuery::from_pattern(
                &format!("{c}."),
                f.title_bigram,
            )?));
        }
        if let Some(last) = text.split_whitespace().last()
            && last.len() >= 2
            && last.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            let prefix = last.to_ascii_lowercase();
            alternatives.push(Box::new(RegexQuery::from_pattern(
                &format!("{prefix}.*"),
                f.title,
            )?));
        }
        if alternatives.is_empty() {
            return Ok(Vec::new());
        }
        let query = BooleanQuery::new(vec![
            (
                Occur::Must,
                Box::new(BooleanQuery::union(alternatives)) as Box<dyn Query>,
            ),
            (Occur::Must, any_term(f.acl, acl_terms)),
        ]);
        let searcher = self.0.reader.searcher();
        let found = searcher.search(&query, &TopDocs::with_limit(limit).order_by_score())?;
        let mut out: Vec<(Score, i64, Suggestion)> = Vec::with_capacity(found.len());
        for (score, address) in found {
            let doc: TantivyDocument = searcher.doc(address)?;
            let text_of = |field: Field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string()
            };
            let time = doc
                .get_first(f.time)
                .and_then(|v| v.as_i64())
                .unwrap_or_default();
            out.push((
                score,
                time,
                Suggestion {
                    title: text_of(f.title),
                    kind: text_of(f.kind),
                    url: text_of(f.url),
                },
            ));
        }
        out.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)));
        Ok(out.into_iter().map(|(_, _, s)| s).collect())
    }
}
