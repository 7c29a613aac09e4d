//! QEMU's `QObject`: a parsed request as QEMU holds it.
//!
//! The server keeps requests in this form rather than as `serde_json::Value`
//! because QEMU's answers depend on details `Value` loses: integers keep
//! whether they fit `int64` or only `uint64`, and a [`QDict`] iterates in
//! QEMU's hash-bucket order, which decides which of several bad members QEMU
//! reports.  A `QObject` also deserializes into generated types
//! (`impl Deserializer for &QObject`) and prints as QEMU prints it.

use std::collections::HashMap;
use std::fmt::{self, Write};

use serde::de::{
    self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor,
};

use super::hash::dict_bucket;

/// A JSON value as QEMU's parser builds it.
#[derive(Clone, Debug, PartialEq)]
pub enum QObject {
    /// `null` (`QNull`).
    Null,
    /// `true` or `false` (`QBool`).
    Bool(bool),
    /// An integer that fits `int64` (QEMU's `QNUM_I64`).
    Int(i64),
    /// An integer that fits only `uint64` (`QNUM_U64`).
    Uint(u64),
    /// Any other number (`QNUM_DOUBLE`), possibly infinite.
    Double(f64),
    /// A string; U+0000 stands for QEMU's `\xC0\x80`.
    Str(String),
    /// An object (`QDict`).
    Dict(QDict),
    /// An array (`QList`).
    List(Vec<QObject>),
}

/// The JSON type of a value (QEMU's `QType`), which selects an alternate's
/// branch.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum QType {
    /// `QTYPE_QNULL`.
    Null,
    /// `QTYPE_QNUM`: any number.
    Num,
    /// `QTYPE_QSTRING`.
    Str,
    /// `QTYPE_QDICT`.
    Dict,
    /// `QTYPE_QLIST`.
    List,
    /// `QTYPE_QBOOL`.
    Bool,
}

impl QObject {
    /// Its JSON type (`qobject_type`).
    pub fn qtype(&self) -> QType {
        match self {
            QObject::Null => QType::Null,
            QObject::Bool(_) => QType::Bool,
            QObject::Int(_) | QObject::Uint(_) | QObject::Double(_) => QType::Num,
            QObject::Str(_) => QType::Str,
            QObject::Dict(_) => QType::Dict,
            QObject::List(_) => QType::List,
        }
    }

    /// The value as `int64`, if it is an integer in range (`qnum_get_try_int`).
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            QObject::Int(value) => Some(value),
            QObject::Uint(value) => i64::try_from(value).ok(),
            _ => None,
        }
    }

    /// The value as `uint64`, if it is an integer in range (`qnum_get_try_uint`).
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            QObject::Int(value) => u64::try_from(value).ok(),
            QObject::Uint(value) => Some(value),
            _ => None,
        }
    }

    /// The string, if it is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            QObject::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The dictionary, if it is one.
    pub fn as_dict(&self) -> Option<&QDict> {
        match self {
            QObject::Dict(d) => Some(d),
            _ => None,
        }
    }

    /// The JSON text QEMU prints for this value: `{"a": 1, "b": [true]}`,
    /// dictionary members in QEMU's order.
    pub fn to_qemu_json(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, Order::Qemu);
        out
    }

    /// The JSON text with dictionary members in insertion order (as a
    /// request was sent, or as a program built the value).
    pub fn to_json_in_order(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, Order::Insertion);
        out
    }

    fn write(&self, out: &mut String, order: Order) {
        match self {
            QObject::Null => out.push_str("null"),
            QObject::Bool(true) => out.push_str("true"),
            QObject::Bool(false) => out.push_str("false"),
            QObject::Int(value) => {
                let _ = write!(out, "{value}");
            }
            QObject::Uint(value) => {
                let _ = write!(out, "{value}");
            }
            QObject::Double(value) => out.push_str(&format_g17(*value)),
            QObject::Str(s) => write_str(out, s),
            QObject::List(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.write(out, order);
                }
                out.push(']');
            }
            QObject::Dict(dict) => {
                out.push('{');
                let indices = match order {
                    Order::Qemu => dict.qemu_order(),
                    Order::Insertion => (0..dict.len()).collect(),
                };
                for (i, index) in indices.into_iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    let (key, value) = &dict.entries[index];
                    write_str(out, key);
                    out.push_str(": ");
                    value.write(out, order);
                }
                out.push('}');
            }
        }
    }
}

#[derive(Copy, Clone)]
enum Order {
    Qemu,
    Insertion,
}

/// A JSON string as QEMU's JSON writer prints it: `"`, `\` and the usual
/// control characters escaped by name, other characters outside printable
/// ASCII as `\uXXXX` (surrogate pairs beyond the BMP).
pub(crate) fn write_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            ' '..='\u{7e}' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04X}");
                }
            }
        }
    }
    out.push('"');
}

/// A double as C's `printf("%.17g")` prints it, which is how QEMU prints
/// numbers that are not integers (`0.1` is `0.10000000000000001`).
pub fn format_g17(value: f64) -> String {
    if value.is_nan() {
        return if value.is_sign_negative() {
            "-nan"
        } else {
            "nan"
        }
        .to_string();
    }
    if value.is_infinite() {
        return if value < 0.0 { "-inf" } else { "inf" }.to_string();
    }
    const PRECISION: i32 = 17;
    // 17 significant digits, correctly rounded: d.dddddddddddddddde±x.
    let scientific = format!("{:.*e}", (PRECISION - 1) as usize, value);
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    if !(-4..PRECISION).contains(&exponent) {
        let (first, rest) = digits.split_at(1);
        out.push_str(first);
        let rest = rest.trim_end_matches('0');
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        let sign = if exponent < 0 { '-' } else { '+' };
        let _ = write!(out, "e{sign}{:02}", exponent.abs());
    } else if exponent < 0 {
        out.push_str("0.");
        for _ in 0..(-exponent - 1) {
            out.push('0');
        }
        out.push_str(digits.trim_end_matches('0'));
    } else {
        let (int_part, frac) = digits.split_at(exponent as usize + 1);
        out.push_str(int_part);
        let frac = frac.trim_end_matches('0');
        if !frac.is_empty() {
            out.push('.');
            out.push_str(frac);
        }
    }
    out
}

/// QEMU's `QDict`: members in insertion order here, iterated in QEMU's
/// order by [`QDict::qemu_order`].
#[derive(Clone, Debug, Default)]
pub struct QDict {
    entries: Vec<(String, QObject)>,
    /// Key to entry, built once the dictionary is large enough for linear
    /// search to cost.
    index: Option<HashMap<String, usize>>,
}

const INDEX_THRESHOLD: usize = 16;

impl PartialEq for QDict {
    fn eq(&self, other: &QDict) -> bool {
        self.len() == other.len()
            && self
                .entries
                .iter()
                .all(|(key, value)| other.get(key) == Some(value))
    }
}

impl QDict {
    /// An empty dictionary.
    pub fn new() -> QDict {
        QDict::default()
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn position(&self, key: &str) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(key).copied(),
            None => self.entries.iter().position(|(k, _)| k == key),
        }
    }

    /// Whether it has an entry `key`.
    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_some()
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&QObject> {
        self.position(key).map(|i| &self.entries[i].1)
    }

    /// The index of `key` in insertion order.
    pub(crate) fn index_of(&self, key: &str) -> Option<usize> {
        self.position(key)
    }

    /// Add a member; a key already present gets the new value.
    pub fn insert(&mut self, key: String, value: QObject) {
        if let Some(i) = self.position(&key) {
            self.entries[i].1 = value;
            return;
        }
        if let Some(index) = &mut self.index {
            index.insert(key.clone(), self.entries.len());
        }
        self.entries.push((key, value));
        if self.index.is_none() && self.entries.len() > INDEX_THRESHOLD {
            self.index = Some(
                self.entries
                    .iter()
                    .enumerate()
                    .map(|(i, (k, _))| (k.clone(), i))
                    .collect(),
            );
        }
    }

    /// Remove a member (keeps the insertion order of the others).
    pub(crate) fn remove(&mut self, key: &str) -> Option<QObject> {
        let i = self.position(key)?;
        let (_, value) = self.entries.remove(i);
        if self.index.is_some() {
            self.index = Some(
                self.entries
                    .iter()
                    .enumerate()
                    .map(|(i, (k, _))| (k.clone(), i))
                    .collect(),
            );
        }
        Some(value)
    }

    /// Members in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &QObject)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }

    pub(crate) fn entry(&self, index: usize) -> (&str, &QObject) {
        let (k, v) = &self.entries[index];
        (k, v)
    }

    pub(crate) fn entry_mut(&mut self, index: usize) -> &mut QObject {
        &mut self.entries[index].1
    }

    /// Entry indices in the order QEMU iterates (`qdict_first`,
    /// `qdict_next`): by hash bucket, later insertions first within a
    /// bucket.
    pub fn qemu_order(&self) -> Vec<usize> {
        let mut order: Vec<(u32, usize)> = self
            .entries
            .iter()
            .enumerate()
            .map(|(i, (key, _))| (dict_bucket(key), i))
            .collect();
        order.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        order.into_iter().map(|(_, i)| i).collect()
    }
}

// ---------------------------------------------------------- deserializing

/// Why a `QObject` did not deserialize into a type.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct QObjectError(
    /// The message.
    pub String,
);

impl fmt::Display for QObjectError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for QObjectError {}

impl de::Error for QObjectError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        QObjectError(msg.to_string())
    }
}

impl<'de> Deserializer<'de> for &'de QObject {
    type Error = QObjectError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QObjectError> {
        match self {
            QObject::Null => visitor.visit_unit(),
            QObject::Bool(b) => visitor.visit_bool(*b),
            QObject::Int(i) => visitor.visit_i64(*i),
            QObject::Uint(u) => visitor.visit_u64(*u),
            QObject::Double(d) => visitor.visit_f64(*d),
            QObject::Str(s) => visitor.visit_borrowed_str(s),
            QObject::Dict(dict) => visitor.visit_map(DictAccess {
                entries: dict.entries.iter(),
                value: None,
            }),
            QObject::List(items) => visitor.visit_seq(ListAccess(items.iter())),
        }
    }

    /// QEMU accepts a negative integer for `uint64` and `size`, as its
    /// two's complement.
    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QObjectError> {
        match *self {
            QObject::Int(i) => visitor.visit_u64(i as u64),
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QObjectError> {
        match self {
            QObject::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, QObjectError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, QObjectError> {
        match self {
            QObject::Str(s) => visitor.visit_enum(s.as_str().into_deserializer()),
            _ => self.deserialize_any(visitor),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct
        identifier ignored_any
    }
}

struct DictAccess<'de> {
    entries: std::slice::Iter<'de, (String, QObject)>,
    value: Option<&'de QObject>,
}

impl<'de> MapAccess<'de> for DictAccess<'de> {
    type Error = QObjectError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, QObjectError> {
        match self.entries.next() {
            Some((key, value)) => {
                self.value = Some(value);
                let key: de::value::BorrowedStrDeserializer<'de, QObjectError> =
                    de::value::BorrowedStrDeserializer::new(key);
                seed.deserialize(key).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, QObjectError> {
        match self.value.take() {
            Some(value) => seed.deserialize(value),
            None => Err(de::Error::custom("value requested before its key")),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

struct ListAccess<'de>(std::slice::Iter<'de, QObject>);

impl<'de> SeqAccess<'de> for ListAccess<'de> {
    type Error = QObjectError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, QObjectError> {
        self.0.next().map(|item| seed.deserialize(item)).transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_print_as_percent_17g() {
        for (value, text) in [
            (0.1, "0.10000000000000001"),
            (1.5, "1.5"),
            (1.0, "1"),
            (-0.0, "-0"),
            (0.0, "0"),
            (1e300, "1.0000000000000001e+300"),
            (1e-5, "1.0000000000000001e-05"),
            (1e-4, "0.0001"),
            (123456789012345678.0, "1.2345678901234568e+17"),
            (12345678901234567.0, "12345678901234568"),
            (2.5e-7, "2.4999999999999999e-07"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (-3.25, "-3.25"),
        ] {
            assert_eq!(format_g17(value), text, "{value:e}");
        }
    }

    #[test]
    fn strings_print_as_qemu_prints_them() {
        let mut out = String::new();
        write_str(&mut out, "a\"\\/\u{1}\u{7f}é😀\n\0");
        assert_eq!(out, r#""a\"\\/\u0001\u007F\u00E9\uD83D\uDE00\n\u0000""#);
    }

    #[test]
    fn dict_keeps_insertion_order_and_indexes_large_dicts() {
        let mut dict = QDict::new();
        for i in 0..40 {
            dict.insert(format!("k{i}"), QObject::Int(i));
        }
        assert_eq!(dict.get("k33"), Some(&QObject::Int(33)));
        assert_eq!(dict.iter().nth(5).map(|(k, _)| k), Some("k5"));
        dict.remove("k3");
        assert_eq!(dict.get("k39"), Some(&QObject::Int(39)));
        assert!(!dict.contains_key("k3"));
        assert_eq!(dict.len(), 39);
    }
}
