//! Acceptance: every reply of QEMU 10.0.2's recorded QMP traffic decodes
//! into its command's `Returns` type, every event into `events::Event` with
//! a known variant, every request's arguments into the command type, and
//! each encodes back to the same JSON value.

#![cfg_attr(not(qapi_shared), allow(unused))]

use std::path::PathBuf;

use qapi_types::{Command, CommandVisitor, Mode};
use serde_json::Value;

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

#[cfg(qapi_shared)]
#[test]
fn corpus() {
    use qapi_bindings_tests::real_all::{commands, events};

    let mut failures = Vec::new();
    let (mut replies, mut error_replies, mut arguments, mut event_count) = (0, 0, 0, 0);
    let mut check_events = |lines: &[Value], origin: &str, failures: &mut Vec<String>| {
        for line in lines {
            event_count += 1;
            match qapi_types::from_value::<events::Event>(line, Mode::Strict) {
                Ok(events::Event::Unknown { name, .. }) => {
                    failures.push(format!("{origin}: unknown event {name}"))
                }
                Ok(event) => {
                    let encoded = serde_json::to_value(&event).unwrap();
                    if &encoded != line {
                        failures.push(format!(
                            "{origin}: event encodes differently:\n  in:  {line}\n  out: {encoded}"
                        ));
                    }
                }
                Err(e) => failures.push(format!("{origin}: {e}")),
            }
        }
    };
    for dir in [corpus_dir(), corpus_dir().join("machine-none")] {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        paths.sort();
        for path in paths {
            let origin = path
                .strip_prefix(corpus_dir())
                .unwrap()
                .display()
                .to_string();
            let record: Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let (Some(request), Some(response)) = (record.get("request"), record.get("response"))
            else {
                continue;
            };
            let name = request["execute"].as_str().unwrap();
            // Not in the schema (QEMU says so): nothing to decode.
            if response["error"]["class"] == "CommandNotFound" {
                error_replies += 1;
                continue;
            }
            let args = request
                .get("arguments")
                .cloned()
                .unwrap_or(Value::Object(Default::default()));
            let checks = [(&args, true), (&response["return"], false)];
            for (value, is_arguments) in checks {
                if !is_arguments && response.get("return").is_none() {
                    error_replies += 1;
                    continue;
                }
                let check = Check {
                    value,
                    arguments: is_arguments,
                };
                match commands::visit(name, check) {
                    None => failures.push(format!("{origin}: unknown command {name}")),
                    Some(Err(e)) => {
                        let what = if is_arguments { "arguments" } else { "reply" };
                        failures.push(format!("{origin}: {what}: {e}"))
                    }
                    Some(Ok(())) if is_arguments => arguments += 1,
                    Some(Ok(())) => replies += 1,
                }
            }
            if let Some(Value::Array(during)) = record.get("events_during") {
                check_events(during, &origin, &mut failures);
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
                .strip_prefix(corpus_dir())
                .unwrap()
                .display()
                .to_string();
            check_events(&lines, &origin, &mut failures);
        }
    }
    println!(
        "corpus: {replies} replies, {arguments} argument objects, {event_count} events decoded and \
         re-encoded; {error_replies} error replies skipped; {} failures",
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(replies > 100 && event_count > 20);
}
