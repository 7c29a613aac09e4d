//! Alternates: the enum of branches and its `alternate_impls!`.

use super::code::{code, lit, Lines, Opt};
use super::cond::Gate;
use super::names::{self, Scope};
use super::{Gen, GenerateError, Shape};
use crate::schema::{AlternateType, Builtin, Entity, EntityId, EntityKind, JsonType};

impl Gen<'_> {
    pub(super) fn alternate_item(
        &self,
        id: EntityId,
        entity: &Entity,
        a: &AlternateType,
    ) -> Result<String, GenerateError> {
        let rt = &self.rt;
        let name = self.ident(id);
        let doc = self.doc_of(entity);
        let mut scope = Scope::with_reserved(&["Self"]);
        let mut defs = Vec::new();
        let mut branches = Vec::new();
        let mut expecting = Vec::new();
        let mut types = Vec::new();
        for variant in &a.variants.variants {
            let ident = names::ident(&scope.claim(names::camel(&variant.name)));
            let gate = self.gate(variant.cond.as_ref());
            if matches!(gate, Gate::Drop) {
                continue;
            }
            let cfg = gate.attr();
            let ty = self.type_ref(id, variant.ty, false)?;
            types.push((ident.clone(), ty.clone(), cfg.clone()));
            let docs = self.with_note(
                self.member_docs(doc, &variant.name, variant.cond.as_ref(), &[], false),
                self.branch_versions_note(id, &variant.name),
            );
            defs.push(code!(
                "#docs\n#cfg\n#ident(#ty),",
                docs = Opt(&docs),
                cfg = Opt(&cfg),
                ident,
                ty
            ));
            let (kinds, what) = self.json_kinds(variant.ty);
            expecting.push(what);
            let shape = match self.shape(variant.ty) {
                Shape::Number => "number",
                Shape::NumberList => "number_list",
                Shape::List => "list",
                Shape::Other => "plain",
            };
            branches.push(code!(
                "#cfg\n#ident(#kinds) #shape,",
                cfg = Opt(&cfg),
                ident,
                kinds = kinds.join(" | "),
                shape
            ));
        }
        let type_name = &entity.name;
        let docs = self.item_docs(entity, &format!("The QAPI alternate `{type_name}`."), &[]);
        let attrs = self.type_attrs(type_name, &["Debug", "Clone", "PartialEq"]);
        let cfg = self.gate(entity.cond.as_ref()).attr();
        Ok(code!(
            r#"#docs
#cfg
#attrs
pub enum #name {
#defs
}
#cfg
#rt::__private::alternate_impls! {
#name = #expecting {
#branches
}
}
#builder"#,
            docs = Opt(&docs),
            cfg = Opt(&cfg),
            attrs,
            name,
            defs = Lines(&defs),
            rt,
            expecting = lit(&join_or(&expecting)),
            branches = Lines(&branches),
            builder =
                self.alternate_builder(id, &cfg, name, types.iter().map(|(v, t, c)| (v, &**t, c))),
        ))
    }

    /// The JSON kinds (as `JsonKind` variant names) that select an
    /// alternate branch of type `ty`, and how to name them in messages.
    fn json_kinds(&self, ty: EntityId) -> (&'static [&'static str], String) {
        let entity = self.schema.entity(ty);
        let kinds: &[&str] = match &entity.kind {
            EntityKind::Builtin(b) => match b.builtin.json_type() {
                JsonType::String => &["String"],
                JsonType::Number => &["Int", "Number"],
                JsonType::Int => &["Int"],
                JsonType::Boolean => &["Bool"],
                JsonType::Null => &["Null"],
                _ => &["Null", "Bool", "Int", "Number", "String", "Object", "Array"],
            },
            EntityKind::Enum(_) => &["String"],
            EntityKind::Array(_) => &["Array"],
            _ => &["Object"],
        };
        let what = match &entity.kind {
            EntityKind::Builtin(b) if b.builtin == Builtin::Number => "a number".to_string(),
            EntityKind::Builtin(b) if b.builtin.json_type() == JsonType::Int => {
                "an integer".to_string()
            }
            EntityKind::Builtin(b) if b.builtin == Builtin::Str => "a string".to_string(),
            EntityKind::Builtin(b) if b.builtin == Builtin::Bool => "a boolean".to_string(),
            EntityKind::Builtin(b) if b.builtin == Builtin::Null => "null".to_string(),
            EntityKind::Enum(_) => format!("a string ({})", entity.name),
            EntityKind::Array(_) => "an array".to_string(),
            _ => format!("an object ({})", entity.name),
        };
        (kinds, what)
    }
}

/// `a, b or c`.
fn join_or(items: &[String]) -> String {
    match items {
        [] => "nothing".to_string(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}
