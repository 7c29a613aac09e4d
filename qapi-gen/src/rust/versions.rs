//! What the generated code says about versions and routes: the parts of
//! the Rust back end for span bindings ([`crate::compat`]) and run-time
//! capability checks, kept apart from the item templates, which only place
//! what these functions return.
//!
//! - docs: a paragraph on each item, member, enum value and branch that not
//!   every version of the span has (`Versions: 10.2 (not in 10.0).`), and
//!   on members the span made optional or raw JSON;
//! - clauses of the runtime's macros (span bindings only, and only for
//!   items that need them): `versions { .. }` of `enum_impls!`
//!   (`Enum::VALUE_VERSIONS`), `member_versions { .. }` of
//!   `object_impls!` (`Object::MEMBER_VERSIONS`); `versions!` in the
//!   `Command` and `Event` impls (`VERSIONS`), and `span_versions!` at the
//!   top level (`SPAN_VERSIONS`);
//! - `route ".."` of `enum_impls!` and `object_impls!` (every binding):
//!   `Enum::ROUTE` and `Object::ROUTE`, where the type is in a
//!   `query-qmp-schema` reply ([`crate::compat::routes`]).  The types of
//!   commands' arguments and events' data have none: their `TYPE_NAME`
//!   is the command or event, which locates them.
//!
//! The macros' bodies are laid out as written (rustfmt leaves brace
//! macros alone), so that a long list of versions stays rustfmt-exact.

use super::code::{code, lit, Opt};
use super::Gen;
use crate::compat::{VersionSet, Versions};
use crate::schema::{Entity, EntityId};

impl Gen<'_> {
    fn versions(&self) -> Option<&Versions> {
        self.schema.versions.as_deref()
    }

    /// `"8.0", "8.1"`: the labels of a set, as Rust literals.
    fn labels(versions: &Versions, set: VersionSet) -> String {
        versions
            .names(set)
            .into_iter()
            .map(lit)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `span_versions!` (`pub const SPAN_VERSIONS`), for span bindings.
    pub(super) fn span_versions_item(&self) -> String {
        let Some(versions) = self.versions() else {
            return String::new();
        };
        let docs = self.docs(&format!(
            "The QEMU versions these bindings span, oldest first: they decode what each sends. \
             Items not in every version say which have them (`Command::VERSIONS`, \
             `Event::VERSIONS`, `Enum::VALUE_VERSIONS`, `Object::MEMBER_VERSIONS`); the \
             bindings are those of QEMU {}'s schema.",
            versions.main_label()
        ));
        code!(
            "#rt::__private::span_versions! {\n#docs\n#list\n}",
            rt = self.rt,
            docs = Opt(&docs),
            list = Self::labels(versions, versions.all())
        )
    }

    /// The doc paragraph of a definition not in every version.
    pub(super) fn entity_versions_note(&self, entity: &Entity) -> Option<String> {
        let versions = self.versions()?;
        let id = self.schema.lookup(&entity.name)?;
        let set = versions.of_entity(id);
        (set != versions.all())
            .then(|| format!("Versions: {}.", versions.describe(set, versions.all())))
    }

    /// The doc paragraph of member `name` declared by `owner`: the versions
    /// that have it (when not every version of its type), and why the span
    /// made it optional or raw JSON.
    pub(super) fn member_versions_note(&self, owner: EntityId, name: &str) -> Option<String> {
        let versions = self.versions()?;
        let within = versions.of_entity(owner);
        let set = versions.of_member(owner, name);
        let mut parts = Vec::new();
        if set != within {
            parts.push(format!("Versions: {}.", versions.describe(set, within)));
        }
        if versions.made_optional(owner, name) {
            let mut why = Vec::new();
            let lacking = versions.names(within.difference(set));
            if !lacking.is_empty() {
                why.push(format!("{} lacks it", lacking.join(", ")));
            }
            let optional = versions.names(versions.optional_in(owner, name));
            if !optional.is_empty() {
                why.push(format!("{} has it optional", optional.join(", ")));
            }
            parts.push(format!(
                "Optional in these bindings: QEMU {} requires it, {}.",
                versions.main_label(),
                why.join(", ")
            ));
        }
        if let Some(reason) = versions.widened_reason(owner, name) {
            parts.push(format!(
                "A wider type in these bindings: the type differs between versions ({reason})."
            ));
        }
        if let Some(reason) = versions.raw_reason(owner, name) {
            parts.push(format!(
                "Raw JSON in these bindings: the type differs between versions ({reason})."
            ));
        }
        (!parts.is_empty()).then(|| parts.join(" "))
    }

    /// The doc paragraph of value `name` of enum `owner`.
    pub(super) fn value_versions_note(&self, owner: EntityId, name: &str) -> Option<String> {
        let versions = self.versions()?;
        let within = versions.of_entity(owner);
        let set = versions.of_value(owner, name);
        (set != within).then(|| format!("Versions: {}.", versions.describe(set, within)))
    }

    /// The doc paragraph of branch `name` of union or alternate `owner`.
    pub(super) fn branch_versions_note(&self, owner: EntityId, name: &str) -> Option<String> {
        let versions = self.versions()?;
        let within = versions.of_entity(owner);
        let set = versions.of_branch(owner, name);
        (set != within).then(|| format!("Versions: {}.", versions.describe(set, within)))
    }

    /// Doc attributes `docs` with the paragraph `note` after them.
    pub(super) fn with_note(&self, docs: Option<String>, note: Option<String>) -> Option<String> {
        match (docs, note) {
            (Some(docs), Some(note)) => Some(format!("{docs}///\n{}", super::docs::attrs(&note))),
            (docs, _) => docs,
        }
    }

    /// `versions!(..)` in the impl of a command or event not in every
    /// version (`VERSIONS`).
    pub(super) fn versions_line(&self, id: EntityId) -> Option<String> {
        let versions = self.versions()?;
        let set = versions.of_entity(id);
        (set != versions.all()).then(|| {
            code!(
                "#rt::__private::versions! { #list }",
                rt = self.rt,
                list = Self::labels(versions, set)
            )
        })
    }

    /// The labels of member `name` declared by `owner`, when not every
    /// version having the type has it (an entry of `member_versions`).
    pub(super) fn member_versions(&self, owner: EntityId, name: &str) -> Option<String> {
        let versions = self.versions()?;
        let set = versions.of_member(owner, name);
        (set != versions.of_entity(owner)).then(|| Self::labels(versions, set))
    }

    /// The labels of value `name` of enum `owner`, when not every version
    /// having the enum has it (an entry of `versions`).
    pub(super) fn value_versions(&self, owner: EntityId, name: &str) -> Option<String> {
        let versions = self.versions()?;
        let set = versions.of_value(owner, name);
        (set != versions.of_entity(owner)).then(|| Self::labels(versions, set))
    }

    /// `route "..";` of a type some command or event reaches.
    pub(super) fn route_clause(&self, id: EntityId) -> Option<String> {
        let route = self.routes.get(&id)?;
        Some(code!("route #route;", route = lit(route)))
    }
}

/// `"wire": ["10.2"],`: one entry of a `versions { .. }` or
/// `member_versions { .. }` block.
pub(super) fn versions_entry(cfg: &Option<String>, wire: &str, labels: &str) -> String {
    code!(
        "#cfg\n#wire: [#labels],",
        cfg = Opt(cfg),
        wire = lit(wire),
        labels
    )
}
