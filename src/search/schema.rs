//! The one index's schema: every searchable kind shares these fields.

use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

use super::tokenizer::{BIGRAM, WORDS};

/// Bump when the schema or a tokenizer changes the terms it writes: an index of another version
/// is wiped at open and rebuilt (the index is a cache of the store).
pub const SCHEMA_VERSION: &str = "oanode-search 2";

/// The file beside the index segments that holds [`SCHEMA_VERSION`].
pub const VERSION_FILE: &str = "schema-version";

#[derive(Clone, Copy, Debug)]
pub struct Fields {
    /// `"<kind>:<id>"`: the term an upsert deletes before adding the new version.
    pub key: Field,
    /// `post`, `document`, ...: filter and facet (fast field).
    pub kind: Field,
    pub title: Field,
    pub body: Field,
    /// CJK bigrams of the title and the body: the recall fallback for substrings that the word
    /// segmentation cut differently. Not stored.
    pub title_bigram: Field,
    pub body_bigram: Field,
    /// Who may see the item (multi-valued): `all`, `user:ID`, `unit:ID`, `role:NAME@UNIT`.
    pub acl: Field,
    /// UTC milliseconds, for newest-first order.
    pub time: Field,
    pub url: Field,
    /// The item's unit and its ancestors (multi-valued), for the unit filter.
    pub unit: Field,
}

fn text(tokenizer: &str, stored: bool) -> TextOptions {
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(tokenizer)
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    let options = TextOptions::default().set_indexing_options(indexing);
    if stored {
        options.set_stored()
    } else {
        options
    }
}

pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let fields = Fields {
        key: b.add_text_field("key", STRING | STORED),
        kind: b.add_text_field("kind", STRING | STORED | FAST),
        title: b.add_text_field("title", text(WORDS, true)),
        body: b.add_text_field("body", text(WORDS, true)),
        title_bigram: b.add_text_field("title_bigram", text(BIGRAM, false)),
        body_bigram: b.add_text_field("body_bigram", text(BIGRAM, false)),
        acl: b.add_text_field("acl", STRING),
        time: b.add_i64_field("time", INDEXED | FAST | STORED),
        url: b.add_text_field("url", STORED),
        unit: b.add_u64_field("unit", INDEXED),
    };
    (b.build(), fields)
}
