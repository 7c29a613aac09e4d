//! Reference documentation from the schema's doc comments: a page per
//! module with its definitions in schema order, an index of every name,
//! as HTML (with a search box that needs no server) or Markdown.
//!
//! This module decides what is shown ([`Site`], `DefView`); `html`
//! and `markdown` lay it out, and [`crate::markup`] renders the doc text
//! itself (also usable by other back ends, e.g. for rustdoc).

mod html;
mod markdown;

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::diag::{FileId, Span};
use crate::markup;
use crate::schema::doc::{Doc, Section, SectionKind};
use crate::schema::{
    Cond, EntityId, EntityKind, ModuleId, ModuleItem, ObjectType, Schema, Variants,
};

/// The output formats.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// A site of HTML pages with a search box that needs no server.
    Html,
    /// CommonMark pages.
    Markdown,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Format, String> {
        match s {
            "html" => Ok(Format::Html),
            "markdown" | "md" => Ok(Format::Markdown),
            _ => Err(format!("unknown format '{s}' (expected html or markdown)")),
        }
    }
}

/// One generated file: its name in the output directory and contents.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct OutputFile {
    /// The file name in the output directory.
    pub name: String,
    /// Its contents.
    pub contents: String,
}

/// Every file of the documentation, in a fixed order.
pub fn generate(schema: &Schema, format: Format) -> Vec<OutputFile> {
    let site = Site::new(schema);
    match format {
        Format::Html => html::render(&site),
        Format::Markdown => markdown::render(&site),
    }
}

/// Generate the documentation into `dir` (created if needed); returns the
/// number of files written.
pub fn write(schema: &Schema, format: Format, dir: &Path) -> std::io::Result<usize> {
    std::fs::create_dir_all(dir)?;
    let files = generate(schema, format);
    for file in &files {
        std::fs::write(dir.join(&file.name), &file.contents)?;
    }
    Ok(files.len())
}

/// The documentation's structure: pages and where each name lives.
/// (Public for this crate's tests, through [`crate::__internal`].)
#[doc(hidden)]
pub struct Site<'s> {
    /// The schema documented.
    pub schema: &'s Schema,
    /// Its pages, in order.
    pub pages: Vec<Page<'s>>,
    /// The page of each entity shown, by entity index.
    page_of: Vec<Option<usize>>,
}

/// A module's page.
#[doc(hidden)]
pub struct Page<'s> {
    /// The file name without extension.
    pub stem: String,
    /// The module shown.
    pub module: ModuleId,
    /// The module's first heading, else its file name.
    pub title: String,
    /// Whether the page starts with a free-form heading (used as title).
    pub starts_with_heading: bool,
    pub(crate) items: Vec<PageItem<'s>>,
}

pub(crate) enum PageItem<'s> {
    /// Free-form documentation (headings and text).
    FreeForm(&'s Doc),
    Definition(EntityId),
    /// Include directives: the pages of the included modules.
    Includes(Vec<usize>),
}

/// What the index and the search show for a name.
pub(crate) struct IndexEntry {
    pub name: String,
    /// `command`, `struct`, ..., or `member of X`.
    pub kind: String,
    pub page: usize,
    pub anchor: String,
    pub is_member: bool,
}

/// Pseudo-names a reference may use for pages rather than definitions.
pub(crate) const INDEX_REFERENCE: &str = "qapi-qmp-index";

impl<'s> Site<'s> {
    /// The site of `schema`'s documentation.
    pub fn new(schema: &'s Schema) -> Site<'s> {
        let module_of_file = module_of_file(schema);
        let stems = page_stems(schema);
        let mut page_of = vec![None; schema.entities.len()];
        let mut positioned: Vec<Vec<(Span, PageItem)>> =
            schema.modules.iter().map(|_| Vec::new()).collect();
        for (id, entity) in schema.iter() {
            if !is_shown(&entity.kind) {
                continue;
            }
            let module = entity.module.0 as usize;
            page_of[id.0 as usize] = Some(module);
            // Built-ins have no location; keep their definition order.
            let span = entity
                .span
                .unwrap_or(Span::new(FileId(u32::MAX), id.0 as usize, 0));
            positioned[module].push((span, PageItem::Definition(id)));
        }
        for doc in schema.docs.iter().filter(|d| d.symbol.is_none()) {
            if let Some(&module) = module_of_file.get(&doc.span.file) {
                positioned[module.0 as usize].push((doc.span, PageItem::FreeForm(doc)));
            }
        }
        for (index, module) in schema.modules.iter().enumerate() {
            for item in &module.items {
                if let ModuleItem::Include { module, span } = item {
                    let target = module.0 as usize;
                    if target != index {
                        positioned[index].push((*span, PageItem::Includes(vec![target])));
                    }
                }
            }
        }
        let mut pages = Vec::new();
        for (index, mut items) in positioned.into_iter().enumerate() {
            items.sort_by_key(|(span, _)| (span.file, span.start));
            let items = merge_includes(items.into_iter().map(|(_, item)| item).collect());
            let heading = items.iter().find_map(|item| match item {
                PageItem::FreeForm(doc) => first_heading(doc).map(|(heading, _)| heading),
                _ => None,
            });
            let starts_with_heading = matches!(items.first(),
                Some(PageItem::FreeForm(doc)) if first_heading(doc).is_some_and(|(_, first)| first));
            let name = &schema.modules[index].name;
            let title = match heading {
                Some(heading) => heading,
                None if index == 0 => "Built-in types".to_string(),
                None => name.clone(),
            };
            pages.push(Page {
                stem: stems[index].clone(),
                module: ModuleId(index as u32),
                title,
                starts_with_heading,
                items,
            });
        }
        Site {
            schema,
            pages,
            page_of,
        }
    }

    /// Pages in reading order: the root module, the others in schema
    /// order, the built-in types last.
    pub(crate) fn page_order(&self) -> impl Iterator<Item = usize> + '_ {
        (1..self.pages.len()).chain(std::iter::once(0))
    }

    /// The page an entity is shown on (arrays: their element's; implicit
    /// types: their definition's).
    pub fn page_of(&self, id: EntityId) -> Option<usize> {
        self.shown_as(id)
            .and_then(|id| self.page_of.get(id.0 as usize).copied().flatten())
    }

    /// The entity whose section shows `id`.
    fn shown_as(&self, id: EntityId) -> Option<EntityId> {
        let entity = self.schema.entities.get(id.0 as usize)?;
        match &entity.kind {
            EntityKind::Array(array) => Some(array.element),
            EntityKind::Object(object) if object.implicit => implicit_owner(self.schema, id),
            _ => Some(id),
        }
    }

    /// `(page, anchor)` of a definition.
    pub(crate) fn target(&self, id: EntityId) -> Option<(usize, String)> {
        let shown = self.shown_as(id)?;
        Some((self.page_of(shown)?, self.schema.entity(shown).name.clone()))
    }

    /// Resolve a name referenced in the doc of `owner`: one of its
    /// members first, then a definition, then the index.
    pub(crate) fn resolve(&self, name: &str, owner: Option<EntityId>) -> Option<Reference> {
        if let Some(owner) = owner {
            if self.member_names(owner).contains(&name) {
                let page = self.page_of(owner)?;
                let anchor = member_anchor(&self.schema.entity(owner).name, name);
                return Some(Reference::Anchor(page, anchor));
            }
        }
        if let Some(id) = self.schema.lookup(name) {
            let (page, anchor) = self.target(id)?;
            return Some(Reference::Anchor(page, anchor));
        }
        (name == INDEX_REFERENCE).then_some(Reference::Index)
    }

    /// The names listed (and anchored) in an entity's section.
    fn member_names(&self, id: EntityId) -> Vec<&'s str> {
        let schema = self.schema;
        match &schema.entity(id).kind {
            EntityKind::Enum(e) => e.members.iter().map(|m| m.name.as_str()).collect(),
            EntityKind::Object(o) => o.members.iter().map(|m| m.name.as_str()).collect(),
            EntityKind::Alternate(a) => a
                .variants
                .variants
                .iter()
                .map(|v| v.name.as_str())
                .collect(),
            EntityKind::Command(c) => self.object_member_names(c.arg_type),
            EntityKind::Event(e) => self.object_member_names(e.arg_type),
            EntityKind::Builtin(_) | EntityKind::Array(_) => Vec::new(),
        }
    }

    fn object_member_names(&self, id: Option<EntityId>) -> Vec<&'s str> {
        match id.map(|id| &self.schema.entity(id).kind) {
            Some(EntityKind::Object(o)) => o.members.iter().map(|m| m.name.as_str()).collect(),
            _ => Vec::new(),
        }
    }

    /// Every shown name, sorted, for the index and the search.
    pub(crate) fn index(&self, with_members: bool) -> Vec<IndexEntry> {
        let mut entries = Vec::new();
        for page in self.page_order() {
            for item in &self.pages[page].items {
                let PageItem::Definition(id) = item else {
                    continue;
                };
                let view = self.definition(*id);
                entries.push(IndexEntry {
                    name: view.name.to_string(),
                    kind: view.kind.to_string(),
                    page,
                    anchor: view.name.to_string(),
                    is_member: false,
                });
                if !with_members {
                    continue;
                }
                for member in view.members.iter().flat_map(|list| &list.members) {
                    entries.push(IndexEntry {
                        name: member.name.to_string(),
                        kind: format!("{} of {}", member.role, view.name),
                        page,
                        anchor: member.anchor.clone(),
                        is_member: true,
                    });
                }
            }
        }
        entries.sort_by(|a, b| {
            (a.name.to_lowercase(), a.is_member, &a.name, &a.kind).cmp(&(
                b.name.to_lowercase(),
                b.is_member,
                &b.name,
                &b.kind,
            ))
        });
        entries
    }

    /// Everything shown for one definition.
    pub(crate) fn definition(&self, id: EntityId) -> DefView<'s> {
        let schema = self.schema;
        let entity = schema.entity(id);
        let doc = entity.doc.map(|d| schema.doc(d));
        let mut view = DefView {
            id,
            name: &entity.name,
            kind: kind_name(&entity.kind),
            cond: entity.cond.as_ref().map(cond_text),
            status: status_of(entity.features.iter().map(|f| f.name.as_str())),
            flags: Vec::new(),
            since: None,
            body: doc
                .map(|d| d.body().text.as_str())
                .filter(|t| !t.is_empty()),
            members: None,
            features: Vec::new(),
            sections: Vec::new(),
        };
        match &entity.kind {
            EntityKind::Builtin(builtin) => {
                view.sections
                    .push(DocSection::Builtin(builtin.builtin.json_type().as_str()));
            }
            EntityKind::Enum(e) => {
                let members = e
                    .members
                    .iter()
                    .map(|m| MemberView {
                        name: &m.name,
                        role: "value",
                        anchor: member_anchor(&entity.name, &m.name),
                        ty: None,
                        optional: false,
                        cond: m.cond.as_ref().map(cond_text),
                        features: m.features.iter().map(|f| f.name.as_str()).collect(),
                        inherited_from: None,
                        doc: description(doc, &m.name),
                        doc_owner: id,
                    })
                    .collect();
                view.members = Some(MemberList {
                    title: "Values",
                    members_of: None,
                    members,
                    branches: None,
                });
            }
            EntityKind::Object(object) => {
                view.members = Some(self.object_members(id, object, "Members", None));
            }
            EntityKind::Alternate(alternate) => {
                let members = alternate
                    .variants
                    .variants
                    .iter()
                    .map(|v| MemberView {
                        name: &v.name,
                        role: "alternative",
                        anchor: member_anchor(&entity.name, &v.name),
                        ty: Some(v.ty),
                        optional: false,
                        cond: v.cond.as_ref().map(cond_text),
                        features: Vec::new(),
                        inherited_from: None,
                        doc: description(doc, &v.name),
                        doc_owner: id,
                    })
                    .collect();
                view.members = Some(MemberList {
                    title: "Alternatives",
                    members_of: None,
                    members,
                    branches: None,
                });
            }
            EntityKind::Command(command) => {
                view.members = self.arguments(id, command.arg_type, "Arguments");
                for (on, flag) in [
                    (command.allow_oob, "allow-oob"),
                    (command.allow_preconfig, "allow-preconfig"),
                    (command.coroutine, "coroutine"),
                    (!command.success_response, "no success response"),
                ] {
                    if on {
                        view.flags.push(flag);
                    }
                }
            }
            EntityKind::Event(event) => {
                view.members = self.arguments(id, event.arg_type, "Data");
            }
            EntityKind::Array(_) => {}
        }
        let returns = match &entity.kind {
            EntityKind::Command(c) => c.ret_type,
            _ => None,
        };
        let mut returns_shown = false;
        if let Some(doc) = doc {
            // QEMU's stub `Returns` (10.1's rules) included, where it sits.
            let sections = doc
                .sections
                .iter()
                .skip(1)
                .filter(|s| !matches!(s.kind, SectionKind::Member | SectionKind::Feature));
            for section in sections {
                match section.kind {
                    SectionKind::Since => {
                        view.since = Some(markup::section_source(section).trim().to_string())
                    }
                    SectionKind::Todo => {}
                    SectionKind::Returns => {
                        returns_shown = true;
                        view.sections.push(DocSection::Returns {
                            ty: returns,
                            text: (!section.stub).then(|| markup::section_source(section)),
                        });
                    }
                    SectionKind::Errors => view
                        .sections
                        .push(DocSection::Errors(markup::section_source(section))),
                    _ => view
                        .sections
                        .push(DocSection::Plain(markup::section_source(section))),
                }
            }
            for section in doc.features() {
                view.features.push(FeatureView {
                    name: section.name.as_deref().unwrap_or_default(),
                    cond: entity
                        .features
                        .iter()
                        .find(|f| Some(&f.name) == section.name.as_ref())
                        .and_then(|f| f.cond.as_ref())
                        .map(cond_text),
                    doc: Some(markup::section_source(section)),
                });
            }
        }
        for feature in &entity.features {
            if !view.features.iter().any(|f| f.name == feature.name) {
                view.features.push(FeatureView {
                    name: &feature.name,
                    cond: feature.cond.as_ref().map(cond_text),
                    doc: None,
                });
            }
        }
        // Under QEMU 10.0's rules, where QEMU shows nothing.
        if !returns_shown && returns.is_some() {
            view.sections.insert(
                0,
                DocSection::Returns {
                    ty: returns,
                    text: None,
                },
            );
        }
        view
    }

    /// A command's arguments or an event's data.
    fn arguments(
        &self,
        owner: EntityId,
        arg_type: Option<EntityId>,
        title: &'static str,
    ) -> Option<MemberList<'s>> {
        let arg_type = arg_type?;
        let EntityKind::Object(object) = &self.schema.entity(arg_type).kind else {
            return None;
        };
        let members_of = (!object.implicit).then_some(arg_type);
        Some(self.object_members(owner, object, title, members_of))
    }

    /// An object's members (its base's included) and branches, as listed
    /// in `owner`'s section.
    fn object_members(
        &self,
        owner: EntityId,
        object: &'s ObjectType,
        title: &'static str,
        members_of: Option<EntityId>,
    ) -> MemberList<'s> {
        let schema = self.schema;
        let owner_name = &schema.entity(owner).name;
        let members = object
            .members
            .iter()
            .map(|m| {
                let declared = self.doc_owner(m.defined_in).unwrap_or(owner);
                let doc = schema.entity(declared).doc.map(|d| schema.doc(d));
                MemberView {
                    name: &m.name,
                    role: if title == "Members" {
                        "member"
                    } else {
                        "argument"
                    },
                    anchor: member_anchor(owner_name, &m.name),
                    ty: Some(m.ty),
                    optional: m.optional,
                    cond: m.cond.as_ref().map(cond_text),
                    features: m.features.iter().map(|f| f.name.as_str()).collect(),
                    // Members of the named type being listed are not news.
                    inherited_from: (declared != owner && Some(declared) != members_of)
                        .then_some(declared),
                    doc: description(doc, &m.name),
                    doc_owner: declared,
                }
            })
            .collect();
        MemberList {
            title,
            members_of,
            members,
            branches: object.variants.as_ref().map(|v| self.branches(v)),
        }
    }

    fn branches(&self, variants: &'s Variants) -> Branches<'s> {
        Branches {
            tag: &variants.tag,
            tag_type: variants.tag_type,
            branches: variants
                .variants
                .iter()
                .map(|v| BranchView {
                    value: &v.name,
                    ty: v.ty,
                    cond: v.cond.as_ref().map(cond_text),
                })
                .collect(),
        }
    }

    /// The definition whose doc describes members declared in `id`.
    fn doc_owner(&self, id: EntityId) -> Option<EntityId> {
        match &self.schema.entity(id).kind {
            EntityKind::Object(o) if o.implicit => implicit_owner(self.schema, id),
            _ => Some(id),
        }
    }

    /// How a type is written (`T`, `[T]`) and the definition to link.
    pub(crate) fn type_label(&self, id: EntityId) -> (String, Option<EntityId>) {
        let entity = self.schema.entity(id);
        match &entity.kind {
            EntityKind::Array(array) => {
                let (inner, link) = self.type_label(array.element);
                (format!("[{inner}]"), link)
            }
            _ => (entity.name.clone(), self.page_of(id).map(|_| id)),
        }
    }
}

/// A resolved reference.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Reference {
    /// An anchor on a page.
    Anchor(usize, String),
    /// The index page.
    Index,
}

/// One definition, ready to lay out.
pub(crate) struct DefView<'s> {
    pub id: EntityId,
    pub name: &'s str,
    pub kind: &'static str,
    pub cond: Option<String>,
    /// `deprecated` and `unstable`, when the definition has them.
    pub status: Vec<&'static str>,
    /// Command properties worth knowing (`allow-oob`, ...).
    pub flags: Vec<&'static str>,
    pub since: Option<String>,
    pub body: Option<&'s str>,
    pub members: Option<MemberList<'s>>,
    pub features: Vec<FeatureView<'s>>,
    /// Returns, Errors and plain sections in source order.
    pub sections: Vec<DocSection<'s>>,
}

pub(crate) struct MemberList<'s> {
    /// `Arguments`, `Data`, `Members`, `Values` or `Alternatives`.
    pub title: &'static str,
    /// The named type whose members these are (commands and events
    /// taking a named type).
    pub members_of: Option<EntityId>,
    pub members: Vec<MemberView<'s>>,
    pub branches: Option<Branches<'s>>,
}

pub(crate) struct MemberView<'s> {
    pub name: &'s str,
    /// `member`, `argument`, `value` or `alternative`.
    pub role: &'static str,
    pub anchor: String,
    pub ty: Option<EntityId>,
    pub optional: bool,
    pub cond: Option<String>,
    pub features: Vec<&'s str>,
    /// The base type that declares it, when not the definition itself.
    pub inherited_from: Option<EntityId>,
    pub doc: Option<Cow<'s, str>>,
    /// The definition whose doc the description comes from (references
    /// in it resolve against its members).
    pub doc_owner: EntityId,
}

pub(crate) struct Branches<'s> {
    pub tag: &'s str,
    pub tag_type: Option<EntityId>,
    pub branches: Vec<BranchView<'s>>,
}

pub(crate) struct BranchView<'s> {
    pub value: &'s str,
    pub ty: EntityId,
    pub cond: Option<String>,
}

pub(crate) struct FeatureView<'s> {
    pub name: &'s str,
    pub cond: Option<String>,
    pub doc: Option<Cow<'s, str>>,
}

impl FeatureView<'_> {
    pub(crate) fn is_special(&self) -> bool {
        self.name == "deprecated" || self.name == "unstable"
    }
}

pub(crate) enum DocSection<'s> {
    /// A command's return type and its description.
    Returns {
        ty: Option<EntityId>,
        text: Option<Cow<'s, str>>,
    },
    Errors(Cow<'s, str>),
    /// Notes, examples and other text after the members.
    Plain(Cow<'s, str>),
    /// A built-in type's JSON type.
    Builtin(&'static str),
}

/// The anchor of a member, value or branch within its definition.
pub(crate) fn member_anchor(owner: &str, member: &str) -> String {
    format!("{owner}:{member}")
}

/// An `if` condition as readable text: `A and (B or not C)`.
pub(crate) fn cond_text(cond: &Cond) -> String {
    fn operand(cond: &Cond) -> String {
        match cond {
            Cond::Name(_) | Cond::Not(_) => cond_text(cond),
            _ => format!("({})", cond_text(cond)),
        }
    }
    match cond {
        Cond::Name(name) => name.clone(),
        Cond::Not(inner) => format!("not {}", operand(inner)),
        Cond::All(all) => all.iter().map(operand).collect::<Vec<_>>().join(" and "),
        Cond::Any(any) => any.iter().map(operand).collect::<Vec<_>>().join(" or "),
    }
}

/// The special features among `names`, in a fixed order.
pub(crate) fn status_of<'a>(names: impl Iterator<Item = &'a str>) -> Vec<&'static str> {
    let names: HashSet<&str> = names.collect();
    ["deprecated", "unstable"]
        .into_iter()
        .filter(|s| names.contains(s))
        .collect()
}

fn kind_name(kind: &EntityKind) -> &'static str {
    match kind {
        EntityKind::Builtin(_) => "built-in",
        EntityKind::Enum(_) => "enum",
        EntityKind::Array(_) => "array",
        EntityKind::Object(o) if o.variants.is_some() => "union",
        EntityKind::Object(_) => "struct",
        EntityKind::Alternate(_) => "alternate",
        EntityKind::Command(_) => "command",
        EntityKind::Event(_) => "event",
    }
}

/// Entities that get a section: everything but arrays and implicit types.
fn is_shown(kind: &EntityKind) -> bool {
    match kind {
        EntityKind::Array(_) => false,
        EntityKind::Object(o) => !o.implicit,
        _ => true,
    }
}

/// The definition an implicit type (`q_obj_NAME-arg`, `q_obj_NAME-base`)
/// was made for.
fn implicit_owner(schema: &Schema, id: EntityId) -> Option<EntityId> {
    let name = &schema.entity(id).name;
    let owner = name
        .strip_prefix("q_obj_")
        .and_then(|rest| rest.strip_suffix("-arg").or(rest.strip_suffix("-base")))?;
    schema.lookup(owner)
}

/// The description of member `name` in `doc`, when it has text.
fn description<'s>(doc: Option<&'s Doc>, name: &str) -> Option<Cow<'s, str>> {
    let section: &Section = doc?
        .args()
        .find(|s| s.name.as_deref() == Some(name) && !s.text.is_empty())?;
    Some(markup::section_source(section))
}

/// The first heading of a free-form doc, as plain text, and whether the
/// doc starts with it.
fn first_heading(doc: &Doc) -> Option<(String, bool)> {
    let blocks = markup::parse(&doc.body().text);
    blocks
        .iter()
        .enumerate()
        .find_map(|(i, block)| match block {
            markup::Block::Heading { content, .. } => Some((markup::plain_text(content), i == 0)),
            _ => None,
        })
}

/// The module of each source file: the root's, and each included file's
/// (from the include directive that read it).
fn module_of_file(schema: &Schema) -> HashMap<FileId, ModuleId> {
    let mut by_include: HashMap<Span, ModuleId> = HashMap::new();
    for module in &schema.modules {
        for item in &module.items {
            if let ModuleItem::Include { module, span } = item {
                by_include.insert(*span, *module);
            }
        }
    }
    let mut map = HashMap::new();
    for (index, (file, source)) in schema.sources.files().enumerate() {
        let module = match source.included_from {
            None if index == 0 => Some(ModuleId(1)),
            Some(span) => by_include.get(&span).copied(),
            None => None,
        };
        if let Some(module) = module.filter(|m| (m.0 as usize) < schema.modules.len()) {
            map.insert(file, module);
        }
    }
    // Files reached some other way: where their definitions live.
    for entity in &schema.entities {
        if let Some(span) = entity.span {
            map.entry(span.file).or_insert(entity.module);
        }
    }
    map
}

/// A file name stem per module, unique and safe: `block-core.json` →
/// `block-core`, `sub/x.json` → `sub-x`, the built-in module `builtin`.
fn page_stems(schema: &Schema) -> Vec<String> {
    let mut used: HashSet<String> = ["index", "search", "search-index", "style"]
        .into_iter()
        .map(str::to_string)
        .collect();
    let mut stems = Vec::new();
    for (index, module) in schema.modules.iter().enumerate() {
        let base = if index == 0 {
            "builtin".to_string()
        } else {
            let name = module.name.strip_suffix(".json").unwrap_or(&module.name);
            let safe: String = name
                .trim_start_matches(['.', '/'])
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                        c
                    } else {
                        '-'
                    }
                })
                .collect();
            if safe.is_empty() {
                "module".to_string()
            } else {
                safe
            }
        };
        let mut stem = base.clone();
        let mut n = 2;
        while !used.insert(stem.clone()) {
            stem = format!("{base}-{n}");
            n += 1;
        }
        stems.push(stem);
    }
    stems
}

/// Join consecutive include items into one list.
fn merge_includes(items: Vec<PageItem<'_>>) -> Vec<PageItem<'_>> {
    let mut out: Vec<PageItem> = Vec::new();
    for item in items {
        match (out.last_mut(), item) {
            (Some(PageItem::Includes(pages)), PageItem::Includes(more)) => {
                for page in more {
                    if !pages.contains(&page) {
                        pages.push(page);
                    }
                }
            }
            (_, item) => out.push(item),
        }
    }
    out
}

#[cfg(test)]
mod tests;
