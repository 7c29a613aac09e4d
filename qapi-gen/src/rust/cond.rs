//! `if` conditions under the three policies.
//!
//! - `all`: everything is generated; the condition is stated in the docs.
//! - `cfg`: `#[cfg(...)]` built from [`Settings::cfg`], which maps a
//!   condition name to a predicate (`CONFIG_SPICE` → `feature = "spice"`).
//!   A name without a mapping is false, as under `evaluate` with nothing
//!   enabled; predicates that are constant after that are decided at
//!   generation time (an item that can never be compiled is not generated,
//!   one that always is gets no attribute).
//! - `evaluate`: the names in [`Settings::enable`] are true, all others
//!   false; what the conditions exclude is not generated.

use std::collections::{HashMap, HashSet};

use proc_macro2::TokenStream;

use super::GenerateError;
use crate::schema::Cond;
use crate::settings::{IfPolicy, Settings};

/// What a condition means for one item.
pub(crate) enum Gate {
    Drop,
    Keep {
        /// The `cfg` predicate under policy `cfg`.
        pred: Option<String>,
        /// The condition, for the docs (policy `all`).
        doc: Option<String>,
    },
}

impl Gate {
    /// `#[cfg(...)]`, or nothing.
    /// `#[cfg(..)]` when the item depends on a predicate.
    pub(crate) fn attr(&self) -> Option<String> {
        match self {
            Gate::Keep {
                pred: Some(pred), ..
            } => Some(format!("#[cfg({pred})]")),
            _ => None,
        }
    }

    pub(crate) fn doc(&self) -> Option<&str> {
        match self {
            Gate::Keep { doc, .. } => doc.as_deref(),
            Gate::Drop => None,
        }
    }
}

pub(crate) struct CondPolicy {
    policy: IfPolicy,
    enabled: HashSet<String>,
    mapping: HashMap<String, String>,
}

/// A `cfg` predicate, folded where it is constant.
enum Pred {
    Const(bool),
    Tokens(String),
}

impl CondPolicy {
    pub(crate) fn new(settings: &Settings) -> Result<CondPolicy, GenerateError> {
        let mut mapping = HashMap::new();
        for (name, predicate) in &settings.cfg {
            let tokens: TokenStream = predicate.parse().map_err(|_| {
                GenerateError::setting("cfg", format!("'{predicate}' is not a cfg predicate"))
            })?;
            syn::parse2::<syn::Meta>(tokens).map_err(|_| {
                GenerateError::setting("cfg", format!("'{predicate}' is not a cfg predicate"))
            })?;
            mapping.insert(name.clone(), predicate.trim().to_string());
        }
        Ok(CondPolicy {
            policy: settings.if_policy,
            enabled: settings.enable.iter().cloned().collect(),
            mapping,
        })
    }

    pub(crate) fn gate(&self, cond: Option<&Cond>) -> Gate {
        let Some(cond) = cond else {
            return Gate::Keep {
                pred: None,
                doc: None,
            };
        };
        match self.policy {
            IfPolicy::All => Gate::Keep {
                pred: None,
                doc: Some(describe(cond, false)),
            },
            IfPolicy::Evaluate => {
                if evaluate(cond, &|name| self.enabled.contains(name)) {
                    Gate::Keep {
                        pred: None,
                        doc: None,
                    }
                } else {
                    Gate::Drop
                }
            }
            IfPolicy::Cfg => match self.predicate(cond) {
                Pred::Const(false) => Gate::Drop,
                Pred::Const(true) => Gate::Keep {
                    pred: None,
                    doc: None,
                },
                Pred::Tokens(pred) => Gate::Keep {
                    pred: Some(pred),
                    doc: None,
                },
            },
        }
    }

    pub(crate) fn keeps(&self, cond: Option<&Cond>) -> bool {
        !matches!(self.gate(cond), Gate::Drop)
    }

    fn predicate(&self, cond: &Cond) -> Pred {
        match cond {
            Cond::Name(name) => match self.mapping.get(name) {
                Some(tokens) => Pred::Tokens(tokens.clone()),
                None => Pred::Const(false),
            },
            Cond::Not(inner) => match self.predicate(inner) {
                Pred::Const(value) => Pred::Const(!value),
                Pred::Tokens(t) => Pred::Tokens(format!("not({t})")),
            },
            Cond::All(items) => self.fold(items, false),
            Cond::Any(items) => self.fold(items, true),
        }
    }

    /// `all` (`any == false`) or `any` of `items`: a constant equal to
    /// `any` decides; the other constant drops out.
    fn fold(&self, items: &[Cond], any: bool) -> Pred {
        let mut parts = Vec::new();
        for item in items {
            match self.predicate(item) {
                Pred::Const(value) if value == any => return Pred::Const(any),
                Pred::Const(_) => {}
                Pred::Tokens(t) => parts.push(t),
            }
        }
        match parts.len() {
            0 => Pred::Const(!any),
            1 => Pred::Tokens(parts.remove(0)),
            _ if any => Pred::Tokens(format!("any({})", parts.join(", "))),
            _ => Pred::Tokens(format!("all({})", parts.join(", "))),
        }
    }
}

fn evaluate(cond: &Cond, enabled: &dyn Fn(&str) -> bool) -> bool {
    match cond {
        Cond::Name(name) => enabled(name),
        Cond::Not(inner) => !evaluate(inner, enabled),
        Cond::All(items) => items.iter().all(|c| evaluate(c, enabled)),
        Cond::Any(items) => items.iter().any(|c| evaluate(c, enabled)),
    }
}

/// `CONFIG_KVM and not (CONFIG_XEN or CONFIG_WHPX)`, names in code spans.
pub(crate) fn describe(cond: &Cond, nested: bool) -> String {
    match cond {
        Cond::Name(name) => format!("`{name}`"),
        Cond::Not(inner) => format!("not {}", describe(inner, true)),
        Cond::All(items) | Cond::Any(items) => {
            let op = if matches!(cond, Cond::All(_)) {
                " and "
            } else {
                " or "
            };
            let text = items
                .iter()
                .map(|c| describe(c, true))
                .collect::<Vec<_>>()
                .join(op);
            if nested && items.len() > 1 {
                format!("({text})")
            } else {
                text
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(n: &str) -> Cond {
        Cond::Name(n.to_string())
    }

    fn kvm_not_xen() -> Cond {
        Cond::All(vec![
            name("CONFIG_KVM"),
            Cond::Not(Box::new(Cond::Any(vec![
                name("CONFIG_XEN"),
                name("CONFIG_WHPX"),
            ]))),
        ])
    }

    fn settings(policy: IfPolicy) -> Settings {
        Settings {
            if_policy: policy,
            ..Settings::default()
        }
    }

    #[test]
    fn described_for_docs() {
        assert_eq!(
            describe(&kvm_not_xen(), false),
            "`CONFIG_KVM` and not (`CONFIG_XEN` or `CONFIG_WHPX`)"
        );
    }

    #[test]
    fn evaluated_with_enabled_names() {
        let mut s = settings(IfPolicy::Evaluate);
        s.enable = vec!["CONFIG_KVM".into()];
        let policy = CondPolicy::new(&s).unwrap();
        assert!(policy.keeps(Some(&kvm_not_xen())));
        s.enable.push("CONFIG_WHPX".into());
        let policy = CondPolicy::new(&s).unwrap();
        assert!(!policy.keeps(Some(&kvm_not_xen())));
        assert!(policy.keeps(None));
    }

    #[test]
    fn cfg_predicates_fold_unmapped_names() {
        let mut s = settings(IfPolicy::Cfg);
        s.cfg = vec![("CONFIG_KVM".into(), "feature = \"kvm\"".into())];
        let policy = CondPolicy::new(&s).unwrap();
        // XEN and WHPX unmapped: false, so `not any(..)` is true.
        let attr = policy.gate(Some(&kvm_not_xen())).attr();
        assert_eq!(attr.as_deref(), Some(r#"#[cfg(feature = "kvm")]"#));
        assert!(!policy.keeps(Some(&name("CONFIG_XEN"))));
        let gate = policy.gate(Some(&Cond::Not(Box::new(name("CONFIG_XEN")))));
        assert!(!matches!(gate, Gate::Drop));
        assert!(gate.attr().is_none());
        s.cfg.push(("CONFIG_XEN".into(), "xen".into()));
        let policy = CondPolicy::new(&s).unwrap();
        let attr = policy.gate(Some(&kvm_not_xen())).attr();
        assert_eq!(
            attr.as_deref(),
            Some(r#"#[cfg(all(feature = "kvm", not(xen)))]"#)
        );
    }

    #[test]
    fn bad_predicate_rejected() {
        let mut s = settings(IfPolicy::Cfg);
        s.cfg = vec![("X".into(), "feature = ".into())];
        assert!(CondPolicy::new(&s).is_err());
    }
}
