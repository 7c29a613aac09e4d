//! Stage 3: the resolved model (QEMU's `scripts/qapi/schema.py`).
//!
//! Defines the built-in types, every definition and the implicit types
//! they need, resolves type names, then runs the semantic checks (clashes,
//! bases, discriminators, alternates, commands) and connects the
//! documentation.
//!
//! [`build`](self::build) makes the entities in QEMU's definition order,
//! [`checks`](self::checks) checks them in that order; like QEMU, the first
//! semantic error stops the run.

mod build;
mod checks;
pub mod model;

pub use model::*;

use std::borrow::Cow;

use crate::check::ast::Item;
use crate::diag::Diagnostics;
use crate::parse::ParsedSchema;

impl Schema {
    /// Check `parsed` and build the model from it.
    pub fn build(parsed: ParsedSchema) -> Result<Schema, Diagnostics> {
        match crate::check::check(&parsed) {
            Ok(items) => Schema::from_items(parsed, items),
            Err(errors) => Err(Diagnostics {
                sources: parsed.sources,
                errors,
            }),
        }
    }

    /// Build the model from definitions that passed `check` (`items` are
    /// `check`'s output for `parsed`).
    fn from_items(parsed: ParsedSchema, items: Vec<Item>) -> Result<Schema, Diagnostics> {
        let ParsedSchema {
            sources,
            exprs,
            docs,
            pragma,
        } = parsed;
        let mut builder = build::Builder::new(sources, pragma, docs);
        let result = builder
            .define_all(&items, &exprs)
            .and_then(|()| builder.check_all());
        match result {
            Ok(()) => Ok(builder.into_schema()),
            Err(error) => Err(Diagnostics {
                sources: builder.sources,
                errors: vec![error],
            }),
        }
    }
}

/// QEMU's `c_name`: the C identifier a name maps to.  Members whose C
/// names are equal clash.
pub fn c_name(name: &str) -> String {
    c_name_cow(name).into_owned()
}

/// [`c_name`] without allocating when the name is its own C name, as most
/// names are.
pub(crate) fn c_name_cow(name: &str) -> Cow<'_, str> {
    let plain = name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    let mapped = if plain {
        Cow::Borrowed(name)
    } else {
        Cow::Owned(
            name.chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '_' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect(),
        )
    };
    if is_reserved(&mapped) || mapped.starts_with(|c: char| c.is_ascii_digit()) {
        Cow::Owned(format!("q_{mapped}"))
    } else {
        mapped
    }
}

/// C and C++ keywords and names that common headers define as macros.
fn is_reserved(name: &str) -> bool {
    matches!(
        name,
        // C89
        "auto" | "break" | "case" | "char" | "const" | "continue" | "default" | "do"
            | "double" | "else" | "enum" | "extern" | "float" | "for" | "goto" | "if"
            | "int" | "long" | "register" | "return" | "short" | "signed" | "sizeof"
            | "static" | "struct" | "switch" | "typedef" | "union" | "unsigned" | "void"
            | "volatile" | "while"
            // C99
            | "inline" | "restrict" | "_Bool" | "_Complex" | "_Imaginary"
            // C11
            | "_Alignas" | "_Alignof" | "_Atomic" | "_Generic" | "_Noreturn"
            | "_Static_assert" | "_Thread_local"
            // GCC
            | "asm" | "typeof"
            // C++
            | "bool" | "catch" | "class" | "const_cast" | "delete" | "dynamic_cast"
            | "explicit" | "false" | "friend" | "mutable" | "namespace" | "new"
            | "operator" | "private" | "protected" | "public" | "reinterpret_cast"
            | "static_cast" | "template" | "this" | "throw" | "true" | "try" | "typeid"
            | "typename" | "using" | "virtual" | "wchar_t" | "and" | "and_eq" | "bitand"
            | "bitor" | "compl" | "not" | "not_eq" | "or" | "or_eq" | "xor" | "xor_eq"
            // namespace pollution
            | "unix" | "errno" | "mips" | "sparc" | "i386" | "linux"
    )
}

#[cfg(test)]
mod tests;
