//! Rust identifiers for QAPI names: `UpperCamelCase` for types and
//! variants, `snake_case` for members, raw identifiers for keywords, and
//! names that are not identifiers made valid without collisions.

use std::collections::HashSet;

use proc_macro2::{Ident, Span};

const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
    "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

/// Keywords that cannot be raw identifiers.
const NOT_RAW: &[&str] = &["crate", "self", "Self", "super"];

/// Names the generated code uses from the prelude (and `Self`): schema
/// types never take them.
pub(crate) const RESERVED_TYPES: &[&str] = &[
    "Option", "Some", "None", "Result", "Ok", "Err", "String", "Vec", "Box", "Self",
];

/// The words of a wire name: split at every character that is not a
/// letter or digit, and where a lower-case letter is followed by an
/// upper-case one (`blockdevAdd`).
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        word.push(c);
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// `query-status` → `QueryStatus`, `BLOCK_IO_ERROR` → `BlockIoError`,
/// `x86_64` → `X86_64`, `2_5` → `_2_5`.
pub(crate) fn camel(name: &str) -> String {
    let mut out = String::new();
    for word in words(name) {
        // Digits on both sides of a boundary would run together.
        let digit_boundary = out.ends_with(|c: char| c.is_ascii_digit())
            && word.starts_with(|c: char| c.is_ascii_digit());
        if digit_boundary {
            out.push('_');
        }
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars.map(|c| c.to_ascii_lowercase()));
        }
    }
    finish_ident(out, "Value")
}

/// `tray-open` → `tray_open`, `rd_bytes` → `rd_bytes`, `type` → `r#type`
/// (as text: `type`; [`ident`] makes it raw).
pub(crate) fn snake(name: &str) -> String {
    let words: Vec<String> = words(name).iter().map(|w| w.to_ascii_lowercase()).collect();
    finish_ident(words.join("_"), "value")
}

/// Make `text` a valid identifier: an underscore before a leading digit, a
/// placeholder for an empty name.
fn finish_ident(text: String, empty: &str) -> String {
    if text.is_empty() {
        return empty.to_string();
    }
    if text.starts_with(|c: char| c.is_ascii_digit()) {
        return format!("_{text}");
    }
    text
}

/// Whether `name` can be used as is for a type (after keyword handling).
pub(crate) fn is_plain_type_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_alphanumeric())
}

/// A type name: the schema name when it is a plain CamelCase identifier,
/// otherwise its [`camel`] form (`__org.qemu_x-Struct` → `OrgQemuXStruct`).
pub(crate) fn type_name(name: &str) -> String {
    if is_plain_type_name(name) {
        name.to_string()
    } else {
        camel(name)
    }
}

/// The identifier for `text`: raw for keywords, `_` appended to those
/// that cannot be raw.
pub(crate) fn ident(text: &str) -> Ident {
    if NOT_RAW.contains(&text) {
        Ident::new(&format!("{text}_"), Span::call_site())
    } else if KEYWORDS.contains(&text) {
        Ident::new_raw(text, Span::call_site())
    } else {
        Ident::new(text, Span::call_site())
    }
}

/// Names taken in one scope; later claims of a taken name get a number.
#[derive(Default)]
pub(crate) struct Scope {
    taken: HashSet<String>,
}

impl Scope {
    pub(crate) fn with_reserved(reserved: &[&str]) -> Scope {
        Scope {
            taken: reserved.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// `base`, or `base2`, `base3`... (`base_2` for snake-case names) when
    /// taken.
    pub(crate) fn claim(&mut self, base: String) -> String {
        let snake = base.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
            && !base.contains(|c: char| c.is_ascii_uppercase());
        let mut name = base.clone();
        let mut n = 2;
        while self.taken.contains(&name) {
            // A digit after a digit would run together.
            name = if snake || base.ends_with(|c: char| c.is_ascii_digit()) {
                format!("{base}_{n}")
            } else {
                format!("{base}{n}")
            };
            n += 1;
        }
        self.taken.insert(name.clone());
        name
    }

    pub(crate) fn is_taken(&self, name: &str) -> bool {
        self.taken.contains(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_case() {
        assert_eq!(camel("query-status"), "QueryStatus");
        assert_eq!(camel("x-query-usb"), "XQueryUsb");
        assert_eq!(camel("system_reset"), "SystemReset");
        assert_eq!(camel("BLOCK_IO_ERROR"), "BlockIoError");
        assert_eq!(camel("x86_64"), "X86_64");
        assert_eq!(camel("2_5"), "_2_5");
        assert_eq!(camel("144"), "_144");
        assert_eq!(camel("4k"), "_4k");
        assert_eq!(camel("DIMM"), "Dimm");
        assert_eq!(camel("qcow2"), "Qcow2");
        assert_eq!(camel("blockdevAdd"), "BlockdevAdd");
        assert_eq!(camel("__org.qemu_x-Struct"), "OrgQemuXStruct");
        assert_eq!(camel("-"), "Value");
    }

    #[test]
    fn snake_case() {
        assert_eq!(snake("tray-open"), "tray_open");
        assert_eq!(snake("rd_bytes"), "rd_bytes");
        assert_eq!(snake("cpu-index"), "cpu_index");
        assert_eq!(snake("zeroInit"), "zero_init");
        assert_eq!(snake("8021q"), "_8021q");
        assert_eq!(ident(&snake("type")).to_string(), "r#type");
        assert_eq!(ident(&snake("self")).to_string(), "self_");
    }

    #[test]
    fn type_names() {
        assert_eq!(type_name("BlockdevOptions"), "BlockdevOptions");
        assert_eq!(type_name("ACPIOSTInfo"), "ACPIOSTInfo");
        assert_eq!(type_name("__com.redhat_Thing"), "ComRedhatThing");
    }

    #[test]
    fn collisions_numbered() {
        let mut scope = Scope::with_reserved(&["Option"]);
        assert_eq!(scope.claim("Option".into()), "Option2");
        assert_eq!(scope.claim("foo_bar".into()), "foo_bar");
        assert_eq!(scope.claim("foo_bar".into()), "foo_bar_2");
        assert_eq!(scope.claim("X86_64".into()), "X86_64");
        assert_eq!(scope.claim("X86_64".into()), "X86_64_2");
    }
}
