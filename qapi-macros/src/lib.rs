//! `qapi!`: Rust bindings for a QAPI schema, generated in place.
//!
//! ```ignore
//! qapi_macros::qapi!("schema/qapi-schema.json");
//! qapi_macros::qapi!(
//!     schema = "schema/qapi-schema.json",
//!     if_policy = "evaluate",
//!     enable = ["CONFIG_KVM"],
//!     derive = ["Hash"],
//!     only = ["query-status", "STOP"],
//!     docs = false,
//! );
//! ```
//!
//! The path is relative to the crate's `Cargo.toml` directory.  The
//! options are those of `qapi_gen::Settings`, with the same names as the
//! build.rs `Builder` methods and the `qapi-gen rust` flags, and the items
//! are the same as theirs.  A schema error is a compile error showing the
//! `file:line:col` diagnostic; editing any schema file recompiles the crate.

use proc_macro::TokenStream;

#[proc_macro]
pub fn qapi(input: TokenStream) -> TokenStream {
    let base_dir = qapi_gen::qapi_macro::manifest_dir();
    qapi_gen::qapi_macro::expand(input.into(), base_dir.as_deref()).into()
}
