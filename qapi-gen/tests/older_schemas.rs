//! Schemas of older QEMU versions and the guest agent's, held to QEMU
//! 10.0's rules (the closest to theirs): they break its doc-comment rules,
//! so strict loading rejects them, and lenient loading accepts them with a
//! warning per broken rule.  Their bindings are
//! compiled in `tests/bindings` (8.0, 9.1, the guest agent's); here they
//! are counted (`qapi-gen-cli/tests/schemas.rs` generates 8.1's).
//!
//! The schemas come from crates of the cargo registry:
//! `scripts/fetch-older-schemas.sh` downloads them.

mod common;

use common::registry::path_of;
use qapi_gen::{DocMode, LoadOptions, Rules};

/// QEMU 10.0's rules, leniently.
const LENIENT: LoadOptions = LoadOptions::new(Rules::V10_0, DocMode::Lenient);

/// The first error of a strict load (`None`: valid), and the number of
/// warnings of a lenient one.
fn strict_and_lenient(name: &str) -> (Option<String>, usize) {
    let path = path_of(name);
    let strict = qapi_gen::load_with(&path, Rules::V10_0)
        .err()
        .map(|d| d.first().message.clone());
    let lenient = qapi_gen::load_with(&path, LENIENT).unwrap_or_else(|e| panic!("{e}"));
    (strict, lenient.warnings.len())
}

#[test]
fn qemu_8_0() {
    let heading = "'=' heading must come first in a comment block".to_string();
    assert_eq!(strict_and_lenient("qmp_8_0"), (Some(heading.clone()), 736));
    // qapi-qmp 0.13.0 ships the same schema.
    assert_eq!(strict_and_lenient("qmp_8_0_b"), (Some(heading), 736));
}

#[test]
fn qemu_8_1() {
    let (strict, warnings) = strict_and_lenient("qmp_8_1");
    assert!(
        strict.is_some_and(|e| e.starts_with("The 'Note' section is no longer supported.")),
        "strict loading accepts 8.1"
    );
    assert_eq!(warnings, 724);
}

#[test]
fn qemu_9_1_and_guest_agent_follow_the_rules() {
    assert_eq!(strict_and_lenient("qmp_9_1"), (None, 0));
    assert_eq!(strict_and_lenient("qga_9_1"), (None, 0));
}

/// The warnings by message, each quoted part (names, mostly) as `_`.
#[test]
fn kinds_of_warnings_in_8_1() {
    let path = path_of("qmp_8_1");
    let schema = qapi_gen::load_with(&path, LENIENT).unwrap_or_else(|e| panic!("{e}"));
    let mut kinds = std::collections::BTreeMap::new();
    for warning in &schema.warnings {
        let kind: String = warning
            .message
            .split('\'')
            .enumerate()
            .map(|(i, part)| if i % 2 == 1 { "_" } else { part })
            .collect();
        *kinds.entry(kind).or_insert(0) += 1;
    }
    let kinds: Vec<(String, usize)> = kinds.into_iter().collect();
    let expected = [
        ("The _ section is no longer supported. Please use rST_.. note::_.. admonition:: notes_", 64),
        ("The _ section is no longer supported. Please use the _ directive, or other suitable markup instead.", 175),
        ("_ section, but command doesn_", 12),
        ("branch _ lacks documentation", 1),
        ("member _ lacks documentation", 104),
        ("value _ lacks documentation", 368),
    ];
    let expected: Vec<(String, usize)> =
        expected.iter().map(|&(k, n)| (k.to_string(), n)).collect();
    assert_eq!(kinds, expected);
}
