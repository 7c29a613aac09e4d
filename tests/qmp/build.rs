//! `cfg(qapi_shared)` when `../shared` (or `$QAPI_SHARED_DIR`) holds QEMU's
//! schema, as in `tests/bindings/build.rs`, which then builds the
//! real-schema bindings the live tests use.

use std::path::PathBuf;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(qapi_shared)");
    println!("cargo:rerun-if-env-changed=QAPI_SHARED_DIR");
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let shared = match std::env::var_os("QAPI_SHARED_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => manifest.join("../../../shared"),
    };
    if shared.join("qemu/10.0.0/qapi/qapi-schema.json").exists() {
        println!("cargo:rustc-cfg=qapi_shared");
    }
}
