//! The options of code generation: one type behind the build.rs
//! [`Builder`](crate::Builder), the `qapi!` macro and the `qapi-gen rust`
//! command, which all use the same option names.

/// What to do with `if` conditions.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
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
    pub const NAMES: [&'static str; 3] = ["all", "cfg", "evaluate"];

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
pub struct Settings {
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
        }
    }
}
