//! `qapi!`: QAPI schema to Rust bindings in place (not yet available; see
//! issue "Rust bindings from the model").
