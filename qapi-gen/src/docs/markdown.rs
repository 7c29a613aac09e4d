//! Markdown layout: one page per module and `index.md`, linked with
//! relative links; anchors are `<a id>` tags.

use std::fmt::Write as _;

use super::{DefView, DocSection, MemberList, OutputFile, PageItem, Reference, Site};
use crate::markup::{self, code_span, escape_html, escape_markdown};
use crate::schema::EntityId;

const TITLE: &str = "QAPI Reference";

/// Every file: the index, then the module pages in reading order.
pub(crate) fn render(site: &Site) -> Vec<OutputFile> {
    let mut files = vec![OutputFile {
        name: "index.md".to_string(),
        contents: index_page(site),
    }];
    for page in site.page_order() {
        files.push(OutputFile {
            name: format!("{}.md", site.pages[page].stem),
            contents: module_page(site, page),
        });
    }
    files
}

fn href(site: &Site, reference: &Reference) -> String {
    match reference {
        Reference::Anchor(page, anchor) => format!("{}.md#{anchor}", site.pages[*page].stem),
        Reference::Index => format!("index.md#{}", super::INDEX_REFERENCE),
    }
}

fn doc_markdown(site: &Site, text: &str, owner: Option<EntityId>) -> String {
    let resolve = |name: &str| site.resolve(name, owner).map(|r| href(site, &r));
    markup::to_markdown(text, &resolve)
}

fn anchor(id: &str) -> String {
    format!("<a id=\"{}\"></a>", escape_html(id))
}

fn type_link(site: &Site, id: EntityId) -> String {
    let (label, target) = site.type_label(id);
    match target.and_then(|t| site.target(t)) {
        Some((page, anchor)) => format!(
            "[{}]({})",
            code_span(&label),
            href(site, &Reference::Anchor(page, anchor))
        ),
        None => code_span(&label),
    }
}

fn status_text(status: &str) -> String {
    format!("**{}**", status.to_uppercase())
}

/// Indent all lines but the first by `width` (list item continuation).
fn indent_rest(text: &str, width: usize) -> String {
    let pad = " ".repeat(width);
    text.split('\n')
        .enumerate()
        .map(|(n, line)| {
            if n == 0 || line.is_empty() {
                line.to_string()
            } else {
                format!("{pad}{line}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn module_page(site: &Site, page: usize) -> String {
    let info = &site.pages[page];
    let mut out = String::new();
    if !info.starts_with_heading {
        let _ = writeln!(out, "# {}\n", escape_markdown(&info.title));
    }
    if page != 0 {
        let module = &site.schema.module(info.module).name;
        let _ = writeln!(out, "*Module {}* · [Index](index.md)\n", code_span(module));
    }
    for item in &info.items {
        match item {
            PageItem::FreeForm(doc) => {
                out.push_str(&doc_markdown(site, &doc.body().text, None));
                out.push_str("\n\n");
            }
            PageItem::Definition(id) => definition(&mut out, site, &site.definition(*id)),
            PageItem::Includes(pages) => {
                out.push_str("Included modules:\n\n");
                for &included in pages {
                    let target = &site.pages[included];
                    let _ = writeln!(
                        out,
                        "- [{}]({}.md) ({})",
                        escape_markdown(&target.title),
                        target.stem,
                        code_span(&site.schema.module(target.module).name)
                    );
                }
                out.push('\n');
            }
        }
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

fn definition(out: &mut String, site: &Site, def: &DefView) {
    let _ = writeln!(
        out,
        "### {}{} ({})\n",
        anchor(def.name),
        code_span(def.name),
        def.kind
    );
    let mut facts: Vec<String> = def.status.iter().map(|s| status_text(s)).collect();
    facts.extend(def.flags.iter().map(|f| code_span(f)));
    if let Some(cond) = &def.cond {
        facts.push(format!("*if* {}", code_span(cond)));
    }
    if let Some(since) = &def.since {
        let resolve = |name: &str| site.resolve(name, Some(def.id)).map(|r| href(site, &r));
        facts.push(format!(
            "Since {}",
            markup::inlines_markdown(&markup::parse_inline(since), &resolve)
        ));
    }
    if !facts.is_empty() {
        let _ = writeln!(out, "{}\n", facts.join(" · "));
    }
    if let Some(body) = def.body {
        let _ = writeln!(out, "{}\n", doc_markdown(site, body, Some(def.id)));
    }
    if let Some(members) = &def.members {
        member_list(out, site, members);
    }
    if !def.features.is_empty() {
        out.push_str("**Features**\n\n");
        for feature in &def.features {
            let mut item = format!("- {}", code_span(feature.name));
            if feature.is_special() {
                let _ = write!(item, " {}", status_text(feature.name));
            }
            if let Some(cond) = &feature.cond {
                let _ = write!(item, " *if* {}", code_span(cond));
            }
            if let Some(doc) = &feature.doc {
                let _ = write!(item, "\n\n{}", doc_markdown(site, doc, Some(def.id)));
            }
            let _ = writeln!(out, "{}", indent_rest(&item, 2));
        }
        out.push('\n');
    }
    for section in &def.sections {
        match section {
            DocSection::Returns { ty, text } => {
                out.push_str("**Returns**");
                if let Some(ty) = ty {
                    let _ = write!(out, " {}", type_link(site, *ty));
                }
                out.push_str("\n\n");
                if let Some(text) = text {
                    let _ = writeln!(out, "{}\n", doc_markdown(site, text, Some(def.id)));
                }
            }
            DocSection::Errors(text) => {
                let _ = writeln!(
                    out,
                    "**Errors**\n\n{}\n",
                    doc_markdown(site, text, Some(def.id))
                );
            }
            DocSection::Plain(text) => {
                let _ = writeln!(out, "{}\n", doc_markdown(site, text, Some(def.id)));
            }
            DocSection::Builtin(json) => {
                let _ = writeln!(
                    out,
                    "Built-in type; on the wire a JSON {}.\n",
                    code_span(json)
                );
            }
        }
    }
}

fn member_list(out: &mut String, site: &Site, list: &MemberList) {
    if list.members.is_empty() && list.members_of.is_none() && list.branches.is_none() {
        return;
    }
    let _ = writeln!(out, "**{}**\n", list.title);
    if let Some(of) = list.members_of {
        let _ = writeln!(out, "The members of {}:\n", type_link(site, of));
    }
    for member in &list.members {
        let mut item = format!("- {}{}", anchor(&member.anchor), code_span(member.name));
        if let Some(ty) = member.ty {
            let _ = write!(item, ": {}", type_link(site, ty));
        }
        if member.optional {
            item.push_str(" *(optional)*");
        }
        for feature in &member.features {
            if *feature == "deprecated" || *feature == "unstable" {
                let _ = write!(item, " {}", status_text(feature));
            } else {
                let _ = write!(item, " (feature {})", code_span(feature));
            }
        }
        if let Some(cond) = &member.cond {
            let _ = write!(item, " *if* {}", code_span(cond));
        }
        if let Some(base) = member.inherited_from {
            let _ = write!(item, " (from {})", type_link(site, base));
        }
        match &member.doc {
            Some(doc) => {
                let text = doc_markdown(site, doc, Some(member.doc_owner));
                let _ = write!(item, "\n\n{text}");
            }
            None => item.push_str("\n\n*Not documented*"),
        }
        let _ = writeln!(out, "{}\n", indent_rest(&item, 2));
    }
    if let Some(branches) = &list.branches {
        for branch in &branches.branches {
            let value = match branches
                .tag_type
                .and_then(|t| site.page_of(t).map(|p| (t, p)))
            {
                Some((tag_type, page)) => {
                    let anchor =
                        super::member_anchor(&site.schema.entity(tag_type).name, branch.value);
                    format!(
                        "[{}]({})",
                        code_span(branch.value),
                        href(site, &Reference::Anchor(page, anchor))
                    )
                }
                None => code_span(branch.value),
            };
            let mut line = format!("- When {} is {value}", code_span(branches.tag));
            if let Some(cond) = &branch.cond {
                let _ = write!(line, " *if* {}", code_span(cond));
            }
            let _ = writeln!(line, ": the members of {}", type_link(site, branch.ty));
            out.push_str(&line);
        }
        out.push('\n');
    }
}

fn index_page(site: &Site) -> String {
    let mut out = format!("# {TITLE}\n\n## Modules\n\n");
    for page in site.page_order() {
        let info = &site.pages[page];
        let _ = writeln!(
            out,
            "- [{}]({}.md) ({})",
            escape_markdown(&info.title),
            info.stem,
            code_span(&site.schema.module(info.module).name)
        );
    }
    let _ = writeln!(
        out,
        "\n{}\n## Index of names\n",
        anchor(super::INDEX_REFERENCE)
    );
    for entry in site.index(false) {
        let _ = writeln!(
            out,
            "- [{}]({}) ({}, {})",
            code_span(&entry.name),
            href(site, &Reference::Anchor(entry.page, entry.anchor.clone())),
            entry.kind,
            escape_markdown(&site.pages[entry.page].title)
        );
    }
    out
}
