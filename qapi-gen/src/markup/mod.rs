//! The reStructuredText subset QEMU's doc comments use, parsed into a small
//! block/inline tree (`parse.rs`) and rendered as HTML (`html.rs`, for the
//! reference documentation) or Markdown (`markdown.rs`, for the Markdown
//! documentation and the rustdoc of generated bindings).
//!
//! Any back end can use it: [`to_html`] and [`to_markdown`] take the text
//! of a doc section (see [`section_source`]) and a resolver that turns a
//! referenced name (`@name`, `` `name` ``) into a link target, or `None` to
//! leave it as plain code.  The Markdown never holds raw HTML, fences code
//! as `text` (so rustdoc does not compile examples) and escapes `[`/`]`
//! (so rustdoc sees no accidental intra-doc links).
//!
//! Supported: paragraphs, ` ``literal`` `, `*emphasis*`, `**strong**`,
//! `@name` and `` `name` `` references, roles (`:doc:`, `:ref:`, ...),
//! bare URLs, bullet and enumerated lists (nested), definition lists,
//! block quotes, `::` literal blocks, section headings (top level: rST's,
//! a title underlined or over- and underlined with a punctuation
//! character, and QEMU 10.0's `= Title` lines), simple tables, and the
//! directives `note`/`warning`/... (admonitions),
//! `admonition`, `qmp-example`, `code-block` and `table`.  Unknown
//! directives keep their content in a titled box; comments are dropped.

mod html;
mod markdown;
mod parse;

use std::borrow::Cow;

use crate::schema::doc::{Section, SectionKind};
pub(crate) use html::{blocks_html, escape_html, inlines_html};
#[cfg(test)]
use markdown::escape_line_start;
pub(crate) use markdown::{blocks_markdown, code_span, escape_markdown, inlines_markdown};
use parse::{dedent, indent_of};
pub(crate) use parse::{parse, parse_inline, plain_text};

/// A block element.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Block {
    Paragraph(Vec<Inline>),
    /// A section heading, level 1 the highest: see `heading_level`.
    Heading {
        level: usize,
        content: Vec<Inline>,
    },
    /// A bullet list (`start` is `None`) or an enumerated list.
    List {
        start: Option<u32>,
        items: Vec<Vec<Block>>,
    },
    /// Definition list items: a term and its indented description.
    Definitions(Vec<(Vec<Inline>, Vec<Block>)>),
    Quote(Vec<Block>),
    /// A literal block or `code-block` (`lang` is the latter's argument).
    Literal {
        lang: Option<String>,
        text: String,
    },
    /// A QMP transcript: `->` requests and `<-` replies.
    Qmp(Vec<QmpMessage>),
    /// `.. note::`, `.. admonition:: Title`, ...; `kind` is the directive
    /// name (`admonition` for the titled one).
    Admonition {
        kind: String,
        title: Vec<Inline>,
        body: Vec<Block>,
    },
    /// `.. qmp-example::` with its optional `:title:`.
    Example {
        title: Option<Vec<Inline>>,
        body: Vec<Block>,
    },
    /// A simple table (`====` borders), optionally from `.. table:: Title`.
    Table {
        title: Option<Vec<Inline>>,
        head: Vec<Vec<Vec<Inline>>>,
        rows: Vec<Vec<Vec<Inline>>>,
    },
}

/// One message of a QMP transcript.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct QmpMessage {
    pub direction: Direction,
    /// The message's lines, the `->`/`<-` marker included.
    pub text: String,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Direction {
    /// `->`: sent by the client.
    Request,
    /// `<-`: sent by the server.
    Reply,
    /// Anything else (`...`, comments).
    Other,
}

/// An inline element.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Inline {
    Text(String),
    /// ` ``code`` `
    Literal(String),
    Emphasis(String),
    Strong(String),
    /// `@name` or `` `name` ``: a link when the name resolves.
    Ref(String),
    /// `` `title <name>` ``: `title`, a link to `name` when it resolves.
    TitledRef {
        title: String,
        target: String,
    },
    /// A bare URL or `` `text <url>`_ ``.
    Url {
        text: String,
        url: String,
    },
    /// A cross-reference into documents we do not have (`:doc:`, `:ref:`).
    Cite(String),
}

/// Turns a referenced name into a link target (`None`: not linkable).
pub type Resolve<'a> = dyn Fn(&str) -> Option<String> + 'a;

/// Nesting deeper than this is kept as plain text (bounds the recursion).
const MAX_DEPTH: usize = 32;

/// The markup text of a doc section, as QEMU's doc generator sees it:
/// descriptions and tagged sections keep the indentation of their
/// continuation lines, which is removed here (all lines when the text
/// starts on the line after the tag, else lines after the first).
pub fn section_source(section: &Section) -> Cow<'_, str> {
    match section.kind {
        SectionKind::Plain => Cow::Borrowed(&section.text),
        _ => Cow::Owned(dedent_description(&section.text)),
    }
}

fn dedent_description(text: &str) -> String {
    let lines: Vec<&str> = text.split('\n').collect();
    if lines.first().is_some_and(|l| indent_of(l) > 0) {
        return dedent(&lines).join("\n");
    }
    let mut out = vec![lines[0].to_string()];
    out.extend(dedent(&lines[1..]));
    out.join("\n")
}

/// Render `text` as HTML.
pub fn to_html(text: &str, resolve: &Resolve) -> String {
    let mut out = String::new();
    blocks_html(&mut out, &parse(text), resolve);
    out
}

/// Render `text` as CommonMark (rustdoc-safe).
pub fn to_markdown(text: &str, resolve: &Resolve) -> String {
    blocks_markdown(&parse(text), resolve)
}

#[cfg(test)]
mod tests;
