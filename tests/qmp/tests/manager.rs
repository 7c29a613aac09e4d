//! What a VM manager needs of the clients, against fake peers: file
//! descriptors attached to exactly their command's bytes (also with many
//! commands at once on a full socket), refused on TCP, and a peer closing
//! while they are sent; connecting with retry until a deadline, and
//! accepting the peer's connection; one outcome when the peer quits; event
//! streams and waits; a block job run to its end.

mod common;

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::os::fd::{AsFd, FromRawFd, OwnedFd};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use nix::sys::socket::{recvmsg, setsockopt, sockopt, ControlMessageOwned, MsgFlags, UnixAddr};
use qapi_types::qmp::tokio::Client as AsyncClient;
use qapi_types::qmp::{blocking, Error, Framer};
use qapi_types::Command;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use common::{echo, join, options, peer, run_async, tcp_peer, Peer, GREETING};

// ---------------------------------------------------- file descriptors

/// A command of the fake peer taking a file descriptor: returns what the
/// file passed holds.
#[derive(Serialize, Deserialize, Debug)]
struct ReadFd {
    tag: String,
}

impl Command for ReadFd {
    const NAME: &'static str = "read-fd";
    type Returns = Value;
}

/// A fresh file holding `text`, read from its start.
fn file_holding(text: &str) -> File {
    static COUNT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let path: PathBuf = std::env::temp_dir().join(format!(
        "qapi-fd-test-{}-{}",
        std::process::id(),
        COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    let mut file = File::options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&path)
        .unwrap();
    std::fs::remove_file(&path).unwrap();
    file.write_all(text.as_bytes()).unwrap();
    file.rewind().unwrap();
    file
}

/// The peer's end, read one byte per `recvmsg`: each descriptor arrives
/// with the very byte it was sent with, so the peer sees where it was
/// attached.
struct FdPeer {
    socket: UnixStream,
    offset: usize,
    framer: Framer,
}

/// A request, and the descriptors attached to its first byte.
struct Received {
    request: Value,
    fds: Vec<OwnedFd>,
}

impl FdPeer {
    fn new(socket: UnixStream) -> FdPeer {
        FdPeer {
            socket,
            offset: 0,
            framer: Framer::new(1 << 20),
        }
    }

    /// The next request; `None` when the client is gone.  Panics when
    /// descriptors came with any byte but a request's first.
    fn request(&mut self) -> Option<Received> {
        let mut fds = Vec::new();
        let mut start = None;
        loop {
            let mut byte = [0u8; 1];
            let mut space = nix::cmsg_space!([std::os::fd::RawFd; 8]);
            let mut iov = [std::io::IoSliceMut::new(&mut byte)];
            let message = recvmsg::<UnixAddr>(
                std::os::fd::AsRawFd::as_raw_fd(&self.socket),
                &mut iov,
                Some(&mut space),
                MsgFlags::empty(),
            )
            .ok()?;
            if message.bytes == 0 {
                return None;
            }
            let mut arrived = Vec::new();
            for control in message.cmsgs().unwrap() {
                if let ControlMessageOwned::ScmRights(raw) = control {
                    // SAFETY: SCM_RIGHTS gave these descriptors to this
                    // process; nothing else owns them.
                    arrived.extend(
                        raw.into_iter()
                            .map(|fd| unsafe { OwnedFd::from_raw_fd(fd) }),
                    );
                }
            }
            let offset = self.offset;
            self.offset += 1;
            if start.is_none() && byte[0] == b'{' {
                start = Some(offset);
            }
            if !arrived.is_empty() {
                assert_eq!(
                    start,
                    Some(offset),
                    "descriptors came with byte {offset} ({:?}), not a request's first",
                    byte[0] as char
                );
                fds = arrived;
            }
            self.framer.push(&byte);
            if let Some(message) = self.framer.next_message().unwrap() {
                return Some(Received {
                    request: serde_json::from_slice(message).unwrap(),
                    fds,
                });
            }
        }
    }

    fn write(&mut self, text: &str) {
        let _ = self.socket.write_all(text.as_bytes());
    }

    fn reply(&mut self, request: &Value, value: Value) {
        self.write(&format!(
            "{}\n",
            json!({"return": value, "id": request["id"]})
        ));
    }

    /// The greeting, `qmp_capabilities`, then: `read-fd` returns the
    /// content of the one file passed, `echo` its value (and no
    /// descriptor may come with it).
    fn serve(mut self) {
        self.write(&format!("{GREETING}\n"));
        while let Some(Received { request, fds }) = self.request() {
            let answer = match request["execute"].as_str() {
                Some("read-fd") => {
                    assert_eq!(fds.len(), 1, "{request}");
                    let mut text = String::new();
                    File::from(fds.into_iter().next().unwrap())
                        .read_to_string(&mut text)
                        .unwrap();
                    json!(text)
                }
                Some("echo") => {
                    assert!(fds.is_empty(), "descriptors with {request}");
                    request["arguments"]["value"].clone()
                }
                _ => json!({}),
            };
            self.reply(&request, answer);
        }
    }
}

/// A client socket with a small send buffer, so that requests queue up on
/// the client's side, and the fake peer's end.
fn fd_pair() -> (UnixStream, JoinHandle<()>) {
    let (client, server) = UnixStream::pair().unwrap();
    setsockopt(&client, sockopt::SndBuf, &4096).unwrap();
    server
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    (client, thread::spawn(move || FdPeer::new(server).serve()))
}

const WITH_FDS: usize = 30;
/// Large enough that requests without descriptors fill the socket.
const PAYLOAD: usize = 3000;

#[test]
fn blocking_fds_ride_on_their_command() {
    let (stream, peer) = fd_pair();
    let mut client = blocking::Client::new(stream, &options()).unwrap();
    let files: Vec<File> = (0..WITH_FDS)
        .map(|i| file_holding(&format!("file {i}")))
        .collect();
    // Pipelined: requests with and without descriptors in one stream.
    let mut tickets = Vec::new();
    for (i, file) in files.iter().enumerate() {
        let read = ReadFd {
            tag: format!("{i}"),
        };
        tickets.push((
            i,
            client.send(&echo("e".repeat(PAYLOAD))).unwrap(),
            client.send_with_fds(&read, &[file.as_fd()]).unwrap(),
        ));
    }
    for (i, echoed, read) in tickets {
        assert_eq!(
            client.receive(echoed).unwrap().as_str().unwrap().len(),
            PAYLOAD
        );
        assert_eq!(client.receive(read).unwrap(), format!("file {i}"));
    }
    // The peer read through a copy of the caller's descriptor: the same
    // open file (at its end now), and the caller's is still open.
    let mut text = String::new();
    (&files[0]).read_to_string(&mut text).unwrap();
    assert_eq!(text, "");
    (&files[0]).rewind().unwrap();
    (&files[0]).read_to_string(&mut text).unwrap();
    assert_eq!(text, "file 0");
    drop(client);
    join(peer);
}

#[test]
fn async_fds_ride_on_their_command_among_concurrent_ones() {
    run_async(async {
        let (stream, peer) = fd_pair();
        stream.set_nonblocking(true).unwrap();
        let stream = tokio::net::UnixStream::from_std(stream).unwrap();
        let client = Arc::new(AsyncClient::new(stream, &options()).await.unwrap());
        let calls: Vec<_> = (0..WITH_FDS * 2)
            .map(|i| {
                let client = client.clone();
                tokio::spawn(async move {
                    if i % 2 == 0 {
                        let file = file_holding(&format!("file {i}"));
                        let read = ReadFd {
                            tag: format!("{i}"),
                        };
                        let text = client.execute_with_fds(&read, &[file.as_fd()]).await;
                        assert_eq!(text.unwrap(), format!("file {i}"));
                    } else {
                        let echoed = client.execute(&echo("e".repeat(PAYLOAD))).await;
                        assert_eq!(echoed.unwrap().as_str().unwrap().len(), PAYLOAD);
                    }
                })
            })
            .collect();
        for call in calls {
            call.await.unwrap();
        }
        drop(client);
        join(peer);
    });
}

#[test]
fn blocking_fds_over_tcp_are_refused() {
    let (address, peer) = tcp_peer();
    let mut client = blocking::Client::connect_tcp(address, &options()).unwrap();
    let file = file_holding("x");
    let error = client
        .execute_with_fds(&echo(1), &[file.as_fd()])
        .unwrap_err();
    assert!(
        matches!(error, Error::FdsUnsupported { transport: "TCP" }),
        "{error}"
    );
    assert_eq!(
        error.to_string(),
        "cannot pass file descriptors over a TCP connection (SCM_RIGHTS needs a Unix socket)"
    );
    assert!(!error.is_fatal());
    // Nothing was sent: the connection goes on.
    assert_eq!(client.execute(&echo(2)).unwrap(), 2);
    drop(client);
    join(peer);
}

#[test]
fn async_fds_over_tcp_are_refused() {
    run_async(async {
        let (address, peer) = tcp_peer();
        let client = AsyncClient::connect_tcp(address, &options()).await.unwrap();
        let file = file_holding("x");
        let error = client
            .execute_with_fds(&echo(1), &[file.as_fd()])
            .await
            .unwrap_err();
        assert!(
            matches!(error, Error::FdsUnsupported { transport: "TCP" }),
            "{error}"
        );
        assert_eq!(client.execute(&echo(2)).await.unwrap(), 2);
        drop(client);
        join(peer);
    });
}

/// The peer reads the handshake and goes: the command with descriptors
/// finds it closed.
fn closes_after_handshake(mut peer: Peer) {
    peer.handshake();
}

#[test]
fn blocking_peer_closes_while_fds_are_sent() {
    let (stream, peer) = peer(closes_after_handshake);
    let mut client = blocking::Client::new(stream, &options()).unwrap();
    join(peer);
    let file = file_holding("still ours");
    let error = client
        .execute_with_fds(&ReadFd { tag: "x".into() }, &[file.as_fd()])
        .unwrap_err();
    assert!(matches!(error, Error::Closed { partial: false }), "{error}");
    let mut text = String::new();
    (&file).read_to_string(&mut text).unwrap();
    assert_eq!(text, "still ours");
}

#[test]
fn async_peer_closes_while_fds_are_sent() {
    run_async(async {
        let (stream, peer) = peer(closes_after_handshake);
        stream.set_nonblocking(true).unwrap();
        let stream = tokio::net::UnixStream::from_std(stream).unwrap();
        let client = AsyncClient::new(stream, &options()).await.unwrap();
        join(peer);
        let client = Arc::new(client);
        // Many at once: some are written before the close is seen, some
        // wait in the backlog; all end with the same error.
        let calls: Vec<_> = (0..20)
            .map(|_| {
                let client = client.clone();
                let file = file_holding("x");
                tokio::spawn(async move {
                    let read = ReadFd { tag: "x".into() };
                    client.execute_with_fds(&read, &[file.as_fd()]).await
                })
            })
            .collect();
        for call in calls {
            let error = call.await.unwrap().unwrap_err();
            assert!(matches!(error, Error::Closed { .. }), "{error}");
        }
    });
}

// ------------------------------------------------------------ connecting

fn socket_path(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("qapi-manager-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("qmp.sock")
}

/// A socket file nobody listens on, as a QEMU that died (or has not
/// started listening) leaves it.
fn dead_socket(name: &str) -> PathBuf {
    let path = socket_path(name);
    drop(UnixListener::bind(&path).unwrap());
    path
}

fn check_gave_up(error: Error, started: Instant, last: &str) {
    let Error::NotReady {
        waited,
        attempts,
        last: last_error,
    } = &error
    else {
        panic!("{error}")
    };
    let elapsed = started.elapsed();
    assert!(*waited >= Duration::from_millis(300), "{waited:?}");
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
    assert!(*attempts > 2, "{attempts}");
    assert!(last_error.to_string().contains(last), "{last_error}");
    let message = error.to_string();
    assert!(
        message.starts_with("QMP peer not ready after 0.3 s (") && message.contains(last),
        "{message}"
    );
}

#[test]
fn blocking_retry_gives_up_at_the_deadline() {
    let options = options().connect_retry(Some(Duration::from_millis(300)));
    let started = Instant::now();
    let error = blocking::Client::connect_unix(dead_socket("dead"), &options).unwrap_err();
    check_gave_up(error, started, "Connection refused");

    let started = Instant::now();
    let missing = socket_path("missing");
    let error = blocking::Client::connect_unix(&missing, &options).unwrap_err();
    check_gave_up(error, started, "No such file or directory");
}

#[test]
fn async_retry_gives_up_at_the_deadline() {
    run_async(async {
        let options = options().connect_retry(Some(Duration::from_millis(300)));
        let started = Instant::now();
        let error = AsyncClient::connect_unix(dead_socket("dead-async"), &options)
            .await
            .unwrap_err();
        check_gave_up(error, started, "Connection refused");
    });
}

/// A peer that takes the connection and never greets: each attempt times
/// out, the last error says so.
#[test]
fn blocking_retry_of_a_silent_peer() {
    let path = socket_path("silent");
    let listener = UnixListener::bind(&path).unwrap();
    let options = options()
        .timeout(Some(Duration::from_millis(100)))
        .connect_retry(Some(Duration::from_millis(300)));
    let started = Instant::now();
    let error = blocking::Client::connect_unix(&path, &options).unwrap_err();
    check_gave_up(error, started, "timed out");
    drop(listener);
}

/// Without retry, one attempt and its own error.
#[test]
fn no_retry_by_default() {
    let error = blocking::Client::connect_unix(dead_socket("once"), &options()).unwrap_err();
    let Error::Io(io) = &error else {
        panic!("{error}")
    };
    assert_eq!(io.kind(), std::io::ErrorKind::ConnectionRefused);
}

/// The peer starts listening 300 ms after the client starts trying.
fn late_listener(path: PathBuf) -> JoinHandle<()> {
    thread::spawn(move || {
        thread::sleep(Duration::from_millis(300));
        let listener = UnixListener::bind(&path).unwrap();
        let (stream, _) = listener.accept().unwrap();
        let mut peer = Peer::new(stream);
        peer.handshake();
        peer.serve();
    })
}

#[test]
fn blocking_retry_until_the_peer_listens() {
    let path = socket_path("late");
    let peer = late_listener(path.clone());
    let options = options().connect_retry(Some(Duration::from_secs(10)));
    let mut client = blocking::Client::connect_unix(&path, &options).unwrap();
    assert_eq!(client.execute(&echo("late")).unwrap(), "late");
    drop(client);
    join(peer);
}

#[test]
fn async_retry_until_the_peer_listens() {
    run_async(async {
        let path = socket_path("late-async");
        let peer = late_listener(path.clone());
        let options = options().connect_retry(Some(Duration::from_secs(10)));
        let client = AsyncClient::connect_unix(&path, &options).await.unwrap();
        assert_eq!(client.execute(&echo("late")).await.unwrap(), "late");
        drop(client);
        join(peer);
    });
}

/// A peer that greets at once, then answers its first request after
/// `delay`: longer than the retry window, well within the timeout.
fn slow_answer(path: PathBuf, delay: Duration) -> JoinHandle<()> {
    let listener = UnixListener::bind(&path).unwrap();
    thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut peer = Peer::new(stream);
        peer.handshake();
        let request = peer.request().expect("a request");
        thread::sleep(delay);
        peer.reply(&request, request["arguments"]["value"].clone());
        peer.serve();
    })
}

/// The retry window bounds the connection, not the session: a connected
/// client keeps `Options::timeout` for its commands (it once kept the
/// time left in the window, and a command slower than that timed out).
#[test]
fn blocking_retry_leaves_the_session_its_timeout() {
    let path = socket_path("retry-timeout");
    let peer = slow_answer(path.clone(), Duration::from_millis(700));
    let options = options().connect_retry(Some(Duration::from_millis(300)));
    let mut client = blocking::Client::connect_unix(&path, &options).unwrap();
    assert_eq!(client.execute(&echo("slow")).unwrap(), "slow");
    drop(client);
    join(peer);
}

#[test]
fn async_retry_leaves_the_session_its_timeout() {
    run_async(async {
        let path = socket_path("retry-timeout-async");
        let peer = slow_answer(path.clone(), Duration::from_millis(700));
        let options = options().connect_retry(Some(Duration::from_millis(300)));
        let client = AsyncClient::connect_unix(&path, &options).await.unwrap();
        assert_eq!(client.execute(&echo("slow")).await.unwrap(), "slow");
        drop(client);
        join(peer);
    });
}

/// The peer connects to the client's socket (QEMU's `server=off`).
fn connecting_peer(path: PathBuf) -> JoinHandle<()> {
    thread::spawn(move || {
        let mut peer = Peer::new(UnixStream::connect(path).unwrap());
        peer.handshake();
        peer.serve();
    })
}

#[test]
fn blocking_accept() {
    let path = socket_path("accept");
    let listener = UnixListener::bind(&path).unwrap();
    let options = options().timeout(Some(Duration::from_millis(300)));
    let started = Instant::now();
    let error = blocking::Client::accept(&listener, &options).unwrap_err();
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(
        error.to_string(),
        "no connection to the listening socket within 0.3 s"
    );
    let peer = connecting_peer(path);
    let mut client = blocking::Client::accept(&listener, &options).unwrap();
    assert_eq!(client.greeting().version.qemu.major, 10);
    assert_eq!(client.execute(&echo(1)).unwrap(), 1);
    drop(client);
    join(peer);
}

#[test]
fn async_accept() {
    run_async(async {
        let path = socket_path("accept-async");
        let listener = tokio::net::UnixListener::bind(&path).unwrap();
        let options = options().timeout(Some(Duration::from_millis(300)));
        let error = AsyncClient::accept(&listener, &options).await.unwrap_err();
        assert!(matches!(error, Error::WaitTimeout { .. }), "{error}");
        let peer = connecting_peer(path);
        let client = AsyncClient::accept(&listener, &options).await.unwrap();
        assert_eq!(client.execute(&echo(1)).await.unwrap(), 1);
        // Descriptors pass on an accepted connection.
        let file = file_holding("x");
        let error = client.execute_with_fds(&echo(2), &[file.as_fd()]).await;
        assert_eq!(error.unwrap(), 2);
        drop(client);
        join(peer);
    });
}

// ---------------------------------------------------------- the peer quits

const SHUTDOWN: &str = r#"{"timestamp": {"seconds": 1, "microseconds": 2}, "event": "SHUTDOWN", "data": {"guest": false, "reason": "host-qmp-quit"}}"#;

/// QEMU's `quit`: the reply, `SHUTDOWN`, and the end, while a request of
/// the client's is still unread (the kernel then reports `ECONNRESET`, not
/// an end of file).  The requests are read a byte at a time, so what
/// follows `quit` stays in the socket.
fn quits_with_a_request_unread(peer: Peer) {
    let Peer { mut writer, .. } = peer;
    writer
        .write_all(format!("{GREETING}\n").as_bytes())
        .unwrap();
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    let mut lines = 0;
    while lines < 2 {
        writer.read_exact(&mut byte).unwrap();
        line.push(byte[0]);
        if byte[0] == b'\n' {
            let request: Value = serde_json::from_slice(&line).unwrap();
            line.clear();
            lines += 1;
            let reply = json!({"return": {}, "id": request["id"]});
            writer.write_all(format!("{reply}\n").as_bytes()).unwrap();
        }
    }
    writer
        .write_all(format!("{SHUTDOWN}\n").as_bytes())
        .unwrap();
    // The client's next request arrives, unread, before the close.
    thread::sleep(Duration::from_millis(100));
}

#[derive(Serialize, Deserialize, Debug)]
struct Quit {}

impl Command for Quit {
    const NAME: &'static str = "quit";
    type Returns = qapi_types::Empty;
}

fn is_shutdown(event: &Value) -> bool {
    event["event"] == "SHUTDOWN"
}

#[test]
fn blocking_quit_ends_with_shutdown_then_closed() {
    for _ in 0..5 {
        let (stream, peer) = peer(quits_with_a_request_unread);
        let mut client = blocking::Client::new(stream, &options()).unwrap();
        client.execute(&Quit {}).unwrap();
        let late = client.send(&echo(1)).unwrap();
        let event = client
            .wait_for(is_shutdown, Duration::from_secs(5))
            .unwrap();
        assert_eq!(event["data"]["reason"], "host-qmp-quit");
        let error = client.receive(late).unwrap_err();
        assert!(matches!(error, Error::Closed { partial: false }), "{error}");
        client.wait_closed(Duration::from_secs(5)).unwrap();
        let error = client.execute(&echo(2)).unwrap_err();
        assert!(matches!(error, Error::Closed { partial: false }), "{error}");
        join(peer);
    }
}

#[test]
fn async_quit_ends_with_shutdown_then_closed() {
    run_async(async {
        for _ in 0..5 {
            let (stream, peer) = peer(quits_with_a_request_unread);
            stream.set_nonblocking(true).unwrap();
            let stream = tokio::net::UnixStream::from_std(stream).unwrap();
            let client = AsyncClient::new(stream, &options()).await.unwrap();
            let mut events = client.events::<Value>().unwrap();
            client.execute(&Quit {}).await.unwrap();
            let error = client.execute(&echo(1)).await.unwrap_err();
            assert!(matches!(error, Error::Closed { partial: false }), "{error}");
            client.wait_closed(Duration::from_secs(5)).await.unwrap();
            let event = events.recv().await.unwrap().unwrap();
            assert!(is_shutdown(&event), "{event}");
            assert!(events.recv().await.is_none());
            let failure = client.failure().unwrap();
            assert!(
                matches!(failure, Error::Closed { partial: false }),
                "{failure}"
            );
            join(peer);
        }
    });
}

/// The peer sends `SHUTDOWN` and closes before the client writes again:
/// the write fails (`EPIPE`), and the event is still read.
#[test]
fn blocking_write_after_close_keeps_the_last_events() {
    let (stream, peer) = peer(|mut peer| {
        peer.handshake();
        peer.write(&format!("{SHUTDOWN}\n"));
    });
    let mut client = blocking::Client::new(stream, &options()).unwrap();
    join(peer);
    let error = client.execute(&echo(1)).unwrap_err();
    assert!(matches!(error, Error::Closed { partial: false }), "{error}");
    let event = client
        .wait_for(is_shutdown, Duration::from_secs(1))
        .unwrap();
    assert_eq!(event["event"], "SHUTDOWN");
    client.wait_closed(Duration::from_secs(1)).unwrap();
}

// ----------------------------------------------------------------- events

fn event(name: &str, data: Value) -> String {
    let message =
        json!({"timestamp": {"seconds": 1, "microseconds": 2}, "event": name, "data": data});
    format!("{message}\n")
}

/// Events before and after the reply to the first command.
fn some_events(mut peer: Peer) {
    peer.handshake();
    let request = peer.request().unwrap();
    peer.write(&event(
        "RESET",
        json!({"guest": false, "reason": "host-qmp-system-reset"}),
    ));
    peer.write(&event(
        "DEVICE_DELETED",
        json!({"device": "disk0", "path": "/machine/peripheral/disk0"}),
    ));
    peer.reply(&request, json!(1));
    thread::sleep(Duration::from_millis(50));
    peer.write(&event(
        "DEVICE_DELETED",
        json!({"device": "disk1", "path": "/machine/peripheral/disk1"}),
    ));
    peer.write(&event("STOP", json!({})));
    peer.serve();
}

fn deleted(device: &'static str) -> impl Fn(&Value) -> bool {
    move |event| event["event"] == "DEVICE_DELETED" && event["data"]["device"] == device
}

#[test]
fn blocking_wait_for_keeps_the_other_events() {
    let (stream, peer) = peer(some_events);
    let mut client = blocking::Client::new(stream, &options()).unwrap();
    assert_eq!(client.execute(&echo(1)).unwrap(), 1);
    // The second one comes after the reply; the first came before.
    let second = client
        .wait_for(deleted("disk1"), Duration::from_secs(5))
        .unwrap();
    assert_eq!(second["data"]["path"], "/machine/peripheral/disk1");
    let first = client
        .wait_for(deleted("disk0"), Duration::from_secs(5))
        .unwrap();
    assert_eq!(first["data"]["device"], "disk0");
    let error = client
        .wait_for(deleted("disk9"), Duration::from_millis(200))
        .unwrap_err();
    assert_eq!(error.to_string(), "no matching event within 0.2 s");
    assert!(!error.is_fatal());
    let rest: Vec<String> = client
        .take_events::<Value>()
        .into_iter()
        .map(|event| event.unwrap()["event"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(rest, ["RESET", "STOP"]);
    drop(client);
    join(peer);
}

/// The queue is full of other events when the awaited one comes: the
/// oldest make room, and the wait still finds it.
#[test]
fn blocking_wait_for_with_a_full_queue() {
    let (stream, peer) = peer(|mut peer| {
        peer.handshake();
        let request = peer.request().unwrap();
        peer.reply(&request, json!(1));
        for _ in 0..10 {
            peer.write(&event("STOP", json!({})));
        }
        thread::sleep(Duration::from_millis(100));
        peer.write(&event(
            "DEVICE_DELETED",
            json!({"device": "disk1", "path": "/p"}),
        ));
        peer.serve();
    });
    let mut client = blocking::Client::new(stream, &options().event_capacity(3)).unwrap();
    assert_eq!(client.execute(&echo(1)).unwrap(), 1);
    let found = client
        .wait_for(deleted("disk1"), Duration::from_secs(5))
        .unwrap();
    assert_eq!(found["data"]["path"], "/p");
    assert_eq!(client.dropped_events(), 8);
    drop(client);
    join(peer);
}

#[test]
fn async_event_streams_by_name() {
    run_async(async {
        let (client, peer) = common::async_client(&options(), some_events).await;
        let mut deletions = client.subscribe::<Value>(&["DEVICE_DELETED"]);
        let mut resets = client.subscribe::<Value>(&["RESET", "STOP"]);
        let dropped = client.subscribe::<Value>(&[]);
        drop(dropped);
        let mut everything = client.events::<Value>().unwrap();
        assert!(client.events::<Value>().is_none(), "taken once");
        assert_eq!(client.execute(&echo(1)).await.unwrap(), 1);

        let second = deletions
            .wait_for(
                |event| event["data"]["device"] == "disk1",
                Duration::from_secs(5),
            )
            .await
            .unwrap();
        assert_eq!(second["data"]["path"], "/machine/peripheral/disk1");
        // disk0's event was read and dropped by the wait: this stream has
        // nothing more.
        assert!(deletions.try_recv().is_none());
        let error = deletions
            .wait_for(|_| true, Duration::from_millis(200))
            .await
            .unwrap_err();
        assert!(matches!(error, Error::WaitTimeout { .. }), "{error}");

        let names = |events: Vec<Value>| -> Vec<String> {
            events
                .iter()
                .map(|event| event["event"].as_str().unwrap().to_string())
                .collect()
        };
        let mut got = Vec::new();
        while got.len() < 2 {
            got.push(resets.recv().await.unwrap().unwrap());
        }
        assert_eq!(names(got), ["RESET", "STOP"]);
        let mut got = Vec::new();
        while got.len() < 4 {
            got.push(everything.recv().await.unwrap().unwrap());
        }
        assert_eq!(
            names(got),
            ["RESET", "DEVICE_DELETED", "DEVICE_DELETED", "STOP"]
        );
        drop(client);
        assert!(resets.recv().await.is_none());
        join(peer);
    });
}

// -------------------------------------------------------------- block jobs

#[derive(Serialize, Deserialize, Debug)]
struct BlockdevBackup {
    #[serde(rename = "job-id")]
    job_id: String,
    #[serde(rename = "auto-dismiss")]
    auto_dismiss: bool,
}

impl Command for BlockdevBackup {
    const NAME: &'static str = "blockdev-backup";
    type Returns = qapi_types::Empty;
}

fn backup() -> BlockdevBackup {
    BlockdevBackup {
        job_id: "job0".into(),
        auto_dismiss: false,
    }
}

/// A job that runs, concludes (with `error` if any), is listed by
/// `query-jobs` and dismissed; the peer checks the dismissal.
fn job(error: Option<&'static str>) -> impl FnOnce(Peer) + Send + 'static {
    move |mut peer| {
        peer.handshake();
        let start = peer.request().unwrap();
        assert_eq!(start["execute"], "blockdev-backup");
        let status =
            |status: &str| event("JOB_STATUS_CHANGE", json!({"id": "job0", "status": status}));
        peer.write(&status("created"));
        peer.reply(&start, json!({}));
        for state in ["running", "waiting", "pending", "concluded"] {
            peer.write(&status(state));
        }
        let query = peer.request().unwrap();
        assert_eq!(query["execute"], "query-jobs");
        let mut job = json!({"id": "job0", "type": "backup", "status": "concluded",
                             "current-progress": 10, "total-progress": 10});
        if let Some(error) = error {
            job["error"] = json!(error);
        }
        peer.reply(
            &query,
            json!([{"id": "other", "type": "mirror", "status": "running",
                                   "current-progress": 0, "total-progress": 1}, job]),
        );
        let dismiss = peer.request().unwrap();
        assert_eq!(dismiss["execute"], "job-dismiss");
        assert_eq!(dismiss["arguments"], json!({"id": "job0"}));
        peer.reply(&dismiss, json!({}));
        peer.serve();
    }
}

#[test]
fn blocking_run_job() {
    let (stream, peer) = peer(job(None));
    let mut client = blocking::Client::new(stream, &options()).unwrap();
    client
        .run_job(&backup(), "job0", Duration::from_secs(5))
        .unwrap();
    // The job's other events stay to be read.
    assert_eq!(client.take_events::<Value>().len(), 4);
    drop(client);
    join(peer);

    let (stream, peer) = common::peer(job(Some("No space left on device")));
    let mut client = blocking::Client::new(stream, &options()).unwrap();
    let error = client
        .run_job(&backup(), "job0", Duration::from_secs(5))
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "job job0 failed: No space left on device"
    );
    assert_eq!(client.execute(&echo(1)).unwrap(), 1);
    drop(client);
    join(peer);
}

#[test]
fn async_run_job() {
    run_async(async {
        let (client, peer) = common::async_client(&options(), job(Some("I/O error"))).await;
        let error = client
            .run_job(&backup(), "job0", Duration::from_secs(5))
            .await
            .unwrap_err();
        let Error::Job { id, desc } = &error else {
            panic!("{error}")
        };
        assert_eq!((id.as_str(), desc.as_str()), ("job0", "I/O error"));
        drop(client);
        join(peer);

        let (client, peer) = common::async_client(&options(), job(None)).await;
        client
            .run_job(&backup(), "job0", Duration::from_secs(5))
            .await
            .unwrap();
        drop(client);
        join(peer);
    });
}

/// A job that never concludes: the wait ends at its timeout, saying what
/// it waited for.
#[test]
fn blocking_run_job_times_out() {
    let (stream, peer) = peer(|mut peer| {
        peer.handshake();
        let start = peer.request().unwrap();
        peer.reply(&start, json!({}));
        peer.serve();
    });
    let mut client = blocking::Client::new(stream, &options()).unwrap();
    let error = client
        .run_job(&backup(), "job0", Duration::from_millis(200))
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "no JOB_STATUS_CHANGE of job job0 to concluded within 0.2 s"
    );
    drop(client);
    join(peer);
}
