//! The parser of documentation comments (`##` blocks), as the `get_doc*`
//! methods of QEMU's parser, under the [`Rules`] of a release, into the
//! doc model of [`schema::doc`](crate::schema::doc) (QEMU's `QAPIDoc`).
//!
//! A block is either free-form documentation (text; under QEMU 10.0's
//! rules possibly starting with an `=` heading) or definition
//! documentation: a `@symbol:` line, then the body, member descriptions,
//! `Features:` with feature descriptions, and tagged (`Returns:`,
//! `Errors:`, `Since:`, `TODO:`) or plain sections.  Section text is kept
//! as QEMU keeps it: continuation lines with their indentation, blank
//! lines inside a section kept, and blank lines at either end dropped.

use crate::diag::{Diagnostic, Span};
use crate::rules::Rules;
use crate::schema::doc::{Doc, Section, SectionKind};

/// The token stream of a source text `'s` as the doc parser sees it.
pub(crate) trait DocTokens<'s> {
    /// The current token: a comment line, or anything else.
    fn current(&self) -> DocToken<'s>;
    /// Move to the next token, returning every comment (QEMU's
    /// `accept(False)`); the result is the new current token.
    fn advance(&mut self) -> Result<DocToken<'s>, Diagnostic>;
    /// Move past the block's closing `##`, skipping plain comments again
    /// (QEMU's `accept()`).
    fn finish(&mut self) -> Result<(), Diagnostic>;
    /// The text of the file the tokens come from, which spans index.
    fn source(&self) -> &'s str;
}

#[derive(Copy, Clone, Debug)]
pub(crate) enum DocToken<'a> {
    /// A comment line; `text` starts with `#` and has no newline.
    Comment { text: &'a str, span: Span },
    /// Any other token, or the end of the file.
    Other { span: Span },
}

/// Parse a doc block under `rules`; the current token is its opening `##`
/// line.  A broken line-format rule (QEMU 10.2's) is an error when
/// `format_warnings` is `None`, else it is recorded there as a warning and
/// the block is read on as if the rule held.
pub(crate) fn parse_doc<'s>(
    tokens: &mut dyn DocTokens<'s>,
    rules: Rules,
    format_warnings: Option<&mut Vec<Diagnostic>>,
) -> Result<Doc, Diagnostic> {
    let current = tokens.current();
    let (opening, span) = match current {
        DocToken::Comment { text, span } => (text == "##", span),
        DocToken::Other { span } => (false, span),
    };
    if !opening {
        return Err(Diagnostic::new(
            span,
            "junk after '##' at start of documentation comment",
        ));
    }
    let mut parser = DocParser {
        tokens,
        current,
        doc: Doc {
            span,
            symbol: None,
            // Room for the sections of most blocks.
            sections: {
                let mut sections = Vec::with_capacity(8);
                sections.push(Section::new(SectionKind::Plain, None, span));
                sections
            },
        },
        lines: Vec::with_capacity(32),
        member_names: Vec::new(),
        feature_names: Vec::new(),
        rules,
        format_warnings,
        literal_block: None,
    };
    match parser.next_line()? {
        Some(line) if line.starts_with('@') => parser.definition_doc(line)?,
        line => parser.free_form_doc(line)?,
    }
    parser.tokens.finish()?;
    parser.end()?;
    Ok(parser.doc)
}

/// Read a block that [`parse_doc`] rejected, as plain text: every line up
/// to the closing `##` (or the first token that is not a comment) without
/// its `#`.  A first line `@name:` makes it the documentation of `name`;
/// everything else is the body, so that nothing written is lost.  The
/// current token is the block's opening line.
pub(crate) fn raw_doc<'s>(tokens: &mut dyn DocTokens<'s>) -> Result<Doc, Diagnostic> {
    let mut current = tokens.current();
    let span = match current {
        DocToken::Comment { span, .. } | DocToken::Other { span } => span,
    };
    let mut lines: Vec<&str> = Vec::new();
    let mut first = true;
    while let DocToken::Comment { text, .. } = current {
        if first {
            // Junk after the opening `##` is text too.
            let junk = text.trim_start_matches('#').trim();
            if !junk.is_empty() {
                lines.push(junk);
            }
        } else if text.starts_with("##") {
            tokens.finish()?;
            break;
        } else {
            let line = &text[1..];
            lines.push(line.strip_prefix(' ').unwrap_or(line).trim_end());
        }
        first = false;
        current = tokens.advance()?;
    }
    let symbol = lines.iter().position(|l| !l.is_empty()).and_then(|i| {
        let name = lines[i].strip_prefix('@')?.strip_suffix(':')?.trim();
        let plain = !name.is_empty() && !name.contains(char::is_whitespace);
        plain.then(|| (i, name.to_string()))
    });
    if let Some((i, _)) = &symbol {
        lines.drain(..=*i);
    }
    let mut body = Section::new(SectionKind::Plain, None, span);
    let start = lines
        .iter()
        .position(|l| !l.is_empty())
        .unwrap_or(lines.len());
    let end = lines
        .iter()
        .rposition(|l| !l.is_empty())
        .map_or(start, |i| i + 1);
    body.text = lines[start..end.max(start)].join("\n");
    Ok(Doc {
        span,
        symbol: symbol.map(|(_, name)| name),
        sections: vec![body],
    })
}

/// The parser's state while reading one block.
struct DocParser<'t, 's> {
    tokens: &'t mut dyn DocTokens<'s>,
    /// The current token.
    current: DocToken<'s>,
    doc: Doc,
    /// The lines of the last section so far, each standing for itself and
    /// a newline; its text is made from them once it is complete.
    lines: Vec<&'s str>,
    /// Names described so far, sorted, to reject duplicates without
    /// rescanning.
    member_names: Vec<&'s str>,
    feature_names: Vec<&'s str>,
    rules: Rules,
    format_warnings: Option<&'t mut Vec<Diagnostic>>,
    /// Inside a literal block (QEMU 10.2's `_literal_mode`), whose lines
    /// escape the line-format rules: `Some(indent)` of its first indented
    /// line, 0 until there is one.
    literal_block: Option<usize>,
}

impl<'s> DocParser<'_, 's> {
    /// The current token's location, where QEMU's `QAPIParseError`s point.
    fn here(&self) -> Span {
        match self.current {
            DocToken::Comment { span, .. } | DocToken::Other { span } => span,
        }
    }

    fn error(&self, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(self.here(), message)
    }

    /// QEMU's `get_doc_line`: the current comment line without `# ` and
    /// trailing white space, `None` at the closing `##`.
    fn line(&mut self) -> Result<Option<&'s str>, Diagnostic> {
        let DocToken::Comment { text, .. } = self.current else {
            return Err(self.error("documentation comment must end with '##'"));
        };
        if text.starts_with("##") {
            if text != "##" {
                return Err(self.error("junk after '##' at end of documentation comment"));
            }
            return Ok(None);
        }
        if text == "#" {
            return Ok(Some(""));
        }
        // `text` starts with '#', so the rest follows byte 1.
        let Some(rest) = text[1..].strip_prefix(' ') else {
            return Err(self.error("missing space after #"));
        };
        let line = rest.trim_end_matches(is_py_space);
        if self.rules.doc_line_format() && !self.in_literal_block(line) {
            if let Some(issue) = self.line_format_issue(line) {
                match self.format_warnings.as_deref_mut() {
                    Some(warnings) => warnings.push(issue.into_warning()),
                    None => return Err(issue),
                }
            }
        }
        Ok(Some(line))
    }

    /// Follow literal blocks as QEMU 10.2 does: a line `::` or `.. qmp-example::`
    /// opens one, a line less indented than its first indented line closes
    /// it.  Whether `line` is inside one.
    fn in_literal_block(&mut self, line: &str) -> bool {
        if opens_literal_block(line) {
            self.literal_block = Some(0);
        } else if let Some(first_indent) = self.literal_block.filter(|_| !line.is_empty()) {
            let indent = indent_of(line);
            if first_indent == 0 {
                self.literal_block = Some(indent);
            } else if indent < first_indent {
                self.literal_block = None;
            }
        }
        self.literal_block.is_some()
    }

    /// QEMU 10.2's `_validate_doc_line_format` of the current line, whose
    /// text after `# ` is `line`: at most 70 characters with the `# `
    /// (lines of nothing but a URL excepted), and two spaces after the end
    /// of a sentence.
    fn line_format_issue(&self, line: &str) -> Option<Diagnostic> {
        const MAX_WIDTH: usize = 70;
        let DocToken::Comment { text, span } = self.current else {
            return None;
        };
        // Bytes are at least as many as characters.
        if line.len() + 2 > MAX_WIDTH && line.chars().count() + 2 > MAX_WIDTH && !is_url_line(line)
        {
            // The characters past the limit, in the comment as written.
            let past = text
                .char_indices()
                .nth(MAX_WIDTH)
                .map_or(text.len(), |(i, _)| i);
            let label = Span::new(span.file, span.start as usize + past, span.end as usize);
            return Some(
                Diagnostic::new(span, "documentation line longer than 70 characters")
                    .with_label(label),
            );
        }
        let sentence_end = single_space_after_sentence(line)?;
        // QEMU points one character past the punctuation, counting from the
        // start of the source line as if the comment's `#` stood there.
        let source = self.tokens.source();
        let line_start = source[..span.start as usize]
            .rfind('\n')
            .map_or(0, |newline| newline + 1);
        let chars = 3 + line[..sentence_end].chars().count();
        let offset = source[line_start..]
            .char_indices()
            .nth(chars)
            .map_or(source.len(), |(i, _)| line_start + i);
        let end = source[offset..]
            .chars()
            .next()
            .map_or(offset, |c| offset + c.len_utf8());
        Some(Diagnostic::new(
            Span::new(span.file, offset, end),
            "Use two spaces between sentences\n\
             If this not the end of a sentence, please report a bug.",
        ))
    }

    /// Advance, then read the line (`accept(False)` + `get_doc_line`).
    fn next_line(&mut self) -> Result<Option<&'s str>, Diagnostic> {
        self.current = self.tokens.advance()?;
        self.line()
    }

    /// A definition documentation block; `first` is its `@symbol:` line.
    fn definition_doc(&mut self, first: &str) -> Result<(), Diagnostic> {
        let Some(symbol) = first.strip_suffix(':') else {
            return Err(self.error("line should end with ':'"));
        };
        let symbol = &symbol[1..];
        if symbol.is_empty() {
            return Err(self.error("name required after '@'"));
        }
        self.doc.symbol = Some(symbol.to_string());
        let mut line = self.next_line()?;
        let mut no_more_args = false;
        loop {
            while line == Some("") {
                line = self.next_line()?;
            }
            let Some(text) = line else {
                break;
            };
            if text == "Features:" {
                if !self.feature_names.is_empty() {
                    return Err(self.error("duplicated 'Features:' line"));
                }
                line = self.next_line()?;
                while line == Some("") {
                    line = self.next_line()?;
                }
                line = self.descriptions(line, SectionKind::Feature)?;
                if self.feature_names.is_empty() {
                    return Err(self.error("feature descriptions expected"));
                }
                no_more_args = true;
            } else if let Some((name, _)) = at_name_colon(text) {
                if no_more_args {
                    return Err(self.error(format!("description of '@{name}:' follows a section")));
                }
                line = self.descriptions(Some(text), SectionKind::Member)?;
                no_more_args = true;
            } else if let Some((tag, rest)) = section_tag(text) {
                self.reject_retired_tag(tag)?;
                let kind = SectionKind::from_tag(tag).expect("section_tag yields known tags");
                self.new_tagged_section(kind)?;
                if !rest.is_empty() {
                    self.append_line(rest);
                }
                line = self.indented()?;
                no_more_args = true;
            } else if text.starts_with('=') && self.rules.heading_markup() {
                return Err(self.error("unexpected '=' markup in definition documentation"));
            } else {
                self.ensure_untagged_section();
                self.append_line(text);
                line = self.paragraph()?;
            }
        }
        Ok(())
    }

    /// A run of `@name: text` descriptions of `kind`, starting at `line`;
    /// returns the first line after the run.
    fn descriptions(
        &mut self,
        mut line: Option<&'s str>,
        kind: SectionKind,
    ) -> Result<Option<&'s str>, Diagnostic> {
        while let Some((name, rest)) = line.and_then(at_name_colon) {
            self.new_description(name, kind)?;
            if !rest.is_empty() {
                self.append_line(rest);
            }
            line = self.indented()?;
        }
        Ok(line)
    }

    /// QEMU's `get_doc_indented`: the continuation of a description or
    /// tagged section, which must be indented; returns the line after it.
    fn indented(&mut self) -> Result<Option<&'s str>, Diagnostic> {
        let mut line = self.next_line()?;
        while line == Some("") {
            self.append_line("");
            line = self.next_line()?;
        }
        let Some(first) = line else {
            return Ok(None);
        };
        let indent = indent_of(first);
        if indent == 0 {
            return Ok(Some(first));
        }
        self.append_line(first);
        // QEMU sets this after every line it keeps, blank or not, so only
        // the line right after the first can be rejected as de-indented.
        let mut after_first = false;
        loop {
            let Some(line) = self.next_line()? else {
                return Ok(None);
            };
            if at_name_colon(line).is_some() {
                return Ok(Some(line));
            }
            if !line.is_empty() && indent_of(line) < indent {
                if after_first {
                    return Ok(Some(line));
                }
                return Err(self.error(format!(
                    "unexpected de-indent (expected at least {indent} spaces)"
                )));
            }
            self.append_line(line);
            after_first = true;
        }
    }

    /// QEMU's `get_doc_paragraph`: lines up to a blank one or the end.
    fn paragraph(&mut self) -> Result<Option<&'s str>, Diagnostic> {
        loop {
            match self.next_line()? {
                Some(line) if !line.is_empty() => self.append_line(line),
                end => return Ok(end),
            }
        }
    }

    /// A free-form block; `line` is its first line.
    fn free_form_doc(&mut self, mut line: Option<&'s str>) -> Result<(), Diagnostic> {
        self.ensure_untagged_section();
        let mut first = true;
        while let Some(text) = line {
            if let Some((name, _)) = at_name_colon(text) {
                return Err(
                    self.error(format!("'@{name}:' not allowed in free-form documentation"))
                );
            }
            if text.starts_with('=') && !first && self.rules.heading_markup() {
                return Err(self.error("'=' heading must come first in a comment block"));
            }
            self.append_line(text);
            line = self.next_line()?;
            first = false;
        }
        Ok(())
    }

    /// The `Note`/`Example` tags QEMU retired in favour of rST markup.
    fn reject_retired_tag(&self, tag: &str) -> Result<(), Diagnostic> {
        if tag.contains("Note") {
            return Err(self.error(format!(
                "The '{tag}' section is no longer supported. Please use rST's \
                 '.. note::' or '.. admonition:: notes' directives, or another \
                 suitable admonition instead."
            )));
        }
        if tag.contains("Example") {
            return Err(self.error(format!(
                "The '{tag}' section is no longer supported. Please use the \
                 '.. qmp-example::' directive, or other suitable markup instead."
            )));
        }
        Ok(())
    }

    /// Add a line (and its newline) to the last section.
    fn append_line(&mut self, line: &'s str) {
        self.lines.push(line);
    }

    /// Give the last section its text, then start `section`.
    fn push_section(&mut self, section: Section) {
        self.finish_section();
        self.doc.sections.push(section);
    }

    /// The last section's text from its lines, without blank lines at
    /// either end (QEMU strips the newlines there).
    fn finish_section(&mut self) {
        let lines = &self.lines;
        let first = lines.iter().position(|l| !l.is_empty());
        let last = lines.iter().rposition(|l| !l.is_empty());
        let section = self
            .doc
            .sections
            .last_mut()
            .expect("a doc always has its body");
        if let (Some(first), Some(last)) = (first, last) {
            let lines = &lines[first..=last];
            let len = lines.iter().map(|l| l.len() + 1).sum::<usize>() - 1;
            let mut text = String::with_capacity(len);
            for (i, line) in lines.iter().enumerate() {
                if i > 0 {
                    text.push('\n');
                }
                text.push_str(line);
            }
            section.text = text;
        }
        self.lines.clear();
    }

    /// Continue the last section if it is plain (after a paragraph
    /// break), else start a plain one here.
    fn ensure_untagged_section(&mut self) {
        let here = self.here();
        if let Some(section) = self.doc.sections.last_mut() {
            if section.kind == SectionKind::Plain {
                if self.lines.is_empty() {
                    section.span = here;
                }
                self.lines.push("");
                return;
            }
        }
        self.push_section(Section::new(SectionKind::Plain, None, here));
    }

    fn new_tagged_section(&mut self, kind: SectionKind) -> Result<(), Diagnostic> {
        let here = self.here();
        let unique = matches!(
            kind,
            SectionKind::Returns | SectionKind::Errors | SectionKind::Since
        );
        if unique && self.doc.sections.iter().any(|s| s.kind == kind) {
            return Err(Diagnostic::new(
                here,
                format!("duplicated '{}' section", kind.name()),
            ));
        }
        self.push_section(Section::new(kind, None, here));
        Ok(())
    }

    fn new_description(&mut self, name: &'s str, kind: SectionKind) -> Result<(), Diagnostic> {
        let here = self.here();
        if name.is_empty() {
            return Err(Diagnostic::new(here, "invalid parameter name"));
        }
        let names = if kind == SectionKind::Feature {
            &mut self.feature_names
        } else {
            &mut self.member_names
        };
        match names.binary_search(&name) {
            Ok(_) => {
                return Err(Diagnostic::new(
                    here,
                    format!("'{name}' parameter name duplicated"),
                ))
            }
            Err(index) => names.insert(index, name),
        }
        self.push_section(Section::new(kind, Some(name), here));
        Ok(())
    }

    /// QEMU's `QAPIDoc.end`: trim blank lines, require text after tags.
    fn end(&mut self) -> Result<(), Diagnostic> {
        self.finish_section();
        for section in &self.doc.sections {
            if section.kind != SectionKind::Plain && section.text.is_empty() {
                return Err(Diagnostic::new(
                    section.span,
                    format!("text required after '{}:'", section.kind.name()),
                ));
            }
        }
        Ok(())
    }
}

/// Python's `str.isspace`, which also counts the separators 0x1c-0x1f.
fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Width of the leading white space in characters (`re.match(r'\s*')`).
fn indent_of(line: &str) -> usize {
    line.chars().take_while(|&c| is_py_space(c)).count()
}

/// QEMU 10.2's `(\.\. +qmp-example)? *::$`: a line opening a literal block.
fn opens_literal_block(line: &str) -> bool {
    let directive = line
        .strip_prefix("..")
        .filter(|rest| rest.starts_with(' '))
        .and_then(|rest| rest.trim_start_matches(' ').strip_prefix("qmp-example"));
    directive.unwrap_or(line).trim_start_matches(' ') == "::"
}

/// QEMU 10.2's ` *(https?|ftp)://[^ ]*$`: a line of nothing but a URL,
/// which may be longer than the limit.
fn is_url_line(line: &str) -> bool {
    let url = line.trim_start_matches(' ');
    ["https://", "http://", "ftp://"]
        .iter()
        .find_map(|scheme| url.strip_prefix(scheme))
        .is_some_and(|rest| !rest.contains(' '))
}

/// Where QEMU 10.2 finds one space after the end of a sentence: the byte
/// index of the first `.`, `!` or `?` followed by a space and one of
/// `A-Z0-9(` that its search
/// `(\be\.g\.|^ *\d\.|([.!?])) [A-Z0-9(]` matches as the third
/// alternative.  The first two, `e.g.` and a leading enumerator like `1.`,
/// are allowed; they consume their `.`, so only that `.` can be covered by
/// them (a match of either ends past its next character).
fn single_space_after_sentence(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let mut from = 0;
    while let Some(found) = memchr::memchr3(b'.', b'!', b'?', &bytes[from..]) {
        let at = from + found;
        from = at + 1;
        let followed = bytes.get(at + 1) == Some(&b' ')
            && bytes
                .get(at + 2)
                .is_some_and(|&b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'(');
        if !followed {
            continue;
        }
        let after_eg = at >= 3
            && &bytes[at - 3..=at] == b"e.g."
            && !line[..at - 3].chars().next_back().is_some_and(is_py_word);
        let after_enumerator = bytes[at] == b'.'
            && line[..at]
                .trim_start_matches(' ')
                .chars()
                .map(is_py_decimal)
                .eq([true]);
        if !after_eg && !after_enumerator {
            return Some(at);
        }
    }
    None
}

/// Python's `\w` (`str.isalnum`, or `_`), as Rust sees alphanumerics: it
/// also counts some combining marks and symbols Python does not.
fn is_py_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Python's `\d`: a decimal digit of any script (category Nd, Unicode 14,
/// whose digits come in runs of ten from these zeros).
fn is_py_decimal(c: char) -> bool {
    const ZEROS: [u32; 66] = [
        0x30, 0x660, 0x6f0, 0x7c0, 0x966, 0x9e6, 0xa66, 0xae6, 0xb66, 0xbe6, 0xc66, 0xce6, 0xd66,
        0xde6, 0xe50, 0xed0, 0xf20, 0x1040, 0x1090, 0x17e0, 0x1810, 0x1946, 0x19d0, 0x1a80, 0x1a90,
        0x1b50, 0x1bb0, 0x1c40, 0x1c50, 0xa620, 0xa8d0, 0xa900, 0xa9d0, 0xa9f0, 0xaa50, 0xabf0,
        0xff10, 0x104a0, 0x10d30, 0x11066, 0x110f0, 0x11136, 0x111d0, 0x112f0, 0x11450, 0x114d0,
        0x11650, 0x116c0, 0x11730, 0x118e0, 0x11950, 0x11c50, 0x11d50, 0x11da0, 0x16a60, 0x16ac0,
        0x16b50, 0x1d7ce, 0x1d7d8, 0x1d7e2, 0x1d7ec, 0x1d7f6, 0x1e140, 0x1e2f0, 0x1e950, 0x1fbf0,
    ];
    let c = c as u32;
    let run = ZEROS.partition_point(|&zero| zero <= c);
    run > 0 && c - ZEROS[run - 1] < 10
}

/// QEMU's `@([^:]*): *` at the start of `line`: the name and the text
/// after the colon and its spaces.
fn at_name_colon(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix('@')?;
    let colon = memchr::memchr(b':', rest.as_bytes())?;
    Some((&rest[..colon], rest[colon + 1..].trim_start_matches(' ')))
}

/// QEMU's `(Returns|Errors|Since|Notes?|Examples?|TODO)(?!::): *` at the
/// start of `line`: the tag and the text after it.  A tag followed by
/// `::` is rST markup, not a section.
fn section_tag(line: &str) -> Option<(&str, &str)> {
    const TAGS: [&str; 8] = [
        "Returns", "Errors", "Since", "Notes", "Note", "Examples", "Example", "TODO",
    ];
    TAGS.iter().find_map(|&tag| {
        let rest = line.strip_prefix(tag)?;
        if rest.starts_with("::") {
            return None;
        }
        let rest = rest.strip_prefix(':')?;
        Some((tag, rest.trim_start_matches(' ')))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::{
        parse_str, parse_str_with, DocMode, LoadOptions, NoFiles, ParsedSchema, Pragma,
    };

    fn parse(text: &str) -> ParsedSchema {
        match parse_str("test.json", text, &NoFiles) {
            Ok(parsed) => parsed,
            Err(diags) => panic!("unexpected error:\n{diags}"),
        }
    }

    /// The first error as `file:line:col: message`.
    fn error(text: &str) -> String {
        let diags = parse_str("test.json", text, &NoFiles).expect_err("an error");
        located(&diags.sources, diags.first())
    }

    /// The first error under `rules`, or "" when the text parses.
    fn error_under(rules: Rules, text: &str) -> String {
        match parse_str_with("test.json", text, &NoFiles, rules.into()) {
            Ok(_) => String::new(),
            Err(diags) => located(&diags.sources, diags.first()),
        }
    }

    fn located(sources: &crate::diag::SourceMap, diag: &Diagnostic) -> String {
        format!(
            "{}: {}",
            sources.loc(diag.span.expect("a location")),
            diag.message
        )
    }

    /// One definition doc block for `foo`, with `lines` between its
    /// symbol line and the closing `##`, followed by the definition.
    fn block(lines: &[&str]) -> String {
        let mut text = String::from("##\n# @foo:\n");
        for line in lines {
            text.push_str(line);
            text.push('\n');
        }
        text.push_str("##\n{ 'command': 'foo' }\n");
        text
    }

    fn only_doc(text: &str) -> Doc {
        let mut parsed = parse(text);
        assert_eq!(parsed.docs.len(), 1);
        parsed.docs.remove(0)
    }

    #[test]
    fn junk_at_start() {
        assert_eq!(
            error("##x\n##\n"),
            "test.json:1:1: junk after '##' at start of documentation comment"
        );
    }

    #[test]
    fn unterminated_block() {
        // At the end of the file: the last newline, as QEMU's lexer sees it.
        assert_eq!(
            error("##\n# text\n#"),
            "test.json:3:2: documentation comment must end with '##'"
        );
        assert_eq!(
            error("##\n# @foo:\n{ 'command': 'foo' }\n"),
            "test.json:3:1: documentation comment must end with '##'"
        );
    }

    #[test]
    fn junk_at_end() {
        assert_eq!(
            error("##\n# text\n## x\n"),
            "test.json:3:1: junk after '##' at end of documentation comment"
        );
    }

    #[test]
    fn missing_space() {
        assert_eq!(
            error("##\n# text\n#text\n##\n"),
            "test.json:3:1: missing space after #"
        );
    }

    #[test]
    fn symbol_line_needs_colon() {
        assert_eq!(
            error("##\n# @foo\n##\n"),
            "test.json:2:1: line should end with ':'"
        );
    }

    #[test]
    fn symbol_name_required() {
        assert_eq!(
            error("##\n# @:\n##\n"),
            "test.json:2:1: name required after '@'"
        );
    }

    #[test]
    fn duplicated_features_line() {
        let text = block(&["# Features:", "# @feat: x", "#", "# Features:"]);
        assert_eq!(error(&text), "test.json:6:1: duplicated 'Features:' line");
    }

    #[test]
    fn features_line_without_descriptions() {
        let text = block(&["# Features:", "#", "# not a feature"]);
        assert_eq!(error(&text), "test.json:5:1: feature descriptions expected");
    }

    #[test]
    fn description_after_section() {
        let text = block(&["# @a: x", "#", "# Since: 1.0", "# @b: y"]);
        assert_eq!(
            error(&text),
            "test.json:6:1: description of '@b:' follows a section"
        );
        // After features, even past a blank line, `@name:` is a feature.
        let doc = only_doc(&block(&["# Features:", "# @f: x", "#", "# @b: y"]));
        assert_eq!(doc.features().count(), 2);
        let text = block(&["# Features:", "# @f: x", "#", "# text", "#", "# @b: y"]);
        assert_eq!(
            error(&text),
            "test.json:8:1: description of '@b:' follows a section"
        );
    }

    #[test]
    fn retired_note_section() {
        let text = block(&["# Notes: something"]);
        assert_eq!(
            error(&text),
            "test.json:3:1: The 'Notes' section is no longer supported. Please use \
             rST's '.. note::' or '.. admonition:: notes' directives, or another \
             suitable admonition instead."
        );
    }

    #[test]
    fn retired_example_section() {
        let text = block(&["# Example:"]);
        assert_eq!(
            error(&text),
            "test.json:3:1: The 'Example' section is no longer supported. Please \
             use the '.. qmp-example::' directive, or other suitable markup instead."
        );
    }

    #[test]
    fn heading_in_definition_doc() {
        let text = block(&["# == Heading"]);
        assert_eq!(
            error_under(Rules::V10_0, &text),
            "test.json:3:1: unexpected '=' markup in definition documentation"
        );
        // QEMU 10.1 dropped the markup: a plain paragraph.
        for rules in [Rules::V10_1, Rules::V10_2] {
            assert_eq!(error_under(rules, &text), "");
        }
        let doc = only_doc(&text);
        assert_eq!(doc.body().text, "== Heading");
    }

    #[test]
    fn description_in_free_form_doc() {
        assert_eq!(
            error("##\n# text\n# @note: foo\n##\n"),
            "test.json:3:1: '@note:' not allowed in free-form documentation"
        );
    }

    #[test]
    fn heading_not_first() {
        assert_eq!(
            error_under(Rules::V10_0, "##\n#\n# = Heading\n##\n"),
            "test.json:3:1: '=' heading must come first in a comment block"
        );
        // An rST heading underlined with `=` is text to QEMU 10.1 on.
        let text = "##\n# Title\n# =====\n##\n";
        assert_eq!(
            error_under(Rules::V10_0, text),
            "test.json:3:1: '=' heading must come first in a comment block"
        );
        for rules in [Rules::V10_1, Rules::V10_2] {
            assert_eq!(error_under(rules, text), "");
        }
    }

    /// A definition doc whose body is `line`, under QEMU 10.2's rules.
    fn body_error(line: &str) -> String {
        error_under(Rules::V10_2, &block(&["#", line]))
    }

    #[test]
    fn long_lines() {
        let exactly_70 = format!("# {}", "x".repeat(68));
        assert_eq!(body_error(&exactly_70), "");
        let longer = format!("# {}", "x".repeat(69));
        assert_eq!(
            body_error(&longer),
            "test.json:4:1: documentation line longer than 70 characters"
        );
        assert_eq!(error_under(Rules::V10_1, &block(&[&longer])), "");
        // Characters, not bytes; trailing white space does not count.
        assert_eq!(body_error(&format!("# {}   ", "é".repeat(68))), "");
        // The column is the comment's.
        assert_eq!(
            body_error(&format!("  {longer}")),
            "test.json:4:3: documentation line longer than 70 characters"
        );
        // Any line: the symbol line, free-form text, a line that breaks
        // another rule later.
        let symbol = format!("##\n# @{}:\n##\n", "x".repeat(70));
        assert_eq!(
            error_under(Rules::V10_2, &symbol),
            "test.json:2:1: documentation line longer than 70 characters"
        );
        let free = format!("##\n{longer}\n##\n");
        assert_eq!(
            error_under(Rules::V10_2, &free),
            "test.json:2:1: documentation line longer than 70 characters"
        );
    }

    #[test]
    fn long_url_lines() {
        for url in ["https://", "http://", "ftp://"] {
            let line = format!("#    {url}{}", "x".repeat(70));
            assert_eq!(body_error(&line), "", "{line}");
        }
        let with_text = format!("# see https://{}", "x".repeat(70));
        assert_eq!(
            body_error(&with_text),
            "test.json:4:1: documentation line longer than 70 characters"
        );
        let two = format!("# https://{} x", "x".repeat(70));
        assert!(body_error(&two).contains("longer than 70"));
    }

    #[test]
    fn one_space_between_sentences() {
        let message = "Use two spaces between sentences\n\
                       If this not the end of a sentence, please report a bug.";
        // QEMU's column is one past the punctuation.
        assert_eq!(
            body_error("# One. Two."),
            format!("test.json:4:7: {message}")
        );
        for bad in [
            "# Really? Yes",
            "# Stop! (now)",
            "# At 1. 2 more",
            "# E.g. This",
            "# ... Or not",
        ] {
            assert!(body_error(bad).ends_with(message), "{bad}");
        }
        for good in [
            "# One.  Two.",
            "# One. two.",
            "# Use e.g. This one",
            "# (e.g. Foo)",
            "# 1. First item",
            "#   2. Second item",
            "# v1.2 Beta",
            "# End.",
        ] {
            assert_eq!(body_error(good), "", "{good}");
        }
        // Only a single digit is an enumerator, only after `^ *`.
        assert!(body_error("# 10. Tenth").ends_with(message));
        assert!(body_error("# - 1. Item").ends_with(message));
        // Any script's decimal digit is one; other numerals are not.
        assert_eq!(body_error("# \u{663}. Item"), "");
        assert!(body_error("# \u{b2}. Item").ends_with(message));
        // `e.g.` must start a word.
        assert!(body_error("# see.g. This").ends_with(message));
        assert!(body_error("# x_e.g. This").ends_with(message));
        // After one `e.g.`, the search goes on.
        assert_eq!(
            body_error("# e.g. A and b. C"),
            format!("test.json:4:16: {message}")
        );
        // Counted in characters from the start of the line as if the `#`
        // started it, a tab as QEMU counts it.
        assert_eq!(body_error("# é. X"), format!("test.json:4:5: {message}"));
        assert_eq!(
            body_error("   # Indented. X"),
            format!("test.json:4:12: {message}")
        );
        assert_eq!(
            body_error("\t# Tab. X"),
            format!("test.json:4:6: {message}")
        );
        assert_eq!(error_under(Rules::V10_1, &block(&["# One. Two."])), "");
    }

    #[test]
    fn literal_blocks_escape_the_line_format() {
        let long = format!("#    {}", "x".repeat(70));
        let lines = |opening: &str, after: &[&str]| {
            let mut lines = vec!["#", opening, "#", long.as_str()];
            lines.extend_from_slice(after);
            error_under(Rules::V10_2, &block(&lines))
        };
        assert_eq!(lines("# ::", &[]), "");
        assert_eq!(lines("#   ::", &["#    One. Two."]), "");
        assert_eq!(lines("# .. qmp-example::", &[]), "");
        assert_eq!(lines("# ..  qmp-example ::", &[]), "");
        // A paragraph ending in `::` does not open one, as QEMU has it.
        assert!(lines("# Example::", &[]).contains("longer than 70"));
        assert!(lines("# ..qmp-example::", &[]).contains("longer than 70"));
        // A line less indented than the block's first line ends it, and
        // is checked itself.
        assert!(lines("# ::", &["#   One. Two."]).contains("two spaces"));
        assert_eq!(lines("# ::", &["#     One. Two."]), "");
        // An unindented first line does not set the indentation.
        let text = block(&["# ::", &format!("# {}", "x".repeat(70)), "#  A. B"]);
        assert_eq!(error_under(Rules::V10_2, &text), "");
        // The block ends with the comment.
        let text = format!("##\n# ::\n##\n{}", block(&[&long]));
        assert!(error_under(Rules::V10_2, &text).contains("longer than 70"));
    }

    #[test]
    fn lenient_line_format_is_a_warning_per_line() {
        let long = format!("# {}", "x".repeat(69));
        let text = block(&["#", &long, "# One. Two.", "#", "# @a: x"]);
        let options = LoadOptions {
            rules: Rules::V10_2,
            doc_mode: DocMode::Lenient,
        };
        let parsed =
            parse_str_with("test.json", &text, &NoFiles, options).unwrap_or_else(|e| panic!("{e}"));
        let warnings: Vec<String> = parsed
            .warnings
            .iter()
            .map(|w| located(&parsed.sources, w))
            .collect();
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].starts_with("test.json:4:1: documentation line longer"));
        assert!(warnings[1].starts_with("test.json:5:7: Use two spaces"));
        // The block is read as usual, not kept as raw text.
        assert!(parsed.raw_docs.is_empty());
        assert_eq!(parsed.docs[0].args().count(), 1);
    }

    #[test]
    fn de_indent() {
        let text = block(&["# @a: one", "#   two", "# three"]);
        assert_eq!(
            error(&text),
            "test.json:5:1: unexpected de-indent (expected at least 2 spaces)"
        );
        // The column is the comment's, wherever it starts.
        let text = block(&["# @a: one", "   #   two", "  # three"]);
        assert_eq!(
            error(&text),
            "test.json:5:3: unexpected de-indent (expected at least 2 spaces)"
        );
    }

    #[test]
    fn de_indent_checked_only_right_after_first_line() {
        // QEMU checks only the line right after the first indented one; a
        // later shallower line ends the description and starts a paragraph.
        let doc = only_doc(&block(&["# @a:", "#   one", "#   two", "#  three"]));
        assert_eq!(
            doc.args().next().map(|s| s.text.as_str()),
            Some("  one\n  two")
        );
        assert_eq!(doc.sections.last().map(|s| s.text.as_str()), Some(" three"));
        assert_eq!(
            doc.sections.last().map(|s| s.kind),
            Some(SectionKind::Plain)
        );
    }

    #[test]
    fn tagged_section_needs_text() {
        let text = block(&["#", "# Errors:"]);
        assert_eq!(error(&text), "test.json:4:1: text required after 'Errors:'");
        let text = block(&["# @a:", "# Since: 1"]);
        assert_eq!(error(&text), "test.json:3:1: text required after 'Member:'");
    }

    #[test]
    fn duplicated_section() {
        for tag in ["Returns", "Errors", "Since"] {
            let first = format!("# {tag}: one");
            let second = format!("# {tag}: two");
            assert_eq!(
                error(&block(&[&first, &second])),
                format!("test.json:4:1: duplicated '{tag}' section")
            );
        }
        // TODO sections may repeat.
        let doc = only_doc(&block(&["# TODO: one", "# TODO: two"]));
        assert_eq!(doc.other_sections().count(), 2);
    }

    #[test]
    fn empty_description_name() {
        assert_eq!(
            error(&block(&["# @: x"])),
            "test.json:3:1: invalid parameter name"
        );
        assert_eq!(
            error(&block(&["# Features:", "# @: x"])),
            "test.json:4:1: invalid parameter name"
        );
    }

    #[test]
    fn duplicated_description() {
        assert_eq!(
            error(&block(&["# @a: x", "# @a: y"])),
            "test.json:4:1: 'a' parameter name duplicated"
        );
        assert_eq!(
            error(&block(&["# Features:", "# @f: x", "# @f: y"])),
            "test.json:5:1: 'f' parameter name duplicated"
        );
        // A member and a feature may share a name.
        let doc = only_doc(&block(&["# @a: x", "#", "# Features:", "# @a: y"]));
        assert_eq!(doc.args().count(), 1);
        assert_eq!(doc.features().count(), 1);
    }

    #[test]
    fn free_form_text() {
        let doc = only_doc("##\n#\n# Text\n#\n#   @indented:  \n# Returns: x\n#\n##\n");
        assert_eq!(doc.symbol, None);
        assert_eq!(doc.sections.len(), 1);
        assert_eq!(doc.body().text, "Text\n\n  @indented:\nReturns: x");
        let doc = only_doc("##\n# = Heading\n#\n# Text\n##\n");
        assert_eq!(doc.body().text, "= Heading\n\nText");
    }

    #[test]
    fn rich_definition_block() {
        let text = "\
# plain comment, skipped
##
# @frob:
#
# Frobnicate.
# Still the body.
#
# Second paragraph.
#
# @a: first line
#     second line
#
#     after a blank
# @b:
#   starts on a new line
#
# Features:
#
# @deprecated: going away
#
# Returns: a value
#
# Errors: when it fails
#
# A plain section
#   @c: not a description here
#
# TODO: more
# Since: 9.2
##
{ 'command': 'frob' }
";
        let doc = only_doc(text);
        assert_eq!(doc.symbol.as_deref(), Some("frob"));
        let lines: Vec<(SectionKind, Option<&str>, usize, &str)> = doc
            .sections
            .iter()
            .map(|s| {
                let parsed_line = text[..s.span.start as usize].matches('\n').count() + 1;
                (s.kind, s.name.as_deref(), parsed_line, s.text.as_str())
            })
            .collect();
        use SectionKind::*;
        assert_eq!(
            lines,
            vec![
                (
                    Plain,
                    None,
                    5,
                    "Frobnicate.\nStill the body.\n\nSecond paragraph."
                ),
                (
                    Member,
                    Some("a"),
                    10,
                    "first line\n    second line\n\n    after a blank"
                ),
                (Member, Some("b"), 14, "  starts on a new line"),
                (Feature, Some("deprecated"), 19, "going away"),
                (Returns, None, 21, "a value"),
                (Errors, None, 23, "when it fails"),
                (
                    Plain,
                    None,
                    25,
                    "A plain section\n  @c: not a description here"
                ),
                (Todo, None, 28, "more"),
                (Since, None, 29, "9.2"),
            ]
        );
        assert_eq!(doc.args().count(), 2);
        assert_eq!(doc.features().count(), 1);
        let others: Vec<SectionKind> = doc.other_sections().map(|s| s.kind).collect();
        assert_eq!(others, vec![Returns, Errors, Plain, Todo, Since]);
    }

    #[test]
    fn rst_double_colon_is_not_a_tag() {
        let doc = only_doc(&block(&["# Since:: x", "# Note:: y", "#", "# Returns:x"]));
        assert_eq!(doc.body().text, "Since:: x\nNote:: y");
        assert_eq!(doc.sections[1].kind, SectionKind::Returns);
        assert_eq!(doc.sections[1].text, "x");
    }

    #[test]
    fn empty_body_takes_first_paragraph_location() {
        let doc = only_doc(&block(&["#", "# @a: x", "#", "# text"]));
        // The body is empty; the trailing paragraph is its own section.
        assert_eq!(doc.body().text, "");
        assert_eq!(doc.sections.len(), 3);
        let doc = only_doc(&block(&["#", "# text"]));
        let file = parse(&block(&["#", "# text"])).sources;
        assert_eq!(file.line_loc(doc.body().span), "test.json:4");
    }

    fn loc_of(text: &str, diag: Diagnostic) -> String {
        let parsed = parse(text);
        located(&parsed.sources, &diag)
    }

    #[test]
    fn check_expr_sections() {
        let text = block(&["# Returns: x", "# Errors: y"]);
        let doc = only_doc(&text);
        assert_eq!(doc.check_expr(true, true), Ok(()));
        let err = doc.check_expr(true, false).expect_err("no returns");
        assert_eq!(
            loc_of(&text, err),
            "test.json:3:1: 'Returns' section, but command doesn't return anything"
        );
        let err = doc.check_expr(false, false).expect_err("not a command");
        assert_eq!(
            loc_of(&text, err),
            "test.json:3:1: 'Returns' section is only valid for commands"
        );
        let text = block(&["# Errors: y"]);
        let doc = only_doc(&text);
        let err = doc.check_expr(false, false).expect_err("not a command");
        assert_eq!(
            loc_of(&text, err),
            "test.json:3:1: 'Errors' section is only valid for commands"
        );
        assert_eq!(doc.check_expr(true, false), Ok(()));
    }

    #[test]
    fn connect_and_check() {
        let text = block(&["# @a: x", "# @b: y", "#", "# Features:", "# @f: z"]);
        let mut doc = only_doc(&text);
        let info = doc.span;
        let pragma = Pragma::default();
        doc.connect_member("a", "member", info, &pragma)
            .expect("documented");
        let err = doc.check().expect_err("b unconnected");
        assert_eq!(
            loc_of(&text, err),
            "test.json:4:1: documented member 'b' does not exist"
        );
        doc.connect_member("b", "member", info, &pragma)
            .expect("documented");
        let err = doc.check().expect_err("f unconnected");
        assert_eq!(
            loc_of(&text, err),
            "test.json:7:1: documented feature 'f' does not exist"
        );
        doc.connect_feature("f", info).expect("documented");
        assert_eq!(doc.check(), Ok(()));

        let member_info = Span::new(info.file, 0, 0);
        let err = doc
            .connect_member("c", "value", member_info, &pragma)
            .expect_err("undocumented");
        assert_eq!(err.message, "value 'c' lacks documentation");
        assert_eq!(err.span, Some(member_info));
        let err = doc
            .connect_feature("g", member_info)
            .expect_err("undocumented");
        assert_eq!(err.message, "feature 'g' lacks documentation");
        assert_eq!(err.span, Some(member_info));
    }

    #[test]
    fn check_names_every_bogus_description() {
        let text = block(&["# @a: x", "# @b: y", "# @c: z"]);
        let mut doc = only_doc(&text);
        doc.connect_member("b", "member", doc.span, &Pragma::default())
            .expect("documented");
        let err = doc.check().expect_err("a and c unconnected");
        assert_eq!(
            loc_of(&text, err),
            "test.json:3:1: documented members 'a', 'c' do not exist"
        );
    }

    #[test]
    fn documentation_exceptions_get_stubs() {
        let text = block(&["# Body.", "#", "# @a: x", "#", "# Since: 1"]);
        let mut doc = only_doc(&text);
        let pragma = Pragma {
            documentation_exceptions: vec!["foo".to_string()],
            ..Pragma::default()
        };
        doc.connect_member("a", "member", doc.span, &pragma)
            .expect("documented");
        doc.connect_member("z", "member", doc.span, &pragma)
            .expect("excepted");
        doc.connect_member("y", "member", doc.span, &pragma)
            .expect("excepted");
        let order: Vec<(SectionKind, Option<&str>)> = doc
            .sections
            .iter()
            .map(|s| (s.kind, s.name.as_deref()))
            .collect();
        assert_eq!(
            order,
            vec![
                (SectionKind::Plain, None),
                (SectionKind::Member, Some("a")),
                (SectionKind::Member, Some("z")),
                (SectionKind::Member, Some("y")),
                (SectionKind::Since, None),
            ]
        );
        assert_eq!(doc.sections[2].span, doc.span);
        assert_eq!(doc.sections[2].text, "");
        assert_eq!(doc.check(), Ok(()));
        // Only the excepted symbol.
        let other = Pragma {
            documentation_exceptions: vec!["bar".to_string()],
            ..Pragma::default()
        };
        let err = doc
            .connect_member("x", "member", doc.span, &other)
            .expect_err("not excepted");
        assert_eq!(err.message, "member 'x' lacks documentation");
    }

    /// Where QEMU 10.1's `ensure_returns` puts the stub, by the sections
    /// the doc has.
    #[test]
    fn returns_stub_placement() {
        use SectionKind::*;
        let kinds = |lines: &[&str]| {
            let mut doc = only_doc(&block(lines));
            let info = doc.span;
            doc.ensure_returns(info);
            let kinds: Vec<(SectionKind, bool)> =
                doc.sections.iter().map(|s| (s.kind, s.stub)).collect();
            (kinds, doc)
        };
        // After the last member description.
        let (found, doc) = kinds(&[
            "# @a: x",
            "# @b: y",
            "#",
            "# Features:",
            "# @f: z",
            "#",
            "# Text",
        ]);
        assert_eq!(
            found,
            [
                (Plain, false),
                (Member, false),
                (Member, false),
                (Returns, true),
                (Feature, false),
                (Plain, false)
            ]
        );
        // Not among the sections QEMU's dump prints.
        assert_eq!(doc.other_sections().count(), 1);
        // Else before `Errors`.
        let (found, _) = kinds(&["# Text", "#", "# Since: 1", "#", "# Errors: e"]);
        assert_eq!(
            found,
            [
                (Plain, false),
                (Since, false),
                (Returns, true),
                (Errors, false)
            ]
        );
        // Else before the last feature.
        let (found, _) = kinds(&["# Since: 1", "#", "# Features:", "# @f: x", "# @g: y"]);
        assert_eq!(
            found,
            [
                (Plain, false),
                (Since, false),
                (Feature, false),
                (Returns, true),
                (Feature, false)
            ]
        );
        // Else after the body.
        let (found, _) = kinds(&["# Text", "#", "# Since: 1"]);
        assert_eq!(found, [(Plain, false), (Returns, true), (Since, false)]);
        // Not when there is one.
        let (found, _) = kinds(&["# Returns: r"]);
        assert_eq!(found, [(Plain, false), (Returns, false)]);
    }

    #[test]
    fn stub_after_trailing_descriptions() {
        // Where QEMU runs off the end of its section list, append.
        let mut doc = only_doc(&block(&["# @a: x"]));
        let pragma = Pragma {
            documentation_exceptions: vec!["foo".to_string()],
            ..Pragma::default()
        };
        doc.connect_member("b", "member", doc.span, &pragma)
            .expect("excepted");
        let names: Vec<Option<&str>> = doc.args().map(|s| s.name.as_deref()).collect();
        assert_eq!(names, vec![Some("a"), Some("b")]);
    }
}
