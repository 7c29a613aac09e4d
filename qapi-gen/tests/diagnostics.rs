//! How errors read, and that hostile input gives an error rather than a
//! panic or a hang.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use qapi_gen::diag::{Diagnostic, SourceFile, SourceMap, Span};
use qapi_gen::{Diagnostics, Schema};

/// A directory of its own under the system temp dir, removed afterwards.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let dir =
            std::env::temp_dir().join(format!("qapi-gen-diagnostics-{}-{tag}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("cannot create a temp dir");
        TempDir(dir)
    }

    fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.0.join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("cannot create a temp dir");
        }
        fs::write(&path, contents).expect("cannot write a temp file");
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// `qapi_gen::load` on a thread of its own: fails the test if it panics or
/// takes longer than `limit`.
fn load_within(path: &Path, limit: Duration) -> Result<Schema, Diagnostics> {
    let (tx, rx) = mpsc::channel();
    let owned = path.to_path_buf();
    let worker = std::thread::spawn(move || {
        let _ = tx.send(qapi_gen::load(&owned));
    });
    let started = Instant::now();
    match rx.recv_timeout(limit) {
        Ok(result) => result,
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("{}: no answer within {limit:?}", path.display())
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            let why = worker.join().err().and_then(|payload| {
                payload
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
            });
            panic!(
                "{}: panicked after {:?}: {}",
                path.display(),
                started.elapsed(),
                why.unwrap_or_default()
            )
        }
    }
}

fn quick(path: &Path) -> Result<Schema, Diagnostics> {
    load_within(path, Duration::from_secs(5))
}

fn expect_error(path: &Path, result: Result<Schema, Diagnostics>) -> Diagnostics {
    match result {
        Ok(_) => panic!("{}: accepted, expected an error", path.display()),
        Err(diags) => {
            assert!(!diags.errors.is_empty(), "an Err without diagnostics");
            diags
        }
    }
}

/// The `file:line:col` of the first error.
fn first_location(diags: &Diagnostics) -> String {
    let span = diags.first().span.expect("the error has a location");
    diags.sources.loc(span)
}

#[test]
fn error_shows_location_message_and_snippet() {
    let dir = TempDir::new("located");
    let path = dir.write("bad.json", "{ 'enum': 'Foo',\n  'data' [ 'a' ] }\n");
    let diags = expect_error(&path, quick(&path));
    let name = path.display();
    assert_eq!(
        diags.to_string(),
        format!(
            "{name}:2:10: error: expected ':'\n\
             \x20 |\n\
             2 |   'data' [ 'a' ] }}\n\
             \x20 |          ^\n"
        )
    );
}

#[test]
fn included_file_error_shows_the_include_chain() {
    let dir = TempDir::new("chain");
    let root = dir.write("root.json", "# root\n{ 'include': 'mid.json' }\n");
    dir.write("mid.json", "{ 'include': 'sub/leaf.json' }\n");
    dir.write("sub/leaf.json", "{ 'enum': 'X',\n  'data' [ 'a' ] }\n");
    let diags = expect_error(&root, quick(&root));
    let d = dir.0.display();
    assert_eq!(
        diags.to_string(),
        format!(
            "In file included from {d}/root.json:2:\n\
             In file included from {d}/mid.json:1:\n\
             {d}/sub/leaf.json:2:10: error: expected ':'\n\
             \x20 |\n\
             2 |   'data' [ 'a' ] }}\n\
             \x20 |          ^\n"
        )
    );
}

#[test]
fn definition_context_and_label_are_rendered() {
    let text = "# comment\n{ 'command': 'foo',\n  'boxed': false }\n";
    let mut sources = SourceMap::default();
    let file = sources.add(SourceFile::new(
        "x.json".into(),
        "x.json".into(),
        text.into(),
        None,
    ));
    let definition = text.find('{').unwrap();
    let value = text.find("false").unwrap();
    let diag = Diagnostic::new(
        Span::new(file, definition, text.len()),
        "flag 'boxed' may only use true value",
    )
    .with_label(Span::new(file, value, value + "false".len()))
    .in_definition("command", "foo");
    assert_eq!(
        diag.render(&sources),
        "x.json: In command 'foo':\n\
         x.json:2:1: error: flag 'boxed' may only use true value\n\
         \x20 |\n\
         3 |   'boxed': false }\n\
         \x20 |            ^^^^^\n"
    );
    assert_eq!(diag.qemu_location(&sources).as_deref(), Some("x.json:2"));
}

/// The same through the whole pipeline: QEMU's location (the definition's
/// first line) and the `In command` line.
#[test]
fn semantic_error_names_the_definition() {
    let dir = TempDir::new("context");
    let path = dir.write(
        "cmd.json",
        "# comment\n{ 'command': 'foo',\n  'boxed': false }\n",
    );
    let diags = expect_error(&path, quick(&path));
    let rendered = diags.to_string();
    let name = path.display();
    assert!(
        rendered.starts_with(&format!(
            "{name}: In command 'foo':\n\
             {name}:2:1: error: flag 'boxed' may only use true value\n"
        )),
        "unexpected rendering:\n{rendered}"
    );
}

#[test]
fn non_utf8_input_is_an_error() {
    let dir = TempDir::new("utf8");
    let path = dir.write("latin1.json", b"{ 'enum': 'Caf\xe9', 'data': [ 'a' ] }\n");
    let diags = expect_error(&path, quick(&path));
    assert_eq!(first_location(&diags), format!("{}:1:15", path.display()));
    assert!(
        diags.first().message.contains("UTF-8"),
        "unclear message: {}",
        diags.first().message
    );
    // Rendering must cope with the replaced byte.
    let rendered = diags.to_string();
    assert!(rendered.contains("^"), "{rendered}");
}

#[test]
fn empty_file_is_a_valid_schema() {
    let dir = TempDir::new("empty");
    let path = dir.write("empty.json", "");
    let schema = quick(&path).unwrap_or_else(|diags| panic!("empty file rejected:\n{diags}"));
    let names: Vec<&str> = schema.modules.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["./builtin", "empty.json"]);
}

/// A 10 MB schema with an error on its last line: found, at the right
/// line, quickly.  Unoptimized builds are about ten times slower, hence
/// the wider limit there.
#[test]
fn ten_megabyte_file() {
    let dir = TempDir::new("big");
    let mut text = String::with_capacity(10 << 20);
    let mut lines = 0;
    while text.len() < 10 << 20 {
        text.push_str(&format!(
            "{{ 'enum': 'Enum{lines}', 'data': [ 'one', 'two', 'three' ] }}\n"
        ));
        lines += 1;
    }
    text.push_str("{ 'enum' 'Bad' }\n");
    let path = dir.write("big.json", &text);
    let limit = Duration::from_secs(if cfg!(debug_assertions) { 60 } else { 5 });
    let diags = expect_error(&path, load_within(&path, limit));
    assert_eq!(
        first_location(&diags),
        format!("{}:{}:10", path.display(), lines + 1)
    );
    assert_eq!(diags.first().message, "expected ':'");
}

#[test]
fn deeply_nested_file() {
    let dir = TempDir::new("deep");
    let path = dir.write("deep.json", "[".repeat(100_000));
    let diags = expect_error(&path, quick(&path));
    let rendered = diags.to_string();
    assert!(
        rendered.contains(": error: "),
        "no error line in:\n{rendered}"
    );
    // The snippet shows a window of the 100,000-character line, not all of it.
    assert!(
        rendered.len() < 1000,
        "error too long ({} bytes): {}...",
        rendered.len(),
        &rendered[..300]
    );
}
