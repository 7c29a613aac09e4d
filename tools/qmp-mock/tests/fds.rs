//! File descriptor passing: the same exchange with QEMU 10.0.2 and with
//! `qmp-mock` (from the corpus's schema) gets the same replies (descriptor
//! numbers aside): `getfd`, `closefd`, `add-fd`, `remove-fd`,
//! `query-fdsets`, descriptors sent with the command's bytes (as libvirt
//! does) or in a message of their own before it (as qemu.qmp does).  And
//! the mock really holds the descriptors: it closes them on `closefd` and
//! when the connection ends.

mod common;

use std::io::{BufRead, BufReader, IoSlice, Read};
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

use nix::sys::socket::{sendmsg, ControlMessage, MsgFlags, UnixAddr};
use serde_json::Value;

use common::Mock;

/// A raw QMP connection.
struct Peer {
    stream: UnixStream,
    reader: BufReader<UnixStream>,
}

impl Peer {
    fn connect(path: &Path) -> Peer {
        let stream = UnixStream::connect(path).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut peer = Peer {
            reader: BufReader::new(stream.try_clone().unwrap()),
            stream,
        };
        peer.line();
        let reply = peer.request(r#"{"execute": "qmp_capabilities"}"#, None);
        assert_eq!(reply, serde_json::json!({"return": {}}));
        peer
    }

    fn line(&mut self) -> Value {
        loop {
            let mut line = String::new();
            assert!(self.reader.read_line(&mut line).unwrap() > 0, "closed");
            let value: Value = serde_json::from_str(&line).unwrap();
            if value.get("event").is_none() {
                return value;
            }
        }
    }

    fn send(&self, bytes: &[u8], fd: Option<&OwnedFd>) {
        let raw = fd.map(|fd| [fd.as_raw_fd()]);
        let control: Vec<ControlMessage> =
            raw.iter().map(|r| ControlMessage::ScmRights(r)).collect();
        let sent = sendmsg::<UnixAddr>(
            self.stream.as_raw_fd(),
            &[IoSlice::new(bytes)],
            &control,
            MsgFlags::empty(),
            None,
        )
        .unwrap();
        assert_eq!(sent, bytes.len());
    }

    /// Send `request`, with `fd` in the same message; the reply.
    fn request(&mut self, request: &str, fd: Option<&OwnedFd>) -> Value {
        self.send(format!("{request}\n").as_bytes(), fd);
        self.line()
    }
}

/// How a step passes a descriptor.
#[derive(Copy, Clone)]
enum Pass {
    None,
    /// In the message that carries the command.
    WithCommand,
    /// In a message of one space before the command's.
    Before,
}

const STEPS: &[(&str, Pass)] = &[
    // QEMU keeps removed descriptors while paused; the mock has no run
    // state and behaves as QEMU running.
    (r#"{"execute": "cont"}"#, Pass::None),
    (
        r#"{"execute": "getfd", "arguments": {"fdname": "a"}}"#,
        Pass::None,
    ),
    (
        r#"{"execute": "getfd", "arguments": {"fdname": "a"}}"#,
        Pass::WithCommand,
    ),
    (
        r#"{"execute": "getfd", "arguments": {"fdname": "a"}}"#,
        Pass::Before,
    ),
    (
        r#"{"execute": "getfd", "arguments": {"fdname": "1a"}}"#,
        Pass::WithCommand,
    ),
    (
        r#"{"execute": "closefd", "arguments": {"fdname": "a"}}"#,
        Pass::None,
    ),
    (
        r#"{"execute": "closefd", "arguments": {"fdname": "a"}}"#,
        Pass::None,
    ),
    (r#"{"execute": "add-fd"}"#, Pass::None),
    (
        r#"{"execute": "add-fd", "arguments": {"opaque": "one"}}"#,
        Pass::Before,
    ),
    (
        r#"{"execute": "add-fd", "arguments": {"fdset-id": 0, "opaque": "two"}}"#,
        Pass::WithCommand,
    ),
    (
        r#"{"execute": "add-fd", "arguments": {"fdset-id": -1}}"#,
        Pass::WithCommand,
    ),
    (
        r#"{"execute": "add-fd", "arguments": {"fdset-id": 5}}"#,
        Pass::WithCommand,
    ),
    (r#"{"execute": "add-fd"}"#, Pass::WithCommand),
    (r#"{"execute": "query-fdsets"}"#, Pass::None),
    (
        r#"{"execute": "remove-fd", "arguments": {"fdset-id": 0, "fd": 999}}"#,
        Pass::None,
    ),
    (
        r#"{"execute": "remove-fd", "arguments": {"fdset-id": 7}}"#,
        Pass::None,
    ),
    (
        r#"{"execute": "remove-fd", "arguments": {"fdset-id": 5}}"#,
        Pass::None,
    ),
    (r#"{"execute": "query-fdsets"}"#, Pass::None),
    (
        r#"{"execute": "remove-fd", "arguments": {"fdset-id": 5}}"#,
        Pass::None,
    ),
    (
        r#"{"execute": "getfd", "arguments": {"fdname": "b"}}"#,
        Pass::None,
    ),
];

/// A descriptor to pass: the read end of a new pipe.
fn some_fd() -> OwnedFd {
    let (read, _write) = nix::unistd::pipe().unwrap();
    read
}

/// Descriptor numbers differ between processes.
fn mask_fds(value: &mut Value) {
    match value {
        Value::Object(members) => {
            for (key, member) in members.iter_mut() {
                if key == "fd" {
                    *member = Value::from(0);
                } else {
                    mask_fds(member);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask_fds),
        _ => {}
    }
}

fn run_steps(socket: &Path) -> Vec<Value> {
    let mut peer = Peer::connect(socket);
    STEPS
        .iter()
        .map(|(request, pass)| {
            let fd = some_fd();
            let mut reply = match pass {
                Pass::None => peer.request(request, None),
                Pass::WithCommand => peer.request(request, Some(&fd)),
                Pass::Before => {
                    peer.send(b" ", Some(&fd));
                    peer.request(request, None)
                }
            };
            mask_fds(&mut reply);
            reply
        })
        .collect()
}

#[test]
fn descriptor_commands_answer_as_qemu() {
    let qemu = qapi_qmp_tests::Qemu::start();
    let expected = run_steps(qemu.socket());
    drop(qemu);
    let mock = Mock::replaying_corpus();
    let got = run_steps(mock.socket());
    for ((step, expected), got) in STEPS.iter().zip(&expected).zip(&got) {
        assert_eq!(got, expected, "{}", step.0);
    }
    // The exchange did what it meant to.
    assert_eq!(got[2], serde_json::json!({"return": {}}));
    assert_eq!(
        got[13],
        serde_json::json!({"return": [
            {"fdset-id": 5, "fds": [{"fd": 0}]},
            {"fdset-id": 1, "fds": [{"fd": 0}]},
            {"fdset-id": 0, "fds": [{"fd": 0, "opaque": "one"}, {"fd": 0, "opaque": "two"}]},
        ]})
    );
}

/// A pipe's read end that does not wait for data.
fn nonblocking(read: OwnedFd) -> std::fs::File {
    let flags = nix::fcntl::FcntlArg::F_SETFL(nix::fcntl::OFlag::O_NONBLOCK);
    nix::fcntl::fcntl(&read, flags).unwrap();
    std::fs::File::from(read)
}

/// Whether the pipe whose read end is `read` (non-blocking) has no writer
/// left.
fn writer_closed(read: &mut std::fs::File) -> bool {
    let mut byte = [0u8];
    matches!(read.read(&mut byte), Ok(0))
}

#[test]
fn the_mock_holds_passed_descriptors_until_closefd_or_disconnection() {
    let mock = Mock::replaying_corpus();
    let mut peer = Peer::connect(mock.socket());
    let pipe = |peer: &mut Peer, name: &str| {
        let (read, write) = nix::unistd::pipe().unwrap();
        let reply = peer.request(
            &format!(r#"{{"execute": "getfd", "arguments": {{"fdname": "{name}"}}}}"#),
            Some(&write),
        );
        assert_eq!(reply, serde_json::json!({"return": {}}));
        drop(write);
        nonblocking(read)
    };
    let mut first = pipe(&mut peer, "first");
    let mut second = pipe(&mut peer, "second");
    assert!(!writer_closed(&mut first), "the mock does not hold 'first'");
    let reply = peer.request(
        r#"{"execute": "closefd", "arguments": {"fdname": "first"}}"#,
        None,
    );
    assert_eq!(reply, serde_json::json!({"return": {}}));
    assert!(writer_closed(&mut first), "closefd left 'first' open");
    assert!(!writer_closed(&mut second), "closefd closed 'second'");
    // A descriptor sent and never claimed is replaced by the next one.
    let (read, write) = nix::unistd::pipe().unwrap();
    peer.send(b" ", Some(&write));
    drop(write);
    let mut unclaimed = nonblocking(read);
    let reply = peer.request(r#"{"execute": "query-status"}"#, Some(&some_fd()));
    assert!(reply.get("return").is_some(), "{reply}");
    assert!(
        writer_closed(&mut unclaimed),
        "an unclaimed descriptor stays open"
    );
    peer.stream.shutdown(std::net::Shutdown::Both).unwrap();
    drop(peer);
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while !writer_closed(&mut second) {
        assert!(
            std::time::Instant::now() < deadline,
            "'second' is still open after the connection ended"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
