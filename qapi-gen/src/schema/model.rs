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
pub struct EntityId(
    /// The index.
    pub u32,
);

/// Entities that are types.
pub type TypeId = EntityId;

/// Index of a module in [`Schema::modules`].
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ModuleId(
    /// The index.
    pub u32,
);

/// A checked, resolved schema: its modules, entities and documentation,
/// as [`load`](crate::load) or [`Builder::load`](crate::Builder::load)
/// make it.  Entities refer to each other by [`EntityId`]; look one up by
/// name with [`Schema::lookup`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Schema {
    /// `./builtin` first, then the root file and every included file in
    /// the order QEMU creates them.
    pub modules: Vec<Module>,
    /// Every entity in definition order: built-ins first.
    pub entities: Vec<Entity>,
    /// Every documentation block, free-form and definition, in source order.
    pub docs: Vec<Doc>,
    /// The `pragma` directives of all files.
    pub pragma: Pragma,
    /// The files read, for locating and rendering spans.
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

/// A file of the schema, as QEMU's `QAPISchemaModule`.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Module {
    /// As QEMU names it: `./builtin`, or the file's path relative to the
    /// root file's directory.
    pub name: String,
    /// What the module holds, in order.
    pub items: Vec<ModuleItem>,
}

/// What a module holds: its definitions and include directives.
#[derive(Clone, Debug, PartialEq)]
pub enum ModuleItem {
    /// A definition (or an implicit type made for one).
    Entity(EntityId),
    /// An include directive naming another module.
    Include {
        /// The included module.
        module: ModuleId,
        /// The directive.
        span: Span,
    },
}

/// A named thing of the schema: a type, a command or an event (QEMU's
/// `QAPISchemaEntity`).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Entity {
    /// Its name in the schema (and on the wire).
    pub name: String,
    /// Where it was defined; `None` for built-ins.
    pub span: Option<Span>,
    /// The module that defines it.
    pub module: ModuleId,
    /// Its documentation block, if any.
    pub doc: Option<DocId>,
    /// Its `if` condition, if any.
    pub cond: Option<Cond>,
    /// Its features (`deprecated`, `unstable`, ...).
    pub features: Vec<Feature>,
    /// What it is.
    pub kind: EntityKind,
}

/// The kinds of entity, each with what it holds.
#[derive(Clone, Debug)]
pub enum EntityKind {
    /// A built-in scalar type (`str`, `int`, ...).
    Builtin(BuiltinType),
    /// An enumeration.
    Enum(EnumType),
    /// A list type (`['T']`, named `TList`).
    Array(ArrayType),
    /// A struct, a union, or an implicit object type.
    Object(ObjectType),
    /// An alternate.
    Alternate(AlternateType),
    /// A command.
    Command(Command),
    /// An event.
    Event(Event),
}

/// A feature of a definition, member or enum value.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Feature {
    /// Its name.
    pub name: String,
    /// Where it is declared; `None` when made by the generator.
    pub span: Option<Span>,
    /// Its `if` condition, if any.
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
    /// A string.
    String,
    /// A number (integer or not).
    Number,
    /// An integer.
    Int,
    /// `true` or `false`.
    Boolean,
    /// `null`.
    Null,
    /// An object.
    Object,
    /// An array.
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
    /// `str`: a string.
    Str,
    /// `number`: a double.
    Number,
    /// `int`: a signed 64-bit integer.
    Int,
    /// `int8`.
    Int8,
    /// `int16`.
    Int16,
    /// `int32`.
    Int32,
    /// `int64`.
    Int64,
    /// `uint8`.
    Uint8,
    /// `uint16`.
    Uint16,
    /// `uint32`.
    Uint32,
    /// `uint64`.
    Uint64,
    /// `size`: an unsigned 64-bit byte count.
    Size,
    /// `bool`.
    Bool,
    /// `null`: only the JSON `null`.
    Null,
    /// `any`: any JSON value.
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

    /// Its name in schemas (`str`, `int8`, ...).
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

    /// The JSON type of its values.
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

/// A built-in type.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct BuiltinType {
    /// Which one.
    pub builtin: Builtin,
}

/// An enumeration.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct EnumType {
    /// Its values, in order.
    pub members: Vec<EnumMember>,
    /// The `prefix` of its C constants, when given.
    pub prefix: Option<String>,
}

/// A value of an enumeration.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct EnumMember {
    /// The value, as on the wire.
    pub name: String,
    /// Where it is declared; `None` when made by the generator.
    pub span: Option<Span>,
    /// Its `if` condition, if any.
    pub cond: Option<Cond>,
    /// Its features.
    pub features: Vec<Feature>,
}

/// A list type.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ArrayType {
    /// The type of its elements.
    pub element: TypeId,
}

/// A struct, a union (an object with variants), or an implicit object.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ObjectType {
    /// The base type, whose members come first.
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

/// A member of an object type.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Member {
    /// Its name, as on the wire (without the `*` of optional members).
    pub name: String,
    /// Its type.
    pub ty: TypeId,
    /// Whether it may be absent.
    pub optional: bool,
    /// Where it is declared; `None` when made by the generator.
    pub span: Option<Span>,
    /// Its `if` condition, if any.
    pub cond: Option<Cond>,
    /// Its features.
    pub features: Vec<Feature>,
    /// The type that declares it (differs from the holder for members
    /// inherited from a base).
    pub defined_in: TypeId,
}

/// Branches selected by a tag: a union's discriminator member, or an
/// alternate's implicit `type` (the JSON type of the value).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Variants {
    /// The tag member's name (`type` for alternates).
    pub tag: String,
    /// The tag's enum type: the discriminator's for unions, `QType` for
    /// alternates (as QEMU's implicit tag member).
    pub tag_type: Option<TypeId>,
    /// The branches, in order.
    pub variants: Vec<Variant>,
}

/// A branch of a union or an alternate.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Variant {
    /// The tag value that selects it (for alternates, the branch name).
    pub name: String,
    /// Its type.
    pub ty: TypeId,
    /// Where it is declared; `None` when made by the generator.
    pub span: Option<Span>,
    /// Its `if` condition, if any.
    pub cond: Option<Cond>,
}

/// An alternate: a value of one of several types, told apart by its JSON
/// type.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct AlternateType {
    /// The branches, with the implicit `type` tag.
    pub variants: Variants,
}

/// A command and its flags, as declared.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Command {
    /// An object type (implicit `q_obj_<name>-arg` for inline arguments),
    /// or with `boxed` any object or union.
    pub arg_type: Option<TypeId>,
    /// What it returns; `None` for nothing (an empty object on the wire).
    pub ret_type: Option<TypeId>,
    /// `boxed`: the arguments are one value of `arg_type`.
    pub boxed: bool,
    /// `gen`: false when QEMU's generator leaves the marshalling to
    /// hand-written code (the arguments are not checked).
    pub gen: bool,
    /// `success-response`: false when a success sends no reply.
    pub success_response: bool,
    /// `allow-oob`: may run out of band.
    pub allow_oob: bool,
    /// `allow-preconfig`: may run before the machine is configured.
    pub allow_preconfig: bool,
    /// `coroutine`: runs in a coroutine in QEMU.
    pub coroutine: bool,
}

/// An event.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Event {
    /// The type of its `data`, if any.
    pub arg_type: Option<TypeId>,
    /// `boxed`: the data is one value of `arg_type`.
    pub boxed: bool,
}

impl Schema {
    /// The entity `id`.
    pub fn entity(&self, id: EntityId) -> &Entity {
        &self.entities[id.0 as usize]
    }

    /// The entity named `name`, if there is one.
    pub fn lookup(&self, name: &str) -> Option<EntityId> {
        self.by_name.get(name).copied()
    }

    /// The module `id`.
    pub fn module(&self, id: ModuleId) -> &Module {
        &self.modules[id.0 as usize]
    }

    /// The documentation block `id`.
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

    /// Every command, in definition order.
    pub fn commands(&self) -> impl Iterator<Item = (&Entity, &Command)> {
        self.entities.iter().filter_map(|e| match &e.kind {
            EntityKind::Command(c) => Some((e, c)),
            _ => None,
        })
    }

    /// Every event, in definition order.
    pub fn events(&self) -> impl Iterator<Item = (&Entity, &Event)> {
        self.entities.iter().filter_map(|e| match &e.kind {
            EntityKind::Event(ev) => Some((e, ev)),
            _ => None,
        })
    }
}
