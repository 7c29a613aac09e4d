//! The model as text, line for line what QEMU's conformance suite prints
//! (`tests/qapi-schema/test-qapi.py`), so that our model can be compared
//! with QEMU's `.out` files.

use std::fmt::Write;

use crate::schema::{Cond, EntityKind, Feature, ModuleItem, Schema, TypeId, Variants};

/// Every module with its definitions, then every doc block.
pub fn dump(schema: &Schema) -> String {
    let mut out = Dumper {
        schema,
        out: String::new(),
    };
    out.modules();
    out.docs();
    out.out
}

struct Dumper<'a> {
    schema: &'a Schema,
    out: String,
}

impl<'a> Dumper<'a> {
    fn line(&mut self, indent: usize, text: std::fmt::Arguments) {
        let _ = writeln!(self.out, "{:indent$}{}", "", text);
    }

    fn type_name(&self, id: TypeId) -> &'a str {
        let schema: &'a Schema = self.schema;
        &schema.entity(id).name
    }

    /// Python's `x and x.name` of an optional type: `None` when absent.
    fn opt_type_name(&self, id: Option<TypeId>) -> &'a str {
        id.map_or("None", |id| self.type_name(id))
    }

    fn modules(&mut self) {
        let schema = self.schema;
        for module in &schema.modules {
            self.line(0, format_args!("module {}", module.name));
            for item in &module.items {
                match item {
                    ModuleItem::Include { module, .. } => {
                        let name = &schema.module(*module).name;
                        self.line(0, format_args!("include {name}"));
                    }
                    ModuleItem::Entity(id) => self.entity(*id),
                }
            }
        }
    }

    fn entity(&mut self, id: TypeId) {
        let schema = self.schema;
        let entity = schema.entity(id);
        let name = &entity.name;
        match &entity.kind {
            // QEMU's test visitor does not print built-in scalars.
            EntityKind::Builtin(_) => {}
            EntityKind::Enum(e) => {
                self.line(0, format_args!("enum {name}"));
                if let Some(prefix) = e.prefix.as_deref().filter(|p| !p.is_empty()) {
                    self.line(4, format_args!("prefix {prefix}"));
                }
                for m in &e.members {
                    self.line(4, format_args!("member {}", m.name));
                    self.cond(8, m.cond.as_ref());
                    self.features(8, &m.features);
                }
                self.cond(4, entity.cond.as_ref());
                self.features(4, &entity.features);
            }
            EntityKind::Array(a) => {
                // Built-in arrays (no definition site) are not printed.
                if entity.span.is_none() {
                    return;
                }
                let element = schema.entity(a.element);
                self.line(0, format_args!("array {name} {}", element.name));
                // An array is as conditional as its element type.
                self.cond(4, element.cond.as_ref());
            }
            EntityKind::Object(o) => {
                self.line(0, format_args!("object {name}"));
                if let Some(base) = o.base {
                    self.line(4, format_args!("base {}", self.type_name(base)));
                }
                for m in o.local_members() {
                    self.line(
                        4,
                        format_args!(
                            "member {}: {} optional={}",
                            m.name,
                            self.type_name(m.ty),
                            py_bool(m.optional)
                        ),
                    );
                    self.cond(8, m.cond.as_ref());
                    self.features(8, &m.features);
                }
                if let Some(v) = &o.variants {
                    self.variants(v);
                }
                self.cond(4, entity.cond.as_ref());
                self.features(4, &entity.features);
            }
            EntityKind::Alternate(a) => {
                self.line(0, format_args!("alternate {name}"));
                self.variants(&a.variants);
                self.cond(4, entity.cond.as_ref());
                self.features(4, &entity.features);
            }
            EntityKind::Command(c) => {
                self.line(
                    0,
                    format_args!(
                        "command {name} {} -> {}",
                        self.opt_type_name(c.arg_type),
                        self.opt_type_name(c.ret_type)
                    ),
                );
                self.line(
                    4,
                    format_args!(
                        "gen={} success_response={} boxed={} oob={} preconfig={}{}",
                        py_bool(c.gen),
                        py_bool(c.success_response),
                        py_bool(c.boxed),
                        py_bool(c.allow_oob),
                        py_bool(c.allow_preconfig),
                        if c.coroutine { " coroutine=True" } else { "" }
                    ),
                );
                self.cond(4, entity.cond.as_ref());
                self.features(4, &entity.features);
            }
            EntityKind::Event(e) => {
                self.line(
                    0,
                    format_args!("event {name} {}", self.opt_type_name(e.arg_type)),
                );
                self.line(4, format_args!("boxed={}", py_bool(e.boxed)));
                self.cond(4, entity.cond.as_ref());
                self.features(4, &entity.features);
            }
        }
    }

    fn variants(&mut self, variants: &Variants) {
        self.line(4, format_args!("tag {}", variants.tag));
        for v in &variants.variants {
            self.line(4, format_args!("case {}: {}", v.name, self.type_name(v.ty)));
            self.cond(8, v.cond.as_ref());
        }
    }

    fn cond(&mut self, indent: usize, cond: Option<&Cond>) {
        if let Some(cond) = cond {
            // At the top, a name prints bare (Python's `%s` of a str).
            let text = match cond {
                Cond::Name(name) => name.clone(),
                _ => py_repr_cond(cond),
            };
            self.line(indent, format_args!("if {text}"));
        }
    }

    fn features(&mut self, indent: usize, features: &[Feature]) {
        for f in features {
            self.line(indent, format_args!("feature {}", f.name));
            self.cond(indent + 4, f.cond.as_ref());
        }
    }

    fn docs(&mut self) {
        let schema = self.schema;
        for doc in &schema.docs {
            match &doc.symbol {
                Some(symbol) => self.line(0, format_args!("doc symbol={symbol}")),
                None => self.line(0, format_args!("doc freeform")),
            }
            self.line(4, format_args!("body=\n{}", doc.body().text));
            for arg in doc.args() {
                let name = arg.name.as_deref().unwrap_or("");
                self.line(4, format_args!("arg={name}\n{}", arg.text));
            }
            for feature in doc.features() {
                let name = feature.name.as_deref().unwrap_or("");
                self.line(4, format_args!("feature={name}\n{}", feature.text));
            }
            for section in doc.other_sections() {
                self.line(
                    4,
                    format_args!("section={}\n{}", section.kind.name(), section.text),
                );
            }
        }
    }
}

fn py_bool(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

/// Python's `repr()` of the condition as QEMU keeps it: a str, or a
/// one-key dict of a list (`all`, `any`) or of a condition (`not`).
fn py_repr_cond(cond: &Cond) -> String {
    match cond {
        Cond::Name(name) => py_repr_str(name),
        Cond::All(conds) => format!("{{'all': {}}}", py_repr_list(conds)),
        Cond::Any(conds) => format!("{{'any': {}}}", py_repr_list(conds)),
        Cond::Not(cond) => format!("{{'not': {}}}", py_repr_cond(cond)),
    }
}

fn py_repr_list(conds: &[Cond]) -> String {
    let items: Vec<String> = conds.iter().map(py_repr_cond).collect();
    format!("[{}]", items.join(", "))
}

/// Python's `repr()` of a str: single quotes unless the text holds a
/// single quote and no double quote.
fn py_repr_str(text: &str) -> String {
    let quote = if text.contains('\'') && !text.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::new();
    out.push(quote);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> Cond {
        Cond::Name(s.to_string())
    }

    #[test]
    fn conditions_print_as_python_values() {
        let cond = Cond::Not(Box::new(Cond::Any(vec![
            Cond::Not(Box::new(name("A"))),
            Cond::All(vec![name("B"), name("C")]),
        ])));
        assert_eq!(
            py_repr_cond(&cond),
            "{'not': {'any': [{'not': 'A'}, {'all': ['B', 'C']}]}}"
        );
    }

    #[test]
    fn strings_are_quoted_as_python_does() {
        assert_eq!(py_repr_str("A_B"), "'A_B'");
        assert_eq!(py_repr_str("it's"), "\"it's\"");
        assert_eq!(py_repr_str("'\""), "'\\'\"'");
        assert_eq!(py_repr_str("a\\b\n"), "'a\\\\b\\n'");
    }
    use crate::diag::{FileId, SourceMap, Span};
    use crate::parse::Pragma;
    use crate::schema::doc::{Doc, Section, SectionKind};
    use crate::schema::*;

    fn span() -> Option<Span> {
        Some(Span::new(FileId(0), 0, 0))
    }

    fn entity(name: &str, module: u32, kind: EntityKind) -> Entity {
        Entity {
            name: name.into(),
            span: span(),
            module: ModuleId(module),
            doc: None,
            cond: None,
            features: Vec::new(),
            kind,
        }
    }

    fn feature(name: &str, cond: Option<Cond>) -> Feature {
        Feature {
            name: name.into(),
            span: span(),
            cond,
        }
    }

    fn section(kind: SectionKind, name: Option<&str>, text: &str) -> Section {
        Section {
            kind,
            name: name.map(Into::into),
            text: text.into(),
            span: Span::new(FileId(0), 0, 0),
            connected: true,
            stub: false,
        }
    }

    /// A hand-made model with one of each kind of line QEMU prints.
    fn sample() -> Schema {
        let int = EntityId(0);
        let mut entities = vec![
            Entity {
                span: None,
                ..entity(
                    "int",
                    0,
                    EntityKind::Builtin(BuiltinType {
                        builtin: Builtin::Int,
                    }),
                )
            },
            Entity {
                span: None,
                ..entity("intList", 0, EntityKind::Array(ArrayType { element: int }))
            },
        ];
        let mut e = entity(
            "Color",
            1,
            EntityKind::Enum(EnumType {
                prefix: Some("COL".into()),
                members: vec![
                    EnumMember {
                        name: "red".into(),
                        span: span(),
                        cond: Some(Cond::Name("HAVE_RED".into())),
                        features: vec![feature("deprecated", None)],
                    },
                    EnumMember {
                        name: "blue".into(),
                        span: span(),
                        cond: None,
                        features: Vec::new(),
                    },
                ],
            }),
        );
        e.cond = Some(Cond::All(vec![
            Cond::Name("A".into()),
            Cond::Not(Box::new(Cond::Name("B".into()))),
        ]));
        e.features = vec![feature("f1", Some(Cond::Name("C".into())))];
        entities.push(e);
        let color = EntityId(2);
        entities.push(entity(
            "ColorList",
            1,
            EntityKind::Array(ArrayType { element: color }),
        ));
        let member = |name: &str, ty, optional, defined_in| Member {
            name: name.into(),
            ty,
            optional,
            span: span(),
            cond: None,
            features: Vec::new(),
            defined_in,
        };
        let base = EntityId(4);
        entities.push(entity(
            "Base",
            1,
            EntityKind::Object(ObjectType {
                base: None,
                members: vec![member("kind", color, false, base)],
                base_member_count: 0,
                variants: None,
                implicit: false,
            }),
        ));
        entities.push(entity(
            "Shape",
            1,
            EntityKind::Object(ObjectType {
                base: Some(base),
                members: vec![
                    member("kind", color, false, base),
                    member("size", int, true, EntityId(5)),
                ],
                base_member_count: 1,
                variants: Some(Variants {
                    tag: "kind".into(),
                    tag_type: Some(color),
                    variants: vec![Variant {
                        name: "red".into(),
                        ty: base,
                        span: span(),
                        cond: Some(Cond::Any(vec![Cond::Name("X".into())])),
                    }],
                }),
                implicit: false,
            }),
        ));
        entities.push(entity(
            "Alt",
            2,
            EntityKind::Alternate(AlternateType {
                variants: Variants {
                    tag: "type".into(),
                    tag_type: None,
                    variants: vec![Variant {
                        name: "n".into(),
                        ty: EntityId(1),
                        span: span(),
                        cond: None,
                    }],
                },
            }),
        ));
        entities.push(entity(
            "go",
            2,
            EntityKind::Command(Command {
                arg_type: Some(base),
                ret_type: None,
                boxed: true,
                gen: true,
                success_response: true,
                allow_oob: false,
                allow_preconfig: true,
                coroutine: true,
            }),
        ));
        entities.push(entity(
            "DONE",
            2,
            EntityKind::Event(Event {
                arg_type: None,
                boxed: false,
            }),
        ));
        let items = |ids: &[u32]| {
            ids.iter()
                .map(|&i| ModuleItem::Entity(EntityId(i)))
                .collect()
        };
        let mut main_items: Vec<ModuleItem> = items(&[2, 3, 4, 5]);
        main_items.insert(
            0,
            ModuleItem::Include {
                module: ModuleId(2),
                span: Span::new(FileId(0), 0, 0),
            },
        );
        let modules = vec![
            Module {
                name: "./builtin".into(),
                items: items(&[0, 1]),
            },
            Module {
                name: "main.json".into(),
                items: main_items,
            },
            Module {
                name: "sub/more.json".into(),
                items: items(&[6, 7, 8]),
            },
        ];
        let docs = vec![
            Doc {
                span: Span::new(FileId(0), 0, 0),
                symbol: None,
                sections: vec![section(SectionKind::Plain, None, "= Title")],
            },
            Doc {
                span: Span::new(FileId(0), 0, 0),
                symbol: Some("go".into()),
                sections: vec![
                    section(SectionKind::Plain, None, ""),
                    section(SectionKind::Member, Some("kind"), "the kind\nof thing"),
                    section(SectionKind::Feature, Some("f1"), "a feature"),
                    section(SectionKind::Plain, None, "More."),
                    section(SectionKind::Since, None, "1.0"),
                ],
            },
        ];
        Schema {
            modules,
            entities,
            docs,
            pragma: Pragma::default(),
            sources: SourceMap::default(),
            rules: Default::default(),
            warnings: Vec::new(),
            versions: None,
            by_name: Default::default(),
        }
    }

    #[test]
    fn prints_what_test_qapi_prints() {
        let expected = "\
module ./builtin
module main.json
include sub/more.json
enum Color
    prefix COL
    member red
        if HAVE_RED
        feature deprecated
    member blue
    if {'all': ['A', {'not': 'B'}]}
    feature f1
        if C
array ColorList Color
    if {'all': ['A', {'not': 'B'}]}
object Base
    member kind: Color optional=False
object Shape
    base Base
    member size: int optional=True
    tag kind
    case red: Base
        if {'any': ['X']}
module sub/more.json
alternate Alt
    tag type
    case n: intList
command go Base -> None
    gen=True success_response=True boxed=True oob=False preconfig=True coroutine=True
event DONE None
    boxed=False
doc freeform
    body=
= Title
doc symbol=go
    body=

    arg=kind
the kind
of thing
    feature=f1
a feature
    section=Plain
More.
    section=Since
1.0
";
        assert_eq!(dump(&sample()), expected);
    }
}
