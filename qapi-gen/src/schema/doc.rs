//! The documentation of a schema: its `##` doc comment blocks, each
//! free-form text or the documentation of a definition, in sections (QEMU's
//! `QAPIDoc`).  The parser (`parse`) makes them; building the model
//! connects each description with the member or feature it describes.
//!
//! Section text is kept as QEMU keeps it: continuation lines with their
//! indentation, blank lines inside a section kept, and blank lines at
//! either end dropped.  [`markup`](crate::markup) renders it.

use crate::diag::{Diagnostic, Span};
use crate::parse::Pragma;

/// Index of a [`Doc`] in [`Schema::docs`](crate::Schema::docs).
pub type DocId = usize;

/// The kinds of doc section (QEMU's `QAPIDoc.Kind`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum SectionKind {
    /// The body, or an untagged section after the descriptions.
    Plain,
    /// The description of a member (an argument, a value, a branch).
    Member,
    /// The description of a feature.
    Feature,
    /// `Returns:`.
    Returns,
    /// `Errors:`.
    Errors,
    /// `Since:`.
    Since,
    /// `TODO:`.
    Todo,
}

impl SectionKind {
    /// The name QEMU prints (`str(QAPIDoc.Kind)`), as in `section=Returns`.
    pub fn name(self) -> &'static str {
        match self {
            SectionKind::Plain => "Plain",
            SectionKind::Member => "Member",
            SectionKind::Feature => "Feature",
            SectionKind::Returns => "Returns",
            SectionKind::Errors => "Errors",
            SectionKind::Since => "Since",
            SectionKind::Todo => "Todo",
        }
    }

    /// The kind a section tag names (`QAPIDoc.Kind.from_string`).
    pub(crate) fn from_tag(tag: &str) -> Option<SectionKind> {
        match tag {
            "Returns" => Some(SectionKind::Returns),
            "Errors" => Some(SectionKind::Errors),
            "Since" => Some(SectionKind::Since),
            "TODO" => Some(SectionKind::Todo),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
/// A section of a doc block.
#[non_exhaustive]
pub struct Section {
    /// What it is.
    pub kind: SectionKind,
    /// The member or feature described (`Member` and `Feature` sections).
    pub name: Option<String>,
    /// The text, as QEMU keeps it (see the module's documentation).
    pub text: String,
    /// Where the section begins (the comment line; for the body, the
    /// first line of its text, or the `##` line while it has none).
    pub span: Span,
    /// Whether a schema member or feature was connected to this
    /// description (set while building the schema).
    pub connected: bool,
    /// Added while building the schema, not written, its text empty: the
    /// description of an undocumented member of a symbol in the
    /// `documentation-exceptions` pragma, or (QEMU 10.1's rules) the
    /// `Returns` of a command whose doc describes no return value.
    pub stub: bool,
}

impl Section {
    pub(crate) fn new(kind: SectionKind, name: Option<&str>, span: Span) -> Section {
        Section {
            kind,
            name: name.map(str::to_string),
            text: String::new(),
            span,
            connected: false,
            stub: false,
        }
    }
}

/// One documentation block.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Doc {
    /// The opening `##` line.
    pub span: Span,
    /// The documented definition; `None` for free-form documentation.
    pub symbol: Option<String>,
    /// Every section in source order (QEMU's `all_sections`); the first
    /// is the body, member descriptions follow it directly.
    pub sections: Vec<Section>,
}

/// What the rest of the pipeline asks of a doc block: QEMU's `QAPIDoc`
/// methods of the same names.  Errors carry the location QEMU reports;
/// callers add the definition context (`In command 'foo':`).
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

    /// The sections written other than the body, members and features, in
    /// order (QEMU's `doc.sections`).
    pub fn other_sections(&self) -> impl Iterator<Item = &Section> {
        self.sections
            .iter()
            .skip(1)
            .filter(|s| !s.stub && !matches!(s.kind, SectionKind::Member | SectionKind::Feature))
    }

    fn section_of(&self, kind: SectionKind) -> Option<&Section> {
        self.sections.iter().find(|s| s.kind == kind && !s.stub)
    }

    /// QEMU 10.1's `QAPIDoc.ensure_returns`, for a command that returns
    /// something (`info` is where it is defined): when no section is about
    /// the return value, add a stub one right after the last member
    /// description, else right before the `Errors` section, else before
    /// the last feature description, else right after the body.
    pub(crate) fn ensure_returns(&mut self, info: Span) {
        if self.sections.iter().any(|s| s.kind == SectionKind::Returns) {
            return;
        }
        let last = |kind| self.sections.iter().rposition(|s: &Section| s.kind == kind);
        let index = last(SectionKind::Member)
            .map(|i| i + 1)
            .or_else(|| last(SectionKind::Errors))
            .or_else(|| last(SectionKind::Feature))
            .unwrap_or(1);
        let mut stub = Section::new(SectionKind::Returns, None, info);
        stub.stub = true;
        self.sections.insert(index, stub);
    }

    /// The description of `name`, looked for from section `*near` on
    /// (then from the start); `*near` moves past it.  Members are mostly
    /// connected in the order they are described, so this rarely scans.
    fn description_mut(
        &mut self,
        kind: SectionKind,
        name: &str,
        near: &mut usize,
    ) -> Option<&mut Section> {
        let count = self.sections.len();
        let start = (*near).min(count);
        let index = (start..count).chain(0..start).find(|&i| {
            self.sections[i].kind == kind && self.sections[i].name.as_deref() == Some(name)
        })?;
        *near = index + 1;
        Some(&mut self.sections[index])
    }

    /// QEMU's `QAPIDoc.check_expr`: `Returns` and `Errors` sections only
    /// for commands, and `Returns` only when the command returns something.
    #[doc(hidden)]
    pub fn check_expr(&self, is_command: bool, has_returns: bool) -> Result<(), Diagnostic> {
        let returns = self.section_of(SectionKind::Returns);
        if is_command {
            if let Some(returns) = returns.filter(|_| !has_returns) {
                return Err(Diagnostic::new(
                    returns.span,
                    "'Returns' section, but command doesn't return anything",
                ));
            }
            return Ok(());
        }
        if let Some(returns) = returns {
            return Err(Diagnostic::new(
                returns.span,
                "'Returns' section is only valid for commands",
            ));
        }
        if let Some(errors) = self.section_of(SectionKind::Errors) {
            return Err(Diagnostic::new(
                errors.span,
                "'Errors' section is only valid for commands",
            ));
        }
        Ok(())
    }

    /// QEMU's `QAPIDoc.connect_member`: `role` is QEMU's member role
    /// (`member`, `value`, `branch`, ...), `info` the member's location
    /// as QEMU reports it.  An undocumented member is an error unless the
    /// symbol is in the `documentation-exceptions` pragma; then an empty
    /// description is added after the others, as QEMU does.
    #[doc(hidden)]
    pub fn connect_member(
        &mut self,
        name: &str,
        role: &str,
        info: Span,
        pragma: &Pragma,
    ) -> Result<(), Diagnostic> {
        self.connect_member_near(name, role, info, pragma, &mut 0)
    }

    /// [`Doc::connect_member`], looking for the description from section
    /// `*near` on, which is left past it: the hint for the next member.
    pub(crate) fn connect_member_near(
        &mut self,
        name: &str,
        role: &str,
        info: Span,
        pragma: &Pragma,
        near: &mut usize,
    ) -> Result<(), Diagnostic> {
        if let Some(section) = self.description_mut(SectionKind::Member, name, near) {
            section.connected = true;
            return Ok(());
        }
        let excepted = self
            .symbol
            .as_ref()
            .is_some_and(|symbol| pragma.documentation_exceptions.contains(symbol));
        if !excepted {
            return Err(Diagnostic::new(
                info,
                format!("{role} '{name}' lacks documentation"),
            ));
        }
        // After the body and the member descriptions that follow it.  (QEMU
        // fails with an IndexError when descriptions are all there is after
        // the body; appending is what it means.)
        let index = 1 + self
            .sections
            .iter()
            .skip(1)
            .take_while(|s| s.kind == SectionKind::Member)
            .count();
        let mut stub = Section::new(SectionKind::Member, Some(name), self.span);
        stub.connected = true;
        stub.stub = true;
        self.sections.insert(index, stub);
        Ok(())
    }

    /// QEMU's `QAPIDoc.connect_feature`: every feature must be described.
    #[doc(hidden)]
    pub fn connect_feature(&mut self, name: &str, info: Span) -> Result<(), Diagnostic> {
        self.connect_feature_near(name, info, &mut 0)
    }

    /// [`Doc::connect_feature`] with a hint, as [`Doc::connect_member_near`].
    pub(crate) fn connect_feature_near(
        &mut self,
        name: &str,
        info: Span,
        near: &mut usize,
    ) -> Result<(), Diagnostic> {
        match self.description_mut(SectionKind::Feature, name, near) {
            Some(section) => {
                section.connected = true;
                Ok(())
            }
            None => Err(Diagnostic::new(
                info,
                format!("feature '{name}' lacks documentation"),
            )),
        }
    }

    /// QEMU's `QAPIDoc.check`: every description names something; the
    /// error is at the first description that does not.
    #[doc(hidden)]
    pub fn check(&self) -> Result<(), Diagnostic> {
        check_described(self.args(), "member")?;
        check_described(self.features(), "feature")
    }
}

fn check_described<'a>(
    descriptions: impl Iterator<Item = &'a Section>,
    what: &str,
) -> Result<(), Diagnostic> {
    let bogus: Vec<&Section> = descriptions.filter(|s| !s.connected).collect();
    let Some(first) = bogus.first() else {
        return Ok(());
    };
    let names: Vec<&str> = bogus
        .iter()
        .map(|s| s.name.as_deref().unwrap_or_default())
        .collect();
    let (plural, verb) = if bogus.len() > 1 {
        ("s", "do")
    } else {
        ("", "does")
    };
    Err(Diagnostic::new(
        first.span,
        format!(
            "documented {what}{plural} '{}' {verb} not exist",
            names.join("', '")
        ),
    ))
}
