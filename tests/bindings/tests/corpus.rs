//! Acceptance: every reply of QEMU 10.0.2's recorded QMP traffic decodes
//! into its command's `Returns` type, every event into `events::Event` with
//! a known variant, every request's arguments into the command type, and
//! each encodes back to the same JSON value.

#![cfg_attr(not(qapi_shared), allow(unused))]

use std::path::PathBuf;

use qapi_types::{Command, CommandVisitor, Mode};
use serde_json::Value;

/// QEMU 11.1.3's corpus, recorded by this project.
fn corpus_11_1_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../corpus/qemu-11.1.3")
}

fn corpus_dir() -> PathBuf {
    let shared = match std::env::var_os("QAPI_SHARED_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    };
    let dir = shared.join("qmp-corpus/10.0.2");
    assert!(
        dir.is_dir(),
        "{} is missing: set QAPI_SHARED_DIR to the shared directory",
        dir.display()
    );
    dir
}

/// Decode `value` as `T` (strictly: nothing unknown may be ignored), encode
/// it again and compare.
fn round_trip<T: serde::Serialize + serde::de::DeserializeOwned>(
    value: &Value,
) -> Result<(), String> {
    let decoded: T = qapi_types::from_value(value, Mode::Strict).map_err(|e| e.to_string())?;
    let encoded = serde_json::to_value(&decoded).map_err(|e| e.to_string())?;
    if &encoded != value {
        return Err(format!(
            "encodes differently:\n  in:  {value}\n  out: {encoded}"
        ));
    }
    Ok(())
}

/// Round-trips a command's reply or arguments, chosen by name.
struct Check<'a> {
    value: &'a Value,
    arguments: bool,
}

impl CommandVisitor for Check<'_> {
    type Output = Result<(), String>;

    fn visit<C: Command>(self) -> Result<(), String> {
        if self.arguments {
            round_trip::<C>(self.value)
        } else {
            round_trip::<C::Returns>(self.value)
        }
    }
}

#[cfg(not(qapi_shared))]
#[test]
fn corpus() {
    corpus_dir();
    panic!("the real-schema bindings were not built: ../shared was missing at build time");
}

/// What a corpus run found.
#[derive(Default)]
struct Tally {
    replies: usize,
    error_replies: usize,
    arguments: usize,
    events: usize,
    failures: Vec<String>,
}

/// Decode the corpus in `corpus` (and its `machine-none/`) with one set of
/// bindings: `visit` is its `commands::visit`, `E` its `events::Event`,
/// `unknown` tells an event it does not know.
fn decode_corpus<E, V>(corpus: &std::path::Path, visit: V, unknown: fn(&E) -> Option<&str>) -> Tally
where
    E: serde::Serialize + serde::de::DeserializeOwned,
    V: for<'c> Fn(&str, Check<'c>) -> Option<Result<(), String>>,
{
    let mut tally = Tally::default();
    let check_events = |lines: &[Value], origin: &str, tally: &mut Tally| {
        for line in lines {
            tally.events += 1;
            match qapi_types::from_value::<E>(line, Mode::Strict) {
                Ok(event) => {
                    if let Some(name) = unknown(&event) {
                        tally
                            .failures
                            .push(format!("{origin}: unknown event {name}"));
                        continue;
                    }
                    let encoded = serde_json::to_value(&event).unwrap();
                    if &encoded != line {
                        tally.failures.push(format!(
                            "{origin}: event encodes differently:\n  in:  {line}\n  out: {encoded}"
                        ));
                    }
                }
                Err(e) => tally.failures.push(format!("{origin}: {e}")),
            }
        }
    };
    for dir in [corpus.to_path_buf(), corpus.join("machine-none")] {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        paths.sort();
        for path in paths {
            let origin = path.strip_prefix(corpus).unwrap().display().to_string();
            let record: Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let (Some(request), Some(response)) = (record.get("request"), record.get("response"))
            else {
                continue;
            };
            let name = request["execute"].as_str().unwrap();
            // Not in the schema (QEMU says so): nothing to decode.
            if response["error"]["class"] == "CommandNotFound" {
                tally.error_replies += 1;
                continue;
            }
            let args = request
                .get("arguments")
                .cloned()
                .unwrap_or(Value::Object(Default::default()));
            let checks = [(&args, true), (&response["return"], false)];
            for (value, is_arguments) in checks {
                if !is_arguments && response.get("return").is_none() {
                    tally.error_replies += 1;
                    continue;
                }
                let check = Check {
                    value,
                    arguments: is_arguments,
                };
                match visit(name, check) {
                    None => tally
                        .failures
                        .push(format!("{origin}: unknown command {name}")),
                    Some(Err(e)) => {
                        let what = if is_arguments { "arguments" } else { "reply" };
                        tally.failures.push(format!("{origin}: {what}: {e}"))
                    }
                    Some(Ok(())) if is_arguments => tally.arguments += 1,
                    Some(Ok(())) => tally.replies += 1,
                }
            }
            if let Some(Value::Array(during)) = record.get("events_during") {
                check_events(during, &origin, &mut tally);
            }
        }
        let events_path = dir.join("events.jsonl");
        if let Ok(text) = std::fs::read_to_string(&events_path) {
            let lines: Vec<Value> = text
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| serde_json::from_str(l).unwrap())
                .collect();
            let origin = events_path
                .strip_prefix(corpus)
                .unwrap()
                .display()
                .to_string();
            check_events(&lines, &origin, &mut tally);
        }
    }
    tally
}

impl Tally {
    /// Every reply, argument object and event decoded and re-encoded.
    fn assert_complete(&self, what: &str) {
        println!(
            "{what}: {} replies, {} argument objects, {} events decoded and re-encoded; \
             {} error replies skipped; {} failures",
            self.replies,
            self.arguments,
            self.events,
            self.error_replies,
            self.failures.len()
        );
        assert!(
            self.failures.is_empty(),
            "{what}:\n{}",
            self.failures.join("\n")
        );
        assert!(
            self.replies > 100 && self.events > 20,
            "{what}: too little decoded"
        );
    }
}

#[cfg(qapi_shared)]
#[test]
fn corpus() {
    use qapi_bindings_tests::real_all::{commands, events};
    fn unknown(event: &events::Event) -> Option<&str> {
        match event {
            events::Event::Unknown { name, .. } => Some(name),
            _ => None,
        }
    }
    decode_corpus(&corpus_dir(), |n, c| commands::visit(n, c), unknown)
        .assert_complete("10.0.0 bindings");
}

/// Acceptance of span bindings: QEMU 10.2.0's schema spanning 10.0.0's
/// decodes all of QEMU 10.0.2's traffic, strictly (10.2.0's alone fails on
/// `query-block`, `query-named-block-nodes` and `query-cpus-fast`).
#[cfg(qapi_shared)]
#[test]
fn corpus_with_span_bindings() {
    use qapi_bindings_tests::span_10_0::{commands, events};
    fn unknown(event: &events::Event) -> Option<&str> {
        match event {
            events::Event::Unknown { name, .. } => Some(name),
            _ => None,
        }
    }
    decode_corpus(&corpus_dir(), |n, c| commands::visit(n, c), unknown)
        .assert_complete("10.2.0 bindings spanning 10.0.0");
}

/// Span bindings over QEMU 10.0 and 11.1.3 (its reply, masked names)
/// decode the traffic of both, strictly.
#[cfg(qapi_shared)]
#[test]
fn corpora_of_10_0_2_and_11_1_3_with_span_bindings() {
    use qapi_bindings_tests::span_11_1::{commands, events};
    fn unknown(event: &events::Event) -> Option<&str> {
        match event {
            events::Event::Unknown { name, .. } => Some(name),
            _ => None,
        }
    }
    decode_corpus(&corpus_11_1_dir(), |n, c| commands::visit(n, c), unknown)
        .assert_complete("QEMU 11.1.3 with bindings spanning 10.0, 10.2, 11.1.3");
    decode_corpus(&corpus_dir(), |n, c| commands::visit(n, c), unknown)
        .assert_complete("QEMU 10.0.2 with bindings spanning 10.0, 10.2, 11.1.3");
}
