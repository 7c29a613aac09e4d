//! Error parity with QEMU's recorded answers: a server generated from QEMU
//! 10.0.0's schema answers every request of
//! `../shared/qmp-corpus/10.0.2/errors.json` with the reply QEMU 10.0.2
//! gave, byte for byte.
#![cfg(qapi_shared)]

use std::sync::Arc;

use qapi_qmp_tests::shared_dir;
use qapi_server_tests::qemu::server;
use qapi_server_tests::qemu_like::QemuLike;
use qapi_types::qmp::server::{CompatPolicy, Dispatcher, JsonStreamer, Session};
use serde_json::Value;

struct Connection {
    dispatcher: Dispatcher<QemuLike>,
    session: Session,
    streamer: JsonStreamer,
}

impl Connection {
    fn new() -> Connection {
        Connection {
            dispatcher: server::dispatcher(Arc::new(QemuLike), CompatPolicy::default()),
            session: Session::new(true),
            streamer: JsonStreamer::default(),
        }
    }

    fn send(&mut self, line: &str) -> Vec<String> {
        let bytes = format!("{line}\n");
        self.dispatcher
            .handle_blocking(&mut self.session, &mut self.streamer, bytes.as_bytes())
    }
}

#[test]
fn every_recorded_error_is_answered_as_qemu_did() {
    let path = shared_dir().join("qmp-corpus/10.0.2/errors.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let cases: Vec<Value> = serde_json::from_str(&text).unwrap();
    let mut fresh = Connection::new();
    let mut negotiated = Connection::new();
    assert_eq!(
        negotiated.send(r#"{"execute": "qmp_capabilities"}"#),
        [r#"{"return": {}}"#]
    );
    let mut mismatches = Vec::new();
    for case in &cases {
        let name = case["case"].as_str().unwrap_or("?");
        let request = case["request_raw"].as_str().unwrap();
        let expected = case["response_raw"].as_str().unwrap();
        // The recording sent its first request before negotiating.
        let connection = if name == "command before qmp_capabilities" {
            &mut fresh
        } else {
            &mut negotiated
        };
        let replies = connection.send(request);
        // QEMU may answer one bad line with several errors; the recording
        // kept the first.
        let Some(reply) = replies.first() else {
            mismatches.push(format!("{name}: no reply"));
            continue;
        };
        let same = reply == expected
            || serde_json::from_str::<Value>(reply).ok() == serde_json::from_str(expected).ok();
        if !same {
            mismatches.push(format!("{name}:\n  qemu: {expected}\n  ours: {reply}"));
        }
    }
    println!(
        "errors.json: {} of {} cases answered as QEMU did",
        cases.len() - mismatches.len(),
        cases.len()
    );
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    assert_eq!(cases.len(), 22);
}

/// `query-qmp-schema` answers what QEMU 10.0.2 answered (the recorded
/// reply), from the introspection data embedded at generation time.
#[test]
fn query_qmp_schema_is_qemus_reply() {
    let path = shared_dir().join("qmp-corpus/10.0.2/schema.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let recorded: Value = serde_json::from_str(&text).unwrap();
    let mut connection = Connection::new();
    connection.send(r#"{"execute": "qmp_capabilities"}"#);
    let replies = connection.send(r#"{"execute": "query-qmp-schema"}"#);
    let reply: Value = serde_json::from_str(&replies[0]).unwrap();
    let ours = reply["return"].as_array().expect("a list");
    let theirs = recorded["response"]["return"].as_array().unwrap();
    assert_eq!(ours.len(), theirs.len());
    for (a, b) in ours.iter().zip(theirs) {
        assert_eq!(a, b);
    }
}

/// A handler for any command that only says it was reached.
fn reached(
    _: &Arc<()>,
    command: &'static qapi_types::qmp::server::schema::CommandInfo,
    _: &qapi_types::qmp::server::QObject,
) -> Result<qapi_types::qmp::server::CallFuture, qapi_types::qmp::QmpError> {
    let error = qapi_types::qmp::QmpError::generic(format!("reached {}", command.name));
    Ok(Box::pin(std::future::ready(Err(error))))
}

/// Tables built at run time from QEMU's recorded `query-qmp-schema` reply
/// check arguments as the generated tables do: every recorded error that
/// QEMU gives before running a command is answered the same, and the
/// other requests reach the handler.
#[test]
fn tables_from_introspection_answer_the_recorded_errors() {
    use qapi_types::qmp::server::schema::Schema;
    let corpus = shared_dir().join("qmp-corpus/10.0.2");
    let text = std::fs::read_to_string(corpus.join("schema.json")).unwrap();
    let recorded: Value = serde_json::from_str(&text).unwrap();
    let schema = Schema::from_introspection(&recorded["response"].to_string()).unwrap();
    assert_eq!(schema.commands.len(), server::SCHEMA.commands.len());
    assert_eq!(schema.events.len(), server::SCHEMA.events.len());
    // The recorded exchange itself reads the same.
    let exchange = Schema::from_introspection(&text).unwrap();
    assert_eq!(exchange.commands.len(), schema.commands.len());
    assert_eq!(exchange.types.len(), schema.types.len());
    let dispatcher =
        Dispatcher::for_any_command(schema, reached, Arc::new(()), CompatPolicy::default());
    let text = std::fs::read_to_string(corpus.join("errors.json")).unwrap();
    let cases: Vec<Value> = serde_json::from_str(&text).unwrap();
    let mut session = Session::new(true);
    let mut streamer = JsonStreamer::default();
    let mut checked = 0;
    for case in &cases {
        let request = format!("{}\n", case["request_raw"].as_str().unwrap());
        if case["case"] != "command before qmp_capabilities" && !session.negotiated() {
            dispatcher.handle_blocking(
                &mut session,
                &mut streamer,
                b"{\"execute\": \"qmp_capabilities\"}\n",
            );
        }
        let replies = dispatcher.handle_blocking(&mut session, &mut streamer, request.as_bytes());
        let reply: Value = serde_json::from_str(&replies[0]).unwrap();
        let expected: Value = serde_json::from_str(case["response_raw"].as_str().unwrap()).unwrap();
        let desc = reply["error"]["desc"].as_str().unwrap_or("");
        if desc.starts_with("reached ") {
            // QEMU ran the command: its own error.
            assert!(
                !expected["error"]["desc"]
                    .as_str()
                    .unwrap_or("")
                    .starts_with("Parameter '"),
                "{}: QEMU refused the arguments ({expected}), ours took them",
                case["case"]
            );
        } else {
            assert_eq!(reply, expected, "{}", case["case"]);
            checked += 1;
        }
    }
    assert!(
        checked >= 15,
        "only {checked} errors came from the dispatcher"
    );
}
