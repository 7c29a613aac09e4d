//! The front ends agree: for the same settings, `qapi-gen rust -o FILE`
//! writes what the build.rs `Builder` generates.  (The `qapi!` macro
//! against the `Builder`, on the same cases: `qapi-macros/src/expand.rs`.)

#[path = "../../qapi-gen/tests/common/mod.rs"]
mod common;

use std::path::Path;
use std::process::Command;

use common::frontends::{
    builder, demo_cases, doc_rule_schema, rules_schema, span_schemas, DEMO, DOC_RULE_ERROR,
    RULES_ERROR,
};
use common::{workspace_dir, TempDir};
use qapi_gen::Settings;

/// The command line flags for the settings.
fn cli_args(s: &Settings) -> Vec<String> {
    let mut args = vec![
        "--if-policy".to_string(),
        s.if_policy.as_str().to_string(),
        "--runtime-path".to_string(),
        s.runtime_path.clone(),
        "--rules".to_string(),
        s.rules.as_str().to_string(),
    ];
    let mut push = |flag: &str, value: String| {
        args.push(flag.to_string());
        args.push(value);
    };
    s.enable.iter().for_each(|v| push("--enable", v.clone()));
    s.cfg
        .iter()
        .for_each(|(n, v)| push("--cfg", format!("{n}={v}")));
    s.derive.iter().for_each(|v| push("--derive", v.clone()));
    s.type_derive
        .iter()
        .for_each(|(n, v)| push("--type-derive", format!("{n}={v}")));
    s.attribute
        .iter()
        .for_each(|v| push("--attribute", v.clone()));
    s.type_attribute
        .iter()
        .for_each(|(n, v)| push("--type-attribute", format!("{n}={v}")));
    s.only.iter().for_each(|v| push("--only", v.clone()));
    s.compat.iter().for_each(|v| push("--compat", v.clone()));
    if let Some(label) = &s.version_label {
        push("--version-label", label.clone());
    }
    if !s.docs {
        args.push("--no-docs".to_string());
    }
    if !s.builders {
        args.push("--no-builders".to_string());
    }
    if s.strict_docs {
        args.push("--strict-docs".to_string());
    }
    args
}

/// `qapi-gen rust` on `schema` (relative to `base`) writes the Builder's
/// text.
fn assert_cli_agrees_on(schema: &str, base: &Path, name: &str, settings: &Settings) {
    let builder_text = builder(schema, base, settings)
        .generate()
        .unwrap_or_else(|e| panic!("{e}"));
    let dir = TempDir::new(name);
    let out_file = dir.path("qmp.rs");
    let out = Command::new(env!("CARGO_BIN_EXE_qapi-gen"))
        .args(["rust", schema, "-o"])
        .arg(&out_file)
        .args(cli_args(settings))
        .current_dir(base)
        .output()
        .expect("run qapi-gen");
    assert!(
        out.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cli_text = std::fs::read_to_string(&out_file).unwrap();
    assert!(cli_text == builder_text, "{name}: CLI and Builder differ");
}

/// `qapi-gen rust` fails as the Builder does, with `message`.
fn assert_cli_fails_on(schema: &str, base: &Path, settings: &Settings, message: &str) {
    let err = builder(schema, base, settings).generate().unwrap_err();
    assert!(err.to_string().starts_with(message), "{err}");
    let out = Command::new(env!("CARGO_BIN_EXE_qapi-gen"))
        .args(["rust", schema, "-o", "-"])
        .args(cli_args(settings))
        .current_dir(base)
        .output()
        .expect("run qapi-gen");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with(message));
}

#[test]
fn demo_schema_settings() {
    for (name, settings) in demo_cases() {
        assert_cli_agrees_on(DEMO, &workspace_dir(), name, &settings);
    }
}

/// A schema breaking a doc rule: the same code by default (with a
/// warning); with `strict_docs` the rule's error.
#[test]
fn strict_docs_on_a_schema_breaking_a_doc_rule() {
    let dir = TempDir::new("doc-rule");
    doc_rule_schema(&dir);
    assert_cli_agrees_on("old.json", &dir.0, "lenient-docs", &Settings::default());
    let mut strict = Settings::default();
    strict.strict_docs = true;
    assert_cli_fails_on("old.json", &dir.0, &strict, DOC_RULE_ERROR);
}

/// Span bindings: the same from each front end, the older version's files
/// read too.
#[test]
fn span_bindings() {
    let dir = TempDir::new("span-schemas");
    let settings = span_schemas(&dir);
    assert_cli_agrees_on("new.json", &dir.0, "span", &settings);
    let text = builder("new.json", &dir.0, &settings).generate().unwrap();
    assert!(text.contains("span_versions! {\n"), "{text}");
    assert!(text.contains("\n    \"2.0\", \"3.0\"\n}\n"), "{text}");
    assert!(text.contains("/// Versions: 2.0 (not in 3.0)."), "{text}");
    assert!(
        text.contains("member_versions {\n        \"c\": [\"3.0\"],"),
        "{text}"
    );
    assert!(text.contains("versions! { \"2.0\" }"), "{text}");
}

/// The rules chosen reach the parser: a long doc line is an error under
/// QEMU 10.2's rules only.
#[test]
fn rules_on_a_schema_of_qemu_10_0() {
    let dir = TempDir::new("rules");
    let (qemu_10_0, qemu_10_2) = rules_schema(&dir);
    assert_cli_agrees_on("old.json", &dir.0, "rules-10.0", &qemu_10_0);
    assert_cli_fails_on("old.json", &dir.0, &qemu_10_2, RULES_ERROR);
}
