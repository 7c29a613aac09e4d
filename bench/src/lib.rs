//! Shared by the `frontend` bench and the `compare` binary: where the real
//! QEMU schema is.

use std::path::{Path, PathBuf};

/// QEMU 10.0.0's `qapi/qapi-schema.json` in the shared data directory:
/// `$QAPI_SHARED_DIR` if set, else `../shared` beside the checkout.
/// Exits with a clear message when it is missing.
pub fn real_schema() -> PathBuf {
    let shared = match std::env::var_os("QAPI_SHARED_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared"),
    };
    let schema = shared.join("qemu/10.0.0/qapi/qapi-schema.json");
    if !schema.is_file() {
        eprintln!(
            "error: {} not found; the benchmarks need the shared data directory \
             `../shared` beside the checkout (or QAPI_SHARED_DIR=/path/to/shared)",
            schema.display()
        );
        std::process::exit(2);
    }
    schema
}
