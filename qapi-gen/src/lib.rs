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
pub mod parse;
#[doc(hidden)]
pub mod qapi_macro;
pub mod rust;
pub mod schema;
pub mod settings;

use std::path::Path;

pub use builder::Builder;
pub use diag::Diagnostics;
pub use parse::DocMode;
pub use schema::Schema;
pub use settings::{IfPolicy, Settings};

/// Parse, check and resolve the schema rooted at `path`, holding its doc
/// comments to QEMU 10.0's rules.
pub fn load(path: &Path) -> Result<Schema, Diagnostics> {
    load_with(path, DocMode::Strict)
}

/// [`load`], with the doc-comment rules enforced as `doc_mode` says; in
/// [`DocMode::Lenient`], [`Schema::warnings`] lists the broken ones.
pub fn load_with(path: &Path, doc_mode: DocMode) -> Result<Schema, Diagnostics> {
    Schema::build(parse::parse_with_mode(path, &parse::FsLoader, doc_mode)?)
}
