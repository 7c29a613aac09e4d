//! The `qapi-gen` command line, run as a separate process: exit codes,
//! diagnostics on stderr, and the `--summary` report.

#[path = "../../qapi-gen/tests/common/mod.rs"]
mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::TempDir;

/// A schema with one definition of every kind, valid for QEMU 10.0.
const EVERY_KIND: &str = "\
{ 'enum': 'Color', 'data': [ 'red', 'green' ] }
{ 'struct': 'Point', 'data': { 'x': 'int', 'y': 'int' } }
{ 'union': 'Shape', 'base': { 'kind': 'Color' }, 'discriminator': 'kind',
  'data': { 'red': 'Point', 'green': 'Point' } }
{ 'alternate': 'PointOrName', 'data': { 'p': 'Point', 'n': 'str' } }
{ 'command': 'draw', 'data': { 'shape': 'Shape' }, 'returns': 'Point' }
{ 'event': 'DRAWN', 'data': { 'where': 'Point' } }
";

fn qapi_gen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_qapi-gen"))
        .args(args)
        .output()
        .expect("run qapi-gen")
}

fn check(schema: &Path, summary: bool) -> Output {
    let path = schema.to_str().expect("UTF-8 temporary path");
    if summary {
        qapi_gen(&["check", "--summary", path])
    } else {
        qapi_gen(&["check", path])
    }
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn valid_schema_exits_0_silently() {
    let dir = TempDir::new("valid");
    let out = check(&dir.write("good.json", EVERY_KIND), false);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    assert_eq!(stdout(&out), "");
    assert_eq!(stderr(&out), "");
}

#[test]
fn parse_error_exits_1_with_location() {
    let dir = TempDir::new("parse-error");
    let schema = dir.write("stray.json", "{ 'struct': 'Thing',\n  @ }\n");
    let out = check(&schema, false);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "");
    let err = stderr(&out);
    assert!(
        err.starts_with(&format!("{}:2:3: error: stray '@'\n", schema.display())),
        "stderr: {err}"
    );
}

#[test]
fn invalid_utf8_exits_1() {
    let dir = TempDir::new("invalid-utf8");
    let schema = dir.write("latin1.json", b"# caf\xe9\n{ 'enum': 'E', 'data': [] }\n");
    let out = check(&schema, false);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.starts_with(&format!(
            "{}:1:6: error: file is not valid UTF-8\n",
            schema.display()
        )),
        "stderr: {err}"
    );
}

#[test]
fn semantic_error_exits_1_with_definition_and_location() {
    let dir = TempDir::new("semantic-error");
    let schema = dir.write(
        "unknown.json",
        "{ 'struct': 'Thing', 'data': { 'a': 'nonexistent' } }\n",
    );
    let out = check(&schema, false);
    assert_eq!(out.status.code(), Some(1));
    let name = schema.display();
    let expected = format!(
        "{name}: In struct 'Thing':\n\
         {name}:1:1: error: member 'a' uses unknown type 'nonexistent'\n"
    );
    assert!(
        stderr(&out).starts_with(&expected),
        "stderr: {}",
        stderr(&out)
    );
}

#[test]
fn error_in_included_file_shows_include_chain() {
    let dir = TempDir::new("include-chain");
    dir.write("sub.json", "{ 'struct': 'Thing',\n  @ }\n");
    let root = dir.write("root.json", "{ 'include': 'sub.json' }\n");
    let out = check(&root, false);
    assert_eq!(out.status.code(), Some(1));
    let root_name = root.display().to_string();
    let sub_name = format!("{}/sub.json", root.parent().unwrap().display());
    let expected =
        format!("In file included from {root_name}:1:\n{sub_name}:2:3: error: stray '@'\n");
    assert!(
        stderr(&out).starts_with(&expected),
        "stderr: {}",
        stderr(&out)
    );
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &[][..],
        &["check"][..],
        &["check", "--frobnicate", "x.json"][..],
        &["check", "a.json", "b.json"][..],
        &["frobnicate"][..],
    ] {
        let out = qapi_gen(args);
        assert_eq!(out.status.code(), Some(2), "args {args:?}");
        assert!(!stderr(&out).is_empty(), "args {args:?}: no message");
    }
}

#[test]
fn help_exits_0() {
    let out = qapi_gen(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("check"), "stdout: {}", stdout(&out));
}

#[test]
fn unreadable_root_exits_2() {
    let dir = TempDir::new("unreadable");
    let missing = dir.0.join("missing.json");
    let out = check(&missing, false);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        format!(
            "error: can't read schema file '{}': No such file or directory\n",
            missing.display()
        )
    );

    // A directory is no schema file either.
    let out = check(&dir.0, false);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("Is a directory"),
        "stderr: {}",
        stderr(&out)
    );
}

#[test]
fn summary_has_one_line_per_kind() {
    let dir = TempDir::new("summary");
    let out = check(&dir.write("good.json", EVERY_KIND), true);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    // Implicit types (the union's base, the command's and event's
    // arguments) and built-in types are not counted.
    assert_eq!(
        stdout(&out),
        "1 commands\n1 events\n1 enums\n1 alternates\n2 structs and unions (1 structs, 1 unions)\n"
    );
}

/// The schema this repository ships (README's quick start).
#[test]
fn summary_of_bundled_schema() {
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema/qapi-schema.json");
    let out = check(&schema, true);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "20 commands\n8 events\n11 enums\n2 alternates\n27 structs and unions (25 structs, 2 unions)\n"
    );
}

/// QEMU 10.0.0's own schema under its rules; QEMU's front end counts the
/// same.
#[test]
fn summary_of_qemu_10_0_schema() {
    let schema = common::real_schema_path("10.0.0");
    let path = schema.to_str().expect("UTF-8 path");
    let out = qapi_gen(&["check", "--summary", "--rules", "10.0", path]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "240 commands\n56 events\n181 enums\n6 alternates\n511 structs and unions (468 structs, 43 unions)\n"
    );
}

/// QEMU 10.2.0's own schema under the default rules, 10.2's.
#[test]
fn summary_of_qemu_10_2_schema() {
    let out = check(&common::real_schema_path("10.2.0"), true);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    assert_eq!(stderr(&out), "");
    assert_eq!(
        stdout(&out),
        "244 commands\n57 events\n182 enums\n6 alternates\n522 structs and unions (479 structs, 43 unions)\n"
    );
}

/// Each release's rules reject the other's schema, with QEMU's message.
#[test]
fn rules_are_chosen() {
    let old = common::real_schema_path("10.0.0");
    let new = common::real_schema_path("10.2.0");
    let run = |rules: &str, schema: &Path| {
        qapi_gen(&[
            "check",
            "--rules",
            rules,
            schema.to_str().expect("UTF-8 path"),
        ])
    };
    let out = run("10.2", &old);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out)
            .contains("crypto.json:47:1: error: documentation line longer than 70 characters"),
        "{}",
        stderr(&out)
    );
    let out = run("10.0", &new);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out)
            .contains("block-core.json:6:1: error: '=' heading must come first in a comment block"),
        "{}",
        stderr(&out)
    );
    assert_eq!(run("10.1", &new).status.code(), Some(0));
    let out = run("9.2", &new);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("[possible values: 10.0, 10.1, 10.2]"),
        "{}",
        stderr(&out)
    );
}

/// A reader that stops reading (`qapi-gen introspect ... | head`) ends the
/// command quietly: no panic, no message, the exit status of a complete
/// write.  Each output is larger than a pipe holds, so the command is
/// still writing when the reader goes.
#[test]
fn closed_stdout_ends_quietly() {
    use std::io::Read;
    use std::process::Stdio;

    let real = common::real_schema_path("10.0.0");
    let real = real.to_str().expect("UTF-8 path");
    let demo = common::workspace_dir().join("schema/qapi-schema.json");
    let demo = demo.to_str().expect("UTF-8 path");
    for args in [
        vec!["introspect", "--rules", "10.0", real],
        vec!["check", "--rules", "10.0", "--dump", real],
        vec!["rust", demo, "-o", "-"],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_qapi-gen"))
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run qapi-gen");
        let mut stdout = child.stdout.take().expect("piped stdout");
        let mut first = [0; 100];
        stdout.read_exact(&mut first).expect("some output");
        drop(stdout);
        let out = child.wait_with_output().expect("qapi-gen ends");
        assert_eq!(stderr(&out), "", "{args:?}");
        assert_eq!(out.status.code(), Some(0), "{args:?}");
    }
}
