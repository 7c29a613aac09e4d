//! Span models of QEMU's real schemas: 10.2.0's spanning 10.0.0's (schema
//! files) and QEMU 10.0.2's `query-qmp-schema` reply (masked type names),
//! and 10.2.0's spanning 8.0, 8.1, 9.1 (the cargo registry's) and 10.0.0.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

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
         22 members, 7 enum values, 4 branches); 4 members made optional, 0 members of a wider \
         type, 0 members raw JSON"
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
        .map(|w| {
            w.lines()
                .find(|l| l.contains("warning: "))
                .unwrap()
                .to_string()
        })
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

// ------------------------------------------------------------- the rules

use common::TempDir;

/// An old and a new version of a small schema, one change of each kind.
const OLD: &str = "\
{ 'enum': 'Algorithm', 'data': ['aes', 'des'] }
{ 'alternate': 'StrOrNull', 'data': { 's': 'str', 'n': 'null' } }
{ 'struct': 'Info', 'data': { 'name': 'str', '*size': 'int', 'alg': 'Algorithm',
                              'gone': 'bool', 'level': 'int', 'label': 'StrOrNull',
                              'kind': 'str', 'count': 'int' } }
{ 'enum': 'Kind', 'data': ['a', 'b'] }
{ 'union': 'Shape', 'base': { 'form': 'Kind' }, 'discriminator': 'form',
  'data': { 'a': 'Info', 'b': 'Info' } }
{ 'command': 'query-info', 'returns': 'Info' }
{ 'command': 'query-shape', 'returns': 'Shape' }
{ 'command': 'old-only', 'data': { 'x': 'int' }, 'returns': 'Info' }
{ 'event': 'CHANGED', 'data': { 'info': 'Info' } }
";

const NEW: &str = "\
{ 'enum': 'Algo', 'data': ['aes', 'sm4'] }
{ 'enum': 'Kind', 'data': ['a', 'c'] }
{ 'struct': 'Info', 'data': { 'name': 'str', 'size': 'int', 'alg': 'Algo',
                              'new': 'bool', 'level': 'str', 'label': 'str',
                              'kind': 'Kind', 'count': 'number' } }
{ 'union': 'Shape', 'base': { 'form': 'Kind' }, 'discriminator': 'form',
  'data': { 'a': 'Info', 'c': 'Info' } }
{ 'command': 'query-info', 'returns': 'Info' }
{ 'command': 'query-shape', 'returns': 'Shape' }
{ 'event': 'CHANGED', 'data': { 'info': 'Info' } }
";

/// The span of NEW (labelled 3.0) over OLD given as `old` (a path).
fn small_span(dir: &TempDir, old: &str) -> Schema {
    let new = dir.write("new.json", NEW);
    Builder::new(new)
        .version_label("3.0")
        .compat(format!("2.0={old}"))
        .load()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// What the span says of `Type.member`: versions, optional, type name.
fn member_facts(schema: &Schema, ty: &str, member: &str) -> (Vec<String>, bool, String) {
    let versions = schema.versions.as_ref().unwrap();
    let id = schema.lookup(ty).unwrap();
    let EntityKind::Object(object) = &schema.entity(id).kind else {
        panic!("{ty} is not an object")
    };
    let m = object.members.iter().find(|m| m.name == member).unwrap();
    let set = versions.of_member(m.defined_in, member);
    (
        versions.names(set).iter().map(|s| s.to_string()).collect(),
        m.optional,
        schema.entity(m.ty).name.clone(),
    )
}

/// The rules hold in `schema`; `wide_label` is the name of the type the
/// span gives `Info.label` (the old version's alternate).
fn check_rules(schema: &Schema, wide_label: &str) {
    let versions = schema.versions.as_ref().unwrap();
    assert_eq!(versions.labels(), ["2.0", "3.0"]);
    let both = vec!["2.0".to_string(), "3.0".to_string()];
    let old = vec!["2.0".to_string()];
    let new = vec!["3.0".to_string()];
    // Required here, optional there: optional.
    assert_eq!(
        member_facts(schema, "Info", "size"),
        (both.clone(), true, "int".into())
    );
    assert!(versions.made_optional(schema.lookup("Info").unwrap(), "size"));
    // Only in the new version: optional; only in the old: kept, optional.
    assert_eq!(
        member_facts(schema, "Info", "new"),
        (new.clone(), true, "bool".into())
    );
    assert_eq!(
        member_facts(schema, "Info", "gone"),
        (old.clone(), true, "bool".into())
    );
    // The renamed enum gains the old value.
    assert_eq!(member_facts(schema, "Info", "alg").2, "Algo");
    let algo = schema.lookup("Algo").unwrap();
    assert_eq!(versions.names(versions.of_value(algo, "des")), ["2.0"]);
    assert_eq!(versions.names(versions.of_value(algo, "sm4")), ["3.0"]);
    // int then str: raw JSON; an alternate of str then str: the alternate;
    // str then an enum: the enum; int then number: number.
    assert_eq!(member_facts(schema, "Info", "level").2, "any");
    assert!(versions
        .raw_reason(schema.lookup("Info").unwrap(), "level")
        .is_some());
    assert_eq!(member_facts(schema, "Info", "label").2, wide_label);
    assert_eq!(member_facts(schema, "Info", "kind").2, "Kind");
    assert_eq!(member_facts(schema, "Info", "count").2, "number");
    // Branches of both versions.
    let shape = schema.lookup("Shape").unwrap();
    assert_eq!(versions.names(versions.of_branch(shape, "b")), ["2.0"]);
    assert_eq!(versions.names(versions.of_branch(shape, "c")), ["3.0"]);
    // The command only the old version has, with its types.
    let old_only = schema.lookup("old-only").unwrap();
    assert_eq!(versions.names(versions.of_entity(old_only)), ["2.0"]);
    let EntityKind::Command(command) = &schema.entity(old_only).kind else {
        panic!("not a command")
    };
    assert_eq!(schema.entity(command.ret_type.unwrap()).name, "Info");
}

#[test]
fn rules_from_a_schema_file() {
    let dir = TempDir::new("span-rules-file");
    let old = dir.write("old.json", OLD);
    let schema = small_span(&dir, &old.display().to_string());
    check_rules(&schema, "StrOrNull");
    // Each unmergeable change: at the new member, both versions named.
    let warnings: Vec<String> = schema
        .warnings
        .iter()
        .map(|w| w.render(&schema.sources))
        .collect();
    let first_lines: Vec<&str> = warnings.iter().map(|w| w.lines().next().unwrap()).collect();
    let new = dir.0.join("new.json").display().to_string();
    let old = dir.0.join("old.json").display().to_string();
    assert_eq!(
        first_lines,
        [
            format!(
                "{new}:4:46: warning: 'Info' member 'level': 'int' in 2.0 (at {old}:4:47), \
                 'str' in 3.0: it takes raw JSON (any value) in these bindings"
            ),
            format!(
                "{new}:4:62: warning: 'Info' member 'label': alternate 'StrOrNull' in 2.0 \
                 (at {old}:4:63), 'str' in 3.0: it takes alternate 'StrOrNull', whose values \
                 include the other's, in these bindings"
            ),
            format!(
                "{new}:5:31: warning: 'Info' member 'kind': 'str' in 2.0 (at {old}:5:31), \
                 enum 'Kind' in 3.0: kept enum 'Kind'; what 2.0 sends outside it does not \
                 decode strictly"
            ),
        ]
    );
}

/// The same old version as QEMU's `query-qmp-schema` would show it (type
/// names masked): the same span, the old-only types named after where
/// they are used, and warnings naming the file and JSON path.
#[test]
fn rules_from_an_introspection_reply() {
    let dir = TempDir::new("span-rules-reply");
    let old = dir.write("old.json", OLD);
    let old_model = qapi_gen::load(&old).unwrap();
    let reply = qapi_gen::introspect::introspect(&old_model, &|_| true, false);
    let reply_path = dir.write(
        "reply.json",
        serde_json::json!({ "return": reply }).to_string(),
    );
    let schema = small_span(&dir, &reply_path.display().to_string());
    check_rules(&schema, "Info-label");
    let warnings: Vec<String> = schema
        .warnings
        .iter()
        .map(|w| w.render(&schema.sources))
        .collect();
    let new = dir.0.join("new.json").display().to_string();
    assert_eq!(
        warnings[0].lines().next().unwrap(),
        format!(
            "{new}:4:46: warning: 'Info' member 'level': 'int' in 2.0 ({}: return[5].members[4]), \
             'str' in 3.0: it takes raw JSON (any value) in these bindings",
            reply_path.display()
        )
    );
    assert!(
        warnings[1].contains("alternate '6' of the reply in 2.0"),
        "{}",
        warnings[1]
    );
}

/// Unrelated versions (the demo schema spanning QEMU 11.1.3's reply) still
/// generate: masked types used both as a command's arguments and as a
/// member's type get a named copy.
#[test]
fn unrelated_versions_generate() {
    let reply = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/corpus/qemu-11.1.3");
    let builder = Builder::new("schema/qapi-schema.json")
        .base_dir(common::workspace_dir())
        .compat(format!("11.1.3={}", reply.display()));
    let schema = builder.load().unwrap_or_else(|e| panic!("{e}"));
    let items = qapi_gen::rust::generate(&schema, builder.settings()).unwrap();
    syn::parse2::<syn::File>(items).expect("the span bindings parse");
}
