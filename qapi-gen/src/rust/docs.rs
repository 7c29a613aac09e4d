//! Rustdoc from schema documentation.
//!
//! QEMU writes its doc comments in reStructuredText; rustdoc reads
//! Markdown.  The conversion is deliberately small: `@name` references
//! become code spans, directives (`.. qmp-example::`, `.. table::`,
//! `.. code-block::`) and literal blocks (`::`) become ```` ```text ````
//! fences (never doctests), admonitions (`.. note::`) a labelled paragraph,
//! list items keep exactly the indentation Markdown needs, and any other
//! indentation is dropped so that nothing turns into an indented (Rust!)
//! code block.  `[`, `]`, `<` and `>` outside code are escaped so that
//! rustdoc sees no links or HTML.

use crate::parse::doc::SectionKind;
use crate::parse::Doc;

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
pub(crate) fn member(doc: Option<&Doc>, name: &str) -> Option<String> {
    let section = doc?.args().find(|s| s.name.as_deref() == Some(name))?;
    if section.text.trim().is_empty() {
        return None;
    }
    Some(markdown_after_tag(&section.text))
}

/// The documentation of a definition: its body, features, the tagged and
/// plain sections in order (`Returns`, `Errors`, `Since`, examples).
pub(crate) fn item(doc: &Doc) -> String {
    let mut parts = vec![markdown(&doc.body().text)];
    let features: Vec<String> = doc
        .features()
        .map(|s| {
            let name = s.name.as_deref().unwrap_or("");
            list_item(&format!("`{name}`: "), &markdown_after_tag(&s.text))
        })
        .collect();
    if !features.is_empty() {
        parts.push(format!("Features:\n\n{}", features.join("\n")));
    }
    for section in doc.other_sections() {
        let part = match section.kind {
            SectionKind::Todo => continue,
            SectionKind::Returns | SectionKind::Errors | SectionKind::Since => {
                tagged(section.kind.name(), &markdown_after_tag(&section.text))
            }
            _ => markdown(&section.text),
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

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// Remove the common indentation; with `after_tag`, that of the
/// continuation lines only when the first line follows a `@name:` or a tag
/// on the same line (and so has no indentation of its own).
fn dedent(text: &str, after_tag: bool) -> Vec<String> {
    let lines: Vec<String> = text
        .replace('\t', "        ")
        .lines()
        .map(str::to_string)
        .collect();
    let first_indented = lines.first().is_some_and(|l| indent_of(l) > 0);
    let skip = if after_tag && !first_indented { 1 } else { 0 };
    let common = lines
        .iter()
        .skip(skip)
        .filter(|l| !l.trim().is_empty())
        .map(|l| indent_of(l))
        .min()
        .unwrap_or(0);
    lines
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            if i < skip || l.trim().is_empty() {
                l.trim_start().to_string()
            } else {
                l[common..].to_string()
            }
        })
        .collect()
}

/// The text of a member description or tagged section to Markdown.
pub(crate) fn markdown_after_tag(text: &str) -> String {
    convert_section(dedent(text, true))
}

/// rST section text to Markdown.
pub(crate) fn markdown(text: &str) -> String {
    convert_section(dedent(text, false))
}

fn convert_section(lines: Vec<String>) -> String {
    let mut out = Vec::new();
    convert(&lines, &mut out, 0);
    // No blank runs, no blank ends.
    let mut result: Vec<String> = Vec::new();
    for line in out {
        if line.is_empty() && result.last().map_or(true, |l: &String| l.is_empty()) {
            continue;
        }
        result.push(line);
    }
    while result.last().is_some_and(|l| l.is_empty()) {
        result.pop();
    }
    result.join("\n")
}

/// The block of lines after line `start` that are blank or indented more
/// than `indent`: its end (exclusive).
fn block_end(lines: &[String], start: usize, indent: usize) -> usize {
    let mut end = start;
    let mut last_content = start;
    while end < lines.len() {
        let line = &lines[end];
        if !line.trim().is_empty() {
            if indent_of(line) <= indent {
                break;
            }
            last_content = end + 1;
        }
        end += 1;
    }
    last_content.max(start)
}

/// Lines `lines[start..end]` without their common indentation and without
/// blank lines at either end.
fn block(lines: &[String], start: usize, end: usize) -> Vec<String> {
    let body = &lines[start..end];
    let common = body
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| indent_of(l))
        .min()
        .unwrap_or(0);
    let mut result: Vec<String> = body
        .iter()
        .map(|l| {
            if l.trim().is_empty() {
                String::new()
            } else {
                l[common..].trim_end().to_string()
            }
        })
        .collect();
    while result.first().is_some_and(|l| l.is_empty()) {
        result.remove(0);
    }
    while result.last().is_some_and(|l| l.is_empty()) {
        result.pop();
    }
    result
}

fn fence(out: &mut Vec<String>, content: &[String]) {
    out.push(String::new());
    out.push("```text".to_string());
    out.extend(content.iter().cloned());
    out.push("```".to_string());
    out.push(String::new());
}

const ADMONITIONS: &[&str] = &[
    "note",
    "caution",
    "warning",
    "important",
    "tip",
    "hint",
    "danger",
    "attention",
    "error",
    "seealso",
];

/// Convert `lines`; `depth` bounds the recursion into admonitions.
fn convert(lines: &[String], out: &mut Vec<String>, depth: usize) {
    // The content indentation of the list item being continued.
    let mut list_indent: Option<usize> = None;
    let mut after_blank = true;
    let mut i = 0;
    while i < lines.len() {
        let line = &lines[i];
        let trimmed = line.trim();
        let indent = indent_of(line);
        if trimmed.is_empty() {
            out.push(String::new());
            after_blank = true;
            i += 1;
            continue;
        }
        if let Some((name, argument)) = directive(trimmed) {
            let end = block_end(lines, i + 1, indent);
            let body = block(lines, i + 1, end);
            let (options, content): (Vec<String>, Vec<String>) = split_options(body);
            let title = options
                .iter()
                .find_map(|o| o.strip_prefix(":title:"))
                .map(|t| inline(t.trim()));
            out.push(String::new());
            match name {
                "qmp-example" => {
                    out.push(match title {
                        Some(title) => format!("Example: {title}"),
                        None => "Example:".to_string(),
                    });
                    fence(out, &content);
                }
                _ if ADMONITIONS.contains(&name) || name == "admonition" => {
                    let label = if name == "admonition" {
                        inline(argument)
                    } else {
                        let mut label = name.to_string();
                        label[..1].make_ascii_uppercase();
                        label
                    };
                    out.push(format!("**{label}:**"));
                    out.push(String::new());
                    // A note's first line may follow the `::`.
                    let mut content = content;
                    if name != "admonition" && !argument.is_empty() {
                        content.insert(0, argument.to_string());
                    }
                    if depth < 8 {
                        convert(&content, out, depth + 1);
                    }
                    out.push(String::new());
                }
                _ => {
                    if !argument.is_empty() {
                        out.push(inline(argument));
                    }
                    fence(out, &content);
                }
            }
            list_indent = None;
            after_blank = true;
            i = end;
            continue;
        }
        // A literal block: a paragraph ending in `::`, then indented lines.
        if let Some(before) = trimmed.strip_suffix("::") {
            let end = block_end(lines, i + 1, indent);
            let content = block(lines, i + 1, end);
            if !content.is_empty() {
                let before = before.trim_end();
                if !before.is_empty() {
                    out.push(format!("{}:", inline(before)));
                }
                fence(out, &content);
                list_indent = None;
                after_blank = true;
                i = end;
                continue;
            }
        }
        if let Some((marker, rest)) = list_marker(trimmed) {
            let marker = if marker == "#." { "1." } else { marker };
            out.push(format!("{marker} {}", inline(rest)));
            list_indent = Some(marker.len() + 1);
        } else if let Some(content) = list_indent.filter(|_| !after_blank || indent > 0) {
            out.push(format!("{}{}", " ".repeat(content), inline(trimmed)));
        } else {
            list_indent = None;
            let text = inline(trimmed);
            // A leading `#` would make a heading.
            if text.starts_with('#') {
                out.push(format!("\\{text}"));
            } else {
                out.push(text);
            }
        }
        after_blank = false;
        i += 1;
    }
}

/// `.. name:: argument`
fn directive(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix(".. ")?;
    let (name, argument) = rest.split_once("::")?;
    let name = name.trim();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return None;
    }
    Some((name, argument.trim()))
}

/// Directive options (`:title: ...`) at the start of its body, and the rest.
fn split_options(body: Vec<String>) -> (Vec<String>, Vec<String>) {
    let count = body
        .iter()
        .take_while(|l| l.starts_with(':') && l[1..].contains(':'))
        .count();
    let mut options = body;
    let content = options.split_off(count);
    let content = block(&content, 0, content.len());
    (options, content)
}

/// `- item`, `* item`, `1. item`, `#. item`: the marker and the text.
fn list_marker(line: &str) -> Option<(&str, &str)> {
    for bullet in ["- ", "* ", "+ ", "#. "] {
        if let Some(rest) = line.strip_prefix(bullet) {
            return Some((bullet.trim_end(), rest.trim_start()));
        }
    }
    let digits = line.chars().take_while(|c| c.is_ascii_digit()).count();
    if digits > 0
        && digits < 4
        && (line[digits..].starts_with(". ") || line[digits..].starts_with(") "))
    {
        return Some((&line[..digits + 1], line[digits + 2..].trim_start()));
    }
    None
}

/// Inline markup of one line: `@name` to a code span, rST roles
/// (`:ref:`x``) to code spans, Markdown's link and HTML characters escaped
/// outside code spans.
fn inline(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '`' {
            // Copy a code span (any run of backticks up to the same run).
            let run = chars[i..].iter().take_while(|&&c| c == '`').count();
            let close = (i + run..chars.len()).find(|&j| {
                chars[j..].iter().take_while(|&&c| c == '`').count() == run
                    && (j == 0 || chars[j - 1] != '`')
            });
            match close {
                Some(j) => {
                    out.extend(&chars[i..j + run]);
                    i = j + run;
                }
                None => {
                    out.push_str("\\`");
                    i += 1;
                }
            }
            continue;
        }
        if c == ':' {
            // `:role:`text`` → `text`
            let role = chars[i + 1..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || **c == '-' || **c == ':')
                .count();
            let role_end = i + 1 + role;
            if role > 0 && chars[role_end - 1] == ':' && chars.get(role_end) == Some(&'`') {
                i = role_end;
                continue;
            }
        }
        if c == '@' && (i == 0 || !chars[i - 1].is_ascii_alphanumeric()) {
            let name = chars[i + 1..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || **c == '-' || **c == '_' || **c == '.')
                .count();
            let mut end = i + 1 + name;
            // A sentence's full stop is not part of the name.
            while end > i + 1 && chars[end - 1] == '.' {
                end -= 1;
            }
            if end > i + 1 {
                out.push('`');
                out.extend(&chars[i + 1..end]);
                out.push('`');
                i = end;
                continue;
            }
        }
        if matches!(c, '[' | ']' | '<' | '>') {
            out.push('\\');
        }
        out.push(c);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_become_code() {
        assert_eq!(
            markdown("a list of @BlockInfo describing @device."),
            "a list of `BlockInfo` describing `device`."
        );
        assert_eq!(markdown("mail me@example.org"), "mail me@example.org");
        assert_eq!(markdown("see :ref:`Foo bar`"), "see `Foo bar`");
    }

    #[test]
    fn link_and_html_characters_escaped_outside_code() {
        assert_eq!(markdown("a [b] <c> `[d]`"), "a \\[b\\] \\<c\\> `[d]`");
        assert_eq!(markdown("``x<y>``"), "``x<y>``");
    }

    #[test]
    fn continuation_lines_dedented() {
        assert_eq!(
            markdown_after_tag(
                "the node holding the backing image (default: as recorded\n    in the image)"
            ),
            "the node holding the backing image (default: as recorded\nin the image)"
        );
    }

    #[test]
    fn examples_fenced_as_text() {
        let text = ".. qmp-example::\n   :title: Stop\n\n    -> { \"execute\": \"stop\" }\n    <- { \"return\": {} }";
        assert_eq!(
            markdown(text),
            "Example: Stop\n\n```text\n-> { \"execute\": \"stop\" }\n<- { \"return\": {} }\n```"
        );
    }

    #[test]
    fn literal_blocks_fenced() {
        assert_eq!(
            markdown("For example::\n\n    foo bar\n\nafter"),
            "For example:\n\n```text\nfoo bar\n```\n\nafter"
        );
    }

    #[test]
    fn lists_keep_content_indentation() {
        assert_eq!(
            markdown("    - If @device is not valid,\n      DeviceNotFound\n    - else"),
            "- If `device` is not valid,\n  DeviceNotFound\n- else"
        );
        assert_eq!(markdown("#. one\n#. two"), "1. one\n1. two");
        assert_eq!(
            markdown("1) A type such as\n   'u8'.\n\n2) Another"),
            "1) A type such as\n   'u8'.\n\n2) Another"
        );
    }

    #[test]
    fn indented_text_never_a_code_block() {
        assert_eq!(markdown("text\n\n        indented"), "text\n\nindented");
    }

    #[test]
    fn admonitions_labelled() {
        assert_eq!(
            markdown("body\n\n.. note:: This is\n   a note.\n\nafter"),
            "body\n\n**Note:**\n\nThis is\na note.\n\nafter"
        );
    }

    #[test]
    fn doc_attributes_per_line() {
        assert_eq!(attrs("a\n\nb"), "/// a\n///\n/// b\n");
    }
}
