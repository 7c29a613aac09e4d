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
//!
//! On a Unix socket, a command can carry file descriptors
//! ([`Client::execute_with_fds`]): they ride on the first byte of that
//! command's request, also when other commands are sent at the same time.
//! Any number of event streams can be taken ([`Client::subscribe`]), each
//! with the events it names.

use std::any::Any;
use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::future::Future;
use std::io;
use std::marker::PhantomData;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::Path;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{ready, Context, Poll, Waker};
use std::time::Duration;

use ::tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, Interest};
use ::tokio::net::unix::OwnedWriteHalf;
use ::tokio::net::{TcpStream, ToSocketAddrs, UnixListener, UnixStream};
use ::tokio::sync::mpsc::{self, error::TrySendError};
use ::tokio::sync::{oneshot, watch};
use ::tokio::task::JoinHandle;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use super::agent;
use super::client::{job, Retry, SessionTimeout};
use super::error::Failure;
use super::{
    classify, decode_event, decode_returns, encode_request, fds, negotiation, no_response, Error,
    Framer, Greeting, Incoming, Options, QmpError, ReplyId, READ_CHUNK,
};
use crate::{Command, Mode};

pub use super::agent::tokio::Agent;

/// Bytes of requests waiting for the socket; beyond, a command waits before
/// adding its request.
const MAX_BACKLOG: usize = 1 << 20;

type ReplyResult = Result<Box<str>, Error>;

/// An async QMP client.
pub struct Client {
    shared: Arc<Shared>,
    writer: Arc<Writer>,
    /// The events since the connection started, until [`Client::events`]
    /// takes them.
    events: Mutex<Option<Events<Value>>>,
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
    subscribers: Mutex<Vec<Subscriber>>,
    /// True once the reader has read the last byte of the connection.
    reader_done: watch::Sender<bool>,
    /// A guest agent's stream: discard what comes up to its sentinel
    /// before framing the next bytes.
    resync_requested: AtomicBool,
    /// A guest agent's stream was garbled since the last sync.
    desynced: AtomicBool,
}

/// An event stream: the events named (`None`: all) go to `sender`.
struct Subscriber {
    names: Option<Box<[Box<str>]>>,
    sender: mpsc::Sender<Arc<[u8]>>,
    dropped: Arc<AtomicU64>,
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

/// Lock a mutex; no code panics while holding one, but recover anyway.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    /// A new event stream, with room for `capacity` unread events.
    fn subscribe<E>(self: &Arc<Self>, names: &[&str], capacity: usize, mode: Mode) -> Events<E> {
        let (sender, receiver) = mpsc::channel(capacity);
        let dropped = Arc::new(AtomicU64::new(0));
        let names = (!names.is_empty()).then(|| names.iter().map(|&name| name.into()).collect());
        lock(&self.subscribers).push(Subscriber {
            names,
            sender,
            dropped: dropped.clone(),
        });
        Events {
            receiver,
            dropped,
            shared: self.clone(),
            mode,
            _event: PhantomData,
        }
    }

    /// Hand an event to the streams that want it; forget the streams
    /// dropped.
    fn publish(&self, name: &str, message: Box<[u8]>) {
        let message: Arc<[u8]> = message.into();
        lock(&self.subscribers).retain(|subscriber| {
            let wanted = subscriber
                .names
                .as_ref()
                .map_or(true, |names| names.iter().any(|wanted| **wanted == *name));
            if !wanted {
                return !subscriber.sender.is_closed();
            }
            match subscriber.sender.try_send(message.clone()) {
                Ok(()) => true,
                Err(TrySendError::Full(_)) => {
                    subscriber.dropped.fetch_add(1, Ordering::Relaxed);
                    true
                }
                Err(TrySendError::Closed(_)) => false,
            }
        });
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

    fn complete(&self, id: ReplyId, result: Result<Box<str>, QmpError>) {
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
            let _ = pending.reply.send(result.map_err(Error::Qmp));
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

    /// A guest agent's stream is garbled: fail the pending commands with
    /// `failure`; later ones go on (after a sync).
    fn fail_pending(&self, failure: &Failure) {
        let pending = std::mem::take(&mut self.lock().pending);
        for (_, pending) in pending {
            let _ = pending.reply.send(Err(failure.clone().into()));
        }
        self.desynced.store(true, Ordering::Release);
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

/// Run `attempt` until it succeeds or [`Options::connect_retry`] gives up.
pub(crate) async fn retrying<T, F, Attempt>(options: &Options, mut attempt: F) -> Result<T, Error>
where
    T: SessionTimeout,
    F: FnMut(Options) -> Attempt,
    Attempt: Future<Output = Result<T, Error>>,
{
    let mut retry = Retry::new(options);
    loop {
        match attempt(retry.attempt(options)).await {
            Ok(mut connected) => {
                connected.restore_timeout(options.timeout)?;
                return Ok(connected);
            }
            Err(error) => ::tokio::time::sleep(retry.failed(error)?).await,
        }
    }
}

impl SessionTimeout for Client {
    fn restore_timeout(&mut self, timeout: Option<Duration>) -> Result<(), Error> {
        self.options.timeout = timeout;
        Ok(())
    }
}

impl Client {
    /// Connect to a QMP Unix socket, read the greeting and negotiate
    /// (again and again until [`Options::connect_retry`] gives up, if set).
    pub async fn connect_unix(path: impl AsRef<Path>, options: &Options) -> Result<Client, Error> {
        let path = path.as_ref();
        retrying(options, |options| async move {
            with_timeout(options.timeout, async {
                let stream = UnixStream::connect(path).await.map_err(Failure::io)?;
                Client::start_unix(stream, &options).await
            })
            .await
        })
        .await
    }

    /// Wait for a peer to connect to `listener`, at most
    /// [`Options::timeout`], then start the session: the manager listens
    /// and QEMU connects (`-qmp unix:PATH,server=off`).
    pub async fn accept(listener: &UnixListener, options: &Options) -> Result<Client, Error> {
        let accepted = match options.timeout {
            Some(timeout) => ::tokio::time::timeout(timeout, listener.accept())
                .await
                .map_err(|_| Error::WaitTimeout {
                    what: "connection to the listening socket".into(),
                    waited: timeout,
                })?,
            None => listener.accept().await,
        };
        let (stream, _) = accepted.map_err(Failure::io)?;
        with_timeout(options.timeout, Client::start_unix(stream, options)).await
    }

    /// Connect to a QMP TCP socket, read the greeting and negotiate
    /// (again and again until [`Options::connect_retry`] gives up, if set).
    pub async fn connect_tcp(
        address: impl ToSocketAddrs,
        options: &Options,
    ) -> Result<Client, Error> {
        let addresses: Vec<_> = ::tokio::net::lookup_host(address)
            .await
            .map_err(Failure::io)?
            .collect();
        let addresses = &addresses[..];
        retrying(options, |options| async move {
            with_timeout(options.timeout, async {
                let stream = TcpStream::connect(addresses).await.map_err(Failure::io)?;
                stream.set_nodelay(true).map_err(Failure::io)?;
                let (reader, writer) = stream.into_split();
                Client::start(reader, Sink::Other(Box::pin(writer), "TCP"), &options).await
            })
            .await
        })
        .await
    }

    /// Start a session on a connected stream: read the greeting and, unless
    /// the options say not to, negotiate the capabilities.  A
    /// `tokio::net::UnixStream` can pass file descriptors
    /// ([`Client::execute_with_fds`]); other streams cannot.
    pub async fn new<S>(stream: S, options: &Options) -> Result<Client, Error>
    where
        S: AsyncRead + AsyncWrite + Send + 'static,
    {
        let mut stream = Some(stream);
        let unix = (&mut stream as &mut dyn Any)
            .downcast_mut::<Option<UnixStream>>()
            .and_then(Option::take);
        let start = async {
            match (unix, stream) {
                (Some(unix), _) => Client::start_unix(unix, options).await,
                (None, Some(stream)) => {
                    let (reader, writer) = ::tokio::io::split(stream);
                    let transport = std::any::type_name::<S>();
                    Client::start(reader, Sink::Other(Box::pin(writer), transport), options).await
                }
                (None, None) => Err(Error::Protocol("no stream to start a session on".into())),
            }
        };
        with_timeout(options.timeout, start).await
    }

    async fn start_unix(stream: UnixStream, options: &Options) -> Result<Client, Error> {
        let (reader, writer) = stream.into_split();
        Client::start(reader, Sink::Unix(writer), options).await
    }

    async fn start<R>(reader: R, sink: Sink, options: &Options) -> Result<Client, Error>
    where
        R: AsyncRead + Unpin + Send + 'static,
    {
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                pending: BTreeMap::new(),
                failure: None,
            }),
            next_id: AtomicU64::new(1),
            subscribers: Mutex::new(Vec::new()),
            reader_done: watch::Sender::new(false),
            resync_requested: AtomicBool::new(false),
            desynced: AtomicBool::new(false),
        });
        let (greeting_sender, greeting) = oneshot::channel();
        // Subscribed before anything is read: no event is missed.
        let events = shared.subscribe(&[], options.event_capacity, options.mode);
        let writer = Arc::new(Writer::new(sink));
        let reader_task = Reader {
            shared: shared.clone(),
            greeting: Some(greeting_sender),
            agent: options.agent,
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
                .call(b"", "qmp_capabilities", &negotiation(options), false, None)
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
        self.run(command, false, None).await
    }

    /// Run a command out of band (`exec-oob`; needs the `oob` capability,
    /// see [`Options::oob`]).
    pub async fn execute_oob<C: Command>(&self, command: &C) -> Result<C::Returns, Error> {
        self.run(command, true, None).await
    }

    /// Run a command with file descriptors attached to its request
    /// (`SCM_RIGHTS` on the request's first byte, also when other
    /// commands are sent at the same time), as `getfd` and `add-fd` want
    /// them; QEMU keeps its own copies, the caller keeps theirs.  Only on a
    /// Unix socket: elsewhere [`Error::FdsUnsupported`], nothing sent.
    pub async fn execute_with_fds<C: Command>(
        &self,
        command: &C,
        fds: &[BorrowedFd<'_>],
    ) -> Result<C::Returns, Error> {
        if let Some(transport) = self.writer.lacks_fd_passing() {
            return Err(fds::unsupported(transport));
        }
        // Owned copies: the request may wait in the backlog after this
        // call's borrow ends (a cancelled command is still sent whole).
        let owned = fds
            .iter()
            .map(|fd| fd.try_clone_to_owned())
            .collect::<io::Result<Vec<OwnedFd>>>()
            .map_err(|error| Error::Io(Arc::new(error)))?;
        self.run(command, false, Some(owned)).await
    }

    /// Run a command named at run time, with any serializable arguments;
    /// the reply's `return` member as JSON text.
    pub async fn execute_raw<A: Serialize + ?Sized>(
        &self,
        command: &str,
        arguments: &A,
        oob: bool,
    ) -> Result<Box<str>, Error> {
        self.call(b"", command, arguments, oob, None).await
    }

    /// The events, from the moment the client connected; `None` if they
    /// were taken already.  Until they are taken (and while they are not
    /// read), at most [`Options::event_capacity`] are kept and later ones
    /// are dropped.
    pub fn events<E: DeserializeOwned>(&self) -> Option<Events<E>> {
        let events = lock(&self.events).take()?;
        Some(Events {
            receiver: events.receiver,
            dropped: events.dropped,
            shared: events.shared,
            mode: events.mode,
            _event: PhantomData,
        })
    }

    /// A new stream of the events named in `names` (all events if it is
    /// empty), from now on, decoded as `E`.  Any number of streams can be
    /// taken; each keeps at most [`Options::event_capacity`] unread events
    /// (later ones are dropped and counted, [`Events::dropped`]).  Take it
    /// before the command that causes the event, so the event is not
    /// missed.
    ///
    /// ```no_run
    /// # async fn f(client: &qapi_types::qmp::tokio::Client) -> Result<(), qapi_types::qmp::Error> {
    /// # use std::time::Duration;
    /// let mut deleted = client.subscribe::<serde_json::Value>(&["DEVICE_DELETED"]);
    /// // ... device_del, system_reset ...
    /// let event = deleted
    ///     .wait_for(|event| event["data"]["device"] == "disk1", Duration::from_secs(10))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn subscribe<E: DeserializeOwned>(&self, names: &[&str]) -> Events<E> {
        self.shared
            .subscribe(names, self.options.event_capacity, self.options.mode)
    }

    /// Run a block job to its end: run `start` (`blockdev-backup`,
    /// `blockdev-mirror`, ... with `job-id` `job_id` and `auto-dismiss`
    /// false), wait at most `timeout` for `JOB_STATUS_CHANGE` to
    /// `concluded`, read the job's error with `query-jobs`, and dismiss
    /// the job (`job-dismiss`).  A job that failed is [`Error::Job`] with
    /// QEMU's message.
    pub async fn run_job<C: Command>(
        &self,
        start: &C,
        job_id: &str,
        timeout: Duration,
    ) -> Result<(), Error> {
        let mut changes = self.subscribe::<Value>(&[job::STATUS_CHANGE]);
        self.execute(start).await?;
        let what = format!("{} of job {job_id} to concluded", job::STATUS_CHANGE);
        changes
            .wait_for_described(&what, |event| job::concluded(event, job_id), timeout)
            .await?;
        let jobs = self.execute_raw(job::QUERY, &(), false).await?;
        let error = job::error_of(&jobs, job_id)?;
        self.execute_raw(job::DISMISS, &job::dismiss_arguments(job_id), false)
            .await?;
        match error {
            Some(desc) => Err(Error::Job {
                id: job_id.to_string(),
                desc,
            }),
            None => Ok(()),
        }
    }

    /// Wait at most `timeout` for the peer to close the connection, and
    /// for the events it sent before to be handed out: after `quit`,
    /// QEMU's `SHUTDOWN` event, then the end.  `Ok` when it closed between
    /// two messages, whatever the kernel reported (end of file,
    /// `ECONNRESET`, `EPIPE`); the error if the connection failed
    /// otherwise; [`Error::WaitTimeout`] if it stays open.  Every later
    /// command fails with [`Error::Closed`].
    pub async fn wait_closed(&self, timeout: Duration) -> Result<(), Error> {
        let mut done = self.shared.reader_done.subscribe();
        ::tokio::time::timeout(timeout, done.wait_for(|done| *done))
            .await
            .map_err(|_| Error::WaitTimeout {
                what: "close of the connection by the peer".into(),
                waited: timeout,
            })?
            // The reader's sender lives in `shared`, as long as `self`.
            .map_err(|_| self.shared.error())?;
        match self.shared.error() {
            Error::Closed { partial: false } => Ok(()),
            error => Err(error),
        }
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

    /// Discard what the guest agent sends up to its next sentinel
    /// (`0xFF`, before the reply to `guest-sync-delimited`).
    pub(crate) fn request_resync(&self) {
        self.shared.desynced.store(false, Ordering::Release);
        self.shared.resync_requested.store(true, Ordering::Release);
    }

    /// Whether the guest agent's stream was garbled since the last
    /// [`Client::request_resync`].
    pub(crate) fn is_desynced(&self) -> bool {
        self.shared.desynced.load(Ordering::Acquire)
    }

    async fn run<C: Command>(
        &self,
        command: &C,
        oob: bool,
        fds: Option<Vec<OwnedFd>>,
    ) -> Result<C::Returns, Error> {
        if self.options.check_commands {
            self.require_command(C::NAME).await?;
        }
        if !C::SUCCESS_RESPONSE {
            // Nothing will answer (unless the command fails, and then the
            // error reply is discarded).
            let id = self.shared.next_id.fetch_add(1, Ordering::Relaxed);
            let bytes = encode_request(C::NAME, command, oob, id)?;
            with_timeout(self.options.timeout, self.submit(&bytes, fds)).await?;
            return no_response::<C>(self.options.mode);
        }
        let text = self.call(b"", C::NAME, command, oob, fds).await?;
        decode_returns::<C>(&text, self.options.mode)
    }

    /// Send a request (after the bytes `prefix`, for a guest agent's
    /// `0xFF`) and wait for its reply.
    pub(crate) async fn call<A: Serialize + ?Sized>(
        &self,
        prefix: &[u8],
        command: &str,
        arguments: &A,
        oob: bool,
        fds: Option<Vec<OwnedFd>>,
    ) -> Result<Box<str>, Error> {
        let id = self.shared.next_id.fetch_add(1, Ordering::Relaxed);
        let mut bytes = prefix.to_vec();
        bytes.extend(encode_request(command, arguments, oob, id)?);
        let reply = self.shared.register(id, !oob)?;
        let mut guard = PendingGuard {
            shared: &self.shared,
            id,
            armed: true,
        };
        let exchange = async {
            self.submit(&bytes, fds).await?;
            match reply.await {
                Ok(result) => {
                    guard.armed = false;
                    result
                }
                // The connection failed: the reader dropped the sender.
                Err(_) => Err(self.shared.error()),
            }
        };
        with_timeout(self.options.timeout, exchange).await
    }
}

impl Client {
    /// Hand a request to the connection, `fds` attached to its first byte.
    async fn submit(&self, bytes: &[u8], fds: Option<Vec<OwnedFd>>) -> Result<(), Error> {
        let mut fds = fds.filter(|fds| !fds.is_empty());
        let submitted =
            std::future::poll_fn(|cx| self.writer.poll_submit(cx, bytes, &mut fds)).await;
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
        // The event streams end (their senders are shared, not the
        // reader's alone).
        lock(&self.shared.subscribers).clear();
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
    receiver: mpsc::Receiver<Arc<[u8]>>,
    dropped: Arc<AtomicU64>,
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

    /// Wait at most `timeout` for the first event for which `predicate` is
    /// true ([`Error::WaitTimeout`] then); the events before it are read
    /// and dropped.  An event that does not decode as `E` ends the wait
    /// with its error; the connection's end, with why it ended.
    pub async fn wait_for(
        &mut self,
        predicate: impl FnMut(&E) -> bool,
        timeout: Duration,
    ) -> Result<E, Error> {
        self.wait_for_described("matching event", predicate, timeout)
            .await
    }

    async fn wait_for_described(
        &mut self,
        what: &str,
        mut predicate: impl FnMut(&E) -> bool,
        timeout: Duration,
    ) -> Result<E, Error> {
        let wait = async {
            loop {
                match self.recv().await {
                    Some(Ok(event)) if !predicate(&event) => {}
                    Some(found) => return found,
                    None => return Err(self.shared.error()),
                }
            }
        };
        ::tokio::time::timeout(timeout, wait)
            .await
            .unwrap_or_else(|_| {
                Err(Error::WaitTimeout {
                    what: what.to_string(),
                    waited: timeout,
                })
            })
    }

    /// How many events were dropped because too many were waiting.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
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
    /// A guest agent: a garbled stream fails the pending commands and is
    /// resynchronised, not lost.
    agent: bool,
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
                Err(error) => break Failure::read(error, framer.has_partial()),
            };
            // Checked before the bytes are framed: the sentinel is sent only
            // in answer to a sync requested before.
            if self.shared.resync_requested.swap(false, Ordering::AcqRel) {
                framer.resync(agent::SENTINEL);
            }
            framer.push(&chunk[..count]);
            match self.sort_messages(&mut framer) {
                Ok(()) => {}
                Err(failure @ Failure::Protocol(_)) if self.agent => {
                    self.shared.fail_pending(&failure);
                    framer.resync(agent::SENTINEL);
                }
                Err(failure) => break failure,
            }
        };
        self.shared.fail(failure);
        self.shared.reader_done.send_replace(true);
        // The event streams end: the last events are read, then `None`.
        lock(&self.shared.subscribers).clear();
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
                Incoming::Event { name, message } => self.shared.publish(&name, message),
            }
        }
        Ok(())
    }
}

/// Where requests are written: a Unix socket, which can pass file
/// descriptors, or any other stream (named for errors).
enum Sink {
    Unix(OwnedWriteHalf),
    Other(Pin<Box<dyn AsyncWrite + Send>>, &'static str),
}

impl Sink {
    fn poll_write(&mut self, cx: &mut Context<'_>, bytes: &[u8]) -> Poll<io::Result<usize>> {
        match self {
            Sink::Unix(half) => Pin::new(half).poll_write(cx, bytes),
            Sink::Other(stream, _) => stream.as_mut().poll_write(cx, bytes),
        }
    }

    fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self {
            Sink::Unix(half) => Pin::new(half).poll_flush(cx),
            Sink::Other(stream, _) => stream.as_mut().poll_flush(cx),
        }
    }

    /// Write the start of `bytes` with `fds` attached, in one `sendmsg`.
    fn poll_send_with_fds(
        &mut self,
        cx: &mut Context<'_>,
        bytes: &[u8],
        fds: &[OwnedFd],
    ) -> Poll<io::Result<usize>> {
        let Sink::Unix(half) = self else {
            return Poll::Ready(Err(io::ErrorKind::Unsupported.into()));
        };
        let socket: &UnixStream = half.as_ref();
        let fds: Vec<BorrowedFd<'_>> = fds.iter().map(AsFd::as_fd).collect();
        loop {
            ready!(socket.poll_write_ready(cx))?;
            let sent = socket.try_io(Interest::WRITABLE, || {
                fds::send_with_fds(socket.as_fd(), bytes, &fds)
            });
            match sent {
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => {}
                sent => return Poll::Ready(sent),
            }
        }
    }
}

/// The sending side of the connection.
struct Writer {
    state: Mutex<WriterState>,
    /// The connection's name when it cannot pass file descriptors.
    lacks_fd_passing: Option<&'static str>,
}

struct WriterState {
    sink: Sink,
    /// Requests (or their ends) the socket did not take yet; the first
    /// `written` bytes are sent.
    backlog: Vec<u8>,
    written: usize,
    /// File descriptors to attach to the backlog's byte at each offset (the
    /// first byte of a request), in order.
    fd_marks: VecDeque<(usize, Vec<OwnedFd>)>,
    /// Bytes were written and not flushed.
    flush: bool,
    /// The writer task, waiting for a backlog.
    task: Option<Waker>,
    /// Commands waiting for room in the backlog.
    waiting: Vec<Waker>,
    failed: bool,
}

impl Writer {
    fn new(sink: Sink) -> Writer {
        let lacks_fd_passing = match &sink {
            Sink::Unix(_) => None,
            Sink::Other(_, transport) => Some(*transport),
        };
        Writer {
            state: Mutex::new(WriterState {
                sink,
                backlog: Vec::new(),
                written: 0,
                fd_marks: VecDeque::new(),
                flush: false,
                task: None,
                waiting: Vec::new(),
                failed: false,
            }),
            lacks_fd_passing,
        }
    }

    fn lock(&self) -> MutexGuard<'_, WriterState> {
        lock(&self.state)
    }

    fn lacks_fd_passing(&self) -> Option<&'static str> {
        self.lacks_fd_passing
    }

    /// Take a whole request, `fds` (taken once sent or queued) attached to
    /// its first byte: write it now if the socket takes it and nothing
    /// waits before it, else add what remains to the backlog; pending
    /// while the backlog is full.  It never stops half-way.
    fn poll_submit(
        &self,
        cx: &mut Context<'_>,
        request: &[u8],
        fds: &mut Option<Vec<OwnedFd>>,
    ) -> Poll<io::Result<()>> {
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
            let sent = match fds.as_deref() {
                Some(fds) => state.sink.poll_send_with_fds(cx, request, fds),
                None => state.sink.poll_write(cx, request),
            };
            match sent {
                Poll::Ready(Ok(count)) => {
                    rest = &request[count.min(request.len())..];
                    // The descriptors went with the first byte.
                    *fds = None;
                }
                Poll::Ready(Err(error)) => return Poll::Ready(Err(state.fail(error))),
                Poll::Pending => {}
            }
            if rest.is_empty() {
                match state.sink.poll_flush(cx) {
                    Poll::Ready(Ok(())) => return Poll::Ready(Ok(())),
                    Poll::Ready(Err(error)) => return Poll::Ready(Err(state.fail(error))),
                    Poll::Pending => {}
                }
            }
        } else if unsent > MAX_BACKLOG {
            state.waiting.push(cx.waker().clone());
            return Poll::Pending;
        }
        if let Some(fds) = fds.take() {
            state.fd_marks.push_back((state.backlog.len(), fds));
        }
        state.backlog.extend_from_slice(rest);
        state.flush = true;
        if let Some(task) = state.task.take() {
            task.wake();
        }
        Poll::Ready(Ok(()))
    }

    /// The writer task's work: send the backlog as the socket takes it,
    /// each request's descriptors with its first byte.  Ready only when
    /// writing failed.
    fn poll_drain(&self, cx: &mut Context<'_>) -> Poll<io::Error> {
        let mut guard = self.lock();
        let state = &mut *guard;
        while state.written < state.backlog.len() {
            let written = state.written;
            // A plain write stops before the next request with descriptors.
            let next_mark = state
                .fd_marks
                .iter()
                .map(|(at, _)| *at)
                .find(|at| *at > written)
                .unwrap_or(state.backlog.len());
            let unsent = &state.backlog[written..next_mark];
            let with_fds = state.fd_marks.front().filter(|(at, _)| *at == written);
            let sent = match with_fds {
                Some((_, fds)) => state.sink.poll_send_with_fds(cx, unsent, fds),
                None => state.sink.poll_write(cx, unsent),
            };
            match sent {
                Poll::Ready(Ok(0)) => {
                    return Poll::Ready(state.fail(io::ErrorKind::WriteZero.into()))
                }
                Poll::Ready(Ok(count)) => {
                    if with_fds.is_some() {
                        state.fd_marks.pop_front();
                    }
                    state.written += count;
                }
                Poll::Ready(Err(error)) => return Poll::Ready(state.fail(error)),
                Poll::Pending => return Poll::Pending,
            }
        }
        state.backlog.clear();
        state.written = 0;
        if state.flush {
            match state.sink.poll_flush(cx) {
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
        self.fd_marks.clear();
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
