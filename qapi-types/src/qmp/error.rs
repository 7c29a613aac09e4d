//! What a QMP client call can fail with.

use std::fmt;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use super::framing::FramingError;
use super::wire::{QmpError, VersionInfo};
use crate::DecodeError;

/// The error of a client call.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with an error reply.
    Qmp(QmpError),
    /// Reading from or writing to the connection failed; the connection is
    /// unusable (every pending and later command fails with this).
    Io(Arc<io::Error>),
    /// The server closed the connection; `partial` when it stopped in the
    /// middle of a message.
    Closed {
        /// It stopped in the middle of a message.
        partial: bool,
    },
    /// The server sent something that is not QMP (garbage, a message too
    /// large, a reply that is neither `return` nor `error`, ...); the
    /// connection is unusable.
    Protocol(Arc<str>),
    /// A message did not decode into its type: `what` says which
    /// (`reply to query-block`, `event`), the error names the member path.
    Decode {
        /// Which message.
        what: String,
        /// Why, with the member path.
        error: DecodeError,
    },
    /// The arguments could not be encoded.
    Encode(serde_json::Error),
    /// No reply within the client's timeout.  The connection stays usable;
    /// a late reply is discarded.
    Timeout,
    /// The peer's schema has no such command: not sent (see
    /// [`Options::check_commands`](super::Options::check_commands)).
    Unsupported {
        /// The command's name.
        command: String,
        /// The peer's version, as its greeting says.
        version: VersionInfo,
    },
    /// File descriptors were given with a command on a connection that
    /// cannot pass them (`SCM_RIGHTS` needs a Unix socket); nothing was
    /// sent and the connection stays usable.  `transport` names the
    /// connection (`TCP`).
    FdsUnsupported {
        /// The connection's kind.
        transport: &'static str,
    },
    /// Connecting with [`Options::connect_retry`](super::Options::connect_retry)
    /// gave up at its deadline: `attempts` tries in `waited`, the last one
    /// failing with `last`.
    NotReady {
        /// How long it tried.
        waited: Duration,
        /// How many times.
        attempts: u32,
        /// Why the last try failed.
        last: Box<Error>,
    },
    /// Nothing awaited came in time: `what` says what was awaited (an
    /// event, a guest process to exit, a connection to accept).  The
    /// connection stays usable.
    WaitTimeout {
        /// What was awaited.
        what: String,
        /// How long.
        waited: Duration,
    },
    /// A block job ended with an error (`query-jobs` gave it); the job is
    /// dismissed.
    Job {
        /// The job's id.
        id: String,
        /// Its error, as `query-jobs` words it.
        desc: String,
    },
}

impl Error {
    /// The QMP error reply, when that is what this is.
    pub fn as_qmp(&self) -> Option<&QmpError> {
        match self {
            Error::Qmp(error) => Some(error),
            _ => None,
        }
    }

    /// Whether the connection is unusable after this error.
    pub fn is_fatal(&self) -> bool {
        matches!(
            self,
            Error::Io(_) | Error::Closed { .. } | Error::Protocol(_)
        )
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Error::Qmp(error) => write!(f, "QMP error: {error}"),
            Error::Io(error) => write!(f, "QMP connection failed: {error}"),
            Error::Closed { partial: false } => f.write_str("QMP connection closed by the peer"),
            Error::Closed { partial: true } => {
                f.write_str("QMP connection closed by the peer in the middle of a message")
            }
            Error::Protocol(message) => write!(f, "QMP protocol error: {message}"),
            Error::Decode { what, error } => write!(f, "cannot decode the {what}: {error}"),
            Error::Encode(error) => write!(f, "cannot encode the arguments: {error}"),
            Error::Timeout => f.write_str("QMP command timed out"),
            Error::Unsupported { command, version } => write!(
                f,
                "QEMU {} has no command {command} (its query-qmp-schema lacks it): not sent",
                version.qemu
            ),
            Error::FdsUnsupported { transport } => write!(
                f,
                "cannot pass file descriptors over a {transport} connection (SCM_RIGHTS needs a Unix socket)"
            ),
            Error::NotReady {
                waited,
                attempts,
                last,
            } => write!(
                f,
                "QMP peer not ready after {:.1} s ({attempts} attempts); last error: {last}",
                waited.as_secs_f64()
            ),
            Error::WaitTimeout { what, waited } => {
                write!(f, "no {what} within {:.1} s", waited.as_secs_f64())
            }
            Error::Job { id, desc } => write!(f, "job {id} failed: {desc}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Qmp(error) => Some(error),
            Error::Io(error) => Some(&**error),
            Error::Decode { error, .. } => Some(error),
            Error::Encode(error) => Some(error),
            Error::NotReady { last, .. } => Some(&**last),
            Error::Closed { .. }
            | Error::Protocol(_)
            | Error::Timeout
            | Error::FdsUnsupported { .. }
            | Error::WaitTimeout { .. }
            | Error::Job { .. }
            | Error::Unsupported { .. } => None,
        }
    }
}

impl From<QmpError> for Error {
    fn from(error: QmpError) -> Error {
        Error::Qmp(error)
    }
}

/// Why a connection stopped working: kept by the client and handed to
/// every command that was pending or comes later.
#[derive(Clone, Debug)]
pub(crate) enum Failure {
    Io(Arc<io::Error>),
    Closed { partial: bool },
    Protocol(Arc<str>),
}

impl Failure {
    pub(crate) fn protocol(message: impl fmt::Display) -> Failure {
        Failure::Protocol(message.to_string().into())
    }

    /// A failed read or write.  The peer closing the connection is
    /// [`Failure::Closed`] however the kernel reports it (end of file,
    /// `ECONNRESET` when the peer closed with a request of ours unread,
    /// `EPIPE` on a write), so that a peer that quits always ends the
    /// same way.
    pub(crate) fn io(error: io::Error) -> Failure {
        match error.kind() {
            io::ErrorKind::ConnectionReset | io::ErrorKind::BrokenPipe => {
                Failure::Closed { partial: false }
            }
            _ => Failure::Io(Arc::new(error)),
        }
    }

    /// A failed read, after `partial` bytes of a message were read.
    pub(crate) fn read(error: io::Error, partial: bool) -> Failure {
        match Failure::io(error) {
            Failure::Closed { .. } => Failure::Closed { partial },
            failure => failure,
        }
    }
}

impl From<FramingError> for Failure {
    fn from(error: FramingError) -> Failure {
        Failure::protocol(error)
    }
}

impl From<Failure> for Error {
    fn from(failure: Failure) -> Error {
        match failure {
            Failure::Io(error) => Error::Io(error),
            Failure::Closed { partial } => Error::Closed { partial },
            Failure::Protocol(message) => Error::Protocol(message),
        }
    }
}
