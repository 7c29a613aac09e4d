//! Our front end against QEMU's own (its Python, from `shared/`), release
//! by release: QEMU 10.1's generator against `--rules 10.1`, 10.2's against
//! `--rules 10.2`, on
//!
//! - made-up schemas whose doc comments break and keep every rule that
//!   differs between the releases (headings, line length, sentence
//!   spacing, literal blocks) and many of the others;
//! - both conformance suites, as they are and mutated line by line.
//!
//! Where QEMU rejects a schema, our first error must be at the same file,
//! line and column with the same message; where it accepts one, our dump
//! must be its `test-qapi.py` dump, and every doc block must have the
//! sections QEMU's has, in its order (the stub `Returns` of QEMU 10.1 on
//! included).  Cases on which QEMU's front end itself
//! crashes are not compared (counted).  Needs `python3`; without it the
//! test says so and compares nothing.  Run with `--nocapture` for counts.

mod common;

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use common::qemu_python::{QemuPython, Verdict};
use common::{parse_qemu_error, TempDir};
use qapi_gen::Rules;

/// Made-up schemas per release.
const GENERATED: usize = 1200;
/// Mutants of each suite case.
const MUTANTS_PER_CASE: usize = 2;

#[test]
fn qemu_10_1_agrees() {
    agree("10.1.0", Rules::V10_1);
}

#[test]
fn qemu_10_2_agrees() {
    agree("10.2.0", Rules::V10_2);
}

fn agree(release: &str, rules: Rules) {
    let Some(qemu) = QemuPython::find(release) else {
        return;
    };
    let dir = TempDir::new(&format!("against-qemu-{release}"));
    let mut cases: Vec<(&str, PathBuf)> = Vec::new();
    let mut gen = Gen {
        rng: Rng(0x9e37_79b9_7f4a_7c15 ^ rules as u64),
        faults: true,
    };
    let generated = dir.path("generated");
    fs::create_dir_all(&generated).expect("create case directory");
    for i in 0..GENERATED {
        let path = generated.join(format!("case{i}.json"));
        fs::write(&path, gen.schema()).expect("write case");
        cases.push(("made up", path));
    }
    for (suite, _) in common::SUITES {
        let copy = dir.path(&format!("suite-{suite}"));
        copy_dir(&common::suite_dir(suite), &copy);
        for case in suite_cases(&copy) {
            let text = fs::read_to_string(&case).expect("read suite case");
            for k in 0..MUTANTS_PER_CASE {
                let stem = case.file_stem().unwrap().to_string_lossy();
                let path = copy.join(format!("{stem}-mutant{k}.json"));
                fs::write(&path, mutate(&text, &mut gen)).expect("write mutant");
                cases.push(("suite mutant", path));
            }
            cases.push(("suite", case));
        }
    }
    let paths: Vec<PathBuf> = cases.iter().map(|(_, p)| p.clone()).collect();
    let verdicts = qemu.judge(&paths);

    let mut tally = Tally::default();
    for ((kind, path), verdict) in cases.iter().zip(verdicts) {
        tally.compare(kind, path, verdict, ours(path, rules));
    }
    println!("QEMU {release}'s front end against --rules {rules}:");
    for line in tally.summary() {
        println!("  {line}");
    }
    assert!(
        tally.mismatches.is_empty(),
        "{} cases judged differently from QEMU {release}, e.g.:\n\n{}",
        tally.mismatches.len(),
        tally.mismatches[..tally.mismatches.len().min(8)].join("\n\n")
    );
}

/// What our front end makes of a schema: its dump and its doc blocks'
/// section kinds, or its first error as QEMU would print the located line.
fn ours(path: &Path, rules: Rules) -> Result<(String, Vec<Vec<String>>), String> {
    match qapi_gen::load_with(path, rules) {
        Ok(schema) => {
            let sections = schema
                .docs
                .iter()
                .map(|doc| {
                    doc.sections
                        .iter()
                        .map(|s| s.kind.name().to_string())
                        .collect()
                })
                .collect();
            Ok((qapi_gen::dump::dump(&schema), sections))
        }
        Err(diags) => {
            let diag = diags.first();
            Err(match diag.span {
                Some(span) => format!("{}: {}", diags.sources.loc(span), diag.message),
                None => diag.message.clone(),
            })
        }
    }
}

#[derive(Default)]
struct Tally {
    /// Per kind of case: (cases, rejected alike, accepted alike).
    kinds: Vec<(String, usize, usize, usize)>,
    crashes: usize,
    mismatches: Vec<String>,
}

impl Tally {
    fn compare(
        &mut self,
        kind: &str,
        path: &Path,
        qemu: Verdict,
        ours: Result<(String, Vec<Vec<String>>), String>,
    ) {
        let index = match self.kinds.iter().position(|k| k.0 == kind) {
            Some(index) => index,
            None => {
                self.kinds.push((kind.to_string(), 0, 0, 0));
                self.kinds.len() - 1
            }
        };
        self.kinds[index].1 += 1;
        let mismatch = match (qemu, ours) {
            (Verdict::Crash(_), _) => {
                self.crashes += 1;
                return;
            }
            (Verdict::Dump(expected, sections), Ok(ours))
                if (&expected, &sections) == (&ours.0, &ours.1) =>
            {
                self.kinds[index].3 += 1;
                return;
            }
            (Verdict::Dump(expected, sections), Ok((dump, _))) if expected == dump => {
                format!("both accept, the doc sections differ: QEMU's {sections:?}")
            }
            (Verdict::Dump(..), Ok(_)) => "both accept, the dumps differ".to_string(),
            (Verdict::Dump(..), Err(error)) => format!("QEMU accepts, we reject:\n{error}"),
            (Verdict::Error(error), Ok(_)) => format!("QEMU rejects, we accept:\n{error}"),
            (Verdict::Error(expected), Err(error)) => {
                let theirs = parse_qemu_error(&expected);
                let mine = parse_qemu_error(&error);
                let alike = match (&theirs, &mine) {
                    (Some(t), Some(m)) => {
                        (&t.file, t.line, &t.message) == (&m.file, m.line, &m.message)
                            && (t.col.is_none() || t.col == m.col)
                    }
                    _ => expected.trim_end() == error,
                };
                if alike {
                    self.kinds[index].2 += 1;
                    return;
                }
                format!("QEMU:\n{}\nours:\n{error}", expected.trim_end())
            }
        };
        let text = fs::read_to_string(path).unwrap_or_default();
        let mut report = format!("{} ({kind}): {mismatch}\n", path.display());
        for (n, line) in text.lines().enumerate().take(60) {
            let _ = writeln!(report, "  {:3} | {line}", n + 1);
        }
        self.mismatches.push(report);
    }

    fn summary(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .kinds
            .iter()
            .map(|(kind, cases, rejected, accepted)| {
                format!(
                    "{kind}: {cases} cases, {rejected} rejected alike (same file:line:col and \
                     message), {accepted} accepted alike (same dump and doc sections)"
                )
            })
            .collect();
        lines.push(format!(
            "not compared, QEMU's front end crashed: {}; judged differently: {}",
            self.crashes,
            self.mismatches.len()
        ));
        lines
    }
}

/// The cases of a suite: the schemas with an expected error file.
fn suite_cases(dir: &Path) -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = fs::read_dir(dir)
        .expect("list the suite")
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .filter(|p| p.with_extension("err").is_file())
        .collect();
    cases.sort();
    cases
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create directory");
    for entry in fs::read_dir(from).expect("list directory") {
        let entry = entry.expect("directory entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const WORDS: &[&str] = &[
    "the",
    "device",
    "is",
    "not",
    "a",
    "block",
    "node",
    "with",
    "given",
    "name",
    "of",
    "QEMU",
    "value",
    "returns",
    "when",
    "set",
    "to",
    "false",
    "guest",
    "memory",
    "2",
    "v1.2",
    "é",
    "naïve",
    "(see",
    "below)",
    "`name`",
    "@member",
    "``literal``",
    "*emph*",
];

/// Words that may break QEMU 10.2's sentence rule, depending on the next.
const ODD_WORDS: &[&str] = &["etc.", "x_e.g.", "Dr.", "No!"];

const CAPITALIZED: &[&str] = &[
    "The",
    "This",
    "QEMU",
    "If",
    "Deprecated",
    "A",
    "(Optional)",
    "2",
    "Since",
    "Also",
];

/// Schema text, made up to break or keep the rules that differ between
/// QEMU's releases.  A clean schema breaks none of QEMU 10.2's rules (so
/// that both front ends get to accept it and dump it); the others break a
/// rule here and there.
struct Gen {
    rng: Rng,
    faults: bool,
}

impl Gen {
    /// Words and sentences, about `width` characters long.
    fn sentence(&mut self, width: usize) -> String {
        let rng = &mut self.rng;
        let mut line = String::new();
        if rng.chance(15) {
            let good = ["e.g. ", "1. ", "  2. ", "(e.g. ", "- "];
            let bad = ["10. ", "i.e. ", "E.g. "];
            line.push_str(if self.faults && rng.chance(40) {
                rng.pick(&bad)
            } else {
                rng.pick(&good)
            });
        }
        line.push_str(rng.pick(CAPITALIZED));
        while line.chars().count() < width {
            if rng.chance(12) {
                let good = [".  ", "?  ", "!  ", ",  "];
                let bad = [". ", "? ", "! ", ".\t", "... "];
                line.push_str(if self.faults && rng.chance(30) {
                    rng.pick(&bad)
                } else {
                    rng.pick(&good)
                });
                line.push_str(rng.pick(CAPITALIZED));
            } else if rng.chance(4) {
                let good = [" e.g. Foo", " (e.g. Bar)", " e.g. 2 more"];
                let bad = [" see.g. X", " i.e. A", " E.g. B"];
                line.push_str(if self.faults && rng.chance(30) {
                    rng.pick(&bad)
                } else {
                    rng.pick(&good)
                });
            } else if self.faults && rng.chance(5) {
                line.push(' ');
                line.push_str(rng.pick(ODD_WORDS));
            } else {
                line.push(' ');
                line.push_str(rng.pick(WORDS));
            }
        }
        if rng.chance(50) {
            line.push('.');
        }
        line
    }

    /// A doc line of text: mostly short, sometimes around the 70 limit.
    fn text_line(&mut self, indent: usize) -> String {
        let rng = &mut self.rng;
        let width = match rng.below(10) {
            0..=5 => 20 + rng.below(35),
            6..=8 => 55 + rng.below(8),
            _ if self.faults => 62 + rng.below(12),
            _ => 60,
        };
        let width = width.saturating_sub(indent);
        format!("# {}{}", " ".repeat(indent), self.sentence(width))
    }

    /// Lines that break some rule of some release, or look as if they
    /// might.
    fn odd_line(&mut self) -> String {
        let long_url = format!("https://example.org/{}", "x".repeat(60));
        let choices: Vec<String> = vec![
            "#text".into(),
            "## junk".into(),
            "# = Heading".into(),
            "# == Subheading".into(),
            "# Title".into(),
            "# =====".into(),
            "# *****".into(),
            "# -----".into(),
            "# Note: old style".into(),
            "# Notes:".into(),
            "# Example:".into(),
            "# Examples::".into(),
            "# Returns:".into(),
            "# Returns: something".into(),
            "# Errors: sometimes".into(),
            "# Since: 9.2".into(),
            "# TODO: more".into(),
            "# Features:".into(),
            "# @bogus: no such member".into(),
            "# @: empty".into(),
            "# @x:".into(),
            "#".into(),
            "#    indented continuation".into(),
            "#  less indented".into(),
            "# ::".into(),
            "# .. qmp-example::".into(),
            "# Example::".into(),
            "#     -> { \"execute\": \"draw\" }".into(),
            format!("# {long_url}"),
            format!("#     {long_url}"),
            format!("# see {long_url}"),
            "#\tTab. Here".into(),
            "# Trailing space.   ".into(),
            "# \u{663}. Arabic-Indic".into(),
            "# \u{b2}. Superscript".into(),
            "  # Indented. Comment".into(),
        ];
        choices[self.rng.below(choices.len())].clone()
    }

    /// A literal block: `::` or `.. qmp-example::`, then indented lines,
    /// which may break the line format (it does not hold there).
    fn literal_block(&mut self, lines: &mut Vec<String>) {
        let openings = if self.faults {
            &["# ::", "# .. qmp-example::", "#   ::", "# Example::"][..]
        } else {
            &["# ::", "# .. qmp-example::", "#   ::"][..]
        };
        lines.push(self.rng.pick(openings).into());
        if self.rng.chance(70) {
            lines.push("#".into());
        }
        let indent = self.rng.pick(&["  ", "    ", "   "]);
        for _ in 0..1 + self.rng.below(4) {
            let deeper = if self.rng.chance(20) { "  " } else { "" };
            let indent = if self.faults && self.rng.chance(10) {
                " "
            } else {
                indent
            };
            let body = if self.rng.chance(40) {
                "-> { \"execute\": \"draw\", \"arguments\": { \"p\": { \"x\": 1 } } }".to_string()
            } else {
                let width = 30 + self.rng.below(50);
                let faults = std::mem::replace(&mut self.faults, true);
                let sentence = self.sentence(width);
                self.faults = faults;
                sentence
            };
            lines.push(format!("# {indent}{deeper}{body}"));
        }
    }

    /// Somewhere in `block` after its first two lines, an odd line.
    fn maybe_odd_line(&mut self, block: &mut Vec<String>) {
        if self.faults && self.rng.chance(50) {
            let at = 2 + self.rng.below(block.len().saturating_sub(2).max(1));
            let line = self.odd_line();
            block.insert(at.min(block.len()), line);
        }
    }

    /// One definition (of four, by `which`) with its doc block.
    fn definition(&mut self, which: usize, lines: &mut Vec<String>) {
        let (symbol, members, features, definition): (&str, &[&str], &[&str], String) = match which
        {
            0 => (
                "Shade",
                &["dark", "light"],
                &[],
                "{ 'enum': 'Shade', 'data': [ 'dark', 'light' ] }".into(),
            ),
            1 => (
                "Box",
                &["w", "h"],
                &["feat"],
                "{ 'struct': 'Box', 'data': { 'w': 'int', '*h': 'str' }, \
                     'features': [ 'feat' ] }"
                    .into(),
            ),
            2 => {
                let returns = if self.rng.chance(60) {
                    ", 'returns': 'Point'"
                } else {
                    ""
                };
                (
                    "draw",
                    &["p", "c"],
                    &["feat"],
                    format!(
                        "{{ 'command': 'draw', 'data': {{ 'p': 'Point', '*c': 'Color' }}\
                             {returns}, 'features': [ 'feat' ] }}"
                    ),
                )
            }
            _ => (
                "DRAWN",
                &["n"],
                &[],
                "{ 'event': 'DRAWN', 'data': { 'n': 'int' } }".into(),
            ),
        };
        let mut block = vec!["##".to_string()];
        block.push(match self.rng.below(30) {
            0 if self.faults => format!("# @{symbol}"),
            1 if self.faults => "# @Other:".into(),
            _ => format!("# @{symbol}:"),
        });
        if self.rng.chance(80) {
            block.push("#".into());
            for _ in 0..self.rng.below(4) {
                block.push(self.text_line(0));
            }
        }
        if !self.faults || self.rng.chance(90) {
            block.push("#".into());
        }
        for member in members {
            if self.faults && self.rng.chance(8) {
                continue;
            }
            let width = 10 + self.rng.below(45);
            block.push(format!("# @{member}: {}", self.sentence(width)));
            for _ in 0..self.rng.below(3) {
                let indent = if self.faults && self.rng.chance(15) {
                    1
                } else {
                    4
                };
                block.push(self.text_line(indent));
            }
        }
        if !features.is_empty() && (!self.faults || self.rng.chance(85)) {
            block.extend(["#".into(), "# Features:".into(), "#".into()]);
            for feature in features {
                block.push(format!("# @{feature}: {}", self.sentence(20)));
            }
        }
        let mut tagged = Vec::new();
        for _ in 0..self.rng.below(4) {
            block.push("#".into());
            let tag = match self.rng.below(6) {
                0 => {
                    self.literal_block(&mut block);
                    continue;
                }
                1 => format!("Since: {}", self.rng.pick(&["9.2", "10.1", "2.10"])),
                2 if symbol == "draw" && definition.contains("returns") => {
                    format!("Returns: {}", self.sentence(30))
                }
                3 if symbol == "draw" => format!("Errors: {}", self.sentence(30)),
                _ => {
                    block.push(self.text_line(0));
                    continue;
                }
            };
            let name = tag.split(':').next().unwrap_or_default().to_string();
            if self.faults || !tagged.contains(&name) {
                block.push(format!("# {tag}"));
                tagged.push(name);
            }
        }
        self.maybe_odd_line(&mut block);
        block.push("##".into());
        block.push(definition);
        lines.extend(block);
    }

    /// A free-form block: headings of either markup, text, literal blocks.
    fn free_form(&mut self, lines: &mut Vec<String>) {
        let mut block = vec!["##".to_string()];
        match self.rng.below(5) {
            0 => block.push("# = Title".into()),
            1 => block.extend(["# *****".into(), "# Title".into(), "# *****".into()]),
            2 => block.extend(["# Section".into(), "# =======".into()]),
            _ => {}
        }
        for _ in 0..1 + self.rng.below(4) {
            if self.rng.chance(15) {
                self.literal_block(&mut block);
            } else {
                block.push(self.text_line(0));
            }
            if self.rng.chance(50) {
                block.push("#".into());
            }
        }
        self.maybe_odd_line(&mut block);
        block.push("##".into());
        lines.extend(block);
    }

    /// A schema: the types the definitions use, then free-form blocks and
    /// documented definitions in some order.
    fn schema(&mut self) -> String {
        self.faults = self.rng.chance(60);
        let mut lines: Vec<String> = Vec::new();
        if self.faults && self.rng.chance(15) {
            lines.push("{ 'pragma': { 'doc-required': true } }".into());
        }
        lines.push("{ 'enum': 'Color', 'data': [ 'red', 'green' ] }".into());
        lines.push("{ 'struct': 'Point', 'data': { 'x': 'int', '*y': 'str' } }".into());
        let mut which: Vec<usize> = (0..4).collect();
        for _ in 0..1 + self.rng.below(4) {
            if self.rng.chance(35) {
                self.free_form(&mut lines);
            } else if !which.is_empty() {
                let definition = which.remove(self.rng.below(which.len()));
                self.definition(definition, &mut lines);
            }
        }
        let mut text = lines.join("\n");
        text.push('\n');
        text
    }
}

/// A suite case with one line deleted, doubled, swapped with the next, or
/// a doc line inserted.
fn mutate(text: &str, gen: &mut Gen) -> String {
    gen.faults = true;
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    if lines.is_empty() {
        lines.push(String::new());
    }
    let at = gen.rng.below(lines.len());
    match gen.rng.below(5) {
        0 => {
            lines.remove(at);
        }
        1 => {
            let line = lines[at].clone();
            lines.insert(at, line);
        }
        2 if at + 1 < lines.len() => lines.swap(at, at + 1),
        3 => {
            let indent = gen.rng.below(3);
            let line = gen.text_line(indent);
            lines.insert(at, line);
        }
        _ => {
            let line = gen.odd_line();
            lines.insert(at, line);
        }
    }
    let mut text = lines.join("\n");
    text.push('\n');
    text
}
