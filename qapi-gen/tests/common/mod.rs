//! Helpers shared by the integration tests.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The read-only `shared/` material (QEMU's schema and test suite):
/// `$QAPI_SHARED_DIR` when set, else `shared/` beside the checkout.
/// Panics with a clear message when it is missing, so that tests never
/// pass without having looked at it.
#[allow(dead_code)]
pub fn shared_dir() -> PathBuf {
    let dir = match std::env::var_os("QAPI_SHARED_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => workspace_dir().join("../shared"),
    };
    assert!(
        dir.is_dir(),
        "shared material not found at {}: check it out beside the repository \
         or set QAPI_SHARED_DIR",
        dir.display()
    );
    dir
}

/// The QEMU releases whose conformance suite `shared/` holds, each with
/// the rules it is judged by.
#[allow(dead_code)]
pub const SUITES: [(&str, qapi_gen::Rules); 2] = [
    ("10.0.0", qapi_gen::Rules::V10_0),
    ("10.2.0", qapi_gen::Rules::V10_2),
];

/// QEMU `release`'s conformance suite (`tests/qapi-schema`).
#[allow(dead_code)]
pub fn suite_dir(release: &str) -> PathBuf {
    shared_dir().join(format!("qemu/{release}/tests/qapi-schema"))
}

/// QEMU `release`'s real schema (`qapi/qapi-schema.json`).
#[allow(dead_code)]
pub fn real_schema_path(release: &str) -> PathBuf {
    shared_dir().join(format!("qemu/{release}/qapi/qapi-schema.json"))
}

/// The workspace's root directory (where `schema/`, the demo schema, is).
/// These helpers serve the tests of `qapi-gen` and of `qapi-gen-cli`
/// (which includes this file), both packages at the top level.
#[allow(dead_code)]
pub fn workspace_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the package is inside the workspace")
        .to_path_buf()
}

/// A fresh directory for one test, removed when dropped.
#[allow(dead_code)]
pub struct TempDir(pub PathBuf);

#[allow(dead_code)]
impl TempDir {
    /// `test` names the directory; it must be unique among the tests of
    /// one test binary.
    pub fn new(test: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("qapi-gen-test-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temporary directory");
        TempDir(dir)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    pub fn write(&self, name: &str, text: impl AsRef<[u8]>) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).expect("write temporary file");
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[allow(dead_code)]
pub mod registry;

#[allow(dead_code)]
pub mod qemu_python;

#[allow(dead_code)]
pub mod introspection;

#[allow(dead_code)]
pub mod frontends;

/// Where an error was reported and what it said.
#[allow(dead_code)]
#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    /// The file's base name.
    pub file: String,
    pub line: usize,
    pub col: Option<usize>,
    pub message: String,
}

#[allow(dead_code)]
impl Located {
    pub fn loc(&self) -> String {
        match self.col {
            Some(col) => format!("{}:{}:{}", self.file, self.line, col),
            None => format!("{}:{}", self.file, self.line),
        }
    }
}

#[allow(dead_code)]
pub fn base_name(name: &str) -> String {
    Path::new(name)
        .file_name()
        .map_or_else(|| name.to_string(), |n| n.to_string_lossy().into_owned())
}

/// The first located line of QEMU's error text, as its `.err` files hold
/// it (`FILE:LINE[:COL]: message`, after any `In file included from` and
/// `FILE: In <meta> '<name>':` lines); the message runs to the end.
#[allow(dead_code)]
pub fn parse_qemu_error(err: &str) -> Option<Located> {
    let lines: Vec<&str> = err.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if line.starts_with("In file included from ") {
            continue;
        }
        let Some((file, rest)) = line.split_once(':') else {
            continue;
        };
        let Some((line_no, rest)) = rest.split_once(':') else {
            continue;
        };
        let Ok(line_no) = line_no.parse() else {
            continue;
        };
        // An optional column, then ": message".
        let (col, rest) = match rest.split_once(':') {
            Some((col, after)) if !col.is_empty() && col.bytes().all(|b| b.is_ascii_digit()) => {
                (col.parse().ok(), after)
            }
            _ => (None, rest),
        };
        let Some(first) = rest.strip_prefix(' ') else {
            continue;
        };
        let mut message = first.to_string();
        for more in &lines[i + 1..] {
            message.push('\n');
            message.push_str(more);
        }
        return Some(Located {
            file: base_name(file),
            line: line_no,
            col,
            message,
        });
    }
    None
}

/// Where two texts first differ, with a few lines of each around it.
#[allow(dead_code)]
pub fn describe_difference(expected: &str, actual: &str) -> String {
    let exp: Vec<&str> = expected.split_inclusive('\n').collect();
    let act: Vec<&str> = actual.split_inclusive('\n').collect();
    let at = exp
        .iter()
        .zip(&act)
        .position(|(e, a)| e != a)
        .unwrap_or(exp.len().min(act.len()));
    let from = at.saturating_sub(2);
    let show = |lines: &[&str]| -> String {
        let mut text = String::new();
        for (n, line) in lines.iter().enumerate().skip(from).take(6) {
            let _ = writeln!(text, "      {:4} {:?}", n + 1, line);
        }
        if lines.len() <= at {
            let _ = writeln!(text, "      (ends after line {})", lines.len());
        }
        text
    };
    format!(
        "first difference at line {}\n    expected:\n{}    actual:\n{}",
        at + 1,
        show(&exp),
        show(&act)
    )
}
