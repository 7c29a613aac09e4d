//! The events script: which events the mock emits, and when.
//!
//! One rule a line; blank lines and lines starting with `#` are ignored:
//!
//! ```text
//! after COMMAND EVENT [DATA]    # after each successful reply to COMMAND
//! at SECONDS EVENT [DATA]       # once, SECONDS after the mock starts
//! every SECONDS EVENT [DATA]    # every SECONDS, from the mock's start
//! ```
//!
//! `DATA` is the event's `data` object as JSON, the rest of the line.
//! `SECONDS` is a decimal number.  Events go to every client that has
//! negotiated, as QEMU's do; the command and the event must be in the
//! schema, and the data is checked against the event's type as QEMU checks
//! arguments.

use std::path::Path;
use std::time::Duration;

use qapi_types::qmp::server::schema::Schema;
use qapi_types::qmp::server::QObject;

use crate::json::parse_text;

/// An event and its data (JSON text).
#[derive(Clone, Debug, PartialEq)]
pub struct Emit {
    pub event: String,
    pub data: Option<String>,
}

/// When a rule fires.
#[derive(Clone, Debug, PartialEq)]
pub enum When {
    After(String),
    At(Duration),
    Every(Duration),
}

/// A script, read.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Script {
    pub rules: Vec<(When, Emit)>,
}

impl Script {
    /// Read the script in `file`, checked against `schema`.
    pub fn read(file: &Path, schema: &Schema) -> Result<Script, String> {
        let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
        Script::parse(&text, schema).map_err(|e| format!("{}:{e}", file.display()))
    }

    /// Parse a script; errors start with the line number (`12: ...`).
    pub fn parse(text: &str, schema: &Schema) -> Result<Script, String> {
        let mut rules = Vec::new();
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let rule = parse_rule(line, schema).map_err(|e| format!("{}: {e}", number + 1))?;
            rules.push(rule);
        }
        Ok(Script { rules })
    }

    /// The events to emit after a successful reply to `command`.
    pub fn after<'a>(&'a self, command: &'a str) -> impl Iterator<Item = &'a Emit> + 'a {
        self.rules
            .iter()
            .filter_map(move |(when, emit)| match when {
                When::After(c) if c == command => Some(emit),
                _ => None,
            })
    }
}

/// The next word of `text` and the rest.
fn word(text: &str) -> (&str, &str) {
    let text = text.trim_start();
    match text.find(char::is_whitespace) {
        Some(end) => (&text[..end], text[end..].trim_start()),
        None => (text, ""),
    }
}

fn seconds(text: &str) -> Result<Duration, String> {
    text.parse::<f64>()
        .ok()
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .ok_or_else(|| format!("'{text}' is not a number of seconds"))
}

fn parse_rule(line: &str, schema: &Schema) -> Result<(When, Emit), String> {
    let (keyword, rest) = word(line);
    let (argument, rest) = word(rest);
    let when = match keyword {
        "after" => {
            if !schema.commands.iter().any(|c| c.name == argument) {
                return Err(format!("no command '{argument}' in the schema"));
            }
            When::After(argument.to_string())
        }
        "at" => When::At(seconds(argument)?),
        "every" if seconds(argument)?.is_zero() => return Err("'every 0' would never stop".into()),
        "every" => When::Every(seconds(argument)?),
        _ => {
            return Err(format!(
                "'{keyword}': a rule starts with 'after', 'at' or 'every'"
            ))
        }
    };
    let (event, data) = word(rest);
    if event.is_empty() {
        return Err("the event is missing".to_string());
    }
    let info = schema
        .events
        .iter()
        .find(|e| e.name == event)
        .ok_or_else(|| format!("no event '{event}' in the schema"))?;
    let data = if data.is_empty() {
        None
    } else {
        Some(parse_text(data).map_err(|e| format!("event data: {e}"))?)
    };
    let empty = qapi_types::qmp::server::QDict::new();
    let members = match &data {
        Some(QObject::Dict(members)) => members,
        Some(_) => return Err("the event data is not a JSON object".to_string()),
        None => &empty,
    };
    if info.data.is_none() && data.is_some() {
        return Err(format!("event '{event}' has no data"));
    }
    schema
        .check_members(info.data, members)
        .map_err(|e| format!("event '{event}' data: {e}"))?;
    let emit = Emit {
        event: event.to_string(),
        data: data.map(|d| d.to_qemu_json()),
    };
    Ok((when, emit))
}
