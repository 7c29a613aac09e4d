//! Labels of versions: read from the input when not given.

use std::cmp::Ordering;
use std::path::Path;

use serde_json::Value;

use crate::schema::doc::SectionKind;
use crate::schema::Schema;

/// The newest version named by a `Since:` section of the schema's doc
/// comments, as `major.minor` (`10.2.0` is `10.2`); `None` when there is
/// none.
pub(crate) fn of_schema(schema: &Schema) -> Option<String> {
    schema
        .docs
        .iter()
        .flat_map(|doc| &doc.sections)
        .filter(|section| section.kind == SectionKind::Since)
        .filter_map(|section| leading_version(&section.text))
        .max()
        .map(|parts| format_version(&parts))
}

/// The version of the QEMU whose `query-qmp-schema` reply is at `path`,
/// from the `query-version` reply or the greeting saved beside it
/// (`query-version.json`, `greeting.json`), as `major.minor.micro`.
pub(crate) fn of_introspection(path: &Path) -> Option<String> {
    let dir = path.parent()?;
    let read = |name: &str| -> Option<Value> {
        serde_json::from_str(&std::fs::read_to_string(dir.join(name)).ok()?).ok()
    };
    let from_version = read("query-version.json").and_then(|v| {
        // The reply, the `return`, or a recorded exchange.
        let info = v
            .pointer("/response/return")
            .or_else(|| v.get("return"))
            .unwrap_or(&v);
        triple(info.get("qemu")?)
    });
    from_version.or_else(|| {
        let greeting = read("greeting.json")?;
        let qmp = greeting
            .pointer("/parsed/QMP")
            .or_else(|| greeting.get("QMP"))?;
        triple(qmp.pointer("/version/qemu")?)
    })
}

fn triple(qemu: &Value) -> Option<String> {
    let part = |key: &str| qemu.get(key).and_then(Value::as_u64);
    Some(format!(
        "{}.{}.{}",
        part("major")?,
        part("minor")?,
        part("micro")?
    ))
}

/// `10.2`, `9.1.0`, `v2.12 (with ...)`: the numbers of the version at the
/// start of `text`.
fn leading_version(text: &str) -> Option<Vec<u64>> {
    let text = text.trim().trim_start_matches(['v', 'V']);
    let end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    parse(text[..end].trim_end_matches('.'))
}

/// The numbers of a label that is a version (`10.0.2`), for ordering.
pub(crate) fn parse(label: &str) -> Option<Vec<u64>> {
    let parts: Option<Vec<u64>> = label.split('.').map(|p| p.parse().ok()).collect();
    parts.filter(|p| (2..=3).contains(&p.len()))
}

/// `10.2.0` as `10.2`; other versions as they are.
fn format_version(parts: &[u64]) -> String {
    let parts = match parts {
        [major, minor, 0] => vec![*major, *minor],
        other => other.to_vec(),
    };
    parts
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

/// Order labels as versions (`8.1 < 10.0 < 10.0.2`); labels that are not
/// versions are equal to every other, so a stable sort keeps them where
/// they were given.
pub(crate) fn compare(a: &str, b: &str) -> Ordering {
    match (parse(a), parse(b)) {
        (Some(a), Some(b)) => a.cmp(&b),
        _ => Ordering::Equal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_read_and_ordered() {
        assert_eq!(leading_version("10.2.0"), Some(vec![10, 2, 0]));
        assert_eq!(leading_version(" v2.12 (with sth)"), Some(vec![2, 12]));
        assert_eq!(leading_version("never"), None);
        assert_eq!(format_version(&[10, 2, 0]), "10.2");
        assert_eq!(format_version(&[10, 0, 2]), "10.0.2");
        assert_eq!(compare("8.1", "10.0"), Ordering::Less);
        assert_eq!(compare("10.0", "10.0.2"), Ordering::Less);
        assert_eq!(compare("rhel", "10.0"), Ordering::Equal);
        assert_eq!(parse("10"), None);
    }
}
