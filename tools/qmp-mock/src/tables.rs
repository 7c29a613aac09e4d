//! The server tables of a schema file, built at run time from qapi-gen's
//! model: the facts `qapi-gen rust --server` emits as static tables
//! (member order, optionality, integer widths, enum values, branches,
//! command flags, features), for the build whose condition names
//! `enabled` accepts.

use std::collections::HashMap;

use qapi_gen::introspect::{cond_holds, introspect};
use qapi_gen::schema::{Builtin, Cond, EntityKind, Feature, JsonType, TypeId};
use qapi_types::qmp::server::schema::{
    self as s, leak_slice, leak_str, Alternate, Branch, CommandInfo, Enum, EnumValue, EventInfo,
    Member, Node, Object, Schema, Type, Variant,
};
use qapi_types::qmp::server::QType;

/// The tables of `model` where the names `enabled` accepts are defined.
pub fn from_model(model: &qapi_gen::Schema, enabled: &dyn Fn(&str) -> bool) -> &'static Schema {
    let mut tables = Tables {
        model,
        enabled,
        index: HashMap::new(),
        order: Vec::new(),
    };
    let mut commands = Vec::new();
    let mut events = Vec::new();
    for (_, entity) in model.iter() {
        if !tables.holds(entity.cond.as_ref()) {
            continue;
        }
        let special = tables.special(&entity.features);
        match &entity.kind {
            EntityKind::Command(command) => {
                let mut flags = 0;
                for (set, flag) in [
                    (command.allow_oob, s::ALLOW_OOB),
                    (command.allow_preconfig, s::ALLOW_PRECONFIG),
                    (!command.success_response, s::NO_SUCCESS_RESPONSE),
                    (!command.gen, s::NO_GEN),
                    (command.coroutine, s::COROUTINE),
                ] {
                    if set {
                        flags |= flag;
                    }
                }
                commands.push(CommandInfo {
                    name: leak_str(&entity.name),
                    args: command.arg_type.map(|t| tables.index(t)),
                    returns: command.ret_type.map(|t| tables.index(t)),
                    flags,
                    special,
                });
            }
            EntityKind::Event(event) => events.push(EventInfo {
                name: leak_str(&entity.name),
                data: event.arg_type.map(|t| tables.index(t)),
                special,
            }),
            _ => {}
        }
    }
    // Entries reach more types as they are made.
    let mut types = Vec::new();
    while types.len() < tables.order.len() {
        let ty = tables.order[types.len()];
        types.push(tables.entry(ty));
    }
    let introspection = introspect(model, enabled, false);
    let introspection =
        qapi_types::qmp::wire::to_qemu_json(&introspection).unwrap_or_else(|_| "[]".to_string());
    Schema {
        types: leak_slice(types),
        commands: leak_slice(commands),
        events: leak_slice(events),
        introspection: Node::Json(leak_str(&introspection)),
    }
    .leak()
}

struct Tables<'a> {
    model: &'a qapi_gen::Schema,
    enabled: &'a dyn Fn(&str) -> bool,
    /// Type to its index, assigned when first referenced.
    index: HashMap<TypeId, u32>,
    order: Vec<TypeId>,
}

impl Tables<'_> {
    fn holds(&self, cond: Option<&Cond>) -> bool {
        cond_holds(cond, self.enabled)
    }

    fn special(&self, features: &[Feature]) -> u8 {
        let names: Vec<&str> = features
            .iter()
            .filter(|f| self.holds(f.cond.as_ref()))
            .map(|f| f.name.as_str())
            .collect();
        s::special(&names)
    }

    fn index(&mut self, ty: TypeId) -> u32 {
        if let Some(&index) = self.index.get(&ty) {
            return index;
        }
        let index = self.order.len() as u32;
        self.index.insert(ty, index);
        self.order.push(ty);
        index
    }

    fn entry(&mut self, ty: TypeId) -> Type {
        let model = self.model;
        let entity = model.entity(ty);
        let name = leak_str(&entity.name);
        match &entity.kind {
            EntityKind::Builtin(b) => builtin(b.builtin),
            EntityKind::Enum(e) => {
                let values = e
                    .members
                    .iter()
                    .filter(|m| self.holds(m.cond.as_ref()))
                    .map(|m| EnumValue {
                        name: leak_str(&m.name),
                        special: self.special(&m.features),
                    })
                    .collect();
                Type::Enum(Enum {
                    name,
                    values: leak_slice(values),
                })
            }
            EntityKind::Array(array) => Type::Array(self.index(array.element)),
            EntityKind::Object(object) => {
                let mut members = Vec::new();
                for member in &object.members {
                    if self.holds(member.cond.as_ref()) {
                        members.push(Member {
                            name: leak_str(&member.name),
                            ty: self.index(member.ty),
                            optional: member.optional,
                            special: self.special(&member.features),
                        });
                    }
                }
                let mut variants = Vec::new();
                for variant in object.variants.iter().flat_map(|v| &v.variants) {
                    if self.holds(variant.cond.as_ref()) {
                        variants.push(Variant {
                            value: leak_str(&variant.name),
                            ty: self.index(variant.ty),
                        });
                    }
                }
                Type::Object(Object {
                    name,
                    members: leak_slice(members),
                    tag: object.variants.as_ref().map(|v| leak_str(&v.tag)),
                    variants: leak_slice(variants),
                })
            }
            EntityKind::Alternate(alternate) => {
                let mut branches = Vec::new();
                for variant in &alternate.variants.variants {
                    if self.holds(variant.cond.as_ref()) {
                        branches.push(Branch {
                            qtype: self.qtype(variant.ty),
                            ty: self.index(variant.ty),
                        });
                    }
                }
                Type::Alternate(Alternate {
                    name,
                    branches: leak_slice(branches),
                })
            }
            // Commands and events are never referenced as types.
            EntityKind::Command(_) | EntityKind::Event(_) => Type::Any,
        }
    }

    /// The JSON type that selects an alternate's branch of type `ty`.
    fn qtype(&self, ty: TypeId) -> QType {
        let json = match &self.model.entity(ty).kind {
            EntityKind::Builtin(b) => b.builtin.json_type(),
            EntityKind::Enum(_) => JsonType::String,
            EntityKind::Array(_) => JsonType::Array,
            _ => JsonType::Object,
        };
        match json {
            JsonType::String => QType::Str,
            JsonType::Number | JsonType::Int => QType::Num,
            JsonType::Boolean => QType::Bool,
            JsonType::Null => QType::Null,
            JsonType::Array => QType::List,
            JsonType::Object | JsonType::Value => QType::Dict,
        }
    }
}

fn builtin(builtin: Builtin) -> Type {
    match builtin {
        Builtin::Str => Type::Str,
        Builtin::Number => Type::Number,
        Builtin::Int => Type::Int,
        Builtin::Int8 => Type::Int8,
        Builtin::Int16 => Type::Int16,
        Builtin::Int32 => Type::Int32,
        Builtin::Int64 => Type::Int64,
        Builtin::Uint8 => Type::Uint8,
        Builtin::Uint16 => Type::Uint16,
        Builtin::Uint32 => Type::Uint32,
        Builtin::Uint64 => Type::Uint64,
        Builtin::Size => Type::Size,
        Builtin::Bool => Type::Bool,
        Builtin::Null => Type::Null,
        Builtin::Any => Type::Any,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use qapi_types::qmp::server::schema::{Schema, Type};

    /// A type by name (an array by its element's), independent of table
    /// indices.
    fn type_name(schema: &Schema, ty: u32) -> String {
        match &schema.types[ty as usize] {
            Type::Enum(e) => e.name.to_string(),
            Type::Object(o) => o.name.to_string(),
            Type::Alternate(a) => a.name.to_string(),
            Type::Array(element) => format!("[{}]", type_name(schema, *element)),
            builtin => format!("{builtin:?}"),
        }
    }

    /// Every fact of every table entry, by name.
    fn facts(schema: &Schema) -> BTreeMap<String, String> {
        let mut facts = BTreeMap::new();
        for (ty, entry) in schema.types.iter().enumerate() {
            let name = type_name(schema, ty as u32);
            let fact = match entry {
                Type::Enum(e) => format!(
                    "{:?}",
                    e.values
                        .iter()
                        .map(|v| (v.name, v.special))
                        .collect::<Vec<_>>()
                ),
                Type::Object(o) => format!(
                    "{:?} {:?} {:?}",
                    o.members
                        .iter()
                        .map(|m| (m.name, type_name(schema, m.ty), m.optional, m.special))
                        .collect::<Vec<_>>(),
                    o.tag,
                    o.variants
                        .iter()
                        .map(|v| (v.value, type_name(schema, v.ty)))
                        .collect::<Vec<_>>()
                ),
                Type::Alternate(a) => format!(
                    "{:?}",
                    a.branches
                        .iter()
                        .map(|b| (b.qtype, type_name(schema, b.ty)))
                        .collect::<Vec<_>>()
                ),
                other => format!("{other:?}"),
            };
            facts.insert(format!("type {name}"), fact);
        }
        let name = |ty: Option<u32>| ty.map(|ty| type_name(schema, ty));
        for c in schema.commands {
            let fact = format!(
                "{:?} {:?} {} {}",
                name(c.args),
                name(c.returns),
                c.flags,
                c.special
            );
            facts.insert(format!("command {}", c.name), fact);
        }
        for e in schema.events {
            let fact = format!("{:?} {}", name(e.data), e.special);
            facts.insert(format!("event {}", e.name), fact);
        }
        facts
    }

    /// The tables built at run time from QEMU's schema file are the
    /// tables generated from it (`tests/server`, same conditions).
    #[test]
    fn run_time_tables_are_the_generated_ones() {
        let shared = qapi_qmp_tests::shared_dir();
        let model = qapi_gen::load_with(
            &shared.join("qemu/10.0.0/qapi/qapi-schema.json"),
            qapi_gen::DocMode::Lenient,
        )
        .unwrap();
        let list = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../qapi-gen/tests/common/qemu-10.0.2-x86_64-conditions.txt");
        let list = std::fs::read_to_string(list).unwrap();
        let enabled: Vec<&str> = list
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .chain(["CONFIG_KVM"])
            .collect();
        let built = super::from_model(&model, &|name| enabled.contains(&name));
        let generated = &qapi_server_tests::qemu::server::SCHEMA;
        let reply = |schema: &Schema| -> serde_json::Value {
            serde_json::from_str(&schema.introspection.to_json()).unwrap()
        };
        assert_eq!(reply(built), reply(generated));
        let (built, generated) = (facts(built), facts(generated));
        assert_eq!(built.len(), generated.len());
        for (key, fact) in &generated {
            assert_eq!(built.get(key), Some(fact), "{key}");
        }
        assert!(built.len() > 1000, "{} facts", built.len());
    }
}
