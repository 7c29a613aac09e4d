//! Stage 2: syntax checks of each definition (QEMU's `scripts/qapi/expr.py`).
//!
//! Every expression is checked on its own: its keys, the shape of their
//! values, names and their case rules, `if` conditions and features.  The
//! result is the typed [`ast`], with short forms expanded.  Errors in one
//! definition do not stop the others from being checked.

pub mod ast;

use crate::diag::Diagnostic;
use crate::parse::ParsedSchema;
use ast::Item;

/// Check every top-level expression; all errors found, in source order.
pub fn check(parsed: &ParsedSchema) -> Result<Vec<Item>, Vec<Diagnostic>> {
    let _ = parsed;
    todo!("expr.py checks")
}
