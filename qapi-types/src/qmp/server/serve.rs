//! The tokio server loop (cargo feature `tokio`).
//!
//! Per connection, as QEMU's monitor: the greeting, then requests read as
//! a JSON stream.  Out-of-band requests (`exec-oob`) run as soon as they
//! are read; the others queue (up to 8, then reading pauses) and run one
//! at a time, in order.  Events go to every connection that has
//! negotiated.
//!
//! Memory stays bounded: a request is limited by the JSON streamer, replies
//! wait in a bounded queue (a client that does not read stops being read),
//! and events are kept in a bounded ring: a client too slow for them loses
//! the oldest.

use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, ToSocketAddrs, UnixListener};
use tokio::sync::{broadcast, mpsc};

use super::dispatch::{event_message_for, Action, Dispatcher, Session};
use super::json::{Item, JsonStreamer, MAX_TOKEN_SIZE};
use super::schema::Schema;
use super::CompatPolicy;
use crate::qmp::wire::{Capability, Greeting, VersionInfo};
use crate::Event;

/// In-band requests read ahead of the one running (QEMU's
/// `QMP_REQ_QUEUE_LEN_MAX`).
const QUEUE: usize = 8;
/// Replies waiting for the client to read them.
const REPLIES: usize = 64;
const READ_CHUNK: usize = 64 * 1024;

/// A QMP server: a dispatcher, a greeting, and the event channel.
pub struct Server<H: 'static> {
    dispatcher: Arc<Dispatcher<H>>,
    greeting: Greeting,
    events: EventSender,
    max_message: usize,
}

impl<H: Send + Sync + 'static> Server<H> {
    /// A server offering the `oob` capability, greeting as QEMU 0.0.0
    /// (see [`Server::greeting`]), with an event channel of its own (see
    /// [`Server::event_sender`]).
    pub fn new(dispatcher: Dispatcher<H>) -> Server<H> {
        let events = EventSender::new(dispatcher.schema(), dispatcher.policy());
        Server {
            dispatcher: Arc::new(dispatcher),
            greeting: Greeting {
                version: VersionInfo::default(),
                capabilities: vec![Capability::Oob],
            },
            events,
            max_message: MAX_TOKEN_SIZE,
        }
    }

    /// The version and capabilities of the greeting; only `oob` has a
    /// meaning to the server.
    pub fn greeting(mut self, version: VersionInfo, capabilities: Vec<Capability>) -> Self {
        self.greeting = Greeting {
            version,
            capabilities,
        };
        self
    }

    /// Send the events of `events` (made before the server, e.g. for the
    /// handler to hold).
    pub fn event_sender(mut self, events: EventSender) -> Self {
        self.events = events;
        self
    }

    /// The longest request, in bytes of JSON tokens (QEMU: 64 MiB); longer
    /// is answered with QEMU's "JSON token size limit exceeded".
    pub fn max_message(mut self, bytes: usize) -> Self {
        self.max_message = bytes;
        self
    }

    pub fn dispatcher(&self) -> &Arc<Dispatcher<H>> {
        &self.dispatcher
    }

    /// The handle to emit events with, from anywhere.
    pub fn events(&self) -> EventSender {
        self.events.clone()
    }

    /// Accept connections on a Unix socket at `path` (replacing a stale
    /// socket file) until an error; each is served on its own task.
    pub async fn serve_unix(self: &Arc<Self>, path: impl AsRef<Path>) -> io::Result<()> {
        let path = path.as_ref();
        let _ = std::fs::remove_file(path);
        let listener = UnixListener::bind(path)?;
        loop {
            let (stream, _) = listener.accept().await?;
            let server = Arc::clone(self);
            tokio::spawn(async move { server.serve_connection(stream).await });
        }
    }

    /// Accept TCP connections until an error.
    pub async fn serve_tcp(self: &Arc<Self>, address: impl ToSocketAddrs) -> io::Result<()> {
        let listener = TcpListener::bind(address).await?;
        self.serve_tcp_listener(listener).await
    }

    /// Accept TCP connections on a bound listener until an error.
    pub async fn serve_tcp_listener(self: &Arc<Self>, listener: TcpListener) -> io::Result<()> {
        loop {
            let (stream, _) = listener.accept().await?;
            let _ = stream.set_nodelay(true);
            let server = Arc::clone(self);
            tokio::spawn(async move { server.serve_connection(stream).await });
        }
    }

    /// Serve one connection until the client closes it; the error of the
    /// connection, if any.
    pub async fn serve_connection<S>(&self, stream: S) -> io::Result<()>
    where
        S: AsyncRead + AsyncWrite + Send + 'static,
    {
        let (mut reader, writer) = tokio::io::split(stream);
        let offered = self.greeting.offers(&Capability::Oob);
        let session = Arc::new(Mutex::new(Session::new(offered)));
        let negotiated = Arc::new(AtomicBool::new(false));
        let (replies, reply_queue) = mpsc::channel::<String>(REPLIES);
        let writing = tokio::spawn(write_loop(writer, self.greeting.to_message(), reply_queue));
        let forwarding = tokio::spawn(forward_events(
            self.events.sender.subscribe(),
            Arc::clone(&negotiated),
            replies.clone(),
        ));
        let (requests, request_queue) = mpsc::channel::<Item>(QUEUE);
        let closed = Arc::new(AtomicBool::new(false));
        let in_band = tokio::spawn(in_band_loop(
            Arc::clone(&self.dispatcher),
            Arc::clone(&session),
            Arc::clone(&negotiated),
            request_queue,
            replies.clone(),
            Arc::clone(&closed),
        ));

        let mut streamer = JsonStreamer::new(self.max_message);
        let mut buffer = vec![0u8; READ_CHUNK];
        let mut items = Vec::new();
        let result = 'read: loop {
            let count = match reader.read(&mut buffer).await {
                Ok(0) => break Ok(()),
                Ok(count) => count,
                Err(error) => break Err(error),
            };
            streamer.feed(&buffer[..count], &mut |item| items.push(item));
            for item in items.drain(..) {
                if Dispatcher::<H>::is_oob(&item) {
                    let action = dispatch(&self.dispatcher, &session, &negotiated, item);
                    if let Some(reply) = run(action).await {
                        if replies.send(reply).await.is_err() {
                            break 'read Ok(());
                        }
                    }
                } else if requests.send(item).await.is_err() {
                    break 'read Ok(());
                }
            }
        };
        // Like QEMU, drop the requests still queued; the one running
        // finishes.
        closed.store(true, Ordering::Release);
        drop(requests);
        let _ = in_band.await;
        forwarding.abort();
        let _ = forwarding.await;
        drop(replies);
        let _ = writing.await;
        result
    }
}

fn dispatch<H: 'static>(
    dispatcher: &Dispatcher<H>,
    session: &Mutex<Session>,
    negotiated: &AtomicBool,
    item: Item,
) -> Action {
    let mut session = session.lock().unwrap_or_else(|e| e.into_inner());
    let action = dispatcher.dispatch(&mut session, item);
    negotiated.store(session.negotiated(), Ordering::Release);
    action
}

async fn run(action: Action) -> Option<String> {
    match action {
        Action::Reply(reply) => Some(reply),
        Action::Nothing => None,
        Action::Run(pending) => pending.reply().await,
    }
}

async fn in_band_loop<H: 'static>(
    dispatcher: Arc<Dispatcher<H>>,
    session: Arc<Mutex<Session>>,
    negotiated: Arc<AtomicBool>,
    mut requests: mpsc::Receiver<Item>,
    replies: mpsc::Sender<String>,
    closed: Arc<AtomicBool>,
) {
    while let Some(item) = requests.recv().await {
        if closed.load(Ordering::Acquire) {
            return;
        }
        let action = dispatch(&dispatcher, &session, &negotiated, item);
        if let Some(reply) = run(action).await {
            if replies.send(reply).await.is_err() {
                return;
            }
        }
        if replies.is_closed() {
            return;
        }
    }
}

/// Events for this connection, once it has negotiated, go with the
/// replies.
async fn forward_events(
    mut events: broadcast::Receiver<Arc<str>>,
    negotiated: Arc<AtomicBool>,
    replies: mpsc::Sender<String>,
) {
    loop {
        match events.recv().await {
            Ok(event) if negotiated.load(Ordering::Acquire) => {
                if replies.send(event.to_string()).await.is_err() {
                    return;
                }
            }
            Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
            Err(broadcast::error::RecvError::Closed) => return,
        }
    }
}

async fn write_loop<W: AsyncWrite>(
    writer: W,
    greeting: String,
    mut replies: mpsc::Receiver<String>,
) -> io::Result<()> {
    tokio::pin!(writer);
    write_line(&mut writer, &greeting).await?;
    while let Some(reply) = replies.recv().await {
        write_line(&mut writer, &reply).await?;
    }
    writer.shutdown().await
}

/// A message and QEMU's line ending: its monitor writes `\r\n`.
async fn write_line<W: AsyncWrite + Unpin>(writer: &mut W, line: &str) -> io::Result<()> {
    let mut bytes = Vec::with_capacity(line.len() + 2);
    bytes.extend_from_slice(line.as_bytes());
    bytes.extend_from_slice(b"\r\n");
    writer.write_all(&bytes).await?;
    writer.flush().await
}

/// Emits events to every negotiated client of a [`Server`]; cheap to
/// clone, usable from any thread.
#[derive(Clone)]
pub struct EventSender {
    sender: broadcast::Sender<Arc<str>>,
    schema: &'static Schema,
    policy: CompatPolicy,
}

impl EventSender {
    /// An event channel for a dispatcher of `schema` under `policy`
    /// (the generated `server::SCHEMA`), keeping up to 1024 events for
    /// clients that have not read them yet.
    pub fn new(schema: &'static Schema, policy: CompatPolicy) -> EventSender {
        EventSender::with_capacity(schema, policy, 1024)
    }

    /// [`EventSender::new`] keeping up to `capacity` events; a client
    /// further behind loses the oldest.
    pub fn with_capacity(
        schema: &'static Schema,
        policy: CompatPolicy,
        capacity: usize,
    ) -> EventSender {
        EventSender {
            sender: broadcast::channel(capacity.max(1)).0,
            schema,
            policy,
        }
    }

    /// Send `event` (the generated event type, e.g. `events::Stop`),
    /// stamped with the current time; `false` when the compatibility
    /// policy hides it.
    pub fn emit<E: Event>(&self, event: &E) -> bool {
        match event_message_for(self.schema, self.policy, event) {
            Some(message) => {
                // No receiver is not an error: no client is connected.
                let _ = self.sender.send(message.into());
                true
            }
            None => false,
        }
    }

    /// How many connections receive events.
    pub fn receivers(&self) -> usize {
        self.sender.receiver_count()
    }
}
