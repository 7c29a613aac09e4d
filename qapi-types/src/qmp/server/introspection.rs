//! Server tables from a `query-qmp-schema` reply, for a schema known only
//! at run time (see [`Schema::from_introspection`]).

use std::collections::HashMap;
use std::fmt;

use super::json::parse_value;
use super::qobject::{QDict, QObject, QType};
use super::schema::{
    leak_slice, leak_str, special, Alternate, Branch, CommandInfo, Enum, EnumValue, EventInfo,
    Member, Node, Object, Schema, Type, Variant,
};

/// Why a `query-qmp-schema` reply does not make a schema: where (a path in
/// the reply, like `[12].members[3].type`) and what.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct IntrospectionError {
    /// Where, as a path into the reply (`[12].members[3].type`); empty
    /// for the reply as a whole.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for IntrospectionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "at {}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for IntrospectionError {}

fn error(path: &str, message: impl Into<String>) -> IntrospectionError {
    IntrospectionError {
        path: path.to_string(),
        message: message.into(),
    }
}

impl Schema {
    /// The schema a `query-qmp-schema` reply describes: the reply's JSON
    /// text, either the whole reply (`{"return": [...]}`), its `return`
    /// array, or a recorded exchange (`{"request": ..., "response":
    /// {"return": [...]}}`, a QMP corpus's `schema.json`).  The tables are made once and live as long as the program
    /// (they are leaked), like the tables of generated code.
    ///
    /// Introspection leaves out some of what the schema says, and the
    /// dispatcher then answers differently from the QEMU that sent the
    /// reply:
    /// - integer widths: every integer type is `int` (`int64`), so values
    ///   out of range of `int8` ... `uint32` are taken, values above
    ///   `int64`'s maximum refused, and a negative `uint64` is refused as
    ///   QEMU would not;
    /// - `gen: false` (QEMU's `device_add`): arguments are checked against
    ///   the declared members, where QEMU takes any;
    /// - `success-response: false`, `allow-preconfig` and `coroutine`:
    ///   every command gets a reply and runs in preconfig state;
    /// - type names: they are numbers, so the message for an alternate
    ///   given the wrong JSON type names a number where QEMU names the
    ///   type.
    pub fn from_introspection(text: &str) -> Result<&'static Schema, IntrospectionError> {
        let value = parse_value(text).map_err(|message| error("", message))?;
        // The shapes qapi-gen's import of a reply reads too
        // (`find_list` in `qapi-gen/src/schema/from_introspection.rs`).
        let reply = match &value {
            QObject::Dict(call) if !call.contains_key("return") => call.get("response"),
            value => Some(value),
        };
        let list = match reply {
            Some(QObject::List(list)) => list,
            Some(QObject::Dict(reply)) => match reply.get("return") {
                Some(QObject::List(list)) => list,
                _ => return Err(error("", "a reply without a `return` array")),
            },
            _ => return Err(error("", "neither an array nor a reply object")),
        };
        let mut builder = Builder::new(list)?;
        for (index, entry) in list.iter().enumerate() {
            builder.entity(index, entry)?;
        }
        Ok(Schema {
            // Every slot was filled by the entry it was made for.
            types: leak_slice(
                builder
                    .types
                    .into_iter()
                    .map(|t| t.unwrap_or(Type::Any))
                    .collect(),
            ),
            commands: leak_slice(builder.commands),
            events: leak_slice(builder.events),
            introspection: Node::Json(leak_str(&QObject::List(list.clone()).to_qemu_json())),
        }
        .leak())
    }
}

struct Builder<'a> {
    /// Type name to its index in `types`.
    index: HashMap<&'a str, u32>,
    /// What each type's JSON type is, for alternates' branches.
    qtypes: Vec<QType>,
    types: Vec<Option<Type>>,
    commands: Vec<CommandInfo>,
    events: Vec<EventInfo>,
}

fn path(index: usize, key: &str) -> String {
    format!("[{index}].{key}")
}

fn dict<'a>(value: &'a QObject, at: &str) -> Result<&'a QDict, IntrospectionError> {
    value
        .as_dict()
        .ok_or_else(|| error(at, "expected an object"))
}

fn text<'a>(dict: &'a QDict, key: &str, at: &str) -> Result<&'a str, IntrospectionError> {
    match dict.get(key) {
        Some(QObject::Str(text)) => Ok(text),
        Some(_) => Err(error(&format!("{at}.{key}"), "expected a string")),
        None => Err(error(at, format!("member '{key}' is missing"))),
    }
}

fn list<'a>(dict: &'a QDict, key: &str, at: &str) -> Result<&'a [QObject], IntrospectionError> {
    match dict.get(key) {
        Some(QObject::List(items)) => Ok(items),
        None => Ok(&[]),
        Some(_) => Err(error(&format!("{at}.{key}"), "expected an array")),
    }
}

/// The `deprecated`/`unstable` bits of an entry's `features`.
fn features(dict: &QDict, at: &str) -> Result<u8, IntrospectionError> {
    let items = list(dict, "features", at)?;
    let mut names = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        names.push(
            item.as_str()
                .ok_or_else(|| error(&format!("{at}.features[{i}]"), "expected a string"))?,
        );
    }
    Ok(special(&names))
}

impl<'a> Builder<'a> {
    /// Index every type by name, and note its JSON type.
    fn new(list: &'a [QObject]) -> Result<Builder<'a>, IntrospectionError> {
        let mut builder = Builder {
            index: HashMap::new(),
            qtypes: Vec::new(),
            types: Vec::new(),
            commands: Vec::new(),
            events: Vec::new(),
        };
        for (i, entry) in list.iter().enumerate() {
            let at = format!("[{i}]");
            let entry = dict(entry, &at)?;
            let name = text(entry, "name", &at)?;
            let qtype = match text(entry, "meta-type", &at)? {
                "command" | "event" => continue,
                "builtin" => match text(entry, "json-type", &at)? {
                    "string" => QType::Str,
                    "int" | "number" => QType::Num,
                    "boolean" => QType::Bool,
                    "null" => QType::Null,
                    "array" => QType::List,
                    // `value` (any) is never an alternate's branch.
                    _ => QType::Dict,
                },
                "enum" => QType::Str,
                "array" => QType::List,
                "object" | "alternate" => QType::Dict,
                other => {
                    return Err(error(
                        &path(i, "meta-type"),
                        format!("unknown meta-type '{other}'"),
                    ))
                }
            };
            let index = builder.types.len() as u32;
            if builder.index.insert(name, index).is_some() {
                return Err(error(
                    &path(i, "name"),
                    format!("type '{name}' is defined twice"),
                ));
            }
            builder.types.push(None);
            builder.qtypes.push(qtype);
        }
        Ok(builder)
    }

    fn type_ref(&self, dict: &QDict, key: &str, at: &str) -> Result<u32, IntrospectionError> {
        let name = text(dict, key, at)?;
        self.index
            .get(name)
            .copied()
            .ok_or_else(|| error(&format!("{at}.{key}"), format!("no type is named '{name}'")))
    }

    fn entity(&mut self, i: usize, entry: &QObject) -> Result<(), IntrospectionError> {
        let at = format!("[{i}]");
        let entry = dict(entry, &at)?;
        let name = text(entry, "name", &at)?;
        let special = features(entry, &at)?;
        let ty = match text(entry, "meta-type", &at)? {
            "command" => {
                let args = self.type_ref(entry, "arg-type", &at)?;
                let returns = self.type_ref(entry, "ret-type", &at)?;
                let oob = matches!(entry.get("allow-oob"), Some(QObject::Bool(true)));
                let flags =
                    super::schema::ALLOW_PRECONFIG | if oob { super::schema::ALLOW_OOB } else { 0 };
                self.commands.push(CommandInfo {
                    name: leak_str(name),
                    args: Some(args),
                    returns: Some(returns),
                    flags,
                    special,
                });
                return Ok(());
            }
            "event" => {
                let data = match entry.get("arg-type") {
                    Some(_) => Some(self.type_ref(entry, "arg-type", &at)?),
                    None => None,
                };
                self.events.push(EventInfo {
                    name: leak_str(name),
                    data,
                    special,
                });
                return Ok(());
            }
            "builtin" => match text(entry, "json-type", &at)? {
                "string" => Type::Str,
                "int" => Type::Int,
                "number" => Type::Number,
                "boolean" => Type::Bool,
                "null" => Type::Null,
                _ => Type::Any,
            },
            "enum" => Type::Enum(self.enumeration(name, entry, &at)?),
            "array" => Type::Array(self.type_ref(entry, "element-type", &at)?),
            "object" => Type::Object(self.object(name, entry, &at)?),
            _ => Type::Alternate(self.alternate(name, entry, &at)?),
        };
        let index = self.index[name] as usize;
        self.types[index] = Some(ty);
        Ok(())
    }

    fn enumeration(&self, name: &str, entry: &QDict, at: &str) -> Result<Enum, IntrospectionError> {
        let mut values = Vec::new();
        // QEMU 6.2 added `members` (with features) beside `values`.
        if entry.contains_key("members") {
            for (j, member) in list(entry, "members", at)?.iter().enumerate() {
                let at = format!("{at}.members[{j}]");
                let member = dict(member, &at)?;
                values.push(EnumValue {
                    name: leak_str(text(member, "name", &at)?),
                    special: features(member, &at)?,
                });
            }
        } else {
            for (j, value) in list(entry, "values", at)?.iter().enumerate() {
                let value = value
                    .as_str()
                    .ok_or_else(|| error(&format!("{at}.values[{j}]"), "expected a string"))?;
                values.push(EnumValue {
                    name: leak_str(value),
                    special: 0,
                });
            }
        }
        Ok(Enum {
            name: leak_str(name),
            values: leak_slice(values),
        })
    }

    fn object(&self, name: &str, entry: &QDict, at: &str) -> Result<Object, IntrospectionError> {
        let mut members = Vec::new();
        for (j, member) in list(entry, "members", at)?.iter().enumerate() {
            let at = format!("{at}.members[{j}]");
            let member = dict(member, &at)?;
            members.push(Member {
                name: leak_str(text(member, "name", &at)?),
                ty: self.type_ref(member, "type", &at)?,
                // An optional member is one with a `default` (always null).
                optional: member.contains_key("default"),
                special: features(member, &at)?,
            });
        }
        let tag = match entry.get("tag") {
            Some(_) => Some(leak_str(text(entry, "tag", at)?)),
            None => None,
        };
        let mut variants = Vec::new();
        for (j, variant) in list(entry, "variants", at)?.iter().enumerate() {
            let at = format!("{at}.variants[{j}]");
            let variant = dict(variant, &at)?;
            variants.push(Variant {
                value: leak_str(text(variant, "case", &at)?),
                ty: self.type_ref(variant, "type", &at)?,
            });
        }
        Ok(Object {
            name: leak_str(name),
            members: leak_slice(members),
            tag,
            variants: leak_slice(variants),
        })
    }

    fn alternate(
        &self,
        name: &str,
        entry: &QDict,
        at: &str,
    ) -> Result<Alternate, IntrospectionError> {
        let mut branches = Vec::new();
        for (j, member) in list(entry, "members", at)?.iter().enumerate() {
            let at = format!("{at}.members[{j}]");
            let ty = self.type_ref(dict(member, &at)?, "type", &at)?;
            branches.push(Branch {
                qtype: self.qtypes[ty as usize],
                ty,
            });
        }
        Ok(Alternate {
            name: leak_str(name),
            branches: leak_slice(branches),
        })
    }
}
