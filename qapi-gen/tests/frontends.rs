//! The three front ends agree: for the same settings, the build.rs
//! `Builder`, `qapi-gen rust -o FILE` and the `qapi!` macro's expansion
//! (computed by `qapi_gen::qapi_macro::expand`, the function the macro
//! calls) give the same code.

mod common;

use std::path::Path;
use std::process::Command;

use proc_macro2::TokenStream;
use quote::quote;

use common::{workspace_dir, TempDir};
use qapi_gen::{Builder, IfPolicy, Rules, Settings};

const DEMO: &str = "schema/qapi-schema.json";

/// A builder configured through its option methods, one call per value.
fn builder(schema: &str, base: &Path, s: &Settings) -> Builder {
    let mut b = Builder::new(schema)
        .base_dir(base)
        .if_policy(s.if_policy)
        .runtime_path(&s.runtime_path)
        .docs(s.docs)
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
    if s.strict_docs {
        args.push("--strict-docs".to_string());
    }
    args
}

/// The macro input for the settings.
fn macro_input(schema: &str, s: &Settings) -> TokenStream {
    let pairs = |v: &[(String, String)]| -> Vec<String> {
        v.iter().map(|(n, v)| format!("{n}={v}")).collect()
    };
    let (policy, runtime, docs) = (s.if_policy.as_str(), &s.runtime_path, s.docs);
    let strict_docs = s.strict_docs;
    let rules = s.rules.as_str();
    let (enable, derive, attribute, only) = (&s.enable, &s.derive, &s.attribute, &s.only);
    let (cfg, type_derive, type_attribute) = (
        pairs(&s.cfg),
        pairs(&s.type_derive),
        pairs(&s.type_attribute),
    );
    let compat = &s.compat;
    let version_label = s
        .version_label
        .as_ref()
        .map(|l| quote!(version_label = #l,));
    quote! {
        schema = #schema,
        if_policy = #policy,
        enable = [#(#enable),*],
        cfg = [#(#cfg),*],
        derive = [#(#derive),*],
        type_derive = [#(#type_derive),*],
        attribute = [#(#attribute),*],
        type_attribute = [#(#type_attribute),*],
        only = [#(#only),*],
        runtime_path = #runtime,
        docs = #docs,
        strict_docs = #strict_docs,
        rules = #rules,
        compat = [#(#compat),*],
        #version_label
    }
}

/// Formatted as generated files are, without comments (the `@generated`
/// header).
fn normalize(file: syn::File) -> String {
    prettyplease::unparse(&file)
}

fn assert_front_ends_agree(name: &str, settings: &Settings) {
    assert_front_ends_agree_on(DEMO, &workspace_dir(), name, settings);
}

/// The three front ends on `schema` (relative to `base`).
fn assert_front_ends_agree_on(schema: &str, base: &Path, name: &str, settings: &Settings) {
    // build.rs
    let builder_text = builder(schema, base, settings)
        .generate()
        .unwrap_or_else(|e| panic!("{e}"));

    // CLI
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

    // qapi!: the generated items, after one `include_bytes!` per file read.
    let expansion = qapi_gen::qapi_macro::expand(macro_input(schema, settings), Some(base));
    let mut file: syn::File = syn::parse2(expansion).expect("the expansion parses as items");
    let loaded = builder(schema, base, settings)
        .load()
        .expect("the schema loads");
    let files_read = loaded.sources.paths().count();
    let tracked: Vec<syn::Item> = file.items.drain(..files_read).collect();
    for item in &tracked {
        let text = quote!(#item).to_string();
        assert!(
            text.starts_with("const _ : & [u8] = include_bytes ! (\"/"),
            "{name}: not a tracked file: {text}"
        );
    }
    let builder_file = syn::parse_file(&builder_text).expect("the generated file parses");
    assert!(
        builder_file.attrs.is_empty(),
        "{name}: inner attributes in the generated file (include! refuses them)"
    );
    assert!(
        normalize(file) == normalize(builder_file),
        "{name}: qapi! and Builder differ"
    );
}

#[test]
fn default_settings() {
    assert_front_ends_agree("default", &Settings::default());
}

#[test]
fn cfg_policy_with_derives_and_attributes() {
    let settings = Settings {
        if_policy: IfPolicy::Cfg,
        cfg: vec![
            ("CONFIG_KVM".into(), "target_os = \"linux\"".into()),
            ("CONFIG_SUSPEND".into(), "unix".into()),
        ],
        derive: vec!["PartialEq".into()],
        type_derive: vec![("StatusInfo".into(), "Eq".into())],
        attribute: vec!["#[allow(clippy::all)]".into()],
        type_attribute: vec![("RunState".into(), "#[allow(unused)]".into())],
        docs: false,
        ..Settings::default()
    };
    assert_front_ends_agree("cfg", &settings);
}

#[test]
fn evaluate_policy_with_a_filter() {
    let settings = Settings {
        if_policy: IfPolicy::Evaluate,
        enable: vec!["CONFIG_KVM".into(), "CONFIG_BLOCKDEV_INLINE".into()],
        only: vec!["query-status".into(), "blockdev-add".into(), "STOP".into()],
        runtime_path: "::qapi_types".into(),
        ..Settings::default()
    };
    assert_front_ends_agree("evaluate", &settings);
}

/// The demo schema follows QEMU's doc rules: strict or not, the same code.
#[test]
fn strict_docs_on_a_valid_schema() {
    let settings = Settings {
        strict_docs: true,
        ..Settings::default()
    };
    assert_front_ends_agree("strict-docs", &settings);
}

/// A schema breaking a doc rule: by default all three generate the same
/// code (with a warning); with `strict_docs` all three fail with the
/// rule's error.
#[test]
fn strict_docs_on_a_schema_breaking_a_doc_rule() {
    let dir = TempDir::new("doc-rule");
    dir.write(
        "old.json",
        "##\n# @Old:\n#\n# Example: old style\n##\n{ 'struct': 'Old', 'data': { 'a': 'int' } }\n",
    );
    assert_front_ends_agree_on("old.json", &dir.0, "lenient-docs", &Settings::default());

    let strict = Settings {
        strict_docs: true,
        ..Settings::default()
    };
    let message = "old.json:4:1: error: The 'Example' section is no longer supported.";
    let err = builder("old.json", &dir.0, &strict).generate().unwrap_err();
    assert!(err.to_string().starts_with(message), "{err}");
    let out = Command::new(env!("CARGO_BIN_EXE_qapi-gen"))
        .args(["rust", "old.json", "-o", "-"])
        .args(cli_args(&strict))
        .current_dir(&dir.0)
        .output()
        .expect("run qapi-gen");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with(message));
    let expansion = qapi_gen::qapi_macro::expand(macro_input("old.json", &strict), Some(&dir.0));
    let text = expansion.to_string();
    assert!(
        text.contains("compile_error") && text.contains(message),
        "{text}"
    );
}

/// Span bindings: the same from each front end, the older version's files
/// read (and tracked) too.
#[test]
fn span_bindings() {
    let dir = TempDir::new("span-schemas");
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
    let settings = Settings {
        compat: vec!["2.0=old.json".into()],
        version_label: Some("3.0".into()),
        ..Settings::default()
    };
    assert_front_ends_agree_on("new.json", &dir.0, "span", &settings);
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

/// The rules chosen reach the parser through all three: a long doc line is
/// an error under QEMU 10.2's rules only.
#[test]
fn rules_on_a_schema_of_qemu_10_0() {
    let dir = TempDir::new("rules");
    let long = format!("# {}", "x ".repeat(35));
    dir.write(
        "old.json",
        &format!("##\n# @Old:\n#\n{long}\n##\n{{ 'struct': 'Old', 'data': {{}} }}\n"),
    );
    let qemu_10_0 = Settings {
        strict_docs: true,
        rules: Rules::V10_0,
        ..Settings::default()
    };
    assert_front_ends_agree_on("old.json", &dir.0, "rules-10.0", &qemu_10_0);

    let qemu_10_2 = Settings {
        rules: Rules::V10_2,
        ..qemu_10_0
    };
    let message = "old.json:4:1: error: documentation line longer than 70 characters";
    let err = builder("old.json", &dir.0, &qemu_10_2)
        .generate()
        .unwrap_err();
    assert!(err.to_string().starts_with(message), "{err}");
    let out = Command::new(env!("CARGO_BIN_EXE_qapi-gen"))
        .args(["rust", "old.json", "-o", "-"])
        .args(cli_args(&qemu_10_2))
        .current_dir(&dir.0)
        .output()
        .expect("run qapi-gen");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with(message));
    let expansion = qapi_gen::qapi_macro::expand(macro_input("old.json", &qemu_10_2), Some(&dir.0));
    let text = expansion.to_string();
    assert!(
        text.contains("compile_error") && text.contains(message),
        "{text}"
    );
}
