//! The macro that gives generated types their constructors, setters and
//! `From` conversions ([`__qapi_builder!`], re-exported hidden as
//! `__private::builder`): what makes a value of a type with many optional
//! members short to write.
//!
//! ```text
//! let file = BlockdevOptions::new(BlockdevOptionsBranch::File(BlockdevOptionsFile::new(path)));
//! let disk = BlockdevOptions::from(BlockdevOptionsQcow2::new(file)).node_name("disk0");
//! ```
//!
//! Every method is `#[inline]` and every conversion generic or `#[inline]`:
//! a crate of bindings type checks them, and compiles only those its users
//! call.

/// Constructors, setters and conversions of a generated type.
///
/// A struct (or a union, or a command's arguments): its name, `+ FIELD`
/// for a type keeping undeclared members in `FIELD`, its required
/// members between braces (`{}` if none: the type is then `Default`),
/// then its optional ones.  It gets `new` taking the required members in
/// schema order, one setter per optional member named after it, and a
/// setter of one undeclared member.  Each member has a kind: `into` takes
/// `impl Into<T>` (a `String` from a `&str`, a `Box<T>` from a `T`, a
/// branch from its type), `value` takes `T` (numbers and booleans, where
/// `impl Into` would defeat the inference of a literal's type).
/// Attributes before the kind are conditions (`#[cfg]`), those after it
/// apply to the setter only (`#[deprecated]`).
///
/// ```text
/// builder! {
///     BlockdevOptions { into driver: BlockdevOptionsBranch, }
///     into node_name: String,
///     #[cfg(..)] value #[deprecated] read_only: bool,
/// }
/// builder! {
///     DeviceAdd + extra { into driver: String, }
///     into id: String,
/// }
/// ```
///
/// An enum whose variants hold one value (a union's branches, an
/// alternate): `from ENUM;` then variants, `From` each listed type (the
/// variant may box it).  With `from ENUM, union UNION;` (a union whose
/// base members besides the discriminator are all optional), `From` each
/// of them for the union too.
///
/// ```text
/// builder! {
///     from BlockdevRef;
///     Definition(BlockdevOptions),
///     Reference(String),
///     Reference(&str),
/// }
/// ```
///
/// A newtype (boxed command arguments, event data): `From` its value.
///
/// ```text
/// builder!(BlockdevAdd(super::BlockdevOptions));
/// ```
#[doc(hidden)]
#[macro_export]
macro_rules! __qapi_builder {
    (
        from $ty:ident, union $union:ident;
        $( $(#[$cfg:meta])* $variant:ident($from:ty), )*
    ) => {
        $crate::__qapi_builder! {
            from $ty;
            $( $(#[$cfg])* $variant($from), )*
        }
        #[allow(deprecated)]
        const _: () = {
            $(
                $(#[$cfg])*
                impl ::core::convert::From<$from> for $union {
                    #[inline]
                    fn from(value: $from) -> Self {
                        Self::new(<$ty as ::core::convert::From<$from>>::from(value))
                    }
                }
            )*
        };
    };
    (
        from $ty:ident;
        $( $(#[$cfg:meta])* $variant:ident($from:ty), )*
    ) => {
        #[allow(deprecated)]
        const _: () = {
            $(
                $(#[$cfg])*
                impl ::core::convert::From<$from> for $ty {
                    #[inline]
                    fn from(value: $from) -> Self {
                        Self::$variant(::core::convert::Into::into(value))
                    }
                }
            )*
        };
    };
    ($ty:ident($inner:ty)) => {
        #[allow(deprecated)]
        const _: () = {
            impl ::core::convert::From<$inner> for $ty {
                #[inline]
                fn from(value: $inner) -> Self {
                    Self(value)
                }
            }
        };
    };
    (
        $ty:ident $(+ $extra:ident)? {}
        $( $(#[$cfg:meta])* $kind:ident $(#[$attr:meta])* $field:ident: $field_ty:ty, )*
    ) => {
        #[allow(deprecated)]
        const _: () = {
            impl $ty {
                $crate::__qapi_builder! {
                    @setters
                    $( $(#[$cfg])* $kind $(#[$attr])* $field: $field_ty, )*
                }
                $( $crate::__qapi_builder!(@extra $extra); )?
            }
        };
    };
    (
        $ty:ident $(+ $extra:ident)? {
            $( $(#[$new_cfg:meta])* $new_kind:ident $new_field:ident: $new_ty:ty, )*
        }
        $( $(#[$cfg:meta])* $kind:ident $(#[$attr:meta])* $field:ident: $field_ty:ty, )*
    ) => {
        #[allow(deprecated, clippy::too_many_arguments, clippy::disallowed_names)]
        const _: () = {
            impl $ty {
                /// A value of the required members (in schema order); the
                /// optional ones are left out: set them with the methods
                /// named after them.
                #[inline]
                pub fn new(
                    $( $(#[$new_cfg])* $new_field: $crate::__qapi_builder_param!($new_kind $new_ty), )*
                ) -> Self {
                    Self {
                        $( $(#[$new_cfg])* $new_field: ::core::convert::Into::into($new_field), )*
                        $( $(#[$cfg])* $field: ::core::option::Option::None, )*
                        $( $extra: ::core::default::Default::default(), )?
                    }
                }
                $crate::__qapi_builder! {
                    @setters
                    $( $(#[$cfg])* $kind $(#[$attr])* $field: $field_ty, )*
                }
                $( $crate::__qapi_builder!(@extra $extra); )?
            }
        };
    };
    (
        @setters
        $( $(#[$cfg:meta])* $kind:ident $(#[$attr:meta])* $field:ident: $field_ty:ty, )*
    ) => {
        $(
            #[doc = concat!("Sets `", stringify!($field), "`.")]
            $(#[$cfg])*
            $(#[$attr])*
            #[inline]
            pub fn $field(mut self, value: $crate::__qapi_builder_param!($kind $field_ty)) -> Self {
                self.$field = ::core::option::Option::Some(::core::convert::Into::into(value));
                self
            }
        )*
    };
    (@extra $extra:ident) => {
        /// Sets a member the schema does not declare (e.g. a device's
        /// property).
        #[inline]
        pub fn $extra(
            mut self,
            name: impl ::core::convert::Into<::std::string::String>,
            value: impl ::core::convert::Into<$crate::serde_json::Value>,
        ) -> Self {
            self.$extra.insert(name.into(), value.into());
            self
        }
    };
}

/// The parameter type of a member of kind `into` (`impl Into<T>`) or
/// `value` (`T`) in [`__qapi_builder!`].
#[doc(hidden)]
#[macro_export]
macro_rules! __qapi_builder_param {
    (into $ty:ty) => { impl ::core::convert::Into<$ty> };
    (value $ty:ty) => { $ty };
}
