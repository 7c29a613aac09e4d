//! Stage 3: the resolved model (QEMU's `scripts/qapi/schema.py`).
//!
//! Defines the built-in types, every definition and the implicit types
//! they need, resolves type names, then runs the semantic checks (clashes,
//! bases, discriminators, alternates, commands) and connects the
//! documentation.
//!
//! `build` makes the entities in QEMU's definition order,
//! `checks` checks them in that order; like QEMU, the first
//! semantic error stops the run.

mod build;
mod checks;
pub mod doc;
pub(crate) mod from_introspection;
mod model;

pub use model::*;

use std::borrow::Cow;

use crate::check::DocRules;
use crate::diag::Diagnostics;
use crate::parse::ParsedSchema;

impl Schema {
    /// Check `parsed` and build the model from it (the parse stage's
    /// output, see [`crate::__internal`]).
    #[doc(hidden)]
    pub fn build(parsed: ParsedSchema) -> Result<Schema, Diagnostics> {
        let ParsedSchema {
            sources,
            exprs,
            docs,
            pragma,
            rules,
            doc_mode,
            mut warnings,
            raw_docs,
        } = parsed;
        let doc_rules = DocRules {
            docs: &docs,
            mode: doc_mode,
        };
        let items = match crate::check::check_exprs(&exprs, doc_rules, &pragma, &mut warnings) {
            Ok(items) => items,
            Err(errors) => return Err(Diagnostics { sources, errors }),
        };
        let mut builder = build::Builder::new(sources, pragma, docs);
        builder.rules = rules;
        builder.doc_mode = doc_mode;
        builder.warnings = warnings;
        builder.raw_docs = raw_docs;
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
        let mut mapped = String::with_capacity(name.len());
        mapped.extend(name.chars().map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        }));
        Cow::Owned(mapped)
    };
    if is_reserved(&mapped) || mapped.starts_with(|c: char| c.is_ascii_digit()) {
        Cow::Owned(format!("q_{mapped}"))
    } else {
        mapped
    }
}

/// Whether `name` is a C or C++ keyword, or a name that common headers
/// define as a macro (C89, C99, C11, GCC, C++, namespace pollution), which
/// QEMU's `c_name` protects.  Grouped by first letter, so that a name is
/// compared with a few words only.
fn is_reserved(name: &str) -> bool {
    let Some(first) = name.bytes().next() else {
        return false;
    };
    match first {
        b'_' => matches!(
            name,
            "_Alignas"
                | "_Alignof"
                | "_Atomic"
                | "_Bool"
                | "_Complex"
                | "_Generic"
                | "_Imaginary"
                | "_Noreturn"
                | "_Static_assert"
                | "_Thread_local"
        ),
        b'a' => matches!(name, "and" | "and_eq" | "asm" | "auto"),
        b'b' => matches!(name, "bitand" | "bitor" | "bool" | "break"),
        b'c' => matches!(
            name,
            "case" | "catch" | "char" | "class" | "compl" | "const" | "const_cast" | "continue"
        ),
        b'd' => matches!(
            name,
            "default" | "delete" | "do" | "double" | "dynamic_cast"
        ),
        b'e' => matches!(name, "else" | "enum" | "errno" | "explicit" | "extern"),
        b'f' => matches!(name, "false" | "float" | "for" | "friend"),
        b'g' => matches!(name, "goto"),
        b'i' => matches!(name, "i386" | "if" | "inline" | "int"),
        b'l' => matches!(name, "linux" | "long"),
        b'm' => matches!(name, "mips" | "mutable"),
        b'n' => matches!(name, "namespace" | "new" | "not" | "not_eq"),
        b'o' => matches!(name, "operator" | "or" | "or_eq"),
        b'p' => matches!(name, "private" | "protected" | "public"),
        b'r' => matches!(
            name,
            "register" | "reinterpret_cast" | "restrict" | "return"
        ),
        b's' => matches!(
            name,
            "short"
                | "signed"
                | "sizeof"
                | "sparc"
                | "static"
                | "static_cast"
                | "struct"
                | "switch"
        ),
        b't' => matches!(
            name,
            "template"
                | "this"
                | "throw"
                | "true"
                | "try"
                | "typedef"
                | "typeid"
                | "typename"
                | "typeof"
        ),
        b'u' => matches!(name, "union" | "unix" | "unsigned" | "using"),
        b'v' => matches!(name, "virtual" | "void" | "volatile"),
        b'w' => matches!(name, "wchar_t" | "while"),
        b'x' => matches!(name, "xor" | "xor_eq"),
        _ => false,
    }
}

#[cfg(test)]
mod tests;
