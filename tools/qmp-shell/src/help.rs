//! `help` and `help COMMAND`.

use crate::schema::SchemaInfo;

/// The command names, several to a line.
pub fn list_commands(schema: &SchemaInfo) -> String {
    let names = schema.commands();
    let width = names.iter().map(String::len).max().unwrap_or(0) + 2;
    let per_line = (100 / width).max(1);
    let mut out = String::new();
    for row in names.chunks(per_line) {
        let line: String = row.iter().map(|name| format!("{name:width$}")).collect();
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.push_str("`help COMMAND` for a command's arguments and documentation.");
    out
}

/// A command's synopsis, documentation (when the schema came from a
/// file), arguments and return type.
pub fn describe_command(schema: &SchemaInfo, command: &str) -> Result<String, String> {
    let (arg_type, ret_type) = schema
        .command(command)
        .ok_or_else(|| format!("unknown command '{command}'"))?;
    let members = schema.members(arg_type, None);
    let doc = schema.doc(command);
    let mut out = format!("{command} {}", synopsis(schema, arg_type));
    out.truncate(out.trim_end().len());
    out.push('\n');
    if let Some(doc) = doc.filter(|doc| !doc.body.is_empty()) {
        out.push('\n');
        out.push_str(&indent(&doc.body, "  "));
        out.push('\n');
    }
    if !members.is_empty() {
        out.push_str("\nArguments:\n");
        for member in &members {
            let optional = if member.optional { ", optional" } else { "" };
            out.push_str(&format!(
                "  {} ({}{optional})",
                member.name,
                schema.type_label(&member.type_name)
            ));
            match doc.and_then(|doc| doc.members.get(&member.name)) {
                Some(text) if !text.is_empty() => {
                    out.push('\n');
                    out.push_str(&indent(text, "      "));
                    out.push('\n');
                }
                _ => out.push('\n'),
            }
        }
    }
    out.push_str(&format!("\nReturns: {}", returns(schema, ret_type)));
    if let Some(text) = doc.and_then(|doc| doc.returns.as_deref()) {
        out.push('\n');
        out.push_str(&indent(text, "  "));
    }
    Ok(out)
}

/// The arguments of a command whose argument type is `arg_type`:
/// `id=str [force=bool]`.
pub fn synopsis(schema: &SchemaInfo, arg_type: &str) -> String {
    let pairs: Vec<String> = schema
        .members(arg_type, None)
        .iter()
        .map(|member| {
            let pair = format!("{}={}", member.name, schema.type_label(&member.type_name));
            if member.optional {
                format!("[{pair}]")
            } else {
                pair
            }
        })
        .collect();
    pairs.join(" ")
}

/// The return type: nothing for an empty object.
fn returns(schema: &SchemaInfo, ret_type: &str) -> String {
    let empty = schema.members(ret_type, None).is_empty()
        && matches!(
            schema.entity(ret_type),
            Some(crate::schema::Entity::Object { variants, .. }) if variants.is_empty()
        );
    let label = schema.type_label(ret_type);
    if empty {
        "nothing".to_string()
    } else if label == "object" {
        // Masked by the server: its members say more than a number.
        format!("object {{ {} }}", synopsis(schema, ret_type))
    } else {
        label
    }
}

fn indent(text: &str, prefix: &str) -> String {
    text.lines()
        .map(|line| {
            if line.is_empty() {
                String::new()
            } else {
                format!("{prefix}{line}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::tests::demo;

    #[test]
    fn describes_arguments_and_returns() {
        let text = describe_command(&demo(), "eject").unwrap();
        assert!(text.starts_with("eject id=str [force=bool]\n"), "{text}");
        assert!(text.contains("  force (bool, optional)\n"), "{text}");
        assert!(text.ends_with("Returns: nothing"), "{text}");
        let text = describe_command(&demo(), "query-status").unwrap();
        assert!(
            text.ends_with("Returns: object { running=bool status=enum (running|paused) }"),
            "{text}"
        );
        assert!(describe_command(&demo(), "nope").is_err());
        assert!(list_commands(&demo()).contains("query-status"));
    }
}
