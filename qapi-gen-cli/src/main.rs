//! The `qapi-gen` command line: `check`, `introspect`, `docs`, `rust` and
//! `diff` over the `qapi-gen` library.  Install it with
//! `cargo install --path qapi-gen-cli`.

#![warn(missing_docs)]
// The clap arguments' doc comments are help text, not rustdoc: brackets
// in them (`'#[non_exhaustive]'`) are not links.
#![allow(rustdoc::broken_intra_doc_links)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use qapi_gen::builder::{file_holds, write_if_changed};
use qapi_gen::rust::GenerateError;
use qapi_gen::schema::{EntityKind, Schema};
use qapi_gen::{Builder, Diagnostics, DocMode, IfPolicy, LoadOptions, Rules, Settings};

#[derive(Parser)]
#[command(
    name = "qapi-gen",
    version,
    about = "QAPI schema checker and Rust code generator"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Parse and check a schema; exit 1 with diagnostics when it is invalid.
    Check {
        /// The root schema file (e.g. qapi-schema.json).
        schema: PathBuf,
        /// Print how many definitions of each kind the schema has.
        #[arg(long)]
        summary: bool,
        /// Print the model as QEMU's test-qapi.py does (for comparison
        /// with QEMU's conformance suite).
        #[arg(long)]
        dump: bool,
        /// Accept doc comments that break the rules (schemas of other QEMU
        /// versions), with a warning for each.
        #[arg(long)]
        lenient_docs: bool,
        #[command(flatten)]
        rules: RulesArg,
    },
    /// Print the `query-qmp-schema` reply QEMU would give for a schema.
    Introspect {
        /// The root schema file (e.g. qapi-schema.json).
        schema: PathBuf,
        /// A condition name that is true (e.g. CONFIG_VNC); repeatable.
        #[arg(long = "enable", value_name = "NAME")]
        enable: Vec<String>,
        /// Show type names instead of numbers.
        #[arg(long)]
        unmask: bool,
        /// Reject doc comments that break the rules, rather than warn.
        #[arg(long)]
        strict_docs: bool,
        #[command(flatten)]
        rules: RulesArg,
    },
    /// Write reference documentation (a page per module, an index).
    Docs {
        /// The root schema file.
        schema: PathBuf,
        /// The output directory (created if needed).
        #[arg(short, long)]
        output: PathBuf,
        #[arg(long, default_value = "html", value_parser = ["html", "markdown"])]
        format: String,
        /// Reject doc comments that break the rules, rather than warn (a
        /// block that does not parse is shown as plain text).
        #[arg(long)]
        strict_docs: bool,
        #[command(flatten)]
        rules: RulesArg,
    },
    /// Generate Rust bindings for a schema.
    Rust(Box<RustArgs>),
    /// Compare two versions of a schema: what was added, removed or
    /// changed, and whom it breaks; exit 1 when a change breaks a client.
    Diff {
        /// The old version: a schema file, a saved query-qmp-schema reply,
        /// or a directory holding one; LABEL=PATH names its version.
        #[arg(value_name = "[LABEL=]OLD")]
        old: String,
        /// The new version, as OLD.
        #[arg(value_name = "[LABEL=]NEW")]
        new: String,
        /// Print JSON.
        #[arg(long, conflicts_with = "markdown")]
        json: bool,
        /// Print Markdown, for a pull request.
        #[arg(long)]
        markdown: bool,
        /// Count changes that break only strict decoding (members, enum
        /// values and branches a reader does not know) as breaking too.
        #[arg(long)]
        strict: bool,
    },
}

/// `--rules`: the QEMU release whose schema language holds.
#[derive(Args)]
struct RulesArg {
    /// The QEMU release whose rules the schema is held to [default: 10.2].
    #[arg(long, value_name = "RELEASE", value_parser = Rules::NAMES)]
    rules: Option<String>,
}

impl RulesArg {
    fn options(&self, strict_docs: bool) -> Result<LoadOptions, String> {
        let rules = match &self.rules {
            Some(name) => name.parse()?,
            None => Rules::default(),
        };
        Ok(LoadOptions::new(rules, doc_mode(strict_docs)))
    }
}

/// The flags are the `Settings` fields, `_` written `-`.
#[derive(Args)]
struct RustArgs {
    /// The root schema file (e.g. qapi-schema.json).
    schema: PathBuf,
    /// Where to write the bindings; `-` for standard output.
    #[arg(short, long, value_name = "FILE")]
    output: PathBuf,
    /// Write nothing; exit 1 when FILE differs from what would be written.
    #[arg(long)]
    check: bool,
    /// What to do with `if` conditions.
    #[arg(long, value_name = "POLICY", value_parser = IfPolicy::NAMES)]
    if_policy: Option<String>,
    /// A condition name that is true under `--if-policy evaluate` (repeatable).
    #[arg(long, value_name = "NAME")]
    enable: Vec<String>,
    /// The cfg predicate for a condition name under `--if-policy cfg`
    /// (repeatable), e.g. 'CONFIG_SPICE=feature = "spice"'.
    #[arg(long, value_name = "NAME=PRED")]
    cfg: Vec<String>,
    /// An extra derive for every type (repeatable).
    #[arg(long, value_name = "DERIVE")]
    derive: Vec<String>,
    /// An extra derive for one type (repeatable).
    #[arg(long, value_name = "TYPE=DERIVE")]
    type_derive: Vec<String>,
    /// An extra attribute for every type, e.g. '#[non_exhaustive]' (repeatable).
    #[arg(long, value_name = "ATTR")]
    attribute: Vec<String>,
    /// An extra attribute for one type (repeatable).
    #[arg(long, value_name = "TYPE=ATTR")]
    type_attribute: Vec<String>,
    /// Generate only this command or event (wire name) and the types it
    /// reaches (repeatable).
    #[arg(long, value_name = "NAME")]
    only: Vec<String>,
    /// Path of the runtime crate in the generated code [default: ::qapi_types].
    #[arg(long, value_name = "PATH")]
    runtime_path: Option<String>,
    /// Leave the schema documentation out.
    #[arg(long)]
    no_docs: bool,
    /// Generate `pub mod server`, for a QMP server.
    #[arg(long)]
    server: bool,
    /// No constructors and setters for the types commands take: faster
    /// to compile, for clients that build arguments with struct literals.
    #[arg(long)]
    no_builders: bool,
    /// Reject doc comments that break the rules, rather than warn.
    #[arg(long)]
    strict_docs: bool,
    /// The QEMU release whose rules the schema is held to [default: 10.2].
    #[arg(long, value_name = "RELEASE", value_parser = Rules::NAMES)]
    rules: Option<String>,
    /// An older QEMU version the bindings also decode (span bindings;
    /// repeatable): a schema file, a saved query-qmp-schema reply, or a
    /// directory holding one; LABEL=PATH names its version.
    #[arg(long, value_name = "[LABEL=]PATH")]
    compat: Vec<String>,
    /// The label of SCHEMA's own version in span bindings [default: the
    /// newest `Since:` of its doc comments].
    #[arg(long, value_name = "LABEL")]
    version_label: Option<String>,
}

impl RustArgs {
    /// The settings, through the same `Settings::set` as the macro.
    fn settings(&self) -> Result<Settings, String> {
        let mut settings = Settings::default();
        let single = |v: &Option<String>| v.iter().cloned().collect::<Vec<_>>();
        let docs = if self.no_docs {
            vec!["false".to_string()]
        } else {
            vec![]
        };
        let flag = |set: bool| {
            if set {
                vec!["true".to_string()]
            } else {
                vec![]
            }
        };
        let builders = if self.no_builders {
            vec!["false".to_string()]
        } else {
            vec![]
        };
        let options: [(&str, Vec<String>); 16] = [
            ("if_policy", single(&self.if_policy)),
            ("enable", self.enable.clone()),
            ("cfg", self.cfg.clone()),
            ("derive", self.derive.clone()),
            ("type_derive", self.type_derive.clone()),
            ("attribute", self.attribute.clone()),
            ("type_attribute", self.type_attribute.clone()),
            ("only", self.only.clone()),
            ("runtime_path", single(&self.runtime_path)),
            ("docs", docs),
            ("server", flag(self.server)),
            ("builders", builders),
            ("strict_docs", flag(self.strict_docs)),
            ("rules", single(&self.rules)),
            ("compat", self.compat.clone()),
            ("version_label", single(&self.version_label)),
        ];
        for (name, values) in options {
            for value in values {
                settings.set(name, &value).map_err(|err| {
                    format!("invalid value for '--{}': {err}", name.replace('_', "-"))
                })?;
            }
        }
        Ok(settings)
    }
}

/// Exit codes: 0 valid, 1 invalid schema, 2 usage error or unreadable root.
fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() { 2 } else { 0 };
            let _ = err.print();
            return ExitCode::from(code);
        }
    };
    let ran = match cli.command {
        Command::Check {
            schema,
            summary,
            dump,
            lenient_docs,
            rules,
        } => rules
            .options(!lenient_docs)
            .map(|options| check(&schema, summary, dump, options)),
        Command::Introspect {
            schema,
            enable,
            unmask,
            strict_docs,
            rules,
        } => rules
            .options(strict_docs)
            .map(|options| introspect(&schema, &enable, unmask, options)),
        Command::Docs {
            schema,
            output,
            format,
            strict_docs,
            rules,
        } => rules
            .options(strict_docs)
            .map(|options| docs(&schema, &output, &format, options)),
        Command::Rust(args) => Ok(rust(&args)),
        Command::Diff {
            old,
            new,
            json,
            markdown,
            strict,
        } => Ok(diff(&old, &new, json, markdown, strict)),
    };
    ran.unwrap_or_else(|message| {
        eprintln!("error: {message}");
        ExitCode::from(2)
    })
}

/// Exit codes: 0 nothing breaks a client, 1 something does, 2 usage error
/// or a version that does not load.
fn diff(old: &str, new: &str, json: bool, markdown: bool, strict: bool) -> ExitCode {
    let load = |text: &str| -> Result<qapi_gen::compat::Loaded, String> {
        let input = qapi_gen::compat::Input::parse(text).map_err(|e| format!("error: {e}"))?;
        qapi_gen::compat::load(&input, None, DocMode::Lenient).map_err(|e| e.to_string())
    };
    let (old, new) = match (load(old), load(new)) {
        (Ok(old), Ok(new)) => (old, new),
        (Err(error), _) | (_, Err(error)) => {
            eprintln!("{}", error.trim_end());
            return ExitCode::from(2);
        }
    };
    let diff = qapi_gen::compat::diff::diff(&old, &new);
    let text = if json {
        format!("{:#}\n", diff.to_json(strict))
    } else if markdown {
        diff.to_markdown(strict)
    } else {
        diff.to_text(strict)
    };
    if let Err(code) = print_out(&text) {
        return code;
    }
    if diff.breaks_clients(strict) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Exit codes: 0 written (or up to date with `--check`), 1 invalid schema
/// or `--check` found a difference, 2 usage error.
fn rust(args: &RustArgs) -> ExitCode {
    let usage_error = |msg: &str| {
        eprintln!("error: {msg}");
        ExitCode::from(2)
    };
    let settings = match args.settings() {
        Ok(settings) => settings,
        Err(msg) => return usage_error(&msg),
    };
    let to_stdout = args.output == Path::new("-");
    if args.check && to_stdout {
        return usage_error("--check needs a file to compare with, not '-o -'");
    }
    // Paths are relative to the current directory, whatever cargo sets.
    let builder = Builder::new(&args.schema)
        .base_dir(".")
        .with_settings(settings);
    let schema = match builder.load() {
        Ok(schema) => schema,
        Err(diags) => {
            eprint!("{diags}");
            return schema_error_code(&diags);
        }
    };
    print_warnings(&schema.rendered_warnings());
    if let Some(versions) = &schema.versions {
        eprintln!("{}", versions.stats(&schema));
    }
    let text = match qapi_gen::rust::generate_file(&schema, builder.settings()) {
        Ok(text) => text,
        // The settings do not fit the schema (an unknown `--only` name, a
        // derive that is not a path).
        Err(GenerateError::Setting { option, message })
            if Settings::option_kind(option).is_some() =>
        {
            let flag = option.replace('_', "-");
            return usage_error(&format!("invalid value for '--{flag}': {message}"));
        }
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::from(1);
        }
    };
    let output = args.output.display();
    if args.check {
        return if file_holds(&args.output, text.as_bytes()) {
            ExitCode::SUCCESS
        } else {
            eprintln!("error: {output} is not up to date with the schema; regenerate it");
            ExitCode::from(1)
        };
    }
    if to_stdout {
        return print_out(&text).err().unwrap_or(ExitCode::SUCCESS);
    }
    match write_if_changed(&args.output, &text) {
        Ok(_) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: can't write '{output}': {err}");
            ExitCode::from(1)
        }
    }
}

fn doc_mode(strict: bool) -> DocMode {
    if strict {
        DocMode::Strict
    } else {
        DocMode::Lenient
    }
}

fn check(path: &std::path::Path, summary: bool, dump: bool, options: LoadOptions) -> ExitCode {
    with_schema(path, options, |schema| {
        if summary {
            print_out(&summarize(schema))?;
        }
        if dump {
            print_out(&qapi_gen::dump::dump(schema))?;
        }
        Ok(())
    })
}

fn introspect(
    path: &std::path::Path,
    enable: &[String],
    unmask: bool,
    options: LoadOptions,
) -> ExitCode {
    with_schema(path, options, |schema| {
        let enabled = |name: &str| enable.iter().any(|e| e == name);
        let reply = qapi_gen::introspect::introspect(schema, &enabled, unmask);
        print_out(&format!("{reply:#}\n"))
    })
}

fn docs(
    path: &std::path::Path,
    output: &std::path::Path,
    format: &str,
    options: LoadOptions,
) -> ExitCode {
    let format = match format.parse::<qapi_gen::docs::Format>() {
        Ok(format) => format,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    with_schema(path, options, |schema| {
        qapi_gen::docs::write(schema, format, output)
            .map(|_| ())
            .map_err(|err| {
                eprintln!("error: cannot write {}: {err}", output.display());
                ExitCode::from(1)
            })
    })
}

/// Load the schema at `path` and run `action` on it; on errors print the
/// diagnostics and return the exit code.  Doc-comment warnings go to
/// stderr and do not change the exit code; `action` fails with its own.
fn with_schema(
    path: &std::path::Path,
    options: LoadOptions,
    action: impl FnOnce(&Schema) -> Result<(), ExitCode>,
) -> ExitCode {
    match qapi_gen::load_with(path, options) {
        Ok(schema) => {
            print_warnings(&schema.rendered_warnings());
            action(&schema).err().unwrap_or(ExitCode::SUCCESS)
        }
        Err(diags) => {
            eprint!("{diags}");
            schema_error_code(&diags)
        }
    }
}

/// Write `text` to standard output, flushed.  A reader that went away
/// (`qapi-gen introspect ... | head`) ends the output quietly, the exit
/// status unchanged: what it read is what it asked for.  Any other write
/// error is said on stderr, exit status 1.
fn print_out(text: &str) -> Result<(), ExitCode> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(err) => {
            eprintln!("error: cannot write to standard output: {err}");
            Err(ExitCode::from(1))
        }
    }
}

/// Rendered warnings on stderr, a blank line between two, as errors are.
fn print_warnings(warnings: &[String]) {
    eprint!("{}", warnings.join("\n"));
}

/// 1 for an invalid schema; 2 for an unreadable root file, a usage error
/// like a bad argument.
fn schema_error_code(diags: &Diagnostics) -> ExitCode {
    if diags.errors.len() == 1 && diags.errors[0].span.is_none() {
        ExitCode::from(2)
    } else {
        ExitCode::from(1)
    }
}

/// One line per kind of definition written in the schema (built-in and
/// implicit types not counted).
fn summarize(schema: &Schema) -> String {
    let (mut commands, mut events, mut enums, mut alternates, mut structs, mut unions) =
        (0, 0, 0, 0, 0, 0);
    for entity in &schema.entities {
        if entity.span.is_none() {
            continue;
        }
        match &entity.kind {
            EntityKind::Command(_) => commands += 1,
            EntityKind::Event(_) => events += 1,
            EntityKind::Enum(_) => enums += 1,
            EntityKind::Alternate(_) => alternates += 1,
            EntityKind::Object(o) if o.implicit => {}
            EntityKind::Object(o) if o.variants.is_some() => unions += 1,
            EntityKind::Object(_) => structs += 1,
            EntityKind::Builtin(_) | EntityKind::Array(_) => {}
        }
    }
    format!(
        "{commands} commands\n{events} events\n{enums} enums\n{alternates} alternates\n\
         {} structs and unions ({structs} structs, {unions} unions)\n",
        structs + unions
    )
}
