//! The acceptance test of the front end: QEMU's own schema test suites,
//! 10.0.0's under QEMU 10.0's rules and 10.2.0's under 10.2's.  Every case
//! QEMU rejects we must reject at the same file, line and column (where
//! QEMU gives one) with QEMU's message; every case QEMU accepts we must
//! accept and dump exactly as QEMU's `test-qapi.py` does.  Run with
//! `--nocapture` to see the summary.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use common::{base_name, describe_difference, parse_qemu_error, Located};
use qapi_gen::Rules;

/// A case taking longer than this is reported as hanging.
const CASE_TIMEOUT: Duration = Duration::from_secs(20);

/// Cases whose `.err` QEMU no longer matches: not in QEMU's list of cases
/// (10.2.0's `meson.build`), their message since reworded.  QEMU 10.1's
/// and 10.2's generators word it as we do.
const STALE_EXPECTATIONS: &[&str] = &["event-args-if-unboxed.json"];

/// What loading a case gave us.
enum Outcome {
    Accepted {
        dump: String,
    },
    /// `first` is `None` when our first error has no location.
    Rejected {
        first: Option<Located>,
        rendered: String,
    },
    /// With the panic's message.
    Panicked(String),
    Hung,
}

/// Load one case on a thread of its own, so that a panic or a hang is a
/// failure of that case rather than of the whole run.
fn run_case(json: &Path, dir: &Path, rules: Rules) -> Outcome {
    let (tx, rx) = mpsc::channel();
    let path = json.to_path_buf();
    // QEMU's test-qapi.py strips the test directory from its messages.
    let dir_prefix = format!("{}/", dir.display());
    std::thread::spawn(move || {
        let result = std::panic::catch_unwind(|| match qapi_gen::load_with(&path, rules) {
            Ok(schema) => Outcome::Accepted {
                dump: qapi_gen::dump::dump(&schema),
            },
            Err(diags) => {
                let first = diags.errors.first().and_then(|d| {
                    let span = d.span?;
                    let file = diags.sources.file(span.file);
                    Some(Located {
                        file: base_name(&file.name),
                        line: file.line_of(span.start),
                        col: Some(file.column_of(span.start)),
                        message: d.message.replace(&dir_prefix, ""),
                    })
                });
                Outcome::Rejected {
                    first,
                    rendered: diags.to_string(),
                }
            }
        });
        let outcome = result.unwrap_or_else(|payload| {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Outcome::Panicked(message)
        });
        let _ = tx.send(outcome);
    });
    rx.recv_timeout(CASE_TIMEOUT).unwrap_or(Outcome::Hung)
}

#[derive(Default)]
struct Tally {
    cases: usize,
    invalid: usize,
    valid: usize,
    rejected_at_location: usize,
    /// Errors for which QEMU gives a column, and those at that column.
    with_column: usize,
    at_column: usize,
    worded_as_qemu: usize,
    dumped_identically: usize,
    failures: Vec<String>,
    /// Wording differences from stale expectations.
    wording: Vec<String>,
}

impl Tally {
    fn invalid_case(&mut self, name: &str, expected: Option<Located>, outcome: Outcome) {
        self.invalid += 1;
        let Some(expected) = expected else {
            self.failures
                .push(format!("{name}: no located line in the .err file"));
            return;
        };
        let actual = match outcome {
            Outcome::Rejected { first, rendered } => match first {
                Some(first) => first,
                None => {
                    self.failures.push(format!(
                        "{name}: expected an error at {}, got one without location:\n{rendered}",
                        expected.loc()
                    ));
                    return;
                }
            },
            Outcome::Accepted { .. } => {
                self.failures.push(format!(
                    "{name}: accepted, but QEMU rejects it at {}: {}",
                    expected.loc(),
                    expected.message
                ));
                return;
            }
            Outcome::Panicked(why) => {
                return self.failures.push(format!("{name}: panicked: {why}"))
            }
            Outcome::Hung => return self.failures.push(format!("{name}: hung")),
        };
        if (&actual.file, actual.line) != (&expected.file, expected.line) {
            self.failures.push(format!(
                "{name}: error at the wrong place\n    expected: {}: {}\n    actual:   {}: {}",
                expected.loc(),
                expected.message,
                actual.loc(),
                actual.message
            ));
            return;
        }
        self.rejected_at_location += 1;
        if expected.col.is_some() {
            self.with_column += 1;
        }
        if expected.col.is_some() && expected.col == actual.col {
            self.at_column += 1;
        } else if expected.col.is_some() {
            self.failures.push(format!(
                "{name}: error at the wrong column: expected {}, got {}",
                expected.loc(),
                actual.loc()
            ));
        }
        if actual.message == expected.message {
            self.worded_as_qemu += 1;
        } else {
            let difference = format!(
                "{name}\n    expected: {}\n    actual:   {}",
                expected.message, actual.message
            );
            if STALE_EXPECTATIONS.contains(&name) {
                self.wording.push(difference);
            } else {
                self.failures
                    .push(format!("{name}: worded differently: {difference}"));
            }
        }
    }

    fn valid_case(&mut self, name: &str, expected_out: &str, outcome: Outcome) {
        self.valid += 1;
        match outcome {
            Outcome::Accepted { dump } if dump == expected_out => self.dumped_identically += 1,
            Outcome::Accepted { dump } => self.failures.push(format!(
                "{name}: dump differs from QEMU's .out, {}",
                describe_difference(expected_out, &dump)
            )),
            Outcome::Rejected { rendered, .. } => self.failures.push(format!(
                "{name}: rejected, but QEMU accepts it:\n{rendered}"
            )),
            Outcome::Panicked(why) => self.failures.push(format!("{name}: panicked: {why}")),
            Outcome::Hung => self.failures.push(format!("{name}: hung")),
        }
    }

    fn summary(&self) -> String {
        format!(
            "{} cases, {} rejected with matching location (of {} invalid; \
             {} of {} with a column at QEMU's), {} messages worded as QEMU's, \
             {} valid cases dumped identically (of {} valid)",
            self.cases,
            self.rejected_at_location,
            self.invalid,
            self.at_column,
            self.with_column,
            self.worded_as_qemu,
            self.dumped_identically,
            self.valid
        )
    }
}

#[test]
fn qemu_10_0_conformance_suite() {
    run_suite("10.0.0", Rules::V10_0);
}

#[test]
fn qemu_10_2_conformance_suite() {
    run_suite("10.2.0", Rules::V10_2);
}

/// QEMU `release`'s suite under `rules`.
fn run_suite(release: &str, rules: Rules) {
    let dir = common::suite_dir(release);
    let mut cases: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        // Files without a .err are include helpers, not cases.
        .filter(|p| p.with_extension("err").is_file())
        .collect();
    cases.sort();
    assert!(
        !cases.is_empty(),
        "no test cases found in {}",
        dir.display()
    );

    let mut tally = Tally::default();
    for json in &cases {
        let name = json.file_name().unwrap().to_string_lossy().into_owned();
        tally.cases += 1;
        let err = fs::read_to_string(json.with_extension("err"))
            .unwrap_or_else(|e| panic!("{name}: cannot read .err: {e}"));
        let outcome = run_case(json, &dir, rules);
        if err.is_empty() {
            let out = fs::read_to_string(json.with_extension("out"))
                .unwrap_or_else(|e| panic!("{name}: cannot read .out: {e}"));
            tally.valid_case(&name, &out, outcome);
        } else {
            tally.invalid_case(&name, parse_qemu_error(&err), outcome);
        }
    }

    println!("QEMU {release}'s suite, rules {rules}: {}", tally.summary());
    if !tally.wording.is_empty() {
        println!(
            "{} worded differently from a stale .err (QEMU's own generator words it as we do):",
            tally.wording.len()
        );
        for w in &tally.wording {
            println!("  {w}");
        }
    }
    assert!(
        tally.failures.is_empty(),
        "{} failures ({}):\n\n{}",
        tally.failures.len(),
        tally.summary(),
        tally.failures.join("\n\n")
    );
}

/// Our dump of the project's example schema equals QEMU's dump of it,
/// once both the schema and QEMU's dump are in the tree.
#[test]
fn demo_schema_dumps_as_qemu() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let schema = root.join("../schema/qapi-schema.json");
    let expected = root.join("tests/expected/demo-schema.out");
    if !schema.is_file() || !expected.is_file() {
        println!(
            "skipped: needs both {} and {}",
            schema.display(),
            expected.display()
        );
        return;
    }
    let expected = fs::read_to_string(&expected).unwrap();
    let dump = match qapi_gen::load(&schema) {
        Ok(schema) => qapi_gen::dump::dump(&schema),
        Err(diags) => panic!("the example schema is rejected:\n{diags}"),
    };
    assert!(
        dump == expected,
        "dump of the example schema differs from QEMU's: {}",
        describe_difference(&expected, &dump)
    );
}

#[test]
fn qemu_error_lines_are_parsed() {
    let err = "In file included from a.json:1:\n\
               b.json: In command 'x':\n\
               b.json:7:12: bad thing\nValid keys are 'a'.\n";
    assert_eq!(
        parse_qemu_error(err),
        Some(Located {
            file: "b.json".into(),
            line: 7,
            col: Some(12),
            message: "bad thing\nValid keys are 'a'.".into(),
        })
    );
    let plain = parse_qemu_error("dir/c.json:3: it: has colons\n").unwrap();
    assert_eq!(
        (plain.file.as_str(), plain.line, plain.col),
        ("c.json", 3, None)
    );
    assert_eq!(plain.message, "it: has colons");
}
