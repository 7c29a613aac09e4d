//! The machinery generated code calls; not a stable API.
//!
//! Generated impls only name members and types: the loops, buffering and
//! error handling live here, written once.
//!
//! Objects decode through "slots": a generated struct with one `Option`
//! per member ([`Slots`]); the loop here reads each key, finds its index in
//! [`Slots::MEMBERS`], and lets the generated `member` store the value.
//! A union's discriminator selects its branch's slots ([`UnionBranch`]);
//! branch members that arrive before the discriminator (QEMU sends members
//! in no fixed order) are kept as raw JSON text and replayed at the end.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::value::{MapAccessDeserializer, MapDeserializer, SeqAccessDeserializer};
use serde::de::{
    self, Deserialize, DeserializeSeed, Deserializer, IgnoredAny, IntoDeserializer, MapAccess,
    SeqAccess, Unexpected, Visitor,
};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::value::RawValue;
use serde_json::Value;

use crate::decode::{record, strict, Segment};
use crate::{Branch, Enum, Event, Object, Timestamp, UnknownValue};

pub use serde::de::Error as DeError;

// ---------------------------------------------------------------- objects

/// The member slots of an object type while it is decoded.
pub trait Slots: Default {
    type Object: Object;
    /// Wire names of the members, in schema order; `member` takes an index
    /// into this list.
    const MEMBERS: &'static [&'static str];
    /// A union: members not in `MEMBERS` go to [`Slots::branch_member`].
    const HAS_BRANCH: bool = false;

    /// Decode the value of member `MEMBERS[index]`.
    fn member<'de, D: Deserializer<'de>>(&mut self, index: usize, value: D)
        -> Result<(), D::Error>;

    /// Decode a member that is not in `MEMBERS` (a union's branch member).
    fn branch_member<'de, D: Deserializer<'de>>(
        &mut self,
        key: &str,
        value: D,
    ) -> Result<(), D::Error> {
        ignore_member(key, value)
    }

    /// Build the object; missing required members are errors.
    fn finish<E: de::Error>(self) -> Result<Self::Object, E>;
}

/// Slots of a type without members (a unit struct).
pub struct UnitSlots<T>(PhantomData<T>);

impl<T> Default for UnitSlots<T> {
    fn default() -> Self {
        UnitSlots(PhantomData)
    }
}

impl<T: Object<Slots = Self> + Default> Slots for UnitSlots<T> {
    type Object = T;
    const MEMBERS: &'static [&'static str] = &[];

    fn member<'de, D: Deserializer<'de>>(&mut self, _: usize, value: D) -> Result<(), D::Error> {
        value.deserialize_ignored_any(IgnoredAny).map(drop)
    }

    fn finish<E: de::Error>(self) -> Result<T, E> {
        Ok(T::default())
    }
}

pub fn serialize_object<T: Object, S: Serializer>(
    value: &T,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(None)?;
    value.serialize_members(&mut map)?;
    map.end()
}

pub fn deserialize_object<'de, S: Slots, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<S::Object, D::Error> {
    deserializer.deserialize_map(ObjectVisitor::<S>(PhantomData))
}

struct ObjectVisitor<S>(PhantomData<S>);

impl<'de, S: Slots> Visitor<'de> for ObjectVisitor<S> {
    type Value = S::Object;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "an object ({})", <S::Object as Object>::TYPE_NAME)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<S::Object, A::Error> {
        let mut slots = S::default();
        while let Some(key) = map.next_key_seed(KeySeed::<S>(PhantomData))? {
            match key {
                Key::Member(index) => map
                    .next_value_seed(MemberSeed {
                        slots: &mut slots,
                        index,
                    })
                    .map_err(|e| record(Segment::Member(S::MEMBERS[index]), e))?,
                Key::Branch(name) => map
                    .next_value_seed(BranchSeed {
                        slots: &mut slots,
                        key: &name,
                    })
                    .map_err(|e| record(Segment::Key(name.into_owned()), e))?,
                Key::Unknown(None) => {
                    map.next_value::<IgnoredAny>()?;
                }
                Key::Unknown(Some(name)) => {
                    return Err(record(
                        Segment::Key(name),
                        A::Error::custom("unknown member"),
                    ))
                }
            }
        }
        slots.finish()
    }
}

enum Key<'de> {
    Member(usize),
    /// Not a member of the type itself: maybe a union branch's.
    Branch(Cow<'de, str>),
    /// Unknown; the name is kept only when it is an error (strict mode).
    Unknown(Option<String>),
}

struct KeySeed<S>(PhantomData<S>);

impl<'de, S: Slots> DeserializeSeed<'de> for KeySeed<S> {
    type Value = Key<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Key<'de>, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de, S: Slots> KeySeed<S> {
    fn classify(key: &str, borrowed: Option<&'de str>) -> Key<'de> {
        if let Some(index) = S::MEMBERS.iter().position(|m| *m == key) {
            Key::Member(index)
        } else if S::HAS_BRANCH {
            Key::Branch(match borrowed {
                Some(key) => Cow::Borrowed(key),
                None => Cow::Owned(key.to_owned()),
            })
        } else if strict() {
            Key::Unknown(Some(key.to_owned()))
        } else {
            Key::Unknown(None)
        }
    }
}

impl<'de, S: Slots> Visitor<'de> for KeySeed<S> {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Key<'de>, E> {
        Ok(Self::classify(key, None))
    }

    fn visit_borrowed_str<E: de::Error>(self, key: &'de str) -> Result<Key<'de>, E> {
        Ok(Self::classify(key, Some(key)))
    }
}

struct MemberSeed<'a, S> {
    slots: &'a mut S,
    index: usize,
}

impl<'de, S: Slots> DeserializeSeed<'de> for MemberSeed<'_, S> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        self.slots.member(self.index, deserializer)
    }
}

struct BranchSeed<'a, S> {
    slots: &'a mut S,
    key: &'a str,
}

impl<'de, S: Slots> DeserializeSeed<'de> for BranchSeed<'_, S> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        self.slots.branch_member(self.key, deserializer)
    }
}

/// Skip the value of a member this type does not have; an error in
/// [`Mode::Strict`](crate::Mode).
pub fn ignore_member<'de, D: Deserializer<'de>>(key: &str, value: D) -> Result<(), D::Error> {
    let _ = key;
    if strict() {
        return Err(D::Error::custom("unknown member"));
    }
    value.deserialize_ignored_any(IgnoredAny).map(drop)
}

fn duplicate<E: de::Error>() -> E {
    E::custom("duplicate member")
}

/// Store a member's value.
pub fn set<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    slot: &mut Option<T>,
    value: D,
) -> Result<(), D::Error> {
    if slot.is_some() {
        return Err(duplicate());
    }
    *slot = Some(T::deserialize(value)?);
    Ok(())
}

/// Store a member's value that is a list, recording the index of a failing
/// element in the error path.
pub fn set_list<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    slot: &mut Option<Vec<T>>,
    value: D,
) -> Result<(), D::Error> {
    if slot.is_some() {
        return Err(duplicate());
    }
    *slot = Some(value.deserialize_seq(ListVisitor(PhantomData))?);
    Ok(())
}

/// A required member's value.
pub fn required<T, E: de::Error>(slot: Option<T>, name: &'static str) -> Result<T, E> {
    slot.ok_or_else(|| E::custom(format_args!("missing member `{name}`")))
}

/// Decode a list, recording the index of a failing element.
pub fn deserialize_list<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<T>, D::Error> {
    deserializer.deserialize_seq(ListVisitor(PhantomData))
}

struct ListVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ListVisitor<T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        let mut list = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        loop {
            match seq.next_element() {
                Ok(Some(element)) => list.push(element),
                Ok(None) => return Ok(list),
                Err(e) => return Err(record(Segment::Index(list.len()), e)),
            }
        }
    }
}

/// Keep a member the type does not declare (a `'gen': false` command's).
pub fn set_extra<'de, D: Deserializer<'de>>(
    extra: &mut serde_json::Map<String, Value>,
    key: &str,
    value: D,
) -> Result<(), D::Error> {
    if extra.contains_key(key) {
        return Err(duplicate());
    }
    extra.insert(key.to_owned(), Value::deserialize(value)?);
    Ok(())
}

/// Encode the members a type does not declare.
pub fn extra<M: SerializeMap>(
    map: &mut M,
    extra: &serde_json::Map<String, Value>,
) -> Result<(), M::Error> {
    for (key, value) in extra {
        map.serialize_entry(key, value)?;
    }
    Ok(())
}

/// Encode a member.
pub fn member<M: SerializeMap, T: Serialize + ?Sized>(
    map: &mut M,
    name: &'static str,
    value: &T,
) -> Result<(), M::Error> {
    map.serialize_entry(name, value)
}

/// Encode an optional member; nothing when it is absent.
pub fn optional<M: SerializeMap, T: Serialize>(
    map: &mut M,
    name: &'static str,
    value: &Option<T>,
) -> Result<(), M::Error> {
    match value {
        Some(value) => map.serialize_entry(name, value),
        None => Ok(()),
    }
}

/// Encode an optional member of type `number` (or a list of them).
pub fn optional_number<M: SerializeMap, T>(
    map: &mut M,
    name: &'static str,
    value: &Option<T>,
) -> Result<(), M::Error>
where
    for<'a> Number<'a, T>: Serialize,
{
    match value {
        Some(value) => map.serialize_entry(name, &Number(value)),
        None => Ok(()),
    }
}

/// A QAPI `number` (`f64`, or a list of them) encoded as QEMU prints it: an
/// integral value as an integer, so that QEMU's output encodes back to the
/// same JSON.
pub struct Number<'a, T: ?Sized>(pub &'a T);

impl Serialize for Number<'_, f64> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let value = *self.0;
        // Below 2^53 every integral f64 is an exact i64.
        let exact = value.trunc() == value && value.abs() < 9_007_199_254_740_992.0;
        if exact && !(value == 0.0 && value.is_sign_negative()) {
            serializer.serialize_i64(value as i64)
        } else {
            serializer.serialize_f64(value)
        }
    }
}

impl Serialize for Number<'_, Vec<f64>> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for value in self.0 {
            seq.serialize_element(&Number(value))?;
        }
        seq.end()
    }
}

// ------------------------------------------------------------------ enums

pub fn serialize_enum<T: Enum, S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(value.as_str())
}

pub fn deserialize_enum<'de, T: Enum, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<T, D::Error> {
    deserializer.deserialize_str(EnumVisitor(PhantomData))
}

struct EnumVisitor<T>(PhantomData<T>);

impl<T: Enum> Visitor<'_> for EnumVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "a string ({} value)", T::NAME)
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<T, E> {
        match T::from_name(value) {
            Some(known) => Ok(known),
            None if strict() => Err(E::unknown_variant(value, T::NAMES)),
            None => Ok(T::unknown(UnknownValue::new(value))),
        }
    }
}

/// `FromStr` of a generated enum: known values only.
pub fn enum_from_str<T: Enum>(text: &str) -> Result<T, crate::ParseEnumError> {
    T::from_name(text).ok_or_else(|| crate::ParseEnumError {
        type_name: T::NAME,
        value: UnknownValue::new(text),
    })
}

// ------------------------------------------------------------- alternates

/// The JSON type of a value, which selects an alternate's branch.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum JsonKind {
    Null,
    Bool,
    Int,
    Number,
    String,
    Object,
    Array,
}

/// An alternate: one branch per JSON type.
pub trait Alternate: Sized {
    /// What the value may be, for error messages (`an object or a string`).
    const EXPECTING: &'static str;

    /// Decode the branch for `kind`; `None` when there is none.
    fn decode<'de, D: Deserializer<'de>>(
        kind: JsonKind,
        value: D,
    ) -> Option<Result<Self, D::Error>>;
}

pub fn deserialize_alternate<'de, T: Alternate, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<T, D::Error> {
    deserializer.deserialize_any(AlternateVisitor(PhantomData))
}

struct AlternateVisitor<T>(PhantomData<T>);

impl<T: Alternate> AlternateVisitor<T> {
    fn branch<'de, D: Deserializer<'de>>(
        &self,
        kind: JsonKind,
        value: D,
        unexpected: Unexpected,
    ) -> Result<T, D::Error> {
        T::decode(kind, value).unwrap_or_else(|| Err(D::Error::invalid_type(unexpected, self)))
    }
}

impl<'de, T: Alternate> Visitor<'de> for AlternateVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(T::EXPECTING)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<T, E> {
        self.branch(JsonKind::Bool, v.into_deserializer(), Unexpected::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        self.branch(JsonKind::Int, v.into_deserializer(), Unexpected::Signed(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        self.branch(
            JsonKind::Int,
            v.into_deserializer(),
            Unexpected::Unsigned(v),
        )
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
        self.branch(
            JsonKind::Number,
            v.into_deserializer(),
            Unexpected::Float(v),
        )
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        self.branch(JsonKind::String, v.into_deserializer(), Unexpected::Str(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<T, E> {
        self.branch(JsonKind::Null, ().into_deserializer(), Unexpected::Unit)
    }

    fn visit_none<E: de::Error>(self) -> Result<T, E> {
        self.visit_unit()
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        self.branch(
            JsonKind::Object,
            MapAccessDeserializer::new(map),
            Unexpected::Map,
        )
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<T, A::Error> {
        self.branch(
            JsonKind::Array,
            SeqAccessDeserializer::new(seq),
            Unexpected::Seq,
        )
    }
}

// ----------------------------------------------------------------- unions

/// The generated slots of a union's branches: one variant per branch.
pub trait BranchSlots: Sized {
    /// The discriminator's enum.
    type Tag: Enum + for<'de> Deserialize<'de>;
    /// The union's branch enum.
    type Output: Branch<Tag = Self::Tag>;

    fn select(tag: Self::Tag) -> Self;
    fn member<'de, D: Deserializer<'de>>(&mut self, key: &str, value: D) -> Result<(), D::Error>;
    fn finish<E: de::Error>(self) -> Result<Self::Output, E>;
}

/// Decode a branch member into the branch's slots.
pub fn branch_member<'de, S: Slots, D: Deserializer<'de>>(
    slots: &mut S,
    key: &str,
    value: D,
) -> Result<(), D::Error> {
    match S::MEMBERS.iter().position(|m| *m == key) {
        Some(index) => slots.member(index, value),
        None if S::HAS_BRANCH => slots.branch_member(key, value),
        None => ignore_member(key, value),
    }
}

/// The discriminator and branch of a union being decoded.
pub struct UnionBranch<B> {
    branch: Option<B>,
    /// Members seen before the discriminator, as JSON text (cheaper to
    /// keep and to read again than a `Value` tree).
    pending: Vec<(String, Box<RawValue>)>,
}

impl<B> Default for UnionBranch<B> {
    fn default() -> Self {
        UnionBranch {
            branch: None,
            pending: Vec::new(),
        }
    }
}

impl<B: BranchSlots> UnionBranch<B> {
    /// The discriminator's value.
    pub fn tag<'de, D: Deserializer<'de>>(&mut self, value: D) -> Result<(), D::Error> {
        if self.branch.is_some() {
            return Err(duplicate());
        }
        self.branch = Some(B::select(B::Tag::deserialize(value)?));
        Ok(())
    }

    /// A member that is not the base's.
    pub fn member<'de, D: Deserializer<'de>>(
        &mut self,
        key: &str,
        value: D,
    ) -> Result<(), D::Error> {
        match &mut self.branch {
            Some(branch) => branch.member(key, value),
            None => {
                let value = Box::<RawValue>::deserialize(value)?;
                self.pending.push((key.to_owned(), value));
                Ok(())
            }
        }
    }

    pub fn finish<E: de::Error>(self, tag: &'static str) -> Result<B::Output, E> {
        let Some(mut branch) = self.branch else {
            return Err(E::custom(format_args!("missing member `{tag}`")));
        };
        for (key, value) in self.pending {
            if let Err(e) = branch.member(&key, &*value) {
                return Err(record(Segment::Key(key), E::custom(message_only(&e))));
            }
        }
        branch.finish()
    }
}

/// An error's message without the position, which for JSON read again
/// from a buffer is a position in that buffer, not in the input.
fn message_only(error: &serde_json::Error) -> String {
    let text = error.to_string();
    let position = format!(" at line {} column {}", error.line(), error.column());
    match text.strip_suffix(&position) {
        Some(message) => message.to_string(),
        None => text,
    }
}

// ----------------------------------------------------------------- events

/// The generated `events::Event` enum.
pub trait EventSet: Sized {
    /// The events this build knows.
    const NAMES: &'static [&'static str];

    /// Decode the data of the event `name`, one of [`EventSet::NAMES`].
    fn decode<'de, D: Deserializer<'de>>(
        name: &str,
        data: D,
        timestamp: Timestamp,
    ) -> Result<Self, D::Error>;

    fn unknown(name: String, data: Option<Value>, timestamp: Timestamp) -> Self;

    fn timestamp_mut(&mut self) -> &mut Timestamp;
}

fn known_event<E: EventSet>(name: &str) -> bool {
    E::NAMES.contains(&name)
}

pub fn serialize_event<E: Event, S: Serializer>(
    serializer: S,
    data: &E,
    timestamp: &Timestamp,
) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(None)?;
    map.serialize_entry("event", E::NAME)?;
    if E::HAS_DATA {
        map.serialize_entry("data", data)?;
    }
    map.serialize_entry("timestamp", timestamp)?;
    map.end()
}

pub fn serialize_unknown_event<S: Serializer>(
    serializer: S,
    name: &str,
    data: &Option<Value>,
    timestamp: &Timestamp,
) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(None)?;
    map.serialize_entry("event", name)?;
    if let Some(data) = data {
        map.serialize_entry("data", data)?;
    }
    map.serialize_entry("timestamp", timestamp)?;
    map.end()
}

pub fn deserialize_event<'de, E: EventSet, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<E, D::Error> {
    deserializer.deserialize_map(EventVisitor(PhantomData))
}

struct EventVisitor<E>(PhantomData<E>);

enum Data<E> {
    Decoded(E),
    Unknown(Value),
}

struct DataSeed<'a, E> {
    name: &'a str,
    _event: PhantomData<E>,
}

impl<'de, E: EventSet> DeserializeSeed<'de> for DataSeed<'_, E> {
    type Value = Data<E>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Data<E>, D::Error> {
        if known_event::<E>(self.name) {
            E::decode(self.name, deserializer, Timestamp::default()).map(Data::Decoded)
        } else {
            Value::deserialize(deserializer).map(Data::Unknown)
        }
    }
}

impl<'de, E: EventSet> Visitor<'de> for EventVisitor<E> {
    type Value = E;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an event message (an object with `event` and `timestamp`)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<E, A::Error> {
        let mut name: Option<String> = None;
        let mut timestamp: Option<Timestamp> = None;
        let mut data: Option<Data<E>> = None;
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match &*key {
                "event" => {
                    let value = map
                        .next_value()
                        .map_err(|e| record(Segment::Member("event"), e))?;
                    if name.replace(value).is_some() {
                        return Err(record(Segment::Member("event"), duplicate()));
                    }
                }
                "timestamp" => {
                    let value = map
                        .next_value()
                        .map_err(|e| record(Segment::Member("timestamp"), e))?;
                    if timestamp.replace(value).is_some() {
                        return Err(record(Segment::Member("timestamp"), duplicate()));
                    }
                }
                "data" => {
                    if data.is_some() {
                        return Err(record(Segment::Member("data"), duplicate()));
                    }
                    let value = match &name {
                        Some(name) => map.next_value_seed(DataSeed {
                            name,
                            _event: PhantomData,
                        }),
                        // The name comes later: keep the data for then.
                        None => map.next_value().map(Data::Unknown),
                    };
                    data = Some(value.map_err(|e| record(Segment::Member("data"), e))?);
                }
                _ if strict() => {
                    return Err(record(
                        Segment::Key(key.into_owned()),
                        A::Error::custom("unknown member"),
                    ))
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let name = required(name, "event")?;
        let timestamp = required(timestamp, "timestamp")?;
        match data {
            Some(Data::Decoded(mut event)) => {
                *event.timestamp_mut() = timestamp;
                Ok(event)
            }
            Some(Data::Unknown(value)) if known_event::<E>(&name) => {
                E::decode(&name, &value, timestamp)
                    .map_err(|e| record(Segment::Member("data"), A::Error::custom(e)))
            }
            Some(Data::Unknown(value)) => unknown_event(name, Some(value), timestamp),
            None if known_event::<E>(&name) => {
                let empty = MapDeserializer::new(std::iter::empty::<(&str, &str)>());
                E::decode(&name, empty, timestamp)
            }
            None => unknown_event(name, None, timestamp),
        }
    }
}

fn unknown_event<E: EventSet, Err: de::Error>(
    name: String,
    data: Option<Value>,
    timestamp: Timestamp,
) -> Result<E, Err> {
    if strict() {
        return Err(Err::custom(format_args!("unknown event `{name}`")));
    }
    Ok(E::unknown(name, data, timestamp))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::{from_str, from_value, Mode};

    /// A hand-written enum, as generated.
    #[derive(Clone, Debug, PartialEq)]
    enum Color {
        Red,
        Green,
        Unknown(UnknownValue),
    }

    impl Enum for Color {
        const NAME: &'static str = "Color";
        const VALUES: &'static [Self] = &[Color::Red, Color::Green];
        const NAMES: &'static [&'static str] = &["red", "green"];
        fn as_str(&self) -> &str {
            match self {
                Color::Red => "red",
                Color::Green => "green",
                Color::Unknown(v) => v.as_str(),
            }
        }
        fn unknown(value: UnknownValue) -> Self {
            Color::Unknown(value)
        }
        fn as_unknown(&self) -> Option<&UnknownValue> {
            match self {
                Color::Unknown(v) => Some(v),
                _ => None,
            }
        }
    }

    impl Serialize for Color {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serialize_enum(self, serializer)
        }
    }

    impl<'de> Deserialize<'de> for Color {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            deserialize_enum(deserializer)
        }
    }

    /// A hand-written alternate: a color name, a number or a list.
    #[derive(Debug, PartialEq)]
    enum Paint {
        Named(Color),
        Level(f64),
        Mix(Vec<u8>),
    }

    impl Alternate for Paint {
        const EXPECTING: &'static str = "a string (Color), a number or an array";
        fn decode<'de, D: Deserializer<'de>>(
            kind: JsonKind,
            value: D,
        ) -> Option<Result<Self, D::Error>> {
            Some(match kind {
                JsonKind::String => Deserialize::deserialize(value).map(Paint::Named),
                JsonKind::Int | JsonKind::Number => {
                    Deserialize::deserialize(value).map(Paint::Level)
                }
                JsonKind::Array => deserialize_list(value).map(Paint::Mix),
                _ => return None,
            })
        }
    }

    impl<'de> Deserialize<'de> for Paint {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            deserialize_alternate(deserializer)
        }
    }

    /// A hand-written struct with a list member, as generated.
    #[derive(Debug, PartialEq)]
    struct Palette {
        name: String,
        colors: Vec<Color>,
        when: Option<crate::Timestamp>,
    }

    #[derive(Default)]
    struct PaletteSlots {
        name: Option<String>,
        colors: Option<Vec<Color>>,
        when: Option<crate::Timestamp>,
    }

    impl Object for Palette {
        const TYPE_NAME: &'static str = "Palette";
        type Slots = PaletteSlots;
        fn serialize_members<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
            member(map, "name", &self.name)?;
            member(map, "colors", &self.colors)?;
            optional(map, "when", &self.when)
        }
    }

    impl Slots for PaletteSlots {
        type Object = Palette;
        const MEMBERS: &'static [&'static str] = &["name", "colors", "when"];
        fn member<'de, D: Deserializer<'de>>(
            &mut self,
            index: usize,
            value: D,
        ) -> Result<(), D::Error> {
            match index {
                0 => set(&mut self.name, value),
                1 => set_list(&mut self.colors, value),
                _ => set(&mut self.when, value),
            }
        }
        fn finish<E: de::Error>(self) -> Result<Palette, E> {
            Ok(Palette {
                name: required(self.name, "name")?,
                colors: required(self.colors, "colors")?,
                when: self.when,
            })
        }
    }

    impl Serialize for Palette {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serialize_object(self, serializer)
        }
    }

    impl<'de> Deserialize<'de> for Palette {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            deserialize_object::<PaletteSlots, D>(deserializer)
        }
    }

    fn err<T: for<'de> Deserialize<'de> + fmt::Debug>(value: Value, mode: Mode) -> String {
        from_value::<T>(&value, mode).unwrap_err().to_string()
    }

    #[test]
    fn objects_decode_in_any_order_and_encode_in_schema_order() {
        let palette: Palette = from_str(
            r#"{"colors": ["red", "blue"], "extra": 1, "name": "p"}"#,
            Mode::Lenient,
        )
        .unwrap();
        assert_eq!(
            palette.colors,
            [Color::Red, Color::Unknown(UnknownValue::new("blue"))]
        );
        assert_eq!(
            serde_json::to_string(&palette).unwrap(),
            r#"{"name":"p","colors":["red","blue"]}"#
        );
    }

    #[test]
    fn object_errors_carry_the_member_path() {
        assert_eq!(
            err::<Palette>(json!({ "colors": [] }), Mode::Lenient),
            "missing member `name`"
        );
        assert_eq!(
            err::<Palette>(json!({ "name": "p", "colors": ["red", 1] }), Mode::Lenient),
            "colors[1]: invalid type: integer `1`, expected a string (Color value)"
        );
        assert_eq!(
            err::<Palette>(
                json!({ "name": "p", "colors": [], "when": { "seconds": 1, "microseconds": "x" } }),
                Mode::Lenient
            ),
            "when.microseconds: invalid type: string \"x\", expected i64"
        );
        assert_eq!(
            err::<Palette>(
                json!({ "name": "p", "colors": [], "extra": 1 }),
                Mode::Strict
            ),
            "extra: unknown member"
        );
        assert_eq!(
            err::<Palette>(json!(["p"]), Mode::Lenient),
            "invalid type: sequence, expected an object (Palette)"
        );
        let e = from_str::<Palette>(r#"{"name": "p", "name": "q", "colors": []}"#, Mode::Lenient)
            .unwrap_err();
        assert_eq!(e.path, "name");
        assert!(
            e.to_string()
                .starts_with("name: duplicate member at line 1"),
            "{e}"
        );
    }

    #[test]
    fn paths_do_not_leak_between_decodings() {
        let _ = err::<Palette>(json!({ "name": 1, "colors": [] }), Mode::Lenient);
        assert_eq!(
            err::<Palette>(json!({ "colors": [] }), Mode::Lenient),
            "missing member `name`"
        );
    }

    #[test]
    fn enums_unknown_values_by_mode() {
        let color: Color = from_value(&json!("blue"), Mode::Lenient).unwrap();
        assert_eq!(color, Color::Unknown(UnknownValue::new("blue")));
        assert_eq!(serde_json::to_value(&color).unwrap(), json!("blue"));
        assert_eq!(
            err::<Color>(json!("blue"), Mode::Strict),
            "unknown variant `blue`, expected `red` or `green`"
        );
        assert_eq!(enum_from_str::<Color>("green"), Ok(Color::Green));
        assert_eq!(
            enum_from_str::<Color>("blue").unwrap_err().to_string(),
            "unknown Color value `blue`"
        );
        // Plain serde decoding is lenient, and the mode is restored after a
        // strict decoding.
        let _ = err::<Color>(json!("blue"), Mode::Strict);
        assert!(serde_json::from_value::<Color>(json!("blue")).is_ok());
    }

    #[test]
    fn alternates_select_the_branch_by_json_type() {
        let cases = [
            (json!("red"), Paint::Named(Color::Red)),
            (json!(3), Paint::Level(3.0)),
            (json!(0.25), Paint::Level(0.25)),
            (json!([1, 2]), Paint::Mix(vec![1, 2])),
        ];
        for (value, expected) in cases {
            assert_eq!(
                from_value::<Paint>(&value, Mode::Lenient).unwrap(),
                expected
            );
        }
        assert_eq!(
            err::<Paint>(json!(true), Mode::Lenient),
            "invalid type: boolean `true`, expected a string (Color), a number or an array"
        );
        assert_eq!(
            err::<Paint>(json!([1, 256]), Mode::Lenient),
            "[1]: invalid value: integer `256`, expected u8"
        );
    }

    #[test]
    fn numbers_encode_as_qemu_prints_them() {
        let encode = |v: f64| serde_json::to_string(&Number(&v)).unwrap();
        assert_eq!(encode(2.0), "2");
        assert_eq!(encode(-7.0), "-7");
        assert_eq!(encode(0.5), "0.5");
        assert_eq!(encode(-0.0), "-0.0");
        assert_eq!(encode(1e20), "1e+20");
        assert_eq!(
            serde_json::to_string(&Number(&vec![1.0, 1.5])).unwrap(),
            "[1,1.5]"
        );
    }

    #[test]
    fn builtin_wire_types() {
        assert_eq!(serde_json::to_value(crate::Empty).unwrap(), json!({}));
        let empty: crate::Empty = from_value(&json!({ "a": 1 }), Mode::Lenient).unwrap();
        assert_eq!(empty, crate::Empty);
        assert_eq!(
            err::<crate::Empty>(json!({ "a": 1 }), Mode::Strict),
            "a: unknown member"
        );
        assert_eq!(serde_json::to_value(crate::Null).unwrap(), json!(null));
        assert!(from_value::<crate::Null>(&json!(null), Mode::Lenient).is_ok());
        assert_eq!(
            err::<crate::Null>(json!(0), Mode::Lenient),
            "invalid type: integer `0`, expected null"
        );
        let stamp = json!({ "seconds": 1, "microseconds": 2 });
        let decoded: crate::Timestamp = from_value(&stamp, Mode::Strict).unwrap();
        assert_eq!((decoded.seconds, decoded.microseconds), (1, 2));
        assert_eq!(serde_json::to_value(decoded).unwrap(), stamp);
    }
}
