//! The schema as the server needs it at run time: generated as static
//! tables (`server::SCHEMA` in the bindings), read by the dispatcher.
//!
//! Tables known only at run time are built once and leaked, so that they
//! are the same `&'static` tables: [`Schema::from_introspection`] from a
//! `query-qmp-schema` reply, or any builder through [`leak_str`],
//! [`leak_slice`] and [`Schema::leak`] (`qmp-mock` builds them from a
//! schema file).
//!
//! Types are referred to by their index in [`Schema::types`].  The tables
//! hold what QEMU's generated visitors and command registrations hold:
//! member order, optionality, integer widths, enum values, union branches,
//! alternate branches by JSON type, command flags, and the features the
//! compatibility policy acts on (`deprecated`, `unstable`).

use super::qobject::QType;

/// Feature bit: `deprecated`.
pub const DEPRECATED: u8 = 1;
/// Feature bit: `unstable`.
pub const UNSTABLE: u8 = 2;

/// Command flag: `allow-oob`.
pub const ALLOW_OOB: u8 = 1;
/// Command flag: `allow-preconfig`.
pub const ALLOW_PRECONFIG: u8 = 2;
/// Command flag: `success-response: false` (no reply on success).
pub const NO_SUCCESS_RESPONSE: u8 = 4;
/// Command flag: `gen: false` (QEMU's handler takes the arguments
/// unchecked).
pub const NO_GEN: u8 = 8;
/// Command flag: `coroutine`.
pub const COROUTINE: u8 = 16;

/// A schema: its types, commands and events, and the `query-qmp-schema`
/// reply.
#[derive(Debug)]
pub struct Schema {
    /// Every type; the others refer to a type by its index here.
    pub types: &'static [Type],
    /// Every command.
    pub commands: &'static [CommandInfo],
    /// Every event.
    pub events: &'static [EventInfo],
    /// The `query-qmp-schema` reply.
    pub introspection: Node,
}

/// A type of the schema: a built-in type, or a definition.
#[derive(Debug)]
pub enum Type {
    /// `str`.
    Str,
    /// `number`.
    Number,
    /// `int`.
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
    /// `size`.
    Size,
    /// `bool`.
    Bool,
    /// `null`.
    Null,
    /// `any`.
    Any,
    /// An enum.
    Enum(Enum),
    /// A list of the type with this index.
    Array(u32),
    /// A struct, a union, or a command's or event's implicit type.
    Object(Object),
    /// An alternate.
    Alternate(Alternate),
}

impl Type {
    /// Whether the type is one of the integer types (JSON integers).
    pub fn is_integer(&self) -> bool {
        matches!(
            self,
            Type::Int
                | Type::Int8
                | Type::Int16
                | Type::Int32
                | Type::Int64
                | Type::Uint8
                | Type::Uint16
                | Type::Uint32
                | Type::Uint64
                | Type::Size
        )
    }
}

/// An enum.
#[derive(Debug)]
pub struct Enum {
    /// Its schema name.
    pub name: &'static str,
    /// Its values, in the schema's order.
    pub values: &'static [EnumValue],
}

/// An enum value.
#[derive(Debug)]
pub struct EnumValue {
    /// The value, as on the wire.
    pub name: &'static str,
    /// [`DEPRECATED`] and [`UNSTABLE`] bits.
    pub special: u8,
}

/// A struct, a union, or the implicit type of a command's arguments.
#[derive(Debug)]
pub struct Object {
    /// Its schema name (`q_obj_...-arg` for implicit types).
    pub name: &'static str,
    /// Every member, the base's first.
    pub members: &'static [Member],
    /// A union's discriminator member.
    pub tag: Option<&'static str>,
    /// A union's branches with members.
    pub variants: &'static [Variant],
}

/// A member of an object.
#[derive(Debug)]
pub struct Member {
    /// Its name, as on the wire.
    pub name: &'static str,
    /// Its type, an index in [`Schema::types`].
    pub ty: u32,
    /// It may be absent.
    pub optional: bool,
    /// [`DEPRECATED`] and [`UNSTABLE`] bits.
    pub special: u8,
}

/// A union's branch.
#[derive(Debug)]
pub struct Variant {
    /// The discriminator's value.
    pub value: &'static str,
    /// An object type whose members the branch adds.
    pub ty: u32,
}

/// An alternate.
#[derive(Debug)]
pub struct Alternate {
    /// Its schema name.
    pub name: &'static str,
    /// Its branches, in the schema's order.
    pub branches: &'static [Branch],
}

/// An alternate's branch.
#[derive(Debug)]
pub struct Branch {
    /// The JSON type that selects the branch.
    pub qtype: QType,
    /// Its type, an index in [`Schema::types`].
    pub ty: u32,
}

/// A command.
#[derive(Debug)]
pub struct CommandInfo {
    /// Its name, as on the wire.
    pub name: &'static str,
    /// An object type; `None` for a command without arguments.
    pub args: Option<u32>,
    /// The type it returns; `None` for none (an empty object).
    pub returns: Option<u32>,
    /// [`ALLOW_OOB`], [`ALLOW_PRECONFIG`], ... bits.
    pub flags: u8,
    /// [`DEPRECATED`] and [`UNSTABLE`] bits.
    pub special: u8,
}

/// An event.
#[derive(Debug)]
pub struct EventInfo {
    /// Its name, as on the wire.
    pub name: &'static str,
    /// Its data's type, an object type; `None` for no data.
    pub data: Option<u32>,
    /// [`DEPRECATED`] and [`UNSTABLE`] bits.
    pub special: u8,
}

impl Schema {
    /// Keep a schema built at run time for the rest of the program (a
    /// dispatcher holds `&'static` tables).
    pub fn leak(self) -> &'static Schema {
        Box::leak(Box::new(self))
    }
}

/// A string of a table built at run time, kept for the rest of the
/// program.
pub fn leak_str(text: &str) -> &'static str {
    Box::leak(text.to_string().into_boxed_str())
}

/// A slice of a table built at run time, kept for the rest of the program.
pub fn leak_slice<T>(items: Vec<T>) -> &'static [T] {
    Box::leak(items.into_boxed_slice())
}

/// The [`DEPRECATED`] and [`UNSTABLE`] bits of a feature list.
pub fn special(features: &[&str]) -> u8 {
    let mut bits = 0;
    if crate::is_deprecated(features) {
        bits |= DEPRECATED;
    }
    if crate::is_unstable(features) {
        bits |= UNSTABLE;
    }
    bits
}

/// A piece of the `query-qmp-schema` reply: JSON text, or a list or
/// object whose parts the `if` conditions select when the bindings are
/// compiled.
#[derive(Debug)]
pub enum Node {
    /// JSON text, as QEMU prints it.
    Json(&'static str),
    /// A list of the parts.
    List(&'static [Node]),
    /// An object of the keys and parts.
    Dict(&'static [(&'static str, Node)]),
}

impl Node {
    /// The JSON text, as QEMU prints it.
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Node::Json(text) => out.push_str(text),
            Node::List(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Node::Dict(entries) => {
                out.push('{');
                for (i, (key, value)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    super::qobject::write_str(out, key);
                    out.push_str(": ");
                    value.write(out);
                }
                out.push('}');
            }
        }
    }
}

// Short constructors, so that generated tables stay small.

/// A [`Member`].
pub const fn member(name: &'static str, ty: u32, optional: bool, special: u8) -> Member {
    Member {
        name,
        ty,
        optional,
        special,
    }
}

/// An [`EnumValue`].
pub const fn value(name: &'static str, special: u8) -> EnumValue {
    EnumValue { name, special }
}

/// A [`Variant`].
pub const fn variant(value: &'static str, ty: u32) -> Variant {
    Variant { value, ty }
}

/// A [`Branch`].
pub const fn branch(qtype: QType, ty: u32) -> Branch {
    Branch { qtype, ty }
}

/// A [`Type::Object`].
pub const fn object(
    name: &'static str,
    members: &'static [Member],
    tag: Option<&'static str>,
    variants: &'static [Variant],
) -> Type {
    Type::Object(Object {
        name,
        members,
        tag,
        variants,
    })
}

/// A [`CommandInfo`].
pub const fn command(
    name: &'static str,
    args: Option<u32>,
    returns: Option<u32>,
    flags: u8,
    special: u8,
) -> CommandInfo {
    CommandInfo {
        name,
        args,
        returns,
        flags,
        special,
    }
}

/// An [`EventInfo`].
pub const fn event(name: &'static str, data: Option<u32>, special: u8) -> EventInfo {
    EventInfo {
        name,
        data,
        special,
    }
}

/// `qmp_capabilities` for schemas that do not define it: QEMU's
/// definition (`{'*enable': ['QMPCapability']}`).
pub(crate) static BUILTIN: Schema = Schema {
    types: &[
        Type::Enum(Enum {
            name: "QMPCapability",
            values: &[value("oob", 0)],
        }),
        Type::Array(0),
        object(
            "q_obj_qmp_capabilities-arg",
            &[member("enable", 1, true, 0)],
            None,
            &[],
        ),
    ],
    commands: &[command(
        "qmp_capabilities",
        Some(2),
        None,
        ALLOW_PRECONFIG,
        0,
    )],
    events: &[],
    introspection: Node::List(&[]),
};
