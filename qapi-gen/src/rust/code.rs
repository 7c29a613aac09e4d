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
/// A placeholder without a value is a compile error ([`check`]).
macro_rules! code {
    ($template:literal $(, $name:ident $(= $value:expr)?)* $(,)?) => {{
        const _: () = $crate::rust::code::check($template, &[$(stringify!($name)),*]);
        $crate::rust::code::fill(
            $template,
            &[$((stringify!($name), &code!(@value $name $(= $value)?) as &dyn ::std::fmt::Display)),*],
        )
    }};
    (@value $name:ident) => { $name };
    (@value $name:ident = $value:expr) => { $value };
}
pub(crate) use code;

/// Panics (at compile time: [`code!`] calls it in a `const`) when
/// `template` has a placeholder that is not one of `names`.
pub(crate) const fn check(template: &str, names: &[&str]) {
    let bytes = template.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] != b'#' {
            at += 1;
            continue;
        }
        let start = at + 1;
        let mut end = start;
        while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_') {
            end += 1;
        }
        if end > start && !is_name(bytes, start, end, names) {
            panic!("a placeholder of the template has no value");
        }
        at = if end > start { end } else { start };
    }
}

const fn is_name(bytes: &[u8], start: usize, end: usize, names: &[&str]) -> bool {
    let mut n = 0;
    while n < names.len() {
        let name = names[n].as_bytes();
        if name.len() == end - start {
            let mut i = 0;
            while i < name.len() && name[i] == bytes[start + i] {
                i += 1;
            }
            if i == name.len() {
                return true;
            }
        }
        n += 1;
    }
    false
}

pub(crate) fn fill(template: &str, args: &[(&str, &dyn Display)]) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    // Byte searches: `str::find` and `split` with a `char` cost a call to
    // `memcmp` per match, and placeholders and lines are short.
    while let Some(at) = rest.bytes().position(|b| b == b'#') {
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
            // Not a placeholder (`#[..]`): `check` ruled out unknown names.
            _ => {
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

/// String literals for `texts`, separated by commas.
pub(crate) fn lits(texts: &[String]) -> String {
    let literals: Vec<String> = texts.iter().map(|t| lit(t)).collect();
    literals.join(", ")
}

/// An optional part of a template (an attribute, docs): nothing when
/// absent.
pub(crate) struct Opt<'a>(pub &'a Option<String>);

impl Display for Opt<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self.0 {
            Some(text) => f.write_str(text),
            None => Ok(()),
        }
    }
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

/// `text` indented by block depth, without blank lines, each line ending
/// in a newline, appended to `out`.
///
/// The depth is counted from `{`, `(` and `[` outside string literals and
/// comments, and from a `<` ending a line; several opened on one line
/// (`Some(match x {`) indent the next lines once; a line starting with
/// closers (`>` too) is indented as its opener's, one starting with `.`
/// (a method chain's call) once more than the chain.
pub(crate) fn layout(text: &str, out: &mut String) {
    const SPACES: &str = "                                ";
    out.reserve(text.len() * 5 / 4);
    // For each open delimiter, whether it adds an indent level; `depth`
    // counts those that do.
    let mut open: Vec<bool> = Vec::new();
    let mut depth = 0;
    let close = |open: &mut Vec<bool>, depth: &mut usize| {
        if open.pop() == Some(true) {
            *depth -= 1;
        }
    };
    for line in byte_lines(text) {
        let line = line.trim_ascii();
        if line.is_empty() {
            continue;
        }
        let bytes = line.as_bytes();
        let closers = bytes
            .iter()
            .take_while(|b| matches!(b, b'}' | b')' | b']' | b'>'))
            .count();
        for _ in 0..closers {
            close(&mut open, &mut depth);
        }
        // A method chain broken over lines: its calls indented once more.
        let continuation = usize::from(line.starts_with('.'));
        let mut indent = (depth + continuation) * 4;
        while indent > 0 {
            let n = indent.min(SPACES.len());
            out.push_str(&SPACES[..n]);
            indent -= n;
        }
        out.push_str(line);
        out.push('\n');
        if line.starts_with("//") {
            continue;
        }
        let before = open.len();
        let mut at = closers;
        while at < bytes.len() {
            // Most bytes are neither delimiters nor quotes.
            if !DELIMITER_OR_QUOTE[usize::from(bytes[at])] {
                at += 1;
                continue;
            }
            match bytes[at] {
                b'"' => {
                    at += 1;
                    while at < bytes.len() && bytes[at] != b'"' {
                        at += if bytes[at] == b'\\' { 2 } else { 1 };
                    }
                }
                b'{' | b'(' | b'[' => open.push(false),
                _ => close(&mut open, &mut depth),
            }
            at += 1;
        }
        // Generic arguments broken over lines (`Future<` .. `> + Send`).
        if line.ends_with('<') {
            open.push(false);
        }
        if open.len() > before {
            if let Some(last) = open.last_mut() {
                *last = true;
                depth += 1;
            }
        }
    }
}

/// The lines of `text`, found by a byte search (see [`fill`]).
fn byte_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let text = rest?;
        match text.bytes().position(|b| b == b'\n') {
            Some(end) => {
                rest = Some(&text[end + 1..]);
                Some(&text[..end])
            }
            None => {
                rest = None;
                Some(text)
            }
        }
    })
}

/// The bytes [`layout`] looks at: `"`, `{`, `}`, `(`, `)`, `[`, `]`.
static DELIMITER_OR_QUOTE: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    let bytes = b"\"{}()[]";
    while i < bytes.len() {
        table[bytes[i] as usize] = true;
        i += 1;
    }
    table
};

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
        let mut out = String::from("// header\n");
        layout(text, &mut out);
        assert_eq!(
            out,
            "// header\nfn f() {\n    Some(match x {\n        A => \"{\",\n    })\n}\n"
        );
    }

    #[test]
    fn layout_skips_strings_and_indents_deeply() {
        let text = format!(
            "{}\nlet s = \"(\\\"{{\";\n{}\n",
            "f(".repeat(10),
            ")".repeat(10)
        );
        let mut out = String::new();
        layout(&text, &mut out);
        let expected = format!(
            "{}\n{}let s = \"(\\\"{{\";\n{}\n",
            "f(".repeat(10),
            " ".repeat(4),
            ")".repeat(10)
        );
        assert_eq!(out, expected);
        let nested = "a {\nb {\nc {\nd {\ne {\nf {\ng {\nh {\ni {\nx\n}\n}\n}\n}\n}\n}\n}\n}\n}\n";
        let mut out = String::new();
        layout(nested, &mut out);
        assert!(out.contains(&format!("\n{}x\n", " ".repeat(36))), "{out}");
    }
}
