//! Round trips per second of `query-status`, one command at a time,
//! against one real QEMU (started here, `scripts/install-qemu.sh`), for:
//!
//! - our async client (`qapi_types::qmp::tokio::Client`),
//! - `qemu.qmp`'s `QMPClient` (Python asyncio; `scripts/install-qmp-python.sh`),
//! - the tokio client of the `qapi` crate (crates.io, arcnmx/qapi-rs);
//!
//! and, for reference, our blocking client and our async client with 64
//! commands in flight.  Each client connects in turn (QEMU serves one QMP
//! client at a time), `--rounds` times; the best and the median rate of the
//! rounds are printed.
//!
//! ```text
//! cargo run --release -- [--count N] [--rounds R]
//! ```

/// Bindings for `query-status`, written by `build.rs`.
#[allow(dead_code, clippy::all)]
mod qmp {
    include!(concat!(env!("OUT_DIR"), "/qmp.rs"));
}

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use qapi_qmp_tests::Qemu;
use qapi_types::qmp::{blocking, tokio::Client, Options};

const WARMUP: usize = 200;

fn main() {
    let mut count = 20_000;
    let mut rounds = 3;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next().and_then(|v| v.parse().ok());
        match (arg.as_str(), value) {
            ("--count", Some(value)) => count = value,
            ("--rounds", Some(value)) => rounds = value,
            _ => {
                eprintln!("usage: qapi-bench [--count N] [--rounds R]");
                std::process::exit(2);
            }
        }
    }

    let python = python_with_qemu_qmp();
    let qemu = Qemu::start();
    let socket = qemu.socket().to_path_buf();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();

    type Bench<'a> = Box<dyn Fn() -> f64 + 'a>;
    let benches: Vec<(&str, Bench)> = vec![
        (
            "qapi-types async (ours)",
            Box::new(|| runtime.block_on(ours_async(&socket, count))),
        ),
        (
            "qemu.qmp QMPClient (Python)",
            Box::new(|| python_rate(&python, &socket, count)),
        ),
        (
            "qapi crate 0.15, tokio",
            Box::new(|| runtime.block_on(qapi_crate(&socket, count))),
        ),
        (
            "qapi-types blocking (ours)",
            Box::new(|| ours_blocking(&socket, count)),
        ),
        (
            "qapi-types async, 64 in flight",
            Box::new(|| runtime.block_on(ours_in_flight(&socket, count, 64))),
        ),
    ];
    let mut rates: Vec<Vec<f64>> = vec![Vec::new(); benches.len()];
    for round in 0..rounds {
        for ((name, bench), rates) in benches.iter().zip(&mut rates) {
            let rate = bench();
            eprintln!("round {}: {name}: {rate:.0}/s", round + 1);
            rates.push(rate);
        }
    }
    println!(
        "query-status round trips per second, QEMU 10.0.2 (pid {}), {count} per round, {rounds} rounds",
        qemu.pid()
    );
    println!("{:<34} {:>10} {:>10}", "client", "best", "median");
    for ((name, _), rates) in benches.iter().zip(&mut rates) {
        rates.sort_by(f64::total_cmp);
        let median = rates[rates.len() / 2];
        let best = rates[rates.len() - 1];
        println!("{name:<34} {best:>10.0} {median:>10.0}");
    }
}

/// The venv's python from `scripts/install-qmp-python.sh` (it makes the
/// venv when missing).
fn python_with_qemu_qmp() -> PathBuf {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/install-qmp-python.sh");
    let output = Command::new("bash").arg(&script).output().unwrap();
    assert!(
        output.status.success(),
        "{} failed:\n{}",
        script.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    PathBuf::from(stdout.lines().last().expect("the python path").trim())
}

fn python_rate(python: &Path, socket: &Path, count: usize) -> f64 {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("qmp_bench.py");
    let output = Command::new(python)
        .arg(script)
        .arg(socket)
        .arg(count.to_string())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "qmp_bench.py failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().parse().unwrap()
}

fn rate(count: usize, start: Instant) -> f64 {
    count as f64 / start.elapsed().as_secs_f64()
}

async fn ours_async(socket: &Path, count: usize) -> f64 {
    let client = Client::connect_unix(socket, &Options::new()).await.unwrap();
    for _ in 0..WARMUP {
        client.execute(&qmp::commands::QueryStatus).await.unwrap();
    }
    let start = Instant::now();
    for _ in 0..count {
        client.execute(&qmp::commands::QueryStatus).await.unwrap();
    }
    rate(count, start)
}

async fn ours_in_flight(socket: &Path, count: usize, in_flight: usize) -> f64 {
    let client = Arc::new(Client::connect_unix(socket, &Options::new()).await.unwrap());
    let start = Instant::now();
    let tasks: Vec<_> = (0..in_flight)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move {
                for _ in 0..count / in_flight {
                    client.execute(&qmp::commands::QueryStatus).await.unwrap();
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    rate(count / in_flight * in_flight, start)
}

fn ours_blocking(socket: &Path, count: usize) -> f64 {
    let mut client = blocking::Client::connect_unix(socket, &Options::new()).unwrap();
    for _ in 0..WARMUP {
        client.execute(&qmp::commands::QueryStatus).unwrap();
    }
    let start = Instant::now();
    for _ in 0..count {
        client.execute(&qmp::commands::QueryStatus).unwrap();
    }
    rate(count, start)
}

async fn qapi_crate(socket: &Path, count: usize) -> f64 {
    use qapi::futures::QmpStreamTokio;
    let stream = QmpStreamTokio::open_uds(socket).await.unwrap();
    let stream = stream.negotiate().await.unwrap();
    let (qmp, task) = stream.spawn_tokio();
    for _ in 0..WARMUP {
        qmp.execute(qapi::qmp::query_status {}).await.unwrap();
    }
    let start = Instant::now();
    for _ in 0..count {
        qmp.execute(qapi::qmp::query_status {}).await.unwrap();
    }
    let rate = rate(count, start);
    // Close the connection, so that QEMU serves the next client.
    drop(qmp);
    task.abort();
    let _ = task.await;
    rate
}
