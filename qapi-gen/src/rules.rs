//! The QEMU release whose schema language a schema is held to.
//!
//! QEMU's releases differ in the doc-comment language only, and each
//! rejects schemas written for the others, so the rules are chosen:
//!
//! | rule | 10.0 | 10.1 | 10.2 |
//! |---|---|---|---|
//! | `= Heading` markup: first line of a free-form block only; no line of a definition block may start with `=` | yes | | |
//! | a command returning something gets a stub `Returns` section when its doc has none (placement in the docs) | | yes | yes |
//! | doc lines at most 70 characters (URL lines excepted), two spaces between sentences, outside `::` and `.. qmp-example::` blocks | | | yes |
//!
//! QEMU 10.1 replaced the `=` markup by reStructuredText headings (a title
//! underlined, or over- and underlined, with a punctuation character).

use std::fmt;

/// A QEMU release's rules; [`Rules::default`] is the newest.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Rules {
    /// QEMU 10.0's rules.
    V10_0,
    /// QEMU 10.1's rules.
    V10_1,
    #[default]
    /// QEMU 10.2's rules (the default).
    V10_2,
}

impl Rules {
    /// Every rule set, oldest first.
    pub const ALL: [Rules; 3] = [Rules::V10_0, Rules::V10_1, Rules::V10_2];

    /// The names `FromStr` accepts, oldest first.
    pub const NAMES: [&'static str; 3] = ["10.0", "10.1", "10.2"];

    /// The release: `"10.0"`, `"10.1"` or `"10.2"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Rules::V10_0 => "10.0",
            Rules::V10_1 => "10.1",
            Rules::V10_2 => "10.2",
        }
    }

    /// QEMU 10.0's `=` heading markup: a free-form block's heading must be
    /// its first line, and a definition block has no line starting `=`.
    pub fn heading_markup(self) -> bool {
        self == Rules::V10_0
    }

    /// QEMU 10.2's checks of each doc line: length and sentence spacing.
    pub fn doc_line_format(self) -> bool {
        self >= Rules::V10_2
    }

    /// QEMU 10.1's stub `Returns` section for a command whose doc
    /// describes no return value (QEMU's `QAPIDoc.ensure_returns`).
    pub fn returns_stub(self) -> bool {
        self >= Rules::V10_1
    }
}

impl fmt::Display for Rules {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Rules {
    type Err = String;

    fn from_str(s: &str) -> Result<Rules, String> {
        Rules::ALL
            .into_iter()
            .find(|rules| rules.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown rules '{s}' (expected one of: {})",
                    Rules::NAMES.join(", ")
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for (rules, name) in Rules::ALL.into_iter().zip(Rules::NAMES) {
            assert_eq!(rules.as_str(), name);
            assert_eq!(name.parse::<Rules>(), Ok(rules));
            assert_eq!(rules.to_string(), name);
        }
        assert_eq!(Rules::default(), Rules::V10_2);
    }

    #[test]
    fn unknown_names_list_the_valid_ones() {
        assert_eq!(
            "9.2".parse::<Rules>(),
            Err("unknown rules '9.2' (expected one of: 10.0, 10.1, 10.2)".to_string())
        );
        assert!("10.2.0".parse::<Rules>().is_err());
    }
}
