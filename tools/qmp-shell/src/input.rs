//! A line of input, as QEMU's `qmp-shell` reads it: `command key=value
//! ...` (values JSON where they parse, dotted keys for nested objects), a
//! raw JSON request, or `help [COMMAND]`; and QEMU's transaction
//! sub-mode (`transaction(`, one action a line, `)`).

use serde_json::{Map, Value};

#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    Empty,
    Help(Option<String>),
    Command {
        name: String,
        arguments: Map<String, Value>,
        /// Sent as `exec-oob` (raw requests only).
        oob: bool,
    },
}

/// QEMU's transaction sub-mode: `transaction(` starts collecting
/// actions, each later line `action-type key=value ...` is one action, and
/// `)` sends them as one `transaction` command.  `transaction( ACTION ...
/// )` on one line is a transaction of one action.
#[derive(Debug, Default)]
pub struct LineReader {
    /// The actions collected so far, while in the sub-mode.
    actions: Option<Vec<Value>>,
}

impl LineReader {
    /// Whether the sub-mode is on (the prompt is then `TRANS> `).
    pub fn in_transaction(&self) -> bool {
        self.actions.is_some()
    }

    /// Read a line.  An action is checked with `check_action` before it is
    /// kept; a line that only adds an action gives `Input::Empty`.  As in
    /// QEMU's, an error leaves the sub-mode as it was.
    pub fn read(
        &mut self,
        line: &str,
        check_action: impl Fn(&Map<String, Value>) -> Result<(), String>,
    ) -> Result<Input, String> {
        let mut tokens = tokenize(line);
        if tokens.first().map(String::as_str) == Some("transaction(") {
            self.actions = Some(Vec::new());
            tokens.remove(0);
        }
        let Some(actions) = &mut self.actions else {
            return parse_line(line);
        };
        match tokens.first().map(String::as_str) {
            None => return Ok(Input::Empty),
            Some(")") => {
                if tokens.len() > 1 {
                    // QEMU's leaves the sub-mode, dropping the actions.
                    self.actions = None;
                    return Err("Unexpected input after close of Transaction sub-shell".to_string());
                }
                return Ok(self.close());
            }
            Some("help") => return parse_line(line),
            Some(_) => {}
        }
        let close = tokens.last().map(String::as_str) == Some(")");
        if close {
            tokens.pop();
        }
        let mut data = Map::new();
        for token in &tokens[1..] {
            add_argument(&mut data, token)?;
        }
        let mut action = Map::new();
        action.insert("type".to_string(), Value::String(tokens[0].clone()));
        action.insert("data".to_string(), Value::Object(data));
        check_action(&action).map_err(|error| format!("{error} (action not added)"))?;
        actions.push(Value::Object(action));
        Ok(if close { self.close() } else { Input::Empty })
    }

    /// Leave the sub-mode: the `transaction` command.
    fn close(&mut self) -> Input {
        let actions = self.actions.take().unwrap_or_default();
        let mut arguments = Map::new();
        arguments.insert("actions".to_string(), Value::Array(actions));
        Input::Command {
            name: "transaction".to_string(),
            arguments,
            oob: false,
        }
    }
}

pub fn parse_line(line: &str) -> Result<Input, String> {
    let line = line.trim();
    if line.starts_with('{') {
        return parse_raw(line);
    }
    let tokens = tokenize(line);
    let Some((first, rest)) = tokens.split_first() else {
        return Ok(Input::Empty);
    };
    if first == "help" {
        return match rest {
            [] => Ok(Input::Help(None)),
            [command] => Ok(Input::Help(Some(command.clone()))),
            _ => Err("usage: help [COMMAND]".to_string()),
        };
    }
    let mut arguments = Map::new();
    for token in rest {
        add_argument(&mut arguments, token)?;
    }
    Ok(Input::Command {
        name: first.clone(),
        arguments,
        oob: false,
    })
}

/// Split at white space outside quotes (quotes are kept, as in QEMU's).
pub fn tokenize(line: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    let mut quote = None;
    let mut escaped = false;
    for c in line.chars() {
        match quote {
            Some(q) => {
                current.push(c);
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None if c.is_whitespace() => {
                if !current.is_empty() {
                    tokens.push(std::mem::take(&mut current));
                }
            }
            None => {
                if c == '"' || c == '\'' {
                    quote = Some(c);
                }
                current.push(c);
            }
        }
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    tokens
}

/// Add `key=value` to `arguments`, creating the objects a dotted key
/// goes through.
pub fn add_argument(arguments: &mut Map<String, Value>, token: &str) -> Result<(), String> {
    let Some((key, text)) = token.split_once('=') else {
        return Err(format!("Expected a key=value pair, got '{token}'"));
    };
    let path: Vec<&str> = key.split('.').collect();
    let (last, parents) = path.split_last().unwrap_or((&"", &[]));
    let mut object = arguments;
    for (depth, parent) in parents.iter().enumerate() {
        let slot = object
            .entry(parent.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        object = match slot {
            Value::Object(inner) => inner,
            _ => return Err(both_leaf_and_not(&path[..=depth])),
        };
    }
    match object.get(*last) {
        Some(Value::Object(_)) => Err(both_leaf_and_not(&path)),
        Some(_) => Err(format!("Cannot set \"{key}\" multiple times")),
        None => {
            object.insert(last.to_string(), parse_value(text));
            Ok(())
        }
    }
}

fn both_leaf_and_not(path: &[&str]) -> String {
    format!(
        "Cannot use \"{}\" as both leaf and non-leaf key",
        path.join(".")
    )
}

/// A value: true/false (any case), a number, a JSON object, array or
/// string (in double quotes); anything else is the text itself.
pub fn parse_value(text: &str) -> Value {
    match text.to_ascii_lowercase().as_str() {
        "true" => return Value::Bool(true),
        "false" => return Value::Bool(false),
        _ => {}
    }
    let looks_json =
        text.starts_with(['{', '[', '"', '-']) || text.starts_with(|c: char| c.is_ascii_digit());
    if looks_json {
        if let Ok(value) = serde_json::from_str::<Value>(text) {
            return value;
        }
    }
    Value::String(text.to_string())
}

/// `{"execute": NAME, "arguments": {...}}` (or `exec-oob`); an `id` is
/// accepted and replaced by the client's own.
fn parse_raw(line: &str) -> Result<Input, String> {
    let request: Map<String, Value> =
        serde_json::from_str(line).map_err(|e| format!("invalid JSON request: {e}"))?;
    let mut name = None;
    let mut oob = false;
    let mut arguments = Map::new();
    for (key, value) in request {
        match (key.as_str(), value) {
            ("execute", Value::String(command)) => name = Some(command),
            ("exec-oob", Value::String(command)) => {
                name = Some(command);
                oob = true;
            }
            ("arguments", Value::Object(object)) => arguments = object,
            ("id", _) => {}
            ("execute" | "exec-oob", _) => return Err(format!("'{key}' must be a string")),
            ("arguments", _) => return Err("'arguments' must be an object".to_string()),
            (other, _) => return Err(format!("unknown request member '{other}'")),
        }
    }
    let name = name.ok_or("the request has no 'execute' (or 'exec-oob')")?;
    Ok(Input::Command {
        name,
        arguments,
        oob,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn command(line: &str) -> Value {
        match parse_line(line) {
            Ok(Input::Command {
                name, arguments, ..
            }) => json!({"name": name, "arguments": arguments}),
            other => panic!("{line}: {other:?}"),
        }
    }

    #[test]
    fn values_are_json_where_they_parse() {
        assert_eq!(
            command("x a=1 b=true c=False d=[1,2] e={\"k\":null} f=cd0 g=-3 h=1.5 i=\"two words\""),
            json!({"name": "x", "arguments": {
                "a": 1, "b": true, "c": false, "d": [1, 2], "e": {"k": null},
                "f": "cd0", "g": -3, "h": 1.5, "i": "two words"}})
        );
        // Not JSON: kept as text.
        assert_eq!(parse_value("{oops"), json!("{oops"));
        assert_eq!(parse_value("1x"), json!("1x"));
        assert_eq!(parse_value("null"), json!("null"));
    }

    #[test]
    fn dotted_keys_nest() {
        assert_eq!(
            command("blockdev-add driver=file file.filename=/tmp/x file.aio.mode=native"),
            json!({"name": "blockdev-add", "arguments": {
                "driver": "file",
                "file": {"filename": "/tmp/x", "aio": {"mode": "native"}}}})
        );
    }

    #[test]
    fn bad_pairs_are_errors_as_in_qemu() {
        let error = |line| parse_line(line).unwrap_err();
        assert_eq!(error("x a"), "Expected a key=value pair, got 'a'");
        assert_eq!(error("x a=1 a=2"), "Cannot set \"a\" multiple times");
        assert_eq!(
            error("x a=1 a.b=2"),
            "Cannot use \"a\" as both leaf and non-leaf key"
        );
        assert_eq!(
            error("x a.b=2 a=1"),
            "Cannot use \"a\" as both leaf and non-leaf key"
        );
    }

    #[test]
    fn raw_requests_and_help() {
        assert_eq!(
            parse_line(r#"{ "exec-oob": "stop", "id": 5 }"#),
            Ok(Input::Command {
                name: "stop".into(),
                arguments: Map::new(),
                oob: true
            })
        );
        assert!(parse_line(r#"{ "execute": 1 }"#).is_err());
        assert!(parse_line("{ garbage").is_err());
        assert_eq!(parse_line("   "), Ok(Input::Empty));
        assert_eq!(
            parse_line("help eject"),
            Ok(Input::Help(Some("eject".into())))
        );
    }

    fn read_all(reader: &mut LineReader, lines: &[&str]) -> Vec<Result<Input, String>> {
        let no_bitmaps = |action: &Map<String, Value>| match action["data"].get("name") {
            Some(name) if name == "bad" => Err("no bad bitmaps".to_string()),
            _ => Ok(()),
        };
        lines
            .iter()
            .map(|line| reader.read(line, no_bitmaps))
            .collect()
    }

    fn transaction(actions: Value) -> Result<Input, String> {
        let Value::Object(arguments) = json!({ "actions": actions }) else {
            unreachable!()
        };
        Ok(Input::Command {
            name: "transaction".into(),
            arguments,
            oob: false,
        })
    }

    #[test]
    fn transactions_collect_actions_until_the_parenthesis() {
        let mut reader = LineReader::default();
        let results = read_all(
            &mut reader,
            &[
                "transaction(",
                "block-dirty-bitmap-add node=drive0 name=bitmap1",
                "",
                "block-dirty-bitmap-clear node=drive0 name=bitmap0",
            ],
        );
        assert_eq!(results, vec![Ok(Input::Empty); 4]);
        assert!(reader.in_transaction());
        assert_eq!(
            reader.read(")", |_| Ok(())),
            transaction(json!([
                {"type": "block-dirty-bitmap-add", "data": {"node": "drive0", "name": "bitmap1"}},
                {"type": "block-dirty-bitmap-clear", "data": {"node": "drive0", "name": "bitmap0"}}
            ]))
        );
        assert!(!reader.in_transaction());
        // Outside the sub-mode, lines are commands.
        assert_eq!(reader.read("stop", |_| Ok(())), parse_line("stop"));
    }

    #[test]
    fn one_line_transactions_and_mistakes() {
        let mut reader = LineReader::default();
        let results = read_all(
            &mut reader,
            &[
                "transaction( block-dirty-bitmap-add node=d name=b1 )",
                "transaction( )",
                "transaction(",
                "block-dirty-bitmap-add node=d name=bad",
                "block-dirty-bitmap-add node=d node=e",
                "abort",
                ")",
                "transaction(",
                "abort",
                ") stop",
            ],
        );
        assert_eq!(
            results,
            [
                transaction(json!([
                    {"type": "block-dirty-bitmap-add", "data": {"node": "d", "name": "b1"}}
                ])),
                transaction(json!([])),
                Ok(Input::Empty),
                Err("no bad bitmaps (action not added)".into()),
                Err("Cannot set \"node\" multiple times".into()),
                Ok(Input::Empty),
                // The rejected actions are not kept.
                transaction(json!([{"type": "abort", "data": {}}])),
                Ok(Input::Empty),
                Ok(Input::Empty),
                Err("Unexpected input after close of Transaction sub-shell".into()),
            ]
        );
        assert!(!reader.in_transaction());
    }

    #[test]
    fn tokens_keep_quoted_spaces() {
        assert_eq!(tokenize(r#"a b="c d" 'e f'"#), ["a", "b=\"c d\"", "'e f'"]);
    }
}
