//! `pub mod server` (setting `server`): what a QMP server for the schema
//! needs beyond the types.
//!
//! - `Handler`: one method per command, taking the command type and
//!   returning a future of its `Returns` type;
//! - `SCHEMA`: the schema as static tables (types, commands, events and
//!   the `query-qmp-schema` reply) for the runtime's dispatcher, which
//!   checks requests exactly as QEMU does;
//! - `dispatcher()`: a runtime `Dispatcher` over a handler, through a
//!   table of one small function per command that names the handler
//!   method (the decoding and encoding are the runtime's).

use std::collections::HashMap;

use proc_macro2::Ident;

use super::code::{code, lit, Lines, Opt};
use super::cond::Gate;
use super::names::{self, Scope};
use super::{Gen, GenerateError};
use crate::introspect::{schema_info, Conditional, Info};
use crate::schema::{Builtin, EntityId, EntityKind, Feature, JsonType, TypeId};

/// Commands the runtime's dispatcher answers itself.
const BUILTIN_COMMANDS: [&str; 2] = ["qmp_capabilities", "query-qmp-schema"];

/// The type table being built: an index per type, assigned when first
/// referenced, and each entry's tokens once generated.
#[derive(Default)]
struct Table {
    index: HashMap<TypeId, u32>,
    order: Vec<TypeId>,
}

impl Table {
    fn index(&mut self, ty: TypeId) -> u32 {
        if let Some(&index) = self.index.get(&ty) {
            return index;
        }
        let index = self.order.len() as u32;
        self.index.insert(ty, index);
        self.order.push(ty);
        index
    }
}

impl Gen<'_> {
    pub(super) fn server(&self) -> Result<String, GenerateError> {
        if !self.settings.server {
            return Ok(String::new());
        }
        let rt = &self.rt;
        let mut table = Table::default();
        let mut commands = Vec::new();
        let mut calls = Vec::new();
        let mut methods = Vec::new();
        let mut events = Vec::new();
        let mut method_names = Scope::with_reserved(&["dispatcher"]);
        for (id, entity) in self.schema.iter() {
            if !self.is_kept(id) {
                continue;
            }
            let gate = self.gate(entity.cond.as_ref());
            if matches!(gate, Gate::Drop) {
                continue;
            }
            let cfg = gate.attr();
            let cfg = Opt(&cfg);
            let wire = &entity.name;
            let wire_lit = lit(wire);
            let special = self.special(&entity.features);
            match &entity.kind {
                EntityKind::Command(command) => {
                    let args = option(command.arg_type.map(|t| table.index(t)));
                    let returns = option(command.ret_type.map(|t| table.index(t)));
                    let mut flags = Vec::new();
                    for (set, flag) in [
                        (command.allow_oob, "ALLOW_OOB"),
                        (command.allow_preconfig, "ALLOW_PRECONFIG"),
                        (!command.success_response, "NO_SUCCESS_RESPONSE"),
                        (!command.gen, "NO_GEN"),
                        (command.coroutine, "COROUTINE"),
                    ] {
                        if set {
                            flags.push(format!("s::{flag}"));
                        }
                    }
                    let flags = if flags.is_empty() {
                        "0".to_string()
                    } else {
                        flags.join(" | ")
                    };
                    commands.push(code!(
                        "#cfg\ns::command(#wire_lit, #args, #returns, #flags, #special),",
                        cfg,
                        wire_lit,
                        args,
                        returns,
                        flags,
                        special
                    ));
                    if BUILTIN_COMMANDS.contains(&wire.as_str()) {
                        calls.push(code!("#cfg\n#rt::qmp::server::builtin::<H>,", cfg, rt));
                        continue;
                    }
                    let ty = self.ident(id);
                    let method = names::ident(&method_names.claim(names::snake(wire)));
                    let docs = self.docs(&format!(
                        "Handle the command `{wire}` ([`{ty}`](super::commands::{ty})); \
                         by default it answers as QEMU answers a command it lacks."
                    ));
                    methods.push(code!(
                        r#"#docs
#cfg
#signature
let _ = arguments;
not_implemented::<commands::#ty>()
}"#,
                        docs = Opt(&docs),
                        cfg,
                        signature = handler_signature(&method, ty),
                        ty,
                    ));
                    calls.push(code!(
                        r#"#cfg
|handler, arguments| {
let handler = ::std::sync::Arc::clone(handler);
#rt::qmp::server::marshal(arguments, move |arguments| async move {
#call
})
},"#,
                        cfg,
                        rt,
                        call = method_chain("handler", &[&format!("{method}(arguments)"), "await"]),
                    ));
                }
                EntityKind::Event(event) => {
                    let data = option(event.arg_type.map(|t| table.index(t)));
                    events.push(code!(
                        "#cfg\ns::event(#wire_lit, #data, #special),",
                        cfg,
                        wire_lit,
                        data,
                        special
                    ));
                }
                _ => {}
            }
        }
        let mut types = Vec::new();
        let mut next = 0;
        while next < table.order.len() {
            let ty = table.order[next];
            types.push(self.type_entry(ty, &mut table)?);
            next += 1;
        }
        let introspection = self.introspection();
        let docs = self.docs(
            "A QMP server for this schema: implement [`Handler`], make a \
             [`dispatcher()`] and serve it (`qapi_types::qmp::server::Server` with the \
             `tokio` feature); requests are checked and answered exactly as QEMU does.",
        );
        let handler_docs = self.docs(
            "The commands, one method each: the arguments are the command type, the \
             result its `Returns` type or the error to answer.  Methods return futures \
             (write them `async fn`); the dispatcher runs one in-band command of a \
             connection at a time and out-of-band ones at once.  A method left out \
             answers `CommandNotFound`.  `qmp_capabilities` and `query-qmp-schema` are \
             answered by the dispatcher.",
        );
        let schema_docs = self.docs("The schema as the dispatcher reads it.");
        let dispatcher_docs = self.docs(
            "A dispatcher answering requests with `handler`, under the compatibility \
             `policy` (QEMU's `-compat`).",
        );
        Ok(code!(
            r#"#docs
#[allow(deprecated, clippy::all)]
pub mod server {
#imports
#handler_docs
pub trait Handler: ::core::marker::Send + ::core::marker::Sync + 'static {
#methods
}
#schema_docs
pub static SCHEMA: s::Schema = s::Schema {
types: &[
#types
],
commands: &[
#commands
],
events: &[
#events
],
introspection: #introspection,
};
struct Calls<H>(::core::marker::PhantomData<H>);
impl<H: Handler> Calls<H> {
const TABLE: &'static [#rt::qmp::server::Call<H>] = &[
#calls
];
}
#dispatcher_docs
pub fn dispatcher<H: Handler>(
handler: ::std::sync::Arc<H>,
policy: #rt::qmp::server::CompatPolicy,
) -> #rt::qmp::server::Dispatcher<H> {
#rt::qmp::server::Dispatcher::new(&SCHEMA, Calls::<H>::TABLE, handler, policy)
}
}"#,
            imports = Lines(&imports(rt)),
            docs = Opt(&docs),
            rt,
            handler_docs = Opt(&handler_docs),
            methods = Lines(&methods),
            schema_docs = Opt(&schema_docs),
            types = Lines(&types),
            commands = Lines(&commands),
            events = Lines(&events),
            introspection,
            calls = Lines(&calls),
            dispatcher_docs = Opt(&dispatcher_docs),
        ))
    }

    /// The `deprecated`/`unstable` bits of a feature list.
    fn special(&self, features: &[Feature]) -> String {
        let names = self.feature_names(features);
        let mut bits = Vec::new();
        if names.iter().any(|n| n == "deprecated") {
            bits.push("s::DEPRECATED");
        }
        if names.iter().any(|n| n == "unstable") {
            bits.push("s::UNSTABLE");
        }
        if bits.is_empty() {
            "0".to_string()
        } else {
            bits.join(" | ")
        }
    }

    fn type_entry(&self, ty: TypeId, table: &mut Table) -> Result<String, GenerateError> {
        let entity = self.schema.entity(ty);
        let name = lit(&entity.name);
        Ok(match &entity.kind {
            EntityKind::Builtin(b) => {
                let variant = builtin_variant(b.builtin);
                format!("s::Type::{variant},")
            }
            EntityKind::Enum(e) => {
                let mut values = Vec::new();
                for member in &e.members {
                    let gate = self.gate(member.cond.as_ref());
                    if matches!(gate, Gate::Drop) {
                        continue;
                    }
                    let cfg = gate.attr();
                    let cfg = Opt(&cfg);
                    let value = lit(&member.name);
                    let special = self.special(&member.features);
                    values.push(code!(
                        "#cfg\ns::value(#value, #special),",
                        cfg,
                        value,
                        special
                    ));
                }
                code!(
                    "s::Type::Enum(s::Enum {\nname: #name,\nvalues: &[\n#values\n],\n}),",
                    name,
                    values = Lines(&values)
                )
            }
            EntityKind::Array(array) => {
                let element = table.index(array.element);
                format!("s::Type::Array({element}),")
            }
            EntityKind::Object(object) => {
                let mut members = Vec::new();
                for member in &object.members {
                    let gate = self.gate(member.cond.as_ref());
                    if matches!(gate, Gate::Drop) {
                        continue;
                    }
                    let cfg = gate.attr();
                    let cfg = Opt(&cfg);
                    let wire = lit(&member.name);
                    let index = table.index(member.ty);
                    let optional = member.optional;
                    let special = self.special(&member.features);
                    members.push(code!(
                        "#cfg\ns::member(#wire, #index, #optional, #special),",
                        cfg,
                        wire,
                        index,
                        optional,
                        special
                    ));
                }
                let mut variants = Vec::new();
                let tag = match &object.variants {
                    Some(v) => {
                        for variant in &v.variants {
                            let gate = self.gate(variant.cond.as_ref());
                            if matches!(gate, Gate::Drop) {
                                continue;
                            }
                            let cfg = gate.attr();
                            let cfg = Opt(&cfg);
                            let value = lit(&variant.name);
                            let index = table.index(variant.ty);
                            variants.push(code!(
                                "#cfg\ns::variant(#value, #index),",
                                cfg,
                                value,
                                index
                            ));
                        }
                        format!("Some({})", lit(&v.tag))
                    }
                    None => "None".to_string(),
                };
                code!(
                    "s::object(\n#name,\n&[\n#members\n],\n#tag,\n&[\n#variants\n],\n),",
                    name,
                    members = Lines(&members),
                    tag,
                    variants = Lines(&variants)
                )
            }
            EntityKind::Alternate(alternate) => {
                let mut branches = Vec::new();
                for variant in &alternate.variants.variants {
                    let gate = self.gate(variant.cond.as_ref());
                    if matches!(gate, Gate::Drop) {
                        continue;
                    }
                    let cfg = gate.attr();
                    let cfg = Opt(&cfg);
                    let qtype = self.qtype(variant.ty);
                    let index = table.index(variant.ty);
                    branches.push(code!("#cfg\ns::branch(#qtype, #index),", cfg, qtype, index));
                }
                code!(
                    "s::Type::Alternate(s::Alternate {\nname: #name,\nbranches: &[\n#branches\n],\n}),",
                    name,
                    branches = Lines(&branches)
                )
            }
            EntityKind::Command(_) | EntityKind::Event(_) => {
                return Err(GenerateError::setting(
                    "(internal)",
                    format!("'{name}' is not a type"),
                ))
            }
        })
    }

    /// The JSON type that selects an alternate's branch of type `ty`.
    fn qtype(&self, ty: EntityId) -> String {
        let json = match &self.schema.entity(ty).kind {
            EntityKind::Builtin(b) => b.builtin.json_type(),
            EntityKind::Enum(_) => JsonType::String,
            EntityKind::Array(_) => JsonType::Array,
            _ => JsonType::Object,
        };
        let variant = match json {
            JsonType::String => "Str",
            JsonType::Number | JsonType::Int => "Num",
            JsonType::Boolean => "Bool",
            JsonType::Null => "Null",
            JsonType::Array => "List",
            JsonType::Object | JsonType::Value => "Dict",
        };
        format!("{}::qmp::server::QType::{variant}", self.rt)
    }

    /// The `query-qmp-schema` reply: one JSON text, or nodes where `cfg`
    /// conditions select elements when the bindings compile.
    fn introspection(&self) -> String {
        let list = Info::List(schema_info(self.schema, false));
        self.node(&list)
    }

    fn node(&self, info: &Info) -> String {
        if let Some(text) = self.static_json(info) {
            return format!("s::Node::Json({})", lit(&text));
        }
        match info {
            Info::List(items) => {
                let items = items.iter().filter_map(|item| {
                    let gate = self.gate(item.cond.as_ref());
                    if matches!(gate, Gate::Drop) {
                        return None;
                    }
                    let cfg = gate.attr();
                    let cfg = Opt(&cfg);
                    let node = self.node(&item.value);
                    Some(code!("#cfg\n#node,", cfg, node))
                });
                let items: Vec<String> = items.collect();
                code!("s::Node::List(&[\n#items\n])", items = Lines(&items))
            }
            Info::Dict(entries) => {
                let entries: Vec<String> = entries
                    .iter()
                    .map(|(key, value)| format!("({}, {}),", lit(key), self.node(value)))
                    .collect();
                code!("s::Node::Dict(&[\n#entries\n])", entries = Lines(&entries))
            }
            // Scalars always have static text.
            _ => "s::Node::Json(\"null\")".to_string(),
        }
    }

    /// The JSON text of `info` if no element in it depends on a `cfg`
    /// predicate.
    fn static_json(&self, info: &Info) -> Option<String> {
        let mut out = String::new();
        self.write_json(info, &mut out).then_some(out)
    }

    fn write_json(&self, info: &Info, out: &mut String) -> bool {
        match info {
            Info::Null => out.push_str("null"),
            Info::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Info::Str(s) => write_json_str(s, out),
            Info::List(items) => {
                out.push('[');
                let mut first = true;
                for Conditional { cond, value } in items {
                    match self.gate(cond.as_ref()) {
                        Gate::Drop => continue,
                        Gate::Keep { pred: Some(_), .. } => return false,
                        Gate::Keep { pred: None, .. } => {}
                    }
                    if !first {
                        out.push_str(", ");
                    }
                    first = false;
                    if !self.write_json(value, out) {
                        return false;
                    }
                }
                out.push(']');
            }
            Info::Dict(entries) => {
                out.push('{');
                for (i, (key, value)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    write_json_str(key, out);
                    out.push_str(": ");
                    if !self.write_json(value, out) {
                        return false;
                    }
                }
                out.push('}');
            }
        }
        true
    }
}

/// The `use` items of the server module, in rustfmt's order: `self`,
/// `super`, `crate`, then `::` paths, then crate names, each
/// alphabetically.
fn imports(rt: &str) -> Vec<String> {
    let mut paths = [
        "super::commands".to_string(),
        "::core::future::Future".to_string(),
        format!("{rt}::qmp::server::{{not_implemented, schema as s, CommandResult}}"),
    ];
    let class = |path: &str| {
        ["self::", "super::", "crate::", "::"]
            .iter()
            .position(|prefix| path.starts_with(prefix))
            .unwrap_or(4)
    };
    paths.sort_by(|a, b| (class(a), a).cmp(&(class(b), b)));
    paths.iter().map(|path| format!("use {path};")).collect()
}

/// rustfmt's limit on a line, and on a method chain kept on one line.
const MAX_WIDTH: usize = 100;
const CHAIN_WIDTH: usize = 60;

/// The signature of a `Handler` method, laid out as rustfmt lays it out
/// (in the trait of the module: indented twice).
fn handler_signature(method: &Ident, ty: &Ident) -> String {
    let returns = format!("impl Future<Output = CommandResult<commands::{ty}>> + Send");
    let line = format!("fn {method}(&self, arguments: commands::{ty}) -> {returns} {{");
    const INDENT: usize = 8;
    if INDENT + line.len() <= MAX_WIDTH {
        return line;
    }
    let last = format!(") -> {returns} {{");
    // The brace goes on a line of its own when the last line is too long
    // (by rustfmt's measure, which counts the indent twice).
    let last = if 2 * INDENT + last.len() <= MAX_WIDTH {
        last
    } else {
        format!(") -> {returns}\n{{")
    };
    format!("fn {method}(\n&self,\narguments: commands::{ty},\n{last}")
}

/// `receiver.a().b`, one call a line past rustfmt's chain width.
fn method_chain(receiver: &str, calls: &[&str]) -> String {
    let line = std::iter::once(receiver)
        .chain(calls.iter().copied())
        .collect::<Vec<_>>()
        .join(".");
    if line.len() <= CHAIN_WIDTH {
        return line;
    }
    let mut text = receiver.to_string();
    for call in calls {
        text.push_str("\n.");
        text.push_str(call);
    }
    text
}

fn option(index: Option<u32>) -> String {
    match index {
        Some(index) => format!("Some({index})"),
        None => "None".to_string(),
    }
}

fn builtin_variant(builtin: Builtin) -> &'static str {
    match builtin {
        Builtin::Str => "Str",
        Builtin::Number => "Number",
        Builtin::Int => "Int",
        Builtin::Int8 => "Int8",
        Builtin::Int16 => "Int16",
        Builtin::Int32 => "Int32",
        Builtin::Int64 => "Int64",
        Builtin::Uint8 => "Uint8",
        Builtin::Uint16 => "Uint16",
        Builtin::Uint32 => "Uint32",
        Builtin::Uint64 => "Uint64",
        Builtin::Size => "Size",
        Builtin::Bool => "Bool",
        Builtin::Null => "Null",
        Builtin::Any => "Any",
    }
}

/// A JSON string as QEMU prints it.
fn write_json_str(text: &str, out: &mut String) {
    use std::fmt::Write;
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            ' '..='\u{7e}' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04X}");
                }
            }
        }
    }
    out.push('"');
}
