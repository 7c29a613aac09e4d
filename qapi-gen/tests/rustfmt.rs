//! Generated code is laid out exactly as rustfmt lays it out (the
//! toolchain's rustfmt, default configuration, edition 2021), so that a
//! project that checks its bindings in and runs `cargo fmt` still passes
//! the up-to-date check of `qapi-gen`: the snapshots, QEMU 10.0.0's
//! bindings under each `if` policy and with the other options, and the
//! server module.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use common::registry::{locate, OLDER_SCHEMAS};
use common::{shared_dir, workspace_dir};
use qapi_gen::{IfPolicy, Settings};

/// `text` as rustfmt formats it.
fn rustfmt(text: &str) -> String {
    let mut child = Command::new("rustfmt")
        .args(["--edition", "2021", "--emit", "stdout", "--quiet"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("rustfmt runs (rustup component add rustfmt)");
    let mut stdin = child.stdin.take().expect("rustfmt's stdin");
    let input = text.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().expect("rustfmt finishes");
    writer
        .join()
        .expect("the writer thread")
        .expect("write to rustfmt");
    assert!(
        output.status.success(),
        "rustfmt failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("rustfmt writes UTF-8")
}

/// Fails naming the first lines rustfmt changes, and how many.
fn assert_formatted(what: &str, text: &str) {
    let formatted = rustfmt(text);
    if formatted == text {
        return;
    }
    let ours: Vec<&str> = text.lines().collect();
    let theirs: Vec<&str> = formatted.lines().collect();
    let first = ours
        .iter()
        .zip(&theirs)
        .position(|(a, b)| a != b)
        .unwrap_or(ours.len().min(theirs.len()));
    let changed = ours.iter().filter(|line| !theirs.contains(line)).count();
    panic!(
        "{what}: rustfmt changes about {changed} lines, first at line {}:\n  ours:    {:?}\n  rustfmt: {:?}",
        first + 1,
        ours.get(first).unwrap_or(&"<end>"),
        theirs.get(first).unwrap_or(&"<end>"),
    );
}

fn generate(schema: &Path, settings: &Settings) -> String {
    let schema =
        qapi_gen::load_with(schema, qapi_gen::DocMode::Lenient).unwrap_or_else(|e| panic!("{e}"));
    qapi_gen::rust::generate_file(&schema, settings).unwrap_or_else(|e| panic!("{e}"))
}

fn qemu_schema() -> std::path::PathBuf {
    shared_dir().join("qemu/10.0.0/qapi/qapi-schema.json")
}

#[test]
fn snapshots_are_formatted() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("tests/snapshots") {
        let path = entry.expect("a snapshot").path();
        let text = std::fs::read_to_string(&path).expect("read the snapshot");
        assert_formatted(&path.display().to_string(), &text);
        seen += 1;
    }
    assert!(seen >= 3, "snapshots missing in {}", dir.display());
}

#[test]
fn qemu_bindings_are_formatted() {
    assert_formatted(
        "QEMU 10.0.0, defaults",
        &generate(&qemu_schema(), &Settings::default()),
    );
}

#[test]
fn qemu_bindings_under_cfg_and_options_are_formatted() {
    let mut settings = Settings::default();
    settings.if_policy = IfPolicy::Cfg;
    settings.cfg = vec![
        ("CONFIG_LINUX".into(), "target_os = \"linux\"".into()),
        ("CONFIG_POSIX".into(), "unix".into()),
        ("TARGET_I386".into(), "target_arch = \"x86_64\"".into()),
        ("CONFIG_SPICE".into(), "feature = \"spice\"".into()),
    ];
    settings.derive = vec!["PartialOrd".into()];
    settings.type_derive = vec![("VersionTriple".into(), "Eq".into())];
    settings.attribute = vec!["#[must_use]".into()];
    settings.runtime_path = "crate::runtime".into();
    assert_formatted(
        "QEMU 10.0.0, cfg and options",
        &generate(&qemu_schema(), &settings),
    );
}

#[test]
fn server_bindings_are_formatted() {
    let mut settings = Settings::default();
    settings.server = true;
    settings.docs = false;
    let demo = workspace_dir().join("schema/qapi-schema.json");
    assert_formatted("demo, server", &generate(&demo, &settings));
    assert_formatted("QEMU 10.0.0, server", &generate(&qemu_schema(), &settings));
}

/// Span bindings: QEMU 10.2.0's schema spanning 10.0.0's and QEMU 11.1.3's
/// `query-qmp-schema` reply (versions in docs, `span_versions!`,
/// `versions!`, `versions { .. }` and `member_versions { .. }` in the
/// macros), and spanning 8.0, 8.1 and 9.1 too when the cargo registry has
/// them (longer lists of versions).
#[test]
fn span_bindings_are_formatted() {
    let shared = shared_dir();
    let newest = shared.join("qemu/10.2.0/qapi/qapi-schema.json");
    let v10_0 = shared.join("qemu/10.0.0/qapi/qapi-schema.json");
    let v11_1 = workspace_dir().join("tests/corpus/qemu-11.1.3/schema.json");
    let span = |older: &[&Path]| {
        let mut builder = qapi_gen::Builder::new(&newest);
        for path in older {
            builder = builder.compat(path.display().to_string());
        }
        let schema = builder.load().unwrap_or_else(|e| panic!("{e}"));
        qapi_gen::rust::generate_file(&schema, builder.settings()).unwrap_or_else(|e| panic!("{e}"))
    };
    assert_formatted("span 10.0.0, 10.2.0", &span(&[&v10_0]));
    assert_formatted("span 10.0.0, 10.2.0, 11.1.3", &span(&[&v10_0, &v11_1]));
    let older: Vec<std::path::PathBuf> = ["qmp_8_0", "qmp_8_1", "qmp_9_1"]
        .iter()
        .filter_map(|name| OLDER_SCHEMAS.iter().find(|s| s.name == *name))
        .filter_map(|schema| locate(schema).ok())
        .collect();
    if older.len() == 3 {
        let mut all: Vec<&Path> = older.iter().map(|p| p.as_path()).collect();
        all.push(&v10_0);
        assert_formatted("span 8.0 ... 10.2.0", &span(&all));
    } else {
        eprintln!("span over 8.0 ... 10.0 not checked: run scripts/fetch-older-schemas.sh");
    }
}
