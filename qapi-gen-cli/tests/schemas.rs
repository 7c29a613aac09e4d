//! The command line on QEMU's schemas: the conformance suite's dumps
//! (`check --dump`), QEMU 10.2.0's schema as QEMU 10.2 judges it, the
//! `introspect` command against a real QEMU's reply, and the doc-comment
//! rules of an older QEMU's schema (`--lenient-docs`, `--strict-docs`).
//! The library's side of each is in `qapi-gen/tests` (conformance.rs,
//! real_schema.rs, introspect.rs, older_schemas.rs).

#[path = "../../qapi-gen/tests/common/mod.rs"]
mod common;

use std::process::Command;

use common::describe_difference;
use common::introspection::{assert_same, enabled, real_reply, real_schema, schema_path};
use common::qemu_python::{QemuPython, Verdict};
use common::registry::path_of;
use serde_json::Value;

/// `qapi-gen check --dump` prints the same dump.
#[test]
fn cli_check_dump_prints_the_model() {
    let case = common::suite_dir("10.2.0").join("include-simple.json");
    let output = Command::new(env!("CARGO_BIN_EXE_qapi-gen"))
        .args(["check", "--dump"])
        .arg(&case)
        .output()
        .expect("cannot run qapi-gen");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "qapi-gen failed:\n{stderr}");
    let expected = std::fs::read_to_string(case.with_extension("out")).unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout == expected,
        "{}",
        describe_difference(&expected, &stdout)
    );
}

/// `qapi-gen check`, strict and with the default rules, accepts QEMU
/// 10.2.0's schema without a word, and `--dump` prints what QEMU 10.2's
/// `test-qapi.py` prints for it.
#[test]
fn qemu_10_2_schema_checks_as_qemu_10_2() {
    let path = common::real_schema_path("10.2.0");
    let out = Command::new(env!("CARGO_BIN_EXE_qapi-gen"))
        .args(["check", "--dump"])
        .arg(&path)
        .output()
        .expect("run qapi-gen");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "rejected:\n{stderr}");
    assert_eq!(stderr, "", "no warnings");
    let Some(qemu) = QemuPython::find("10.2.0") else {
        return;
    };
    let dump = String::from_utf8(out.stdout).expect("UTF-8 dump");
    match qemu.judge(&[path]).remove(0) {
        Verdict::Dump(expected, _) => {
            assert!(dump == expected, "the dumps differ");
            println!(
                "QEMU 10.2.0's schema: our dump equals QEMU 10.2's ({} lines)",
                dump.lines().count()
            );
        }
        other => panic!("QEMU 10.2 does not accept its own schema: {other:?}"),
    }
}

/// `check` is strict unless told; `rust` is lenient unless told, and
/// prints the warnings; both exit 0 when lenient.
#[test]
fn older_schema_command_line() {
    let path = path_of("qmp_8_1");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_qapi-gen"))
            .args(args)
            .args(["--rules", "10.0"])
            .arg(&path)
            .output()
            .expect("run qapi-gen")
    };
    let strict = run(&["check"]);
    assert_eq!(strict.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&strict.stderr);
    assert!(stderr.contains(": error: The 'Note' section"), "{stderr}");

    let lenient = run(&["check", "--lenient-docs"]);
    assert_eq!(lenient.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&lenient.stderr);
    assert_eq!(stderr.matches(": warning: ").count(), 724, "{stderr}");
    assert!(!stderr.contains(": error: "));

    let dir = common::TempDir::new("older-rust");
    let out = dir.path("qmp.rs");
    let out = out.to_str().expect("a UTF-8 path");
    let rust = run(&["rust", "-o", out]);
    assert_eq!(rust.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&rust.stderr);
    assert_eq!(stderr.matches(": warning: ").count(), 724);
    let text = std::fs::read_to_string(out).expect("bindings written");
    assert!(text.contains("pub struct QueryStatus"));

    let strict = run(&["rust", "--strict-docs", "-o", out]);
    assert_eq!(strict.status.code(), Some(1));
}

fn run_cli(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_qapi-gen"))
        .args(args)
        .output()
        .expect("qapi-gen runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn cli_reply(extra: &[&str]) -> Value {
    let path = schema_path();
    let mut args = vec!["introspect", path.to_str().expect("UTF-8 path")];
    args.extend_from_slice(extra);
    for name in enabled() {
        args.extend(["--enable", name]);
    }
    let (code, stdout, stderr) = run_cli(&args);
    assert_eq!(code, 0, "qapi-gen introspect failed:\n{stderr}");
    serde_json::from_str(&stdout).expect("qapi-gen introspect prints JSON")
}

#[test]
fn cli_prints_the_reply() {
    assert_same(&cli_reply(&[]), &real_reply(), "qapi-gen introspect");
}

#[test]
fn unmask_gives_real_type_names() {
    let schema = real_schema();
    let masked = real_reply();
    let unmasked = cli_reply(&["--unmask"]);
    let (Value::Array(masked), Value::Array(unmasked)) = (&masked, &unmasked) else {
        panic!("replies are lists");
    };
    assert_eq!(masked.len(), unmasked.len());

    let query_status = unmasked
        .iter()
        .find(|info| info["name"] == "query-status")
        .expect("query-status is there");
    assert_eq!(query_status["ret-type"], "StatusInfo");
    assert_eq!(query_status["arg-type"], "q_empty");

    // Same entries in the same order; every type name is a real one, and
    // each number stands for one name throughout.
    let mut number_of = std::collections::HashMap::new();
    for (m, u) in masked.iter().zip(unmasked) {
        assert_eq!(m["meta-type"], u["meta-type"]);
        let (m_name, u_name) = (m["name"].as_str().unwrap(), u["name"].as_str().unwrap());
        match u["meta-type"].as_str().unwrap() {
            "command" | "event" | "builtin" => assert_eq!(m_name, u_name),
            "array" => assert!(u_name.starts_with('[') && u_name.ends_with(']')),
            _ => {
                assert!(schema.lookup(u_name).is_some(), "{u_name} is a type");
                let previous = number_of.insert(u_name.to_string(), m_name.to_string());
                assert!(previous.is_none(), "{u_name} described twice");
                assert!(m_name.parse::<usize>().is_ok(), "{m_name} is a number");
            }
        }
    }
    let numbers: std::collections::HashSet<&String> = number_of.values().collect();
    assert_eq!(numbers.len(), number_of.len(), "one number per name");
}

#[test]
fn cli_errors() {
    let (code, _, stderr) = run_cli(&["introspect", "/nonexistent/qapi-schema.json"]);
    assert_eq!(code, 2, "unreadable schema: {stderr}");
    assert!(stderr.contains("can't read schema file"), "{stderr}");

    let bad = std::env::temp_dir().join(format!("introspect-bad-{}.json", std::process::id()));
    std::fs::write(&bad, "{ 'command': 'x', 'data': 'Nope' }\n").unwrap();
    let (code, _, stderr) = run_cli(&["introspect", bad.to_str().unwrap()]);
    let _ = std::fs::remove_file(&bad);
    assert_eq!(code, 1, "invalid schema: {stderr}");
    assert!(stderr.contains("uses unknown type 'Nope'"), "{stderr}");

    let (code, _, _) = run_cli(&["introspect"]);
    assert_eq!(code, 2, "missing argument");
}
