//! Lenient doc comments: a broken doc-comment rule is a warning (the same
//! message and location as the strict error), nothing written is lost, and
//! other rules stay errors.

mod common;

use common::TempDir;
use qapi_gen::diag::Severity;
use qapi_gen::{DocMode, LoadOptions, Rules, Schema};

/// Load `text` under QEMU 10.0's rules.
fn load(test: &str, text: &str, mode: DocMode) -> Result<Schema, qapi_gen::Diagnostics> {
    load_under(Rules::V10_0, test, text, mode)
}

fn load_under(
    rules: Rules,
    test: &str,
    text: &str,
    doc_mode: DocMode,
) -> Result<Schema, qapi_gen::Diagnostics> {
    let dir = TempDir::new(test);
    let path = dir.write("s.json", text);
    qapi_gen::load_with(&path, LoadOptions::new(rules, doc_mode))
}

/// The strict error and the lenient schema, whose warnings must be that
/// error only.
fn strict_error_is_lenient_warning(test: &str, text: &str) -> (String, Schema) {
    let error = load(test, text, DocMode::Strict).expect_err("strict rejects");
    let schema = load(test, text, DocMode::Lenient).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(schema.warnings.len(), 1, "{:?}", schema.warnings);
    let warning = &schema.warnings[0];
    assert_eq!(warning.severity, Severity::Warning);
    assert_eq!(warning.message, error.first().message);
    assert_eq!(warning.span, error.first().span);
    let rendered = schema.rendered_warnings().remove(0);
    let strict_rendered = error.to_string();
    assert_eq!(
        rendered.replace(": warning: ", ": error: "),
        strict_rendered
    );
    (rendered, schema)
}

fn doc_of<'s>(schema: &'s Schema, name: &str) -> Option<&'s qapi_gen::schema::doc::Doc> {
    let id = schema.entities.iter().find(|e| e.name == name)?.doc?;
    Some(schema.doc(id))
}

#[test]
fn block_that_does_not_parse_is_kept_as_raw_text() {
    let text = "##\n# @Thing:\n#\n# A thing.\n#\n# @a: the a\n#\n# Note: old style.\n##\n\
                { 'struct': 'Thing', 'data': { 'a': 'int' } }\n";
    let (rendered, schema) = strict_error_is_lenient_warning("raw", text);
    assert!(
        rendered.contains("s.json:8:1: warning: The 'Note' section is no longer supported."),
        "{rendered}"
    );
    let doc = doc_of(&schema, "Thing").expect("the raw block documents Thing");
    assert_eq!(doc.symbol.as_deref(), Some("Thing"));
    assert_eq!(doc.sections.len(), 1);
    assert_eq!(doc.body().text, "A thing.\n\n@a: the a\n\nNote: old style.");
}

#[test]
fn free_form_block_that_does_not_parse_stays_free_form() {
    let text = "##\n# Intro\n# = Late heading\n##\n\n##\n# @Color:\n##\n\
                { 'enum': 'Color', 'data': [] }\n";
    let (_, schema) = strict_error_is_lenient_warning("free", text);
    assert_eq!(schema.docs.len(), 2);
    assert_eq!(schema.docs[0].symbol, None);
    assert_eq!(schema.docs[0].body().text, "Intro\n= Late heading");
}

#[test]
fn block_for_another_definition_is_not_attached() {
    let text = "##\n# @Other:\n##\n{ 'enum': 'Color', 'data': [] }\n";
    let (rendered, schema) = strict_error_is_lenient_warning("other", text);
    assert!(rendered.contains("warning: documentation comment is for 'Other'"));
    assert!(doc_of(&schema, "Color").is_none());
    assert_eq!(schema.docs.len(), 1);
}

#[test]
fn description_of_nothing_is_not_attached() {
    let text = "##\n# @Color:\n#\n# @gone: no such value\n##\n{ 'enum': 'Color', 'data': [] }\n";
    let (rendered, schema) = strict_error_is_lenient_warning("nothing", text);
    assert!(rendered.contains("warning: documented member 'gone' does not exist"));
    let doc = doc_of(&schema, "Color").expect("documented");
    assert!(doc.args().all(|s| !s.connected));
}

#[test]
fn undocumented_members_are_warnings() {
    let text = "##\n# @Shape:\n##\n{ 'struct': 'Shape', 'data': { 'a': 'int' } }\n";
    let (rendered, _) = strict_error_is_lenient_warning("lacks", text);
    assert!(rendered.contains("warning: member 'a' lacks documentation"));
}

#[test]
fn misplaced_blocks_are_warnings() {
    let text = "##\n# @Shape:\n##\n{ 'include': 'x.json' }\n";
    let error = load("misplaced", text, DocMode::Lenient).expect_err("x.json is missing");
    // The missing include is still an error, after the doc warning.
    assert!(error.first().message.starts_with("can't read include file"));
    let text = "{ 'pragma': { 'doc-required': true } }\n{ 'enum': 'Color', 'data': [] }\n";
    strict_error_is_lenient_warning("required", text);
    let text = "##\n# Free text\n##\n{ 'enum': 'Color', 'data': [] }\n";
    strict_error_is_lenient_warning("free-before", text);
    let text = "##\n# @Color:\n##\n";
    strict_error_is_lenient_warning("trailing", text);
}

#[test]
fn other_rules_stay_errors() {
    let text = "##\n# @Shape:\n# Note: x\n##\n{ 'struct': 'Shape', 'data': { 'a': 'nope' } }\n";
    let error = load("semantic", text, DocMode::Lenient).expect_err("unknown type");
    assert_eq!(error.first().message, "member 'a' uses unknown type 'nope'");
    // A bad token right after a broken block: its error, not a warning.
    let text = "##\n# @Shape:\n# Note: x\n##\n'\\x'\n";
    let error = load("token", text, DocMode::Lenient).expect_err("bad escape");
    assert_eq!(error.first().severity, Severity::Error);
    assert!(error.first().message.contains("escape"), "{error}");
}

#[test]
fn strict_is_the_default() {
    let text = "##\n# @Shape:\n##\n{ 'struct': 'Shape', 'data': { 'a': 'int' } }\n";
    let dir = TempDir::new("default");
    let path = dir.write("s.json", text);
    assert!(qapi_gen::load(&path).is_err());
    assert!(qapi_gen::Builder::new(&path).load().is_ok());
    assert!(qapi_gen::Builder::new(&path)
        .strict_docs(true)
        .load()
        .is_err());
}

/// Every rule set has its lenient mode: the broken rule is the same
/// warning as the strict error.
#[test]
fn lenient_under_every_rule_set() {
    let text = "##\n# @Thing:\n#\n# Note: old style.\n##\n{ 'enum': 'Thing', 'data': [] }\n";
    for rules in Rules::ALL {
        let error = load_under(rules, "every-strict", text, DocMode::Strict).expect_err("strict");
        let schema = load_under(rules, "every-lenient", text, DocMode::Lenient)
            .unwrap_or_else(|e| panic!("{rules}: {e}"));
        assert_eq!(schema.warnings.len(), 1, "{rules}");
        assert_eq!(schema.warnings[0].message, error.first().message, "{rules}");
    }
}

/// Under QEMU 10.2's rules, a long line or one space between sentences is
/// a warning for that line, and the block is read as usual: a schema of
/// QEMU 10.0 keeps its documentation.
#[test]
fn line_format_warnings_keep_the_block() {
    let long = format!("# @a: {}", "word ".repeat(14));
    let text = format!(
        "##\n# @Thing:\n#\n# One. Two.\n#\n{long}\n#\n# Since: 1.0\n##\n\
         {{ 'struct': 'Thing', 'data': {{ 'a': 'int' }} }}\n"
    );
    let schema = load_under(Rules::V10_2, "format", &text, DocMode::Lenient)
        .unwrap_or_else(|e| panic!("{e}"));
    let rendered = schema.rendered_warnings();
    assert_eq!(rendered.len(), 2, "{rendered:?}");
    assert!(rendered[0].contains("s.json:4:7: warning: Use two spaces between sentences"));
    assert!(rendered[1].contains("s.json:6:1: warning: documentation line longer than 70"));
    let doc = doc_of(&schema, "Thing").expect("documented");
    assert_eq!(doc.body().text, "One. Two.");
    assert_eq!(doc.args().count(), 1);
    assert!(doc.args().all(|s| s.connected));
    // QEMU 10.1 has no such rule.
    let schema = load_under(Rules::V10_1, "format-10.1", &text, DocMode::Strict)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(schema.warnings.is_empty());
}

/// Under QEMU 10.0's rules, an rST heading underlined with `=` (QEMU
/// 10.1's markup) is a late `=` heading: the free-form block is kept as
/// text.
#[test]
fn rst_heading_under_10_0_is_a_warning() {
    let text = "##\n# Title\n# =====\n##\n\n##\n# @Color:\n##\n{ 'enum': 'Color', 'data': [] }\n";
    let schema =
        load_under(Rules::V10_0, "rst", text, DocMode::Lenient).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(schema.warnings.len(), 1);
    assert_eq!(
        schema.warnings[0].message,
        "'=' heading must come first in a comment block"
    );
    assert_eq!(schema.docs[0].body().text, "Title\n=====");
    assert!(load_under(Rules::V10_1, "rst-10.1", text, DocMode::Strict).is_ok());
}
