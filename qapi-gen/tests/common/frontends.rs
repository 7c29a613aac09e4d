//! What the front-end agreement tests share: the build.rs `Builder` is the
//! reference, `qapi-gen rust` (`qapi-gen-cli/tests/frontends.rs`) and the
//! `qapi!` macro's expansion (`qapi-macros/src/expand.rs`' tests) must give
//! its code for the same settings.  The settings and schemas of each case
//! are here, so that both halves check the same cases.

use std::path::Path;

use qapi_gen::{Builder, IfPolicy, Rules, Settings};

use super::TempDir;

/// The demo schema, relative to the workspace root.
pub const DEMO: &str = "schema/qapi-schema.json";

/// A builder configured through its option methods, one call per value;
/// checks that the methods set the fields of `s`.
pub fn builder(schema: &str, base: &Path, s: &Settings) -> Builder {
    let mut b = Builder::new(schema)
        .base_dir(base)
        .if_policy(s.if_policy)
        .runtime_path(&s.runtime_path)
        .docs(s.docs)
        .builders(s.builders)
        .strict_docs(s.strict_docs)
        .rules(s.rules)
        .only(&s.only);
    for name in &s.enable {
        b = b.enable(name);
    }
    for (name, pred) in &s.cfg {
        b = b.cfg(name, pred);
    }
    for d in &s.derive {
        b = b.derive(d);
    }
    for (ty, d) in &s.type_derive {
        b = b.type_derive(ty, d);
    }
    for a in &s.attribute {
        b = b.attribute(a);
    }
    for (ty, a) in &s.type_attribute {
        b = b.type_attribute(ty, a);
    }
    for older in &s.compat {
        b = b.compat(older);
    }
    if let Some(label) = &s.version_label {
        b = b.version_label(label);
    }
    assert_eq!(b.settings(), s, "Builder methods do not set their fields");
    b
}

/// The settings compared on the demo schema, each with a name.
pub fn demo_cases() -> Vec<(&'static str, Settings)> {
    let mut cfg = Settings::default();
    cfg.if_policy = IfPolicy::Cfg;
    cfg.cfg = vec![
        ("CONFIG_KVM".into(), "target_os = \"linux\"".into()),
        ("CONFIG_SUSPEND".into(), "unix".into()),
    ];
    cfg.derive = vec!["PartialEq".into()];
    cfg.type_derive = vec![("StatusInfo".into(), "Eq".into())];
    cfg.attribute = vec!["#[allow(clippy::all)]".into()];
    cfg.type_attribute = vec![("RunState".into(), "#[allow(unused)]".into())];
    cfg.docs = false;
    cfg.builders = false;

    let mut evaluate = Settings::default();
    evaluate.if_policy = IfPolicy::Evaluate;
    evaluate.enable = vec!["CONFIG_KVM".into(), "CONFIG_BLOCKDEV_INLINE".into()];
    evaluate.only = vec!["query-status".into(), "blockdev-add".into(), "STOP".into()];
    evaluate.runtime_path = "::qapi_types".into();

    // The demo schema follows QEMU's doc rules: strict or not, the same code.
    let mut strict_docs = Settings::default();
    strict_docs.strict_docs = true;

    vec![
        ("default", Settings::default()),
        ("cfg", cfg),
        ("evaluate", evaluate),
        ("strict-docs", strict_docs),
    ]
}

/// A schema breaking a doc rule, in `old.json`: by default every front
/// end generates the same code (with a warning); with `strict_docs` they
/// all fail with [`DOC_RULE_ERROR`].
pub fn doc_rule_schema(dir: &TempDir) {
    dir.write(
        "old.json",
        "##\n# @Old:\n#\n# Example: old style\n##\n{ 'struct': 'Old', 'data': { 'a': 'int' } }\n",
    );
}

/// The error of [`doc_rule_schema`] under `strict_docs`.
pub const DOC_RULE_ERROR: &str =
    "old.json:4:1: error: The 'Example' section is no longer supported.";

/// Span bindings: `new.json` spanning `old.json`, and the settings.
pub fn span_schemas(dir: &TempDir) -> Settings {
    dir.write(
        "old.json",
        "{ 'struct': 'Info', 'data': { 'a': 'int', '*b': 'str' } }\n\
         { 'command': 'query-info', 'returns': 'Info' }\n\
         { 'command': 'gone' }\n",
    );
    dir.write(
        "new.json",
        "{ 'struct': 'Info', 'data': { 'a': 'int', 'b': 'str', 'c': 'bool' } }\n\
         { 'command': 'query-info', 'returns': 'Info' }\n",
    );
    let mut settings = Settings::default();
    settings.compat = vec!["2.0=old.json".into()];
    settings.version_label = Some("3.0".into());
    settings
}

/// A schema of QEMU 10.0 in `old.json` with a doc line too long for QEMU
/// 10.2's rules; the strict settings of both releases: QEMU 10.0's accept
/// it, QEMU 10.2's fail with [`RULES_ERROR`].
pub fn rules_schema(dir: &TempDir) -> (Settings, Settings) {
    let long = format!("# {}", "x ".repeat(35));
    dir.write(
        "old.json",
        format!("##\n# @Old:\n#\n{long}\n##\n{{ 'struct': 'Old', 'data': {{}} }}\n"),
    );
    let mut qemu_10_0 = Settings::default();
    qemu_10_0.strict_docs = true;
    qemu_10_0.rules = Rules::V10_0;
    let mut qemu_10_2 = qemu_10_0.clone();
    qemu_10_2.rules = Rules::V10_2;
    (qemu_10_0, qemu_10_2)
}

/// The error of [`rules_schema`] under QEMU 10.2's rules.
pub const RULES_ERROR: &str = "old.json:4:1: error: documentation line longer than 70 characters";
