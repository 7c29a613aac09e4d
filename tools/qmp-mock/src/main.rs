//! `qmp-mock`: a QMP server for any QAPI schema, for testing management
//! software without a QEMU.  It greets, negotiates, checks arguments and
//! answers errors exactly as QEMU 10.0 does (the dispatcher of
//! `qapi_types::qmp::server`), answers commands from recorded traffic or
//! with schema-valid replies, emits events from a script, and holds the
//! file descriptors clients pass (`getfd`, `add-fd`, ...).  See
//! `qmp-mock --help` and the README.

mod corpus;
mod json;
mod mock;
mod replies;
mod script;
mod tables;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use qapi_types::qmp::server::schema::Schema;
use qapi_types::qmp::server::{CompatPolicy, Dispatcher, EventSender, Server};
use qapi_types::qmp::{Capability, Greeting, VersionInfo};

use crate::corpus::{read_greeting, Corpus};
use crate::mock::{Fallback, Mock};
use crate::script::{Script, When};

/// A QMP server for any schema, answering as QEMU does: from recorded
/// traffic (a corpus directory) or with schema-valid replies.
#[derive(Parser, Debug)]
#[command(name = "qmp-mock", version)]
struct Cli {
    /// Serve on this Unix socket (file descriptors can be passed).
    #[arg(
        long,
        value_name = "PATH",
        conflicts_with = "tcp",
        required_unless_present = "tcp"
    )]
    unix: Option<PathBuf>,
    /// Serve on this TCP address (`127.0.0.1:4444`; port 0 picks one).
    #[arg(long, value_name = "HOST:PORT")]
    tcp: Option<String>,
    /// The schema file (`qapi-schema.json`, with its includes).
    #[arg(long, value_name = "FILE", conflicts_with = "introspection")]
    schema: Option<PathBuf>,
    /// A saved `query-qmp-schema` reply (the whole reply, its `return`
    /// array, or a corpus's `schema.json`).  Default: the corpus's.
    #[arg(long, value_name = "FILE")]
    introspection: Option<PathBuf>,
    /// With --schema: a condition name the build defines (`CONFIG_KVM`);
    /// repeatable.  Definitions whose `if` does not hold are left out.
    #[arg(long, value_name = "NAME")]
    enable: Vec<String>,
    /// With --schema: a file of condition names, one a line (`#` starts a
    /// comment).
    #[arg(long, value_name = "FILE")]
    enable_file: Option<PathBuf>,
    /// Recorded traffic to answer from (the layout of
    /// `shared/qmp-corpus/<version>`).
    #[arg(long, value_name = "DIR")]
    corpus: Option<PathBuf>,
    /// What to answer a call with no recording.
    #[arg(long, value_enum, default_value = "generate")]
    fallback: Fallback,
    /// The events script (see the README).
    #[arg(long, value_name = "FILE")]
    events: Option<PathBuf>,
    /// The greeting (`{"QMP": ...}`, or a corpus's `greeting.json`).
    /// Default: the corpus's, else version 0.0.0 with `oob`.
    #[arg(long, value_name = "FILE")]
    greeting: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => return fail(format!("cannot start the runtime: {error}")),
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => fail(message),
    }
}

fn fail(message: String) -> ExitCode {
    eprintln!("qmp-mock: {message}");
    ExitCode::FAILURE
}

async fn run(cli: Cli) -> Result<(), String> {
    let corpus = match &cli.corpus {
        Some(dir) => Corpus::read(dir)?,
        None => Corpus::default(),
    };
    let schema = load_schema(&cli, &corpus)?;
    for command in corpus.calls.keys() {
        if !schema.commands.iter().any(|c| c.name == command) {
            eprintln!("qmp-mock: warning: the corpus records '{command}', which the schema lacks");
        }
    }
    let script = match &cli.events {
        Some(file) => Script::read(file, schema)?,
        None => Script::default(),
    };
    let greeting = match (&cli.greeting, &corpus.greeting) {
        (Some(file), _) => read_greeting(file)?,
        (None, Some(greeting)) => greeting.clone(),
        (None, None) => Greeting {
            version: VersionInfo {
                package: "qmp-mock".to_string(),
                ..VersionInfo::default()
            },
            capabilities: vec![Capability::Oob],
        },
    };
    let policy = CompatPolicy::default();
    let events = EventSender::new(schema, policy);
    let timed: Vec<_> = script
        .rules
        .iter()
        .filter(|(when, _)| !matches!(when, When::After(_)))
        .cloned()
        .collect();
    let mock = Arc::new(Mock {
        schema,
        corpus,
        fallback: cli.fallback,
        script,
        events: events.clone(),
    });
    let dispatcher = Dispatcher::for_any_command(schema, Mock::call, mock, policy);
    let server = Arc::new(
        Server::new(dispatcher)
            .greeting(greeting.version, greeting.capabilities)
            .event_sender(events.clone()),
    );
    for (when, emit) in timed {
        let events = events.clone();
        tokio::spawn(async move {
            let (first, period) = match when {
                When::At(at) => (at, None),
                When::Every(every) => (every, Some(every)),
                When::After(_) => return,
            };
            tokio::time::sleep(first).await;
            loop {
                events.emit_json(&emit.event, emit.data.as_deref());
                match period {
                    Some(period) => tokio::time::sleep(period).await,
                    None => return,
                }
            }
        });
    }
    if let Some(path) = &cli.unix {
        let _ = std::fs::remove_file(path);
        let listener =
            tokio::net::UnixListener::bind(path).map_err(|e| format!("{}: {e}", path.display()))?;
        println!("qmp-mock: listening on {}", path.display());
        server
            .serve_unix_listener(listener)
            .await
            .map_err(|e| format!("{}: {e}", path.display()))
    } else {
        let address = cli.tcp.as_deref().unwrap_or("127.0.0.1:4444");
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .map_err(|e| format!("{address}: {e}"))?;
        let bound = listener.local_addr().map_err(|e| e.to_string())?;
        println!("qmp-mock: listening on {bound}");
        server
            .serve_tcp_listener(listener)
            .await
            .map_err(|e| format!("{address}: {e}"))
    }
}

/// The schema: from the schema file, the saved introspection, or the
/// corpus's `schema.json`.
fn load_schema(cli: &Cli, corpus: &Corpus) -> Result<&'static Schema, String> {
    if let Some(file) = &cli.schema {
        let model = qapi_gen::load_with(file, qapi_gen::DocMode::Lenient)
            .map_err(|diagnostics| format!("{}: invalid schema:\n{diagnostics}", file.display()))?;
        let mut names = cli.enable.clone();
        if let Some(list) = &cli.enable_file {
            let text =
                std::fs::read_to_string(list).map_err(|e| format!("{}: {e}", list.display()))?;
            names.extend(
                text.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty() && !l.starts_with('#'))
                    .map(str::to_string),
            );
        }
        return Ok(tables::from_model(&model, &|name| {
            names.iter().any(|n| n == name)
        }));
    }
    if !cli.enable.is_empty() || cli.enable_file.is_some() {
        return Err("--enable and --enable-file need --schema".to_string());
    }
    let file = match (&cli.introspection, &corpus.schema) {
        (Some(file), _) => file.clone(),
        (None, Some(file)) => file.clone(),
        (None, None) => {
            return Err(
                "no schema: give --schema, --introspection, or a --corpus with schema.json"
                    .to_string(),
            )
        }
    };
    introspection(&file)
}

/// A saved `query-qmp-schema` reply; a corpus's `schema.json` holds the
/// recorded call, whose `response` is the reply (`Schema::from_introspection`
/// reads either).
fn introspection(file: &Path) -> Result<&'static Schema, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    Schema::from_introspection(&text).map_err(|e| format!("{}: {e}", file.display()))
}
