//! `qapi-gen`: QEMU's QAPI schema language to typed Rust.
//!
//! [`load`] reads a schema (the root file and its includes), checks it as
//! QEMU's own generator does, and resolves it into a [`Schema`]: the model
//! every back end reads.  The language is that of a QEMU release, chosen
//! with [`Rules`]; doc comments that break its rules are errors, or
//! warnings with [`DocMode::Lenient`].  Errors are [`Diagnostics`],
//! rendered as `file:line:col: error: ...` with the include chain and a
//! snippet, as QEMU and rustc do.
//!
//! The back ends:
//!
//! - [`rust`]: Rust bindings, through [`Builder`] in a build script (or
//!   the `qapi!` macro of `qapi-macros`, or the `qapi-gen rust` command of
//!   `qapi-gen-cli`), all three with the same [`Settings`];
//! - [`docs`]: reference documentation, HTML or Markdown;
//! - [`introspect`]: the `query-qmp-schema` reply QEMU gives;
//! - [`dump`]: the model as QEMU's `test-qapi.py` prints it;
//! - [`compat`]: span bindings (one model for several QEMU versions) and
//!   schema diffs.
//!
//! ```no_run
//! // build.rs
//! fn main() -> Result<(), qapi_gen::builder::Error> {
//!     qapi_gen::Builder::new("schema/qapi-schema.json")
//!         .derive("Hash")
//!         .generate_to_out_dir("qmp.rs")?;
//!     Ok(())
//! }
//! ```
//!
//! ```no_run
//! # fn main() -> Result<(), qapi_gen::Diagnostics> {
//! use qapi_gen::{DocMode, Rules};
//! let schema = qapi_gen::load_with(
//!     "qapi/qapi-schema.json".as_ref(),
//!     qapi_gen::LoadOptions::new(Rules::V10_0, DocMode::Lenient),
//! )?;
//! for warning in schema.rendered_warnings() {
//!     eprintln!("{warning}");
//! }
//! for (entity, _command) in schema.commands() {
//!     println!("{}", entity.name);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! Inside, the pipeline mirrors QEMU's `scripts/qapi/`: the parser
//! (`parser.py`: text to expressions and doc comments), the checks of
//! each definition (`expr.py`), then the model and its semantic checks
//! (`schema.py`).  The first two stages are not part of the API.

#![warn(missing_docs)]

// pest without its `std` feature (see the workspace manifest) generates a
// parser that names `alloc`.
extern crate alloc;

pub mod builder;
mod check;
pub mod compat;
pub mod diag;
pub mod docs;
pub mod dump;
pub mod introspect;
pub mod markup;
mod parse;
mod rules;
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

/// The parse and check stages, for this repository's own tests,
/// benchmarks and fuzz targets.  Not part of the API: it changes with the
/// pipeline.
#[doc(hidden)]
pub mod __internal {
    pub use crate::check::check;
    pub use crate::docs::{Page, Site};
    pub use crate::parse::{
        parse_with_options, FileLoader, FsLoader, ParsedSchema, RawDefinition, TopExpr,
    };
}
