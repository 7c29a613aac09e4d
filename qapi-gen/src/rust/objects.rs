//! Structs and unions (and the types of command arguments and event
//! data): the type and its `object_impls!`; a union's branch enum and its
//! `branch_impls!`.

use proc_macro2::Ident;

use super::code::{code, lit, lits, Lines, Opt};
use super::cond::Gate;
use super::enums::{feature_block, feature_entry};
use super::versions::versions_entry;
use super::{Field, Gen, GenerateError};
use crate::schema::{Entity, EntityId, EntityKind, ObjectType};

/// An object type to generate.
pub(super) struct ObjectItem<'f> {
    pub ident: &'f Ident,
    /// The name the per-type settings (`type_derive`, ...) know it by.
    pub name: &'f str,
    /// `Object::TYPE_NAME`.
    pub object_name: &'f str,
    pub docs: Option<String>,
    pub cfg: Option<String>,
    /// `#[deprecated]` of a command or event.
    pub deprecated: Option<String>,
    pub fields: &'f [Field],
    pub features: &'f [String],
    /// The field keeping undeclared members (a `'gen': false` command).
    pub extra: Option<&'f Ident>,
    /// A union: its discriminator's field.
    pub branch: Option<&'f Ident>,
    /// `route "..";` (see [`Gen::route_clause`]).
    pub route: Option<String>,
}

/// A union's branch as generated.
struct BranchPlan {
    /// The variant (same name as the discriminator enum's variant).
    ident: Ident,
    /// The branch type (unboxed), `None` for a branch without members.
    ty: Option<String>,
    boxed: bool,
    cfg: Option<String>,
    docs: Option<String>,
}

impl Gen<'_> {
    pub(super) fn struct_item(
        &self,
        id: EntityId,
        entity: &Entity,
        o: &ObjectType,
    ) -> Result<String, GenerateError> {
        let fields = self.fields(id, &o.members, self.doc_of(entity), false)?;
        let type_name = &entity.name;
        Ok(self.object_type(&ObjectItem {
            ident: self.ident(id),
            name: type_name,
            object_name: type_name,
            docs: self.item_docs(entity, &format!("The QAPI struct `{type_name}`."), &[]),
            cfg: self.gate(entity.cond.as_ref()).attr(),
            deprecated: None,
            fields: &fields,
            features: &self.feature_names(&entity.features),
            extra: None,
            branch: None,
            route: self.route_clause(id),
        }))
    }

    /// The struct of an object type (a unit struct without members) and
    /// its `object_impls!`.
    pub(super) fn object_type(&self, item: &ObjectItem) -> String {
        let rt = &self.rt;
        let ObjectItem { ident, fields, .. } = item;
        let type_features = if item.features.is_empty() {
            String::new()
        } else {
            code!("features [#list];", list = lits(item.features))
        };
        let unit = fields.is_empty() && item.extra.is_none();
        let base: &[&str] = if unit {
            &[
                "Debug",
                "Clone",
                "Copy",
                "Default",
                "PartialEq",
                "Eq",
                "Hash",
            ]
        } else if fields.iter().all(|f| f.optional) {
            &["Debug", "Clone", "Default", "PartialEq"]
        } else {
            &["Debug", "Clone", "PartialEq"]
        };
        let header = code!(
            "#docs\n#cfg\n#attrs\n#deprecated",
            docs = Opt(&item.docs),
            cfg = Opt(&item.cfg),
            attrs = self.type_attrs(item.name, base),
            deprecated = Opt(&item.deprecated),
        );
        let cfg = Opt(&item.cfg);
        let object_name = lit(item.object_name);
        if unit {
            return code!(
                r#"#header
pub struct #ident;
#cfg
#rt::__private::object_impls! {
#ident = #object_name;
#type_features
#route
}"#,
                header,
                ident,
                cfg,
                rt,
                object_name,
                type_features,
                route = Opt(&item.route),
            );
        }
        let mut defs: Vec<String> = fields.iter().map(field_def).collect();
        let mut members = Vec::new();
        let mut member_features = Vec::new();
        let mut member_versions = Vec::new();
        // Each member is numbered by its place in the list (conditional ones
        // too): the macro dispatches a decoded member by that number.
        for (index, field) in item.fields.iter().enumerate() {
            let kind = if Some(&field.ident) == item.branch {
                "tag"
            } else {
                field.kind()
            };
            members.push(code!(
                "#cfg\n#kind[#index] #ident: #ty = #wire,",
                cfg = Opt(&field.cfg),
                kind,
                index = index.to_string(),
                ident = field.ident,
                ty = field.ty,
                wire = lit(&field.wire)
            ));
            if !field.features.is_empty() {
                member_features.push(feature_entry(&field.cfg, &field.wire, &field.features));
            }
            if let Some(labels) = &field.versions {
                member_versions.push(versions_entry(&field.cfg, &field.wire, labels));
            }
        }
        let mut clauses = Vec::new();
        if let Some(extra) = item.extra {
            let docs = self.docs(
                "Members the schema does not declare: the command takes arbitrary ones \
                 (`'gen': false`), e.g. a device's properties.",
            );
            defs.push(code!(
                "#docs\npub #extra: #rt::serde_json::Map<String, #rt::serde_json::Value>,",
                docs = Opt(&docs),
                extra,
                rt
            ));
            clauses.push(code!("extra #extra;", extra));
        }
        if let Some(tag) = item.branch {
            clauses.push(code!("branch #tag;", tag));
        }
        code!(
            r#"#header
pub struct #ident {
#defs
}
#cfg
#rt::__private::object_impls! {
#ident = #object_name {
#members
}
#clauses
#type_features
#member_features
#member_versions
#route
}
#builder"#,
            header,
            ident,
            defs = Lines(&defs),
            cfg,
            rt,
            object_name,
            members = Lines(&members),
            clauses = Lines(&clauses),
            type_features,
            member_features = feature_block("member_features", &member_features),
            member_versions = feature_block("member_versions", &member_versions),
            route = Opt(&item.route),
            builder = self.object_builder(item),
        )
    }

    pub(super) fn union_item(
        &self,
        id: EntityId,
        entity: &Entity,
        o: &ObjectType,
    ) -> Result<String, GenerateError> {
        let rt = &self.rt;
        let Some(variants) = &o.variants else {
            return self.struct_item(id, entity, o);
        };
        let mut fields = self.fields(id, &o.members, self.doc_of(entity), false)?;
        let Some(tag_index) = fields.iter().position(|f| f.wire == variants.tag) else {
            return self.struct_item(id, entity, o);
        };
        let Some(tag_id) = variants.tag_type else {
            return self.struct_item(id, entity, o);
        };
        let EntityKind::Enum(tag_enum) = &self.schema.entity(tag_id).kind else {
            return self.struct_item(id, entity, o);
        };
        let name = self.ident(id);
        let branch_name = &self.branch_idents[&id];
        let tag_ty = self.ident(tag_id);
        let tag_doc = self.doc_of(self.schema.entity(tag_id));
        let (tag_variants, catch_all) = self.enum_variants(tag_enum);
        fields[tag_index].ty = branch_name.to_string();

        // One branch per discriminator value the conditions keep.
        let mut branches = Vec::new();
        for (value, value_ident) in &tag_variants {
            let Some(variant) = variants.variants.iter().find(|v| v.name == value.name) else {
                continue;
            };
            let gate = self.gate(variant.cond.as_ref().or(value.cond.as_ref()));
            if matches!(gate, Gate::Drop) {
                continue;
            }
            let empty = matches!(&self.schema.entity(variant.ty).kind,
                EntityKind::Object(b) if b.implicit && b.members.is_empty() && b.variants.is_none());
            // The type's own name: `type_ref` would box a recursive one.
            let ty = (!empty)
                .then(|| self.type_ref(id, variant.ty, false))
                .transpose()?;
            let features = self.feature_names(&value.features);
            branches.push(BranchPlan {
                ident: value_ident.clone(),
                ty: ty.map(|_| self.ident(variant.ty).to_string()),
                boxed: self.boxed.contains(&(id, variant.ty)),
                cfg: gate.attr(),
                docs: self.with_note(
                    self.member_docs(
                        tag_doc,
                        &value.name,
                        variant.cond.as_ref(),
                        &features,
                        false,
                    ),
                    self.branch_versions_note(id, &value.name),
                ),
            });
        }

        let type_name = &entity.name;
        let tag_wire = &variants.tag;
        let extra = format!(
            "The discriminator `{tag_wire}` and the members that depend on it are the field \
             `{}` ([`{branch_name}`]).",
            fields[tag_index].ident
        );
        let object = self.object_type(&ObjectItem {
            ident: name,
            name: type_name,
            object_name: type_name,
            docs: self.item_docs(entity, &format!("The QAPI union `{type_name}`."), &[extra]),
            cfg: self.gate(entity.cond.as_ref()).attr(),
            deprecated: None,
            fields: &fields,
            features: &self.feature_names(&entity.features),
            extra: None,
            branch: Some(&fields[tag_index].ident),
            route: self.route_clause(id),
        });

        let mut variant_defs = Vec::new();
        let mut with_members = Vec::new();
        let mut without_members = Vec::new();
        for b in &branches {
            let BranchPlan { ident, cfg, .. } = b;
            let cfg = Opt(cfg);
            let docs = Opt(&b.docs);
            match &b.ty {
                Some(ty) => {
                    let field = if b.boxed {
                        format!("Box<{ty}>")
                    } else {
                        ty.clone()
                    };
                    variant_defs.push(code!(
                        "#docs\n#cfg\n#ident(#field),",
                        docs,
                        cfg,
                        ident,
                        field
                    ));
                    with_members.push(code!("#cfg\n#ident(#ty),", cfg, ident, ty));
                }
                None => {
                    variant_defs.push(code!("#docs\n#cfg\n#ident,", docs, cfg, ident));
                    without_members.push(code!("#cfg\n#ident,", cfg, ident));
                }
            }
        }
        let empty = if without_members.is_empty() {
            String::new()
        } else {
            code!("empty {\n#list\n}", list = Lines(&without_members))
        };
        let branch_docs = self.docs(&format!(
            "The branches of [`{name}`], selected by its discriminator `{tag_wire}`."
        ));
        let unknown_docs = self.docs(
            "A discriminator value this build does not know (from a newer QEMU), with the \
             branch's members as received: encoded back unchanged.",
        );
        let branch_attrs = self.type_attrs(type_name, &["Debug", "Clone", "PartialEq"]);
        let cfg = self.gate(entity.cond.as_ref()).attr();
        Ok(code!(
            r#"#object
#branch_docs
#cfg
#branch_attrs
#[allow(clippy::large_enum_variant)]
pub enum #branch_name {
#variant_defs
#unknown_docs
#catch_all(#rt::UnknownBranch),
}
#cfg
#rt::__private::branch_impls! {
#branch_name: #tag_ty, #catch_all {
#with_members
}
#empty
}
#builder"#,
            object,
            branch_docs = Opt(&branch_docs),
            cfg = Opt(&cfg),
            branch_attrs,
            branch_name,
            variant_defs = Lines(&variant_defs),
            unknown_docs = Opt(&unknown_docs),
            catch_all,
            rt,
            tag_ty,
            with_members = Lines(&with_members),
            empty,
            builder = self.union_builder(
                id,
                &cfg,
                (name, &fields, &fields[tag_index].ident),
                branch_name,
                branches.iter().map(|b| (&b.ident, b.ty.as_deref(), &b.cfg)),
            ),
        ))
    }
}

/// `pub field: T,` with its docs and attributes.
pub(super) fn field_def(field: &Field) -> String {
    let ty = if field.optional {
        format!("Option<{}>", field.ty)
    } else {
        field.ty.clone()
    };
    code!(
        "#docs\n#cfg\n#deprecated\npub #ident: #ty,",
        docs = Opt(&field.docs),
        cfg = Opt(&field.cfg),
        deprecated = Opt(&field.deprecated),
        ident = field.ident,
        ty
    )
}
