//! The hooks generated code calls; not a stable API.
//!
//! Generated code is type definitions and, for each type, one invocation
//! of a macro of this module ([`enum_impls!`], [`object_impls!`],
//! [`branch_impls!`], [`alternate_impls!`], [`event_impls!`],
//! [`newtype_impls!`]) naming its members: the trait impls they expand to
//! are written once, in `macros.rs`, and call the functions here, where the
//! loops, buffering and error handling live.
//!
//! Objects decode through "slots": a struct with one `Option` per member
//! ([`Slots`]); the loop here reads each key, finds its index in
//! [`Slots::MEMBERS`], and lets the slots store the value.  A union's
//! discriminator selects its branch's slots ([`UnionBranch`]); branch
//! members that arrive before the discriminator (JSON members come in no
//! fixed order) are buffered as [`Content`], which any deserializer can
//! produce, and replayed once it is known.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::value::{MapAccessDeserializer, MapDeserializer, SeqAccessDeserializer};
use serde::de::{
    self, Deserialize, DeserializeSeed, Deserializer, IgnoredAny, IntoDeserializer, MapAccess,
    SeqAccess, Unexpected, Visitor,
};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::Value;

pub use crate::content::{Content, ContentDeserializer};
use crate::decode::{record, strict, Segment};
use crate::{Branch, Enum, Event, Object, Timestamp, UnknownBranch, UnknownValue};

pub use serde::de::Error as DeError;

pub use crate::__qapi_builder as builder;
pub use crate::{
    __qapi_alternate_impls as alternate_impls, __qapi_branch_impls as branch_impls,
    __qapi_command_visit as command_visit, __qapi_enum_impls as enum_impls,
    __qapi_event_impls as event_impls, __qapi_list_returns as list_returns,
    __qapi_newtype_impls as newtype_impls, __qapi_object_impls as object_impls,
    __qapi_serde_impls as serde_impls, __qapi_span_versions as span_versions,
    __qapi_versions as versions,
};

// ---------------------------------------------------------------- objects

/// The member slots of an object type while it is decoded.
pub trait Slots: Sized {
    type Object: Object;
    /// Wire names of the members, in schema order, conditional ones too
    /// (whatever the build's `cfg`): `member` takes an index into this
    /// list, and generated code numbers its members by it.
    const MEMBERS: &'static [&'static str];
    /// A union (or an object keeping undeclared members): members not in
    /// `MEMBERS` go to [`Slots::branch_member`].
    const HAS_BRANCH: bool = false;
    /// The slots before any member is read (a constant rather than a
    /// `Default` impl: one item less per generated type).
    const EMPTY: Self;

    /// Decode the value of member `MEMBERS[index]`.
    fn member<'de, D: Deserializer<'de>>(&mut self, index: usize, value: D)
        -> Result<(), D::Error>;

    /// Whether the member `key`, not in `MEMBERS`, can be decoded now:
    /// not while the discriminator that selects its branch is unknown.
    fn branch_ready(&self, key: &str) -> bool {
        let _ = key;
        true
    }

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

impl<T: Object<Slots = Self> + Default> Slots for UnitSlots<T> {
    type Object = T;
    const MEMBERS: &'static [&'static str] = &[];
    const EMPTY: Self = UnitSlots(PhantomData);

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

pub fn deserialize_object<'de, T: Object, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<T, D::Error> {
    deserializer.deserialize_map(ObjectVisitor::<T::Slots>(PhantomData))
}

struct ObjectVisitor<S>(PhantomData<S>);

/// Branch members buffered until their discriminator is known.
type Pending<'de> = Vec<(Cow<'de, str>, Content<'de>)>;

impl<'de, S: Slots> Visitor<'de> for ObjectVisitor<S> {
    type Value = S::Object;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "an object ({})", <S::Object as Object>::TYPE_NAME)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<S::Object, A::Error> {
        let mut slots = S::EMPTY;
        // Allocated by the first member that must wait: most objects have
        // none, and they then skip the replay and the drop.
        let mut pending: Option<Pending<'de>> = None;
        while let Some(key) = map.next_key_seed(KeySeed::<S>(PhantomData))? {
            match key {
                Key::Member(index) => map
                    .next_value_seed(MemberSeed {
                        slots: &mut slots,
                        index,
                    })
                    .map_err(|e| record(Segment::Member(S::MEMBERS[index]), e))?,
                Key::Branch(name) if slots.branch_ready(&name) => map
                    .next_value_seed(BranchSeed {
                        slots: &mut slots,
                        key: &name,
                    })
                    .map_err(|e| record(Segment::Key(name.into_owned()), e))?,
                Key::Branch(name) => {
                    let value = map
                        .next_value::<Content<'de>>()
                        .map_err(|e| record(Segment::Key(name.clone().into_owned()), e))?;
                    pending.get_or_insert_with(Vec::new).push((name, value));
                }
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
        if let Some(pending) = pending {
            replay(&mut slots, pending)?;
        }
        slots.finish()
    }
}

/// Decode the buffered members whose discriminator is now known, in the
/// order they came; again while that decodes a nested union's
/// discriminator.  Those still waiting have no discriminator: `finish`
/// reports it missing.
fn replay<'de, S: Slots, E: de::Error>(slots: &mut S, mut pending: Pending<'de>) -> Result<(), E> {
    while !pending.is_empty() {
        let before = pending.len();
        let mut waiting = Vec::new();
        for (key, value) in pending {
            if !slots.branch_ready(&key) {
                waiting.push((key, value));
                continue;
            }
            slots
                .branch_member(&key, ContentDeserializer::<E>::new(value))
                .map_err(|e| record(Segment::Key(key.into_owned()), e))?;
        }
        if waiting.len() == before {
            break;
        }
        pending = waiting;
    }
    Ok(())
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
pub fn set_value<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
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

/// Keep a member the type does not declare, in the slot of those members.
pub fn set_extra_slot<'de, D: Deserializer<'de>>(
    extra: &mut Option<serde_json::Map<String, Value>>,
    key: &str,
    value: D,
) -> Result<(), D::Error> {
    set_extra(extra.get_or_insert_with(serde_json::Map::new), key, value)
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

/// Encode the members a type does not declare.
pub fn serialize_extra<M: SerializeMap>(
    map: &mut M,
    extra: &serde_json::Map<String, Value>,
) -> Result<(), M::Error> {
    for (key, value) in extra {
        map.serialize_entry(key, value)?;
    }
    Ok(())
}

// ------------------------------------------------------- member kinds
//
// A member of an object is declared to `object_impls!` with a kind, which
// names how it is kept while decoding (`slot`), decoded (`set`), checked
// (`check`) and taken (`take`) once the object is read, and encoded (a
// method of `Members`): `required`, `optional`,
// each also for a `number` (encoded as QEMU prints it) and a `list` (whose
// failing element is named in errors), and `tag`, a union's discriminator.

/// A slot before its member is read.
pub trait Slot {
    const EMPTY: Self;
}

impl<T> Slot for Option<T> {
    const EMPTY: Self = None;
}

impl<B: BranchSlots> Slot for UnionBranch<B> {
    const EMPTY: Self = UnionBranch::EMPTY;
}

/// The slot type of each kind of member.
#[allow(non_camel_case_types)]
pub mod slot {
    pub type required<T> = Option<T>;
    pub type optional<T> = Option<T>;
    pub type required_number<T> = Option<T>;
    pub type optional_number<T> = Option<T>;
    pub type required_list<T> = Option<T>;
    pub type optional_list<T> = Option<T>;
    pub type required_number_list<T> = Option<T>;
    pub type optional_number_list<T> = Option<T>;
    pub type tag<T> = super::UnionBranch<<T as crate::Branch>::Slots>;
}

/// How each kind of member is decoded into its slot.
pub mod set {
    pub use super::set_list as required_list;
    pub use super::set_list as optional_list;
    pub use super::set_list as required_number_list;
    pub use super::set_list as optional_number_list;
    pub use super::set_value as required;
    pub use super::set_value as optional;
    pub use super::set_value as required_number;
    pub use super::set_value as optional_number;

    /// The discriminator's value.
    #[inline]
    pub fn tag<'de, B: super::BranchSlots, D: super::Deserializer<'de>>(
        slot: &mut super::UnionBranch<B>,
        value: D,
    ) -> Result<(), D::Error> {
        slot.tag(value)
    }
}

/// Whether each kind of member's slot holds what the object needs: a
/// required member's value, a union's discriminator.
pub mod check {
    pub use super::is_set as required;
    pub use super::is_set as required_number;
    pub use super::is_set as required_list;
    pub use super::is_set as required_number_list;
    pub use super::optional_set as optional;
    pub use super::optional_set as optional_number;
    pub use super::optional_set as optional_list;
    pub use super::optional_set as optional_number_list;

    /// The discriminator was read.
    #[inline]
    pub fn tag<B: super::BranchSlots>(slot: &super::UnionBranch<B>) -> bool {
        slot.selected()
    }
}

/// Each kind of member's value once [`check`] and [`UnionBranch::complete`]
/// passed.
pub mod take {
    pub use super::take_optional as optional;
    pub use super::take_optional as optional_number;
    pub use super::take_optional as optional_list;
    pub use super::take_optional as optional_number_list;
    pub use super::take_required as required;
    pub use super::take_required as required_number;
    pub use super::take_required as required_list;
    pub use super::take_required as required_number_list;

    /// The union's branch.
    #[inline]
    pub fn tag<B: super::BranchSlots>(slot: super::UnionBranch<B>) -> B::Output {
        slot.take()
    }
}

#[inline]
pub fn is_set<T>(slot: &Option<T>) -> bool {
    slot.is_some()
}

#[inline]
pub fn optional_set<T>(_: &Option<T>) -> bool {
    true
}

/// The first member `(present, name)` says is missing, as an error.
pub fn check_members<E: de::Error>(members: &[(bool, &'static str)]) -> Result<(), E> {
    match members.iter().find(|(present, _)| !present) {
        Some((_, name)) => Err(missing(name)),
        None => Ok(()),
    }
}

/// A required member's value; [`check_members`] found it.
#[inline]
pub fn take_required<T>(slot: Option<T>) -> T {
    match slot {
        Some(value) => value,
        None => unreachable!("finish checks required members first"),
    }
}

#[inline]
pub fn take_optional<T>(slot: Option<T>) -> Option<T> {
    slot
}

/// A required value, or the error naming it missing.
fn required<T, E: de::Error>(slot: Option<T>, name: &'static str) -> Result<T, E> {
    slot.ok_or_else(|| missing(name))
}

fn missing<E: de::Error>(name: &str) -> E {
    E::custom(format_args!("missing member `{name}`"))
}

/// Encodes an object's members into an open map, one call per member
/// (named after its kind), keeping the first error.
pub struct Members<'a, M: SerializeMap> {
    map: &'a mut M,
    result: Result<(), M::Error>,
}

impl<'a, M: SerializeMap> Members<'a, M> {
    #[inline]
    pub fn new(map: &'a mut M) -> Self {
        Members {
            map,
            result: Ok(()),
        }
    }

    #[inline]
    fn entry<T: Serialize + ?Sized>(mut self, name: &str, value: &T) -> Self {
        if self.result.is_ok() {
            self.result = self.map.serialize_entry(name, value);
        }
        self
    }

    #[inline]
    pub fn required<T: Serialize>(self, name: &'static str, value: &T) -> Self {
        self.entry(name, value)
    }

    #[inline]
    pub fn optional<T: Serialize>(self, name: &'static str, value: &Option<T>) -> Self {
        match value {
            Some(value) => self.entry(name, value),
            None => self,
        }
    }

    #[inline]
    pub fn required_number<T>(self, name: &'static str, value: &T) -> Self
    where
        for<'n> Number<'n, T>: Serialize,
    {
        self.entry(name, &Number(value))
    }

    #[inline]
    pub fn optional_number<T>(self, name: &'static str, value: &Option<T>) -> Self
    where
        for<'n> Number<'n, T>: Serialize,
    {
        match value {
            Some(value) => self.entry(name, &Number(value)),
            None => self,
        }
    }

    #[inline]
    pub fn required_list<T: Serialize>(self, name: &'static str, value: &T) -> Self {
        self.required(name, value)
    }

    #[inline]
    pub fn optional_list<T: Serialize>(self, name: &'static str, value: &Option<T>) -> Self {
        self.optional(name, value)
    }

    #[inline]
    pub fn required_number_list<T>(self, name: &'static str, value: &T) -> Self
    where
        for<'n> Number<'n, T>: Serialize,
    {
        self.required_number(name, value)
    }

    #[inline]
    pub fn optional_number_list<T>(self, name: &'static str, value: &Option<T>) -> Self
    where
        for<'n> Number<'n, T>: Serialize,
    {
        self.optional_number(name, value)
    }

    /// A union's discriminator (its branch's members come at the end).
    #[inline]
    pub fn tag<B: Branch>(self, name: &'static str, value: &B) -> Self {
        self.entry(name, &value.tag())
    }

    /// A union's branch members.
    #[inline]
    pub fn branch<B: Branch>(mut self, value: &B) -> Self {
        if self.result.is_ok() {
            self.result = value.serialize_members(self.map);
        }
        self
    }

    /// Members the type does not declare.
    #[inline]
    pub fn extra(mut self, value: &serde_json::Map<String, Value>) -> Self {
        if self.result.is_ok() {
            self.result = serialize_extra(self.map, value);
        }
        self
    }

    #[inline]
    pub fn end(self) -> Result<(), M::Error> {
        self.result
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

/// How an alternate's branch of each shape is decoded.
pub mod decode {
    pub use super::deserialize_list as list;
    pub use super::deserialize_list as number_list;
    pub use super::deserialize_plain as number;
    pub use super::deserialize_plain as plain;
}

/// How an alternate's branch of each shape is encoded.
pub mod encode {
    pub use super::serialize_number as number;
    pub use super::serialize_number as number_list;
    pub use super::serialize_plain as list;
    pub use super::serialize_plain as plain;
}

#[inline]
pub fn deserialize_plain<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<T, D::Error> {
    T::deserialize(deserializer)
}

#[inline]
pub fn serialize_plain<T: Serialize, S: Serializer>(
    value: &T,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    value.serialize(serializer)
}

#[inline]
pub fn serialize_number<T, S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error>
where
    for<'n> Number<'n, T>: Serialize,
{
    Number(value).serialize(serializer)
}

// ----------------------------------------------------------------- unions

/// The slots of a union's branches: one variant per branch.
pub trait BranchSlots: Sized {
    /// The discriminator's enum.
    type Tag: Enum + for<'de> Deserialize<'de>;
    /// The union's branch enum.
    type Output: Branch<Tag = Self::Tag>;

    fn select(tag: Self::Tag) -> Self;
    /// See [`Slots::branch_ready`].
    fn ready(&self, key: &str) -> bool;
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

/// Whether a branch's slots can take the member `key` now.
pub fn branch_ready<S: Slots>(slots: &S, key: &str) -> bool {
    !S::HAS_BRANCH || S::MEMBERS.contains(&key) || slots.branch_ready(key)
}

/// The discriminator and branch of a union being decoded, then the
/// branch decoded ([`UnionBranch::complete`]).
pub struct UnionBranch<B: BranchSlots> {
    state: BranchState<B>,
}

enum BranchState<B: BranchSlots> {
    Unknown,
    Selected(B),
    Complete(B::Output),
}

impl<B: BranchSlots> UnionBranch<B> {
    /// No discriminator yet.
    pub const EMPTY: Self = UnionBranch {
        state: BranchState::Unknown,
    };

    /// The discriminator's value.
    pub fn tag<'de, D: Deserializer<'de>>(&mut self, value: D) -> Result<(), D::Error> {
        if self.selected() {
            return Err(duplicate());
        }
        self.state = BranchState::Selected(B::select(B::Tag::deserialize(value)?));
        Ok(())
    }

    #[inline]
    fn selected(&self) -> bool {
        !matches!(self.state, BranchState::Unknown)
    }

    /// Whether the member `key` can be decoded now.
    #[inline]
    pub fn ready(&self, key: &str) -> bool {
        match &self.state {
            BranchState::Selected(branch) => branch.ready(key),
            _ => false,
        }
    }

    /// A member that is not the base's; the discriminator is known
    /// ([`UnionBranch::ready`]).
    pub fn member<'de, D: Deserializer<'de>>(
        &mut self,
        key: &str,
        value: D,
    ) -> Result<(), D::Error> {
        match &mut self.state {
            BranchState::Selected(branch) => branch.member(key, value),
            _ => ignore_member(key, value),
        }
    }

    /// Build the branch (its missing required members are errors), once
    /// the discriminator is known ([`check_members`]).
    pub fn complete<E: de::Error>(&mut self) -> Result<(), E> {
        self.state = match std::mem::replace(&mut self.state, BranchState::Unknown) {
            BranchState::Selected(branch) => BranchState::Complete(branch.finish()?),
            state => state,
        };
        Ok(())
    }

    fn take(self) -> B::Output {
        match self.state {
            BranchState::Complete(branch) => branch,
            _ => unreachable!("finish completes the branch first"),
        }
    }
}

/// The slots of a branch this build does not know: its members, as values.
pub struct UnknownBranchSlots(UnknownBranch);

impl UnknownBranchSlots {
    pub fn new<T: Enum>(tag: &T) -> Self {
        UnknownBranchSlots(UnknownBranch {
            tag: UnknownValue::new(tag.as_str()),
            members: serde_json::Map::new(),
        })
    }

    pub fn member<'de, D: Deserializer<'de>>(
        &mut self,
        key: &str,
        value: D,
    ) -> Result<(), D::Error> {
        set_extra(&mut self.0.members, key, value)
    }

    pub fn finish(self) -> UnknownBranch {
        self.0
    }
}

/// The discriminator value of an unknown branch.
pub fn unknown_tag<T: Enum>(branch: &UnknownBranch) -> T {
    let tag = branch.tag.as_str();
    T::from_name(tag).unwrap_or_else(|| T::unknown(UnknownValue::new(tag)))
}

/// Encode the members of an unknown branch.
pub fn serialize_unknown_branch<M: SerializeMap>(
    branch: &UnknownBranch,
    map: &mut M,
) -> Result<(), M::Error> {
    serialize_extra(map, &branch.members)
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

enum Data<'de, E> {
    Decoded(E),
    /// Before the event's name: buffered.
    Pending(Content<'de>),
}

struct DataSeed<'a, E> {
    name: &'a str,
    _event: PhantomData<E>,
}

impl<'de, E: EventSet> DeserializeSeed<'de> for DataSeed<'_, E> {
    type Value = Data<'de, E>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Data<'de, E>, D::Error> {
        if known_event::<E>(self.name) {
            E::decode(self.name, deserializer, Timestamp::default()).map(Data::Decoded)
        } else {
            Content::deserialize(deserializer).map(Data::Pending)
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
        let mut data: Option<Data<'de, E>> = None;
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
                        None => map.next_value().map(Data::Pending),
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
            Some(Data::Pending(value)) if known_event::<E>(&name) => {
                E::decode(&name, ContentDeserializer::new(value), timestamp)
                    .map_err(|e| record(Segment::Member("data"), e))
            }
            Some(Data::Pending(value)) => {
                let value = Value::deserialize(ContentDeserializer::<A::Error>::new(value))?;
                unknown_event(name, Some(value), timestamp)
            }
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

    /// An enum, as generated.
    #[derive(Clone, Debug, PartialEq)]
    pub enum Color {
        Red,
        Green,
        Unknown(UnknownValue),
    }

    enum_impls! {
        Color = "Color", Unknown {
            Red = "red",
            Green = "green",
        }
    }

    /// An alternate: a color name, a number or a list.
    #[derive(Debug, PartialEq)]
    pub enum Paint {
        Named(Color),
        Level(f64),
        Mix(Vec<u8>),
    }

    alternate_impls! {
        Paint = "a string (Color), a number or an array" {
            Named(String) plain,
            Level(Int | Number) number,
            Mix(Array) list,
        }
    }

    /// A struct with a list member, as generated.
    #[derive(Debug, PartialEq)]
    pub struct Palette {
        pub name: String,
        pub colors: Vec<Color>,
        pub when: Option<crate::Timestamp>,
    }

    object_impls! {
        Palette = "Palette" {
            required[0] name: String = "name",
            required_list[1] colors: Vec<Color> = "colors",
            optional[2] when: crate::Timestamp = "when",
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
