//! The resolved schema: what every back end reads (QEMU's `schema.py`
//! entities).  Names are resolved to [`TypeId`]s, implicit types
//! (`q_obj_<name>-arg`, `q_obj_<name>-base`, `q_empty`, `<T>List`) exist
//! as entities, and everything keeps its declaration order and its span.

use std::collections::HashMap;

pub use crate::check::ast::Cond;
use crate::diag::{Diagnostic, SourceMap, Span};
use crate::parse::Pragma;
use crate::schema::doc::{Doc, DocId};

/// Index of an entity in [`Schema::entities`].
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntityId(pub u32);

/// Entities that are types.
pub type TypeId = EntityId;

/// Index of a module in [`Schema::modules`].
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ModuleId(pub u32);

#[derive(Clone, Debug)]
pub struct Schema {
    /// `./builtin` first, then the root file and every included file in
    /// the order QEMU creates them.
    pub modules: Vec<Module>,
    /// Every entity in definition order: built-ins first.
    pub entities: Vec<Entity>,
    /// Every documentation block, free-form and definition, in source order.
    pub docs: Vec<Doc>,
    pub pragma: Pragma,
    pub sources: SourceMap,
    /// The release whose rules the schema was held to.
    pub rules: crate::rules::Rules,
    /// Doc-comment rules the schema breaks, when it was loaded with
    /// [`DocMode::Lenient`](crate::parse::DocMode); always empty otherwise.
    pub warnings: Vec<Diagnostic>,
    /// For a model spanning several QEMU versions
    /// ([`compat::span`](crate::compat::span)): which versions have each
    /// item.  `None` for the model of one schema.
    pub versions: Option<Box<crate::compat::Versions>>,
    pub(crate) by_name: HashMap<String, EntityId>,
}

#[derive(Clone, Debug)]
pub struct Module {
    /// As QEMU names it: `./builtin`, or the file's path relative to the
    /// root file's directory.
    pub name: String,
    /// What the module holds, in order.
    pub items: Vec<ModuleItem>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ModuleItem {
    Entity(EntityId),
    /// An include directive naming another module.
    Include {
        module: ModuleId,
        span: Span,
    },
}

#[derive(Clone, Debug)]
pub struct Entity {
    pub name: String,
    /// Where it was defined; `None` for built-ins.
    pub span: Option<Span>,
    pub module: ModuleId,
    pub doc: Option<DocId>,
    pub cond: Option<Cond>,
    pub features: Vec<Feature>,
    pub kind: EntityKind,
}

#[derive(Clone, Debug)]
pub enum EntityKind {
    Builtin(BuiltinType),
    Enum(EnumType),
    Array(ArrayType),
    Object(ObjectType),
    Alternate(AlternateType),
    Command(Command),
    Event(Event),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Feature {
    pub name: String,
    pub span: Option<Span>,
    pub cond: Option<Cond>,
}

impl Feature {
    /// `deprecated` and `unstable` have meaning to QEMU's generator.
    pub fn is_special(&self) -> bool {
        self.name == "deprecated" || self.name == "unstable"
    }
}

/// The JSON type a value of a type has on the wire.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum JsonType {
    String,
    Number,
    Int,
    Boolean,
    Null,
    Object,
    Array,
    /// `any`: every JSON type.
    Value,
}

impl JsonType {
    /// As QEMU's introspection names it.
    pub fn as_str(self) -> &'static str {
        match self {
            JsonType::String => "string",
            JsonType::Number => "number",
            JsonType::Int => "int",
            JsonType::Boolean => "boolean",
            JsonType::Null => "null",
            JsonType::Object => "object",
            JsonType::Array => "array",
            JsonType::Value => "value",
        }
    }
}

/// The built-in scalar types.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Builtin {
    Str,
    Number,
    Int,
    Int8,
    Int16,
    Int32,
    Int64,
    Uint8,
    Uint16,
    Uint32,
    Uint64,
    Size,
    Bool,
    Null,
    Any,
}

impl Builtin {
    /// Every built-in, in the order QEMU defines them.
    pub const ALL: [Builtin; 15] = [
        Builtin::Str,
        Builtin::Number,
        Builtin::Int,
        Builtin::Int8,
        Builtin::Int16,
        Builtin::Int32,
        Builtin::Int64,
        Builtin::Uint8,
        Builtin::Uint16,
        Builtin::Uint32,
        Builtin::Uint64,
        Builtin::Size,
        Builtin::Bool,
        Builtin::Any,
        Builtin::Null,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Builtin::Str => "str",
            Builtin::Number => "number",
            Builtin::Int => "int",
            Builtin::Int8 => "int8",
            Builtin::Int16 => "int16",
            Builtin::Int32 => "int32",
            Builtin::Int64 => "int64",
            Builtin::Uint8 => "uint8",
            Builtin::Uint16 => "uint16",
            Builtin::Uint32 => "uint32",
            Builtin::Uint64 => "uint64",
            Builtin::Size => "size",
            Builtin::Bool => "bool",
            Builtin::Null => "null",
            Builtin::Any => "any",
        }
    }

    pub fn json_type(self) -> JsonType {
        match self {
            Builtin::Str => JsonType::String,
            Builtin::Number => JsonType::Number,
            Builtin::Bool => JsonType::Boolean,
            Builtin::Null => JsonType::Null,
            Builtin::Any => JsonType::Value,
            _ => JsonType::Int,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct BuiltinType {
    pub builtin: Builtin,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EnumType {
    pub members: Vec<EnumMember>,
    pub prefix: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EnumMember {
    pub name: String,
    pub span: Option<Span>,
    pub cond: Option<Cond>,
    pub features: Vec<Feature>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ArrayType {
    pub element: TypeId,
}

/// A struct, a union (an object with variants), or an implicit object.
#[derive(Clone, Debug, PartialEq)]
pub struct ObjectType {
    pub base: Option<TypeId>,
    /// All members: the base's (recursively) first, then the local ones.
    pub members: Vec<Member>,
    /// How many of `members` come from the base.
    pub base_member_count: usize,
    /// A union's branches, selected by a member of the base.
    pub variants: Option<Variants>,
    /// Made by the generator (`q_obj_...`, `q_empty`), not written.
    pub implicit: bool,
}

impl ObjectType {
    /// The members the type itself declares.
    pub fn local_members(&self) -> &[Member] {
        &self.members[self.base_member_count..]
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    pub name: String,
    pub ty: TypeId,
    pub optional: bool,
    pub span: Option<Span>,
    pub cond: Option<Cond>,
    pub features: Vec<Feature>,
    /// The type that declares it (differs from the holder for members
    /// inherited from a base).
    pub defined_in: TypeId,
}

/// Branches selected by a tag: a union's discriminator member, or an
/// alternate's implicit `type` (the JSON type of the value).
#[derive(Clone, Debug, PartialEq)]
pub struct Variants {
    /// The tag member's name (`type` for alternates).
    pub tag: String,
    /// The tag's enum type: the discriminator's for unions, `QType` for
    /// alternates (as QEMU's implicit tag member).
    pub tag_type: Option<TypeId>,
    pub variants: Vec<Variant>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
    pub name: String,
    pub ty: TypeId,
    pub span: Option<Span>,
    pub cond: Option<Cond>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AlternateType {
    pub variants: Variants,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Command {
    /// An object type (implicit `q_obj_<name>-arg` for inline arguments),
    /// or with `boxed` any object or union.
    pub arg_type: Option<TypeId>,
    pub ret_type: Option<TypeId>,
    pub boxed: bool,
    pub gen: bool,
    pub success_response: bool,
    pub allow_oob: bool,
    pub allow_preconfig: bool,
    pub coroutine: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub arg_type: Option<TypeId>,
    pub boxed: bool,
}

impl Schema {
    pub fn entity(&self, id: EntityId) -> &Entity {
        &self.entities[id.0 as usize]
    }

    pub fn lookup(&self, name: &str) -> Option<EntityId> {
        self.by_name.get(name).copied()
    }

    pub fn module(&self, id: ModuleId) -> &Module {
        &self.modules[id.0 as usize]
    }

    pub fn doc(&self, id: DocId) -> &Doc {
        &self.docs[id]
    }

    /// Each of [`Schema::warnings`] rendered as an error would be
    /// (`file:line:col: warning: ...`, snippet).
    pub fn rendered_warnings(&self) -> Vec<String> {
        self.warnings
            .iter()
            .map(|w| w.render(&self.sources))
            .collect()
    }

    /// Iterate over entities with their ids.
    pub fn iter(&self) -> impl Iterator<Item = (EntityId, &Entity)> {
        self.entities
            .iter()
            .enumerate()
            .map(|(i, e)| (EntityId(i as u32), e))
    }

    pub fn commands(&self) -> impl Iterator<Item = (&Entity, &Command)> {
        self.entities.iter().filter_map(|e| match &e.kind {
            EntityKind::Command(c) => Some((e, c)),
            _ => None,
        })
    }

    pub fn events(&self) -> impl Iterator<Item = (&Entity, &Event)> {
        self.entities.iter().filter_map(|e| match &e.kind {
            EntityKind::Event(ev) => Some((e, ev)),
            _ => None,
        })
    }
}
