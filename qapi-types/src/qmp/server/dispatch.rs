//! Requests to replies, as QEMU's `qmp_dispatch()` and its monitor do.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde::Serialize;

use super::connection::{Connection, InConnection};
#[cfg(unix)]
use super::fds::FdSets;
use super::json::Item;
use super::qobject::{write_str, QDict, QObject};
use super::schema::{
    special, CommandInfo, Schema, ALLOW_OOB, ALLOW_PRECONFIG, BUILTIN, DEPRECATED, NO_GEN,
    NO_SUCCESS_RESPONSE, UNSTABLE,
};
use super::visit::{check_arguments, policy_error, prune};
use crate::qmp::wire::{to_qemu_json, ErrorClass, QmpError};
use crate::{Command, Enum, Event, Mode, Timestamp};

/// What the program does with input that a policy covers (QEMU's
/// `CompatPolicyInput`, without `crash`).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum InputPolicy {
    /// Accepted like any other input.
    #[default]
    Accept,
    /// Commands, arguments and enum values with the feature are errors.
    Reject,
}

/// What the program does with output that a policy covers
/// (`CompatPolicyOutput`).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum OutputPolicy {
    /// Sent like any other output.
    #[default]
    Accept,
    /// Members and events with the feature are left out.
    Hide,
}

/// QEMU's `-compat` option: how to treat what the schema marks
/// `deprecated` or `unstable`.
///
/// ```
/// use qapi_types::qmp::server::{CompatPolicy, InputPolicy, OutputPolicy};
/// let policy = CompatPolicy::default()
///     .deprecated_input(InputPolicy::Reject)
///     .deprecated_output(OutputPolicy::Hide);
/// assert_eq!(policy.unstable_input, InputPolicy::Accept);
/// ```
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CompatPolicy {
    /// `-compat deprecated-input=...` (default accept).
    pub deprecated_input: InputPolicy,
    /// `-compat deprecated-output=...` (default accept).
    pub deprecated_output: OutputPolicy,
    /// `-compat unstable-input=...` (default accept).
    pub unstable_input: InputPolicy,
    /// `-compat unstable-output=...` (default accept).
    pub unstable_output: OutputPolicy,
}

impl CompatPolicy {
    /// With `deprecated_input` set.
    pub fn deprecated_input(mut self, policy: InputPolicy) -> CompatPolicy {
        self.deprecated_input = policy;
        self
    }

    /// With `deprecated_output` set.
    pub fn deprecated_output(mut self, policy: OutputPolicy) -> CompatPolicy {
        self.deprecated_output = policy;
        self
    }

    /// With `unstable_input` set.
    pub fn unstable_input(mut self, policy: InputPolicy) -> CompatPolicy {
        self.unstable_input = policy;
        self
    }

    /// With `unstable_output` set.
    pub fn unstable_output(mut self, policy: OutputPolicy) -> CompatPolicy {
        self.unstable_output = policy;
        self
    }

    fn reject(&self) -> u8 {
        let mut bits = 0;
        if self.deprecated_input == InputPolicy::Reject {
            bits |= DEPRECATED;
        }
        if self.unstable_input == InputPolicy::Reject {
            bits |= UNSTABLE;
        }
        bits
    }

    fn hide(&self) -> u8 {
        let mut bits = 0;
        if self.deprecated_output == OutputPolicy::Hide {
            bits |= DEPRECATED;
        }
        if self.unstable_output == OutputPolicy::Hide {
            bits |= UNSTABLE;
        }
        bits
    }
}

/// What a handler method gives for command `C`: its `Returns`, or the
/// error to answer.
pub type CommandResult<C> = Result<<C as Command>::Returns, QmpError>;

/// A command's result on its way: the `return` member as JSON text, or
/// the error.
pub type CallFuture = Pin<Box<dyn Future<Output = Result<String, QmpError>> + Send>>;

/// How the dispatcher calls a command's handler method: decode the
/// arguments and start the call.  The generated `server` module has one
/// per command.
pub type Call<H> = fn(&Arc<H>, &QObject) -> Result<CallFuture, QmpError>;

/// How a dispatcher built with [`Dispatcher::for_any_command`] calls its
/// handler: one function for every command, given the command's table
/// entry and its arguments (checked against the schema, not decoded).
pub type AnyCall<H> = fn(&Arc<H>, &'static CommandInfo, &QObject) -> Result<CallFuture, QmpError>;

/// The handler's entry points.
enum Calls<H: 'static> {
    /// One per command of the schema, in its order (generated code).
    Table(&'static [Call<H>]),
    /// One for every command (schemas known at run time).
    Any(AnyCall<H>),
}

/// A command's marshalling (QEMU's `qmp_marshal_<command>`): the
/// arguments, already checked against the schema, decode into `C`; the
/// result encodes as the reply's `return`.
pub fn marshal<C, F, Fut>(arguments: &QObject, call: F) -> Result<CallFuture, QmpError>
where
    C: Command,
    F: FnOnce(C) -> Fut,
    Fut: Future<Output = Result<C::Returns, QmpError>> + Send + 'static,
{
    let arguments: C = crate::deserialize(arguments, Mode::Lenient)
        .map_err(|e| QmpError::generic(e.to_string()))?;
    let future = call(arguments);
    Ok(Box::pin(async move {
        let returns = future.await?;
        to_qemu_json(&returns).map_err(|e| QmpError::generic(e.to_string()))
    }))
}

/// What a handler method answers when the program does not implement the
/// command: what QEMU answers for a command it was built without.
pub fn not_implemented<C: Command>() -> std::future::Ready<Result<C::Returns, QmpError>> {
    std::future::ready(Err(QmpError::new(
        ErrorClass::CommandNotFound,
        format!("The command {} has not been found", C::NAME),
    )))
}

/// The table entry of commands the dispatcher answers itself
/// (`qmp_capabilities`, `query-qmp-schema`).
pub fn builtin<H>(_: &Arc<H>, _: &QObject) -> Result<CallFuture, QmpError> {
    Err(QmpError::generic("internal error: built-in command"))
}

impl QmpError {
    /// An error of class `class` with the message `desc`.
    pub fn new(class: ErrorClass, desc: impl Into<String>) -> QmpError {
        QmpError {
            class,
            desc: desc.into(),
        }
    }

    /// A `GenericError`, the class of nearly every error.
    pub fn generic(desc: impl Into<String>) -> QmpError {
        QmpError::new(ErrorClass::GenericError, desc)
    }
}

/// One connection's state: capabilities negotiation, and the
/// [`Connection`] handlers see.
#[derive(Clone, Debug)]
pub struct Session {
    negotiated: bool,
    oob: bool,
    oob_offered: bool,
    connection: Arc<Connection>,
}

impl Session {
    /// A new connection, in capabilities negotiation mode; `oob_offered`:
    /// the greeting offers `oob`.
    pub fn new(oob_offered: bool) -> Session {
        Session {
            negotiated: false,
            oob: false,
            oob_offered,
            connection: Arc::new(Connection::new()),
        }
    }

    /// The connection's context: what [`Connection::current`] gives the
    /// handlers of its requests (the server passes file descriptors
    /// received with a request to [`Connection::receive_fds`]).
    pub fn connection(&self) -> &Arc<Connection> {
        &self.connection
    }

    /// Whether `qmp_capabilities` has succeeded (events are sent from then
    /// on).
    pub fn negotiated(&self) -> bool {
        self.negotiated
    }

    /// Whether the client enabled out-of-band execution.
    pub fn oob(&self) -> bool {
        self.oob
    }
}

/// What to do with a request.
pub enum Action {
    /// Send this reply (one line of JSON, without the newline).
    Reply(String),
    /// Send nothing (a `success-response: false` command, or a request
    /// that was not read).
    Nothing,
    /// Run the handler; [`Pending::reply`] gives the reply.
    Run(Pending),
}

/// A command in progress.
pub struct Pending {
    future: CallFuture,
    id: Option<String>,
    success_response: bool,
    /// The return type, when the output policy may have members to hide.
    prune: Option<(u32, u8)>,
    schema: &'static Schema,
}

impl Pending {
    /// Wait for the handler; the reply to send, if any.
    pub async fn reply(self) -> Option<String> {
        match self.future.await {
            Ok(_) if !self.success_response => None,
            Ok(mut returns) => {
                if let Some((ty, hide)) = self.prune {
                    returns = pruned(self.schema, ty, &returns, hide);
                }
                Some(success_reply(&returns, self.id.as_deref()))
            }
            Err(error) => Some(error_reply(&error, self.id.as_deref())),
        }
    }
}

fn pruned(schema: &Schema, ty: u32, json: &str, hide: u8) -> String {
    let mut parsed = None;
    super::json::JsonStreamer::new(usize::MAX).feed(json.as_bytes(), &mut |item| {
        parsed = item.ok();
    });
    match parsed {
        Some(mut value) => {
            prune(schema, ty, &mut value, hide);
            value.to_json_in_order()
        }
        None => json.to_string(),
    }
}

/// `{"return": ..., "id": ...}`, members in QEMU's order.
pub fn success_reply(returns: &str, id: Option<&str>) -> String {
    let mut out = String::with_capacity(returns.len() + 32);
    out.push_str("{\"return\": ");
    out.push_str(returns);
    if let Some(id) = id {
        out.push_str(", \"id\": ");
        out.push_str(id);
    }
    out.push('}');
    out
}

/// `{"id": ..., "error": {"class": ..., "desc": ...}}`, members in QEMU's
/// order.
pub fn error_reply(error: &QmpError, id: Option<&str>) -> String {
    let mut out = String::with_capacity(error.desc.len() + 64);
    out.push('{');
    if let Some(id) = id {
        out.push_str("\"id\": ");
        out.push_str(id);
        out.push_str(", ");
    }
    out.push_str("\"error\": {\"class\": ");
    write_str(&mut out, error.class.as_str());
    out.push_str(", \"desc\": ");
    write_str(&mut out, &error.desc);
    out.push_str("}}");
    out
}

/// Turns requests into replies for one schema and one handler; shared by
/// every connection ([`Session`] holds a connection's state).
pub struct Dispatcher<H: 'static> {
    schema: &'static Schema,
    calls: Calls<H>,
    handler: Arc<H>,
    policy: CompatPolicy,
    machine_ready: AtomicBool,
    by_name: HashMap<&'static str, usize>,
    introspection: String,
    /// Whether the dispatcher answers QEMU's descriptor commands itself.
    #[cfg(unix)]
    fd_commands: bool,
    #[cfg(unix)]
    fd_sets: FdSets,
}

const CAPABILITIES: &str = "qmp_capabilities";
const QUERY_SCHEMA: &str = "query-qmp-schema";

impl<H: 'static> Dispatcher<H> {
    /// The generated `server::dispatcher()` calls this with the schema's
    /// tables.
    pub fn new(
        schema: &'static Schema,
        calls: &'static [Call<H>],
        handler: Arc<H>,
        policy: CompatPolicy,
    ) -> Dispatcher<H> {
        Dispatcher::with_calls(schema, Calls::Table(calls), handler, policy)
    }

    /// A dispatcher whose handler answers every command through one
    /// function, for schemas known only at run time (see
    /// [`Schema::from_introspection`](super::schema::Schema::from_introspection)).
    pub fn for_any_command(
        schema: &'static Schema,
        call: AnyCall<H>,
        handler: Arc<H>,
        policy: CompatPolicy,
    ) -> Dispatcher<H> {
        Dispatcher::with_calls(schema, Calls::Any(call), handler, policy)
    }

    fn with_calls(
        schema: &'static Schema,
        calls: Calls<H>,
        handler: Arc<H>,
        policy: CompatPolicy,
    ) -> Dispatcher<H> {
        let by_name = schema
            .commands
            .iter()
            .enumerate()
            .map(|(i, command)| (command.name, i))
            .collect();
        Dispatcher {
            schema,
            calls,
            handler,
            policy,
            machine_ready: AtomicBool::new(true),
            by_name,
            introspection: schema.introspection.to_json(),
            #[cfg(unix)]
            fd_commands: true,
            #[cfg(unix)]
            fd_sets: FdSets::default(),
        }
    }

    /// Whether the dispatcher answers `getfd`, `closefd`, `add-fd`,
    /// `remove-fd` and `query-fdsets` itself, with QEMU's semantics (see
    /// [`fds`](super::fds)), when the schema has them (default: yes);
    /// otherwise they go to the handler.
    #[cfg(unix)]
    pub fn set_fd_commands(&mut self, answer: bool) {
        self.fd_commands = answer;
    }

    /// The descriptor sets of `add-fd` (`/dev/fdset/N`), for handlers.
    #[cfg(unix)]
    pub fn fd_sets(&self) -> &FdSets {
        &self.fd_sets
    }

    /// The handler commands run on.
    pub fn handler(&self) -> &Arc<H> {
        &self.handler
    }

    /// The schema it dispatches by.
    pub fn schema(&self) -> &'static Schema {
        self.schema
    }

    /// The compatibility policy it applies.
    pub fn policy(&self) -> CompatPolicy {
        self.policy
    }

    /// Enter or leave QEMU's preconfig state, in which only commands with
    /// `allow-preconfig` run (default: machine ready, every command runs).
    pub fn set_preconfig(&self, preconfig: bool) {
        self.machine_ready.store(!preconfig, Ordering::Relaxed);
    }

    /// Whether a request is to be executed out of band (`exec-oob` without
    /// `execute`, QEMU's `qmp_is_oob()`): the server runs it at once,
    /// ahead of in-band requests still queued.
    pub fn is_oob(request: &Item) -> bool {
        match request {
            Ok(QObject::Dict(dict)) => {
                dict.contains_key("exec-oob") && !dict.contains_key("execute")
            }
            _ => false,
        }
    }

    /// Handle one parsed request (or parse error) of a connection.
    pub fn dispatch(&self, session: &mut Session, request: Item) -> Action {
        let request = match request {
            Ok(request) => request,
            Err(error) => return Action::Reply(error_reply(&QmpError::generic(error), None)),
        };
        let QObject::Dict(dict) = &request else {
            let error = QmpError::generic("QMP input must be a JSON object");
            return Action::Reply(error_reply(&error, None));
        };
        let id = dict.get("id").map(QObject::to_qemu_json);
        match self.dispatch_dict(session, dict) {
            Ok(Some(future)) => {
                let command = self.find(command_name(dict)).map(|(info, _)| info);
                let hide = self.policy.hide();
                let prune = command
                    .and_then(|c| c.returns)
                    .filter(|_| hide != 0)
                    .map(|ty| (ty, hide));
                Action::Run(Pending {
                    future,
                    id,
                    success_response: command.map_or(true, |c| c.flags & NO_SUCCESS_RESPONSE == 0),
                    prune,
                    schema: self.schema,
                })
            }
            Ok(None) => Action::Nothing,
            Err(Answer::Return(returns)) => Action::Reply(success_reply(&returns, id.as_deref())),
            Err(Answer::Error(mut error)) => {
                // QEMU's monitor replaces the description while the client
                // has not negotiated.
                if !session.negotiated && error.class == ErrorClass::CommandNotFound {
                    error.desc =
                        "Expecting capabilities negotiation with 'qmp_capabilities'".into();
                }
                Action::Reply(error_reply(&error, id.as_deref()))
            }
        }
    }

    fn find(&self, name: &str) -> Option<(&'static CommandInfo, Option<usize>)> {
        match self.by_name.get(name) {
            Some(&i) => Some((&self.schema.commands[i], Some(i))),
            None if name == CAPABILITIES => Some((&BUILTIN.commands[0], None)),
            None if name == QUERY_SCHEMA => Some((&QUERY_SCHEMA_INFO, None)),
            None => None,
        }
    }

    /// `Ok(Some)`: run the handler; `Ok(None)`: no reply; `Err`: reply now.
    fn dispatch_dict(
        &self,
        session: &mut Session,
        dict: &QDict,
    ) -> Result<Option<CallFuture>, Answer> {
        let (name, oob) = check_request(dict, session.oob)?;
        let found = self
            .find(name)
            .filter(|_| session.negotiated || name == CAPABILITIES);
        let Some((command, index)) = found else {
            return Err(Answer::Error(QmpError::new(
                ErrorClass::CommandNotFound,
                format!("The command {name} has not been found"),
            )));
        };
        if let Some(error) = policy_error(command.special, self.policy.reject(), "command", name) {
            return Err(Answer::Error(QmpError::new(
                ErrorClass::CommandNotFound,
                error,
            )));
        }
        if oob && command.flags & ALLOW_OOB == 0 {
            return Err(Answer::Error(QmpError::generic(format!(
                "The command {name} does not support OOB"
            ))));
        }
        if !self.machine_ready.load(Ordering::Relaxed) && command.flags & ALLOW_PRECONFIG == 0 {
            return Err(Answer::Error(QmpError::generic(format!(
                "The command '{name}' is permitted only after machine initialization has completed"
            ))));
        }
        let empty = QObject::Dict(QDict::new());
        let arguments = dict.get("arguments").unwrap_or(&empty);
        let schema = if index.is_some() {
            self.schema
        } else {
            &BUILTIN
        };
        if command.flags & NO_GEN == 0 {
            if let QObject::Dict(arguments) = arguments {
                check_arguments(schema, command.args, arguments, self.policy.reject())
                    .map_err(|e| Answer::Error(QmpError::generic(e)))?;
            }
        }
        match name {
            CAPABILITIES => self.negotiate(session, arguments).map(|()| None),
            QUERY_SCHEMA => Err(Answer::Return(self.introspection.clone())),
            #[cfg(unix)]
            _ if self.fd_commands && super::fds::COMMANDS.contains(&name) => {
                match super::fds::run(name, arguments, &session.connection, &self.fd_sets) {
                    Ok(returns) => Err(Answer::Return(returns.to_qemu_json())),
                    Err(error) => Err(Answer::Error(error)),
                }
            }
            _ => {
                let index = index.unwrap_or(usize::MAX);
                let started = session.connection.enter(|| match &self.calls {
                    Calls::Table(calls) => {
                        calls.get(index).map(|call| call(&self.handler, arguments))
                    }
                    Calls::Any(call) => Some(call(&self.handler, command, arguments)),
                });
                let future = started.ok_or_else(|| {
                    Answer::Error(QmpError::generic("internal error: no handler"))
                })?;
                let future = future.map_err(Answer::Error)?;
                Ok(Some(Box::pin(InConnection {
                    connection: Arc::clone(&session.connection),
                    future,
                })))
            }
        }
    }

    /// `qmp_capabilities` (QEMU's `qmp_qmp_capabilities()`).
    fn negotiate(&self, session: &mut Session, arguments: &QObject) -> Result<(), Answer> {
        if session.negotiated {
            return Err(Answer::Error(QmpError::new(
                ErrorClass::CommandNotFound,
                "Capabilities negotiation is already complete, command ignored",
            )));
        }
        let enable: Vec<&str> = match arguments.as_dict().and_then(|a| a.get("enable")) {
            Some(QObject::List(items)) => items.iter().filter_map(QObject::as_str).collect(),
            _ => Vec::new(),
        };
        let unavailable: Vec<&str> = enable
            .iter()
            .copied()
            .filter(|c| !(*c == "oob" && session.oob_offered))
            .collect();
        if !unavailable.is_empty() {
            return Err(Answer::Error(QmpError::generic(format!(
                "Capability {} not available",
                unavailable.join(", ")
            ))));
        }
        session.oob = enable.contains(&"oob");
        session.negotiated = true;
        Err(Answer::Return("{}".to_string()))
    }

    /// The event message for `event` (QEMU's member order: `timestamp`,
    /// `event`, `data`), or `None` when the output policy hides the event.
    pub fn event_message<E: Event>(&self, event: &E) -> Option<String> {
        event_message_for(self.schema, self.policy, event)
    }

    /// Answer the requests in `bytes` at once, waiting for each handler
    /// (tests, benchmarks, blocking servers): the replies, in order.
    pub fn handle_blocking(
        &self,
        session: &mut Session,
        streamer: &mut super::json::JsonStreamer,
        bytes: &[u8],
    ) -> Vec<String> {
        let mut items = Vec::new();
        streamer.feed(bytes, &mut |item| items.push(item));
        items
            .into_iter()
            .filter_map(|item| match self.dispatch(session, item) {
                Action::Reply(reply) => Some(reply),
                Action::Nothing => None,
                Action::Run(pending) => block_on(pending.reply()),
            })
            .collect()
    }
}

/// See [`Dispatcher::event_message`].
pub(crate) fn event_message_for<E: Event>(
    schema: &Schema,
    policy: CompatPolicy,
    event: &E,
) -> Option<String> {
    if special(E::FEATURES) & policy.hide() != 0 {
        return None;
    }
    let data = if E::HAS_DATA {
        Some(to_qemu_json(event).ok()?)
    } else {
        None
    };
    policy_event_message(schema, policy, E::NAME, data)
}

/// The message for event `name` of `schema` with `data` (JSON text), or
/// `None` when the output policy hides the event (its data's hidden
/// members are left out).
pub(crate) fn policy_event_message(
    schema: &Schema,
    policy: CompatPolicy,
    name: &str,
    mut data: Option<String>,
) -> Option<String> {
    let hide = policy.hide();
    if hide != 0 {
        let info = schema.events.iter().find(|e| e.name == name);
        if info.is_some_and(|info| info.special & hide != 0) {
            return None;
        }
        if let (Some(ty), Some(json)) = (info.and_then(|e| e.data), &data) {
            data = Some(pruned(schema, ty, json, hide));
        }
    }
    Some(event_message(name, data.as_deref(), now()))
}

/// Run a future to completion on this thread.
pub fn block_on<F: Future>(future: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl std::task::Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = std::task::Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut context = std::task::Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        match future.as_mut().poll(&mut context) {
            std::task::Poll::Ready(output) => return output,
            std::task::Poll::Pending => std::thread::park(),
        }
    }
}

/// Answers the dispatcher gives without calling the handler.
enum Answer {
    Return(String),
    Error(QmpError),
}

/// `query-qmp-schema` for schemas that do not define it: QEMU's
/// definition (no arguments).
static QUERY_SCHEMA_INFO: CommandInfo =
    super::schema::command(QUERY_SCHEMA, None, None, ALLOW_PRECONFIG, 0);

fn command_name(dict: &QDict) -> &str {
    dict.get("execute")
        .or_else(|| dict.get("exec-oob"))
        .and_then(QObject::as_str)
        .unwrap_or("")
}

/// QEMU's `qmp_dispatch_check_obj()`: the request's members, in QEMU's
/// order; the command name and whether it is out of band.
fn check_request(dict: &QDict, allow_oob: bool) -> Result<(&str, bool), Answer> {
    let generic = |desc: String| Answer::Error(QmpError::generic(desc));
    let mut exec_key: Option<&str> = None;
    for index in dict.qemu_order() {
        let (key, value) = dict.entry(index);
        match key {
            "execute" | "exec-oob" if key == "execute" || allow_oob => {
                if !matches!(value, QObject::Str(_)) {
                    return Err(generic(format!(
                        "QMP input member '{key}' must be a string"
                    )));
                }
                if let Some(first) = exec_key {
                    return Err(generic(format!(
                        "QMP input member '{key}' clashes with '{first}'"
                    )));
                }
                exec_key = Some(key);
            }
            "arguments" => {
                if !matches!(value, QObject::Dict(_)) {
                    return Err(generic(
                        "QMP input member 'arguments' must be an object".to_string(),
                    ));
                }
            }
            "id" => {}
            _ => return Err(generic(format!("QMP input member '{key}' is unexpected"))),
        }
    }
    let Some(exec_key) = exec_key else {
        return Err(generic("QMP input lacks member 'execute'".to_string()));
    };
    let name = dict.get(exec_key).and_then(QObject::as_str).unwrap_or("");
    Ok((name, exec_key == "exec-oob"))
}

/// The current time as QEMU stamps events.
pub fn now() -> Timestamp {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    Timestamp {
        seconds: since.as_secs() as i64,
        microseconds: i64::from(since.subsec_micros()),
    }
}

/// `{"timestamp": {...}, "event": NAME, "data": DATA}`.
pub fn event_message(name: &str, data: Option<&str>, timestamp: Timestamp) -> String {
    let mut out = format!(
        "{{\"timestamp\": {{\"seconds\": {}, \"microseconds\": {}}}, \"event\": ",
        timestamp.seconds, timestamp.microseconds
    );
    write_str(&mut out, name);
    if let Some(data) = data {
        out.push_str(", \"data\": ");
        out.push_str(data);
    }
    out.push('}');
    out
}

/// Encode a value as QEMU prints JSON.
pub fn encode<T: Serialize + ?Sized>(value: &T) -> Result<String, QmpError> {
    to_qemu_json(value).map_err(|e| QmpError::generic(e.to_string()))
}
