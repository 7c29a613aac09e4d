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

pub mod builder;
pub mod check;
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
pub use schema::Schema;
pub use settings::{IfPolicy, Settings};

/// Parse, check and resolve the schema rooted at `path`.
pub fn load(path: &Path) -> Result<Schema, Diagnostics> {
    Schema::build(parse::parse_file(path)?)
}
