//! Enums, structs, unions and alternates at the top level, and the object
//! impls that commands and events share.

use proc_macro2::Ident;

use super::code::{code, lit, lits, serde_impls, Lines, List};
use super::cond::Gate;
use super::names::{self, Scope};
use super::{Field, Gen, GenerateError, Shape};
use crate::schema::{
    AlternateType, Builtin, Entity, EntityId, EntityKind, EnumType, JsonType, ObjectType,
};

/// A union's branch as generated.
struct BranchPlan {
    /// The variant (same name as the discriminator enum's variant).
    ident: Ident,
    /// The discriminator enum's variant for it.
    tag_cfg: String,
    /// The branch type, `None` for an empty branch.
    ty: Option<String>,
    /// The branch type's name (for its slots), unboxed.
    slots_of: Option<String>,
    boxed: bool,
    cfg: String,
    docs: String,
}

impl Gen<'_> {
    /// Every named type the filter and conditions keep, in schema order.
    pub(super) fn types(&self) -> Result<String, GenerateError> {
        let mut items = Vec::new();
        for (id, entity) in self.schema.iter() {
            if !self.is_kept(id) {
                continue;
            }
            let item = match &entity.kind {
                EntityKind::Enum(e) => self.enum_item(id, entity, e),
                EntityKind::Object(o) if o.implicit => continue,
                EntityKind::Object(o) if o.variants.is_some() => self.union_item(id, entity, o)?,
                EntityKind::Object(o) => self.struct_item(id, entity, o)?,
                EntityKind::Alternate(a) => self.alternate_item(id, entity, a)?,
                _ => continue,
            };
            items.push(item);
        }
        Ok(items.join("\n"))
    }

    /// `use` lines opening every `const _` block of impls.
    pub(super) fn prelude(&self) -> String {
        let rt = &self.rt;
        code!(
            "use ::core::result::Result;\nuse #rt::{__private as rt, serde};",
            rt
        )
    }

    /// The variants of an enum: for each value the conditions keep, the
    /// value and its identifier; and the identifier of the catch-all
    /// variant (`Unknown`, or `UnknownValue` when a value takes `Unknown`).
    pub(super) fn enum_variants<'e>(
        &self,
        e: &'e EnumType,
    ) -> (Vec<(&'e crate::schema::EnumMember, Ident)>, Ident) {
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

    fn enum_item(&self, id: EntityId, entity: &Entity, e: &EnumType) -> String {
        let rt = &self.rt;
        let name = self.ident(id);
        let doc = self.doc_of(entity);
        let (variants, catch_all) = self.enum_variants(e);
        let mut defs = Vec::new();
        let mut values = Vec::new();
        let mut wire_names = Vec::new();
        let mut as_str = Vec::new();
        let mut value_features = Vec::new();
        let mut any_deprecated = false;
        for (member, ident) in &variants {
            let gate = self.gate(member.cond.as_ref());
            let cfg = gate.attr();
            let features = self.feature_names(&member.features);
            let deprecated = self.deprecated_attr(&member.features);
            any_deprecated |= !deprecated.is_empty();
            let docs = self.with_note(
                self.member_docs(doc, &member.name, member.cond.as_ref(), &features, false),
                self.value_versions_note(id, &member.name),
            );
            let wire = lit(&member.name);
            defs.push(code!(
                "#docs\n#cfg\n#deprecated\n#ident,",
                docs,
                cfg,
                deprecated,
                ident
            ));
            values.push(code!("#cfg Self::#ident", cfg, ident));
            wire_names.push(code!("#cfg #wire", cfg, wire));
            as_str.push(code!("#cfg\nSelf::#ident => #wire,", cfg, ident, wire));
            if !features.is_empty() {
                value_features.push(code!(
                    "#cfg\n(#wire, &[#list]),",
                    cfg,
                    wire,
                    list = List(&lits(&features))
                ));
            }
        }
        let catch_all_docs = self.docs(
            "A value this build does not know (from a newer QEMU): the string \
             received, encoded back unchanged.",
        );
        let type_name = &entity.name;
        let value_features = if value_features.is_empty() {
            String::new()
        } else {
            code!(
                "const VALUE_FEATURES: &'static [(&'static str, &'static [&'static str])] = &[\n#list\n];",
                list = Lines(&value_features)
            )
        };
        let as_unknown_other = if variants.is_empty() {
            ""
        } else {
            "_ => None,"
        };
        let item_docs = self.item_docs(entity, &format!("The QAPI enum `{type_name}`."), &[]);
        let attrs = self.type_attrs(type_name, &["Debug", "Clone", "PartialEq", "Eq", "Hash"]);
        let allow = if any_deprecated {
            "#[allow(deprecated)]"
        } else {
            ""
        };
        let prelude = self.prelude();
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
#allow
const _: () = {
#prelude
impl #rt::Enum for #name {
const NAME: &'static str = #type_name;
const VALUES: &'static [Self] = &[#values];
const NAMES: &'static [&'static str] = &[#wire_names];
#value_features
#span_consts
#[inline]
fn as_str(&self) -> &str {
match self {
#as_str
Self::#catch_all(value) => value.as_str(),
}
}
#[inline]
fn unknown(value: #rt::UnknownValue) -> Self {
Self::#catch_all(value)
}
#[inline]
fn as_unknown(&self) -> Option<&#rt::UnknownValue> {
match self {
Self::#catch_all(value) => Some(value),
#as_unknown_other
}
}
}
impl ::core::fmt::Display for #name {
#[inline]
fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
f.write_str(#rt::Enum::as_str(self))
}
}
impl ::core::str::FromStr for #name {
type Err = #rt::ParseEnumError;
#[inline]
fn from_str(text: &str) -> Result<Self, #rt::ParseEnumError> {
rt::enum_from_str(text)
}
}
#serde
};"#,
            serde = serde_impls(
                &name,
                &"rt::serialize_enum(self, serializer)",
                &"rt::deserialize_enum(deserializer)"
            ),
            item_docs,
            cfg,
            attrs,
            name,
            defs = Lines(&defs),
            catch_all_docs,
            catch_all,
            rt,
            allow,
            prelude,
            type_name = lit(type_name),
            values = List(&values),
            wire_names = List(&wire_names),
            value_features,
            as_str = Lines(&as_str),
            as_unknown_other,
            span_consts = self.enum_consts(id),
        )
    }

    fn struct_item(
        &self,
        id: EntityId,
        entity: &Entity,
        o: &ObjectType,
    ) -> Result<String, GenerateError> {
        let doc = self.doc_of(entity);
        let fields = self.fields(id, &o.members, doc, false)?;
        let type_name = &entity.name;
        let docs = self.item_docs(entity, &format!("The QAPI struct `{type_name}`."), &[]);
        let features = self.feature_names(&entity.features);
        let cfg = self.gate(entity.cond.as_ref()).attr();
        Ok(self.object_type(
            self.ident(id),
            type_name,
            type_name,
            docs,
            &fields,
            &features,
            &cfg,
            String::new(),
            None,
        ))
    }

    /// A struct (or command arguments, or event data) with its impls: a
    /// unit struct when it has no members.  `name` is the type's name for
    /// the per-type settings, `object_name` its [`Object::NAME`].
    #[allow(clippy::too_many_arguments)]
    pub(super) fn object_type(
        &self,
        ident: &Ident,
        name: &str,
        object_name: &str,
        docs: String,
        fields: &[Field],
        features: &[String],
        cfg: &str,
        extra_attrs: String,
        extra: Option<&Ident>,
    ) -> String {
        let rt = &self.rt;
        let prelude = self.prelude();
        let object_name = lit(object_name);
        let span_consts = self.object_consts(name);
        if fields.is_empty() && extra.is_none() {
            let attrs = self.type_attrs(
                name,
                &[
                    "Debug",
                    "Clone",
                    "Copy",
                    "Default",
                    "PartialEq",
                    "Eq",
                    "Hash",
                ],
            );
            let features = type_features_const(features);
            return code!(
                r#"#docs
#cfg
#attrs
#extra_attrs
pub struct #ident;
#cfg
#[allow(deprecated)]
const _: () = {
#prelude
impl #rt::Object for #ident {
const TYPE_NAME: &'static str = #object_name;
#features
#span_consts
type Slots = rt::UnitSlots<Self>;
fn serialize_members<M: serde::ser::SerializeMap>(
&self,
_: &mut M,
) -> Result<(), M::Error> {
Ok(())
}
}
#serde
};"#,
                serde = serde_impls(
                    &ident,
                    &"rt::serialize_object(self, serializer)",
                    &"rt::deserialize_object::<rt::UnitSlots<Self>, D>(deserializer)"
                ),
                docs,
                cfg,
                attrs,
                extra_attrs,
                ident,
                prelude,
                rt,
                object_name,
                features,
                span_consts,
            );
        }
        let all_optional = fields.iter().all(|f| f.optional);
        let base: &[&str] = if all_optional {
            &["Debug", "Clone", "Default", "PartialEq"]
        } else {
            &["Debug", "Clone", "PartialEq"]
        };
        let attrs = self.type_attrs(name, base);
        let mut defs: Vec<String> = fields.iter().map(field_def).collect();
        if let Some(extra) = extra {
            let docs = self.docs(
                "Members the schema does not declare: the command takes arbitrary ones \
                 (`'gen': false`), e.g. a device's properties.",
            );
            defs.push(code!(
                "#docs\npub #extra: #rt::serde_json::Map<String, #rt::serde_json::Value>,",
                docs,
                extra,
                rt
            ));
        }
        let impls = self.object_impls(
            ident,
            &object_name,
            fields,
            features,
            None,
            extra,
            &span_consts,
        );
        let deprecated = any_deprecated(fields) || !extra_attrs.is_empty();
        let allow = if deprecated {
            "#[allow(deprecated)]"
        } else {
            ""
        };
        code!(
            r#"#docs
#cfg
#attrs
#extra_attrs
pub struct #ident {
#defs
}
#cfg
#allow
const _: () = {
#prelude
#impls
};"#,
            docs,
            cfg,
            attrs,
            extra_attrs,
            ident,
            defs = Lines(&defs),
            allow,
            prelude,
            impls,
        )
    }

    /// `Object`, slots, `Serialize` and `Deserialize` of an object type with
    /// `fields`; `tag`: the index of a union's discriminator field, whose
    /// slot selects the branch (`BranchSlots`, defined by the caller).
    /// `object_name` is a string literal; `span_consts` the constants of
    /// [`Gen::object_consts`].
    #[allow(clippy::too_many_arguments)]
    fn object_impls(
        &self,
        ident: &Ident,
        object_name: &str,
        fields: &[Field],
        features: &[String],
        tag: Option<usize>,
        extra: Option<&Ident>,
        span_consts: &str,
    ) -> String {
        let rt = &self.rt;
        let mut slots = Vec::new();
        let mut serialize = Vec::new();
        let mut member_arms = Vec::new();
        let mut finish = Vec::new();
        let mut wire_names = Vec::new();
        let mut member_features = Vec::new();
        for (index, field) in fields.iter().enumerate() {
            let Field {
                ident: f, ty, cfg, ..
            } = field;
            let wire = lit(&field.wire);
            wire_names.push(wire.clone());
            if !field.features.is_empty() {
                member_features.push(code!(
                    "#cfg\n(#wire, &[#list]),",
                    cfg,
                    wire,
                    list = List(&lits(&field.features))
                ));
            }
            if Some(index) == tag {
                slots.push(code!("#f: rt::UnionBranch<BranchSlots>,", f));
                serialize.push(code!(
                    "rt::member(map, #wire, &#rt::Branch::tag(&self.#f))?;",
                    wire,
                    rt,
                    f
                ));
                member_arms.push(code!("#index => self.#f.tag(value),", index, f));
                finish.push(code!("#f: self.#f.finish(#wire)?,", f, wire));
                continue;
            }
            slots.push(code!("#cfg\n#f: Option<#ty>,", cfg, f, ty));
            let call = match (field.optional, field.shape) {
                (false, Shape::Number | Shape::NumberList) => {
                    code!("rt::member(map, #wire, &rt::Number(&self.#f))?;", wire, f)
                }
                (false, _) => code!("rt::member(map, #wire, &self.#f)?;", wire, f),
                (true, Shape::Number | Shape::NumberList) => {
                    code!("rt::optional_number(map, #wire, &self.#f)?;", wire, f)
                }
                (true, _) => code!("rt::optional(map, #wire, &self.#f)?;", wire, f),
            };
            serialize.push(code!("#cfg\n#call", cfg, call));
            let set = match field.shape {
                Shape::List | Shape::NumberList => "rt::set_list",
                _ => "rt::set",
            };
            member_arms.push(code!(
                "#cfg\n#index => #set(&mut self.#f, value),",
                cfg,
                index,
                set,
                f
            ));
            finish.push(if field.optional {
                code!("#cfg\n#f: self.#f,", cfg, f)
            } else {
                code!("#cfg\n#f: rt::required(self.#f, #wire)?,", cfg, f, wire)
            });
        }
        // Where the members of the branch (or the unknown ones) go.
        let branch_member = |body: String| {
            code!(
                r#"fn branch_member<'de, D: serde::Deserializer<'de>>(
&mut self,
key: &str,
value: D,
) -> Result<(), D::Error> {
#body
}"#,
                body
            )
        };
        let (has_branch, branch_member, branch_serialize) = match tag {
            Some(index) => {
                let f = &fields[index].ident;
                (
                    "const HAS_BRANCH: bool = true;".to_string(),
                    branch_member(code!("self.#f.member(key, value)", f)),
                    code!("#rt::Branch::serialize_members(&self.#f, map)?;", rt, f),
                )
            }
            None => match extra {
                Some(f) => {
                    slots.push(code!(
                        "#f: #rt::serde_json::Map<String, #rt::serde_json::Value>,",
                        f,
                        rt
                    ));
                    finish.push(code!("#f: self.#f,", f));
                    (
                        "const HAS_BRANCH: bool = true;".to_string(),
                        branch_member(code!("rt::set_extra(&mut self.#f, key, value)", f)),
                        code!("rt::extra(map, &self.#f)?;", f),
                    )
                }
                None => (String::new(), String::new(), String::new()),
            },
        };
        let features = type_features_const(features);
        let member_features = if member_features.is_empty() {
            String::new()
        } else {
            code!(
                "const MEMBER_FEATURES: &'static [(&'static str, &'static [&'static str])] = &[\n#list\n];",
                list = Lines(&member_features)
            )
        };
        code!(
            r#"#[derive(Default)]
pub struct Slots {
#slots
}
impl #rt::Object for #ident {
const TYPE_NAME: &'static str = #object_name;
#features
#member_features
#span_consts
type Slots = Slots;
fn serialize_members<M: serde::ser::SerializeMap>(
&self,
map: &mut M,
) -> Result<(), M::Error> {
#serialize
#branch_serialize
Ok(())
}
}
impl rt::Slots for Slots {
type Object = #ident;
const MEMBERS: &'static [&'static str] = &[#wire_names];
#has_branch
fn member<'de, D: serde::Deserializer<'de>>(
&mut self,
index: usize,
value: D,
) -> Result<(), D::Error> {
match index {
#member_arms
_ => rt::ignore_member("", value),
}
}
#branch_member
fn finish<E: rt::DeError>(self) -> Result<#ident, E> {
Ok(#ident {
#finish
})
}
}
#serde"#,
            serde = serde_impls(
                &ident,
                &"rt::serialize_object(self, serializer)",
                &"rt::deserialize_object::<Slots, D>(deserializer)"
            ),
            slots = Lines(&slots),
            rt,
            ident,
            object_name,
            features,
            member_features,
            serialize = Lines(&serialize),
            branch_serialize,
            wire_names = List(&wire_names),
            has_branch,
            member_arms = Lines(&member_arms),
            branch_member,
            finish = Lines(&finish),
            span_consts,
        )
    }

    fn union_item(
        &self,
        id: EntityId,
        entity: &Entity,
        o: &ObjectType,
    ) -> Result<String, GenerateError> {
        let rt = &self.rt;
        let Some(variants) = &o.variants else {
            return self.struct_item(id, entity, o);
        };
        let doc = self.doc_of(entity);
        let mut fields = self.fields(id, &o.members, doc, false)?;
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
        let (tag_variants, tag_catch_all) = self.enum_variants(tag_enum);
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
            let boxed = self.boxed.contains(&(id, variant.ty));
            let (ty, slots_of) = if empty {
                (None, None)
            } else {
                let ty = self.type_ref(id, variant.ty, false)?;
                let plain = self.ident(variant.ty);
                (Some(ty), Some(plain.to_string()))
            };
            let features = self.feature_names(&value.features);
            branches.push(BranchPlan {
                ident: value_ident.clone(),
                tag_cfg: self.gate(value.cond.as_ref()).attr(),
                ty,
                slots_of,
                boxed,
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
        let docs = self.item_docs(entity, &format!("The QAPI union `{type_name}`."), &[extra]);
        let attrs = self.type_attrs(type_name, &["Debug", "Clone", "PartialEq"]);
        let defs: Vec<String> = fields.iter().map(field_def).collect();
        let features = self.feature_names(&entity.features);
        let impls = self.object_impls(
            name,
            &lit(type_name),
            &fields,
            &features,
            Some(tag_index),
            None,
            &self.object_consts(type_name),
        );

        let mut variant_defs = Vec::new();
        let mut slot_defs = Vec::new();
        let mut tag_arms = Vec::new();
        let mut serialize_arms = Vec::new();
        let mut select_arms = Vec::new();
        let mut member_arms = Vec::new();
        let mut finish_arms = Vec::new();
        for b in &branches {
            let BranchPlan {
                ident,
                cfg,
                docs,
                tag_cfg,
                ..
            } = b;
            variant_defs.push(match &b.ty {
                Some(ty) => code!("#docs\n#cfg\n#ident(#ty),", docs, cfg, ident, ty),
                None => code!("#docs\n#cfg\n#ident,", docs, cfg, ident),
            });
            slot_defs.push(match (&b.slots_of, b.boxed) {
                (Some(ty), false) => code!(
                    "#cfg\n#ident(<#ty as #rt::Object>::Slots),",
                    cfg,
                    ident,
                    ty,
                    rt
                ),
                (Some(ty), true) => code!(
                    "#cfg\n#ident(Box<<#ty as #rt::Object>::Slots>),",
                    cfg,
                    ident,
                    ty,
                    rt
                ),
                (None, _) => code!("#cfg\n#ident,", cfg, ident),
            });
            let pattern = if b.ty.is_some() { "(_)" } else { "" };
            tag_arms.push(code!(
                "#cfg\nSelf::#ident#pattern => #tag_ty::#ident,",
                cfg,
                ident,
                pattern,
                tag_ty
            ));
            select_arms.push(match (&b.ty, b.boxed) {
                (Some(_), false) => code!("#tag_cfg\n#tag_ty::#ident => Self::#ident(::core::default::Default::default()),", tag_cfg, tag_ty, ident),
                (Some(_), true) => code!("#tag_cfg\n#tag_ty::#ident => Self::#ident(Box::default()),", tag_cfg, tag_ty, ident),
                (None, _) => code!("#tag_cfg\n#tag_ty::#ident => Self::#ident,", tag_cfg, tag_ty, ident),
            });
            finish_arms.push(match (&b.ty, b.boxed) {
                (Some(_), false) => code!("#cfg\nSelf::#ident(slots) => #branch_name::#ident(rt::Slots::finish(slots)?),", cfg, ident, branch_name),
                (Some(_), true) => code!("#cfg\nSelf::#ident(slots) => #branch_name::#ident(Box::new(rt::Slots::finish(*slots)?)),", cfg, ident, branch_name),
                (None, _) => code!("#cfg\nSelf::#ident => #branch_name::#ident,", cfg, ident, branch_name),
            });
            if b.ty.is_some() {
                let value = if b.boxed { "&**branch" } else { "branch" };
                serialize_arms.push(code!(
                    "#cfg\nSelf::#ident(branch) => #rt::Object::serialize_members(#value, map),",
                    cfg,
                    ident,
                    rt,
                    value
                ));
                let slots = if b.boxed { "&mut **slots" } else { "slots" };
                member_arms.push(code!(
                    "#cfg\nSelf::#ident(slots) => rt::branch_member(#slots, key, value),",
                    cfg,
                    ident,
                    slots
                ));
            }
        }
        // Discriminator values without a generated branch (conditions).
        let branchless: Vec<String> = tag_variants
            .iter()
            .filter(|(_, ident)| !branches.iter().any(|b| &b.ident == ident))
            .map(|(value, ident)| {
                let cfg = self.gate(value.cond.as_ref()).attr();
                let wire = lit(&value.name);
                code!(
                    "#cfg\n#tag_ty::#ident => Self::#tag_catch_all(#rt::UnknownValue::new(#wire)),",
                    cfg,
                    tag_ty,
                    ident,
                    rt,
                    wire,
                    tag_catch_all
                )
            })
            .collect();
        let serialize_body = if serialize_arms.is_empty() {
            "let _ = map;\nOk(())".to_string()
        } else {
            code!(
                "match self {\n#arms\n_ => Ok(()),\n}",
                arms = Lines(&serialize_arms)
            )
        };
        let member_body = if member_arms.is_empty() {
            "let _ = self;\nrt::ignore_member(key, value)".to_string()
        } else {
            code!(
                "match self {\n#arms\n_ => rt::ignore_member(key, value),\n}",
                arms = Lines(&member_arms)
            )
        };
        let branch_docs = self.docs(&format!(
            "The branches of [`{name}`], selected by its discriminator `{tag_wire}`."
        ));
        let unknown_docs = self.docs(
            "A discriminator value this build does not know (from a newer QEMU); the \
             branch's members are ignored.",
        );
        let branch_attrs = self.type_attrs(type_name, &["Debug", "Clone", "PartialEq"]);
        let prelude = self.prelude();
        let cfg = self.gate(entity.cond.as_ref()).attr();
        Ok(code!(
            r#"#docs
#cfg
#attrs
pub struct #name {
#defs
}
#branch_docs
#cfg
#branch_attrs
#[allow(clippy::large_enum_variant)]
pub enum #branch_name {
#variant_defs
#unknown_docs
#tag_catch_all(#rt::UnknownValue),
}
#cfg
#[allow(deprecated)]
const _: () = {
#prelude
#impls
#[allow(clippy::large_enum_variant)]
pub enum BranchSlots {
#slot_defs
#tag_catch_all(#rt::UnknownValue),
}
impl #rt::Branch for #branch_name {
type Tag = #tag_ty;
#[inline]
fn tag(&self) -> #tag_ty {
match self {
#tag_arms
Self::#tag_catch_all(value) => #tag_ty::#tag_catch_all(value.clone()),
}
}
fn serialize_members<M: serde::ser::SerializeMap>(
&self,
map: &mut M,
) -> Result<(), M::Error> {
#serialize_body
}
}
impl rt::BranchSlots for BranchSlots {
type Tag = #tag_ty;
type Output = #branch_name;
#[inline]
fn select(tag: #tag_ty) -> Self {
match tag {
#select_arms
#branchless
#tag_ty::#tag_catch_all(value) => Self::#tag_catch_all(value),
}
}
fn member<'de, D: serde::Deserializer<'de>>(
&mut self,
key: &str,
value: D,
) -> Result<(), D::Error> {
#member_body
}
fn finish<E: rt::DeError>(self) -> Result<#branch_name, E> {
Ok(match self {
#finish_arms
Self::#tag_catch_all(value) => #branch_name::#tag_catch_all(value),
})
}
}
};"#,
            docs,
            cfg,
            attrs,
            name,
            defs = Lines(&defs),
            branch_docs,
            branch_attrs,
            branch_name,
            variant_defs = Lines(&variant_defs),
            unknown_docs,
            rt,
            prelude,
            impls,
            slot_defs = Lines(&slot_defs),
            tag_ty,
            tag_arms = Lines(&tag_arms),
            tag_catch_all,
            serialize_body,
            select_arms = Lines(&select_arms),
            branchless = Lines(&branchless),
            member_body,
            finish_arms = Lines(&finish_arms),
        ))
    }

    fn alternate_item(
        &self,
        id: EntityId,
        entity: &Entity,
        a: &AlternateType,
    ) -> Result<String, GenerateError> {
        let name = self.ident(id);
        let doc = self.doc_of(entity);
        let mut scope = Scope::with_reserved(&["Self"]);
        let mut defs = Vec::new();
        let mut decode_arms = Vec::new();
        let mut serialize_arms = Vec::new();
        let mut kinds_covered = Vec::new();
        let mut expecting = Vec::new();
        for variant in &a.variants.variants {
            let ident = names::ident(&scope.claim(names::camel(&variant.name)));
            let gate = self.gate(variant.cond.as_ref());
            if matches!(gate, Gate::Drop) {
                continue;
            }
            let cfg = gate.attr();
            let ty = self.type_ref(id, variant.ty, false)?;
            let docs = self.with_note(
                self.member_docs(doc, &variant.name, variant.cond.as_ref(), &[], false),
                self.branch_versions_note(id, &variant.name),
            );
            defs.push(code!("#docs\n#cfg\n#ident(#ty),", docs, cfg, ident, ty));
            let (kinds, what) = self.json_kinds(variant.ty);
            expecting.push(what);
            kinds_covered.extend(kinds.iter().cloned());
            let kinds = kinds
                .iter()
                .map(|k| format!("rt::JsonKind::{k}"))
                .collect::<Vec<_>>()
                .join(" | ");
            let decode = match self.shape(variant.ty) {
                Shape::List | Shape::NumberList => "rt::deserialize_list(value)",
                _ => "serde::Deserialize::deserialize(value)",
            };
            decode_arms.push(code!(
                "#cfg\n#kinds => #decode.map(Self::#ident),",
                cfg,
                kinds,
                decode,
                ident
            ));
            serialize_arms.push(match self.shape(variant.ty) {
                Shape::Number | Shape::NumberList => code!(
                    "#cfg\nSelf::#ident(value) => serde::Serialize::serialize(&rt::Number(value), serializer),",
                    cfg,
                    ident
                ),
                _ => code!(
                    "#cfg\nSelf::#ident(value) => serde::Serialize::serialize(value, serializer),",
                    cfg,
                    ident
                ),
            });
        }
        let all_kinds = ["Null", "Bool", "Int", "Number", "String", "Object", "Array"];
        let other = if all_kinds
            .iter()
            .all(|k| kinds_covered.contains(&k.to_string()))
        {
            ""
        } else {
            "_ => return None,"
        };
        let expecting = lit(&join_or(&expecting));
        let type_name = &entity.name;
        let docs = self.item_docs(entity, &format!("The QAPI alternate `{type_name}`."), &[]);
        let attrs = self.type_attrs(type_name, &["Debug", "Clone", "PartialEq"]);
        let prelude = self.prelude();
        let serialize_body = if serialize_arms.is_empty() {
            "match *self {}".to_string()
        } else {
            code!("match self {\n#arms\n}", arms = Lines(&serialize_arms))
        };
        let cfg = self.gate(entity.cond.as_ref()).attr();
        Ok(code!(
            r#"#docs
#cfg
#attrs
pub enum #name {
#defs
}
#cfg
const _: () = {
#prelude
impl rt::Alternate for #name {
const EXPECTING: &'static str = #expecting;
fn decode<'de, D: serde::Deserializer<'de>>(
kind: rt::JsonKind,
value: D,
) -> Option<Result<Self, D::Error>> {
Some(match kind {
#decode_arms
#other
})
}
}
#serde
};"#,
            serde = serde_impls(
                &name,
                &serialize_body,
                &"rt::deserialize_alternate(deserializer)"
            ),
            docs,
            cfg,
            attrs,
            name,
            defs = Lines(&defs),
            prelude,
            expecting,
            decode_arms = Lines(&decode_arms),
            other,
            serialize_body,
        ))
    }

    /// The JSON kinds (as `rt::JsonKind` variant names) that select an
    /// alternate branch of type `ty`, and how to name them in messages.
    fn json_kinds(&self, ty: EntityId) -> (Vec<String>, String) {
        let kinds: &[&str] = match &self.schema.entity(ty).kind {
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
        let what = match &self.schema.entity(ty).kind {
            EntityKind::Builtin(b) if b.builtin == Builtin::Number => "a number".to_string(),
            EntityKind::Builtin(b) if b.builtin.json_type() == JsonType::Int => {
                "an integer".to_string()
            }
            EntityKind::Builtin(b) if b.builtin == Builtin::Str => "a string".to_string(),
            EntityKind::Builtin(b) if b.builtin == Builtin::Bool => "a boolean".to_string(),
            EntityKind::Builtin(b) if b.builtin == Builtin::Null => "null".to_string(),
            EntityKind::Enum(_) => format!("a string ({})", self.schema.entity(ty).name),
            EntityKind::Array(_) => "an array".to_string(),
            _ => format!("an object ({})", self.schema.entity(ty).name),
        };
        (kinds.iter().map(|k| k.to_string()).collect(), what)
    }
}

/// `pub field: T,` with its docs and attributes.
pub(super) fn field_def(field: &Field) -> String {
    let Field {
        ident,
        ty,
        cfg,
        deprecated,
        docs,
        ..
    } = field;
    if field.optional {
        code!(
            "#docs\n#cfg\n#deprecated\npub #ident: Option<#ty>,",
            docs,
            cfg,
            deprecated,
            ident,
            ty
        )
    } else {
        code!(
            "#docs\n#cfg\n#deprecated\npub #ident: #ty,",
            docs,
            cfg,
            deprecated,
            ident,
            ty
        )
    }
}

pub(super) fn any_deprecated(fields: &[Field]) -> bool {
    fields.iter().any(|f| !f.deprecated.is_empty())
}

pub(super) fn features_const(features: &[String]) -> String {
    if features.is_empty() {
        return String::new();
    }
    code!(
        "const FEATURES: &'static [&'static str] = &[#list];",
        list = List(&lits(features))
    )
}

/// `a, b or c`.
fn join_or(items: &[String]) -> String {
    match items {
        [] => "nothing".to_string(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// `const TYPE_FEATURES` of `Object`.
fn type_features_const(features: &[String]) -> String {
    if features.is_empty() {
        return String::new();
    }
    code!(
        "const TYPE_FEATURES: &'static [&'static str] = &[#list];",
        list = List(&lits(features))
    )
}
