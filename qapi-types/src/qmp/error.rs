//! What a QMP client call can fail with.

use std::fmt;
use std::io;
use std::sync::Arc;

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
    Closed { partial: bool },
    /// The server sent something that is not QMP (garbage, a message too
    /// large, a reply that is neither `return` nor `error`, ...); the
    /// connection is unusable.
    Protocol(Arc<str>),
    /// A message did not decode into its type: `what` says which
    /// (`reply to query-block`, `event`), the error names the member path.
    Decode { what: String, error: DecodeError },
    /// The arguments could not be encoded.
    Encode(serde_json::Error),
    /// No reply within the client's timeout.  The connection stays usable;
    /// a late reply is discarded.
    Timeout,
    /// The peer's schema has no such command: not sent (see
    /// [`Options::check_commands`](super::Options::check_commands)).
    Unsupported {
        command: String,
        /// The peer's version, as its greeting says.
        version: VersionInfo,
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
            Error::Closed { .. }
            | Error::Protocol(_)
            | Error::Timeout
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

    pub(crate) fn io(error: io::Error) -> Failure {
        Failure::Io(Arc::new(error))
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
