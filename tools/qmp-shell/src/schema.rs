//! What the shell knows about the schema: the introspection entries
//! (`query-qmp-schema`'s reply), taken from the live server or produced
//! from a schema file by `qapi_gen::introspect`, plus, from a file, the
//! commands' documentation.  Completion, argument checking and `help` all
//! read this one representation.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use qapi_gen::markup::{section_source, to_markdown};
use qapi_gen::schema::doc::SectionKind;
use serde_json::{Map, Value};

/// One `SchemaInfo` entry, by meta-type.
#[derive(Clone, Debug, PartialEq)]
pub enum Entity {
    Command {
        arg_type: String,
        ret_type: String,
    },
    Event,
    Object {
        members: Vec<Member>,
        /// The tag member of a union and its variants (tag value → type).
        tag: Option<String>,
        variants: Vec<(String, String)>,
    },
    Enum {
        values: Vec<String>,
    },
    Array {
        element: String,
    },
    Alternate {
        members: Vec<String>,
    },
    Builtin {
        json_type: String,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    pub name: String,
    pub type_name: String,
    pub optional: bool,
}

/// A command's documentation, as Markdown text.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CommandDoc {
    pub body: String,
    /// Member name → its description.
    pub members: HashMap<String, String>,
    pub returns: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct SchemaInfo {
    entities: HashMap<String, Entity>,
    /// Command names, sorted.
    commands: Vec<String>,
    docs: HashMap<String, CommandDoc>,
    /// Commands declared `'success-response': false`: they send no reply
    /// when they succeed.  Known from a schema file only (introspection
    /// does not carry the flag).
    no_success_response: HashSet<String>,
}

impl SchemaInfo {
    /// Read a `query-qmp-schema` reply.  Entries this shell does not
    /// understand are skipped; only a reply that is not a list fails.
    pub fn from_introspection(reply: &Value) -> Result<SchemaInfo, String> {
        let entries = reply
            .as_array()
            .ok_or("the query-qmp-schema reply is not a list")?;
        let mut entities = HashMap::new();
        for entry in entries {
            if let (Some(name), Some(entity)) = (text(entry, "name"), entity(entry)) {
                entities.insert(name.to_string(), entity);
            }
        }
        let mut commands: Vec<String> = entities
            .iter()
            .filter(|(_, entity)| matches!(entity, Entity::Command { .. }))
            .map(|(name, _)| name.clone())
            .collect();
        commands.sort();
        Ok(SchemaInfo {
            entities,
            commands,
            docs: HashMap::new(),
            no_success_response: HashSet::new(),
        })
    }

    /// Load a schema file, with every conditional definition included and
    /// type names unmasked, and keep the commands' documentation.  Doc
    /// comments written to another QEMU release's rules are read anyway.
    pub fn from_file(path: &Path) -> Result<SchemaInfo, String> {
        let schema = qapi_gen::load_with(path, qapi_gen::DocMode::Lenient)
            .map_err(|diagnostics| diagnostics.to_string())?;
        let reply = qapi_gen::introspect::introspect(&schema, &|_| true, true);
        let mut info = SchemaInfo::from_introspection(&reply)?;
        for (entity, command) in schema.commands() {
            if !command.success_response {
                info.no_success_response.insert(entity.name.clone());
            }
            if let Some(doc) = entity.doc {
                info.docs
                    .insert(entity.name.clone(), command_doc(schema.doc(doc)));
            }
        }
        Ok(info)
    }

    pub fn entity(&self, name: &str) -> Option<&Entity> {
        self.entities.get(name)
    }

    /// Every command name, sorted.
    pub fn commands(&self) -> &[String] {
        &self.commands
    }

    /// A command's argument type and return type.
    pub fn command(&self, name: &str) -> Option<(&str, &str)> {
        match self.entities.get(name)? {
            Entity::Command { arg_type, ret_type } => Some((arg_type, ret_type)),
            _ => None,
        }
    }

    /// The actions a `transaction` takes: the branches of the union its
    /// `actions` are a list of, as (action type, branch type).
    pub fn transaction_actions(&self) -> &[(String, String)] {
        let union = self.command("transaction").and_then(|(arg_type, _)| {
            let actions = self
                .members(arg_type, None)
                .into_iter()
                .find(|member| member.name == "actions")?;
            match self.entities.get(&actions.type_name)? {
                Entity::Array { element } => self.entities.get(element),
                _ => None,
            }
        });
        match union {
            Some(Entity::Object { variants, .. }) => variants,
            _ => &[],
        }
    }

    /// The type of the `data` of a transaction action.
    pub fn action_data_type(&self, action: &str) -> Option<&str> {
        let (_, branch) = self
            .transaction_actions()
            .iter()
            .find(|(case, _)| case == action)?;
        self.members(branch, None)
            .into_iter()
            .find(|member| member.name == "data")
            .map(|member| member.type_name.as_str())
    }

    /// Whether `command` sends no reply when it succeeds.
    pub fn sends_no_reply(&self, command: &str) -> bool {
        self.no_success_response.contains(command)
    }

    pub fn doc(&self, command: &str) -> Option<&CommandDoc> {
        self.docs.get(command)
    }

    /// The members an object of `type_name` has, given its value so far
    /// (a union's variant members join once its tag is set).  An
    /// alternate's object branch counts; other types have none.
    pub fn members(&self, type_name: &str, value: Option<&Map<String, Value>>) -> Vec<&Member> {
        match self.entities.get(type_name) {
            Some(Entity::Object {
                members,
                tag,
                variants,
            }) => {
                let mut all: Vec<&Member> = members.iter().collect();
                let tag_value = tag
                    .as_ref()
                    .and_then(|tag| value?.get(tag.as_str())?.as_str());
                if let Some((_, variant)) = variants
                    .iter()
                    .find(|(case, _)| Some(case.as_str()) == tag_value)
                {
                    if let Some(Entity::Object { members, .. }) = self.entities.get(variant) {
                        all.extend(members.iter());
                    }
                }
                all
            }
            Some(Entity::Alternate { members }) => members
                .iter()
                .find(|branch| matches!(self.entities.get(*branch), Some(Entity::Object { .. })))
                .map(|branch| self.members(branch, value))
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    /// A readable name for a type: its own, or when the server masked it
    /// (a number), what it is.
    pub fn type_label(&self, type_name: &str) -> String {
        if !type_name.bytes().all(|b| b.is_ascii_digit()) {
            return type_name.to_string();
        }
        match self.entities.get(type_name) {
            Some(Entity::Array { element }) => format!("[{}]", self.type_label(element)),
            Some(Entity::Enum { values }) => format!("enum ({})", values.join("|")),
            Some(Entity::Object { .. }) => "object".to_string(),
            Some(Entity::Alternate { members }) => {
                let labels: Vec<String> = members.iter().map(|m| self.type_label(m)).collect();
                format!("alternate ({})", labels.join("|"))
            }
            _ => type_name.to_string(),
        }
    }

    /// Counts for the banner: commands and types.
    pub fn summary(&self) -> String {
        let mut kinds = BTreeMap::new();
        for entity in self.entities.values() {
            let kind = match entity {
                Entity::Command { .. } => "commands",
                Entity::Event => "events",
                _ => "types",
            };
            *kinds.entry(kind).or_insert(0) += 1;
        }
        let parts: Vec<String> = kinds.iter().map(|(k, n)| format!("{n} {k}")).collect();
        parts.join(", ")
    }
}

fn text<'v>(entry: &'v Value, key: &str) -> Option<&'v str> {
    entry.get(key)?.as_str()
}

fn texts(entry: &Value, key: &str, member_key: Option<&str>) -> Vec<String> {
    let list = entry.get(key).and_then(Value::as_array);
    list.into_iter()
        .flatten()
        .filter_map(|item| match member_key {
            Some(member_key) => text(item, member_key),
            None => item.as_str(),
        })
        .map(str::to_string)
        .collect()
}

fn entity(entry: &Value) -> Option<Entity> {
    Some(match text(entry, "meta-type")? {
        "command" => Entity::Command {
            arg_type: text(entry, "arg-type")?.to_string(),
            ret_type: text(entry, "ret-type")?.to_string(),
        },
        "event" => Entity::Event,
        "object" => {
            let members = entry
                .get("members")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|member| {
                    Some(Member {
                        name: text(member, "name")?.to_string(),
                        type_name: text(member, "type")?.to_string(),
                        // Optional members carry `default` (always null).
                        optional: member.get("default").is_some(),
                    })
                })
                .collect();
            let variants = entry
                .get("variants")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|v| Some((text(v, "case")?.to_string(), text(v, "type")?.to_string())))
                .collect();
            Entity::Object {
                members,
                tag: text(entry, "tag").map(str::to_string),
                variants,
            }
        }
        "enum" => Entity::Enum {
            values: texts(entry, "values", None),
        },
        "array" => Entity::Array {
            element: text(entry, "element-type")?.to_string(),
        },
        "alternate" => Entity::Alternate {
            members: texts(entry, "members", Some("type")),
        },
        "builtin" => Entity::Builtin {
            json_type: text(entry, "json-type")?.to_string(),
        },
        _ => return None,
    })
}

fn command_doc(doc: &qapi_gen::schema::doc::Doc) -> CommandDoc {
    let markdown = |section| to_markdown(&section_source(section), &|_| None);
    let mut out = CommandDoc {
        body: markdown(doc.body()).trim().to_string(),
        ..CommandDoc::default()
    };
    for section in doc.args() {
        if let Some(name) = &section.name {
            out.members
                .insert(name.clone(), markdown(section).trim().to_string());
        }
    }
    for section in doc.other_sections() {
        if section.kind == SectionKind::Returns {
            out.returns = Some(markdown(section).trim().to_string());
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::json;

    /// A small introspection reply, masked as a server would send it.
    pub(crate) fn demo() -> SchemaInfo {
        let reply = json!([
            {"name": "eject", "meta-type": "command", "arg-type": "0", "ret-type": "1"},
            {"name": "query-status", "meta-type": "command", "arg-type": "1", "ret-type": "2"},
            {"name": "query-stats", "meta-type": "command", "arg-type": "1", "ret-type": "1"},
            {"name": "blockdev-add", "meta-type": "command", "arg-type": "3", "ret-type": "1"},
            {"name": "transaction", "meta-type": "command", "arg-type": "8", "ret-type": "1"},
            {"name": "STOP", "meta-type": "event", "arg-type": "1"},
            {"name": "0", "meta-type": "object", "members": [
                {"name": "id", "type": "str"},
                {"name": "force", "type": "bool", "default": null}]},
            {"name": "1", "meta-type": "object", "members": []},
            {"name": "2", "meta-type": "object", "members": [
                {"name": "running", "type": "bool"}, {"name": "status", "type": "4"}]},
            {"name": "3", "meta-type": "object", "tag": "driver",
             "members": [{"name": "driver", "type": "5"},
                         {"name": "node-name", "type": "str", "default": null},
                         {"name": "cache", "type": "6", "default": null}],
             "variants": [{"case": "file", "type": "7"}]},
            {"name": "4", "meta-type": "enum", "values": ["running", "paused"]},
            {"name": "5", "meta-type": "enum", "values": ["file", "qcow2"]},
            {"name": "6", "meta-type": "object", "members": [
                {"name": "direct", "type": "bool", "default": null}]},
            {"name": "7", "meta-type": "object", "members": [
                {"name": "filename", "type": "str"},
                {"name": "sizes", "type": "[int]", "default": null}]},
            {"name": "[int]", "meta-type": "array", "element-type": "int"},
            // transaction: a union of wrapped action types.
            {"name": "8", "meta-type": "object", "members": [{"name": "actions", "type": "[9]"}]},
            {"name": "[9]", "meta-type": "array", "element-type": "9"},
            {"name": "9", "meta-type": "object", "tag": "type",
             "members": [{"name": "type", "type": "10"}],
             "variants": [{"case": "abort", "type": "11"},
                          {"case": "block-dirty-bitmap-add", "type": "12"}]},
            {"name": "10", "meta-type": "enum", "values": ["abort", "block-dirty-bitmap-add"]},
            {"name": "11", "meta-type": "object", "members": [{"name": "data", "type": "1"}]},
            {"name": "12", "meta-type": "object", "members": [{"name": "data", "type": "13"}]},
            {"name": "13", "meta-type": "object", "members": [
                {"name": "node", "type": "str"}, {"name": "name", "type": "str"},
                {"name": "persistent", "type": "bool", "default": null}]},
            {"name": "str", "meta-type": "builtin", "json-type": "string"},
            {"name": "int", "meta-type": "builtin", "json-type": "int"},
            {"name": "bool", "meta-type": "builtin", "json-type": "boolean"},
        ]);
        SchemaInfo::from_introspection(&reply).unwrap()
    }

    #[test]
    fn reads_commands_and_union_members() {
        let schema = demo();
        assert_eq!(
            schema.commands(),
            [
                "blockdev-add",
                "eject",
                "query-stats",
                "query-status",
                "transaction"
            ]
        );
        let names = |value: Value| -> Vec<String> {
            schema
                .members("3", value.as_object())
                .iter()
                .map(|m| m.name.clone())
                .collect()
        };
        assert_eq!(names(json!({})), ["driver", "node-name", "cache"]);
        assert_eq!(
            names(json!({"driver": "file"})),
            ["driver", "node-name", "cache", "filename", "sizes"]
        );
        assert_eq!(schema.type_label("4"), "enum (running|paused)");
        assert_eq!(schema.type_label("[int]"), "[int]");
    }

    #[test]
    fn a_schema_file_gives_names_and_docs() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schema/qapi-schema.json");
        let schema = SchemaInfo::from_file(&path).unwrap();
        assert_eq!(
            schema.command("eject"),
            Some(("q_obj_eject-arg", "q_empty"))
        );
        let doc = schema.doc("eject").unwrap();
        assert_eq!(
            doc.body,
            "Open the tray of a removable device and remove its medium."
        );
        assert_eq!(doc.members["id"], "the device's ID");
        let text = crate::help::describe_command(&schema, "eject").unwrap();
        assert!(
            text.contains("  id (str)\n      the device's ID\n"),
            "{text}"
        );
    }

    #[test]
    fn a_reply_that_is_not_a_list_is_an_error() {
        assert!(SchemaInfo::from_introspection(&json!({"x": 1})).is_err());
    }

    #[test]
    fn commands_without_success_response_are_known_from_a_file() {
        let dir = std::env::temp_dir().join(format!("qmp-shell-schema-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("agent.json");
        std::fs::write(
            &path,
            "{ 'command': 'guest-shutdown', 'data': { '*mode': 'str' },\n  'success-response': false }\n\
             { 'command': 'guest-ping' }\n",
        )
        .unwrap();
        let schema = SchemaInfo::from_file(&path).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        assert!(schema.sends_no_reply("guest-shutdown"));
        assert!(!schema.sends_no_reply("guest-ping"));
        // Introspection does not tell.
        assert!(!demo().sends_no_reply("eject"));
    }
}
