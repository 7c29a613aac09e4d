//! Blocks and inline elements as HTML.

use super::*;

/// Escape text for HTML content and attribute values.
pub(crate) fn escape_html(text: &str) -> Cow<'_, str> {
    if !text.contains(['&', '<', '>', '"', '\'']) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Render blocks as HTML into `out`.
pub(crate) fn blocks_html(out: &mut String, blocks: &[Block], resolve: &Resolve) {
    for block in blocks {
        block_html(out, block, resolve);
    }
}

fn block_html(out: &mut String, block: &Block, resolve: &Resolve) {
    match block {
        Block::Paragraph(content) => {
            out.push_str("<p>");
            inlines_html(out, content, resolve);
            out.push_str("</p>\n");
        }
        Block::Heading { level, content } => {
            let level = (*level).clamp(1, 6);
            out.push_str(&format!("<h{level}>"));
            inlines_html(out, content, resolve);
            out.push_str(&format!("</h{level}>\n"));
        }
        Block::List { start, items } => {
            let tag = match start {
                None => "ul",
                Some(_) => "ol",
            };
            match start {
                Some(n) if *n != 1 => out.push_str(&format!("<ol start=\"{n}\">\n")),
                _ => out.push_str(&format!("<{tag}>\n")),
            }
            for item in items {
                out.push_str("<li>");
                match item.as_slice() {
                    // A one-paragraph item without <p>: a tight list.
                    [Block::Paragraph(content)] => inlines_html(out, content, resolve),
                    _ => blocks_html(out, item, resolve),
                }
                out.push_str("</li>\n");
            }
            out.push_str(&format!("</{tag}>\n"));
        }
        Block::Definitions(items) => {
            out.push_str("<dl class=\"rst\">\n");
            for (term, body) in items {
                out.push_str("<dt>");
                inlines_html(out, term, resolve);
                out.push_str("</dt>\n<dd>");
                blocks_html(out, body, resolve);
                out.push_str("</dd>\n");
            }
            out.push_str("</dl>\n");
        }
        Block::Quote(body) => {
            out.push_str("<blockquote>\n");
            blocks_html(out, body, resolve);
            out.push_str("</blockquote>\n");
        }
        Block::Literal { lang, text } => {
            match lang {
                Some(lang) => out.push_str(&format!(
                    "<pre class=\"literal\" data-lang=\"{}\">",
                    escape_html(lang)
                )),
                None => out.push_str("<pre class=\"literal\">"),
            }
            out.push_str(&escape_html(text));
            out.push_str("</pre>\n");
        }
        Block::Qmp(messages) => {
            out.push_str("<pre class=\"qmp\">");
            for (n, message) in messages.iter().enumerate() {
                if n > 0 {
                    out.push('\n');
                }
                let class = match message.direction {
                    Direction::Request => "qmp-request",
                    Direction::Reply => "qmp-reply",
                    Direction::Other => "qmp-other",
                };
                out.push_str(&format!("<span class=\"{class}\">"));
                out.push_str(&escape_html(&message.text));
                out.push_str("</span>");
            }
            out.push_str("</pre>\n");
        }
        Block::Admonition { kind, title, body } => {
            out.push_str(&format!(
                "<div class=\"admonition {}\">\n<p class=\"admonition-title\">",
                escape_html(kind)
            ));
            inlines_html(out, title, resolve);
            out.push_str("</p>\n");
            blocks_html(out, body, resolve);
            out.push_str("</div>\n");
        }
        Block::Example { title, body } => {
            out.push_str("<div class=\"example\">\n<p class=\"example-title\">Example");
            if let Some(title) = title {
                out.push_str(": ");
                inlines_html(out, title, resolve);
            }
            out.push_str("</p>\n");
            blocks_html(out, body, resolve);
            out.push_str("</div>\n");
        }
        Block::Table { title, head, rows } => {
            out.push_str("<table class=\"simple\">\n");
            if let Some(title) = title {
                out.push_str("<caption>");
                inlines_html(out, title, resolve);
                out.push_str("</caption>\n");
            }
            for (rows, cell) in [(head, "th"), (rows, "td")] {
                for row in rows {
                    out.push_str("<tr>");
                    for content in row {
                        out.push_str(&format!("<{cell}>"));
                        inlines_html(out, content, resolve);
                        out.push_str(&format!("</{cell}>"));
                    }
                    out.push_str("</tr>\n");
                }
            }
            out.push_str("</table>\n");
        }
    }
}

/// Render inline elements as HTML into `out`.
pub(crate) fn inlines_html(out: &mut String, inlines: &[Inline], resolve: &Resolve) {
    for inline in inlines {
        match inline {
            Inline::Text(text) => out.push_str(&escape_html(text)),
            Inline::Literal(code) => {
                out.push_str("<code>");
                out.push_str(&escape_html(code));
                out.push_str("</code>");
            }
            Inline::Emphasis(text) => {
                out.push_str("<em>");
                out.push_str(&escape_html(text));
                out.push_str("</em>");
            }
            Inline::Strong(text) => {
                out.push_str("<strong>");
                out.push_str(&escape_html(text));
                out.push_str("</strong>");
            }
            Inline::Ref(name) => ref_html(out, name, name, resolve),
            Inline::TitledRef { title, target } => ref_html(out, title, target, resolve),
            Inline::Url { text, url } => out.push_str(&format!(
                "<a class=\"external\" href=\"{}\">{}</a>",
                escape_html(url),
                escape_html(text)
            )),
            Inline::Cite(text) => {
                out.push_str("<cite>");
                out.push_str(&escape_html(text));
                out.push_str("</cite>");
            }
        }
    }
}

/// A reference to `target` shown as `title`: a link when it resolves.
fn ref_html(out: &mut String, title: &str, target: &str, resolve: &Resolve) {
    match resolve(target) {
        Some(href) => out.push_str(&format!(
            "<a class=\"ref\" href=\"{}\"><code>{}</code></a>",
            escape_html(&href),
            escape_html(title)
        )),
        None => {
            out.push_str("<code>");
            out.push_str(&escape_html(title));
            out.push_str("</code>");
        }
    }
}
