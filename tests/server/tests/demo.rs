//! The server on the demo schema: the dispatcher's rules (negotiation,
//! `success-response`, preconfig, the compatibility policy, events,
//! `gen: false`) and the tokio server loop (framing, ordering, out-of-band
//! execution, events to negotiated clients, clients that go away).

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use qapi_server_tests::demo::{
    commands, events, server, BlockDeviceInfo, BlockInfo, BlockdevDriver, GuestPanicAction,
    ImageInfo, RunState, StatusInfo,
};
use qapi_types::qmp::server::{
    CommandResult, CompatPolicy, Dispatcher, InputPolicy, JsonStreamer, OutputPolicy, Server,
    Session,
};
use qapi_types::qmp::{ErrorClass, QmpError};
use serde_json::{json, Value};

/// The demo VM, as far as the tests need it.
struct Demo;

impl server::Handler for Demo {
    async fn query_status(&self, _: commands::QueryStatus) -> CommandResult<commands::QueryStatus> {
        Ok(StatusInfo {
            running: true,
            status: RunState::Running,
        })
    }

    /// Slow, so that out-of-band commands can overtake it.
    async fn cont(&self, _: commands::Cont) -> CommandResult<commands::Cont> {
        tokio::time::sleep(Duration::from_millis(300)).await;
        Ok(qapi_types::Empty)
    }

    async fn stop(&self, _: commands::Stop) -> CommandResult<commands::Stop> {
        Ok(qapi_types::Empty)
    }

    async fn power_off(&self, _: commands::PowerOff) -> CommandResult<commands::PowerOff> {
        Ok(qapi_types::Empty)
    }

    async fn eject(&self, arguments: commands::Eject) -> CommandResult<commands::Eject> {
        Err(QmpError::new(
            ErrorClass::DeviceNotFound,
            format!("Device '{}' not found", arguments.id),
        ))
    }

    async fn device_add(
        &self,
        arguments: commands::DeviceAdd,
    ) -> CommandResult<commands::DeviceAdd> {
        let properties: Vec<&String> = arguments.extra.keys().collect();
        Err(QmpError::generic(format!(
            "{} with {properties:?}",
            arguments.driver
        )))
    }

    async fn query_block(&self, _: commands::QueryBlock) -> CommandResult<commands::QueryBlock> {
        let image = ImageInfo {
            filename: "disk.img".into(),
            format: BlockdevDriver::Raw,
            virtual_size: 1 << 20,
            backing_image: None,
        };
        Ok(vec![BlockInfo {
            device: "disk0".into(),
            locked: false,
            removable: false,
            tray_open: None,
            io_status: None,
            inserted: Some(BlockDeviceInfo {
                node_name: "node0".into(),
                ro: false,
                drv: BlockdevDriver::Raw,
                image,
                throttle_group: Some("group0".into()),
                children: vec![],
            }),
            stats: None,
        }])
    }
}

struct Connection {
    dispatcher: Dispatcher<Demo>,
    session: Session,
    streamer: JsonStreamer,
}

impl Connection {
    fn new(policy: CompatPolicy) -> Connection {
        Connection {
            dispatcher: server::dispatcher(Arc::new(Demo), policy),
            session: Session::new(true),
            streamer: JsonStreamer::default(),
        }
    }

    fn negotiated(policy: CompatPolicy) -> Connection {
        let mut connection = Connection::new(policy);
        assert_eq!(
            connection.send(r#"{"execute": "qmp_capabilities"}"#),
            [r#"{"return": {}}"#]
        );
        connection
    }

    fn send(&mut self, line: &str) -> Vec<String> {
        let bytes = format!("{line}\n");
        self.dispatcher
            .handle_blocking(&mut self.session, &mut self.streamer, bytes.as_bytes())
    }

    fn one(&mut self, line: &str) -> Value {
        let replies = self.send(line);
        assert_eq!(replies.len(), 1, "{replies:?}");
        serde_json::from_str(&replies[0]).unwrap()
    }
}

fn error(class: &str, desc: &str) -> Value {
    json!({ "error": { "class": class, "desc": desc } })
}

#[test]
fn negotiation_mode() {
    let mut c = Connection::new(CompatPolicy::default());
    assert_eq!(
        c.one(r#"{"execute": "query-status"}"#),
        error(
            "CommandNotFound",
            "Expecting capabilities negotiation with 'qmp_capabilities'"
        )
    );
    // Errors other than CommandNotFound keep their text.
    assert_eq!(
        c.one(r#"{"execute": "query-status", "bogus": 1}"#),
        error("GenericError", "QMP input member 'bogus' is unexpected")
    );
    assert_eq!(
        c.one(r#"{"execute": "qmp_capabilities", "arguments": {"enable": ["oob"]}, "id": 1}"#),
        json!({ "return": {}, "id": 1 })
    );
    assert!(c.session.oob());
    assert_eq!(
        c.one(r#"{"execute": "qmp_capabilities"}"#),
        error(
            "CommandNotFound",
            "Capabilities negotiation is already complete, command ignored"
        )
    );

    // A server that does not offer oob.
    let mut c = Connection::new(CompatPolicy::default());
    c.session = Session::new(false);
    assert_eq!(
        c.one(r#"{"execute": "qmp_capabilities", "arguments": {"enable": ["oob"]}}"#),
        error("GenericError", "Capability oob not available")
    );
    assert!(!c.session.negotiated());
}

#[test]
fn replies_and_handler_errors() {
    let mut c = Connection::negotiated(CompatPolicy::default());
    assert_eq!(
        c.one(r#"{"execute": "query-status", "id": {"a": [1]}}"#),
        json!({ "return": { "running": true, "status": "running" }, "id": { "a": [1] } })
    );
    assert_eq!(
        c.one(r#"{"execute": "eject", "arguments": {"id": "cd9"}}"#),
        error("DeviceNotFound", "Device 'cd9' not found")
    );
    // A command the handler leaves out.
    assert_eq!(
        c.one(r#"{"execute": "query-version"}"#),
        error(
            "CommandNotFound",
            "The command query-version has not been found"
        )
    );
    // `success-response: false`: no reply on success, errors still.
    assert!(c.send(r#"{"execute": "power-off", "id": 5}"#).is_empty());
    assert_eq!(
        c.one(r#"{"execute": "power-off", "arguments": {"now": true}}"#),
        error("GenericError", "Parameter 'now' is unexpected")
    );
    // `gen: false`: members beyond the schema's reach the handler.
    assert_eq!(
        c.one(
            r#"{"execute": "device_add", "arguments": {"driver": "e1000", "mac": "x", "bus": 1}}"#
        ),
        error("GenericError", "e1000 with [\"bus\", \"mac\"]")
    );
    // Several requests in one read, one over two.
    let replies =
        c.send(r#"{"execute": "stop", "id": 1}{"execute": "stop", "id": 2} {"execute": "#);
    assert_eq!(
        replies,
        [r#"{"return": {}, "id": 1}"#, r#"{"return": {}, "id": 2}"#]
    );
    assert_eq!(
        c.send(r#""stop", "id": 3}"#),
        [r#"{"return": {}, "id": 3}"#]
    );
}

#[test]
fn preconfig() {
    let mut c = Connection::negotiated(CompatPolicy::default());
    c.dispatcher.set_preconfig(true);
    assert_eq!(
        c.one(r#"{"execute": "stop"}"#),
        error(
            "GenericError",
            "The command 'stop' is permitted only after machine initialization has completed"
        )
    );
    assert!(c
        .one(r#"{"execute": "query-status"}"#)
        .get("return")
        .is_some());
    c.dispatcher.set_preconfig(false);
    assert!(c.one(r#"{"execute": "stop"}"#).get("return").is_some());
}

#[test]
fn compatibility_policy() {
    let reject = CompatPolicy::default()
        .deprecated_input(InputPolicy::Reject)
        .unstable_input(InputPolicy::Reject);
    let mut c = Connection::negotiated(reject);
    assert_eq!(
        c.one(r#"{"execute": "query-cpus"}"#),
        error(
            "CommandNotFound",
            "Deprecated command query-cpus disabled by policy"
        )
    );
    assert_eq!(
        c.one(r#"{"execute": "human-monitor-command", "arguments": {"command-line": "info"}}"#),
        error(
            "CommandNotFound",
            "Unstable command human-monitor-command disabled by policy"
        )
    );

    let mut c = Connection::negotiated(CompatPolicy::default());
    let reply = c.one(r#"{"execute": "query-block"}"#);
    assert_eq!(reply["return"][0]["inserted"]["throttle-group"], "group0");
    let hide = CompatPolicy::default()
        .deprecated_output(OutputPolicy::Hide)
        .unstable_output(OutputPolicy::Hide);
    let mut c = Connection::negotiated(hide);
    let reply = c.one(r#"{"execute": "query-block"}"#);
    let inserted = &reply["return"][0]["inserted"];
    assert!(inserted.get("throttle-group").is_none(), "{reply}");
    assert_eq!(inserted["node-name"], "node0");

    // Events: the unstable GUEST_PANICKED is hidden under `hide`.
    let panicked = events::GuestPanicked {
        action: GuestPanicAction::Pause,
        message: None,
    };
    assert!(c.dispatcher.event_message(&panicked).is_none());
    let shown = Connection::new(CompatPolicy::default())
        .dispatcher
        .event_message(&panicked)
        .unwrap();
    let shown: Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(shown["event"], "GUEST_PANICKED");
    assert_eq!(shown["data"], json!({ "action": "pause" }));
    assert!(shown["timestamp"]["seconds"].as_i64().unwrap() > 1_600_000_000);
}

#[test]
fn schema_tables_under_cfg() {
    use qapi_server_tests::demo_cfg::server::SCHEMA;
    let names: Vec<&str> = SCHEMA.commands.iter().map(|c| c.name).collect();
    // CONFIG_KVM maps to `all()`: query-kvm is there.
    assert!(names.contains(&"query-kvm"), "{names:?}");
    let events: Vec<&str> = SCHEMA.events.iter().map(|e| e.name).collect();
    // CONFIG_SUSPEND maps to `windows`.
    assert_eq!(events.contains(&"SUSPEND"), cfg!(windows));
    let introspection = SCHEMA.introspection.to_json();
    let parsed: Value = serde_json::from_str(&introspection).unwrap();
    let listed: Vec<&str> = parsed
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["name"].as_str())
        .collect();
    assert_eq!(listed.contains(&"SUSPEND"), cfg!(windows));
    assert!(listed.contains(&"query-kvm"));
}

// ------------------------------------------------------------ the server

static SOCKETS: AtomicU32 = AtomicU32::new(0);

fn socket_path() -> PathBuf {
    std::env::temp_dir().join(format!(
        "qapi-server-demo-{}-{}.sock",
        std::process::id(),
        SOCKETS.fetch_add(1, Ordering::Relaxed)
    ))
}

struct Client {
    writer: UnixStream,
    reader: BufReader<UnixStream>,
}

impl Client {
    fn connect(path: &PathBuf) -> Client {
        let mut last = None;
        for _ in 0..200 {
            match UnixStream::connect(path) {
                Ok(stream) => {
                    stream
                        .set_read_timeout(Some(Duration::from_secs(10)))
                        .unwrap();
                    let mut client = Client {
                        writer: stream.try_clone().unwrap(),
                        reader: BufReader::new(stream),
                    };
                    let greeting = client.read();
                    assert!(greeting.get("QMP").is_some(), "{greeting}");
                    return client;
                }
                Err(e) => last = Some(e),
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("cannot connect: {last:?}");
    }

    fn write(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).unwrap();
    }

    fn read(&mut self) -> Value {
        let mut line = String::new();
        self.reader.read_line(&mut line).unwrap();
        assert!(line.ends_with("\r\n"), "{line:?}");
        serde_json::from_str(&line).unwrap()
    }

    fn negotiate(&mut self, oob: bool) {
        let enable = if oob { r#"["oob"]"# } else { "[]" };
        self.write(
            format!(r#"{{"execute": "qmp_capabilities", "arguments": {{"enable": {enable}}}}}"#)
                .as_bytes(),
        );
        assert_eq!(self.read(), json!({ "return": {} }));
    }
}

fn start_server(
    runtime: &tokio::runtime::Runtime,
) -> (PathBuf, qapi_types::qmp::server::EventSender) {
    let path = socket_path();
    let server = Arc::new(Server::new(server::dispatcher(
        Arc::new(Demo),
        CompatPolicy::default(),
    )));
    let events = server.events();
    let listening = path.clone();
    runtime.spawn(async move { server.serve_unix(listening).await });
    (path, events)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn events_reach_negotiated_clients() {
    let runtime = runtime();
    let (path, events) = start_server(&runtime);
    let mut negotiated = Client::connect(&path);
    let mut waiting = Client::connect(&path);
    negotiated.negotiate(false);
    assert_eq!(events.receivers(), 2);
    assert!(events.emit(&events::Stop));
    assert!(events.emit(&events::DeviceTrayMoved {
        device: "cd0".into(),
        tray_open: true
    }));
    let stop = negotiated.read();
    assert_eq!(stop["event"], "STOP");
    assert!(stop.get("data").is_none());
    let moved = negotiated.read();
    assert_eq!(moved["data"], json!({ "device": "cd0", "tray-open": true }));
    // The other client gets the reply to its request, no event.
    waiting.write(br#"{"execute": "query-status", "id": "w"}"#);
    assert_eq!(waiting.read()["id"], "w");
}

#[test]
fn out_of_band_commands_overtake_in_band_ones() {
    let runtime = runtime();
    let (path, _events) = start_server(&runtime);
    let mut client = Client::connect(&path);
    client.negotiate(true);
    // `cont` takes 300 ms; `stop` allows out-of-band execution.
    client.write(
        br#"{"execute": "cont", "id": "slow"}{"execute": "query-status", "id": "queued"}{"exec-oob": "stop", "id": "oob"}"#,
    );
    let order: Vec<Value> = (0..3).map(|_| client.read()["id"].clone()).collect();
    assert_eq!(order, [json!("oob"), json!("slow"), json!("queued")]);
}

#[test]
fn in_band_replies_keep_request_order_and_framing_is_free() {
    let runtime = runtime();
    let (path, _events) = start_server(&runtime);
    let mut client = Client::connect(&path);
    client.negotiate(false);
    let mut requests = String::new();
    for i in 0..500 {
        requests.push_str(&format!(r#"{{"execute": "query-status", "id": {i}}}"#));
    }
    // One byte at a time for the first requests, then the rest at once.
    let (head, tail) = requests.as_bytes().split_at(200);
    for byte in head {
        client.write(std::slice::from_ref(byte));
    }
    client.write(tail);
    for i in 0..500 {
        assert_eq!(client.read()["id"], i);
    }
}

#[test]
fn a_client_that_leaves_mid_command_does_not_disturb_others() {
    let runtime = runtime();
    let (path, events) = start_server(&runtime);
    {
        let mut leaving = Client::connect(&path);
        leaving.negotiate(false);
        leaving.write(br#"{"execute": "cont"}{"execute": "cont"}{"execute": "#);
    }
    // Garbage then a valid request: QEMU's recovery.
    let mut client = Client::connect(&path);
    client.negotiate(false);
    // 0xFF and 0xFE are errors of their own (clients send them to force
    // the parser back into a known state); the rest is skipped up to `{`.
    client.write(b"\xff\xfe garbage {\"execute\": \"query-status\", \"id\": 1}");
    for _ in 0..2 {
        let error = client.read();
        assert_eq!(error["error"]["desc"], "JSON parse error, stray '\u{fffd}'");
    }
    let reply = client.read();
    assert_eq!(reply["id"], 1, "{reply}");
    // The connection that left ends once its running command is done; the
    // queued one is dropped (300 ms, not 600).
    let deadline = std::time::Instant::now() + Duration::from_millis(550);
    while events.receivers() > 1 {
        assert!(
            std::time::Instant::now() < deadline,
            "the connection did not end"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn tcp() {
    use std::net::TcpStream;
    let runtime = runtime();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let address = listener.local_addr().unwrap();
    let server = Arc::new(Server::new(server::dispatcher(
        Arc::new(Demo),
        CompatPolicy::default(),
    )));
    runtime.spawn(async move { server.serve_tcp_listener(listener).await });
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
        .write_all(br#"{"execute": "qmp_capabilities"} {"execute": "query-status", "id": "tcp"}"#)
        .unwrap();
    let mut reader = BufReader::new(stream);
    let mut lines = Vec::new();
    for _ in 0..3 {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        lines.push(serde_json::from_str::<Value>(&line).unwrap());
    }
    assert_eq!(lines[0]["QMP"]["capabilities"], json!(["oob"]));
    assert_eq!(lines[1], json!({ "return": {} }));
    assert_eq!(lines[2]["id"], "tcp");
}
