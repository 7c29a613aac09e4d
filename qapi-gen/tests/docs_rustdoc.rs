//! `markup::to_markdown` output is clean rustdoc: every doc text of
//! QEMU's real schemas (10.0.0's and 10.2.0's), as the docs of a generated
//! crate, passes `rustdoc` with warnings denied (no broken links, no stray
//! HTML, no bare URLs), `rustdoc --test` finds no code block to compile,
//! and headings are Markdown headings, their rST markup gone.

mod common;

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use qapi_gen::markup;

#[test]
fn real_schema_markdown_is_clean_rustdoc() {
    for (release, rules) in common::SUITES {
        clean_rustdoc_of(release, rules);
    }
}

fn clean_rustdoc_of(release: &str, rules: qapi_gen::Rules) {
    let root = common::real_schema_path(release);
    let schema = qapi_gen::load_with(&root, rules).unwrap_or_else(|diags| panic!("{diags}"));
    // Links go to the item generated for each definition.
    let item = |id: qapi_gen::schema::EntityId| format!("Def{}", id.0);
    let resolve = |name: &str| schema.lookup(name).map(|id| format!("crate::{}", item(id)));
    let mut crate_text = String::from("//! Docs of every definition.\n");
    let mut sections = 0;
    let mut headings = 0;
    for (n, doc) in schema.docs.iter().enumerate() {
        let target = doc.symbol.as_deref().and_then(|s| schema.lookup(s));
        for section in &doc.sections {
            let text = markup::to_markdown(&markup::section_source(section), &resolve);
            if text.is_empty() {
                continue;
            }
            sections += 1;
            let mut fenced = false;
            for line in text.lines() {
                fenced ^= line.starts_with("```");
                let first = line.chars().next().unwrap_or(' ');
                let adornment = line.len() >= 4
                    && first.is_ascii_punctuation()
                    && line.chars().all(|c| c == first);
                assert!(
                    fenced || !adornment,
                    "QEMU {release}: heading markup: {line:?}"
                );
                headings += usize::from(!fenced && line.starts_with('#'));
                let _ = writeln!(crate_text, "/// {line}");
            }
            crate_text.push_str("///\n");
        }
        match target {
            Some(id) => {
                let _ = writeln!(crate_text, "pub struct {};", item(id));
            }
            None => {
                let _ = writeln!(crate_text, "pub mod free_form_{n} {{}}");
            }
        }
    }
    // Definitions without a doc still need their item for links.
    for (id, entity) in schema.iter() {
        if entity.doc.is_none() {
            let _ = writeln!(crate_text, "pub struct {};", item(id));
        }
    }
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("docs-rustdoc-{release}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let source = dir.join("qapi_docs.rs");
    std::fs::write(&source, &crate_text).expect("write crate");
    let rustdoc = std::env::var_os("RUSTDOC").unwrap_or_else(|| "rustdoc".into());
    let run = |extra: &[&str]| {
        let output = Command::new(&rustdoc)
            .args(["--edition", "2021", "--crate-type", "lib", "-D", "warnings"])
            .args(extra)
            .arg(&source)
            .arg("-o")
            .arg(dir.join("out"))
            .output()
            .expect("run rustdoc");
        let stderr = String::from_utf8_lossy(&output.stderr).to_string();
        let stdout = String::from_utf8_lossy(&output.stdout).to_string();
        assert!(
            output.status.success(),
            "rustdoc {extra:?} failed:\n{stderr}\n{stdout}"
        );
        stdout
    };
    run(&[]);
    let tests = run(&["--test"]);
    assert!(tests.contains("running 0 tests"), "{tests}");
    println!(
        "QEMU {release}: {sections} doc sections rendered, {headings} headings; \
         rustdoc clean, no doctests"
    );
}
