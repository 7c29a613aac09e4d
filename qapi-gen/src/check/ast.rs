//! Definitions after the syntax checks: every key known and of the right
//! shape, names well formed, short forms expanded (QEMU's normalized
//! expressions).  Names are not resolved yet: that is `schema`'s work.

use crate::diag::Span;
use crate::parse::DocId;

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
pub struct Name {
    pub name: String,
    pub span: Span,
}

/// An `if` condition: a configuration symbol, or `all`/`any`/`not` of
/// conditions.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Cond {
    Name(String),
    All(Vec<Cond>),
    Any(Vec<Cond>),
    Not(Box<Cond>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct FeatureDecl {
    pub name: Name,
    pub cond: Option<Cond>,
}

/// A reference to a type: `'T'` or `['T']`.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeRef {
    /// The element type's name.
    pub name: String,
    /// Written as `['name']`.
    pub array: bool,
    pub span: Span,
}

/// A struct member, command argument or event datum.
#[derive(Clone, Debug, PartialEq)]
pub struct MemberDecl {
    /// Without the `*` of an optional member.
    pub name: Name,
    pub optional: bool,
    pub ty: TypeRef,
    pub cond: Option<Cond>,
    pub features: Vec<FeatureDecl>,
}

/// An enum value.
#[derive(Clone, Debug, PartialEq)]
pub struct EnumValueDecl {
    pub name: Name,
    pub cond: Option<Cond>,
    pub features: Vec<FeatureDecl>,
}

/// A union or alternate branch.
#[derive(Clone, Debug, PartialEq)]
pub struct BranchDecl {
    pub name: Name,
    pub ty: TypeRef,
    pub cond: Option<Cond>,
}

/// Members given by a type name, or inline (an implicit type).
#[derive(Clone, Debug, PartialEq)]
pub enum MembersRef {
    Named(TypeRef),
    Inline {
        members: Vec<MemberDecl>,
        span: Span,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum DefBody {
    Enum {
        values: Vec<EnumValueDecl>,
        prefix: Option<String>,
    },
    Struct {
        base: Option<TypeRef>,
        members: Vec<MemberDecl>,
    },
    Union {
        base: MembersRef,
        discriminator: Name,
        branches: Vec<BranchDecl>,
    },
    Alternate {
        branches: Vec<BranchDecl>,
    },
    Command {
        data: Option<MembersRef>,
        boxed: bool,
        returns: Option<TypeRef>,
        gen: bool,
        success_response: bool,
        allow_oob: bool,
        allow_preconfig: bool,
        coroutine: bool,
    },
    Event {
        data: Option<MembersRef>,
        boxed: bool,
    },
}

/// A checked definition.
#[derive(Clone, Debug, PartialEq)]
pub struct Definition {
    pub meta: Meta,
    pub name: Name,
    /// The whole expression; its start is the location QEMU reports.
    pub span: Span,
    pub doc: Option<DocId>,
    pub cond: Option<Cond>,
    pub features: Vec<FeatureDecl>,
    pub body: DefBody,
}

/// The checked top level, in source order.
// Items are made once per definition and moved, never stored in bulk by
// variant size, so boxing the large variant would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// An include directive (index into `ParsedSchema::exprs`).
    Include(usize),
    Definition(Definition),
}
