//! QEMU's schema test suites (10.0.0's under 10.0's rules, 10.2.0's under
//! 10.2's) through the parser and `check`: where QEMU fails while parsing
//! or in `expr.py`, our first error must be at the same file and line;
//! where it fails later (`schema.py`) or not at all, `check` must succeed.
//! Run with `--nocapture` for the counts.

mod common;

use std::fs;
use std::path::Path;

use qapi_gen::__internal::check;
use qapi_gen::__internal::{parse_with_options, FsLoader, ParsedSchema};
use qapi_gen::diag::{Diagnostic, SourceMap};
use qapi_gen::{Diagnostics, Rules};

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Phase {
    Parse,
    Expr,
    Schema,
}

/// The messages QEMU raises while reading the schema: `parser.py`
/// (including the doc comment parser) and `schema.py` opening the root
/// file.  Format strings as in QEMU's source; `%s` and `%d` match anything.
const PARSE_MESSAGES: &[&str] = &[
    "can't read schema file '%s': %s",
    "top-level expression must be an object",
    "invalid 'include' directive",
    "value of 'include' must be a string",
    "invalid 'pragma' directive",
    "value of 'pragma' must be an object",
    "definition documentation required",
    "documentation for '%s' is not followed by the definition",
    "inclusion loop for %s",
    "can't read include file '%s': %s",
    "pragma %s must be a list of strings",
    "pragma 'doc-required' must be boolean",
    "unknown pragma '%s'",
    "missing terminating \"'\"",
    "unknown escape \\%s",
    "funny character in string",
    "stray '%s'",
    "expected string or '}'",
    "expected ':'",
    "duplicate key '%s'",
    "expected ',' or '}'",
    "expected string",
    "expected '{', '[', ']', string, or boolean",
    "expected ',' or ']'",
    "expected '{', '[', string, or boolean",
    "documentation comment must end with '##'",
    "junk after '##' at end of documentation comment",
    "missing space after #",
    "unexpected de-indent (expected at least %d spaces)",
    "junk after '##' at start of documentation comment",
    "line should end with ':'",
    "name required after '@'",
    "duplicated 'Features:' line",
    "feature descriptions expected",
    "description of '@%s:' follows a section",
    "The '%s' section is no longer supported. %s",
    "unexpected '=' markup in definition documentation",
    "'@%s:' not allowed in free-form documentation",
    "'=' heading must come first in a comment block",
    "documentation line longer than 70 characters",
    "Use two spaces between sentences",
    "text required after '%s:'",
    "duplicated '%s' section",
    "invalid parameter name",
    "'%s' parameter name duplicated",
];

/// The messages of `expr.py`'s `check_exprs`, including those of
/// `QAPIDoc.check_expr`, which it calls.
const EXPR_MESSAGES: &[&str] = &[
    "%s requires a string name",
    "%s has an invalid name",
    "name of %s must not use lowercase or '-'",
    "name of %s must not use uppercase or '_'",
    "name of %s must use CamelCase",
    "%s name should not end in 'List'",
    "%s misses key%s %s",
    "%s has unknown key%s %s",
    "flag '%s' may only use false value",
    "flag '%s' may only use true value",
    "flags 'allow-oob' and 'coroutine' are incompatible",
    "'if' condition '%s' of %s is not a valid identifier",
    "'if' condition of %s must be a string or an object",
    "'if' condition of %s has conflicting keys",
    "'%s' condition of %s must be an array",
    "'if' condition [] of %s is useless",
    "%s should be a type name",
    "%s should be a type name or array",
    "%s: array type must contain single type name",
    "%s should be an object or type name",
    "%s uses reserved name",
    "'features' must be an array",
    "'data' must be an array",
    "'prefix' must be a string",
    "'data' must be an object",
    "'data' must not be empty",
    "'boxed': true requires 'data'",
    "expression must have exactly one key 'enum', 'struct', 'union', 'alternate', 'command', 'event'",
    "documentation comment is for '%s'",
    "documentation comment required",
    "'Returns' section, but command doesn't return anything",
    "'Returns' section is only valid for commands",
    "'Errors' section is only valid for commands",
];

/// Whether `message` is an instance of `template`.
fn matches_template(template: &str, message: &str) -> bool {
    let pieces: Vec<&str> = template.split("%s").flat_map(|p| p.split("%d")).collect();
    let (first, rest) = pieces.split_first().expect("split yields a piece");
    let Some(mut remaining) = message.strip_prefix(first) else {
        return false;
    };
    if rest.is_empty() {
        return remaining.is_empty();
    }
    // Each placeholder takes as little as it can, except the last, which
    // takes whatever comes before the final piece.
    for (i, piece) in rest.iter().enumerate() {
        if i == rest.len() - 1 {
            return remaining.ends_with(piece);
        }
        match remaining.find(piece) {
            Some(at) => remaining = &remaining[at + piece.len()..],
            None => return false,
        }
    }
    true
}

/// Which of QEMU's phases raises `message` (its first line).
fn phase_of(message: &str) -> Phase {
    let line = message.lines().next().unwrap_or("");
    let expr = EXPR_MESSAGES.iter().any(|t| matches_template(t, line));
    let parse = PARSE_MESSAGES.iter().any(|t| matches_template(t, line));
    assert!(
        !(expr && parse),
        "message matches templates of two phases: {line}"
    );
    if parse {
        Phase::Parse
    } else if expr {
        Phase::Expr
    } else {
        Phase::Schema
    }
}

/// The error of a `.err` file: file name and line (absent for errors
/// about no file), and the message with its continuation lines.
#[derive(Debug)]
struct Expected {
    location: Option<(String, usize)>,
    message: String,
}

fn expected_error(err: &str) -> Option<Expected> {
    let mut lines = err
        .lines()
        .skip_while(|l| l.starts_with("In file included from ") || is_context_line(l));
    let first = lines.next()?;
    let rest: Vec<&str> = lines.collect();
    let (location, message) = match split_location(first) {
        Some((file, line, message)) => (Some((file, line)), message),
        None => (None, first.to_string()),
    };
    let mut message = message;
    for line in rest {
        message.push('\n');
        message.push_str(line);
    }
    Some(Expected { location, message })
}

/// `X.json: In command 'foo':`
fn is_context_line(line: &str) -> bool {
    line.split_once(": In ")
        .is_some_and(|(file, _)| !file.contains(' ') && line.ends_with("':"))
}

/// `X.json:LINE[:COL]: message`
fn split_location(line: &str) -> Option<(String, usize, String)> {
    let (file, rest) = line.split_once(':')?;
    let (line_no, rest) = rest.split_once(':')?;
    let line_no: usize = line_no.parse().ok()?;
    let rest = match rest.split_once(':') {
        Some((col, after)) if col.parse::<usize>().is_ok() => after,
        _ => rest,
    };
    let message = rest.strip_prefix(' ')?;
    Some((base_name(file), line_no, message.to_string()))
}

fn base_name(path: &str) -> String {
    path.rsplit('/').next().unwrap_or(path).to_string()
}

/// Our first error, as `(file, line)` and message, paths shortened to
/// base names as the suite prints them.
fn ours(diag: &Diagnostic, sources: &SourceMap, dir: &Path) -> (Option<(String, usize)>, String) {
    let location = diag.span.map(|span| {
        let file = sources.file(span.file);
        (base_name(&file.name), file.line_of(span.start))
    });
    let prefix = format!("{}/", dir.display());
    (location, diag.message.replace(&prefix, ""))
}

fn parse_file(path: &Path, rules: Rules) -> Result<ParsedSchema, Diagnostics> {
    parse_with_options(path, &FsLoader, rules.into())
}

/// The first error of parsing and checking `path`, if any.
fn first_error(path: &Path, dir: &Path, rules: Rules) -> Option<(Option<(String, usize)>, String)> {
    match parse_file(path, rules) {
        Err(diags) => Some(ours(diags.first(), &diags.sources, dir)),
        Ok(parsed) => match check(&parsed) {
            Ok(_) => None,
            Err(errors) => Some(ours(&errors[0], &parsed.sources, dir)),
        },
    }
}

#[test]
fn qemu_10_0_suite() {
    run_suite("10.0.0", Rules::V10_0);
}

#[test]
fn qemu_10_2_suite() {
    run_suite("10.2.0", Rules::V10_2);
}

fn run_suite(release: &str, rules: Rules) {
    let dir = common::suite_dir(release);
    let mut cases: Vec<String> = fs::read_dir(&dir)
        .expect("read the suite directory")
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".err").map(str::to_string)
        })
        .collect();
    cases.sort();
    assert!(cases.len() > 200, "suite incomplete: {} cases", cases.len());

    let mut counts = [(0, 0, 0); 2]; // parse, expr: (cases, location, wording)
    let mut passing = (0, 0); // (cases, check succeeded)
    let mut failures = Vec::new();
    let mut skipped = Vec::new();
    for case in &cases {
        let err = fs::read_to_string(dir.join(format!("{case}.err"))).expect("read .err");
        let expected = expected_error(&err);
        let json = dir.join(format!("{case}.json"));
        // A case without its schema can only be about a missing schema.
        let about_missing_file = expected
            .as_ref()
            .is_some_and(|e| e.message.starts_with("can't read schema file"));
        if !json.exists() && !about_missing_file {
            skipped.push(case.as_str());
            continue;
        }
        let got = first_error(&json, &dir, rules);
        let phase = expected
            .as_ref()
            .map_or(Phase::Schema, |e| phase_of(&e.message));
        let Some(expected) = expected.filter(|_| phase != Phase::Schema) else {
            passing.0 += 1;
            match got {
                None => passing.1 += 1,
                Some((loc, msg)) => {
                    failures.push(format!("{case}: should pass check, got {loc:?}: {msg}"))
                }
            }
            continue;
        };
        let count = &mut counts[(phase == Phase::Expr) as usize];
        count.0 += 1;
        let (loc, msg) = got.unwrap_or((None, "(no error)".to_string()));
        if loc == expected.location {
            count.1 += 1;
        } else {
            failures.push(format!(
                "{case} ({phase:?}): expected {:?}: {}\n    got {loc:?}: {msg}",
                expected.location, expected.message
            ));
        }
        if msg == expected.message {
            count.2 += 1;
        } else if loc == expected.location {
            println!(
                "wording differs in {case}:\n    QEMU: {}\n    ours: {msg}",
                expected.message
            );
        }
    }
    for (name, (n, loc, words)) in ["parser", "expr.py"].iter().zip(counts) {
        println!(
            "QEMU {release}, {name} errors: {n} cases, {loc} at QEMU's location, \
             {words} worded as QEMU"
        );
    }
    println!(
        "later or no errors: {} cases, {} pass check",
        passing.0, passing.1
    );
    if !skipped.is_empty() {
        println!("skipped, the .json is missing: {}", skipped.join(", "));
    }
    assert!(
        failures.is_empty(),
        "{} cases differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn templates_match() {
    assert!(matches_template(
        "%s has an invalid name",
        "'data' member 'a' has an invalid name"
    ));
    assert!(matches_template("expected ':'", "expected ':'"));
    assert!(!matches_template("expected ':'", "expected ':' x"));
    assert!(matches_template(
        "%s should be a type name or array",
        "'returns' should be a type name or array"
    ));
    assert!(matches_template(
        "%s should be a type name",
        "'data' should be a type name"
    ));
    assert!(!matches_template(
        "%s should be a type name",
        "x should be a type name or array"
    ));
    assert_eq!(
        phase_of("'data' should be a type name or array"),
        Phase::Expr
    );
    assert_eq!(
        phase_of("struct has unknown keys 'a', 'b'\nValid keys are 'c'."),
        Phase::Expr
    );
    assert_eq!(phase_of("'foo' is already defined"), Phase::Schema);
    assert_eq!(phase_of("stray '1'"), Phase::Parse);
}

#[test]
fn err_lines() {
    let e = expected_error(
        "In file included from a.json:1:\nb.json: In struct 'X':\nb.json:3:5: boom\nmore\n",
    )
    .expect("an error");
    assert_eq!(e.location, Some(("b.json".to_string(), 3)));
    assert_eq!(e.message, "boom\nmore");
    let e = expected_error("can't read schema file 'x.json': No such file or directory\n")
        .expect("an error");
    assert_eq!(e.location, None);
    assert!(expected_error("").is_none());
}

#[test]
fn real_schemas_pass_check() {
    for (release, rules) in common::SUITES {
        let path = common::real_schema_path(release);
        let parsed = parse_file(&path, rules).unwrap_or_else(|d| panic!("{d}"));
        if let Err(errors) = check(&parsed) {
            let rendered: String = errors.iter().map(|e| e.render(&parsed.sources)).collect();
            panic!("{release}: {} errors:\n{rendered}", errors.len());
        }
    }
}
