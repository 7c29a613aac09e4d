//! Documentation comments (`##` blocks), as QEMU's `QAPIDoc`.
//!
//! PLACEHOLDER: the block is read to its end and the symbol line taken;
//! sections are not parsed yet.

use crate::diag::{Diagnostic, Span};

/// The token stream as the doc parser sees it.
pub trait DocTokens {
    /// The current token: a comment line, or anything else.
    fn current(&self) -> DocToken<'_>;
    /// Move to the next token, returning every comment (QEMU's
    /// `accept(False)`).
    fn advance(&mut self) -> Result<(), Diagnostic>;
    /// Move past the block's closing `##`, skipping plain comments again
    /// (QEMU's `accept()`).
    fn finish(&mut self) -> Result<(), Diagnostic>;
}

pub enum DocToken<'a> {
    /// A comment line; `text` starts with `#` and has no newline.
    Comment { text: &'a str, span: Span },
    /// Any other token, or the end of the file.
    Other { span: Span },
}

/// The kinds of doc section (QEMU's `QAPIDoc.Kind`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum SectionKind {
    Plain,
    Member,
    Feature,
    Returns,
    Errors,
    Since,
    Todo,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Section {
    pub kind: SectionKind,
    /// The member or feature described (`Member` and `Feature` sections).
    pub name: Option<String>,
    pub text: String,
    /// Where the section begins.
    pub span: Span,
    /// Whether a schema member or feature was connected to this
    /// description (set while building the schema).
    pub connected: bool,
}

/// One documentation block.
#[derive(Clone, Debug, PartialEq)]
pub struct Doc {
    /// The opening `##` line.
    pub span: Span,
    /// The documented definition; `None` for free-form documentation.
    pub symbol: Option<String>,
    /// Every section in source order; the first is the body.
    pub sections: Vec<Section>,
}

/// Parse a doc block; the current token is its opening `##` line.
pub fn parse_doc(tokens: &mut dyn DocTokens) -> Result<Doc, Diagnostic> {
    let DocToken::Comment { text, span } = tokens.current() else {
        unreachable!("a doc block starts at a comment");
    };
    if text != "##" {
        return Err(Diagnostic::new(
            span,
            "junk after '##' at start of documentation comment",
        ));
    }
    let mut doc = Doc {
        span,
        symbol: None,
        sections: vec![Section {
            kind: SectionKind::Plain,
            name: None,
            text: String::new(),
            span,
            connected: false,
        }],
    };
    let mut first = true;
    loop {
        tokens.advance()?;
        match tokens.current() {
            DocToken::Other { span } => {
                return Err(Diagnostic::new(
                    span,
                    "documentation comment must end with '##'",
                ))
            }
            DocToken::Comment { text, span } => {
                if text.starts_with("##") {
                    if text != "##" {
                        return Err(Diagnostic::new(
                            span,
                            "junk after '##' at end of documentation comment",
                        ));
                    }
                    break;
                }
                let line = text.strip_prefix("# ").unwrap_or("").trim_end();
                if first && line.starts_with('@') && line.ends_with(':') {
                    doc.symbol = Some(line[1..line.len() - 1].to_string());
                } else {
                    doc.sections[0].text.push_str(line);
                    doc.sections[0].text.push('\n');
                }
                first = false;
            }
        }
    }
    tokens.finish()?;
    Ok(doc)
}

/// What the rest of the pipeline asks of a doc block.  PLACEHOLDER bodies:
/// the real checks are QEMU's `QAPIDoc` methods of the same names.
impl Doc {
    /// The body: the first section.
    pub fn body(&self) -> &Section {
        &self.sections[0]
    }

    /// Member and argument descriptions, in order (QEMU's `doc.args`).
    pub fn args(&self) -> impl Iterator<Item = &Section> {
        self.sections
            .iter()
            .filter(|s| s.kind == SectionKind::Member)
    }

    /// Feature descriptions, in order (QEMU's `doc.features`).
    pub fn features(&self) -> impl Iterator<Item = &Section> {
        self.sections
            .iter()
            .filter(|s| s.kind == SectionKind::Feature)
    }

    /// The sections other than the body, members and features, in order
    /// (QEMU's `doc.sections`).
    pub fn other_sections(&self) -> impl Iterator<Item = &Section> {
        self.sections
            .iter()
            .skip(1)
            .filter(|s| !matches!(s.kind, SectionKind::Member | SectionKind::Feature))
    }

    /// QEMU's `QAPIDoc.check_expr`: the sections suit the definition.
    pub fn check_expr(&self, is_command: bool, has_returns: bool) -> Result<(), Diagnostic> {
        let _ = (is_command, has_returns);
        Ok(())
    }

    /// QEMU's `QAPIDoc.connect_member`: `role` is QEMU's member role
    /// (`member`, `argument`, `value`, ...), `info` the member's location
    /// as QEMU reports it.
    pub fn connect_member(
        &mut self,
        name: &str,
        role: &str,
        info: Span,
        pragma: &crate::parse::Pragma,
    ) -> Result<(), Diagnostic> {
        let _ = (name, role, info, pragma);
        Ok(())
    }

    /// QEMU's `QAPIDoc.connect_feature`.
    pub fn connect_feature(&mut self, name: &str, info: Span) -> Result<(), Diagnostic> {
        let _ = (name, info);
        Ok(())
    }

    /// QEMU's `QAPIDoc.check`: every description names something.
    pub fn check(&self) -> Result<(), Diagnostic> {
        Ok(())
    }
}
