//! qmp-shell: QEMU's `qmp-shell`, knowing the schema.
//!
//! ```text
//! qmp-shell /tmp/qmp.sock                      # schema from query-qmp-schema
//! qmp-shell --schema qapi/qapi-schema.json -p /tmp/qmp.sock
//! qmp-shell -H localhost:4444                  # HMP via human-monitor-command
//! echo 'query-status' | qmp-shell /tmp/qmp.sock   # non-interactive
//! ```
//!
//! Input is `command key=value ...` (values JSON where they parse, dotted
//! keys for nested objects) or a raw JSON request; arguments are checked
//! against the schema before they are sent.  `transaction(` starts
//! collecting actions (prompt `TRANS> `), `)` sends them.  `help`, `help COMMAND`; Tab
//! completes command names, argument names and enum values.

mod check;
mod complete;
mod help;
mod input;
mod schema;
mod session;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

/// An interactive QMP shell that knows the schema.
#[derive(Parser, Debug)]
#[command(name = "qmp-shell", version)]
pub struct Cli {
    /// The QMP server: a Unix socket path or HOST:PORT.
    pub server: String,
    /// Read the schema from this file (with its documentation for `help`)
    /// instead of asking the server (`query-qmp-schema`).
    #[arg(long, value_name = "FILE")]
    pub schema: Option<PathBuf>,
    /// Pretty-print replies and events (indented by 4, keys sorted).
    #[arg(short, long)]
    pub pretty: bool,
    /// Print each request before it is sent.
    #[arg(short, long)]
    pub verbose: bool,
    /// Write each request with its reply to FILE, one JSON object each
    /// (`execute`, `arguments`, then `return` or `error`), as QEMU's
    /// qmp-shell does; the file is truncated first.
    #[arg(short, long, value_name = "FILE")]
    pub logfile: Option<PathBuf>,
    /// Neither wait for a greeting nor send `qmp_capabilities` (as QEMU's
    /// `-N`): for QEMU's guest agent, which expects neither; a QEMU then
    /// accepts only `qmp_capabilities` (type it yourself).
    #[arg(short = 'N', long)]
    pub skip_negotiation: bool,
    /// HMP mode: each line is an HMP command, run by
    /// `human-monitor-command`.
    #[arg(short = 'H', long)]
    pub hmp: bool,
    /// Read commands from stdin without line editing (the default when
    /// stdin is not a terminal); exit status 1 if any failed.
    #[arg(long)]
    pub batch: bool,
    /// Send arguments unchecked (the server still checks them).
    #[arg(long)]
    pub no_check: bool,
    /// The history file (default: $XDG_STATE_HOME/qapi-qmp-shell/history).
    #[arg(long, value_name = "FILE")]
    pub history: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let batch = cli.batch || !std::io::stdin().is_terminal();
    match session::run(&cli, batch) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("qmp-shell: {error}");
            ExitCode::FAILURE
        }
    }
}
