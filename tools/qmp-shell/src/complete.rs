//! Tab completion of command names, argument names (dotted paths into
//! nested objects) and enum values, and in the transaction sub-mode of
//! action types and their arguments; the rustyline helper around it.

use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use rustyline::completion::Completer;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::Validator;
use rustyline::{Context, Helper};
use serde_json::{Map, Value};

use crate::input::{add_argument, tokenize};
use crate::schema::{Entity, SchemaInfo};

/// The type of the arguments that follow `name`: a command's, or in a
/// transaction an action's `data`.
fn arguments_type<'s>(schema: &'s SchemaInfo, name: &str, in_transaction: bool) -> Option<&'s str> {
    if in_transaction {
        schema.action_data_type(name)
    } else {
        schema.command(name).map(|(arg_type, _)| arg_type)
    }
}

/// Where the word being completed starts in `line`, and its candidates
/// (each replaces the text from there to the cursor).  `in_transaction`:
/// the line is an action (as is what follows `transaction(`).
pub fn complete(schema: &SchemaInfo, line: &str, in_transaction: bool) -> (usize, Vec<String>) {
    // After the last white space (which may be more than one byte).
    let start = line
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace())
        .map_or(0, |(at, c)| at + c.len_utf8());
    let word = &line[start..];
    let mut before: Vec<String> = tokenize(&line[..start]);
    let in_transaction = in_transaction || before.first().is_some_and(|t| t == "transaction(");
    if before.first().is_some_and(|t| t == "transaction(") {
        before.remove(0);
    }
    let mut candidates = match before.as_slice() {
        [] if in_transaction => schema
            .transaction_actions()
            .iter()
            .map(|(case, _)| case.clone())
            .filter(|case| case.starts_with(word))
            .collect(),
        [] => {
            let mut names = matching(schema.commands(), word);
            if "help".starts_with(word) {
                names.push("help".to_string());
            }
            names
        }
        [help] if help == "help" => matching(schema.commands(), word),
        [command, given @ ..] => match arguments_type(schema, command, in_transaction) {
            Some(arg_type) => {
                // Arguments typed so far select a union's variant members.
                let mut arguments = Map::new();
                for token in given {
                    let _ = add_argument(&mut arguments, token);
                }
                return complete_argument(schema, arg_type, &arguments, word)
                    .map_or((start, Vec::new()), |(offset, names)| {
                        (start + offset, names)
                    });
            }
            None => Vec::new(),
        },
    };
    candidates.sort();
    candidates.dedup();
    (start, candidates)
}

fn matching(names: &[String], prefix: &str) -> Vec<String> {
    names
        .iter()
        .filter(|name| name.starts_with(prefix))
        .cloned()
        .collect()
}

/// Complete `word` (`key`, `a.b.key` or `key=val`) against the members of
/// `arg_type`: the offset in `word` where the candidates start, and them.
fn complete_argument(
    schema: &SchemaInfo,
    arg_type: &str,
    arguments: &Map<String, Value>,
    word: &str,
) -> Option<(usize, Vec<String>)> {
    if let Some((key, value)) = word.split_once('=') {
        let type_name = member_type(schema, arg_type, arguments, key)?;
        let mut values = values_of(schema, &type_name);
        values.retain(|v| v.starts_with(value));
        values.sort();
        return Some((key.len() + 1, values));
    }
    let (parent, prefix, object) = match word.rsplit_once('.') {
        Some((parent, prefix)) => {
            let type_name = member_type(schema, arg_type, arguments, parent)?;
            let object = lookup(arguments, parent).and_then(Value::as_object);
            (Some(parent), prefix, (type_name, object))
        }
        None => (None, word, (arg_type.to_string(), Some(arguments))),
    };
    let (type_name, given) = object;
    let mut names: Vec<String> = schema
        .members(&type_name, given)
        .into_iter()
        .filter(|m| m.name.starts_with(prefix))
        .filter(|m| given.is_none_or(|given| !given.contains_key(&m.name)))
        .map(|m| {
            let is_object = matches!(schema.entity(&m.type_name), Some(Entity::Object { .. }));
            let full = match parent {
                Some(parent) => format!("{parent}.{}", m.name),
                None => m.name.clone(),
            };
            // Objects are filled member by member: `file.` then Tab.
            format!("{full}{}", if is_object { "." } else { "=" })
        })
        .collect();
    names.sort();
    Some((0, names))
}

/// The type of the member at dotted `path` below `arg_type`.
fn member_type(
    schema: &SchemaInfo,
    arg_type: &str,
    arguments: &Map<String, Value>,
    path: &str,
) -> Option<String> {
    let mut type_name = arg_type.to_string();
    let mut given = Some(arguments);
    for name in path.split('.') {
        let member = schema
            .members(&type_name, given)
            .into_iter()
            .find(|m| m.name == name)?;
        type_name = member.type_name.clone();
        given = given.and_then(|g| g.get(name)).and_then(Value::as_object);
    }
    Some(type_name)
}

fn lookup<'a>(arguments: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    let mut parts = path.split('.');
    let mut value = arguments.get(parts.next()?)?;
    for part in parts {
        value = value.as_object()?.get(part)?;
    }
    Some(value)
}

/// The values worth offering for a type: an enum's, booleans.
fn values_of(schema: &SchemaInfo, type_name: &str) -> Vec<String> {
    match schema.entity(type_name) {
        Some(Entity::Enum { values }) => values.clone(),
        Some(Entity::Builtin { json_type }) if json_type == "boolean" => {
            vec!["false".to_string(), "true".to_string()]
        }
        Some(Entity::Alternate { members }) => members
            .iter()
            .flat_map(|branch| values_of(schema, branch))
            .collect(),
        _ => Vec::new(),
    }
}

/// The rustyline helper: completion from the schema; no hints, colours or
/// multi-line input.
pub struct ShellHelper {
    /// `None` in HMP mode: HMP commands are not in the schema.
    pub schema: Option<Arc<SchemaInfo>>,
    /// Set by the session while in the transaction sub-mode.
    pub in_transaction: Arc<AtomicBool>,
}

impl Completer for ShellHelper {
    type Candidate = String;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        Ok(match &self.schema {
            Some(schema) => complete(
                schema,
                &line[..pos],
                self.in_transaction.load(Ordering::Relaxed),
            ),
            None => (pos, Vec::new()),
        })
    }
}

/// After `COMMAND ` (cursor at the end), its arguments as a hint; in a
/// transaction, after `ACTION `.
pub fn hint(schema: &SchemaInfo, line: &str, in_transaction: bool) -> Option<String> {
    let mut command = line.strip_suffix(' ')?.trim();
    let mut in_transaction = in_transaction;
    if let Some(action) = command.strip_prefix("transaction(") {
        command = action.trim_start();
        in_transaction = true;
    }
    if command.contains(char::is_whitespace) {
        return None;
    }
    let arg_type = arguments_type(schema, command, in_transaction)?;
    Some(crate::help::synopsis(schema, arg_type)).filter(|text| !text.is_empty())
}

impl Hinter for ShellHelper {
    type Hint = String;

    fn hint(&self, line: &str, pos: usize, _: &Context<'_>) -> Option<String> {
        if pos < line.len() {
            return None;
        }
        hint(
            self.schema.as_deref()?,
            line,
            self.in_transaction.load(Ordering::Relaxed),
        )
    }
}

impl Highlighter for ShellHelper {
    /// Hints dimmed, so they do not look typed.
    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        Cow::Owned(format!("\x1b[2m{hint}\x1b[0m"))
    }
}

impl Validator for ShellHelper {}

impl Helper for ShellHelper {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::tests::demo;

    fn candidates(line: &str) -> (String, Vec<String>) {
        let (start, names) = complete(&demo(), line, false);
        (line[start..].to_string(), names)
    }

    #[test]
    fn command_names() {
        assert_eq!(
            candidates("query-st"),
            (
                "query-st".into(),
                vec!["query-stats".into(), "query-status".into()]
            )
        );
        assert_eq!(candidates("ej"), ("ej".into(), vec!["eject".into()]));
        assert_eq!(candidates("help ej"), ("ej".into(), vec!["eject".into()]));
        assert_eq!(candidates("he").1, ["help"]);
        assert_eq!(candidates("nothing ").1, Vec::<String>::new());
        // Any white space, any text: no panic.
        assert_eq!(candidates("eject\u{a0}i"), ("i".into(), vec!["id=".into()]));
        assert_eq!(candidates("é\u{3000}é=\u{a0}").1, Vec::<String>::new());
    }

    #[test]
    fn hints_show_the_arguments() {
        assert_eq!(
            hint(&demo(), "eject ", false),
            Some("id=str [force=bool]".into())
        );
        assert_eq!(hint(&demo(), "eject", false), None);
        assert_eq!(hint(&demo(), "eject id=x ", false), None);
        assert_eq!(hint(&demo(), "query-status ", false), None);
        // Actions, in a transaction.
        let bitmap = Some("node=str name=str [persistent=bool]".to_string());
        assert_eq!(hint(&demo(), "block-dirty-bitmap-add ", true), bitmap);
        assert_eq!(
            hint(&demo(), "transaction( block-dirty-bitmap-add ", false),
            bitmap
        );
        assert_eq!(hint(&demo(), "eject ", true), None);
    }

    #[test]
    fn argument_names_and_values() {
        assert_eq!(candidates("eject ").1, ["force=", "id="]);
        assert_eq!(candidates("eject id=cd0 ").1, ["force="]);
        assert_eq!(
            candidates("eject id=cd0 force=t"),
            ("t".into(), vec!["true".into()])
        );
        assert_eq!(candidates("blockdev-add dr").1, ["driver="]);
        assert_eq!(candidates("blockdev-add driver=").1, ["file", "qcow2"]);
        assert_eq!(
            candidates("blockdev-add driver=q"),
            ("q".into(), vec!["qcow2".into()])
        );
        // Objects: `cache.`, then its members.
        assert_eq!(candidates("blockdev-add c").1, ["cache."]);
        assert_eq!(candidates("blockdev-add cache.").1, ["cache.direct="]);
        // A variant's members once its tag is given.
        assert_eq!(candidates("blockdev-add driver=file f").1, ["filename="]);
        assert_eq!(candidates("blockdev-add f").1, Vec::<String>::new());
    }

    #[test]
    fn actions_in_a_transaction() {
        let in_transaction = |line| complete(&demo(), line, true).1;
        assert_eq!(in_transaction("b"), ["block-dirty-bitmap-add"]);
        assert_eq!(in_transaction(""), ["abort", "block-dirty-bitmap-add"]);
        assert_eq!(
            in_transaction("block-dirty-bitmap-add node=d "),
            ["name=", "persistent="]
        );
        assert_eq!(in_transaction("eject "), Vec::<String>::new());
        // After `transaction(` on the same line.
        assert_eq!(
            candidates("transaction( block-dirty-bitmap-add p"),
            ("p".into(), vec!["persistent=".into()])
        );
        assert_eq!(candidates("transaction( a").1, ["abort"]);
    }
}
