//! Stage 2: syntax checks of each definition (QEMU's `scripts/qapi/expr.py`).
//!
//! Every expression is checked on its own: its keys, the shape of their
//! values, names and their case rules, `if` conditions and features.  The
//! result is the typed [`ast`], with short forms expanded.  Errors in one
//! definition do not stop the others from being checked.
//!
//! The checks run in QEMU's order, so that the first error of a definition
//! is the one QEMU reports.  Errors are located at the start of the
//! definition, as QEMU's are, with a label on the offending text.

pub(crate) mod ast;
mod names;

use std::borrow::Cow;
use std::fmt::{self, Display};

use crate::diag::{Diagnostic, Span};
use crate::parse::{
    DocMode, Object, ParsedSchema, Pragma, RawDefinition, TopExpr, Value, ValueKind,
};
use crate::schema::doc::{Doc, DocId};
use ast::{
    BranchDecl, Cond, DefBody, Definition, EnumValueDecl, FeatureDecl, Item, MemberDecl,
    MembersRef, Meta, Name, TypeRef,
};

/// Check every top-level expression; all errors found, in source order
/// (doc-comment warnings of a lenient parse are not returned).
pub fn check(parsed: &ParsedSchema) -> Result<Vec<Item<'_>>, Vec<Diagnostic>> {
    let docs = DocRules {
        docs: &parsed.docs,
        mode: parsed.doc_mode,
    };
    check_exprs(&parsed.exprs, docs, &parsed.pragma, &mut Vec::new())
}

/// The doc blocks and how strictly their rules are enforced.
#[derive(Copy, Clone)]
pub(crate) struct DocRules<'p> {
    pub docs: &'p [Doc],
    pub mode: DocMode,
}

/// [`check`] of a parsed schema's parts: the definitions borrow from
/// `exprs` only.
pub(crate) fn check_exprs<'a>(
    exprs: &'a [TopExpr],
    docs: DocRules,
    pragma: &Pragma,
    warnings: &mut Vec<Diagnostic>,
) -> Result<Vec<Item<'a>>, Vec<Diagnostic>> {
    let mut items = Vec::with_capacity(exprs.len());
    let mut errors = Vec::new();
    for (index, expr) in exprs.iter().enumerate() {
        match expr {
            TopExpr::Include(_) => items.push(Item::Include(index)),
            TopExpr::Definition(raw) => match check_definition(docs, pragma, raw, warnings) {
                Ok(def) => items.push(Item::Definition(def)),
                Err(diag) => errors.push(diag),
            },
        }
    }
    if errors.is_empty() {
        Ok(items)
    } else {
        Err(errors)
    }
}

const METAS: [Meta; 6] = [
    Meta::Enum,
    Meta::Struct,
    Meta::Union,
    Meta::Alternate,
    Meta::Command,
    Meta::Event,
];

type Checked<T> = Result<T, Diagnostic>;

fn check_definition<'a>(
    docs: DocRules,
    pragma: &Pragma,
    raw: &'a RawDefinition,
    warnings: &mut Vec<Diagnostic>,
) -> Checked<Definition<'a>> {
    let mut checker = Checker {
        docs,
        pragma,
        span: raw.value.span,
        defn: None,
        warnings,
    };
    checker.definition(raw)
}

/// The state QEMU keeps in a definition's `info`: where it starts, and,
/// once its name is known, which definition it is.
struct Checker<'a, 'p> {
    docs: DocRules<'p>,
    pragma: &'p Pragma,
    span: Span,
    defn: Option<(Meta, &'a str)>,
    /// Doc-comment rules broken in lenient mode.
    warnings: &'p mut Vec<Diagnostic>,
}

/// `{owner} member '{name}'`, as QEMU's messages name a member (e.g.
/// `'data' member 'foo'`); formatted only when an error needs it.
struct MemberOf<'s> {
    owner: &'s dyn Display,
    name: &'s str,
}

impl Display for MemberOf<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} member '{}'", self.owner, self.name)
    }
}

/// A value after QEMU's normalization into an object: either written as
/// an object, or a short form standing for `{short_key: value}`.
struct Normalized<'v> {
    object: Option<&'v Object>,
    short_key: &'static str,
    value: &'v Value,
}

impl<'v> Normalized<'v> {
    fn new(value: &'v Value, short_key: &'static str) -> Normalized<'v> {
        Normalized {
            object: value.as_object(),
            short_key,
            value,
        }
    }

    fn get(&self, key: &str) -> Option<&'v Value> {
        match self.object {
            Some(object) => object.get(key),
            None => (key == self.short_key).then_some(self.value),
        }
    }
}

/// Python's truth value of a JSON value, which QEMU tests in places.
fn truthy(value: &Value) -> bool {
    match &value.kind {
        ValueKind::Str(s) => !s.is_empty(),
        ValueKind::Bool(b) => *b,
        ValueKind::Array(items) => !items.is_empty(),
        ValueKind::Object(object) => !object.is_empty(),
    }
}

/// `'a', 'b'`: QEMU's listing of key names, sorted.
fn quoted_list(mut names: Vec<&str>) -> String {
    names.sort_unstable();
    names
        .iter()
        .map(|n| format!("'{n}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn plural(n: usize) -> &'static str {
    if n > 1 {
        "s"
    } else {
        ""
    }
}

impl<'a> Checker<'a, '_> {
    /// An error of this definition, pointing at `label`.
    fn error(&self, label: Span, message: impl Into<String>) -> Diagnostic {
        let diag = Diagnostic::new(self.span, message).with_label(label);
        match &self.defn {
            // QEMU omits the context of a definition named ''.
            Some((meta, name)) if !name.is_empty() => diag.in_definition(meta.as_str(), name),
            _ => diag,
        }
    }

    fn pragma(&self) -> &Pragma {
        self.pragma
    }

    fn definition(&mut self, raw: &'a RawDefinition) -> Checked<Definition<'a>> {
        let Some(expr) = raw.value.as_object() else {
            return Err(self.error(raw.value.span, "top-level expression must be an object"));
        };
        let mut metas = METAS
            .iter()
            .filter_map(|&meta| expr.get(meta.as_str()).map(|v| (meta, v)));
        let (Some((meta, name_value)), None) = (metas.next(), metas.next()) else {
            return Err(self.error(
                raw.value.span,
                "expression must have exactly one key 'enum', 'struct', 'union', \
                 'alternate', 'command', 'event'",
            ));
        };
        let name = self.name_is_str(name_value, &format_args!("'{}'", meta.as_str()))?;
        self.defn = Some((meta, name));
        self.defn_name(name, name_value.span, meta)?;
        let doc = self.doc(raw, expr, name, meta)?;

        let keys = |required: &[&str], optional: &[&str]| {
            self.keys(expr, raw.value.span, &meta.as_str(), required, optional)
        };
        // `check_keys` guarantees the required keys below.
        let required = |key: &str| expr.get(key).expect("required key checked");
        let body = match meta {
            Meta::Enum => {
                keys(&["enum", "data"], &["if", "features", "prefix"])?;
                self.enum_body(expr, name, required("data"))?
            }
            Meta::Union => {
                keys(
                    &["union", "base", "discriminator", "data"],
                    &["if", "features"],
                )?;
                self.union_body(
                    name,
                    required("base"),
                    required("discriminator"),
                    required("data"),
                )?
            }
            Meta::Alternate => {
                keys(&["alternate", "data"], &["if", "features"])?;
                self.alternate_body(required("data"))?
            }
            Meta::Struct => {
                keys(&["struct", "data"], &["base", "if", "features"])?;
                DefBody::Struct {
                    members: self.type_implicit(required("data"), &"'data'", Some(name))?,
                    base: expr
                        .get("base")
                        .map(|base| self.type_name(base, &"'base'"))
                        .transpose()?,
                }
            }
            Meta::Command => {
                keys(
                    &["command"],
                    &[
                        "data",
                        "returns",
                        "boxed",
                        "if",
                        "features",
                        "gen",
                        "success-response",
                        "allow-oob",
                        "allow-preconfig",
                        "coroutine",
                    ],
                )?;
                let data = self.arguments(expr)?;
                let returns = expr
                    .get("returns")
                    .map(|r| self.type_name_or_array(r, &"'returns'"))
                    .transpose()?;
                // The flags' values are checked below: present means the
                // non-default value.
                DefBody::Command {
                    data,
                    boxed: expr.contains("boxed"),
                    returns,
                    gen: !expr.contains("gen"),
                    success_response: !expr.contains("success-response"),
                    allow_oob: expr.contains("allow-oob"),
                    allow_preconfig: expr.contains("allow-preconfig"),
                    coroutine: expr.contains("coroutine"),
                }
            }
            Meta::Event => {
                keys(&["event"], &["data", "boxed", "if", "features"])?;
                DefBody::Event {
                    data: self.arguments(expr)?,
                    boxed: expr.contains("boxed"),
                }
            }
        };
        let cond = self.cond(expr, &meta.as_str())?;
        let features = self.features(expr.get("features"))?;
        self.flags(expr)?;
        Ok(Definition {
            meta,
            name: Name {
                name,
                span: name_value.span,
            },
            span: raw.value.span,
            doc,
            cond,
            features,
            body,
        })
    }

    /// The doc comment must be for this definition (and suit it), and is
    /// required under pragma `doc-required`.  The block the definition
    /// keeps: leniently, a block for another name is not its own.
    fn doc(
        &mut self,
        raw: &RawDefinition,
        expr: &'a Object,
        name: &str,
        meta: Meta,
    ) -> Checked<Option<DocId>> {
        let docs = self.docs.docs;
        let doc = raw.doc.and_then(|id| Some((id, docs.get(id)?)));
        let issue = match doc {
            Some((id, doc)) => {
                if doc.symbol.as_deref() != Some(name) {
                    let symbol = doc.symbol.as_deref().unwrap_or("None");
                    let issue =
                        self.error(doc.span, format!("documentation comment is for '{symbol}'"));
                    self.docs.mode.report(issue, self.warnings)?;
                    return Ok(None);
                }
                match doc.check_expr(meta == Meta::Command, expr.contains("returns")) {
                    Ok(()) => return Ok(Some(id)),
                    Err(issue) => issue,
                }
            }
            None if self.pragma().doc_required => {
                self.error(self.span, "documentation comment required")
            }
            None => return Ok(None),
        };
        self.docs.mode.report(issue, self.warnings)?;
        Ok(raw.doc)
    }

    fn name_is_str<'v>(&self, value: &'v Value, source: &dyn Display) -> Checked<&'v str> {
        value
            .as_str()
            .ok_or_else(|| self.error(value.span, format!("{source} requires a string name")))
    }

    /// Turn a naming rule's complaint into an error at `label`.
    fn name_rule(&self, label: Span, result: Result<(), String>) -> Checked<()> {
        result.map_err(|message| self.error(label, message))
    }

    fn defn_name(&self, name: &str, label: Span, meta: Meta) -> Checked<()> {
        let source = meta.as_str();
        let rule = match meta {
            Meta::Event => names::check_name_upper(name, &source),
            Meta::Command => {
                let exception = self
                    .pragma()
                    .command_name_exceptions
                    .iter()
                    .any(|n| n == name);
                names::check_name_lower(name, &source, false, exception)
            }
            _ => names::check_name_camel(name, &source).and_then(|()| {
                if name.ends_with("List") {
                    Err(format!("{source} name should not end in 'List'"))
                } else {
                    Ok(())
                }
            }),
        };
        self.name_rule(label, rule)
    }

    /// QEMU's `check_keys`: `object` has the `required` keys and no keys
    /// beyond `required` and `optional`.
    fn keys(
        &self,
        object: &'a Object,
        span: Span,
        source: &dyn Display,
        required: &[&str],
        optional: &[&str],
    ) -> Checked<()> {
        let missing: Vec<&str> = required
            .iter()
            .copied()
            .filter(|key| !object.contains(key))
            .collect();
        if !missing.is_empty() {
            return Err(self.error(
                span,
                format!(
                    "{source} misses key{} {}",
                    plural(missing.len()),
                    quoted_list(missing)
                ),
            ));
        }
        let unknown: Vec<_> = object
            .members
            .iter()
            .map(|(key, _)| key)
            .filter(|key| !required.contains(&&*key.name) && !optional.contains(&&*key.name))
            .collect();
        if let Some(first) = unknown.first() {
            let allowed: Vec<&str> = required.iter().chain(optional).copied().collect();
            return Err(self.error(
                first.span,
                format!(
                    "{source} has unknown key{} {}\nValid keys are {}.",
                    plural(unknown.len()),
                    quoted_list(unknown.iter().map(|k| &*k.name).collect()),
                    quoted_list(allowed)
                ),
            ));
        }
        Ok(())
    }

    /// QEMU's `check_flags`.
    fn flags(&self, expr: &'a Object) -> Checked<()> {
        for key in ["gen", "success-response"] {
            if let Some(value) = expr.get(key) {
                if value.as_bool() != Some(false) {
                    return Err(
                        self.error(value.span, format!("flag '{key}' may only use false value"))
                    );
                }
            }
        }
        for key in ["boxed", "allow-oob", "allow-preconfig", "coroutine"] {
            if let Some(value) = expr.get(key) {
                if value.as_bool() != Some(true) {
                    return Err(
                        self.error(value.span, format!("flag '{key}' may only use true value"))
                    );
                }
            }
        }
        if let (Some(_), Some(coroutine)) = (expr.get_key("allow-oob"), expr.get_key("coroutine")) {
            return Err(self.error(
                coroutine.span,
                "flags 'allow-oob' and 'coroutine' are incompatible",
            ));
        }
        Ok(())
    }

    /// The `if` of `owner`, if any (QEMU's `check_if`).
    fn cond(&self, owner: &'a Object, source: &dyn Display) -> Checked<Option<Cond>> {
        owner
            .get("if")
            .map(|cond| self.cond_value(cond, source))
            .transpose()
    }

    fn cond_value(&self, cond: &'a Value, source: &dyn Display) -> Checked<Cond> {
        match &cond.kind {
            ValueKind::Str(symbol) => {
                if names::is_config_symbol(symbol) {
                    Ok(Cond::Name(symbol.clone()))
                } else {
                    Err(self.error(
                        cond.span,
                        format!("'if' condition '{symbol}' of {source} is not a valid identifier"),
                    ))
                }
            }
            ValueKind::Object(object) => {
                self.keys(
                    object,
                    cond.span,
                    &format_args!("'if' condition of {source}"),
                    &[],
                    &["all", "any", "not"],
                )?;
                let [(operator, operand)] = &object.members[..] else {
                    return Err(self.error(
                        cond.span,
                        format!("'if' condition of {source} has conflicting keys"),
                    ));
                };
                if operator.name == "not" {
                    return Ok(Cond::Not(Box::new(self.cond_value(operand, source)?)));
                }
                let Some(operands) = operand.as_array() else {
                    return Err(self.error(
                        operand.span,
                        format!("'{}' condition of {source} must be an array", operator.name),
                    ));
                };
                if operands.is_empty() {
                    return Err(self.error(
                        operand.span,
                        format!("'if' condition [] of {source} is useless"),
                    ));
                }
                let conds = operands
                    .iter()
                    .map(|operand| self.cond_value(operand, source))
                    .collect::<Checked<Vec<_>>>()?;
                Ok(if operator.name == "all" {
                    Cond::All(conds)
                } else {
                    Cond::Any(conds)
                })
            }
            _ => Err(self.error(
                cond.span,
                format!("'if' condition of {source} must be a string or an object"),
            )),
        }
    }

    /// QEMU's `check_features`; `'name'` is short for `{'name': 'name'}`.
    fn features(&self, features: Option<&'a Value>) -> Checked<Vec<FeatureDecl<'a>>> {
        let Some(features) = features else {
            return Ok(Vec::new());
        };
        let Some(items) = features.as_array() else {
            return Err(self.error(features.span, "'features' must be an array"));
        };
        items
            .iter()
            .map(|item| {
                let feature = Normalized::new(item, "name");
                let source = "'features' member";
                if let Some(object) = feature.object {
                    self.keys(object, item.span, &source, &["name"], &["if"])?;
                }
                let name_value = feature.get("name").expect("required key checked");
                let name = self.name_is_str(name_value, &source)?;
                let source = MemberOf {
                    owner: &"'features'",
                    name,
                };
                self.name_rule(
                    name_value.span,
                    names::check_name_lower(name, &source, false, false),
                )?;
                let cond = match feature.object {
                    Some(object) => self.cond(object, &source)?,
                    None => None,
                };
                Ok(FeatureDecl {
                    name: Name {
                        name,
                        span: name_value.span,
                    },
                    cond,
                })
            })
            .collect()
    }

    /// QEMU's `check_type_name`.
    fn type_name(&self, value: &'a Value, source: &dyn Display) -> Checked<TypeRef<'a>> {
        match value.as_str() {
            Some(name) => Ok(TypeRef {
                name,
                array: false,
                span: value.span,
            }),
            None => Err(self.error(value.span, format!("{source} should be a type name"))),
        }
    }

    /// QEMU's `check_type_name_or_array`.
    fn type_name_or_array(&self, value: &'a Value, source: &dyn Display) -> Checked<TypeRef<'a>> {
        if value.as_str().is_some() {
            return self.type_name(value, source);
        }
        let Some(items) = value.as_array() else {
            return Err(self.error(
                value.span,
                format!("{source} should be a type name or array"),
            ));
        };
        match items {
            [item] if item.as_str().is_some() => Ok(TypeRef {
                name: item.as_str().unwrap_or_default(),
                array: true,
                span: value.span,
            }),
            _ => Err(self.error(
                value.span,
                format!("{source}: array type must contain single type name"),
            )),
        }
    }

    /// QEMU's `check_type_implicit`: the members of an implicit struct
    /// type.  Those of a definition named in pragma
    /// `member-name-exceptions` may break the naming rules.
    fn type_implicit(
        &self,
        value: &'a Value,
        source: &dyn Display,
        parent: Option<&str>,
    ) -> Checked<Vec<MemberDecl<'a>>> {
        let Some(object) = value.as_object() else {
            return Err(self.error(
                value.span,
                format!("{source} should be an object or type name"),
            ));
        };
        let permissive =
            parent.is_some_and(|p| self.pragma().member_name_exceptions.iter().any(|n| n == p));
        let mut members = Vec::with_capacity(object.len());
        for (key, arg) in &object.members {
            let key_source = MemberOf {
                owner: source,
                name: &key.name,
            };
            let (name, optional) = match key.name.strip_prefix('*') {
                Some(name) => (name, true),
                None => (key.name.as_str(), false),
            };
            self.name_rule(
                key.span,
                names::check_name_lower(name, &key_source, permissive, permissive),
            )?;
            if name == "u" || names::c_name_starts_with(name, "has_") {
                return Err(self.error(key.span, format!("{key_source} uses reserved name")));
            }
            let member = Normalized::new(arg, "type");
            let (cond, features) = match member.object {
                Some(long) => {
                    self.keys(long, arg.span, &key_source, &["type"], &["if", "features"])?;
                    (
                        self.cond(long, &key_source)?,
                        self.features(long.get("features"))?,
                    )
                }
                None => (None, Vec::new()),
            };
            let ty = member.get("type").expect("required key checked");
            members.push(MemberDecl {
                name: Name {
                    name,
                    span: key.span,
                },
                optional,
                ty: self.type_name_or_array(ty, &key_source)?,
                cond,
                features,
            });
        }
        Ok(members)
    }

    /// QEMU's `check_type_name_or_implicit`.
    fn type_name_or_implicit(
        &self,
        value: &'a Value,
        source: &dyn Display,
        parent: Option<&str>,
    ) -> Checked<MembersRef<'a>> {
        if value.as_str().is_some() {
            return self.type_name(value, source).map(MembersRef::Named);
        }
        Ok(MembersRef::Inline {
            members: self.type_implicit(value, source, parent)?,
            span: value.span,
        })
    }

    /// The `data` of a command or event: a type name when boxed, else a
    /// type name or inline arguments.
    fn arguments(&self, expr: &'a Object) -> Checked<Option<MembersRef<'a>>> {
        let data = expr.get("data");
        // QEMU tests the value's truth here; check_flags rejects any
        // value but true later.
        if let Some(boxed) = expr.get("boxed").filter(|b| truthy(b)) {
            let Some(data) = data else {
                return Err(self.error(boxed.span, "'boxed': true requires 'data'"));
            };
            return self
                .type_name(data, &"'data'")
                .map(|t| Some(MembersRef::Named(t)));
        }
        data.map(|data| self.type_name_or_implicit(data, &"'data'", None))
            .transpose()
    }

    fn enum_body(&self, expr: &'a Object, name: &str, data: &'a Value) -> Checked<DefBody<'a>> {
        let Some(items) = data.as_array() else {
            return Err(self.error(data.span, "'data' must be an array"));
        };
        let prefix = match expr.get("prefix") {
            None => None,
            Some(prefix) => match prefix.as_str() {
                Some(p) => Some(p),
                None => return Err(self.error(prefix.span, "'prefix' must be a string")),
            },
        };
        let permissive = self
            .pragma()
            .member_name_exceptions
            .iter()
            .any(|n| n == name);
        let mut values = Vec::new();
        for item in items {
            let value = Normalized::new(item, "name");
            let source = "'data' member";
            if let Some(object) = value.object {
                self.keys(object, item.span, &source, &["name"], &["if", "features"])?;
            }
            let name_value = value.get("name").expect("required key checked");
            let value_name = self.name_is_str(name_value, &source)?;
            let source = MemberOf {
                owner: &"'data'",
                name: value_name,
            };
            // Values may start with a digit: check as if behind a letter.
            let checked_name = if value_name.starts_with(|c: char| c.is_ascii_digit()) {
                Cow::Owned(format!("d{value_name}"))
            } else {
                Cow::Borrowed(value_name)
            };
            self.name_rule(
                name_value.span,
                names::check_name_lower(&checked_name, &source, permissive, permissive),
            )?;
            let (cond, features) = match value.object {
                Some(object) => (
                    self.cond(object, &source)?,
                    self.features(object.get("features"))?,
                ),
                None => (None, Vec::new()),
            };
            values.push(EnumValueDecl {
                name: Name {
                    name: value_name,
                    span: name_value.span,
                },
                cond,
                features,
            });
        }
        Ok(DefBody::Enum { values, prefix })
    }

    fn union_body(
        &self,
        name: &str,
        base: &'a Value,
        discriminator: &'a Value,
        data: &'a Value,
    ) -> Checked<DefBody<'a>> {
        let base = self.type_name_or_implicit(base, &"'base'", Some(name))?;
        let discriminator = Name {
            name: self.name_is_str(discriminator, &"'discriminator'")?,
            span: discriminator.span,
        };
        let Some(object) = data.as_object() else {
            return Err(self.error(data.span, "'data' must be an object"));
        };
        let branches = object
            .members
            .iter()
            .map(|(key, value)| {
                let source = MemberOf {
                    owner: &"'data'",
                    name: &key.name,
                };
                let (ty, cond) = self.branch(value, &source)?;
                Ok(BranchDecl {
                    name: Name {
                        name: &key.name,
                        span: key.span,
                    },
                    ty: self.type_name(ty, &source)?,
                    cond,
                })
            })
            .collect::<Checked<Vec<_>>>()?;
        Ok(DefBody::Union {
            base,
            discriminator,
            branches,
        })
    }

    fn alternate_body(&self, data: &'a Value) -> Checked<DefBody<'a>> {
        if !truthy(data) {
            return Err(self.error(data.span, "'data' must not be empty"));
        }
        let Some(object) = data.as_object() else {
            return Err(self.error(data.span, "'data' must be an object"));
        };
        let branches = object
            .members
            .iter()
            .map(|(key, value)| {
                let source = MemberOf {
                    owner: &"'data'",
                    name: &key.name,
                };
                self.name_rule(
                    key.span,
                    names::check_name_lower(&key.name, &source, false, false),
                )?;
                let (ty, cond) = self.branch(value, &source)?;
                Ok(BranchDecl {
                    name: Name {
                        name: &key.name,
                        span: key.span,
                    },
                    ty: self.type_name_or_array(ty, &source)?,
                    cond,
                })
            })
            .collect::<Checked<Vec<_>>>()?;
        Ok(DefBody::Alternate { branches })
    }

    /// A union or alternate branch: its keys and condition checked; its
    /// type left to the caller.
    fn branch<'v>(
        &self,
        value: &'v Value,
        source: &dyn Display,
    ) -> Checked<(&'v Value, Option<Cond>)> {
        let branch = Normalized::new(value, "type");
        let cond = match branch.object {
            Some(object) => {
                self.keys(object, value.span, source, &["type"], &["if"])?;
                self.cond(object, source)?
            }
            None => None,
        };
        Ok((branch.get("type").expect("required key checked"), cond))
    }
}

#[cfg(test)]
mod tests;
