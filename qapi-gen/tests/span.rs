//! Span models of QEMU's real schemas: 10.2.0's spanning 10.0.0's (schema
//! files) and QEMU 10.0.2's `query-qmp-schema` reply (masked type names),
//! and 10.2.0's spanning 8.0, 8.1, 9.1 (the cargo registry's) and 10.0.0.

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;

use common::registry::{locate, OLDER_SCHEMAS};
use common::shared_dir;
use qapi_gen::schema::{EntityKind, Schema};
use qapi_gen::Builder;

fn newest() -> PathBuf {
    shared_dir().join("qemu/10.2.0/qapi/qapi-schema.json")
}

fn load(compat: &[String]) -> Schema {
    let mut builder = Builder::new(newest());
    for input in compat {
        builder = builder.compat(input.clone());
    }
    builder.load().unwrap_or_else(|e| panic!("{e}"))
}

fn path(p: PathBuf) -> String {
    p.display().to_string()
}

/// `Type.member` for every member the span made optional.
fn made_optional(schema: &Schema) -> BTreeSet<String> {
    let versions = schema.versions.as_ref().expect("a span model");
    let mut names = BTreeSet::new();
    for (id, entity) in schema.iter() {
        if let EntityKind::Object(object) = &entity.kind {
            for member in object.members.iter().filter(|m| m.defined_in == id) {
                if versions.made_optional(id, &member.name) {
                    names.insert(format!("{}.{}", entity.name, member.name));
                }
            }
        }
    }
    names
}

/// The span's own warnings (the main schema's doc-comment warnings, the
/// same as when it is loaded alone, left out).
fn span_warnings(schema: &Schema) -> Vec<String> {
    let alone = Builder::new(newest()).load().unwrap().warnings.len();
    schema.warnings[alone..]
        .iter()
        .map(|w| w.render(&schema.sources))
        .collect()
}

#[test]
fn over_10_0_schema_files() {
    let schema = load(&[path(shared_dir().join("qemu/10.0.0/qapi/qapi-schema.json"))]);
    let versions = schema.versions.as_ref().unwrap();
    assert_eq!(versions.labels(), ["10.0", "10.2"]);
    assert_eq!(versions.main_label(), "10.2");
    // The members QEMU 10.0.2's replies lack or may lack (`query-block`,
    // `query-named-block-nodes`, `query-cpus-fast`), and one of a type no
    // command reaches.
    assert_eq!(
        made_optional(&schema),
        BTreeSet::from(
            [
                "BlockDeviceInfo.children",
                "BlockDeviceInfo.node-name",
                "DummyVirtioForceArrays.unused-virtio-gpu-output",
                "q_obj_CpuInfoFast-base.qom-type",
            ]
            .map(String::from)
        )
    );
    let info = schema.lookup("BlockDeviceInfo").unwrap();
    assert_eq!(
        versions.names(versions.of_member(info, "children")),
        ["10.2"]
    );
    assert_eq!(
        versions.names(versions.of_member(info, "file")),
        ["10.0", "10.2"]
    );
    let accelerators = schema.lookup("query-accelerators").unwrap();
    assert_eq!(versions.names(versions.of_entity(accelerators)), ["10.2"]);
    // Removed after 10.0: kept, with its types, from 10.0's schema.
    let opcount = schema.lookup("x-query-opcount").unwrap();
    assert_eq!(versions.names(versions.of_entity(opcount)), ["10.0"]);
    assert_eq!(span_warnings(&schema), Vec::<String>::new());
    let stats = versions.stats(&schema);
    assert_eq!(
        stats.to_string(),
        "span 10.0, 10.2: 52 items not in every version (6 commands, 1 events, 12 types, \
         22 members, 7 enum values, 4 branches); 4 members made optional, 0 members raw JSON"
    );
}

/// The same span from what a running QEMU 10.0.2 says: the masked type
/// names are paired through the commands and events, and the members made
/// optional are those of the schema files (but the one no command
/// reaches, which the reply does not show).
#[test]
fn over_10_0_2_introspection() {
    let reply = shared_dir().join("qmp-corpus/10.0.2/schema.json");
    let schema = load(&[path(reply)]);
    let versions = schema.versions.as_ref().unwrap();
    // The label comes from query-version.json beside the reply.
    assert_eq!(versions.labels(), ["10.0.2", "10.2"]);
    assert_eq!(
        made_optional(&schema),
        BTreeSet::from(
            [
                "BlockDeviceInfo.children",
                "BlockDeviceInfo.node-name",
                "q_obj_CpuInfoFast-base.qom-type",
            ]
            .map(String::from)
        )
    );
    // Only in the reply: its types are named after where they are used.
    let opcount = schema.lookup("x-query-opcount").unwrap();
    let EntityKind::Command(command) = &schema.entity(opcount).kind else {
        panic!("not a command");
    };
    let returns = schema.entity(command.ret_type.unwrap());
    assert_eq!(returns.name, "HumanReadableText");
    assert_eq!(span_warnings(&schema), Vec::<String>::new());
}

#[test]
fn over_8_0_to_10_0() {
    let mut compat = vec![path(shared_dir().join("qemu/10.0.0/qapi/qapi-schema.json"))];
    for name in ["qmp_8_0", "qmp_8_1", "qmp_9_1"] {
        let schema = OLDER_SCHEMAS.iter().find(|s| s.name == name).unwrap();
        compat.push(path(locate(schema).unwrap_or_else(|e| panic!("{e}"))));
    }
    let schema = load(&compat);
    let versions = schema.versions.as_ref().unwrap();
    assert_eq!(versions.labels(), ["8.0", "8.1", "9.1", "10.0", "10.2"]);
    let stats = versions.stats(&schema);
    println!("{stats}");
    assert_eq!(stats.members_made_optional, 19);
    assert_eq!(stats.items_with_versions(), 288);
    // Every change that cannot be merged.
    let warnings: Vec<String> = span_warnings(&schema)
        .iter()
        .map(|w| w.lines().next().unwrap().to_string())
        .map(|w| w[w.find("warning: ").unwrap()..].to_string())
        .map(|w| w.split(" (at ").next().unwrap().to_string())
        .collect();
    assert_eq!(
        warnings,
        [
            "warning: 'BlockJobInfo' member 'type': 'str' in 8.1",
            "warning: the return of 'query-sev': object 'SevInfo' without 'sev-type' in 8.1",
            "warning: 'BlockJobInfo' member 'type': 'str' in 8.0",
        ]
    );
}
