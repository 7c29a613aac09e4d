//! The `qapi-gen` command line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use qapi_gen::schema::{EntityKind, Schema};

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
    },
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
    match cli.command {
        Command::Check {
            schema,
            summary,
            dump,
        } => check(&schema, summary, dump),
        Command::Introspect {
            schema,
            enable,
            unmask,
        } => introspect(&schema, &enable, unmask),
        Command::Docs {
            schema,
            output,
            format,
        } => docs(&schema, &output, &format),
    }
}

fn check(path: &std::path::Path, summary: bool, dump: bool) -> ExitCode {
    with_schema(path, |schema| {
        if summary {
            print!("{}", summarize(schema));
        }
        if dump {
            print!("{}", qapi_gen::dump::dump(schema));
        }
    })
}

fn introspect(path: &std::path::Path, enable: &[String], unmask: bool) -> ExitCode {
    with_schema(path, |schema| {
        let enabled = |name: &str| enable.iter().any(|e| e == name);
        let reply = qapi_gen::introspect::introspect(schema, &enabled, unmask);
        println!("{reply:#}");
    })
}

fn docs(path: &std::path::Path, output: &std::path::Path, format: &str) -> ExitCode {
    let format = match format.parse::<qapi_gen::docs::Format>() {
        Ok(format) => format,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let mut failed = None;
    let loaded = with_schema(path, |schema| {
        if let Err(err) = qapi_gen::docs::write(schema, format, output) {
            eprintln!("error: cannot write {}: {err}", output.display());
            failed = Some(ExitCode::from(1));
        }
    });
    failed.unwrap_or(loaded)
}

/// Load the schema at `path` and run `action` on it; on errors print the
/// diagnostics and return the exit code.
fn with_schema(path: &std::path::Path, action: impl FnOnce(&Schema)) -> ExitCode {
    match qapi_gen::load(path) {
        Ok(schema) => {
            action(&schema);
            ExitCode::SUCCESS
        }
        Err(diags) => {
            eprint!("{diags}");
            // An unreadable root file is a usage error, like a bad argument.
            if diags.errors.len() == 1 && diags.errors[0].span.is_none() {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
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
         {} structs ({structs} structs, {unions} unions)\n",
        structs + unions
    )
}
