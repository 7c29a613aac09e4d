//! Definitions after the syntax checks: every key known and of the right
//! shape, names well formed, short forms expanded (QEMU's normalized
//! expressions).  Names are not resolved yet: that is `schema`'s work.
//!
//! Names are borrowed from the parsed expressions (`'a`).

use crate::diag::Span;
use crate::schema::doc::DocId;

/// The kind of a definition: the key that names it.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Meta {
    Enum,
    Struct,
    Union,
    Alternate,
    Command,
    Event,
}

impl Meta {
    /// The key, as QEMU prints it (`In command 'foo':`).
    pub fn as_str(self) -> &'static str {
        match self {
            Meta::Enum => "enum",
            Meta::Struct => "struct",
            Meta::Union => "union",
            Meta::Alternate => "alternate",
            Meta::Command => "command",
            Meta::Event => "event",
        }
    }
}

/// A name as written, with where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Name<'a> {
    pub name: &'a str,
    pub span: Span,
}

/// An `if` condition: a configuration symbol, or `all`/`any`/`not` of
/// conditions.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Cond {
    /// A configuration symbol, true when the build defines it.
    Name(String),
    /// All of the conditions.
    All(Vec<Cond>),
    /// Any of the conditions.
    Any(Vec<Cond>),
    /// The negation of the condition.
    Not(Box<Cond>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct FeatureDecl<'a> {
    pub name: Name<'a>,
    pub cond: Option<Cond>,
}

/// A reference to a type: `'T'` or `['T']`.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeRef<'a> {
    /// The element type's name.
    pub name: &'a str,
    /// Written as `['name']`.
    pub array: bool,
    pub span: Span,
}

/// A struct member, command argument or event datum.
#[derive(Clone, Debug, PartialEq)]
pub struct MemberDecl<'a> {
    /// Without the `*` of an optional member.
    pub name: Name<'a>,
    pub optional: bool,
    pub ty: TypeRef<'a>,
    pub cond: Option<Cond>,
    pub features: Vec<FeatureDecl<'a>>,
}

/// An enum value.
#[derive(Clone, Debug, PartialEq)]
pub struct EnumValueDecl<'a> {
    pub name: Name<'a>,
    pub cond: Option<Cond>,
    pub features: Vec<FeatureDecl<'a>>,
}

/// A union or alternate branch.
#[derive(Clone, Debug, PartialEq)]
pub struct BranchDecl<'a> {
    pub name: Name<'a>,
    pub ty: TypeRef<'a>,
    pub cond: Option<Cond>,
}

/// Members given by a type name, or inline (an implicit type).
#[derive(Clone, Debug, PartialEq)]
pub enum MembersRef<'a> {
    Named(TypeRef<'a>),
    Inline {
        members: Vec<MemberDecl<'a>>,
        span: Span,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum DefBody<'a> {
    Enum {
        values: Vec<EnumValueDecl<'a>>,
        prefix: Option<&'a str>,
    },
    Struct {
        base: Option<TypeRef<'a>>,
        members: Vec<MemberDecl<'a>>,
    },
    Union {
        base: MembersRef<'a>,
        discriminator: Name<'a>,
        branches: Vec<BranchDecl<'a>>,
    },
    Alternate {
        branches: Vec<BranchDecl<'a>>,
    },
    Command {
        data: Option<MembersRef<'a>>,
        boxed: bool,
        returns: Option<TypeRef<'a>>,
        gen: bool,
        success_response: bool,
        allow_oob: bool,
        allow_preconfig: bool,
        coroutine: bool,
    },
    Event {
        data: Option<MembersRef<'a>>,
        boxed: bool,
    },
}

/// A checked definition.
#[derive(Clone, Debug, PartialEq)]
pub struct Definition<'a> {
    pub meta: Meta,
    pub name: Name<'a>,
    /// The whole expression; its start is the location QEMU reports.
    pub span: Span,
    pub doc: Option<DocId>,
    pub cond: Option<Cond>,
    pub features: Vec<FeatureDecl<'a>>,
    pub body: DefBody<'a>,
}

/// The checked top level, in source order.
// Items are made once per definition and moved, never stored in bulk by
// variant size, so boxing the large variant would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Item<'a> {
    /// An include directive (index into `ParsedSchema::exprs`).
    Include(usize),
    Definition(Definition<'a>),
}
