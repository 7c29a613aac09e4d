//! The `qapi!` macro against the build.rs `Builder`, on the cases of
//! `qapi-gen/tests/common/frontends.rs` (`qapi-gen rust` against the
//! `Builder`, on the same cases: `qapi-gen-cli/tests/frontends.rs`).

#[path = "../../qapi-gen/tests/common/mod.rs"]
mod common;

use std::path::Path;

use proc_macro2::TokenStream;
use qapi_gen::Settings;
use quote::quote;

use common::frontends::{
    builder, demo_cases, doc_rule_schema, rules_schema, span_schemas, DEMO, DOC_RULE_ERROR,
    RULES_ERROR,
};
use common::{workspace_dir, TempDir};

/// The macro input for the settings.
fn macro_input(schema: &str, s: &Settings) -> TokenStream {
    let pairs = |v: &[(String, String)]| -> Vec<String> {
        v.iter().map(|(n, v)| format!("{n}={v}")).collect()
    };
    let (policy, runtime, docs) = (s.if_policy.as_str(), &s.runtime_path, s.docs);
    let strict_docs = s.strict_docs;
    let builders = s.builders;
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
        builders = #builders,
        strict_docs = #strict_docs,
        rules = #rules,
        compat = [#(#compat),*],
        #version_label
    }
}

/// Formatted as generated files are, without comments (the
/// `@generated` header).
fn normalize(file: syn::File) -> String {
    prettyplease::unparse(&file)
}

/// `qapi!` on `schema` (relative to `base`) expands to the Builder's
/// items, after one `include_bytes!` per file read.
fn assert_macro_agrees_on(schema: &str, base: &Path, name: &str, settings: &Settings) {
    let builder_text = builder(schema, base, settings)
        .generate()
        .unwrap_or_else(|e| panic!("{e}"));
    let expansion = crate::expand::expand(macro_input(schema, settings), Some(base));
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

/// `qapi!` fails as the Builder does: a `compile_error!` with `message`.
fn assert_macro_fails_on(schema: &str, base: &Path, settings: &Settings, message: &str) {
    let err = builder(schema, base, settings).generate().unwrap_err();
    assert!(err.to_string().starts_with(message), "{err}");
    let expansion = crate::expand::expand(macro_input(schema, settings), Some(base));
    let text = expansion.to_string();
    assert!(
        text.contains("compile_error") && text.contains(message),
        "{text}"
    );
}

#[test]
fn demo_schema_settings() {
    for (name, settings) in demo_cases() {
        assert_macro_agrees_on(DEMO, &workspace_dir(), name, &settings);
    }
}

/// A schema breaking a doc rule: the same code by default; with
/// `strict_docs` the rule's error.
#[test]
fn strict_docs_on_a_schema_breaking_a_doc_rule() {
    let dir = TempDir::new("macro-doc-rule");
    doc_rule_schema(&dir);
    assert_macro_agrees_on("old.json", &dir.0, "lenient-docs", &Settings::default());
    let mut strict = Settings::default();
    strict.strict_docs = true;
    assert_macro_fails_on("old.json", &dir.0, &strict, DOC_RULE_ERROR);
}

/// Span bindings: the older version's files are read (and tracked) too.
#[test]
fn span_bindings() {
    let dir = TempDir::new("macro-span-schemas");
    let settings = span_schemas(&dir);
    assert_macro_agrees_on("new.json", &dir.0, "span", &settings);
}

/// The rules chosen reach the parser: a long doc line is an error under
/// QEMU 10.2's rules only.
#[test]
fn rules_on_a_schema_of_qemu_10_0() {
    let dir = TempDir::new("macro-rules");
    let (qemu_10_0, qemu_10_2) = rules_schema(&dir);
    assert_macro_agrees_on("old.json", &dir.0, "rules-10.0", &qemu_10_0);
    assert_macro_fails_on("old.json", &dir.0, &qemu_10_2, RULES_ERROR);
}
