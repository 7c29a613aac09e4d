//! The documentation cases of QEMU's conformance suites (`doc-*.json`;
//! 10.0.0's under 10.0's rules, 10.2.0's under 10.2's) and the real
//! schemas, through the parser.
//!
//! Cases whose expected error arises while parsing must fail at QEMU's
//! location with QEMU's message; cases whose error belongs to a later
//! stage (members, features and sections checked against the definition)
//! must parse.  `doc-good` is also connected as QEMU's schema stage would
//! connect it and its dump compared with `doc-good.out`.

mod common;

use std::path::{Path, PathBuf};

use qapi_gen::__internal::{parse_with_options, FsLoader, ParsedSchema, TopExpr};
use qapi_gen::schema::doc::Doc;
use qapi_gen::Rules;

/// Messages of errors QEMU reports after parsing (`expr.py`, `schema.py`).
const LATER_STAGE_ERRORS: &[&str] = &[
    "does not exist",
    "do not exist",
    "lacks documentation",
    "documentation comment is for",
    "documentation comment required",
    "section is only valid for commands",
    "section, but command doesn't return anything",
];

fn parse_file(path: &Path, rules: Rules) -> Result<ParsedSchema, qapi_gen::Diagnostics> {
    parse_with_options(path, &FsLoader, rules.into())
}

fn parse_case(dir: &Path, name: &str, rules: Rules) -> Result<ParsedSchema, qapi_gen::Diagnostics> {
    parse_file(&dir.join(name), rules)
}

/// The expected error: the `.err` file from its located line on (the
/// message may go on over more lines).
fn expected_error(dir: &Path, case: &str) -> String {
    let err = std::fs::read_to_string(dir.join(format!("{case}.err")))
        .unwrap_or_else(|e| panic!("{case}.err: {e}"));
    let lines: Vec<&str> = err
        .lines()
        .skip_while(|l| l.starts_with("In file included from ") || l.contains(": In "))
        .collect();
    lines.join("\n")
}

#[test]
fn doc_cases_match_qemu() {
    for (release, rules) in common::SUITES {
        doc_cases_of(release, rules);
    }
}

fn doc_cases_of(release: &str, rules: Rules) {
    let dir: PathBuf = common::suite_dir(release);
    let mut cases: Vec<String> = std::fs::read_dir(&dir)
        .expect("read the suite directory")
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.starts_with("doc-") && name.ends_with(".json"))
        .map(|name| name.trim_end_matches(".json").to_string())
        .collect();
    cases.sort();
    assert!(cases.len() > 30, "doc cases missing from {}", dir.display());

    let mut failures = Vec::new();
    let mut parse_errors = 0;
    for case in &cases {
        let expected = expected_error(&dir, case);
        let later = expected.is_empty() || LATER_STAGE_ERRORS.iter().any(|m| expected.contains(m));
        let got = match parse_case(&dir, &format!("{case}.json"), rules) {
            Ok(_) => String::new(),
            Err(diags) => {
                let diag = diags.first();
                // QEMU gives a column for parse errors only.
                let loc = match diag.span {
                    Some(span)
                        if expected
                            .split(':')
                            .nth(2)
                            .is_some_and(|c| c.parse::<u32>().is_ok()) =>
                    {
                        diags.sources.loc(span)
                    }
                    Some(span) => diags.sources.line_loc(span),
                    None => String::new(),
                };
                // QEMU's test runs name the files relative to the suite.
                let loc = loc.replace(&format!("{}/", dir.display()), "");
                format!("{loc}: {}", diag.message)
            }
        };
        if !later {
            parse_errors += 1;
        }
        let ok = if later {
            got.is_empty()
        } else {
            got == expected
        };
        if !ok {
            failures.push(format!("{case}: expected {expected:?}, got {got:?}"));
        }
    }
    eprintln!(
        "QEMU {release}'s doc cases: {} of {} match ({} expected to fail while \
         parsing, the others to parse)",
        cases.len() - failures.len(),
        cases.len(),
        parse_errors
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `doc-good.json`'s documented definitions: members and features the
/// schema stage connects to each block (union branches and boxed
/// arguments are not members of the block).
const DOC_GOOD_CONNECTIONS: &[(&str, &[&str], &[&str])] = &[
    ("Enum", &["one", "two"], &["enum-feat", "enum-member-feat"]),
    ("Base", &["base1"], &[]),
    ("Variant1", &["var1"], &["variant1-feat", "member-feat"]),
    ("Variant2", &[], &[]),
    ("Object", &[], &["union-feat1"]),
    ("Alternate", &["i", "b"], &["alt-feat"]),
    (
        "cmd",
        &["arg1", "arg2", "arg3"],
        &["cmd-feat1", "cmd-feat2"],
    ),
    ("cmd-boxed", &[], &["cmd-feat1", "cmd-feat2"]),
    ("EVT_BOXED", &[], &["feat3"]),
];

/// A block as `test-qapi.py` prints it.
fn dump(doc: &Doc) -> String {
    let mut out = match &doc.symbol {
        Some(symbol) => format!("doc symbol={symbol}\n"),
        None => "doc freeform\n".to_string(),
    };
    out.push_str(&format!("    body=\n{}\n", doc.body().text));
    for arg in doc.args() {
        let name = arg.name.as_deref().unwrap_or_default();
        out.push_str(&format!("    arg={name}\n{}\n", arg.text));
    }
    for feature in doc.features() {
        let name = feature.name.as_deref().unwrap_or_default();
        out.push_str(&format!("    feature={name}\n{}\n", feature.text));
    }
    for section in doc.other_sections() {
        out.push_str(&format!(
            "    section={}\n{}\n",
            section.kind.name(),
            section.text
        ));
    }
    out
}

#[test]
fn doc_good_dump_matches_qemu() {
    for (release, rules) in common::SUITES {
        doc_good_of(release, rules);
    }
}

fn doc_good_of(release: &str, rules: Rules) {
    let dir = common::suite_dir(release);
    let mut parsed = parse_case(&dir, "doc-good.json", rules).unwrap_or_else(|d| panic!("{d}"));
    for doc in &mut parsed.docs {
        let Some(symbol) = doc.symbol.clone() else {
            continue;
        };
        let (_, members, features) = DOC_GOOD_CONNECTIONS
            .iter()
            .find(|(name, _, _)| *name == symbol)
            .unwrap_or_else(|| panic!("no connections listed for {symbol}"));
        let info = doc.span;
        for member in *members {
            doc.connect_member(member, "member", info, &parsed.pragma)
                .unwrap_or_else(|d| panic!("{symbol}: {}", d.message));
        }
        for feature in *features {
            doc.connect_feature(feature, info)
                .unwrap_or_else(|d| panic!("{symbol}: {}", d.message));
        }
        doc.check()
            .unwrap_or_else(|d| panic!("{symbol}: {}", d.message));
    }
    let ours: String = parsed.docs.iter().map(dump).collect();
    let out = std::fs::read_to_string(dir.join("doc-good.out")).expect("read doc-good.out");
    let start = out.find("\ndoc ").expect("doc lines in doc-good.out") + 1;
    assert_eq!(ours, &out[start..], "QEMU {release}'s doc-good");
}

#[test]
fn real_schema_docs_parse() {
    for (release, rules) in common::SUITES {
        real_schema_docs_of(release, rules);
    }
}

fn real_schema_docs_of(release: &str, rules: Rules) {
    let path = common::real_schema_path(release);
    let parsed = parse_file(&path, rules).unwrap_or_else(|d| panic!("{d}"));
    let definitions = parsed
        .exprs
        .iter()
        .filter(|e| matches!(e, TopExpr::Definition(_)))
        .count();
    let documented = parsed
        .exprs
        .iter()
        .filter(|e| matches!(e, TopExpr::Definition(d) if d.doc.is_some()))
        .count();
    // The real schema requires documentation for every definition.
    assert!(parsed.pragma.doc_required);
    assert_eq!(documented, definitions);
    assert!(parsed.docs.len() > definitions, "free-form blocks too");
    // expr.py's check of the sections against each definition.
    for expr in &parsed.exprs {
        let TopExpr::Definition(def) = expr else {
            continue;
        };
        let Some(doc) = def.doc.map(|id| &parsed.docs[id]) else {
            continue;
        };
        let object = def.object();
        doc.check_expr(object.contains("command"), object.contains("returns"))
            .unwrap_or_else(|d| panic!("{:?}: {}", doc.symbol, d.message));
    }
}
