//! What vm-info asks QEMU, in the generated types: [`Report`], its human
//! summary, and its JSON form (one object, a member per section) and back.
//!
//! Bindings of QEMU 10.2.0's schema, spanning 10.0.0's, come from
//! `build.rs`; without the schemas (no `../shared`), this library is
//! empty.

#[cfg(qapi_shared)]
#[allow(dead_code, clippy::all)]
pub mod qmp {
    include!(concat!(env!("OUT_DIR"), "/qmp.rs"));
}

#[cfg(qapi_shared)]
mod report;

#[cfg(qapi_shared)]
pub use report::Report;
