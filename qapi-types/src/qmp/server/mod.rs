//! QMP servers: QEMU's request handling, for programs that answer QMP.
//!
//! Bindings generated with the `server` setting have a `server` module: a
//! `Handler` trait with one method per command, the schema as static tables
//! (`SCHEMA`) and `dispatcher()`, which makes a [`Dispatcher`] over a
//! handler.  The dispatcher answers requests exactly as QEMU 10.0 does
//! (`qapi/qmp-dispatch.c` and the QObject input visitor): the same error
//! class and description for malformed JSON, malformed requests, unknown
//! commands, arguments that are missing, unexpected, of the wrong type, out
//! of range or not a value of their enum (with QEMU's member paths), the
//! capabilities negotiation, out-of-band rules, and the compatibility
//! policy for `deprecated` and `unstable`.  [`Server`] (cargo feature
//! `tokio`) serves it on Unix sockets and TCP, with events.
//!
//! ```ignore
//! use std::sync::Arc;
//! use qapi_types::qmp::server::{CommandResult, CompatPolicy, Server};
//! use my_bindings::{commands, server, StatusInfo};
//!
//! struct Vm;
//!
//! impl server::Handler for Vm {
//!     async fn query_status(&self, _: commands::QueryStatus) -> CommandResult<commands::QueryStatus> {
//!         Ok(StatusInfo { running: true, .. })
//!     }
//! }
//!
//! let server = Arc::new(Server::new(server::dispatcher(Arc::new(Vm), CompatPolicy::default())));
//! let events = server.events(); // events.emit(&events::Stop) from anywhere
//! server.serve_unix("/tmp/qmp.sock").await?;
//! ```
//!
//! The pieces, usable on their own: [`JsonStreamer`] (QEMU's JSON parser,
//! including its error recovery), [`QObject`] (a parsed value, iterated
//! and printed in QEMU's order), [`Dispatcher::dispatch`] (one request of
//! a [`Session`] to an [`Action`]).
mod dispatch;
mod hash;
pub mod json;
pub mod qobject;
pub mod schema;
#[cfg(feature = "tokio")]
mod serve;
mod visit;

pub use dispatch::{
    block_on, builtin, encode, error_reply, event_message, marshal, not_implemented, now,
    success_reply, Action, Call, CallFuture, CommandResult, CompatPolicy, Dispatcher, InputPolicy,
    OutputPolicy, Pending, Session,
};
pub use json::JsonStreamer;
pub use qobject::{QDict, QObject, QType};
#[cfg(feature = "tokio")]
pub use serve::{EventSender, Server};
