//! Schemas of older QEMU versions, as shipped in crates of the cargo
//! registry (`scripts/fetch-older-schemas.sh` downloads them).  Used by
//! `qapi-gen`'s tests and by `tests/bindings/build.rs` (through `#[path]`).

use std::path::PathBuf;

/// One schema: a name for tests and files, the crate it comes from, and the
/// root file inside the crate.
pub struct OlderSchema {
    pub name: &'static str,
    pub package: &'static str,
    pub root: &'static str,
}

/// Every older schema: QEMU 8.0 (`qapi-qmp` 0.12.0 and 0.13.0 ship the same
/// files), 8.1, 9.1, and the guest agent's (QEMU 9.1).
pub const OLDER_SCHEMAS: [OlderSchema; 5] = [
    OlderSchema {
        name: "qmp_8_0",
        package: "qapi-qmp-0.12.0",
        root: "schema/qapi/qapi-schema.json",
    },
    OlderSchema {
        name: "qmp_8_0_b",
        package: "qapi-qmp-0.13.0",
        root: "schema/qapi/qapi-schema.json",
    },
    OlderSchema {
        name: "qmp_8_1",
        package: "qapi-qmp-0.14.0",
        root: "schema/qapi/qapi-schema.json",
    },
    OlderSchema {
        name: "qmp_9_1",
        package: "qapi-qmp-0.15.0",
        root: "schema/qapi/qapi-schema.json",
    },
    OlderSchema {
        name: "qga_9_1",
        package: "qapi-qga-0.13.0",
        root: "schema/qga/qapi-schema.json",
    },
];

/// Where the schema's root file is in the cargo registry
/// (`$CARGO_HOME/registry/src/*/PACKAGE/ROOT`); `Err` says what to run when
/// it is not there.
pub fn locate(schema: &OlderSchema) -> Result<PathBuf, String> {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))
        .ok_or("neither CARGO_HOME nor HOME is set")?;
    let sources = cargo_home.join("registry/src");
    let found = std::fs::read_dir(&sources)
        .into_iter()
        .flatten()
        .flatten()
        .map(|index| index.path().join(schema.package).join(schema.root))
        .find(|path| path.is_file());
    found.ok_or_else(|| {
        format!(
            "{} not found under {}: run scripts/fetch-older-schemas.sh to download it",
            schema.package,
            sources.display()
        )
    })
}

/// The root file of the older schema named `name` (one of
/// [`OLDER_SCHEMAS`]); panics saying what to run when it is missing.
pub fn path_of(name: &str) -> PathBuf {
    let schema = OLDER_SCHEMAS
        .iter()
        .find(|s| s.name == name)
        .expect("a known schema");
    locate(schema).unwrap_or_else(|e| panic!("{e}"))
}
