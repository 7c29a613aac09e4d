//! A value buffered from any deserializer and read again later: union
//! members that arrive before their discriminator, event data before the
//! event's name.
//!
//! [`Content`] is what serde's own (private) buffering keeps: a small
//! value tree that any `Deserializer` can produce and that replays as a
//! `Deserializer` ([`ContentDeserializer`]), so decoding does not depend on
//! member order whatever the format (JSON text, `serde_json::Value`,
//! QEMU's `QObject`, ...).  Strings are borrowed from the input where the
//! deserializer lends them and moved out when replayed otherwise, so a
//! buffered member costs about what decoding it directly does.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::value::{MapDeserializer, SeqDeserializer};
use serde::de::{
    self, Deserialize, DeserializeSeed, Deserializer, EnumAccess, IntoDeserializer, MapAccess,
    SeqAccess, Unexpected, VariantAccess, Visitor,
};

/// A buffered value.
#[derive(Clone, Debug, PartialEq)]
pub enum Content<'de> {
    Unit,
    Bool(bool),
    I64(i64),
    U64(u64),
    F64(f64),
    Str(Cow<'de, str>),
    Bytes(Cow<'de, [u8]>),
    Some(Box<Content<'de>>),
    Seq(Vec<Content<'de>>),
    Map(Vec<(Content<'de>, Content<'de>)>),
}

impl<'de> Content<'de> {
    fn unexpected(&self) -> Unexpected<'_> {
        match self {
            Content::Unit => Unexpected::Unit,
            Content::Bool(v) => Unexpected::Bool(*v),
            Content::I64(v) => Unexpected::Signed(*v),
            Content::U64(v) => Unexpected::Unsigned(*v),
            Content::F64(v) => Unexpected::Float(*v),
            Content::Str(v) => Unexpected::Str(v),
            Content::Bytes(v) => Unexpected::Bytes(v),
            Content::Some(_) => Unexpected::Option,
            Content::Seq(_) => Unexpected::Seq,
            Content::Map(_) => Unexpected::Map,
        }
    }
}

impl<'de> Deserialize<'de> for Content<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ContentVisitor)
    }
}

struct ContentVisitor;

impl<'de> Visitor<'de> for ContentVisitor {
    type Value = Content<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Content<'de>, E> {
        Ok(Content::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Content<'de>, E> {
        Ok(Content::I64(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Content<'de>, E> {
        Ok(Content::U64(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Content<'de>, E> {
        Ok(Content::F64(v))
    }

    fn visit_char<E: de::Error>(self, v: char) -> Result<Content<'de>, E> {
        Ok(Content::Str(Cow::Owned(v.to_string())))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Content<'de>, E> {
        Ok(Content::Str(Cow::Owned(v.to_owned())))
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Content<'de>, E> {
        Ok(Content::Str(Cow::Borrowed(v)))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Content<'de>, E> {
        Ok(Content::Str(Cow::Owned(v)))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Content<'de>, E> {
        Ok(Content::Bytes(Cow::Owned(v.to_vec())))
    }

    fn visit_borrowed_bytes<E: de::Error>(self, v: &'de [u8]) -> Result<Content<'de>, E> {
        Ok(Content::Bytes(Cow::Borrowed(v)))
    }

    fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<Content<'de>, E> {
        Ok(Content::Bytes(Cow::Owned(v)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Content<'de>, E> {
        Ok(Content::Unit)
    }

    fn visit_none<E: de::Error>(self) -> Result<Content<'de>, E> {
        Ok(Content::Unit)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Content<'de>, D::Error> {
        Content::deserialize(deserializer).map(|v| Content::Some(Box::new(v)))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Content<'de>, D::Error> {
        Content::deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Content<'de>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Content::Seq(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Content<'de>, A::Error> {
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0).min(1024));
        while let Some(entry) = map.next_entry()? {
            entries.push(entry);
        }
        Ok(Content::Map(entries))
    }
}

/// Replays a [`Content`] as a deserializer whose errors are `E` (the error
/// type of the input it was buffered from).
pub struct ContentDeserializer<'de, E> {
    content: Content<'de>,
    error: PhantomData<E>,
}

impl<'de, E> ContentDeserializer<'de, E> {
    pub fn new(content: Content<'de>) -> Self {
        ContentDeserializer {
            content,
            error: PhantomData,
        }
    }
}

impl<'de, E: de::Error> IntoDeserializer<'de, E> for Content<'de> {
    type Deserializer = ContentDeserializer<'de, E>;

    fn into_deserializer(self) -> ContentDeserializer<'de, E> {
        ContentDeserializer::new(self)
    }
}

impl<'de, E: de::Error> Deserializer<'de> for ContentDeserializer<'de, E> {
    type Error = E;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        match self.content {
            Content::Unit => visitor.visit_unit(),
            Content::Bool(v) => visitor.visit_bool(v),
            Content::I64(v) => visitor.visit_i64(v),
            Content::U64(v) => visitor.visit_u64(v),
            Content::F64(v) => visitor.visit_f64(v),
            Content::Str(Cow::Borrowed(v)) => visitor.visit_borrowed_str(v),
            Content::Str(Cow::Owned(v)) => visitor.visit_string(v),
            Content::Bytes(Cow::Borrowed(v)) => visitor.visit_borrowed_bytes(v),
            Content::Bytes(Cow::Owned(v)) => visitor.visit_byte_buf(v),
            Content::Some(v) => visitor.visit_some(ContentDeserializer::new(*v)),
            Content::Seq(items) => {
                let mut seq = SeqDeserializer::new(items.into_iter());
                let value = visitor.visit_seq(&mut seq)?;
                seq.end()?;
                Ok(value)
            }
            Content::Map(entries) => {
                let mut map = MapDeserializer::new(entries.into_iter());
                let value = visitor.visit_map(&mut map)?;
                map.end()?;
                Ok(value)
            }
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        match self.content {
            Content::Unit => visitor.visit_none(),
            Content::Some(v) => visitor.visit_some(ContentDeserializer::new(*v)),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, E> {
        visitor.visit_newtype_struct(self)
    }

    /// As serde_json reads an enum: a string is a unit variant, an object
    /// of one member a variant with data.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, E> {
        match self.content {
            Content::Str(_) => visitor.visit_enum(ContentEnum {
                variant: self.content,
                value: None,
                error: PhantomData,
            }),
            Content::Map(mut entries) if entries.len() == 1 => {
                let (variant, value) = entries.remove(0);
                visitor.visit_enum(ContentEnum {
                    variant,
                    value: Some(value),
                    error: PhantomData,
                })
            }
            other => Err(E::invalid_type(
                other.unexpected(),
                &"a string or an object",
            )),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct
        identifier ignored_any
    }
}

struct ContentEnum<'de, E> {
    variant: Content<'de>,
    value: Option<Content<'de>>,
    error: PhantomData<E>,
}

impl<'de, E: de::Error> EnumAccess<'de> for ContentEnum<'de, E> {
    type Error = E;
    type Variant = ContentVariant<'de, E>;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, ContentVariant<'de, E>), E> {
        let variant = seed.deserialize(ContentDeserializer::new(self.variant))?;
        Ok((
            variant,
            ContentVariant {
                value: self.value,
                error: PhantomData,
            },
        ))
    }
}

struct ContentVariant<'de, E> {
    value: Option<Content<'de>>,
    error: PhantomData<E>,
}

impl<'de, E: de::Error> VariantAccess<'de> for ContentVariant<'de, E> {
    type Error = E;

    fn unit_variant(self) -> Result<(), E> {
        match self.value {
            None | Some(Content::Unit) => Ok(()),
            Some(other) => Err(E::invalid_type(other.unexpected(), &"a unit variant")),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, E> {
        match self.value {
            Some(value) => seed.deserialize(ContentDeserializer::new(value)),
            None => Err(E::invalid_type(
                Unexpected::UnitVariant,
                &"a newtype variant",
            )),
        }
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, E> {
        match self.value {
            Some(value) => ContentDeserializer::new(value).deserialize_any(visitor),
            None => Err(E::invalid_type(Unexpected::UnitVariant, &"a tuple variant")),
        }
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, E> {
        self.tuple_variant(0, visitor)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    fn replay<'de, T: Deserialize<'de>>(content: Content<'de>) -> Result<T, serde_json::Error> {
        T::deserialize(ContentDeserializer::<serde_json::Error>::new(content))
    }

    #[test]
    fn buffers_any_value_and_replays_it() {
        let text = r#"{"a": [1, -2, 2.5, true, null, "x\"y"], "b": {"c": "d"}, "e": 18446744073709551615}"#;
        let content: Content = serde_json::from_str(text).unwrap();
        // Unescaped strings are borrowed from the input.
        let Content::Map(entries) = &content else {
            panic!("{content:?}")
        };
        assert!(matches!(entries[0].0, Content::Str(Cow::Borrowed("a"))));
        let expected: Value = serde_json::from_str(text).unwrap();
        assert_eq!(replay::<Value>(content.clone()).unwrap(), expected);
        // From a `Value`, strings are owned.
        let from_value = Content::deserialize(&expected).unwrap();
        assert_eq!(replay::<Value>(from_value).unwrap(), expected);
    }

    #[test]
    fn replays_options_and_errors() {
        assert_eq!(replay::<Option<u8>>(Content::Unit).unwrap(), None);
        assert_eq!(replay::<Option<u8>>(Content::U64(3)).unwrap(), Some(3));
        assert_eq!(
            replay::<u8>(Content::I64(-1)).unwrap_err().to_string(),
            "invalid value: integer `-1`, expected u8"
        );
        assert_eq!(
            replay::<Vec<u8>>(Content::Str(Cow::Borrowed("x")))
                .unwrap_err()
                .to_string(),
            "invalid type: string \"x\", expected a sequence"
        );
    }
}
