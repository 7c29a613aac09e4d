//! Rustdoc from schema documentation.
//!
//! QEMU writes its doc comments in reStructuredText; rustdoc reads
//! Markdown.  The conversion is the reference docs' own
//! ([`crate::markup::to_markdown`]): `@name` references become
//! intra-doc links to the generated item when there is one, examples and
//! literal blocks become fences that never run as doctests.

use crate::markup::{self, Resolve};
use crate::schema::doc::{Doc, Section, SectionKind};

/// `/// line` comments, one per line of `text`.
pub(crate) fn attrs(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.trim_matches('\n').lines() {
        if line.is_empty() {
            out.push_str("///\n");
        } else {
            out.push_str("/// ");
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// The text of the member (or enum value, or branch) description `name`.
pub(crate) fn member(doc: Option<&Doc>, name: &str, resolve: &Resolve) -> Option<String> {
    let section = doc?.args().find(|s| s.name.as_deref() == Some(name))?;
    if section.text.trim().is_empty() {
        return None;
    }
    Some(markdown(section, resolve))
}

/// The documentation of a definition: its body, features, the tagged and
/// plain sections in order (`Returns`, `Errors`, `Since`, examples).
pub(crate) fn item(doc: &Doc, resolve: &Resolve) -> String {
    let mut parts = vec![markdown(doc.body(), resolve)];
    let features: Vec<String> = doc
        .features()
        .map(|s| {
            let name = s.name.as_deref().unwrap_or("");
            list_item(&format!("`{name}`: "), &markdown(s, resolve))
        })
        .collect();
    if !features.is_empty() {
        parts.push(format!("Features:\n\n{}", features.join("\n")));
    }
    for section in doc.other_sections() {
        let part = match section.kind {
            SectionKind::Todo => continue,
            SectionKind::Returns | SectionKind::Errors | SectionKind::Since => {
                tagged(section.kind.name(), &markdown(section, resolve))
            }
            _ => markdown(section, resolve),
        };
        parts.push(part);
    }
    join_paragraphs(parts)
}

/// `Returns: text`, or `Returns:` and a blank line before a list or fence.
fn tagged(tag: &str, text: &str) -> String {
    let block_start = text.starts_with("- ") || text.starts_with("1. ") || text.starts_with("```");
    if block_start || text.is_empty() {
        format!("{tag}:\n\n{text}")
    } else {
        format!("{tag}: {text}")
    }
}

/// A Markdown list item with `prefix` before the first line of `text`
/// (Markdown).
fn list_item(prefix: &str, text: &str) -> String {
    let mut out = format!("- {prefix}");
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            out.push('\n');
            if !line.is_empty() {
                out.push_str("  ");
            }
        }
        out.push_str(line);
    }
    out
}

pub(crate) fn join_paragraphs(parts: Vec<String>) -> String {
    parts
        .into_iter()
        .map(|p| p.trim_matches('\n').to_string())
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// A doc section's text as Markdown.
fn markdown(section: &Section, resolve: &Resolve) -> String {
    markup::to_markdown(&markup::section_source(section), resolve)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Doc {
        let source = format!("##\n{text}\n##\n{{ 'command': 'x' }}\n");
        let parsed = crate::parse::parse_str("test.json", &source, &crate::parse::NoFiles)
            .unwrap_or_else(|e| panic!("{e}"));
        parsed.docs.into_iter().next().expect("one doc")
    }

    #[test]
    fn references_link_where_resolved() {
        let doc = doc("# @x:\n#\n# Returns a list of @BlockInfo describing @device.\n#\n# @device: the device\n#\n# Since: 1.0");
        let resolve = |name: &str| (name == "BlockInfo").then(|| "super::BlockInfo".to_string());
        let text = item(&doc, &resolve);
        assert!(
            text.contains("a list of [`BlockInfo`](super::BlockInfo) describing `device`."),
            "{text}"
        );
        assert!(text.ends_with("Since: 1.0"), "{text}");
        assert_eq!(
            member(Some(&doc), "device", &resolve).as_deref(),
            Some("the device")
        );
        assert_eq!(member(Some(&doc), "other", &resolve), None);
    }

    #[test]
    fn examples_fenced_as_text() {
        let doc = doc("# @x:\n#\n# .. qmp-example::\n#\n#     -> { \"execute\": \"x\" }\n#     <- { \"return\": {} }");
        let text = item(&doc, &|_| None);
        assert!(
            text.contains("```text\n-> { \"execute\": \"x\" }\n<- { \"return\": {} }\n```"),
            "{text}"
        );
    }

    #[test]
    fn doc_attributes_per_line() {
        assert_eq!(attrs("a\n\nb"), "/// a\n///\n/// b\n");
    }
}
