//! The small wire types generated code names.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde::ser::{Serialize, Serializer};

/// The reply of a command that returns nothing: encoded `{}`; any object
/// decodes (members ignored, or rejected in [`Mode::Strict`](crate::Mode)).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Empty;

crate::__private::object_impls! {
    Empty = "empty object";
}

/// The QAPI built-in type `null`: JSON `null`.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Null;

impl Serialize for Null {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_unit()
    }
}

impl<'de> Deserialize<'de> for Null {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NullVisitor;
        impl<'de> Visitor<'de> for NullVisitor {
            type Value = Null;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("null")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Null, E> {
                Ok(Null)
            }
            fn visit_none<E: de::Error>(self) -> Result<Null, E> {
                Ok(Null)
            }
        }
        deserializer.deserialize_unit(NullVisitor)
    }
}

/// When QEMU emitted an event: seconds and microseconds since the Unix
/// epoch (both `-1` when QEMU could not read the clock).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timestamp {
    /// Whole seconds since the epoch.
    pub seconds: i64,
    /// Microseconds past `seconds`.
    pub microseconds: i64,
}

crate::__private::object_impls! {
    Timestamp = "timestamp" {
        required[0] seconds: i64 = "seconds",
        required[1] microseconds: i64 = "microseconds",
    }
}

/// An enum value (or union discriminator value) this build does not know,
/// as received: a newer QEMU may add values.  It encodes back to the same
/// string.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownValue(Box<str>);

impl UnknownValue {
    /// The value `value` as an unknown one (to send a value the bindings
    /// do not know yet).
    pub fn new(value: &str) -> UnknownValue {
        UnknownValue(value.into())
    }

    /// The wire string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for UnknownValue {
    fn from(value: &str) -> UnknownValue {
        UnknownValue::new(value)
    }
}

impl From<String> for UnknownValue {
    fn from(value: String) -> UnknownValue {
        UnknownValue(value.into_boxed_str())
    }
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for UnknownValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for UnknownValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StrVisitor;
        impl<'de> Visitor<'de> for StrVisitor {
            type Value = UnknownValue;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<UnknownValue, E> {
                Ok(UnknownValue::new(v))
            }
        }
        deserializer.deserialize_str(StrVisitor)
    }
}

/// The branch of a union whose discriminator value this build does not
/// know (from a newer QEMU): the value and the branch's members as
/// received (all but the base's), encoded back unchanged.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct UnknownBranch {
    /// The discriminator's value.
    pub tag: UnknownValue,
    /// The branch's members, as received.
    pub members: serde_json::Map<String, serde_json::Value>,
}

/// Ordered by value and then by the members' JSON text, so that branch
/// enums can derive `PartialOrd` and `Ord` (`derive` settings).
impl Ord for UnknownBranch {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        let text = |branch: &Self| serde_json::to_string(&branch.members).unwrap_or_default();
        self.tag
            .cmp(&other.tag)
            .then_with(|| text(self).cmp(&text(other)))
    }
}

impl PartialOrd for UnknownBranch {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
