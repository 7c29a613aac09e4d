//! What makes values easy to build: one `builder!` invocation per type,
//! after its other items.  The runtime macro (`qapi_types`'s
//! `builders.rs`) expands it to the methods and conversions:
//!
//! - structs, unions and commands' arguments: `new` from the required
//!   members (none: the type derives `Default`), a setter per optional
//!   member named after it, a setter of undeclared members (`extra`);
//! - a union's branch enum: `From` each branch type that only one branch
//!   has; the union too, when its other base members are all optional;
//! - alternates: `From` each branch's type (and `&str` for a string);
//! - boxed arguments (a newtype): `From` the value.

use proc_macro2::Ident;

use super::code::{code, Lines, Opt};
use super::objects::ObjectItem;
use super::{Field, Gen};
use crate::schema::{EntityId, EntityKind, Schema};
use crate::Settings;

/// For each entity, whether it gets builders: commands and the types their
/// arguments reach (what a client builds); with `server`, every type and
/// event too (a server builds replies and events).  The other types of a
/// client's bindings are only decoded: their builders would only cost
/// compile time.  None without `builders`.
pub(super) fn built(schema: &Schema, settings: &Settings) -> Vec<bool> {
    if !settings.builders {
        return vec![false; schema.entities.len()];
    }
    let mut built = vec![settings.server; schema.entities.len()];
    let mut work: Vec<EntityId> = Vec::new();
    for (id, entity) in schema.iter() {
        if let EntityKind::Command(command) = &entity.kind {
            work.push(id);
            work.extend(command.arg_type);
        }
    }
    let mut seen = vec![false; schema.entities.len()];
    while let Some(id) = work.pop() {
        if std::mem::replace(&mut seen[id.0 as usize], true) {
            continue;
        }
        built[id.0 as usize] = true;
        match &schema.entity(id).kind {
            EntityKind::Object(object) => {
                work.extend(object.members.iter().map(|m| m.ty));
                if let Some(variants) = &object.variants {
                    work.extend(variants.variants.iter().map(|v| v.ty));
                }
            }
            EntityKind::Alternate(alternate) => {
                work.extend(alternate.variants.variants.iter().map(|v| v.ty));
            }
            EntityKind::Array(array) => work.push(array.element),
            _ => {}
        }
    }
    built
}

/// Types a setter takes as they are: `impl Into<u64>` would not accept a
/// literal (`5` is then an `i32`).
const VALUE_TYPES: &[&str] = &[
    "bool", "f64", "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64",
];

/// A member: `#[cfg(..)] into #[deprecated] name: Type,` (`deprecated` for
/// a setter).
fn member(field: &Field, setter: bool) -> String {
    let kind = if VALUE_TYPES.contains(&field.ty.as_str()) {
        "value"
    } else {
        "into"
    };
    let mut line = String::new();
    if let Some(cfg) = &field.cfg {
        line.push_str(cfg);
        line.push(' ');
    }
    line.push_str(kind);
    line.push(' ');
    if let (true, Some(deprecated)) = (setter, &field.deprecated) {
        line.push_str(deprecated);
        line.push(' ');
    }
    line.push_str(&code!("#ident: #ty,", ident = field.ident, ty = field.ty));
    line
}

/// `Box<T>` as `T`.
fn unboxed(ty: &str) -> &str {
    ty.strip_prefix("Box<")
        .and_then(|t| t.strip_suffix('>'))
        .unwrap_or(ty)
}

impl Gen<'_> {
    /// The `builder!` of a struct, union or arguments type with members.
    pub(super) fn object_builder(&self, item: &ObjectItem) -> String {
        let built = self.schema.lookup(item.name);
        if !built.is_some_and(|id| self.built[id.0 as usize]) {
            return String::new();
        }
        // A member named `new` would clash with the constructor.
        if item.fields.iter().any(|f| f.ident == "new") {
            return String::new();
        }
        let required = |f: &&Field| !f.optional || Some(&f.ident) == item.branch;
        let new: Vec<String> = item
            .fields
            .iter()
            .filter(required)
            .map(|f| member(f, false))
            .collect();
        let setters: Vec<String> = item
            .fields
            .iter()
            .filter(|f| !required(f))
            .map(|f| member(f, true))
            .collect();
        let extra = item.extra.map(|extra| format!(" + {extra}"));
        code!(
            r#"#cfg
#rt::__private::builder! {
#ident#extra #new
#setters
}"#,
            cfg = Opt(&item.cfg),
            rt = self.rt,
            ident = item.ident,
            extra = Opt(&extra),
            new = if new.is_empty() {
                "{}".to_string()
            } else {
                format!("{{ {} }}", new.join(" "))
            },
            setters = Lines(&setters),
        )
    }

    /// The `builder!` of a union's branch enum (`branches`: variant, type
    /// if the branch has members, `#[cfg]`): `From` the types only one
    /// branch has; for the union too when its discriminator (field
    /// `tag`) is its only required member.
    pub(super) fn union_builder<'b>(
        &self,
        id: EntityId,
        cfg: &Option<String>,
        (union, fields, tag): (&Ident, &[Field], &Ident),
        branch_enum: &Ident,
        branches: impl Iterator<Item = (&'b Ident, Option<&'b str>, &'b Option<String>)>,
    ) -> String {
        if !self.built[id.0 as usize] {
            return String::new();
        }
        let branches: Vec<_> = branches.filter(|(_, ty, _)| ty.is_some()).collect();
        let lines: Vec<String> = branches
            .iter()
            .filter(|(_, ty, _)| branches.iter().filter(|(_, t, _)| t == ty).count() == 1)
            .map(|(variant, ty, cfg)| {
                code!(
                    "#cfg\n#variant(#ty),",
                    cfg = Opt(cfg),
                    variant,
                    ty = ty.unwrap_or_default()
                )
            })
            .collect();
        if lines.is_empty() {
            return String::new();
        }
        let only_tag = fields.iter().all(|f| f.optional || f.ident == *tag);
        let union = (only_tag && !fields.iter().any(|f| f.ident == "new"))
            .then(|| code!(", union #union", union));
        self.conversions_builder(cfg, branch_enum, &lines, union)
    }

    /// The `builder!` of an alternate (`branches`: variant, type, `#[cfg]`):
    /// `From` each branch's type, and `&str` for a string.
    pub(super) fn alternate_builder<'b>(
        &self,
        id: EntityId,
        cfg: &Option<String>,
        ident: &Ident,
        branches: impl Iterator<Item = (&'b Ident, &'b str, &'b Option<String>)>,
    ) -> String {
        if !self.built[id.0 as usize] {
            return String::new();
        }
        let mut seen: Vec<&str> = Vec::new();
        let mut lines = Vec::new();
        for (variant, ty, branch_cfg) in branches {
            let ty = unboxed(ty);
            if seen.contains(&ty) {
                continue;
            }
            seen.push(ty);
            lines.push(code!(
                "#cfg\n#variant(#ty),",
                cfg = Opt(branch_cfg),
                variant,
                ty
            ));
            if ty == "String" {
                lines.push(code!(
                    "#cfg\n#variant(&str),",
                    cfg = Opt(branch_cfg),
                    variant
                ));
            }
        }
        self.conversions_builder(cfg, ident, &lines, None)
    }

    fn conversions_builder(
        &self,
        cfg: &Option<String>,
        ident: &Ident,
        lines: &[String],
        union: Option<String>,
    ) -> String {
        code!(
            r#"#cfg
#rt::__private::builder! {
from #ident#union;
#lines
}"#,
            cfg = Opt(cfg),
            rt = self.rt,
            ident,
            lines = Lines(lines),
            union = Opt(&union),
        )
    }

    /// The `builder!` of a newtype around boxed arguments or data.
    pub(super) fn newtype_builder(
        &self,
        id: EntityId,
        cfg: &Option<String>,
        ident: &Ident,
        inner: &str,
    ) -> String {
        if !self.built[id.0 as usize] {
            return String::new();
        }
        code!(
            "#cfg\n#rt::__private::builder!(#ident(#inner));",
            cfg = Opt(cfg),
            rt = self.rt,
            ident,
            inner,
        )
    }
}
