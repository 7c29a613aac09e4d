//! The markup parser: lines to blocks, paragraphs to inline elements.

use super::*;

/// Parse doc text into blocks.  Headings are headings only at the top
/// level.
pub(crate) fn parse(text: &str) -> Vec<Block> {
    let lines: Vec<String> = text.lines().map(expand_tabs).collect();
    parse_blocks(&lines, 0, true)
}

// ---------------------------------------------------------------------
// Block parsing.  Each nested container is dedented and parsed again, so
// every level sees its own content at column 0.

fn expand_tabs(line: &str) -> String {
    if !line.contains('\t') {
        return line.trim_end().to_string();
    }
    let mut out = String::new();
    let mut column = 0;
    for c in line.chars() {
        if c == '\t' {
            let next = (column / 8 + 1) * 8;
            out.push_str(&" ".repeat(next - column));
            column = next;
        } else {
            out.push(c);
            column += 1;
        }
    }
    out.trim_end().to_string()
}

pub(super) fn indent_of(line: &str) -> usize {
    line.chars().take_while(|&c| c == ' ').count()
}

fn is_blank(line: &str) -> bool {
    line.trim().is_empty()
}

/// Remove the common indentation of the non-blank lines.
pub(super) fn dedent<S: AsRef<str>>(lines: &[S]) -> Vec<String> {
    let common = lines
        .iter()
        .map(AsRef::as_ref)
        .filter(|l| !is_blank(l))
        .map(indent_of)
        .min()
        .unwrap_or(0);
    lines
        .iter()
        .map(|l| strip_indent(l.as_ref(), common))
        .collect()
}

/// Remove up to `n` leading spaces.
fn strip_indent(line: &str, n: usize) -> String {
    let spaces = indent_of(line).min(n);
    line[spaces..].to_string()
}

/// The end of the indented region starting at `from`: blank lines and
/// lines indented at least `min_indent`, trailing blank lines excluded.
fn indented_end(lines: &[String], from: usize, min_indent: usize) -> usize {
    let mut end = from;
    let mut i = from;
    while i < lines.len() {
        if is_blank(&lines[i]) {
            i += 1;
            continue;
        }
        if indent_of(&lines[i]) < min_indent {
            break;
        }
        i += 1;
        end = i;
    }
    end
}

fn trim_blank_lines(lines: &[String]) -> &[String] {
    let start = lines
        .iter()
        .position(|l| !is_blank(l))
        .unwrap_or(lines.len());
    let end = lines
        .iter()
        .rposition(|l| !is_blank(l))
        .map_or(start, |e| e + 1);
    &lines[start..end]
}

fn parse_blocks(lines: &[String], depth: usize, top_level: bool) -> Vec<Block> {
    if depth > MAX_DEPTH {
        let text = trim_blank_lines(lines).join("\n");
        return vec![Block::Literal { lang: None, text }];
    }
    let mut blocks = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = &lines[i];
        if is_blank(line) {
            i += 1;
            continue;
        }
        if indent_of(line) > 0 {
            let end = indented_end(lines, i, 1);
            let inner = parse_blocks(&dedent(&lines[i..end]), depth + 1, false);
            blocks.push(Block::Quote(inner));
            i = end;
            continue;
        }
        if let Some((level, text)) = heading(line).filter(|_| top_level) {
            // A heading is its line only (QEMU 10.0: the first line of a
            // free-form block).
            blocks.push(Block::Heading {
                level,
                content: parse_inline(text),
            });
            i += 1;
            continue;
        }
        if let Some((level, text, next)) = framed_title(lines, i).filter(|_| top_level) {
            blocks.push(Block::Heading {
                level,
                content: parse_inline(text),
            });
            i = next;
            continue;
        }
        let (block, next) =
            if line.starts_with("..") && (line.len() == 2 || line.starts_with(".. ")) {
                directive(lines, i, depth)
            } else if list_marker(line).is_some() {
                list(lines, i, depth)
            } else if table_columns(line).is_some() {
                match simple_table(lines, i, None) {
                    Some((table, next)) => (Some(table), next),
                    None => paragraph(lines, i, depth, &mut blocks),
                }
            } else if let Some((level, text)) = underlined_title(lines, i).filter(|_| top_level) {
                let heading = Block::Heading {
                    level,
                    content: parse_inline(text),
                };
                (Some(heading), i + 2)
            } else {
                paragraph(lines, i, depth, &mut blocks)
            };
        blocks.extend(block);
        i = next.max(i + 1);
    }
    blocks
}

/// The character of an rST section adornment: a line of one ASCII
/// punctuation character, repeated (trailing spaces allowed).
fn adornment(line: &str) -> Option<char> {
    let line = line.trim_end();
    let first = line.chars().next()?;
    (first.is_ascii_punctuation() && line.chars().all(|c| c == first)).then_some(first)
}

/// The level of an rST heading by its adornment, after QEMU's convention
/// (`docs/devel/qapi-code-gen.rst`): over- and underlined (QEMU: `*`) is
/// level 1, like QEMU 10.0's `= Title`; underlined with `=` level 2, like
/// `== Title`; then `_` or `-`, `^` or `~`, and anything else.
fn heading_level(adornment: char, overlined: bool) -> usize {
    match (overlined, adornment) {
        (true, _) => 1,
        (false, '=') => 2,
        (false, '_' | '-') => 3,
        (false, '^' | '~') => 4,
        (false, _) => 5,
    }
}

/// An rST title over- and underlined at `lines[i]`, as docutils reads one:
/// the same adornment above and below, at least as long as the title
/// (which may be inset) unless four characters or more.  (level, title,
/// the line after it).
fn framed_title(lines: &[String], i: usize) -> Option<(usize, &str, usize)> {
    let overline = lines[i].trim_end();
    let c = adornment(overline)?;
    let title = lines.get(i + 1)?.trim();
    let underline = lines.get(i + 2)?.trim_end();
    let fits = title.chars().count() <= overline.len() || overline.len() >= 4;
    (!title.is_empty() && underline == overline && adornment(title).is_none() && fits).then_some((
        heading_level(c, true),
        title,
        i + 3,
    ))
}

/// An rST title at `lines[i]` underlined on the next line, as docutils
/// reads one: an underline at least as long as the title, or of four
/// characters or more.  (level, title).
fn underlined_title(lines: &[String], i: usize) -> Option<(usize, &str)> {
    let title = lines[i].trim_end();
    let underline = lines.get(i + 1)?.trim_end();
    let c = adornment(underline)?;
    let fits = title.chars().count() <= underline.len() || underline.len() >= 4;
    (adornment(title).is_none() && fits).then_some((heading_level(c, false), title))
}

/// `=+ text` → (level, text).
fn heading(line: &str) -> Option<(usize, &str)> {
    let level = line.chars().take_while(|&c| c == '=').count();
    let text = line[level..].strip_prefix(' ')?.trim();
    if level == 0 || text.is_empty() || text.starts_with('=') {
        return None;
    }
    Some((level, text))
}

/// A paragraph from line `i`, possibly introducing a literal block
/// (`::`) or being the term of a definition list.  Blocks other than the
/// returned one (the paragraph before a literal block) go to `blocks`.
fn paragraph(
    lines: &[String],
    start: usize,
    depth: usize,
    blocks: &mut Vec<Block>,
) -> (Option<Block>, usize) {
    let mut end = start;
    while end < lines.len() && !is_blank(&lines[end]) && indent_of(&lines[end]) == 0 {
        end += 1;
    }
    let followed_by_indent = end < lines.len() && !is_blank(&lines[end]);
    if followed_by_indent && end == start + 1 && !lines[start].ends_with("::") {
        return definition_list(lines, start, depth);
    }
    if followed_by_indent && !lines[end - 1].ends_with("::") {
        // Indentation right after a paragraph is an rST error; keep the
        // text rather than lose it.
        while end < lines.len() && !is_blank(&lines[end]) {
            end += 1;
        }
    }
    let mut text = lines[start..end].join(" ");
    if !text.ends_with("::") {
        return (Some(Block::Paragraph(parse_inline(&text))), end);
    }
    // `text::` keeps one colon, `text ::` and a lone `::` none.
    text.truncate(text.len() - 1);
    if text == ":" {
        text.clear();
    } else if let Some(stripped) = text.strip_suffix(" :") {
        text = stripped.trim_end().to_string();
    }
    if !text.is_empty() {
        blocks.push(Block::Paragraph(parse_inline(&text)));
    }
    let mut body = end;
    while body < lines.len() && is_blank(&lines[body]) {
        body += 1;
    }
    if body >= lines.len() || indent_of(&lines[body]) == 0 {
        return (None, end);
    }
    let block_end = indented_end(lines, body, 1);
    let literal = dedent(&lines[body..block_end]);
    (Some(literal_block(&literal)), block_end)
}

/// A literal block: a QMP transcript when it looks like one.
fn literal_block(lines: &[String]) -> Block {
    let lines = trim_blank_lines(lines);
    let first = lines.first().map(|l| l.trim_start()).unwrap_or("");
    if first.starts_with("->") || first.starts_with("<-") {
        Block::Qmp(qmp_messages(lines))
    } else {
        Block::Literal {
            lang: None,
            text: lines.join("\n"),
        }
    }
}

/// Split a transcript into messages: each `->`/`<-` line starts one,
/// continuation lines join it, blank lines end it (and are kept as an
/// empty `Other` message, separating exchanges).
fn qmp_messages(lines: &[String]) -> Vec<QmpMessage> {
    let lines = dedent(trim_blank_lines(lines));
    let mut messages: Vec<QmpMessage> = Vec::new();
    let mut open = false;
    for line in &lines {
        if is_blank(line) {
            if open {
                messages.push(QmpMessage {
                    direction: Direction::Other,
                    text: String::new(),
                });
            }
            open = false;
            continue;
        }
        let direction = if line.starts_with("->") {
            Direction::Request
        } else if line.starts_with("<-") {
            Direction::Reply
        } else {
            Direction::Other
        };
        match messages.last_mut() {
            Some(last) if open && (direction == Direction::Other || indent_of(line) > 0) => {
                last.text.push('\n');
                last.text.push_str(line);
            }
            _ => messages.push(QmpMessage {
                direction,
                text: line.clone(),
            }),
        }
        open = true;
    }
    messages
}

fn definition_list(lines: &[String], start: usize, depth: usize) -> (Option<Block>, usize) {
    let mut items = Vec::new();
    let mut i = start;
    loop {
        let term = parse_inline(&lines[i]);
        let end = indented_end(lines, i + 1, indent_of(&lines[i + 1]));
        let body = parse_blocks(&dedent(&lines[i + 1..end]), depth + 1, false);
        items.push((term, body));
        i = end;
        // Another item: blank lines, a term, and its indented description.
        let mut next = i;
        while next < lines.len() && is_blank(&lines[next]) {
            next += 1;
        }
        let is_item = next + 1 < lines.len()
            && indent_of(&lines[next]) == 0
            && !lines[next].starts_with("..")
            && list_marker(&lines[next]).is_none()
            && !is_blank(&lines[next + 1])
            && indent_of(&lines[next + 1]) > 0;
        if !is_item {
            return (Some(Block::Definitions(items)), i);
        }
        i = next;
    }
}

/// A list item marker at the start of `line`: (number for enumerated
/// items, width of marker and following spaces).
fn list_marker(line: &str) -> Option<(Option<u32>, usize)> {
    let bytes = line.as_bytes();
    let marker_len = if matches!(bytes.first(), Some(b'-' | b'*' | b'+')) {
        1
    } else {
        enumerator_len(line)?
    };
    let rest = &line[marker_len..];
    if !rest.is_empty() && !rest.starts_with(' ') {
        return None;
    }
    let number = if marker_len == 1 {
        None
    } else {
        let digits: String = line[..marker_len]
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        Some(digits.parse().unwrap_or(1))
    };
    // An empty bullet item (`-` alone) is allowed; a lone `*` is text.
    if rest.is_empty() && bytes[0] == b'*' {
        return None;
    }
    Some((number, marker_len + indent_of(rest)))
}

/// `1.`, `1)`, `(1)`, `#.`: the enumerator's length.
fn enumerator_len(line: &str) -> Option<usize> {
    let (open, body) = match line.strip_prefix('(') {
        Some(rest) => (1, rest),
        None => (0, line),
    };
    let count = if body.starts_with('#') {
        1
    } else {
        body.chars().take_while(char::is_ascii_digit).count()
    };
    if count == 0 || count > 9 {
        return None;
    }
    let close = body[count..].chars().next()?;
    let ok = if open == 1 {
        close == ')'
    } else {
        close == '.' || close == ')'
    };
    ok.then_some(open + count + 1)
}

fn list(lines: &[String], start: usize, depth: usize) -> (Option<Block>, usize) {
    let Some((first_number, _)) = list_marker(&lines[start]) else {
        return (None, start + 1);
    };
    let bullet = lines[start].chars().next();
    let mut items = Vec::new();
    let mut i = start;
    while i < lines.len() {
        let Some((number, width)) = list_marker(&lines[i]) else {
            break;
        };
        // A different kind of marker starts another list.
        let same_kind = match first_number {
            None => lines[i].chars().next() == bullet,
            Some(_) => number.is_some(),
        };
        if !same_kind {
            break;
        }
        let end = indented_end(lines, i + 1, 1);
        let mut item = vec![lines[i].get(width..).unwrap_or("").to_string()];
        item.extend(lines[i + 1..end].iter().map(|l| strip_indent(l, width)));
        // Continuation lines less indented than the text: keep them as
        // part of the item's text anyway.
        let item = dedent_after_first(item);
        items.push(parse_blocks(&item, depth + 1, false));
        i = end;
        while i < lines.len() && is_blank(&lines[i]) {
            i += 1;
        }
    }
    let block = Block::List {
        start: first_number,
        items,
    };
    (Some(block), i)
}

/// When the continuation of a list item is uniformly indented (deeper
/// than its text), treat it as aligned with the text.
fn dedent_after_first(mut item: Vec<String>) -> Vec<String> {
    let first_blank = item.iter().skip(1).position(|l| is_blank(l));
    let paragraph_end = first_blank.map_or(item.len(), |p| p + 1);
    let rest = dedent(&item[1..paragraph_end]);
    for (line, dedented) in item[1..paragraph_end].iter_mut().zip(rest) {
        *line = dedented;
    }
    item
}

/// The admonition directives and their titles.
const ADMONITIONS: [(&str, &str); 10] = [
    ("attention", "Attention"),
    ("caution", "Caution"),
    ("danger", "Danger"),
    ("error", "Error"),
    ("hint", "Hint"),
    ("important", "Important"),
    ("note", "Note"),
    ("seealso", "See also"),
    ("tip", "Tip"),
    ("warning", "Warning"),
];

/// `.. name:: args` with its options and content, or a comment.
fn directive(lines: &[String], start: usize, depth: usize) -> (Option<Block>, usize) {
    let end = indented_end(lines, start + 1, 1);
    let rest = lines[start].get(3..).unwrap_or("");
    let Some((name, args)) = rest.split_once("::") else {
        // A comment or a hyperlink target: not shown.
        return (None, end);
    };
    let valid_name = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_:.".contains(c));
    if !valid_name || !(args.is_empty() || args.starts_with(' ')) {
        return (None, end);
    }
    let args = args.trim();
    let mut body = dedent(&lines[start + 1..end]);
    let options = take_options(&mut body);
    let option = |key: &str| {
        options
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    let block = match name {
        "admonition" => Block::Admonition {
            kind: name.to_string(),
            title: parse_inline(args),
            body: parse_blocks(&body, depth + 1, false),
        },
        "qmp-example" => {
            let title = option("title").map(parse_inline);
            let body = if option("annotated").is_some() {
                parse_blocks(&body, depth + 1, false)
            } else {
                vec![Block::Qmp(qmp_messages(&body))]
            };
            Block::Example { title, body }
        }
        "code-block" | "code" | "sourcecode" => Block::Literal {
            lang: (!args.is_empty()).then(|| args.to_string()),
            text: trim_blank_lines(&body).join("\n"),
        },
        "table" => {
            let title = (!args.is_empty()).then(|| parse_inline(args));
            let content = trim_blank_lines(&body);
            match simple_table(content, 0, title.clone()) {
                Some((table, _)) => table,
                None => Block::Admonition {
                    kind: "table".to_string(),
                    title: title.unwrap_or_default(),
                    body: parse_blocks(content, depth + 1, false),
                },
            }
        }
        _ => {
            // Admonitions take their argument as the first paragraph.
            let mut content = Vec::new();
            if !args.is_empty() {
                content.push(args.to_string());
            }
            content.extend(body);
            let body = parse_blocks(&content, depth + 1, false);
            match ADMONITIONS.iter().find(|(kind, _)| *kind == name) {
                Some((kind, title)) => Block::Admonition {
                    kind: kind.to_string(),
                    title: vec![Inline::Text(title.to_string())],
                    body,
                },
                None => Block::Admonition {
                    kind: "directive".to_string(),
                    title: vec![Inline::Text(name.to_string())],
                    body,
                },
            }
        }
    };
    (Some(block), end)
}

/// Remove the `:key: value` option lines that open a directive's body.
fn take_options(body: &mut Vec<String>) -> Vec<(String, String)> {
    let mut options = Vec::new();
    let mut count = 0;
    for line in body.iter() {
        let Some(rest) = line.strip_prefix(':') else {
            break;
        };
        let Some((key, value)) = rest.split_once(':') else {
            break;
        };
        if key.is_empty() || key.contains(' ') || value.starts_with('`') {
            break;
        }
        options.push((key.to_string(), value.trim().to_string()));
        count += 1;
    }
    body.drain(..count);
    options
}

/// The column spans of a simple-table border (`===  ====`): character
/// offsets of each run of `=`.
fn table_columns(line: &str) -> Option<Vec<(usize, usize)>> {
    if !line.starts_with("==") || !line.chars().all(|c| c == '=' || c == ' ') {
        return None;
    }
    let mut columns = Vec::new();
    let mut start = None;
    for (i, c) in line.chars().chain(std::iter::once(' ')).enumerate() {
        match (c, start) {
            ('=', None) => start = Some(i),
            (' ', Some(s)) => {
                columns.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    Some(columns)
}

/// A simple table starting at its top border `lines[start]`: an optional
/// header closed by a second border, rows, and a closing border.
fn simple_table(
    lines: &[String],
    start: usize,
    title: Option<Vec<Inline>>,
) -> Option<(Block, usize)> {
    let columns = table_columns(lines.get(start)?)?;
    let mut groups: Vec<Vec<Vec<String>>> = vec![Vec::new()];
    let mut i = start + 1;
    let mut closed = false;
    while i < lines.len() {
        let line = &lines[i];
        i += 1;
        if table_columns(line).is_some() {
            // A border after the header, or the last one.
            let next_is_row = lines
                .get(i)
                .is_some_and(|l| !is_blank(l) && table_columns(l).is_none());
            if groups.len() == 1 && next_is_row {
                groups.push(Vec::new());
                continue;
            }
            closed = true;
            break;
        }
        if is_blank(line) {
            continue;
        }
        let cells = split_row(line, &columns);
        let rows = groups.last_mut()?;
        // A row whose first cell is empty continues the previous row.
        match rows.last_mut() {
            Some(previous) if cells[0].is_empty() => {
                for (cell, more) in previous.iter_mut().zip(cells) {
                    if !more.is_empty() {
                        cell.push(' ');
                        cell.push_str(&more);
                    }
                }
            }
            _ => rows.push(cells),
        }
    }
    if !closed {
        return None;
    }
    let to_inline = |rows: Vec<Vec<String>>| -> Vec<Vec<Vec<Inline>>> {
        rows.into_iter()
            .map(|row| row.iter().map(|cell| parse_inline(cell)).collect())
            .collect()
    };
    let rows = groups.pop().map(to_inline).unwrap_or_default();
    let head = groups.pop().map(to_inline).unwrap_or_default();
    Some((Block::Table { title, head, rows }, i))
}

fn split_row(line: &str, columns: &[(usize, usize)]) -> Vec<String> {
    let chars: Vec<char> = line.chars().collect();
    (0..columns.len())
        .map(|k| {
            let from = columns[k].0.min(chars.len());
            let to = match columns.get(k + 1) {
                Some(next) => next.0.min(chars.len()),
                None => chars.len(),
            };
            chars[from..to]
                .iter()
                .collect::<String>()
                .trim()
                .to_string()
        })
        .collect()
}

// ---------------------------------------------------------------------
// Inline parsing.

/// Characters that may precede an inline markup start (besides space).
const OPENERS: &str = "'\"([{<-/:";
/// Characters that may follow an inline markup end (besides space).
const CLOSERS: &str = "'\")]}>-/:.,;!?\\";

/// A paragraph's characters, and where each kind of closing delimiter
/// is: finding the end of markup is a binary search, never a rescan, so
/// no text makes parsing slow.
struct Scan {
    chars: Vec<char>,
    /// ` `` ` pairs that may close an inline literal (the last pair of a
    /// backquote run).
    literal_ends: Vec<usize>,
    ticks: Vec<usize>,
    emphasis_ends: Vec<usize>,
    strong_ends: Vec<usize>,
}

impl Scan {
    fn new(text: &str) -> Scan {
        let chars: Vec<char> = text.chars().collect();
        let at = |j: usize| chars.get(j).copied();
        // An end: after non-space, before the end, a space or punctuation.
        let closes = |j: usize, width: usize| {
            j > 0
                && !chars[j - 1].is_whitespace()
                && (j..j + width).all(|k| at(k) == Some('*'))
                && at(j + width).map_or(true, |c| c.is_whitespace() || CLOSERS.contains(c))
        };
        let mut scan = Scan {
            literal_ends: Vec::new(),
            ticks: Vec::new(),
            emphasis_ends: Vec::new(),
            strong_ends: Vec::new(),
            chars: Vec::new(),
        };
        for (j, &c) in chars.iter().enumerate() {
            match c {
                '`' => {
                    scan.ticks.push(j);
                    if at(j + 1) == Some('`') && at(j + 2) != Some('`') {
                        scan.literal_ends.push(j);
                    }
                }
                '*' => {
                    if closes(j, 1) {
                        scan.emphasis_ends.push(j);
                    }
                    if closes(j, 2) {
                        scan.strong_ends.push(j);
                    }
                }
                _ => {}
            }
        }
        scan.chars = chars;
        scan
    }

    /// The first position in `list` at or after `from`.
    fn next(list: &[usize], from: usize) -> Option<usize> {
        list.get(list.partition_point(|&p| p < from)).copied()
    }

    fn text(&self, from: usize, to: usize) -> String {
        self.chars[from..to].iter().collect()
    }
}

/// Parse one paragraph's text into inline elements.
pub(crate) fn parse_inline(text: &str) -> Vec<Inline> {
    // Most text has no markup: no character that may start any.
    let markup_free = !text.contains(['\\', '`', '*', ':', '@']) && !text.contains("http");
    if markup_free && text.is_empty() {
        return Vec::new();
    }
    if markup_free {
        return vec![Inline::Text(text.to_string())];
    }
    let scan = Scan::new(text);
    let chars = &scan.chars;
    let mut out = Vec::new();
    let mut plain = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let before = if i == 0 { None } else { Some(chars[i - 1]) };
        let may_start = before.map_or(true, |b| b.is_whitespace() || OPENERS.contains(b));
        let parsed = match c {
            '\\' if i + 1 < chars.len() => {
                plain.push(chars[i + 1]);
                i += 2;
                continue;
            }
            '`' if chars.get(i + 1) == Some(&'`') => inline_literal(&scan, i),
            '`' if may_start => backquoted(&scan, i, None),
            '*' if may_start && chars.get(i + 1) == Some(&'*') => {
                delimited(&scan, i, 2).map(|(s, next)| (Inline::Strong(s), next))
            }
            '*' if may_start => delimited(&scan, i, 1).map(|(s, next)| (Inline::Emphasis(s), next)),
            ':' if may_start => role(&scan, i),
            '@' if before.map_or(true, |b| !is_name_char(b)) => at_reference(chars, i),
            'h' if may_start => bare_url(chars, i),
            _ => None,
        };
        match parsed {
            Some((inline, next)) => {
                if !plain.is_empty() {
                    out.push(Inline::Text(std::mem::take(&mut plain)));
                }
                out.push(inline);
                i = next;
            }
            None => {
                plain.push(c);
                i += 1;
            }
        }
    }
    if !plain.is_empty() {
        out.push(Inline::Text(plain));
    }
    out
}

/// The text of inline elements without markup (for titles).
pub(crate) fn plain_text(inlines: &[Inline]) -> String {
    inlines
        .iter()
        .map(|inline| match inline {
            Inline::Text(s)
            | Inline::Literal(s)
            | Inline::Emphasis(s)
            | Inline::Strong(s)
            | Inline::Ref(s)
            | Inline::Cite(s) => s.as_str(),
            Inline::Url { text, .. } | Inline::TitledRef { title: text, .. } => text.as_str(),
        })
        .collect()
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

fn collect(chars: &[char]) -> String {
    chars.iter().collect()
}

/// ` ``code`` ` starting at `i`.
fn inline_literal(scan: &Scan, i: usize) -> Option<(Inline, usize)> {
    let start = i + 2;
    let end = Scan::next(&scan.literal_ends, start + 1)?;
    Some((Inline::Literal(scan.text(start, end)), end + 2))
}

/// `*text*` or `**text**`: the content and the index after the end.
fn delimited(scan: &Scan, i: usize, width: usize) -> Option<(String, usize)> {
    let start = i + width;
    if scan
        .chars
        .get(start)
        .map_or(true, |c| c.is_whitespace() || *c == '*')
    {
        return None;
    }
    let ends = if width == 1 {
        &scan.emphasis_ends
    } else {
        &scan.strong_ends
    };
    let end = Scan::next(ends, start + 1)?;
    Some((scan.text(start, end), end + width))
}

/// `` `text` ``, `` `text <url>`_ `` or a role's content at `i` (the
/// backquote).
fn backquoted(scan: &Scan, i: usize, role: Option<&str>) -> Option<(Inline, usize)> {
    let chars = &scan.chars;
    let start = i + 1;
    let end = Scan::next(&scan.ticks, start)?;
    if end == start {
        return None;
    }
    let content = scan.text(start, end);
    let mut next = end + 1;
    let mut hyperlink = false;
    while chars.get(next) == Some(&'_') && role.is_none() {
        hyperlink = true;
        next += 1;
    }
    // `title <target>`
    let (title, target) = match content.strip_suffix('>').and_then(|c| c.rsplit_once('<')) {
        Some((title, target)) if !title.trim().is_empty() => {
            (title.trim().to_string(), target.trim().to_string())
        }
        _ => (content.clone(), content.clone()),
    };
    let inline = match role {
        _ if hyperlink => {
            if is_web_url(&target) {
                Inline::Url {
                    text: title,
                    url: target,
                }
            } else {
                Inline::Text(title)
            }
        }
        Some("doc" | "ref" | "term" | "numref") => Inline::Cite(title),
        Some("literal" | "code" | "samp" | "file" | "command" | "option") => {
            Inline::Literal(content)
        }
        Some("emphasis") => Inline::Emphasis(content),
        Some("strong") => Inline::Strong(content),
        _ if title != target => Inline::TitledRef {
            title,
            target: target.trim_start_matches('~').to_string(),
        },
        _ => Inline::Ref(target.trim_start_matches('~').to_string()),
    };
    Some((inline, next))
}

/// `:role:`content`` at `i`.
fn role(scan: &Scan, i: usize) -> Option<(Inline, usize)> {
    /// Longer role names are not looked for (bounds the scan).
    const MAX_ROLE: usize = 64;
    let chars = &scan.chars;
    let len = chars[i + 1..]
        .iter()
        .take(MAX_ROLE)
        .position(|&c| !(c.is_ascii_alphanumeric() || "-_.:+".contains(c)))?;
    let end = i + 1 + len;
    // The role name ends with a colon right before the backquote.
    if len < 2 || chars[end - 1] != ':' || chars.get(end) != Some(&'`') {
        return None;
    }
    let name: String = chars[i + 1..end - 1].iter().collect();
    // `:qapi:type:` and the like: the last part names the role.
    let name = name.rsplit(':').next().unwrap_or_default().to_string();
    backquoted(scan, end, Some(&name))
}

/// `@name` at `i`.
fn at_reference(chars: &[char], i: usize) -> Option<(Inline, usize)> {
    let len = chars[i + 1..]
        .iter()
        .take_while(|&&c| is_name_char(c))
        .count();
    if len == 0 {
        return None;
    }
    Some((
        Inline::Ref(collect(&chars[i + 1..i + 1 + len])),
        i + 1 + len,
    ))
}

fn is_web_url(url: &str) -> bool {
    (url.starts_with("http://") || url.starts_with("https://") || url.starts_with("mailto:"))
        && !url.contains(char::is_whitespace)
}

/// A standalone `http://` or `https://` URL at `i`.
fn bare_url(chars: &[char], i: usize) -> Option<(Inline, usize)> {
    let rest = collect(&chars[i..chars.len().min(i + 8)]);
    if !rest.starts_with("http://") && !rest.starts_with("https://") {
        return None;
    }
    let mut end = i;
    while end < chars.len() && !chars[end].is_whitespace() && !"<>`\"".contains(chars[end]) {
        end += 1;
    }
    // Trailing punctuation ends the sentence, not the URL.
    while end > i && ".,;:!?')".contains(chars[end - 1]) {
        let open = chars[i..end].iter().filter(|&&c| c == '(').count();
        let close = chars[i..end].iter().filter(|&&c| c == ')').count();
        if chars[end - 1] == ')' && close <= open {
            break;
        }
        end -= 1;
    }
    let url = collect(&chars[i..end]);
    if url.ends_with("//") {
        return None;
    }
    Some((
        Inline::Url {
            text: url.clone(),
            url,
        },
        end,
    ))
}
