//! What a VM manager does over QMP and the guest agent, on the clients of
//! `qapi-types` and bindings generated from QEMU's schemas.
//!
//! ```text
//! vm-manager demo --qemu qemu-system-x86_64 [--qemu-img qemu-img]
//! vm-manager qga --qemu-ga qemu-ga
//! ```
//!
//! Each starts its own peer in a temporary directory (a QEMU without a
//! guest; a guest agent acting on this machine, allowed harmless commands
//! only), prints `ok STEP: ...` or `FAIL STEP: why` per step, and exits 0
//! only if every step passed.

mod bindings;
mod demo;
mod peer;
mod qga;
mod report;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(about = "What a VM manager does over QMP and the guest agent")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start a QEMU (q35, TCG, no guest) and manage it: hotplug CPUs,
    /// memory, a disk and a NIC passed as file descriptors, a block job,
    /// migration to a file, quit.
    Demo {
        /// The QEMU to run.
        #[arg(long, value_name = "BINARY")]
        qemu: PathBuf,
        /// The qemu-img to make the disk images with.
        #[arg(long, value_name = "BINARY", default_value = "qemu-img")]
        qemu_img: PathBuf,
    },
    /// Start a guest agent on this machine (only harmless commands
    /// allowed) and use it: sync, info, guest-exec, files, resync.
    Qga {
        /// The qemu-ga to run.
        #[arg(long, value_name = "BINARY")]
        qemu_ga: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let report = match cli.command {
        Command::Demo { qemu, qemu_img } => demo::run(&qemu, &qemu_img),
        Command::Qga { qemu_ga } => qga::run(&qemu_ga),
    };
    report.finish()
}
