//! Support for the QMP client tests: the shared directory, and [`Qemu`], a
//! real QEMU started for one test and killed when the test ends (also when
//! it panics).  The tests are in `tests/`: `live.rs` against QEMU 10.0.2,
//! `faults.rs` against fake peers.

pub mod qemu;

use std::path::PathBuf;

pub use qemu::{Peer, Qemu};

/// The python of the venv `scripts/install-qmp-python.sh` makes, with
/// QEMU's Python QMP client (`$QMP_PYTHON_VENV`, default `target/qmp-venv`
/// of the workspace).
pub fn qmp_python() -> PathBuf {
    let venv = match std::env::var_os("QMP_PYTHON_VENV") {
        Some(venv) => PathBuf::from(venv),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/qmp-venv"),
    };
    let python = venv.join("bin/python");
    assert!(
        python.exists(),
        "{} is missing: run scripts/install-qmp-python.sh (it makes the venv with qemu.qmp)",
        python.display()
    );
    python
}

/// `../shared` (or `$QAPI_SHARED_DIR`): QEMU's schema and the recorded QMP
/// corpus.
pub fn shared_dir() -> PathBuf {
    let dir = match std::env::var_os("QAPI_SHARED_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    };
    assert!(
        dir.join("qemu/10.0.0/qapi/qapi-schema.json").is_file(),
        "{} has no qemu/10.0.0/qapi: set QAPI_SHARED_DIR to the shared directory",
        dir.display()
    );
    dir
}
