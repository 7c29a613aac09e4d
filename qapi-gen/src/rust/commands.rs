//! `pub mod commands`: one type per command, holding its arguments, with
//! its `Command` impl.

use super::code::{code, lit, serde_impls, Lines};
use super::{Gen, GenerateError, Shape};
use crate::schema::{Command, Entity, EntityId, EntityKind};

impl Gen<'_> {
    pub(super) fn commands(&self) -> Result<String, GenerateError> {
        let rt = &self.rt;
        let mut items = Vec::new();
        let mut visit_arms = Vec::new();
        for (id, entity) in self.schema.iter() {
            if let EntityKind::Command(command) = &entity.kind {
                if self.is_kept(id) {
                    items.push(self.command_item(id, entity, command)?);
                    let cfg = self.gate(entity.cond.as_ref()).attr();
                    let ident = self.ident(id);
                    let wire = lit(&entity.name);
                    visit_arms.push(code!(
                        "#cfg\n#wire => visitor.visit::<#ident>(),",
                        cfg,
                        wire,
                        ident
                    ));
                }
            }
        }
        let visit_body = if visit_arms.is_empty() {
            "let _ = (name, visitor);\nNone".to_string()
        } else {
            code!(
                "Some(match name {\n#arms\n_ => return None,\n})",
                arms = Lines(&visit_arms)
            )
        };
        let visit_docs = self.docs(
            "Call `visitor` with the command type whose wire name is `name` (dispatch by name); \
             `None` if this build does not know the command.",
        );
        let docs = self.docs(
            "The commands: one type per command, holding its arguments (the `arguments` of an \
             `execute` request), named after the wire name (`query-status` → `QueryStatus`).",
        );
        Ok(code!(
            r#"#docs
pub mod commands {
#items
#visit_docs
#[allow(deprecated)]
pub fn visit<V: #rt::CommandVisitor>(name: &str, visitor: V) -> Option<V::Output> {
#visit_body
}
}"#,
            docs,
            items = Lines(&items),
            visit_docs,
            rt,
            visit_body,
        ))
    }

    fn command_item(
        &self,
        id: EntityId,
        entity: &Entity,
        command: &Command,
    ) -> Result<String, GenerateError> {
        let rt = &self.rt;
        let ident = self.ident(id);
        let wire = &entity.name;
        let cfg = self.gate(entity.cond.as_ref()).attr();
        let deprecated = self.deprecated_attr(&entity.features);
        let features = self.feature_names(&entity.features);
        let docs = self.item_docs(entity, &format!("The command `{wire}`."), &[]);
        let type_item = self.arguments_type(
            id,
            entity,
            command.arg_type,
            command.boxed,
            !command.gen,
            &cfg,
            deprecated,
            docs,
        )?;
        let (returns, returns_list) = match command.ret_type {
            Some(ty) if command.success_response => (
                self.type_ref(id, ty, true)?,
                matches!(self.shape(ty), Shape::List | Shape::NumberList),
            ),
            _ => (format!("{rt}::Empty"), false),
        };
        // A list's failing element is named in decode errors (`[3].x`).
        let returns_decoder = if returns_list {
            code!(
                r#"#[inline]
fn deserialize_returns<'de, D: #rt::serde::Deserializer<'de>>(
deserializer: D,
) -> ::core::result::Result<Self::Returns, D::Error> {
#rt::__private::deserialize_list(deserializer)
}"#,
                rt,
            )
        } else {
            String::new()
        };
        let flags = [
            ("ALLOW_OOB", command.allow_oob, false),
            ("ALLOW_PRECONFIG", command.allow_preconfig, false),
            ("COROUTINE", command.coroutine, false),
            ("SUCCESS_RESPONSE", command.success_response, true),
        ]
        .into_iter()
        .filter(|&(_, value, default)| value != default)
        .map(|(name, value, _)| format!("const {name}: bool = {value};"))
        .collect::<Vec<_>>();
        let features = super::types::features_const(&features);
        Ok(code!(
            r#"#type_item
#cfg
#[allow(deprecated)]
impl #rt::Command for #ident {
const NAME: &'static str = #wire;
type Returns = #returns;
#flags
#features
#versions
#returns_decoder
}"#,
            type_item,
            cfg,
            rt,
            ident,
            wire = lit(wire),
            returns,
            flags = Lines(&flags),
            features,
            returns_decoder,
            versions = self.versions_const(id),
        ))
    }

    /// The type holding a command's arguments or an event's data: a struct
    /// of the members (inline or of a named type), a unit struct without
    /// them, a newtype around the boxed type.  With `open` (a command QEMU
    /// does not marshal, `'gen': false`), undeclared members are kept too.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn arguments_type(
        &self,
        id: EntityId,
        entity: &Entity,
        arg_type: Option<EntityId>,
        boxed: bool,
        open: bool,
        cfg: &str,
        deprecated: String,
        docs: String,
    ) -> Result<String, GenerateError> {
        let ident = self.ident(id);
        let wire = &entity.name;
        // The features are the command's or event's (its trait has them).
        let features = [];
        let Some(arg_type) = arg_type else {
            return Ok(self.object_type(
                ident,
                wire,
                wire,
                docs,
                &[],
                &features,
                cfg,
                deprecated,
                None,
            ));
        };
        if boxed {
            let inner = self.type_ref(id, arg_type, true)?;
            let attrs = self.type_attrs(wire, &["Debug", "Clone", "PartialEq"]);
            let field_docs = self.docs("The arguments, as one value.");
            let rt = &self.rt;
            return Ok(code!(
                r#"#docs
#cfg
#attrs
#deprecated
pub struct #ident(
#field_docs
pub #inner,
);
#cfg
#[allow(deprecated)]
const _: () = {
use ::core::result::Result;
use #rt::serde;
#serde
};"#,
                serde = serde_impls(
                    &ident,
                    &"serde::Serialize::serialize(&self.0, serializer)",
                    &"serde::Deserialize::deserialize(deserializer).map(Self)"
                ),
                docs,
                cfg,
                attrs,
                deprecated,
                ident,
                field_docs,
                inner,
                rt,
            ));
        }
        let EntityKind::Object(object) = &self.schema.entity(arg_type).kind else {
            return Ok(self.object_type(
                ident,
                wire,
                wire,
                docs,
                &[],
                &features,
                cfg,
                deprecated,
                None,
            ));
        };
        let doc = self.doc_of(entity);
        let fields = self.fields(id, &object.members, doc, true)?;
        let extra = open.then(|| {
            let mut scope = super::names::Scope::default();
            for field in &fields {
                scope.claim(field.ident.to_string());
            }
            super::names::ident(&scope.claim("extra".into()))
        });
        Ok(self.object_type(
            ident,
            wire,
            wire,
            docs,
            &fields,
            &features,
            cfg,
            deprecated,
            extra.as_ref(),
        ))
    }
}
