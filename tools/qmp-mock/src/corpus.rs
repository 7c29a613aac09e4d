//! Recorded QMP traffic, in the layout of `shared/qmp-corpus/<version>`:
//! one `<command>.json` per call (`<command>~2.json`, `~3`, ... for later
//! calls of the same command), each an object with the `request`, the
//! `response` (`return` or `error`), and the events seen while waiting for
//! the reply (`events_during`) and until a while after it (`events_after`,
//! which begins with those of `events_during`); `greeting.json` (`parsed`
//! or `raw`) and `schema.json` (the recorded `query-qmp-schema` call).
//! Other JSON files that are not objects with a `request` (the corpus's
//! `errors.json`, `summary.json`, ...), other files and subdirectories are
//! left alone.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use qapi_types::qmp::server::{QDict, QObject};
use qapi_types::qmp::{ErrorClass, Greeting, QmpError};

use crate::json::{parse_file, parse_text};

/// Files of a corpus that are not calls to replay (`schema.json` records
/// `query-qmp-schema`, which the dispatcher answers).
const NOT_CALLS: &[&str] = &["greeting.json", "schema.json"];

/// One recorded call.
#[derive(Debug)]
pub struct Recording {
    /// The request's arguments (`{}` when it had none).
    pub arguments: QObject,
    /// The `return` value as JSON text, or the error.
    pub reply: Result<String, QmpError>,
    /// Events before the reply, as `(name, data)`.
    pub before: Vec<(String, Option<String>)>,
    /// Events after the reply.
    pub after: Vec<(String, Option<String>)>,
}

/// A corpus directory, read.
#[derive(Debug, Default)]
pub struct Corpus {
    /// Recordings by command, in call order.
    pub calls: HashMap<String, Vec<Recording>>,
    pub greeting: Option<Greeting>,
    /// `schema.json`'s path, when there is one.
    pub schema: Option<PathBuf>,
}

impl Corpus {
    /// Read the corpus in `dir`; a malformed file is an error naming it.
    pub fn read(dir: &Path) -> Result<Corpus, String> {
        let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let mut files = Vec::new();
        for entry in entries {
            let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if path.is_file() && name.ends_with(".json") && !NOT_CALLS.contains(&name) {
                files.push(path);
            }
        }
        let mut corpus = Corpus::default();
        let mut numbered = Vec::new();
        for file in files {
            let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("");
            let (command, number) = match stem.rsplit_once('~') {
                Some((command, n)) => match n.parse::<u32>() {
                    Ok(n) => (command.to_string(), n),
                    Err(_) => (stem.to_string(), 1),
                },
                None => (stem.to_string(), 1),
            };
            if let Some(recording) = read_call(&file, &command)? {
                numbered.push((command, number, recording));
            }
        }
        numbered.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
        for (command, _, recording) in numbered {
            corpus.calls.entry(command).or_default().push(recording);
        }
        let greeting = dir.join("greeting.json");
        if greeting.is_file() {
            corpus.greeting = Some(read_greeting(&greeting)?);
        }
        let schema = dir.join("schema.json");
        if schema.is_file() {
            corpus.schema = Some(schema);
        }
        Ok(corpus)
    }
}

fn member<'a>(dict: &'a QDict, key: &str, file: &Path) -> Result<&'a QObject, String> {
    dict.get(key)
        .ok_or_else(|| format!("{}: member '{key}' is missing", file.display()))
}

/// The call recorded in `file`, `None` if it records no call.
fn read_call(file: &Path, command: &str) -> Result<Option<Recording>, String> {
    let value = parse_file(file)?;
    let at = |what: &str| format!("{}: {what}", file.display());
    let Some(call) = value.as_dict().filter(|v| v.contains_key("request")) else {
        return Ok(None);
    };
    let request = member(call, "request", file)?
        .as_dict()
        .ok_or_else(|| at("'request' is not an object"))?;
    let executed = request
        .get("execute")
        .or_else(|| request.get("exec-oob"))
        .and_then(QObject::as_str);
    if executed != Some(command) {
        return Err(at(&format!(
            "the request does not execute '{command}', the command the file is named for"
        )));
    }
    let arguments = match request.get("arguments") {
        Some(arguments @ QObject::Dict(_)) => arguments.clone(),
        Some(_) => return Err(at("'request.arguments' is not an object")),
        None => QObject::Dict(QDict::new()),
    };
    let response = member(call, "response", file)?
        .as_dict()
        .ok_or_else(|| at("'response' is not an object"))?;
    let reply = match (response.get("return"), response.get("error")) {
        (Some(returns), None) => Ok(returns.to_qemu_json()),
        (None, Some(QObject::Dict(error))) => {
            let text = |key: &str| {
                error
                    .get(key)
                    .and_then(QObject::as_str)
                    .ok_or_else(|| at(&format!("'response.error.{key}' is not a string")))
            };
            let class = serde_json::Value::String(text("class")?.to_string());
            let class: ErrorClass =
                serde_json::from_value(class).map_err(|e| at(&format!("error class: {e}")))?;
            Err(QmpError {
                class,
                desc: text("desc")?.to_string(),
            })
        }
        _ => return Err(at("'response' has neither 'return' nor 'error'")),
    };
    let events = |key: &str| -> Result<Vec<(String, Option<String>)>, String> {
        match call.get(key) {
            None => Ok(Vec::new()),
            Some(QObject::List(items)) => items
                .iter()
                .enumerate()
                .map(|(i, event)| {
                    let event = event.as_dict();
                    let name = event.and_then(|e| e.get("event")).and_then(QObject::as_str);
                    let name = name.ok_or_else(|| at(&format!("{key}[{i}] names no event")))?;
                    let data = event.and_then(|e| e.get("data")).map(QObject::to_qemu_json);
                    Ok((name.to_string(), data))
                })
                .collect(),
            Some(_) => Err(at(&format!("'{key}' is not an array"))),
        }
    };
    let before = events("events_during")?;
    let mut after = events("events_after")?;
    // `events_after` repeats `events_during` first.
    if after.starts_with(&before) {
        after.drain(..before.len());
    }
    Ok(Some(Recording {
        arguments,
        reply,
        before,
        after,
    }))
}

/// A greeting file: the message (`{"QMP": {...}}`), or a corpus's
/// `greeting.json` (`{"parsed": {"QMP": ...}, "raw": "..."}`).
pub fn read_greeting(file: &Path) -> Result<Greeting, String> {
    let value = parse_file(file)?;
    let at = |what: &str| format!("{}: {what}", file.display());
    let mut message = value.clone();
    if let Some(dict) = value.as_dict() {
        if let Some(parsed) = dict.get("parsed") {
            message = parsed.clone();
        } else if let Some(QObject::Str(raw)) = dict.get("raw") {
            message = parse_text(raw).map_err(|e| at(&format!("'raw': {e}")))?;
        }
    }
    let inner = message
        .as_dict()
        .and_then(|m| m.get("QMP"))
        .ok_or_else(|| at("not a greeting: no 'QMP' member"))?;
    serde_json::from_str(&inner.to_qemu_json()).map_err(|e| at(&format!("greeting: {e}")))
}
