//! `qapi_gen::Builder`, as a build script uses it.

mod common;

use std::time::{Duration, UNIX_EPOCH};

use common::{workspace_dir, TempDir};
use qapi_gen::builder::Error;
use qapi_gen::Builder;

fn demo() -> Builder {
    Builder::new("schema/qapi-schema.json").base_dir(workspace_dir())
}

#[test]
fn every_file_read_is_reported() {
    let builder = demo();
    let schema = builder.load().unwrap_or_else(|e| panic!("{e}"));
    let paths = builder.source_paths(&schema.sources);
    let names: Vec<String> = paths
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "qapi-schema.json",
            "common.json",
            "machine.json",
            "block.json",
            "block-core.json",
            "char.json",
            "events.json"
        ]
    );
    for path in &paths {
        assert!(path.is_absolute() && path.is_file(), "{}", path.display());
    }
}

#[test]
fn relative_paths_start_from_the_base_dir() {
    // Not from the current directory (the package's, under `cargo test`).
    let text = Builder::new("qapi-schema.json")
        .base_dir(workspace_dir().join("schema"))
        .generate()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(text.lines().next().unwrap().contains("qapi-schema.json"));
}

#[test]
fn generate_to_writes_only_changes() {
    let dir = TempDir::new("generate-to");
    let path = dir.path("out/qmp.rs");
    demo().generate_to(&path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text, demo().generate().unwrap());

    let old = UNIX_EPOCH + Duration::from_secs(1_000_000);
    let file = std::fs::File::options().write(true).open(&path).unwrap();
    file.set_modified(old).unwrap();
    drop(file);
    demo().generate_to(&path).unwrap();
    assert_eq!(std::fs::metadata(&path).unwrap().modified().unwrap(), old);

    demo().docs(false).generate_to(&path).unwrap();
    assert_ne!(std::fs::read_to_string(&path).unwrap(), text);
}

#[test]
fn schema_errors_carry_the_rendered_diagnostics() {
    let dir = TempDir::new("schema-error");
    dir.write("root.json", "{ 'include': 'sub.json' }\n");
    dir.write(
        "sub.json",
        "\n{ 'struct': 'Point', 'data': { 'a': 'Nope' } }\n",
    );
    let out = dir.path("qmp.rs");
    let err = Builder::new("root.json")
        .base_dir(&dir.0)
        .generate_to(&out)
        .unwrap_err();
    assert!(matches!(err, Error::Schema(_)));
    let text = err.to_string();
    assert!(
        text.starts_with("In file included from root.json:1:\n"),
        "{text}"
    );
    assert!(text.contains("sub.json:2:1: error: "), "{text}");
    assert!(text.contains("^^^^^^"), "no snippet: {text}");
    // What `fn main() -> Result<(), Error>` prints.
    assert_eq!(format!("{err:?}"), format!("\n{text}"));
    assert!(!out.exists());
}
