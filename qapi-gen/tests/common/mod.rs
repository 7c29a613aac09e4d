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

/// The workspace's root directory (where `schema/`, the demo schema, is).
#[allow(dead_code)]
pub fn workspace_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("qapi-gen is inside the workspace")
        .to_path_buf()
}

/// A fresh directory for one test, removed when dropped.
#[allow(dead_code)]
pub struct TempDir(pub PathBuf);

#[allow(dead_code)]
impl TempDir {
    /// `test` names the directory; it must be unique among the tests of
    /// one test binary.
    pub fn new(test: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("qapi-gen-test-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temporary directory");
        TempDir(dir)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).expect("write temporary file");
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[allow(dead_code)]
pub mod registry;
