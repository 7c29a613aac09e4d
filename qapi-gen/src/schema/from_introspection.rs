//! A schema model from a `query-qmp-schema` reply: what a running QEMU
//! says it speaks, for users who have the binary and not its source.
//!
//! The reply is a list of `SchemaInfo` objects (QEMU's
//! `qapi/introspect.json`).  It is read as the list itself, as a whole
//! reply (`{"return": [...]}`), or as a recorded exchange
//! (`{"request": ..., "response": {"return": [...]}}`, the format of the
//! QMP corpora).  Every entity of the model comes from one element of the
//! list; [`Elements`] says which, so that messages can name
//! it by its JSON path.
//!
//! What the reply does not say is made up plainly:
//!
//! - type names: QEMU masks them as numbers (`"57"`), and the model keeps
//!   those names; arrays (`"[57]"`) become `57List`, as QAPI names arrays;
//! - a command's or event's empty arguments or return (`q_empty`, under a
//!   masked name) become none, as in a model built from schema files;
//! - a command whose arguments are a union is `boxed` (only a boxed command
//!   can take one);
//! - an alternate's branches are named after their JSON type (`string`,
//!   `object`, ...), their written names being unknown;
//! - no documentation, conditions, spans or modules other than one, named
//!   after the file; flags other than `allow-oob` keep their defaults.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use super::model::{
    AlternateType, ArrayType, Command, Entity, EntityId, EntityKind, EnumMember, EnumType, Event,
    Feature, JsonType, Member, Module, ModuleId, ModuleItem, ObjectType, Schema, TypeId, Variant,
    Variants,
};
use crate::diag::SourceFile;

/// A model made from a `query-qmp-schema` reply, and where each entity
/// comes from.
#[derive(Clone, Debug)]
pub(crate) struct Introspected {
    pub schema: Schema,
    pub elements: Elements,
}

/// The element of the reply's list each entity was made from.
#[derive(Clone, Debug, Default)]
pub(crate) struct Elements {
    /// Where the list is in the file: empty (the file is the list),
    /// `return` or `response.return`.
    pub list_path: String,
    /// By entity index; `None`: built in to every model, or an array made
    /// up for a reference.
    indices: Vec<Option<usize>>,
}

impl Elements {
    /// The index in the reply's list of the element `id` was made from.
    pub(crate) fn index(&self, id: EntityId) -> Option<usize> {
        self.indices.get(id.0 as usize).copied().flatten()
    }

    /// The JSON path of the element `id` was made from, e.g.
    /// `return[57]`; `None` for built-in entities.
    pub(crate) fn json_path(&self, id: EntityId) -> Option<String> {
        let index = self.index(id)?;
        Some(format!("{}[{index}]", self.list_path))
    }
}

/// Why a reply could not be read: the file, the JSON path of the value at
/// fault (`return[12].members[3].type`), and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImportError {
    /// The file the reply was read from.
    pub file: String,
    /// The JSON path of the element at fault.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}: {}: {}", self.file, self.path, self.message)
        }
    }
}

impl std::error::Error for ImportError {}

/// Where the `SchemaInfo` list is in `value`: the value itself, its
/// `return`, or its `response.return`; with its JSON path.
pub(crate) fn find_list(value: &Value) -> Option<(&[Value], &'static str)> {
    match value {
        Value::Array(list) => Some((list, "")),
        Value::Object(object) => match (object.get("return"), object.get("response")) {
            (Some(Value::Array(list)), _) => Some((list, "return")),
            (None, Some(Value::Object(response))) => match response.get("return") {
                Some(Value::Array(list)) => Some((list, "response.return")),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    }
}

/// Whether `text` looks like a `query-qmp-schema` reply rather than QAPI
/// schema source (which is not JSON: it quotes with `'` and has comments).
pub(crate) fn is_introspection(text: &str) -> bool {
    serde_json::from_str::<Value>(text).is_ok_and(|value| find_list(&value).is_some())
}

/// The model of the reply in `text`, read from the file named `file` (for
/// messages; the text is kept as the model's only source file).
pub(crate) fn from_reply_text(file: &str, text: &str) -> Result<Introspected, ImportError> {
    let error = |path: &str, message: String| ImportError {
        file: file.to_string(),
        path: path.to_string(),
        message,
    };
    let value: Value =
        serde_json::from_str(text).map_err(|e| error("", format!("not JSON: {e}")))?;
    let (list, list_path) = find_list(&value).ok_or_else(|| {
        error(
            "",
            "not a query-qmp-schema reply: expected a list of SchemaInfo, \
             {\"return\": [...]} or {\"response\": {\"return\": [...]}}"
                .to_string(),
        )
    })?;
    let mut importer = Importer::new(file, list_path)?;
    importer.schema.sources.add(SourceFile::new(
        file.to_string(),
        file.into(),
        text.to_string(),
        None,
    ));
    importer.import(list)?;
    Ok(importer.finish())
}

/// A JSON object of the reply, with its path (`return[3].members[1]`).
type Located<'v> = (String, &'v Map<String, Value>);

/// One element of the list, checked to be an object with a name and a
/// meta-type.
struct Element<'a> {
    index: usize,
    object: &'a Map<String, Value>,
    name: &'a str,
    meta: &'a str,
}

struct Importer {
    file: String,
    list_path: &'static str,
    schema: Schema,
    indices: Vec<Option<usize>>,
    /// The module every imported entity is in.
    module: ModuleId,
}

impl Importer {
    /// An importer over a model holding only the built-in entities.
    fn new(file: &str, list_path: &'static str) -> Result<Importer, ImportError> {
        let empty = crate::parse::parse_str("<built-in>", "", &crate::parse::NoFiles)
            .and_then(Schema::build)
            .map_err(|diags| ImportError {
                file: file.to_string(),
                path: String::new(),
                message: format!("internal error: the empty schema does not build: {diags}"),
            })?;
        let mut schema = empty;
        schema.sources = Default::default();
        schema.modules.truncate(1);
        let module = ModuleId(schema.modules.len() as u32);
        schema.modules.push(Module {
            name: file.to_string(),
            items: Vec::new(),
        });
        let indices = vec![None; schema.entities.len()];
        Ok(Importer {
            file: file.to_string(),
            list_path,
            schema,
            indices,
            module,
        })
    }

    fn error(&self, path: &str, message: impl Into<String>) -> ImportError {
        ImportError {
            file: self.file.clone(),
            path: path.to_string(),
            message: message.into(),
        }
    }

    /// The string `key` of `object` at `path`.
    fn string<'v>(
        &self,
        object: &'v Map<String, Value>,
        key: &str,
        path: &str,
    ) -> Result<&'v str, ImportError> {
        string_member(object, key).map_err(|m| self.error(&format!("{path}.{key}"), m))
    }

    /// The objects of list `key` of `object` at `path`, each with its path.
    fn objects<'v>(
        &self,
        object: &'v Map<String, Value>,
        key: &str,
        path: &str,
    ) -> Result<Vec<Located<'v>>, ImportError> {
        let list = list_member(object, key).map_err(|m| self.error(&format!("{path}.{key}"), m))?;
        list.iter()
            .enumerate()
            .map(|(index, item)| {
                let item_path = format!("{path}.{key}[{index}]");
                let item = item
                    .as_object()
                    .ok_or_else(|| self.error(&item_path, "expected an object"))?;
                Ok((item_path, item))
            })
            .collect()
    }

    /// `return[12]` and what follows.
    fn path(&self, index: usize, rest: &str) -> String {
        format!("{}[{index}]{rest}", self.list_path)
    }

    fn import(&mut self, list: &[Value]) -> Result<(), ImportError> {
        let elements = self.elements_of(list)?;
        // Entities first, so that references in any order resolve; then
        // the types, then commands and events, which look into the types
        // they use.
        let mut ids = Vec::with_capacity(elements.len());
        for element in &elements {
            ids.push(self.declare(element)?);
        }
        for late in [false, true] {
            for (element, id) in elements.iter().zip(&ids) {
                let Some(id) = *id else { continue };
                if matches!(element.meta, "command" | "event") != late {
                    continue;
                }
                let kind = self.kind(id, element)?;
                let features = self.features(element.object, &self.path(element.index, ""))?;
                let entity = &mut self.schema.entities[id.0 as usize];
                entity.kind = kind;
                entity.features = features;
            }
        }
        Ok(())
    }

    fn elements_of<'v>(&self, list: &'v [Value]) -> Result<Vec<Element<'v>>, ImportError> {
        let mut seen = HashSet::new();
        let mut elements = Vec::with_capacity(list.len());
        for (index, value) in list.iter().enumerate() {
            let object = value
                .as_object()
                .ok_or_else(|| self.error(&self.path(index, ""), "expected a SchemaInfo object"))?;
            let name = string_member(object, "name")
                .map_err(|m| self.error(&self.path(index, ".name"), m))?;
            let meta = string_member(object, "meta-type")
                .map_err(|m| self.error(&self.path(index, ".meta-type"), m))?;
            if !seen.insert(name) {
                return Err(self.error(
                    &self.path(index, ".name"),
                    format!("'{name}' is described twice"),
                ));
            }
            elements.push(Element {
                index,
                object,
                name,
                meta,
            });
        }
        Ok(elements)
    }

    /// Make the entity of an element (its kind filled in later); `None`
    /// for a built-in type, which every model has.
    fn declare(&mut self, element: &Element) -> Result<Option<EntityId>, ImportError> {
        let name = match element.meta {
            "builtin" => {
                return match self.schema.lookup(element.name) {
                    Some(_) => Ok(None),
                    None => Err(self.error(
                        &self.path(element.index, ".name"),
                        format!("unknown built-in type '{}'", element.name),
                    )),
                }
            }
            "array" => {
                let element_type = string_member(element.object, "element-type")
                    .map_err(|m| self.error(&self.path(element.index, ".element-type"), m))?;
                array_name(element_type)
            }
            "enum" | "object" | "alternate" | "command" | "event" => element.name.to_string(),
            other => {
                return Err(self.error(
                    &self.path(element.index, ".meta-type"),
                    format!("unknown meta-type '{other}'"),
                ))
            }
        };
        if let Some(id) = self.schema.lookup(&name) {
            // Arrays of built-in types exist in every model.
            if element.meta == "array" {
                self.schema.by_name.insert(element.name.to_string(), id);
                return Ok(None);
            }
            return Err(self.error(
                &self.path(element.index, ".name"),
                format!("'{}' clashes with a built-in type", element.name),
            ));
        }
        let id = self.add_entity(name, Some(element.index));
        if element.meta == "array" {
            // References say `[57]`; the model says `57List`.
            self.schema.by_name.insert(element.name.to_string(), id);
        }
        Ok(Some(id))
    }

    fn add_entity(&mut self, name: String, element: Option<usize>) -> EntityId {
        let id = EntityId(self.schema.entities.len() as u32);
        self.schema.entities.push(Entity {
            name: name.clone(),
            span: None,
            module: self.module,
            doc: None,
            cond: None,
            features: Vec::new(),
            // Replaced once every name is known.
            kind: EntityKind::Array(ArrayType { element: id }),
        });
        self.schema.by_name.insert(name, id);
        self.schema.modules[self.module.0 as usize]
            .items
            .push(ModuleItem::Entity(id));
        self.indices.push(element);
        id
    }

    /// The type a reference names: a type described in the reply, a
    /// built-in, or an array of either (`[int]`).
    fn resolve(&mut self, name: &str, path: &str) -> Result<TypeId, ImportError> {
        if let Some(id) = self.schema.lookup(name) {
            return Ok(id);
        }
        if let Some(element) = name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
            let element_id = self.resolve(element, path)?;
            let array = array_name(&self.schema.entity(element_id).name);
            if let Some(id) = self.schema.lookup(&array) {
                return Ok(id);
            }
            let id = self.add_entity(array, None);
            self.schema.entities[id.0 as usize].kind = EntityKind::Array(ArrayType {
                element: element_id,
            });
            self.schema.by_name.insert(name.to_string(), id);
            return Ok(id);
        }
        Err(self.error(path, format!("type '{name}' is not described in the reply")))
    }

    fn type_member(
        &mut self,
        object: &Map<String, Value>,
        key: &str,
        path: &str,
    ) -> Result<TypeId, ImportError> {
        let path = format!("{path}.{key}");
        let name = string_member(object, key).map_err(|m| self.error(&path, m))?;
        self.resolve(name, &path)
    }

    fn kind(&mut self, id: EntityId, element: &Element) -> Result<EntityKind, ImportError> {
        let object = element.object;
        let path = self.path(element.index, "");
        Ok(match element.meta {
            "enum" => EntityKind::Enum(self.enum_type(object, &path)?),
            "array" => EntityKind::Array(ArrayType {
                element: self.type_member(object, "element-type", &path)?,
            }),
            "object" => EntityKind::Object(self.object_type(id, object, &path)?),
            "alternate" => EntityKind::Alternate(self.alternate_type(object, &path)?),
            "command" => {
                let arg_type = self.arguments(object, "arg-type", &path)?;
                let ret_type = self.arguments(object, "ret-type", &path)?;
                let boxed = arg_type.is_some_and(|id| {
                    matches!(&self.schema.entity(id).kind,
                        EntityKind::Object(o) if o.variants.is_some())
                });
                let allow_oob = match object.get("allow-oob") {
                    None => false,
                    Some(Value::Bool(b)) => *b,
                    Some(_) => {
                        return Err(self.error(&format!("{path}.allow-oob"), "expected a boolean"))
                    }
                };
                EntityKind::Command(Command {
                    arg_type,
                    ret_type,
                    boxed,
                    gen: true,
                    success_response: true,
                    allow_oob,
                    allow_preconfig: false,
                    coroutine: false,
                })
            }
            "event" => {
                let arg_type = self.arguments(object, "arg-type", &path)?;
                let boxed = arg_type.is_some_and(|id| {
                    matches!(&self.schema.entity(id).kind,
                        EntityKind::Object(o) if o.variants.is_some())
                });
                EntityKind::Event(Event { arg_type, boxed })
            }
            // Declared only for the kinds above.
            _ => unreachable!("meta-type checked when declared"),
        })
    }

    /// A command's or event's arguments or return: `None` for an empty
    /// object (QEMU's `q_empty`), as a model from schema files has it.
    fn arguments(
        &mut self,
        object: &Map<String, Value>,
        key: &str,
        path: &str,
    ) -> Result<Option<TypeId>, ImportError> {
        let id = self.type_member(object, key, path)?;
        let empty = matches!(&self.schema.entity(id).kind,
            EntityKind::Object(o) if o.members.is_empty() && o.variants.is_none());
        Ok((!empty).then_some(id))
    }

    fn enum_type(&self, object: &Map<String, Value>, path: &str) -> Result<EnumType, ImportError> {
        let mut members = Vec::new();
        // `members` (with features) since QEMU 6.2; `values` before.
        if object.contains_key("members") {
            for (value_path, value) in self.objects(object, "members", path)? {
                members.push(EnumMember {
                    name: self.string(value, "name", &value_path)?.to_string(),
                    span: None,
                    cond: None,
                    features: self.features(value, &value_path)?,
                });
            }
        } else {
            let list = object
                .get("values")
                .and_then(Value::as_array)
                .ok_or_else(|| self.error(&format!("{path}.values"), "expected a list"))?;
            for (index, value) in list.iter().enumerate() {
                let name = value.as_str().ok_or_else(|| {
                    self.error(&format!("{path}.values[{index}]"), "expected a string")
                })?;
                members.push(EnumMember {
                    name: name.to_string(),
                    span: None,
                    cond: None,
                    features: Vec::new(),
                });
            }
        }
        Ok(EnumType {
            members,
            prefix: None,
        })
    }

    fn object_type(
        &mut self,
        id: EntityId,
        object: &Map<String, Value>,
        path: &str,
    ) -> Result<ObjectType, ImportError> {
        let mut members = Vec::new();
        for (member_path, member) in self.objects(object, "members", path)? {
            members.push(Member {
                name: self.string(member, "name", &member_path)?.to_string(),
                ty: self.type_member(member, "type", &member_path)?,
                // QEMU says `"default": null` for every optional member.
                optional: member.contains_key("default"),
                span: None,
                cond: None,
                features: self.features(member, &member_path)?,
                defined_in: id,
            });
        }
        let variants = match object.get("tag") {
            None => None,
            Some(tag) => {
                let tag = tag
                    .as_str()
                    .ok_or_else(|| self.error(&format!("{path}.tag"), "expected a string"))?;
                let tag_type = members.iter().find(|m| m.name == tag).map(|m| m.ty);
                if tag_type.is_none() {
                    return Err(self.error(
                        &format!("{path}.tag"),
                        format!("the tag '{tag}' is not a member"),
                    ));
                }
                let mut variants = Vec::new();
                for (variant_path, variant) in self.objects(object, "variants", path)? {
                    variants.push(Variant {
                        name: self.string(variant, "case", &variant_path)?.to_string(),
                        ty: self.type_member(variant, "type", &variant_path)?,
                        span: None,
                        cond: None,
                    });
                }
                Some(Variants {
                    tag: tag.to_string(),
                    tag_type,
                    variants,
                })
            }
        };
        Ok(ObjectType {
            base: None,
            members,
            base_member_count: 0,
            variants,
            implicit: false,
        })
    }

    fn alternate_type(
        &mut self,
        object: &Map<String, Value>,
        path: &str,
    ) -> Result<AlternateType, ImportError> {
        let mut variants = Vec::new();
        for (member_path, member) in self.objects(object, "members", path)? {
            variants.push(Variant {
                name: String::new(),
                ty: self.type_member(member, "type", &member_path)?,
                span: None,
                cond: None,
            });
        }
        Ok(AlternateType {
            variants: Variants {
                tag: "type".to_string(),
                tag_type: self.schema.lookup("QType"),
                variants,
            },
        })
    }

    fn features(
        &self,
        object: &Map<String, Value>,
        path: &str,
    ) -> Result<Vec<Feature>, ImportError> {
        let Some(list) = object.get("features") else {
            return Ok(Vec::new());
        };
        let list = list
            .as_array()
            .ok_or_else(|| self.error(&format!("{path}.features"), "expected a list"))?;
        list.iter()
            .enumerate()
            .map(|(index, feature)| {
                let name = feature.as_str().ok_or_else(|| {
                    self.error(&format!("{path}.features[{index}]"), "expected a string")
                })?;
                Ok(Feature {
                    name: name.to_string(),
                    span: None,
                    cond: None,
                })
            })
            .collect()
    }

    fn finish(mut self) -> Introspected {
        name_alternate_branches(&mut self.schema);
        Introspected {
            schema: self.schema,
            elements: Elements {
                list_path: self.list_path.to_string(),
                indices: self.indices,
            },
        }
    }
}

fn array_name(element: &str) -> String {
    format!("{element}List")
}

fn string_member<'v>(object: &'v Map<String, Value>, key: &str) -> Result<&'v str, String> {
    match object.get(key) {
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err("expected a string".to_string()),
        None => Err(format!("missing member '{key}'")),
    }
}

fn list_member<'v>(object: &'v Map<String, Value>, key: &str) -> Result<&'v [Value], String> {
    match object.get(key) {
        Some(Value::Array(list)) => Ok(list),
        Some(_) => Err("expected a list".to_string()),
        None => Err(format!("missing member '{key}'")),
    }
}

/// The JSON type of a value of type `id`, for alternate branches; `None`
/// for alternates (which cannot nest) .
pub(crate) fn json_type(schema: &Schema, id: TypeId) -> Option<JsonType> {
    match &schema.entity(id).kind {
        EntityKind::Builtin(b) => Some(b.builtin.json_type()),
        EntityKind::Enum(_) => Some(JsonType::String),
        EntityKind::Array(_) => Some(JsonType::Array),
        EntityKind::Object(_) => Some(JsonType::Object),
        EntityKind::Alternate(_) | EntityKind::Command(_) | EntityKind::Event(_) => None,
    }
}

/// Name each alternate branch after its JSON type, once every type is
/// known.
fn name_alternate_branches(schema: &mut Schema) {
    let mut names: HashMap<(usize, usize), &'static str> = HashMap::new();
    for (id, entity) in schema.iter() {
        if let EntityKind::Alternate(alternate) = &entity.kind {
            for (index, variant) in alternate.variants.variants.iter().enumerate() {
                let name = json_type(schema, variant.ty).map_or("value", JsonType::as_str);
                names.insert((id.0 as usize, index), name);
            }
        }
    }
    for ((entity, index), name) in names {
        if let EntityKind::Alternate(alternate) = &mut schema.entities[entity].kind {
            alternate.variants.variants[index].name = name.to_string();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn demo() -> Schema {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema/qapi-schema.json");
        crate::load(&path).unwrap_or_else(|diags| panic!("{diags}"))
    }

    /// The demo schema's reply, masked as QEMU sends it, imported: the
    /// same commands and events with the same members, reached through
    /// masked type names.
    #[test]
    fn a_reply_becomes_a_model() {
        let schema = demo();
        // Every condition true but those that exclude others.
        let enabled = |name: &str| name != "CONFIG_XEN" && name != "CONFIG_WHPX";
        let reply = crate::introspect::introspect(&schema, &enabled, false);
        let text = serde_json::json!({ "return": reply }).to_string();
        let import = from_reply_text("reply.json", &text).unwrap();
        let model = &import.schema;
        let names = |s: &Schema| -> Vec<String> {
            let mut names: Vec<String> = s
                .iter()
                .filter(|(_, e)| matches!(e.kind, EntityKind::Command(_) | EntityKind::Event(_)))
                .map(|(_, e)| e.name.clone())
                .collect();
            names.sort();
            names
        };
        assert_eq!(names(model), names(&schema));
        let id = model.lookup("query-status").unwrap();
        let EntityKind::Command(command) = &model.entity(id).kind else {
            panic!("not a command")
        };
        assert_eq!(command.arg_type, None);
        let returns = model.entity(command.ret_type.unwrap());
        assert!(
            returns.name.parse::<u32>().is_ok(),
            "masked: {}",
            returns.name
        );
        let EntityKind::Object(status) = &returns.kind else {
            panic!("not an object")
        };
        let members: Vec<(&str, bool)> = status
            .members
            .iter()
            .map(|m| (m.name.as_str(), m.optional))
            .collect();
        assert!(members.contains(&("running", false)), "{members:?}");
        let path = import
            .elements
            .json_path(command.ret_type.unwrap())
            .unwrap();
        assert!(path.starts_with("return["), "{path}");
        // Alternates' branches are named after their JSON types.
        let alternate = model
            .iter()
            .find_map(|(_, e)| match &e.kind {
                EntityKind::Alternate(a) => Some(a),
                _ => None,
            })
            .expect("the demo has alternates");
        for variant in &alternate.variants.variants {
            assert_eq!(
                Some(variant.name.as_str()),
                json_type(model, variant.ty).map(JsonType::as_str)
            );
        }
    }

    #[test]
    fn errors_name_the_file_and_the_json_path() {
        let error = |text: &str| from_reply_text("r.json", text).unwrap_err().to_string();
        assert_eq!(
            error("{'return': []}"),
            "r.json: not JSON: key must be a string at line 1 column 2"
        );
        assert!(error("{\"x\": 1}").starts_with("r.json: not a query-qmp-schema reply"));
        assert_eq!(
            error(r#"[{"name": "c", "meta-type": "command", "arg-type": "9", "ret-type": "int"}]"#),
            "r.json: [0].arg-type: type '9' is not described in the reply"
        );
        assert_eq!(
            error(
                r#"{"return": [{"name": "o", "meta-type": "object",
                    "members": [{"name": "a"}]}]}"#
            ),
            "r.json: return[0].members[0].type: missing member 'type'"
        );
        assert_eq!(
            error(r#"[{"name": "x", "meta-type": "enum"}, {"name": "x", "meta-type": "enum"}]"#),
            "r.json: [1].name: 'x' is described twice"
        );
    }
}
