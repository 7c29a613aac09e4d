//! The `query-qmp-schema` reply (QEMU's `scripts/qapi/introspect.py`).
//!
//! QEMU compiles the whole schema, conditions included, into a constant
//! and its preprocessor drops what the build's conditions exclude.  We do
//! the same in two steps: `schema_info` builds the full list with every
//! condition attached, `Info::evaluate` drops what `enabled` excludes.
//! Type names are masked as numbers while building, so the numbers do not
//! depend on the conditions, exactly as in QEMU.
//!
//! What appears: every command and event (module by module, in definition
//! order), then every type they reach, in the order first reached.  Integer
//! types all show as `int`, arrays as `[ELEMENT]`.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use crate::schema::{
    Cond, Entity, EntityId, EntityKind, Feature, JsonType, Member, ModuleItem, Schema, TypeId,
    Variant,
};

/// A JSON value whose list elements may carry a condition (QEMU's
/// `Annotated`).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Info {
    Null,
    Bool(bool),
    Str(String),
    List(Vec<Conditional>),
    /// Keys in the order QEMU builds them.
    Dict(Vec<(&'static str, Info)>),
}

/// A list element present only where its condition holds.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Conditional {
    pub cond: Option<Cond>,
    pub value: Info,
}

impl Info {
    /// The JSON value with every element whose condition is false dropped.
    pub(crate) fn evaluate(&self, enabled: &dyn Fn(&str) -> bool) -> Value {
        match self {
            Info::Null => Value::Null,
            Info::Bool(b) => Value::Bool(*b),
            Info::Str(s) => Value::String(s.clone()),
            Info::List(items) => Value::Array(
                items
                    .iter()
                    .filter(|item| cond_holds(item.cond.as_ref(), enabled))
                    .map(|item| item.value.evaluate(enabled))
                    .collect(),
            ),
            Info::Dict(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(key, value)| (key.to_string(), value.evaluate(enabled)))
                    .collect::<Map<String, Value>>(),
            ),
        }
    }
}

/// Whether a condition is true when exactly the names `enabled` accepts
/// are defined.  No condition is true.
pub fn cond_holds(cond: Option<&Cond>, enabled: &dyn Fn(&str) -> bool) -> bool {
    match cond {
        None => true,
        Some(Cond::Name(name)) => enabled(name),
        Some(Cond::All(conds)) => conds.iter().all(|c| cond_holds(Some(c), enabled)),
        Some(Cond::Any(conds)) => conds.iter().any(|c| cond_holds(Some(c), enabled)),
        Some(Cond::Not(c)) => !cond_holds(Some(c), enabled),
    }
}

/// What `query-qmp-schema` returns for `schema` in a build where the
/// condition names `enabled` accepts are defined.  With `unmask`, types
/// keep their names instead of numbers.
pub fn introspect(schema: &Schema, enabled: &dyn Fn(&str) -> bool, unmask: bool) -> Value {
    Info::List(schema_info(schema, unmask)).evaluate(enabled)
}

/// Every `SchemaInfo` of `schema`, each with its condition.
pub(crate) fn schema_info(schema: &Schema, unmask: bool) -> Vec<Conditional> {
    let mut gen = Generator {
        schema,
        unmask,
        trees: Vec::new(),
        used_types: Vec::new(),
        used: HashSet::new(),
        masked: HashMap::new(),
    };
    // Commands and events first, module by module.
    for module in &schema.modules {
        for item in &module.items {
            if let ModuleItem::Entity(id) = item {
                let entity = schema.entity(*id);
                match &entity.kind {
                    EntityKind::Command(_) | EntityKind::Event(_) => gen.entity(entity),
                    _ => {}
                }
            }
        }
    }
    // Then the types they use; the list grows as types reach more types.
    let mut next = 0;
    while next < gen.used_types.len() {
        let id = gen.used_types[next];
        gen.entity(schema.entity(id));
        next += 1;
    }
    gen.trees
}

struct Generator<'a> {
    schema: &'a Schema,
    unmask: bool,
    trees: Vec<Conditional>,
    /// Types to describe, in the order first used.
    used_types: Vec<TypeId>,
    used: HashSet<TypeId>,
    /// Type name to its number, assigned in the order first named.
    masked: HashMap<String, usize>,
}

impl Generator<'_> {
    fn name(&mut self, name: &str) -> String {
        if self.unmask {
            return name.to_string();
        }
        let next = self.masked.len();
        self.masked
            .entry(name.to_string())
            .or_insert(next)
            .to_string()
    }

    fn type_by_name(&self, name: &str) -> TypeId {
        self.schema
            .lookup(name)
            .unwrap_or_else(|| panic!("built-in type '{name}' missing"))
    }

    /// Queue `id` for description and return how members refer to it.
    fn use_type(&mut self, id: TypeId) -> String {
        let mut id = id;
        // Every integer type is plain `int` on the wire.
        if self.is_int(id) {
            id = self.type_by_name("int");
        } else if let EntityKind::Array(array) = &self.schema.entity(id).kind {
            if self.is_int(array.element) {
                id = self.type_by_name("intList");
            }
        }
        if self.used.insert(id) {
            self.used_types.push(id);
        }
        let entity = self.schema.entity(id);
        match &entity.kind {
            EntityKind::Builtin(_) => entity.name.clone(),
            EntityKind::Array(array) => format!("[{}]", self.use_type(array.element)),
            _ => self.name(&entity.name),
        }
    }

    fn is_int(&self, id: TypeId) -> bool {
        matches!(&self.schema.entity(id).kind,
            EntityKind::Builtin(b) if b.builtin.json_type() == JsonType::Int)
    }

    fn empty_object(&self) -> EntityId {
        self.type_by_name("q_empty")
    }

    fn entity(&mut self, entity: &Entity) {
        let info = match &entity.kind {
            EntityKind::Builtin(b) => vec![("json-type", text(b.builtin.json_type().as_str()))],
            EntityKind::Enum(e) => {
                let members = e
                    .members
                    .iter()
                    .map(|m| {
                        let mut obj = vec![("name", text(&m.name))];
                        if !m.features.is_empty() {
                            obj.push(("features", features(&m.features)));
                        }
                        conditional(&m.cond, Info::Dict(obj))
                    })
                    .collect();
                let values = e
                    .members
                    .iter()
                    .map(|m| conditional(&m.cond, text(&m.name)))
                    .collect();
                vec![
                    ("members", Info::List(members)),
                    ("values", Info::List(values)),
                ]
            }
            EntityKind::Array(array) => {
                let element = self.use_type(array.element);
                self.push(
                    format!("[{element}]"),
                    "array",
                    vec![("element-type", Info::Str(element))],
                    entity,
                );
                return;
            }
            EntityKind::Object(object) => {
                let members = object.members.iter().map(|m| self.member(m)).collect();
                let mut obj = vec![("members", Info::List(members))];
                if let Some(variants) = &object.variants {
                    obj.push(("tag", text(&variants.tag)));
                    let variants = variants.variants.iter().map(|v| self.variant(v)).collect();
                    obj.push(("variants", Info::List(variants)));
                }
                obj
            }
            EntityKind::Alternate(alternate) => {
                let members = alternate
                    .variants
                    .variants
                    .iter()
                    .map(|v| {
                        let ty = Info::Str(self.use_type(v.ty));
                        conditional(&v.cond, Info::Dict(vec![("type", ty)]))
                    })
                    .collect();
                vec![("members", Info::List(members))]
            }
            EntityKind::Command(command) => {
                let empty = self.empty_object();
                let arg_type = self.use_type(command.arg_type.unwrap_or(empty));
                let ret_type = self.use_type(command.ret_type.unwrap_or(empty));
                let mut obj = vec![
                    ("arg-type", Info::Str(arg_type)),
                    ("ret-type", Info::Str(ret_type)),
                ];
                if command.allow_oob {
                    obj.push(("allow-oob", Info::Bool(true)));
                }
                obj
            }
            EntityKind::Event(event) => {
                let empty = self.empty_object();
                let arg_type = self.use_type(event.arg_type.unwrap_or(empty));
                vec![("arg-type", Info::Str(arg_type))]
            }
        };
        // Types other than built-ins go by their (masked) name.
        let name = match &entity.kind {
            EntityKind::Builtin(_) | EntityKind::Command(_) | EntityKind::Event(_) => {
                entity.name.clone()
            }
            _ => self.name(&entity.name),
        };
        let meta_type = match &entity.kind {
            EntityKind::Builtin(_) => "builtin",
            EntityKind::Enum(_) => "enum",
            EntityKind::Array(_) => "array",
            EntityKind::Object(_) => "object",
            EntityKind::Alternate(_) => "alternate",
            EntityKind::Command(_) => "command",
            EntityKind::Event(_) => "event",
        };
        self.push(name, meta_type, info, entity);
    }

    /// Append a `SchemaInfo` with its common members.
    fn push(
        &mut self,
        name: String,
        meta_type: &str,
        mut obj: Vec<(&'static str, Info)>,
        entity: &Entity,
    ) {
        obj.push(("name", Info::Str(name)));
        obj.push(("meta-type", text(meta_type)));
        if !entity.features.is_empty() {
            obj.push(("features", features(&entity.features)));
        }
        self.trees.push(conditional(&entity.cond, Info::Dict(obj)));
    }

    fn member(&mut self, member: &Member) -> Conditional {
        let mut obj = vec![
            ("name", text(&member.name)),
            ("type", Info::Str(self.use_type(member.ty))),
        ];
        if member.optional {
            obj.push(("default", Info::Null));
        }
        if !member.features.is_empty() {
            obj.push(("features", features(&member.features)));
        }
        conditional(&member.cond, Info::Dict(obj))
    }

    fn variant(&mut self, variant: &Variant) -> Conditional {
        let obj = vec![
            ("case", text(&variant.name)),
            ("type", Info::Str(self.use_type(variant.ty))),
        ];
        conditional(&variant.cond, Info::Dict(obj))
    }
}

fn text(s: &str) -> Info {
    Info::Str(s.to_string())
}

fn conditional(cond: &Option<Cond>, value: Info) -> Conditional {
    Conditional {
        cond: cond.clone(),
        value,
    }
}

fn features(features: &[Feature]) -> Info {
    Info::List(
        features
            .iter()
            .map(|f| conditional(&f.cond, text(&f.name)))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn name(n: &str) -> Cond {
        Cond::Name(n.to_string())
    }

    fn demo() -> Schema {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema/qapi-schema.json");
        crate::load(&path).unwrap_or_else(|diags| panic!("the demo schema fails:\n{diags}"))
    }

    /// The reply with `names` enabled and type names unmasked.
    fn reply(schema: &Schema, names: &[&str]) -> Vec<Value> {
        match introspect(schema, &|n| names.contains(&n), true) {
            Value::Array(infos) => infos,
            other => panic!("not a list: {other}"),
        }
    }

    fn info<'a>(reply: &'a [Value], name: &str) -> Option<&'a Value> {
        reply.iter().find(|info| info["name"] == name)
    }

    fn strings(list: &Value, key: &str) -> Vec<String> {
        let items = list.as_array().expect("a list");
        items
            .iter()
            .map(|item| match key {
                "" => item.as_str().expect("a string").to_string(),
                _ => item[key].as_str().expect("a string").to_string(),
            })
            .collect()
    }

    #[test]
    fn conditions_evaluate() {
        let on = |n: &str| n == "A" || n == "B";
        let holds = |c: Cond| cond_holds(Some(&c), &on);
        assert!(cond_holds(None, &on));
        assert!(holds(name("A")));
        assert!(!holds(name("C")));
        assert!(holds(Cond::All(vec![name("A"), name("B")])));
        assert!(!holds(Cond::All(vec![name("A"), name("C")])));
        assert!(holds(Cond::Any(vec![name("C"), name("B")])));
        assert!(!holds(Cond::Any(vec![name("C"), name("D")])));
        assert!(holds(Cond::Not(Box::new(name("C")))));
        assert!(!holds(Cond::Not(Box::new(name("A")))));
        let nested = Cond::All(vec![
            name("A"),
            Cond::Not(Box::new(Cond::Any(vec![name("C"), name("B")]))),
        ]);
        assert!(!holds(nested));
    }

    #[test]
    fn conditional_entities_are_dropped() {
        let schema = demo();
        // 'if': { 'all': [ 'CONFIG_KVM', { 'not': { 'any': [ 'CONFIG_XEN', 'CONFIG_WHPX' ] } } ] }
        assert!(info(&reply(&schema, &[]), "query-kvm").is_none());
        let kvm = reply(&schema, &["CONFIG_KVM"]);
        assert_eq!(info(&kvm, "query-kvm").unwrap()["ret-type"], "KvmInfo");
        assert!(info(&kvm, "KvmInfo").is_some());
        assert!(info(&reply(&schema, &["CONFIG_KVM", "CONFIG_WHPX"]), "query-kvm").is_none());
        // 'if': { 'any': [ 'CONFIG_PVPANIC', 'CONFIG_HYPERV' ] }
        assert!(info(&reply(&schema, &[]), "GUEST_PANICKED").is_none());
        let panicked = reply(&schema, &["CONFIG_HYPERV"]);
        let features = &info(&panicked, "GUEST_PANICKED").unwrap()["features"];
        assert_eq!(strings(features, ""), ["unstable"]);
    }

    #[test]
    fn types_of_dropped_entities_stay() {
        // As in QEMU: a type reached only from a dropped event is still
        // described unless it has a condition of its own.
        let infos = reply(&demo(), &[]);
        assert!(info(&infos, "GUEST_PANICKED").is_none());
        assert!(info(&infos, "GuestPanicAction").is_some());
    }

    #[test]
    fn conditional_members_are_dropped() {
        let schema = demo();
        let values = |names: &[&str], enum_name: &str| {
            let infos = reply(&schema, names);
            let info = info(&infos, enum_name).unwrap();
            let members = strings(&info["members"], "name");
            assert_eq!(members, strings(&info["values"], ""));
            members
        };
        // { 'name': 'pty', 'if': { 'not': 'CONFIG_WIN32' } }
        assert_eq!(
            values(&[], "ChardevBackendKind"),
            ["file", "socket", "pty", "null"]
        );
        assert_eq!(
            values(&["CONFIG_WIN32"], "ChardevBackendKind"),
            ["file", "socket", "null"]
        );
        assert_eq!(
            values(&["CONFIG_SUSPEND"], "RunState"),
            ["debug", "paused", "running", "shutdown", "suspended"]
        );

        let variants = |names: &[&str]| {
            let infos = reply(&schema, names);
            let backend = info(&infos, "ChardevBackend").unwrap();
            strings(&backend["variants"], "case")
        };
        // The enum value without a branch gets an empty one, as conditional.
        assert_eq!(variants(&[]), ["file", "socket", "pty", "null"]);
        assert_eq!(variants(&["CONFIG_WIN32"]), ["file", "socket", "null"]);

        let members = |names: &[&str]| {
            let infos = reply(&schema, names);
            let info = info(&infos, "BlockDeviceInfo").unwrap();
            strings(&info["members"], "name")
        };
        assert!(!members(&[]).contains(&"throttle-group".to_string()));
        assert!(members(&["CONFIG_THROTTLE"]).contains(&"throttle-group".to_string()));
    }

    #[test]
    fn numbers_do_not_depend_on_conditions() {
        let schema = demo();
        let none = introspect(&schema, &|_| false, false);
        let all = introspect(&schema, &|n| n != "CONFIG_XEN" && n != "CONFIG_WHPX", false);
        let commands = |reply: &Value| -> Vec<Value> {
            let infos = reply.as_array().unwrap();
            infos
                .iter()
                .filter(|info| info["meta-type"] == "command" && info["name"] != "query-kvm")
                .cloned()
                .collect()
        };
        assert_eq!(commands(&none), commands(&all));
        assert!(info(all.as_array().unwrap(), "query-kvm").is_some());
    }
}
