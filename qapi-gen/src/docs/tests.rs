//! Tests of what the documentation shows, on small schemas.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};

use super::*;
use crate::parse::{parse_str, FileLoader};

struct Files(HashMap<PathBuf, String>);

impl FileLoader for Files {
    fn load(&self, path: &Path) -> io::Result<Vec<u8>> {
        self.0
            .get(path)
            .map(|text| text.as_bytes().to_vec())
            .ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))
    }
}

/// `dir/root.json` with `others` in `dir/`.
fn build(root: &str, others: &[(&str, &str)]) -> Schema {
    let files = Files(
        others
            .iter()
            .map(|(name, text)| (PathBuf::from(format!("dir/{name}")), text.to_string()))
            .collect(),
    );
    let parsed = parse_str("dir/root.json", root, &files).expect("test schema parses");
    Schema::build(parsed).unwrap_or_else(|diags| panic!("{diags}"))
}

const ROOT: &str = r#"
{ 'pragma': { 'documentation-exceptions': [ 'make' ] } }

##
# = Test protocol
#
# Intro with @Thing.
##

{ 'include': 'sub.json' }

##
# @Kind:
#
# Kinds.
#
# @one: the first
#
# @two: the second
#
# Since: 1.0
##
{ 'enum': 'Kind', 'data': [ 'one', { 'name': 'two', 'if': 'CONFIG_TWO' } ] }

##
# @Base:
#
# @kind: which kind
##
{ 'struct': 'Base', 'data': { 'kind': 'Kind' } }

##
# @Thing:
#
# A thing; see @kind and @Base.
#
# Features:
#
# @fancy: uses @kind
##
{ 'union': 'Thing', 'base': 'Base', 'discriminator': 'kind',
  'data': { 'one': 'One', 'two': 'Two' },
  'features': [ 'fancy' ] }

##
# @make:
#
# Make one.
#
# @name: its name
#
# Returns: the thing
#
# Errors:
#     - If it fails, GenericError
#
# Features:
#
# @unstable: experimental
#
# TODO: nothing
##
{ 'command': 'make', 'data': { 'name': 'str', '*extra': ['int'] },
  'features': [ 'unstable' ],
  'returns': 'Thing', 'allow-oob': true, 'if': { 'all': [ 'A', { 'not': 'B' } ] } }

##
# @make-boxed:
#
# Make from a thing.
##
{ 'command': 'make-boxed', 'data': 'Thing', 'boxed': true }
"#;

const SUB: &str = r#"
##
# == Sub part
##

##
# @One:
#
# @size: its size
##
{ 'struct': 'One', 'data': { 'size': 'int' } }

##
# @Two:
#
# @old: the old way
#
# Features:
#
# @deprecated: @old is old
##
{ 'struct': 'Two', 'data': { 'old': { 'type': 'str', 'features': [ 'deprecated' ] } } }
"#;

fn schema() -> Schema {
    build(ROOT, &[("sub.json", SUB)])
}

fn id(schema: &Schema, name: &str) -> EntityId {
    schema.lookup(name).expect(name)
}

#[test]
fn pages_follow_modules() {
    let schema = schema();
    let site = Site::new(&schema);
    let stems: Vec<&str> = site
        .page_order()
        .map(|p| site.pages[p].stem.as_str())
        .collect();
    assert_eq!(stems, ["root", "sub", "builtin"]);
    let titles: Vec<&str> = site
        .page_order()
        .map(|p| site.pages[p].title.as_str())
        .collect();
    assert_eq!(titles, ["Test protocol", "Sub part", "Built-in types"]);
    // The root page: its heading, the include, then its definitions.
    let root = &site.pages[1];
    assert!(root.starts_with_heading);
    assert!(matches!(root.items[0], PageItem::FreeForm(_)));
    assert!(matches!(&root.items[1], PageItem::Includes(pages) if pages == &[2]));
    let names: Vec<&str> = root
        .items
        .iter()
        .filter_map(|item| match item {
            PageItem::Definition(id) => Some(schema.entity(*id).name.as_str()),
            _ => None,
        })
        .collect();
    // Implicit types (the command's arguments) have no section.
    assert_eq!(names, ["Kind", "Base", "Thing", "make", "make-boxed"]);
    assert_eq!(site.page_of(id(&schema, "One")), Some(2));
    assert_eq!(site.page_of(id(&schema, "int")), Some(0));
    // An array is shown with its element, an implicit type with its owner.
    assert_eq!(site.page_of(id(&schema, "intList")), Some(0));
    assert_eq!(site.page_of(id(&schema, "q_obj_make-arg")), Some(1));
}

#[test]
fn references_prefer_members_then_definitions() {
    let schema = schema();
    let site = Site::new(&schema);
    let thing = Some(id(&schema, "Thing"));
    assert_eq!(
        site.resolve("kind", thing),
        Some(Reference::Anchor(1, "Thing:kind".into()))
    );
    assert_eq!(
        site.resolve("Base", thing),
        Some(Reference::Anchor(1, "Base".into()))
    );
    assert_eq!(
        site.resolve("One", None),
        Some(Reference::Anchor(2, "One".into()))
    );
    // A command's arguments, also when boxed.
    assert_eq!(
        site.resolve("name", Some(id(&schema, "make"))),
        Some(Reference::Anchor(1, "make:name".into()))
    );
    assert_eq!(
        site.resolve("kind", Some(id(&schema, "make-boxed"))),
        Some(Reference::Anchor(1, "make-boxed:kind".into()))
    );
    assert_eq!(site.resolve("nothing", thing), None);
    assert_eq!(site.resolve(INDEX_REFERENCE, None), Some(Reference::Index));
}

#[test]
fn union_view() {
    let schema = schema();
    let site = Site::new(&schema);
    let view = site.definition(id(&schema, "Thing"));
    assert_eq!(view.kind, "union");
    assert!(view.status.is_empty());
    let members = view.members.expect("members");
    assert_eq!(members.title, "Members");
    // The base's member, from the base's doc.
    assert_eq!(members.members.len(), 1);
    let kind = &members.members[0];
    assert_eq!((kind.name, kind.anchor.as_str()), ("kind", "Thing:kind"));
    assert_eq!(kind.inherited_from, Some(id(&schema, "Base")));
    assert_eq!(kind.doc.as_deref(), Some("which kind"));
    assert_eq!(kind.doc_owner, id(&schema, "Base"));
    let branches = members.branches.expect("branches");
    assert_eq!(branches.tag, "kind");
    let values: Vec<(&str, &str)> = branches
        .branches
        .iter()
        .map(|b| (b.value, schema.entity(b.ty).name.as_str()))
        .collect();
    assert_eq!(values, [("one", "One"), ("two", "Two")]);
    assert_eq!(view.features.len(), 1);
    assert_eq!(view.features[0].name, "fancy");
    assert_eq!(view.features[0].doc.as_deref(), Some("uses @kind"));
}

#[test]
fn command_view() {
    let schema = schema();
    let site = Site::new(&schema);
    let view = site.definition(id(&schema, "make"));
    assert_eq!(view.cond.as_deref(), Some("A and not B"));
    assert_eq!(view.flags, ["allow-oob"]);
    assert_eq!(view.status, ["unstable"]);
    let args = view.members.expect("arguments");
    assert_eq!(args.title, "Arguments");
    assert_eq!(args.members_of, None);
    let shown: Vec<(&str, bool, Option<String>)> = args
        .members
        .iter()
        .map(|m| (m.name, m.optional, m.ty.map(|t| site.type_label(t).0)))
        .collect();
    assert_eq!(
        shown,
        [
            ("name", false, Some("str".into())),
            ("extra", true, Some("[int]".into()))
        ]
    );
    // The implicit argument type's members are documented by the command.
    assert_eq!(args.members[0].inherited_from, None);
    assert_eq!(args.members[1].doc, None);
    // Returns and Errors, no TODO.
    assert!(matches!(&view.sections[0],
        DocSection::Returns { ty: Some(t), text: Some(text) }
            if *t == id(&schema, "Thing") && text == "the thing"));
    assert!(matches!(&view.sections[1],
        DocSection::Errors(text) if text == "- If it fails, GenericError"));
    assert_eq!(view.sections.len(), 2);

    // Boxed: the members of the named type, documented by their types.
    let boxed = site.definition(id(&schema, "make-boxed"));
    let args = boxed.members.expect("arguments");
    assert_eq!(args.members_of, Some(id(&schema, "Thing")));
    assert_eq!(args.members[0].inherited_from, Some(id(&schema, "Base")));
}

#[test]
fn enum_view() {
    let schema = schema();
    let site = Site::new(&schema);
    let view = site.definition(id(&schema, "Kind"));
    assert_eq!(view.since.as_deref(), Some("1.0"));
    let values = view.members.expect("values");
    assert_eq!(values.title, "Values");
    assert_eq!(values.members[1].cond.as_deref(), Some("CONFIG_TWO"));
    assert_eq!(values.members[1].doc.as_deref(), Some("the second"));
}

#[test]
fn member_features() {
    let schema = schema();
    let site = Site::new(&schema);
    let view = site.definition(id(&schema, "Two"));
    assert_eq!(
        view.members.expect("members").members[0].features,
        ["deprecated"]
    );
}

#[test]
fn conditions_read_naturally() {
    let name = |n: &str| Cond::Name(n.into());
    let cond = Cond::Any(vec![
        Cond::All(vec![name("A"), name("B")]),
        Cond::Not(Box::new(Cond::Any(vec![name("C"), name("D")]))),
    ]);
    assert_eq!(cond_text(&cond), "(A and B) or not (C or D)");
}

#[test]
fn html_and_markdown_link_the_same_places() {
    let schema = schema();
    let html = generate(&schema, Format::Html);
    let names: Vec<&str> = html.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "style.css",
            "search.js",
            "search-index.js",
            "index.html",
            "root.html",
            "sub.html",
            "builtin.html"
        ]
    );
    let root = &html[4].contents;
    assert!(root.contains("<h1>Test protocol</h1>"), "{root}");
    assert!(
        root.contains(
            "<p>A thing; see <a class=\"ref\" href=\"root.html#Thing:kind\"><code>kind</code></a> \
         and <a class=\"ref\" href=\"root.html#Base\"><code>Base</code></a>.</p>"
        ),
        "{root}"
    );
    assert!(root.contains("<span class=\"cond\" title=\"Only when the condition holds\">if <code>A and not B</code></span>"));
    assert!(root.contains("<dt>When <code>kind</code> is <a href=\"root.html#Kind:one\"><code>one</code></a></dt>\n<dd>The members of <a class=\"type\" href=\"sub.html#One\"><code>One</code></a></dd>"), "{root}");
    let index = &html[2].contents;
    assert!(index.contains("[\"make\",\"command\",1,0]"), "{index}");
    assert!(
        index.contains("[\"name\",\"argument of make\",1,\"make:name\"]"),
        "{index}"
    );

    let markdown = generate(&schema, Format::Markdown);
    let root = &markdown[1].contents;
    assert_eq!(markdown[1].name, "root.md");
    assert!(
        root.starts_with("*Module `root.json`* · [Index](index.md)\n\n# Test protocol\n"),
        "{root}"
    );
    assert!(
        root.contains(
            "- When `kind` is [`one`](root.md#Kind:one): the members of [`One`](sub.md#One)"
        ),
        "{root}"
    );
    assert!(
        root.contains("**Returns** [`Thing`](root.md#Thing)\n\nthe thing"),
        "{root}"
    );
}

/// An undocumented return value: under QEMU 10.1's rules where QEMU's stub
/// `Returns` section puts it (here before `Errors`, after the text before
/// it); under 10.0's, first.
#[test]
fn undocumented_return_value() {
    let text = "{ 'struct': 'Out', 'data': {} }\n\
                ##\n# @run:\n#\n# Runs.\n#\n# Since: 1.0\n#\n# .. note:: Fast.\n#\n\
                # Errors: never\n##\n{ 'command': 'run', 'returns': 'Out' }\n";
    let kinds = |rules: crate::rules::Rules| {
        let options = crate::parse::LoadOptions {
            rules,
            doc_mode: crate::parse::DocMode::Strict,
        };
        let parsed =
            crate::parse::parse_str_with("dir/root.json", text, &Files(HashMap::new()), options)
                .expect("parses");
        let schema = Schema::build(parsed).unwrap_or_else(|diags| panic!("{diags}"));
        let site = Site::new(&schema);
        let view = site.definition(id(&schema, "run"));
        view.sections
            .iter()
            .map(|section| match section {
                DocSection::Returns { text: None, .. } => "returns",
                DocSection::Returns { .. } => "returns with text",
                DocSection::Errors(_) => "errors",
                DocSection::Plain(_) => "plain",
                DocSection::Builtin(_) => "builtin",
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        kinds(crate::rules::Rules::V10_2),
        ["plain", "returns", "errors"]
    );
    assert_eq!(
        kinds(crate::rules::Rules::V10_0),
        ["returns", "plain", "errors"]
    );
}
