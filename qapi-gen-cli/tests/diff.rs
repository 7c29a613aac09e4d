//! `qapi-gen diff`: QEMU 10.0's schema (files, and QEMU 10.0.2's
//! `query-qmp-schema` reply) against 10.2.0's, whole outputs compared with
//! golden files (`UPDATE_SNAPSHOTS=1` rewrites them); and the rules on
//! small schemas.

#[path = "../../qapi-gen/tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{shared_dir, TempDir};
use serde_json::Value;

fn qapi_gen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_qapi-gen"))
        .args(args)
        .output()
        .expect("run qapi-gen")
}

fn arg(path: PathBuf) -> String {
    path.display().to_string()
}

/// The output of `qapi-gen diff ARGS` equals the golden file `name`, and
/// the exit status is `status`.
fn golden(name: &str, args: &[&str], status: i32) {
    let out = qapi_gen(&[&["diff"], args].concat());
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        out.status.code(),
        Some(status),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/expected")
        .join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1") {
        std::fs::write(&path, &text).unwrap();
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; rerun with UPDATE_SNAPSHOTS=1", path.display()));
    assert!(
        text == expected,
        "{} differs from the output (rerun with UPDATE_SNAPSHOTS=1 to accept it):\n{text}",
        path.display()
    );
}

fn v10_0() -> String {
    arg(shared_dir().join("qemu/10.0.0/qapi/qapi-schema.json"))
}

fn v10_2() -> String {
    arg(shared_dir().join("qemu/10.2.0/qapi/qapi-schema.json"))
}

fn reply_10_0_2() -> String {
    arg(shared_dir().join("qmp-corpus/10.0.2/schema.json"))
}

#[test]
fn schema_files_10_0_to_10_2() {
    golden("diff-10.0-10.2.txt", &[&v10_0(), &v10_2()], 1);
    golden("diff-10.0-10.2.md", &[&v10_0(), &v10_2(), "--markdown"], 1);
}

#[test]
fn reply_of_10_0_2_to_10_2() {
    golden(
        "diff-10.0.2-reply-10.2.txt",
        &[&reply_10_0_2(), &v10_2()],
        1,
    );
}

/// Both diffs name `BlockDeviceInfo`'s new required member `children` as
/// breaking a client: QEMU 10.0's replies lack it.
#[test]
fn children_breaks_a_client_of_10_0() {
    for old in [v10_0(), reply_10_0_2()] {
        let out = qapi_gen(&["diff", "--json", &old, &v10_2()]);
        let json: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(json["breaks_clients"], true);
        let changes = json["changes"].as_array().unwrap();
        let children = changes
            .iter()
            .find(|c| c["subject"] == "struct 'BlockDeviceInfo' member 'children'")
            .unwrap_or_else(|| panic!("{old}: no change of children"));
        assert_eq!(children["change"], "added");
        assert_eq!(children["detail"], "required");
        let breaks = children["breaks"].as_array().unwrap();
        assert!(breaks
            .iter()
            .any(|b| b["role"] == "client-receiving" && b["strict_only"] == false));
    }
}

/// Each rule on a small schema, old and new written side by side.
#[test]
fn who_breaks() {
    let dir = TempDir::new("who-breaks");
    let old = dir.write(
        "old.json",
        "{ 'enum': 'Mode', 'data': ['a', 'b'] }\n\
         { 'struct': 'Info', 'data': { 'x': 'int', '*y': 'str' } }\n\
         { 'command': 'get', 'data': { 'mode': 'Mode' }, 'returns': 'Info' }\n\
         { 'command': 'gone' }\n\
         { 'event': 'DONE', 'data': { 'info': 'Info' } }",
    );
    let new = dir.write(
        "new.json",
        "{ 'enum': 'Mode', 'data': ['a', 'c'] }\n\
         { 'struct': 'Info', 'data': { 'x': 'int', 'y': 'str', 'z': 'bool' } }\n\
         { 'command': 'get', 'data': { 'mode': 'Mode', '*force': 'bool' }, 'returns': 'Info' }\n\
         { 'command': 'new' }\n\
         { 'event': 'DONE', 'data': { 'info': 'Info' } }",
    );
    let out = qapi_gen(&[
        "diff",
        &format!("1={}", arg(old)),
        &format!("2={}", arg(new)),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text,
        "schema diff 1 -> 2

changes that break clients (4):
  command 'gone' removed
      breaks client sending: clients of 1 calling it get CommandNotFound from 2
  enum 'Mode' value 'b' removed
      breaks client sending: 2 rejects it from clients of 1
  struct 'Info' member 'y' changed (optional -> required)
      breaks client receiving: replies of 1 may lack it: clients of 2 fail to decode them
  struct 'Info' member 'z' added (required)
      breaks client receiving: replies of 1 lack it: clients of 2 fail to decode them
      breaks client receiving, strict decoding: clients of 1 decoding strictly reject it from 2

other changes (3):
  command 'new' added
      breaks server: a server of 1 lacks it: clients of 2 calling it get CommandNotFound
  enum 'Mode' value 'c' added
      breaks server: a server of 1 rejects it from clients of 2
  command 'get' arguments member 'force' added (optional)
      breaks server: a server of 1 rejects it from clients of 2
"
    );
}

#[test]
fn usage_errors_exit_2() {
    let out = qapi_gen(&["diff", "/nonexistent/old.json", &v10_2()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with("error: can't read '/nonexistent/old.json'"),
        "{stderr}"
    );
    let dir = TempDir::new("bad-reply");
    let bad = dir.write(
        "reply.json",
        r#"{"return": [{"name": "x", "meta-type": "nope"}]}"#,
    );
    let out = qapi_gen(&["diff", &arg(bad), &v10_2()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.ends_with("reply.json: return[0].meta-type: unknown meta-type 'nope'\n"),
        "{stderr}"
    );
}
