//! Defining the entities, as QEMU's `QAPISchema.__init__` does before
//! `check()`: the predefined types, then each definition with the implicit
//! types it needs, and the modules.  Also the final conversion of the
//! checked entities to the [`model`](super::model).
//!
//! The entities borrow their names and conditions from the checked
//! definitions (`'a`); only made-up names (arrays, implicit types) are
//! owned.  The model gets its own copies at the end.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use super::c_name_cow;
use super::model::{
    AlternateType, ArrayType, Builtin, BuiltinType, Command, Entity, EntityId, EntityKind,
    EnumMember, EnumType, Event, Feature, Member, Module, ModuleId, ModuleItem, ObjectType, Schema,
    Variant, Variants,
};
use crate::check::ast::{
    BranchDecl, Cond, DefBody, Definition, FeatureDecl, Item, MemberDecl, MembersRef, Meta,
};
use crate::diag::{Diagnostic, FileId, SourceMap, Span};
use crate::parse::{DocMode, Pragma, TopExpr};
use crate::rules::Rules;
use crate::schema::doc::{Doc, DocId};

/// Where a definition was written and which one it is: QEMU's
/// `QAPISourceInfo` with `defn_meta` and `defn_name` set.  Implicit types
/// and arrays carry the info of the definition that made them.
#[derive(Copy, Clone, Debug)]
pub(super) struct Info<'a> {
    pub span: Span,
    pub meta: Meta,
    pub name: &'a str,
}

/// QEMU's member classes, by their `role`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(super) enum Role {
    Member,
    Value,
    Branch,
    Feature,
}

impl Role {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::Value => "value",
            Role::Branch => "branch",
            Role::Feature => "feature",
        }
    }
}

/// An object member, enum value, branch or feature (QEMU's
/// `QAPISchemaMember` and subclasses).  Its info is its owner's.
#[derive(Clone, Debug)]
pub(super) struct MemberDef<'a> {
    pub name: &'a str,
    /// `c_name(name)`, which clash checks compare.
    pub c_name: Cow<'a, str>,
    pub role: Role,
    /// The name as written; `None` for made-up members.
    pub span: Option<Span>,
    pub cond: Option<&'a Cond>,
    /// The name of the definition (or, for features of members and enum
    /// values, of the member) declaring it.
    pub defined_in: Cow<'a, str>,
    /// The type name, for object members and branches.
    pub type_name: Cow<'a, str>,
    pub type_span: Option<Span>,
    /// The resolved type, once checked.
    pub ty: Option<EntityId>,
    pub optional: bool,
    pub features: Vec<MemberDef<'a>>,
}

impl<'a> MemberDef<'a> {
    pub(super) fn new(
        name: &'a str,
        role: Role,
        span: Option<Span>,
        cond: Option<&'a Cond>,
        defined_in: Cow<'a, str>,
    ) -> MemberDef<'a> {
        MemberDef {
            name,
            c_name: c_name_cow(name),
            role,
            span,
            cond,
            defined_in,
            type_name: Cow::Borrowed(""),
            type_span: None,
            ty: None,
            optional: false,
            features: Vec::new(),
        }
    }

    /// QEMU's `QAPISchemaMember.describe(info)`: how a message about
    /// `info`'s definition names this member.
    pub(super) fn describe(&self, info: Option<&Info>) -> String {
        let mut role = self.role.as_str().to_string();
        let mut meta = "type";
        let mut defined_in: &str = &self.defined_in;
        // Implicit types are named after their definition: say so.
        if let Some(rest) = defined_in.strip_prefix("q_obj_") {
            if let Some(command) = rest.strip_suffix("-arg") {
                role = "parameter".to_string();
                meta = "command";
                defined_in = command;
            } else if let Some(union) = rest.strip_suffix("-base") {
                role = format!("base {role}");
                defined_in = union;
            }
        }
        match info {
            Some(info) if info.name == defined_in => format!("{role} '{}'", self.name),
            _ => format!("{role} '{}' of {meta} '{defined_in}'", self.name),
        }
    }

    pub(super) fn is_special_feature(&self) -> bool {
        self.name == "deprecated" || self.name == "unstable"
    }
}

/// A definition being built (QEMU's `QAPISchemaDefinition` subclasses).
#[derive(Clone, Debug)]
pub(super) struct Def<'a> {
    pub name: Cow<'a, str>,
    /// `None` for the predefined types and their arrays.
    pub info: Option<Info<'a>>,
    pub doc: Option<DocId>,
    pub cond: Option<&'a Cond>,
    pub features: Vec<MemberDef<'a>>,
    pub kind: Kind<'a>,
    /// QEMU's `_checked`: `check()` has begun.
    pub checked: bool,
}

#[derive(Clone, Debug)]
pub(super) enum Kind<'a> {
    Builtin(Builtin),
    Enum {
        values: Vec<MemberDef<'a>>,
        prefix: Option<&'a str>,
    },
    Array {
        element_name: &'a str,
        element_span: Option<Span>,
        element: Option<EntityId>,
    },
    Object(ObjectDef<'a>),
    Alternate {
        tag: MemberDef<'a>,
        variants: Vec<MemberDef<'a>>,
    },
    Command(CommandDef<'a>),
    Event(EventDef<'a>),
}

/// A member of an object type: `index` in the `local_members` of
/// `owner`, the type that declares it.
#[derive(Copy, Clone, Debug)]
pub(super) struct MemberRef {
    pub owner: EntityId,
    pub index: u32,
}

#[derive(Clone, Debug)]
pub(super) struct ObjectDef<'a> {
    pub base_name: Option<(Cow<'a, str>, Span)>,
    pub base: Option<EntityId>,
    pub local_members: Vec<MemberDef<'a>>,
    pub branches: Option<Branches<'a>>,
    /// Base members then local ones, once checked.
    pub members: Vec<MemberRef>,
    pub complete: bool,
}

/// A union's branches (QEMU's `QAPISchemaBranches`).
#[derive(Clone, Debug)]
pub(super) struct Branches<'a> {
    pub tag_name: &'a str,
    pub tag_span: Span,
    /// The discriminator's enum type, once checked.
    pub tag_type: Option<EntityId>,
    pub variants: Vec<MemberDef<'a>>,
}

/// A type name as written (or made up), with where it was written.
pub(super) type TypeName<'a> = (Cow<'a, str>, Span);

#[derive(Clone, Debug)]
pub(super) struct CommandDef<'a> {
    pub data: Option<TypeName<'a>>,
    pub returns: Option<TypeName<'a>>,
    pub arg_type: Option<EntityId>,
    pub ret_type: Option<EntityId>,
    pub boxed: bool,
    pub gen: bool,
    pub success_response: bool,
    pub allow_oob: bool,
    pub allow_preconfig: bool,
    pub coroutine: bool,
}

#[derive(Clone, Debug)]
pub(super) struct EventDef<'a> {
    pub data: Option<TypeName<'a>>,
    pub arg_type: Option<EntityId>,
    pub boxed: bool,
}

impl Def<'_> {
    pub(super) fn is_type(&self) -> bool {
        !matches!(self.kind, Kind::Command(_) | Kind::Event(_))
    }

    /// QEMU's `is_implicit()`.
    pub(super) fn is_implicit(&self) -> bool {
        match &self.kind {
            Kind::Enum { .. } => self.name == "QType",
            Kind::Array { .. } => true,
            Kind::Object(_) => self.name.starts_with("q_"),
            _ => self.info.is_none(),
        }
    }

    /// QEMU's `describe()`: `struct type 'Foo'`, `command 'bar'`, ...
    pub(super) fn describe(&self) -> String {
        match &self.kind {
            Kind::Builtin(_) => format!("built-in type '{}'", self.name),
            Kind::Enum { .. } => format!("enum type '{}'", self.name),
            Kind::Array { element_name, .. } => format!("array type ['{element_name}']"),
            Kind::Object(o) if o.branches.is_some() => format!("union type '{}'", self.name),
            Kind::Object(_) => format!("struct type '{}'", self.name),
            Kind::Alternate { .. } => format!("alternate type '{}'", self.name),
            Kind::Command(_) => format!("command '{}'", self.name),
            Kind::Event(_) => format!("event '{}'", self.name),
        }
    }
}

/// The entity list in QEMU's order: definitions and include directives.
#[derive(Copy, Clone, Debug)]
pub(super) enum Slot {
    Def(EntityId),
    Include { module: usize, span: Span },
}

/// QEMU's `QAPISchema` while it is being built.
pub(super) struct Builder<'a> {
    pub sources: SourceMap,
    pub pragma: Pragma,
    pub docs: Vec<Doc>,
    /// The release whose rules hold.
    pub rules: Rules,
    /// How doc-comment rules are enforced.
    pub doc_mode: DocMode,
    /// Doc-comment rules broken in lenient mode.
    pub warnings: Vec<Diagnostic>,
    /// Blocks kept as raw text: not matched with members.
    pub raw_docs: Vec<DocId>,
    pub defs: Vec<Def<'a>>,
    pub slots: Vec<Slot>,
    /// The model's index, built as the entities are defined.
    pub by_name: HashMap<String, EntityId>,
    /// Module names in creation order.
    pub modules: Vec<String>,
    /// Module index by file name as written (QEMU's `_module_dict`, keyed
    /// before the name is made relative).
    module_of_fname: HashMap<String, usize>,
    /// The module of each source file, once asked for.
    module_of_file: Vec<Option<usize>>,
    /// The root file's directory; module names are relative to it.
    schema_dir: String,
    /// The current directory (relative file names are relative to it),
    /// asked when first needed.
    cwd: Option<String>,
    /// Every feature name in first-use order and where it was first used
    /// (QEMU's `_feature_dict`).
    pub feature_names: Vec<(&'a str, Option<Info<'a>>)>,
    feature_set: HashSet<&'a str>,
}

const QTYPE_VALUES: [&str; 7] = [
    "none", "qnull", "qnum", "qstring", "qdict", "qlist", "qbool",
];

pub(super) const BUILTIN_MODULE: &str = "./builtin";

impl<'a> Builder<'a> {
    pub(super) fn new(sources: SourceMap, pragma: Pragma, docs: Vec<Doc>) -> Builder<'a> {
        let root = sources
            .files()
            .next()
            .map(|(_, f)| f.name.clone())
            .unwrap_or_default();
        let mut builder = Builder {
            sources,
            pragma,
            docs,
            rules: Rules::default(),
            doc_mode: DocMode::Strict,
            warnings: Vec::new(),
            raw_docs: Vec::new(),
            defs: Vec::new(),
            slots: Vec::new(),
            by_name: HashMap::new(),
            modules: Vec::new(),
            module_of_fname: HashMap::new(),
            module_of_file: Vec::new(),
            schema_dir: dirname(&root).to_string(),
            cwd: None,
            feature_names: Vec::new(),
            feature_set: HashSet::new(),
        };
        for special in ["deprecated", "unstable"] {
            builder.feature_set.insert(special);
            builder.feature_names.push((special, None));
        }
        builder.make_module(BUILTIN_MODULE);
        builder.make_module(&root);
        builder
    }

    /// QEMU's `_def_predefineds` and `_def_exprs`.
    pub(super) fn define_all(
        &mut self,
        items: &'a [Item],
        exprs: &[TopExpr],
    ) -> Result<(), Diagnostic> {
        // Room for the definitions and about as many implicit types and
        // arrays, so that the tables rarely grow.
        let expected = 2 * items.len() + 64;
        self.defs.reserve(expected);
        self.slots.reserve(expected);
        self.by_name.reserve(expected);
        self.define_predefineds()?;
        for item in items {
            match item {
                Item::Include(index) => {
                    if let Some(TopExpr::Include(include)) = exprs.get(*index) {
                        let module = self.make_module(&include.name);
                        self.slots.push(Slot::Include {
                            module,
                            span: include.span,
                        });
                    }
                }
                Item::Definition(definition) => self.define_definition(definition)?,
            }
        }
        Ok(())
    }

    /// A semantic error reported at `info`, as QEMU's `QAPISemError`.
    pub(super) fn error(&self, info: Option<&Info>, message: impl Into<String>) -> Diagnostic {
        semantic_error(info, message)
    }

    pub(super) fn lookup_type(&self, name: &str) -> Option<EntityId> {
        self.by_name
            .get(name)
            .copied()
            .filter(|&id| self.def(id).is_type())
    }

    pub(super) fn def(&self, id: EntityId) -> &Def<'a> {
        &self.defs[id.0 as usize]
    }

    pub(super) fn def_mut(&mut self, id: EntityId) -> &mut Def<'a> {
        &mut self.defs[id.0 as usize]
    }

    /// QEMU's `str(info)`: include chain, definition and `file:line`.
    fn qemu_info_text(&self, info: &Info) -> String {
        let mut text = String::new();
        for line in self.sources.include_chain(info.span.file) {
            text.push_str(&line);
            text.push('\n');
        }
        let fname = &self.sources.file(info.span.file).name;
        text.push_str(&format!(
            "{fname}: In {} '{}':\n",
            info.meta.as_str(),
            info.name
        ));
        text.push_str(&self.sources.line_loc(info.span));
        text
    }

    /// QEMU's `_def_definition`: add `def`, rejecting a second definition
    /// of its name.  `label` points at the name as written.
    fn define(&mut self, def: Def<'a>, label: Option<Span>) -> Result<EntityId, Diagnostic> {
        if let Some(&other) = self.by_name.get(&*def.name) {
            let other = self.def(other);
            let message = match &other.info {
                Some(other_info) => format!(
                    "'{}' is already defined\n{}: previous definition",
                    def.name,
                    self.qemu_info_text(other_info)
                ),
                None => format!("{} is already defined", other.describe()),
            };
            return Err(labelled(self.error(def.info.as_ref(), message), label));
        }
        let id = EntityId(self.defs.len() as u32);
        self.by_name.insert(def.name.to_string(), id);
        self.defs.push(def);
        self.slots.push(Slot::Def(id));
        Ok(id)
    }

    fn define_predefineds(&mut self) -> Result<(), Diagnostic> {
        for builtin in Builtin::ALL {
            self.define(
                Def {
                    name: Cow::Borrowed(builtin.name()),
                    info: None,
                    doc: None,
                    cond: None,
                    features: Vec::new(),
                    kind: Kind::Builtin(builtin),
                    checked: false,
                },
                None,
            )?;
            self.make_array_type(builtin.name(), None, None)?;
        }
        self.define(
            object_def(Cow::Borrowed("q_empty"), None, None, None, Vec::new(), None),
            None,
        )?;
        let values = QTYPE_VALUES
            .iter()
            .map(|&name| MemberDef::new(name, Role::Value, None, None, Cow::Borrowed("QType")))
            .collect();
        self.define(
            Def {
                name: Cow::Borrowed("QType"),
                info: None,
                doc: None,
                cond: None,
                features: Vec::new(),
                kind: Kind::Enum {
                    values,
                    prefix: None,
                },
                checked: false,
            },
            None,
        )?;
        Ok(())
    }

    /// QEMU's `_make_array_type`: the name of the array of `element`,
    /// defined on first use.
    fn make_array_type(
        &mut self,
        element: &'a str,
        info: Option<&Info<'a>>,
        span: Option<Span>,
    ) -> Result<Cow<'a, str>, Diagnostic> {
        let name = format!("{element}List");
        if self.lookup_type(&name).is_none() {
            self.define(
                Def {
                    name: Cow::Owned(name.clone()),
                    info: info.copied(),
                    doc: None,
                    cond: None,
                    features: Vec::new(),
                    kind: Kind::Array {
                        element_name: element,
                        element_span: span,
                        element: None,
                    },
                    checked: false,
                },
                None,
            )?;
        }
        Ok(Cow::Owned(name))
    }

    /// QEMU's `_make_features`: also records first uses of each name.
    fn make_features(
        &mut self,
        features: &'a [FeatureDecl],
        info: &Info<'a>,
        owner: &'a str,
    ) -> Vec<MemberDef<'a>> {
        for feature in features {
            if self.feature_set.insert(feature.name.name) {
                self.feature_names.push((feature.name.name, Some(*info)));
            }
        }
        features
            .iter()
            .map(|f| {
                MemberDef::new(
                    f.name.name,
                    Role::Feature,
                    Some(f.name.span),
                    f.cond.as_ref(),
                    Cow::Borrowed(owner),
                )
            })
            .collect()
    }

    /// A type reference as a type name, making the array type it names.
    fn type_name(
        &mut self,
        name: &'a str,
        array: bool,
        info: &Info<'a>,
        span: Span,
    ) -> Result<Cow<'a, str>, Diagnostic> {
        if array {
            self.make_array_type(name, Some(info), Some(span))
        } else {
            Ok(Cow::Borrowed(name))
        }
    }

    /// QEMU's `_make_members`, for a type named `owner`.
    fn make_members(
        &mut self,
        members: &'a [MemberDecl],
        info: &Info<'a>,
        owner: &Cow<'a, str>,
    ) -> Result<Vec<MemberDef<'a>>, Diagnostic> {
        let mut made = Vec::with_capacity(members.len());
        for decl in members {
            let mut member = MemberDef::new(
                decl.name.name,
                Role::Member,
                Some(decl.name.span),
                decl.cond.as_ref(),
                owner.clone(),
            );
            member.optional = decl.optional;
            member.type_name = self.type_name(decl.ty.name, decl.ty.array, info, decl.ty.span)?;
            member.type_span = Some(decl.ty.span);
            member.features = self.make_features(&decl.features, info, decl.name.name);
            made.push(member);
        }
        Ok(made)
    }

    /// QEMU's `_make_variant`, for a type named `owner`.
    fn make_variants(
        &mut self,
        branches: &'a [BranchDecl],
        info: &Info<'a>,
        owner: &'a str,
    ) -> Result<Vec<MemberDef<'a>>, Diagnostic> {
        let mut made = Vec::with_capacity(branches.len());
        for decl in branches {
            let mut variant = MemberDef::new(
                decl.name.name,
                Role::Branch,
                Some(decl.name.span),
                decl.cond.as_ref(),
                Cow::Borrowed(owner),
            );
            variant.type_name = self.type_name(decl.ty.name, decl.ty.array, info, decl.ty.span)?;
            variant.type_span = Some(decl.ty.span);
            made.push(variant);
        }
        Ok(made)
    }

    /// Members given by name or inline, as a type name: inline ones make
    /// QEMU's implicit object type `q_obj_<name>-<role>` (none when there
    /// are no members).
    fn members_ref(
        &mut self,
        data: &'a MembersRef,
        info: &Info<'a>,
        cond: Option<&'a Cond>,
        role: &str,
    ) -> Result<Option<TypeName<'a>>, Diagnostic> {
        Ok(match data {
            MembersRef::Named(ty) => Some((Cow::Borrowed(ty.name), ty.span)),
            MembersRef::Inline { members, span } => {
                let name: Cow<'a, str> = Cow::Owned(format!("q_obj_{}-{role}", info.name));
                let members = self.make_members(members, info, &name)?;
                if members.is_empty() {
                    return Ok(None);
                }
                // A second user can only be a duplicate definition, reported
                // when that definition is added.
                if !self.by_name.contains_key(&*name) {
                    let def = object_def(name.clone(), Some(*info), cond, None, members, None);
                    self.define(def, None)?;
                }
                Some((name, *span))
            }
        })
    }

    fn define_definition(&mut self, definition: &'a Definition) -> Result<(), Diagnostic> {
        let name = definition.name.name;
        let info = Info {
            span: definition.span,
            meta: definition.meta,
            name,
        };
        let cond = definition.cond.as_ref();
        let features = self.make_features(&definition.features, &info, name);
        let kind = match &definition.body {
            DefBody::Enum { values, prefix } => {
                let mut made = Vec::with_capacity(values.len());
                for value in values {
                    let mut member = MemberDef::new(
                        value.name.name,
                        Role::Value,
                        Some(value.name.span),
                        value.cond.as_ref(),
                        Cow::Borrowed(name),
                    );
                    member.features = self.make_features(&value.features, &info, value.name.name);
                    made.push(member);
                }
                Kind::Enum {
                    values: made,
                    prefix: prefix.as_deref(),
                }
            }
            DefBody::Struct { base, members } => {
                let members = self.make_members(members, &info, &Cow::Borrowed(name))?;
                let base = base.as_ref().map(|b| (Cow::Borrowed(b.name), b.span));
                object_def(Cow::Borrowed(name), None, None, base, members, None).kind
            }
            DefBody::Union {
                base,
                discriminator,
                branches,
            } => {
                let base = self.members_ref(base, &info, cond, "base")?;
                let branches = Branches {
                    tag_name: discriminator.name,
                    tag_span: discriminator.span,
                    tag_type: None,
                    variants: self.make_variants(branches, &info, name)?,
                };
                object_def(
                    Cow::Borrowed(name),
                    None,
                    None,
                    base,
                    Vec::new(),
                    Some(branches),
                )
                .kind
            }
            DefBody::Alternate { branches } => {
                let variants = self.make_variants(branches, &info, name)?;
                let mut tag = MemberDef::new("type", Role::Member, None, None, Cow::Borrowed(name));
                tag.type_name = Cow::Borrowed("QType");
                Kind::Alternate { tag, variants }
            }
            DefBody::Command {
                data,
                boxed,
                returns,
                gen,
                success_response,
                allow_oob,
                allow_preconfig,
                coroutine,
            } => {
                let data = match data {
                    Some(data) => self.members_ref(data, &info, cond, "arg")?,
                    None => None,
                };
                let returns = match returns {
                    Some(ty) => Some((self.type_name(ty.name, ty.array, &info, ty.span)?, ty.span)),
                    None => None,
                };
                Kind::Command(CommandDef {
                    data,
                    returns,
                    arg_type: None,
                    ret_type: None,
                    boxed: *boxed,
                    gen: *gen,
                    success_response: *success_response,
                    allow_oob: *allow_oob,
                    allow_preconfig: *allow_preconfig,
                    coroutine: *coroutine,
                })
            }
            DefBody::Event { data, boxed } => {
                let data = match data {
                    Some(data) => self.members_ref(data, &info, cond, "arg")?,
                    None => None,
                };
                Kind::Event(EventDef {
                    data,
                    arg_type: None,
                    boxed: *boxed,
                })
            }
        };
        let def = Def {
            name: Cow::Borrowed(name),
            info: Some(info),
            doc: definition.doc,
            cond,
            features,
            kind,
            checked: false,
        };
        self.define(def, Some(definition.name.span))?;
        Ok(())
    }

    /// QEMU's `_module_name`: system modules (`./...`) as named, files
    /// relative to the root file's directory.
    fn module_name(&mut self, fname: &str) -> String {
        if fname.starts_with("./") {
            return fname.to_string();
        }
        let cwd = self.cwd.get_or_insert_with(|| {
            std::env::current_dir()
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_else(|_| "/".to_string())
        });
        relpath(fname, &self.schema_dir, cwd)
    }

    fn make_module(&mut self, fname: &str) -> usize {
        if let Some(&index) = self.module_of_fname.get(fname) {
            return index;
        }
        let name = self.module_name(fname);
        let index = match self.modules.iter().position(|m| *m == name) {
            Some(index) => index,
            None => {
                self.modules.push(name);
                self.modules.len() - 1
            }
        };
        self.module_of_fname.insert(fname.to_string(), index);
        index
    }

    /// The module of a source file (QEMU's `_set_module` with its info).
    fn module_of_file(&mut self, file: FileId) -> usize {
        let index = file.0 as usize;
        if let Some(&Some(module)) = self.module_of_file.get(index) {
            return module;
        }
        let fname = self.sources.file(file).name.clone();
        let module = self.make_module(&fname);
        if self.module_of_file.len() <= index {
            self.module_of_file.resize(index + 1, None);
        }
        self.module_of_file[index] = Some(module);
        module
    }

    /// The module of an entity: its definition's file; an array lives in
    /// its element type's module.
    fn module_of_def(&mut self, id: EntityId) -> usize {
        let def = self.def(id);
        let info = match &def.kind {
            Kind::Array { element_name, .. } => self
                .lookup_type(element_name)
                .and_then(|element| self.def(element).info),
            _ => def.info,
        };
        match info {
            Some(info) => self.module_of_file(info.span.file),
            None => self.make_module(BUILTIN_MODULE),
        }
    }

    /// The checked entities as the model.
    pub(super) fn into_schema(mut self) -> Schema {
        let mut module_items: Vec<Vec<ModuleItem>> = Vec::new();
        let mut entity_modules = vec![ModuleId(0); self.defs.len()];
        for index in 0..self.slots.len() {
            let (module, item) = match self.slots[index] {
                Slot::Def(id) => {
                    let module = self.module_of_def(id);
                    entity_modules[id.0 as usize] = ModuleId(module as u32);
                    (module, ModuleItem::Entity(id))
                }
                Slot::Include { module, span } => {
                    let including = self.module_of_file(span.file);
                    let item = ModuleItem::Include {
                        module: ModuleId(module as u32),
                        span,
                    };
                    (including, item)
                }
            };
            if module_items.len() <= module {
                module_items.resize(module + 1, Vec::new());
            }
            module_items[module].push(item);
        }
        module_items.resize(self.modules.len(), Vec::new());
        let modules = std::mem::take(&mut self.modules)
            .into_iter()
            .zip(module_items)
            .map(|(name, items)| Module { name, items })
            .collect();
        let entities = self
            .defs
            .iter()
            .enumerate()
            .zip(entity_modules)
            .map(|((index, def), module)| self.entity(EntityId(index as u32), def, module))
            .collect();
        Schema {
            modules,
            entities,
            docs: self.docs,
            pragma: self.pragma,
            sources: self.sources,
            rules: self.rules,
            warnings: self.warnings,
            versions: None,
            by_name: self.by_name,
        }
    }

    fn entity(&self, id: EntityId, def: &Def, module: ModuleId) -> Entity {
        let kind = match &def.kind {
            Kind::Builtin(builtin) => EntityKind::Builtin(BuiltinType { builtin: *builtin }),
            Kind::Enum { values, prefix } => EntityKind::Enum(EnumType {
                members: values
                    .iter()
                    .map(|v| EnumMember {
                        name: v.name.to_string(),
                        span: v.span,
                        cond: v.cond.cloned(),
                        features: model_features(&v.features),
                    })
                    .collect(),
                prefix: prefix.map(str::to_string),
            }),
            Kind::Array { element, .. } => EntityKind::Array(ArrayType {
                element: element.expect("arrays are resolved by check"),
            }),
            Kind::Object(object) => EntityKind::Object(self.object_type(id, def, object)),
            Kind::Alternate { tag, variants } => EntityKind::Alternate(AlternateType {
                variants: Variants {
                    tag: tag.name.to_string(),
                    tag_type: tag.ty,
                    variants: model_variants(variants),
                },
            }),
            Kind::Command(c) => EntityKind::Command(Command {
                arg_type: c.arg_type,
                ret_type: c.ret_type,
                boxed: c.boxed,
                gen: c.gen,
                success_response: c.success_response,
                allow_oob: c.allow_oob,
                allow_preconfig: c.allow_preconfig,
                coroutine: c.coroutine,
            }),
            Kind::Event(e) => EntityKind::Event(Event {
                arg_type: e.arg_type,
                boxed: e.boxed,
            }),
        };
        // An array is as conditional as its element type.
        let cond = match &def.kind {
            Kind::Array {
                element: Some(element),
                ..
            } => self.def(*element).cond,
            _ => def.cond,
        };
        Entity {
            name: def.name.to_string(),
            span: def.info.as_ref().map(|i| i.span),
            module,
            doc: def.doc,
            cond: cond.cloned(),
            features: model_features(&def.features),
            kind,
        }
    }

    /// The members of object type `id` (base members first), once checked.
    pub(super) fn members_of(
        &self,
        id: EntityId,
    ) -> impl Iterator<Item = (MemberRef, &MemberDef<'a>)> {
        let members = match &self.def(id).kind {
            Kind::Object(object) => object.members.as_slice(),
            _ => &[],
        };
        members.iter().map(|&r| (r, self.member(r)))
    }

    pub(super) fn member(&self, r: MemberRef) -> &MemberDef<'a> {
        match &self.def(r.owner).kind {
            Kind::Object(object) => &object.local_members[r.index as usize],
            _ => unreachable!("members belong to object types"),
        }
    }

    fn object_type(&self, id: EntityId, def: &Def, object: &ObjectDef) -> ObjectType {
        let members = self
            .members_of(id)
            .map(|(r, m)| Member {
                name: m.name.to_string(),
                ty: m.ty.expect("members are resolved by check"),
                optional: m.optional,
                span: m.span,
                cond: m.cond.cloned(),
                features: model_features(&m.features),
                defined_in: r.owner,
            })
            .collect();
        let base_member_count = match object.base {
            Some(base) => match &self.def(base).kind {
                Kind::Object(base) => base.members.len(),
                _ => 0,
            },
            None => 0,
        };
        ObjectType {
            base: object.base,
            members,
            base_member_count,
            variants: object.branches.as_ref().map(|b| Variants {
                tag: b.tag_name.to_string(),
                tag_type: b.tag_type,
                variants: model_variants(&b.variants),
            }),
            implicit: def.name.starts_with("q_"),
        }
    }
}

fn model_features(features: &[MemberDef]) -> Vec<Feature> {
    features
        .iter()
        .map(|f| Feature {
            name: f.name.to_string(),
            span: f.span,
            cond: f.cond.cloned(),
        })
        .collect()
}

fn model_variants(variants: &[MemberDef]) -> Vec<Variant> {
    variants
        .iter()
        .map(|v| Variant {
            name: v.name.to_string(),
            ty: v.ty.expect("branches are resolved by check"),
            span: v.span,
            cond: v.cond.cloned(),
        })
        .collect()
}

/// A semantic error reported at `info`, as QEMU's `QAPISemError`.
pub(super) fn semantic_error(info: Option<&Info>, message: impl Into<String>) -> Diagnostic {
    match info {
        Some(info) => {
            Diagnostic::new(info.span, message).in_definition(info.meta.as_str(), info.name)
        }
        None => Diagnostic::without_location(message),
    }
}

/// Point the snippet at `label` when it is known.
pub(super) fn labelled(error: Diagnostic, label: Option<Span>) -> Diagnostic {
    match label {
        Some(label) => error.with_label(label),
        None => error,
    }
}

/// An object type definition (QEMU's `QAPISchemaObjectType`); its local
/// members must be defined in it.
fn object_def<'a>(
    name: Cow<'a, str>,
    info: Option<Info<'a>>,
    cond: Option<&'a Cond>,
    base: Option<TypeName<'a>>,
    local_members: Vec<MemberDef<'a>>,
    branches: Option<Branches<'a>>,
) -> Def<'a> {
    Def {
        name,
        info,
        doc: None,
        cond,
        features: Vec::new(),
        kind: Kind::Object(ObjectDef {
            base_name: base,
            base: None,
            local_members,
            branches,
            members: Vec::new(),
            complete: false,
        }),
        checked: false,
    }
}

/// Python's `os.path.dirname`.
fn dirname(path: &str) -> &str {
    match path.rfind('/') {
        Some(i) => {
            let head = &path[..=i];
            let trimmed = head.trim_end_matches('/');
            if trimmed.is_empty() {
                head
            } else {
                trimmed
            }
        }
        None => "",
    }
}

/// Python's `os.path.relpath(path, start)`: lexical, relative paths
/// being relative to `cwd`.
fn relpath(path: &str, start: &str, cwd: &str) -> String {
    let start = absolute_components(start, cwd);
    let path = absolute_components(path, cwd);
    let common = start.iter().zip(&path).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<&str> = vec![".."; start.len() - common];
    parts.extend_from_slice(&path[common..]);
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

/// The components of `os.path.abspath(path)`, relative paths being
/// relative to `cwd`.
fn absolute_components<'p>(path: &'p str, cwd: &'p str) -> Vec<&'p str> {
    let prefix = if path.starts_with('/') { "" } else { cwd };
    let mut parts: Vec<&str> = Vec::new();
    for part in prefix.split('/').chain(path.split('/')) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            part => parts.push(part),
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dirname_like_python() {
        assert_eq!(dirname("a/b.json"), "a");
        assert_eq!(dirname("b.json"), "");
        assert_eq!(dirname("/b.json"), "/");
        assert_eq!(dirname("a//b.json"), "a");
    }

    #[test]
    fn relpath_like_python() {
        let cwd = "/home/me";
        assert_eq!(relpath("dir/x.json", "dir", cwd), "x.json");
        assert_eq!(relpath("dir/include/../y.json", "dir", cwd), "y.json");
        assert_eq!(relpath("dir/sub/y.json", "dir", cwd), "sub/y.json");
        assert_eq!(relpath("x.json", "", cwd), "x.json");
        assert_eq!(relpath("../x.json", "", cwd), "../x.json");
        assert_eq!(relpath("../../../x.json", "", cwd), "../../x.json");
        assert_eq!(relpath("/a/b/c.json", "/a/d", cwd), "../b/c.json");
        assert_eq!(relpath("/home/me/d/x.json", "d", cwd), "x.json");
        assert_eq!(relpath("d/x.json", "/home/me", cwd), "d/x.json");
    }
}
