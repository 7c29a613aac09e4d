//! `pub mod commands`: one type per command, holding its arguments, with
//! its `Command` impl.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::{Gen, GenerateError};
use crate::schema::{Command, Entity, EntityId, EntityKind};

impl Gen<'_> {
    pub(super) fn commands(&self) -> Result<TokenStream, GenerateError> {
        let rt = &self.rt;
        let mut items = Vec::new();
        let mut visit_arms = Vec::new();
        for (id, entity) in self.schema.iter() {
            if let EntityKind::Command(command) = &entity.kind {
                if self.is_kept(id) {
                    items.push(self.command_item(id, entity, command)?);
                    let cfg = self.gate(entity.cond.as_ref()).attr();
                    let ident = self.ident(id);
                    let wire = &entity.name;
                    visit_arms.push(quote!(#cfg #wire => visitor.visit::<#ident>(),));
                }
            }
        }
        let visit_body = if visit_arms.is_empty() {
            quote! {
                let _ = (name, visitor);
                None
            }
        } else {
            quote! {
                Some(match name {
                    #(#visit_arms)*
                    _ => return None,
                })
            }
        };
        let visit_docs = self.docs(
            "Call `visitor` with the command type whose wire name is `name` (dispatch by name); \
             `None` if this build does not know the command.",
        );
        let docs = self.docs(
            "The commands: one type per command, holding its arguments (the `arguments` of an \
             `execute` request), named after the wire name (`query-status` → `QueryStatus`).",
        );
        Ok(quote! {
            #docs
            pub mod commands {
                #(#items)*

                #visit_docs
                #[allow(deprecated)]
                pub fn visit<V: #rt::CommandVisitor>(name: &str, visitor: V) -> Option<V::Output> {
                    #visit_body
                }
            }
        })
    }

    fn command_item(
        &self,
        id: EntityId,
        entity: &Entity,
        command: &Command,
    ) -> Result<TokenStream, GenerateError> {
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
        let returns = match command.ret_type {
            Some(ty) if command.success_response => self.type_ref(id, ty, true)?,
            _ => quote!(#rt::Empty),
        };
        let flags = [
            ("ALLOW_OOB", command.allow_oob, false),
            ("ALLOW_PRECONFIG", command.allow_preconfig, false),
            ("COROUTINE", command.coroutine, false),
            ("SUCCESS_RESPONSE", command.success_response, true),
        ]
        .into_iter()
        .filter(|&(_, value, default)| value != default)
        .map(|(name, value, _)| {
            let name = Ident::new(name, proc_macro2::Span::call_site());
            quote!(const #name: bool = #value;)
        });
        let features = super::types::features_const(&features);
        Ok(quote! {
            #type_item

            #cfg
            #[allow(deprecated)]
            impl #rt::Command for #ident {
                const NAME: &'static str = #wire;
                type Returns = #returns;
                #(#flags)*
                #features
            }
        })
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
        cfg: &TokenStream,
        deprecated: TokenStream,
        docs: TokenStream,
    ) -> Result<TokenStream, GenerateError> {
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
            return Ok(quote! {
                #docs
                #cfg
                #attrs
                #deprecated
                pub struct #ident(#field_docs pub #inner);

                #cfg
                #[allow(deprecated)]
                const _: () = {
                    use ::core::result::Result;
                    use #rt::serde;
                    impl serde::Serialize for #ident {
                        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                            serde::Serialize::serialize(&self.0, serializer)
                        }
                    }
                    impl<'de> serde::Deserialize<'de> for #ident {
                        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                            serde::Deserialize::deserialize(deserializer).map(Self)
                        }
                    }
                };
            });
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
