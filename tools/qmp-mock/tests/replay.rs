//! `qmp-mock` replays QEMU 10.0.2's recorded traffic: qemu.qmp's
//! `QMPClient`, our blocking client and our tokio client each make every
//! recorded call, in the corpus's order, and get the recorded reply and
//! the recorded events.  The calls are read here from the corpus files
//! into one plan all three follow.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use qapi_types::qmp::{blocking, Error, Options};
use serde_json::{json, Map, Value};

use common::{corpus, temp_dir, Mock};

/// One call: the request and what must come back.
struct Call {
    execute: String,
    arguments: Value,
    /// `{"return": ...}` or `{"error": {"class", "desc"}}`.
    expect: Value,
    /// The events, without timestamps.
    events: Vec<Value>,
}

fn read(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn without_timestamp(event: &Value) -> Value {
    let mut event = event.as_object().cloned().unwrap_or_default();
    event.remove("timestamp");
    Value::Object(event)
}

/// The recorded calls, in the order the mock replays them: by command,
/// then `~N`.  `qmp_capabilities` and `query-qmp-schema` are left out (the
/// clients negotiate themselves; the schema is compared on its own).
fn plan() -> Vec<Call> {
    let mut files: Vec<(String, u32, PathBuf)> = Vec::new();
    for entry in std::fs::read_dir(corpus()).unwrap() {
        let path = entry.unwrap().path();
        let stem = path.file_stem().unwrap().to_str().unwrap().to_string();
        if path.extension() != Some("json".as_ref()) || stem == "schema" {
            continue;
        }
        let (command, number) = match stem.rsplit_once('~') {
            Some((command, n)) => (command.to_string(), n.parse().unwrap()),
            None => (stem.clone(), 1),
        };
        files.push((command, number, path));
    }
    files.sort();
    let mut calls = Vec::new();
    for (command, _, path) in files {
        let call = read(&path);
        if call.get("request").is_none() || command == "qmp_capabilities" {
            continue;
        }
        let response = &call["response"];
        let expect = match response.get("return") {
            Some(returns) => json!({ "return": returns }),
            None => json!({ "error": {
                "class": response["error"]["class"],
                "desc": response["error"]["desc"],
            }}),
        };
        let during = call["events_during"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let after = call["events_after"].as_array().cloned().unwrap_or_default();
        let after = if after.starts_with(&during) {
            &after[during.len()..]
        } else {
            &after[..]
        };
        let events = during.iter().chain(after).map(without_timestamp).collect();
        calls.push(Call {
            execute: command,
            arguments: call["request"]
                .get("arguments")
                .cloned()
                .unwrap_or(json!({})),
            expect,
            events,
        });
    }
    assert!(
        calls.len() > 80,
        "the corpus has only {} calls",
        calls.len()
    );
    calls
}

fn recorded_version() -> Value {
    read(&corpus().join("greeting.json"))["parsed"]["QMP"]["version"].clone()
}

/// The outcome of a call as a plan's `expect`.
fn outcome(result: Result<Box<str>, Error>) -> Value {
    match result {
        Ok(text) => json!({ "return": serde_json::from_str::<Value>(&text).unwrap() }),
        Err(Error::Qmp(error)) => {
            json!({ "error": { "class": error.class.to_string(), "desc": error.desc } })
        }
        Err(error) => panic!("not a QMP reply: {error}"),
    }
}

#[test]
fn qemu_qmp_client_gets_the_recorded_replies_and_events() {
    let calls = plan();
    let plan = json!({
        "version": recorded_version(),
        "calls": calls.iter().map(|c| json!({
            "execute": c.execute,
            "arguments": c.arguments,
            "expect": c.expect,
            "events": c.events,
        })).collect::<Vec<_>>(),
    });
    let dir = temp_dir("python");
    let plan_file = dir.join("plan.json");
    std::fs::write(&plan_file, plan.to_string()).unwrap();
    let mock = Mock::replaying_corpus();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/replay_client.py");
    let output = Command::new(qapi_qmp_tests::qmp_python())
        .arg(script)
        .arg(mock.socket())
        .arg(&plan_file)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "replay_client.py failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let events: usize = calls.iter().map(|c| c.events.len()).sum();
    assert_eq!(
        stdout.trim(),
        format!("replayed {} calls, {events} events", calls.len())
    );
}

#[test]
fn blocking_client_gets_the_recorded_replies_and_events() {
    let calls = plan();
    let mock = Mock::replaying_corpus();
    let mut client = blocking::Client::connect_unix(mock.socket(), &Options::new()).unwrap();
    let version = serde_json::to_value(&client.greeting().version).unwrap();
    assert_eq!(version, recorded_version());
    for call in &calls {
        let result = client.execute_raw(&call.execute, &call.arguments, false);
        assert_eq!(outcome(result), call.expect, "{}", call.execute);
        for expected in &call.events {
            let event: Value = client
                .next_event(Duration::from_secs(5))
                .unwrap()
                .unwrap_or_else(|| panic!("{}: no event, expected {expected}", call.execute));
            assert_eq!(&without_timestamp(&event), expected, "{}", call.execute);
        }
    }
    let extra: Option<Value> = client.next_event(Duration::from_millis(200)).unwrap();
    assert_eq!(extra, None, "more events than recorded");
    let schema = client
        .execute_raw("query-qmp-schema", &Map::new(), false)
        .unwrap();
    let schema: Value = serde_json::from_str(&schema).unwrap();
    assert_eq!(
        schema,
        read(&corpus().join("schema.json"))["response"]["return"]
    );
}

#[test]
fn tokio_client_gets_the_recorded_replies_and_events() {
    let calls = plan();
    let mock = Mock::replaying_corpus();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let client = qapi_types::qmp::tokio::Client::connect_unix(mock.socket(), &Options::new())
            .await
            .unwrap();
        let version = serde_json::to_value(&client.greeting().version).unwrap();
        assert_eq!(version, recorded_version());
        let mut events = client.events::<Value>().unwrap();
        for call in &calls {
            let result = client
                .execute_raw(&call.execute, &call.arguments, false)
                .await;
            assert_eq!(outcome(result), call.expect, "{}", call.execute);
            for expected in &call.events {
                let event = tokio::time::timeout(Duration::from_secs(5), events.recv())
                    .await
                    .unwrap_or_else(|_| panic!("{}: no event, expected {expected}", call.execute))
                    .unwrap()
                    .unwrap();
                assert_eq!(&without_timestamp(&event), expected, "{}", call.execute);
            }
        }
        let extra = tokio::time::timeout(Duration::from_millis(200), events.recv()).await;
        assert!(extra.is_err(), "more events than recorded: {extra:?}");
    });
}
