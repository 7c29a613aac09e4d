//! `pub mod events`: one type per event, holding its data, and
//! `events::Event`, which decodes a whole event message.

use super::code::{code, lit, Lines, Opt};
use super::commands::{allow_deprecated, features_const, Arguments};
use super::names::{self, Scope};
use super::{Gen, GenerateError};
use crate::schema::EntityKind;

impl Gen<'_> {
    pub(super) fn events(&self) -> Result<String, GenerateError> {
        let rt = &self.rt;
        let mut items = Vec::new();
        let mut variants = Vec::new();
        let mut names = Vec::new();
        let mut scope = Scope::default();
        let data_docs = self.docs("The event's data.");
        let timestamp_docs = self.docs("When QEMU emitted the event.");
        for (id, entity) in self.schema.iter() {
            let EntityKind::Event(event) = &entity.kind else {
                continue;
            };
            let ident = self.ident(id);
            scope.claim(ident.to_string());
            if !self.is_kept(id) {
                continue;
            }
            let wire = &entity.name;
            let wire_lit = lit(wire);
            let cfg = self.gate(entity.cond.as_ref()).attr();
            let deprecated = self.deprecated_attr(&entity.features);
            items.push(self.arguments_type(&Arguments {
                id,
                entity,
                arg_type: event.arg_type,
                boxed: event.boxed,
                open: false,
                cfg: cfg.clone(),
                deprecated: deprecated.clone(),
                docs: self.item_docs(entity, &format!("The event `{wire}`."), &[]),
            })?);
            let mut lines = vec![code!("const NAME: &'static str = #wire_lit;", wire_lit)];
            if event.arg_type.is_none() {
                lines.push("const HAS_DATA: bool = false;".to_string());
            }
            lines.extend(features_const(&self.feature_names(&entity.features)));
            lines.extend(self.versions_line(id));
            items.push(code!(
                r#"#cfg
#allow
impl #rt::Event for #ident {
#lines
}"#,
                cfg = Opt(&cfg),
                allow = allow_deprecated(&deprecated),
                rt,
                ident,
                lines = Lines(&lines),
            ));
            let variant_docs = self.docs(&format!("`{wire}`: see [`{ident}`]."));
            variants.push(code!(
                r#"#variant_docs
#cfg
#ident {
#data_docs
data: #ident,
#timestamp_docs
timestamp: #rt::Timestamp,
},"#,
                variant_docs = Opt(&variant_docs),
                cfg = Opt(&cfg),
                ident,
                data_docs = Opt(&data_docs),
                timestamp_docs = Opt(&timestamp_docs),
                rt,
            ));
            names.push(code!(
                "#cfg\n#ident = #wire_lit,",
                cfg = Opt(&cfg),
                ident,
                wire_lit
            ));
        }
        let unknown = names::ident(&scope.claim("Unknown".into()));
        let docs = self.docs(
            "The events: one type per event, holding its data (the `data` of an event message), \
             named after the wire name (`BLOCK_IO_ERROR` → `BlockIoError`), and \
             [`Event`](events::Event), a whole event message.",
        );
        let event_docs = self.docs(
            "An event message: `event`, `data` (when the event has data) and `timestamp`, in any \
             order. Events this build does not know decode into the last variant.",
        );
        let unknown_docs = self.docs("An event this build does not know (from a newer QEMU).");
        let unknown_name_docs = self.docs("The event's name.");
        let unknown_data_docs = self.docs("The event's data, if the message has any.");
        // Not a schema type: the derive settings do not apply (its unknown
        // variant holds a JSON value, which implements little).
        Ok(code!(
            r#"#docs
pub mod events {
#items
#event_docs
#[derive(Debug, Clone, PartialEq)]
#[allow(deprecated, clippy::large_enum_variant)]
pub enum Event {
#variants
#unknown_docs
#unknown {
#unknown_name_docs
name: String,
#unknown_data_docs
data: Option<#rt::serde_json::Value>,
#timestamp_docs
timestamp: #rt::Timestamp,
},
}
#rt::__private::event_impls! {
Event, #unknown {
#names
}
}
}"#,
            docs = Opt(&docs),
            items = Lines(&items),
            event_docs = Opt(&event_docs),
            variants = Lines(&variants),
            unknown_docs = Opt(&unknown_docs),
            unknown,
            unknown_name_docs = Opt(&unknown_name_docs),
            rt,
            unknown_data_docs = Opt(&unknown_data_docs),
            timestamp_docs = Opt(&timestamp_docs),
            names = Lines(&names),
        ))
    }
}
