//! `qmp-mock` on a schema file (the demo schema) over TCP: QEMU's greeting
//! and negotiation, argument checking from the schema, generated replies
//! (or errors) for commands nothing recorded, events from a script; and
//! clear errors for bad input.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use serde_json::{json, Value};

use common::{run, temp_dir, Mock};

fn demo_schema() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schema/qapi-schema.json")
}

/// A raw QMP connection over TCP.
struct Peer {
    stream: TcpStream,
    reader: BufReader<TcpStream>,
    /// Events read and not yet waited for.
    events: Vec<Value>,
}

impl Peer {
    fn connect(address: &str) -> (Peer, Value) {
        let stream = TcpStream::connect(address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut peer = Peer {
            reader: BufReader::new(stream.try_clone().unwrap()),
            stream,
            events: Vec::new(),
        };
        let greeting = peer.message();
        (peer, greeting)
    }

    fn message(&mut self) -> Value {
        let mut line = String::new();
        assert!(self.reader.read_line(&mut line).unwrap() > 0, "closed");
        serde_json::from_str(&line).unwrap()
    }

    /// Send `request`; its reply (events are kept for [`Peer::event`]).
    fn reply(&mut self, request: Value) -> Value {
        let mut line = request.to_string();
        line.push('\n');
        self.stream.write_all(line.as_bytes()).unwrap();
        loop {
            let message = self.message();
            if message.get("event").is_none() {
                return message;
            }
            self.events.push(message);
        }
    }

    /// The first event named `name`, read already or waited for.
    fn event(&mut self, name: &str) -> Value {
        loop {
            if let Some(at) = self.events.iter().position(|e| e["event"] == name) {
                return self.events.remove(at);
            }
            let message = self.message();
            assert!(message.get("event").is_some(), "not an event: {message}");
            self.events.push(message);
        }
    }
}

fn script(text: &str) -> PathBuf {
    let file = temp_dir("script").join("events.txt");
    std::fs::write(&file, text).unwrap();
    file
}

fn mock(extra: &[&str]) -> Mock {
    let schema = demo_schema();
    let mut args = vec!["--schema", schema.to_str().unwrap(), "--tcp", "127.0.0.1:0"];
    args.extend_from_slice(extra);
    Mock::start(&args)
}

#[test]
fn a_schema_file_gets_checked_generated_replies_and_scripted_events() {
    let events = script(
        "# events of the demo VM\n\
         after stop STOP\n\
         after eject DEVICE_TRAY_MOVED {\"device\": \"cd0\", \"tray-open\": true}\n\
         \n\
         at 1.5 RESUME\n",
    );
    let mock = mock(&["--events", events.to_str().unwrap()]);
    let (mut peer, greeting) = Peer::connect(&mock.address);
    assert_eq!(
        greeting,
        json!({"QMP": {"version": {"qemu": {"micro": 0, "minor": 0, "major": 0},
                                   "package": "qmp-mock"},
                       "capabilities": ["oob"]}})
    );
    let before = peer.reply(json!({"execute": "query-status", "id": 1}));
    assert_eq!(before["error"]["class"], "CommandNotFound", "{before}");
    let negotiated = peer.reply(json!({"execute": "qmp_capabilities"}));
    assert_eq!(negotiated, json!({"return": {}}));

    // The smallest value of the return type.
    let status = peer.reply(json!({"execute": "query-status", "id": 2}));
    assert_eq!(
        status,
        json!({"return": {"running": false, "status": "debug"}, "id": 2})
    );
    let version = peer.reply(json!({"execute": "query-version"}));
    assert_eq!(
        version,
        json!({"return": {"qemu": {"major": 0, "minor": 0, "micro": 0}, "package": ""}})
    );
    // Arguments are checked as QEMU checks them.
    let missing = peer.reply(json!({"execute": "eject", "arguments": {"force": true}}));
    assert_eq!(
        missing,
        json!({"error": {"class": "GenericError", "desc": "Parameter 'id' is missing"}})
    );
    // Scripted events follow the reply.
    let stop = peer.reply(json!({"execute": "stop", "id": "s"}));
    assert_eq!(stop, json!({"return": {}, "id": "s"}));
    let event = peer.event("STOP");
    assert!(event["timestamp"]["seconds"].as_i64().unwrap() > 0);
    peer.reply(json!({"execute": "eject", "arguments": {"id": "cd0"}}));
    let event = peer.event("DEVICE_TRAY_MOVED");
    assert_eq!(event["data"], json!({"device": "cd0", "tray-open": true}));
    // No reply to a `success-response: false` command: the next reply is
    // the next request's.
    peer.stream
        .write_all(b"{\"execute\": \"power-off\"}\n")
        .unwrap();
    let listed = peer.reply(json!({"execute": "query-qmp-schema", "id": 3}));
    assert!(listed["return"]
        .as_array()
        .unwrap()
        .iter()
        .any(|info| info["name"] == "query-status"));
    // power-off's reply would have come before query-qmp-schema's.
    assert_eq!(listed["id"], 3);
    peer.event("RESUME");
    assert!(
        peer.events.is_empty(),
        "unexpected events: {:?}",
        peer.events
    );
}

#[test]
fn without_a_recording_the_fallback_can_be_an_error() {
    let mock = mock(&["--fallback", "error"]);
    let (mut peer, _) = Peer::connect(&mock.address);
    peer.reply(json!({"execute": "qmp_capabilities"}));
    let reply = peer.reply(json!({"execute": "query-status"}));
    assert_eq!(
        reply,
        json!({"error": {"class": "GenericError",
                         "desc": "qmp-mock: no recorded reply to 'query-status' with these arguments"}})
    );
}

fn stderr(output: &Output) -> String {
    assert!(!output.status.success(), "qmp-mock accepted bad input");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn bad_input_is_a_clear_error() {
    let schema = demo_schema();
    let schema = schema.to_str().unwrap();
    let with_script = |text: &str, extra: &[&str]| {
        let file = script(text);
        let mut args = vec![
            "--schema",
            schema,
            "--events",
            file.to_str().unwrap(),
            "--tcp",
            "127.0.0.1:0",
        ];
        args.extend_from_slice(extra);
        (stderr(&run(&args)), file)
    };
    let (error, file) = with_script("after stop STOP\nat 1 NOPE\n", &[]);
    assert!(
        error.contains(&format!(
            "{}:2: no event 'NOPE' in the schema",
            file.display()
        )),
        "{error}"
    );
    let (error, _) = with_script("at 1 DEVICE_TRAY_MOVED {\"device\": 1}\n", &[]);
    assert!(
        error.contains(":1: event 'DEVICE_TRAY_MOVED' data: Invalid parameter type for 'device', expected: string"),
        "{error}"
    );
    let (error, _) = with_script("at soon STOP\n", &[]);
    assert!(
        error.contains(":1: 'soon' is not a number of seconds"),
        "{error}"
    );
    let (error, _) = with_script("after nothing STOP\n", &[]);
    assert!(
        error.contains(":1: no command 'nothing' in the schema"),
        "{error}"
    );
    // Condition names decide what the schema has.
    let (error, _) = with_script("after stop SUSPEND\n", &[]);
    assert!(error.contains("no event 'SUSPEND'"), "{error}");
    let file = script("after stop SUSPEND\n");
    let accepted = Mock::start(&[
        "--schema",
        schema,
        "--enable",
        "CONFIG_SUSPEND",
        "--events",
        file.to_str().unwrap(),
        "--tcp",
        "127.0.0.1:0",
    ]);
    drop(accepted);

    let corpus = temp_dir("corpus");
    let call = corpus.join("query-status~2.json");
    let corpus_error = |text: &str| {
        std::fs::write(&call, text).unwrap();
        stderr(&run(&[
            "--schema",
            schema,
            "--corpus",
            corpus.to_str().unwrap(),
            "--tcp",
            "127.0.0.1:0",
        ]))
    };
    let error =
        corpus_error(r#"{"request": {"execute": "query-name"}, "response": {"return": {}}}"#);
    assert!(
        error.contains(&format!(
            "{}: the request does not execute 'query-status'",
            call.display()
        )),
        "{error}"
    );
    let error = corpus_error(r#"{"request": {"execute": "query-status"}, "response": 5"#);
    assert!(error.contains(&call.display().to_string()), "{error}");

    let introspection = temp_dir("introspection").join("schema.json");
    std::fs::write(
        &introspection,
        r#"[{"name": "q", "meta-type": "command", "arg-type": "0", "ret-type": "1"},
            {"name": "0", "meta-type": "object", "members": []}]"#,
    )
    .unwrap();
    let error = stderr(&run(&[
        "--introspection",
        introspection.to_str().unwrap(),
        "--tcp",
        "127.0.0.1:0",
    ]));
    assert!(
        error.contains("at [0].ret-type: no type is named '1'"),
        "{error}"
    );
    let error = stderr(&run(&["--tcp", "127.0.0.1:0"]));
    assert!(error.contains("no schema"), "{error}");
}
