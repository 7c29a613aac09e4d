//! The fake peers of the client tests: the server end of a Unix socket
//! pair, driven by a test's script in a thread, and the clients on the
//! other end.

#![allow(dead_code)] // each test file uses its part

pub mod queries;

use std::io::{BufReader, Write};
use std::os::unix::net::UnixStream;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use qapi_types::qmp::tokio::Client as AsyncClient;
use qapi_types::qmp::{blocking, Options};
use qapi_types::Command;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

pub const GREETING: &str = r#"{"QMP": {"version": {"qemu": {"micro": 2, "minor": 0, "major": 10}, "package": ""}, "capabilities": ["oob"]}}"#;

/// A command of the fake peer: returns its `value`.
#[derive(Serialize, Deserialize, Debug)]
pub struct Echo {
    pub value: Value,
}

impl Command for Echo {
    const NAME: &'static str = "echo";
    type Returns = Value;
}

pub fn echo(value: impl Into<Value>) -> Echo {
    Echo {
        value: value.into(),
    }
}

// ------------------------------------------------------------ the peer

/// The server end of a connection, driven by a test's script.
pub struct Peer<S = UnixStream> {
    pub reader: BufReader<S>,
    pub writer: S,
}

impl<S: std::io::Read + Write> Peer<S> {
    /// The next request; `None` when the client is gone.
    pub fn request(&mut self) -> Option<Value> {
        let mut stream = serde_json::Deserializer::from_reader(&mut self.reader).into_iter();
        stream.next()?.ok()
    }

    pub fn write(&mut self, text: &str) {
        // The client may be gone already.
        let _ = self.writer.write_all(text.as_bytes());
    }

    pub fn reply(&mut self, request: &Value, value: Value) {
        let reply = json!({"return": value, "id": request["id"]});
        self.write(&format!("{reply}\r\n"));
    }

    /// The greeting, then the reply to `qmp_capabilities`.
    pub fn handshake(&mut self) {
        self.write(&format!("{GREETING}\r\n"));
        let request = self.request().expect("qmp_capabilities");
        assert_eq!(request["execute"], "qmp_capabilities");
        self.reply(&request, json!({}));
    }

    /// Answer `echo` requests until the client is gone.
    pub fn serve(&mut self) {
        while let Some(request) = self.request() {
            self.reply(&request, request["arguments"]["value"].clone());
        }
    }
}

impl Peer {
    /// The peer on the server end of a Unix socket.
    pub fn new(stream: UnixStream) -> Peer {
        Peer {
            reader: BufReader::new(stream.try_clone().unwrap()),
            writer: stream,
        }
    }
}

/// A connected pair: the client's end, and the peer running `script` in a
/// thread.
pub fn peer(script: impl FnOnce(Peer) + Send + 'static) -> (UnixStream, JoinHandle<()>) {
    let (client, server) = UnixStream::pair().unwrap();
    server
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let peer = Peer::new(server);
    (client, thread::spawn(move || script(peer)))
}

pub fn options() -> Options {
    Options::new().timeout(Some(Duration::from_secs(10)))
}

pub fn blocking_client(
    options: &Options,
    script: impl FnOnce(Peer) + Send + 'static,
) -> (blocking::Client, JoinHandle<()>) {
    let (stream, peer) = peer(script);
    (blocking::Client::new(stream, options).unwrap(), peer)
}

/// The tests' two-thread runtime.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Run an async test on a two-thread runtime, bounded in time.
pub fn run_async<F: std::future::Future<Output = ()>>(test: F) {
    runtime().block_on(async {
        tokio::time::timeout(Duration::from_secs(60), test)
            .await
            .expect("the test hung");
    });
}

pub async fn async_client(
    options: &Options,
    script: impl FnOnce(Peer) + Send + 'static,
) -> (AsyncClient, JoinHandle<()>) {
    let (stream, peer) = peer(script);
    stream.set_nonblocking(true).unwrap();
    let stream = tokio::net::UnixStream::from_std(stream).unwrap();
    (AsyncClient::new(stream, options).await.unwrap(), peer)
}

pub fn join(peer: JoinHandle<()>) {
    peer.join().expect("the peer's script failed");
}

/// A peer on TCP loopback that greets, then answers every request with its
/// arguments' `value` (also `qmp_capabilities`, with `{}`).
pub fn tcp_peer() -> (std::net::SocketAddr, JoinHandle<()>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let peer = thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let mut peer = Peer {
            reader: BufReader::new(stream.try_clone().unwrap()),
            writer: stream,
        };
        peer.handshake();
        peer.serve();
    });
    (address, peer)
}
