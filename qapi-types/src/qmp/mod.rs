//! The QMP protocol and clients for it.
//!
//! - [`wire`]: the messages (greeting, requests, replies, events);
//! - [`framing`]: splitting a byte stream into messages;
//! - [`blocking::Client`]: a client over std's Unix and TCP streams;
//! - [`peer_schema`]: what the connected QEMU has (its `query-qmp-schema`),
//!   for capability checks;
//! - `tokio::Client` (cargo feature `tokio`): an async client whose
//!   commands can be in flight by the thousand, with event streams
//!   usable in `tokio::select!`;
//! - [`agent`]: QEMU's guest agent, and its clients
//!   [`blocking::Agent`] and `tokio::Agent`.
//!
//! Both clients pass file descriptors with a command (`getfd`, `add-fd`),
//! connect while QEMU starts ([`Options::connect_retry`]) or accept its
//! connection, wait for events, run block jobs to their end, and report a
//! peer that quits as [`Error::Closed`].
//!
//! Both clients are typed by the generated bindings: `execute(&cmd)` sends
//! `commands::X` and returns `Result<<X as Command>::Returns, Error>`, and
//! events decode into the generated `events::Event` (or any type that
//! deserializes from an event message).
//!
//! ```no_run
//! use qapi_types::qmp::{blocking::Client, Options};
//! # fn main() -> Result<(), qapi_types::qmp::Error> {
//! let mut client = Client::connect_unix("/tmp/qmp.sock", &Options::new())?;
//! println!("QEMU {}", client.greeting().version.qemu);
//! // With generated bindings: `let status = client.execute(&commands::QueryStatus)?;`
//! # Ok(())
//! # }
//! ```
//!
//! `examples/qmp-client` is a complete async client for a real QEMU.

#[cfg(feature = "client")]
pub mod agent;
#[cfg(feature = "client")]
pub mod blocking;
#[cfg(feature = "client")]
mod client;
#[cfg(feature = "client")]
mod error;
#[cfg(feature = "client")]
mod fds;
#[cfg(feature = "client")]
pub mod framing;
#[cfg(feature = "client")]
pub mod peer_schema;
#[cfg(feature = "server")]
pub mod server;
#[cfg(all(feature = "client", feature = "tokio"))]
pub mod tokio;
pub mod wire;

#[cfg(feature = "client")]
pub use client::Options;
#[cfg(feature = "client")]
use client::{
    classify, decode_event, decode_returns, encode_request, negotiation, no_response, Incoming,
    ReplyId, READ_CHUNK,
};
#[cfg(feature = "client")]
pub use error::Error;
#[cfg(feature = "client")]
pub use framing::{Framer, FramingError};
#[cfg(feature = "client")]
pub use peer_schema::PeerSchema;
pub use wire::{Capability, ErrorClass, Greeting, QmpError, VersionInfo, VersionTriple};
