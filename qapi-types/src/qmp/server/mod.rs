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
//! policy for `deprecated` and `unstable`.  `Server` (cargo feature
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
//! # Design
//!
//! - **Handlers are async.** `Handler` methods return `impl Future + Send`
//!   (write them `async fn`; a synchronous body is an `async fn` without
//!   `.await`, blocking work belongs in `tokio::task::spawn_blocking`).  A
//!   method the program does not write answers `CommandNotFound`, as QEMU
//!   does for a command it was built without.  The handler is shared by
//!   every connection (`&self`; keep state behind a lock).
//! - **Checking, then decoding.**  QEMU's answer to bad arguments depends
//!   on the order in which its generated visitors look at them: members in
//!   schema order, a union's branch after its base, unexpected members only
//!   once everything known is good, and which unexpected member is named
//!   depends on GLib's hash table.  A serde deserializer sees members in
//!   the order they arrive, so the dispatcher first runs QEMU's visitor
//!   over the schema tables (`SCHEMA.types`, generated with the bindings)
//!   on the parsed request, and only then decodes it into the command type
//!   with the generated `Deserialize` impls; the generated code stays
//!   small: tables and one line per command naming the handler method.
//! - **The connection, for handlers.**  As QEMU's commands reach the
//!   current monitor, a handler reaches the [`Connection`] whose request
//!   it runs with [`Connection::current`]: the file descriptors the client
//!   passed (on Unix sockets, `SCM_RIGHTS`; see [`fds`]) and per-connection
//!   state.  The dispatcher answers QEMU's descriptor commands (`getfd`,
//!   `closefd`, `add-fd`, `remove-fd`, `query-fdsets`) itself, as QEMU's
//!   monitor does.
//! - **Schemas known at run time.**  [`Dispatcher::for_any_command`] calls
//!   one function for every command, over tables built at run time
//!   ([`Schema::from_introspection`](schema::Schema::from_introspection),
//!   or leaked by any builder): `qmp-mock` serves any schema this way.
//! - **One in-band command at a time** per connection, in order; an
//!   out-of-band command runs as soon as it is read; events go to the
//!   connections that have negotiated.
//!
//! The pieces, usable on their own: [`JsonStreamer`] (QEMU's JSON parser,
//! including its error recovery), [`QObject`] (a parsed value, iterated
//! and printed in QEMU's order), [`Dispatcher::dispatch`] (one request of
//! a [`Session`] to an [`Action`]).
mod connection;
mod dispatch;
#[cfg(unix)]
pub mod fds;
mod hash;
mod introspection;
pub mod json;
pub mod qobject;
pub mod schema;
#[cfg(feature = "tokio")]
mod serve;
mod visit;

pub use connection::Connection;
pub use dispatch::{
    block_on, builtin, encode, error_reply, event_message, marshal, not_implemented, now,
    success_reply, Action, AnyCall, Call, CallFuture, CommandResult, CompatPolicy, Dispatcher,
    InputPolicy, OutputPolicy, Pending, Session,
};
#[cfg(unix)]
pub use fds::{AccessMode, FdSets};
pub use introspection::IntrospectionError;
pub use json::JsonStreamer;
pub use qobject::{QDict, QObject, QType};
#[cfg(feature = "tokio")]
pub use serve::{EventSender, Server};
