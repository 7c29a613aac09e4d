//! `pub mod events`: one type per event, holding its data, and
//! `events::Event`, which decodes a whole event message.

use super::code::{code, lit, serde_impls, Lines, List};
use super::names::{self, Scope};
use super::{Gen, GenerateError};
use crate::schema::EntityKind;

impl Gen<'_> {
    pub(super) fn events(&self) -> Result<String, GenerateError> {
        let rt = &self.rt;
        let mut items = Vec::new();
        let mut variants = Vec::new();
        let mut wire_names = Vec::new();
        let mut decode_arms = Vec::new();
        let mut name_arms = Vec::new();
        let mut timestamp_arms = Vec::new();
        let mut serialize_arms = Vec::new();
        let mut scope = Scope::default();
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
            let features = self.feature_names(&entity.features);
            let docs = self.item_docs(entity, &format!("The event `{wire}`."), &[]);
            items.push(self.arguments_type(
                id,
                entity,
                event.arg_type,
                event.boxed,
                false,
                &cfg,
                deprecated,
                docs,
            )?);
            let has_data = if event.arg_type.is_some() {
                ""
            } else {
                "const HAS_DATA: bool = false;"
            };
            let features_const = super::types::features_const(&features);
            items.push(code!(
                r#"#cfg
#[allow(deprecated)]
impl #rt::Event for #ident {
const NAME: &'static str = #wire_lit;
#has_data
#features_const
#versions
}"#,
                cfg,
                rt,
                ident,
                wire_lit,
                has_data,
                features_const,
                versions = self.versions_const(id),
            ));
            let variant_docs = self.docs(&format!("`{wire}`: see [`{ident}`]."));
            let data_docs = self.docs("The event's data.");
            let timestamp_docs = self.docs("When QEMU emitted the event.");
            variants.push(code!(
                r#"#variant_docs
#cfg
#ident {
#data_docs
data: #ident,
#timestamp_docs
timestamp: #rt::Timestamp,
},"#,
                variant_docs,
                cfg,
                ident,
                data_docs,
                timestamp_docs,
                rt,
            ));
            wire_names.push(code!("#cfg #wire_lit", cfg, wire_lit));
            decode_arms.push(code!(
                "#cfg\n#wire_lit => Self::#ident { data: serde::Deserialize::deserialize(data)?, timestamp },",
                cfg,
                wire_lit,
                ident
            ));
            name_arms.push(code!(
                "#cfg\nSelf::#ident { .. } => #wire_lit,",
                cfg,
                ident,
                wire_lit
            ));
            timestamp_arms.push(code!(
                "#cfg\nSelf::#ident { timestamp, .. } => timestamp,",
                cfg,
                ident
            ));
            serialize_arms.push(code!(
                "#cfg\nSelf::#ident { data, timestamp } => rt::serialize_event(serializer, data, timestamp),",
                cfg,
                ident
            ));
        }
        let unknown = names::ident(&scope.claim("Unknown".into()));
        let docs = self.docs(
            "The events: one type per event, holding its data (the `data` of an event message), \
             named after the wire name (`BLOCK_IO_ERROR` → `BlockIoError`), and [`Event`](events::Event), a \
             whole event message.",
        );
        let event_docs = self.docs(
            "An event message: `event`, `data` (when the event has data) and `timestamp`, in any \
             order. Events this build does not know decode into the last variant.",
        );
        let unknown_docs = self.docs("An event this build does not know (from a newer QEMU).");
        let unknown_name_docs = self.docs("The event's name.");
        let unknown_data_docs = self.docs("The event's data, if the message has any.");
        let timestamp_docs = self.docs("When QEMU emitted the event.");
        let decode_body = if decode_arms.is_empty() {
            "let _ = (name, data, timestamp);\nErr(<D::Error as rt::DeError>::custom(\"unknown event\"))".to_string()
        } else {
            code!(
                "Ok(match name {\n#arms\n_ => return Err(<D::Error as rt::DeError>::custom(\"unknown event\")),\n})",
                arms = Lines(&decode_arms)
            )
        };
        // Not a schema type: the derive settings do not apply (its unknown
        // variant holds a JSON value, which implements little).
        let prelude = self.prelude();
        let name_docs = self.docs("The event's wire name.");
        let timestamp_arms = Lines(&timestamp_arms);
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
#[allow(deprecated)]
const _: () = {
#prelude
impl Event {
#name_docs
#[inline]
pub fn name(&self) -> &str {
match self {
#name_arms
Self::#unknown { name, .. } => name,
}
}
#timestamp_docs
#[inline]
pub fn timestamp(&self) -> &#rt::Timestamp {
match self {
#timestamp_arms
Self::#unknown { timestamp, .. } => timestamp,
}
}
}
impl rt::EventSet for Event {
const NAMES: &'static [&'static str] = &[#wire_names];
fn decode<'de, D: serde::Deserializer<'de>>(
name: &str,
data: D,
timestamp: #rt::Timestamp,
) -> Result<Self, D::Error> {
#decode_body
}
#[inline]
fn unknown(
name: String,
data: Option<#rt::serde_json::Value>,
timestamp: #rt::Timestamp,
) -> Self {
Self::#unknown { name, data, timestamp }
}
#[inline]
fn timestamp_mut(&mut self) -> &mut #rt::Timestamp {
match self {
#timestamp_arms
Self::#unknown { timestamp, .. } => timestamp,
}
}
}
#serde
};
}"#,
            docs,
            items = Lines(&items),
            event_docs,
            variants = Lines(&variants),
            unknown_docs,
            unknown,
            unknown_name_docs,
            rt,
            unknown_data_docs,
            timestamp_docs,
            prelude,
            name_docs,
            name_arms = Lines(&name_arms),
            timestamp_arms,
            wire_names = List(&wire_names),
            decode_body,
            serde = serde_impls(
                &"Event",
                &code!(
                    "match self {
#serialize_arms
Self::#unknown { name, data, timestamp } => {
rt::serialize_unknown_event(serializer, name, data, timestamp)
}
}",
                    serialize_arms = Lines(&serialize_arms),
                    unknown,
                ),
                &"rt::deserialize_event(deserializer)",
            ),
        ))
    }
}
