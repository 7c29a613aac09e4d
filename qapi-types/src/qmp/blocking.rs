//! A blocking QMP client over std's Unix and TCP streams.
//!
//! One thread drives the connection: [`Client::execute`] sends a command
//! and reads until its reply arrives, keeping the events and other replies
//! that come first.  Several commands can be in flight: [`Client::send`]
//! returns a [`Ticket`] per command, [`Client::receive`] waits for the
//! reply of one, in any order.
//!
//! What a VM manager needs besides: connecting while QEMU starts
//! ([`Options::connect_retry`]) or accepting QEMU's connection
//! ([`Client::accept`]); commands with file descriptors
//! ([`Client::execute_with_fds`], for `getfd` and `add-fd`); waiting for
//! an event ([`Client::wait_for`]); a block job run to its end
//! ([`Client::run_job`]); and the end of the connection when QEMU quits
//! ([`Client::wait_closed`]).

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io::{self, Read, Write};
use std::marker::PhantomData;
use std::net::{TcpStream, ToSocketAddrs};
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use super::client::{job, Retry, SessionTimeout};
use super::error::Failure;
use super::{
    classify, decode_event, decode_returns, encode_request, fds, negotiation, no_response, Error,
    Framer, Greeting, Incoming, Options, QmpError, ReplyId, READ_CHUNK,
};
use crate::Command;

pub use super::agent::blocking::Agent;

/// A connection the client can drive: read, write, and bound the time a
/// read or write blocks.
pub trait Stream: Read + Write {
    /// What the connection is, for errors (`TCP`).
    const TRANSPORT: &'static str = "custom stream";
    /// Whether [`Stream::send_with_fds`] works.
    const PASSES_FDS: bool = false;

    /// Bound the time a read blocks (`None`: no bound).
    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()>;
    /// Bound the time a write blocks (`None`: no bound).
    fn set_write_timeout(&self, timeout: Option<Duration>) -> io::Result<()>;

    /// Write the start of `bytes` with `fds` attached (`SCM_RIGHTS`) in
    /// one step; the count written, at least 1.  Only called when
    /// [`Stream::PASSES_FDS`].
    fn send_with_fds(&mut self, bytes: &[u8], fds: &[BorrowedFd<'_>]) -> io::Result<usize> {
        let _ = (bytes, fds);
        Err(io::ErrorKind::Unsupported.into())
    }
}

impl Stream for UnixStream {
    const TRANSPORT: &'static str = "Unix socket";
    const PASSES_FDS: bool = true;

    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        UnixStream::set_read_timeout(self, timeout)
    }
    fn set_write_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        UnixStream::set_write_timeout(self, timeout)
    }
    fn send_with_fds(&mut self, bytes: &[u8], fds: &[BorrowedFd<'_>]) -> io::Result<usize> {
        fds::send_with_fds(self.as_fd(), bytes, fds)
    }
}

impl Stream for TcpStream {
    const TRANSPORT: &'static str = "TCP";

    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        TcpStream::set_read_timeout(self, timeout)
    }
    fn set_write_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        TcpStream::set_write_timeout(self, timeout)
    }
}

/// How long the events a peer sent before it closed are read, once a write
/// found it gone.
const DRAIN_AFTER_CLOSE: Duration = Duration::from_secs(1);

/// A command sent and not yet received; [`Client::receive`] takes it.
#[must_use = "the reply is only read by Client::receive"]
#[derive(Debug)]
pub struct Ticket<C> {
    id: u64,
    /// The command has `success-response: false`: no reply will come.
    no_response: bool,
    _command: PhantomData<fn() -> C>,
}

impl<C> Ticket<C> {
    /// The request's id on the wire.
    pub fn id(&self) -> u64 {
        self.id
    }
}

/// A blocking QMP client.
pub struct Client<S: Stream = UnixStream> {
    stream: S,
    framer: Framer,
    chunk: Box<[u8]>,
    options: Options,
    /// Empty until the server's greeting is read.
    greeting: Greeting,
    greeting_read: bool,
    next_id: u64,
    /// Commands sent and not answered yet: id → sent in band (not
    /// `exec-oob`).
    outstanding: BTreeMap<u64, bool>,
    /// Replies read while waiting for another.
    replies: HashMap<u64, Result<Box<str>, QmpError>>,
    events: VecDeque<Box<[u8]>>,
    dropped_events: u64,
    failure: Option<Failure>,
    /// The peer's schema, once fetched.
    pub(super) peer_schema: Option<std::sync::Arc<super::PeerSchema>>,
}

/// Run `attempt` until it succeeds or [`Options::connect_retry`] gives up.
pub(crate) fn retrying<T: SessionTimeout>(
    options: &Options,
    mut attempt: impl FnMut(&Options) -> Result<T, Error>,
) -> Result<T, Error> {
    let mut retry = Retry::new(options);
    loop {
        match attempt(&retry.attempt(options)) {
            Ok(mut connected) => {
                connected.restore_timeout(options.timeout)?;
                return Ok(connected);
            }
            Err(error) => std::thread::sleep(retry.failed(error)?),
        }
    }
}

impl<S: Stream> SessionTimeout for Client<S> {
    fn restore_timeout(&mut self, timeout: Option<Duration>) -> Result<(), Error> {
        self.stream
            .set_write_timeout(timeout)
            .map_err(Failure::io)?;
        self.options.timeout = timeout;
        Ok(())
    }
}

impl Client<UnixStream> {
    /// Connect to a QMP Unix socket, read the greeting and negotiate
    /// (again and again until [`Options::connect_retry`] gives up, if set).
    pub fn connect_unix(path: impl AsRef<Path>, options: &Options) -> Result<Self, Error> {
        let path = path.as_ref();
        retrying(options, |options| {
            let stream = UnixStream::connect(path).map_err(Failure::io)?;
            Client::new(stream, options)
        })
    }

    /// Wait for a peer to connect to `listener`, at most
    /// [`Options::timeout`], then start the session: the manager listens
    /// and QEMU connects (`-qmp unix:PATH,server=off`).
    pub fn accept(listener: &UnixListener, options: &Options) -> Result<Self, Error> {
        let ready = fds::wait_readable(listener.as_fd(), options.timeout).map_err(Failure::io)?;
        if !ready {
            return Err(Error::WaitTimeout {
                what: "connection to the listening socket".into(),
                waited: options.timeout.unwrap_or_default(),
            });
        }
        let (stream, _) = listener.accept().map_err(Failure::io)?;
        Client::new(stream, options)
    }
}

impl Client<TcpStream> {
    /// Connect to a QMP TCP socket, read the greeting and negotiate
    /// (again and again until [`Options::connect_retry`] gives up, if set).
    pub fn connect_tcp(address: impl ToSocketAddrs, options: &Options) -> Result<Self, Error> {
        let addresses: Vec<_> = address.to_socket_addrs().map_err(Failure::io)?.collect();
        retrying(options, |options| {
            let stream = TcpStream::connect(&addresses[..]).map_err(Failure::io)?;
            // Requests are small and each one waits for its reply.
            stream.set_nodelay(true).map_err(Failure::io)?;
            Client::new(stream, options)
        })
    }
}

impl<S: Stream> Client<S> {
    /// Start a session on a connected stream: read the greeting and, unless
    /// the options say not to, negotiate the capabilities.
    pub fn new(stream: S, options: &Options) -> Result<Self, Error> {
        stream
            .set_write_timeout(options.timeout)
            .map_err(Failure::io)?;
        let mut client = Client {
            stream,
            framer: Framer::new(options.max_message),
            chunk: vec![0; READ_CHUNK].into_boxed_slice(),
            options: options.clone(),
            greeting: Greeting::default(),
            greeting_read: false,
            next_id: 1,
            outstanding: BTreeMap::new(),
            replies: HashMap::new(),
            events: VecDeque::new(),
            dropped_events: 0,
            failure: None,
            peer_schema: None,
        };
        let deadline = client.deadline();
        while options.greeting && !client.greeting_read {
            client.read(deadline)?;
        }
        if options.negotiate {
            let arguments = negotiation(options);
            let id = client.send_request(b"", "qmp_capabilities", &arguments, false, &[])?;
            client.wait(id, deadline)?;
        }
        Ok(client)
    }

    /// The server's greeting (empty if [`Options::greeting`] said not to
    /// wait for it and it has not come).
    pub fn greeting(&self) -> &Greeting {
        &self.greeting
    }

    /// Run a command and decode its reply.
    pub fn execute<C: Command>(&mut self, command: &C) -> Result<C::Returns, Error> {
        let ticket = self.send(command)?;
        self.receive(ticket)
    }

    /// Run a command out of band (`exec-oob`; needs the `oob` capability,
    /// see [`Options::oob`]).
    pub fn execute_oob<C: Command>(&mut self, command: &C) -> Result<C::Returns, Error> {
        let ticket = self.send_oob(command)?;
        self.receive(ticket)
    }

    /// Run a command with file descriptors attached to its request
    /// (`SCM_RIGHTS` on the request's first byte), as `getfd` and `add-fd`
    /// want them; QEMU keeps its own copies, the caller keeps theirs.  Only
    /// on a Unix socket: elsewhere [`Error::FdsUnsupported`], nothing sent.
    ///
    /// ```no_run
    /// # use qapi_types::qmp::{blocking::Client, Options};
    /// # use std::os::fd::AsFd;
    /// # fn f(client: &mut Client, add_fd: &impl qapi_types::Command) -> Result<(), Box<dyn std::error::Error>> {
    /// let image = std::fs::File::options().read(true).write(true).open("disk.qcow2")?;
    /// // With generated bindings: `&commands::AddFd { fdset_id: None, opaque: None }`.
    /// let info = client.execute_with_fds(add_fd, &[image.as_fd()])?;
    /// # Ok(()) }
    /// ```
    pub fn execute_with_fds<C: Command>(
        &mut self,
        command: &C,
        fds: &[BorrowedFd<'_>],
    ) -> Result<C::Returns, Error> {
        let ticket = self.send_with_fds(command, fds)?;
        self.receive(ticket)
    }

    /// Send a command without waiting for its reply.
    pub fn send<C: Command>(&mut self, command: &C) -> Result<Ticket<C>, Error> {
        self.send_command(command, false, &[])
    }

    /// Send a command out of band without waiting for its reply.
    pub fn send_oob<C: Command>(&mut self, command: &C) -> Result<Ticket<C>, Error> {
        self.send_command(command, true, &[])
    }

    /// Send a command with file descriptors (see
    /// [`Client::execute_with_fds`]) without waiting for its reply.
    pub fn send_with_fds<C: Command>(
        &mut self,
        command: &C,
        fds: &[BorrowedFd<'_>],
    ) -> Result<Ticket<C>, Error> {
        self.send_command(command, false, fds)
    }

    /// Wait for the reply of a command sent earlier.
    pub fn receive<C: Command>(&mut self, ticket: Ticket<C>) -> Result<C::Returns, Error> {
        if ticket.no_response {
            return no_response::<C>(self.options.mode);
        }
        let deadline = self.deadline();
        let text = self.wait(ticket.id, deadline)?;
        decode_returns::<C>(&text, self.options.mode)
    }

    /// Run a command named at run time, with any serializable arguments
    /// (`()` or an empty map for none); the reply's `return` member as JSON
    /// text.
    pub fn execute_raw<A: Serialize + ?Sized>(
        &mut self,
        command: &str,
        arguments: &A,
        oob: bool,
    ) -> Result<Box<str>, Error> {
        let id = self.send_request(b"", command, arguments, oob, &[])?;
        let deadline = self.deadline();
        self.wait(id, deadline)
    }

    /// The next event, waiting at most `timeout` for one (`Ok(None)` then).
    /// Events are kept from the moment the client connects, while commands
    /// run too.
    pub fn next_event<E: DeserializeOwned>(
        &mut self,
        timeout: Duration,
    ) -> Result<Option<E>, Error> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(event) = self.events.pop_front() {
                return decode_event(&event, self.options.mode).map(Some);
            }
            match self.read(Some(deadline)) {
                Ok(()) => {}
                Err(Error::Timeout) => return Ok(None),
                Err(error) => return Err(error),
            }
        }
    }

    /// Wait for the first event for which `predicate` is true, at most
    /// `timeout` ([`Error::WaitTimeout`] then); the event is taken, the
    /// others stay for [`Client::next_event`] and [`Client::wait_for`].
    /// Events already read count: an event that came before this call
    /// (while a command ran) is found too.  An event that does not decode
    /// as `E` is taken and returned as the error.
    ///
    /// ```no_run
    /// # use qapi_types::qmp::blocking::Client;
    /// # use std::time::Duration;
    /// # fn f(client: &mut Client) -> Result<(), qapi_types::qmp::Error> {
    /// // With generated bindings: `client.wait_for(|event: &events::Event| matches!(event,
    /// //     events::Event::DeviceDeleted { data, .. } if data.device.as_deref() == Some("disk1")), ...)`
    /// let event = client.wait_for(
    ///     |event: &serde_json::Value| event["event"] == "DEVICE_DELETED",
    ///     Duration::from_secs(10),
    /// )?;
    /// # Ok(()) }
    /// ```
    pub fn wait_for<E: DeserializeOwned>(
        &mut self,
        predicate: impl FnMut(&E) -> bool,
        timeout: Duration,
    ) -> Result<E, Error> {
        self.wait_for_described("matching event", predicate, timeout)
    }

    fn wait_for_described<E: DeserializeOwned>(
        &mut self,
        what: &str,
        mut predicate: impl FnMut(&E) -> bool,
        timeout: Duration,
    ) -> Result<E, Error> {
        let deadline = Instant::now() + timeout;
        let mut checked = 0;
        loop {
            while checked < self.events.len() {
                match decode_event::<E>(&self.events[checked], self.options.mode) {
                    Ok(event) if !predicate(&event) => checked += 1,
                    found => {
                        self.events.remove(checked);
                        return found;
                    }
                }
            }
            let dropped = self.dropped_events;
            match self.read(Some(deadline)) {
                // The oldest events make room for new ones: those checked
                // may be gone.
                Ok(()) => checked -= (self.dropped_events - dropped).min(checked as u64) as usize,
                Err(Error::Timeout) => {
                    return Err(Error::WaitTimeout {
                        what: what.to_string(),
                        waited: timeout,
                    })
                }
                Err(error) => return Err(error),
            }
        }
    }

    /// Run a block job to its end: run `start` (`blockdev-backup`,
    /// `blockdev-mirror`, ... with `job-id` `job_id` and `auto-dismiss`
    /// false), wait at most `timeout` for `JOB_STATUS_CHANGE` to
    /// `concluded`, read the job's error with `query-jobs`, and dismiss
    /// the job (`job-dismiss`).  A job that failed is [`Error::Job`] with
    /// QEMU's message.  The job's other events stay to be read.
    pub fn run_job<C: Command>(
        &mut self,
        start: &C,
        job_id: &str,
        timeout: Duration,
    ) -> Result<(), Error> {
        self.execute(start)?;
        let what = format!("{} of job {job_id} to concluded", job::STATUS_CHANGE);
        self.wait_for_described(
            &what,
            |event: &Value| job::concluded(event, job_id),
            timeout,
        )?;
        let jobs = self.execute_raw(job::QUERY, &(), false)?;
        let error = job::error_of(&jobs, job_id)?;
        self.execute_raw(job::DISMISS, &job::dismiss_arguments(job_id), false)?;
        match error {
            Some(desc) => Err(Error::Job {
                id: job_id.to_string(),
                desc,
            }),
            None => Ok(()),
        }
    }

    /// Wait at most `timeout` for the peer to close the connection,
    /// keeping the events it sends until then: after `quit`, QEMU's
    /// `SHUTDOWN` event, then the end.  `Ok` when it closed between two
    /// messages, whatever the kernel reported (end of file, `ECONNRESET`);
    /// the error if the connection failed otherwise; [`Error::WaitTimeout`]
    /// if it stays open.  Every later command fails with
    /// [`Error::Closed`].
    pub fn wait_closed(&mut self, timeout: Duration) -> Result<(), Error> {
        let deadline = Instant::now() + timeout;
        loop {
            match self.read(Some(deadline)) {
                Ok(()) => {}
                Err(Error::Closed { partial: false }) => return Ok(()),
                Err(Error::Timeout) => {
                    return Err(Error::WaitTimeout {
                        what: "close of the connection by the peer".into(),
                        waited: timeout,
                    })
                }
                Err(error) => return Err(error),
            }
        }
    }

    /// The events already read, decoded, without waiting.
    pub fn take_events<E: DeserializeOwned>(&mut self) -> Vec<Result<E, Error>> {
        let mode = self.options.mode;
        self.events
            .drain(..)
            .map(|event| decode_event(&event, mode))
            .collect()
    }

    /// How many events were dropped because more than
    /// [`Options::event_capacity`] were waiting to be read (the oldest
    /// are dropped).
    pub fn dropped_events(&self) -> u64 {
        self.dropped_events
    }

    /// The stream.
    pub fn get_ref(&self) -> &S {
        &self.stream
    }

    fn deadline(&self) -> Option<Instant> {
        self.options.timeout.map(|timeout| Instant::now() + timeout)
    }

    fn check(&self) -> Result<(), Error> {
        match &self.failure {
            Some(failure) => Err(failure.clone().into()),
            None => Ok(()),
        }
    }

    /// The connection is lost: keep why (the first reason), fail what is
    /// pending and what comes.
    fn fail(&mut self, failure: Failure) -> Error {
        self.outstanding.clear();
        self.failure.get_or_insert(failure).clone().into()
    }

    /// Start over after a fault of a guest agent's stream: discard what is
    /// buffered and what comes up to `sentinel`, forget the replies
    /// awaited and a protocol error (not a lost connection).
    pub(crate) fn resync(&mut self, sentinel: u8) {
        self.framer.resync(sentinel);
        if let Some(Failure::Protocol(_)) = self.failure {
            self.failure = None;
        }
        self.outstanding.clear();
        self.replies.clear();
    }

    /// Wait for the reply to request `id`, at most the options' timeout.
    pub(crate) fn reply(&mut self, id: u64) -> Result<Box<str>, Error> {
        let deadline = self.deadline();
        self.wait(id, deadline)
    }

    fn send_command<C: Command>(
        &mut self,
        command: &C,
        oob: bool,
        fds: &[BorrowedFd<'_>],
    ) -> Result<Ticket<C>, Error> {
        if self.options.check_commands {
            self.require_command(C::NAME)?;
        }
        let id = self.send_request(b"", C::NAME, command, oob, fds)?;
        if !C::SUCCESS_RESPONSE {
            // Nothing will answer (unless the command fails, and then the
            // error reply is discarded).
            self.outstanding.remove(&id);
        }
        Ok(Ticket {
            id,
            no_response: !C::SUCCESS_RESPONSE,
            _command: PhantomData,
        })
    }

    /// Send a request (after the bytes `prefix`, for a guest agent's
    /// `0xFF`); its id.
    pub(crate) fn send_request<A: Serialize + ?Sized>(
        &mut self,
        prefix: &[u8],
        command: &str,
        arguments: &A,
        oob: bool,
        fds: &[BorrowedFd<'_>],
    ) -> Result<u64, Error> {
        self.check()?;
        if !fds.is_empty() && !S::PASSES_FDS {
            return Err(fds::unsupported(S::TRANSPORT));
        }
        let id = self.next_id;
        self.next_id += 1;
        let mut bytes = prefix.to_vec();
        bytes.extend(encode_request(command, arguments, oob, id)?);
        if let Err(error) = self.write_request(&bytes, fds) {
            // Part of the request may be written: the stream is lost.
            let error = match error.kind() {
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => io::Error::new(
                    io::ErrorKind::TimedOut,
                    "timed out writing a request (the peer does not read)",
                ),
                _ => error,
            };
            let failure = Failure::io(error);
            if let Failure::Closed { .. } = failure {
                // The peer is gone; what it sent before it went (the events
                // of its end) can still be read.
                let deadline = Instant::now() + DRAIN_AFTER_CLOSE;
                while self.read(Some(deadline)).is_ok() {}
            }
            return Err(self.fail(failure));
        }
        self.outstanding.insert(id, !oob);
        Ok(id)
    }

    /// Write a whole request, `fds` attached to its first byte.
    fn write_request(&mut self, bytes: &[u8], fds: &[BorrowedFd<'_>]) -> io::Result<()> {
        let mut written = 0;
        if !fds.is_empty() {
            written = self.stream.send_with_fds(bytes, fds)?;
        }
        self.stream.write_all(&bytes[written..])
    }

    /// Read until the reply to `id` is there.
    fn wait(&mut self, id: u64, deadline: Option<Instant>) -> Result<Box<str>, Error> {
        loop {
            if let Some(reply) = self.replies.remove(&id) {
                return reply.map_err(Error::Qmp);
            }
            if !self.outstanding.contains_key(&id) {
                // Failed, or never sent on this connection.
                self.check()?;
                return Err(Error::Protocol("no command with this id is pending".into()));
            }
            if let Err(error) = self.read(deadline) {
                if let Error::Timeout = error {
                    // A late reply is discarded.
                    self.outstanding.remove(&id);
                }
                return Err(error);
            }
        }
    }

    /// Read once from the stream and sort the messages that completes.
    fn read(&mut self, deadline: Option<Instant>) -> Result<(), Error> {
        self.check()?;
        let timeout = match deadline {
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(Error::Timeout);
                }
                Some(left)
            }
            None => None,
        };
        if let Err(error) = self.stream.set_read_timeout(timeout) {
            return Err(self.fail(Failure::io(error)));
        }
        let count = loop {
            match self.stream.read(&mut self.chunk) {
                Ok(count) => break count,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error)
                    if matches!(
                        error.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    return Err(Error::Timeout)
                }
                Err(error) => {
                    let partial = self.framer.has_partial();
                    return Err(self.fail(Failure::read(error, partial)));
                }
            }
        };
        if count == 0 {
            let partial = self.framer.has_partial();
            return Err(self.fail(Failure::Closed { partial }));
        }
        self.framer.push(&self.chunk[..count]);
        loop {
            let incoming = match self.framer.next_message() {
                Ok(Some(message)) => classify(message),
                Ok(None) => return Ok(()),
                Err(error) => Err(error.into()),
            };
            match incoming {
                Ok(incoming) => self.sort(incoming)?,
                Err(failure) => return Err(self.fail(failure)),
            }
        }
    }

    fn sort(&mut self, incoming: Incoming) -> Result<(), Error> {
        match incoming {
            Incoming::Greeting(greeting) => {
                if self.greeting_read {
                    return Err(self.fail(Failure::protocol("a second greeting")));
                }
                self.greeting = greeting;
                self.greeting_read = true;
            }
            Incoming::Reply { id, result } => {
                let id = match id {
                    ReplyId::Number(id) => Some(id),
                    // QEMU could not read a request; it answers in order, so
                    // the reply is the oldest in-band command's.
                    ReplyId::Missing => self
                        .outstanding
                        .iter()
                        .find(|(_, in_band)| **in_band)
                        .map(|(id, _)| *id),
                    ReplyId::Other => None,
                };
                // Replies to commands no longer awaited are discarded.
                if let Some(id) = id.filter(|id| self.outstanding.remove(id).is_some()) {
                    self.replies.insert(id, result);
                }
            }
            Incoming::Event { message, .. } => {
                if self.events.len() >= self.options.event_capacity {
                    // The newest are kept: someone waiting for an event
                    // wants the one to come.
                    self.events.pop_front();
                    self.dropped_events += 1;
                }
                self.events.push_back(message);
            }
        }
        Ok(())
    }
}

impl<S: Stream> std::fmt::Debug for Client<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("greeting", &self.greeting)
            .field("outstanding", &self.outstanding.len())
            .field("events", &self.events.len())
            .field("failure", &self.failure)
            .finish_non_exhaustive()
    }
}
