use super::*;

/// Links `@known` and `@Known` (as a test schema would) and nothing else.
fn resolve(name: &str) -> Option<String> {
    matches!(name, "known" | "Known").then(|| format!("page.html#{name}"))
}

fn html(text: &str) -> String {
    to_html(text, &resolve)
}

fn md(text: &str) -> String {
    to_markdown(text, &resolve)
}

fn txt(s: &str) -> Inline {
    Inline::Text(s.to_string())
}

#[test]
fn paragraphs_join_lines_and_split_on_blank_lines() {
    assert_eq!(
        parse("one\ntwo\n\nthree"),
        vec![
            Block::Paragraph(vec![txt("one two")]),
            Block::Paragraph(vec![txt("three")]),
        ]
    );
    assert_eq!(html("one\ntwo\n\nthree"), "<p>one two</p>\n<p>three</p>\n");
    assert_eq!(md("one\ntwo\n\nthree"), "one two\n\nthree");
}

#[test]
fn inline_literal() {
    assert_eq!(
        parse_inline("use ``-cpu help`` here"),
        vec![
            txt("use "),
            Inline::Literal("-cpu help".into()),
            txt(" here")
        ]
    );
    assert_eq!(
        html("``<a & b>``"),
        "<p><code>&lt;a &amp; b&gt;</code></p>\n"
    );
    assert_eq!(md("``a`b``"), "``a`b``");
    assert_eq!(md("``*x*``"), "`*x*`");
    // Unterminated: kept as text.
    assert_eq!(parse_inline("``open"), vec![txt("``open")]);
}

#[test]
fn emphasis_and_strong() {
    assert_eq!(
        parse_inline("an *internal* and **strong** word"),
        vec![
            txt("an "),
            Inline::Emphasis("internal".into()),
            txt(" and "),
            Inline::Strong("strong".into()),
            txt(" word"),
        ]
    );
    assert_eq!(html("*a* **b**"), "<p><em>a</em> <strong>b</strong></p>\n");
    assert_eq!(md("*a* **b**"), "*a* **b**");
    // Not markup: a lone star, stars inside words, a space after the star.
    for plain in ["2 * 3", "a*b*c", "* not emphasis*", "x \\*-softmmu"] {
        let inlines = parse_inline(plain);
        assert!(
            inlines.iter().all(|i| matches!(i, Inline::Text(_))),
            "{plain}: {inlines:?}"
        );
    }
    assert_eq!(parse_inline("\\*-softmmu"), vec![txt("*-softmmu")]);
    assert_eq!(md("a * b"), "a \\* b");
}

#[test]
fn at_references_link_when_they_resolve() {
    assert_eq!(
        html("see @known and @unknown."),
        "<p>see <a class=\"ref\" href=\"page.html#known\"><code>known</code></a> \
         and <code>unknown</code>.</p>\n"
    );
    assert_eq!(
        md("see @known and @unknown."),
        "see [`known`](page.html#known) and `unknown`."
    );
    // Names with dashes and underscores; not e-mail addresses.
    assert_eq!(
        parse_inline("@node-name_x, user@example.com"),
        vec![Inline::Ref("node-name_x".into()), txt(", user@example.com")]
    );
}

#[test]
fn backquoted_references_and_roles() {
    assert_eq!(
        parse_inline("the `Known` type"),
        vec![txt("the "), Inline::Ref("Known".into()), txt(" type")]
    );
    assert_eq!(
        parse_inline(":doc:`QMP spec </interop/qmp-spec>` and :ref:`label`"),
        vec![
            Inline::Cite("QMP spec".into()),
            txt(" and "),
            Inline::Cite("label".into()),
        ]
    );
    assert_eq!(
        parse_inline(":qapi:type:`Known` and :literal:`x`"),
        vec![
            Inline::Ref("Known".into()),
            txt(" and "),
            Inline::Literal("x".into()),
        ]
    );
    assert_eq!(html(":doc:`QMP <x>`"), "<p><cite>QMP</cite></p>\n");
    // A title of its own: shown, linking to the target.
    assert_eq!(
        parse_inline("`query-cpus[].props <query-cpus>`"),
        vec![Inline::TitledRef {
            title: "query-cpus[].props".into(),
            target: "query-cpus".into()
        }]
    );
    assert_eq!(
        html("`x[].y <Known>`"),
        "<p><a class=\"ref\" href=\"page.html#Known\"><code>x[].y</code></a></p>\n"
    );
    assert_eq!(md("`x[].y <Known>`"), "[`x[].y`](page.html#Known)");
    assert_eq!(md("`x[].y <Other>`"), "`x[].y`");
}

#[test]
fn urls() {
    assert_eq!(
        parse_inline("see https://example.com/a_(b). Done"),
        vec![
            txt("see "),
            Inline::Url {
                text: "https://example.com/a_(b)".into(),
                url: "https://example.com/a_(b)".into()
            },
            txt(". Done"),
        ]
    );
    assert_eq!(
        html("<http://zlib.net/>"),
        "<p>&lt;<a class=\"external\" href=\"http://zlib.net/\">http://zlib.net/</a>&gt;</p>\n"
    );
    assert_eq!(md("`QEMU <https://qemu.org>`_"), "[QEMU](https://qemu.org)");
    // Only web links become links.
    assert_eq!(parse_inline("`x <javascript:alert(1)>`_"), vec![txt("x")]);
    assert_eq!(md("go to http://a.b/c"), "go to <http://a.b/c>");
}

#[test]
fn html_escapes_everything() {
    assert_eq!(
        html("a < b & c > \"d\" 'e'"),
        "<p>a &lt; b &amp; c &gt; &quot;d&quot; &#39;e&#39;</p>\n"
    );
    assert_eq!(
        html("::\n\n    <script>alert(1)</script>"),
        "<pre class=\"literal\">&lt;script&gt;alert(1)&lt;/script&gt;</pre>\n"
    );
    assert_eq!(
        html(".. admonition:: <b>\n\n   x"),
        "<div class=\"admonition admonition\">\n<p class=\"admonition-title\">&lt;b&gt;</p>\n\
         <p>x</p>\n</div>\n"
    );
    let escaped = |name: &str| Some(format!("a.html#{name}\"><script>"));
    assert_eq!(
        to_html("@x", &escaped),
        "<p><a class=\"ref\" href=\"a.html#x&quot;&gt;&lt;script&gt;\"><code>x</code></a></p>\n"
    );
}

#[test]
fn markdown_escapes_everything() {
    assert_eq!(
        md("a_b [c] <d> #e |f| `g"),
        "a\\_b \\[c\\] \\<d\\> \\#e \\|f\\| \\`g"
    );
    // A paragraph that would start a list or heading.
    assert_eq!(md("\\- not a list"), "\\- not a list");
    assert_eq!(escape_line_start("2024. A".into()), "2024\\. A");
    assert_eq!(escape_line_start("2) A".into()), "2\\) A");
    assert_eq!(escape_line_start("=".into()), "\\=");
    assert_eq!(md("\\+ x"), "\\+ x");
}

#[test]
fn bullet_lists_nested_and_multi_line() {
    let text =
        "Intro:\n\n- one\n  continued\n- two\n\n  - nested\n  - nested 2\n\n- three\n\nAfter.";
    let blocks = parse(text);
    assert_eq!(blocks.len(), 3, "{blocks:?}");
    let Block::List { start: None, items } = &blocks[1] else {
        panic!("{blocks:?}")
    };
    assert_eq!(items.len(), 3);
    assert_eq!(
        items[0],
        vec![Block::Paragraph(vec![Inline::Text("one continued".into())])]
    );
    assert!(matches!(items[1][1], Block::List { start: None, .. }));
    assert_eq!(
        html("- a\n- *b*"),
        "<ul>\n<li>a</li>\n<li><em>b</em></li>\n</ul>\n"
    );
    assert_eq!(
        md("- one\n  more\n- two\n\n  - nested"),
        "- one more\n- two\n\n  - nested"
    );
    // Continuation lines indented deeper than the text.
    assert_eq!(
        parse("- If @known is bad,\n    GenericError"),
        vec![Block::List {
            start: None,
            items: vec![vec![Block::Paragraph(vec![
                Inline::Text("If ".into()),
                Inline::Ref("known".into()),
                Inline::Text(" is bad, GenericError".into())
            ])]]
        }]
    );
    // `*` bullets too.
    assert!(
        matches!(parse("* a\n* b")[0], Block::List { start: None, ref items } if items.len() == 2)
    );
}

#[test]
fn enumerated_lists() {
    let blocks = parse("3. three\n4. four\n   more\n\n#. auto");
    let Block::List {
        start: Some(3),
        items,
    } = &blocks[0]
    else {
        panic!("{blocks:?}")
    };
    assert_eq!(items.len(), 3);
    assert_eq!(html("1. a\n2. b"), "<ol>\n<li>a</li>\n<li>b</li>\n</ol>\n");
    assert_eq!(html("2) a"), "<ol start=\"2\">\n<li>a</li>\n</ol>\n");
    assert_eq!(md("1. a\n\n2. b\n   c"), "1. a\n2. b c");
    // A version number is not an enumerator.
    assert!(matches!(parse("2.9 added")[0], Block::Paragraph(_)));
}

#[test]
fn admonitions() {
    let blocks = parse(".. note:: This is\n   a note.\n\n   Second para.\n\nAfter.");
    assert_eq!(
        blocks[0],
        Block::Admonition {
            kind: "note".into(),
            title: vec![txt("Note")],
            body: vec![
                Block::Paragraph(vec![txt("This is a note.")]),
                Block::Paragraph(vec![txt("Second para.")]),
            ]
        }
    );
    assert_eq!(blocks[1], Block::Paragraph(vec![txt("After.")]));
    assert_eq!(
        html(".. warning:: Careful."),
        "<div class=\"admonition warning\">\n<p class=\"admonition-title\">Warning</p>\n\
         <p>Careful.</p>\n</div>\n"
    );
    let blocks = parse(".. admonition:: Notes\n\n    1. one\n\n    2. two");
    let Block::Admonition { kind, title, body } = &blocks[0] else {
        panic!("{blocks:?}")
    };
    assert_eq!((kind.as_str(), title), ("admonition", &vec![txt("Notes")]));
    assert!(matches!(&body[0], Block::List { start: Some(1), items } if items.len() == 2));
    assert_eq!(md(".. note:: A\n   *b*."), "> **Note**\n>\n> A *b*.");
    // Unknown directives keep their content; comments vanish.
    let blocks = parse(".. frobnicate:: x\n\n   body\n\n.. a comment\n   more comment\n\nEnd.");
    assert_eq!(blocks.len(), 2, "{blocks:?}");
    assert!(matches!(&blocks[0], Block::Admonition { kind, .. } if kind == "directive"));
}

#[test]
fn literal_blocks() {
    assert_eq!(
        parse("Looks like::\n\n    a  b\n      c\n\nAfter"),
        vec![
            Block::Paragraph(vec![txt("Looks like:")]),
            Block::Literal {
                lang: None,
                text: "a  b\n  c".into()
            },
            Block::Paragraph(vec![txt("After")]),
        ]
    );
    // `text ::` and a lone `::` leave no colon.
    assert_eq!(
        parse("text ::\n\n  x")[0],
        Block::Paragraph(vec![txt("text")])
    );
    assert!(matches!(parse("::\n\n  x")[0], Block::Literal { .. }));
    assert_eq!(
        md("Code::\n\n    ```x```"),
        "Code:\n\n````text\n```x```\n````"
    );
    assert_eq!(
        parse(".. code-block:: json\n\n   { \"a\": 1 }"),
        vec![Block::Literal {
            lang: Some("json".into()),
            text: "{ \"a\": 1 }".into()
        }]
    );
    assert_eq!(md(".. code-block:: json\n\n   {}"), "```json\n{}\n```");
    // Never a language rustdoc would compile.
    assert_eq!(
        md(".. code-block:: rust\n\n   fn x() {}"),
        "```text\nfn x() {}\n```"
    );
}

#[test]
fn qmp_examples() {
    let text = ".. qmp-example::\n   :title: Add it\n\n   -> { \"execute\": \"x\",\n        \"arguments\": {} }\n   <- { \"return\": {} }";
    let blocks = parse(text);
    assert_eq!(
        blocks,
        vec![Block::Example {
            title: Some(vec![Inline::Text("Add it".into())]),
            body: vec![Block::Qmp(vec![
                QmpMessage {
                    direction: Direction::Request,
                    text: "-> { \"execute\": \"x\",\n     \"arguments\": {} }".into()
                },
                QmpMessage {
                    direction: Direction::Reply,
                    text: "<- { \"return\": {} }".into()
                },
            ])]
        }]
    );
    assert_eq!(
        to_html(text, &resolve),
        "<div class=\"example\">\n<p class=\"example-title\">Example: Add it</p>\n\
         <pre class=\"qmp\"><span class=\"qmp-request\">-&gt; { &quot;execute&quot;: &quot;x&quot;,\n     \
         &quot;arguments&quot;: {} }</span>\n<span class=\"qmp-reply\">&lt;- { &quot;return&quot;: {} }</span></pre>\n</div>\n"
    );
    assert_eq!(
        md(text),
        "**Example: Add it**\n\n```text\n-> { \"execute\": \"x\",\n     \"arguments\": {} }\n<- { \"return\": {} }\n```"
    );
    // Annotated: text, then a literal block that is a transcript.
    let annotated = ".. qmp-example::\n   :annotated:\n\n   Remove it::\n\n    -> { \"execute\": \"y\" }\n    <- { \"return\": {} }";
    let Block::Example { title: None, body } = &parse(annotated)[0] else {
        panic!()
    };
    assert_eq!(body[0], Block::Paragraph(vec![txt("Remove it:")]));
    assert!(matches!(&body[1], Block::Qmp(messages) if messages.len() == 2));
    // Exchanges separated by a blank line stay apart.
    let Block::Qmp(messages) = &parse("::\n\n  -> a\n     b\n  <- c\n\n  -> d")[0] else {
        panic!()
    };
    let texts: Vec<&str> = messages.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts, ["-> a\n   b", "<- c", "", "-> d"]);
}

#[test]
fn headings_only_at_top_level() {
    assert_eq!(
        parse("= Title\n\nText"),
        vec![
            Block::Heading {
                level: 1,
                content: vec![txt("Title")]
            },
            Block::Paragraph(vec![txt("Text")]),
        ]
    );
    assert_eq!(
        parse("== Sub *x*")[0],
        Block::Heading {
            level: 2,
            content: vec![txt("Sub "), Inline::Emphasis("x".into())]
        }
    );
    assert_eq!(html("== Sub"), "<h2>Sub</h2>\n");
    assert_eq!(md("= A <b>"), "# A \\<b\\>");
    // Inside a note it is text.
    let Block::Admonition { body, .. } = &parse(".. note::\n\n   = not a heading")[0] else {
        panic!()
    };
    assert!(matches!(body[0], Block::Paragraph(_)));
}

#[test]
fn rst_headings() {
    let heading = |level, text: &str| Block::Heading {
        level,
        content: vec![txt(text)],
    };
    // QEMU's convention: `*` over and under, then `=`, `_`, `^`, `"`.
    assert_eq!(
        parse("*****\nTitle\n*****\n\nText\n\nSection\n=======\n\nSub\n___\n\nX\n^\n\nY\n\"\"\"\""),
        vec![
            heading(1, "Title"),
            Block::Paragraph(vec![txt("Text")]),
            heading(2, "Section"),
            heading(3, "Sub"),
            heading(4, "X"),
            heading(5, "Y"),
        ]
    );
    // An inset title; a long adornment; text right after the underline.
    assert_eq!(
        parse("  ######\n  Inset\n  ######"),
        vec![Block::Quote(vec![Block::Paragraph(vec![txt(
            "###### Inset ######"
        )])])]
    );
    assert_eq!(parse("####\n  Inset  \n####")[0], heading(1, "Inset"));
    assert_eq!(
        parse("A title\n-----------------\nText"),
        vec![heading(3, "A title"), Block::Paragraph(vec![txt("Text")])]
    );
    // Shorter than the title: a heading from four characters on.
    assert_eq!(parse("Long title\n~~~~")[0], heading(4, "Long title"));
    assert!(matches!(parse("Long title\n~~~")[0], Block::Paragraph(_)));
    // Over- and underline must match.
    assert!(matches!(
        parse("*****\nTitle\n=====")[0],
        Block::Paragraph(_)
    ));
    // A table border is no adornment; a list item is no title.
    assert!(matches!(parse("Text\n===  ===")[0], Block::Paragraph(_)));
    assert!(matches!(parse("- item\n------")[0], Block::List { .. }));
    // Inside a note, not a heading.
    let Block::Admonition { body, .. } = &parse(".. note::\n\n   Title\n   =====")[0] else {
        panic!()
    };
    assert!(matches!(body[0], Block::Paragraph(_)));
    // Nothing of the markup is printed.
    assert_eq!(
        html("Block core (VM unrelated)\n========================="),
        "<h2>Block core (VM unrelated)</h2>\n"
    );
    assert_eq!(md("*****\nIntro\n*****\n\nText."), "# Intro\n\nText.");
}

#[test]
fn simple_tables() {
    let text = ".. table:: Combinations\n   :widths: auto\n\n   ======  =====\n   remote  okay?\n   ======  =====\n   absent  no\n   fd      *yes*\n   ======  =====";
    let Block::Table { title, head, rows } = &parse(text)[0] else {
        panic!("{:?}", parse(text))
    };
    assert_eq!(title, &Some(vec![Inline::Text("Combinations".into())]));
    assert_eq!(head.len(), 1);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1][1], vec![Inline::Emphasis("yes".into())]);
    let html = to_html(text, &resolve);
    assert!(html.contains("<caption>Combinations</caption>"), "{html}");
    assert!(
        html.contains("<tr><th>remote</th><th>okay?</th></tr>"),
        "{html}"
    );
    assert_eq!(
        md(text),
        "**Combinations**\n\n| remote | okay? |\n| --- | --- |\n| absent | no |\n| fd | *yes* |"
    );
}

#[test]
fn definition_lists_and_quotes() {
    assert_eq!(
        parse("term\n    its definition\n\n  quoted"),
        vec![
            Block::Definitions(vec![(
                vec![txt("term")],
                vec![Block::Paragraph(vec![txt("its definition")])]
            )]),
            Block::Quote(vec![Block::Paragraph(vec![txt("quoted")])]),
        ]
    );
    assert_eq!(md("  quoted\n\n  more"), "> quoted\n>\n> more");
}

#[test]
fn section_source_dedents_descriptions() {
    use crate::diag::{FileId, Span};
    let section = |kind, text: &str| Section {
        kind,
        name: None,
        text: text.to_string(),
        span: Span::new(FileId(0), 0, 0),
        connected: true,
        stub: false,
    };
    // Text on the tag's line: the continuation is dedented.
    let s = section(SectionKind::Member, "first\n    second\n\n    - item");
    assert_eq!(section_source(&s), "first\nsecond\n\n- item");
    // Text from the next line: everything is dedented.
    let s = section(SectionKind::Member, "    - a\n    - b");
    assert_eq!(section_source(&s), "- a\n- b");
    // Plain sections are kept.
    let s = section(SectionKind::Plain, "text::\n\n    literal");
    assert_eq!(section_source(&s), "text::\n\n    literal");
}

#[test]
fn deep_nesting_and_odd_input_do_not_panic() {
    let deep = "- ".repeat(2000) + "x";
    let _ = to_html(&deep, &resolve);
    let _ = to_markdown(&deep, &resolve);
    let quotes: String = (0..500).map(|n| " ".repeat(n) + "x\n\n").collect();
    let _ = to_html(&quotes, &resolve);
    for odd in [
        "",
        "``",
        "`",
        "*",
        "**",
        ":",
        "::",
        ".. ",
        "..",
        "@",
        "\\",
        "=",
        "= ",
        "- ",
        "1.",
        "(1)",
        "é*é*",
        "ü``ü``",
        "======\n",
        "====  ==\nx\n",
        ".. table::\n\n   ==\n",
        "\t- tab\n\t  x",
        "https://",
        ":a:`",
        ".. qmp-example::\n   :annotated:",
    ] {
        let _ = to_html(odd, &resolve);
        let _ = to_markdown(odd, &resolve);
    }
}

#[test]
fn unterminated_markup_is_not_rescanned() {
    // Each of these would take minutes if every start searched the rest
    // of the text for its end.
    let started = std::time::Instant::now();
    for unit in ["``a ", "*a ", "**a ", "`a ", ":a:", "(https://x", "@a@"] {
        let text = unit.repeat(200_000 / unit.len());
        let inlines = parse_inline(&text);
        assert!(!inlines.is_empty());
    }
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
}
