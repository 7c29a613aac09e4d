//! The semantic checks, as QEMU's `QAPISchema.check()`: each entity's
//! `check()` then `connect_doc()`, in definition order, then the
//! documentation's own checks and the feature limit.
//!
//! Checks first read (resolving names, comparing C names) and then record
//! what they found, so that members are never copied.

use std::collections::{HashMap, HashSet};

use super::build::{
    labelled, semantic_error, Builder, Def, Info, Kind, MemberDef, MemberRef, ObjectDef, Role, Slot,
};
use super::model::{EntityId, JsonType};
use crate::diag::{Diagnostic, Span};
use crate::parse::{DocMode, Pragma};
use crate::rules::Rules;
use crate::schema::doc::Doc;

/// How deeply type checks may nest (a base's base, a branch type's branch
/// type, ...).  QEMU's Python recursion limit stops it much earlier; this
/// keeps us from exhausting the stack instead.
const MAX_NESTING: usize = 200;

/// QEMU's limit on distinct feature names (they become bits of a mask).
const MAX_FEATURES: usize = 64;

/// Members seen so far, by C name (QEMU's `seen` dictionaries).  Most
/// hold a few members, which are cheaper to compare than to hash: the
/// index by C name is made once there are more.
#[derive(Default)]
struct Seen<'s, 'a> {
    members: Vec<&'s MemberDef<'a>>,
    by_c_name: Option<HashMap<&'s str, usize>>,
}

/// How many members [`Seen`] compares one by one.
const SEEN_UNINDEXED: usize = 12;

impl<'s, 'a> Seen<'s, 'a> {
    /// The member whose C name is `c_name`.
    fn get(&self, c_name: &str) -> Option<&'s MemberDef<'a>> {
        match &self.by_c_name {
            Some(index) => index.get(c_name).map(|&i| self.members[i]),
            None => self.members.iter().find(|m| m.c_name == c_name).copied(),
        }
    }

    fn insert(&mut self, member: &'s MemberDef<'a>) {
        self.members.push(member);
        match &mut self.by_c_name {
            Some(index) => {
                index.insert(&member.c_name, self.members.len() - 1);
            }
            None if self.members.len() > SEEN_UNINDEXED => {
                let index = self.members.iter().enumerate();
                self.by_c_name = Some(index.map(|(i, m)| (&*m.c_name, i)).collect());
            }
            None => {}
        }
    }

    /// QEMU's `QAPISchemaMember.check_clash`: add `member` unless its C
    /// name is taken.
    fn check_clash(&mut self, member: &'s MemberDef<'a>, info: Option<&Info>) -> Checked<()> {
        if let Some(other) = self.get(&member.c_name) {
            return Err(clash_error(member, other, info));
        }
        self.insert(member);
        Ok(())
    }

    /// Add members known not to clash with each other (a checked type's).
    fn extend(&mut self, members: impl Iterator<Item = &'s MemberDef<'a>>) {
        for member in members {
            self.insert(member);
        }
    }
}

type Checked<T> = Result<T, Diagnostic>;

fn clash_error(member: &MemberDef, other: &MemberDef, info: Option<&Info>) -> Diagnostic {
    let message = format!(
        "{} collides with {}",
        member.describe(info),
        other.describe(info)
    );
    labelled(semantic_error(info, message), member.span)
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

/// What the union checks need to know of the discriminator member.
struct Tag<'a> {
    ty: Option<EntityId>,
    optional: bool,
    conditional: bool,
    defined_in: std::borrow::Cow<'a, str>,
}

impl<'a> Builder<'a> {
    pub(super) fn check_all(&mut self) -> Checked<()> {
        for index in 0..self.slots.len() {
            if let Slot::Def(id) = self.slots[index] {
                self.check_entity(id)?;
                self.connect_doc(id)?;
            }
        }
        for (id, doc) in self.docs.iter().enumerate() {
            if let Err(issue) = doc.check() {
                // Leniently, a description of nothing stays unattached.
                if !self.raw_docs.contains(&id) {
                    self.doc_mode.report(issue, &mut self.warnings)?;
                }
            }
        }
        if let Some((_, info)) = self.feature_names.get(MAX_FEATURES) {
            return Err(self.error(
                info.as_ref(),
                format!("Maximum of {MAX_FEATURES} schema features is permitted"),
            ));
        }
        Ok(())
    }

    fn check_entity(&mut self, id: EntityId) -> Checked<()> {
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
    fn check_definition(&mut self, id: EntityId) -> Checked<()> {
        self.def_mut(id).checked = true;
        let def = self.def(id);
        let info = def.info.as_ref();
        check_features(&def.features, info)?;
        if def.is_type() {
            if let Some(feature) = def.features.iter().find(|f| f.is_special_feature()) {
                let message = format!("feature '{}' is not supported for types", feature.name);
                return Err(labelled(self.error(info, message), feature.span));
            }
        }
        Ok(())
    }

    /// QEMU's `resolve_type`; `what` names the user in the error.
    fn resolve_type(
        &self,
        name: &str,
        info: Option<&Info>,
        what: impl FnOnce() -> String,
        label: Option<Span>,
    ) -> Checked<EntityId> {
        self.lookup_type(name).ok_or_else(|| {
            let message = format!("{} uses unknown type '{name}'", what());
            labelled(self.error(info, message), label)
        })
    }

    /// QEMU's `QAPISchemaObjectTypeMember.check`: resolve the type, check
    /// the features.  The caller records the type.
    fn check_member(&self, member: &MemberDef, info: Option<&Info>) -> Checked<EntityId> {
        let ty = self.resolve_type(
            &member.type_name,
            info,
            || member.describe(info),
            member.type_span,
        )?;
        check_features(&member.features, info)?;
        Ok(ty)
    }

    fn check_enum(&mut self, id: EntityId) -> Checked<()> {
        let def = self.def(id);
        if let Kind::Enum { values, .. } = &def.kind {
            let mut seen = Seen::default();
            for value in values {
                seen.check_clash(value, def.info.as_ref())?;
            }
        }
        Ok(())
    }

    fn check_array(&mut self, id: EntityId) -> Checked<()> {
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
        let element = self.resolve_type(
            element_name,
            def.info.as_ref(),
            || what.to_string(),
            *element_span,
        )?;
        if let Kind::Array { element: slot, .. } = &mut self.def_mut(id).kind {
            *slot = Some(element);
        }
        Ok(())
    }

    fn object(&self, id: EntityId) -> Option<&ObjectDef<'a>> {
        match &self.def(id).kind {
            Kind::Object(object) => Some(object),
            _ => None,
        }
    }

    fn object_mut(&mut self, id: EntityId) -> &mut ObjectDef<'a> {
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
    fn check_object(&mut self, id: EntityId, depth: usize) -> Checked<()> {
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
        let info = self.def(id).info;
        let info = info.as_ref();
        let base = match self.object(id).and_then(|o| o.base_name.as_ref()) {
            Some((name, span)) => {
                let span = *span;
                let base = self.resolve_type(name, info, || "'base'".to_string(), Some(span))?;
                if !self.is_struct(base) {
                    let message = format!(
                        "'base' requires a struct type, {} isn't",
                        self.def(base).describe()
                    );
                    return Err(self.error(info, message).with_label(span));
                }
                Some(base)
            }
            None => None,
        };
        let local_count = self.object(id).map_or(0, |o| o.local_members.len());
        let mut members = Vec::with_capacity(local_count);
        if let Some(base) = base {
            self.object_mut(id).base = Some(base);
            self.check_object(base, depth + 1)?;
            // The base's members join `seen` (they cannot clash: the base
            // was checked), and the nesting limit counts the visit.
            if depth + 1 > MAX_NESTING {
                return Err(self.nesting_error(info));
            }
            members.extend(self.members_of(base).map(|(r, _)| r));
        }
        let Some(object) = self.object(id) else {
            return Ok(());
        };
        let mut types = Vec::with_capacity(object.local_members.len());
        {
            let mut seen = Seen::default();
            seen.extend(members.iter().map(|&r| self.member(r)));
            for member in &object.local_members {
                types.push(self.check_member(member, info)?);
                seen.check_clash(member, info)?;
            }
        }
        let object = self.object_mut(id);
        for (index, (member, ty)) in object.local_members.iter_mut().zip(types).enumerate() {
            member.ty = Some(ty);
            members.push(MemberRef {
                owner: id,
                index: index as u32,
            });
        }
        object.members = members;
        if object.branches.is_some() {
            self.check_branches(id, info, depth)?;
            self.branches_check_clash(id, info, depth)?;
        }
        self.object_mut(id).complete = true;
        Ok(())
    }

    /// QEMU's `QAPISchemaBranches.check_clash`: the members of each branch
    /// type (and, recursively, of its branches) must not clash with the
    /// union's.  A branch type's members cannot clash with each other or
    /// with those of the branch types nested in it (its own check saw to
    /// that), so each is compared with the union's members only, and a
    /// type reached twice needn't be walked again: QEMU walks every path,
    /// which takes exponential time when branch types are shared.
    fn branches_check_clash(&self, id: EntityId, info: Option<&Info>, depth: usize) -> Checked<()> {
        let mut seen = Seen::default();
        seen.extend(self.members_of(id).map(|(_, m)| m));
        let mut visited = HashSet::new();
        let mut to_visit: Vec<(EntityId, usize)> = self
            .branch_types(id)
            .rev()
            .map(|ty| (ty, depth + 1))
            .collect();
        while let Some((ty, depth)) = to_visit.pop() {
            if !visited.insert(ty) {
                continue;
            }
            for (_, member) in self.members_of(ty) {
                if let Some(other) = seen.get(&member.c_name) {
                    if depth > MAX_NESTING {
                        return Err(self.nesting_error(info));
                    }
                    return Err(clash_error(member, other, info));
                }
            }
            to_visit.extend(self.branch_types(ty).rev().map(|ty| (ty, depth + 1)));
        }
        Ok(())
    }

    /// The types of a union's branches, once checked.
    fn branch_types(&self, id: EntityId) -> impl DoubleEndedIterator<Item = EntityId> + '_ {
        self.object(id)
            .and_then(|o| o.branches.as_ref())
            .map_or(&[][..], |b| &b.variants)
            .iter()
            .filter_map(|v| v.ty)
    }

    /// QEMU's `QAPISchemaBranches.check`: the discriminator, implicit
    /// empty branches, and each branch's type.
    fn check_branches(&mut self, id: EntityId, info: Option<&Info>, depth: usize) -> Checked<()> {
        let Some(branches) = self.object(id).and_then(|o| o.branches.as_ref()) else {
            return Ok(());
        };
        let (tag_name, tag_span) = (branches.tag_name, branches.tag_span);
        // The discriminator among the members, by C name as QEMU's `seen`.
        let tag_c_name = super::c_name_cow(tag_name);
        let tag = self
            .members_of(id)
            .map(|(_, m)| m)
            .find(|m| m.c_name == tag_c_name)
            .filter(|m| m.name == tag_name)
            .map(|m| Tag {
                ty: m.ty,
                optional: m.optional,
                conditional: m.cond.is_some(),
                defined_in: m.defined_in.clone(),
            });
        let Some(tag) = tag else {
            let message = format!("discriminator '{tag_name}' is not a member of 'base'");
            return Err(self.error(info, message).with_label(tag_span));
        };
        let base = match self.lookup_type(&tag.defined_in) {
            Some(base) if !self.def(base).is_implicit() => {
                format!("base type '{}'", tag.defined_in)
            }
            _ => "'base'".to_string(),
        };
        let tag_error = |what: &str| {
            let message = format!("discriminator member '{tag_name}' of {base} must {what}");
            semantic_error(info, message).with_label(tag_span)
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
        if tag.conditional {
            return Err(tag_error("not be conditional"));
        }
        // Values without a branch get the empty type.
        let mut variants = std::mem::take(
            &mut self
                .object_mut(id)
                .branches
                .as_mut()
                .expect("a union")
                .variants,
        );
        let Kind::Enum { values, .. } = &self.def(tag_type).kind else {
            return Ok(());
        };
        let value_names: HashSet<&str> = values.iter().map(|v| v.name).collect();
        let cases: HashSet<&str> = variants.iter().map(|v| v.name).collect();
        for value in values {
            if !cases.contains(value.name) {
                let mut variant = MemberDef::new(
                    value.name,
                    Role::Branch,
                    None,
                    value.cond,
                    tag.defined_in.clone(),
                );
                variant.type_name = std::borrow::Cow::Borrowed("q_empty");
                variants.push(variant);
            }
        }
        let result = self.check_variants(&mut variants, &value_names, tag_type, info, depth);
        let branches = self.object_mut(id).branches.as_mut().expect("a union");
        branches.variants = variants;
        result?;
        branches.tag_type = Some(tag_type);
        Ok(())
    }

    /// The branches of a union whose tag type is `tag_type`.
    fn check_variants(
        &mut self,
        variants: &mut [MemberDef<'a>],
        values: &HashSet<&str>,
        tag_type: EntityId,
        info: Option<&Info>,
        depth: usize,
    ) -> Checked<()> {
        if variants.is_empty() {
            return Err(self.error(info, "union has no branches"));
        }
        for variant in variants {
            let ty = self.check_member(variant, info)?;
            variant.ty = Some(ty);
            if !values.contains(variant.name) {
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

    fn check_alternate(&mut self, id: EntityId) -> Checked<()> {
        let def = self.def(id);
        let info = def.info.as_ref();
        let Kind::Alternate { tag, variants } = &def.kind else {
            return Ok(());
        };
        let tag_type = self.check_member(tag, info)?;
        let mut types = Vec::with_capacity(variants.len());
        for variant in variants {
            types.push(self.check_member(variant, info)?);
        }
        // Branch names are not an enum's values: check them here.
        let mut seen = Seen::default();
        let mut types_seen: HashMap<QType, &str> = HashMap::new();
        for (variant, &ty) in variants.iter().zip(&types) {
            seen.check_clash(variant, info)?;
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
                types_seen.insert(qtype, variant.name);
            }
        }
        if let Kind::Alternate { tag, variants } = &mut self.def_mut(id).kind {
            tag.ty = Some(tag_type);
            for (variant, ty) in variants.iter_mut().zip(types) {
                variant.ty = Some(ty);
            }
        }
        Ok(())
    }

    /// A command's or event's `data`: an object type; a union or
    /// conditional members only when boxed.
    fn check_data(&mut self, id: EntityId, meta: &str) -> Checked<Option<EntityId>> {
        let def = self.def(id);
        let info = def.info;
        let info = info.as_ref();
        let (data, boxed) = match &def.kind {
            Kind::Command(c) => (&c.data, c.boxed),
            Kind::Event(e) => (&e.data, e.boxed),
            _ => return Ok(None),
        };
        let Some((name, span)) = data else {
            return Ok(None);
        };
        let span = *span;
        let what = || format!("{meta}'s 'data'");
        let arg = self.resolve_type(name, info, what, Some(span))?;
        let Some(object) = self.object(arg) else {
            let message = format!("{} cannot take {}", what(), self.def(arg).describe());
            return Err(self.error(info, message).with_label(span));
        };
        if object.branches.is_some() && !boxed {
            let message = format!(
                "{} can take {} only with 'boxed': true",
                what(),
                self.def(arg).describe()
            );
            return Err(self.error(info, message).with_label(span));
        }
        self.check_object(arg, 0)?;
        let conditional = self.members_of(arg).any(|(_, m)| m.cond.is_some());
        if conditional && !boxed {
            let message = format!("conditional {meta} arguments require 'boxed': true");
            return Err(self.error(info, message).with_label(span));
        }
        Ok(Some(arg))
    }

    fn check_command(&mut self, id: EntityId) -> Checked<()> {
        let arg_type = self.check_data(id, "command")?;
        let def = self.def(id);
        let Kind::Command(command) = &def.kind else {
            return Ok(());
        };
        let info = def.info.as_ref();
        let mut ret_type = None;
        if let Some((ret_name, span)) = &command.returns {
            let span = *span;
            let ret = self.resolve_type(
                ret_name,
                info,
                || "command's 'returns'".to_string(),
                Some(span),
            )?;
            ret_type = Some(ret);
            let excepted = self
                .pragma
                .command_returns_exceptions
                .iter()
                .any(|name| *name == def.name);
            if !excepted {
                let returned = match &self.def(ret).kind {
                    Kind::Array { element_name, .. } => self.lookup_type(element_name),
                    _ => Some(ret),
                };
                if returned.and_then(|ty| self.object(ty)).is_none() {
                    let message = format!(
                        "command's 'returns' cannot take {}",
                        self.def(ret).describe()
                    );
                    return Err(self.error(info, message).with_label(span));
                }
            }
        }
        if let Kind::Command(command) = &mut self.def_mut(id).kind {
            command.arg_type = arg_type;
            command.ret_type = ret_type;
        }
        Ok(())
    }

    fn check_event(&mut self, id: EntityId) -> Checked<()> {
        let arg_type = self.check_data(id, "event")?;
        if let Kind::Event(event) = &mut self.def_mut(id).kind {
            event.arg_type = arg_type;
        }
        Ok(())
    }

    /// QEMU's `connect_doc()`: match the definition's documentation with
    /// its members and features.
    fn connect_doc(&mut self, id: EntityId) -> Checked<()> {
        let Some(doc) = self.def(id).doc else {
            return Ok(());
        };
        // A block kept as raw text describes nothing in particular.
        if self.raw_docs.contains(&doc) {
            return Ok(());
        }
        let Builder {
            defs,
            docs,
            pragma,
            rules,
            doc_mode,
            warnings,
            ..
        } = self;
        DocConnector {
            defs,
            doc: &mut docs[doc],
            pragma,
            rules: *rules,
            mode: *doc_mode,
            warnings,
            member_near: 0,
            feature_near: 0,
        }
        .connect(id)
    }
}

/// The features of one owner must not clash.
fn check_features(features: &[MemberDef], info: Option<&Info>) -> Checked<()> {
    if features.len() > 1 {
        let mut seen = Seen::default();
        for feature in features {
            seen.check_clash(feature, info)?;
        }
    }
    Ok(())
}

/// Connects one doc block with the definition it documents.
struct DocConnector<'b, 'a> {
    defs: &'b [Def<'a>],
    doc: &'b mut Doc,
    pragma: &'b Pragma,
    rules: Rules,
    mode: DocMode,
    warnings: &'b mut Vec<Diagnostic>,
    /// Where to look for the next member's and feature's descriptions.
    member_near: usize,
    feature_near: usize,
}

impl DocConnector<'_, '_> {
    /// Connect `id`'s members and features (`id` is the documented
    /// definition, or a type implicit in it).
    fn connect(&mut self, id: EntityId) -> Checked<()> {
        let defs = self.defs;
        let def = &defs[id.0 as usize];
        let Some(info) = &def.info else {
            return Ok(());
        };
        self.features(&def.features, info)?;
        let implicit = |id: &EntityId| defs[id.0 as usize].is_implicit();
        match &def.kind {
            Kind::Enum { values, .. } => self.members(values, info)?,
            Kind::Object(object) => {
                if let Some(base) = object.base.filter(implicit) {
                    self.connect(base)?;
                }
                self.members(&object.local_members, info)?;
            }
            Kind::Alternate { variants, .. } => self.members(variants, info)?,
            Kind::Command(super::build::CommandDef {
                arg_type, ret_type, ..
            }) => {
                if let Some(arg) = arg_type.filter(implicit) {
                    self.connect(arg)?;
                }
                if ret_type.is_some() && self.rules.returns_stub() {
                    self.doc.ensure_returns(info.span);
                }
            }
            Kind::Event(super::build::EventDef { arg_type, .. }) => {
                if let Some(arg) = arg_type.filter(implicit) {
                    self.connect(arg)?;
                }
            }
            Kind::Builtin(_) | Kind::Array { .. } => {}
        }
        Ok(())
    }

    fn members(&mut self, members: &[MemberDef], info: &Info) -> Checked<()> {
        for member in members {
            let role = member.role.as_str();
            let connected = self.doc.connect_member_near(
                member.name,
                role,
                info.span,
                self.pragma,
                &mut self.member_near,
            );
            if let Err(issue) = connected {
                let issue = at_member(issue, info, member.span);
                self.mode.report(issue, self.warnings)?;
            }
            self.features(&member.features, info)?;
        }
        Ok(())
    }

    fn features(&mut self, features: &[MemberDef], info: &Info) -> Checked<()> {
        for feature in features {
            let connected =
                self.doc
                    .connect_feature_near(feature.name, info.span, &mut self.feature_near);
            if let Err(issue) = connected {
                let issue = at_member(issue, info, feature.span);
                self.mode.report(issue, self.warnings)?;
            }
        }
        Ok(())
    }
}

/// An error the documentation reports at a member's info: QEMU's info
/// names the definition; the snippet shows the member.
fn at_member(error: Diagnostic, info: &Info, member: Option<Span>) -> Diagnostic {
    let mut error = error;
    if error.context.is_none() && error.span == Some(info.span) {
        error = error.in_definition(info.meta.as_str(), info.name);
    }
    if error.label.is_none() {
        error = labelled(error, member);
    }
    error
}
