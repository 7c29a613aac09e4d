//! qmp-shell driven as a person would, in a real terminal (tmux), against
//! a real QEMU 10.0 and against the example QMP server; and its batch mode.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::{history_file, qmp_shell, DemoServer, Terminal};
use qapi_qmp_tests::{shared_dir, Qemu};
use qapi_types::qmp::{blocking::Client, Options};

fn start_shell(socket: &std::path::Path, extra: &[&str]) -> (Terminal, std::path::PathBuf) {
    let history = history_file();
    let mut args = vec!["--history", history.to_str().unwrap()];
    args.extend_from_slice(extra);
    args.push(socket.to_str().unwrap());
    let terminal = Terminal::start(&qmp_shell(), &args);
    terminal.wait_for("(QEMU) ");
    (terminal, history)
}

#[test]
fn against_qemu_in_a_terminal() {
    // A second monitor, to make events while the shell waits at its prompt.
    let second = std::env::temp_dir().join(format!("qmp-shell-second-{}.sock", std::process::id()));
    let qemu = Qemu::start_with(&[
        "-qmp",
        &format!("unix:{},server=on,wait=off", second.display()),
    ]);
    let (term, history) = start_shell(qemu.socket(), &[]);
    term.wait_for("Connected to QEMU 10.0.");
    term.wait_for("Schema from query-qmp-schema: ");

    // query-st<Tab> stops at the common prefix of query-stats,
    // query-stats-schemas and query-status; a second Tab lists them.
    term.type_text("query-st");
    term.keys(&["Tab"]);
    term.wait_for_last_line("(QEMU) query-stat");
    term.keys(&["Tab"]);
    term.wait_until("the candidates listed", |screen| {
        screen
            .lines()
            .any(|l| l.contains("query-stats-schemas") && l.contains("query-status"))
    });
    term.type_text("u");
    term.keys(&["Tab"]);
    term.wait_for_last_line("(QEMU) query-status");
    term.keys(&["Enter"]);
    term.wait_for(r#"{"return": {"running": false, "status": "prelaunch"}}"#);

    // A command with arguments: hinted, then completed (argument names,
    // then a value).
    term.type_text("eject ");
    term.wait_for_last_line("(QEMU) eject [device=str] [id=str] [force=bool]");
    term.type_text("i");
    term.keys(&["Tab"]);
    term.wait_for_last_line("(QEMU) eject id=");
    term.type_text("cd0 fo");
    term.keys(&["Tab"]);
    term.wait_for_last_line("(QEMU) eject id=cd0 force=");
    term.type_text("t");
    term.keys(&["Tab"]);
    term.wait_for_last_line("(QEMU) eject id=cd0 force=true");
    term.keys(&["Enter"]);
    term.wait_for(r#""event": "DEVICE_TRAY_MOVED""#);
    term.wait_for(r#"{"return": {}}"#);

    // Enum values, for a union's tag; Ctrl-U drops the line.
    term.type_text("blockdev-add driver=vv");
    term.keys(&["Tab"]);
    term.wait_for_last_line("(QEMU) blockdev-add driver=vvfat");
    term.keys(&["C-u"]);
    term.wait_for_last_line("(QEMU) ");

    // Rejected before sending, naming the member and the valid ones.
    term.line("eject id=cd0 forse=true");
    term.wait_for("error: unknown argument 'forse' (valid: device, id, force) (not sent)");
    term.line("query-status verbose=yes");
    term.wait_for("error: unknown argument 'verbose' (it takes none) (not sent)");
    term.line("blockdev-add driver=floppy node-name=x");
    term.wait_for("error: argument 'driver' has no value 'floppy' (valid: blkdebug,");

    // An error reply: class and description.
    term.line("eject id=nosuch");
    term.wait_for("error: DeviceNotFound: Device 'nosuch' not found");

    // Events as they arrive.
    term.line("cont");
    term.wait_for(r#""event": "RESUME""#);
    term.line("stop");
    term.wait_for(r#""event": "STOP""#);

    term.line("help eject");
    term.wait_for("eject [device=str] [id=str] [force=bool]");
    term.wait_for("  force (bool, optional)");
    term.wait_for("Returns: nothing");

    // An event while the shell waits for input: printed at once, and the
    // prompt comes back.
    let mut other = Client::connect_unix(&second, &Options::new()).expect("the second monitor");
    other.execute_raw("cont", &(), false).expect("cont");
    term.wait_for_count(r#""event": "RESUME""#, 2);
    term.wait_for_last_line("(QEMU) ");
    drop(other);
    let _ = std::fs::remove_file(&second);

    // A transaction of two actions, typed one a line after `transaction(`;
    // a wrong action is rejected and not kept.
    term.line("transaction(");
    term.wait_for_last_line("TRANS> ");
    term.line("block-dirty-bitmap-add node=disk0 name=bitmap1");
    term.line("block-dirty-bitmap-add node=disk0 nam=bitmap2");
    term.wait_for(
        "error: unknown argument 'nam' (valid: node, name, granularity, persistent, disabled) (action not added)",
    );
    term.line("block-dirty-bitmap-ad node=disk0 name=bitmap2");
    term.wait_for("error: unknown action 'block-dirty-bitmap-ad' (valid: abort, ");
    // Tab completes action types and their arguments.
    term.type_text("block-dirty-bitmap-a");
    term.keys(&["Tab"]);
    term.wait_for_last_line("TRANS> block-dirty-bitmap-add");
    term.type_text(" node=disk0 na");
    term.keys(&["Tab"]);
    term.wait_for_last_line("TRANS> block-dirty-bitmap-add node=disk0 name=");
    term.line("bitmap2");
    term.wait_for_last_line("TRANS> ");
    term.line(")");
    term.wait_for_last_line("(QEMU) ");
    term.line("query-block");
    term.wait_until("both bitmaps in query-block", |screen| {
        screen.lines().any(|l| {
            l.starts_with(r#"{"return": [{"#)
                && l.contains(r#""name": "bitmap1""#)
                && l.contains(r#""name": "bitmap2""#)
        })
    });
    // On one line; the server's error for a bitmap that exists.
    term.line("transaction( block-dirty-bitmap-add node=disk0 name=bitmap1 )");
    term.wait_for("error: GenericError: Bitmap already exists: bitmap1");

    // Ctrl-D ends the session; the history is kept.
    term.keys(&["C-d"]);
    term.wait_for("[exited: 0]");
    let saved = std::fs::read_to_string(&history).expect("the history file");
    assert!(saved.contains("eject id=cd0 force=true"), "{saved}");
    let _ = std::fs::remove_file(history);
}

#[test]
fn against_the_example_server_in_a_terminal() {
    let server = DemoServer::start();
    let (term, history) = start_shell(&server.socket, &["-p"]);
    term.wait_for("Connected to QEMU 1.0.0");

    // One command starts with query-st here: completed at once.
    term.type_text("query-st");
    term.keys(&["Tab"]);
    term.wait_for_last_line("(QEMU) query-status");
    term.keys(&["Enter"]);
    // -p: indented by 4, keys sorted.
    term.wait_for("        \"status\": \"running\"");

    term.type_text("eject i");
    term.keys(&["Tab"]);
    term.wait_for_last_line("(QEMU) eject id=");
    term.line("cd0");
    term.wait_for("\"event\": \"DEVICE_TRAY_MOVED\"");

    term.line("eject");
    term.wait_for("error: missing argument 'id' (str) (not sent)");
    term.line("eject id=cd0 force=yes");
    term.wait_for(
        "error: argument 'force' must be a boolean (bool), not string \"yes\" (not sent)",
    );
    term.line("eject id=nosuch");
    term.wait_for("error: DeviceNotFound: Device 'nosuch' not found");

    term.line("stop");
    term.wait_for("\"event\": \"STOP\"");

    term.line("help eject");
    term.wait_for("eject id=str [force=bool]");
    term.wait_for("Returns: nothing");
    let _ = std::fs::remove_file(history);
}

#[test]
fn a_connection_lost_at_the_prompt_ends_the_shell_at_once() {
    let server = DemoServer::start();
    let (term, history) = start_shell(&server.socket, &[]);
    term.wait_for("Connected to QEMU 1.0.0");
    drop(server);
    term.wait_for("qmp-shell: the connection is closed");
    term.wait_for("[exited: 1]");
    // The terminal is back in its own mode: what is typed is echoed.
    term.type_text("echoed");
    term.wait_for("echoed");
    let _ = std::fs::remove_file(history);
}

/// Run the shell on `input` without a terminal: stdout, stderr, success.
fn batch(args: &[&str], input: &str) -> (String, String, bool) {
    let mut child = Command::new(qmp_shell())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("running qmp-shell");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
        output.status.success(),
    )
}

#[test]
fn batch_mode_with_the_schema_file_and_its_docs() {
    let schema = shared_dir().join("qemu/10.0.0/qapi/qapi-schema.json");
    let qemu = Qemu::start();
    let socket = qemu.socket().to_str().unwrap();
    let schema = schema.to_str().unwrap();

    let (out, err, ok) = batch(
        &["--schema", schema, socket],
        "query-name\nhelp eject\n{ \"execute\": \"query-status\" }\n",
    );
    assert!(ok, "{out}\n{err}");
    assert!(out.starts_with("{\"return\": {}}\n"), "{out}");
    assert!(
        out.contains("Ejects the medium from a removable drive."),
        "{out}"
    );
    assert!(
        out.contains("The name or QOM path of the guest device"),
        "{out}"
    );
    assert!(out.contains("\"status\": \"prelaunch\""), "{out}");

    // One bad command makes the exit status 1; the others still run.
    let (out, err, ok) = batch(
        &["--schema", schema, socket],
        "blockdev-add driver=file node-name=n\nquery-name\n",
    );
    assert!(!ok);
    assert_eq!(err, "error: missing argument 'filename' (str) (not sent)\n");
    assert_eq!(out, "{\"return\": {}}\n");

    // A transaction, echoed with -v; one left open is an error.
    let (out, err, ok) = batch(
        &["-v", "--schema", schema, socket],
        "transaction(\nblock-dirty-bitmap-add node=disk0 name=b0\nabort\n)\n",
    );
    assert!(!ok, "{out}\n{err}");
    assert_eq!(
        out,
        "{\"execute\": \"transaction\", \"arguments\": {\"actions\": [\
         {\"data\": {\"name\": \"b0\", \"node\": \"disk0\"}, \"type\": \"block-dirty-bitmap-add\"}, \
         {\"data\": {}, \"type\": \"abort\"}]}}\n"
    );
    assert_eq!(
        err,
        "error: GenericError: Transaction aborted using Abort action\n"
    );
    let (_, err, ok) = batch(
        &[socket],
        "transaction(\nblock-dirty-bitmap-add node=disk0 name=b0\n",
    );
    assert!(!ok);
    assert!(
        err.ends_with("error: the input ends in a transaction: its actions are not sent\n"),
        "{err}"
    );

    // HMP passthrough.
    let (out, err, ok) = batch(&["-H", socket], "info status\n");
    assert!(ok, "{err}");
    assert_eq!(out, "VM status: paused (prelaunch)\n");
}

#[test]
fn bad_servers_are_errors_not_panics() {
    let (_, err, ok) = batch(&["/nonexistent/qmp.sock"], "");
    assert!(!ok);
    assert!(
        err.starts_with("qmp-shell: cannot connect to /nonexistent/qmp.sock:"),
        "{err}"
    );

    // A server that dies: the shell says so and fails.
    let mut qemu = Qemu::start();
    let socket = qemu.socket().to_str().unwrap().to_string();
    let mut child = Command::new(qmp_shell())
        .args([&socket])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"query-name\n").unwrap();
    stdin.flush().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    qemu.kill();
    let _ = stdin.write_all(b"query-name\n");
    drop(stdin);
    let output = child.wait_with_output().unwrap();
    assert!(!output.status.success());
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(err.contains("error: QMP connection"), "{err}");
}

#[test]
fn verbose_and_log_file() {
    let server = DemoServer::start();
    let socket = server.socket.to_str().unwrap();
    let log = std::env::temp_dir().join(format!("qmp-shell-log-{}.json", std::process::id()));
    // Truncated first, as QEMU's does.
    std::fs::write(&log, "old\n").unwrap();
    let (out, err, ok) = batch(
        &["-v", "-l", log.to_str().unwrap(), socket],
        "query-status\neject id=nosuch\n",
    );
    assert!(!ok, "{out}\n{err}");
    let out: Vec<&str> = out.lines().collect();
    assert_eq!(out[0], r#"{"execute": "query-status", "arguments": {}}"#);
    assert!(out[1].starts_with(r#"{"return": {"#), "{out:?}");
    assert_eq!(
        out[2],
        r#"{"execute": "eject", "arguments": {"id": "nosuch"}}"#
    );
    assert_eq!(out.len(), 3, "{out:?}");
    let logged = std::fs::read_to_string(&log).unwrap();
    let _ = std::fs::remove_file(&log);
    let logged: Vec<&str> = logged.lines().collect();
    assert_eq!(logged.len(), 2, "{logged:?}");
    assert!(
        logged[0].starts_with(r#"{"execute": "query-status", "arguments": {}, "return": {"#),
        "{logged:?}"
    );
    assert_eq!(
        logged[1],
        r#"{"execute": "eject", "arguments": {"id": "nosuch"}, "error": {"class": "DeviceNotFound", "desc": "Device 'nosuch' not found"}}"#
    );
}

#[test]
fn skip_negotiation_leaves_qmp_capabilities_to_the_user() {
    let qemu = Qemu::start();
    let socket = qemu.socket().to_str().unwrap();
    let (out, err, ok) = batch(
        &["-N", socket],
        "query-status\nqmp_capabilities\nquery-status\n",
    );
    assert!(!ok);
    // No schema either: query-qmp-schema is refused too.
    assert!(err.contains("warning: no schema"), "{err}");
    assert!(
        err.contains(
            "error: CommandNotFound: Expecting capabilities negotiation with 'qmp_capabilities'"
        ),
        "{err}"
    );
    assert_eq!(
        out,
        "{\"return\": {}}\n{\"return\": {\"running\": false, \"status\": \"prelaunch\"}}\n"
    );
}

/// A server like the guest agent: no greeting, no negotiation, and no
/// answer to `guest-shutdown` when the shutdown succeeds.
fn start_agent_like_server(socket: &std::path::Path) {
    use std::io::{BufRead, BufReader};
    let listener = std::os::unix::net::UnixListener::bind(socket).unwrap();
    std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut writer = stream.try_clone().unwrap();
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            let request: serde_json::Value = serde_json::from_str(&line).unwrap();
            if request["execute"] == "guest-shutdown" {
                continue;
            }
            let reply = serde_json::json!({"return": {}, "id": request["id"]});
            let _ = writer.write_all(format!("{reply}\n").as_bytes());
        }
    });
}

#[test]
fn commands_without_success_response_are_not_waited_for() {
    let dir = std::env::temp_dir().join(format!("qmp-shell-agent-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let schema = dir.join("agent.json");
    std::fs::write(
        &schema,
        "{ 'command': 'guest-shutdown', 'success-response': false }\n{ 'command': 'guest-ping' }\n",
    )
    .unwrap();
    let socket = dir.join("agent.sock");
    start_agent_like_server(&socket);
    let started = std::time::Instant::now();
    let (out, err, ok) = batch(
        &[
            "-N",
            "--schema",
            schema.to_str().unwrap(),
            socket.to_str().unwrap(),
        ],
        "guest-shutdown\nguest-ping\n",
    );
    let _ = std::fs::remove_dir_all(&dir);
    assert!(ok, "{out}\n{err}");
    // Not the client's 30 s timeout.
    assert!(started.elapsed().as_secs() < 10, "{:?}", started.elapsed());
    assert_eq!(
        err,
        "(no reply: guest-shutdown sends none when it succeeds)\n"
    );
    assert_eq!(out, "{\"return\": {}}\n");
}
