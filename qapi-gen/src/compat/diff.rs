//! What changed between two versions of a schema, and whom it breaks:
//! `qapi-gen diff OLD NEW`.
//!
//! Commands, events, types, members, enum values, union and alternate
//! branches and features are compared, as QMP carries them: the types some
//! command or event reaches, with their members in any order.  Types are
//! paired as for span bindings (`compat/matching.rs`), so either side may
//! be a `query-qmp-schema` reply (a type it masks is named as the other
//! side names it, or by its route, `query-foo/ret-type`).  An item a reply
//! lacks whose counterpart in a schema file is conditional (`if`) is not
//! compared: it depends on how QEMU was built, not on its version.
//!
//! # Whom a change breaks
//!
//! Each change names the parties it breaks, among code written for one
//! version meeting a peer of the other:
//!
//! - **client sending**: requests written for OLD that NEW rejects (a
//!   command or argument removed, an argument added as required or made
//!   required, an enum value or branch of arguments removed, an argument's
//!   type narrowed);
//! - **client receiving**: replies and events of one version that bindings
//!   of the other fail to decode: NEW's bindings reading OLD's replies (a
//!   member added as required or made required: OLD does not send it) or
//!   OLD's bindings reading NEW's (a required member removed or made
//!   optional, a type changed); some fail only strict decoding (members,
//!   enum values and branches the reader does not know), and say so;
//! - **server**: a server written for OLD meeting clients written for NEW
//!   (a command, argument, enum value or branch they may send that it
//!   lacks): what a server must add to serve NEW's clients.
//!
//! The exit status of `qapi-gen diff` is 1 when some change breaks a
//! client (strict-only breaks count with `--strict`); what only a server
//! must add does not fail it.

use std::collections::{HashMap, HashSet};
use std::fmt::Write;

use serde_json::{json, Value};

use super::matching::correspond;
use super::routes::routes;
use super::Loaded;
use crate::schema::from_introspection::json_type;
use crate::schema::{EntityId, EntityKind, Feature, JsonType, Member, Schema, TypeId};

/// A party a change breaks.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Code sending requests (commands and their arguments).
    ClientSending,
    /// Code decoding replies and events.
    ClientReceiving,
    /// A QMP server answering requests.
    Server,
}

impl Role {
    /// The name in text output: `client sending`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::ClientSending => "client sending",
            Role::ClientReceiving => "client receiving",
            Role::Server => "server",
        }
    }

    /// The name in JSON output: `client-sending`.
    pub fn key(self) -> &'static str {
        match self {
            Role::ClientSending => "client-sending",
            Role::ClientReceiving => "client-receiving",
            Role::Server => "server",
        }
    }
}

/// How a change breaks a party.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Break {
    /// Who breaks.
    pub role: Role,
    /// Only a strict decoder (rejecting what it does not know) breaks.
    pub strict_only: bool,
    /// Why, in a sentence.
    pub why: String,
}

impl Break {
    fn new(role: Role, why: String) -> Break {
        Break {
            role,
            strict_only: false,
            why,
        }
    }

    /// A break of strict decoders only.
    fn strict(role: Role, why: String) -> Break {
        Break {
            role,
            strict_only: true,
            why,
        }
    }
}

/// Added, removed or changed.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    /// Only the new version has it.
    Added,
    /// Only the old version has it.
    Removed,
    /// Both have it, differently.
    Changed,
}

impl ChangeKind {
    /// The word in text output: `added`, `removed`, `changed`.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Changed => "changed",
        }
    }
}

/// One change: what (`struct 'BlockDeviceInfo' member 'children'`), how,
/// and whom it breaks.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Change {
    /// Added, removed or changed.
    pub kind: ChangeKind,
    /// What changed: `struct 'BlockDeviceInfo' member 'children'`.
    pub subject: String,
    /// `required`, `'str' -> enum 'JobType'`, ...; may be empty.
    pub detail: String,
    /// Whom it breaks; empty for a harmless change.
    pub breaks: Vec<Break>,
}

impl Change {
    /// Whether it breaks a client (strict-only breaks with `strict`).
    pub fn breaks_client(&self, strict: bool) -> bool {
        self.breaks
            .iter()
            .any(|b| b.role != Role::Server && (strict || !b.strict_only))
    }
}

/// One side of a diff.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Side {
    /// The version's label.
    pub label: String,
    /// A `query-qmp-schema` reply (type names masked).
    pub introspection: bool,
}

/// The changes from `old` to `new`.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Diff {
    /// The old version.
    pub old: Side,
    /// The new version.
    pub new: Side,
    /// Every change, in schema order.
    pub changes: Vec<Change>,
    /// Items of one side's schema file not compared: conditional, and
    /// absent from the other side's reply.
    pub conditional_skipped: usize,
}

/// Where a type is used: in requests (arguments), in replies and events.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
struct Use {
    input: bool,
    output: bool,
}

/// Compare `old` with `new`.
pub fn diff(old: &Loaded, new: &Loaded) -> Diff {
    let masked = old.masked() || new.masked();
    let home = correspond(&old.schema, masked, &new.schema);
    // The first old type paired with a new one names it (several old types
    // may pair with one new type).
    let mut pairs: Vec<(EntityId, EntityId)> = home.iter().map(|(&o, &n)| (o, n)).collect();
    pairs.sort();
    let mut back = HashMap::new();
    for (o, n) in pairs {
        back.entry(n).or_insert(o);
    }
    let mut differ = Differ {
        old,
        new,
        home,
        back,
        old_routes: routes(&old.schema),
        new_routes: routes(&new.schema),
        old_uses: uses(&old.schema),
        new_uses: uses(&new.schema),
        changes: Vec::new(),
        conditional_skipped: 0,
        compared: HashSet::new(),
    };
    differ.run();
    Diff {
        old: side(old),
        new: side(new),
        changes: differ.changes,
        conditional_skipped: differ.conditional_skipped,
    }
}

fn side(loaded: &Loaded) -> Side {
    Side {
        label: loaded.label.clone(),
        introspection: loaded.masked(),
    }
}

struct Differ<'a> {
    old: &'a Loaded,
    new: &'a Loaded,
    home: HashMap<EntityId, EntityId>,
    /// Each new type's counterpart (the first paired with it).
    back: HashMap<EntityId, EntityId>,
    old_routes: HashMap<EntityId, String>,
    new_routes: HashMap<EntityId, String>,
    old_uses: HashMap<TypeId, Use>,
    new_uses: HashMap<TypeId, Use>,
    changes: Vec<Change>,
    conditional_skipped: usize,
    /// Type pairs compared.
    compared: HashSet<(TypeId, TypeId)>,
}

impl Differ<'_> {
    fn old_schema(&self) -> &Schema {
        &self.old.schema
    }

    fn new_schema(&self) -> &Schema {
        &self.new.schema
    }

    fn labels(&self) -> (&str, &str) {
        (&self.old.label, &self.new.label)
    }

    /// Whether a new item absent from the old side is only absent because
    /// the old side is a reply of a build without it (and the reverse).
    fn conditional_absence(&mut self, cond_new: bool, cond_old: bool) -> bool {
        let skip = (cond_new && self.old.masked()) || (cond_old && self.new.masked());
        if skip {
            self.conditional_skipped += 1;
        }
        skip
    }

    fn push(&mut self, kind: ChangeKind, subject: String, detail: String, breaks: Vec<Break>) {
        self.changes.push(Change {
            kind,
            subject,
            detail,
            breaks,
        });
    }

    fn run(&mut self) {
        self.definitions(true);
        self.definitions(false);
        self.types();
    }

    /// Commands (`commands`) or events added, removed or changed.
    fn definitions(&mut self, commands: bool) {
        let is_kind = |kind: &EntityKind| {
            if commands {
                matches!(kind, EntityKind::Command(_))
            } else {
                matches!(kind, EntityKind::Event(_))
            }
        };
        let meta = if commands { "command" } else { "event" };
        let (old_label, new_label) = self.labels();
        let (old_label, new_label) = (old_label.to_string(), new_label.to_string());
        let new_items: Vec<EntityId> = self
            .new_schema()
            .iter()
            .filter(|(_, e)| is_kind(&e.kind))
            .map(|(id, _)| id)
            .collect();
        for n in new_items {
            let entity = self.new_schema().entity(n);
            let name = entity.name.clone();
            let subject = format!("{meta} '{name}'");
            match self.old_schema().lookup(&name) {
                Some(o) if is_kind(&self.old_schema().entity(o).kind) => {
                    self.features(
                        &subject,
                        &self.old_schema().entity(o).features.clone(),
                        &entity.features.clone(),
                    );
                    let (old_args, old_ret) = signature(self.old_schema(), o);
                    let (new_args, new_ret) = signature(self.new_schema(), n);
                    let args_use = Use {
                        input: commands,
                        output: !commands,
                    };
                    let what = if commands { "arguments" } else { "data" };
                    self.object_position(
                        &format!("{subject} {what}"),
                        old_args,
                        new_args,
                        args_use,
                    );
                    if commands {
                        self.returns(&subject, old_ret, new_ret);
                    }
                }
                _ => {
                    if self.conditional_absence(entity.cond.is_some(), false) {
                        continue;
                    }
                    let breaks = if commands {
                        vec![Break::new(
                            Role::Server,
                            format!(
                                "a server of {old_label} lacks it: clients of {new_label} calling \
                                 it get CommandNotFound"
                            ),
                        )]
                    } else {
                        Vec::new()
                    };
                    self.push(ChangeKind::Added, subject, String::new(), breaks);
                }
            }
        }
        let old_items: Vec<EntityId> = self
            .old_schema()
            .iter()
            .filter(|(_, e)| is_kind(&e.kind))
            .map(|(id, _)| id)
            .collect();
        for o in old_items {
            let entity = self.old_schema().entity(o);
            let name = entity.name.clone();
            let present = self
                .new_schema()
                .lookup(&name)
                .is_some_and(|n| is_kind(&self.new_schema().entity(n).kind));
            if present || self.conditional_absence(false, entity.cond.is_some()) {
                continue;
            }
            let why = if commands {
                format!("clients of {old_label} calling it get CommandNotFound from {new_label}")
            } else {
                format!("clients of {old_label} waiting for it never get it from {new_label}")
            };
            let role = if commands {
                Role::ClientSending
            } else {
                Role::ClientReceiving
            };
            self.push(
                ChangeKind::Removed,
                format!("{meta} '{name}'"),
                String::new(),
                vec![Break {
                    role,
                    strict_only: false,
                    why,
                }],
            );
        }
    }

    /// A command's return: the same type on both sides is compared with
    /// the types; another type is a change.
    fn returns(&mut self, subject: &str, old: Option<TypeId>, new: Option<TypeId>) {
        let output = Use {
            input: false,
            output: true,
        };
        match (old, new) {
            (Some(o), Some(n)) if self.paired(o, n) => {}
            (Some(o), Some(n))
                if is_object(self.old_schema(), o) && is_object(self.new_schema(), n) =>
            {
                // Another object type, compared member by member here.
                self.object_position(&format!("{subject} return"), Some(o), Some(n), output);
            }
            (None, None) => {}
            (None, Some(n)) if is_object(self.new_schema(), n) => {
                self.object_position(&format!("{subject} return"), None, Some(n), output)
            }
            (Some(o), None) if is_object(self.old_schema(), o) => {
                self.object_position(&format!("{subject} return"), Some(o), None, output)
            }
            (o, n) => {
                let detail = format!(
                    "{} -> {}",
                    o.map_or("nothing".to_string(), |o| self.describe_old(o)),
                    n.map_or("nothing".to_string(), |n| self.describe_new(n))
                );
                let breaks = self.type_change_breaks(o, n, output);
                self.push(
                    ChangeKind::Changed,
                    format!("{subject} return type"),
                    detail,
                    breaks,
                );
            }
        }
    }

    /// Arguments, event data or a return whose types are objects (or
    /// nothing, an empty object): the same paired type is compared with
    /// the types; otherwise the members are compared here.
    fn object_position(
        &mut self,
        subject: &str,
        old: Option<TypeId>,
        new: Option<TypeId>,
        usage: Use,
    ) {
        if let (Some(o), Some(n)) = (old, new) {
            if self.paired(o, n) {
                return;
            }
        }
        let old_members = old
            .map(|o| members(self.old_schema(), o))
            .unwrap_or_default();
        let new_members = new
            .map(|n| members(self.new_schema(), n))
            .unwrap_or_default();
        self.members(subject, &old_members, &new_members, usage);
    }

    /// Every type of the new side some command or event reaches, with its
    /// counterpart; then the old side's without one.
    fn types(&mut self) {
        let paired_new = self.back.clone();
        let new_types: Vec<EntityId> = self
            .new_schema()
            .iter()
            .filter(|(id, e)| is_named_type(&e.kind) && self.new_uses.contains_key(id))
            .map(|(id, _)| id)
            .collect();
        for n in new_types {
            match paired_new.get(&n) {
                Some(&o) => self.compare_types(o, n),
                None => {
                    let entity = self.new_schema().entity(n);
                    // Arguments come and go with their command or event.
                    if is_implicit(&entity.kind)
                        || self.conditional_absence(entity.cond.is_some(), false)
                    {
                        continue;
                    }
                    let subject = self.subject_new(n);
                    self.push(ChangeKind::Added, subject, String::new(), Vec::new());
                }
            }
        }
        let old_types: Vec<EntityId> = self
            .old_schema()
            .iter()
            .filter(|(id, e)| {
                is_named_type(&e.kind)
                    && self.old_uses.contains_key(id)
                    && !self.home.contains_key(id)
            })
            .map(|(id, _)| id)
            .collect();
        for o in old_types {
            let entity = self.old_schema().entity(o);
            if is_implicit(&entity.kind) || self.conditional_absence(false, entity.cond.is_some()) {
                continue;
            }
            let subject = self.subject_old(o);
            self.push(ChangeKind::Removed, subject, String::new(), Vec::new());
        }
    }

    fn use_of(&self, o: TypeId, n: TypeId) -> Use {
        let a = self.old_uses.get(&o).copied().unwrap_or_default();
        let b = self.new_uses.get(&n).copied().unwrap_or_default();
        Use {
            input: a.input || b.input,
            output: a.output || b.output,
        }
    }

    fn compare_types(&mut self, o: TypeId, n: TypeId) {
        if !self.compared.insert((o, n)) {
            return;
        }
        let usage = self.use_of(o, n);
        let subject = self.subject_new(n);
        let old_entity = self.old_schema().entity(o).clone();
        let new_entity = self.new_schema().entity(n).clone();
        self.features(&subject, &old_entity.features, &new_entity.features);
        match (&old_entity.kind, &new_entity.kind) {
            (EntityKind::Enum(a), EntityKind::Enum(b)) => {
                let (old_label, new_label) = self.labels();
                let (old_label, new_label) = (old_label.to_string(), new_label.to_string());
                for value in &b.members {
                    match a.members.iter().find(|v| v.name == value.name) {
                        Some(old_value) => self.features(
                            &format!("{subject} value '{}'", value.name),
                            &old_value.features,
                            &value.features,
                        ),
                        None => {
                            if self.conditional_absence(value.cond.is_some(), false) {
                                continue;
                            }
                            let breaks = added_value_breaks(usage, &old_label, &new_label);
                            self.push(
                                ChangeKind::Added,
                                format!("{subject} value '{}'", value.name),
                                String::new(),
                                breaks,
                            );
                        }
                    }
                }
                for value in &a.members {
                    if b.members.iter().any(|v| v.name == value.name)
                        || self.conditional_absence(false, value.cond.is_some())
                    {
                        continue;
                    }
                    let breaks = removed_value_breaks(usage, &old_label, &new_label);
                    self.push(
                        ChangeKind::Removed,
                        format!("{subject} value '{}'", value.name),
                        String::new(),
                        breaks,
                    );
                }
            }
            (EntityKind::Object(a), EntityKind::Object(b)) => {
                let old_members = members(self.old_schema(), o);
                let new_members = members(self.new_schema(), n);
                self.members(&subject, &old_members, &new_members, usage);
                match (&a.variants, &b.variants) {
                    (Some(av), Some(bv)) if av.tag == bv.tag => {
                        let old_cases: Vec<(String, TypeId)> =
                            av.variants.iter().map(|v| (v.name.clone(), v.ty)).collect();
                        let new_cases: Vec<(String, TypeId, bool)> = bv
                            .variants
                            .iter()
                            .map(|v| (v.name.clone(), v.ty, v.cond.is_some()))
                            .collect();
                        self.branches(&subject, &old_cases, &new_cases, usage);
                    }
                    (None, None) => {}
                    _ => {
                        let detail = format!(
                            "{} -> {}",
                            shape(self.old_schema(), o),
                            shape(self.new_schema(), n)
                        );
                        let breaks = self.type_change_breaks(Some(o), Some(n), usage);
                        self.push(ChangeKind::Changed, subject.clone(), detail, breaks);
                    }
                }
            }
            (EntityKind::Alternate(a), EntityKind::Alternate(b)) => {
                let kinds = |schema: &Schema,
                             variants: &[crate::schema::Variant]|
                 -> Vec<(String, TypeId)> {
                    variants
                        .iter()
                        .map(|v| {
                            (
                                json_type(schema, v.ty)
                                    .map_or("value", JsonType::as_str)
                                    .to_string(),
                                v.ty,
                            )
                        })
                        .collect()
                };
                let old_cases = kinds(self.old_schema(), &a.variants.variants);
                let new_cases: Vec<(String, TypeId, bool)> =
                    kinds(self.new_schema(), &b.variants.variants)
                        .into_iter()
                        .map(|(k, t)| (k, t, false))
                        .collect();
                self.branches(&subject, &old_cases, &new_cases, usage);
            }
            _ => {}
        }
    }

    /// Branches by case (unions) or JSON type (alternates).
    fn branches(
        &mut self,
        subject: &str,
        old: &[(String, TypeId)],
        new: &[(String, TypeId, bool)],
        usage: Use,
    ) {
        let (old_label, new_label) = self.labels();
        let (old_label, new_label) = (old_label.to_string(), new_label.to_string());
        for (case, ty, cond) in new {
            match old.iter().find(|(c, _)| c == case) {
                Some((_, old_ty)) => {
                    if !self.paired(*old_ty, *ty)
                        && !both_empty(self.old_schema(), *old_ty, self.new_schema(), *ty)
                    {
                        let sub = format!("{subject} branch '{case}'");
                        self.object_position(&sub, Some(*old_ty), Some(*ty), usage);
                    }
                }
                None => {
                    if self.conditional_absence(*cond, false) {
                        continue;
                    }
                    let breaks = added_value_breaks(usage, &old_label, &new_label);
                    self.push(
                        ChangeKind::Added,
                        format!("{subject} branch '{case}'"),
                        String::new(),
                        breaks,
                    );
                }
            }
        }
        for (case, _) in old {
            if new.iter().any(|(c, _, _)| c == case) {
                continue;
            }
            let breaks = removed_value_breaks(usage, &old_label, &new_label);
            self.push(
                ChangeKind::Removed,
                format!("{subject} branch '{case}'"),
                String::new(),
                breaks,
            );
        }
    }

    /// Members added, removed, made optional or required, or of another
    /// type.
    fn members(&mut self, subject: &str, old: &[Member], new: &[Member], usage: Use) {
        let (old_label, new_label) = self.labels();
        let (old_label, new_label) = (old_label.to_string(), new_label.to_string());
        for member in new {
            let sub = format!("{subject} member '{}'", member.name);
            let Some(old_member) = old.iter().find(|m| m.name == member.name) else {
                if self.conditional_absence(member.cond.is_some(), false) {
                    continue;
                }
                let detail = if member.optional {
                    "optional"
                } else {
                    "required"
                };
                let breaks = added_member_breaks(usage, member.optional, &old_label, &new_label);
                self.push(ChangeKind::Added, sub, detail.to_string(), breaks);
                continue;
            };
            self.features(&sub, &old_member.features, &member.features);
            if old_member.optional != member.optional {
                let detail = if member.optional {
                    "required -> optional"
                } else {
                    "optional -> required"
                };
                let breaks = optionality_breaks(usage, member.optional, &old_label, &new_label);
                self.push(ChangeKind::Changed, sub.clone(), detail.to_string(), breaks);
            }
            if !self.same_type(old_member.ty, member.ty) {
                let detail = format!(
                    "type {} -> {}",
                    self.describe_old(old_member.ty),
                    self.describe_new(member.ty)
                );
                let breaks = self.type_change_breaks(Some(old_member.ty), Some(member.ty), usage);
                self.push(ChangeKind::Changed, sub, detail, breaks);
            }
        }
        for member in old {
            if new.iter().any(|m| m.name == member.name)
                || self.conditional_absence(false, member.cond.is_some())
            {
                continue;
            }
            let breaks = removed_member_breaks(usage, member.optional, &old_label, &new_label);
            let detail = if member.optional {
                "optional"
            } else {
                "required"
            };
            self.push(
                ChangeKind::Removed,
                format!("{subject} member '{}'", member.name),
                detail.to_string(),
                breaks,
            );
        }
    }

    fn features(&mut self, subject: &str, old: &[Feature], new: &[Feature]) {
        for feature in new {
            if !old.iter().any(|f| f.name == feature.name) {
                self.push(
                    ChangeKind::Added,
                    format!("{subject} feature '{}'", feature.name),
                    String::new(),
                    Vec::new(),
                );
            }
        }
        for feature in old {
            if !new.iter().any(|f| f.name == feature.name) {
                self.push(
                    ChangeKind::Removed,
                    format!("{subject} feature '{}'", feature.name),
                    String::new(),
                    Vec::new(),
                );
            }
        }
    }

    fn paired(&self, o: TypeId, n: TypeId) -> bool {
        self.home.get(&o) == Some(&n)
    }

    /// The same type: paired, the same built-in or built-ins of one JSON
    /// type (QEMU's replies say `int` for every integer type), or arrays
    /// of such.
    fn same_type(&self, o: TypeId, n: TypeId) -> bool {
        if self.paired(o, n) {
            return true;
        }
        match (
            &self.old_schema().entity(o).kind,
            &self.new_schema().entity(n).kind,
        ) {
            (EntityKind::Builtin(a), EntityKind::Builtin(b)) => {
                a.builtin == b.builtin
                    || (a.builtin.json_type() == b.builtin.json_type()
                        && (self.old.masked() || self.new.masked()))
            }
            (EntityKind::Array(a), EntityKind::Array(b)) => self.same_type(a.element, b.element),
            _ => false,
        }
    }

    /// Whom a change of type at a position breaks: wider types break
    /// OLD's readers of NEW's values and OLD's servers, narrower ones OLD's
    /// senders and NEW's readers of OLD's values.
    fn type_change_breaks(&self, o: Option<TypeId>, n: Option<TypeId>, usage: Use) -> Vec<Break> {
        let (old_label, new_label) = self.labels();
        let old_kind = o.and_then(|o| value_kind(self.old_schema(), o));
        let new_kind = n.and_then(|n| value_kind(self.new_schema(), n));
        // Every value of the old type is one of the new (wider), and the
        // reverse (narrower).
        let wider = match (old_kind, new_kind) {
            (Some(a), Some(b)) => b.contains(a),
            _ => false,
        };
        let narrower = match (old_kind, new_kind) {
            (Some(a), Some(b)) => a.contains(b),
            _ => false,
        };
        let mut breaks = Vec::new();
        if usage.input {
            if !wider {
                breaks.push(Break::new(
                    Role::ClientSending,
                    format!("clients of {old_label} may send values {new_label} rejects"),
                ));
            }
            if !narrower {
                breaks.push(Break::new(
                    Role::Server,
                    format!(
                        "a server of {old_label} rejects values clients of {new_label} may send"
                    ),
                ));
            }
        }
        if usage.output {
            if !narrower {
                breaks.push(Break::new(
                    Role::ClientReceiving,
                    format!("clients of {old_label} may not decode what {new_label} sends"),
                ));
            }
            if !wider {
                breaks.push(Break::new(
                    Role::ClientReceiving,
                    format!("clients of {new_label} may not decode what {old_label} sends"),
                ));
            }
        }
        breaks
    }

    // ---------------------------------------------------------------- names

    fn describe_old(&self, id: TypeId) -> String {
        describe(self.old_schema(), id, &|id| self.name_old(id))
    }

    fn describe_new(&self, id: TypeId) -> String {
        describe(self.new_schema(), id, &|id| self.name_new(id))
    }

    /// A new-side type's name; for a masked one, its old counterpart's, or
    /// its route.
    fn name_new(&self, id: EntityId) -> String {
        let entity = self.new_schema().entity(id);
        if !self.new.masked() || is_builtin(&entity.kind) {
            return entity.name.clone();
        }
        let counterpart = self.back.get(&id).copied().filter(|_| !self.old.masked());
        match counterpart {
            Some(o) => self.old_schema().entity(o).name.clone(),
            None => route_name(&self.new_routes, id, &entity.name),
        }
    }

    fn name_old(&self, id: EntityId) -> String {
        let entity = self.old_schema().entity(id);
        if !self.old.masked() || is_builtin(&entity.kind) {
            return entity.name.clone();
        }
        match self.home.get(&id).filter(|_| !self.new.masked()) {
            Some(&n) => self.new_schema().entity(n).name.clone(),
            None => route_name(&self.old_routes, id, &entity.name),
        }
    }

    /// `struct 'BlockDeviceInfo'`, `enum 'JobType'`, `union 'SevInfo'`,
    /// `command 'eject' arguments`.
    fn subject_new(&self, id: EntityId) -> String {
        let name = self.name_new(id);
        self.implicit_subject(&name)
            .unwrap_or_else(|| format!("{} '{name}'", meta(self.new_schema(), id)))
    }

    fn subject_old(&self, id: EntityId) -> String {
        let name = self.name_old(id);
        self.implicit_subject(&name)
            .unwrap_or_else(|| format!("{} '{name}'", meta(self.old_schema(), id)))
    }

    /// `q_obj_eject-arg` as `command 'eject' arguments`.
    fn implicit_subject(&self, name: &str) -> Option<String> {
        let definition = name.strip_prefix("q_obj_")?.strip_suffix("-arg")?;
        let kind = [self.new_schema(), self.old_schema()]
            .iter()
            .find_map(|schema| Some(schema.entity(schema.lookup(definition)?).kind.clone()))?;
        Some(match kind {
            EntityKind::Event(_) => format!("event '{definition}' data"),
            _ => format!("command '{definition}' arguments"),
        })
    }
}

fn route_name(routes: &HashMap<EntityId, String>, id: EntityId, name: &str) -> String {
    match routes.get(&id) {
        Some(route) => route.clone(),
        None => name.to_string(),
    }
}

fn is_builtin(kind: &EntityKind) -> bool {
    matches!(kind, EntityKind::Builtin(_))
}

fn is_implicit(kind: &EntityKind) -> bool {
    matches!(kind, EntityKind::Object(o) if o.implicit)
}

fn is_named_type(kind: &EntityKind) -> bool {
    matches!(
        kind,
        EntityKind::Enum(_) | EntityKind::Object(_) | EntityKind::Alternate(_)
    )
}

fn is_object(schema: &Schema, id: TypeId) -> bool {
    matches!(schema.entity(id).kind, EntityKind::Object(_))
}

fn both_empty(a: &Schema, ai: TypeId, b: &Schema, bi: TypeId) -> bool {
    let empty = |s: &Schema, i: TypeId| matches!(&s.entity(i).kind, EntityKind::Object(o) if o.members.is_empty() && o.variants.is_none());
    empty(a, ai) && empty(b, bi)
}

fn meta(schema: &Schema, id: EntityId) -> &'static str {
    match &schema.entity(id).kind {
        EntityKind::Enum(_) => "enum",
        EntityKind::Object(o) if o.variants.is_some() => "union",
        EntityKind::Object(_) => "struct",
        EntityKind::Alternate(_) => "alternate",
        EntityKind::Array(_) => "array",
        EntityKind::Builtin(_) => "built-in",
        EntityKind::Command(_) => "command",
        EntityKind::Event(_) => "event",
    }
}

fn shape(schema: &Schema, id: TypeId) -> String {
    match &schema.entity(id).kind {
        EntityKind::Object(o) => match &o.variants {
            Some(v) => format!("union (discriminator '{}')", v.tag),
            None => "struct".to_string(),
        },
        _ => meta(schema, id).to_string(),
    }
}

fn describe(schema: &Schema, id: TypeId, name: &dyn Fn(EntityId) -> String) -> String {
    match &schema.entity(id).kind {
        EntityKind::Builtin(_) => format!("'{}'", schema.entity(id).name),
        EntityKind::Array(a) => format!("[{}]", describe(schema, a.element, name)),
        _ => format!("{} '{}'", meta(schema, id), name(id)),
    }
}

/// The values a type takes, coarsely: which JSON types, and whether its
/// strings are any string.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
struct ValueKind {
    /// Bits of [`JsonType`]s.
    json: u16,
    /// Strings are any string (`str`), not an enum's values.
    any_string: bool,
}

impl ValueKind {
    fn contains(self, other: ValueKind) -> bool {
        let json = self.json & other.json == other.json;
        let strings =
            self.any_string || !other.any_string || other.json & bit(JsonType::String) == 0;
        json && strings
    }
}

fn bit(kind: JsonType) -> u16 {
    1 << (kind as u16)
}

fn value_kind(schema: &Schema, id: TypeId) -> Option<ValueKind> {
    Some(match &schema.entity(id).kind {
        EntityKind::Builtin(b) => match b.builtin.json_type() {
            JsonType::Value => ValueKind {
                json: u16::MAX,
                any_string: true,
            },
            // A number is also an integer.
            JsonType::Number => ValueKind {
                json: bit(JsonType::Number) | bit(JsonType::Int),
                any_string: false,
            },
            kind => ValueKind {
                json: bit(kind),
                any_string: kind == JsonType::String,
            },
        },
        EntityKind::Enum(_) => ValueKind {
            json: bit(JsonType::String),
            any_string: false,
        },
        EntityKind::Array(_) => ValueKind {
            json: bit(JsonType::Array),
            any_string: false,
        },
        EntityKind::Object(_) => ValueKind {
            json: bit(JsonType::Object),
            any_string: false,
        },
        EntityKind::Alternate(a) => {
            let mut kind = ValueKind {
                json: 0,
                any_string: false,
            };
            for variant in &a.variants.variants {
                let branch = value_kind(schema, variant.ty)?;
                kind.json |= branch.json;
                kind.any_string |= branch.any_string;
            }
            kind
        }
        EntityKind::Command(_) | EntityKind::Event(_) => return None,
    })
}

fn added_value_breaks(usage: Use, old: &str, new: &str) -> Vec<Break> {
    let mut breaks = Vec::new();
    if usage.input {
        breaks.push(Break::new(
            Role::Server,
            format!("a server of {old} rejects it from clients of {new}"),
        ));
    }
    if usage.output {
        breaks.push(Break::strict(
            Role::ClientReceiving,
            format!("clients of {old} decoding strictly reject it from {new}"),
        ));
    }
    breaks
}

fn removed_value_breaks(usage: Use, old: &str, new: &str) -> Vec<Break> {
    let mut breaks = Vec::new();
    if usage.input {
        breaks.push(Break::new(
            Role::ClientSending,
            format!("{new} rejects it from clients of {old}"),
        ));
    }
    if usage.output {
        breaks.push(Break::strict(
            Role::ClientReceiving,
            format!("clients of {new} decoding strictly reject it from {old}"),
        ));
    }
    breaks
}

fn added_member_breaks(usage: Use, optional: bool, old: &str, new: &str) -> Vec<Break> {
    let mut breaks = Vec::new();
    if usage.input {
        if !optional {
            breaks.push(Break::new(
                Role::ClientSending,
                format!("requests of clients of {old} lack it: {new} rejects them"),
            ));
        }
        breaks.push(Break::new(
            Role::Server,
            format!("a server of {old} rejects it from clients of {new}"),
        ));
    }
    if usage.output {
        if !optional {
            breaks.push(Break::new(
                Role::ClientReceiving,
                format!("replies of {old} lack it: clients of {new} fail to decode them"),
            ));
        }
        breaks.push(Break::strict(
            Role::ClientReceiving,
            format!("clients of {old} decoding strictly reject it from {new}"),
        ));
    }
    breaks
}

fn removed_member_breaks(usage: Use, optional: bool, old: &str, new: &str) -> Vec<Break> {
    let mut breaks = Vec::new();
    if usage.input {
        breaks.push(Break::new(
            Role::ClientSending,
            format!("{new} rejects it from clients of {old}"),
        ));
    }
    if usage.output {
        if !optional {
            breaks.push(Break::new(
                Role::ClientReceiving,
                format!("clients of {old} require it; {new} does not send it"),
            ));
        }
        breaks.push(Break::strict(
            Role::ClientReceiving,
            format!("clients of {new} decoding strictly reject it from {old}"),
        ));
    }
    breaks
}

fn optionality_breaks(usage: Use, now_optional: bool, old: &str, new: &str) -> Vec<Break> {
    let mut breaks = Vec::new();
    if usage.input {
        breaks.push(if now_optional {
            Break::new(
                Role::Server,
                format!("a server of {old} requires it; clients of {new} may leave it out"),
            )
        } else {
            Break::new(
                Role::ClientSending,
                format!("clients of {old} may leave it out; {new} requires it"),
            )
        });
    }
    if usage.output {
        breaks.push(Break::new(
            Role::ClientReceiving,
            if now_optional {
                format!("clients of {old} require it; {new} may leave it out")
            } else {
                format!("replies of {old} may lack it: clients of {new} fail to decode them")
            },
        ));
    }
    breaks
}

/// The members of an object, bases' included.
fn members(schema: &Schema, id: TypeId) -> Vec<Member> {
    match &schema.entity(id).kind {
        EntityKind::Object(o) => o.members.clone(),
        _ => Vec::new(),
    }
}

fn signature(schema: &Schema, id: EntityId) -> (Option<TypeId>, Option<TypeId>) {
    match &schema.entity(id).kind {
        EntityKind::Command(c) => (c.arg_type, c.ret_type),
        EntityKind::Event(e) => (e.arg_type, None),
        _ => (None, None),
    }
}

/// How each type some command or event reaches is used.
fn uses(schema: &Schema) -> HashMap<TypeId, Use> {
    let mut uses: HashMap<TypeId, Use> = HashMap::new();
    let mut stack: Vec<(TypeId, bool)> = Vec::new();
    for (_, entity) in schema.iter() {
        match &entity.kind {
            EntityKind::Command(c) => {
                stack.extend(c.arg_type.map(|t| (t, true)));
                stack.extend(c.ret_type.map(|t| (t, false)));
            }
            EntityKind::Event(e) => stack.extend(e.arg_type.map(|t| (t, false))),
            _ => {}
        }
    }
    while let Some((id, input)) = stack.pop() {
        let entry = uses.entry(id).or_default();
        let seen = if input { entry.input } else { entry.output };
        if seen {
            continue;
        }
        if input {
            entry.input = true;
        } else {
            entry.output = true;
        }
        match &schema.entity(id).kind {
            EntityKind::Array(a) => stack.push((a.element, input)),
            EntityKind::Object(o) => {
                stack.extend(o.members.iter().map(|m| (m.ty, input)));
                stack.extend(
                    o.variants
                        .iter()
                        .flat_map(|v| &v.variants)
                        .map(|v| (v.ty, input)),
                );
            }
            EntityKind::Alternate(a) => {
                stack.extend(a.variants.variants.iter().map(|v| (v.ty, input)))
            }
            _ => {}
        }
    }
    uses
}

// ---------------------------------------------------------------- output

impl Diff {
    /// Whether a change breaks a client (`strict`: strict-only breaks
    /// count): the exit status of `qapi-gen diff` is 1 then.
    pub fn breaks_clients(&self, strict: bool) -> bool {
        self.changes.iter().any(|c| c.breaks_client(strict))
    }

    fn heading(&self) -> String {
        let side = |s: &Side| {
            if s.introspection {
                format!("{} (query-qmp-schema reply)", s.label)
            } else {
                s.label.clone()
            }
        };
        format!("{} -> {}", side(&self.old), side(&self.new))
    }

    fn counts(&self, strict: bool) -> (usize, usize) {
        let breaking = self
            .changes
            .iter()
            .filter(|c| c.breaks_client(strict))
            .count();
        (breaking, self.changes.len() - breaking)
    }

    fn skipped_note(&self) -> Option<String> {
        (self.conditional_skipped > 0).then(|| {
            format!(
                "{} conditional items not compared (absent from the build that gave the reply)",
                self.conditional_skipped
            )
        })
    }

    /// Plain text: the changes that break a client, then the others; each
    /// with the parties it breaks and why.
    pub fn to_text(&self, strict: bool) -> String {
        let mut out = String::new();
        let (breaking, other) = self.counts(strict);
        let _ = writeln!(out, "schema diff {}", self.heading());
        for (title, count, wanted) in [
            ("changes that break clients", breaking, true),
            ("other changes", other, false),
        ] {
            let _ = writeln!(out, "\n{title} ({count}):");
            for change in self
                .changes
                .iter()
                .filter(|c| c.breaks_client(strict) == wanted)
            {
                let detail = if change.detail.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", change.detail)
                };
                let _ = writeln!(out, "  {} {}{detail}", change.subject, change.kind.as_str());
                for b in &change.breaks {
                    let strict_note = if b.strict_only {
                        ", strict decoding"
                    } else {
                        ""
                    };
                    let _ = writeln!(
                        out,
                        "      breaks {}{strict_note}: {}",
                        b.role.as_str(),
                        b.why
                    );
                }
            }
        }
        if let Some(note) = self.skipped_note() {
            let _ = writeln!(out, "\n{note}");
        }
        out
    }

    /// Markdown for a pull request: a table of the changes that break
    /// clients, then one of the others.
    pub fn to_markdown(&self, strict: bool) -> String {
        let mut out = String::new();
        let (breaking, other) = self.counts(strict);
        let _ = writeln!(
            out,
            "## Schema diff {}\n",
            self.heading().replace("->", "→")
        );
        let _ = writeln!(
            out,
            "{breaking} changes break clients, {other} other changes.\n"
        );
        for (title, wanted) in [
            ("Changes that break clients", true),
            ("Other changes", false),
        ] {
            let rows: Vec<&Change> = self
                .changes
                .iter()
                .filter(|c| c.breaks_client(strict) == wanted)
                .collect();
            if rows.is_empty() {
                continue;
            }
            let _ = writeln!(out, "### {title}\n");
            let _ = writeln!(out, "| Change | Breaks |");
            let _ = writeln!(out, "|---|---|");
            for change in rows {
                let detail = if change.detail.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", markdown_escape(&change.detail))
                };
                let breaks: Vec<String> = change
                    .breaks
                    .iter()
                    .map(|b| {
                        let strict_note = if b.strict_only { " (strict)" } else { "" };
                        format!(
                            "**{}**{strict_note}: {}",
                            b.role.as_str(),
                            markdown_escape(&b.why)
                        )
                    })
                    .collect();
                let _ = writeln!(
                    out,
                    "| {} {}{detail} | {} |",
                    markdown_escape(&change.subject),
                    change.kind.as_str(),
                    if breaks.is_empty() {
                        "—".to_string()
                    } else {
                        breaks.join("<br>")
                    }
                );
            }
            out.push('\n');
        }
        if let Some(note) = self.skipped_note() {
            let _ = writeln!(out, "_{note}._");
        }
        out
    }

    /// The changes as JSON: `old`, `new`, `changes` (each `change`,
    /// `subject`, `detail`, `breaks` with `role`, `strict_only`, `why`),
    /// `conditional_skipped`, and whether clients break.
    pub fn to_json(&self, strict: bool) -> Value {
        let side = |s: &Side| json!({ "label": s.label, "introspection": s.introspection });
        let changes: Vec<Value> = self
            .changes
            .iter()
            .map(|c| {
                json!({
                    "change": c.kind.as_str(),
                    "subject": c.subject,
                    "detail": c.detail,
                    "breaks_clients": c.breaks_client(strict),
                    "breaks": c.breaks.iter().map(|b| json!({
                        "role": b.role.key(),
                        "strict_only": b.strict_only,
                        "why": b.why,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        json!({
            "old": side(&self.old),
            "new": side(&self.new),
            "breaks_clients": self.breaks_clients(strict),
            "changes": changes,
            "conditional_skipped": self.conditional_skipped,
        })
    }
}

fn markdown_escape(text: &str) -> String {
    text.replace('|', "\\|").replace('_', "\\_")
}
