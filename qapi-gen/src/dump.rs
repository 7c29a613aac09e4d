//! The model as text, line for line what QEMU's conformance suite prints
//! (`tests/qapi-schema/test-qapi.py`), so that our model can be compared
//! with QEMU's `.out` files.

use std::fmt::Write;

use crate::parse::doc::SectionKind;
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
                    format_args!("section={}\n{}", kind_title(section.kind), section.text),
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

/// QEMU's `QAPIDoc.Kind.__str__`: the kind's name in title case.
fn kind_title(kind: SectionKind) -> &'static str {
    match kind {
        SectionKind::Plain => "Plain",
        SectionKind::Member => "Member",
        SectionKind::Feature => "Feature",
        SectionKind::Returns => "Returns",
        SectionKind::Errors => "Errors",
        SectionKind::Since => "Since",
        SectionKind::Todo => "Todo",
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
}
