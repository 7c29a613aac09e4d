//! `qapi-gen rust`, run as a separate process: output to a file or
//! standard output, `--check`, exit codes and messages.

#[path = "../../qapi-gen/tests/common/mod.rs"]
mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{workspace_dir, TempDir};

const DEMO: &str = "schema/qapi-schema.json";

/// Run `qapi-gen` from the workspace root, so that `DEMO` is found and the
/// `@generated` header names it as written.
fn qapi_gen<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_qapi-gen"))
        .args(args)
        .current_dir(workspace_dir())
        .output()
        .expect("run qapi-gen")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exit code")
}

fn path_arg(path: &Path) -> &str {
    path.to_str().expect("UTF-8 temporary path")
}

#[test]
fn stdout_gets_the_generated_file() {
    let out = qapi_gen(&["rust", DEMO, "-o", "-"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
    let text = String::from_utf8(out.stdout).unwrap();
    let first = text.lines().next().unwrap();
    assert!(first.contains("@generated"), "{first}");
    assert!(first.contains("qapi-schema.json"), "{first}");
    assert!(
        text.contains("QueryStatus"),
        "no command type in the output"
    );
}

#[test]
fn file_output_and_check() {
    let dir = TempDir::new("check");
    let out_file = dir.path("qmp.rs");
    let file = path_arg(&out_file);

    // Missing file: --check fails, naming it.
    let out = qapi_gen(&["rust", DEMO, "-o", file, "--check"]);
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains(file), "{}", stderr(&out));
    assert!(!out_file.exists(), "--check wrote the file");

    let out = qapi_gen(&["rust", DEMO, "-o", file]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let written = std::fs::read_to_string(&out_file).unwrap();
    let stdout = qapi_gen(&["rust", DEMO, "-o", "-"]).stdout;
    assert_eq!(written.as_bytes(), stdout, "file and stdout differ");

    let out = qapi_gen(&["rust", DEMO, "-o", file, "--check"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    // Other settings give other output: the file is now out of date.
    let out = qapi_gen(&["rust", DEMO, "-o", file, "--check", "--no-docs"]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains(&format!("error: {file} is not up to date")),
        "{}",
        stderr(&out)
    );

    std::fs::write(&out_file, written.replace("QueryStatus", "Changed")).unwrap();
    let out = qapi_gen(&["rust", DEMO, "-o", file, "--check"]);
    assert_eq!(code(&out), 1);
    assert_eq!(
        std::fs::read_to_string(&out_file).unwrap(),
        written.replace("QueryStatus", "Changed"),
        "--check wrote the file"
    );
}

#[test]
fn every_option_is_accepted() {
    let out = qapi_gen(&[
        "rust",
        DEMO,
        "-o",
        "-",
        "--if-policy",
        "evaluate",
        "--enable",
        "CONFIG_KVM",
        "--enable",
        "CONFIG_SUSPEND",
        "--cfg",
        "CONFIG_KVM=feature = \"kvm\"",
        "--derive",
        "PartialEq",
        "--type-derive",
        "StatusInfo=Eq",
        "--attribute",
        "#[allow(missing_docs)]",
        "--type-attribute",
        "StatusInfo=#[allow(unused)]",
        "--only",
        "query-status",
        "--only",
        "STOP",
        "--runtime-path",
        "::qapi_types",
        "--no-docs",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("QueryStatus"));
    assert!(!text.contains("BlockdevAdd"), "--only kept other commands");
}

#[test]
fn bad_arguments_exit_2_with_a_message() {
    for (args, message) in [
        (
            &["--cfg", "CONFIG_KVM"][..],
            "error: invalid value for '--cfg': expected NAME=VALUE, found 'CONFIG_KVM'",
        ),
        (
            &["--type-derive", "Hash"],
            "error: invalid value for '--type-derive': expected NAME=VALUE, found 'Hash'",
        ),
        (
            &["--type-attribute", "=#[x]"],
            "error: invalid value for '--type-attribute': expected NAME=VALUE, found '=#[x]'",
        ),
        (
            &["--if-policy", "some"],
            "invalid value 'some' for '--if-policy",
        ),
        (
            &["--enable", ""],
            "error: invalid value for '--enable': the value is empty",
        ),
        (&["--colour"], "unexpected argument '--colour'"),
        (
            &["--only", "nope"],
            "error: invalid value for '--only': 'nope' is not a command or event of the schema",
        ),
        (
            &["--derive", "not a path"],
            "error: invalid value for '--derive': 'not a path' is not a derive path",
        ),
    ] {
        let mut all = vec!["rust", DEMO, "-o", "-"];
        all.extend(args);
        let out = qapi_gen(&all);
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(message), "{args:?}: {}", stderr(&out));
        assert!(out.stdout.is_empty(), "{args:?}: output on a usage error");
    }

    let out = qapi_gen(&["rust", DEMO]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("--output <FILE>"), "{}", stderr(&out));

    let out = qapi_gen(&["rust", DEMO, "-o", "-", "--check"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("--check needs a file"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn schema_errors_exit_1_with_diagnostics() {
    let dir = TempDir::new("schema-error");
    let root = dir.write("root.json", "{ 'include': 'sub.json' }\n");
    dir.write(
        "sub.json",
        "\n{ 'command': 'x', 'data': { 'a': 'Nope' } }\n",
    );
    let out_file = dir.path("out.rs");
    let out = qapi_gen(&["rust", path_arg(&root), "-o", path_arg(&out_file)]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert!(err.contains("sub.json:2:1: error: "), "{err}");
    assert!(err.contains("In file included from"), "{err}");
    assert!(!out_file.exists(), "output written for an invalid schema");
}

#[test]
fn unreadable_schema_exits_2() {
    let out = qapi_gen(&["rust", "no-such-schema.json", "-o", "-"]);
    assert_eq!(code(&out), 2);
    assert_eq!(
        stderr(&out),
        "error: can't read schema file 'no-such-schema.json': No such file or directory\n"
    );
}

#[test]
fn unchanged_output_is_not_rewritten() {
    let dir = TempDir::new("unchanged");
    let out_file = dir.path("qmp.rs");
    let file = path_arg(&out_file);
    assert_eq!(code(&qapi_gen(&["rust", DEMO, "-o", file])), 0);
    // An old modification time stays if the file is not written again.
    let old = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000);
    let f = std::fs::File::options()
        .write(true)
        .open(&out_file)
        .unwrap();
    f.set_modified(old).unwrap();
    drop(f);
    let out = qapi_gen(&["rust", DEMO, "-o", file]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let modified = std::fs::metadata(&out_file).unwrap().modified().unwrap();
    assert_eq!(modified, old, "the unchanged file was written again");
}
