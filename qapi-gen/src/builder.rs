//! [`Builder`]: Rust bindings from a build script.
//!
//! ```no_run
//! // build.rs
//! fn main() -> Result<(), qapi_gen::builder::Error> {
//!     qapi_gen::Builder::new("schema/qapi-schema.json")
//!         .derive("Hash")
//!         .generate_to_out_dir("qmp.rs")?;
//!     Ok(())
//! }
//! ```
//!
//! and in the crate: `include!(concat!(env!("OUT_DIR"), "/qmp.rs"));`.
//!
//! The `qapi!` macro loads its schema through a `Builder` too, so relative
//! paths and the list of files read mean the same in both.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostics, SourceMap};
use crate::parse::{FileLoader, LoadOptions};
use crate::rules::Rules;
use crate::rust::GenerateError;
use crate::schema::Schema;
use crate::settings::{IfPolicy, Settings};

/// Generates Rust bindings for one schema with one set of [`Settings`].
/// The option methods have the names of the `Settings` fields.
#[derive(Clone, Debug)]
pub struct Builder {
    schema: PathBuf,
    base_dir: Option<PathBuf>,
    settings: Settings,
}

/// Why generation failed.  `Debug` shows the same text as `Display`, so
/// that a build script's `main` returning this error prints the rendered
/// diagnostics.
#[non_exhaustive]
pub enum Error {
    /// The schema is invalid or unreadable; rendered as
    /// `file:line:col: error: ...` with snippets.
    Schema(Diagnostics),
    /// The schema is valid but the settings do not fit it (e.g. `only`
    /// names an unknown command, a derive is not a path).
    Generate(GenerateError),
    /// [`Builder::generate_to_out_dir`] outside a build script.
    NoOutDir,
    /// The output file could not be written.
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        error: io::Error,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Schema(diags) => write!(f, "{diags}"),
            Error::Generate(err) => write!(f, "error: {err}"),
            Error::NoOutDir => f.write_str(
                "error: OUT_DIR is not set (generate_to_out_dir is meant for build scripts)",
            ),
            Error::Write { path, error } => {
                write!(f, "error: can't write '{}': {error}", path.display())
            }
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `main` prints errors with `{:?}`: show the diagnostics, not a
        // dump of the source map.
        write!(f, "\n{self}")
    }
}

impl std::error::Error for Error {}

impl Builder {
    /// Bindings for the schema rooted at `schema`.  A relative path is
    /// relative to `CARGO_MANIFEST_DIR` when it is set (build scripts),
    /// else to the current directory.
    pub fn new(schema: impl AsRef<Path>) -> Builder {
        Builder {
            schema: schema.as_ref().to_path_buf(),
            base_dir: std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from),
            settings: Settings::default(),
        }
    }

    /// Resolve a relative schema path against `dir` instead.
    pub fn base_dir(mut self, dir: impl AsRef<Path>) -> Builder {
        self.base_dir = Some(dir.as_ref().to_path_buf());
        self
    }

    /// Replace all settings at once.
    pub fn with_settings(mut self, settings: Settings) -> Builder {
        self.settings = settings;
        self
    }

    /// The settings generation uses.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// See [`Settings::if_policy`].
    pub fn if_policy(mut self, policy: IfPolicy) -> Builder {
        self.settings.if_policy = policy;
        self
    }

    /// A condition name that is true under [`IfPolicy::Evaluate`].
    pub fn enable(mut self, name: impl Into<String>) -> Builder {
        self.settings.enable.push(name.into());
        self
    }

    /// The `cfg` predicate for condition `name` under [`IfPolicy::Cfg`],
    /// e.g. `.cfg("CONFIG_SPICE", "feature = \"spice\"")`.
    pub fn cfg(mut self, name: impl Into<String>, predicate: impl Into<String>) -> Builder {
        self.settings.cfg.push((name.into(), predicate.into()));
        self
    }

    /// An extra derive for every generated type.
    pub fn derive(mut self, derive: impl Into<String>) -> Builder {
        self.settings.derive.push(derive.into());
        self
    }

    /// An extra derive for the type named `ty` in the schema.
    pub fn type_derive(mut self, ty: impl Into<String>, derive: impl Into<String>) -> Builder {
        self.settings.type_derive.push((ty.into(), derive.into()));
        self
    }

    /// An extra attribute (`"#[non_exhaustive]"`) for every generated type.
    pub fn attribute(mut self, attribute: impl Into<String>) -> Builder {
        self.settings.attribute.push(attribute.into());
        self
    }

    /// An extra attribute for the type named `ty` in the schema.
    pub fn type_attribute(
        mut self,
        ty: impl Into<String>,
        attribute: impl Into<String>,
    ) -> Builder {
        self.settings
            .type_attribute
            .push((ty.into(), attribute.into()));
        self
    }

    /// Generate only these commands and events (wire names) and the types
    /// they reach; adds to the names given before.
    pub fn only<I>(mut self, names: I) -> Builder
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.settings.only.extend(names.into_iter().map(Into::into));
        self
    }

    /// Path of the runtime crate in generated code (default `::qapi_types`).
    pub fn runtime_path(mut self, path: impl Into<String>) -> Builder {
        self.settings.runtime_path = path.into();
        self
    }

    /// Put the schema documentation on the generated items (default on).
    pub fn docs(mut self, docs: bool) -> Builder {
        self.settings.docs = docs;
        self
    }

    /// Generate constructors and setters for the types commands take
    /// (default on; see [`Settings::builders`]).
    pub fn builders(mut self, on: bool) -> Builder {
        self.settings.builders = on;
        self
    }

    /// Generate `pub mod server`, for a QMP server (default off).
    pub fn server(mut self, server: bool) -> Builder {
        self.settings.server = server;
        self
    }

    /// Make a doc-comment rule the schema breaks an error rather than a
    /// warning (default off; see [`Settings::strict_docs`]).
    pub fn strict_docs(mut self, strict: bool) -> Builder {
        self.settings.strict_docs = strict;
        self
    }

    /// The QEMU release whose rules the schema is held to (default the
    /// newest; see [`Settings::rules`]).
    pub fn rules(mut self, rules: Rules) -> Builder {
        self.settings.rules = rules;
        self
    }

    /// An older QEMU version the bindings also decode: a schema file, a
    /// saved `query-qmp-schema` reply or a directory holding one, as `PATH`
    /// or `LABEL=PATH` (see [`Settings::compat`] and
    /// [`compat`](crate::compat)).  Relative paths are resolved as the
    /// schema's.
    pub fn compat(mut self, input: impl Into<String>) -> Builder {
        self.settings.compat.push(input.into());
        self
    }

    /// The label of the schema's own version in span bindings (see
    /// [`Settings::version_label`]).
    pub fn version_label(mut self, label: impl Into<String>) -> Builder {
        self.settings.version_label = Some(label.into());
        self
    }

    /// Parse, check and resolve the schema; doc-comment rules it breaks
    /// are in [`Schema::warnings`] unless `strict_docs` is set.  With
    /// [`compat`](Builder::compat) versions, the model spans them all
    /// ([`crate::compat::span`]), and the changes it could not merge are
    /// warnings too.
    pub fn load(&self) -> Result<Schema, Diagnostics> {
        let loader = BaseDirLoader {
            base_dir: self.base_dir.as_deref(),
        };
        let options = self.settings.load_options();
        let schema = Schema::build(crate::parse::parse_with_options(
            &self.schema,
            &loader,
            options,
        )?)?;
        if self.settings.compat.is_empty() {
            return Ok(schema);
        }
        let unlocated = |sources: &SourceMap, message: String| Diagnostics {
            sources: sources.clone(),
            errors: vec![crate::diag::Diagnostic::without_location(message)],
        };
        let mut older = Vec::new();
        for text in &self.settings.compat {
            let input = crate::compat::Input::parse(text)
                .map_err(|e| unlocated(&schema.sources, format!("compat '{text}': {e}")))?;
            // Only the schema's own docs are used: an older version's are
            // read leniently, under the same rules.
            let options = LoadOptions {
                doc_mode: crate::DocMode::Lenient,
                ..options
            };
            match crate::compat::load(&input, self.base_dir.as_deref(), options) {
                Ok(loaded) => older.push(loaded),
                Err(crate::compat::LoadError::Schema(diags)) => return Err(diags),
                Err(error) => {
                    let message = error.to_string();
                    let message = message.strip_prefix("error: ").unwrap_or(&message);
                    return Err(unlocated(&schema.sources, message.to_string()));
                }
            }
        }
        let label = self.settings.version_label.clone();
        let sources = schema.sources.clone();
        crate::compat::span(schema, label, older).map_err(|e| unlocated(&sources, e.to_string()))
    }

    /// Where the files of `sources` are, as paths usable from any
    /// directory (when the base directory is absolute).
    pub fn source_paths(&self, sources: &SourceMap) -> Vec<PathBuf> {
        sources.paths().map(|path| self.resolve(path)).collect()
    }

    fn resolve(&self, path: &Path) -> PathBuf {
        match &self.base_dir {
            Some(dir) => dir.join(path),
            None => path.to_path_buf(),
        }
    }

    /// The generated file: `@generated` header and formatted items.
    pub fn generate(&self) -> Result<String, Error> {
        self.generate_reporting(|_| {}).map(|(text, _)| text)
    }

    /// [`generate`](Builder::generate), with the warnings about the
    /// schema's doc comments, each rendered as `file:line:col: warning: ...`
    /// and a snippet.
    pub fn generate_with_warnings(&self) -> Result<(String, Vec<String>), Error> {
        let (text, schema) = self.generate_reporting(|_| {})?;
        Ok((text, schema.rendered_warnings()))
    }

    /// Write the generated file to `$OUT_DIR/name` (see
    /// [`generate_to`](Builder::generate_to)); returns its path.
    pub fn generate_to_out_dir(&self, name: impl AsRef<Path>) -> Result<PathBuf, Error> {
        let dir = std::env::var_os("OUT_DIR").ok_or(Error::NoOutDir)?;
        let path = Path::new(&dir).join(name);
        self.generate_to(&path)?;
        Ok(path)
    }

    /// Write the generated file to `path`, only when its content changed
    /// (so that what includes it is not rebuilt for nothing), and print
    /// `cargo:rerun-if-changed=` for every schema file read.  Warnings (the
    /// doc-comment rules the schema breaks, and the changes a span could
    /// not merge) are printed as `cargo:warning=` lines, one per warning
    /// (`file:line:col: message`), at most [`SHOWN_WARNINGS`] of them, then
    /// a line with their number and the file that holds every one in full
    /// (rendered with its context and snippet): `NAME.warnings.txt` for an
    /// output file `NAME.rs`, in `$OUT_DIR` in a build script, else beside
    /// the output.
    pub fn generate_to(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        let path = path.as_ref();
        let (text, schema) = self.generate_reporting(|sources| {
            for file in self.source_paths(sources) {
                println!("cargo:rerun-if-changed={}", file.display());
            }
        })?;
        write_if_changed(path, &text).map_err(|error| Error::Write {
            path: path.to_path_buf(),
            error,
        })?;
        let report = warnings_file(path);
        let written = if schema.warnings.is_empty() {
            // No stale report of an earlier run.
            match std::fs::remove_file(&report) {
                Err(error) if error.kind() != io::ErrorKind::NotFound => Err(error),
                _ => Ok(()),
            }
        } else {
            let rendered = schema.rendered_warnings().join("\n");
            write_if_changed(&report, &rendered).map(|_| ())
        };
        written.map_err(|error| Error::Write {
            path: report.clone(),
            error,
        })?;
        for line in warning_lines(&schema, &report) {
            println!("cargo:warning={line}");
        }
        Ok(())
    }

    /// Generate, telling `read` which files were read (also on errors,
    /// for the files read before the error); the schema comes with the
    /// text, for its warnings.
    fn generate_reporting(&self, read: impl Fn(&SourceMap)) -> Result<(String, Schema), Error> {
        let schema = self.load().map_err(|diags| {
            read(&diags.sources);
            Error::Schema(diags)
        })?;
        read(&schema.sources);
        let text = crate::rust::generate_file(&schema, &self.settings).map_err(Error::Generate)?;
        Ok((text, schema))
    }
}

/// How many warnings (broken doc-comment rules, changes a span could not
/// merge) a build script prints, one a line: a screenful.  The others are
/// counted, and all of them are in the file [`Builder::generate_to`]
/// writes.
pub const SHOWN_WARNINGS: usize = 20;

/// Where [`Builder::generate_to`] puts the warnings of the output `path`.
fn warnings_file(path: &Path) -> PathBuf {
    let stem = path
        .file_stem()
        .map_or_else(|| "bindings".into(), |s| s.to_string_lossy().into_owned());
    let name = format!("{stem}.warnings.txt");
    match std::env::var_os("OUT_DIR") {
        Some(dir) => Path::new(&dir).join(name),
        None => path.with_file_name(name),
    }
}

/// The `cargo:warning=` lines for the schema's warnings, whose rendering
/// is in `report`: the first [`SHOWN_WARNINGS`] on a line each, then the
/// count and the file.  None without warnings.
fn warning_lines(schema: &Schema, report: &Path) -> Vec<String> {
    let count = schema.warnings.len();
    if count == 0 {
        return Vec::new();
    }
    let mut lines: Vec<String> = schema
        .warnings
        .iter()
        .take(SHOWN_WARNINGS)
        .map(|warning| warning.one_line(&schema.sources))
        .collect();
    let noun = if count == 1 { "warning" } else { "warnings" };
    let summary = if count > SHOWN_WARNINGS {
        format!(
            "{} more warnings ({count} in all), every one in full in {}",
            count - SHOWN_WARNINGS,
            report.display()
        )
    } else {
        format!("{count} {noun}, in full in {}", report.display())
    };
    lines.push(summary);
    lines
}

/// Reads relative paths (the root and the includes, which are joined to
/// it) from a base directory, keeping the names in diagnostics as written.
struct BaseDirLoader<'a> {
    base_dir: Option<&'a Path>,
}

impl FileLoader for BaseDirLoader<'_> {
    fn load(&self, path: &Path) -> io::Result<Vec<u8>> {
        match self.base_dir {
            Some(dir) => std::fs::read(dir.join(path)),
            None => std::fs::read(path),
        }
    }
}

/// Write `text` to `path` unless it already holds exactly that; creates
/// the parent directory.  Returns whether it wrote.  (Public for the
/// `qapi-gen` command line.)
#[doc(hidden)]
pub fn write_if_changed(path: &Path, text: &str) -> io::Result<bool> {
    if file_holds(path, text.as_bytes()) {
        return Ok(false);
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, text)?;
    Ok(true)
}

/// Whether the file at `path` holds exactly `content`; compared a chunk at
/// a time, since outputs are megabytes and usually unchanged.  (Public
/// for the `qapi-gen` command line.)
#[doc(hidden)]
pub fn file_holds(path: &Path, content: &[u8]) -> bool {
    use std::io::Read;
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    if !file
        .metadata()
        .is_ok_and(|m| m.len() == content.len() as u64)
    {
        return false;
    }
    let mut chunk = vec![0; 64 * 1024];
    let mut rest = content;
    loop {
        match file.read(&mut chunk) {
            Ok(0) => return rest.is_empty(),
            Ok(n) if rest.len() >= n && chunk[..n] == rest[..n] => rest = &rest[n..],
            Ok(_) => return false,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_set_the_settings_fields() {
        let b = Builder::new("x.json")
            .if_policy(IfPolicy::Evaluate)
            .enable("A")
            .enable("B")
            .cfg("A", "unix")
            .derive("Hash")
            .type_derive("T", "Eq")
            .attribute("#[non_exhaustive]")
            .type_attribute("T", "#[repr(u8)]")
            .only(["query-status"])
            .only(vec!["STOP".to_string()])
            .runtime_path("crate::rt")
            .docs(false)
            .builders(false)
            .rules(Rules::V10_1);
        assert_eq!(
            b.settings(),
            &Settings {
                if_policy: IfPolicy::Evaluate,
                enable: vec!["A".into(), "B".into()],
                cfg: vec![("A".into(), "unix".into())],
                derive: vec!["Hash".into()],
                type_derive: vec![("T".into(), "Eq".into())],
                attribute: vec!["#[non_exhaustive]".into()],
                type_attribute: vec![("T".into(), "#[repr(u8)]".into())],
                only: vec!["query-status".into(), "STOP".into()],
                runtime_path: "crate::rt".into(),
                docs: false,
                server: false,
                builders: false,
                strict_docs: false,
                rules: Rules::V10_1,
                compat: Vec::new(),
                version_label: None,
            }
        );
    }

    #[test]
    fn writes_only_changes() {
        let dir = std::env::temp_dir().join(format!("qapi-gen-builder-{}", std::process::id()));
        let path = dir.join("sub/out.rs");
        assert!(write_if_changed(&path, "a").unwrap());
        assert!(!write_if_changed(&path, "a").unwrap());
        assert!(write_if_changed(&path, "b").unwrap());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "b");
        // Longer than one compared chunk, differing only in the last byte.
        let long = "x".repeat(200_000);
        assert!(write_if_changed(&path, &long).unwrap());
        assert!(file_holds(&path, long.as_bytes()));
        assert!(!write_if_changed(&path, &long).unwrap());
        let changed = format!("{}y", &long[1..]);
        assert!(!file_holds(&path, changed.as_bytes()));
        assert!(write_if_changed(&path, &changed).unwrap());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), changed);
        assert!(!file_holds(&dir.join("missing"), b""));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A schema breaking QEMU 10.2's line length `lines` times.
    fn schema_with_warnings(test: &str, lines: usize) -> Schema {
        let dir =
            std::env::temp_dir().join(format!("qapi-gen-builder-{test}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let long = format!("# {}\n", "x ".repeat(35));
        let text = format!(
            "##\n# @Old:\n#\n{}##\n{{ 'struct': 'Old', 'data': {{}} }}\n",
            long.repeat(lines)
        );
        std::fs::write(dir.join("s.json"), text).unwrap();
        let schema = Builder::new("s.json").base_dir(&dir).load().unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        schema
    }

    #[test]
    fn warnings_a_line_each_then_a_count() {
        let report = Path::new("/out/qmp.warnings.txt");
        let lines = warning_lines(&schema_with_warnings("many", 25), report);
        assert_eq!(lines.len(), SHOWN_WARNINGS + 1);
        assert_eq!(
            lines[0],
            "s.json:4:1: documentation line longer than 70 characters"
        );
        assert_eq!(
            lines[SHOWN_WARNINGS - 1],
            "s.json:23:1: documentation line longer than 70 characters"
        );
        assert_eq!(
            lines[SHOWN_WARNINGS],
            "5 more warnings (25 in all), every one in full in /out/qmp.warnings.txt"
        );
        let lines = warning_lines(&schema_with_warnings("one", 1), report);
        assert_eq!(
            lines,
            [
                "s.json:4:1: documentation line longer than 70 characters",
                "1 warning, in full in /out/qmp.warnings.txt"
            ]
        );
        assert!(warning_lines(&schema_with_warnings("none", 0), report).is_empty());
    }

    #[test]
    fn missing_schema_is_a_rendered_error() {
        let err = Builder::new("no-such.json")
            .base_dir("/nonexistent-dir")
            .generate()
            .unwrap_err();
        assert_eq!(
            format!("{err}"),
            "error: can't read schema file 'no-such.json': No such file or directory\n"
        );
        assert_eq!(format!("{err:?}"), format!("\n{err}"));
    }
}
