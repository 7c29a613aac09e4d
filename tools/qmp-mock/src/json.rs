//! Reading the mock's JSON inputs as QEMU parses JSON (members in order),
//! with errors that name the file.

use std::path::Path;

use qapi_types::qmp::server::{json, QObject};

/// Parse `text`.
pub fn parse_text(text: &str) -> Result<QObject, String> {
    json::parse_value(text)
}

/// Read and parse `file`; errors name it.
pub fn parse_file(file: &Path) -> Result<QObject, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    parse_text(&text).map_err(|e| format!("{}: {e}", file.display()))
}
