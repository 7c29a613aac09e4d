//! The HTML reference of QEMU's real schemas (10.0.0's, and 10.2.0's for
//! completeness and headings): a page per module, and every piece of
//! documentation the schema has is in it, at the right place.
//!
//! Each doc text is checked word by word: its words (markup removed) must
//! appear in order in the text of the definition's section (or the
//! member's entry), so nothing is lost or misplaced.

mod common;

use std::collections::HashMap;

use qapi_gen::docs::{self, Format};
use qapi_gen::schema::doc::{Section, SectionKind};
use qapi_gen::schema::{EntityKind, Schema};

fn real_schema() -> Schema {
    schema_of("10.0.0", qapi_gen::Rules::V10_0)
}

fn schema_of(release: &str, rules: qapi_gen::Rules) -> Schema {
    let root = common::real_schema_path(release);
    qapi_gen::load_with(&root, rules).unwrap_or_else(|diags| panic!("{diags}"))
}

/// The words of doc source text, without what the markup itself spells:
/// directive and option names, role names and role targets.
fn source_words(text: &str) -> Vec<String> {
    let mut kept = String::new();
    for line in text.lines() {
        let mut line = line.trim_start();
        if let Some(rest) = line.strip_prefix("..") {
            // A directive keeps its argument; a comment nothing.
            line = match rest.split_once("::") {
                Some((_, args)) => args,
                None => "",
            };
        } else if let Some(rest) = line.strip_prefix(':') {
            // Directive options: only a title is shown.
            if let Some((name, value)) = rest.split_once(':') {
                if !name.contains(' ') && !value.starts_with('`') {
                    line = if name == "title" { value } else { "" };
                }
            }
        }
        // Enumerators are list numbering, not text.
        line = strip_enumerator(line);
        kept.push_str(&strip_roles(line));
        kept.push('\n');
    }
    words(&kept)
}

/// `1. text`, `2) text`, `(3) text`: the text.
fn strip_enumerator(line: &str) -> &str {
    let body = line.strip_prefix('(').unwrap_or(line);
    let digits = body.chars().take_while(char::is_ascii_digit).count();
    match body[digits..].strip_prefix(['.', ')']) {
        Some(rest) if digits > 0 && (rest.is_empty() || rest.starts_with(' ')) => rest,
        _ => line,
    }
}

/// Remove `:role:` names and the `<target>` of `` `title <target>` ``.
fn strip_roles(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(tick) = rest.find('`') {
        let mut before = &rest[..tick];
        // A role name (`:doc:`, `:qapi:type:`) right before the backquote.
        let start = before
            .char_indices()
            .rev()
            .find(|(_, c)| !(c.is_ascii_alphanumeric() || ":_-".contains(*c)))
            .map_or(0, |(p, c)| p + c.len_utf8());
        let role = &before[start..];
        if role.len() > 2 && role.starts_with(':') && role.ends_with(':') {
            before = &before[..start];
        }
        out.push_str(before);
        let after = &rest[tick + 1..];
        let Some(end) = after.find('`') else {
            out.push_str(after);
            return out;
        };
        let content = &after[..end];
        let content = match content.strip_suffix('>').and_then(|c| c.rsplit_once(" <")) {
            Some((title, _)) => title,
            None => content,
        };
        out.push(' ');
        out.push_str(content);
        out.push(' ');
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// The words of an HTML fragment's text.
fn html_words(html: &str) -> Vec<String> {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    words(&text)
}

/// Whether `needle` appears in `haystack` in order (gaps allowed).
fn in_order(needle: &[String], haystack: &[String]) -> bool {
    let mut hay = haystack.iter();
    needle.iter().all(|word| hay.any(|w| w == word))
}

/// The HTML between `start` (first occurrence) and the next `end`.
fn region<'h>(html: &'h str, start: &str, end: &str) -> Option<&'h str> {
    let from = html.find(start)?;
    let after = from + start.len();
    let len = html[after..].find(end).unwrap_or(html.len() - after);
    Some(&html[from..after + len])
}

fn text_of(section: &Section) -> String {
    qapi_gen::markup::section_source(section).into_owned()
}

#[derive(Default, Debug)]
struct Counts {
    in_model: usize,
    in_output: usize,
}

#[test]
fn real_schema_html_has_every_doc() {
    for (release, rules) in common::SUITES {
        println!("QEMU {release}:");
        every_doc_of(&schema_of(release, rules));
    }
}

fn every_doc_of(schema: &Schema) {
    let site = qapi_gen::__internal::Site::new(schema);
    let files: HashMap<String, String> = docs::generate(schema, Format::Html)
        .into_iter()
        .map(|f| (f.name, f.contents))
        .collect();

    // A page per module, saying which module it is.
    let mut module_pages = 0;
    for module in schema.modules.iter().skip(1) {
        let marker = format!("Module <code>{}</code>", module.name);
        let pages: Vec<&String> = files
            .iter()
            .filter(|(name, html)| name.ends_with(".html") && html.contains(&marker))
            .map(|(name, _)| name)
            .collect();
        assert_eq!(pages.len(), 1, "pages of module {}: {pages:?}", module.name);
        module_pages += 1;
    }
    assert!(files.contains_key("builtin.html") && files.contains_key("index.html"));
    // Anchors are unique on each page.
    for (name, html) in &files {
        let mut seen = std::collections::HashSet::new();
        for id in html
            .split(" id=\"")
            .skip(1)
            .filter_map(|s| s.split('"').next())
        {
            assert!(seen.insert(id), "{name}: duplicate id {id}");
        }
    }
    println!(
        "modules: {} (+ built-ins), module pages: {module_pages}",
        schema.modules.len() - 1
    );

    let page_html = |id| {
        let page = site.page_of(id).expect("definition shown");
        &files[&format!("{}.html", site.pages[page].stem)]
    };

    let mut definitions = Counts::default();
    let mut members = Counts::default();
    let mut features = Counts::default();
    let mut sections = Counts::default();
    let mut shown = 0;
    let mut todo_omitted = 0;
    for (id, entity) in schema.iter() {
        let implicit = matches!(&entity.kind, EntityKind::Object(o) if o.implicit);
        if implicit || matches!(entity.kind, EntityKind::Array(_)) {
            continue;
        }
        let html = page_html(id);
        let def = region(html, &format!("id=\"{}\">", entity.name), "</section>")
            .unwrap_or_else(|| panic!("no section for {}", entity.name));
        shown += 1;
        let Some(doc) = entity.doc.map(|d| schema.doc(d)) else {
            continue;
        };
        definitions.in_model += 1;
        let def_words = html_words(def);
        let mut complete = true;
        for section in &doc.sections {
            let text = text_of(section);
            if text.is_empty() {
                continue;
            }
            let expected = source_words(&text);
            match section.kind {
                SectionKind::Member => {
                    members.in_model += 1;
                    let name = section.name.as_deref().unwrap_or_default();
                    let start = format!("<dt id=\"{}:{name}\">", entity.name);
                    let entry = region(def, &start, "<dt id=\"")
                        .unwrap_or_else(|| panic!("no entry for {}.{name}", entity.name));
                    if entry.contains("<dd><div class=\"doc\">")
                        && in_order(&expected, &html_words(entry))
                    {
                        members.in_output += 1;
                    } else {
                        complete = false;
                        eprintln!("member {}.{name}: words missing", entity.name);
                    }
                }
                SectionKind::Feature => {
                    features.in_model += 1;
                    let name = section.name.as_deref().unwrap_or_default();
                    let start = format!("<dt><code>{name}</code>");
                    let entry = region(def, &start, "<dt id=\"");
                    if entry.is_some_and(|e| in_order(&expected, &html_words(e))) {
                        features.in_output += 1;
                    } else {
                        complete = false;
                        eprintln!("feature {} of {}: missing", name, entity.name);
                    }
                }
                SectionKind::Todo => todo_omitted += 1,
                _ => {
                    sections.in_model += 1;
                    if in_order(&expected, &def_words) {
                        sections.in_output += 1;
                    } else {
                        complete = false;
                        eprintln!(
                            "{} section of {}: words missing: {expected:?}",
                            section.kind.name(),
                            entity.name
                        );
                    }
                }
            }
        }
        if complete {
            definitions.in_output += 1;
        }
    }

    // Free-form documentation, on its module's page.
    let mut free_form = Counts::default();
    for doc in schema.docs.iter().filter(|d| d.symbol.is_none()) {
        free_form.in_model += 1;
        let expected = source_words(&doc.body().text);
        let found = site.pages.iter().any(|page| {
            let html = &files[&format!("{}.html", page.stem)];
            // Up to the next item.
            html.split("<div class=\"freeform\">").skip(1).any(|block| {
                let end = ["<section ", "<div class=\"freeform\">", "</main>"]
                    .iter()
                    .filter_map(|marker| block.find(marker))
                    .min()
                    .unwrap_or(block.len());
                in_order(&expected, &html_words(&block[..end]))
            })
        });
        if found {
            free_form.in_output += 1;
        } else {
            eprintln!("free-form doc at {:?}: missing", doc.span);
        }
    }

    let section_count: usize = files
        .values()
        .map(|html| html.matches("<section class=\"def ").count())
        .sum();
    println!("definition sections: {section_count} in output, {shown} shown definitions in model");
    println!("documented definitions (all their text found): {definitions:?}");
    println!("member/value/branch descriptions: {members:?}");
    println!("feature descriptions: {features:?}");
    println!("other sections (body, Returns, Errors, Since, notes, examples): {sections:?}");
    println!("free-form blocks: {free_form:?}");
    println!("TODO sections (internal, not shown, like QEMU): {todo_omitted}");
    assert_eq!(section_count, shown);
    for counts in [&definitions, &members, &features, &sections, &free_form] {
        assert_eq!(counts.in_model, counts.in_output, "{counts:?}");
    }
    assert!(
        definitions.in_model > 900 && members.in_model > 3000,
        "{definitions:?} {members:?}"
    );
}

#[test]
fn real_schema_html_marks_status_and_conditions() {
    let schema = real_schema();
    let files: HashMap<String, String> = docs::generate(&schema, Format::Html)
        .into_iter()
        .map(|f| (f.name, f.contents))
        .collect();
    let all: String = files.values().cloned().collect();
    // Deprecated and unstable definitions and members are badged.
    assert!(all.contains("<span class=\"badge badge-deprecated\">deprecated</span>"));
    assert!(all.contains("<span class=\"badge badge-unstable\">unstable</span>"));
    let deprecated = schema
        .iter()
        .filter(|(_, e)| e.features.iter().any(|f| f.name == "deprecated"))
        .count();
    let badges = files
        .values()
        .flat_map(|html| html.split("<div class=\"def-head\">").skip(1))
        .filter(|head| {
            head.split("</div>")
                .next()
                .is_some_and(|h| h.contains("badge-deprecated"))
        })
        .count();
    // Implicit types cannot be deprecated; everything else shows it.
    assert_eq!(badges, deprecated, "deprecated definitions");
    // Conditions: e.g. query-kvm-... `if` texts.
    assert!(all.contains("<span class=\"cond\""));
    assert!(all.contains("if <code>CONFIG_"), "conditions shown");
    // Examples as request/reply.
    assert!(all.contains(
        "<span class=\"qmp-request\">-&gt; { &quot;execute&quot;: &quot;blockdev-add&quot;"
    ));
    assert!(all.contains("<span class=\"qmp-reply\">&lt;- { &quot;return&quot;: {} }</span>"));
}

#[test]
fn real_schema_markdown_is_generated() {
    let schema = real_schema();
    let files = docs::generate(&schema, Format::Markdown);
    let index = files
        .iter()
        .find(|f| f.name == "index.md")
        .expect("index.md");
    assert!(index
        .contents
        .contains("[`blockdev-add`](block-core.md#blockdev-add)"));
    let block_core = files
        .iter()
        .find(|f| f.name == "block-core.md")
        .expect("page");
    assert!(block_core
        .contents
        .contains("### <a id=\"blockdev-add\"></a>`blockdev-add` (command)"));
    assert_eq!(
        files.len(),
        schema.modules.len() + 1,
        "a page per module and the index"
    );
    // Deterministic.
    assert_eq!(files, docs::generate(&schema, Format::Markdown));
}

#[test]
fn output_is_deterministic() {
    let schema = real_schema();
    assert_eq!(
        docs::generate(&schema, Format::Html),
        docs::generate(&schema, Format::Html)
    );
    // And does not depend on the load either.
    assert_eq!(
        docs::generate(&schema, Format::Html),
        docs::generate(&real_schema(), Format::Html)
    );
}

/// QEMU 10.2.0's rST headings: module titles, headings in the Markdown,
/// none of their markup as text.
#[test]
fn qemu_10_2_headings() {
    let schema = schema_of("10.2.0", qapi_gen::Rules::V10_2);
    let site = qapi_gen::__internal::Site::new(&schema);
    let title = |stem: &str| {
        let page = site.pages.iter().find(|p| p.stem == stem).expect("page");
        (page.title.as_str(), page.starts_with_heading)
    };
    assert_eq!(title("block-core"), ("Block core (VM unrelated)", true));
    assert_eq!(title("qapi-schema"), ("Introduction", true));
    assert_eq!(title("pragma"), ("pragma.json", false));
    for file in docs::generate(&schema, Format::Markdown) {
        let mut fenced = false;
        for line in file.contents.lines() {
            fenced ^= line.starts_with("```");
            let adornment = line.len() >= 4
                && line
                    .chars()
                    .all(|c| c == line.chars().next().unwrap_or(' '))
                && line.starts_with(['=', '*', '-', '_', '^', '~']);
            assert!(fenced || !adornment, "{}: {line:?}", file.name);
        }
        if file.name == "block.md" {
            assert!(
                file.contents.starts_with("*Module `block.json`*"),
                "{}",
                file.contents
            );
            assert!(file.contents.contains("\n# Block devices\n"));
            assert!(file
                .contents
                .contains("\n## Additional block stuff (VM related)\n"));
        }
    }
}
