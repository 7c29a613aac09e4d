//! `pub mod commands`: one type per command, holding its arguments, with
//! its `Command` impl, and `visit` (dispatch by name).

use super::code::{code, lit, lits, Lines, Opt};
use super::objects::ObjectItem;
use super::{Gen, GenerateError, Shape};
use crate::schema::{Command, Entity, EntityId, EntityKind};

/// The type holding a command's arguments or an event's data.
pub(super) struct Arguments<'a> {
    pub id: EntityId,
    pub entity: &'a Entity,
    pub arg_type: Option<EntityId>,
    /// The arguments are one value of `arg_type` (`'boxed': true`).
    pub boxed: bool,
    /// Undeclared members are kept too (`'gen': false`).
    pub open: bool,
    pub cfg: Option<String>,
    pub deprecated: Option<String>,
    pub docs: Option<String>,
}

impl Gen<'_> {
    pub(super) fn commands(&self) -> Result<String, GenerateError> {
        let rt = &self.rt;
        let mut items = Vec::new();
        let mut names = Vec::new();
        for (id, entity) in self.schema.iter() {
            if let EntityKind::Command(command) = &entity.kind {
                if self.is_kept(id) {
                    items.push(self.command_item(id, entity, command)?);
                    let cfg = self.gate(entity.cond.as_ref()).attr();
                    names.push(code!(
                        "#cfg\n#ident = #wire,",
                        cfg = Opt(&cfg),
                        ident = self.ident(id),
                        wire = lit(&entity.name)
                    ));
                }
            }
        }
        let docs = self.docs(
            "The commands: one type per command, holding its arguments (the `arguments` of an \
             `execute` request), named after the wire name (`query-status` → `QueryStatus`).",
        );
        Ok(code!(
            r#"#docs
pub mod commands {
#items
#rt::__private::command_visit! {
#names
}
}"#,
            docs = Opt(&docs),
            items = Lines(&items),
            rt,
            names = Lines(&names),
        ))
    }

    fn command_item(
        &self,
        id: EntityId,
        entity: &Entity,
        command: &Command,
    ) -> Result<String, GenerateError> {
        let rt = &self.rt;
        let wire = &entity.name;
        let cfg = self.gate(entity.cond.as_ref()).attr();
        let deprecated = self.deprecated_attr(&entity.features);
        let type_item = self.arguments_type(&Arguments {
            id,
            entity,
            arg_type: command.arg_type,
            boxed: command.boxed,
            open: !command.gen,
            cfg: cfg.clone(),
            deprecated: deprecated.clone(),
            docs: self.item_docs(entity, &format!("The command `{wire}`."), &[]),
        })?;
        let (returns, returns_list) = match command.ret_type {
            Some(ty) if command.success_response => (
                self.type_ref(id, ty, true)?,
                matches!(self.shape(ty), Shape::List | Shape::NumberList),
            ),
            _ => (format!("{rt}::Empty"), false),
        };
        let mut lines = vec![
            code!("const NAME: &'static str = #wire;", wire = lit(wire)),
            code!("type Returns = #returns;", returns),
        ];
        for (name, value, default) in [
            ("ALLOW_OOB", command.allow_oob, false),
            ("ALLOW_PRECONFIG", command.allow_preconfig, false),
            ("COROUTINE", command.coroutine, false),
            ("SUCCESS_RESPONSE", command.success_response, true),
        ] {
            if value != default {
                lines.push(format!("const {name}: bool = {value};"));
            }
        }
        lines.extend(features_const(&self.feature_names(&entity.features)));
        lines.extend(self.versions_line(id));
        // A list's failing element is named in decode errors (`[3].x`).
        if returns_list {
            lines.push(code!("#rt::__private::list_returns!();", rt));
        }
        Ok(code!(
            r#"#type_item
#cfg
#allow
impl #rt::Command for #ident {
#lines
}"#,
            type_item,
            cfg = Opt(&cfg),
            allow = allow_deprecated(&deprecated),
            rt,
            ident = self.ident(id),
            lines = Lines(&lines),
        ))
    }

    /// The type holding a command's arguments or an event's data: a struct
    /// of the members (inline or of a named type), a unit struct without
    /// them, a newtype around the boxed type.
    pub(super) fn arguments_type(&self, args: &Arguments) -> Result<String, GenerateError> {
        let ident = self.ident(args.id);
        let wire = &args.entity.name;
        let item = |fields, extra| ObjectItem {
            ident,
            name: wire,
            object_name: wire,
            docs: args.docs.clone(),
            cfg: args.cfg.clone(),
            deprecated: args.deprecated.clone(),
            fields,
            // The features are the command's or event's (its trait has them).
            features: &[],
            extra,
            branch: None,
            // Its `TYPE_NAME`, the command's or event's, locates it.
            route: None,
        };
        let Some(arg_type) = args.arg_type else {
            return Ok(self.object_type(&item(&[], None)));
        };
        if args.boxed {
            let rt = &self.rt;
            let inner = self.type_ref(args.id, arg_type, true)?;
            // rustfmt keeps a documented field on its own line.
            let field = match self.docs("The arguments, as one value.") {
                Some(docs) => code!("(\n#docs\npub #inner,\n);", docs, inner),
                None => code!("(pub #inner);", inner),
            };
            return Ok(code!(
                r#"#docs
#cfg
#attrs
#deprecated
pub struct #ident#field
#cfg
#rt::__private::newtype_impls!(#ident);
#builder"#,
                docs = Opt(&args.docs),
                cfg = Opt(&args.cfg),
                attrs = self.type_attrs(wire, &["Debug", "Clone", "PartialEq"]),
                deprecated = Opt(&args.deprecated),
                ident,
                field,
                rt,
                builder = self.newtype_builder(args.id, &args.cfg, ident, &inner),
            ));
        }
        let EntityKind::Object(object) = &self.schema.entity(arg_type).kind else {
            return Ok(self.object_type(&item(&[], None)));
        };
        let fields = self.fields(args.id, &object.members, self.doc_of(args.entity), true)?;
        let extra = args.open.then(|| {
            let mut scope = super::names::Scope::default();
            for field in &fields {
                scope.claim(field.ident.to_string());
            }
            super::names::ident(&scope.claim("extra".into()))
        });
        Ok(self.object_type(&item(&fields, extra.as_ref())))
    }
}

/// `const FEATURES` of `Command` and `Event`, if any.
pub(super) fn features_const(features: &[String]) -> Option<String> {
    if features.is_empty() {
        return None;
    }
    Some(code!(
        "const FEATURES: &'static [&'static str] = &[#list];",
        list = lits(features)
    ))
}

/// `#[allow(deprecated)]` for an impl of a deprecated command or event.
pub(super) fn allow_deprecated(deprecated: &Option<String>) -> &'static str {
    if deprecated.is_some() {
        "#[allow(deprecated)]"
    } else {
        ""
    }
}
