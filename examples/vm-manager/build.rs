//! Generate the bindings vm-manager uses, into `$OUT_DIR`:
//!
//! - `qmp.rs`: QEMU 10.0.0's QMP schema (`../shared/qemu/10.0.0/qapi`, or
//!   under `$QAPI_SHARED_DIR`), only the commands and events used;
//! - `qga.rs`: QEMU 10.0.2's guest agent schema
//!   (`target/qemu-sources/10.0.2/qga/qapi-schema.json` of this repository,
//!   written by `scripts/fetch-qemu-sources.sh`, or under
//!   `$QAPI_QEMU_SOURCES`).
//!
//! Either missing fails the build, saying where it was looked for and how
//! to get it.

use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-env-changed=QAPI_SHARED_DIR");
    println!("cargo:rerun-if-env-changed=QAPI_QEMU_SOURCES");
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());

    let shared = match std::env::var_os("QAPI_SHARED_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => manifest.join("../../../shared"),
    };
    let qmp = shared.join("qemu/10.0.0/qapi/qapi-schema.json");
    require(
        &qmp,
        "QEMU 10.0.0's QMP schema: check out the shared directory beside this \
         repository or point QAPI_SHARED_DIR at it",
    );
    generate(&qmp, QMP_NAMES, "qmp.rs");

    let sources = match std::env::var_os("QAPI_QEMU_SOURCES") {
        Some(dir) => PathBuf::from(dir),
        None => manifest.join("../../target/qemu-sources"),
    };
    let qga = sources.join("10.0.2/qga/qapi-schema.json");
    require(
        &qga,
        "QEMU 10.0.2's guest agent schema: run scripts/fetch-qemu-sources.sh \
         (or point QAPI_QEMU_SOURCES at a directory holding 10.0.2/qga/)",
    );
    generate(&qga, QGA_NAMES, "qga.rs");
}

/// The QMP commands and events vm-manager uses.
const QMP_NAMES: &[&str] = &[
    "query-version",
    "query-status",
    "query-hotpluggable-cpus",
    "query-cpus-fast",
    "object-add",
    "device_add",
    "device_del",
    "query-memory-devices",
    "add-fd",
    "query-fdsets",
    "remove-fd",
    "getfd",
    "blockdev-add",
    "blockdev-del",
    "query-block",
    "netdev_add",
    "query-rx-filter",
    "blockdev-backup",
    "migrate",
    "migrate-set-capabilities",
    "query-migrate",
    "system_reset",
    "quit",
    "DEVICE_DELETED",
    "JOB_STATUS_CHANGE",
    "MIGRATION",
    "SHUTDOWN",
];

/// The guest agent commands vm-manager uses.
const QGA_NAMES: &[&str] = &[
    "guest-info",
    "guest-get-osinfo",
    "guest-ping",
    "guest-exec",
    "guest-file-open",
    "guest-file-write",
    "guest-file-seek",
    "guest-file-read",
    "guest-file-flush",
    "guest-file-close",
];

fn require(path: &Path, what: &str) {
    if !path.is_file() {
        eprintln!("error: {} is missing: {what}", path.display());
        std::process::exit(1);
    }
}

fn generate(schema: &Path, names: &[&str], out: &str) {
    // Both schemas are QEMU 10.0's: judged by its doc rules, not 10.2's.
    let generated = qapi_gen::Builder::new(schema)
        .rules(qapi_gen::Rules::V10_0)
        .only(names.iter().copied())
        .docs(false)
        .generate_to_out_dir(out);
    if let Err(error) = generated {
        eprintln!("error: generating {out} from {}: {error}", schema.display());
        std::process::exit(1);
    }
}
