//! The options of code generation: one type behind the build.rs
//! [`Builder`](crate::Builder), the `qapi!` macro and the `qapi-gen rust`
//! command, which all use the same option names.

use crate::parse::LoadOptions;
use crate::rules::Rules;

/// What to do with `if` conditions.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IfPolicy {
    /// Generate everything; the condition is stated in the docs.
    #[default]
    All,
    /// Guard conditional items with `#[cfg(...)]`, mapping condition names
    /// through [`Settings::cfg`].
    Cfg,
    /// Drop at generation time what the [`Settings::enable`]d names exclude.
    Evaluate,
}

impl IfPolicy {
    /// The names [`FromStr`](std::str::FromStr) accepts.
    pub const NAMES: [&'static str; 3] = ["all", "cfg", "evaluate"];

    /// The name of the policy.
    pub fn as_str(self) -> &'static str {
        match self {
            IfPolicy::All => "all",
            IfPolicy::Cfg => "cfg",
            IfPolicy::Evaluate => "evaluate",
        }
    }
}

impl std::str::FromStr for IfPolicy {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "all" => Ok(IfPolicy::All),
            "cfg" => Ok(IfPolicy::Cfg),
            "evaluate" => Ok(IfPolicy::Evaluate),
            _ => Err(format!(
                "unknown if policy '{s}' (expected one of: {})",
                IfPolicy::NAMES.join(", ")
            )),
        }
    }
}

/// Generation options.  Field names are the option names of every front
/// end (`--if-policy`, `if_policy = "..."`, `.if_policy(..)`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Settings {
    /// What to do with `if` conditions (default [`IfPolicy::All`]).
    pub if_policy: IfPolicy,
    /// Condition names that are true under [`IfPolicy::Evaluate`].
    pub enable: Vec<String>,
    /// Condition name to `cfg` predicate under [`IfPolicy::Cfg`], e.g.
    /// `("CONFIG_SPICE", "feature = \"spice\"")`.
    pub cfg: Vec<(String, String)>,
    /// Extra derives for every generated type (`"Hash"`, `"serde::Serialize"`).
    pub derive: Vec<String>,
    /// Extra derives for one type: `(schema type name, derive)`.
    pub type_derive: Vec<(String, String)>,
    /// Extra attributes for every generated type (`"#[non_exhaustive]"`).
    pub attribute: Vec<String>,
    /// Extra attributes for one type: `(schema type name, attribute)`.
    pub type_attribute: Vec<(String, String)>,
    /// When not empty, generate only these commands and events (wire
    /// names) and the types they reach.
    pub only: Vec<String>,
    /// Path of the runtime crate in generated code.
    pub runtime_path: String,
    /// Put the schema documentation on the generated items.
    pub docs: bool,
    /// Generate `pub mod server`: a handler trait and the tables of a QMP
    /// server.
    pub server: bool,
    /// Generate constructors and setters (`T::new`, `.member(..)`, `From`)
    /// for the types commands take, and with `server` for every type
    /// (default on).  Off, a client that builds its arguments with struct
    /// literals compiles its bindings faster.
    pub builders: bool,
    /// Make a broken doc-comment rule an error.  Off by default: schemas
    /// written for other QEMU versions break them, and a broken rule is
    /// then only a warning ([`DocMode::Lenient`](crate::DocMode)).
    pub strict_docs: bool,
    /// The QEMU release whose rules the schema is held to: `"10.0"`,
    /// `"10.1"` or `"10.2"` (the default, the newest).
    pub rules: Rules,
    /// Older QEMU versions the bindings also decode (span bindings, see
    /// [`compat`](crate::compat)): `PATH` or `LABEL=PATH`, each a schema
    /// file, a saved `query-qmp-schema` reply, or a directory holding one.
    /// Their schema files are read under `rules` with lenient docs, which
    /// the bindings do not use (`strict_docs` is for the schema's own).
    pub compat: Vec<String>,
    /// The label of the schema's own version in span bindings (default:
    /// the newest `Since:` of its doc comments).
    pub version_label: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            if_policy: IfPolicy::All,
            enable: Vec::new(),
            cfg: Vec::new(),
            derive: Vec::new(),
            type_derive: Vec::new(),
            attribute: Vec::new(),
            type_attribute: Vec::new(),
            only: Vec::new(),
            runtime_path: "::qapi_types".to_string(),
            docs: true,
            server: false,
            builders: true,
            strict_docs: false,
            rules: Rules::default(),
            compat: Vec::new(),
            version_label: None,
        }
    }
}

impl Settings {
    /// How the schema's doc comments are checked.
    pub fn doc_mode(&self) -> crate::DocMode {
        if self.strict_docs {
            crate::DocMode::Strict
        } else {
            crate::DocMode::Lenient
        }
    }

    /// How the schema is read: [`Settings::rules`] and [`Settings::doc_mode`].
    pub fn load_options(&self) -> LoadOptions {
        LoadOptions {
            rules: self.rules,
            doc_mode: self.doc_mode(),
        }
    }
}

/// How an option takes its value; the front ends parse their syntax
/// (repeated flags, macro lists) by this and hand each value to
/// [`Settings::set`].
///
/// Exhaustive on purpose: a front end must know every syntax to accept
/// every option, so a new kind is a breaking change.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum OptionKind {
    /// One string: `if_policy`, `runtime_path`, `rules`, `version_label`.
    Single,
    /// Repeatable string: `enable`, `derive`, `attribute`, `only`, `compat`.
    List,
    /// Repeatable `NAME=VALUE`: `cfg`, `type_derive`, `type_attribute`.
    Pair,
    /// `true` or `false`: `docs`, `server`, `builders`, `strict_docs`.
    Bool,
}

impl Settings {
    /// Every option name with how it takes its value, in the order of the
    /// fields.  The CLI flag is the name with `-` for `_`.
    pub const OPTIONS: [(&'static str, OptionKind); 16] = [
        ("if_policy", OptionKind::Single),
        ("enable", OptionKind::List),
        ("cfg", OptionKind::Pair),
        ("derive", OptionKind::List),
        ("type_derive", OptionKind::Pair),
        ("attribute", OptionKind::List),
        ("type_attribute", OptionKind::Pair),
        ("only", OptionKind::List),
        ("runtime_path", OptionKind::Single),
        ("docs", OptionKind::Bool),
        ("server", OptionKind::Bool),
        ("builders", OptionKind::Bool),
        ("strict_docs", OptionKind::Bool),
        ("rules", OptionKind::Single),
        ("compat", OptionKind::List),
        ("version_label", OptionKind::Single),
    ];

    /// How option `name` takes its value; `None` for an unknown name.
    pub fn option_kind(name: &str) -> Option<OptionKind> {
        Self::OPTIONS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|&(_, kind)| kind)
    }

    /// Apply one value of option `name` as text: list and pair options
    /// append (pairs written `NAME=VALUE`), others replace.  The error
    /// says what is wrong with the value; the caller names the option in
    /// its own syntax.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), String> {
        match name {
            "if_policy" => self.if_policy = value.parse()?,
            "enable" => self.enable.push(non_empty(value)?),
            "cfg" => self.cfg.push(parse_pair(value)?),
            "derive" => self.derive.push(non_empty(value)?),
            "type_derive" => self.type_derive.push(parse_pair(value)?),
            "attribute" => self.attribute.push(non_empty(value)?),
            "type_attribute" => self.type_attribute.push(parse_pair(value)?),
            "only" => self.only.push(non_empty(value)?),
            "runtime_path" => self.runtime_path = non_empty(value)?,
            "docs" => self.docs = parse_bool(value)?,
            "server" => self.server = parse_bool(value)?,
            "builders" => self.builders = parse_bool(value)?,
            "strict_docs" => self.strict_docs = parse_bool(value)?,
            "rules" => self.rules = value.parse()?,
            "compat" => {
                crate::compat::Input::parse(value)?;
                self.compat.push(value.trim().to_string())
            }
            "version_label" => self.version_label = Some(non_empty(value)?),
            _ => return Err(format!("unknown option '{name}'")),
        }
        Ok(())
    }
}

fn parse_bool(value: &str) -> Result<bool, String> {
    match value {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(format!("expected true or false, found '{value}'")),
    }
}

fn non_empty(value: &str) -> Result<String, String> {
    if value.trim().is_empty() {
        Err("the value is empty".to_string())
    } else {
        Ok(value.to_string())
    }
}

/// Split `NAME=VALUE` at the first `=` (values may contain `=`, as in
/// `CONFIG_X=feature = "x"`).
pub fn parse_pair(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() && !value.trim().is_empty() => {
            Ok((name.trim().to_string(), value.trim().to_string()))
        }
        _ => Err(format!("expected NAME=VALUE, found '{text}'")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_option_can_be_set_by_name() {
        let mut s = Settings::default();
        for (name, value) in [
            ("if_policy", "cfg"),
            ("enable", "CONFIG_KVM"),
            ("cfg", "CONFIG_KVM=feature = \"kvm\""),
            ("derive", "Hash"),
            ("type_derive", "StatusInfo=Eq"),
            ("attribute", "#[non_exhaustive]"),
            ("type_attribute", "RunState=#[repr(u8)]"),
            ("only", "query-status"),
            ("runtime_path", "crate::rt"),
            ("docs", "false"),
            ("server", "true"),
            ("builders", "false"),
            ("strict_docs", "true"),
            ("rules", "10.0"),
            ("compat", "10.0=../old/qapi-schema.json"),
            ("version_label", "10.2"),
        ] {
            assert!(Settings::option_kind(name).is_some(), "{name}");
            s.set(name, value).unwrap();
        }
        assert_eq!(
            s,
            Settings {
                if_policy: IfPolicy::Cfg,
                enable: vec!["CONFIG_KVM".into()],
                cfg: vec![("CONFIG_KVM".into(), "feature = \"kvm\"".into())],
                derive: vec!["Hash".into()],
                type_derive: vec![("StatusInfo".into(), "Eq".into())],
                attribute: vec!["#[non_exhaustive]".into()],
                type_attribute: vec![("RunState".into(), "#[repr(u8)]".into())],
                only: vec!["query-status".into()],
                runtime_path: "crate::rt".into(),
                docs: false,
                server: true,
                builders: false,
                strict_docs: true,
                rules: Rules::V10_0,
                compat: vec!["10.0=../old/qapi-schema.json".into()],
                version_label: Some("10.2".into()),
            }
        );
    }

    #[test]
    fn bad_values_are_explained() {
        let mut s = Settings::default();
        assert_eq!(
            s.set("if_policy", "some").unwrap_err(),
            "unknown if policy 'some' (expected one of: all, cfg, evaluate)"
        );
        assert_eq!(
            s.set("cfg", "CONFIG_KVM").unwrap_err(),
            "expected NAME=VALUE, found 'CONFIG_KVM'"
        );
        assert_eq!(
            s.set("type_derive", "=Hash").unwrap_err(),
            "expected NAME=VALUE, found '=Hash'"
        );
        assert_eq!(
            s.set("docs", "no").unwrap_err(),
            "expected true or false, found 'no'"
        );
        assert_eq!(s.set("enable", " ").unwrap_err(), "the value is empty");
        assert_eq!(
            s.set("rules", "9.2").unwrap_err(),
            "unknown rules '9.2' (expected one of: 10.0, 10.1, 10.2)"
        );
        assert_eq!(s.set("colour", "x").unwrap_err(), "unknown option 'colour'");
        assert_eq!(Settings::option_kind("colour"), None);
        assert_eq!(s, Settings::default());
    }
}
