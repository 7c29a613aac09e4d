//! The small wire types generated code names.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::__private::{self, Slots};
use crate::Object;

/// The reply of a command that returns nothing: encoded `{}`; any object
/// decodes (members ignored, or rejected in [`Mode::Strict`](crate::Mode)).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Empty;

impl Object for Empty {
    const TYPE_NAME: &'static str = "empty object";
    type Slots = __private::UnitSlots<Empty>;

    fn serialize_members<M: SerializeMap>(&self, _: &mut M) -> Result<(), M::Error> {
        Ok(())
    }
}

impl Serialize for Empty {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        __private::serialize_object(self, serializer)
    }
}

impl<'de> Deserialize<'de> for Empty {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        __private::deserialize_object::<<Empty as Object>::Slots, D>(deserializer)
    }
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
    pub seconds: i64,
    pub microseconds: i64,
}

impl Object for Timestamp {
    const TYPE_NAME: &'static str = "timestamp";
    type Slots = TimestampSlots;

    fn serialize_members<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
        map.serialize_entry("seconds", &self.seconds)?;
        map.serialize_entry("microseconds", &self.microseconds)
    }
}

#[doc(hidden)]
#[derive(Default)]
pub struct TimestampSlots {
    seconds: Option<i64>,
    microseconds: Option<i64>,
}

impl Slots for TimestampSlots {
    type Object = Timestamp;
    const MEMBERS: &'static [&'static str] = &["seconds", "microseconds"];

    fn member<'de, D: Deserializer<'de>>(
        &mut self,
        index: usize,
        value: D,
    ) -> Result<(), D::Error> {
        match index {
            0 => __private::set(&mut self.seconds, value),
            _ => __private::set(&mut self.microseconds, value),
        }
    }

    fn finish<E: de::Error>(self) -> Result<Timestamp, E> {
        Ok(Timestamp {
            seconds: __private::required(self.seconds, "seconds")?,
            microseconds: __private::required(self.microseconds, "microseconds")?,
        })
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        __private::serialize_object(self, serializer)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        __private::deserialize_object::<TimestampSlots, D>(deserializer)
    }
}

/// An enum value (or union discriminator value) this build does not know,
/// as received: a newer QEMU may add values.  It encodes back to the same
/// string.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownValue(Box<str>);

impl UnknownValue {
    pub fn new(value: &str) -> UnknownValue {
        UnknownValue(value.into())
    }

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
