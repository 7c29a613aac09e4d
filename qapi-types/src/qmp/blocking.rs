//! A blocking QMP client over std's Unix and TCP streams.
//!
//! One thread drives the connection: [`Client::execute`] sends a command
//! and reads until its reply arrives, keeping the events and other replies
//! that come first.  Several commands can be in flight: [`Client::send`]
//! returns a [`Ticket`] per command, [`Client::receive`] waits for the
//! reply of one, in any order.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io::{self, Read, Write};
use std::marker::PhantomData;
use std::net::{TcpStream, ToSocketAddrs};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::error::Failure;
use super::{
    classify, decode_event, decode_returns, encode_request, negotiation, no_response, Error,
    Framer, Greeting, Incoming, Options, QmpError, ReplyId, READ_CHUNK,
};
use crate::Command;

/// A connection the client can drive: read, write, and bound the time a
/// read or write blocks.
pub trait Stream: Read + Write {
    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()>;
    fn set_write_timeout(&self, timeout: Option<Duration>) -> io::Result<()>;
}

impl Stream for UnixStream {
    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        UnixStream::set_read_timeout(self, timeout)
    }
    fn set_write_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        UnixStream::set_write_timeout(self, timeout)
    }
}

impl Stream for TcpStream {
    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        TcpStream::set_read_timeout(self, timeout)
    }
    fn set_write_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        TcpStream::set_write_timeout(self, timeout)
    }
}

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

impl Client<UnixStream> {
    /// Connect to a QMP Unix socket, read the greeting and negotiate.
    pub fn connect_unix(path: impl AsRef<Path>, options: &Options) -> Result<Self, Error> {
        let stream = UnixStream::connect(path).map_err(Failure::io)?;
        Client::new(stream, options)
    }
}

impl Client<TcpStream> {
    /// Connect to a QMP TCP socket, read the greeting and negotiate.
    pub fn connect_tcp(address: impl ToSocketAddrs, options: &Options) -> Result<Self, Error> {
        let stream = TcpStream::connect(address).map_err(Failure::io)?;
        // Requests are small and each one waits for its reply.
        stream.set_nodelay(true).map_err(Failure::io)?;
        Client::new(stream, options)
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
            let id = client.send_request("qmp_capabilities", &arguments, false)?;
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

    /// Send a command without waiting for its reply.
    pub fn send<C: Command>(&mut self, command: &C) -> Result<Ticket<C>, Error> {
        self.send_command(command, false)
    }

    /// Send a command out of band without waiting for its reply.
    pub fn send_oob<C: Command>(&mut self, command: &C) -> Result<Ticket<C>, Error> {
        self.send_command(command, true)
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
        let id = self.send_request(command, arguments, oob)?;
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

    /// The events already read, decoded, without waiting.
    pub fn take_events<E: DeserializeOwned>(&mut self) -> Vec<Result<E, Error>> {
        let mode = self.options.mode;
        self.events
            .drain(..)
            .map(|event| decode_event(&event, mode))
            .collect()
    }

    /// How many events were dropped because more than
    /// [`Options::event_capacity`] were waiting to be read.
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

    fn fail(&mut self, failure: Failure) -> Error {
        self.failure = Some(failure.clone());
        self.outstanding.clear();
        failure.into()
    }

    fn send_command<C: Command>(&mut self, command: &C, oob: bool) -> Result<Ticket<C>, Error> {
        if self.options.check_commands {
            self.require_command(C::NAME)?;
        }
        let id = self.send_request(C::NAME, command, oob)?;
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

    fn send_request<A: Serialize + ?Sized>(
        &mut self,
        command: &str,
        arguments: &A,
        oob: bool,
    ) -> Result<u64, Error> {
        self.check()?;
        let id = self.next_id;
        self.next_id += 1;
        let bytes = encode_request(command, arguments, oob, id)?;
        if let Err(error) = self.stream.write_all(&bytes) {
            // Part of the request may be written: the stream is lost.
            let error = match error.kind() {
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => io::Error::new(
                    io::ErrorKind::TimedOut,
                    "timed out writing a request (the peer does not read)",
                ),
                _ => error,
            };
            return Err(self.fail(Failure::io(error)));
        }
        self.outstanding.insert(id, !oob);
        Ok(id)
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
                Err(error) => return Err(self.fail(Failure::io(error))),
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
            Incoming::Event(event) => {
                if self.events.len() < self.options.event_capacity {
                    self.events.push_back(event);
                } else {
                    self.dropped_events += 1;
                }
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
