//! HTML layout: one page per module, `index.html`, a stylesheet and a
//! search script with its index (plain `<script>` files, so the search
//! works from `file://` without a server).

use std::fmt::Write as _;

use super::{
    DefView, DocSection, MemberList, OutputFile, PageItem, Reference, Site, INDEX_REFERENCE,
};
use crate::markup::{self, escape_html};
use crate::schema::EntityId;

const STYLE: &str = include_str!("assets/style.css");
const SEARCH: &str = include_str!("assets/search.js");
const TITLE: &str = "QAPI Reference";

/// Every file: the stylesheet, the search script and index, the index
/// page, then the module pages in reading order.
pub(crate) fn render(site: &Site) -> Vec<OutputFile> {
    let mut files = vec![
        OutputFile {
            name: "style.css".to_string(),
            contents: STYLE.to_string(),
        },
        OutputFile {
            name: "search.js".to_string(),
            contents: SEARCH.to_string(),
        },
        OutputFile {
            name: "search-index.js".to_string(),
            contents: search_index(site),
        },
        OutputFile {
            name: "index.html".to_string(),
            contents: index_page(site),
        },
    ];
    for page in site.page_order() {
        files.push(OutputFile {
            name: format!("{}.html", site.pages[page].stem),
            contents: module_page(site, page),
        });
    }
    files
}

fn href(site: &Site, reference: &Reference) -> String {
    match reference {
        Reference::Anchor(page, anchor) => format!("{}.html#{anchor}", site.pages[*page].stem),
        Reference::Index => format!("index.html#{INDEX_REFERENCE}"),
    }
}

/// Render doc text whose references resolve against `owner`'s members.
fn doc_html(out: &mut String, site: &Site, text: &str, owner: Option<EntityId>) {
    let resolve = |name: &str| site.resolve(name, owner).map(|r| href(site, &r));
    markup::blocks_html(out, &markup::parse(text), &resolve);
}

/// A link to a type (`[T]` links `T`).
fn type_link(site: &Site, id: EntityId) -> String {
    let (label, target) = site.type_label(id);
    match target.and_then(|t| site.target(t)) {
        Some((page, anchor)) => format!(
            "<a class=\"type\" href=\"{}\"><code>{}</code></a>",
            escape_html(&href(site, &Reference::Anchor(page, anchor))),
            escape_html(&label)
        ),
        None => format!("<code class=\"type\">{}</code>", escape_html(&label)),
    }
}

fn badge(status: &str) -> String {
    format!("<span class=\"badge badge-{status}\">{status}</span>")
}

fn cond_html(cond: &str) -> String {
    format!(
        "<span class=\"cond\" title=\"Only when the condition holds\">if <code>{}</code></span>",
        escape_html(cond)
    )
}

/// The page frame around `main`.
fn frame(site: &Site, title: &str, current: Option<usize>, main: &str) -> String {
    let mut out = String::with_capacity(main.len() + 16 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} – {TITLE}</title>\n<link rel=\"stylesheet\" href=\"style.css\">\n</head>\n\
         <body>\n<header class=\"topbar\">\n<a class=\"brand\" href=\"index.html\">{TITLE}</a>\n\
         <div class=\"search\">\n<input id=\"search\" type=\"search\" placeholder=\"Search names (press /)\" \
         autocomplete=\"off\" spellcheck=\"false\" aria-label=\"Search\">\n\
         <ul id=\"search-results\" class=\"search-results\" hidden></ul>\n</div>\n</header>\n\
         <div class=\"layout\">\n",
        escape_html(title)
    );
    sidebar(&mut out, site, current);
    out.push_str("<main>\n");
    out.push_str(main);
    out.push_str(
        "</main>\n</div>\n<script src=\"search-index.js\"></script>\n\
         <script src=\"search.js\"></script>\n</body>\n</html>\n",
    );
    out
}

fn sidebar(out: &mut String, site: &Site, current: Option<usize>) {
    out.push_str("<nav class=\"sidebar\">\n<ul class=\"pages\">\n");
    let class = if current.is_none() {
        " class=\"current\""
    } else {
        ""
    };
    let _ = writeln!(out, "<li{class}><a href=\"index.html\">Index</a></li>");
    for page in site.page_order() {
        let info = &site.pages[page];
        let current = current == Some(page);
        let _ = write!(
            out,
            "<li{}><a href=\"{}.html\">{}</a>",
            if current { " class=\"current\"" } else { "" },
            escape_html(&info.stem),
            escape_html(&info.title)
        );
        if current {
            out.push_str("\n<ul class=\"defs\">\n");
            for item in &info.items {
                if let PageItem::Definition(id) = item {
                    let entity = site.schema.entity(*id);
                    let kind = site.definition(*id).kind;
                    let _ = writeln!(
                        out,
                        "<li><a href=\"#{0}\"><span class=\"dot kind-{1}\" title=\"{1}\"></span>{0}</a></li>",
                        escape_html(&entity.name),
                        kind_class(kind)
                    );
                }
            }
            out.push_str("</ul>\n");
        }
        out.push_str("</li>\n");
    }
    out.push_str("</ul>\n</nav>\n");
}

fn kind_class(kind: &str) -> &str {
    match kind {
        "built-in" => "builtin",
        kind => kind,
    }
}

fn module_page(site: &Site, page: usize) -> String {
    let info = &site.pages[page];
    let module = &site.schema.module(info.module).name;
    let mut main = String::new();
    if page != 0 {
        let _ = writeln!(
            main,
            "<p class=\"module-file\">Module <code>{}</code></p>",
            escape_html(module)
        );
    }
    if !info.starts_with_heading {
        let _ = writeln!(main, "<h1>{}</h1>", escape_html(&info.title));
    }
    if info.items.is_empty() {
        main.push_str("<p class=\"empty\">This module documents nothing.</p>\n");
    }
    for item in &info.items {
        match item {
            PageItem::FreeForm(doc) => {
                main.push_str("<div class=\"freeform\">\n");
                doc_html(&mut main, site, &doc.body().text, None);
                main.push_str("</div>\n");
            }
            PageItem::Definition(id) => definition(&mut main, site, &site.definition(*id)),
            PageItem::Includes(pages) => {
                main.push_str("<nav class=\"includes\">\n<p>Included modules:</p>\n<ul>\n");
                for &included in pages {
                    let target = &site.pages[included];
                    let _ = writeln!(
                        main,
                        "<li><a href=\"{}.html\">{}</a> <code class=\"file\">{}</code></li>",
                        escape_html(&target.stem),
                        escape_html(&target.title),
                        escape_html(&site.schema.module(target.module).name)
                    );
                }
                main.push_str("</ul>\n</nav>\n");
            }
        }
    }
    frame(site, &info.title, Some(page), &main)
}

fn definition(out: &mut String, site: &Site, def: &DefView) {
    let name = escape_html(def.name);
    let kind = kind_class(def.kind);
    let _ = write!(
        out,
        "<section class=\"def def-{kind}\" id=\"{name}\">\n<div class=\"def-head\">\n\
         <h3><a class=\"self\" href=\"#{name}\">{name}</a></h3>\n\
         <span class=\"kind kind-{kind}\">{}</span>\n",
        def.kind
    );
    for status in &def.status {
        out.push_str(&badge(status));
        out.push('\n');
    }
    for flag in &def.flags {
        let _ = writeln!(out, "<span class=\"flag\">{flag}</span>");
    }
    if let Some(cond) = &def.cond {
        out.push_str(&cond_html(cond));
        out.push('\n');
    }
    if let Some(since) = &def.since {
        let resolve = |name: &str| site.resolve(name, Some(def.id)).map(|r| href(site, &r));
        out.push_str("<span class=\"since\">Since ");
        markup::inlines_html(out, &markup::parse_inline(since), &resolve);
        out.push_str("</span>\n");
    }
    out.push_str("</div>\n");
    if let Some(body) = def.body {
        out.push_str("<div class=\"doc\">\n");
        doc_html(out, site, body, Some(def.id));
        out.push_str("</div>\n");
    }
    if let Some(members) = &def.members {
        member_list(out, site, members);
    }
    if !def.features.is_empty() {
        out.push_str("<h4>Features</h4>\n<dl class=\"features\">\n");
        for feature in &def.features {
            let _ = write!(out, "<dt><code>{}</code>", escape_html(feature.name));
            if feature.is_special() {
                let _ = write!(out, " {}", badge(feature.name));
            }
            if let Some(cond) = &feature.cond {
                let _ = write!(out, " {}", cond_html(cond));
            }
            out.push_str("</dt>\n");
            match &feature.doc {
                Some(doc) => {
                    out.push_str("<dd><div class=\"doc\">\n");
                    doc_html(out, site, doc, Some(def.id));
                    out.push_str("</div></dd>\n");
                }
                None => out.push_str("<dd class=\"undocumented\">Not documented</dd>\n"),
            }
        }
        out.push_str("</dl>\n");
    }
    for section in &def.sections {
        match section {
            DocSection::Returns { ty, text } => {
                out.push_str("<h4>Returns</h4>\n");
                if let Some(ty) = ty {
                    let _ = writeln!(out, "<p class=\"returns\">{}</p>", type_link(site, *ty));
                }
                if let Some(text) = text {
                    out.push_str("<div class=\"doc\">\n");
                    doc_html(out, site, text, Some(def.id));
                    out.push_str("</div>\n");
                }
            }
            DocSection::Errors(text) => {
                out.push_str("<h4>Errors</h4>\n<div class=\"doc\">\n");
                doc_html(out, site, text, Some(def.id));
                out.push_str("</div>\n");
            }
            DocSection::Plain(text) => {
                out.push_str("<div class=\"doc\">\n");
                doc_html(out, site, text, Some(def.id));
                out.push_str("</div>\n");
            }
            DocSection::Builtin(json) => {
                let _ = writeln!(
                    out,
                    "<p>Built-in type; on the wire a JSON <code>{json}</code>.</p>"
                );
            }
        }
    }
    out.push_str("</section>\n");
}

fn member_list(out: &mut String, site: &Site, list: &MemberList) {
    if list.members.is_empty() && list.members_of.is_none() && list.branches.is_none() {
        return;
    }
    let _ = writeln!(out, "<h4>{}</h4>", list.title);
    if let Some(of) = list.members_of {
        let _ = writeln!(
            out,
            "<p class=\"members-of\">The members of {}:</p>",
            type_link(site, of)
        );
    }
    if !list.members.is_empty() {
        out.push_str("<dl class=\"members\">\n");
    }
    for member in &list.members {
        let _ = write!(
            out,
            "<dt id=\"{}\"><a class=\"self\" href=\"#{0}\"><code class=\"name\">{}</code></a>",
            escape_html(&member.anchor),
            escape_html(member.name)
        );
        if let Some(ty) = member.ty {
            let _ = write!(
                out,
                "<span class=\"colon\">:</span> {}",
                type_link(site, ty)
            );
        }
        if member.optional {
            out.push_str(" <span class=\"optional\">optional</span>");
        }
        for feature in &member.features {
            if *feature == "deprecated" || *feature == "unstable" {
                let _ = write!(out, " {}", badge(feature));
            } else {
                let _ = write!(
                    out,
                    " <span class=\"flag\">feature {}</span>",
                    escape_html(feature)
                );
            }
        }
        if let Some(cond) = &member.cond {
            let _ = write!(out, " {}", cond_html(cond));
        }
        if let Some(base) = member.inherited_from {
            let _ = write!(
                out,
                " <span class=\"inherited\">from {}</span>",
                type_link(site, base)
            );
        }
        out.push_str("</dt>\n");
        match &member.doc {
            Some(doc) => {
                out.push_str("<dd><div class=\"doc\">\n");
                doc_html(out, site, doc, Some(member.doc_owner));
                out.push_str("</div></dd>\n");
            }
            None => out.push_str("<dd class=\"undocumented\">Not documented</dd>\n"),
        }
    }
    if !list.members.is_empty() {
        out.push_str("</dl>\n");
    }
    if let Some(branches) = &list.branches {
        out.push_str("<dl class=\"branches\">\n");
        for branch in &branches.branches {
            let value = match branches
                .tag_type
                .and_then(|t| site.page_of(t).map(|p| (t, p)))
            {
                Some((tag_type, page)) => {
                    let anchor =
                        super::member_anchor(&site.schema.entity(tag_type).name, branch.value);
                    format!(
                        "<a href=\"{}\"><code>{}</code></a>",
                        escape_html(&href(site, &Reference::Anchor(page, anchor))),
                        escape_html(branch.value)
                    )
                }
                None => format!("<code>{}</code>", escape_html(branch.value)),
            };
            let _ = write!(
                out,
                "<dt>When <code>{}</code> is {value}",
                escape_html(branches.tag)
            );
            if let Some(cond) = &branch.cond {
                let _ = write!(out, " {}", cond_html(cond));
            }
            let _ = writeln!(
                out,
                "</dt>\n<dd>The members of {}</dd>",
                type_link(site, branch.ty)
            );
        }
        out.push_str("</dl>\n");
    }
}

fn index_page(site: &Site) -> String {
    let mut main = String::new();
    let _ = writeln!(main, "<h1>{TITLE}</h1>");
    main.push_str("<h2 id=\"modules\">Modules</h2>\n<table class=\"modules\">\n<tr><th>Module</th><th>File</th><th>Commands</th><th>Events</th><th>Types</th></tr>\n");
    for page in site.page_order() {
        let info = &site.pages[page];
        let (mut commands, mut events, mut types) = (0, 0, 0);
        for item in &info.items {
            if let PageItem::Definition(id) = item {
                match site.definition(*id).kind {
                    "command" => commands += 1,
                    "event" => events += 1,
                    _ => types += 1,
                }
            }
        }
        let _ = writeln!(
            main,
            "<tr><td><a href=\"{}.html\">{}</a></td><td><code>{}</code></td>\
             <td class=\"num\">{commands}</td><td class=\"num\">{events}</td><td class=\"num\">{types}</td></tr>",
            escape_html(&info.stem),
            escape_html(&info.title),
            escape_html(&site.schema.module(info.module).name)
        );
    }
    main.push_str("</table>\n");
    let entries = site.index(false);
    let mut groups: Vec<(String, Vec<&super::IndexEntry>)> = Vec::new();
    for entry in &entries {
        let letter = index_letter(&entry.name);
        match groups.last_mut() {
            Some((last, group)) if *last == letter => group.push(entry),
            _ => groups.push((letter, vec![entry])),
        }
    }
    let _ = writeln!(
        main,
        "<h2 id=\"{INDEX_REFERENCE}\">Index of names</h2>\n<p class=\"letters\">"
    );
    for (letter, _) in &groups {
        let _ = write!(
            main,
            "<a href=\"#letter-{0}\">{0}</a> ",
            escape_html(letter)
        );
    }
    main.push_str("</p>\n");
    for (letter, group) in &groups {
        let _ = writeln!(
            main,
            "<h3 id=\"letter-{0}\">{0}</h3>\n<ul class=\"name-index\">",
            escape_html(letter)
        );
        for entry in group {
            let page = &site.pages[entry.page];
            let _ =
                writeln!(
                main,
                "<li><a href=\"{}\"><code>{}</code></a> <span class=\"kind kind-{}\">{}</span> \
                 <span class=\"where\">{}</span></li>",
                escape_html(&href(site, &Reference::Anchor(entry.page, entry.anchor.clone()))),
                escape_html(&entry.name),
                kind_class(&entry.kind),
                escape_html(&entry.kind),
                escape_html(&page.title)
            );
        }
        main.push_str("</ul>\n");
    }
    frame(site, "Index", None, &main)
}

/// The index group of a name: its first letter, or `_` for names that
/// start otherwise (`__com.example_...`).
fn index_letter(name: &str) -> String {
    match name.chars().next() {
        Some(c) if c.is_ascii_alphabetic() => c.to_ascii_uppercase().to_string(),
        _ => "_".to_string(),
    }
}

/// `search-index.js`: the page list and every name, definitions and
/// members, as `[name, kind, page, anchor]` (anchor `0`: the name).
fn search_index(site: &Site) -> String {
    let mut out = String::from("window.QAPI_SEARCH_INDEX = {\"pages\": [");
    for (n, page) in site.pages.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        out.push_str(&js_string(&format!("{}.html", page.stem)));
    }
    out.push_str("],\n\"entries\": [\n");
    for (n, entry) in site.index(true).iter().enumerate() {
        if n > 0 {
            out.push_str(",\n");
        }
        let anchor = if entry.anchor == entry.name {
            "0".to_string()
        } else {
            js_string(&entry.anchor)
        };
        let _ = write!(
            out,
            "[{},{},{},{anchor}]",
            js_string(&entry.name),
            js_string(&entry.kind),
            entry.page
        );
    }
    out.push_str("\n]};\n");
    out
}

/// A JSON/JavaScript string literal.
fn js_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '<' => out.push_str("\\u003c"),
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
