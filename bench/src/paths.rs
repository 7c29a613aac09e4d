//! Where the benchmarks' inputs are. Shared by the library and `build.rs`
//! (which includes this file with `#[path]`), so it uses std only.

use std::path::{Path, PathBuf};

/// The shared data directory: `$QAPI_SHARED_DIR` if set, else `../shared`
/// beside the checkout. Exits with a clear message when `relative` is not
/// in it.
pub fn shared_path(relative: &str) -> PathBuf {
    let shared = match std::env::var_os("QAPI_SHARED_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared"),
    };
    let path = shared.join(relative);
    if !path.exists() {
        eprintln!(
            "error: {} not found; the benchmarks need the shared data directory \
             `../shared` beside the checkout (or QAPI_SHARED_DIR=/path/to/shared)",
            path.display()
        );
        std::process::exit(2);
    }
    path
}

/// QEMU 10.0.0's `qapi/qapi-schema.json`.
pub fn real_schema() -> PathBuf {
    shared_path("qemu/10.0.0/qapi/qapi-schema.json")
}
