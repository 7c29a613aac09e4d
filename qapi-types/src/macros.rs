//! The macros generated code invokes, one per kind of type, re-exported
//! by [`crate::__private`] (not a stable API).  Each expands to the trait
//! impls of one type from a list of its members, so that generated code
//! holds only what is particular to the type.
//!
//! The expansions avoid `?` and prefer method chains to statements with
//! results: the bindings of a whole schema are thousands of these impls,
//! and their compile time and memory are mostly type checking.

/// `Serialize` and `Deserialize` of `$ty` through the generic functions
/// `$serialize(&self, serializer)` and `$deserialize(deserializer)`.
#[doc(hidden)]
#[macro_export]
macro_rules! __qapi_serde_impls {
    ($ty:ident, $serialize:path, $deserialize:path) => {
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                $serialize(self, serializer)
            }
        }
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                $deserialize(deserializer)
            }
        }
    };
}

/// An enum: `Enum`, `Display`, `FromStr`, `Serialize`, `Deserialize`.
///
/// ```text
/// enum_impls! {
///     RunState = "RunState", Unknown {
///         Debug = "debug",
///         #[cfg(..)] Paused = "paused",
///     }
///     features { "debug": ["deprecated"], }
///     versions { "paused": ["10.2"], }
///     route "query-status/ret-type/status";
/// }
/// ```
///
/// `versions` (span bindings: the values not in every version having the
/// enum) and `route` (where a `query-qmp-schema` reply has the enum) are
/// `Enum::VALUE_VERSIONS` and `Enum::ROUTE`.
#[doc(hidden)]
#[macro_export]
macro_rules! __qapi_enum_impls {
    (
        $ty:ident = $name:literal, $unknown:ident {
            $( $(#[$cfg:meta])* $variant:ident = $wire:literal, )*
        }
        $( features {
            $( $(#[$feature_cfg:meta])* $feature_wire:literal: [$($feature:literal),*], )*
        } )?
        $( versions {
            $( $(#[$version_cfg:meta])* $version_wire:literal: [$($version:literal),*], )*
        } )?
        $( route $route:literal; )?
    ) => {
        #[allow(deprecated, unreachable_patterns)]
        const _: () = {
            use $crate::__private as rt;
            use $crate::serde;
            impl $crate::Enum for $ty {
                const NAME: &'static str = $name;
                const VALUES: &'static [Self] = &[$( $(#[$cfg])* Self::$variant, )*];
                const NAMES: &'static [&'static str] = &[$( $(#[$cfg])* $wire, )*];
                $(
                    const VALUE_FEATURES: &'static [(&'static str, &'static [&'static str])] = &[
                        $( $(#[$feature_cfg])* ($feature_wire, &[$($feature),*]), )*
                    ];
                )?
                $(
                    const VALUE_VERSIONS: &'static [(&'static str, &'static [&'static str])] = &[
                        $( $(#[$version_cfg])* ($version_wire, &[$($version),*]), )*
                    ];
                )?
                $( const ROUTE: &'static str = $route; )?
                #[inline]
                fn as_str(&self) -> &str {
                    match self {
                        $( $(#[$cfg])* Self::$variant => $wire, )*
                        Self::$unknown(value) => value.as_str(),
                    }
                }
                #[inline]
                fn unknown(value: $crate::UnknownValue) -> Self {
                    Self::$unknown(value)
                }
                #[inline]
                fn as_unknown(&self) -> Option<&$crate::UnknownValue> {
                    match self {
                        Self::$unknown(value) => Some(value),
                        _ => None,
                    }
                }
            }
            impl ::core::fmt::Display for $ty {
                #[inline]
                fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    f.write_str($crate::Enum::as_str(self))
                }
            }
            impl ::core::str::FromStr for $ty {
                type Err = $crate::ParseEnumError;
                #[inline]
                fn from_str(text: &str) -> Result<Self, $crate::ParseEnumError> {
                    rt::enum_from_str(text)
                }
            }
            rt::serde_impls!(
                $ty,
                rt::serialize_enum,
                rt::deserialize_enum
            );
        };
    };
}

/// A struct, union or command arguments type: `Object`, its slots,
/// `Serialize`, `Deserialize`.  Each member is `kind[n] field: Type =
/// "wire"` (kinds: see `__private::slot`; `n` numbers the members from 0,
/// conditional ones too, and is its index in `Slots::MEMBERS`); `branch`
/// names a union's
/// discriminator field, `extra` the field of undeclared members.
///
/// ```text
/// object_impls! {
///     BlockdevOptions = "BlockdevOptions" {
///         tag[0] driver: BlockdevOptionsBranch = "driver",
///         required[1] node_name: String = "node-name",
///         #[cfg(..)] optional_list[2] children: Vec<String> = "children",
///     }
///     branch driver;
///     features ["unstable"];
///     member_features { "children": ["deprecated"], }
///     member_versions { "children": ["10.2"], }
///     route "blockdev-add/arg-type";
/// }
/// ```
///
/// `member_versions` (span bindings: the members not in every version
/// having the type) and `route` (where a `query-qmp-schema` reply has the
/// type) are `Object::MEMBER_VERSIONS` and `Object::ROUTE`.
#[doc(hidden)]
#[macro_export]
macro_rules! __qapi_object_impls {
    (
        $ty:ident = $name:literal;
        $( features [$($type_feature:literal),*]; )?
        $( route $route:literal; )?
    ) => {
        #[allow(deprecated)]
        const _: () = {
            use $crate::__private as rt;
            use $crate::serde;
            impl $crate::Object for $ty {
                const TYPE_NAME: &'static str = $name;
                $( const TYPE_FEATURES: &'static [&'static str] = &[$($type_feature),*]; )?
                $( const ROUTE: &'static str = $route; )?
                type Slots = rt::UnitSlots<Self>;
                #[inline]
                fn serialize_members<M: serde::ser::SerializeMap>(
                    &self,
                    _: &mut M,
                ) -> Result<(), M::Error> {
                    Ok(())
                }
            }
            rt::serde_impls!(
                $ty,
                rt::serialize_object,
                rt::deserialize_object
            );
        };
    };
    (
        $ty:ident = $name:literal {
            $( $(#[$cfg:meta])* $kind:ident[$index:literal] $field:ident: $field_ty:ty = $wire:literal, )*
        }
        $( branch $tag:ident; )?
        $( extra $extra:ident; )?
        $( features [$($type_feature:literal),*]; )?
        $( member_features {
            $( $(#[$feature_cfg:meta])* $feature_wire:literal: [$($feature:literal),*], )*
        } )?
        $( member_versions {
            $( $(#[$version_cfg:meta])* $version_wire:literal: [$($version:literal),*], )*
        } )?
        $( route $route:literal; )?
    ) => {
        #[allow(deprecated, non_camel_case_types, non_upper_case_globals, clippy::question_mark)]
        const _: () = {
            use $crate::__private as rt;
            use $crate::serde;
            pub struct Slots {
                $( $(#[$cfg])* $field: rt::slot::$kind<$field_ty>, )*
                $( $extra: Option<$crate::serde_json::Map<::std::string::String, $crate::serde_json::Value>>, )?
            }
            impl $crate::Object for $ty {
                const TYPE_NAME: &'static str = $name;
                $( const TYPE_FEATURES: &'static [&'static str] = &[$($type_feature),*]; )?
                $(
                    const MEMBER_FEATURES: &'static [(&'static str, &'static [&'static str])] = &[
                        $( $(#[$feature_cfg])* ($feature_wire, &[$($feature),*]), )*
                    ];
                )?
                $(
                    const MEMBER_VERSIONS: &'static [(&'static str, &'static [&'static str])] = &[
                        $( $(#[$version_cfg])* ($version_wire, &[$($version),*]), )*
                    ];
                )?
                $( const ROUTE: &'static str = $route; )?
                type Slots = Slots;
                fn serialize_members<M: serde::ser::SerializeMap>(
                    &self,
                    map: &mut M,
                ) -> Result<(), M::Error> {
                    let members = rt::Members::new(map);
                    $( $(#[$cfg])* let members = members.$kind($wire, &self.$field); )*
                    $( let members = members.branch(&self.$tag); )?
                    $( let members = members.extra(&self.$extra); )?
                    members.end()
                }
            }
            impl rt::Slots for Slots {
                type Object = $ty;
                const MEMBERS: &'static [&'static str] = &[$( $wire, )*];
                const EMPTY: Self = Slots {
                    $( $(#[$cfg])* $field: <rt::slot::$kind<$field_ty> as rt::Slot>::EMPTY, )*
                    $( $extra: None, )?
                };
                fn member<'de, D: serde::Deserializer<'de>>(
                    &mut self,
                    index: usize,
                    value: D,
                ) -> Result<(), D::Error> {
                    match index {
                        $( $(#[$cfg])* $index => rt::set::$kind(&mut self.$field, value), )*
                        _ => rt::ignore_member("", value),
                    }
                }
                $(
                    const HAS_BRANCH: bool = true;
                    #[inline]
                    fn branch_ready(&self, key: &str) -> bool {
                        self.$tag.ready(key)
                    }
                    fn branch_member<'de, D: serde::Deserializer<'de>>(
                        &mut self,
                        key: &str,
                        value: D,
                    ) -> Result<(), D::Error> {
                        self.$tag.member(key, value)
                    }
                )?
                $(
                    const HAS_BRANCH: bool = true;
                    fn branch_member<'de, D: serde::Deserializer<'de>>(
                        &mut self,
                        key: &str,
                        value: D,
                    ) -> Result<(), D::Error> {
                        rt::set_extra_slot(&mut self.$extra, key, value)
                    }
                )?
                #[allow(unused_mut)]
                fn finish<E: rt::DeError>(mut self) -> Result<$ty, E> {
                    // Every check before any move: an early return then
                    // drops the slots whole.
                    if let Err(error) = rt::check_members(&[
                        $( $(#[$cfg])* (rt::check::$kind(&self.$field), $wire), )*
                    ]) {
                        return Err(error);
                    }
                    $(
                        if let Err(error) = self.$tag.complete() {
                            return Err(error);
                        }
                    )?
                    Ok($ty {
                        $( $(#[$cfg])* $field: rt::take::$kind(self.$field), )*
                        $( $extra: self.$extra.unwrap_or_default(), )?
                    })
                }
            }
            rt::serde_impls!(
                $ty,
                rt::serialize_object,
                rt::deserialize_object
            );
        };
    };
}

/// The branch enum of a union: `Branch` and its slots.  Branches with
/// members name their type (unboxed; the variant may box it); `empty`
/// lists the branches without members; `$unknown` is the variant of
/// discriminator values without a branch here.
///
/// ```text
/// branch_impls! {
///     BlockdevOptionsBranch: BlockdevDriver, Unknown {
///         File(BlockdevOptionsFile),
///     }
///     empty { Throttle, }
/// }
/// ```
#[doc(hidden)]
#[macro_export]
macro_rules! __qapi_branch_impls {
    (
        $ty:ident: $tag:ident, $unknown:ident {
            $( $(#[$cfg:meta])* $variant:ident($branch_ty:ty), )*
        }
        $( empty { $( $(#[$empty_cfg:meta])* $empty:ident, )* } )?
    ) => {
        #[allow(deprecated, unreachable_patterns, clippy::large_enum_variant)]
        const _: () = {
            use $crate::__private as rt;
            use $crate::serde;
            pub enum Slots {
                $( $(#[$cfg])* $variant(<$branch_ty as $crate::Object>::Slots), )*
                $( $( $(#[$empty_cfg])* $empty, )* )?
                $unknown(rt::UnknownBranchSlots),
            }
            impl $crate::Branch for $ty {
                type Tag = $tag;
                type Slots = Slots;
                #[inline]
                fn tag(&self) -> $tag {
                    match self {
                        $( $(#[$cfg])* Self::$variant(_) => $tag::$variant, )*
                        $( $( $(#[$empty_cfg])* Self::$empty => $tag::$empty, )* )?
                        Self::$unknown(branch) => rt::unknown_tag(branch),
                    }
                }
                fn serialize_members<M: serde::ser::SerializeMap>(
                    &self,
                    map: &mut M,
                ) -> Result<(), M::Error> {
                    match self {
                        $(
                            $(#[$cfg])*
                            Self::$variant(branch) => $crate::Object::serialize_members(
                                ::core::borrow::Borrow::<$branch_ty>::borrow(branch),
                                map,
                            ),
                        )*
                        Self::$unknown(branch) => rt::serialize_unknown_branch(branch, map),
                        _ => Ok(()),
                    }
                }
            }
            impl rt::BranchSlots for Slots {
                type Tag = $tag;
                type Output = $ty;
                fn select(tag: $tag) -> Self {
                    match tag {
                        $( $(#[$cfg])* $tag::$variant => Self::$variant(<<$branch_ty as $crate::Object>::Slots as rt::Slots>::EMPTY), )*
                        $( $( $(#[$empty_cfg])* $tag::$empty => Self::$empty, )* )?
                        other => Self::$unknown(rt::UnknownBranchSlots::new(&other)),
                    }
                }
                #[inline]
                fn ready(&self, key: &str) -> bool {
                    match self {
                        $( $(#[$cfg])* Self::$variant(slots) => rt::branch_ready(slots, key), )*
                        _ => true,
                    }
                }
                fn member<'de, D: serde::Deserializer<'de>>(
                    &mut self,
                    key: &str,
                    value: D,
                ) -> Result<(), D::Error> {
                    match self {
                        $( $(#[$cfg])* Self::$variant(slots) => rt::branch_member(slots, key, value), )*
                        Self::$unknown(slots) => slots.member(key, value),
                        _ => rt::ignore_member(key, value),
                    }
                }
                fn finish<E: rt::DeError>(self) -> Result<$ty, E> {
                    Ok(match self {
                        $(
                            $(#[$cfg])*
                            Self::$variant(slots) => match rt::Slots::finish(slots) {
                                Ok(branch) => $ty::$variant(::core::convert::Into::into(branch)),
                                Err(error) => return Err(error),
                            },
                        )*
                        $( $( $(#[$empty_cfg])* Self::$empty => $ty::$empty, )* )?
                        Self::$unknown(slots) => $ty::$unknown(slots.finish()),
                    })
                }
            }
        };
    };
}

/// An alternate: its branches, each with the JSON kinds that select it
/// and its shape (`plain`, `number`, `list`, `number_list`).
///
/// ```text
/// alternate_impls! {
///     BlockdevRef = "an object (BlockdevOptions) or a string" {
///         Definition(Object) plain,
///         Reference(String) plain,
///     }
/// }
/// ```
#[doc(hidden)]
#[macro_export]
macro_rules! __qapi_alternate_impls {
    (
        $ty:ident = $expecting:literal {
            $( $(#[$cfg:meta])* $variant:ident($($kind:ident)|+) $shape:ident, )*
        }
    ) => {
        #[allow(deprecated, unreachable_patterns)]
        const _: () = {
            use $crate::__private as rt;
            use $crate::serde;
            impl rt::Alternate for $ty {
                const EXPECTING: &'static str = $expecting;
                fn decode<'de, D: serde::Deserializer<'de>>(
                    kind: rt::JsonKind,
                    value: D,
                ) -> Option<Result<Self, D::Error>> {
                    Some(match kind {
                        $(
                            $(#[$cfg])*
                            $(rt::JsonKind::$kind)|+ => {
                                rt::decode::$shape(value).map(Self::$variant)
                            }
                        )*
                        _ => return None,
                    })
                }
            }
            impl serde::Serialize for $ty {
                fn serialize<S: serde::Serializer>(
                    &self,
                    serializer: S,
                ) -> Result<S::Ok, S::Error> {
                    match *self {
                        $( $(#[$cfg])* Self::$variant(ref value) => rt::encode::$shape(value, serializer), )*
                    }
                }
            }
            impl<'de> serde::Deserialize<'de> for $ty {
                fn deserialize<D: serde::Deserializer<'de>>(
                    deserializer: D,
                ) -> Result<Self, D::Error> {
                    rt::deserialize_alternate(deserializer)
                }
            }
        };
    };
}

/// `events::Event`: its `name()` and `timestamp()`, `EventSet`,
/// `Serialize`, `Deserialize`.  Each variant is named after its data
/// type.
#[doc(hidden)]
#[macro_export]
macro_rules! __qapi_event_impls {
    (
        $ty:ident, $unknown:ident {
            $( $(#[$cfg:meta])* $variant:ident = $wire:literal, )*
        }
    ) => {
        #[allow(deprecated)]
        const _: () = {
            use $crate::__private as rt;
            use $crate::serde;
            impl $ty {
                /// The event's wire name.
                #[inline]
                pub fn name(&self) -> &str {
                    match self {
                        $( $(#[$cfg])* Self::$variant { .. } => $wire, )*
                        Self::$unknown { name, .. } => name,
                    }
                }
                /// When QEMU emitted the event.
                #[inline]
                pub fn timestamp(&self) -> &$crate::Timestamp {
                    match self {
                        $( $(#[$cfg])* Self::$variant { timestamp, .. } => timestamp, )*
                        Self::$unknown { timestamp, .. } => timestamp,
                    }
                }
            }
            impl rt::EventSet for $ty {
                const NAMES: &'static [&'static str] = &[$( $(#[$cfg])* $wire, )*];
                fn decode<'de, D: serde::Deserializer<'de>>(
                    name: &str,
                    data: D,
                    timestamp: $crate::Timestamp,
                ) -> Result<Self, D::Error> {
                    match name {
                        $(
                            $(#[$cfg])*
                            $wire => match serde::Deserialize::deserialize(data) {
                                Ok(data) => {
                                    Ok(Self::$variant { data, timestamp })
                                }
                                Err(error) => Err(error),
                            },
                        )*
                        _ => {
                            let _ = (data, timestamp);
                            Err(rt::DeError::custom("unknown event"))
                        }
                    }
                }
                #[inline]
                fn unknown(
                    name: ::std::string::String,
                    data: Option<$crate::serde_json::Value>,
                    timestamp: $crate::Timestamp,
                ) -> Self {
                    Self::$unknown { name, data, timestamp }
                }
                #[inline]
                fn timestamp_mut(&mut self) -> &mut $crate::Timestamp {
                    match self {
                        $( $(#[$cfg])* Self::$variant { timestamp, .. } => timestamp, )*
                        Self::$unknown { timestamp, .. } => timestamp,
                    }
                }
            }
            impl serde::Serialize for $ty {
                fn serialize<S: serde::Serializer>(
                    &self,
                    serializer: S,
                ) -> Result<S::Ok, S::Error> {
                    match self {
                        $(
                            $(#[$cfg])*
                            Self::$variant { data, timestamp } => {
                                rt::serialize_event(serializer, data, timestamp)
                            }
                        )*
                        Self::$unknown { name, data, timestamp } => {
                            rt::serialize_unknown_event(serializer, name, data, timestamp)
                        }
                    }
                }
            }
            impl<'de> serde::Deserialize<'de> for $ty {
                fn deserialize<D: serde::Deserializer<'de>>(
                    deserializer: D,
                ) -> Result<Self, D::Error> {
                    rt::deserialize_event(deserializer)
                }
            }
        };
    };
}

/// A newtype around one value (boxed command arguments or event data):
/// encoded as that value.
#[doc(hidden)]
#[macro_export]
macro_rules! __qapi_newtype_impls {
    ($ty:ident) => {
        #[allow(deprecated)]
        const _: () = {
            use $crate::__private as rt;
            use $crate::serde;
            impl serde::Serialize for $ty {
                fn serialize<S: serde::Serializer>(
                    &self,
                    serializer: S,
                ) -> Result<S::Ok, S::Error> {
                    serde::Serialize::serialize(&self.0, serializer)
                }
            }
            impl<'de> serde::Deserialize<'de> for $ty {
                fn deserialize<D: serde::Deserializer<'de>>(
                    deserializer: D,
                ) -> Result<Self, D::Error> {
                    serde::Deserialize::deserialize(deserializer).map(Self)
                }
            }
        };
    };
}

/// In `impl Command` or `impl Event` of span bindings: `VERSIONS`, the
/// QEMU versions that have the command or event when not all do.
#[doc(hidden)]
#[macro_export]
macro_rules! __qapi_versions {
    ( $($version:literal),* ) => {
        const VERSIONS: &'static [&'static str] = &[$($version),*];
    };
}

/// `pub const SPAN_VERSIONS` of span bindings, with its docs.
#[doc(hidden)]
#[macro_export]
macro_rules! __qapi_span_versions {
    ( $(#[$attr:meta])* $($version:literal),* ) => {
        $(#[$attr])*
        pub const SPAN_VERSIONS: &[&str] = &[$($version),*];
    };
}

/// In `impl Command`: decode a list reply naming the failing element's
/// index in errors (`[3].inserted.image`).
#[doc(hidden)]
#[macro_export]
macro_rules! __qapi_list_returns {
    () => {
        #[inline]
        fn deserialize_returns<'de, D: $crate::serde::Deserializer<'de>>(
            deserializer: D,
        ) -> ::core::result::Result<Self::Returns, D::Error> {
            $crate::__private::deserialize_list(deserializer)
        }
    };
}

/// `commands::visit`: dispatch by wire name to the command types.
#[doc(hidden)]
#[macro_export]
macro_rules! __qapi_command_visit {
    ( $( $(#[$cfg:meta])* $command:ident = $wire:literal, )* ) => {
        /// Call `visitor` with the command type whose wire name is `name`
        /// (dispatch by name); `None` if this build does not know the
        /// command.
        #[allow(deprecated)]
        pub fn visit<V: $crate::CommandVisitor>(
            name: &str,
            visitor: V,
        ) -> ::core::option::Option<V::Output> {
            match name {
                $( $(#[$cfg])* $wire => ::core::option::Option::Some(visitor.visit::<$command>()), )*
                _ => {
                    let _ = visitor;
                    ::core::option::Option::None
                }
            }
        }
    };
}
