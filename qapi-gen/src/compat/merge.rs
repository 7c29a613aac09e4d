//! The merge of older versions into the main model; the rules are in the
//! [module docs](super).
//!
//! Versions are merged one at a time, the newest older one first, so that
//! what several older versions have is copied from the latest of them.
//! Within a version, the commands and events are merged (their arguments
//! and returns, recursively), then, for schema files, every type paired
//! by name.  Members are merged into the type that declares them; the
//! member lists of types with a base are made again at the end.

use std::collections::{HashMap, HashSet};
use std::fmt;

use super::label;
use super::matching::correspond;
use super::{Loaded, Origin, VersionSet, Versions, MAX_VERSIONS};
use crate::diag::{Diagnostic, FileId, SourceFile, Span};
use crate::schema::doc::{Doc, DocId};
use crate::schema::from_introspection::json_type;
use crate::schema::{
    ArrayType, Builtin, Entity, EntityId, EntityKind, JsonType, Member, Module, ModuleId,
    ModuleItem, ObjectType, Schema, TypeId, Variant,
};

/// Why versions could not be spanned.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SpanError {
    /// Two versions have the same label.
    SameLabel {
        /// The label.
        label: String,
    },
    /// More than [`MAX_VERSIONS`] versions.
    TooMany {
        /// How many were given.
        count: usize,
    },
}

impl fmt::Display for SpanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpanError::SameLabel { label } => write!(
                f,
                "two versions are labelled '{label}': give each its own label (LABEL=PATH)"
            ),
            SpanError::TooMany { count } => {
                write!(f, "{count} versions: a span holds at most {MAX_VERSIONS}")
            }
        }
    }
}

impl std::error::Error for SpanError {}

/// The model spanning `main` (the newest schema, labelled `main_label`, or
/// by its newest `Since:`) and the `older` versions; its
/// [`Schema::versions`] says which versions have each item, and its
/// [`Schema::warnings`] gain a warning per change that could not be merged.
pub fn span(
    main: Schema,
    main_label: Option<String>,
    older: Vec<Loaded>,
) -> Result<Schema, SpanError> {
    let main_label = main_label
        .or_else(|| label::of_schema(&main))
        .unwrap_or_else(|| "main".to_string());
    let mut labels: Vec<String> = older.iter().map(|o| o.label.clone()).collect();
    labels.push(main_label.clone());
    if labels.len() > MAX_VERSIONS {
        return Err(SpanError::TooMany {
            count: labels.len(),
        });
    }
    labels.sort_by(|a, b| label::compare(a, b));
    let mut seen = HashSet::new();
    for label in &labels {
        if !seen.insert(label) {
            return Err(SpanError::SameLabel {
                label: label.clone(),
            });
        }
    }
    let index_of = |label: &str| labels.iter().position(|l| l == label).unwrap_or(0);
    let mut versions = Versions {
        main: index_of(&main_label),
        labels: labels.clone(),
        ..Versions::default()
    };
    let mut out = main;
    let required_in_main = record_main(&out, &mut versions);
    // The newest older version first.
    let mut order: Vec<&Loaded> = older.iter().collect();
    order.sort_by(|a, b| label::compare(&b.label, &a.label));
    for loaded in order {
        let bit = index_of(&loaded.label);
        Merge::new(&mut out, &mut versions, loaded, bit).run();
    }
    finish(&mut out, &mut versions, required_in_main);
    out.versions = Some(Box::new(versions));
    Ok(out)
}

/// Every item of the main model is in the main version; returns the
/// members it requires.
fn record_main(schema: &Schema, versions: &mut Versions) -> HashSet<(EntityId, String)> {
    let main = VersionSet::only(versions.main);
    let mut required = HashSet::new();
    for (id, entity) in schema.iter() {
        match &entity.kind {
            EntityKind::Builtin(_) | EntityKind::Array(_) => continue,
            EntityKind::Enum(e) => {
                for value in &e.members {
                    versions.values.insert((id, value.name.clone()), main);
                }
            }
            EntityKind::Object(o) => {
                for member in o.members.iter().filter(|m| m.defined_in == id) {
                    versions.members.insert((id, member.name.clone()), main);
                    if !member.optional {
                        required.insert((id, member.name.clone()));
                    }
                }
                for variant in o.variants.iter().flat_map(|v| &v.variants) {
                    versions.branches.insert((id, variant.name.clone()), main);
                }
            }
            EntityKind::Alternate(a) => {
                for variant in &a.variants.variants {
                    versions.branches.insert((id, variant.name.clone()), main);
                }
            }
            EntityKind::Command(_) | EntityKind::Event(_) => {}
        }
        versions.entities.insert(id, main);
    }
    required
}

/// A change that cannot be merged: how the old and new types differ, and
/// how the position resolves it.
#[derive(Clone, Debug)]
struct Conflict {
    old: String,
    new: String,
    resolution: Resolution,
}

/// What a position whose types cannot be merged takes.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Resolution {
    /// The span model's type (QEMU made a string an enum; a branch or
    /// arguments keep theirs).
    Keep,
    /// The old type, whose values include the span model's (a string
    /// became an alternate of a string or null).
    Widen,
    /// Any JSON value.
    Raw,
}

/// Where a conflict is, for its message: the entity and member of the
/// old and the span models.
struct Place<'p> {
    /// `'BlockJobInfo' member 'type'`, `the return of command 'x'`.
    what: String,
    old_owner: EntityId,
    old_member: Option<&'p str>,
    new_span: Option<Span>,
    /// The versions the span model's side comes from.
    new_versions: VersionSet,
}

/// One older version being merged into the span model.
struct Merge<'a> {
    out: &'a mut Schema,
    versions: &'a mut Versions,
    old: &'a Loaded,
    bit: usize,
    /// Each old type's counterpart, from the pairing and from copies.
    home: HashMap<EntityId, EntityId>,
    /// Copies standing for old types whose counterpart is implicit, where
    /// a named type is used.
    named_copies: HashMap<EntityId, EntityId>,
    /// Pairs merged (or being merged) and their outcome.
    results: HashMap<(EntityId, EntityId), Option<Conflict>>,
    /// The old model's files are the span model's from this one on.
    file_offset: u32,
    docs: HashMap<DocId, DocId>,
    /// The module copies go to, made with the first copy.
    module: Option<ModuleId>,
    any: TypeId,
    empty: TypeId,
}

impl<'a> Merge<'a> {
    fn new(out: &'a mut Schema, versions: &'a mut Versions, old: &'a Loaded, bit: usize) -> Self {
        let home = correspond(&old.schema, old.masked(), out);
        let file_offset = out.sources.files().count() as u32;
        for (_, file) in old.schema.sources.files() {
            let mut file: SourceFile = file.clone();
            file.included_from = file.included_from.map(|s| shift(s, file_offset));
            out.sources.add(file);
        }
        let any = builtin(out, Builtin::Any);
        let empty = out.lookup("q_empty").unwrap_or(any);
        Merge {
            out,
            versions,
            old,
            bit,
            home,
            named_copies: HashMap::new(),
            results: HashMap::new(),
            file_offset,
            docs: HashMap::new(),
            module: None,
            any,
            empty,
        }
    }

    fn run(&mut self) {
        let old = &self.old.schema;
        for (id, entity) in old.iter() {
            match &entity.kind {
                EntityKind::Command(_) | EntityKind::Event(_) => {
                    let counterpart = self
                        .out
                        .lookup(&entity.name)
                        .filter(|&n| super::matching::same_kind(old, id, self.out, n));
                    match counterpart {
                        Some(n) => self.merge_command(id, n),
                        None => {
                            self.home_or_copy(id, &entity.name);
                        }
                    }
                }
                _ => {}
            }
        }
        if self.old.masked() {
            // A reply shows only what commands and events reach: whether
            // the version has the other types cannot be known, so they
            // are taken to be there.
            let reached = reachable(self.out);
            for (id, entity) in self.out.iter() {
                let is_type = matches!(
                    entity.kind,
                    EntityKind::Enum(_) | EntityKind::Object(_) | EntityKind::Alternate(_)
                );
                if is_type && !reached.contains(&id) {
                    self.versions
                        .entities
                        .entry(id)
                        .or_default()
                        .insert(self.bit);
                }
            }
        } else {
            // Types no command or event reaches still get their versions.
            let mut paired: Vec<(EntityId, EntityId)> =
                self.home.iter().map(|(&o, &n)| (o, n)).collect();
            paired.sort();
            for (o, n) in paired {
                if !matches!(
                    old.entity(o).kind,
                    EntityKind::Command(_) | EntityKind::Event(_) | EntityKind::Builtin(_)
                ) {
                    // A conflict here has no member to resolve it at: the
                    // member positions that use the types report it.
                    let _ = self.merge_type(o, n);
                }
            }
        }
    }

    // ------------------------------------------------------------ commands

    fn merge_command(&mut self, o: EntityId, n: EntityId) {
        self.versions.add_entity(n, self.bit);
        let name = self.out.entity(n).name.clone();
        let (old_args, old_ret) = arguments_and_return(&self.old.schema, o);
        let (new_args, new_ret) = arguments_and_return(self.out, n);
        let new_versions = self.versions.of_entity(n);
        let new_span = self.out.entity(n).span;
        let place = |what: String| Place {
            what,
            old_owner: o,
            old_member: None,
            new_span,
            new_versions,
        };
        match (old_args, new_args) {
            (Some(a), Some(b)) => {
                if let Err(conflict) = self.merge_type(a, b) {
                    let conflict = Conflict {
                        resolution: Resolution::Keep,
                        ..conflict
                    };
                    self.report(place(format!("the arguments of '{name}'")), &conflict);
                }
            }
            (Some(a), None) => {
                let fresh = self.fresh_object(&format!("q_obj_{name}-arg"), n);
                set_arguments(self.out, n, fresh);
                // Every member is new to the main version: all optional.
                let _ = self.merge_type(a, fresh);
            }
            (None, Some(b)) => self.absent_members(b),
            (None, None) => {}
        }
        let raw_return = match (old_ret, new_ret) {
            (Some(a), Some(b)) => self.merge_type(a, b).err(),
            (Some(a), None) => Some(Conflict {
                old: self.describe_old(a),
                new: "nothing ({})".to_string(),
                resolution: Resolution::Raw,
            }),
            (None, Some(b)) => match &self.out.entity(b).kind {
                EntityKind::Object(_) => {
                    self.absent_members(b);
                    None
                }
                _ => Some(Conflict {
                    old: "nothing ({})".to_string(),
                    new: describe(self.out, b),
                    resolution: Resolution::Raw,
                }),
            },
            (None, None) => None,
        };
        if let Some(conflict) = raw_return {
            // Returns are not widened: raw JSON is as wide as it gets.
            let conflict = match conflict.resolution {
                Resolution::Widen => Conflict {
                    resolution: Resolution::Raw,
                    ..conflict
                },
                _ => conflict,
            };
            self.report(place(format!("the return of '{name}'")), &conflict);
            if conflict.resolution == Resolution::Raw {
                if let EntityKind::Command(command) = &mut self.out.entities[n.0 as usize].kind {
                    command.ret_type = Some(self.any);
                }
            }
        }
    }

    /// A type of the main version that the old one does not have at this
    /// position (it sends `{}`): its required members become optional.
    fn absent_members(&mut self, id: TypeId) {
        let tag = union_tag(self.out, id);
        for (owner, name) in members_of(self.out, id) {
            if Some(&name) != tag.as_ref() {
                set_optional(self.out, owner, &name);
            }
        }
    }

    /// An empty object at a position the main version leaves empty.
    fn fresh_object(&mut self, name: &str, near: EntityId) -> TypeId {
        let name = unique_name(self.out, name);
        let module = self.out.entity(near).module;
        let id = add_entity(
            self.out,
            Entity {
                name,
                span: None,
                module,
                doc: None,
                cond: None,
                features: Vec::new(),
                kind: EntityKind::Object(ObjectType {
                    base: None,
                    members: Vec::new(),
                    base_member_count: 0,
                    variants: None,
                    implicit: true,
                }),
            },
        );
        self.versions
            .entities
            .insert(id, VersionSet::only(self.bit));
        id
    }

    // --------------------------------------------------------------- types

    /// Make span type `n` decode what old type `o` decodes, or say why it
    /// cannot.  Each pair is merged once per version.
    fn merge_type(&mut self, o: TypeId, n: TypeId) -> Result<(), Conflict> {
        if let Some(result) = self.results.get(&(o, n)) {
            return result.clone().map_or(Ok(()), Err);
        }
        // A pair met again while it is being merged (recursive types).
        self.results.insert((o, n), None);
        let result = self.merge_kinds(o, n);
        self.results.insert((o, n), result.clone().err());
        result
    }

    fn merge_kinds(&mut self, o: TypeId, n: TypeId) -> Result<(), Conflict> {
        use EntityKind::*;
        let old = &self.old.schema;
        let (old_text, new_text) = (self.describe_old(o), describe(self.out, n));
        let conflict = |resolution: Resolution| Conflict {
            old: old_text.clone(),
            new: new_text.clone(),
            resolution,
        };
        match (&old.entity(o).kind, &self.out.entity(n).kind) {
            (_, Builtin(b)) if b.builtin == crate::schema::Builtin::Any => Ok(()),
            (Builtin(a), Builtin(b)) => {
                if accepts(b.builtin.json_type(), a.builtin.json_type()) {
                    Ok(())
                } else if accepts(a.builtin.json_type(), b.builtin.json_type()) {
                    Err(conflict(Resolution::Widen))
                } else {
                    Err(conflict(Resolution::Raw))
                }
            }
            (Enum(_), Enum(_)) => {
                self.merge_enum(o, n);
                Ok(())
            }
            (Enum(_), Builtin(b)) if b.builtin == crate::schema::Builtin::Str => Ok(()),
            (Builtin(a), Enum(_)) if a.builtin == crate::schema::Builtin::Str => {
                self.versions.add_entity(n, self.bit);
                Err(conflict(Resolution::Keep))
            }
            (Array(a), Array(b)) => {
                let (a, b) = (a.element, b.element);
                self.merge_type(a, b)
            }
            (Object(_), Object(_)) => self.merge_object(o, n),
            (Alternate(_), Alternate(_)) => self.merge_alternate(o, n),
            (_, Alternate(_)) => {
                let kind = json_type(old, o);
                match self.branch_for(n, kind) {
                    Some((name, ty)) => {
                        self.versions.add_entity(n, self.bit);
                        self.versions.add_branch(n, &name, self.bit);
                        self.merge_type(o, ty)
                    }
                    None => Err(conflict(Resolution::Raw)),
                }
            }
            (Alternate(_), _) if self.old_branch_takes(o, n) => Err(conflict(Resolution::Widen)),
            _ => Err(conflict(Resolution::Raw)),
        }
    }

    fn merge_enum(&mut self, o: TypeId, n: TypeId) {
        self.versions.add_entity(n, self.bit);
        let EntityKind::Enum(old) = &self.old.schema.entity(o).kind else {
            return;
        };
        for value in &old.members {
            let known = match &self.out.entity(n).kind {
                EntityKind::Enum(e) => e.members.iter().any(|m| m.name == value.name),
                _ => true,
            };
            if !known {
                let mut value = value.clone();
                value.span = value.span.map(|s| shift(s, self.file_offset));
                if let EntityKind::Enum(e) = &mut self.out.entities[n.0 as usize].kind {
                    e.members.push(value.clone());
                }
                self.versions
                    .values
                    .insert((n, value.name.clone()), VersionSet::EMPTY);
            }
            self.versions.add_value(n, &value.name, self.bit);
        }
    }

    fn merge_object(&mut self, o: TypeId, n: TypeId) -> Result<(), Conflict> {
        let old = &self.old.schema;
        let EntityKind::Object(old_object) = &old.entity(o).kind else {
            return Ok(());
        };
        let new_variants = match &self.out.entity(n).kind {
            EntityKind::Object(object) => object.variants.clone(),
            _ => None,
        };
        match (&old_object.variants, &new_variants) {
            (Some(a), Some(b)) if a.tag != b.tag => {
                return Err(Conflict {
                    old: format!("{} (tag '{}')", self.describe_old(o), a.tag),
                    new: format!("{} (tag '{}')", describe(self.out, n), b.tag),
                    resolution: Resolution::Raw,
                })
            }
            (Some(_), None) => {
                return Err(Conflict {
                    old: self.describe_old(o),
                    new: describe(self.out, n),
                    resolution: Resolution::Raw,
                })
            }
            _ => {}
        }
        let tag = new_variants.as_ref().map(|v| v.tag.clone());
        if let Some(tag) = &tag {
            if !old_object.members.iter().any(|m| &m.name == tag) {
                return Err(Conflict {
                    old: format!("{} without '{tag}'", self.describe_old(o)),
                    new: format!("{} (discriminator '{tag}')", describe(self.out, n)),
                    resolution: Resolution::Raw,
                });
            }
        }
        // The bases (implicit ones too) are in the version as well.
        let mut base = Some(n);
        while let Some(id) = base {
            self.versions.add_entity(id, self.bit);
            base = match &self.out.entity(id).kind {
                EntityKind::Object(object) => object.base,
                _ => None,
            };
        }
        let owner_name = self.out.entity(n).name.clone();
        for member in &old_object.members {
            match find_member(self.out, n, &member.name) {
                Some(owner) => {
                    self.versions.add_member(owner, &member.name, self.bit);
                    if member.optional && tag.as_ref() != Some(&member.name) {
                        set_optional(self.out, owner, &member.name);
                        self.versions
                            .optional_in
                            .entry((owner, member.name.clone()))
                            .or_default()
                            .insert(self.bit);
                    }
                    let Some(new_type) = member_type(self.out, owner, &member.name) else {
                        continue;
                    };
                    if let Err(conflict) = self.merge_type(member.ty, new_type) {
                        let place = Place {
                            what: format!(
                                "{} member '{}'",
                                owner_phrase(&self.out.entity(owner).name),
                                member.name
                            ),
                            old_owner: o,
                            old_member: Some(&member.name),
                            new_span: member_span(self.out, owner, &member.name),
                            new_versions: self.versions.of_member(owner, &member.name),
                        };
                        self.report(place, &conflict);
                        match conflict.resolution {
                            Resolution::Keep => {}
                            Resolution::Widen => {
                                let hint = format!("{owner_name}-{}", member.name);
                                let wide = self.home_or_copy(member.ty, &hint);
                                self.retype(owner, &member.name, wide, &conflict);
                            }
                            Resolution::Raw => {
                                self.retype(owner, &member.name, self.any, &conflict)
                            }
                        }
                    }
                }
                None if branch_declares(self.out, n, &member.name) => {
                    // QEMU moved it into the branches: where the old
                    // version's branch lacks it, strict decoding fails.
                    let conflict = Conflict {
                        old: format!("a member of {}", self.describe_old(o)),
                        new: "a member of some of its branches".to_string(),
                        resolution: Resolution::Keep,
                    };
                    let place = Place {
                        what: format!("{} member '{}'", owner_phrase(&owner_name), member.name),
                        old_owner: o,
                        old_member: Some(&member.name),
                        new_span: self.out.entity(n).span,
                        new_versions: self.versions.of_entity(n),
                    };
                    self.report(place, &conflict);
                }
                None => {
                    let hint = format!("{owner_name}-{}", member.name);
                    let ty = self.home_or_copy(member.ty, &hint);
                    let member = Member {
                        name: member.name.clone(),
                        ty,
                        optional: true,
                        span: member.span.map(|s| shift(s, self.file_offset)),
                        cond: member.cond.clone(),
                        features: member.features.clone(),
                        defined_in: n,
                    };
                    self.versions
                        .members
                        .insert((n, member.name.clone()), VersionSet::only(self.bit));
                    if let EntityKind::Object(object) = &mut self.out.entities[n.0 as usize].kind {
                        object.members.push(member);
                    }
                }
            }
        }
        for (owner, name) in members_of(self.out, n) {
            let in_old = old_object.members.iter().any(|m| m.name == name);
            if !in_old && tag.as_ref() != Some(&name) {
                set_optional(self.out, owner, &name);
            }
        }
        if let (Some(old_variants), Some(_)) = (&old_object.variants, &new_variants) {
            for variant in &old_variants.variants {
                self.merge_branch(o, n, variant);
            }
        }
        Ok(())
    }

    /// Merge branch `variant` of old union `o` into union `n`.
    fn merge_branch(&mut self, o: TypeId, n: TypeId, variant: &Variant) {
        let old = &self.old.schema;
        let existing = match &self.out.entity(n).kind {
            EntityKind::Object(object) => object
                .variants
                .iter()
                .flat_map(|v| v.variants.iter().enumerate())
                .find(|(_, v)| v.name == variant.name)
                .map(|(index, v)| (index, v.ty)),
            _ => None,
        };
        let union_name = self.out.entity(n).name.clone();
        let hint = format!("{union_name}-{}", variant.name);
        match existing {
            // The main version's branch is empty (QEMU's shared `q_empty`):
            // give the old members a type of their own.
            Some((index, ty)) if ty == self.empty && !is_empty_object(old, variant.ty) => {
                let copy = self.home_or_copy(variant.ty, &hint);
                set_branch_type(self.out, n, index, copy);
                self.versions.add_branch(n, &variant.name, self.bit);
            }
            Some((_, ty)) => {
                self.versions.add_branch(n, &variant.name, self.bit);
                if let Err(conflict) = self.merge_type(variant.ty, ty) {
                    let place = Place {
                        what: format!("'{union_name}' branch '{}'", variant.name),
                        old_owner: o,
                        old_member: None,
                        new_span: self.out.entity(n).span,
                        new_versions: self.versions.of_branch(n, &variant.name),
                    };
                    let conflict = Conflict {
                        resolution: Resolution::Keep,
                        ..conflict
                    };
                    self.report(place, &conflict);
                }
            }
            None => {
                let ty = if is_empty_object(old, variant.ty) {
                    self.empty
                } else {
                    self.home_or_copy(variant.ty, &hint)
                };
                if let EntityKind::Object(object) = &mut self.out.entities[n.0 as usize].kind {
                    if let Some(variants) = &mut object.variants {
                        variants.variants.push(Variant {
                            name: variant.name.clone(),
                            ty,
                            span: variant.span.map(|s| shift(s, self.file_offset)),
                            cond: variant.cond.clone(),
                        });
                    }
                }
                self.versions
                    .branches
                    .insert((n, variant.name.clone()), VersionSet::only(self.bit));
            }
        }
    }

    fn merge_alternate(&mut self, o: TypeId, n: TypeId) -> Result<(), Conflict> {
        self.versions.add_entity(n, self.bit);
        let old = &self.old.schema;
        let EntityKind::Alternate(old_alternate) = &old.entity(o).kind else {
            return Ok(());
        };
        for variant in &old_alternate.variants.variants {
            let kind = json_type(old, variant.ty);
            if let Some((name, ty)) = self.branch_for(n, kind) {
                self.versions.add_branch(n, &name, self.bit);
                self.merge_type(variant.ty, ty)?;
                continue;
            }
            if self.branch_of_class(n, kind) {
                return Err(Conflict {
                    old: self.describe_old(o),
                    new: describe(self.out, n),
                    resolution: Resolution::Raw,
                });
            }
            let name = unique_branch_name(self.out, n, &variant.name);
            let hint = format!("{}-{name}", self.out.entity(n).name);
            let ty = self.home_or_copy(variant.ty, &hint);
            if let EntityKind::Alternate(alternate) = &mut self.out.entities[n.0 as usize].kind {
                alternate.variants.variants.push(Variant {
                    name: name.clone(),
                    ty,
                    span: variant.span.map(|s| shift(s, self.file_offset)),
                    cond: variant.cond.clone(),
                });
            }
            self.versions
                .branches
                .insert((n, name), VersionSet::only(self.bit));
        }
        Ok(())
    }

    /// How messages name old type `o`: a masked name with the name of the
    /// type paired with it, `alternate 'StrOrNull' ('369' in the reply)`.
    fn describe_old(&self, o: TypeId) -> String {
        let text = describe(&self.old.schema, o);
        let builtin = matches!(self.old.schema.entity(o).kind, EntityKind::Builtin(_));
        if !self.old.masked() || builtin {
            return text;
        }
        match self.home.get(&o) {
            Some(&n) if describe(self.out, n) != text => format!(
                "{} ('{}' in the reply)",
                describe(self.out, n),
                self.old.schema.entity(o).name
            ),
            _ => format!("{text} of the reply"),
        }
    }

    /// Whether a branch of old alternate `o` takes every value of span type
    /// `n` (a built-in or an enum of the branch's JSON type, or the type
    /// paired with the branch's), so that `o` can stand for `n`.
    fn old_branch_takes(&self, o: TypeId, n: TypeId) -> bool {
        let old = &self.old.schema;
        let EntityKind::Alternate(alternate) = &old.entity(o).kind else {
            return false;
        };
        let Some(kind) = json_type(self.out, n) else {
            return false;
        };
        let scalar = matches!(
            self.out.entity(n).kind,
            EntityKind::Builtin(_) | EntityKind::Enum(_)
        );
        alternate.variants.variants.iter().any(|v| {
            let branch_kind = json_type(old, v.ty);
            let paired = self.home.get(&v.ty) == Some(&n);
            branch_kind.is_some_and(|k| accepts(k, kind)) && (scalar || paired)
        })
    }

    /// The branch of alternate `n` that takes values of JSON type `kind`.
    fn branch_for(&self, n: TypeId, kind: Option<JsonType>) -> Option<(String, TypeId)> {
        let EntityKind::Alternate(alternate) = &self.out.entity(n).kind else {
            return None;
        };
        let kind = kind?;
        alternate
            .variants
            .variants
            .iter()
            .find(|v| json_type(self.out, v.ty).is_some_and(|k| accepts(k, kind)))
            .map(|v| (v.name.clone(), v.ty))
    }

    /// Whether alternate `n` has a branch QEMU would confuse with one of
    /// JSON type `kind` (both numbers, both strings...).
    fn branch_of_class(&self, n: TypeId, kind: Option<JsonType>) -> bool {
        let EntityKind::Alternate(alternate) = &self.out.entity(n).kind else {
            return true;
        };
        let class = |k: Option<JsonType>| match k {
            Some(JsonType::Int | JsonType::Number) => Some(JsonType::Number),
            other => other,
        };
        alternate
            .variants
            .variants
            .iter()
            .any(|v| class(json_type(self.out, v.ty)) == class(kind))
    }

    // -------------------------------------------------------------- copies

    /// The span type standing for old type `o` where a named type is used
    /// (a member's, a branch's, a return): its counterpart, unless that is
    /// an implicit type (a command's arguments, which the generated code
    /// does not name), or a copy made now (named as the old model names
    /// it, or, for masked names, after `hint`: where it is used).
    fn home_or_copy(&mut self, o: EntityId, hint: &str) -> EntityId {
        match self.home.get(&o) {
            Some(&n) if !is_implicit(self.out, n) => return n,
            Some(_) => {
                if let Some(&copy) = self.named_copies.get(&o) {
                    return copy;
                }
                return self.copy(o, hint, true);
            }
            None => {}
        }
        self.copy(o, hint, false)
    }

    /// The span type standing for old type `o` as a command's or event's
    /// arguments or a base: its counterpart, implicit or not, or a copy.
    fn arguments_home_or_copy(&mut self, o: EntityId, hint: &str) -> EntityId {
        match self.home.get(&o) {
            Some(&n) => n,
            None => self.copy(o, hint, false),
        }
    }

    /// A copy of old type `o` (an array: of its element), recorded as its
    /// counterpart, or with `named` as its named stand-in.
    fn copy(&mut self, o: EntityId, hint: &str, named: bool) -> EntityId {
        let old = &self.old.schema;
        let entity = old.entity(o);
        match &entity.kind {
            EntityKind::Builtin(b) => return builtin(self.out, b.builtin),
            EntityKind::Array(array) => {
                let element = self.home_or_copy(array.element, hint);
                let id = array_of(self.out, element);
                if !named {
                    self.home.insert(o, id);
                }
                return id;
            }
            _ => {}
        }
        let name = if self.old.masked() {
            unique_name(self.out, hint)
        } else if self.out.lookup(&entity.name).is_none() {
            entity.name.clone()
        } else {
            unique_name(self.out, &format!("{}-{}", entity.name, self.old.label))
        };
        let module = self.module();
        let doc = entity.doc.map(|d| self.copy_doc(d));
        let id = add_entity(
            self.out,
            Entity {
                name: name.clone(),
                span: entity.span.map(|s| shift(s, self.file_offset)),
                module,
                doc,
                cond: entity.cond.clone(),
                features: entity.features.clone(),
                // Replaced below, once references to it resolve.
                kind: EntityKind::Array(ArrayType { element: o }),
            },
        );
        if named {
            self.named_copies.insert(o, id);
        } else {
            self.home.insert(o, id);
        }
        let only = VersionSet::only(self.bit);
        self.versions.entities.insert(id, only);
        let kind = self.copy_kind(o, id, &name);
        self.out.entities[id.0 as usize].kind = kind;
        id
    }

    /// The kind of old entity `o`, its references made span types, for its
    /// copy `id` named `name`.
    fn copy_kind(&mut self, o: EntityId, id: EntityId, name: &str) -> EntityKind {
        let old: &'a Schema = &self.old.schema;
        let only = VersionSet::only(self.bit);
        let offset = self.file_offset;
        let shift_span = move |s: Option<Span>| s.map(|s| shift(s, offset));
        match old.entity(o).kind.clone() {
            EntityKind::Enum(mut e) => {
                for value in &mut e.members {
                    value.span = shift_span(value.span);
                    self.versions.values.insert((id, value.name.clone()), only);
                }
                EntityKind::Enum(e)
            }
            EntityKind::Object(object) => {
                let base = object
                    .base
                    .map(|b| self.arguments_home_or_copy(b, &format!("{name}-base")));
                let mut members = Vec::new();
                for member in object.members.iter().filter(|m| m.defined_in == o) {
                    let ty = self.home_or_copy(member.ty, &format!("{name}-{}", member.name));
                    self.versions
                        .members
                        .insert((id, member.name.clone()), only);
                    members.push(Member {
                        ty,
                        span: shift_span(member.span),
                        defined_in: id,
                        ..member.clone()
                    });
                }
                let variants = match object.variants {
                    Some(mut variants) => {
                        variants.tag_type = variants
                            .tag_type
                            .map(|t| self.home_or_copy(t, &format!("{name}-{}", variants.tag)));
                        for variant in &mut variants.variants {
                            variant.ty = if is_empty_object(old, variant.ty) {
                                self.empty
                            } else {
                                self.home_or_copy(variant.ty, &format!("{name}-{}", variant.name))
                            };
                            variant.span = shift_span(variant.span);
                            self.versions
                                .branches
                                .insert((id, variant.name.clone()), only);
                        }
                        Some(variants)
                    }
                    None => None,
                };
                // A masked type may be both arguments and a member's type:
                // copies of masked types are named.
                let implicit = object.implicit;
                EntityKind::Object(ObjectType {
                    base,
                    members,
                    base_member_count: 0,
                    variants,
                    implicit,
                })
            }
            EntityKind::Alternate(mut alternate) => {
                alternate.variants.tag_type = self.out.lookup("QType");
                for variant in &mut alternate.variants.variants {
                    variant.ty = self.home_or_copy(variant.ty, &format!("{name}-{}", variant.name));
                    variant.span = shift_span(variant.span);
                    self.versions
                        .branches
                        .insert((id, variant.name.clone()), only);
                }
                EntityKind::Alternate(alternate)
            }
            EntityKind::Command(mut command) => {
                command.arg_type = command
                    .arg_type
                    .map(|a| self.arguments_home_or_copy(a, &format!("{name}-arg")));
                command.ret_type = command
                    .ret_type
                    .map(|r| self.home_or_copy(r, &format!("{name}-return")));
                EntityKind::Command(command)
            }
            EntityKind::Event(mut event) => {
                event.arg_type = event
                    .arg_type
                    .map(|a| self.arguments_home_or_copy(a, &format!("{name}-arg")));
                EntityKind::Event(event)
            }
            // Handled by `home_or_copy` without a copy.
            kind @ (EntityKind::Builtin(_) | EntityKind::Array(_)) => kind,
        }
    }

    /// The module of the copies of this version's items: `compat-LABEL`.
    fn module(&mut self) -> ModuleId {
        if let Some(module) = self.module {
            return module;
        }
        let module = ModuleId(self.out.modules.len() as u32);
        self.out.modules.push(Module {
            name: format!("compat-{}", self.old.label),
            items: Vec::new(),
        });
        self.module = Some(module);
        module
    }

    fn copy_doc(&mut self, id: DocId) -> DocId {
        if let Some(&copy) = self.docs.get(&id) {
            return copy;
        }
        let mut doc: Doc = self.old.schema.doc(id).clone();
        doc.span = shift(doc.span, self.file_offset);
        for section in &mut doc.sections {
            section.span = shift(section.span, self.file_offset);
        }
        let copy = self.out.docs.len();
        self.out.docs.push(doc);
        self.docs.insert(id, copy);
        copy
    }

    // ------------------------------------------------------------ conflicts

    /// Member `name` of `owner` takes type `ty` (raw JSON, or the old,
    /// wider type) for a conflict.
    fn retype(&mut self, owner: EntityId, name: &str, ty: TypeId, conflict: &Conflict) {
        if let Some(member) = member_mut(self.out, owner, name) {
            member.ty = ty;
        }
        let reason = format!(
            "{} in {}, {} in the span's other versions",
            conflict.old, self.old.label, conflict.new
        );
        let retyped = if ty == self.any {
            &mut self.versions.raw
        } else {
            &mut self.versions.widened
        };
        retyped.insert((owner, name.to_string()), reason);
    }

    /// A warning for a change that cannot be merged: at the span model's
    /// member when it has a span (else the old one's), naming both
    /// versions, both types and the resolution.
    fn report(&mut self, place: Place, conflict: &Conflict) {
        let old_label = &self.old.label;
        let mut others = place.new_versions;
        others.remove(self.bit);
        let new_versions = self.versions.names(others);
        let resolution = match conflict.resolution {
            Resolution::Keep => format!(
                "kept {}; what {old_label} sends outside it does not decode strictly",
                conflict.new
            ),
            Resolution::Widen => format!(
                "it takes {}, whose values include the other's, in these bindings",
                conflict.old
            ),
            Resolution::Raw => "it takes raw JSON (any value) in these bindings".to_string(),
        };
        // Located at the span model's item, the message says where the old
        // version has it.
        let old_where = match place.new_span {
            Some(_) => self.old_location(place.old_owner, place.old_member),
            None if self.old.masked() => self.old_location(place.old_owner, place.old_member),
            None => String::new(),
        };
        let message = format!(
            "{}: {} in {old_label}{old_where}, {} in {}: {resolution}",
            place.what,
            conflict.old,
            conflict.new,
            new_versions.join(", ")
        );
        let old_span = match &self.old.origin {
            Origin::Schema => {
                let owner = self.old.schema.entity(place.old_owner);
                let member_span = place.old_member.and_then(|name| match &owner.kind {
                    EntityKind::Object(o) => o.members.iter().find(|m| m.name == name)?.span,
                    _ => None,
                });
                member_span
                    .or(owner.span)
                    .map(|s| shift(s, self.file_offset))
            }
            Origin::Introspection(_) => None,
        };
        let diagnostic = match place.new_span.or(old_span) {
            Some(span) => Diagnostic::new(span, message),
            None => Diagnostic::without_location(message),
        };
        self.out.warnings.push(diagnostic.into_warning());
    }

    /// ` (at FILE:LINE:COL)` or ` (FILE: return[57].members[3])`: where
    /// the old version has it.
    fn old_location(&self, owner: EntityId, member: Option<&str>) -> String {
        let old = &self.old.schema;
        let index = member.and_then(|name| match &old.entity(owner).kind {
            EntityKind::Object(o) => o.members.iter().position(|m| m.name == name),
            _ => None,
        });
        match self.old.json_location(owner) {
            Some(location) => match index {
                Some(index) => format!(" ({location}.members[{index}])"),
                None => format!(" ({location})"),
            },
            None => {
                let span = index
                    .and_then(|i| match &old.entity(owner).kind {
                        EntityKind::Object(o) => o.members[i].span,
                        _ => None,
                    })
                    .or(old.entity(owner).span);
                match span {
                    Some(span) => format!(" (at {})", old.sources.loc(span)),
                    None => String::new(),
                }
            }
        }
    }
}

impl Versions {
    fn add_entity(&mut self, id: EntityId, bit: usize) {
        self.entities.entry(id).or_default().insert(bit);
    }

    fn add_member(&mut self, owner: EntityId, name: &str, bit: usize) {
        self.members
            .entry((owner, name.to_string()))
            .or_default()
            .insert(bit);
    }

    fn add_value(&mut self, owner: EntityId, name: &str, bit: usize) {
        self.values
            .entry((owner, name.to_string()))
            .or_default()
            .insert(bit);
    }

    fn add_branch(&mut self, owner: EntityId, name: &str, bit: usize) {
        self.branches
            .entry((owner, name.to_string()))
            .or_default()
            .insert(bit);
    }
}

/// After every version: unions get empty branches for the discriminator
/// values they lack, member lists of types with a base are made again,
/// and the members the span made optional are recorded.
fn finish(
    out: &mut Schema,
    versions: &mut Versions,
    required_in_main: HashSet<(EntityId, String)>,
) {
    let empty = out.lookup("q_empty");
    let ids: Vec<EntityId> = out.iter().map(|(id, _)| id).collect();
    for &id in &ids {
        let (tag_type, present) = match &out.entity(id).kind {
            EntityKind::Object(ObjectType {
                variants: Some(variants),
                ..
            }) => (
                variants.tag_type,
                variants
                    .variants
                    .iter()
                    .map(|v| v.name.clone())
                    .collect::<HashSet<_>>(),
            ),
            _ => continue,
        };
        let (Some(tag_type), Some(empty)) = (tag_type, empty) else {
            continue;
        };
        let EntityKind::Enum(tag) = &out.entity(tag_type).kind else {
            continue;
        };
        let missing: Vec<(String, Option<crate::schema::Cond>)> = tag
            .members
            .iter()
            .filter(|v| !present.contains(&v.name))
            .map(|v| (v.name.clone(), v.cond.clone()))
            .collect();
        for (name, cond) in missing {
            let set = versions.of_value(tag_type, &name);
            versions.branches.insert((id, name.clone()), set);
            if let EntityKind::Object(object) = &mut out.entities[id.0 as usize].kind {
                if let Some(variants) = &mut object.variants {
                    variants.variants.push(Variant {
                        name,
                        ty: empty,
                        span: None,
                        cond,
                    });
                }
            }
        }
    }
    let mut done = HashSet::new();
    for &id in &ids {
        flatten(out, id, &mut done);
    }
    versions.made_optional = required_in_main
        .into_iter()
        .filter(|(owner, name)| member_mut(out, *owner, name).is_some_and(|member| member.optional))
        .collect();
}

/// Make `id`'s member list its base's (made first) and its own members.
fn flatten(out: &mut Schema, id: EntityId, done: &mut HashSet<EntityId>) {
    if !done.insert(id) {
        return;
    }
    let EntityKind::Object(object) = &out.entity(id).kind else {
        return;
    };
    let Some(base) = object.base else {
        return;
    };
    flatten(out, base, done);
    let inherited = match &out.entity(base).kind {
        EntityKind::Object(b) => b.members.clone(),
        _ => Vec::new(),
    };
    if let EntityKind::Object(object) = &mut out.entities[id.0 as usize].kind {
        let own = object.members.iter().filter(|m| m.defined_in == id);
        // A member both inherited and its own (added to the base from one
        // version, declared here in another) is the base's.
        let own: Vec<Member> = own
            .filter(|m| !inherited.iter().any(|i| i.name == m.name))
            .cloned()
            .collect();
        object.base_member_count = inherited.len();
        object.members = inherited;
        object.members.extend(own);
    }
}

// ----------------------------------------------------------- model helpers

/// The types some command or event reaches (through members, bases,
/// branches, elements).
fn reachable(schema: &Schema) -> HashSet<EntityId> {
    let mut reached = HashSet::new();
    let mut stack: Vec<TypeId> = schema
        .iter()
        .flat_map(|(id, _)| {
            let (arguments, returns) = arguments_and_return(schema, id);
            arguments.into_iter().chain(returns)
        })
        .collect();
    while let Some(id) = stack.pop() {
        if !reached.insert(id) {
            continue;
        }
        match &schema.entity(id).kind {
            EntityKind::Array(array) => stack.push(array.element),
            EntityKind::Object(object) => {
                stack.extend(object.base);
                stack.extend(object.members.iter().map(|m| m.ty));
                stack.extend(
                    object
                        .variants
                        .iter()
                        .flat_map(|v| &v.variants)
                        .map(|v| v.ty),
                );
                stack.extend(object.variants.iter().filter_map(|v| v.tag_type));
            }
            EntityKind::Alternate(alternate) => {
                stack.extend(alternate.variants.variants.iter().map(|v| v.ty))
            }
            _ => {}
        }
    }
    reached
}

fn shift(span: Span, offset: u32) -> Span {
    Span {
        file: FileId(span.file.0 + offset),
        ..span
    }
}

fn builtin(schema: &Schema, builtin: Builtin) -> TypeId {
    // Every model defines the built-in types.
    schema.lookup(builtin.name()).unwrap_or(EntityId(0))
}

fn add_entity(schema: &mut Schema, entity: Entity) -> EntityId {
    let id = EntityId(schema.entities.len() as u32);
    schema.by_name.insert(entity.name.clone(), id);
    let module = entity.module;
    schema.entities.push(entity);
    if let Some(module) = schema.modules.get_mut(module.0 as usize) {
        module.items.push(ModuleItem::Entity(id));
    }
    id
}

/// `name`, or `name-2`, `name-3`... when taken.
fn unique_name(schema: &Schema, name: &str) -> String {
    let mut candidate = name.to_string();
    let mut n = 2;
    while schema.lookup(&candidate).is_some() {
        candidate = format!("{name}-{n}");
        n += 1;
    }
    candidate
}

fn unique_branch_name(schema: &Schema, alternate: EntityId, name: &str) -> String {
    let taken = |candidate: &str| match &schema.entity(alternate).kind {
        EntityKind::Alternate(a) => a.variants.variants.iter().any(|v| v.name == candidate),
        _ => false,
    };
    let mut candidate = name.to_string();
    let mut n = 2;
    while taken(&candidate) {
        candidate = format!("{name}-{n}");
        n += 1;
    }
    candidate
}

/// The array of `element`, made if the model has none.
fn array_of(schema: &mut Schema, element: TypeId) -> TypeId {
    let name = format!("{}List", schema.entity(element).name);
    if let Some(id) = schema.lookup(&name) {
        return id;
    }
    let module = schema.entity(element).module;
    add_entity(
        schema,
        Entity {
            name,
            span: None,
            module,
            doc: None,
            cond: None,
            features: Vec::new(),
            kind: EntityKind::Array(ArrayType { element }),
        },
    )
}

/// Whether a value of JSON type `old` is one of type `new`.
fn accepts(new: JsonType, old: JsonType) -> bool {
    new == old || new == JsonType::Value || (new == JsonType::Number && old == JsonType::Int)
}

/// How messages name the type declaring a member: implicit types by
/// their definition (`q_obj_BlockJobInfo-base` is `'BlockJobInfo'`).
fn owner_phrase(name: &str) -> String {
    let definition = name
        .strip_prefix("q_obj_")
        .and_then(|rest| rest.strip_suffix("-base").or(rest.strip_suffix("-arg")))
        .unwrap_or(name);
    format!("'{definition}'")
}

/// `'str'`, `enum 'JobType'`, `object 'BlockInfo'`, `array of 'str'`.
fn describe(schema: &Schema, id: TypeId) -> String {
    let entity = schema.entity(id);
    match &entity.kind {
        EntityKind::Builtin(_) => format!("'{}'", entity.name),
        EntityKind::Enum(_) => format!("enum '{}'", entity.name),
        EntityKind::Array(array) => format!("array of {}", describe(schema, array.element)),
        EntityKind::Object(o) if o.variants.is_some() => format!("union '{}'", entity.name),
        EntityKind::Object(_) => format!("object '{}'", entity.name),
        EntityKind::Alternate(_) => format!("alternate '{}'", entity.name),
        EntityKind::Command(_) => format!("command '{}'", entity.name),
        EntityKind::Event(_) => format!("event '{}'", entity.name),
    }
}

fn arguments_and_return(schema: &Schema, id: EntityId) -> (Option<TypeId>, Option<TypeId>) {
    match &schema.entity(id).kind {
        EntityKind::Command(c) => (c.arg_type, c.ret_type),
        EntityKind::Event(e) => (e.arg_type, None),
        _ => (None, None),
    }
}

fn set_arguments(schema: &mut Schema, id: EntityId, arguments: TypeId) {
    match &mut schema.entities[id.0 as usize].kind {
        EntityKind::Command(c) => c.arg_type = Some(arguments),
        EntityKind::Event(e) => e.arg_type = Some(arguments),
        _ => {}
    }
}

fn is_implicit(schema: &Schema, id: TypeId) -> bool {
    matches!(&schema.entity(id).kind, EntityKind::Object(o) if o.implicit)
}

fn is_empty_object(schema: &Schema, id: TypeId) -> bool {
    matches!(&schema.entity(id).kind,
        EntityKind::Object(o) if o.members.is_empty() && o.variants.is_none())
}

fn union_tag(schema: &Schema, id: TypeId) -> Option<String> {
    match &schema.entity(id).kind {
        EntityKind::Object(o) => o.variants.as_ref().map(|v| v.tag.clone()),
        _ => None,
    }
}

/// The type declaring member `name` of `id`: `id` itself or a base.
/// Read from the declaring types, since member lists of types with a base
/// are only made again at the end.
fn find_member(schema: &Schema, id: TypeId, name: &str) -> Option<EntityId> {
    let EntityKind::Object(object) = &schema.entity(id).kind else {
        return None;
    };
    if object
        .members
        .iter()
        .any(|m| m.defined_in == id && m.name == name)
    {
        return Some(id);
    }
    find_member(schema, object.base?, name)
}

/// Every member of `id` with the type declaring it, bases first.
fn members_of(schema: &Schema, id: TypeId) -> Vec<(EntityId, String)> {
    let EntityKind::Object(object) = &schema.entity(id).kind else {
        return Vec::new();
    };
    let mut members = match object.base {
        Some(base) => members_of(schema, base),
        None => Vec::new(),
    };
    members.extend(
        object
            .members
            .iter()
            .filter(|m| m.defined_in == id)
            .map(|m| (id, m.name.clone())),
    );
    members
}

/// Member `name` as declared by `owner` (not one of its base's).
fn own_member<'s>(schema: &'s Schema, owner: EntityId, name: &str) -> Option<&'s Member> {
    match &schema.entity(owner).kind {
        EntityKind::Object(o) => o
            .members
            .iter()
            .find(|m| m.defined_in == owner && m.name == name),
        _ => None,
    }
}

fn member_mut<'s>(schema: &'s mut Schema, owner: EntityId, name: &str) -> Option<&'s mut Member> {
    match &mut schema.entities[owner.0 as usize].kind {
        EntityKind::Object(o) => o
            .members
            .iter_mut()
            .find(|m| m.defined_in == owner && m.name == name),
        _ => None,
    }
}

fn member_type(schema: &Schema, owner: EntityId, name: &str) -> Option<TypeId> {
    own_member(schema, owner, name).map(|m| m.ty)
}

fn member_span(schema: &Schema, owner: EntityId, name: &str) -> Option<Span> {
    own_member(schema, owner, name)
        .and_then(|m| m.span)
        .or(schema.entity(owner).span)
}

fn set_optional(schema: &mut Schema, owner: EntityId, name: &str) {
    if let Some(member) = member_mut(schema, owner, name) {
        member.optional = true;
    }
}

fn set_branch_type(schema: &mut Schema, union: EntityId, index: usize, ty: TypeId) {
    if let EntityKind::Object(object) = &mut schema.entities[union.0 as usize].kind {
        if let Some(variant) = object
            .variants
            .as_mut()
            .and_then(|v| v.variants.get_mut(index))
        {
            variant.ty = ty;
        }
    }
}

/// Whether a branch type of union `id` declares member `name`.
fn branch_declares(schema: &Schema, id: TypeId, name: &str) -> bool {
    let EntityKind::Object(object) = &schema.entity(id).kind else {
        return false;
    };
    object
        .variants
        .iter()
        .flat_map(|v| &v.variants)
        .any(|v| find_member(schema, v.ty, name).is_some())
}
