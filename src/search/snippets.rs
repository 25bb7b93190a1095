//! Highlighted titles and snippets for the hits of one query.

use tantivy::Searcher;
use tantivy::snippet::SnippetGenerator;

use super::Fields;
use super::indexer::cut;
use super::query::TextQuery;
use crate::error::Result;
use crate::web::richtext::escape;

/// Snippet length in characters.
const SNIPPET_CHARS: usize = 160;
/// The part of a body around the first match that the snippet is chosen from (bytes), so that a
/// long body is never tokenized whole for a snippet.
const WINDOW_BEFORE: usize = 120;
const WINDOW_BYTES: usize = 2_000;

/// Highlighting for one query: words first, bigrams when only the fallback matched.
pub(super) struct Snippets {
    title: Vec<SnippetGenerator>,
    body: Vec<SnippetGenerator>,
}

impl Snippets {
    pub fn new(searcher: &Searcher, f: &Fields, text: &TextQuery) -> Result<Snippets> {
        let mut title = Vec::new();
        let mut body = Vec::new();
        let words = (&text.words, f.title, f.body);
        let bigrams = (&text.fallback, f.title_bigram, f.body_bigram);
        // When a word occurs nowhere, the words query matched nothing and every hit came from the
        // fallback: highlight its bigrams first (the words that do occur are only part of it).
        let words_match = text.words_match;
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
    pub fn title(&self, title: &str) -> String {
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
    pub fn body(&mut self, body: &str, needles: &[String]) -> String {
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
