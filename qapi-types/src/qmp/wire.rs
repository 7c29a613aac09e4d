//! The messages of the QMP protocol, as QEMU sends and reads them.
//!
//! - The server opens with a [`Greeting`]:
//!   `{"QMP": {"version": {"qemu": {"micro": 2, "minor": 0, "major": 10}, "package": ""}, "capabilities": ["oob"]}}`.
//! - The client negotiates: `{"execute": "qmp_capabilities", "arguments": {"enable": ["oob"]}}`.
//! - Then [`Request`]s: `{"execute": "query-status", "arguments": {...}, "id": 1}`,
//!   or `"exec-oob"` instead of `"execute"` for an out-of-band command.
//! - [`Reply`]s echo the request's `id` (any JSON value; a reply to a
//!   request QEMU could not read has none): `{"return": {...}, "id": 1}` or
//!   `{"id": 1, "error": {"class": "GenericError", "desc": "..."}}`.
//! - Events come at any time: `{"timestamp": {...}, "event": "STOP", "data": {...}}`
//!   (`data` only when the event has some); [`EventMessage`].
//!
//! [`Message::parse`] reads a message from the server without building a
//! JSON tree: a reply's `return` and `id` stay raw JSON text
//! ([`RawValue`]) until the caller decodes them into the command's
//! `Returns` type.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::value::RawValue;

use crate::{Timestamp, UnknownValue};

/// An enum of the protocol's own schema, with the impls the generator
/// gives a QAPI enum: a variant per value and `Unknown` for the others.
macro_rules! wire_enum {
    (
        $(#[$attr:meta])*
        $name:ident = $qapi:literal {
            $($(#[$value_attr:meta])* $variant:ident = $wire:literal,)*
        }
    ) => {
        $(#[$attr])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$value_attr])* $variant,)*
            /// A value this build does not know.
            Unknown(UnknownValue),
        }

        crate::__private::enum_impls! {
            $name = $qapi, Unknown {
                $($variant = $wire,)*
            }
        }
    };
}

// ---------------------------------------------------------------- greeting

/// The server's first message.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Greeting {
    /// The server's version.
    pub version: VersionInfo,
    /// The capabilities the client may enable with `qmp_capabilities`.
    pub capabilities: Vec<Capability>,
}

/// QEMU's version, as in the greeting and `query-version`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VersionInfo {
    /// QEMU's release.
    pub qemu: VersionTriple,
    /// The distribution's package version (`Debian 1:10.0.2+ds-2`), or empty.
    pub package: String,
}

/// A release number, ordered as releases are (`10.0.2 < 10.1.0`).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct VersionTriple {
    /// `10` in `10.0.2`.
    pub major: i64,
    /// `0` in `10.0.2`.
    pub minor: i64,
    /// `2` in `10.0.2`.
    pub micro: i64,
}

impl fmt::Display for VersionTriple {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.micro)
    }
}

wire_enum! {
    /// A QMP capability (QAPI enum `QMPCapability`).
    Capability = "QMPCapability" {
        /// Out-of-band execution: `exec-oob` requests, replies out of order.
        Oob = "oob",
    }
}

// QEMU's member order, so that a server built on these types prints its
// greeting and errors as QEMU does.
crate::__private::object_impls! {
    Greeting = "greeting" {
        required[0] version: VersionInfo = "version",
        required[1] capabilities: Vec<Capability> = "capabilities",
    }
}
crate::__private::object_impls! {
    VersionInfo = "VersionInfo" {
        required[0] qemu: VersionTriple = "qemu",
        required[1] package: String = "package",
    }
}
crate::__private::object_impls! {
    VersionTriple = "VersionTriple" {
        required[0] micro: i64 = "micro",
        required[1] minor: i64 = "minor",
        required[2] major: i64 = "major",
    }
}
crate::__private::object_impls! {
    QmpError = "error" {
        required[0] class: ErrorClass = "class",
        required[1] desc: String = "desc",
    }
}

impl Greeting {
    /// Whether the server offers `capability`.
    pub fn offers(&self, capability: &Capability) -> bool {
        self.capabilities.contains(capability)
    }

    /// Encode as the server sends it: `{"QMP": {...}}`.
    pub fn to_message(&self) -> String {
        struct Wrapped<'a>(&'a Greeting);
        impl Serialize for Wrapped<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry("QMP", self.0)?;
                map.end()
            }
        }
        to_qemu_json(&Wrapped(self)).expect("a greeting always encodes")
    }
}

// ------------------------------------------------------------ QEMU's JSON

/// Encode as QEMU prints JSON: `{"a": 1, "b": [1, 2]}` (a space after
/// each `:` and `,`), characters outside printable ASCII as `\uXXXX`
/// escapes in upper case.  (Floating-point numbers are printed the serde_json
/// way, which may differ from QEMU's `%.17g`.)
pub fn to_qemu_json<T: Serialize + ?Sized>(value: &T) -> Result<String, serde_json::Error> {
    let mut bytes = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(&mut bytes, QemuFormatter);
    value.serialize(&mut serializer)?;
    // The formatter writes ASCII only.
    Ok(String::from_utf8(bytes).unwrap_or_default())
}

/// The `serde_json` formatter of [`to_qemu_json`].
#[derive(Clone, Copy, Debug, Default)]
pub struct QemuFormatter;

impl serde_json::ser::Formatter for QemuFormatter {
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        if first {
            Ok(())
        } else {
            writer.write_all(b", ")
        }
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        if first {
            Ok(())
        } else {
            writer.write_all(b", ")
        }
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
    ) -> std::io::Result<()> {
        writer.write_all(b": ")
    }

    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut rest = fragment;
        while let Some(index) = rest.find(|c: char| !(' '..'\x7f').contains(&c)) {
            writer.write_all(&rest.as_bytes()[..index])?;
            let c = rest[index..].chars().next().unwrap_or(' ');
            let mut units = [0; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(writer, "\\u{unit:04X}")?;
            }
            rest = &rest[index + c.len_utf8()..];
        }
        writer.write_all(rest.as_bytes())
    }

    fn write_char_escape<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        escape: serde_json::ser::CharEscape,
    ) -> std::io::Result<()> {
        use serde_json::ser::CharEscape;
        let text: &[u8] = match escape {
            CharEscape::Quote => b"\\\"",
            CharEscape::ReverseSolidus => b"\\\\",
            CharEscape::Solidus => b"/",
            CharEscape::Backspace => b"\\b",
            CharEscape::FormFeed => b"\\f",
            CharEscape::LineFeed => b"\\n",
            CharEscape::CarriageReturn => b"\\r",
            CharEscape::Tab => b"\\t",
            CharEscape::AsciiControl(byte) => return write!(writer, "\\u{byte:04X}"),
        };
        writer.write_all(text)
    }
}

// ------------------------------------------------------------------ errors

/// An error reply: QAPI's error class and QEMU's description.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QmpError {
    /// The error's class (`GenericError` for most).
    pub class: ErrorClass,
    /// The human-readable description.
    pub desc: String,
}

impl fmt::Display for QmpError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}: {}", self.class, self.desc)
    }
}

impl std::error::Error for QmpError {}

wire_enum! {
    /// QAPI's error classes (QAPI enum `QapiErrorClass`).
    ErrorClass = "QapiErrorClass" {
        /// Nearly every error.
        GenericError = "GenericError",
        /// The command does not exist (or cannot run now).
        CommandNotFound = "CommandNotFound",
        /// A device exists but is not active (e.g. a balloon without a driver).
        DeviceNotActive = "DeviceNotActive",
        /// No device of that name.
        DeviceNotFound = "DeviceNotFound",
        /// `KVMMissingCap`.
        KvmMissingCap = "KVMMissingCap",
    }
}

// ---------------------------------------------------------------- requests

/// A command request.  `A` is the arguments (a generated command type, or
/// any serializable map), `I` the id (any JSON value).
#[derive(Debug)]
pub struct Request<'a, A: ?Sized, I: ?Sized> {
    /// The command's wire name.
    pub command: &'a str,
    /// Sent as `exec-oob` rather than `execute`.
    pub oob: bool,
    /// The `arguments` member, left out when `None`.
    pub arguments: Option<&'a A>,
    /// The `id` member, which the reply repeats; left out when `None`.
    pub id: Option<&'a I>,
}

impl<A: Serialize + ?Sized, I: Serialize + ?Sized> Serialize for Request<'_, A, I> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        let key = if self.oob { "exec-oob" } else { "execute" };
        map.serialize_entry(key, self.command)?;
        if let Some(arguments) = self.arguments {
            map.serialize_entry("arguments", arguments)?;
        }
        if let Some(id) = self.id {
            map.serialize_entry("id", id)?;
        }
        map.end()
    }
}

/// The arguments of `qmp_capabilities`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Negotiate {
    /// The capabilities to enable, from those the greeting offers.
    pub enable: Vec<Capability>,
}

impl Serialize for Negotiate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        if !self.enable.is_empty() {
            map.serialize_entry("enable", &self.enable)?;
        }
        map.end()
    }
}

// --------------------------------------------------------- server messages

/// A message from the server.
#[derive(Debug)]
pub enum Message<'a> {
    /// The first message, with the server's version and capabilities.
    Greeting(Greeting),
    /// A command's success or error reply.
    Reply(Reply<'a>),
    /// An event.
    Event(EventMessage<'a>),
}

/// A command's reply.
#[derive(Debug)]
pub struct Reply<'a> {
    /// The request's id, as JSON text; none when the request had none or
    /// could not be read.
    pub id: Option<&'a RawValue>,
    /// The `return` member (JSON text), or the `error` member.
    pub result: Result<&'a RawValue, QmpError>,
}

/// An event, with its data still JSON text.
#[derive(Debug)]
pub struct EventMessage<'a> {
    /// The event's wire name (`SHUTDOWN`).
    pub name: String,
    /// The `data` member (JSON text), if the event has one.
    pub data: Option<&'a RawValue>,
    /// When QEMU emitted it.
    pub timestamp: Timestamp,
}

impl<'a> Message<'a> {
    /// Read a message from the server (one framed JSON object).  Members
    /// that do not belong to the message's kind are ignored.
    pub fn parse(bytes: &'a [u8]) -> Result<Message<'a>, serde_json::Error> {
        let mut deserializer = serde_json::Deserializer::from_slice(bytes);
        let message = deserializer.deserialize_map(MessageVisitor(PhantomData))?;
        deserializer.end()?;
        Ok(message)
    }
}

enum Field {
    Qmp,
    Return,
    Error,
    Id,
    Event,
    Data,
    Timestamp,
    Other,
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Field, D::Error> {
        struct FieldVisitor;
        impl Visitor<'_> for FieldVisitor {
            type Value = Field;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_str<E: de::Error>(self, key: &str) -> Result<Field, E> {
                Ok(match key {
                    "QMP" => Field::Qmp,
                    "return" => Field::Return,
                    "error" => Field::Error,
                    "id" => Field::Id,
                    "event" => Field::Event,
                    "data" => Field::Data,
                    "timestamp" => Field::Timestamp,
                    _ => Field::Other,
                })
            }
        }
        deserializer.deserialize_str(FieldVisitor)
    }
}

struct MessageVisitor<'a>(PhantomData<&'a ()>);

fn store<'de, T: Deserialize<'de>, A: MapAccess<'de>>(
    slot: &mut Option<T>,
    map: &mut A,
    name: &str,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(de::Error::custom(format_args!("duplicate member `{name}`")));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

impl<'de> Visitor<'de> for MessageVisitor<'de> {
    type Value = Message<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a QMP message (a JSON object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Message<'de>, A::Error> {
        let mut greeting: Option<Greeting> = None;
        let mut ret: Option<&'de RawValue> = None;
        let mut error: Option<QmpError> = None;
        let mut id: Option<&'de RawValue> = None;
        let mut event: Option<Cow<'de, str>> = None;
        let mut data: Option<&'de RawValue> = None;
        let mut timestamp: Option<Timestamp> = None;
        while let Some(field) = map.next_key()? {
            match field {
                Field::Qmp => store(&mut greeting, &mut map, "QMP")?,
                Field::Return => store(&mut ret, &mut map, "return")?,
                Field::Error => store(&mut error, &mut map, "error")?,
                Field::Id => store(&mut id, &mut map, "id")?,
                Field::Event => store(&mut event, &mut map, "event")?,
                Field::Data => store(&mut data, &mut map, "data")?,
                Field::Timestamp => store(&mut timestamp, &mut map, "timestamp")?,
                Field::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        match (greeting, ret, error, event) {
            (Some(greeting), None, None, None) => Ok(Message::Greeting(greeting)),
            (None, Some(ret), None, None) => Ok(Message::Reply(Reply {
                id,
                result: Ok(ret),
            })),
            (None, None, Some(error), None) => Ok(Message::Reply(Reply {
                id,
                result: Err(error),
            })),
            (None, None, None, Some(name)) => Ok(Message::Event(EventMessage {
                name: name.into_owned(),
                data,
                timestamp: timestamp
                    .ok_or_else(|| de::Error::custom("event without `timestamp`"))?,
            })),
            (None, None, None, None) => Err(de::Error::custom(
                "not a QMP message: no member `QMP`, `return`, `error` or `event`",
            )),
            _ => Err(de::Error::custom(
                "not a QMP message: more than one of `QMP`, `return`, `error` and `event`",
            )),
        }
    }
}

impl Serialize for Reply<'_> {
    /// QEMU's member order: `return` before `id`, `id` before `error`.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        match &self.result {
            Ok(value) => {
                map.serialize_entry("return", value)?;
                if let Some(id) = self.id {
                    map.serialize_entry("id", id)?;
                }
            }
            Err(error) => {
                if let Some(id) = self.id {
                    map.serialize_entry("id", id)?;
                }
                map.serialize_entry("error", error)?;
            }
        }
        map.end()
    }
}

impl Serialize for EventMessage<'_> {
    /// QEMU's member order: `timestamp`, `event`, `data`.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("timestamp", &self.timestamp)?;
        map.serialize_entry("event", &self.name)?;
        if let Some(data) = self.data {
            map.serialize_entry("data", data)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GREETING: &str = r#"{"QMP": {"version": {"qemu": {"micro": 2, "minor": 0, "major": 10}, "package": "Debian 1:10.0.2+ds-2+deb13u1~bpo12+1"}, "capabilities": ["oob"]}}"#;

    #[test]
    fn greeting() {
        let Message::Greeting(greeting) = Message::parse(GREETING.as_bytes()).unwrap() else {
            panic!("not a greeting");
        };
        assert_eq!(greeting.version.qemu.to_string(), "10.0.2");
        assert!(greeting.offers(&Capability::Oob));
        assert_eq!(greeting.to_message(), GREETING);
    }

    #[test]
    fn greeting_with_unknown_capability() {
        let text = r#"{"QMP": {"version": {"qemu": {"micro": 0, "minor": 0, "major": 99}, "package": ""}, "capabilities": ["oob", "telepathy"]}}"#;
        let Message::Greeting(greeting) = Message::parse(text.as_bytes()).unwrap() else {
            panic!("not a greeting");
        };
        assert_eq!(
            greeting.capabilities,
            [Capability::Oob, Capability::Unknown("telepathy".into())]
        );
    }

    #[test]
    fn replies() {
        let text = br#"{"return": {"status": "running", "running": true}, "id": 7}"#;
        let Message::Reply(reply) = Message::parse(text).unwrap() else {
            panic!("not a reply");
        };
        assert_eq!(reply.id.unwrap().get(), "7");
        assert_eq!(
            reply.result.unwrap().get(),
            r#"{"status": "running", "running": true}"#
        );

        let text = br#"{"id": {"n": [1, 2]}, "error": {"class": "CommandNotFound", "desc": "The command x has not been found"}}"#;
        let Message::Reply(reply) = Message::parse(text).unwrap() else {
            panic!("not a reply");
        };
        assert_eq!(reply.id.unwrap().get(), r#"{"n": [1, 2]}"#);
        let error = reply.result.as_ref().unwrap_err();
        assert_eq!(error.class, ErrorClass::CommandNotFound);
        assert_eq!(
            error.to_string(),
            "CommandNotFound: The command x has not been found"
        );
        assert_eq!(to_qemu_json(&reply).unwrap().as_bytes(), text);

        let text = br#"{"error": {"class": "GenericError", "desc": "JSON parse error, invalid keyword 'hello'"}}"#;
        let Message::Reply(reply) = Message::parse(text).unwrap() else {
            panic!("not a reply");
        };
        assert!(reply.id.is_none());
    }

    #[test]
    fn events() {
        let text = br#"{"timestamp": {"seconds": 1795252388, "microseconds": 962598}, "event": "RESET", "data": {"guest": false, "reason": "host-qmp-system-reset"}}"#;
        let Message::Event(event) = Message::parse(text).unwrap() else {
            panic!("not an event");
        };
        assert_eq!(event.name, "RESET");
        assert_eq!(event.timestamp.microseconds, 962598);
        assert_eq!(to_qemu_json(&event).unwrap().as_bytes(), text);

        let text = br#"{"event": "STOP", "timestamp": {"seconds": 1, "microseconds": 2}}"#;
        let Message::Event(event) = Message::parse(text).unwrap() else {
            panic!("not an event");
        };
        assert!(event.data.is_none());
    }

    #[test]
    fn not_messages() {
        for (text, error) in [
            (&br#"{"hello": 1}"#[..], "not a QMP message: no member"),
            (br#"{"return": {}, "event": "X"}"#, "more than one of"),
            (br#"{"event": "STOP"}"#, "event without `timestamp`"),
            (
                br#"{"return": 1, "return": 2}"#,
                "duplicate member `return`",
            ),
            (
                br#"{"error": {"class": "GenericError"}}"#,
                "missing member `desc`",
            ),
            (br#"[1]"#, "invalid type: sequence"),
            (br#"{"return": {} "#, "EOF while parsing"),
        ] {
            let message = Message::parse(text).unwrap_err().to_string();
            assert!(message.contains(error), "{message}");
        }
    }

    #[test]
    fn qemu_json() {
        let value = serde_json::json!({"s": "a\"\\/\u{1}\u{7f}é😀\n", "l": [1, [], {}], "e": {}});
        assert_eq!(
            to_qemu_json(&value).unwrap(),
            r#"{"e": {}, "l": [1, [], {}], "s": "a\"\\/\u0001\u007F\u00E9\uD83D\uDE00\n"}"#
        );
    }

    #[test]
    fn requests() {
        let request = Request {
            command: "qmp_capabilities",
            oob: false,
            arguments: Some(&Negotiate {
                enable: vec![Capability::Oob],
            }),
            id: Some(&1),
        };
        assert_eq!(
            serde_json::to_string(&request).unwrap(),
            r#"{"execute":"qmp_capabilities","arguments":{"enable":["oob"]},"id":1}"#
        );
        let request = Request::<(), str> {
            command: "migrate-pause",
            oob: true,
            arguments: None,
            id: Some("x"),
        };
        assert_eq!(
            serde_json::to_string(&request).unwrap(),
            r#"{"exec-oob":"migrate-pause","id":"x"}"#
        );
    }
}
