//! `qapi-gen`: QEMU's QAPI schema language to typed Rust.
//!
//! The pipeline, one module per stage:
//!
//! 1. [`parse`]: schema text to expressions and doc comments
//!    (QEMU's `parser.py`);
//! 2. [`check`]: syntax checks of each definition (`expr.py`);
//! 3. [`schema`]: the resolved, checked model (`schema.py`), the only thing
//!    back ends read.
//!
//! The language is that of a QEMU release, chosen with [`Rules`].
//!
//! Errors are [`diag::Diagnostics`], rendered as `file:line:col: error: ...`
//! with the include chain and a snippet.

// pest without its `std` feature (see the workspace manifest) generates a
// parser that names `alloc`.
extern crate alloc;

pub mod builder;
pub mod check;
pub mod compat;
pub mod diag;
pub mod docs;
pub mod dump;
pub mod introspect;
pub mod markup;
pub mod parse;
pub mod rules;
pub mod rust;
pub mod schema;
pub mod settings;

use std::path::Path;

pub use builder::Builder;
pub use diag::Diagnostics;
pub use parse::{DocMode, LoadOptions};
pub use rules::Rules;
pub use schema::Schema;
pub use settings::{IfPolicy, Settings};

/// Parse, check and resolve the schema rooted at `path`, holding it to the
/// newest QEMU release's rules ([`Rules::default`]), doc comments included.
pub fn load(path: &Path) -> Result<Schema, Diagnostics> {
    load_with(path, LoadOptions::default())
}

/// [`load`] with other [`LoadOptions`]: a [`Rules`] (`load_with(path,
/// Rules::V10_0)`), a [`DocMode`] (`load_with(path, DocMode::Lenient)`),
/// or both.  In [`DocMode::Lenient`], [`Schema::warnings`] lists the
/// broken doc-comment rules.
pub fn load_with(path: &Path, options: impl Into<LoadOptions>) -> Result<Schema, Diagnostics> {
    Schema::build(parse::parse_with_options(
        path,
        &parse::FsLoader,
        options.into(),
    )?)
}
