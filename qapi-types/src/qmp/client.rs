//! What both clients share: their options, and the encoding and sorting
//! of messages.

use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::error::{Error, Failure};
use super::wire::{Capability, Greeting, QmpError};

#[cfg(doc)]
use super::wire::Request;
use super::wire::{Message, Negotiate};
use crate::{Command, Mode};

/// How a client connects and behaves.
#[derive(Clone, Debug)]
pub struct Options {
    pub(super) oob: bool,
    pub(super) greeting: bool,
    pub(super) negotiate: bool,
    pub(super) timeout: Option<Duration>,
    pub(super) max_message: usize,
    pub(super) event_capacity: usize,
    pub(super) mode: Mode,
    pub(super) check_commands: bool,
    pub(super) connect_retry: Option<Duration>,
    /// Talking to a guest agent: a garbled stream is resynchronised, not
    /// lost (see `agent`).
    pub(super) agent: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            oob: false,
            greeting: true,
            negotiate: true,
            timeout: Some(Duration::from_secs(30)),
            max_message: 64 << 20,
            event_capacity: 1024,
            mode: Mode::Lenient,
            check_commands: false,
            connect_retry: None,
            agent: false,
        }
    }
}

impl Options {
    /// The defaults: greeting awaited, capabilities negotiated without
    /// `oob`, a 30 s timeout, lenient decoding.
    pub fn new() -> Options {
        Options::default()
    }

    /// Enable the `oob` capability when negotiating (default: no); the
    /// server answers with an error if it does not offer it.
    pub fn oob(mut self, enable: bool) -> Options {
        self.oob = enable;
        self
    }

    /// Wait for the server's greeting before anything else (default:
    /// yes).  QEMU's guest agent sends none: talk to it with this and
    /// [`Options::negotiate`] off.  Without it, the client's greeting may
    /// stay empty.
    pub fn greeting(mut self, wait: bool) -> Options {
        self.greeting = wait;
        self
    }

    /// Send `qmp_capabilities` after the greeting (default: yes).  Without
    /// it the server accepts no other command.
    pub fn negotiate(mut self, negotiate: bool) -> Options {
        self.negotiate = negotiate;
        self
    }

    /// How long connecting, and each command, may take (default 30 s;
    /// `None`: forever).
    pub fn timeout(mut self, timeout: Option<Duration>) -> Options {
        self.timeout = timeout;
        self
    }

    /// The longest message accepted from the server (default 64 MiB, the
    /// limit QEMU puts on its own input); longer is a protocol error.
    /// It bounds the client's read buffer.
    pub fn max_message(mut self, bytes: usize) -> Options {
        self.max_message = bytes;
        self
    }

    /// How many events are kept until read (default 1024); events beyond
    /// are dropped and counted.
    pub fn event_capacity(mut self, events: usize) -> Options {
        self.event_capacity = events.max(1);
        self
    }

    /// How replies and events decode (default [`Mode::Lenient`]: members
    /// and enum values this build does not know are accepted).
    pub fn mode(mut self, mode: Mode) -> Options {
        self.mode = mode;
        self
    }

    /// Check every command against the peer's schema before sending it
    /// (default: no): one the peer lacks fails with
    /// [`Error::Unsupported`] and is not sent.  The schema
    /// (`query-qmp-schema`) is fetched once, with the first command.
    pub fn check_commands(mut self, check: bool) -> Options {
        self.check_commands = check;
        self
    }

    /// Keep trying to connect for this long (default `None`: one try).
    /// A QEMU just started creates its socket before it listens, and
    /// listens before its monitor answers: connecting is tried again,
    /// after a short pause, while the socket is missing or refuses, the
    /// connection closes or fails, or the greeting does not come within
    /// [`Options::timeout`].  Any other error (the server refusing the
    /// capabilities, garbage) ends the tries at once.  At the deadline the
    /// error is [`Error::NotReady`], holding the last attempt's error.
    pub fn connect_retry(mut self, deadline: Option<Duration>) -> Options {
        self.connect_retry = deadline;
        self
    }
}

/// A session started by an attempt of [`Retry`], whose timeout was cut to
/// what was left of the retry window: once connected, it gets the caller's
/// [`Options::timeout`] back for the commands that follow.
pub(crate) trait SessionTimeout {
    fn restore_timeout(&mut self, timeout: Option<Duration>) -> Result<(), Error>;
}

/// The tries of [`Options::connect_retry`].
pub(crate) struct Retry {
    start: Instant,
    deadline: Option<Instant>,
    attempts: u32,
    pause: Duration,
}

impl Retry {
    const FIRST_PAUSE: Duration = Duration::from_millis(10);
    const LONGEST_PAUSE: Duration = Duration::from_millis(200);

    pub(crate) fn new(options: &Options) -> Retry {
        let start = Instant::now();
        Retry {
            start,
            deadline: options.connect_retry.map(|retry| start + retry),
            attempts: 0,
            pause: Retry::FIRST_PAUSE,
        }
    }

    /// The options of the next attempt: its timeout ends at the deadline
    /// at the latest, and it is tried once.
    pub(crate) fn attempt(&mut self, options: &Options) -> Options {
        self.attempts += 1;
        let mut options = options.clone();
        options.connect_retry = None;
        if let Some(deadline) = self.deadline {
            let left = deadline.saturating_duration_since(Instant::now());
            options.timeout = Some(options.timeout.map_or(left, |timeout| timeout.min(left)));
        }
        options
    }

    /// After a failed attempt: the pause before the next one, or the error
    /// to give up with.
    pub(crate) fn failed(&mut self, error: Error) -> Result<Duration, Error> {
        let Some(deadline) = self.deadline else {
            return Err(error);
        };
        let retried = matches!(error, Error::Io(_) | Error::Closed { .. } | Error::Timeout);
        let now = Instant::now();
        if !retried {
            return Err(error);
        }
        if now >= deadline {
            return Err(Error::NotReady {
                waited: now - self.start,
                attempts: self.attempts,
                last: Box::new(error),
            });
        }
        let pause = self.pause.min(deadline - now);
        self.pause = (self.pause * 2).min(Retry::LONGEST_PAUSE);
        Ok(pause)
    }
}

/// The size of one read from the connection.
pub(crate) const READ_CHUNK: usize = 64 * 1024;

/// A server message, sorted for the clients.
pub(crate) enum Incoming {
    Greeting(Greeting),
    Reply {
        id: ReplyId,
        /// The `return` member as JSON text, or the error.
        result: Result<Box<str>, QmpError>,
    },
    /// The whole message, decoded when the program reads it; the name
    /// chooses the async client's event streams.
    Event {
        #[cfg_attr(not(feature = "tokio"), allow(dead_code))]
        name: Box<str>,
        message: Box<[u8]>,
    },
}

pub(crate) enum ReplyId {
    /// An id this client may have sent (a number).
    Number(u64),
    /// No id: QEMU could not read the request.
    Missing,
    /// Not an id this client sends.
    Other,
}

pub(crate) fn classify(bytes: &[u8]) -> Result<Incoming, Failure> {
    match Message::parse(bytes).map_err(Failure::protocol)? {
        Message::Greeting(greeting) => Ok(Incoming::Greeting(greeting)),
        Message::Event(event) => Ok(Incoming::Event {
            name: event.name.into(),
            message: bytes.into(),
        }),
        Message::Reply(reply) => {
            let id = match reply.id {
                None => ReplyId::Missing,
                Some(raw) => raw.get().parse().map_or(ReplyId::Other, ReplyId::Number),
            };
            let result = reply.result.map(|raw| raw.get().into());
            Ok(Incoming::Reply { id, result })
        }
    }
}

/// The bytes of a request: as [`wire::Request`] encodes it, except that empty
/// arguments (`{}`) are left out, which QEMU answers measurably faster
/// (about a third more round trips per second for `query-status`), and so
/// are `()` and `None` (`null`), which QEMU would reject.
pub(crate) fn encode_request<A: Serialize + ?Sized>(
    command: &str,
    arguments: &A,
    oob: bool,
    id: u64,
) -> Result<Vec<u8>, Error> {
    let mut bytes = Vec::with_capacity(128);
    bytes.extend_from_slice(if oob {
        b"{\"exec-oob\":"
    } else {
        b"{\"execute\":"
    });
    serde_json::to_writer(&mut bytes, command).map_err(Error::Encode)?;
    let without_arguments = bytes.len();
    bytes.extend_from_slice(b",\"arguments\":");
    let start = bytes.len();
    serde_json::to_writer(&mut bytes, arguments).map_err(Error::Encode)?;
    if matches!(&bytes[start..], b"{}" | b"null") {
        bytes.truncate(without_arguments);
    }
    bytes.extend_from_slice(format!(",\"id\":{id}}}\n").as_bytes());
    Ok(bytes)
}

/// The arguments of `qmp_capabilities` for these options.
pub(crate) fn negotiation(options: &Options) -> Negotiate {
    Negotiate {
        enable: if options.oob {
            vec![Capability::Oob]
        } else {
            Vec::new()
        },
    }
}

/// Decode a command's `return` member.
pub(crate) fn decode_returns<C: Command>(text: &str, mode: Mode) -> Result<C::Returns, Error> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let decoded = crate::deserialize_with(&mut deserializer, mode, |d| C::deserialize_returns(d))
        .and_then(|returns| Ok((returns, crate::decode::end(deserializer)?)));
    decoded
        .map(|(returns, ())| returns)
        .map_err(|error| Error::Decode {
            what: format!("reply to {}", C::NAME),
            error,
        })
}

/// What a command without a success response "returns".
pub(crate) fn no_response<C: Command>(mode: Mode) -> Result<C::Returns, Error> {
    decode_returns::<C>("{}", mode)
}

/// Decode a whole event message.
pub(crate) fn decode_event<E: DeserializeOwned>(bytes: &[u8], mode: Mode) -> Result<E, Error> {
    crate::from_slice(bytes, mode).map_err(|error| Error::Decode {
        what: "event".to_string(),
        error,
    })
}

/// What running a block job to its end needs of QEMU's job API (QAPI's
/// `job.json`: `JOB_STATUS_CHANGE`, `query-jobs`, `job-dismiss`), read as
/// plain JSON so that it works with the bindings of any QEMU since 3.0.
pub(crate) mod job {
    use serde_json::Value;

    use super::Error;

    pub(crate) const STATUS_CHANGE: &str = "JOB_STATUS_CHANGE";
    pub(crate) const QUERY: &str = "query-jobs";
    pub(crate) const DISMISS: &str = "job-dismiss";

    /// Whether `event` (a whole event message) is job `id` reaching
    /// `concluded`: done, failed or cancelled, to be dismissed.
    pub(crate) fn concluded(event: &Value, id: &str) -> bool {
        event["event"] == STATUS_CHANGE
            && event["data"]["id"] == id
            && event["data"]["status"] == "concluded"
    }

    /// The error job `id` ended with, from the reply to `query-jobs`.
    pub(crate) fn error_of(reply: &str, id: &str) -> Result<Option<String>, Error> {
        let jobs: Value = serde_json::from_str(reply).map_err(|error| {
            Error::Protocol(format!("reply to {QUERY} is not JSON: {error}").into())
        })?;
        let job = jobs
            .as_array()
            .and_then(|jobs| jobs.iter().find(|job| job["id"] == id))
            .ok_or_else(|| Error::Job {
                id: id.to_string(),
                desc: format!(
                    "it concluded but {QUERY} does not list it (was it started without \
                     auto-dismiss: false?)"
                ),
            })?;
        Ok(job["error"].as_str().map(str::to_string))
    }

    /// The arguments of `job-dismiss`.
    pub(crate) fn dismiss_arguments(id: &str) -> Value {
        serde_json::json!({ "id": id })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_leave_out_empty_arguments() {
        let encode = |arguments: &serde_json::Value, oob| {
            String::from_utf8(encode_request("x-y", arguments, oob, 7).unwrap()).unwrap()
        };
        assert_eq!(
            encode(&serde_json::json!({}), false),
            "{\"execute\":\"x-y\",\"id\":7}\n"
        );
        assert_eq!(
            String::from_utf8(encode_request("stop", &(), false, 8).unwrap()).unwrap(),
            "{\"execute\":\"stop\",\"id\":8}\n"
        );
        assert_eq!(
            encode(&serde_json::json!({"a": [1]}), true),
            "{\"exec-oob\":\"x-y\",\"arguments\":{\"a\":[1]},\"id\":7}\n"
        );
    }
}
