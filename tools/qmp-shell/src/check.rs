//! Arguments checked against the schema before they are sent, so that a
//! mistake is named precisely (which member, what was expected) instead
//! of by the server's first complaint.

use serde_json::{Map, Value};

use crate::schema::{Entity, SchemaInfo};

/// Check a command's arguments.  The error names the member path
/// (`file.filename`, `devices[2]`).
pub fn check_command(
    schema: &SchemaInfo,
    command: &str,
    arguments: &Map<String, Value>,
) -> Result<(), String> {
    let Some((arg_type, _)) = schema.command(command) else {
        return Err(unknown_command(schema, command));
    };
    check_object(schema, arg_type, arguments, "")
}

/// Check one action of a `transaction` (`{"type": T, "data": {...}}`):
/// `T` must be a branch of the `actions` element union, and `data` fit
/// that branch's type.  Errors name the members as typed (`node`, not
/// `data.node`).  Without a `transaction` command in the schema, the
/// server decides.
pub fn check_action(schema: &SchemaInfo, action: &Map<String, Value>) -> Result<(), String> {
    let actions = schema.transaction_actions();
    if actions.is_empty() {
        return Ok(());
    }
    let action_type = action.get("type").and_then(Value::as_str).unwrap_or("");
    if !actions.iter().any(|(case, _)| case == action_type) {
        let valid: Vec<&str> = actions.iter().map(|(case, _)| case.as_str()).collect();
        return Err(format!(
            "unknown action '{action_type}' (valid: {})",
            valid.join(", ")
        ));
    }
    match (schema.action_data_type(action_type), action.get("data")) {
        (Some(data_type), Some(data)) => check_value(schema, data_type, data, ""),
        _ => Ok(()),
    }
}

fn unknown_command(schema: &SchemaInfo, command: &str) -> String {
    let similar: Vec<&str> = schema
        .commands()
        .iter()
        .map(String::as_str)
        .filter(|name| name.contains(command) || command.contains(*name))
        .take(8)
        .collect();
    if similar.is_empty() {
        format!("unknown command '{command}' (`help` lists them)")
    } else {
        format!(
            "unknown command '{command}' (similar: {})",
            similar.join(", ")
        )
    }
}

fn member_path(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_string()
    } else {
        format!("{parent}.{name}")
    }
}

fn check_object(
    schema: &SchemaInfo,
    type_name: &str,
    object: &Map<String, Value>,
    path: &str,
) -> Result<(), String> {
    let members = schema.members(type_name, Some(object));
    for (key, value) in object {
        let Some(member) = members.iter().find(|m| m.name == *key) else {
            let valid: Vec<&str> = members.iter().map(|m| m.name.as_str()).collect();
            let valid = if valid.is_empty() {
                "it takes none".to_string()
            } else {
                format!("valid: {}", valid.join(", "))
            };
            return Err(format!(
                "unknown argument '{}' ({valid})",
                member_path(path, key)
            ));
        };
        check_value(schema, &member.type_name, value, &member_path(path, key))?;
    }
    for member in &members {
        if !member.optional && !object.contains_key(&member.name) {
            return Err(format!(
                "missing argument '{}' ({})",
                member_path(path, &member.name),
                schema.type_label(&member.type_name)
            ));
        }
    }
    Ok(())
}

fn check_value(
    schema: &SchemaInfo,
    type_name: &str,
    value: &Value,
    path: &str,
) -> Result<(), String> {
    let wrong_type = |expected: &str| {
        Err(format!(
            "argument '{path}' must be {expected}, not {}",
            describe(value)
        ))
    };
    match schema.entity(type_name) {
        Some(Entity::Builtin { json_type }) => {
            let fits = match json_type.as_str() {
                "string" => value.is_string(),
                "int" => value.is_i64() || value.is_u64(),
                "number" => value.is_number(),
                "boolean" => value.is_boolean(),
                "null" => value.is_null(),
                "object" => value.is_object(),
                // `any`, and types this shell does not know.
                _ => true,
            };
            if fits {
                Ok(())
            } else {
                wrong_type(&format!("{} ({type_name})", article(json_type)))
            }
        }
        Some(Entity::Enum { values }) => match value.as_str() {
            Some(text) if values.iter().any(|v| v == text) => Ok(()),
            Some(text) => Err(format!(
                "argument '{path}' has no value '{text}' (valid: {})",
                values.join(", ")
            )),
            None => wrong_type(&format!("one of {}", values.join(", "))),
        },
        Some(Entity::Array { element }) => match value.as_array() {
            Some(items) => items.iter().enumerate().try_for_each(|(i, item)| {
                check_value(schema, element, item, &format!("{path}[{i}]"))
            }),
            None => wrong_type("a list"),
        },
        Some(Entity::Object { .. }) => match value.as_object() {
            Some(object) => check_object(schema, type_name, object, path),
            None => wrong_type("an object"),
        },
        Some(Entity::Alternate { members }) => {
            if members
                .iter()
                .any(|branch| check_value(schema, branch, value, path).is_ok())
            {
                return Ok(());
            }
            // The branch of the value's JSON type gives the most telling
            // error.
            match members
                .iter()
                .find(|branch| matches_kind(schema, branch, value))
            {
                Some(branch) => check_value(schema, branch, value, path),
                None => wrong_type(&schema.type_label(type_name)),
            }
        }
        // Unknown to the shell: the server decides.
        _ => Ok(()),
    }
}

/// Whether `value` has the JSON type of `type_name` (whatever its content).
fn matches_kind(schema: &SchemaInfo, type_name: &str, value: &Value) -> bool {
    match schema.entity(type_name) {
        Some(Entity::Object { .. }) => value.is_object(),
        Some(Entity::Array { .. }) => value.is_array(),
        Some(Entity::Enum { .. }) => value.is_string(),
        _ => false,
    }
}

fn article(json_type: &str) -> String {
    match json_type {
        "int" => "an integer".to_string(),
        "null" => "null".to_string(),
        other => format!("a {other}"),
    }
}

fn describe(value: &Value) -> String {
    let text = value.to_string();
    let text = if text.chars().count() > 40 {
        let short: String = text.chars().take(37).collect();
        format!("{short}...")
    } else {
        text
    };
    let kind = match value {
        Value::Null => return "null".to_string(),
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "object",
    };
    format!("{kind} {text}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{parse_line, Input};
    use crate::schema::tests::demo;
    use serde_json::json;

    fn check(line: &str) -> Result<(), String> {
        let Ok(Input::Command {
            name, arguments, ..
        }) = parse_line(line)
        else {
            panic!("{line} does not parse")
        };
        check_command(&demo(), &name, &arguments)
    }

    #[test]
    fn good_arguments_pass() {
        assert_eq!(check("eject id=cd0"), Ok(()));
        assert_eq!(check("eject id=cd0 force=true"), Ok(()));
        assert_eq!(check("query-status"), Ok(()));
        assert_eq!(
            check("blockdev-add driver=file filename=/x sizes=[1,2] cache.direct=on"),
            Err("argument 'cache.direct' must be a boolean (bool), not string \"on\"".into())
        );
        assert_eq!(
            check("blockdev-add driver=file filename=/x sizes=[1,2] cache.direct=true"),
            Ok(())
        );
    }

    #[test]
    fn mistakes_are_named() {
        assert_eq!(
            check("eject id=cd0 forse=true"),
            Err("unknown argument 'forse' (valid: id, force)".into())
        );
        assert_eq!(
            check("eject force=true"),
            Err("missing argument 'id' (str)".into())
        );
        assert_eq!(
            check("eject id=1"),
            Err("argument 'id' must be a string (str), not number 1".into())
        );
        assert_eq!(
            check("query-status verbose=true"),
            Err("unknown argument 'verbose' (it takes none)".into())
        );
        assert_eq!(
            check("blockdev-add driver=floppy"),
            Err("argument 'driver' has no value 'floppy' (valid: file, qcow2)".into())
        );
        // The variant's members count once the tag is known.
        assert_eq!(
            check("blockdev-add driver=file"),
            Err("missing argument 'filename' (str)".into())
        );
        assert_eq!(
            check("blockdev-add driver=file filename=/x sizes=[1,\"a\"]"),
            Err("argument 'sizes[1]' must be an integer (int), not string \"a\"".into())
        );
        assert_eq!(
            check("blockdev-add driver=file filename=/x cache.size=1"),
            Err("unknown argument 'cache.size' (valid: direct)".into())
        );
        assert_eq!(
            check("query-st"),
            Err("unknown command 'query-st' (similar: query-stats, query-status)".into())
        );
    }

    #[test]
    fn transaction_actions_are_checked_by_their_type() {
        let schema = demo();
        let check = |action: Value| check_action(&schema, action.as_object().unwrap());
        assert_eq!(
            check(json!({"type": "block-dirty-bitmap-add", "data": {"node": "d", "name": "b"}})),
            Ok(())
        );
        assert_eq!(check(json!({"type": "abort", "data": {}})), Ok(()));
        assert_eq!(
            check(json!({"type": "block-dirty-bitmap-add", "data": {"nod": "d", "name": "b"}})),
            Err("unknown argument 'nod' (valid: node, name, persistent)".into())
        );
        assert_eq!(
            check(json!({"type": "block-dirty-bitmap-add", "data": {"node": "d"}})),
            Err("missing argument 'name' (str)".into())
        );
        assert_eq!(
            check(json!({"type": "block-dirty-bitmap-add",
                         "data": {"node": "d", "name": "b", "persistent": "yes"}})),
            Err("argument 'persistent' must be a boolean (bool), not string \"yes\"".into())
        );
        assert_eq!(
            check(json!({"type": "bitmap-add", "data": {}})),
            Err("unknown action 'bitmap-add' (valid: abort, block-dirty-bitmap-add)".into())
        );
        // The whole command is checked the same way.
        assert_eq!(
            check_command(
                &schema,
                "transaction",
                json!({"actions": [{"type": "abort", "data": {"x": 1}}]})
                    .as_object()
                    .unwrap()
            ),
            Err("unknown argument 'actions[0].data.x' (it takes none)".into())
        );
    }
}
