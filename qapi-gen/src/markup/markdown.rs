//! Blocks and inline elements as CommonMark, safe for rustdoc.

use super::*;

/// Escape text so that CommonMark (and rustdoc) shows it literally.
pub(crate) fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if "\\`*_[]<>#|~&!".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Keep a paragraph's first characters from starting a list, heading
/// or thematic break.
pub(super) fn escape_line_start(line: String) -> String {
    if line.starts_with(['-', '+', '=']) {
        return format!("\\{line}");
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    // An ordered list marker: digits, `.` or `)`, then a space or the end.
    let after = &line[digits..];
    let marker = after.starts_with(['.', ')'])
        && after[1..].chars().next().map_or(true, char::is_whitespace);
    if digits > 0 && marker {
        return format!("{}\\{}", &line[..digits], &line[digits..]);
    }
    line
}

/// A code span holding `code`: a backquote fence longer than any run in it.
pub(crate) fn code_span(code: &str) -> String {
    let fence = "`".repeat(longest_run(code, '`') + 1);
    let pad = if code.starts_with('`') || code.ends_with('`') || code.trim().is_empty() {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{code}{pad}{fence}")
}

fn longest_run(text: &str, c: char) -> usize {
    let (mut longest, mut run) = (0, 0);
    for ch in text.chars() {
        run = if ch == c { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

fn fenced(lang: &str, text: &str) -> String {
    let fence = "`".repeat(longest_run(text, '`').max(2) + 1);
    format!("{fence}{lang}\n{text}\n{fence}")
}

/// A fence language rustdoc will not compile.
fn markdown_lang(lang: Option<&str>) -> &str {
    const RUSTDOC_WORDS: [&str; 7] = [
        "rust",
        "ignore",
        "no_run",
        "should_panic",
        "compile_fail",
        "test_harness",
        "edition",
    ];
    match lang {
        Some(lang)
            if lang.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !lang.is_empty()
                && !RUSTDOC_WORDS.iter().any(|w| lang.starts_with(w)) =>
        {
            lang
        }
        _ => "text",
    }
}

/// Prefix the first line of `text` with `first` and the others with
/// `rest` (blank lines stay blank).
fn prefix_lines(text: &str, first: &str, rest: &str) -> String {
    let mut out = String::new();
    for (n, line) in text.split('\n').enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let prefix = if n == 0 { first } else { rest };
        if line.is_empty() {
            out.push_str(prefix.trim_end());
        } else {
            out.push_str(prefix);
            out.push_str(line);
        }
    }
    out
}

/// Render blocks as Markdown, separated by blank lines.
pub(crate) fn blocks_markdown(blocks: &[Block], resolve: &Resolve) -> String {
    blocks
        .iter()
        .map(|block| block_markdown(block, resolve))
        .filter(|text| !text.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn block_markdown(block: &Block, resolve: &Resolve) -> String {
    match block {
        Block::Paragraph(content) => escape_line_start(inlines_markdown(content, resolve)),
        Block::Heading { level, content } => format!(
            "{} {}",
            "#".repeat((*level).clamp(1, 6)),
            inlines_markdown(content, resolve)
        ),
        Block::List { start, items } => items
            .iter()
            .enumerate()
            .map(|(n, item)| {
                let marker = match start {
                    None => "- ".to_string(),
                    Some(first) => format!("{}. ", *first as usize + n),
                };
                let body = blocks_markdown(item, resolve);
                prefix_lines(&body, &marker, &" ".repeat(marker.len()))
            })
            .collect::<Vec<_>>()
            .join("\n"),
        Block::Definitions(items) => items
            .iter()
            .map(|(term, body)| {
                let mut item = inlines_markdown(term, resolve);
                let body = blocks_markdown(body, resolve);
                if !body.is_empty() {
                    item.push_str("\n\n");
                    item.push_str(&body);
                }
                prefix_lines(&item, "- ", "  ")
            })
            .collect::<Vec<_>>()
            .join("\n"),
        Block::Quote(body) => prefix_lines(&blocks_markdown(body, resolve), "> ", "> "),
        Block::Literal { lang, text } => fenced(markdown_lang(lang.as_deref()), text),
        Block::Qmp(messages) => {
            let text: Vec<&str> = messages.iter().map(|m| m.text.as_str()).collect();
            fenced("text", &text.join("\n"))
        }
        Block::Admonition { title, body, .. } => {
            let mut text = format!("**{}**", inlines_markdown(title, resolve));
            let body = blocks_markdown(body, resolve);
            if !body.is_empty() {
                text.push_str("\n\n");
                text.push_str(&body);
            }
            prefix_lines(&text, "> ", "> ")
        }
        Block::Example { title, body } => {
            let mut text = "**Example".to_string();
            if let Some(title) = title {
                text.push_str(": ");
                text.push_str(&inlines_markdown(title, resolve));
            }
            text.push_str("**");
            let body = blocks_markdown(body, resolve);
            if !body.is_empty() {
                text.push_str("\n\n");
                text.push_str(&body);
            }
            text
        }
        Block::Table { title, head, rows } => {
            let width = head
                .iter()
                .chain(rows)
                .map(Vec::len)
                .max()
                .unwrap_or(0)
                .max(1);
            let row_text = |row: &[Vec<Inline>]| {
                let mut line = "|".to_string();
                for k in 0..width {
                    let cell = row.get(k).map(|c| inlines_markdown(c, resolve));
                    line.push(' ');
                    line.push_str(&cell.unwrap_or_default().replace('\n', " "));
                    line.push_str(" |");
                }
                line
            };
            let mut lines = Vec::new();
            if let Some(title) = title {
                lines.push(format!("**{}**\n", inlines_markdown(title, resolve)));
            }
            lines.push(row_text(head.first().map_or(&[], Vec::as_slice)));
            lines.push(format!("|{}", " --- |".repeat(width)));
            for row in head.iter().skip(1).chain(rows) {
                lines.push(row_text(row));
            }
            lines.join("\n")
        }
    }
}

/// Render inline elements as Markdown (one line).
pub(crate) fn inlines_markdown(inlines: &[Inline], resolve: &Resolve) -> String {
    let mut out = String::new();
    for inline in inlines {
        match inline {
            Inline::Text(text) => out.push_str(&escape_markdown(text)),
            Inline::Literal(code) => out.push_str(&code_span(code)),
            Inline::Emphasis(text) => out.push_str(&format!("*{}*", escape_markdown(text))),
            Inline::Strong(text) => out.push_str(&format!("**{}**", escape_markdown(text))),
            Inline::Ref(name) => match resolve(name) {
                // rustdoc resolves `[`Name`]` itself and flags the
                // redundant `[`Name`](Name)`.
                Some(target) if target == *name => out.push_str(&format!("[{}]", code_span(name))),
                Some(target) => {
                    out.push_str(&format!("[{}]({})", code_span(name), markdown_url(&target)))
                }
                None => out.push_str(&code_span(name)),
            },
            Inline::TitledRef { title, target } => match resolve(target) {
                Some(url) => {
                    out.push_str(&format!("[{}]({})", code_span(title), markdown_url(&url)))
                }
                None => out.push_str(&code_span(title)),
            },
            Inline::Url { text, url } if text == url => {
                out.push_str(&format!("<{}>", url.replace('>', "%3E")))
            }
            Inline::Url { text, url } => out.push_str(&format!(
                "[{}]({})",
                escape_markdown(text),
                markdown_url(url)
            )),
            Inline::Cite(text) => out.push_str(&format!("*{}*", escape_markdown(text))),
        }
    }
    out
}

/// A link destination CommonMark accepts whatever it contains.
fn markdown_url(url: &str) -> String {
    if url.contains([' ', '(', ')', '<', '>']) {
        format!("<{}>", url.replace('<', "%3C").replace('>', "%3E"))
    } else {
        url.to_string()
    }
}
