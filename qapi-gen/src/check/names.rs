//! The naming rules of QEMU's `expr.py`: what a valid name is, and the
//! case conventions of each kind of name.  Each check returns QEMU's
//! message on failure; `source` says what the name belongs to, as QEMU
//! words it (`'data' member 'foo'`, `command`, ...).
//!
//! Schema strings hold printable ASCII only (the parser rejects anything
//! else), so ASCII classification is exactly what QEMU's regular
//! expressions do.

use std::fmt::Display;

/// The stem of a valid name: the name without its optional downstream
/// prefix `__RFQDN_` and experimental prefix `x-` (in that order).  Letters
/// match in either case.  `None` if the name is not valid.
///
/// When the prefixes can be split off in more than one way, the first
/// split that leaves a valid stem wins, trying the downstream prefix
/// before none and `x-` before none, as QEMU's regular expression does.
pub(super) fn stem(name: &str) -> Option<&str> {
    let starts = [downstream_prefix_len(name), Some(0)];
    for start in starts.into_iter().flatten() {
        let rest = &name[start..];
        let experimental = rest
            .get(..2)
            .filter(|p| p.eq_ignore_ascii_case("x-"))
            .map(|_| &rest[2..]);
        for candidate in [experimental, Some(rest)].into_iter().flatten() {
            if is_stem(candidate) {
                return Some(candidate);
            }
        }
    }
    None
}

/// Length of a leading `__RFQDN_` (letters, digits, `.` and `-` between
/// `__` and `_`).
fn downstream_prefix_len(name: &str) -> Option<usize> {
    let rest = name.strip_prefix("__")?;
    let run = rest
        .bytes()
        .take_while(|&b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        .count();
    (run > 0 && rest.as_bytes().get(run) == Some(&b'_')).then_some(2 + run + 1)
}

/// A letter, then letters, digits, `_` and `-`.
fn is_stem(s: &str) -> bool {
    let mut bytes = s.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Whether QEMU's `c_name(name, protect=False)` starts with `prefix`:
/// there, every character other than an ASCII letter or digit is `_`.
pub(super) fn c_name_starts_with(name: &str, prefix: &str) -> bool {
    let mut chars = name.chars();
    prefix.chars().all(|p| {
        chars
            .next()
            .is_some_and(|c| p == if c.is_ascii_alphanumeric() { c } else { '_' })
    })
}

/// A valid name outside the `q_` namespace, which QEMU reserves for its
/// own C names (`q_empty`, `q_obj_*`, protected keywords).  Returns the
/// stem.
pub(super) fn check_name_str<'n>(name: &'n str, source: &dyn Display) -> Result<&'n str, String> {
    match stem(name) {
        Some(stem) if !c_name_starts_with(name, "q_") => Ok(stem),
        _ => Err(format!("{source} has an invalid name")),
    }
}

/// Event names: no lowercase and no `-` in the stem.
pub(super) fn check_name_upper(name: &str, source: &dyn Display) -> Result<(), String> {
    let stem = check_name_str(name, source)?;
    if stem.bytes().any(|b| b.is_ascii_lowercase() || b == b'-') {
        return Err(format!("name of {source} must not use lowercase or '-'"));
    }
    Ok(())
}

/// Command, member, value and feature names: no uppercase and no `_` in
/// the stem, unless permitted (pragma exceptions).
pub(super) fn check_name_lower(
    name: &str,
    source: &dyn Display,
    permit_upper: bool,
    permit_underscore: bool,
) -> Result<(), String> {
    let stem = check_name_str(name, source)?;
    if (!permit_upper && stem.bytes().any(|b| b.is_ascii_uppercase()))
        || (!permit_underscore && stem.contains('_'))
    {
        return Err(format!("name of {source} must not use uppercase or '_'"));
    }
    Ok(())
}

/// Type names: CamelCase, i.e. an uppercase letter first, letters and
/// digits only, and at least one lowercase letter after the first.
pub(super) fn check_name_camel(name: &str, source: &dyn Display) -> Result<(), String> {
    let stem = check_name_str(name, source)?;
    let bytes = stem.as_bytes();
    let camel = bytes[0].is_ascii_uppercase()
        && bytes.iter().all(|b| b.is_ascii_alphanumeric())
        && bytes[1..].iter().any(|b| b.is_ascii_lowercase());
    if !camel {
        return Err(format!("name of {source} must use CamelCase"));
    }
    Ok(())
}

/// A configuration symbol usable in an `if` condition.
pub(super) fn is_config_symbol(s: &str) -> bool {
    let mut bytes = s.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_uppercase())
        && bytes.all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems() {
        assert_eq!(stem("foo"), Some("foo"));
        assert_eq!(stem("x-foo"), Some("foo"));
        assert_eq!(stem("X-foo"), Some("foo"));
        assert_eq!(stem("__org.qemu_x-foo"), Some("foo"));
        assert_eq!(stem("__org.qemu_foo-bar_baz"), Some("foo-bar_baz"));
        // `x-` alone is a stem, not a prefix.
        assert_eq!(stem("x-"), Some("x-"));
        assert_eq!(stem("__a_x-"), Some("x-"));
        assert_eq!(stem("__a_"), None);
        assert_eq!(stem("_foo"), None);
        assert_eq!(stem("1foo"), None);
        assert_eq!(stem(""), None);
        assert_eq!(stem("a b"), None);
        assert_eq!(stem("not\\possible"), None);
    }

    #[test]
    fn q_namespace_is_reserved() {
        assert!(check_name_str("q-unix", &"m").is_err());
        assert!(check_name_str("q_unix", &"m").is_err());
        assert!(check_name_str("Q-unix", &"m").is_ok());
        assert!(check_name_str("qunix", &"m").is_ok());
    }

    #[test]
    fn c_name_prefixes() {
        assert!(c_name_starts_with("has-x", "has_"));
        assert!(c_name_starts_with("has_x", "has_"));
        assert!(c_name_starts_with("q.x", "q_"));
        assert!(!c_name_starts_with("hasx", "has_"));
        assert!(!c_name_starts_with("has", "has_"));
        assert!(!c_name_starts_with("Q-x", "q_"));
    }

    #[test]
    fn cases() {
        assert!(check_name_camel("Foo", &"s").is_ok());
        assert!(check_name_camel("FOO", &"s").is_err());
        assert!(check_name_camel("F", &"s").is_err());
        assert!(check_name_camel("foo", &"s").is_err());
        assert!(check_name_camel("Foo-bar", &"s").is_err());
        assert!(check_name_camel("__org.qemu_Foo", &"s").is_ok());
        assert!(check_name_upper("FOO_BAR", &"e").is_ok());
        assert!(check_name_upper("x-FOO", &"e").is_ok());
        assert!(check_name_upper("FOO-BAR", &"e").is_err());
        assert!(check_name_lower("foo-bar", &"m", false, false).is_ok());
        assert!(check_name_lower("foo_bar", &"m", false, false).is_err());
        assert!(check_name_lower("foo_bar", &"m", false, true).is_ok());
        assert!(check_name_lower("fooBar", &"m", false, true).is_err());
        assert!(check_name_lower("fooBar", &"m", true, false).is_ok());
    }

    #[test]
    fn config_symbols() {
        assert!(is_config_symbol("CONFIG_FOO2"));
        assert!(!is_config_symbol("config"));
        assert!(!is_config_symbol("_FOO"));
        assert!(!is_config_symbol(""));
        assert!(!is_config_symbol(" "));
    }
}
