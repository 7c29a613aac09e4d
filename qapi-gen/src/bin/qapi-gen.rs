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
        Command::Check { schema, summary } => check(&schema, summary),
    }
}

fn check(path: &std::path::Path, summary: bool) -> ExitCode {
    match qapi_gen::load(path) {
        Ok(schema) => {
            if summary {
                print!("{}", summarize(&schema));
            }
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
         {} structs and unions ({structs} structs, {unions} unions)\n",
        structs + unions
    )
}
