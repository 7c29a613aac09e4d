//! The tokio server loop (cargo feature `tokio`).
//!
//! Per connection, as QEMU's monitor: the greeting, then requests read as
//! a JSON stream.  Out-of-band requests (`exec-oob`) run as soon as they
//! are read; the others queue (up to 8, then reading pauses) and run one
//! at a time, in order.  Events go to every connection that has
//! negotiated.
//!
//! An event emitted before a reply is produced is written before it: the
//! writer drains the events waiting before each reply, so a handler that
//! emits events and then answers is seen in that order.
//!
//! On Unix sockets, file descriptors sent with a message (`SCM_RIGHTS`)
//! go with the first request read after them to the connection's
//! [`Connection`](super::Connection) (see [`fds`](super::fds)).
//!
//! Memory stays bounded: a request is limited by the JSON streamer, replies
//! wait in a bounded queue (a client that does not read stops being read),
//! and events are kept in a bounded ring: a client too slow for them loses
//! the oldest.

use std::future::{poll_fn, Future};
use std::io;
#[cfg(unix)]
use std::os::fd::OwnedFd;
use std::path::Path;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::Poll;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadHalf};
use tokio::net::{TcpListener, ToSocketAddrs, UnixListener, UnixStream};
use tokio::sync::{broadcast, mpsc};

use super::dispatch::{event_message_for, policy_event_message, Action, Dispatcher, Session};
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

    /// The dispatcher that answers its requests.
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
        self.serve_unix_listener(listener).await
    }

    /// Accept connections on a bound Unix socket until an error.
    pub async fn serve_unix_listener(self: &Arc<Self>, listener: UnixListener) -> io::Result<()> {
        loop {
            let (stream, _) = listener.accept().await?;
            let server = Arc::clone(self);
            tokio::spawn(async move { server.serve_unix_connection(stream).await });
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
    /// connection, if any.  (On a Unix socket,
    /// [`Server::serve_unix_connection`] also receives file descriptors.)
    pub async fn serve_connection<S>(&self, stream: S) -> io::Result<()>
    where
        S: AsyncRead + AsyncWrite + Send + 'static,
    {
        let (reader, writer) = tokio::io::split(stream);
        self.serve_halves(reader, writer).await
    }

    /// Serve one Unix socket connection, with the file descriptors the
    /// client sends, until the client closes it.
    pub async fn serve_unix_connection(&self, stream: UnixStream) -> io::Result<()> {
        let (reader, writer) = stream.into_split();
        self.serve_halves(reader, writer).await
    }

    async fn serve_halves<R, W>(&self, mut reader: R, writer: W) -> io::Result<()>
    where
        R: ReadMessage,
        W: AsyncWrite + Send + 'static,
    {
        let offered = self.greeting.offers(&Capability::Oob);
        let session = Session::new(offered);
        #[cfg(unix)]
        let _connected = self.dispatcher.fd_sets().connect();
        let session = Arc::new(Mutex::new(session));
        let negotiated = Arc::new(AtomicBool::new(false));
        let (replies, reply_queue) = mpsc::channel::<String>(REPLIES);
        let writing = tokio::spawn(write_loop(
            writer,
            self.greeting.to_message(),
            reply_queue,
            self.events.sender.subscribe(),
            Arc::clone(&negotiated),
        ));
        let (requests, request_queue) = mpsc::channel::<Request>(QUEUE);
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
        // Descriptors read and not yet handed to a request.
        let mut fds = Fds::default();
        let result = 'read: loop {
            let count = match reader.read_message(&mut buffer, &mut fds).await {
                Ok(0) => break Ok(()),
                Ok(count) => count,
                Err(error) => break Err(error),
            };
            streamer.feed(&buffer[..count], &mut |item| items.push(item));
            for item in items.drain(..) {
                let request = Request {
                    item,
                    fds: std::mem::take(&mut fds),
                };
                if Dispatcher::<H>::is_oob(&request.item) {
                    let action = dispatch(&self.dispatcher, &session, &negotiated, request);
                    if let Some(reply) = run(action).await {
                        if replies.send(reply).await.is_err() {
                            break 'read Ok(());
                        }
                    }
                } else if requests.send(request).await.is_err() {
                    break 'read Ok(());
                }
            }
        };
        // Like QEMU, drop the requests still queued; the one running
        // finishes.
        closed.store(true, Ordering::Release);
        drop(requests);
        let _ = in_band.await;
        drop(replies);
        let _ = writing.await;
        result
    }
}

/// File descriptors received with a message (none off Unix).
#[cfg(unix)]
type Fds = Vec<OwnedFd>;
#[cfg(not(unix))]
type Fds = ();

/// A request and the descriptors that came before it.
struct Request {
    item: Item,
    fds: Fds,
}

/// The read side of a connection: bytes, and on Unix sockets the file
/// descriptors sent with them.
trait ReadMessage: Send {
    /// Read bytes into `buffer`; descriptors that come with them replace
    /// those in `fds`, as QEMU drops the unclaimed descriptors of an
    /// earlier message.
    fn read_message(
        &mut self,
        buffer: &mut [u8],
        fds: &mut Fds,
    ) -> impl Future<Output = io::Result<usize>> + Send;
}

impl<S: AsyncRead + Send> ReadMessage for ReadHalf<S> {
    async fn read_message(&mut self, buffer: &mut [u8], _: &mut Fds) -> io::Result<usize> {
        self.read(buffer).await
    }
}

impl ReadMessage for tokio::net::unix::OwnedReadHalf {
    async fn read_message(&mut self, buffer: &mut [u8], fds: &mut Fds) -> io::Result<usize> {
        loop {
            self.readable().await?;
            let stream: &UnixStream = self.as_ref();
            match stream.try_io(tokio::io::Interest::READABLE, || {
                recv_with_fds(stream, buffer)
            }) {
                Ok((count, received)) => {
                    if !received.is_empty() {
                        *fds = received;
                    }
                    return Ok(count);
                }
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => continue,
                Err(error) => return Err(error),
            }
        }
    }
}

/// Descriptors one message may carry (the kernel's `SCM_MAX_FD`).
const MAX_FDS: usize = 253;

/// `recvmsg()` with room for descriptors, which arrive close-on-exec.
fn recv_with_fds(stream: &UnixStream, buffer: &mut [u8]) -> io::Result<(usize, Vec<OwnedFd>)> {
    use nix::sys::socket::{recvmsg, ControlMessageOwned, MsgFlags};
    use std::os::fd::{AsRawFd, FromRawFd, RawFd};
    let mut space = nix::cmsg_space!([RawFd; MAX_FDS]);
    let mut iov = [io::IoSliceMut::new(buffer)];
    let message = recvmsg::<()>(
        stream.as_raw_fd(),
        &mut iov,
        Some(&mut space),
        MsgFlags::MSG_CMSG_CLOEXEC,
    )?;
    let mut fds = Vec::new();
    for control in message.cmsgs()? {
        if let ControlMessageOwned::ScmRights(raw) = control {
            // SAFETY: the kernel installed these descriptors in this
            // process for this message; nothing else owns them.
            fds.extend(
                raw.into_iter()
                    .map(|fd| unsafe { OwnedFd::from_raw_fd(fd) }),
            );
        }
    }
    Ok((message.bytes, fds))
}

fn dispatch<H: 'static>(
    dispatcher: &Dispatcher<H>,
    session: &Mutex<Session>,
    negotiated: &AtomicBool,
    request: Request,
) -> Action {
    let mut session = session.lock().unwrap_or_else(|e| e.into_inner());
    #[cfg(unix)]
    session.connection().receive_fds(request.fds);
    let action = dispatcher.dispatch(&mut session, request.item);
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
    mut requests: mpsc::Receiver<Request>,
    replies: mpsc::Sender<String>,
    closed: Arc<AtomicBool>,
) {
    while let Some(request) = requests.recv().await {
        if closed.load(Ordering::Acquire) {
            return;
        }
        let action = dispatch(&dispatcher, &session, &negotiated, request);
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

/// Writes the greeting, then replies and, once the connection has
/// negotiated, events; before each reply, the events sent before it.
async fn write_loop<W: AsyncWrite>(
    writer: W,
    greeting: String,
    mut replies: mpsc::Receiver<String>,
    mut events: broadcast::Receiver<Arc<str>>,
    negotiated: Arc<AtomicBool>,
) -> io::Result<()> {
    enum Next {
        Reply(Option<String>),
        Event(Result<Arc<str>, broadcast::error::RecvError>),
    }
    tokio::pin!(writer);
    write_line(&mut writer, &greeting).await?;
    let mut events_open = true;
    loop {
        let next = {
            let mut event = pin!(events.recv());
            poll_fn(|cx| {
                if let Poll::Ready(reply) = replies.poll_recv(cx) {
                    return Poll::Ready(Next::Reply(reply));
                }
                if events_open {
                    if let Poll::Ready(event) = event.as_mut().poll(cx) {
                        return Poll::Ready(Next::Event(event));
                    }
                }
                Poll::Pending
            })
            .await
        };
        match next {
            Next::Reply(None) => break,
            Next::Reply(Some(reply)) => {
                while let Ok(event) = events.try_recv() {
                    if negotiated.load(Ordering::Acquire) {
                        write_line(&mut writer, &event).await?;
                    }
                }
                write_line(&mut writer, &reply).await?;
            }
            Next::Event(Ok(event)) => {
                if negotiated.load(Ordering::Acquire) {
                    write_line(&mut writer, &event).await?;
                }
            }
            Next::Event(Err(broadcast::error::RecvError::Lagged(_))) => {}
            Next::Event(Err(broadcast::error::RecvError::Closed)) => events_open = false,
        }
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
        self.send(event_message_for(self.schema, self.policy, event))
    }

    /// Send event `name` with `data` (JSON text of its data object, `None`
    /// for none), for events known only at run time; `false` when the
    /// compatibility policy hides it.  The data is not checked against the
    /// schema.
    pub fn emit_json(&self, name: &str, data: Option<&str>) -> bool {
        let data = data.map(str::to_string);
        self.send(policy_event_message(self.schema, self.policy, name, data))
    }

    fn send(&self, message: Option<String>) -> bool {
        match message {
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
