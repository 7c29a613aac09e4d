//! Doc-comment warnings of a build script, as a user sees them in `cargo
//! build`: a crate whose `build.rs` generates the bindings of QEMU 10.0.0's
//! schema under the default rules (10.2's, which that schema breaks in
//! hundreds of doc lines) is built, and cargo's output must show one line
//! per warning with its `file:line:col` and message, at most a screenful
//! of them, then their number and the file holding every one in full.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use qapi_gen::builder::SHOWN_WARNINGS;
use qapi_gen::DocMode;

/// The target directory of the workspace: the crate built here shares it,
/// so that qapi-gen and its dependencies are not compiled again.
fn target_dir() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().unwrap_or(tmp).to_path_buf()
}

#[test]
fn warnings_in_cargo_build_output() {
    let schema = common::real_schema_path("10.0.0");
    let loaded = qapi_gen::load_with(&schema, DocMode::Lenient).unwrap_or_else(|e| panic!("{e}"));
    let expected = &loaded.warnings;
    assert!(
        expected.len() > SHOWN_WARNINGS,
        "{} warnings",
        expected.len()
    );

    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("build-script-warnings");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("src")).expect("create the crate");
    let qapi_gen = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest = format!(
        "[package]\nname = \"warnings-demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\
         publish = false\n\n[workspace]\n\n[build-dependencies]\nqapi-gen = {{ path = {:?} }}\n",
        qapi_gen.display().to_string()
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).expect("write Cargo.toml");
    let build_rs = format!(
        "fn main() -> Result<(), qapi_gen::builder::Error> {{\n    \
         qapi_gen::Builder::new({:?}).generate_to_out_dir(\"qmp.rs\")?;\n    Ok(())\n}}\n",
        schema.display().to_string()
    );
    std::fs::write(dir.join("build.rs"), build_rs).expect("write build.rs");
    std::fs::write(dir.join("src/lib.rs"), "").expect("write lib.rs");
    // The workspace's lock file: the same dependency versions, offline.
    let lock = qapi_gen.join("../Cargo.lock");
    std::fs::copy(lock, dir.join("Cargo.lock")).expect("copy Cargo.lock");

    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(["build", "--offline", "--color", "never"])
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", target_dir())
        .env_remove("CARGO_MANIFEST_DIR")
        .output()
        .expect("run cargo build");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "cargo build failed:\n{stderr}");

    // What the user sees.
    let prefix = "warning: warnings-demo@0.1.0: ";
    let shown: Vec<&str> = stderr
        .lines()
        .filter_map(|line| line.strip_prefix(prefix))
        .collect();
    println!("`cargo build` of a crate generating QEMU 10.0.0's bindings under the default rules:");
    for line in stderr.lines().filter(|l| l.starts_with(prefix)) {
        println!("{line}");
    }
    assert_eq!(shown.len(), SHOWN_WARNINGS + 1, "{stderr}");
    let root = schema.parent().expect("the schema's directory");
    for (line, warning) in shown.iter().take(SHOWN_WARNINGS).zip(expected) {
        // `file:line:col: message`, the file as the build script named it.
        assert_eq!(*line, warning.one_line(&loaded.sources));
        assert!(line.starts_with(&root.display().to_string()), "{line}");
    }
    // The count, and the file holding every warning in full.
    let last = shown[SHOWN_WARNINGS];
    let more = expected.len() - SHOWN_WARNINGS;
    let (count, path) = last
        .split_once(", every one in full in ")
        .unwrap_or_else(|| panic!("no file named: {last}"));
    assert_eq!(
        count,
        format!("{more} more warnings ({} in all)", expected.len())
    );
    let report = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert!(Path::new(path).starts_with(target_dir()), "{path}");
    assert_eq!(report.matches(": warning: ").count(), expected.len());
    assert!(
        report.contains("In file included from "),
        "with its include chain"
    );
    assert!(report.contains("   |"), "with its snippets");
    assert!(!stderr.contains("In file included from"), "{stderr}");
}
