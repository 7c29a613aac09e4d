//! Generated code as text.
//!
//! The emitter writes Rust source directly, as prost-build does: each
//! piece is a [`code!`] template filled with its parts (`#name` in the
//! template stands for the argument `name`), and [`layout`] then gives the
//! whole file the layout rustfmt would: every line indented four spaces
//! per open block, blank lines dropped (so that empty parts leave no
//! trace).

use std::fmt::{self, Display, Write};

/// Fill a template: `code!("impl #rt::Enum for #name {", rt, name = ident)`.
/// A `#` not followed by a letter or `_` (attributes: `#[..]`) is kept.
macro_rules! code {
    ($template:literal $(, $name:ident $(= $value:expr)?)* $(,)?) => {
        $crate::rust::code::fill(
            $template,
            &[$((stringify!($name), &code!(@value $name $(= $value)?) as &dyn ::std::fmt::Display)),*],
        )
    };
    (@value $name:ident) => { $name };
    (@value $name:ident = $value:expr) => { $value };
}
pub(crate) use code;

pub(crate) fn fill(template: &str, args: &[(&str, &dyn Display)]) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(at) = rest.find('#') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let len = after
            .bytes()
            .position(|b| !(b.is_ascii_alphanumeric() || b == b'_'))
            .unwrap_or(after.len());
        let name = &after[..len];
        match args.iter().find(|(n, _)| *n == name) {
            Some((_, value)) if !name.is_empty() => {
                let _ = write!(out, "{value}");
                rest = &after[len..];
            }
            _ => {
                debug_assert!(name.is_empty(), "no value for #{name} in the template");
                out.push('#');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A string literal for `text`.
pub(crate) fn lit(text: &str) -> String {
    format!("{text:?}")
}

/// String literals for `texts`.
pub(crate) fn lits(texts: &[String]) -> Vec<String> {
    texts.iter().map(|t| lit(t)).collect()
}

/// Parts on their own lines.
pub(crate) struct Lines<'a, T>(pub &'a [T]);

impl<T: Display> Display for Lines<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        for item in self.0 {
            writeln!(f, "{item}")?;
        }
        Ok(())
    }
}

/// `&[a, b, c]`-style contents: on one line when short, else one per line.
pub(crate) struct List<'a, T>(pub &'a [T]);

impl<T: Display> Display for List<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let items: Vec<String> = self.0.iter().map(|i| i.to_string()).collect();
        let len: usize = items.iter().map(|i| i.trim().len() + 2).sum();
        if len <= 40 && items.iter().all(|i| !i.contains('\n')) {
            for (n, item) in items.iter().enumerate() {
                if n > 0 {
                    f.write_str(", ")?;
                }
                f.write_str(item.trim())?;
            }
            Ok(())
        } else {
            for item in &items {
                writeln!(f)?;
                f.write_str(item)?;
                f.write_str(",")?;
            }
            writeln!(f)
        }
    }
}

/// `text` indented by block depth, without blank lines, ending in a newline.
///
/// The depth is counted from `{`, `(` and `[` outside string literals and
/// comments; several opened on one line (`Some(match x {`) indent the next
/// lines once; a line starting with closers is indented as its opener's.
pub(crate) fn layout(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    // For each open delimiter, whether it adds an indent level.
    let mut open: Vec<bool> = Vec::new();
    for line in text.split('\n') {
        let line = line.trim_ascii();
        if line.is_empty() {
            continue;
        }
        let closers = line
            .bytes()
            .take_while(|b| matches!(b, b'}' | b')' | b']'))
            .count();
        for _ in 0..closers {
            open.pop();
        }
        let depth = open.iter().filter(|&&counts| counts).count();
        for _ in 0..depth {
            out.push_str("    ");
        }
        out.push_str(line);
        out.push('\n');
        if line.starts_with("//") {
            continue;
        }
        let before = open.len();
        let mut in_string = false;
        let mut escaped = false;
        for b in line.bytes().skip(closers) {
            if in_string {
                match b {
                    _ if escaped => escaped = false,
                    b'\\' => escaped = true,
                    b'"' => in_string = false,
                    _ => {}
                }
                continue;
            }
            match b {
                b'"' => in_string = true,
                b'{' | b'(' | b'[' => open.push(false),
                b'}' | b')' | b']' => {
                    open.pop();
                }
                _ => {}
            }
        }
        if open.len() > before {
            if let Some(last) = open.last_mut() {
                *last = true;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_placeholders_and_keeps_attributes() {
        let name = "Foo";
        let text = code!("#[derive(Debug)] struct #name(#ty); // #", name, ty = "u8");
        assert_eq!(text, "#[derive(Debug)] struct Foo(u8); // #");
    }

    #[test]
    fn layout_indents_blocks_once_per_line() {
        let text = "fn f() {\n  Some(match x {\n\n A => \"{\",\n})\n}\n";
        assert_eq!(
            layout(text),
            "fn f() {\n    Some(match x {\n        A => \"{\",\n    })\n}\n"
        );
    }
}
