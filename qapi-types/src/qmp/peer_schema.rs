//! Run-time capability checks: what the connected QEMU has, from its
//! `query-qmp-schema` reply.
//!
//! A program built on bindings of one schema (or spanning several) meets
//! QEMUs that lack some of its commands, members or enum values.  Both
//! clients fetch the peer's schema once, on first use
//! (`client.peer_schema()`), and answer from it, typed by the generated
//! items:
//!
//! ```ignore
//! if client.supports::<commands::QueryAccelerators>()? { ... }
//! let schema = client.peer_schema()?;
//! schema.supports_member::<BlockdevOptionsFile>("aio-max-batch");
//! schema.supports_value(&BlockdevDriver::IoUring);
//! ```
//!
//! A reply names commands and events but masks type names as numbers;
//! types are found by the way to them from a command or event, their
//! [`Object::ROUTE`] and [`Enum::ROUTE`], which the generator writes.  The
//! same ways can be written by hand, as libvirt's query strings
//! ([`PeerSchema::query`]).
//!
//! With [`Options::check_commands`](super::Options::check_commands),
//! `execute` of a command the peer lacks fails before anything is sent,
//! with [`Error::Unsupported`] naming the
//! peer's version.

use std::collections::HashMap;
use std::sync::Arc;

use serde::de::Error as _;
use serde_json::{Map, Value};

use super::{Error, VersionInfo};
use crate::{Command, DecodeError, Enum, Event, Object};

/// The connected QEMU's schema, from its `query-qmp-schema` reply.
#[derive(Clone, Debug)]
pub struct PeerSchema {
    version: VersionInfo,
    entries: HashMap<String, Entry>,
}

/// One `SchemaInfo`, as much of it as the checks read.
#[derive(Clone, Debug)]
enum Entry {
    Command {
        arg_type: String,
        ret_type: String,
        features: Vec<String>,
    },
    Event {
        arg_type: String,
        features: Vec<String>,
    },
    Object {
        members: Vec<MemberInfo>,
        variants: Vec<(String, String)>,
        features: Vec<String>,
    },
    Enum {
        values: Vec<(String, Vec<String>)>,
        features: Vec<String>,
    },
    Array {
        element: String,
    },
    /// Built-in and alternate types: nothing to enter.
    Other {
        features: Vec<String>,
    },
}

#[derive(Clone, Debug)]
struct MemberInfo {
    name: String,
    ty: String,
    optional: bool,
    features: Vec<String>,
}

/// Where a query led: an entry, and the features of the step that led
/// there (a member's, else the entry's).
struct Found<'a> {
    entry: &'a Entry,
    features: &'a [String],
}

impl PeerSchema {
    /// Index a `query-qmp-schema` reply: the `return` list, the whole
    /// reply, or a recorded exchange (`{"request": .., "response": {"return":
    /// [..]}}`, as the server's `Schema::from_introspection` and qapi-gen's
    /// import read them); `version` is the peer's (from its greeting).  The
    /// error names the element at fault (`[12].members[3].name`).
    pub fn from_reply(reply: &Value, version: VersionInfo) -> Result<PeerSchema, DecodeError> {
        let list = match reply {
            Value::Array(list) => list,
            Value::Object(object) => match object
                .get("return")
                .or_else(|| object.get("response")?.get("return"))
            {
                Some(Value::Array(list)) => list,
                _ => {
                    return Err(error(
                        "",
                        "expected a list of SchemaInfo or {\"return\": [...]}",
                    ))
                }
            },
            _ => return Err(error("", "expected a list of SchemaInfo")),
        };
        let mut entries = HashMap::with_capacity(list.len());
        for (index, info) in list.iter().enumerate() {
            let path = format!("[{index}]");
            let info = info
                .as_object()
                .ok_or_else(|| error(&path, "expected a SchemaInfo object"))?;
            let name = string(info, "name", &path)?;
            entries.insert(name.to_string(), entry(info, &path)?);
        }
        Ok(PeerSchema { version, entries })
    }

    /// The peer's version, as its greeting says.
    pub fn version(&self) -> &VersionInfo {
        &self.version
    }

    /// Whether the peer has the command named `name`.
    pub fn has_command(&self, name: &str) -> bool {
        matches!(self.entries.get(name), Some(Entry::Command { .. }))
    }

    /// Whether the peer has the event named `name`.
    pub fn has_event(&self, name: &str) -> bool {
        matches!(self.entries.get(name), Some(Entry::Event { .. }))
    }

    /// Whether the peer has command `C`.
    pub fn supports<C: Command>(&self) -> bool {
        self.has_command(C::NAME)
    }

    /// Whether the peer has event `E`.
    pub fn supports_event<E: Event>(&self) -> bool {
        self.has_event(E::NAME)
    }

    /// Whether the peer has type `T` where the bindings have it
    /// ([`Object::ROUTE`]; for a command's arguments or an event's data,
    /// the command or event its `TYPE_NAME` names).  `false` when no
    /// command or event reaches `T` in the bindings.
    pub fn supports_type<T: Object>(&self) -> bool {
        self.object_of::<T>().is_some()
    }

    /// Whether the peer's `T` has member `member` (a command's type: an
    /// argument).
    pub fn supports_member<T: Object>(&self, member: &str) -> bool {
        self.member::<T>(member).is_some()
    }

    /// Whether the peer's enum `E` has `value`.
    pub fn supports_value<E: Enum>(&self, value: &E) -> bool {
        self.value(E::ROUTE, value.as_str()).is_some()
    }

    /// The peer's features of command `C` (`deprecated`, `unstable`);
    /// `None` if it lacks the command.
    pub fn command_features<C: Command>(&self) -> Option<&[String]> {
        match self.entries.get(C::NAME)? {
            Entry::Command { features, .. } => Some(features),
            _ => None,
        }
    }

    /// The peer's features of member `member` of `T`; `None` if it lacks
    /// the member.
    pub fn member_features<T: Object>(&self, member: &str) -> Option<&[String]> {
        self.member::<T>(member).map(|m| m.features.as_slice())
    }

    /// The peer's features of `value` of enum `E`; `None` if it lacks the
    /// value.
    pub fn value_features<E: Enum>(&self, value: &E) -> Option<&[String]> {
        self.value(E::ROUTE, value.as_str())
    }

    /// Whether a libvirt-style query holds:
    ///
    /// - `NAME`: the peer has the command or event;
    /// - `NAME/arg-type` or `NAME/ret-type`, then member names (`*name`:
    ///   the member must be optional) and branches (`+case`), through
    ///   arrays: that way leads somewhere in the peer's schema;
    /// - a last component `^VALUE`: where it leads is an enum with that
    ///   value; `$FEATURE`: what it leads to (the last member, else the
    ///   type, command or event) has that feature.
    ///
    /// `blockdev-add/arg-type/+file/aio-max-batch`,
    /// `query-block/ret-type/inserted/detect_zeroes/^unmap`,
    /// `block-job-pause/$deprecated`.
    pub fn query(&self, query: &str) -> bool {
        let (path, last) = match query.rsplit_once('/') {
            Some((path, last)) if last.starts_with(['^', '$']) => (path, Some(last)),
            _ if query.starts_with(['^', '$']) => return false,
            _ => (query, None),
        };
        let Some(found) = self.resolve(path) else {
            return false;
        };
        match last {
            None => true,
            Some(last) => match last.split_at(1) {
                ("^", value) => match found.entry {
                    Entry::Enum { values, .. } => values.iter().any(|(v, _)| v == value),
                    _ => false,
                },
                (_, feature) => found.features.iter().any(|f| f == feature),
            },
        }
    }

    /// Follow a route: `NAME`, `NAME/arg-type`, then members and `+case`
    /// branches.
    fn resolve(&self, route: &str) -> Option<Found<'_>> {
        let mut steps = route.split('/');
        let entry = self.entries.get(steps.next()?)?;
        let mut found = Found {
            entry,
            features: features_of(entry),
        };
        for step in steps {
            let next: (&String, &[String]) = match (found.entry, step) {
                (Entry::Command { arg_type, .. }, "arg-type") => (arg_type, &[]),
                (Entry::Command { ret_type, .. }, "ret-type") => (ret_type, &[]),
                (Entry::Event { arg_type, .. }, "arg-type") => (arg_type, &[]),
                (Entry::Object { variants, .. }, step) if step.starts_with('+') => {
                    let (_, ty) = variants.iter().find(|(case, _)| case == &step[1..])?;
                    (ty, &[])
                }
                (Entry::Object { members, .. }, step) => {
                    let (name, optional_only) = match step.strip_prefix('*') {
                        Some(name) => (name, true),
                        None => (step, false),
                    };
                    let member = members.iter().find(|m| m.name == name)?;
                    if optional_only && !member.optional {
                        return None;
                    }
                    (&member.ty, &member.features)
                }
                _ => return None,
            };
            let entry = self.through_arrays(next.0)?;
            let features = if next.1.is_empty() {
                features_of(entry)
            } else {
                next.1
            };
            found = Found { entry, features };
        }
        Some(found)
    }

    fn through_arrays(&self, name: &str) -> Option<&Entry> {
        let mut entry = self.entries.get(name)?;
        while let Entry::Array { element } = entry {
            entry = self.entries.get(element)?;
        }
        Some(entry)
    }

    /// The object a route leads to.
    fn object(&self, route: &str) -> Option<&[MemberInfo]> {
        if route.is_empty() {
            return None;
        }
        match self.resolve(route)?.entry {
            Entry::Object { members, .. } => Some(members),
            _ => None,
        }
    }

    /// The members of the peer's `T`: by its route, else (a command's
    /// arguments, an event's data) by the command or event of its name.
    fn object_of<T: Object>(&self) -> Option<&[MemberInfo]> {
        if !T::ROUTE.is_empty() {
            return self.object(T::ROUTE);
        }
        let arg_type = match self.entries.get(T::TYPE_NAME)? {
            Entry::Command { arg_type, .. } | Entry::Event { arg_type, .. } => arg_type,
            _ => return None,
        };
        match self.through_arrays(arg_type)? {
            Entry::Object { members, .. } => Some(members),
            _ => None,
        }
    }

    fn member<T: Object>(&self, member: &str) -> Option<&MemberInfo> {
        self.object_of::<T>()?.iter().find(|m| m.name == member)
    }

    /// The features of `value` of the enum a route leads to.
    fn value(&self, route: &str, value: &str) -> Option<&[String]> {
        if route.is_empty() {
            return None;
        }
        match self.resolve(route)?.entry {
            Entry::Enum { values, .. } => values
                .iter()
                .find(|(v, _)| v == value)
                .map(|(_, features)| features.as_slice()),
            _ => None,
        }
    }
}

fn features_of(entry: &Entry) -> &[String] {
    match entry {
        Entry::Command { features, .. }
        | Entry::Event { features, .. }
        | Entry::Object { features, .. }
        | Entry::Enum { features, .. }
        | Entry::Other { features } => features,
        Entry::Array { .. } => &[],
    }
}

fn error(path: &str, message: &str) -> DecodeError {
    DecodeError {
        path: path.to_string(),
        error: serde_json::Error::custom(message),
    }
}

fn string<'v>(
    object: &'v Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<&'v str, DecodeError> {
    match object.get(key) {
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(error(&format!("{path}.{key}"), "expected a string")),
        None => Err(error(path, &format!("missing member '{key}'"))),
    }
}

fn list<'v>(
    object: &'v Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<&'v [Value], DecodeError> {
    match object.get(key) {
        Some(Value::Array(list)) => Ok(list),
        None => Ok(&[]),
        Some(_) => Err(error(&format!("{path}.{key}"), "expected a list")),
    }
}

fn feature_list(object: &Map<String, Value>, path: &str) -> Result<Vec<String>, DecodeError> {
    list(object, "features", path)?
        .iter()
        .enumerate()
        .map(|(i, f)| {
            f.as_str()
                .map(str::to_string)
                .ok_or_else(|| error(&format!("{path}.features[{i}]"), "expected a string"))
        })
        .collect()
}

/// A JSON object of a reply, with its path (`[3].members[1]`).
type Located<'v> = (String, &'v Map<String, Value>);

fn objects<'v>(
    object: &'v Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Vec<Located<'v>>, DecodeError> {
    list(object, key, path)?
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let item_path = format!("{path}.{key}[{i}]");
            let item = item
                .as_object()
                .ok_or_else(|| error(&item_path, "expected an object"))?;
            Ok((item_path, item))
        })
        .collect()
}

fn entry(info: &Map<String, Value>, path: &str) -> Result<Entry, DecodeError> {
    let features = feature_list(info, path)?;
    Ok(match string(info, "meta-type", path)? {
        "command" => Entry::Command {
            arg_type: string(info, "arg-type", path)?.to_string(),
            ret_type: string(info, "ret-type", path)?.to_string(),
            features,
        },
        "event" => Entry::Event {
            arg_type: string(info, "arg-type", path)?.to_string(),
            features,
        },
        "object" => {
            let mut members = Vec::new();
            for (member_path, member) in objects(info, "members", path)? {
                members.push(MemberInfo {
                    name: string(member, "name", &member_path)?.to_string(),
                    ty: string(member, "type", &member_path)?.to_string(),
                    optional: member.contains_key("default"),
                    features: feature_list(member, &member_path)?,
                });
            }
            let mut variants = Vec::new();
            for (variant_path, variant) in objects(info, "variants", path)? {
                variants.push((
                    string(variant, "case", &variant_path)?.to_string(),
                    string(variant, "type", &variant_path)?.to_string(),
                ));
            }
            Entry::Object {
                members,
                variants,
                features,
            }
        }
        "enum" => {
            let mut values = Vec::new();
            if info.contains_key("members") {
                for (value_path, value) in objects(info, "members", path)? {
                    values.push((
                        string(value, "name", &value_path)?.to_string(),
                        feature_list(value, &value_path)?,
                    ));
                }
            } else {
                for (i, value) in list(info, "values", path)?.iter().enumerate() {
                    let name = value.as_str().ok_or_else(|| {
                        error(&format!("{path}.values[{i}]"), "expected a string")
                    })?;
                    values.push((name.to_string(), Vec::new()));
                }
            }
            Entry::Enum { values, features }
        }
        "array" => Entry::Array {
            element: string(info, "element-type", path)?.to_string(),
        },
        "builtin" | "alternate" => Entry::Other { features },
        other => {
            return Err(error(
                &format!("{path}.meta-type"),
                &format!("unknown meta-type '{other}'"),
            ))
        }
    })
}

/// The error of `execute` for a command the peer lacks, with
/// [`Options::check_commands`](super::Options::check_commands).
pub(super) fn unsupported(schema: &PeerSchema, command: &str) -> Error {
    Error::Unsupported {
        command: command.to_string(),
        version: schema.version().clone(),
    }
}

/// Index the text of a `query-qmp-schema` reply's `return`.
pub(super) fn parse(text: &str, version: VersionInfo) -> Result<Arc<PeerSchema>, Error> {
    let decode_error = |error: DecodeError| Error::Decode {
        what: "reply to query-qmp-schema".to_string(),
        error,
    };
    let value: Value = serde_json::from_str(text).map_err(|e| {
        decode_error(DecodeError {
            path: String::new(),
            error: e,
        })
    })?;
    PeerSchema::from_reply(&value, version)
        .map(Arc::new)
        .map_err(decode_error)
}

impl<S: super::blocking::Stream> super::blocking::Client<S> {
    /// The peer's schema: its `query-qmp-schema` reply, fetched on first
    /// use and kept.
    pub fn peer_schema(&mut self) -> Result<Arc<PeerSchema>, Error> {
        if let Some(schema) = &self.peer_schema {
            return Ok(schema.clone());
        }
        let text = self.execute_raw("query-qmp-schema", &(), false)?;
        let schema = parse(&text, self.greeting().version.clone())?;
        self.peer_schema = Some(schema.clone());
        Ok(schema)
    }

    /// Whether the peer has command `C` (fetching its schema on first use).
    pub fn supports<C: Command>(&mut self) -> Result<bool, Error> {
        Ok(self.peer_schema()?.supports::<C>())
    }

    /// Fail with [`Error::Unsupported`] if the peer lacks command `name`.
    pub(super) fn require_command(&mut self, name: &str) -> Result<(), Error> {
        let schema = self.peer_schema()?;
        if schema.has_command(name) {
            Ok(())
        } else {
            Err(unsupported(&schema, name))
        }
    }
}

#[cfg(feature = "tokio")]
impl super::tokio::Client {
    /// The peer's schema: its `query-qmp-schema` reply, fetched on first
    /// use and kept (commands running meanwhile may fetch it too; one
    /// copy is kept).
    pub async fn peer_schema(&self) -> Result<Arc<PeerSchema>, Error> {
        if let Some(schema) = self.peer_schema.get() {
            return Ok(schema.clone());
        }
        let text = self.execute_raw("query-qmp-schema", &(), false).await?;
        let schema = parse(&text, self.greeting().version.clone())?;
        Ok(self.peer_schema.get_or_init(|| schema).clone())
    }

    /// Whether the peer has command `C` (fetching its schema on first use).
    pub async fn supports<C: Command>(&self) -> Result<bool, Error> {
        Ok(self.peer_schema().await?.supports::<C>())
    }

    /// Fail with [`Error::Unsupported`] if the peer lacks command `name`.
    pub(super) async fn require_command(&self, name: &str) -> Result<(), Error> {
        let schema = self.peer_schema().await?;
        if schema.has_command(name) {
            Ok(())
        } else {
            Err(unsupported(&schema, name))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reply as QEMU would give it: masked type names.
    fn schema() -> PeerSchema {
        let reply = serde_json::json!([
            {"name": "blockdev-add", "meta-type": "command", "arg-type": "0", "ret-type": "1"},
            {"name": "block-job-pause", "meta-type": "command", "arg-type": "1",
             "ret-type": "1", "features": ["deprecated"]},
            {"name": "STOP", "meta-type": "event", "arg-type": "1"},
            {"name": "0", "meta-type": "object", "tag": "driver",
             "members": [{"name": "driver", "type": "2"},
                         {"name": "node-name", "type": "str", "default": null}],
             "variants": [{"case": "file", "type": "3"}]},
            {"name": "1", "meta-type": "object", "members": []},
            {"name": "2", "meta-type": "enum", "values": ["file", "qcow2"],
             "members": [{"name": "file"}, {"name": "qcow2", "features": ["unstable"]}]},
            {"name": "3", "meta-type": "object",
             "members": [{"name": "filename", "type": "str"},
                         {"name": "aio-max-batch", "type": "int", "default": null,
                          "features": ["unstable"]},
                         {"name": "tags", "type": "[2]", "default": null}]},
            {"name": "[2]", "meta-type": "array", "element-type": "2"},
            {"name": "str", "meta-type": "builtin", "json-type": "string"},
            {"name": "int", "meta-type": "builtin", "json-type": "int"},
        ]);
        PeerSchema::from_reply(&reply, VersionInfo::default()).unwrap()
    }

    #[test]
    fn queries() {
        let s = schema();
        assert!(s.has_command("blockdev-add") && !s.has_command("STOP"));
        assert!(s.has_event("STOP") && !s.has_event("blockdev-add"));
        assert!(s.query("blockdev-add"));
        assert!(s.query("blockdev-add/arg-type/+file/aio-max-batch"));
        assert!(s.query("blockdev-add/arg-type/+file/*aio-max-batch"));
        assert!(!s.query("blockdev-add/arg-type/+file/*filename"));
        assert!(!s.query("blockdev-add/arg-type/+nbd"));
        assert!(!s.query("blockdev-add/arg-type/+file/io-uring"));
        assert!(s.query("blockdev-add/arg-type/driver/^qcow2"));
        assert!(!s.query("blockdev-add/arg-type/driver/^vmdk"));
        // Through the array to its elements.
        assert!(s.query("blockdev-add/arg-type/+file/tags/^file"));
        assert!(s.query("block-job-pause/$deprecated"));
        assert!(!s.query("blockdev-add/$deprecated"));
        assert!(s.query("blockdev-add/arg-type/+file/aio-max-batch/$unstable"));
        assert!(!s.query("blockdev-add/arg-type/+file/filename/$unstable"));
        assert!(!s.query("nope/arg-type"));
        assert!(!s.query("^x"));
    }

    #[test]
    fn bad_replies_name_the_element() {
        let reply = serde_json::json!({"return": [
            {"name": "x", "meta-type": "object", "members": [{"name": 3, "type": "int"}]}
        ]});
        let err = PeerSchema::from_reply(&reply, VersionInfo::default()).unwrap_err();
        assert_eq!(err.to_string(), "[0].members[0].name: expected a string");
        let exchange = serde_json::json!({
            "request": {"execute": "query-qmp-schema"},
            "response": {"return": [{"name": "stop", "meta-type": "command",
                                     "arg-type": "0", "ret-type": "0"}]}
        });
        let schema = PeerSchema::from_reply(&exchange, VersionInfo::default()).unwrap();
        assert!(schema.has_command("stop"));
        let err =
            PeerSchema::from_reply(&serde_json::json!(7), VersionInfo::default()).unwrap_err();
        assert_eq!(err.to_string(), "expected a list of SchemaInfo");
    }
}
