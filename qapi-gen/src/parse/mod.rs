//! Stage 1: schema text to expressions (QEMU's `scripts/qapi/parser.py`).
//!
//! Reads the root file and every file it includes, and yields the top-level
//! expressions in order, the documentation blocks, and the pragmas.  Only the
//! syntax of the JSON dialect, `include`, `pragma` and doc comments is checked
//! here; what an expression means is `check`'s business.

pub(crate) mod doc;
#[rustfmt::skip]
#[allow(clippy::all, missing_docs, dead_code)]
mod grammar;
mod lexer;
pub(crate) mod value;

use std::io;
use std::path::{Component, Path, PathBuf};

use crate::diag::{Diagnostic, Diagnostics, FileId, SourceFile, SourceMap, Span};
use crate::rules::Rules;
use crate::schema::doc::{Doc, DocId};
use lexer::{Tok, Token};
pub(crate) use value::{Key, Object, Value, ValueKind};

/// The parser's output: every top-level expression of the root file and its
/// includes, in the order QEMU sees them.
#[derive(Debug, Clone)]
pub struct ParsedSchema {
    /// The files read.
    pub sources: SourceMap,
    /// The top-level expressions in order.
    pub exprs: Vec<TopExpr>,
    /// Every documentation block, definition and free-form, in order.
    pub docs: Vec<Doc>,
    /// The pragmas of all files.
    pub pragma: Pragma,
    /// The release whose rules the schema is held to, here and in the
    /// later stages.
    pub rules: Rules,
    /// How doc-comment rules are enforced, here and in the later stages.
    pub doc_mode: DocMode,
    /// Doc-comment rules broken in [`DocMode::Lenient`], in the order found.
    pub warnings: Vec<Diagnostic>,
    /// Blocks that did not parse, kept as raw text (`doc::raw_doc`): the
    /// later stages do not match them with members.
    pub raw_docs: Vec<DocId>,
}

/// How strictly doc comments are held to the rules.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DocMode {
    /// A broken doc-comment rule is an error, as in QEMU.
    #[default]
    Strict,
    /// A broken doc-comment rule is a warning, for schemas written to other
    /// rules (other QEMU versions): a block that does not parse is kept as
    /// raw text, a description of nothing is left out, a line breaking
    /// QEMU 10.2's line format is read as any other.  Other rules stay
    /// errors.
    Lenient,
}

/// How a schema is read: the QEMU release whose rules hold, and whether a
/// broken doc-comment rule is an error or a warning.  Either converts into
/// it, the other taking its default (the newest rules, strict docs).
///
/// ```
/// use qapi_gen::{DocMode, LoadOptions, Rules};
/// let options = LoadOptions::new(Rules::V10_0, DocMode::Lenient);
/// assert_eq!(LoadOptions::from(Rules::V10_0).doc_mode, DocMode::Strict);
/// ```
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct LoadOptions {
    /// The QEMU release whose schema language holds.
    pub rules: Rules,
    /// Whether a broken doc-comment rule is an error or a warning.
    pub doc_mode: DocMode,
}

impl LoadOptions {
    /// These rules and doc mode (an option added later takes its default).
    pub const fn new(rules: Rules, doc_mode: DocMode) -> LoadOptions {
        LoadOptions { rules, doc_mode }
    }
}

impl From<Rules> for LoadOptions {
    fn from(rules: Rules) -> LoadOptions {
        LoadOptions {
            rules,
            ..LoadOptions::default()
        }
    }
}

impl From<DocMode> for LoadOptions {
    fn from(doc_mode: DocMode) -> LoadOptions {
        LoadOptions {
            doc_mode,
            ..LoadOptions::default()
        }
    }
}

impl DocMode {
    /// Report a broken doc-comment rule: an error when strict, a warning
    /// added to `warnings` when lenient.
    pub(crate) fn report(
        self,
        issue: Diagnostic,
        warnings: &mut Vec<Diagnostic>,
    ) -> Result<(), Diagnostic> {
        match self {
            DocMode::Strict => Err(issue),
            DocMode::Lenient => {
                warnings.push(issue.into_warning());
                Ok(())
            }
        }
    }
}

/// A top-level expression: an include directive or a definition.
#[derive(Debug, Clone)]
pub enum TopExpr {
    /// An `include` directive.
    Include(Include),
    /// A definition.
    Definition(RawDefinition),
}

/// `{ 'include': 'file.json' }`; listed even when the file was already read.
#[derive(Debug, Clone)]
pub struct Include {
    /// The included file's name as QEMU prints it: the directive's path
    /// joined to the including file's directory.
    pub name: String,
    /// The file, when this directive was the one that read it.
    pub file: Option<FileId>,
    /// The directive.
    pub span: Span,
}

/// A definition as written: an object whose meaning `check` establishes.
#[derive(Debug, Clone)]
pub struct RawDefinition {
    /// The definition's JSON object, with spans.
    pub value: Value,
    /// The documentation block right before it, if any.
    pub doc: Option<DocId>,
}

impl RawDefinition {
    /// The definition as an object (the parser yields nothing else).
    pub fn object(&self) -> &Object {
        self.value
            .as_object()
            .expect("the parser only yields object definitions")
    }
}

/// The `pragma` directives of all files (QEMU shares one pragma state
/// across the includes).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pragma {
    pub doc_required: bool,
    pub command_name_exceptions: Vec<String>,
    pub command_returns_exceptions: Vec<String>,
    pub documentation_exceptions: Vec<String>,
    pub member_name_exceptions: Vec<String>,
}

/// Reads files for the parser; tests and the proc-macro can substitute
/// their own.
pub trait FileLoader {
    /// The bytes of the file at `path` (as the schema names it).
    fn load(&self, path: &Path) -> io::Result<Vec<u8>>;
}

/// Reads from the file system.
pub struct FsLoader;

impl FileLoader for FsLoader {
    fn load(&self, path: &Path) -> io::Result<Vec<u8>> {
        std::fs::read(path)
    }
}

/// Parse the schema rooted at `path`, reading files with `loader`, under
/// the rules and doc mode of `options`.
pub fn parse_with_options(
    path: &Path,
    loader: &dyn FileLoader,
    options: LoadOptions,
) -> Result<ParsedSchema, Diagnostics> {
    let LoadOptions { rules, doc_mode } = options;
    let mut state = ParseState {
        rules,
        doc_mode,
        warnings: Vec::new(),
        raw_docs: Vec::new(),
        sources: SourceMap::default(),
        exprs: Vec::new(),
        docs: Vec::new(),
        pragma: Pragma::default(),
        included: Vec::new(),
        cwd: current_dir(),
        loader,
    };
    let name = path.to_string_lossy().into_owned();
    let result = match loader.load(path) {
        Ok(bytes) => state.parse_file(name, path.to_path_buf(), bytes, None),
        Err(err) => Err(Diagnostic::without_location(format!(
            "can't read schema file '{}': {}",
            name,
            io_reason(&err)
        ))),
    };
    match result {
        Ok(()) => Ok(ParsedSchema {
            sources: state.sources,
            exprs: state.exprs,
            docs: state.docs,
            pragma: state.pragma,
            rules,
            doc_mode,
            warnings: state.warnings,
            raw_docs: state.raw_docs,
        }),
        Err(diag) => Err(Diagnostics {
            sources: state.sources,
            errors: vec![diag],
        }),
    }
}

/// Parse schema text held in memory; includes are read with `loader`
/// relative to `name`.
pub(crate) fn parse_str(
    name: &str,
    text: &str,
    loader: &dyn FileLoader,
) -> Result<ParsedSchema, Diagnostics> {
    parse_str_with(name, text, loader, LoadOptions::default())
}

/// [`parse_str`], under the rules and doc mode of `options`.
pub(crate) fn parse_str_with(
    name: &str,
    text: &str,
    loader: &dyn FileLoader,
    options: LoadOptions,
) -> Result<ParsedSchema, Diagnostics> {
    struct WithRoot<'a> {
        name: &'a Path,
        text: &'a str,
        inner: &'a dyn FileLoader,
    }
    impl FileLoader for WithRoot<'_> {
        fn load(&self, path: &Path) -> io::Result<Vec<u8>> {
            if path == self.name {
                Ok(self.text.as_bytes().to_vec())
            } else {
                self.inner.load(path)
            }
        }
    }
    let root = Path::new(name);
    let loader = WithRoot {
        name: root,
        text,
        inner: loader,
    };
    parse_with_options(root, &loader, options)
}

/// A loader that has no files: every include fails to read.
pub(crate) struct NoFiles;

impl FileLoader for NoFiles {
    fn load(&self, _path: &Path) -> io::Result<Vec<u8>> {
        Err(io::Error::from(io::ErrorKind::NotFound))
    }
}

/// The wording of Python's `OSError.strerror`, which QEMU prints.
fn io_reason(err: &io::Error) -> String {
    match err.kind() {
        io::ErrorKind::NotFound => "No such file or directory".to_string(),
        io::ErrorKind::PermissionDenied => "Permission denied".to_string(),
        io::ErrorKind::IsADirectory => "Is a directory".to_string(),
        _ => {
            // Drop Rust's " (os error N)" suffix.
            let text = err.to_string();
            match text.find(" (os error") {
                Some(i) => text[..i].to_string(),
                None => text,
            }
        }
    }
}

/// The current directory, which relative paths are relative to.
fn current_dir() -> PathBuf {
    std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"))
}

/// `os.path.abspath`: absolute (relative paths are relative to `cwd`) and
/// lexically normalized, links untouched.
fn abspath(path: &Path, cwd: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    };
    let mut out = PathBuf::new();
    for comp in joined.components() {
        match comp {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// `os.path.join(os.path.dirname(including), include)` as a display string.
fn join_include(including: &str, include: &str) -> String {
    if include.starts_with('/') {
        return include.to_string();
    }
    match including.rfind('/') {
        Some(i) => format!("{}/{}", &including[..i], include),
        None => include.to_string(),
    }
}

/// Deepest nesting of included files, far beyond real schemas; it bounds
/// the parser's recursion (QEMU's own stops at Python's recursion limit).
const MAX_INCLUDE_DEPTH: usize = 100;

/// Longest input the parser accepts per file; QEMU's schema is under 1 MiB
/// in all.  The cap keeps span offsets within `u32`.
const MAX_FILE_BYTES: usize = 256 << 20;

/// Deepest nesting of arrays and objects; real schemas nest a few levels.
/// Each level costs several KiB of stack in unoptimized builds, and
/// threads other than `main` get 2 MiB: 1000 levels overflowed there.
const MAX_DEPTH: usize = 100;

struct ParseState<'l> {
    rules: Rules,
    doc_mode: DocMode,
    warnings: Vec<Diagnostic>,
    raw_docs: Vec<DocId>,
    sources: SourceMap,
    exprs: Vec<TopExpr>,
    docs: Vec<Doc>,
    pragma: Pragma,
    /// Absolute paths of every file read so far.
    included: Vec<PathBuf>,
    /// The current directory, asked once.
    cwd: PathBuf,
    loader: &'l dyn FileLoader,
}

impl ParseState<'_> {
    fn parse_file(
        &mut self,
        name: String,
        path: PathBuf,
        bytes: Vec<u8>,
        included_from: Option<Span>,
    ) -> Result<(), Diagnostic> {
        let (text, utf8_error) = decode_text(bytes);
        let file = self
            .sources
            .add(SourceFile::new(name, path.clone(), text, included_from));
        if let Some(offset) = utf8_error {
            // The bad bytes became a replacement character in the text.
            let end = offset + char::REPLACEMENT_CHARACTER.len_utf8();
            return Err(Diagnostic::new(
                Span::new(file, offset, end),
                "file is not valid UTF-8",
            ));
        }
        if self.sources.file(file).text.len() > MAX_FILE_BYTES {
            return Err(Diagnostic::new(
                Span::new(file, 0, 0),
                format!("file is larger than {} MiB", MAX_FILE_BYTES >> 20),
            ));
        }
        self.included.push(abspath(&path, &self.cwd));
        // The parser borrows the text while the source map grows with the
        // included files; the text goes back once the file is parsed.
        let text = self.sources.replace_text(file, String::new());
        let result = self.parse_text(file, &text);
        self.sources.replace_text(file, text);
        result
    }

    /// Parse the expressions of `file`, whose text is `text`, then its
    /// includes, in order.
    fn parse_text(&mut self, file: FileId, text: &str) -> Result<(), Diagnostic> {
        let mut parser = FileParser {
            src: text,
            file,
            tokens: lexer::lex(text, file),
            next: 0,
            tok: Token::eof(file, 0),
            tok_str: String::new(),
            depth: 0,
        };
        parser.accept(true)?;
        let mut cur_doc: Option<DocId> = None;
        loop {
            let tok = parser.tok;
            if tok.kind == Tok::Eof {
                break;
            }
            let info = tok.span;
            if tok.kind == Tok::Comment {
                self.reject_expr_doc(cur_doc)?;
                let doc = self.parse_doc(&mut parser)?;
                self.docs.push(doc);
                cur_doc = Some(self.docs.len() - 1);
                continue;
            }
            let value = parser.get_expr()?;
            let Some(obj) = value.as_object() else {
                return Err(
                    Diagnostic::new(info, "top-level expression must be an object")
                        .with_label(value.span),
                );
            };
            if let Some(include) = obj.get("include") {
                self.reject_expr_doc(cur_doc)?;
                if obj.len() != 1 {
                    return Err(
                        Diagnostic::new(info, "invalid 'include' directive").with_label(value.span)
                    );
                }
                let Some(include) = include.as_str() else {
                    return Err(Diagnostic::new(info, "value of 'include' must be a string")
                        .with_label(include.span));
                };
                let including = self.sources.file(file).name.clone();
                let name = join_include(&including, include);
                let index = self.exprs.len();
                self.exprs.push(TopExpr::Include(Include {
                    name: name.clone(),
                    file: None,
                    span: info,
                }));
                let read = self.include(include, info, &name)?;
                if let TopExpr::Include(inc) = &mut self.exprs[index] {
                    inc.file = read;
                }
            } else if let Some(pragma) = obj.get("pragma") {
                self.reject_expr_doc(cur_doc)?;
                if obj.len() != 1 {
                    return Err(
                        Diagnostic::new(info, "invalid 'pragma' directive").with_label(value.span)
                    );
                }
                let Some(pragmas) = pragma.as_object() else {
                    return Err(Diagnostic::new(info, "value of 'pragma' must be an object")
                        .with_label(pragma.span));
                };
                for (key, value) in &pragmas.members {
                    self.set_pragma(key, value, info)?;
                }
            } else {
                if let Some(id) = cur_doc {
                    if self.docs[id].symbol.is_none() {
                        // Leniently, the block stays free-form text.
                        self.doc_issue(Diagnostic::new(
                            self.docs[id].span,
                            "definition documentation required",
                        ))?;
                        cur_doc = None;
                    }
                }
                self.exprs.push(TopExpr::Definition(RawDefinition {
                    value,
                    doc: cur_doc,
                }));
            }
            cur_doc = None;
        }
        self.reject_expr_doc(cur_doc)
    }

    fn reject_expr_doc(&mut self, doc: Option<DocId>) -> Result<(), Diagnostic> {
        if let Some(doc) = doc.map(|id| &self.docs[id]) {
            if let Some(symbol) = &doc.symbol {
                // Leniently, the block stays, documenting nothing.
                let issue = Diagnostic::new(
                    doc.span,
                    format!("documentation for '{symbol}' is not followed by the definition"),
                );
                return self.doc_issue(issue);
            }
        }
        Ok(())
    }

    fn doc_issue(&mut self, issue: Diagnostic) -> Result<(), Diagnostic> {
        self.doc_mode.report(issue, &mut self.warnings)
    }

    /// A doc block; leniently, one that breaks the rules is kept as raw
    /// text.  The parser is at its opening `##` line.
    fn parse_doc(&mut self, parser: &mut FileParser) -> Result<Doc, Diagnostic> {
        let start = parser.position();
        let format_warnings = (self.doc_mode == DocMode::Lenient).then_some(&mut self.warnings);
        let issue = match doc::parse_doc(parser, self.rules, format_warnings) {
            Ok(doc) => return Ok(doc),
            Err(issue) if self.doc_mode == DocMode::Strict => return Err(issue),
            Err(issue) => issue,
        };
        parser.rewind(start);
        // Reading the raw block fails only where the block is followed by
        // bad tokens: that error is the one to report.
        let doc = doc::raw_doc(parser)?;
        self.doc_issue(issue)?;
        self.raw_docs.push(self.docs.len());
        Ok(doc)
    }

    /// Read an included file unless it was read before; `Some` with the
    /// new file when it was read now.
    fn include(
        &mut self,
        include: &str,
        info: Span,
        name: &str,
    ) -> Result<Option<FileId>, Diagnostic> {
        let path = PathBuf::from(name);
        let abs = abspath(&path, &self.cwd);
        // An inclusion loop: the file is one of those including this one.
        let mut cur = Some(info.file);
        let mut depth = 0;
        while let Some(file) = cur {
            let f = self.sources.file(file);
            if abspath(&f.path, &self.cwd) == abs {
                return Err(Diagnostic::new(
                    info,
                    format!("inclusion loop for {include}"),
                ));
            }
            cur = f.included_from.map(|s| s.file);
            depth += 1;
        }
        if depth > MAX_INCLUDE_DEPTH {
            return Err(Diagnostic::new(
                info,
                format!("includes nested deeper than {MAX_INCLUDE_DEPTH} levels"),
            ));
        }
        if self.included.contains(&abs) {
            return Ok(None);
        }
        let bytes = self.loader.load(&path).map_err(|err| {
            Diagnostic::new(
                info,
                format!("can't read include file '{name}': {}", io_reason(&err)),
            )
        })?;
        let next = FileId(self.sources.files().count() as u32);
        self.parse_file(name.to_string(), path, bytes, Some(info))?;
        Ok(Some(next))
    }

    fn set_pragma(&mut self, key: &Key, value: &Value, info: Span) -> Result<(), Diagnostic> {
        let list = |name: &str| -> Result<Vec<String>, Diagnostic> {
            value
                .as_array()
                .and_then(|items| {
                    items
                        .iter()
                        .map(|v| v.as_str().map(str::to_string))
                        .collect::<Option<Vec<_>>>()
                })
                .ok_or_else(|| {
                    Diagnostic::new(info, format!("pragma {name} must be a list of strings"))
                        .with_label(value.span)
                })
        };
        let pragma = &mut self.pragma;
        match key.name.as_str() {
            "doc-required" => {
                pragma.doc_required = value.as_bool().ok_or_else(|| {
                    Diagnostic::new(info, "pragma 'doc-required' must be boolean")
                        .with_label(value.span)
                })?
            }
            "command-name-exceptions" => pragma.command_name_exceptions = list(&key.name)?,
            "command-returns-exceptions" => pragma.command_returns_exceptions = list(&key.name)?,
            "documentation-exceptions" => pragma.documentation_exceptions = list(&key.name)?,
            "member-name-exceptions" => pragma.member_name_exceptions = list(&key.name)?,
            other => {
                return Err(
                    Diagnostic::new(info, format!("unknown pragma '{other}'")).with_label(key.span)
                )
            }
        }
        Ok(())
    }
}

/// Text as Python's text mode reads it: `\r\n` and `\r` become `\n`, and a
/// final newline is added when missing.  Invalid UTF-8 is replaced, with
/// the offset of the first bad byte returned for the error.
fn decode_text(mut bytes: Vec<u8>) -> (String, Option<usize>) {
    // Line ends first, so that the offset of a bad byte is one in the
    // text returned (`\r` never occurs inside a UTF-8 sequence).
    if memchr::memchr(b'\r', &bytes).is_some() {
        bytes = normalize_line_ends(&bytes);
    }
    let (mut text, error) = match String::from_utf8(bytes) {
        Ok(text) => (text, None),
        Err(err) => {
            let offset = err.utf8_error().valid_up_to();
            (
                String::from_utf8_lossy(err.as_bytes()).into_owned(),
                Some(offset),
            )
        }
    };
    if !text.ends_with('\n') {
        text.push('\n');
    }
    (text, error)
}

fn normalize_line_ends(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut rest = bytes;
    while let Some(i) = memchr::memchr(b'\r', rest) {
        out.extend_from_slice(&rest[..i]);
        out.push(b'\n');
        let skip = if rest.get(i + 1) == Some(&b'\n') {
            2
        } else {
            1
        };
        rest = &rest[i + skip..];
    }
    out.extend_from_slice(rest);
    out
}

/// The recursive-descent half of the parser, over one file's tokens,
/// mirroring QEMU's `accept`/`get_expr` so that errors arise in the same
/// order and at the same places.
pub(crate) struct FileParser<'s> {
    src: &'s str,
    file: FileId,
    tokens: Vec<Token>,
    next: usize,
    /// The current token.
    tok: Token,
    /// The decoded value of the current token when it is a string.
    tok_str: String,
    depth: usize,
}

impl<'s> FileParser<'s> {
    /// Move to the next token.  Comments are skipped unless
    /// `skip_comment` is false, but a `##` comment is always returned.
    /// A malformed string or stray text is reported here, when reached.
    fn accept(&mut self, skip_comment: bool) -> Result<(), Diagnostic> {
        loop {
            let tok = match self.tokens.get(self.next) {
                Some(&t) => t,
                None => Token::eof(self.file, self.src.len().saturating_sub(1)),
            };
            self.next += 1;
            self.tok = tok;
            match tok.kind {
                Tok::Comment => {
                    if !skip_comment || self.src[tok.span.start as usize..].starts_with("##") {
                        return Ok(());
                    }
                }
                Tok::Str => {
                    self.tok_str = lexer::decode_string(self.text(tok.span)).map_err(|msg| {
                        Diagnostic::new(tok.span.start_point(), msg).with_label(tok.span)
                    })?;
                    return Ok(());
                }
                Tok::Stray => {
                    return Err(Diagnostic::new(
                        tok.span,
                        format!("stray '{}'", self.text(tok.span)),
                    ))
                }
                _ => return Ok(()),
            }
        }
    }

    /// Where the parser is, for [`FileParser::rewind`].
    fn position(&self) -> (usize, Token) {
        (self.next, self.tok)
    }

    /// Go back to a [`FileParser::position`] (the current token there is
    /// not a string, whose decoded value would be lost).
    fn rewind(&mut self, (next, tok): (usize, Token)) {
        self.next = next;
        self.tok = tok;
    }

    fn text(&self, span: Span) -> &'s str {
        &self.src[span.start as usize..span.end as usize]
    }

    fn error(&self, message: &str) -> Diagnostic {
        Diagnostic::new(self.tok.span, message)
    }

    fn get_expr(&mut self) -> Result<Value, Diagnostic> {
        let start = self.tok.span;
        match self.tok.kind {
            Tok::LBrace | Tok::LBracket => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(self.error(&format!("nesting deeper than {MAX_DEPTH} levels")));
                }
                let kind = if self.tok.kind == Tok::LBrace {
                    self.accept(true)?;
                    ValueKind::Object(self.get_members()?)
                } else {
                    self.accept(true)?;
                    ValueKind::Array(self.get_values()?)
                };
                self.depth -= 1;
                Ok(Value {
                    kind,
                    span: start.to(self.prev_span()),
                })
            }
            Tok::Str => {
                let s = std::mem::take(&mut self.tok_str);
                self.accept(true)?;
                Ok(Value {
                    kind: ValueKind::Str(s),
                    span: start,
                })
            }
            Tok::True | Tok::False => {
                let b = self.tok.kind == Tok::True;
                self.accept(true)?;
                Ok(Value {
                    kind: ValueKind::Bool(b),
                    span: start,
                })
            }
            _ => Err(self.error("expected '{', '[', string, or boolean")),
        }
    }

    /// The span of the token before the current one (a closing bracket).
    fn prev_span(&self) -> Span {
        self.tokens
            .get(self.next.wrapping_sub(2))
            .map_or(self.tok.span, |t| t.span)
    }

    fn get_members(&mut self) -> Result<Object, Diagnostic> {
        let mut obj = Object::default();
        if self.tok.kind == Tok::RBrace {
            self.accept(true)?;
            return Ok(obj);
        }
        if self.tok.kind != Tok::Str {
            return Err(self.error("expected string or '}'"));
        }
        loop {
            let key_span = self.tok.span;
            let key = std::mem::take(&mut self.tok_str);
            self.accept(true)?;
            if self.tok.kind != Tok::Colon {
                return Err(self.error("expected ':'"));
            }
            self.accept(true)?;
            if obj.contains(&key) {
                return Err(self
                    .error(&format!("duplicate key '{key}'"))
                    .with_label(key_span));
            }
            let value = self.get_expr()?;
            obj.members.push((
                Key {
                    name: key,
                    span: key_span,
                },
                value,
            ));
            if self.tok.kind == Tok::RBrace {
                self.accept(true)?;
                return Ok(obj);
            }
            if self.tok.kind != Tok::Comma {
                return Err(self.error("expected ',' or '}'"));
            }
            self.accept(true)?;
            if self.tok.kind != Tok::Str {
                return Err(self.error("expected string"));
            }
        }
    }

    fn get_values(&mut self) -> Result<Vec<Value>, Diagnostic> {
        let mut values = Vec::new();
        if self.tok.kind == Tok::RBracket {
            self.accept(true)?;
            return Ok(values);
        }
        if !matches!(
            self.tok.kind,
            Tok::LBrace | Tok::LBracket | Tok::Str | Tok::True | Tok::False
        ) {
            return Err(self.error("expected '{', '[', ']', string, or boolean"));
        }
        loop {
            values.push(self.get_expr()?);
            if self.tok.kind == Tok::RBracket {
                self.accept(true)?;
                return Ok(values);
            }
            if self.tok.kind != Tok::Comma {
                return Err(self.error("expected ',' or ']'"));
            }
            self.accept(true)?;
        }
    }
}

/// What the documentation parser sees of the token stream.
impl<'s> doc::DocTokens<'s> for FileParser<'s> {
    fn current(&self) -> doc::DocToken<'s> {
        match self.tok.kind {
            Tok::Comment => doc::DocToken::Comment {
                text: self.text(self.tok.span),
                span: self.tok.span,
            },
            _ => doc::DocToken::Other {
                span: self.tok.span,
            },
        }
    }

    fn advance(&mut self) -> Result<doc::DocToken<'s>, Diagnostic> {
        self.accept(false)?;
        Ok(doc::DocTokens::current(self))
    }

    fn finish(&mut self) -> Result<(), Diagnostic> {
        self.accept(true)
    }

    fn source(&self) -> &'s str {
        self.src
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Serves `f0.json` ... `f{n-1}.json`, each including the next.
    struct IncludeChain(usize);

    impl FileLoader for IncludeChain {
        fn load(&self, path: &Path) -> io::Result<Vec<u8>> {
            let name = path.to_str().unwrap_or_default();
            let index: usize = name
                .strip_prefix('f')
                .and_then(|rest| rest.strip_suffix(".json"))
                .and_then(|n| n.parse().ok())
                .filter(|&i| i < self.0)
                .ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))?;
            Ok(format!("{{ 'include': 'f{}.json' }}\n", index + 1).into_bytes())
        }
    }

    #[test]
    fn include_nesting_is_limited() {
        // Within the limit: the last file fails to include a missing one.
        let err = parse_with_options(
            Path::new("f0.json"),
            &IncludeChain(MAX_INCLUDE_DEPTH),
            LoadOptions::default(),
        )
        .unwrap_err();
        assert_eq!(
            err.first().message,
            format!(
                "can't read include file 'f{MAX_INCLUDE_DEPTH}.json': No such file or directory"
            )
        );
        // Beyond it, an error rather than a stack overflow.
        let err = parse_with_options(
            Path::new("f0.json"),
            &IncludeChain(100_000),
            LoadOptions::default(),
        )
        .unwrap_err();
        let diag = err.first();
        assert_eq!(
            diag.message,
            format!("includes nested deeper than {MAX_INCLUDE_DEPTH} levels")
        );
        let file = err.sources.file(diag.span.expect("located").file);
        assert_eq!(file.name, format!("f{MAX_INCLUDE_DEPTH}.json"));
    }

    #[test]
    fn line_ends_are_normalized_before_utf8_is_checked() {
        assert_eq!(
            decode_text(b"a\r\nb\rc\n\r".to_vec()),
            ("a\nb\nc\n\n".to_string(), None)
        );
        assert_eq!(decode_text(b"x".to_vec()), ("x\n".to_string(), None));
        let (text, error) = decode_text(b"\r\r\n\xf8".to_vec());
        assert_eq!(error, Some(2));
        assert_eq!(&text[2..], "\u{fffd}\n");
    }
}
