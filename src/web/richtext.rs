//! Rich-text bodies (公文, news, notices, regulations): the HTML that the editor
//! (assets/js/richtext.js, Quill 2) writes into a `<textarea data-richtext>`.
//!
//! Whatever arrives, from the editor, a page without script or an API client, goes through
//! [`clean`] before it is stored: an allowlist of exactly what the editor produces, so that its
//! output passes byte for byte and everything else (script, style, event handlers, `javascript:`
//! links, images, frames) is dropped. [`plain_text`] is the visible text, for search and snippets.
//!
//! What the editor produces, and so what is kept:
//! - blocks `p`, `h1`–`h3`, `blockquote`, lists `<ol><li data-list="ordered|bullet">` (Quill 2
//!   writes every list as an `ol`; `ul` is kept too), `br` in empty lines;
//! - inline `strong`, `em`, `u`, `s`, and `a href` (http, https, mailto or relative) with
//!   `target="_blank"` as Quill writes it and always `rel="noopener noreferrer"`;
//! - on blocks, the classes `ql-align-center|right|justify` and `ql-indent-1` … `ql-indent-8`.
//!
//! The HTML tree builder (html5ever's, as every browser's) is quadratic in nesting depth: 1 MiB
//! of `<blockquote>` takes it 12 s in a release build, and html2text 20 s more. So before a body
//! is parsed, one linear pass of the tokenizer bounds its nesting ([`MAX_DEPTH`] open elements,
//! [`MAX_FORMATTING`] of them inline, [`MAX_MISNESTED`] closed by another's end tag,
//! [`MAX_REOPENED`] for the parser to re-open). The editor nests 7 deep at most and never
//! misnests; [`clean`] refuses a body outside the bounds with a field error, and [`sanitize`] and
//! [`plain_text`] reduce it to its text. Within them, 1 MiB takes at most about 0.25 s to clean
//! (release build; editor output of that size about 0.1 s).

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use ammonia::{Builder, UrlRelative};
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer};
use html5ever::{LocalName, local_name};

use crate::error::{Error, Result};

/// The most a body may hold, in bytes of HTML (before and after sanitizing).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The catalog key of the field error for a body over [`MAX_BODY_BYTES`].
pub const TOO_LONG: &str = "error.richtext.too_long";

/// The catalog key of the field error for a body nested or misnested beyond the bounds below.
pub const TOO_NESTED: &str = "error.richtext.too_nested";

/// The most elements a body may have open at once (the editor: `ol li a strong em u s`, 7).
pub const MAX_DEPTH: usize = 48;

/// The most formatting elements (`a`, `strong`, `em`, `u`, `s`, `b`, `i`, …) a body may have open
/// at once (the editor: 5). The parser re-opens those that a block closed in every later block.
pub const MAX_FORMATTING: usize = 12;

/// The most elements that end tags of other elements may close (`<b><i></b></i>` closes one):
/// the parser may keep them open, or re-open them, after the count has closed them.
pub const MAX_MISNESTED: usize = 8;

/// The most formatting elements the parser may have to re-open, counted as the formatting
/// elements open (or misnested) at each start tag of another element: `<b><p>1</p><p>2</p>`
/// re-opens `b` in each paragraph. The editor never puts a block inside a formatting element: 0.
pub const MAX_REOPENED: usize = 100_000;

const BLOCKS: &[&str] = &["p", "h1", "h2", "h3", "li", "blockquote"];
const BLOCK_CLASSES: &[&str] = &[
    "ql-align-center",
    "ql-align-right",
    "ql-align-justify",
    "ql-indent-1",
    "ql-indent-2",
    "ql-indent-3",
    "ql-indent-4",
    "ql-indent-5",
    "ql-indent-6",
    "ql-indent-7",
    "ql-indent-8",
];

fn builder() -> &'static Builder<'static> {
    static BUILDER: OnceLock<Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let mut b = Builder::empty();
        b.tags(HashSet::from([
            "p",
            "br",
            "h1",
            "h2",
            "h3",
            "strong",
            "em",
            "u",
            "s",
            "ol",
            "ul",
            "li",
            "blockquote",
            "a",
        ]))
        // Dropped with everything inside them (other unknown tags are unwrapped, their text kept).
        .clean_content_tags(HashSet::from([
            "script", "style", "iframe", "frame", "frameset", "object", "embed", "svg", "math",
            "template", "noscript", "noembed", "noframes", "xmp", "title", "textarea", "select",
        ]))
        .generic_attributes(HashSet::new())
        .tag_attributes(HashMap::from([
            ("a", HashSet::from(["href", "rel", "target"])),
            ("li", HashSet::from(["data-list"])),
        ]))
        .allowed_classes(
            BLOCKS
                .iter()
                .map(|t| (*t, BLOCK_CLASSES.iter().copied().collect()))
                .collect(),
        )
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .url_relative(UrlRelative::PassThrough)
        // Quill writes `href rel target`: the rel attribute is overwritten where it stands (so the
        // editor's links pass unchanged) and added where missing; ammonia's `link_rel` would move
        // it to the end.
        .link_rel(None)
        .set_tag_attribute_value("a", "rel", "noopener noreferrer")
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            ("a", "target") => Some("_blank".into()),
            // Quill's checklists are not offered; anything but a numbered list is a bulleted one.
            ("li", "data-list") => Some(
                if value == "ordered" {
                    "ordered"
                } else {
                    "bullet"
                }
                .into(),
            ),
            _ => Some(value.into()),
        })
        .strip_comments(true);
        b
    })
}

/// The body with everything outside the editor's allowlist removed (see the module docs).
/// Idempotent; the editor's own output comes back unchanged. A body outside the nesting bounds
/// comes back as its text in one paragraph ([`clean`] refuses it instead).
pub fn sanitize(html: &str) -> String {
    if !well_nested(html) {
        let text = tidy(&text_of(html));
        if text.is_empty() {
            return String::new();
        }
        return format!("<p>{}</p>", escape(&text).replace('\n', "<br>"));
    }
    builder().clean(html).to_string()
}

/// The visible text of a body, for the search index and snippets: tags dropped, entities decoded,
/// one line per block (paragraph, heading, list item, quote), no blank lines, no-break spaces as
/// spaces. Meant for stored (sanitized) bodies.
pub fn plain_text(html: &str) -> String {
    if !well_nested(html) {
        return tidy(&text_of(html));
    }
    // Wide enough that no line is ever wrapped: no character is wider than 2 columns, and each
    // takes at least one byte of the HTML.
    let width = html.len().saturating_mul(2).max(80);
    let text = html2text::config::with_decorator(html2text::render::TrivialDecorator::new())
        .allow_width_overflow()
        .unicode_strikeout(false)
        .string_from_read(html.as_bytes(), width)
        .unwrap_or_default();
    tidy(&text)
}

/// One line per non-blank line, trailing spaces dropped, no-break spaces as spaces.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let line = line.replace('\u{a0}', " ");
        let line = line.trim_end();
        if line.trim().is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(line);
    }
    out
}

/// Refuses a body over [`MAX_BODY_BYTES`] with a field error on `field`.
pub fn check_len(field: &str, html: &str) -> Result<()> {
    if html.len() > MAX_BODY_BYTES {
        return Err(Error::field(field, TOO_LONG));
    }
    Ok(())
}

/// What a service stores for a submitted body: length-checked (before sanitizing, so that an
/// oversized input costs nothing, and after, since escaping can lengthen it), then sanitized.
/// Refuses a body nested beyond the bounds ([`MAX_DEPTH`] and the others), also checked after sanitizing
/// (misnested input can come out deeper than it went in), so that whatever is stored passes again.
pub fn clean(field: &str, html: &str) -> Result<String> {
    check_len(field, html)?;
    if !well_nested(html) {
        return Err(Error::field(field, TOO_NESTED));
    }
    let clean = builder().clean(html).to_string();
    check_len(field, &clean)?;
    if !well_nested(&clean) {
        return Err(Error::field(field, TOO_NESTED));
    }
    Ok(clean)
}

/// Elements that have no end tag: they never stay open.
fn is_void(name: &LocalName) -> bool {
    matches!(
        *name,
        local_name!("area")
            | local_name!("base")
            | local_name!("basefont")
            | local_name!("bgsound")
            | local_name!("br")
            | local_name!("col")
            | local_name!("embed")
            | local_name!("hr")
            | local_name!("img")
            | local_name!("input")
            | local_name!("keygen")
            | local_name!("link")
            | local_name!("meta")
            | local_name!("param")
            | local_name!("source")
            | local_name!("track")
            | local_name!("wbr")
    )
}

/// Start tags before which the parser closes a `p` in button scope (a current `p` always is).
fn closes_p(name: &LocalName) -> bool {
    matches!(
        *name,
        local_name!("p")
            | local_name!("div")
            | local_name!("blockquote")
            | local_name!("ol")
            | local_name!("ul")
            | local_name!("h1")
            | local_name!("h2")
            | local_name!("h3")
            | local_name!("h4")
            | local_name!("h5")
            | local_name!("h6")
    )
}

/// The HTML parser's formatting elements: kept in a list and re-opened after a misnested close.
fn is_formatting(name: &LocalName) -> bool {
    matches!(
        *name,
        local_name!("a")
            | local_name!("b")
            | local_name!("big")
            | local_name!("code")
            | local_name!("em")
            | local_name!("font")
            | local_name!("i")
            | local_name!("nobr")
            | local_name!("s")
            | local_name!("small")
            | local_name!("strike")
            | local_name!("strong")
            | local_name!("tt")
            | local_name!("u")
    )
}

/// Counts nesting over the token stream, never under the tree builder's: every start tag of a
/// non-void element opens one (the parser may close it earlier, or ignore the tag: never later),
/// an end tag closes up to the nearest open element of its name (counting the others it closes
/// as misnested); `/>` is ignored (it closes only
/// in SVG and MathML), and the tokenizer stays in its data state (inside `<script>`, `<style>` or
/// `<textarea>` it sees more tags than the parser, never fewer). An end tag that closes more than
/// the current element is the one case where the parser may keep open what the count closed
/// (a `</div>` beyond a `<table>` is ignored), so those are bounded too.
#[derive(Default)]
struct Nesting {
    open: RefCell<Vec<LocalName>>,
    misnested: Cell<usize>,
    reopened: Cell<usize>,
    exceeded: Cell<bool>,
}

impl TokenSink for Nesting {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let Token::TagToken(tag) = token else {
            return TokenSinkResult::Continue;
        };
        if self.exceeded.get() {
            return TokenSinkResult::Continue;
        }
        let mut open = self.open.borrow_mut();
        match tag.kind {
            TagKind::StartTag if !is_void(&tag.name) => {
                // `<p>a<p>b`, `<li>a<li>b`: the parser closes a current p before a block, and a
                // current li before an li, as surely as an end tag would.
                if open.last().is_some_and(|top| {
                    (*top == local_name!("li") && tag.name == local_name!("li"))
                        || (*top == local_name!("p") && closes_p(&tag.name))
                }) {
                    open.pop();
                }
                let mut formatting = open.iter().filter(|n| is_formatting(n)).count();
                let mut reopened = self.reopened.get();
                if is_formatting(&tag.name) {
                    formatting += 1;
                } else {
                    reopened += formatting + self.misnested.get();
                    self.reopened.set(reopened);
                }
                open.push(tag.name);
                if open.len() > MAX_DEPTH || formatting > MAX_FORMATTING || reopened > MAX_REOPENED
                {
                    self.exceeded.set(true);
                }
            }
            TagKind::StartTag => {}
            TagKind::EndTag => {
                if let Some(at) = open.iter().rposition(|n| *n == tag.name) {
                    let misnested = self.misnested.get() + (open.len() - 1 - at);
                    self.misnested.set(misnested);
                    if misnested > MAX_MISNESTED {
                        self.exceeded.set(true);
                    }
                    open.truncate(at);
                }
            }
        }
        TokenSinkResult::Continue
    }
}

fn tokenize<S: TokenSink<Handle = ()>>(html: &str, sink: S) -> S {
    let input = BufferQueue::default();
    input.push_back(html.into());
    let tokenizer = Tokenizer::new(sink, Default::default());
    // Runs to the end of the input: no sink here ever asks it to pause for a script.
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink
}

/// Whether `html` is within [`MAX_DEPTH`], [`MAX_FORMATTING`], [`MAX_MISNESTED`] and
/// [`MAX_REOPENED`]. Linear in its length.
fn well_nested(html: &str) -> bool {
    !tokenize(html, Nesting::default()).exceeded.get()
}

/// The text of a body that is not to be parsed: its character tokens, blocks and line breaks as
/// newlines, without the content of `<script>`, `<style>` and the like.
#[derive(Default)]
struct Text {
    out: RefCell<String>,
    skipping: Cell<bool>,
}

impl TokenSink for Text {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        match token {
            Token::CharacterTokens(t) if !self.skipping.get() => self.out.borrow_mut().push_str(&t),
            Token::TagToken(tag) => {
                self.skipping.set(false);
                let name = &*tag.name;
                if matches!(
                    name,
                    "p" | "br" | "li" | "h1" | "h2" | "h3" | "blockquote" | "div"
                ) {
                    self.out.borrow_mut().push('\n');
                }
                if tag.kind == TagKind::StartTag {
                    let raw = match name {
                        "script" => Some(RawKind::ScriptData),
                        "style" | "xmp" | "iframe" | "noembed" | "noframes" | "noscript" => {
                            Some(RawKind::Rawtext)
                        }
                        "textarea" | "title" => Some(RawKind::Rcdata),
                        _ => None,
                    };
                    if let Some(kind) = raw {
                        self.skipping.set(true);
                        return TokenSinkResult::RawData(kind);
                    }
                }
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

fn text_of(html: &str) -> String {
    tokenize(html, Text::default()).out.into_inner()
}

/// HTML-escapes text for element content and attribute values (the search snippets' too).
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

#[cfg(test)]
mod tests {
    use super::*;

    /// What Quill 2.0.3 writes (assets/js/richtext.js: the editor's innerHTML without its list
    /// markers), captured from the vendored editor in Chromium: headings, marks, lists with
    /// indents, alignment, a quote, links, an empty line, entities, Chinese text.
    const QUILL: &str = concat!(
        r#"<h1 class="ql-align-center">关于开展2026年度安全生产检查的通知</h1>"#,
        r#"<p>各分公司、各部门：</p>"#,
        r#"<p class="ql-indent-1">为落实<strong>安全生产责任制</strong>，现就有关事项<em>通知</em>如下。</p>"#,
        r#"<h2>一、检查范围</h2>"#,
        r#"<ol><li data-list="ordered">集团总部各部门；</li><li data-list="ordered" class="ql-indent-1">含<u>派出机构</u>；</li><li data-list="ordered">各成员企业。</li></ol>"#,
        r#"<h3>二、检查要求</h3>"#,
        r#"<ol><li data-list="bullet">自查 &amp; 整改<s>（已取消）</s></li><li data-list="bullet" class="ql-align-right">A &lt; B &gt; C</li></ol>"#,
        r#"<blockquote>安全第一，预防为主。</blockquote>"#,
        r#"<p><br></p>"#,
        r#"<p class="ql-align-justify">详见<a href="https://oa.example.cn/regulations/12" rel="noopener noreferrer" target="_blank">《安全生产管理制度》</a>、<a href="/documents/7" rel="noopener noreferrer" target="_blank">附件</a>，疑问请邮件<a href="mailto:anquan@example.cn" rel="noopener noreferrer" target="_blank">安全部</a>。</p>"#,
        r#"<p class="ql-align-right">集团办公室</p>"#,
        r#"<p class="ql-align-right">2026年11月29日</p>"#,
    );

    #[test]
    fn the_editors_output_passes_byte_for_byte() {
        assert_eq!(sanitize(QUILL), QUILL);
        assert_eq!(sanitize(&sanitize(QUILL)), QUILL, "idempotent");
        assert_eq!(clean("body", QUILL).unwrap(), QUILL);
    }

    fn clean_of(html: &str) -> String {
        let out = sanitize(html);
        let lower = out.to_ascii_lowercase();
        for bad in [
            "<script",
            "<style",
            "<img",
            "<iframe",
            "<svg",
            "<math",
            "<object",
            "<embed",
            "<form",
            "<input",
            "<span",
            "<div",
            "javascript:",
            "vbscript:",
            "data:",
            "onerror",
            "onclick",
            "onload",
            "onmouseover",
            "style=",
            "srcdoc",
            "<!--",
        ] {
            assert!(
                !lower.contains(bad),
                "{bad:?} survived in {out:?} (from {html:?})"
            );
        }
        out
    }

    #[test]
    fn script_and_style_are_dropped_with_their_content() {
        assert_eq!(clean_of("<p>a<script>alert(1)</script>b</p>"), "<p>ab</p>");
        assert_eq!(clean_of("<script src=//evil.example/x.js></script>"), "");
        assert_eq!(clean_of("<style>p{color:red}</style><p>x</p>"), "<p>x</p>");
        assert_eq!(clean_of("<SCRIPT>alert(1)</SCRIPT>正文"), "正文");
        assert_eq!(
            clean_of("<p>a<!-- <script>x</script> -->b</p>"),
            "<p>ab</p>"
        );
    }

    #[test]
    fn images_frames_svg_and_forms_are_dropped() {
        assert_eq!(
            clean_of(r#"<p><img src=x onerror="alert(1)">图</p>"#),
            "<p>图</p>"
        );
        assert_eq!(
            clean_of(
                r#"<iframe src="https://evil.example" srcdoc="<script>x</script>">t</iframe>"#
            ),
            ""
        );
        assert_eq!(
            clean_of(r#"<svg onload=alert(1)><script>x</script><text>t</text></svg>"#),
            ""
        );
        assert_eq!(
            clean_of("<math><mtext><script>x</script></mtext></math>y"),
            "y"
        );
        assert_eq!(
            clean_of(r#"<object data="x.swf"></object><embed src="x.swf">z"#),
            "z"
        );
        assert_eq!(
            clean_of(r#"<form action="https://evil.example"><input name=p value=1>f</form>"#),
            "f"
        );
        assert_eq!(
            clean_of(r#"<p>a<video src=x.mp4></video>b</p>"#),
            "<p>ab</p>"
        );
    }

    #[test]
    fn event_handlers_styles_and_foreign_attributes_are_dropped() {
        assert_eq!(
            clean_of(
                r#"<p onclick="alert(1)" style="background:url(javascript:alert(1))" id=x title=t>x</p>"#
            ),
            "<p>x</p>"
        );
        assert_eq!(
            clean_of(r#"<strong onmouseover=alert(1) style="color:red">b</strong>"#),
            "<strong>b</strong>"
        );
        assert_eq!(
            clean_of(r#"<span style="color:red" class="ql-align-center">s</span>"#),
            "s"
        );
        assert_eq!(
            clean_of(r#"<div class="ql-align-center">d</div>"#),
            "d",
            "unknown tags are unwrapped, their text kept"
        );
        assert_eq!(
            clean_of(
                r#"<a href="/x" download ping="https://evil.example" target="_top" rel="opener">l</a>"#
            ),
            r#"<a href="/x" target="_blank" rel="noopener noreferrer">l</a>"#
        );
    }

    #[test]
    fn only_the_editors_classes_stay() {
        assert_eq!(
            sanitize(
                r#"<p class="ql-align-center evil ql-indent-3 ql-indent-9 ql-size-huge">x</p>"#
            ),
            r#"<p class="ql-align-center ql-indent-3">x</p>"#
        );
        assert_eq!(sanitize(r#"<p class="x">x</p>"#), r#"<p class="">x</p>"#);
        assert_eq!(
            sanitize(r#"<strong class="ql-align-center">x</strong>"#),
            "<strong>x</strong>"
        );
        assert_eq!(
            sanitize(
                r#"<ol><li data-list="checked">a</li><li data-list="ordered" data-x=1>b</li></ol>"#
            ),
            r#"<ol><li data-list="bullet">a</li><li data-list="ordered">b</li></ol>"#
        );
    }

    #[test]
    fn links_keep_only_web_mail_and_relative_urls() {
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            " javascript:alert(1)",
            "java&#x09;script:alert(1)",
            "&#106;avascript:alert(1)",
            "vbscript:msgbox(1)",
            "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
            "file:///etc/passwd",
            "about:blank",
            "tel:110",
        ] {
            let out = clean_of(&format!(r#"<a href="{bad}">x</a>"#));
            assert_eq!(
                out, r#"<a rel="noopener noreferrer">x</a>"#,
                "{bad} must lose its href"
            );
        }
        for good in [
            "https://example.cn/a?b=1&amp;c=2#d",
            "http://intranet/x",
            "mailto:office@example.cn",
            "/documents/7",
            "../notices/3",
            "#section-2",
        ] {
            let html = format!(r#"<a href="{good}" rel="noopener noreferrer">x</a>"#);
            assert_eq!(sanitize(&html), html, "{good} is kept");
        }
        assert_eq!(
            sanitize(r#"<a href="https://example.cn">x</a>"#),
            r#"<a href="https://example.cn" rel="noopener noreferrer">x</a>"#,
            "rel is added where missing"
        );
    }

    #[test]
    fn malformed_and_nested_markup_is_made_safe() {
        assert_eq!(clean_of("<p>a<b>b</p>"), "<p>ab</p>");
        assert_eq!(
            clean_of("<<script>script>alert(1)<</script>/script>"),
            "&lt;/script&gt;"
        );
        assert_eq!(
            clean_of("<p>1 < 2 & 3 > 2</p>"),
            "<p>1 &lt; 2 &amp; 3 &gt; 2</p>"
        );
        assert_eq!(
            clean_of(r#"<img src="x" alt="<script>alert(1)</script>">"#),
            ""
        );
        assert_eq!(
            clean_of(r#"<p title="</p><script>alert(1)</script>">t</p>"#),
            "<p>t</p>"
        );
        assert_eq!(
            clean_of("<scr<script>ipt>alert(1)</script>"),
            "ipt&gt;alert(1)"
        );
        assert_eq!(
            clean_of(r#"<a href="javascript:alert(1)"><a href="https://ok.example">in</a></a>"#),
            r#"<a rel="noopener noreferrer"></a><a href="https://ok.example" rel="noopener noreferrer">in</a>"#
        );
        assert_eq!(
            clean_of("<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>n"),
            "\"&gt;n"
        );
        assert_eq!(
            clean_of("<p>unclosed <strong>bold"),
            "<p>unclosed <strong>bold</strong></p>"
        );
    }

    fn refused(html: &str) -> bool {
        match clean("body", html) {
            Err(Error::Validation(f)) => f["body"] == TOO_NESTED,
            _ => false,
        }
    }

    /// The tree builder is quadratic in depth (1 MiB of `<blockquote>` takes it seconds): such a
    /// body is refused before it is parsed, and reduced to its text by sanitize and plain_text.
    #[test]
    fn deep_or_tangled_nesting_is_refused_before_parsing() {
        let deep = "<blockquote>".repeat(MAX_DEPTH + 1) + "深<script>alert(1)</script>";
        assert!(refused(&deep));
        assert_eq!(sanitize(&deep), "<p>深</p>");
        assert_eq!(plain_text(&deep), "深");
        let huge = "<ol>".repeat(200_000) + "x";
        assert!(refused(&huge));
        assert_eq!(sanitize(&huge), "<p>x</p>");
        assert_eq!(
            sanitize(&"<p>a<b>".repeat(20)),
            format!("<p>{}</p>", vec!["a"; 20].join("<br>"))
        );

        let fine = "<blockquote>".repeat(MAX_DEPTH) + "x";
        assert!(!refused(&fine));
        let inline = "<strong>".repeat(MAX_FORMATTING) + "x";
        assert!(!refused(&inline));
        assert!(refused(&("<em>".to_string() + &inline)));

        // A few misnested tags pass (sloppy HTML typed by hand); many do not.
        let tangle = "<p><strong><em>x</strong>y</em></p>";
        assert_eq!(
            clean("body", tangle).unwrap(),
            "<p><strong><em>x</em></strong><em>y</em></p>"
        );
        assert!(!refused(&tangle.repeat(MAX_MISNESTED)));
        assert!(refused(&tangle.repeat(MAX_MISNESTED + 1)));
        // A formatting element around blocks is re-opened in each of them.
        let wrapped = format!("<strong>{}</strong>", "<p>x</p>".repeat(1_000));
        assert!(!refused(&wrapped));
        let wrapped = format!("<strong>{}</strong>", "<p>x</p>".repeat(MAX_REOPENED + 1));
        assert!(refused(&wrapped));
        // Tags whose end the parser implies are not nesting.
        assert!(!refused(&"<p>段落".repeat(1_000)));
        assert!(!refused(&format!("<ol>{}</ol>", "<li>条目".repeat(1_000))));
        // Whatever clean stores passes the bounds again.
        let stored = clean("body", &tangle.repeat(MAX_MISNESTED)).unwrap();
        assert_eq!(clean("body", &stored).unwrap(), stored);
    }

    #[test]
    fn plain_text_is_the_visible_text_one_block_a_line() {
        assert_eq!(
            plain_text(QUILL),
            "关于开展2026年度安全生产检查的通知\n\
             各分公司、各部门：\n\
             为落实安全生产责任制，现就有关事项通知如下。\n\
             一、检查范围\n\
             集团总部各部门；\n\
             含派出机构；\n\
             各成员企业。\n\
             二、检查要求\n\
             自查 & 整改（已取消）\n\
             A < B > C\n\
             安全第一，预防为主。\n\
             详见《安全生产管理制度》、附件，疑问请邮件安全部。\n\
             集团办公室\n\
             2026年11月29日"
        );
        assert_eq!(plain_text("<p>a&nbsp;b<br>c</p>"), "a b\nc");
        assert_eq!(plain_text(""), "");
        assert_eq!(plain_text("<p><br></p>"), "");
    }

    #[test]
    fn plain_text_never_wraps_a_long_line() {
        let long = "规章制度".repeat(20_000);
        assert_eq!(plain_text(&format!("<p>{long}</p>")), long);
    }

    #[test]
    fn too_long_is_a_field_error() {
        let ok = "字".repeat(MAX_BODY_BYTES / 3);
        assert!(check_len("body", &ok).is_ok());
        let big = "a".repeat(MAX_BODY_BYTES + 1);
        match check_len("body", &big) {
            Err(Error::Validation(f)) => assert_eq!(f["body"], TOO_LONG),
            other => panic!("{other:?}"),
        }
        // Within the limit before, over it after escaping: refused too.
        let amps = "&".repeat(MAX_BODY_BYTES / 4 + 1);
        assert!(matches!(clean("body", &amps), Err(Error::Validation(_))));
    }

    /// The partial a page includes in layout.html's `head` block links the embedded, versioned
    /// files (a wrong path would have no `?v=`), with no inline script or style.
    #[test]
    fn the_head_partial_links_the_editor() {
        use askama::Template;
        struct Base;
        impl Base {
            fn asset(&self, path: &str) -> String {
                crate::web::assets::url(path)
            }
        }
        #[derive(Template)]
        #[template(path = "_richtext_head.html")]
        struct Head {
            base: Base,
        }
        let html = Head { base: Base }.render().unwrap();
        for path in [
            "vendor/quill-2.0.3/quill.snow.css",
            "css/richtext.css",
            "vendor/quill-2.0.3/quill.js",
            "js/richtext.js",
        ] {
            assert!(
                html.contains(&format!("\"/static/{path}?v=")),
                "{path} in {html}"
            );
        }
        assert!(html.find("quill.js").unwrap() < html.find("richtext.js").unwrap());
        assert!(!html.contains("<script>") && !html.contains("style="));
    }

    #[test]
    fn the_message_exists_in_both_languages() {
        use crate::web::i18n::{Lang, t};
        for key in [TOO_LONG, TOO_NESTED] {
            let zh = t(Lang::ZhCn, key);
            assert_ne!(zh, key, "zh-CN lacks {key}");
            assert_ne!(t(Lang::En, key), zh, "en lacks {key}");
        }
    }
}
