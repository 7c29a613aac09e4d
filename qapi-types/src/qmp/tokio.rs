//! An async QMP client on tokio (cargo feature `tokio`).
//!
//! A reader task sorts what arrives: replies to the command awaiting them,
//! by id; events to [`Events`].  A command writes its request itself when
//! the socket takes it at once (no task switch on the way out); what the
//! socket does not take waits in a bounded backlog that a writer task
//! sends.  Either way the request is handed over whole in one step that
//! does not wait, so a command future dropped half-way (a timeout, the
//! losing branch of `tokio::select!`) never leaves half a request on the
//! wire.  [`Client::execute`] takes
//! `&self`: share the client (`Arc<Client>`) and run any number of commands
//! at once.  When the connection fails, every pending command fails with
//! the reason, and so does every later one.

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::marker::PhantomData;
use std::path::Path;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use ::tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite};
use ::tokio::net::{TcpStream, ToSocketAddrs, UnixStream};
use ::tokio::sync::mpsc::{self, error::TrySendError};
use ::tokio::sync::oneshot;
use ::tokio::task::JoinHandle;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::error::Failure;
use super::{
    classify, decode_event, decode_returns, encode_request, negotiation, no_response, Error,
    Framer, Greeting, Incoming, Options, QmpError, ReplyId, READ_CHUNK,
};
use crate::{Command, Mode};

/// Bytes of requests waiting for the socket; beyond, a command waits before
/// adding its request.
const MAX_BACKLOG: usize = 1 << 20;

type ReplyResult = Result<Box<str>, QmpError>;

/// An async QMP client.
pub struct Client {
    shared: Arc<Shared>,
    writer: Arc<Writer>,
    events: Mutex<Option<mpsc::Receiver<Box<[u8]>>>>,
    greeting: Greeting,
    options: Options,
    tasks: [JoinHandle<()>; 2],
    /// The peer's schema, once fetched.
    pub(super) peer_schema: std::sync::OnceLock<Arc<super::PeerSchema>>,
}

/// What the client and its tasks share.
struct Shared {
    state: Mutex<State>,
    next_id: AtomicU64,
    dropped_events: AtomicU64,
}

struct State {
    /// Commands sent and not answered, by id (ordered: the oldest first).
    pending: BTreeMap<u64, Pending>,
    failure: Option<Failure>,
}

struct Pending {
    reply: oneshot::Sender<ReplyResult>,
    /// Sent with `execute`, not `exec-oob`.
    in_band: bool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // No code panics while holding the lock; recover anyway.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn register(&self, id: u64, in_band: bool) -> Result<oneshot::Receiver<ReplyResult>, Error> {
        let mut state = self.lock();
        if let Some(failure) = &state.failure {
            return Err(failure.clone().into());
        }
        let (reply, receiver) = oneshot::channel();
        state.pending.insert(id, Pending { reply, in_band });
        Ok(receiver)
    }

    fn forget(&self, id: u64) {
        self.lock().pending.remove(&id);
    }

    fn complete(&self, id: ReplyId, result: ReplyResult) {
        let mut state = self.lock();
        let pending = match id {
            ReplyId::Number(id) => state.pending.remove(&id),
            // QEMU could not read a request; it answers in order, so the
            // reply is the oldest in-band command's.
            ReplyId::Missing => {
                let oldest = state
                    .pending
                    .iter()
                    .find(|(_, pending)| pending.in_band)
                    .map(|(id, _)| *id);
                oldest.and_then(|id| state.pending.remove(&id))
            }
            ReplyId::Other => None,
        };
        drop(state);
        // No pending command: it timed out or was cancelled; discard.
        if let Some(pending) = pending {
            let _ = pending.reply.send(result);
        }
    }

    /// The connection is lost: fail every pending command (dropping their
    /// senders wakes them) and every later one.
    fn fail(&self, failure: Failure) {
        let pending = {
            let mut state = self.lock();
            state.failure.get_or_insert(failure);
            std::mem::take(&mut state.pending)
        };
        drop(pending);
    }

    /// Why the connection is lost.
    fn error(&self) -> Error {
        match &self.lock().failure {
            Some(failure) => failure.clone().into(),
            None => Error::Closed { partial: false },
        }
    }
}

/// Removes a command from the pending ones when its future ends early
/// (timeout, cancellation).
struct PendingGuard<'a> {
    shared: &'a Shared,
    id: u64,
    armed: bool,
}

impl Drop for PendingGuard<'_> {
    fn drop(&mut self) {
        if self.armed {
            self.shared.forget(self.id);
        }
    }
}

async fn with_timeout<T>(
    timeout: Option<Duration>,
    work: impl std::future::Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    match timeout {
        Some(timeout) => ::tokio::time::timeout(timeout, work)
            .await
            .unwrap_or(Err(Error::Timeout)),
        None => work.await,
    }
}

impl Client {
    /// Connect to a QMP Unix socket, read the greeting and negotiate.
    pub async fn connect_unix(path: impl AsRef<Path>, options: &Options) -> Result<Client, Error> {
        with_timeout(options.timeout, async {
            let stream = UnixStream::connect(path).await.map_err(Failure::io)?;
            let (reader, writer) = stream.into_split();
            Client::start(reader, writer, options).await
        })
        .await
    }

    /// Connect to a QMP TCP socket, read the greeting and negotiate.
    pub async fn connect_tcp(
        address: impl ToSocketAddrs,
        options: &Options,
    ) -> Result<Client, Error> {
        with_timeout(options.timeout, async {
            let stream = TcpStream::connect(address).await.map_err(Failure::io)?;
            stream.set_nodelay(true).map_err(Failure::io)?;
            let (reader, writer) = stream.into_split();
            Client::start(reader, writer, options).await
        })
        .await
    }

    /// Start a session on a connected stream: read the greeting and, unless
    /// the options say not to, negotiate the capabilities.
    pub async fn new<S>(stream: S, options: &Options) -> Result<Client, Error>
    where
        S: AsyncRead + AsyncWrite + Send + 'static,
    {
        let (reader, writer) = ::tokio::io::split(stream);
        with_timeout(options.timeout, Client::start(reader, writer, options)).await
    }

    async fn start<R, W>(reader: R, writer: W, options: &Options) -> Result<Client, Error>
    where
        R: AsyncRead + Unpin + Send + 'static,
        W: AsyncWrite + Unpin + Send + 'static,
    {
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                pending: BTreeMap::new(),
                failure: None,
            }),
            next_id: AtomicU64::new(1),
            dropped_events: AtomicU64::new(0),
        });
        let (greeting_sender, greeting) = oneshot::channel();
        let (event_sender, events) = mpsc::channel(options.event_capacity);
        let writer = Arc::new(Writer::new(Box::pin(writer)));
        let reader_task = Reader {
            shared: shared.clone(),
            greeting: Some(greeting_sender),
            events: event_sender,
        };
        let tasks = [
            ::tokio::spawn(reader_task.run(reader, options.max_message)),
            ::tokio::spawn(write_backlog(writer.clone(), shared.clone())),
        ];
        let mut client = Client {
            shared,
            writer,
            events: Mutex::new(Some(events)),
            greeting: Greeting::default(),
            options: options.clone(),
            tasks,
            peer_schema: std::sync::OnceLock::new(),
        };
        if options.greeting {
            client.greeting = greeting.await.map_err(|_| client.shared.error())?;
        }
        if options.negotiate {
            client
                .call("qmp_capabilities", &negotiation(options), false)
                .await?;
        }
        Ok(client)
    }
}

impl Client {
    /// The server's greeting.
    pub fn greeting(&self) -> &Greeting {
        &self.greeting
    }

    /// Run a command and decode its reply.
    pub async fn execute<C: Command>(&self, command: &C) -> Result<C::Returns, Error> {
        self.run(command, false).await
    }

    /// Run a command out of band (`exec-oob`; needs the `oob` capability,
    /// see [`Options::oob`]).
    pub async fn execute_oob<C: Command>(&self, command: &C) -> Result<C::Returns, Error> {
        self.run(command, true).await
    }

    /// Run a command named at run time, with any serializable arguments;
    /// the reply's `return` member as JSON text.
    pub async fn execute_raw<A: Serialize + ?Sized>(
        &self,
        command: &str,
        arguments: &A,
        oob: bool,
    ) -> Result<Box<str>, Error> {
        self.call(command, arguments, oob).await
    }

    /// The events, from the moment the client connected; `None` if they
    /// were taken already.  Until they are taken (and while they are not
    /// read), at most [`Options::event_capacity`] are kept and later ones
    /// are dropped.
    pub fn events<E: DeserializeOwned>(&self) -> Option<Events<E>> {
        let receiver = self
            .events
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take()?;
        Some(Events {
            receiver,
            shared: self.shared.clone(),
            mode: self.options.mode,
            _event: PhantomData,
        })
    }

    /// The reason the connection is lost, if it is.
    pub fn failure(&self) -> Option<Error> {
        let failure = self.shared.lock().failure.clone();
        failure.map(Error::from)
    }

    /// How many commands are waiting for their reply.
    pub fn pending(&self) -> usize {
        self.shared.lock().pending.len()
    }

    async fn run<C: Command>(&self, command: &C, oob: bool) -> Result<C::Returns, Error> {
        if self.options.check_commands {
            self.require_command(C::NAME).await?;
        }
        if !C::SUCCESS_RESPONSE {
            // Nothing will answer (unless the command fails, and then the
            // error reply is discarded).
            let id = self.shared.next_id.fetch_add(1, Ordering::Relaxed);
            let bytes = encode_request(C::NAME, command, oob, id)?;
            with_timeout(self.options.timeout, self.submit(&bytes)).await?;
            return no_response::<C>(self.options.mode);
        }
        let text = self.call(C::NAME, command, oob).await?;
        decode_returns::<C>(&text, self.options.mode)
    }

    async fn call<A: Serialize + ?Sized>(
        &self,
        command: &str,
        arguments: &A,
        oob: bool,
    ) -> Result<Box<str>, Error> {
        let id = self.shared.next_id.fetch_add(1, Ordering::Relaxed);
        let bytes = encode_request(command, arguments, oob, id)?;
        let reply = self.shared.register(id, !oob)?;
        let mut guard = PendingGuard {
            shared: &self.shared,
            id,
            armed: true,
        };
        let exchange = async {
            self.submit(&bytes).await?;
            match reply.await {
                Ok(result) => {
                    guard.armed = false;
                    result.map_err(Error::Qmp)
                }
                // The connection failed: the reader dropped the sender.
                Err(_) => Err(self.shared.error()),
            }
        };
        with_timeout(self.options.timeout, exchange).await
    }
}

impl Client {
    /// Hand a request to the connection.
    async fn submit(&self, bytes: &[u8]) -> Result<(), Error> {
        let submitted = std::future::poll_fn(|cx| self.writer.poll_submit(cx, bytes)).await;
        if let Err(error) = submitted {
            self.shared.fail(Failure::io(error));
            return Err(self.shared.error());
        }
        Ok(())
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let state = self.shared.lock();
        f.debug_struct("Client")
            .field("greeting", &self.greeting)
            .field("pending", &state.pending.len())
            .field("failure", &state.failure)
            .finish_non_exhaustive()
    }
}

/// The events of a client's connection, decoded as `E` (usually the
/// generated `events::Event`).  [`Events::recv`] is cancel-safe: use it in
/// `tokio::select!`.
pub struct Events<E> {
    receiver: mpsc::Receiver<Box<[u8]>>,
    shared: Arc<Shared>,
    mode: Mode,
    _event: PhantomData<fn() -> E>,
}

impl<E: DeserializeOwned> Events<E> {
    /// The next event; `None` once the connection is lost (or the client
    /// dropped) and the events received before are read.  An event that
    /// does not decode as `E` is an [`Error::Decode`]; the stream goes on.
    pub async fn recv(&mut self) -> Option<Result<E, Error>> {
        let event = self.receiver.recv().await?;
        Some(decode_event(&event, self.mode))
    }

    /// The next event if one is there, without waiting.
    pub fn try_recv(&mut self) -> Option<Result<E, Error>> {
        let event = self.receiver.try_recv().ok()?;
        Some(decode_event(&event, self.mode))
    }

    /// How many events were dropped because too many were waiting.
    pub fn dropped(&self) -> u64 {
        self.shared.dropped_events.load(Ordering::Relaxed)
    }
}

impl<E> fmt::Debug for Events<E> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.debug_struct("Events")
            .field("waiting", &self.receiver.len())
            .finish_non_exhaustive()
    }
}

/// The reader task: sorts what the server sends.
struct Reader {
    shared: Arc<Shared>,
    greeting: Option<oneshot::Sender<Greeting>>,
    events: mpsc::Sender<Box<[u8]>>,
}

impl Reader {
    async fn run<R: AsyncRead + Unpin>(mut self, mut stream: R, max_message: usize) {
        let mut framer = Framer::new(max_message);
        let mut chunk = vec![0; READ_CHUNK];
        let failure = loop {
            let count = match stream.read(&mut chunk).await {
                Ok(0) => {
                    break Failure::Closed {
                        partial: framer.has_partial(),
                    }
                }
                Ok(count) => count,
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(error) => break Failure::io(error),
            };
            framer.push(&chunk[..count]);
            if let Err(failure) = self.sort_messages(&mut framer) {
                break failure;
            }
        };
        self.shared.fail(failure);
    }

    fn sort_messages(&mut self, framer: &mut Framer) -> Result<(), Failure> {
        while let Some(message) = framer.next_message()? {
            match classify(message)? {
                Incoming::Greeting(greeting) => match self.greeting.take() {
                    Some(sender) => {
                        let _ = sender.send(greeting);
                    }
                    None => return Err(Failure::protocol("a second greeting")),
                },
                Incoming::Reply { id, result } => self.shared.complete(id, result),
                Incoming::Event(event) => {
                    if let Err(TrySendError::Full(_)) = self.events.try_send(event) {
                        self.shared.dropped_events.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }
        Ok(())
    }
}

/// The sending side of the connection.
struct Writer {
    state: Mutex<WriterState>,
}

struct WriterState {
    stream: Pin<Box<dyn AsyncWrite + Send>>,
    /// Requests (or their ends) the socket did not take yet; the first
    /// `written` bytes are sent.
    backlog: Vec<u8>,
    written: usize,
    /// Bytes were written and not flushed.
    flush: bool,
    /// The writer task, waiting for a backlog.
    task: Option<Waker>,
    /// Commands waiting for room in the backlog.
    waiting: Vec<Waker>,
    failed: bool,
}

impl Writer {
    fn new(stream: Pin<Box<dyn AsyncWrite + Send>>) -> Writer {
        Writer {
            state: Mutex::new(WriterState {
                stream,
                backlog: Vec::new(),
                written: 0,
                flush: false,
                task: None,
                waiting: Vec::new(),
                failed: false,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, WriterState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Take a whole request: write it now if the socket takes it and
    /// nothing waits before it, else add what remains to the backlog;
    /// pending while the backlog is full.  It never stops half-way.
    fn poll_submit(&self, cx: &mut Context<'_>, request: &[u8]) -> Poll<io::Result<()>> {
        let mut guard = self.lock();
        let state = &mut *guard;
        if state.failed {
            return Poll::Ready(Err(io::ErrorKind::BrokenPipe.into()));
        }
        let unsent = state.backlog.len() - state.written;
        let mut rest = request;
        if unsent == 0 {
            state.backlog.clear();
            state.written = 0;
            match state.stream.as_mut().poll_write(cx, request) {
                Poll::Ready(Ok(count)) => rest = &request[count.min(request.len())..],
                Poll::Ready(Err(error)) => return Poll::Ready(Err(state.fail(error))),
                Poll::Pending => {}
            }
            if rest.is_empty() {
                match state.stream.as_mut().poll_flush(cx) {
                    Poll::Ready(Ok(())) => return Poll::Ready(Ok(())),
                    Poll::Ready(Err(error)) => return Poll::Ready(Err(state.fail(error))),
                    Poll::Pending => {}
                }
            }
        } else if unsent > MAX_BACKLOG {
            state.waiting.push(cx.waker().clone());
            return Poll::Pending;
        }
        state.backlog.extend_from_slice(rest);
        state.flush = true;
        if let Some(task) = state.task.take() {
            task.wake();
        }
        Poll::Ready(Ok(()))
    }

    /// The writer task's work: send the backlog as the socket takes it.
    /// Ready only when writing failed.
    fn poll_drain(&self, cx: &mut Context<'_>) -> Poll<io::Error> {
        let mut guard = self.lock();
        let state = &mut *guard;
        while state.written < state.backlog.len() {
            let unsent = &state.backlog[state.written..];
            match state.stream.as_mut().poll_write(cx, unsent) {
                Poll::Ready(Ok(0)) => {
                    return Poll::Ready(state.fail(io::ErrorKind::WriteZero.into()))
                }
                Poll::Ready(Ok(count)) => state.written += count,
                Poll::Ready(Err(error)) => return Poll::Ready(state.fail(error)),
                Poll::Pending => return Poll::Pending,
            }
        }
        state.backlog.clear();
        state.written = 0;
        if state.flush {
            match state.stream.as_mut().poll_flush(cx) {
                Poll::Ready(Ok(())) => state.flush = false,
                Poll::Ready(Err(error)) => return Poll::Ready(state.fail(error)),
                Poll::Pending => return Poll::Pending,
            }
        }
        for waker in state.waiting.drain(..) {
            waker.wake();
        }
        state.task = Some(cx.waker().clone());
        Poll::Pending
    }
}

impl WriterState {
    fn fail(&mut self, error: io::Error) -> io::Error {
        self.failed = true;
        for waker in self.waiting.drain(..) {
            waker.wake();
        }
        error
    }
}

/// The writer task.
async fn write_backlog(writer: Arc<Writer>, shared: Arc<Shared>) {
    let error = std::future::poll_fn(|cx| writer.poll_drain(cx)).await;
    shared.fail(Failure::io(error));
}
