//! What the generated code says about versions and routes: the parts of
//! the Rust back end for span bindings ([`crate::compat`]) and run-time
//! capability checks, kept apart from the item templates, which only place
//! what these functions return.
//!
//! - docs: a paragraph on each item, member, enum value and branch that not
//!   every version of the span has (`Versions: 10.2 (not in 10.0).`), and
//!   on members the span made optional or raw JSON;
//! - constants (span bindings only, and only for items that need them):
//!   `Command::VERSIONS`, `Event::VERSIONS`, `Enum::VALUE_VERSIONS`,
//!   `Object::MEMBER_VERSIONS`, and `SPAN_VERSIONS` at the top level;
//! - `Object::ROUTE` and `Enum::ROUTE` (every binding): where the type is in
//!   a `query-qmp-schema` reply ([`crate::compat::routes`]).

use super::code::{code, lit, lits, Lines, List};
use super::Gen;
use crate::compat::{VersionSet, Versions};
use crate::schema::{Entity, EntityId, EntityKind};

impl Gen<'_> {
    fn versions(&self) -> Option<&Versions> {
        self.schema.versions.as_deref()
    }

    /// `"8.0", "8.1"`: the labels of a set, as a Rust list.
    fn labels_list(&self, versions: &Versions, set: VersionSet) -> String {
        List(&lits(
            &versions
                .names(set)
                .into_iter()
                .map(str::to_string)
                .collect::<Vec<_>>(),
        ))
        .to_string()
    }

    /// `pub const SPAN_VERSIONS`, for span bindings.
    pub(super) fn span_versions_const(&self) -> String {
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
        let list = self.labels_list(versions, versions.all());
        code!(
            "#docs\npub const SPAN_VERSIONS: &[&str] = &[#list];",
            docs,
            list
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
    pub(super) fn with_note(&self, docs: String, note: Option<String>) -> String {
        match note {
            Some(note) if self.settings.docs => format!("{docs}///\n{}", super::docs::attrs(&note)),
            _ => docs,
        }
    }

    /// `const VERSIONS` of a command or event not in every version.
    pub(super) fn versions_const(&self, id: EntityId) -> String {
        let Some(versions) = self.versions() else {
            return String::new();
        };
        let set = versions.of_entity(id);
        if set == versions.all() {
            return String::new();
        }
        let list = self.labels_list(versions, set);
        code!("const VERSIONS: &'static [&'static str] = &[#list];", list)
    }

    /// `const ROUTE` and `const VALUE_VERSIONS` of an enum.
    pub(super) fn enum_consts(&self, id: EntityId) -> String {
        let route = self.route_const(id);
        let values = match (&self.schema.entity(id).kind, self.versions()) {
            (EntityKind::Enum(e), Some(versions)) => {
                let within = versions.of_entity(id);
                let entries: Vec<String> = e
                    .members
                    .iter()
                    .filter(|v| self.conds.keeps(v.cond.as_ref()))
                    .filter(|v| versions.of_value(id, &v.name) != within)
                    .map(|v| {
                        let cfg = self.gate(v.cond.as_ref()).attr();
                        let list = self.labels_list(versions, versions.of_value(id, &v.name));
                        code!("#cfg\n(#wire, &[#list]),", cfg, wire = lit(&v.name), list)
                    })
                    .collect();
                pairs_const("VALUE_VERSIONS", &entries)
            }
            _ => String::new(),
        };
        code!("#route\n#values", route, values)
    }

    /// `const ROUTE` and `const MEMBER_VERSIONS` of the `Object` impl of the
    /// type, command or event named `name` (commands' and events' are of
    /// their arguments).
    pub(super) fn object_consts(&self, name: &str) -> String {
        let Some(id) = self.schema.lookup(name) else {
            return String::new();
        };
        let (object_id, route) = match &self.schema.entity(id).kind {
            EntityKind::Command(c) => (c.arg_type, format!("{name}/arg-type")),
            EntityKind::Event(e) => (e.arg_type, format!("{name}/arg-type")),
            _ => (Some(id), self.routes.get(&id).cloned().unwrap_or_default()),
        };
        let route = if route.is_empty() {
            String::new()
        } else {
            code!("const ROUTE: &'static str = #route;", route = lit(&route))
        };
        let members = match (
            object_id.map(|o| &self.schema.entity(o).kind),
            self.versions(),
        ) {
            (Some(EntityKind::Object(object)), Some(versions)) => {
                let entries: Vec<String> = object
                    .members
                    .iter()
                    .filter(|m| self.conds.keeps(m.cond.as_ref()))
                    .filter(|m| {
                        let within = versions.of_entity(m.defined_in);
                        versions.of_member(m.defined_in, &m.name) != within
                    })
                    .map(|m| {
                        let cfg = self.gate(m.cond.as_ref()).attr();
                        let set = versions.of_member(m.defined_in, &m.name);
                        let list = self.labels_list(versions, set);
                        code!("#cfg\n(#wire, &[#list]),", cfg, wire = lit(&m.name), list)
                    })
                    .collect();
                pairs_const("MEMBER_VERSIONS", &entries)
            }
            _ => String::new(),
        };
        code!("#route\n#members", route, members)
    }

    /// `const ROUTE` of a type some command or event reaches.
    fn route_const(&self, id: EntityId) -> String {
        match self.routes.get(&id) {
            Some(route) => code!("const ROUTE: &'static str = #route;", route = lit(route)),
            None => String::new(),
        }
    }
}

/// `const NAME: &'static [(&'static str, &'static [&'static str])]` of
/// `entries`, or nothing.
fn pairs_const(name: &str, entries: &[String]) -> String {
    if entries.is_empty() {
        return String::new();
    }
    code!(
        "const #name: &'static [(&'static str, &'static [&'static str])] = &[\n#list\n];",
        name,
        list = Lines(entries)
    )
}
