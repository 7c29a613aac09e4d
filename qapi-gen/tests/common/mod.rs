//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};

/// The read-only `shared/` material (QEMU's schema and test suite):
/// `$QAPI_SHARED_DIR` when set, else `shared/` beside the checkout.
/// Panics with a clear message when it is missing, so that tests never
/// pass without having looked at it.
#[allow(dead_code)]
pub fn shared_dir() -> PathBuf {
    let dir = match std::env::var_os("QAPI_SHARED_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared"),
    };
    assert!(
        dir.is_dir(),
        "shared material not found at {}: check it out beside the repository \
         or set QAPI_SHARED_DIR",
        dir.display()
    );
    dir
}
