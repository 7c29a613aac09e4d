//! Stage 3: the resolved model (QEMU's `scripts/qapi/schema.py`).
//!
//! Defines the built-in types, every definition and the implicit types
//! they need, resolves type names, then runs the semantic checks (clashes,
//! bases, discriminators, alternates, commands) and connects the
//! documentation.

pub mod model;

pub use model::*;

use crate::diag::Diagnostics;
use crate::parse::ParsedSchema;

impl Schema {
    /// Check `parsed` and build the model from it.
    pub fn build(parsed: ParsedSchema) -> Result<Schema, Diagnostics> {
        let _ = parsed;
        todo!("schema.py")
    }
}
