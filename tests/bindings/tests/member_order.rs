//! Decoding does not depend on member order, whatever the deserializer.
//!
//! Property: every value decodes to the same Rust value from any order of
//! its members, at every depth, through JSON text, `serde_json::Value`,
//! QEMU's `QObject` (the server's form of a request) and a deserializer of
//! serde's own (`serde::de::value`, standing for any other format).
//!
//! The values: random valid values generated from the schema's
//! introspection (`query-qmp-schema`, written by `build.rs`) for every
//! command's arguments and reply and every event's data, of the demo
//! schema, QEMU's test schema and QEMU 10.0.0's schema; and QEMU 10.0.2's
//! recorded traffic (replies, arguments, events).  Then the cases QEMU's
//! protocol tests found, as regressions.

#![cfg_attr(not(qapi_shared), allow(unused))]

use std::collections::HashMap;
use std::fmt::Debug;

use qapi_types::qmp::server::{QDict, QObject};
use qapi_types::{Command, CommandVisitor, Mode};
use serde::de::value::{MapDeserializer, SeqDeserializer};
use serde::de::{DeserializeOwned, Deserializer, IntoDeserializer, Visitor};
use serde::Serialize;
use serde_json::Value;

// ------------------------------------------------------------ values

/// A JSON value whose objects keep the order their members are given.
#[derive(Clone, Debug)]
enum Tree {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<Tree>),
    Object(Vec<(String, Tree)>),
}

impl Tree {
    fn from_value(value: &Value) -> Tree {
        match value {
            Value::Null => Tree::Null,
            Value::Bool(b) => Tree::Bool(*b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => Tree::Int(i),
                None => Tree::Float(n.as_f64().unwrap_or_default()),
            },
            Value::String(s) => Tree::Str(s.clone()),
            Value::Array(items) => Tree::List(items.iter().map(Tree::from_value).collect()),
            Value::Object(map) => Tree::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), Tree::from_value(v)))
                    .collect(),
            ),
        }
    }

    fn to_value(&self) -> Value {
        match self {
            Tree::Null => Value::Null,
            Tree::Bool(b) => Value::Bool(*b),
            Tree::Int(i) => Value::from(*i),
            Tree::Float(f) => Value::from(*f),
            Tree::Str(s) => Value::String(s.clone()),
            Tree::List(items) => Value::Array(items.iter().map(Tree::to_value).collect()),
            Tree::Object(members) => Value::Object(
                members
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_value()))
                    .collect(),
            ),
        }
    }

    /// JSON text with the members in this tree's order.
    fn to_text(&self) -> String {
        match self {
            Tree::List(items) => {
                let items: Vec<String> = items.iter().map(Tree::to_text).collect();
                format!("[{}]", items.join(", "))
            }
            Tree::Object(members) => {
                let members: Vec<String> = members
                    .iter()
                    .map(|(k, v)| format!("{}: {}", Value::String(k.clone()), v.to_text()))
                    .collect();
                format!("{{{}}}", members.join(", "))
            }
            scalar => scalar.to_value().to_string(),
        }
    }

    fn to_qobject(&self) -> QObject {
        match self {
            Tree::Null => QObject::Null,
            Tree::Bool(b) => QObject::Bool(*b),
            Tree::Int(i) => QObject::Int(*i),
            Tree::Float(f) => QObject::Double(*f),
            Tree::Str(s) => QObject::Str(s.clone()),
            Tree::List(items) => QObject::List(items.iter().map(Tree::to_qobject).collect()),
            Tree::Object(members) => {
                let mut dict = QDict::new();
                for (key, value) in members {
                    dict.insert(key.clone(), value.to_qobject());
                }
                QObject::Dict(dict)
            }
        }
    }

    /// The same value with the members of every object in another order.
    fn permuted(&self, rng: &mut Rng) -> Tree {
        match self {
            Tree::List(items) => Tree::List(items.iter().map(|t| t.permuted(rng)).collect()),
            Tree::Object(members) => {
                let mut members: Vec<(String, Tree)> = members
                    .iter()
                    .map(|(k, v)| (k.clone(), v.permuted(rng)))
                    .collect();
                rng.shuffle(&mut members);
                Tree::Object(members)
            }
            scalar => scalar.clone(),
        }
    }

    /// The same value with the members of every object in reverse order.
    fn reversed(&self) -> Tree {
        match self {
            Tree::List(items) => Tree::List(items.iter().map(Tree::reversed).collect()),
            Tree::Object(members) => Tree::Object(
                members
                    .iter()
                    .rev()
                    .map(|(k, v)| (k.clone(), v.reversed()))
                    .collect(),
            ),
            scalar => scalar.clone(),
        }
    }
}

/// A `Tree` read through serde's own value deserializers: a format that is
/// neither JSON text nor a `Value` nor a `QObject`.
struct TreeDeserializer(Tree);

impl<'de> IntoDeserializer<'de, serde::de::value::Error> for Tree {
    type Deserializer = TreeDeserializer;

    fn into_deserializer(self) -> TreeDeserializer {
        TreeDeserializer(self)
    }
}

impl<'de> Deserializer<'de> for TreeDeserializer {
    type Error = serde::de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Tree::Null => visitor.visit_unit(),
            Tree::Bool(b) => visitor.visit_bool(b),
            Tree::Int(i) => visitor.visit_i64(i),
            Tree::Float(f) => visitor.visit_f64(f),
            Tree::Str(s) => visitor.visit_string(s),
            Tree::List(items) => {
                let mut seq = SeqDeserializer::new(items.into_iter());
                let value = visitor.visit_seq(&mut seq)?;
                seq.end()?;
                Ok(value)
            }
            Tree::Object(members) => {
                let mut map = MapDeserializer::new(members.into_iter());
                let value = visitor.visit_map(&mut map)?;
                map.end()?;
                Ok(value)
            }
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Tree::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct newtype_struct seq tuple tuple_struct
        map struct enum identifier ignored_any
    }
}

/// xorshift64*: a fixed sequence per seed, so that a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn chance(&mut self) -> bool {
        self.next() % 2 == 0
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

// ------------------------------------------------------------ the check

/// Decodes `tree` as `T` in its own order, then in other orders through
/// each deserializer; every decoding must be the same value (compared by
/// its encoding: every generated type encodes each of its values
/// differently).  `Err` says which did not.
fn same_in_any_order<T: DeserializeOwned + Serialize>(
    tree: &Tree,
    mode: Mode,
    rng: &mut Rng,
) -> Result<(), String> {
    let text = tree.to_text();
    let expected: T =
        qapi_types::from_str(&text, mode).map_err(|e| format!("text: {e}\n  in: {text}"))?;
    let expected = encode(&expected);
    let value = tree.to_value();
    let decoded: T =
        qapi_types::from_value(&value, mode).map_err(|e| format!("Value: {e}\n  in: {value}"))?;
    compare(&expected, &decoded, "Value", &value.to_string())?;
    for order in [tree.reversed(), tree.permuted(rng), tree.permuted(rng)] {
        let text = order.to_text();
        let decoded: T =
            qapi_types::from_str(&text, mode).map_err(|e| format!("text: {e}\n  in: {text}"))?;
        compare(&expected, &decoded, "text", &text)?;
        let qobject = order.to_qobject();
        let decoded: T = qapi_types::deserialize(&qobject, mode)
            .map_err(|e| format!("QObject: {e}\n  in: {text}"))?;
        compare(&expected, &decoded, "QObject", &text)?;
        let decoded: T = qapi_types::deserialize(TreeDeserializer(order), mode)
            .map_err(|e| format!("serde value: {e}\n  in: {text}"))?;
        compare(&expected, &decoded, "serde value", &text)?;
    }
    Ok(())
}

fn encode<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or_else(|e| Value::String(format!("<{e}>")))
}

fn compare<T: Serialize>(
    expected: &Value,
    decoded: &T,
    how: &str,
    text: &str,
) -> Result<(), String> {
    let decoded = encode(decoded);
    if *expected == decoded {
        Ok(())
    } else {
        Err(format!(
            "{how} decodes differently:\n  in: {text}\n  expected: {expected}\n  got: {decoded}"
        ))
    }
}

/// Checks a command's arguments or reply, chosen by name.
struct CheckCommand<'a> {
    tree: &'a Tree,
    arguments: bool,
    rng: &'a mut Rng,
}

impl CommandVisitor for CheckCommand<'_> {
    type Output = Result<(), String>;

    fn visit<C: Command>(self) -> Result<(), String> {
        if self.arguments {
            same_in_any_order::<C>(self.tree, Mode::Strict, self.rng)
        } else {
            same_in_any_order::<C::Returns>(self.tree, Mode::Strict, self.rng)
        }
    }
}

fn assert_no_failures(failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{} failures, the first:\n{}",
        failures.len(),
        failures[..failures.len().min(5)].join("\n")
    );
}

/// An event message with `data`, checked as `events::Event`.
fn event_message(name: &str, data: Option<Tree>) -> Tree {
    let mut members = vec![("event".to_string(), Tree::Str(name.to_string()))];
    if let Some(data) = data {
        members.push(("data".to_string(), data));
    }
    let timestamp = Tree::Object(vec![
        ("seconds".to_string(), Tree::Int(1_700_000_000)),
        ("microseconds".to_string(), Tree::Int(42)),
    ]);
    members.push(("timestamp".to_string(), timestamp));
    Tree::Object(members)
}

// -------------------------------------------------- values of a schema

/// A schema's introspection: its types by name, commands and events.
struct Introspection {
    types: HashMap<String, Value>,
    /// Name, argument type, return type.
    commands: Vec<(String, String, String)>,
    /// Name, data type.
    events: Vec<(String, String)>,
}

impl Introspection {
    fn read(file: &str) -> Introspection {
        let path = std::path::Path::new(env!("OUT_DIR")).join(file);
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let reply: Vec<Value> = serde_json::from_str(&text).expect("an introspection reply");
        let mut introspection = Introspection {
            types: HashMap::new(),
            commands: Vec::new(),
            events: Vec::new(),
        };
        for info in reply {
            let name = info["name"].as_str().unwrap_or_default().to_string();
            let field = |key: &str| info[key].as_str().unwrap_or_default().to_string();
            match info["meta-type"].as_str() {
                Some("command") => {
                    introspection
                        .commands
                        .push((name, field("arg-type"), field("ret-type")))
                }
                Some("event") => introspection.events.push((name, field("arg-type"))),
                _ => {
                    introspection.types.insert(name, info);
                }
            }
        }
        introspection
    }

    fn info(&self, name: &str) -> &Value {
        self.types
            .get(name)
            .unwrap_or_else(|| panic!("type {name} is not in the introspection"))
    }

    /// A random valid value of the type `name`; `depth` bounds recursion.
    fn value(&self, name: &str, depth: usize, rng: &mut Rng) -> Tree {
        let info = self.info(name);
        match info["meta-type"].as_str().unwrap_or_default() {
            "builtin" => builtin(info["json-type"].as_str().unwrap_or_default(), rng),
            "enum" => {
                let values = info["members"].as_array().expect("enum members");
                let value = &values[rng.below(values.len())]["name"];
                Tree::Str(value.as_str().unwrap_or_default().to_string())
            }
            "array" => {
                let element = info["element-type"].as_str().unwrap_or_default();
                let len = if depth > 3 { 0 } else { rng.below(3) };
                Tree::List(
                    (0..len)
                        .map(|_| self.value(element, depth + 1, rng))
                        .collect(),
                )
            }
            "alternate" => {
                let members = info["members"].as_array().expect("alternate members");
                // Deep down, the branch that does not recurse (the first
                // scalar one, if any).
                let scalar = members.iter().position(|m| {
                    let ty = m["type"].as_str().unwrap_or_default();
                    self.info(ty)["meta-type"] != "object"
                });
                let index = match scalar {
                    Some(index) if depth > 3 => index,
                    _ => rng.below(members.len()),
                };
                self.value(
                    members[index]["type"].as_str().unwrap_or_default(),
                    depth + 1,
                    rng,
                )
            }
            _ => {
                let mut members = Vec::new();
                self.members(info, depth, rng, &mut members);
                Tree::Object(members)
            }
        }
    }

    /// The members of an object value, its branch's included (flat).
    fn members(&self, info: &Value, depth: usize, rng: &mut Rng, out: &mut Vec<(String, Tree)>) {
        let mut tag_value = None;
        for member in info["members"].as_array().into_iter().flatten() {
            let name = member["name"].as_str().unwrap_or_default();
            let optional = member.get("default").is_some();
            if optional && (depth > 2 || rng.chance()) {
                continue;
            }
            let ty = member["type"].as_str().unwrap_or_default();
            let value = self.value(ty, depth + 1, rng);
            if info["tag"] == name {
                tag_value = Some(value.clone());
            }
            out.push((name.to_string(), value));
        }
        let (Some(Tree::Str(tag)), Some(variants)) = (tag_value, info["variants"].as_array())
        else {
            return;
        };
        if let Some(variant) = variants.iter().find(|v| v["case"] == tag.as_str()) {
            let branch = self.info(variant["type"].as_str().unwrap_or_default());
            self.members(branch, depth, rng, out);
        }
    }
}

fn builtin(json_type: &str, rng: &mut Rng) -> Tree {
    match json_type {
        "string" => Tree::Str(format!("s{}", rng.below(1000))),
        // Small enough for every integer type.
        "int" => Tree::Int(rng.below(100) as i64),
        "number" => Tree::Float(rng.below(100) as f64 + 0.5),
        "boolean" => Tree::Bool(rng.chance()),
        "null" => Tree::Null,
        // `any`: some JSON value.
        _ => Tree::Object(vec![
            (
                "k".to_string(),
                Tree::List(vec![Tree::Int(1), Tree::Str("v".into())]),
            ),
            ("n".to_string(), Tree::Null),
        ]),
    }
}

/// For every command's arguments and reply and every event of the schema
/// whose bindings are `visit` and `Event`: `SEEDS` random values each,
/// checked in several orders.  Returns the number of values checked.
fn check_schema<E: DeserializeOwned + Serialize>(
    introspection: &str,
    visit: impl Fn(&str, CheckCommand<'_>) -> Option<Result<(), String>>,
) -> usize {
    const SEEDS: u64 = 4;
    let schema = Introspection::read(introspection);
    let mut failures = Vec::new();
    let mut checked = 0;
    for seed in 1..=SEEDS {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        for (name, arg_type, ret_type) in &schema.commands {
            for (ty, arguments) in [(arg_type, true), (ret_type, false)] {
                let tree = schema.value(ty, 0, &mut rng);
                let check = CheckCommand {
                    tree: &tree,
                    arguments,
                    rng: &mut rng,
                };
                match visit(name, check) {
                    Some(Ok(())) => checked += 1,
                    Some(Err(e)) => failures.push(format!("{name} ({ty}): {e}")),
                    None => failures.push(format!("{name}: not in the bindings")),
                }
            }
        }
        for (name, data_type) in &schema.events {
            let data = schema.value(data_type, 0, &mut rng);
            // An event without data has none in its message.
            let data = (!matches!(&data, Tree::Object(m) if m.is_empty())).then_some(data);
            let message = event_message(name, data);
            match same_in_any_order::<E>(&message, Mode::Strict, &mut rng) {
                Ok(()) => checked += 1,
                Err(e) => failures.push(format!("{name}: {e}")),
            }
        }
    }
    assert_no_failures(&failures);
    checked
}

#[test]
fn demo_values_decode_the_same_in_any_order() {
    use qapi_bindings_tests::demo_all::{commands, events};
    let checked =
        check_schema::<events::Event>("demo_all.json", |name, check| commands::visit(name, check));
    assert!(checked > 100, "{checked}");
}

#[cfg(qapi_shared)]
#[test]
fn qemu_values_decode_the_same_in_any_order() {
    use qapi_bindings_tests::real_all::{commands, events};
    let checked =
        check_schema::<events::Event>("real_all.json", |name, check| commands::visit(name, check));
    assert!(checked > 2000, "{checked}");
}

#[cfg(qapi_shared)]
#[test]
fn qemu_test_schema_values_decode_the_same_in_any_order() {
    use qapi_bindings_tests::qemu_test_all::{commands, events};
    let checked = check_schema::<events::Event>("qemu_test_all.json", |name, check| {
        commands::visit(name, check)
    });
    assert!(checked > 100, "{checked}");
}

/// QEMU 10.0.2's recorded traffic: every reply, every command's arguments
/// and every event, in several orders.
#[cfg(qapi_shared)]
#[test]
fn recorded_traffic_decodes_the_same_in_any_order() {
    use qapi_bindings_tests::real_all::{commands, events};

    let dir = corpus_dir();
    let mut rng = Rng(7);
    let mut failures = Vec::new();
    let mut checked = 0;
    for dir in [dir.clone(), dir.join("machine-none")] {
        let mut paths: Vec<_> = std::fs::read_dir(&dir)
            .expect("the corpus")
            .map(|e| e.expect("a corpus file").path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        paths.sort();
        for path in paths {
            let text = std::fs::read_to_string(&path).expect("a corpus file");
            let record: Value = serde_json::from_str(&text).expect("JSON");
            let (Some(request), Some(reply)) = (record.get("request"), record.get("response"))
            else {
                continue;
            };
            let Some(name) = request["execute"].as_str() else {
                continue;
            };
            let arguments = request
                .get("arguments")
                .cloned()
                .unwrap_or(Value::Object(Default::default()));
            let mut values = vec![(Tree::from_value(&arguments), true)];
            if let Some(returned) = reply.get("return") {
                values.push((Tree::from_value(returned), false));
            }
            if reply["error"]["class"] == "CommandNotFound" {
                continue;
            }
            for (tree, arguments) in &values {
                let check = CheckCommand {
                    tree,
                    arguments: *arguments,
                    rng: &mut rng,
                };
                match commands::visit(name, check) {
                    Some(Ok(())) => checked += 1,
                    Some(Err(e)) => failures.push(format!("{}: {e}", path.display())),
                    None => failures.push(format!("{}: unknown command {name}", path.display())),
                }
            }
        }
        if let Ok(text) = std::fs::read_to_string(dir.join("events.jsonl")) {
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                let event: Value = serde_json::from_str(line).expect("an event");
                match same_in_any_order::<events::Event>(
                    &Tree::from_value(&event),
                    Mode::Strict,
                    &mut rng,
                ) {
                    Ok(()) => checked += 1,
                    Err(e) => failures.push(format!("events.jsonl: {e}")),
                }
            }
        }
    }
    assert_no_failures(&failures);
    assert!(checked > 200, "{checked}");
}

#[cfg(qapi_shared)]
fn corpus_dir() -> std::path::PathBuf {
    let shared = match std::env::var_os("QAPI_SHARED_DIR") {
        Some(dir) => std::path::PathBuf::from(dir),
        None => std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    };
    shared.join("qmp-corpus/10.0.2")
}

// ------------------------------------------------------------ regressions

/// QEMU's protocol tests send members in their hash order: a flat union's
/// branch members before its discriminator, at any depth, decoded from the
/// `QObject` the server holds (they failed with "invalid type: newtype
/// struct" when the buffer was serde_json's `RawValue`).
#[cfg(qapi_shared)]
#[test]
fn branch_members_before_the_discriminator_from_a_qobject() {
    use qapi_bindings_tests::qemu_test_all::{commands as test_commands, UserDefFlatUnionBranch};
    use qapi_bindings_tests::real_all::{commands, BlockdevOptionsBranch, BlockdevRef};

    /// As the server reads a request: members in the text's order.
    fn qobject(text: &str) -> QObject {
        ordered(text).to_qobject()
    }

    let add = qobject(
        r#"{"image": {"driver": "null-co", "read-zeroes": true}, "node-name": "n2", "driver": "blkdebug"}"#,
    );
    let add: commands::BlockdevAdd =
        qapi_types::deserialize(&add, Mode::Strict).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(add.0.node_name.as_deref(), Some("n2"));
    let BlockdevOptionsBranch::Blkdebug(blkdebug) = &add.0.driver else {
        panic!("{add:?}")
    };
    let BlockdevRef::Definition(image) = &blkdebug.image else {
        panic!("{blkdebug:?}")
    };
    assert!(
        matches!(&image.driver, BlockdevOptionsBranch::NullCo(null) if null.read_zeroes == Some(true))
    );

    let nested = qobject(
        r#"{"image": {"read-zeroes": true, "driver": "null-co"}, "node-name": "n3", "driver": "blkdebug"}"#,
    );
    let nested: commands::BlockdevAdd =
        qapi_types::deserialize(&nested, Mode::Strict).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(nested.0.node_name.as_deref(), Some("n3"));

    let boxed = qobject(r#"{"integer": 41, "string": "str", "boolean": true, "enum1": "value1"}"#);
    let boxed: test_commands::BoxedUnion =
        qapi_types::deserialize(&boxed, Mode::Strict).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((boxed.0.integer, boxed.0.string.as_str()), (41, "str"));
    assert!(matches!(&boxed.0.enum1, UserDefFlatUnionBranch::Value1(a) if a.boolean));
}

/// JSON text read into a `Tree`, members in the text's order.
fn ordered(text: &str) -> Tree {
    struct TreeVisitor;
    impl<'de> Visitor<'de> for TreeVisitor {
        type Value = Tree;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("JSON")
        }
        fn visit_unit<E>(self) -> Result<Tree, E> {
            Ok(Tree::Null)
        }
        fn visit_bool<E>(self, v: bool) -> Result<Tree, E> {
            Ok(Tree::Bool(v))
        }
        fn visit_i64<E>(self, v: i64) -> Result<Tree, E> {
            Ok(Tree::Int(v))
        }
        fn visit_u64<E>(self, v: u64) -> Result<Tree, E> {
            Ok(Tree::Int(v as i64))
        }
        fn visit_f64<E>(self, v: f64) -> Result<Tree, E> {
            Ok(Tree::Float(v))
        }
        fn visit_str<E>(self, v: &str) -> Result<Tree, E> {
            Ok(Tree::Str(v.to_string()))
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Tree, A::Error> {
            let mut items = Vec::new();
            while let Some(item) = seq.next_element_seed(TreeSeed)? {
                items.push(item);
            }
            Ok(Tree::List(items))
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Tree, A::Error> {
            let mut members = Vec::new();
            while let Some(key) = map.next_key::<String>()? {
                members.push((key, map.next_value_seed(TreeSeed)?));
            }
            Ok(Tree::Object(members))
        }
    }
    struct TreeSeed;
    impl<'de> serde::de::DeserializeSeed<'de> for TreeSeed {
        type Value = Tree;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Tree, D::Error> {
            d.deserialize_any(TreeVisitor)
        }
    }
    let mut deserializer = serde_json::Deserializer::from_str(text);
    deserializer.deserialize_any(TreeVisitor).expect("JSON")
}
