//! Span bindings: one model for several QEMU versions.
//!
//! A program built on our bindings meets many QEMU versions at once.
//! [`span`] takes the model of the newest schema (the *main* one, whose
//! shapes, names and documentation the bindings keep) and the models of
//! older versions, and makes one model that decodes, strictly, what every
//! one of them sends:
//!
//! - a member required in the main schema but missing or optional in a
//!   version becomes optional;
//! - what only some versions have is added: members (optional), enum
//!   values, union and alternate branches, commands, events, and the
//!   types they use (named as that version names them);
//! - every command, event, type, member, enum value and branch records the
//!   versions that have it ([`Versions`]), which the Rust back end puts in
//!   the docs and in generated constants.
//!
//! These facts come from comparing the models, never from "(since X)" in
//! doc text.  Types are paired by name, then through the commands and
//! events that reach them and the members, branches and elements on the
//! way (`matching.rs`), so renamed types, and the numbers that
//! `query-qmp-schema` shows instead of type names, are paired too.
//!
//! # Changes that cannot be merged
//!
//! A member whose type changed between versions is merged when the old
//! type's values are values of the new one: builtins of the same JSON type
//! (and `int` into `number`), an enum into `str`, enums (values are
//! added), objects and alternates (recursively), arrays of such.
//! Otherwise the change cannot be merged, and is a warning naming both
//! versions and the member path (`file:line:col: warning:` at the main
//! schema's member, or the file and JSON path of an introspected one),
//! resolved as follows:
//!
//! - **wider type**: when the old type's values include the new type's
//!   (QEMU made a `str` an alternate of `str` and `null`, an `int` a
//!   `number`), the member takes the old type;
//! - **raw JSON**: otherwise, the member takes any JSON value (`any`):
//!   every version's value decodes, as a `serde_json::Value`;
//! - except `str` in an older version where the main schema has an enum
//!   (QEMU made a string an enum): the enum is **kept**, since the values
//!   are the same in practice; a string outside it decodes as the enum's
//!   unknown value, and fails strict decoding;
//! - a command whose return type cannot be merged returns raw JSON; one
//!   whose arguments cannot be merged keeps the main schema's.
//!
//! # Versions and their labels
//!
//! A version is named by a label: given explicitly (`LABEL=PATH`), or read
//! from the input (`label.rs`): for a schema file, the newest `Since:` of
//! its doc comments (QEMU's schema documents the release that added each
//! item, so the newest is the schema's own release); for a
//! `query-qmp-schema` reply, the `query-version` reply or greeting saved
//! beside it (`query-version.json`, `greeting.json`, as in the QMP
//! corpora).

pub mod diff;
pub(crate) mod label;
pub(crate) mod matching;
mod merge;
pub(crate) mod routes;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use crate::parse::LoadOptions;
use crate::schema::from_introspection::{self, Elements};
use crate::schema::{EntityId, EntityKind, Schema};

pub use crate::schema::from_introspection::ImportError;
pub use merge::{span, SpanError};

/// The most versions one span holds.
pub const MAX_VERSIONS: usize = 64;

/// A set of the versions of a span, by their index in [`Versions::labels`].
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct VersionSet(u64);

impl VersionSet {
    /// No version.
    pub const EMPTY: VersionSet = VersionSet(0);

    /// The version of index `index` alone.
    pub fn only(index: usize) -> VersionSet {
        VersionSet(1 << index)
    }

    /// The first `count` versions.
    pub fn first(count: usize) -> VersionSet {
        if count >= 64 {
            VersionSet(u64::MAX)
        } else {
            VersionSet((1 << count) - 1)
        }
    }

    /// Whether it holds version `index`.
    pub fn contains(self, index: usize) -> bool {
        self.0 & (1 << index) != 0
    }

    /// Add version `index`.
    pub fn insert(&mut self, index: usize) {
        self.0 |= 1 << index;
    }

    /// Remove version `index`.
    pub fn remove(&mut self, index: usize) {
        self.0 &= !(1 << index);
    }

    /// The versions in either set.
    pub fn union(self, other: VersionSet) -> VersionSet {
        VersionSet(self.0 | other.0)
    }

    /// The versions in both sets.
    pub fn intersection(self, other: VersionSet) -> VersionSet {
        VersionSet(self.0 & other.0)
    }

    /// The versions of `self` not in `other`.
    pub fn difference(self, other: VersionSet) -> VersionSet {
        VersionSet(self.0 & !other.0)
    }

    /// How many versions it holds.
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// Whether it holds none.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The indices, in increasing order.
    pub fn iter(self) -> impl Iterator<Item = usize> {
        (0..64).filter(move |&i| self.contains(i))
    }
}

/// Which versions of a span have each item of a span model (the
/// [`Schema::versions`] of what [`span`] returns).  Items are keyed by the
/// type that declares them: an object's own members (not those of its
/// base), an enum's values, a union's or alternate's branches.
#[derive(Clone, Debug, Default)]
pub struct Versions {
    /// The versions' labels, oldest first.
    labels: Vec<String>,
    /// The index of the main schema's version.
    main: usize,
    entities: HashMap<EntityId, VersionSet>,
    members: HashMap<(EntityId, String), VersionSet>,
    values: HashMap<(EntityId, String), VersionSet>,
    branches: HashMap<(EntityId, String), VersionSet>,
    /// Members required in the main schema and optional in the span.
    made_optional: HashSet<(EntityId, String)>,
    /// The versions that have a member optional, for members some version
    /// has optional.
    optional_in: HashMap<(EntityId, String), VersionSet>,
    /// Members whose type could not be merged, with how it differs.
    raw: HashMap<(EntityId, String), String>,
    /// Members that take an older version's wider type, with how it
    /// differs.
    widened: HashMap<(EntityId, String), String>,
}

impl Versions {
    /// The labels, oldest first.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// The label of the main schema's version.
    pub fn main_label(&self) -> &str {
        &self.labels[self.main]
    }

    /// Every version of the span.
    pub fn all(&self) -> VersionSet {
        VersionSet::first(self.labels.len())
    }

    /// The versions that have entity `id` (every version for the built-in
    /// types and the arrays).
    pub fn of_entity(&self, id: EntityId) -> VersionSet {
        self.entities.get(&id).copied().unwrap_or(self.all())
    }

    /// The versions that have member `name` of `owner` (the type declaring
    /// it); those of the owner if not recorded.
    pub fn of_member(&self, owner: EntityId, name: &str) -> VersionSet {
        lookup(&self.members, owner, name).unwrap_or(self.of_entity(owner))
    }

    /// The versions that have value `name` of enum `owner`.
    pub fn of_value(&self, owner: EntityId, name: &str) -> VersionSet {
        lookup(&self.values, owner, name).unwrap_or(self.of_entity(owner))
    }

    /// The versions that have branch `name` of union or alternate `owner`.
    pub fn of_branch(&self, owner: EntityId, name: &str) -> VersionSet {
        lookup(&self.branches, owner, name).unwrap_or(self.of_entity(owner))
    }

    /// Whether member `name` of `owner` is required in the main schema and
    /// optional here, because some version lacks it or has it optional.
    pub fn made_optional(&self, owner: EntityId, name: &str) -> bool {
        self.made_optional.contains(&(owner, name.to_string()))
    }

    /// The versions that have member `name` of `owner` optional.
    pub fn optional_in(&self, owner: EntityId, name: &str) -> VersionSet {
        lookup(&self.optional_in, owner, name).unwrap_or_default()
    }

    /// How the type of member `name` of `owner` differs between versions,
    /// when the member takes raw JSON for it.
    pub fn raw_reason(&self, owner: EntityId, name: &str) -> Option<&str> {
        self.raw.get(&(owner, name.to_string())).map(String::as_str)
    }

    /// How the type of member `name` of `owner` differs between versions,
    /// when the member takes an older version's wider type.
    pub fn widened_reason(&self, owner: EntityId, name: &str) -> Option<&str> {
        self.widened
            .get(&(owner, name.to_string()))
            .map(String::as_str)
    }

    /// The labels of `set`, oldest first.
    pub fn names(&self, set: VersionSet) -> Vec<&str> {
        set.iter()
            .filter_map(|i| self.labels.get(i).map(String::as_str))
            .collect()
    }

    /// `9.1, 10.0, 10.2 (not in 8.0, 8.1)`: the versions of `set` and the
    /// others of `within`.
    pub fn describe(&self, set: VersionSet, within: VersionSet) -> String {
        let present = self.names(set.intersection(within)).join(", ");
        let absent = within.difference(set);
        if absent.is_empty() {
            present
        } else {
            format!("{present} (not in {})", self.names(absent).join(", "))
        }
    }

    /// How many items do not exist in every version of their owner (an
    /// entity: in every version of the span).
    pub fn stats(&self, schema: &Schema) -> SpanStats {
        let mut stats = SpanStats {
            versions: self.labels.clone(),
            members_made_optional: self.made_optional.len(),
            ..SpanStats::default()
        };
        for (id, entity) in schema.iter() {
            let set = self.of_entity(id);
            let partial = set != self.all();
            match &entity.kind {
                EntityKind::Command(_) => stats.commands += usize::from(partial),
                EntityKind::Event(_) => stats.events += usize::from(partial),
                EntityKind::Enum(e) => {
                    stats.types += usize::from(partial);
                    stats.values += e
                        .members
                        .iter()
                        .filter(|v| self.of_value(id, &v.name) != set)
                        .count();
                }
                EntityKind::Object(o) => {
                    stats.types += usize::from(partial && !o.implicit);
                    stats.members += o
                        .local_members()
                        .iter()
                        .filter(|m| self.of_member(id, &m.name) != set)
                        .count();
                    stats.branches += o
                        .variants
                        .iter()
                        .flat_map(|v| &v.variants)
                        .filter(|v| self.of_branch(id, &v.name) != set)
                        .count();
                }
                EntityKind::Alternate(a) => {
                    stats.types += usize::from(partial);
                    stats.branches += a
                        .variants
                        .variants
                        .iter()
                        .filter(|v| self.of_branch(id, &v.name) != set)
                        .count();
                }
                EntityKind::Builtin(_) | EntityKind::Array(_) => {}
            }
        }
        stats.raw_members = self.raw.len();
        stats.widened_members = self.widened.len();
        stats
    }
}

fn lookup(
    map: &HashMap<(EntityId, String), VersionSet>,
    owner: EntityId,
    name: &str,
) -> Option<VersionSet> {
    // Keys own their names; most lookups hit, so build the key once.
    map.get(&(owner, name.to_string())).copied()
}

/// What a span changed, for reports: how many items carry versions, by
/// kind (items not in every version of their owner), and how many members
/// became optional or raw JSON.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SpanStats {
    /// The labels of the versions, oldest first.
    pub versions: Vec<String>,
    /// Commands not in every version.
    pub commands: usize,
    /// Events not in every version.
    pub events: usize,
    /// Types not in every version.
    pub types: usize,
    /// Members not in every version of their type.
    pub members: usize,
    /// Enum values not in every version of their enum.
    pub values: usize,
    /// Union and alternate branches not in every version.
    pub branches: usize,
    /// Members required in the main schema but optional or absent in a version.
    pub members_made_optional: usize,
    /// Members whose type changes could not be merged: raw JSON.
    pub raw_members: usize,
    /// Members whose type changes could not be merged: the wider type kept.
    pub widened_members: usize,
}

impl SpanStats {
    /// Items that carry versions, all kinds together.
    pub fn items_with_versions(&self) -> usize {
        self.commands + self.events + self.types + self.members + self.values + self.branches
    }
}

impl fmt::Display for SpanStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "span {}: {} items not in every version ({} commands, {} events, {} types, \
             {} members, {} enum values, {} branches); {} members made optional, \
             {} members of a wider type, {} members raw JSON",
            self.versions.join(", "),
            self.items_with_versions(),
            self.commands,
            self.events,
            self.types,
            self.members,
            self.values,
            self.branches,
            self.members_made_optional,
            self.widened_members,
            self.raw_members,
        )
    }
}

/// An older version to span, as given: `PATH` or `LABEL=PATH`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    /// The label given (`LABEL=`), if any.
    pub label: Option<String>,
    /// The schema file, the saved reply, or a directory holding one.
    pub path: PathBuf,
}

impl Input {
    /// `LABEL=PATH` or `PATH` (a path containing `=` needs a label).
    pub fn parse(text: &str) -> Result<Input, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("the value is empty".to_string());
        }
        Ok(match text.split_once('=') {
            Some((label, path)) if !label.trim().is_empty() && !path.trim().is_empty() => Input {
                label: Some(label.trim().to_string()),
                path: PathBuf::from(path.trim()),
            },
            Some(_) => return Err(format!("expected PATH or LABEL=PATH, found '{text}'")),
            None => Input {
                label: None,
                path: PathBuf::from(text),
            },
        })
    }
}

/// A version loaded for a span or a diff: its model, its label and where
/// it comes from.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Loaded {
    /// The version's label (given, or read from the input).
    pub label: String,
    /// Its model.
    pub schema: Schema,
    /// Where it comes from.
    pub origin: Origin,
}

/// Where a loaded version comes from.
#[derive(Clone, Debug)]
pub enum Origin {
    /// QAPI schema files: real type names, spans, documentation.
    Schema,
    /// A `query-qmp-schema` reply: masked type names, JSON paths.
    Introspection(Box<IntrospectionOrigin>),
}

/// What a model made from a `query-qmp-schema` reply keeps of its origin.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct IntrospectionOrigin {
    /// The file the reply was read from.
    pub file: String,
    pub(crate) elements: Elements,
}

impl Loaded {
    /// Whether type names are masked (numbers), so pair by structure only.
    pub fn masked(&self) -> bool {
        matches!(self.origin, Origin::Introspection(_))
    }

    /// Where entity `id` comes from, for messages: `file: return[57]` for
    /// an introspected one; `None` for a schema file (spans say it).
    pub fn json_location(&self, id: EntityId) -> Option<String> {
        match &self.origin {
            Origin::Schema => None,
            Origin::Introspection(origin) => Some(match origin.elements.json_path(id) {
                Some(path) => format!("{}: {path}", origin.file),
                None => origin.file.clone(),
            }),
        }
    }
}

/// Why a version could not be loaded.
#[derive(Debug)]
#[non_exhaustive]
pub enum LoadError {
    /// The file or directory cannot be read.
    Io {
        /// The path that could not be read.
        path: PathBuf,
        /// The error.
        error: std::io::Error,
    },
    /// The schema is invalid.
    Schema(crate::Diagnostics),
    /// The introspection reply is malformed.
    Introspection(from_introspection::ImportError),
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Io { path, error } => {
                write!(f, "error: can't read '{}': {error}", path.display())
            }
            LoadError::Schema(diags) => write!(f, "{}", diags.to_string().trim_end()),
            LoadError::Introspection(error) => write!(f, "error: {error}"),
        }
    }
}

impl std::error::Error for LoadError {}

/// Load one version: a schema file (its root), a `query-qmp-schema` reply
/// (the list, the whole reply, or a recorded exchange), or a directory
/// holding either (`qapi-schema.json`, else `schema.json`).  Relative
/// paths are read from `base_dir` when given.  A schema file is read under
/// the rules and doc mode of `options` (a [`LoadOptions`], [`Rules`](crate::Rules)
/// or [`DocMode`](crate::DocMode)); its doc-comment warnings are dropped
/// (`qapi-gen check --lenient-docs` lists them).
pub fn load(
    input: &Input,
    base_dir: Option<&Path>,
    options: impl Into<LoadOptions>,
) -> Result<Loaded, LoadError> {
    let given = match base_dir {
        Some(dir) => dir.join(&input.path),
        None => input.path.clone(),
    };
    let path = if given.is_dir() {
        ["qapi-schema.json", "schema.json"]
            .iter()
            .map(|name| given.join(name))
            .find(|p| p.is_file())
            .ok_or_else(|| LoadError::Io {
                path: given.clone(),
                error: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "a directory without qapi-schema.json or schema.json",
                ),
            })?
    } else {
        given
    };
    let text = std::fs::read_to_string(&path).map_err(|error| LoadError::Io {
        path: path.clone(),
        error,
    })?;
    let name = path.display().to_string();
    if from_introspection::is_introspection(&text) {
        let import =
            from_introspection::from_reply_text(&name, &text).map_err(LoadError::Introspection)?;
        let label = input
            .label
            .clone()
            .or_else(|| label::of_introspection(&path))
            .unwrap_or_else(|| name.clone());
        return Ok(Loaded {
            label,
            schema: import.schema,
            origin: Origin::Introspection(Box::new(IntrospectionOrigin {
                file: name,
                elements: import.elements,
            })),
        });
    }
    let mut schema = crate::load_with(&path, options).map_err(LoadError::Schema)?;
    schema.warnings.clear();
    let label = input
        .label
        .clone()
        .or_else(|| label::of_schema(&schema))
        .unwrap_or_else(|| name.clone());
    Ok(Loaded {
        label,
        schema,
        origin: Origin::Schema,
    })
}
