use std::io;
use std::path::Path;

use super::ast::*;
use super::check;
use crate::diag::Diagnostic;
use crate::parse::{parse_str, FileLoader, NoFiles, ParsedSchema};

fn parse(text: &str) -> ParsedSchema {
    parse_str("t.json", text, &NoFiles).unwrap_or_else(|d| panic!("parse failed: {d}"))
}

/// The definitions borrow from the parsed schema, which a test keeps to
/// its end.
fn checked(text: &str) -> Vec<Item<'static>> {
    let parsed: &'static ParsedSchema = Box::leak(Box::new(parse(text)));
    check(parsed).unwrap_or_else(|errors| {
        panic!(
            "check failed: {}",
            errors
                .iter()
                .map(|e| e.render(&parsed.sources))
                .collect::<String>()
        )
    })
}

fn definitions(text: &str) -> Vec<Definition<'static>> {
    checked(text)
        .into_iter()
        .filter_map(|item| match item {
            Item::Definition(def) => Some(def),
            Item::Include(_) => None,
        })
        .collect()
}

fn definition(text: &str) -> Definition<'static> {
    let mut defs = definitions(text);
    assert_eq!(defs.len(), 1);
    defs.remove(0)
}

fn errors(text: &str) -> Vec<Diagnostic> {
    match check(&parse(text)) {
        Ok(items) => panic!("check succeeded: {items:?}"),
        Err(errors) => errors,
    }
}

/// The message of the only error of `text`.
fn error(text: &str) -> String {
    let errors = errors(text);
    assert_eq!(errors.len(), 1, "{errors:?}");
    errors[0].message.clone()
}

fn name(name: &str) -> String {
    name.to_string()
}

// Positive cases: normalization.

#[test]
fn struct_members_short_and_long_forms() {
    let def = definition(
        "{ 'struct': 'Foo', 'base': 'Base',
           'data': { 'a': 'int', '*b': ['str'],
                     'c': { 'type': 'Bar', 'if': 'CONFIG_C',
                            'features': [ 'f1', { 'name': 'f2', 'if': 'F2' } ] } },
           'if': { 'all': [ 'A', { 'not': 'B' } ] },
           'features': [ 'deprecated' ] }",
    );
    assert_eq!(def.meta, Meta::Struct);
    assert_eq!(def.name.name, "Foo");
    assert_eq!(
        def.cond,
        Some(Cond::All(vec![
            Cond::Name(name("A")),
            Cond::Not(Box::new(Cond::Name(name("B"))))
        ]))
    );
    assert_eq!(def.features.len(), 1);
    assert_eq!(def.features[0].name.name, "deprecated");
    let DefBody::Struct { base, members } = def.body else {
        panic!("not a struct")
    };
    assert_eq!(base.map(|b| b.name), Some("Base"));
    assert_eq!(members.len(), 3);
    let (a, b, c) = (&members[0], &members[1], &members[2]);
    assert_eq!((a.name.name, a.optional), ("a", false));
    assert_eq!((a.ty.name, a.ty.array), ("int", false));
    assert_eq!((b.name.name, b.optional), ("b", true));
    assert_eq!((b.ty.name, b.ty.array), ("str", true));
    assert_eq!(c.ty.name, "Bar");
    assert_eq!(c.cond, Some(Cond::Name(name("CONFIG_C"))));
    let features: Vec<_> = c
        .features
        .iter()
        .map(|f| (f.name.name, f.cond.clone()))
        .collect();
    assert_eq!(
        features,
        [("f1", None), ("f2", Some(Cond::Name(name("F2"))))]
    );
}

#[test]
fn spans_point_at_the_text() {
    let text = "{ 'struct': 'Foo', 'data': { '*a': ['int'] } }";
    let parsed = parse(text);
    let items = check(&parsed).expect("valid");
    let Item::Definition(def) = &items[0] else {
        panic!("not a definition")
    };
    let src = &parsed.sources;
    assert_eq!(src.text(def.span), text);
    assert_eq!(src.text(def.name.span), "'Foo'");
    let DefBody::Struct { members, .. } = &def.body else {
        panic!("not a struct")
    };
    assert_eq!(src.text(members[0].name.span), "'*a'");
    assert_eq!(src.text(members[0].ty.span), "['int']");
}

#[test]
fn enum_values_and_prefix() {
    let def = definition(
        "{ 'enum': 'Color', 'prefix': 'COL',
           'data': [ 'red', { 'name': 'green', 'if': { 'any': [ 'G', 'H' ] },
                             'features': [ 'unstable' ] },
                     '1st' ] }",
    );
    let DefBody::Enum { values, prefix } = def.body else {
        panic!("not an enum")
    };
    assert_eq!(prefix.as_deref(), Some("COL"));
    let names: Vec<_> = values.iter().map(|v| v.name.name).collect();
    assert_eq!(names, ["red", "green", "1st"]);
    assert_eq!(
        values[1].cond,
        Some(Cond::Any(vec![
            Cond::Name(name("G")),
            Cond::Name(name("H"))
        ]))
    );
    assert_eq!(values[1].features[0].name.name, "unstable");
}

#[test]
fn command_inline_data_returns_and_flags() {
    let def = definition(
        "{ 'command': 'do-it', 'data': { 'x': 'int' }, 'returns': ['Out'],
           'success-response': false, 'gen': false, 'allow-oob': true,
           'allow-preconfig': true }",
    );
    let DefBody::Command {
        data,
        boxed,
        returns,
        gen,
        success_response,
        allow_oob,
        allow_preconfig,
        coroutine,
    } = def.body
    else {
        panic!("not a command")
    };
    let Some(MembersRef::Inline { members, .. }) = data else {
        panic!("data not inline")
    };
    assert_eq!(members[0].name.name, "x");
    let returns = returns.expect("returns");
    assert_eq!((returns.name, returns.array), ("Out", true));
    assert!(!boxed && !gen && !success_response && allow_oob && allow_preconfig && !coroutine);
}

#[test]
fn command_defaults_and_boxed() {
    let def = definition("{ 'command': 'x-go' }");
    let DefBody::Command {
        data,
        boxed,
        returns,
        gen,
        success_response,
        allow_oob,
        coroutine,
        ..
    } = def.body
    else {
        panic!("not a command")
    };
    assert!(data.is_none() && returns.is_none());
    assert!(!boxed && gen && success_response && !allow_oob && !coroutine);

    let def = definition("{ 'command': 'go', 'data': 'Args', 'boxed': true, 'coroutine': true }");
    let DefBody::Command {
        data,
        boxed,
        coroutine,
        ..
    } = def.body
    else {
        panic!("not a command")
    };
    assert!(boxed && coroutine);
    assert!(matches!(data, Some(MembersRef::Named(t)) if t.name == "Args"));
}

#[test]
fn union_and_alternate() {
    let defs = definitions(
        "{ 'union': 'Uni', 'base': { 'kind': 'Kind', '*extra': 'str' },
           'discriminator': 'kind',
           'data': { 'one': 'One', 'two': { 'type': 'Two', 'if': 'T' } } }
         { 'alternate': 'Alt', 'data': { 'n': 'int', 'l': ['str'] } }
         { 'union': 'Vni', 'base': 'B', 'discriminator': 'k', 'data': {} }",
    );
    let DefBody::Union {
        base,
        discriminator,
        branches,
    } = &defs[0].body
    else {
        panic!("not a union")
    };
    let MembersRef::Inline { members, .. } = base else {
        panic!("base not inline")
    };
    assert_eq!(members.len(), 2);
    assert!(members[1].optional);
    assert_eq!(discriminator.name, "kind");
    assert_eq!(branches[0].ty.name, "One");
    assert_eq!(branches[1].cond, Some(Cond::Name(name("T"))));
    let DefBody::Alternate { branches } = &defs[1].body else {
        panic!("not an alternate")
    };
    assert!(!branches[0].ty.array && branches[1].ty.array);
    let DefBody::Union { base, .. } = &defs[2].body else {
        panic!("not a union")
    };
    assert!(matches!(base, MembersRef::Named(t) if t.name == "B"));
}

#[test]
fn event_data() {
    let defs = definitions(
        "{ 'event': 'EV_ONE', 'data': { 'a': 'int' } }
         { 'event': 'EV_TWO', 'data': 'Data', 'boxed': true }
         { 'event': 'EV_THREE', 'data': 'Data' }",
    );
    assert!(matches!(
        &defs[0].body,
        DefBody::Event {
            data: Some(MembersRef::Inline { .. }),
            boxed: false
        }
    ));
    assert!(matches!(
        &defs[1].body,
        DefBody::Event {
            data: Some(MembersRef::Named(_)),
            boxed: true
        }
    ));
    assert!(matches!(
        &defs[2].body,
        DefBody::Event {
            data: Some(MembersRef::Named(_)),
            boxed: false
        }
    ));
}

#[test]
fn naming_exceptions_from_pragmas() {
    definitions(
        "{ 'pragma': { 'command-name-exceptions': [ 'do_it' ],
                       'member-name-exceptions': [ 'Foo', 'Color', 'Uni' ] } }
         { 'command': 'do_it' }
         { 'struct': 'Foo', 'data': { 'Camel_case': 'int' } }
         { 'enum': 'Color', 'data': [ 'RED_ONE' ] }
         { 'union': 'Uni', 'base': { 'Kind_': 'K' }, 'discriminator': 'Kind_',
           'data': {} }",
    );
}

#[test]
fn downstream_and_experimental_names() {
    definitions(
        "{ 'struct': '__org.qemu_Foo', 'data': { '__org.qemu_x-member': 'int' } }
         { 'command': '__com.example_x-cmd' }
         { 'event': '__org.qemu_EVENT' }",
    );
}

struct Files(&'static [(&'static str, &'static str)]);

impl FileLoader for Files {
    fn load(&self, path: &Path) -> io::Result<Vec<u8>> {
        self.0
            .iter()
            .find(|(name, _)| Path::new(name) == path)
            .map(|(_, text)| text.as_bytes().to_vec())
            .ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))
    }
}

#[test]
fn includes_keep_their_place() {
    let parsed = parse_str(
        "t.json",
        "{ 'include': 'sub.json' }\n{ 'struct': 'Foo', 'data': {} }\n",
        &Files(&[("sub.json", "{ 'enum': 'Enm', 'data': [] }\n")]),
    )
    .expect("parses");
    let items = check(&parsed).expect("valid");
    assert!(matches!(items[0], Item::Include(0)));
    assert!(matches!(&items[1], Item::Definition(d) if d.name.name == "Enm"));
    assert!(matches!(&items[2], Item::Definition(d) if d.name.name == "Foo"));
}

// Errors: location, context, collection.

#[test]
fn errors_are_located_at_the_definition_with_context() {
    let text = "{ 'struct': 'Foo',\n  'data': { 'a': 'int',\n            'b_c': 'str' } }\n";
    let parsed = parse(text);
    let errors = check(&parsed).expect_err("invalid");
    let diag = &errors[0];
    assert_eq!(
        diag.message,
        "name of 'data' member 'b_c' must not use uppercase or '_'"
    );
    assert_eq!(
        diag.qemu_location(&parsed.sources).as_deref(),
        Some("t.json:1")
    );
    let context = diag.context.as_ref().expect("in a definition");
    assert_eq!(
        (context.meta.as_str(), context.name.as_str()),
        ("struct", "Foo")
    );
    assert_eq!(parsed.sources.text(diag.label.expect("label")), "'b_c'");
}

#[test]
fn errors_before_the_name_have_no_context() {
    let errors = errors("{ 'struct': ['Foo'], 'data': {} }");
    assert_eq!(errors[0].message, "'struct' requires a string name");
    assert!(errors[0].context.is_none());
    // QEMU prints no context for a definition named ''.
    let unnamed = self::errors("{ 'struct': '', 'data': {} }");
    assert_eq!(unnamed[0].message, "struct has an invalid name");
    assert!(unnamed[0].context.is_none());
}

#[test]
fn all_errors_are_collected_in_order() {
    let text = "{ 'struct': 'foo', 'data': {} }\n\
                { 'struct': 'Good', 'data': {} }\n\
                { 'command': 'Bad_' }\n";
    let parsed = parse(text);
    let errors = check(&parsed).expect_err("invalid");
    let lines: Vec<_> = errors
        .iter()
        .map(|e| e.qemu_location(&parsed.sources).unwrap_or_default())
        .collect();
    assert_eq!(lines, ["t.json:1", "t.json:3"]);
}

// One case per message of expr.py.

#[test]
fn metatype_errors() {
    let msg = "expression must have exactly one key 'enum', 'struct', 'union', \
               'alternate', 'command', 'event'";
    assert_eq!(error("{ 'foo': 'bar' }"), msg);
    assert_eq!(
        error("{ 'enum': 'Enm', 'struct': 'Stru', 'data': [] }"),
        msg
    );
    assert_eq!(
        error("{ 'command': true }"),
        "'command' requires a string name"
    );
}

#[test]
fn definition_name_errors() {
    assert_eq!(
        error("{ 'struct': 'a b', 'data': {} }"),
        "struct has an invalid name"
    );
    assert_eq!(
        error("{ 'command': 'q-cmd' }"),
        "command has an invalid name"
    );
    assert_eq!(
        error("{ 'struct': 'foo', 'data': {} }"),
        "name of struct must use CamelCase"
    );
    assert_eq!(
        error("{ 'enum': 'FOO', 'data': [] }"),
        "name of enum must use CamelCase"
    );
    assert_eq!(
        error("{ 'event': 'Foo' }"),
        "name of event must not use lowercase or '-'"
    );
    assert_eq!(
        error("{ 'command': 'do_it' }"),
        "name of command must not use uppercase or '_'"
    );
    assert_eq!(
        error("{ 'command': 'doIt' }"),
        "name of command must not use uppercase or '_'"
    );
    assert_eq!(
        error("{ 'struct': 'FooList', 'data': {} }"),
        "struct name should not end in 'List'"
    );
    // 'Kind' suffixes are no longer reserved.
    definition("{ 'enum': 'FooKind', 'data': [] }");
}

#[test]
fn doc_errors() {
    assert_eq!(
        error("##\n# @food:\n##\n{ 'command': 'foo' }\n"),
        "documentation comment is for 'food'"
    );
    assert_eq!(
        error("{ 'pragma': { 'doc-required': true } }\n{ 'command': 'foo' }\n"),
        "documentation comment required"
    );
    definition("{ 'pragma': { 'doc-required': true } }\n##\n# @foo:\n##\n{ 'command': 'foo' }\n");
}

#[test]
fn key_errors() {
    assert_eq!(error("{ 'enum': 'Enm' }"), "enum misses key 'data'");
    assert_eq!(
        error("{ 'union': 'Uni', 'data': {} }"),
        "union misses keys 'base', 'discriminator'"
    );
    assert_eq!(
        error("{ 'struct': 'Stru', 'data': {}, 'phony': 'x', 'bogus': true }"),
        "struct has unknown keys 'bogus', 'phony'\n\
         Valid keys are 'base', 'data', 'features', 'if', 'struct'."
    );
    assert_eq!(
        error("{ 'alternate': 'Alt', 'base': 'B', 'data': { 'a': 'int' } }"),
        "alternate has unknown key 'base'\nValid keys are 'alternate', 'data', 'features', 'if'."
    );
}

#[test]
fn enum_errors() {
    assert_eq!(
        error("{ 'enum': 'Enm', 'data': {} }"),
        "'data' must be an array"
    );
    assert_eq!(
        error("{ 'enum': 'Enm', 'data': [], 'prefix': ['P'] }"),
        "'prefix' must be a string"
    );
    assert_eq!(
        error("{ 'enum': 'Enm', 'data': [ ['a'] ] }"),
        "'data' member requires a string name"
    );
    assert_eq!(
        error("{ 'enum': 'Enm', 'data': [ { 'if': 'X' } ] }"),
        "'data' member misses key 'name'"
    );
    assert_eq!(
        error("{ 'enum': 'Enm', 'data': [ { 'name': 'a', 'bad-key': 'x' } ] }"),
        "'data' member has unknown key 'bad-key'\nValid keys are 'features', 'if', 'name'."
    );
    assert_eq!(
        error("{ 'enum': 'Enm', 'data': [ 'Value' ] }"),
        "name of 'data' member 'Value' must not use uppercase or '_'"
    );
    assert_eq!(
        error("{ 'enum': 'Enm', 'data': [ '_oops' ] }"),
        "'data' member '_oops' has an invalid name"
    );
    assert_eq!(
        error("{ 'enum': 'Enm', 'data': [ '' ] }"),
        "'data' member '' has an invalid name"
    );
}

#[test]
fn member_errors() {
    assert_eq!(
        error("{ 'struct': 'Stru', 'data': { '*u': 'int' } }"),
        "'data' member '*u' uses reserved name"
    );
    assert_eq!(
        error("{ 'command': 'c', 'data': { 'has-a': 'int' } }"),
        "'data' member 'has-a' uses reserved name"
    );
    assert_eq!(
        error("{ 'struct': 'Stru', 'data': { 'q-unix': 'int' } }"),
        "'data' member 'q-unix' has an invalid name"
    );
    assert_eq!(
        error("{ 'struct': 'Stru', 'data': { '*a': { 'if': 'X' } } }"),
        "'data' member '*a' misses key 'type'"
    );
    assert_eq!(
        error("{ 'struct': 'Stru', 'data': { 'a': { 'type': 'int', 'x': 'y' } } }"),
        "'data' member 'a' has unknown key 'x'\nValid keys are 'features', 'if', 'type'."
    );
    assert_eq!(
        error("{ 'struct': 'Stru', 'data': { 'a': { 'type': { 'b': 'int' } } } }"),
        "'data' member 'a' should be a type name or array"
    );
    assert_eq!(
        error("{ 'struct': 'Stru', 'data': { 'a': [] } }"),
        "'data' member 'a': array type must contain single type name"
    );
    assert_eq!(
        error("{ 'struct': 'Stru', 'data': { 'a': [ 'int', 'str' ] } }"),
        "'data' member 'a': array type must contain single type name"
    );
}

#[test]
fn type_errors() {
    assert_eq!(
        error("{ 'struct': 'Stru', 'data': 'T' }"),
        "'data' should be an object or type name"
    );
    assert_eq!(
        error("{ 'command': 'c', 'data': [ 'int' ] }"),
        "'data' should be an object or type name"
    );
    assert_eq!(
        error("{ 'struct': 'Stru', 'data': {}, 'base': { 'a': 'int' } }"),
        "'base' should be a type name"
    );
    assert_eq!(
        error("{ 'command': 'c', 'returns': { 'a': 'int' } }"),
        "'returns' should be a type name or array"
    );
    assert_eq!(
        error("{ 'command': 'c', 'returns': [ ['int'] ] }"),
        "'returns': array type must contain single type name"
    );
    assert_eq!(
        error("{ 'command': 'c', 'data': { 'a': 'int' }, 'boxed': true }"),
        "'data' should be a type name"
    );
    assert_eq!(
        error("{ 'event': 'E', 'boxed': true }"),
        "'boxed': true requires 'data'"
    );
    assert_eq!(
        error("{ 'command': 'c', 'boxed': true }"),
        "'boxed': true requires 'data'"
    );
}

#[test]
fn union_errors() {
    let union = |rest: &str| format!("{{ 'union': 'Uni', {rest} }}");
    assert_eq!(
        error(&union("'base': ['B'], 'discriminator': 'k', 'data': {}")),
        "'base' should be an object or type name"
    );
    assert_eq!(
        error(&union("'base': 'B', 'discriminator': {}, 'data': {}")),
        "'discriminator' requires a string name"
    );
    assert_eq!(
        error(&union("'base': 'B', 'discriminator': 'k', 'data': []")),
        "'data' must be an object"
    );
    assert_eq!(
        error(&union(
            "'base': 'B', 'discriminator': 'k', 'data': { 'v': ['T'] }"
        )),
        "'data' member 'v' should be a type name"
    );
    assert_eq!(
        error(&union(
            "'base': 'B', 'discriminator': 'k', 'data': { 'v': {} }"
        )),
        "'data' member 'v' misses key 'type'"
    );
    assert_eq!(
        error(&union(
            "'base': 'B', 'discriminator': 'k', 'data': { 'v': { 'type': 'T', 'features': [] } }"
        )),
        "'data' member 'v' has unknown key 'features'\nValid keys are 'if', 'type'."
    );
}

#[test]
fn alternate_errors() {
    assert_eq!(
        error("{ 'alternate': 'Alt', 'data': {} }"),
        "'data' must not be empty"
    );
    assert_eq!(
        error("{ 'alternate': 'Alt', 'data': '' }"),
        "'data' must not be empty"
    );
    assert_eq!(
        error("{ 'alternate': 'Alt', 'data': ['x'] }"),
        "'data' must be an object"
    );
    assert_eq!(
        error("{ 'alternate': 'Alt', 'data': { 'Arg': 'int' } }"),
        "name of 'data' member 'Arg' must not use uppercase or '_'"
    );
    assert_eq!(
        error("{ 'alternate': 'Alt', 'data': { 'a': { 'type': 'int', 'if': [] } } }"),
        "'if' condition of 'data' member 'a' must be a string or an object"
    );
}

#[test]
fn flag_errors() {
    assert_eq!(
        error("{ 'command': 'c', 'gen': true }"),
        "flag 'gen' may only use false value"
    );
    assert_eq!(
        error("{ 'command': 'c', 'success-response': 'no' }"),
        "flag 'success-response' may only use false value"
    );
    assert_eq!(
        error("{ 'command': 'c', 'allow-oob': false }"),
        "flag 'allow-oob' may only use true value"
    );
    assert_eq!(
        error("{ 'event': 'E', 'data': 'D', 'boxed': 'yes' }"),
        "flag 'boxed' may only use true value"
    );
    assert_eq!(
        error("{ 'command': 'c', 'allow-oob': true, 'coroutine': true }"),
        "flags 'allow-oob' and 'coroutine' are incompatible"
    );
}

#[test]
fn condition_errors() {
    let with_if = |cond: &str| {
        error(&format!(
            "{{ 'struct': 'Stru', 'data': {{}}, 'if': {cond} }}"
        ))
    };
    assert_eq!(
        with_if("'foo'"),
        "'if' condition 'foo' of struct is not a valid identifier"
    );
    assert_eq!(
        with_if("''"),
        "'if' condition '' of struct is not a valid identifier"
    );
    assert_eq!(
        with_if("true"),
        "'if' condition of struct must be a string or an object"
    );
    assert_eq!(
        with_if("{ 'value': 'X' }"),
        "'if' condition of struct has unknown key 'value'\nValid keys are 'all', 'any', 'not'."
    );
    assert_eq!(
        with_if("{ 'all': ['A'], 'any': ['B'] }"),
        "'if' condition of struct has conflicting keys"
    );
    assert_eq!(
        with_if("{}"),
        "'if' condition of struct has conflicting keys"
    );
    assert_eq!(
        with_if("{ 'all': 'A' }"),
        "'all' condition of struct must be an array"
    );
    assert_eq!(
        with_if("{ 'any': [] }"),
        "'if' condition [] of struct is useless"
    );
    assert_eq!(
        with_if("{ 'not': { 'any': [ 'A', 'b' ] } }"),
        "'if' condition 'b' of struct is not a valid identifier"
    );
    assert_eq!(
        error("{ 'struct': 'Stru', 'data': { 'm': { 'type': 'int', 'if': { 'val': 'X' } } } }"),
        "'if' condition of 'data' member 'm' has unknown key 'val'\n\
         Valid keys are 'all', 'any', 'not'."
    );
}

#[test]
fn feature_errors() {
    let with_features = |features: &str| {
        error(&format!(
            "{{ 'struct': 'Stru', 'data': {{}}, 'features': {features} }}"
        ))
    };
    assert_eq!(with_features("'deprecated'"), "'features' must be an array");
    assert_eq!(
        with_features("[ { 'if': 'X' } ]"),
        "'features' member misses key 'name'"
    );
    assert_eq!(
        with_features("[ { 'name': { 'a': 'b' } } ]"),
        "'features' member requires a string name"
    );
    assert_eq!(
        with_features("[ { 'name': 'f', 'colour': 'red' } ]"),
        "'features' member has unknown key 'colour'\nValid keys are 'if', 'name'."
    );
    assert_eq!(
        with_features("[ 'Feat' ]"),
        "name of 'features' member 'Feat' must not use uppercase or '_'"
    );
    assert_eq!(
        with_features("[ { 'name': 'f', 'if': false } ]"),
        "'if' condition of 'features' member 'f' must be a string or an object"
    );
    assert_eq!(
        error("{ 'struct': 'Stru', 'data': { 'a': { 'type': 'int', 'features': 'x' } } }"),
        "'features' must be an array"
    );
}

#[test]
fn checks_run_in_qemu_order() {
    // The body before the definition's own 'if', features and flags.
    assert_eq!(
        error("{ 'struct': 'Stru', 'data': 'x', 'if': 'bad', 'features': 'x' }"),
        "'data' should be an object or type name"
    );
    assert_eq!(
        error("{ 'struct': 'Stru', 'data': {}, 'if': 'bad', 'features': 'x' }"),
        "'if' condition 'bad' of struct is not a valid identifier"
    );
    assert_eq!(
        error("{ 'command': 'c', 'features': 'x', 'gen': true }"),
        "'features' must be an array"
    );
    // Keys before anything they contain; the name before the keys.
    assert_eq!(
        error("{ 'struct': 'Stru', 'data': 'x', 'bogus': 'y' }"),
        "struct has unknown key 'bogus'\nValid keys are 'base', 'data', 'features', 'if', 'struct'."
    );
    assert_eq!(
        error("{ 'struct': 's', 'bogus': 'y' }"),
        "name of struct must use CamelCase"
    );
    // A truthy non-boolean 'boxed' selects the boxed checks first.
    assert_eq!(
        error("{ 'command': 'c', 'data': { 'a': 'int' }, 'boxed': 'yes' }"),
        "'data' should be a type name"
    );
}
