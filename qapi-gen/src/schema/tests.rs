//! Tests of the schema stage: one or more per semantic rule, from schema
//! text.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};

use super::*;
use crate::diag::Diagnostics;
use crate::parse::{parse_str, FileLoader};

/// Files for includes, by path.
struct Files(HashMap<PathBuf, String>);

impl FileLoader for Files {
    fn load(&self, path: &Path) -> io::Result<Vec<u8>> {
        // Include paths come unnormalized (`dir/sub/../b.json`).
        let mut normal = PathBuf::new();
        for part in path.components() {
            match part {
                std::path::Component::ParentDir => {
                    normal.pop();
                }
                part => normal.push(part),
            }
        }
        self.0
            .get(&normal)
            .map(|text| text.as_bytes().to_vec())
            .ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))
    }
}

/// Build `dir/root.json` holding `root`, with `others` (paths relative to
/// `dir`) for includes.
fn build_files(root: &str, others: &[(&str, &str)]) -> Result<Schema, Diagnostics> {
    let files = Files(
        others
            .iter()
            .map(|(name, text)| (PathBuf::from(format!("dir/{name}")), text.to_string()))
            .collect(),
    );
    let parsed = parse_str("dir/root.json", root, &files).expect("test schema parses");
    Schema::build(parsed)
}

fn build(text: &str) -> Schema {
    match build_files(text, &[]) {
        Ok(schema) => schema,
        Err(diags) => panic!("unexpected errors:\n{diags}"),
    }
}

/// The first error as QEMU prints it: `file:line: message`.
fn error(text: &str) -> String {
    let diags = match build_files(text, &[]) {
        Ok(_) => panic!("schema unexpectedly valid:\n{text}"),
        Err(diags) => diags,
    };
    let first = diags.first();
    let loc = first
        .qemu_location(&diags.sources)
        .unwrap_or_else(|| "?".to_string());
    format!("{loc}: {}", first.message)
}

/// The error's context line (`In command 'foo'`).
fn error_context(text: &str) -> Option<(String, String)> {
    let diags = build_files(text, &[]).expect_err("schema invalid");
    diags.first().context.clone().map(|c| (c.meta, c.name))
}

/// Entity names in definition order, without built-ins and their arrays.
fn user_entities(schema: &Schema) -> Vec<String> {
    schema
        .entities
        .iter()
        .filter(|e| e.span.is_some())
        .map(|e| e.name.clone())
        .collect()
}

fn object<'s>(schema: &'s Schema, name: &str) -> &'s ObjectType {
    let id = schema.lookup(name).expect("defined");
    match &schema.entity(id).kind {
        EntityKind::Object(o) => o,
        other => panic!("{name} is not an object: {other:?}"),
    }
}

fn type_name(schema: &Schema, id: TypeId) -> &str {
    &schema.entity(id).name
}

// ---- definitions and predefined types ----

#[test]
fn predefined_types_in_qemu_order() {
    let schema = build("");
    let names: Vec<&str> = schema.entities.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(&names[..4], ["str", "strList", "number", "numberList"]);
    let any = names.iter().position(|n| *n == "any").unwrap();
    let null = names.iter().position(|n| *n == "null").unwrap();
    assert!(any < null, "QEMU defines 'any' before 'null'");
    assert_eq!(&names[names.len() - 2..], ["q_empty", "QType"]);
    assert_eq!(names.len(), 15 * 2 + 2);
    let qtype = schema.entity(schema.lookup("QType").unwrap());
    let EntityKind::Enum(e) = &qtype.kind else {
        panic!("QType is an enum")
    };
    let values: Vec<&str> = e.members.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(
        values,
        ["none", "qnull", "qnum", "qstring", "qdict", "qlist", "qbool"]
    );
    assert!(schema
        .entities
        .iter()
        .all(|e| e.module == ModuleId(0) && e.span.is_none()));
    assert_eq!(schema.modules[0].name, "./builtin");
    assert_eq!(schema.modules[1].name, "root.json");
}

#[test]
fn redefinition_names_the_previous_one() {
    let text = "{ 'struct': 'Foo', 'data': { 'one': 'str' } }\n\
                { 'enum': 'Foo', 'data': [ 'two' ] }\n";
    assert_eq!(
        error(text),
        "dir/root.json:2: 'Foo' is already defined\n\
         dir/root.json: In struct 'Foo':\n\
         dir/root.json:1: previous definition"
    );
    assert_eq!(
        error_context(text),
        Some(("enum".to_string(), "Foo".to_string()))
    );
}

#[test]
fn redefinition_of_predefined_types() {
    assert_eq!(
        error("{ 'struct': 'QType', 'data': { 'myint': 'size' } }"),
        "dir/root.json:1: enum type 'QType' is already defined"
    );
    assert_eq!(
        error("{ 'command': 'int', 'data': { 'character': 'str' } }"),
        "dir/root.json:1: built-in type 'int' is already defined"
    );
}

#[test]
fn redefined_command_reuses_its_implicit_type() {
    let text = "{ 'command': 'foo', 'data': { 'one': 'str' } }\n\
                { 'command': 'foo', 'data': { '*two': 'str' } }\n";
    assert!(error(text).starts_with("dir/root.json:2: 'foo' is already defined\n"));
}

#[test]
fn implicit_types_and_arrays_come_before_their_user() {
    let schema = build(
        "{ 'struct': 'Stru', 'data': { 'a': ['int'], 'b': ['Stru'] } }\n\
         { 'command': 'cmd', 'data': { 'x': ['Tee'] }, 'returns': ['Stru'] }\n\
         { 'struct': 'Tee', 'data': {} }\n\
         { 'enum': 'Enu', 'data': ['a', 'b'] }\n\
         { 'union': 'Uni', 'base': { 'kind': 'Enu' }, 'discriminator': 'kind',\n\
           'data': { 'a': 'Stru' } }\n\
         { 'event': 'EV', 'data': { 'e': 'Enu' } }\n\
         { 'command': 'empty', 'data': {} }\n",
    );
    assert_eq!(
        user_entities(&schema),
        [
            "StruList",
            "Stru",
            "TeeList",
            "q_obj_cmd-arg",
            "cmd",
            "Tee",
            "Enu",
            "q_obj_Uni-base",
            "Uni",
            "q_obj_EV-arg",
            "EV",
            "empty"
        ]
    );
    let arg = object(&schema, "q_obj_cmd-arg");
    assert!(arg.implicit);
    assert_eq!(type_name(&schema, arg.members[0].ty), "TeeList");
    let cmd = schema.commands().find(|(e, _)| e.name == "cmd").unwrap().1;
    assert_eq!(type_name(&schema, cmd.arg_type.unwrap()), "q_obj_cmd-arg");
    assert_eq!(type_name(&schema, cmd.ret_type.unwrap()), "StruList");
    let empty = schema
        .commands()
        .find(|(e, _)| e.name == "empty")
        .unwrap()
        .1;
    assert_eq!(empty.arg_type, None);
    // Arrays of built-ins already exist; arrays of user types are
    // defined at first use, in their element's module.
    let int_list = schema.entity(schema.lookup("intList").unwrap());
    assert_eq!(int_list.span, None);
    let s_list = schema.entity(schema.lookup("StruList").unwrap());
    assert_eq!(s_list.module, ModuleId(1));
    let EntityKind::Array(a) = &s_list.kind else {
        panic!("SList is an array")
    };
    assert_eq!(type_name(&schema, a.element), "Stru");
}

#[test]
fn arrays_are_as_conditional_as_their_element() {
    let schema = build(
        "{ 'struct': 'Stru', 'data': {}, 'if': 'CONFIG_S' }\n\
         { 'struct': 'Tee', 'data': { 'a': ['Stru'] }, 'if': 'CONFIG_S' }\n",
    );
    let list = schema.entity(schema.lookup("StruList").unwrap());
    assert_eq!(list.cond, Some(Cond::Name("CONFIG_S".to_string())));
}

#[test]
fn modules_follow_includes() {
    let schema = build_files(
        "{ 'include': 'sub/a.json' }\n\
         { 'struct': 'Root', 'data': { 'a': 'Alt', 'l': ['Alt'] } }\n\
         { 'include': 'b.json' }\n",
        &[
            (
                "sub/a.json",
                "{ 'include': '../b.json' }\n{ 'struct': 'Alt', 'data': {} }\n",
            ),
            ("b.json", "{ 'enum': 'Bee', 'data': ['x'] }\n"),
        ],
    )
    .unwrap_or_else(|d| panic!("{d}"));
    let names: Vec<&str> = schema.modules.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["./builtin", "root.json", "sub/a.json", "b.json"]);
    let describe = |m: &Module| -> Vec<String> {
        m.items
            .iter()
            .map(|item| match item {
                ModuleItem::Entity(id) => schema.entity(*id).name.clone(),
                ModuleItem::Include { module, .. } => {
                    format!("include {}", schema.module(*module).name)
                }
            })
            .collect()
    };
    assert_eq!(
        describe(&schema.modules[1]),
        ["include sub/a.json", "Root", "include b.json"]
    );
    assert_eq!(
        describe(&schema.modules[2]),
        ["include b.json", "Alt", "AltList"]
    );
    assert_eq!(describe(&schema.modules[3]), ["Bee"]);
    let b = schema.entity(schema.lookup("Bee").unwrap());
    assert_eq!(b.module, ModuleId(3));
}

// ---- type resolution ----

#[test]
fn unknown_types_say_who_uses_them() {
    assert_eq!(
        error("{ 'struct': 'Stru', 'data': { 'm': 'Nope' } }"),
        "dir/root.json:1: member 'm' uses unknown type 'Nope'"
    );
    assert_eq!(
        error("{ 'struct': 'Stru', 'base': 'Nope', 'data': {} }"),
        "dir/root.json:1: 'base' uses unknown type 'Nope'"
    );
    assert_eq!(
        error("{ 'command': 'c', 'data': { 'member': 'Nope' } }"),
        "dir/root.json:1: parameter 'member' uses unknown type 'Nope'"
    );
    assert_eq!(
        error("{ 'command': 'c', 'data': { 'a': ['Nope'] } }"),
        "dir/root.json:1: command uses unknown type 'Nope'"
    );
    assert_eq!(
        error("{ 'command': 'c', 'data': 'Nope' }"),
        "dir/root.json:1: command's 'data' uses unknown type 'Nope'"
    );
    assert_eq!(
        error("{ 'command': 'c', 'returns': 'Nope' }"),
        "dir/root.json:1: command's 'returns' uses unknown type 'Nope'"
    );
    assert_eq!(
        error("{ 'event': 'EVT', 'data': 'Nope' }"),
        "dir/root.json:1: event's 'data' uses unknown type 'Nope'"
    );
    assert_eq!(
        error("{ 'alternate': 'Alt', 'data': { 'one': 'Nope' } }"),
        "dir/root.json:1: branch 'one' uses unknown type 'Nope'"
    );
    assert_eq!(
        error(
            "{ 'enum': 'Enu', 'data': ['a'] }\n\
             { 'union': 'Uni', 'base': { 'k': 'Enu', 'x': 'Nope' },\n\
               'discriminator': 'k', 'data': {} }"
        ),
        "dir/root.json:2: base member 'x' uses unknown type 'Nope'"
    );
    // Commands are not types.
    assert_eq!(
        error("{ 'command': 'c' }\n{ 'struct': 'Stru', 'data': { 'm': 'c' } }"),
        "dir/root.json:2: member 'm' uses unknown type 'c'"
    );
}

#[test]
fn unknown_type_points_at_the_type() {
    let text = "{ 'struct': 'Stru',\n  'data': { 'm': 'Nope' } }";
    let diags = build_files(text, &[]).expect_err("schema invalid");
    let first = diags.first();
    assert_eq!(diags.sources.text(first.label.unwrap()), "'Nope'");
    assert_eq!(
        first
            .context
            .as_ref()
            .map(|c| (c.meta.as_str(), c.name.as_str())),
        Some(("struct", "Stru"))
    );
}

// ---- bases ----

#[test]
fn base_must_be_a_struct() {
    assert_eq!(
        error("{ 'struct': 'Stru', 'base': 'int', 'data': {} }"),
        "dir/root.json:1: 'base' requires a struct type, built-in type 'int' isn't"
    );
    assert_eq!(
        error(
            "{ 'enum': 'Enu', 'data': ['a'] }\n\
             { 'union': 'Uni', 'base': { 'k': 'Enu' }, 'discriminator': 'k', 'data': {} }\n\
             { 'struct': 'Stru', 'base': 'Uni', 'data': {} }"
        ),
        "dir/root.json:3: 'base' requires a struct type, union type 'Uni' isn't"
    );
}

#[test]
fn base_cycles() {
    assert_eq!(
        error("{ 'struct': 'Loopy', 'base': 'Loopy', 'data': {} }"),
        "dir/root.json:1: object Loopy contains itself"
    );
    assert_eq!(
        error(
            "{ 'struct': 'Base1', 'base': 'Base2', 'data': {} }\n\
             { 'struct': 'Base2', 'base': 'Base1', 'data': {} }"
        ),
        "dir/root.json:1: object Base1 contains itself"
    );
}

#[test]
fn base_members_come_first() {
    let schema = build(
        "{ 'struct': 'Base', 'data': { 'a': 'int', '*b': 'str' } }\n\
         { 'struct': 'Mid', 'base': 'Base', 'data': { 'c': 'bool' } }\n\
         { 'struct': 'Sub', 'base': 'Mid', 'data': { 'd': 'Base' } }\n",
    );
    let sub = object(&schema, "Sub");
    let names: Vec<&str> = sub.members.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["a", "b", "c", "d"]);
    assert_eq!(sub.base_member_count, 3);
    assert_eq!(sub.local_members().len(), 1);
    assert_eq!(type_name(&schema, sub.base.unwrap()), "Mid");
    assert_eq!(type_name(&schema, sub.members[0].defined_in), "Base");
    assert_eq!(type_name(&schema, sub.members[2].defined_in), "Mid");
    assert_eq!(type_name(&schema, sub.members[3].defined_in), "Sub");
    assert!(sub.members[1].optional);
}

// ---- clashes ----

#[test]
fn members_clash_by_c_name() {
    // Names with '_' need the pragma.
    let pragma = "{ 'pragma': { 'member-name-exceptions': [ 'Oops' ] } }\n";
    assert_eq!(
        error(&format!(
            "{pragma}{{ 'struct': 'Oops', 'data': {{ 'a-b': 'str', 'a_b': 'str' }} }}"
        )),
        "dir/root.json:2: member 'a_b' collides with member 'a-b'"
    );
    assert_eq!(
        error(&format!(
            "{pragma}{{ 'enum': 'Oops', 'data': [ 'one-two', 'one_two' ] }}"
        )),
        "dir/root.json:2: value 'one_two' collides with value 'one-two'"
    );
    assert_eq!(
        error(&format!(
            "{pragma}{{ 'struct': 'Base', 'data': {{ 'a-b': 'str' }} }}\n\
             {{ 'struct': 'Oops', 'base': 'Base', 'data': {{ 'a_b': 'str' }} }}"
        )),
        "dir/root.json:3: member 'a_b' collides with member 'a-b' of type 'Base'"
    );
    assert_eq!(
        error("{ 'struct': 'Stru', 'data': {}, 'features': [ 'foo', 'foo' ] }"),
        "dir/root.json:1: feature 'foo' collides with feature 'foo'"
    );
}

#[test]
fn clashes_among_many_members() {
    // Past a dozen members, they are looked up by C name in an index.
    let pragma = "{ 'pragma': { 'member-name-exceptions': [ 'Many' ] } }\n";
    let members: Vec<String> = (0..30).map(|i| format!("'m-{i}': 'int'")).collect();
    for (at, clash) in [(3, "m_1"), (20, "m_2"), (25, "m_17")] {
        let mut data = members.clone();
        data.insert(at, format!("'{clash}': 'int'"));
        let text = format!(
            "{pragma}{{ 'struct': 'Many', 'data': {{ {} }} }}",
            data.join(", ")
        );
        let other = clash.replace('_', "-");
        assert_eq!(
            error(&text),
            format!("dir/root.json:2: member '{clash}' collides with member '{other}'")
        );
    }
}

#[test]
fn members_clash_with_base_members() {
    assert_eq!(
        error(
            "{ 'struct': 'Base', 'data': { 'name': 'str' } }\n\
             { 'struct': 'Sub', 'base': 'Base', 'data': { 'name': 'str' } }"
        ),
        "dir/root.json:2: member 'name' collides with member 'name' of type 'Base'"
    );
}

#[test]
fn branch_members_clash_with_union_members() {
    let prefix = "{ 'enum': 'Enu', 'data': [ 'value1', 'value2' ] }\n\
                  { 'struct': 'Base', 'data': { 'enum1': 'Enu', '*name': 'str' } }\n\
                  { 'struct': 'Branch1', 'data': { 'name': 'str' } }\n\
                  { 'struct': 'Branch2', 'data': { 'value': 'int' } }\n";
    assert_eq!(
        error(&format!(
            "{prefix}{{ 'union': 'Uni', 'base': 'Base', 'discriminator': 'enum1',\n\
               'data': {{ 'value1': 'Branch1', 'value2': 'Branch2' }} }}"
        )),
        "dir/root.json:5: member 'name' of type 'Branch1' collides with member 'name' of type 'Base'"
    );
    assert_eq!(
        error(&format!(
            "{prefix}{{ 'union': 'Uni', 'base': {{ 'enum1': 'Enu', 'value': 'str' }},\n\
               'discriminator': 'enum1', 'data': {{ 'value2': 'Branch2' }} }}"
        )),
        "dir/root.json:5: member 'value' of type 'Branch2' collides with base member 'value'"
    );
}

// ---- unions ----

#[test]
fn union_discriminator_rules() {
    let enums = "{ 'enum': 'Enu', 'data': ['a'] }\n";
    assert_eq!(
        error(&format!(
            "{enums}{{ 'union': 'Uni', 'base': {{ 'k': 'Enu' }}, 'discriminator': 'kk', 'data': {{}} }}"
        )),
        "dir/root.json:2: discriminator 'kk' is not a member of 'base'"
    );
    assert_eq!(
        error(&format!(
            "{enums}{{ 'union': 'Uni', 'base': {{ '*k': 'Enu' }}, 'discriminator': '*k', 'data': {{}} }}"
        )),
        "dir/root.json:2: discriminator '*k' is not a member of 'base'"
    );
    assert_eq!(
        error(&format!(
            "{enums}{{ 'struct': 'Bee', 'data': {{ 'k': 'str' }} }}\n\
             {{ 'union': 'Uni', 'base': 'Bee', 'discriminator': 'k', 'data': {{}} }}"
        )),
        "dir/root.json:3: discriminator member 'k' of base type 'Bee' must be of enum type"
    );
    assert_eq!(
        error(&format!(
            "{enums}{{ 'struct': 'Bee', 'data': {{ '*k': 'Enu' }} }}\n\
             {{ 'union': 'Uni', 'base': 'Bee', 'discriminator': 'k', 'data': {{}} }}"
        )),
        "dir/root.json:3: discriminator member 'k' of base type 'Bee' must not be optional"
    );
    assert_eq!(
        error(&format!(
            "{enums}{{ 'union': 'Uni', 'base': {{ 'k': {{ 'type': 'Enu', 'if': 'C' }} }},\n\
               'discriminator': 'k', 'data': {{}} }}"
        )),
        "dir/root.json:2: discriminator member 'k' of 'base' must not be conditional"
    );
    // An empty inline base is no base at all.
    assert_eq!(
        error(&format!(
            "{enums}{{ 'union': 'Uni', 'base': {{}}, 'discriminator': 'k', 'data': {{}} }}"
        )),
        "dir/root.json:2: discriminator 'k' is not a member of 'base'"
    );
}

#[test]
fn union_branch_rules() {
    let prefix = "{ 'enum': 'Enu', 'data': ['a', 'b'] }\n\
                  { 'struct': 'Bee', 'data': { 'k': 'Enu' } }\n";
    assert_eq!(
        error(&format!(
            "{prefix}{{ 'union': 'Uni', 'base': 'Bee', 'discriminator': 'k',\n\
               'data': {{ 'c': 'Bee' }} }}"
        )),
        "dir/root.json:3: branch 'c' is not a value of enum type 'Enu'"
    );
    assert_eq!(
        error(&format!(
            "{prefix}{{ 'union': 'Uni', 'base': 'Bee', 'discriminator': 'k',\n\
               'data': {{ 'a': 'int' }} }}"
        )),
        "dir/root.json:3: branch 'a' cannot use built-in type 'int'"
    );
    assert_eq!(
        error(&format!(
            "{prefix}{{ 'union': 'Uni', 'base': 'Bee', 'discriminator': 'k',\n\
               'data': {{ 'a': 'Nope' }} }}"
        )),
        "dir/root.json:3: branch 'a' uses unknown type 'Nope'"
    );
    assert_eq!(
        error(
            "{ 'enum': 'Empty', 'data': [] }\n\
             { 'struct': 'Bee', 'data': { 'k': 'Empty' } }\n\
             { 'union': 'Uni', 'base': 'Bee', 'discriminator': 'k', 'data': {} }"
        ),
        "dir/root.json:3: union has no branches"
    );
    assert_eq!(
        error(&format!(
            "{prefix}{{ 'union': 'Uni', 'base': 'Bee', 'discriminator': 'k',\n\
               'data': {{ 'a': 'Uni' }} }}"
        )),
        "dir/root.json:3: object Uni contains itself"
    );
}

#[test]
fn union_branches_default_to_q_empty() {
    let schema = build(
        "{ 'enum': 'Enu', 'data': ['a', { 'name': 'b', 'if': 'CB' }, 'c'] }\n\
         { 'struct': 'Stru', 'data': { 'x': 'int' } }\n\
         { 'union': 'Uni', 'base': { 'k': 'Enu', '*o': 'str' }, 'discriminator': 'k',\n\
           'data': { 'c': 'Stru' } }\n",
    );
    let union = object(&schema, "Uni");
    assert_eq!(type_name(&schema, union.base.unwrap()), "q_obj_Uni-base");
    assert_eq!(union.base_member_count, 2);
    let variants = union.variants.as_ref().unwrap();
    assert_eq!(variants.tag, "k");
    assert_eq!(type_name(&schema, variants.tag_type.unwrap()), "Enu");
    let cases: Vec<(&str, &str)> = variants
        .variants
        .iter()
        .map(|v| (v.name.as_str(), type_name(&schema, v.ty)))
        .collect();
    assert_eq!(cases, [("c", "Stru"), ("a", "q_empty"), ("b", "q_empty")]);
    assert_eq!(
        variants.variants[2].cond,
        Some(Cond::Name("CB".to_string()))
    );
    assert_eq!(
        type_name(&schema, union.members[0].defined_in),
        "q_obj_Uni-base"
    );
}

#[test]
fn base_member_clash_inside_a_branch_union() {
    assert_eq!(
        error(
            "{ 'enum': 'TestEnum', 'data': [ 'value-a', 'value-b' ] }\n\
             { 'enum': 'TestEnumA', 'data': [ 'value-a1' ] }\n\
             { 'struct': 'AltOne', 'data': { 'integer': 'int' } }\n\
             { 'union': 'TestTypeA', 'base': { 'type': 'TestEnumA' },\n\
               'discriminator': 'type', 'data': { 'value-a1': 'AltOne' } }\n\
             { 'union': 'TestUnion', 'base': { 'type': 'TestEnum' },\n\
               'discriminator': 'type', 'data': { 'value-a': 'TestTypeA' } }"
        ),
        "dir/root.json:6: base member 'type' of type 'TestTypeA' collides with base member 'type'"
    );
}

// ---- alternates ----

#[test]
fn alternate_branch_types() {
    assert_eq!(
        error("{ 'alternate': 'Alt', 'data': { 'one': 'any' } }"),
        "dir/root.json:1: branch 'one' cannot use built-in type 'any'"
    );
    assert_eq!(
        error(
            "{ 'alternate': 'AltOne', 'data': { 'one': 'int' } }\n\
             { 'alternate': 'AltTwo', 'data': { 'nested': 'AltOne' } }"
        ),
        "dir/root.json:2: branch 'nested' cannot use alternate type 'AltOne'"
    );
}

#[test]
fn alternate_branches_must_be_distinguishable() {
    let conflict = |data: &str, prefix: &str| {
        error(&format!("{prefix}{{ 'alternate': 'Alt', 'data': {data} }}"))
            .rsplit(": ")
            .next()
            .unwrap()
            .to_string()
    };
    let expected = "branch 'two' can't be distinguished from 'one'";
    assert_eq!(conflict("{ 'one': 'str', 'two': 'bool' }", ""), expected);
    assert_eq!(conflict("{ 'one': 'number', 'two': 'int' }", ""), expected);
    assert_eq!(conflict("{ 'one': 'int', 'two': 'str' }", ""), expected);
    assert_eq!(conflict("{ 'one': ['int'], 'two': ['str'] }", ""), expected);
    let on_off = "{ 'enum': 'Enu', 'data': [ 'on', 'off' ] }\n";
    assert_eq!(
        conflict("{ 'one': 'Enu', 'two': 'bool' }", on_off),
        expected
    );
    let digits = "{ 'enum': 'Enu', 'data': [ '1', '2' ] }\n";
    assert_eq!(conflict("{ 'one': 'Enu', 'two': 'int' }", digits), expected);
    let structs = "{ 'struct': 'StruOne', 'data': {} }\n{ 'struct': 'StruTwo', 'data': {} }\n";
    assert_eq!(
        conflict("{ 'one': 'StruOne', 'two': 'StruTwo' }", structs),
        expected
    );
    // An enum without such values can live with numbers and booleans.
    let plain = "{ 'enum': 'Enu', 'data': [ 'x' ] }\n";
    build(&format!(
        "{plain}{{ 'alternate': 'Alt', 'data': {{ 'e': 'Enu', 'n': 'int', 'b': 'bool', 'z': 'null' }} }}"
    ));
}

#[test]
fn alternate_has_an_implicit_qtype_tag() {
    let schema = build(
        "{ 'struct': 'Stru', 'data': {} }\n\
         { 'alternate': 'Alt', 'data': { 's': 'Stru', 'i': 'int' } }\n",
    );
    let alt = schema.entity(schema.lookup("Alt").unwrap());
    let EntityKind::Alternate(alt) = &alt.kind else {
        panic!("A is an alternate")
    };
    assert_eq!(alt.variants.tag, "type");
    assert_eq!(type_name(&schema, alt.variants.tag_type.unwrap()), "QType");
    let names: Vec<&str> = alt
        .variants
        .variants
        .iter()
        .map(|v| type_name(&schema, v.ty))
        .collect();
    assert_eq!(names, ["Stru", "int"]);
}

// ---- commands and events ----

#[test]
fn command_data_rules() {
    assert_eq!(
        error("{ 'command': 'c', 'data': 'int', 'boxed': true }"),
        "dir/root.json:1: command's 'data' cannot take built-in type 'int'"
    );
    assert_eq!(
        error(
            "{ 'alternate': 'Alt', 'data': { 'a': 'int' } }\n\
             { 'command': 'c', 'data': 'Alt' }"
        ),
        "dir/root.json:2: command's 'data' cannot take alternate type 'Alt'"
    );
    let union = "{ 'enum': 'Enu', 'data': ['a'] }\n\
                 { 'union': 'Uni', 'base': { 'k': 'Enu' }, 'discriminator': 'k', 'data': {} }\n";
    assert_eq!(
        error(&format!("{union}{{ 'command': 'c', 'data': 'Uni' }}")),
        "dir/root.json:3: command's 'data' can take union type 'Uni' only with 'boxed': true"
    );
    build(&format!(
        "{union}{{ 'command': 'c', 'data': 'Uni', 'boxed': true }}"
    ));
    assert_eq!(
        error(
            "{ 'command': 'c',\n  'data': { 'foo': 'int',\n\
               'bar': { 'type': 'str', 'if': 'C' } } }"
        ),
        "dir/root.json:1: conditional command arguments require 'boxed': true"
    );
    assert_eq!(
        error(
            "{ 'struct': 'Stru', 'data': { 'bar': { 'type': 'str', 'if': 'C' } } }\n\
             { 'command': 'c', 'data': 'Stru' }"
        ),
        "dir/root.json:2: conditional command arguments require 'boxed': true"
    );
    build(
        "{ 'struct': 'Stru', 'data': { 'bar': { 'type': 'str', 'if': 'C' } } }\n\
         { 'command': 'c', 'data': 'Stru', 'boxed': true }",
    );
}

#[test]
fn event_data_rules() {
    assert_eq!(
        error("{ 'event': 'EVT', 'data': 'str', 'boxed': true }"),
        "dir/root.json:1: event's 'data' cannot take built-in type 'str'"
    );
    let union = "{ 'enum': 'En', 'data': ['a'] }\n\
                 { 'union': 'Uni', 'base': { 'k': 'En' }, 'discriminator': 'k', 'data': {} }\n";
    assert_eq!(
        error(&format!("{union}{{ 'event': 'EV', 'data': 'Uni' }}")),
        "dir/root.json:3: event's 'data' can take union type 'Uni' only with 'boxed': true"
    );
    assert_eq!(
        error("{ 'event': 'EV', 'data': { 'bar': { 'type': 'str', 'if': 'C' } } }"),
        "dir/root.json:1: conditional event arguments require 'boxed': true"
    );
}

#[test]
fn command_returns_rules() {
    assert_eq!(
        error("{ 'command': 'c', 'returns': 'int' }"),
        "dir/root.json:1: command's 'returns' cannot take built-in type 'int'"
    );
    assert_eq!(
        error("{ 'command': 'c', 'returns': ['int'] }"),
        "dir/root.json:1: command's 'returns' cannot take array type ['int']"
    );
    assert_eq!(
        error(
            "{ 'alternate': 'Alt', 'data': { 'a': 'int' } }\n\
             { 'command': 'c', 'returns': 'Alt' }"
        ),
        "dir/root.json:2: command's 'returns' cannot take alternate type 'Alt'"
    );
    build("{ 'struct': 'Stru', 'data': {} }\n{ 'command': 'c', 'returns': ['Stru'] }");
    build(
        "{ 'pragma': { 'command-returns-exceptions': [ 'c' ] } }\n\
         { 'command': 'c', 'returns': ['int'] }",
    );
}

// ---- features ----

#[test]
fn special_features_are_not_for_types() {
    assert_eq!(
        error("{ 'struct': 'Foo', 'data': {}, 'features': [ 'deprecated' ] }"),
        "dir/root.json:1: feature 'deprecated' is not supported for types"
    );
    build("{ 'command': 'c', 'features': [ 'deprecated', 'unstable' ] }");
    build("{ 'struct': 'Stru', 'data': { 'm': { 'type': 'int', 'features': [ 'deprecated' ] } } }");
}

#[test]
fn at_most_64_feature_names() {
    let names = |n: usize| {
        (0..n)
            .map(|i| format!("'f{i:02x}'"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    // Two special names are always there: 62 more fit.
    build(&format!(
        "{{ 'command': 'c', 'features': [ {} ] }}",
        names(62)
    ));
    let text = format!(
        "{{ 'command': 'ok', 'features': [ 'f00' ] }}\n\
         {{ 'command': 'go-fish',\n  'features': [ {} ] }}",
        names(63)
    );
    assert_eq!(
        error(&text),
        "dir/root.json:2: Maximum of 64 schema features is permitted"
    );
    assert_eq!(
        error_context(&text),
        Some(("command".to_string(), "go-fish".to_string()))
    );
}

#[test]
fn features_and_conditions_are_carried() {
    let schema = build(
        "{ 'enum': 'Enu', 'data': [ { 'name': 'v', 'if': 'CV', 'features': [ 'fv' ] } ],\n\
           'features': [ { 'name': 'fe', 'if': { 'not': 'X' } } ], 'if': 'CE' }\n\
         { 'struct': 'Stru', 'data': { 'm': { 'type': 'Enu', 'features': [ 'fm' ] } } }\n",
    );
    let e = schema.entity(schema.lookup("Enu").unwrap());
    assert_eq!(e.cond, Some(Cond::Name("CE".to_string())));
    assert_eq!(e.features[0].name, "fe");
    assert_eq!(
        e.features[0].cond,
        Some(Cond::Not(Box::new(Cond::Name("X".to_string()))))
    );
    let EntityKind::Enum(en) = &e.kind else {
        panic!("E is an enum")
    };
    assert_eq!(en.members[0].cond, Some(Cond::Name("CV".to_string())));
    assert_eq!(en.members[0].features[0].name, "fv");
    let s = object(&schema, "Stru");
    assert_eq!(s.members[0].features[0].name, "fm");
}

// ---- limits ----

#[test]
fn shared_nested_union_branches_are_checked_quickly() {
    // Each union's two branches are the next union: QEMU's clash check
    // would walk 2^40 paths.
    let levels = 40;
    let mut text = String::from(
        "{ 'enum': 'Kind', 'data': [ 'a', 'b' ] }\n{ 'struct': 'Leaf', 'data': { 'x': 'int' } }\n",
    );
    for level in 0..levels {
        let next = if level + 1 == levels {
            "Leaf".to_string()
        } else {
            format!("Uni{}", level + 1)
        };
        text.push_str(&format!(
            "{{ 'union': 'Uni{level}', 'base': {{ 'k{level}': 'Kind' }},\n\
               'discriminator': 'k{level}', 'data': {{ 'a': '{next}', 'b': '{next}' }} }}\n"
        ));
    }
    let started = std::time::Instant::now();
    build(&text);
    // A clash at the bottom is still found, and reported as QEMU would:
    // by the union the clashing member belongs to (line 9).
    let clash = text.replace("'x': 'int'", "'k3': 'int'");
    assert_eq!(
        error(&clash),
        "dir/root.json:9: member 'k3' of type 'Leaf' collides with base member 'k3'"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}

#[test]
fn deep_base_chains_are_an_error_not_a_crash() {
    let chain = |n: usize| {
        let mut text = String::new();
        for i in 0..n {
            let base = if i + 1 < n {
                format!(", 'base': 'Chain{}'", i + 1)
            } else {
                String::new()
            };
            text.push_str(&format!(
                "{{ 'struct': 'Chain{i}'{base}, 'data': {{ 'm{i}': 'int' }} }}\n"
            ));
        }
        text
    };
    build(&chain(150));
    assert_eq!(
        error(&chain(1000)),
        "dir/root.json:202: types nest deeper than 200 levels"
    );
}

// ---- documentation ----

#[test]
fn undocumented_members_and_features() {
    assert_eq!(
        error(
            "##\n# @Stru:\n#\n# @a: documented\n##\n\
             { 'struct': 'Stru', 'data': { 'a': 'int', 'b': 'int' } }"
        ),
        "dir/root.json:6: member 'b' lacks documentation"
    );
    assert_eq!(
        error_context(
            "##\n# @Stru:\n#\n# @a: documented\n##\n\
             { 'struct': 'Stru', 'data': { 'a': 'int', 'b': 'int' } }"
        ),
        Some(("struct".to_string(), "Stru".to_string()))
    );
    assert_eq!(
        error("##\n# @Enu:\n##\n{ 'enum': 'Enu', 'data': [ 'v' ] }"),
        "dir/root.json:4: value 'v' lacks documentation"
    );
    assert_eq!(
        error("##\n# @Alt:\n##\n{ 'alternate': 'Alt', 'data': { 'i': 'int' } }"),
        "dir/root.json:4: branch 'i' lacks documentation"
    );
    assert_eq!(
        error(
            "##\n# @foo:\n#\n# Features:\n#\n# @doc: documented\n##\n\
             { 'command': 'foo', 'features': [ 'undoc', 'doc' ] }"
        ),
        "dir/root.json:8: feature 'undoc' lacks documentation"
    );
}

#[test]
fn documentation_exceptions_pragma() {
    build(
        "{ 'pragma': { 'documentation-exceptions': [ 'Stru' ] } }\n\
         ##\n# @Stru:\n##\n\
         { 'struct': 'Stru', 'data': { 'a': 'int' } }",
    );
}

#[test]
fn implicit_arguments_and_bases_are_documented_by_their_definition() {
    let schema = build(
        "##\n# @Enu:\n#\n# @x: x\n##\n{ 'enum': 'Enu', 'data': [ 'x' ] }\n\
         ##\n# @Uni:\n#\n# @k: the kind\n##\n\
         { 'union': 'Uni', 'base': { 'k': 'Enu' }, 'discriminator': 'k', 'data': {} }\n\
         ##\n# @cmd:\n#\n# @arg: an argument\n##\n\
         { 'command': 'cmd', 'data': { 'arg': 'int' } }\n",
    );
    let cmd = schema.entity(schema.lookup("cmd").unwrap());
    let doc = schema.doc(cmd.doc.unwrap());
    assert!(doc.args().all(|s| s.connected));
    let union = schema.entity(schema.lookup("Uni").unwrap());
    assert!(schema.doc(union.doc.unwrap()).args().all(|s| s.connected));
    assert_eq!(
        error(
            "##\n# @cmd:\n#\n# @a: an argument\n##\n\
             { 'command': 'cmd', 'data': { 'b': 'int' } }"
        ),
        "dir/root.json:6: member 'b' lacks documentation"
    );
}

#[test]
fn documented_members_must_exist() {
    assert_eq!(
        error(
            "##\n# @Stru:\n#\n# @a: documented\n# @b: also\n##\n\
             { 'struct': 'Stru', 'data': { 'b': 'int' } }"
        ),
        "dir/root.json:4: documented member 'a' does not exist"
    );
    // A boxed command's arguments are documented with their type.
    assert_eq!(
        error(
            "##\n# @Stru:\n#\n# @a: documented\n##\n\
             { 'struct': 'Stru', 'data': { 'a': 'int' } }\n\
             ##\n# @cmd:\n#\n# @a: documented\n##\n\
             { 'command': 'cmd', 'data': 'Stru', 'boxed': true }"
        ),
        "dir/root.json:10: documented member 'a' does not exist"
    );
}

// ---- c_name ----

#[test]
fn c_names() {
    assert_eq!(c_name("a-b.c"), "a_b_c");
    assert_eq!(c_name("if"), "q_if");
    assert_eq!(c_name("unix"), "q_unix");
    assert_eq!(c_name("1x"), "q_1x");
    assert_eq!(c_name("__a.b_c"), "__a_b_c");
    assert_eq!(c_name(""), "");
    assert_eq!(c_name("_Bool"), "q__Bool");
    assert_eq!(c_name("not-eq"), "q_not_eq");
}

#[test]
fn reserved_words() {
    for word in [
        "auto",
        "while",
        "_Bool",
        "_Thread_local",
        "xor_eq",
        "i386",
        "linux",
    ] {
        assert!(is_reserved(word), "{word}");
    }
    for word in ["", "Auto", "autos", "_bool", "x"] {
        assert!(!is_reserved(word), "{word}");
    }
}
