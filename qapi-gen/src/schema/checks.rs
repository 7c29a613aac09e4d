//! The semantic checks, as QEMU's `QAPISchema.check()`: each entity's
//! `check()` then `connect_doc()`, in definition order, then the
//! documentation's own checks and the feature limit.

use std::collections::{HashMap, HashSet};

use super::build::{labelled, Builder, Info, Kind, MemberDef, Role, Slot};
use super::c_name;
use super::model::{EntityId, JsonType};
use crate::diag::{Diagnostic, Span};
use crate::parse::DocId;

/// How deeply type checks may nest (a base's base, a branch type's branch
/// type, ...).  QEMU's Python recursion limit stops it much earlier; this
/// keeps us from exhausting the stack instead.
const MAX_NESTING: usize = 200;

/// QEMU's limit on distinct feature names (they become bits of a mask).
const MAX_FEATURES: usize = 64;

/// Members seen so far, by C name (QEMU's `seen` dictionaries).
#[derive(Clone, Default)]
struct Seen {
    members: Vec<MemberDef>,
    by_c_name: HashMap<String, usize>,
}

impl Seen {
    fn get(&self, c_name: &str) -> Option<&MemberDef> {
        self.by_c_name.get(c_name).map(|&i| &self.members[i])
    }
}

/// The JSON types an alternate tells its branches apart by (QEMU's
/// `QTYPE_*`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
enum QType {
    Null,
    String,
    Num,
    Bool,
    List,
    Dict,
}

impl Builder {
    pub fn check_all(&mut self) -> Result<(), Diagnostic> {
        for index in 0..self.slots.len() {
            if let Slot::Def(id) = self.slots[index] {
                self.check_entity(id)?;
                self.connect_doc(id)?;
            }
        }
        for doc in &self.docs {
            doc.check()?;
        }
        if let Some((_, info)) = self.feature_names.get(MAX_FEATURES) {
            return Err(self.error(
                info.as_ref(),
                format!("Maximum of {MAX_FEATURES} schema features is permitted"),
            ));
        }
        Ok(())
    }

    fn check_entity(&mut self, id: EntityId) -> Result<(), Diagnostic> {
        if matches!(self.def(id).kind, Kind::Object(_)) {
            return self.check_object(id, 0);
        }
        self.check_definition(id)?;
        match self.def(id).kind {
            Kind::Enum { .. } => self.check_enum(id),
            Kind::Array { .. } => self.check_array(id),
            Kind::Alternate { .. } => self.check_alternate(id),
            Kind::Command(_) => self.check_command(id),
            Kind::Event(_) => self.check_event(id),
            Kind::Builtin(_) | Kind::Object(_) => Ok(()),
        }
    }

    /// What every definition checks: its features.
    fn check_definition(&mut self, id: EntityId) -> Result<(), Diagnostic> {
        let def = self.def_mut(id);
        def.checked = true;
        let def = self.def(id);
        let info = def.info.as_ref();
        let mut seen = Seen::default();
        for feature in &def.features {
            self.check_clash(feature, info, &mut seen)?;
        }
        if def.is_type() {
            if let Some(feature) = def.features.iter().find(|f| f.is_special_feature()) {
                let message = format!("feature '{}' is not supported for types", feature.name);
                return Err(labelled(self.error(info, message), feature.span));
            }
        }
        Ok(())
    }

    /// QEMU's `QAPISchemaMember.check_clash`: add `member` to `seen`
    /// unless its C name is taken.
    fn check_clash(
        &self,
        member: &MemberDef,
        info: Option<&Info>,
        seen: &mut Seen,
    ) -> Result<(), Diagnostic> {
        let name = c_name(&member.name);
        if let Some(other) = seen.get(&name) {
            let message = format!(
                "{} collides with {}",
                member.describe(info),
                other.describe(info)
            );
            return Err(labelled(self.error(info, message), member.span));
        }
        seen.by_c_name.insert(name, seen.members.len());
        seen.members.push(member.clone());
        Ok(())
    }

    /// QEMU's `resolve_type`.
    fn resolve_type(
        &self,
        name: &str,
        info: Option<&Info>,
        what: &str,
        label: Option<Span>,
    ) -> Result<EntityId, Diagnostic> {
        self.lookup_type(name).ok_or_else(|| {
            let message = format!("{what} uses unknown type '{name}'");
            labelled(self.error(info, message), label)
        })
    }

    /// QEMU's `QAPISchemaObjectTypeMember.check`: resolve the type, check
    /// the features.
    fn check_member(
        &self,
        member: &mut MemberDef,
        info: Option<&Info>,
    ) -> Result<EntityId, Diagnostic> {
        let what = member.describe(info);
        let ty = self.resolve_type(&member.type_name, info, &what, member.type_span)?;
        member.ty = Some(ty);
        let mut seen = Seen::default();
        for feature in &member.features {
            self.check_clash(feature, info, &mut seen)?;
        }
        Ok(ty)
    }

    fn check_enum(&mut self, id: EntityId) -> Result<(), Diagnostic> {
        let def = self.def(id);
        let Kind::Enum { values, .. } = &def.kind else {
            return Ok(());
        };
        let mut seen = Seen::default();
        for value in values {
            self.check_clash(value, def.info.as_ref(), &mut seen)?;
        }
        Ok(())
    }

    fn check_array(&mut self, id: EntityId) -> Result<(), Diagnostic> {
        let def = self.def(id);
        let Kind::Array {
            element_name,
            element_span,
            ..
        } = &def.kind
        else {
            return Ok(());
        };
        // Only built-in arrays have no info, and they never fail.
        let what = def.info.as_ref().map_or("", |i| i.meta.as_str());
        let element = self.resolve_type(element_name, def.info.as_ref(), what, *element_span)?;
        if let Kind::Array { element: slot, .. } = &mut self.def_mut(id).kind {
            *slot = Some(element);
        }
        Ok(())
    }

    fn object(&self, id: EntityId) -> Option<&super::build::ObjectDef> {
        match &self.def(id).kind {
            Kind::Object(object) => Some(object),
            _ => None,
        }
    }

    fn object_mut(&mut self, id: EntityId) -> &mut super::build::ObjectDef {
        match &mut self.def_mut(id).kind {
            Kind::Object(object) => object,
            _ => unreachable!("called for object types only"),
        }
    }

    fn is_struct(&self, id: EntityId) -> bool {
        self.object(id).is_some_and(|o| o.branches.is_none())
    }

    fn nesting_error(&self, info: Option<&Info>) -> Diagnostic {
        self.error(info, format!("types nest deeper than {MAX_NESTING} levels"))
    }

    /// QEMU's `QAPISchemaObjectType.check`, which checks the types whose
    /// C structs this one's contains (base and branches) first.
    fn check_object(&mut self, id: EntityId, depth: usize) -> Result<(), Diagnostic> {
        let Some(object) = self.object(id) else {
            return Ok(());
        };
        if object.complete {
            return Ok(());
        }
        let def = self.def(id);
        if def.checked {
            let message = format!("object {} contains itself", def.name);
            return Err(self.error(def.info.as_ref(), message));
        }
        if depth > MAX_NESTING {
            return Err(self.nesting_error(def.info.as_ref()));
        }
        self.check_definition(id)?;
        let info = self.def(id).info.clone();
        let info = info.as_ref();
        let mut seen = Seen::default();
        if let Some((base_name, span)) = self.object_mut(id).base_name.clone() {
            let base = self.resolve_type(&base_name, info, "'base'", Some(span))?;
            if !self.is_struct(base) {
                let message = format!(
                    "'base' requires a struct type, {} isn't",
                    self.def(base).describe()
                );
                return Err(self.error(info, message).with_label(span));
            }
            self.object_mut(id).base = Some(base);
            self.check_object(base, depth + 1)?;
            self.object_check_clash(base, info, &mut seen, depth + 1)?;
        }
        let mut locals = std::mem::take(&mut self.object_mut(id).local_members);
        for member in &mut locals {
            self.check_member(member, info)?;
            self.check_clash(member, info, &mut seen)?;
        }
        self.object_mut(id).local_members = locals;
        let members = seen.members.clone();
        if self.object_mut(id).branches.is_some() {
            self.check_branches(id, info, &seen, depth)?;
            self.branches_check_clash(id, info, &seen, depth)?;
        }
        let mut reachable: HashSet<String> = members.iter().map(|m| c_name(&m.name)).collect();
        let branch_types: Vec<EntityId> = self
            .object(id)
            .and_then(|o| o.branches.as_ref())
            .map(|b| b.variants.iter().filter_map(|v| v.ty).collect())
            .unwrap_or_default();
        for ty in branch_types {
            if let Some(branch) = self.object(ty) {
                reachable.extend(branch.reachable.iter().cloned());
            }
        }
        let object = self.object_mut(id);
        object.members = members;
        object.reachable = reachable;
        object.complete = true;
        Ok(())
    }

    /// QEMU's `QAPISchemaObjectType.check_clash`: this type's members and
    /// those of each branch must not clash with `seen`.
    fn object_check_clash(
        &self,
        id: EntityId,
        info: Option<&Info>,
        seen: &mut Seen,
        depth: usize,
    ) -> Result<(), Diagnostic> {
        if depth > MAX_NESTING {
            return Err(self.nesting_error(info));
        }
        let Some(object) = self.object(id) else {
            return Ok(());
        };
        for member in &object.members {
            self.check_clash(member, info, seen)?;
        }
        if object.branches.is_some() {
            self.branches_check_clash(id, info, seen, depth)?;
        }
        Ok(())
    }

    /// QEMU's `QAPISchemaBranches.check_clash`: each branch separately.
    fn branches_check_clash(
        &self,
        id: EntityId,
        info: Option<&Info>,
        seen: &Seen,
        depth: usize,
    ) -> Result<(), Diagnostic> {
        let Some(branches) = self.object(id).and_then(|o| o.branches.as_ref()) else {
            return Ok(());
        };
        for variant in &branches.variants {
            let Some(ty) = variant.ty else { continue };
            // QEMU walks every path through nested unions, which takes
            // exponential time when branch types are shared; walk only
            // where a clash is possible (the first error stays the same).
            let clash_possible = self.object(ty).is_some_and(|branch| {
                seen.by_c_name
                    .keys()
                    .any(|name| branch.reachable.contains(name))
            });
            if clash_possible {
                self.object_check_clash(ty, info, &mut seen.clone(), depth + 1)?;
            }
        }
        Ok(())
    }

    /// QEMU's `QAPISchemaBranches.check`: the discriminator, implicit
    /// empty branches, and each branch's type.
    fn check_branches(
        &mut self,
        id: EntityId,
        info: Option<&Info>,
        seen: &Seen,
        depth: usize,
    ) -> Result<(), Diagnostic> {
        let Some(branches) = self.object_mut(id).branches.as_mut() else {
            return Ok(());
        };
        let tag_name = branches.tag_name.clone();
        let tag_span = branches.tag_span;
        let mut variants = std::mem::take(&mut branches.variants);
        let tag = match seen.get(&c_name(&tag_name)) {
            Some(tag) if tag.name == tag_name => tag.clone(),
            _ => {
                let message = format!("discriminator '{tag_name}' is not a member of 'base'");
                return Err(self.error(info, message).with_label(tag_span));
            }
        };
        let base = match self.lookup_type(&tag.defined_in) {
            Some(base) if !self.def(base).is_implicit() => {
                format!("base type '{}'", tag.defined_in)
            }
            _ => "'base'".to_string(),
        };
        let tag_error = |what: &str| {
            let message = format!("discriminator member '{tag_name}' of {base} must {what}");
            self.error(info, message).with_label(tag_span)
        };
        let tag_type = tag
            .ty
            .filter(|&ty| matches!(self.def(ty).kind, Kind::Enum { .. }));
        let Some(tag_type) = tag_type else {
            return Err(tag_error("be of enum type"));
        };
        if tag.optional {
            return Err(tag_error("not be optional"));
        }
        if tag.cond.is_some() {
            return Err(tag_error("not be conditional"));
        }
        let values: Vec<(String, Option<crate::check::ast::Cond>)> = match &self.def(tag_type).kind
        {
            Kind::Enum { values, .. } => values
                .iter()
                .map(|v| (v.name.clone(), v.cond.clone()))
                .collect(),
            _ => Vec::new(),
        };
        // Values without a branch get the empty type.
        let cases: HashSet<String> = variants.iter().map(|v| v.name.clone()).collect();
        for (name, cond) in &values {
            if !cases.contains(name) {
                let mut variant = MemberDef::new(name, Role::Branch, None, cond.clone());
                variant.defined_in = tag.defined_in.clone();
                variant.type_name = "q_empty".to_string();
                variants.push(variant);
            }
        }
        if variants.is_empty() {
            return Err(self.error(info, "union has no branches"));
        }
        for variant in &mut variants {
            let ty = self.check_member(variant, info)?;
            if !values.iter().any(|(name, _)| *name == variant.name) {
                let message = format!(
                    "branch '{}' is not a value of {}",
                    variant.name,
                    self.def(tag_type).describe()
                );
                return Err(labelled(self.error(info, message), variant.span));
            }
            if self.object(ty).is_none() {
                let message = format!(
                    "{} cannot use {}",
                    variant.describe(info),
                    self.def(ty).describe()
                );
                return Err(labelled(self.error(info, message), variant.type_span));
            }
            self.check_object(ty, depth + 1)?;
        }
        if let Some(branches) = self.object_mut(id).branches.as_mut() {
            branches.variants = variants;
            branches.tag = Some(tag);
        }
        Ok(())
    }

    /// The JSON type of values of a type (QEMU's `json_type()`).
    fn json_type(&self, id: EntityId) -> Option<JsonType> {
        Some(match &self.def(id).kind {
            Kind::Builtin(builtin) => builtin.json_type(),
            Kind::Enum { .. } => JsonType::String,
            Kind::Array { .. } => JsonType::Array,
            Kind::Object(_) => JsonType::Object,
            Kind::Alternate { .. } => JsonType::Value,
            Kind::Command(_) | Kind::Event(_) => return None,
        })
    }

    /// QEMU's `alternate_qtype()`: `None` for types an alternate can't use.
    fn alternate_qtype(&self, id: EntityId) -> Option<QType> {
        match self.json_type(id)? {
            JsonType::Null => Some(QType::Null),
            JsonType::String => Some(QType::String),
            JsonType::Number | JsonType::Int => Some(QType::Num),
            JsonType::Boolean => Some(QType::Bool),
            JsonType::Array => Some(QType::List),
            JsonType::Object => Some(QType::Dict),
            JsonType::Value => None,
        }
    }

    fn check_alternate(&mut self, id: EntityId) -> Result<(), Diagnostic> {
        let info = self.def(id).info.clone();
        let info = info.as_ref();
        let Kind::Alternate { tag, variants } = &mut self.def_mut(id).kind else {
            return Ok(());
        };
        let mut tag = tag.clone();
        let mut variants = std::mem::take(variants);
        self.check_member(&mut tag, info)?;
        for variant in &mut variants {
            self.check_member(variant, info)?;
        }
        // Branch names are not an enum's values: check them here.
        let mut seen = Seen::default();
        let mut types_seen: HashMap<QType, String> = HashMap::new();
        for variant in &variants {
            self.check_clash(variant, info, &mut seen)?;
            let Some(ty) = variant.ty else { continue };
            let Some(qtype) = self.alternate_qtype(ty) else {
                let message = format!(
                    "{} cannot use {}",
                    variant.describe(info),
                    self.def(ty).describe()
                );
                return Err(labelled(self.error(info, message), variant.type_span));
            };
            // A string branch takes what looks like a number or boolean on
            // the command line (keyval), so those clash with it.
            let mut conflicting = vec![qtype];
            if qtype == QType::String {
                match &self.def(ty).kind {
                    Kind::Enum { values, .. } => {
                        if values.iter().any(|v| v.name == "on" || v.name == "off") {
                            conflicting.push(QType::Bool);
                        }
                        let numeric = |c: char| "-+0123456789.".contains(c);
                        if values.iter().any(|v| v.name.starts_with(numeric)) {
                            conflicting.push(QType::Num);
                        }
                    }
                    _ => conflicting.extend([QType::Num, QType::Bool]),
                }
            }
            for qtype in conflicting {
                if let Some(other) = types_seen.get(&qtype) {
                    let message = format!(
                        "{} can't be distinguished from '{other}'",
                        variant.describe(info)
                    );
                    return Err(labelled(self.error(info, message), variant.span));
                }
                types_seen.insert(qtype, variant.name.clone());
            }
        }
        if let Kind::Alternate {
            tag: tag_slot,
            variants: variants_slot,
        } = &mut self.def_mut(id).kind
        {
            *tag_slot = tag;
            *variants_slot = variants;
        }
        Ok(())
    }

    /// A command's or event's `data`: an object type; a union or
    /// conditional members only when boxed.
    fn check_arg_type(
        &mut self,
        data: &(String, Span),
        info: Option<&Info>,
        meta: &str,
        boxed: bool,
    ) -> Result<EntityId, Diagnostic> {
        let (name, span) = data;
        let what = format!("{meta}'s 'data'");
        let arg = self.resolve_type(name, info, &what, Some(*span))?;
        let Some(object) = self.object(arg) else {
            let message = format!("{what} cannot take {}", self.def(arg).describe());
            return Err(self.error(info, message).with_label(*span));
        };
        if object.branches.is_some() && !boxed {
            let message = format!(
                "{what} can take {} only with 'boxed': true",
                self.def(arg).describe()
            );
            return Err(self.error(info, message).with_label(*span));
        }
        self.check_object(arg, 0)?;
        let conditional = self
            .object(arg)
            .is_some_and(|o| o.members.iter().any(|m| m.cond.is_some()));
        if conditional && !boxed {
            let message = format!("conditional {meta} arguments require 'boxed': true");
            return Err(self.error(info, message).with_label(*span));
        }
        Ok(arg)
    }

    fn check_command(&mut self, id: EntityId) -> Result<(), Diagnostic> {
        let def = self.def(id);
        let Kind::Command(command) = &def.kind else {
            return Ok(());
        };
        let info = def.info.clone();
        let info = info.as_ref();
        let name = def.name.clone();
        let (data, returns, boxed) = (command.data.clone(), command.returns.clone(), command.boxed);
        let arg_type = match &data {
            Some(data) => Some(self.check_arg_type(data, info, "command", boxed)?),
            None => None,
        };
        let mut ret_type = None;
        if let Some((ret_name, span)) = &returns {
            let ret = self.resolve_type(ret_name, info, "command's 'returns'", Some(*span))?;
            ret_type = Some(ret);
            if !self.pragma.command_returns_exceptions.contains(&name) {
                let returned = match &self.def(ret).kind {
                    Kind::Array { element_name, .. } => self.lookup_type(element_name),
                    _ => Some(ret),
                };
                if returned.and_then(|ty| self.object(ty)).is_none() {
                    let message = format!(
                        "command's 'returns' cannot take {}",
                        self.def(ret).describe()
                    );
                    return Err(self.error(info, message).with_label(*span));
                }
            }
        }
        if let Kind::Command(command) = &mut self.def_mut(id).kind {
            command.arg_type = arg_type;
            command.ret_type = ret_type;
        }
        Ok(())
    }

    fn check_event(&mut self, id: EntityId) -> Result<(), Diagnostic> {
        let def = self.def(id);
        let Kind::Event(event) = &def.kind else {
            return Ok(());
        };
        let info = def.info.clone();
        let (data, boxed) = (event.data.clone(), event.boxed);
        let arg_type = match &data {
            Some(data) => Some(self.check_arg_type(data, info.as_ref(), "event", boxed)?),
            None => None,
        };
        if let Kind::Event(event) = &mut self.def_mut(id).kind {
            event.arg_type = arg_type;
        }
        Ok(())
    }

    /// QEMU's `connect_doc()`: match the definition's documentation with
    /// its members and features.
    fn connect_doc(&mut self, id: EntityId) -> Result<(), Diagnostic> {
        match self.def(id).doc {
            Some(doc) => self.connect_doc_to(id, doc),
            None => Ok(()),
        }
    }

    /// Connect `id`'s members and features to `doc` (which documents `id`,
    /// or the definition `id` is implicit in).
    fn connect_doc_to(&mut self, id: EntityId, doc: DocId) -> Result<(), Diagnostic> {
        let def = self.def(id).clone();
        let Some(info) = &def.info else {
            return Ok(());
        };
        self.connect_features(&def.features, doc, info)?;
        match &def.kind {
            Kind::Enum { values, .. } => self.connect_members(values, doc, info)?,
            Kind::Object(object) => {
                if let Some(base) = object.base.filter(|&b| self.def(b).is_implicit()) {
                    self.connect_doc_to(base, doc)?;
                }
                self.connect_members(&object.local_members, doc, info)?;
            }
            Kind::Alternate { variants, .. } => self.connect_members(variants, doc, info)?,
            Kind::Command(super::build::CommandDef { arg_type, .. })
            | Kind::Event(super::build::EventDef { arg_type, .. }) => {
                if let Some(arg) = arg_type.filter(|&a| self.def(a).is_implicit()) {
                    self.connect_doc_to(arg, doc)?;
                }
            }
            Kind::Builtin(_) | Kind::Array { .. } => {}
        }
        Ok(())
    }

    fn connect_members(
        &mut self,
        members: &[MemberDef],
        doc: DocId,
        info: &Info,
    ) -> Result<(), Diagnostic> {
        for member in members {
            let role = member.role.as_str();
            self.docs[doc]
                .connect_member(&member.name, role, info.span, &self.pragma)
                .map_err(|e| self.at_member(e, info, member.span))?;
            self.connect_features(&member.features, doc, info)?;
        }
        Ok(())
    }

    fn connect_features(
        &mut self,
        features: &[MemberDef],
        doc: DocId,
        info: &Info,
    ) -> Result<(), Diagnostic> {
        for feature in features {
            self.docs[doc]
                .connect_feature(&feature.name, info.span)
                .map_err(|e| self.at_member(e, info, feature.span))?;
        }
        Ok(())
    }

    /// An error the documentation reports at a member's info: QEMU's info
    /// names the definition; the snippet shows the member.
    fn at_member(&self, error: Diagnostic, info: &Info, member: Option<Span>) -> Diagnostic {
        let mut error = error;
        if error.context.is_none() && error.span == Some(info.span) {
            error = error.in_definition(info.meta.as_str(), &info.name);
        }
        if error.label.is_none() {
            error = labelled(error, member);
        }
        error
    }
}
