//! Enums: the type and its `enum_impls!`.

use proc_macro2::Ident;

use super::code::{code, lit, lits, Lines, Opt};
use super::names::{self, Scope};
use super::versions::versions_entry;
use super::Gen;
use crate::schema::{Entity, EntityId, EnumMember, EnumType};

impl Gen<'_> {
    /// The variants of an enum: for each value the conditions keep, the
    /// value and its identifier; and the identifier of the catch-all
    /// variant (`Unknown`, or `UnknownValue` when a value takes `Unknown`).
    pub(super) fn enum_variants<'e>(
        &self,
        e: &'e EnumType,
    ) -> (Vec<(&'e EnumMember, Ident)>, Ident) {
        let mut scope = Scope::with_reserved(&["Self"]);
        let mut variants = Vec::new();
        for member in &e.members {
            let ident = names::ident(&scope.claim(names::camel(&member.name)));
            if self.conds.keeps(member.cond.as_ref()) {
                variants.push((member, ident));
            }
        }
        let catch_all = if scope.is_taken("Unknown") {
            scope.claim("UnknownValue".into())
        } else {
            scope.claim("Unknown".into())
        };
        (variants, names::ident(&catch_all))
    }

    pub(super) fn enum_item(&self, id: EntityId, entity: &Entity, e: &EnumType) -> String {
        let rt = &self.rt;
        let name = self.ident(id);
        let doc = self.doc_of(entity);
        let (variants, catch_all) = self.enum_variants(e);
        let mut defs = Vec::new();
        let mut values = Vec::new();
        let mut value_features = Vec::new();
        let mut value_versions = Vec::new();
        for (member, ident) in &variants {
            let cfg = self.gate(member.cond.as_ref()).attr();
            let features = self.feature_names(&member.features);
            let deprecated = self.deprecated_attr(&member.features);
            let docs = self.with_note(
                self.member_docs(doc, &member.name, member.cond.as_ref(), &features, false),
                self.value_versions_note(id, &member.name),
            );
            let wire = lit(&member.name);
            defs.push(code!(
                "#docs\n#cfg\n#deprecated\n#ident,",
                docs = Opt(&docs),
                cfg = Opt(&cfg),
                deprecated = Opt(&deprecated),
                ident
            ));
            values.push(code!("#cfg\n#ident = #wire,", cfg = Opt(&cfg), ident, wire));
            if !features.is_empty() {
                value_features.push(feature_entry(&cfg, &member.name, &features));
            }
            if let Some(labels) = self.value_versions(id, &member.name) {
                value_versions.push(versions_entry(&cfg, &member.name, &labels));
            }
        }
        let catch_all_docs = self.docs(
            "A value this build does not know (from a newer QEMU): the string received, encoded \
             back unchanged.",
        );
        let type_name = &entity.name;
        let item_docs = self.item_docs(entity, &format!("The QAPI enum `{type_name}`."), &[]);
        let attrs = self.type_attrs(type_name, &["Debug", "Clone", "PartialEq", "Eq", "Hash"]);
        let cfg = self.gate(entity.cond.as_ref()).attr();
        code!(
            r#"#item_docs
#cfg
#attrs
pub enum #name {
#defs
#catch_all_docs
#catch_all(#rt::UnknownValue),
}
#cfg
#rt::__private::enum_impls! {
#name = #type_name, #catch_all {
#values
}
#value_features
#value_versions
#route
}"#,
            item_docs = Opt(&item_docs),
            cfg = Opt(&cfg),
            attrs,
            name,
            defs = Lines(&defs),
            catch_all_docs = Opt(&catch_all_docs),
            catch_all,
            rt,
            type_name = lit(type_name),
            values = Lines(&values),
            value_features = feature_block("features", &value_features),
            value_versions = feature_block("versions", &value_versions),
            route = Opt(&self.route_clause(id)),
        )
    }
}

/// `"wire": ["feature", ..],`: one entry of a `features { .. }` block of
/// the runtime's macros.
pub(super) fn feature_entry(cfg: &Option<String>, wire: &str, features: &[String]) -> String {
    code!(
        "#cfg\n#wire: [#list],",
        cfg = Opt(cfg),
        wire = lit(wire),
        list = lits(features)
    )
}

/// `label { .. }` (`features`, `member_features`) of the runtime's
/// macros, or nothing without entries.
pub(super) fn feature_block(label: &str, entries: &[String]) -> String {
    if entries.is_empty() {
        return String::new();
    }
    code!("#label {\n#entries\n}", label, entries = Lines(entries))
}
