//! vm-info: what a running QEMU is, in a few lines.
//!
//! ```text
//! vm-info /tmp/qmp.sock          # name, UUID, version, run state, accelerator,
//!                                # CPUs, memory, block devices, network, PCI
//! vm-info --json /tmp/qmp.sock   # the replies, one object keyed by section
//! ```
//!
//! Built on the blocking client of `qapi-types` and bindings generated from
//! QEMU 10.0's schema (`build.rs`).

use std::process::ExitCode;

use clap::Parser;

/// Show what a running QEMU is.
#[derive(Parser, Debug)]
#[command(name = "vm-info", version)]
struct Cli {
    /// The QMP server: a Unix socket path or HOST:PORT.
    server: String,
    /// Print the replies as one JSON object, a member per section.
    #[arg(long)]
    json: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("vm-info: {error}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(qapi_shared)]
fn run(cli: &Cli) -> Result<(), String> {
    use qapi_types::qmp::{blocking::Client, Options};
    use vm_info::Report;

    let context = |e: qapi_types::qmp::Error| format!("{}: {e}", cli.server);
    let options = Options::new();
    let report = match tcp_address(&cli.server) {
        Some((host, port)) => {
            Report::query(&mut Client::connect_tcp((host, port), &options).map_err(context)?)
        }
        None => Report::query(&mut Client::connect_unix(&cli.server, &options).map_err(context)?),
    }
    .map_err(context)?;
    let text = if cli.json {
        report.to_json_text().map_err(|e| e.to_string())?
    } else {
        report.summary()
    };
    // A closed pipe (`vm-info ... | head`) is not an error worth a word.
    let _ = std::io::Write::write_all(&mut std::io::stdout(), text.as_bytes());
    Ok(())
}

#[cfg(not(qapi_shared))]
fn run(_: &Cli) -> Result<(), String> {
    Err("built without QEMU's schema (../shared or $QAPI_SHARED_DIR): rebuild with it".into())
}

/// `HOST:PORT` when `server` is not an existing path.
#[cfg(qapi_shared)]
fn tcp_address(server: &str) -> Option<(&str, u16)> {
    if std::path::Path::new(server).exists() {
        return None;
    }
    let (host, port) = server.rsplit_once(':')?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    Some((host, port.parse().ok()?))
}
