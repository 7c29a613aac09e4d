//! The mock's handler: every command of the schema, answered from the
//! corpus or with a schema-valid reply.
//!
//! A call is matched with the recordings of its command whose arguments
//! are equal (members in any order); the first such call on a connection
//! gets the first of those recordings, the next call the next one, and
//! once they are used up the last one again.  Each connection replays
//! from the start.  A recording's events are emitted with its reply: the
//! ones seen before the reply before it, the others a few milliseconds
//! after it.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use qapi_types::qmp::server::schema::{CommandInfo, Schema};
use qapi_types::qmp::server::{CallFuture, Connection, EventSender, QDict, QObject};
use qapi_types::qmp::QmpError;

use crate::corpus::{Corpus, Recording};
use crate::replies::smallest;
use crate::script::{Emit, Script};

/// What to answer a call the corpus has no recording of.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Fallback {
    /// The smallest value of the command's return type.
    Generate,
    /// An error saying that nothing was recorded.
    Error,
}

/// How long after a reply the recording's later events come.
const AFTER_REPLY: Duration = Duration::from_millis(5);

pub struct Mock {
    pub schema: &'static Schema,
    pub corpus: Corpus,
    pub fallback: Fallback,
    pub script: Script,
    pub events: EventSender,
}

/// Per connection: calls so far, by command and first matching recording.
#[derive(Default)]
struct Replayed(HashMap<(String, usize), usize>);

impl Mock {
    /// The dispatcher's entry point for every command.
    pub fn call(
        mock: &Arc<Mock>,
        command: &'static CommandInfo,
        arguments: &QObject,
    ) -> Result<CallFuture, QmpError> {
        let recording = mock.recording(command.name, arguments);
        let (reply, before, after) = match recording {
            Some(recording) => (
                recording.reply.clone(),
                recording.before.clone(),
                recording.after.clone(),
            ),
            None => (mock.fallback(command), Vec::new(), Vec::new()),
        };
        for (event, data) in &before {
            mock.events.emit_json(event, data.as_deref());
        }
        let mut later: Vec<Emit> = after
            .into_iter()
            .map(|(event, data)| Emit { event, data })
            .collect();
        if reply.is_ok() {
            later.extend(mock.script.after(command.name).cloned());
        }
        if !later.is_empty() {
            let events = mock.events.clone();
            tokio::spawn(async move {
                tokio::time::sleep(AFTER_REPLY).await;
                for emit in later {
                    events.emit_json(&emit.event, emit.data.as_deref());
                }
            });
        }
        Ok(Box::pin(std::future::ready(reply)))
    }

    /// The recording this call replays, if any.
    fn recording(&self, command: &str, arguments: &QObject) -> Option<&Recording> {
        let recordings = self.corpus.calls.get(command)?;
        let empty = QObject::Dict(QDict::new());
        let arguments = match arguments {
            QObject::Dict(_) => arguments,
            _ => &empty,
        };
        let matching: Vec<usize> = (0..recordings.len())
            .filter(|&i| &recordings[i].arguments == arguments)
            .collect();
        let first = *matching.first()?;
        let key = (command.to_string(), first);
        let count = match Connection::current() {
            Some(connection) => connection.state(|replayed: &mut Replayed| {
                let count = replayed.0.entry(key).or_default();
                *count += 1;
                *count - 1
            }),
            None => 0,
        };
        let index = matching[count.min(matching.len() - 1)];
        Some(&recordings[index])
    }

    fn fallback(&self, command: &CommandInfo) -> Result<String, QmpError> {
        match self.fallback {
            Fallback::Generate => Ok(match command.returns {
                Some(ty) => smallest(self.schema, ty, 0).to_qemu_json(),
                None => "{}".to_string(),
            }),
            Fallback::Error => Err(QmpError::generic(format!(
                "qmp-mock: no recorded reply to '{}' with these arguments",
                command.name
            ))),
        }
    }
}
