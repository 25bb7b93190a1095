//! The two analyzers of title and body.
//!
//! - [`WordTokenizer`]: jieba words, lowercased, without tokens that hold no letter or digit
//!   (punctuation, spaces). Documents are indexed in jieba's search mode (`信息管理` also yields
//!   `信息` and `管理`); queries are cut in default mode, which yields fewer, longer words.
//! - [`BigramTokenizer`]: overlapping bigrams over runs of CJK characters (a lone CJK character
//!   yields itself) and lowercased words for the rest. A phrase of bigrams finds any substring,
//!   whatever the word segmentation made of it: the recall fallback.
//!
//! Both drop tokens longer than [`MAX_TOKEN_BYTES`] (base64 blobs, long URLs), on both the index
//! and the query side.

use tantivy::Index;
use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};
use tantivy_jieba::JiebaTokenizer;

/// Name of the word analyzer (jieba search mode) in the index's tokenizer manager.
pub const WORDS: &str = "jieba_search";
/// Name of the bigram analyzer.
pub const BIGRAM: &str = "cjk_bigram";

/// Longer tokens are not indexed (nor searched).
pub const MAX_TOKEN_BYTES: usize = 64;

/// Registers the analyzers the schema names; call on every `Index` opened or created.
pub fn register(index: &Index) {
    let manager = index.tokenizers();
    manager.register(WORDS, TextAnalyzer::from(WordTokenizer::for_index()));
    manager.register(BIGRAM, TextAnalyzer::from(BigramTokenizer));
}

/// The tokens of `text` as plain strings (tests and query building).
pub fn texts<T: Tokenizer>(tokenizer: &mut T, text: &str) -> Vec<String> {
    let mut stream = tokenizer.token_stream(text);
    let mut out = Vec::new();
    while let Some(t) = stream.next() {
        out.push(t.text.clone());
    }
    out
}

/// A token stream over tokens computed up front.
pub struct VecTokenStream {
    tokens: std::vec::IntoIter<Token>,
    current: Token,
}

impl VecTokenStream {
    fn new(tokens: Vec<Token>) -> VecTokenStream {
        VecTokenStream {
            tokens: tokens.into_iter(),
            current: Token::default(),
        }
    }
}

impl TokenStream for VecTokenStream {
    fn advance(&mut self) -> bool {
        match self.tokens.next() {
            Some(t) => {
                self.current = t;
                true
            }
            None => false,
        }
    }

    fn token(&self) -> &Token {
        &self.current
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.current
    }
}

fn lowercase_in_place(text: &mut String) {
    if text.chars().any(char::is_uppercase) {
        *text = text.to_lowercase();
    }
}

/// jieba words, lowercased, punctuation and spaces dropped.
#[derive(Clone)]
pub struct WordTokenizer {
    jieba: JiebaTokenizer,
}

impl WordTokenizer {
    /// Search mode: each long word also yields the shorter words inside it. For documents.
    pub fn for_index() -> WordTokenizer {
        WordTokenizer {
            jieba: JiebaTokenizer::with_search_mode(true),
        }
    }

    /// Default mode: one cut, no overlapping sub-words. For query text.
    pub fn for_query() -> WordTokenizer {
        WordTokenizer {
            jieba: JiebaTokenizer::with_search_mode(false),
        }
    }
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        let mut inner = self.jieba.token_stream(text);
        let mut tokens = Vec::new();
        while inner.advance() {
            let t = inner.token_mut();
            if t.text.len() > MAX_TOKEN_BYTES || !t.text.chars().any(char::is_alphanumeric) {
                continue;
            }
            let mut token = std::mem::take(t);
            lowercase_in_place(&mut token.text);
            tokens.push(token);
        }
        VecTokenStream::new(tokens)
    }
}

/// Han, kana, hangul, bopomofo: scripts written without spaces between words.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x11FF      // Hangul Jamo
        | 0x3040..=0x30FF    // Hiragana, Katakana
        | 0x3100..=0x312F    // Bopomofo
        | 0x3130..=0x318F    // Hangul compatibility Jamo
        | 0x31A0..=0x31BF    // Bopomofo extended
        | 0x31F0..=0x31FF    // Katakana phonetic extensions
        | 0x3400..=0x4DBF    // CJK extension A
        | 0x4E00..=0x9FFF    // CJK unified ideographs
        | 0xAC00..=0xD7AF    // Hangul syllables
        | 0xF900..=0xFAFF    // CJK compatibility ideographs
        | 0x20000..=0x323AF  // CJK extensions B..H
    )
}

/// Overlapping CJK bigrams, and lowercased words for the rest. Positions count tokens, so a
/// phrase of consecutive bigrams matches the substring they cover.
#[derive(Clone, Copy, Default)]
pub struct BigramTokenizer;

impl Tokenizer for BigramTokenizer {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        VecTokenStream::new(bigrams(text))
    }
}

fn bigrams(text: &str) -> Vec<Token> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let end_of = |i: usize| chars.get(i).map_or(text.len(), |&(b, _)| b);
    let mut tokens = Vec::new();
    let mut position = 0usize;
    let mut push = |from: usize, to: usize, tokens: &mut Vec<Token>| {
        let mut word = text[from..to].to_string();
        lowercase_in_place(&mut word);
        if word.len() <= MAX_TOKEN_BYTES {
            tokens.push(Token {
                offset_from: from,
                offset_to: to,
                position,
                text: word,
                position_length: 1,
            });
            position += 1;
        }
    };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i].1;
        if is_cjk(c) {
            let mut j = i + 1;
            while j < chars.len() && is_cjk(chars[j].1) {
                j += 1;
            }
            if j - i == 1 {
                push(chars[i].0, end_of(i + 1), &mut tokens);
            } else {
                for (k, &(from, _)) in chars.iter().enumerate().take(j - 1).skip(i) {
                    push(from, end_of(k + 2), &mut tokens);
                }
            }
            i = j;
        } else if c.is_alphanumeric() {
            let mut j = i + 1;
            while j < chars.len() && chars[j].1.is_alphanumeric() && !is_cjk(chars[j].1) {
                j += 1;
            }
            push(chars[i].0, end_of(j), &mut tokens);
            i = j;
        } else {
            i += 1;
        }
    }
    tokens
}
