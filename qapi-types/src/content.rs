//! A value buffered from any deserializer and read again later: union
//! members that arrive before their discriminator, event data before the
//! event's name.
//!
//! [`Content`] keeps what serde's own (private) buffering keeps, a value
//! that any `Deserializer` can produce and that replays as a
//! `Deserializer` ([`ContentDeserializer`]), so decoding does not depend on
//! member order whatever the format (JSON text, `serde_json::Value`,
//! QEMU's `QObject`, ...).  It is a flat list of tokens rather than a tree
//! (one allocation per buffered value, not one per object and list:
//! `query-qmp-schema` buffers thousands of small objects).  Strings are
//! borrowed from the input where the deserializer lends them and moved out
//! when replayed otherwise.  From JSON text, serde_json lends the value's
//! text itself (its `RawValue` protocol), which is cheaper still to keep
//! and to read again.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{
    self, Deserialize, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, Unexpected,
    VariantAccess, Visitor,
};

/// A buffered value.
#[derive(Debug)]
pub struct Content<'de> {
    repr: Repr<'de>,
}

#[derive(Debug)]
enum Repr<'de> {
    Tokens(Vec<Token<'de>>),
    /// JSON text borrowed from the input.
    Json(&'de str),
}

/// The newtype name by which serde_json lends a value's text (the name of
/// its `RawValue`); other deserializers give the value itself.
const RAW_VALUE: &str = "$serde_json::private::RawValue";

/// The tokens a buffered list or object starts with room for: one is
/// mostly a few members or elements (a union branch's, buffered until its
/// discriminator comes), so growing from one token took several
/// reallocations per value (`query-qmp-schema`'s `members` lists).
const FIRST_CAPACITY: usize = 16;

/// A value in prefix order: a list or an object is its length, then its
/// elements (an object's as key, value, key, value, ...).
#[derive(Debug)]
enum Token<'de> {
    Unit,
    Bool(bool),
    I64(i64),
    U64(u64),
    F64(f64),
    Str(Cow<'de, str>),
    Bytes(Cow<'de, [u8]>),
    /// `Some` of the value that follows.
    Some,
    Seq(usize),
    Map(usize),
}

impl<'de> Deserialize<'de> for Content<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_newtype_struct(RAW_VALUE, ContentVisitor)
    }
}

impl<'de> Content<'de> {
    fn tokens<E>(capture: impl FnOnce(Capture<'_, 'de>) -> Result<(), E>) -> Result<Self, E> {
        Self::tokens_in(Vec::new(), capture)
    }

    /// The value `capture` writes, in `tokens`.
    fn tokens_in<E>(
        mut tokens: Vec<Token<'de>>,
        capture: impl FnOnce(Capture<'_, 'de>) -> Result<(), E>,
    ) -> Result<Self, E> {
        capture(Capture(&mut tokens))?;
        Ok(Content {
            repr: Repr::Tokens(tokens),
        })
    }
}

/// A value, or serde_json's text of it.
struct ContentVisitor;

impl<'de> Visitor<'de> for ContentVisitor {
    type Value = Content<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Content<'de>, E> {
        Content::tokens(|c| c.visit_bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Content<'de>, E> {
        Content::tokens(|c| c.visit_i64(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Content<'de>, E> {
        Content::tokens(|c| c.visit_u64(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Content<'de>, E> {
        Content::tokens(|c| c.visit_f64(v))
    }

    fn visit_char<E: de::Error>(self, v: char) -> Result<Content<'de>, E> {
        Content::tokens(|c| c.visit_char(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Content<'de>, E> {
        Content::tokens(|c| c.visit_str(v))
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Content<'de>, E> {
        Content::tokens(|c| c.visit_borrowed_str(v))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Content<'de>, E> {
        Content::tokens(|c| c.visit_string(v))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Content<'de>, E> {
        Content::tokens(|c| c.visit_bytes(v))
    }

    fn visit_borrowed_bytes<E: de::Error>(self, v: &'de [u8]) -> Result<Content<'de>, E> {
        Content::tokens(|c| c.visit_borrowed_bytes(v))
    }

    fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<Content<'de>, E> {
        Content::tokens(|c| c.visit_byte_buf(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Content<'de>, E> {
        Content::tokens(|c| c.visit_unit())
    }

    fn visit_none<E: de::Error>(self) -> Result<Content<'de>, E> {
        Content::tokens(|c| c.visit_none())
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Content<'de>, D::Error> {
        Content::tokens(|c| c.visit_some(d))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Content<'de>, D::Error> {
        Content::tokens(|c| c.deserialize(d))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Content<'de>, A::Error> {
        Content::tokens_in(Vec::with_capacity(FIRST_CAPACITY), |c| c.visit_seq(seq))
    }

    /// A map, or serde_json's text: a map of one member named
    /// [`RAW_VALUE`].
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Content<'de>, A::Error> {
        let mut tokens = Vec::with_capacity(FIRST_CAPACITY);
        tokens.push(Token::Map(0));
        let mut len = 0;
        while map.next_key_seed(Capture(&mut tokens))?.is_some() {
            if len == 0 && matches!(&tokens[1], Token::Str(key) if key == RAW_VALUE) {
                return map.next_value_seed(JsonText);
            }
            map.next_value_seed(Capture(&mut tokens))?;
            len += 1;
        }
        tokens[0] = Token::Map(len);
        Ok(Content {
            repr: Repr::Tokens(tokens),
        })
    }
}

/// serde_json's text of a value: kept when borrowed from the input, else
/// read into tokens at once.
struct JsonText;

impl<'de> DeserializeSeed<'de> for JsonText {
    type Value = Content<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Content<'de>, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for JsonText {
    type Value = Content<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("JSON text")
    }

    fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Content<'de>, E> {
        Ok(Content {
            repr: Repr::Json(text),
        })
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Content<'de>, E> {
        let mut tokens = Vec::new();
        let mut deserializer = serde_json::Deserializer::from_str(text);
        Capture(&mut tokens)
            .deserialize(&mut deserializer)
            .map_err(|e| E::custom(message_only(&e)))?;
        Ok(Content {
            repr: Repr::Tokens(tokens.into_iter().map(Token::into_owned).collect()),
        })
    }
}

impl Token<'_> {
    fn into_owned<'any>(self) -> Token<'any> {
        match self {
            Token::Unit => Token::Unit,
            Token::Bool(v) => Token::Bool(v),
            Token::I64(v) => Token::I64(v),
            Token::U64(v) => Token::U64(v),
            Token::F64(v) => Token::F64(v),
            Token::Str(v) => Token::Str(Cow::Owned(v.into_owned())),
            Token::Bytes(v) => Token::Bytes(Cow::Owned(v.into_owned())),
            Token::Some => Token::Some,
            Token::Seq(len) => Token::Seq(len),
            Token::Map(len) => Token::Map(len),
        }
    }
}

/// A serde_json error's message without the position, which for text read
/// again is a position in that text, not in the input.
fn message_only(error: &serde_json::Error) -> String {
    let text = error.to_string();
    let position = format!(" at line {} column {}", error.line(), error.column());
    match text.strip_suffix(&position) {
        Some(message) => message.to_string(),
        None => text,
    }
}

/// Appends the tokens of one value.
struct Capture<'a, 'de>(&'a mut Vec<Token<'de>>);

impl<'de> DeserializeSeed<'de> for Capture<'_, 'de> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Capture<'_, 'de> {
    fn push<E>(self, token: Token<'de>) -> Result<(), E> {
        self.0.push(token);
        Ok(())
    }
}

impl<'de> Visitor<'de> for Capture<'_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.push(Token::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.push(Token::I64(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.push(Token::U64(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        self.push(Token::F64(v))
    }

    fn visit_char<E: de::Error>(self, v: char) -> Result<(), E> {
        self.push(Token::Str(Cow::Owned(v.to_string())))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.push(Token::Str(Cow::Owned(v.to_owned())))
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<(), E> {
        self.push(Token::Str(Cow::Borrowed(v)))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<(), E> {
        self.push(Token::Str(Cow::Owned(v)))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<(), E> {
        self.push(Token::Bytes(Cow::Owned(v.to_vec())))
    }

    fn visit_borrowed_bytes<E: de::Error>(self, v: &'de [u8]) -> Result<(), E> {
        self.push(Token::Bytes(Cow::Borrowed(v)))
    }

    fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<(), E> {
        self.push(Token::Bytes(Cow::Owned(v)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.push(Token::Unit)
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.push(Token::Unit)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        self.0.push(Token::Some);
        Capture(self.0).deserialize(deserializer)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        Capture(self.0).deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let tokens = self.0;
        let at = tokens.len();
        tokens.push(Token::Seq(0));
        let mut len = 0;
        while seq.next_element_seed(Capture(&mut *tokens))?.is_some() {
            len += 1;
        }
        tokens[at] = Token::Seq(len);
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let tokens = self.0;
        let at = tokens.len();
        tokens.push(Token::Map(0));
        let mut len = 0;
        while map.next_key_seed(Capture(&mut *tokens))?.is_some() {
            map.next_value_seed(Capture(&mut *tokens))?;
            len += 1;
        }
        tokens[at] = Token::Map(len);
        Ok(())
    }
}

type Tokens<'de> = std::vec::IntoIter<Token<'de>>;

/// Replays a [`Content`] as a deserializer whose errors are `E` (the error
/// type of the input it was buffered from).
pub struct ContentDeserializer<'de, E> {
    content: Content<'de>,
    error: PhantomData<E>,
}

impl<'de, E> ContentDeserializer<'de, E> {
    /// A deserializer of `content`.
    pub fn new(content: Content<'de>) -> Self {
        ContentDeserializer {
            content,
            error: PhantomData,
        }
    }
}

/// Decode with `decode` from JSON text, its errors as `E`.
fn json<'de, T, E: de::Error>(
    text: &'de str,
    decode: impl FnOnce(
        &mut serde_json::Deserializer<serde_json::de::StrRead<'de>>,
    ) -> Result<T, serde_json::Error>,
) -> Result<T, E> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    decode(&mut deserializer)
        .and_then(|value| deserializer.end().map(|()| value))
        .map_err(|e| E::custom(message_only(&e)))
}

impl<'de, E: de::Error> Deserializer<'de> for ContentDeserializer<'de, E> {
    type Error = E;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        match self.content.repr {
            Repr::Tokens(tokens) => Replay::new(&mut tokens.into_iter()).deserialize_any(visitor),
            Repr::Json(text) => json(text, |de| de.deserialize_any(visitor)),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        match self.content.repr {
            Repr::Tokens(tokens) => {
                Replay::new(&mut tokens.into_iter()).deserialize_option(visitor)
            }
            Repr::Json(text) => json(text, |de| de.deserialize_option(visitor)),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, E> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, E> {
        match self.content.repr {
            Repr::Tokens(tokens) => {
                Replay::new(&mut tokens.into_iter()).deserialize_enum(name, variants, visitor)
            }
            Repr::Json(text) => json(text, |de| de.deserialize_enum(name, variants, visitor)),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct
        identifier ignored_any
    }
}

/// One value of the token list.
struct Replay<'a, 'de, E> {
    tokens: &'a mut Tokens<'de>,
    error: PhantomData<E>,
}

impl<'a, 'de, E: de::Error> Replay<'a, 'de, E> {
    fn new(tokens: &'a mut Tokens<'de>) -> Self {
        Replay {
            tokens,
            error: PhantomData,
        }
    }

    fn next(&mut self) -> Result<Token<'de>, E> {
        self.tokens
            .next()
            .ok_or_else(|| E::custom("a buffered value ended early"))
    }
}

/// Passes over one value.
fn skip(tokens: &mut Tokens<'_>) {
    let mut values = 1;
    while values > 0 {
        values -= 1;
        match tokens.next() {
            Some(Token::Seq(len)) => values += len,
            Some(Token::Map(len)) => values += 2 * len,
            Some(Token::Some) => values += 1,
            Some(_) => {}
            None => return,
        }
    }
}

impl<'de, E: de::Error> Deserializer<'de> for Replay<'_, 'de, E> {
    type Error = E;

    fn deserialize_any<V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value, E> {
        match self.next()? {
            Token::Unit => visitor.visit_unit(),
            Token::Bool(v) => visitor.visit_bool(v),
            Token::I64(v) => visitor.visit_i64(v),
            Token::U64(v) => visitor.visit_u64(v),
            Token::F64(v) => visitor.visit_f64(v),
            Token::Str(Cow::Borrowed(v)) => visitor.visit_borrowed_str(v),
            Token::Str(Cow::Owned(v)) => visitor.visit_string(v),
            Token::Bytes(Cow::Borrowed(v)) => visitor.visit_borrowed_bytes(v),
            Token::Bytes(Cow::Owned(v)) => visitor.visit_byte_buf(v),
            Token::Some => visitor.visit_some(self),
            Token::Seq(len) => {
                let mut seq = Elements {
                    tokens: self.tokens,
                    remaining: len,
                    error: PhantomData::<E>,
                };
                let value = visitor.visit_seq(&mut seq)?;
                seq.skip_rest(1);
                Ok(value)
            }
            Token::Map(len) => {
                let mut map = Elements {
                    tokens: self.tokens,
                    remaining: len,
                    error: PhantomData::<E>,
                };
                let value = visitor.visit_map(&mut map)?;
                map.skip_rest(2);
                Ok(value)
            }
        }
    }

    fn deserialize_option<V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value, E> {
        match self.tokens.as_slice().first() {
            Some(Token::Unit) => {
                self.next()?;
                visitor.visit_none()
            }
            Some(Token::Some) => {
                self.next()?;
                visitor.visit_some(self)
            }
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
        match self.tokens.as_slice().first() {
            Some(Token::Str(_)) => visitor.visit_enum(Variant {
                tokens: self.tokens,
                with_data: false,
                error: PhantomData::<E>,
            }),
            Some(Token::Map(1)) => {
                self.tokens.next();
                visitor.visit_enum(Variant {
                    tokens: self.tokens,
                    with_data: true,
                    error: PhantomData::<E>,
                })
            }
            _ => Err(E::invalid_type(
                Unexpected::Other("a buffered value"),
                &"an enum",
            )),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct
        identifier ignored_any
    }
}

/// The elements of a list, or the keys and values of an object.
struct Elements<'a, 'de, E> {
    tokens: &'a mut Tokens<'de>,
    remaining: usize,
    error: PhantomData<E>,
}

impl<E> Elements<'_, '_, E> {
    /// Pass over what the visitor left (values of `per` tokens trees each).
    fn skip_rest(&mut self, per: usize) {
        for _ in 0..self.remaining * per {
            skip(self.tokens);
        }
    }
}

impl<'de, E: de::Error> SeqAccess<'de> for Elements<'_, 'de, E> {
    type Error = E;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, E> {
        if self.remaining == 0 {
            return Ok(None);
        }
        self.remaining -= 1;
        seed.deserialize(Replay::new(self.tokens)).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.remaining)
    }
}

impl<'de, E: de::Error> MapAccess<'de> for Elements<'_, 'de, E> {
    type Error = E;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, E> {
        if self.remaining == 0 {
            return Ok(None);
        }
        self.remaining -= 1;
        seed.deserialize(Replay::new(self.tokens)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, E> {
        seed.deserialize(Replay::new(self.tokens))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.remaining)
    }
}

/// An enum's variant name, and its data when `with_data`.
struct Variant<'a, 'de, E> {
    tokens: &'a mut Tokens<'de>,
    with_data: bool,
    error: PhantomData<E>,
}

impl<'a, 'de, E: de::Error> EnumAccess<'de> for Variant<'a, 'de, E> {
    type Error = E;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self), E> {
        let variant = seed.deserialize(Replay::new(&mut *self.tokens))?;
        Ok((variant, self))
    }
}

impl<'de, E: de::Error> VariantAccess<'de> for Variant<'_, 'de, E> {
    type Error = E;

    fn unit_variant(self) -> Result<(), E> {
        if self.with_data {
            skip(self.tokens);
        }
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, E> {
        if !self.with_data {
            return Err(E::invalid_type(
                Unexpected::UnitVariant,
                &"a newtype variant",
            ));
        }
        seed.deserialize(Replay::new(self.tokens))
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, E> {
        if !self.with_data {
            return Err(E::invalid_type(Unexpected::UnitVariant, &"a tuple variant"));
        }
        Replay::new(self.tokens).deserialize_any(visitor)
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
        // From JSON text, the text; from a `Value`, tokens.
        let content: Content = serde_json::from_str(text).unwrap();
        assert!(matches!(content.repr, Repr::Json(json) if json == text));
        let expected: Value = serde_json::from_str(text).unwrap();
        assert_eq!(replay::<Value>(content).unwrap(), expected);
        let from_value = Content::deserialize(&expected).unwrap();
        assert!(matches!(from_value.repr, Repr::Tokens(_)));
        assert_eq!(replay::<Value>(from_value).unwrap(), expected);
        // From another format, tokens.
        let map = serde::de::value::MapDeserializer::<_, serde_json::Error>::new(
            [("a", "b")].into_iter(),
        );
        let other = Content::deserialize(map).unwrap();
        assert!(matches!(other.repr, Repr::Tokens(_)));
        assert_eq!(
            replay::<Value>(other).unwrap(),
            serde_json::json!({ "a": "b" })
        );
    }

    #[test]
    fn replays_options_and_errors() {
        let content = |text: &'static str| serde_json::from_str::<Content>(text).unwrap();
        assert_eq!(replay::<Option<u8>>(content("null")).unwrap(), None);
        assert_eq!(replay::<Option<u8>>(content("3")).unwrap(), Some(3));
        assert_eq!(
            replay::<u8>(content("-1")).unwrap_err().to_string(),
            "invalid value: integer `-1`, expected u8"
        );
        assert_eq!(
            replay::<Vec<u8>>(content("\"x\"")).unwrap_err().to_string(),
            "invalid type: string \"x\", expected a sequence"
        );
        // A visitor that stops early leaves the rest for the next value.
        let pair: (u8, Vec<u8>) = replay(content("[1, [2, 3]]")).unwrap();
        assert_eq!(pair, (1, vec![2, 3]));
    }
}
