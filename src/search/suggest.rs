//! Titles offered while typing.

use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, PhraseQuery, Query, RegexQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{Score, TantivyDocument, Term};

use super::Search;
use super::query::{
    MAX_CHUNK_TOKENS, MAX_CHUNKS, MAX_QUERY_CHARS, MAX_WORDS, any_term, dedup, term_query,
};
use super::tokenizer::{BigramTokenizer, WordTokenizer};
use crate::error::Result;

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
