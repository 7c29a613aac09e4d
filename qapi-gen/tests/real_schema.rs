//! QEMU's own schema builds, with QEMU's numbers of definitions.

mod common;

use qapi_gen::schema::{EntityKind, ModuleItem, Schema};

fn real_schema() -> Schema {
    let path = common::shared_dir().join("qemu/10.0.0/qapi/qapi-schema.json");
    qapi_gen::load(&path).unwrap_or_else(|diags| panic!("the real schema fails:\n{diags}"))
}

#[test]
fn real_schema_builds_with_qemus_counts() {
    let schema = real_schema();
    // Written definitions only: built-in and implicit types (QType,
    // q_empty, q_obj_*, arrays) have no span or are implicit.
    let mut counts = [0; 5];
    for entity in schema.entities.iter().filter(|e| e.span.is_some()) {
        match &entity.kind {
            EntityKind::Command(_) => counts[0] += 1,
            EntityKind::Event(_) => counts[1] += 1,
            EntityKind::Enum(_) => counts[2] += 1,
            EntityKind::Alternate(_) => counts[3] += 1,
            EntityKind::Object(object) if !object.implicit => counts[4] += 1,
            _ => {}
        }
    }
    let [commands, events, enums, alternates, objects] = counts;
    assert_eq!(commands, 240, "commands");
    assert_eq!(events, 56, "events");
    assert_eq!(enums, 181, "enums");
    assert_eq!(alternates, 6, "alternates");
    assert_eq!(objects, 511, "structs and unions");
}

#[test]
fn real_schema_modules() {
    let schema = real_schema();
    assert_eq!(schema.modules[0].name, "./builtin");
    assert_eq!(schema.modules[1].name, "qapi-schema.json");
    // Every file QEMU reads is a module; the root only includes.
    assert!(schema.modules.iter().any(|m| m.name == "block-core.json"));
    assert!(schema.modules[1]
        .items
        .iter()
        .all(|item| matches!(item, ModuleItem::Include { .. })));
    // Every entity is listed once, in its module.
    let listed: usize = schema
        .modules
        .iter()
        .map(|m| {
            m.items
                .iter()
                .filter(|i| matches!(i, ModuleItem::Entity(_)))
                .count()
        })
        .sum();
    assert_eq!(listed, schema.entities.len());
    for (id, entity) in schema.iter() {
        assert!(schema
            .module(entity.module)
            .items
            .contains(&ModuleItem::Entity(id)));
        assert_eq!(schema.lookup(&entity.name), Some(id));
    }
}
