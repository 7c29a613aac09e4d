//! Source files, spans and diagnostics.
//!
//! Every value the parser produces carries a [`Span`]; errors are
//! [`Diagnostic`]s rendered in the style of rustc and QEMU:
//!
//! ```text
//! In file included from qapi-schema.json:12:
//! block.json: In command 'eject':
//! block.json:40:1: error: 'data' member 'id' ...
//!    |
//! 42 |   'data': { 'id': 'strx' } }
//!    |                   ^^^^^^
//! ```
//!
//! The location on the `error:` line is the one QEMU reports (for semantic
//! errors, the start of the definition), so that tools comparing with QEMU
//! agree; the snippet points at the exact offending text when it is known.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Index of a file in a [`SourceMap`].
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A byte range in one source file.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Span {
    /// The file.
    pub file: FileId,
    /// The byte offset of the first byte.
    pub start: u32,
    /// The byte offset after the last byte.
    pub end: u32,
}

impl Span {
    /// The bytes `start..end` of `file`.
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span {
            file,
            start: start as u32,
            end: end as u32,
        }
    }

    /// The empty span at the start of this one.
    pub fn start_point(self) -> Span {
        Span {
            end: self.start,
            ..self
        }
    }

    /// The smallest span covering both (same file assumed).
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// One source file as read: its name as QEMU would print it (the root as
/// given, includes joined to the including file's directory), its text with
/// line ends normalized to `\n` (as Python's text mode does), and where it
/// was included from.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SourceFile {
    /// The name diagnostics show: the path as given or as QEMU joins an include to its including file's directory.
    pub name: String,
    /// Where it was read from.
    pub path: PathBuf,
    /// Its text.
    pub text: String,
    /// The include directive that read it; `None` for the root file.
    pub included_from: Option<Span>,
    /// Byte offset of each line, made when first needed (only errors and
    /// some back ends ask).
    line_starts: OnceLock<Vec<u32>>,
}

impl SourceFile {
    /// A file read; `included_from` is the directive that included it.
    pub fn new(
        name: String,
        path: PathBuf,
        text: String,
        included_from: Option<Span>,
    ) -> SourceFile {
        SourceFile {
            name,
            path,
            text,
            included_from,
            line_starts: OnceLock::new(),
        }
    }

    fn line_starts(&self) -> &[u32] {
        self.line_starts.get_or_init(|| {
            let mut starts = vec![0];
            starts.extend(memchr::memchr_iter(b'\n', self.text.as_bytes()).map(|i| i as u32 + 1));
            starts
        })
    }

    /// 1-based line of a byte offset.
    pub fn line_of(&self, offset: u32) -> usize {
        match self.line_starts().binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }

    /// The text of 1-based line `line`, without its newline.
    pub fn line_text(&self, line: usize) -> &str {
        let line_starts = self.line_starts();
        let start = line_starts[line - 1] as usize;
        let end = line_starts
            .get(line)
            .map_or(self.text.len(), |&e| e as usize - 1);
        &self.text[start..end.max(start)]
    }

    /// Byte offset where the line holding `offset` starts.
    pub fn line_start(&self, offset: u32) -> u32 {
        self.line_starts()[self.line_of(offset) - 1]
    }

    /// 1-based column of a byte offset, counted in characters with tabs
    /// handled exactly as QEMU's `QAPIParseError` does.
    pub fn column_of(&self, offset: u32) -> usize {
        let start = self.line_start(offset) as usize;
        let end = floor_char_boundary(&self.text, offset as usize);
        let mut col = 1;
        for ch in self.text[start..end].chars() {
            if ch == '\t' {
                col = (col + 7) % 8 + 1;
            } else {
                col += 1;
            }
        }
        col
    }
}

/// All files read for one schema, in the order they were opened.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    /// Add a file; returns its id.
    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        FileId(self.files.len() as u32 - 1)
    }

    /// The file `id`.
    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// Give file `id` the text `text`, returning the one it had.
    pub(crate) fn replace_text(&mut self, id: FileId, text: String) -> String {
        let file = &mut self.files[id.0 as usize];
        file.line_starts = OnceLock::new();
        std::mem::replace(&mut file.text, text)
    }

    /// Every file, in the order read.
    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }

    /// Paths of every file read (for `cargo:rerun-if-changed`).
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.files.iter().map(|f| f.path.as_path())
    }

    /// The source text a span covers.
    pub fn text(&self, span: Span) -> &str {
        &self.file(span.file).text[span.start as usize..span.end as usize]
    }

    /// `file:line` of a span.
    pub fn line_loc(&self, span: Span) -> String {
        let file = self.file(span.file);
        format!("{}:{}", file.name, file.line_of(span.start))
    }

    /// `file:line:col` of a span.
    pub fn loc(&self, span: Span) -> String {
        let file = self.file(span.file);
        format!(
            "{}:{}:{}",
            file.name,
            file.line_of(span.start),
            file.column_of(span.start)
        )
    }

    /// The `In file included from ...` lines for a file, outermost first.
    pub fn include_chain(&self, file: FileId) -> Vec<String> {
        let mut chain = Vec::new();
        let mut cur = self.file(file).included_from;
        while let Some(span) = cur {
            chain.push(format!("In file included from {}:", self.line_loc(span)));
            cur = self.file(span.file).included_from;
        }
        chain.reverse();
        chain
    }
}

/// The definition an error is about, printed as QEMU does before the
/// error line: `file: In command 'eject':`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefContext {
    /// `command`, `struct`, `union`, `alternate`, `enum`, `event`.
    pub meta: String,
    /// The definition's name.
    pub name: String,
}

/// How bad a [`Diagnostic`] is.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub enum Severity {
    /// The schema is rejected.
    #[default]
    Error,
    /// A rule broken only where the caller chose to tolerate it (doc
    /// comments in lenient mode): the schema is accepted.
    Warning,
}

impl Severity {
    /// The word diagnostics show: `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One error or warning.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Diagnostic {
    /// An error or a warning.
    pub severity: Severity,
    /// The message, as QEMU words it (it may have more lines).
    pub message: String,
    /// The location reported on the error line (QEMU's location); `None`
    /// for errors about no file in particular (an unreadable root file).
    pub span: Option<Span>,
    /// The exact text at fault, shown in the snippet, when more precise
    /// than `span`.
    pub label: Option<Span>,
    /// The definition it is about, shown before it (`In command 'foo':`).
    pub context: Option<DefContext>,
}

impl Diagnostic {
    /// An error at `span`.
    pub fn new(span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            span: Some(span),
            label: None,
            context: None,
        }
    }

    /// An error about no place in the schema (an unreadable root file).
    pub fn without_location(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            span: None,
            label: None,
            context: None,
        }
    }

    /// Point the snippet at `label` (the error line keeps `span`).
    pub fn with_label(mut self, label: Span) -> Diagnostic {
        self.label = Some(label);
        self
    }

    /// About the definition `name` of kind `meta` (`command`, `struct`, ...).
    pub fn in_definition(mut self, meta: &str, name: &str) -> Diagnostic {
        self.context = Some(DefContext {
            meta: meta.to_string(),
            name: name.to_string(),
        });
        self
    }

    /// The same diagnostic as a warning.
    pub fn into_warning(mut self) -> Diagnostic {
        self.severity = Severity::Warning;
        self
    }

    /// Render with include chain, context line, location and snippet.
    pub fn render(&self, sources: &SourceMap) -> String {
        let mut out = String::new();
        let Some(span) = self.span else {
            out.push_str(&format!("{}: {}\n", self.severity.as_str(), self.message));
            return out;
        };
        for line in sources.include_chain(span.file) {
            out.push_str(&line);
            out.push('\n');
        }
        let file = sources.file(span.file);
        if let Some(ctx) = &self.context {
            out.push_str(&format!("{}: In {} '{}':\n", file.name, ctx.meta, ctx.name));
        }
        out.push_str(&format!(
            "{}: {}: {}\n",
            sources.loc(span),
            self.severity.as_str(),
            self.message
        ));
        out.push_str(&snippet(sources, self.label.unwrap_or(span)));
        out
    }

    /// `file:line:col: message` on one line (a message of several lines
    /// joined with spaces), for outputs taking a line per diagnostic.
    pub fn one_line(&self, sources: &SourceMap) -> String {
        let message = self.message.lines().collect::<Vec<_>>().join(" ");
        match self.span {
            Some(span) => format!("{}: {message}", sources.loc(span)),
            None => message,
        }
    }

    /// `file:line` as QEMU prints it, for comparisons with QEMU.
    pub fn qemu_location(&self, sources: &SourceMap) -> Option<String> {
        self.span.map(|s| sources.line_loc(s))
    }
}

/// Lines longer than this many bytes are cut around the span in snippets.
const SNIPPET_MAX_BYTES: usize = 160;

/// A rustc-style excerpt: the line(s) of `span` with carets under it.
fn snippet(sources: &SourceMap, span: Span) -> String {
    let file = sources.file(span.file);
    let line = file.line_of(span.start);
    let text = file.line_text(line);
    let gutter = line.to_string().len();
    let line_start = file.line_start(span.start) as usize;
    // Spans may point inside a character (an invalid UTF-8 byte, now a
    // replacement character): widen them to whole characters.
    let start = floor_char_boundary(text, (span.start as usize).saturating_sub(line_start));
    let end = ceil_char_boundary(text, (span.end as usize).saturating_sub(line_start)).max(start);
    // Show a window of a very long line (generated or minified input).
    let from = if text.len() > SNIPPET_MAX_BYTES {
        floor_char_boundary(text, start.saturating_sub(SNIPPET_MAX_BYTES / 4))
    } else {
        0
    };
    let to = ceil_char_boundary(text, from + SNIPPET_MAX_BYTES);
    let end = end.min(to).max(start.min(to));
    let (prefix, suffix) = (
        if from > 0 { "..." } else { "" },
        if to < text.len() { "..." } else { "" },
    );
    // Keep alignment for tabs and multi-byte characters before the caret.
    let pad: String = prefix
        .chars()
        .chain(text[from..start.min(to)].chars())
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    let width = text[start.min(to)..end].chars().count().max(1);
    let shown = sanitize(&text[from..to]);
    format!(
        "{:gutter$} |\n{line} | {prefix}{shown}{suffix}\n{:gutter$} | {pad}{}\n",
        "",
        "",
        "^".repeat(width)
    )
}

/// The nearest char boundary of `text` at or before `i` (clamped to its end).
fn floor_char_boundary(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The nearest char boundary of `text` at or after `i` (clamped to its end).
fn ceil_char_boundary(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// Control characters would garble a terminal; show them escaped.
fn sanitize(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\t' {
                char::REPLACEMENT_CHARACTER
            } else {
                c
            }
        })
        .collect()
}

/// The errors of one run, with the sources needed to render them.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Diagnostics {
    /// The files read, for rendering.
    pub sources: SourceMap,
    /// The errors, in the order found (at least one).
    pub errors: Vec<Diagnostic>,
}

impl Diagnostics {
    /// The first error.
    pub fn first(&self) -> &Diagnostic {
        &self.errors[0]
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.errors.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            f.write_str(&d.render(&self.sources))?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}
