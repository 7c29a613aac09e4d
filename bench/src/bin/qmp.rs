//! Round trips per second of `query-status`, one command at a time,
//! against one real QEMU (started here, `scripts/install-qemu.sh`), for:
//!
//! - our async client (`qapi_types::qmp::tokio::Client`),
//! - `qemu.qmp`'s `QMPClient` (Python asyncio; `scripts/install-qmp-python.sh`),
//! - the tokio client of the `qapi` crate (crates.io, arcnmx/qapi-rs);
//!
//! and, for reference, our blocking client and our async client with 64
//! commands in flight.  Each client connects in turn (QEMU serves one QMP
//! client at a time), `--rounds` times in a rotating order; the best and
//! the median rate of the rounds are printed.
//!
//! With `--fake`, a QMP peer in this process that answers at once stands
//! in for QEMU: the figures then show the clients' own cost.
//!
//! ```text
//! cargo run --release --bin qmp -- [--count N] [--rounds R] [--fake]
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
    let mut fake = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--fake" {
            fake = true;
            continue;
        }
        let value = args.next().and_then(|v| v.parse().ok());
        match (arg.as_str(), value) {
            ("--count", Some(value)) => count = value,
            ("--rounds", Some(value)) => rounds = value,
            _ => {
                eprintln!("usage: qmp [--count N] [--rounds R] [--fake]");
                std::process::exit(2);
            }
        }
    }

    let python = python_with_qemu_qmp();
    let mut qemu = None;
    let (peer, socket) = if fake {
        let socket = std::env::temp_dir().join(format!("qapi-bench-{}.sock", std::process::id()));
        let _ = std::fs::remove_file(&socket);
        fake_qemu(&socket);
        ("a fake peer in this process".to_string(), socket)
    } else {
        // Killed when `qemu` drops, at the end.
        let started = qemu.insert(Qemu::start());
        let peer = format!("QEMU 10.0.2 (pid {})", started.pid());
        (peer, started.socket().to_path_buf())
    };
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
        // A different order each round, so that no client always runs
        // first (or right after Python).
        for k in 0..benches.len() {
            let index = (round + k) % benches.len();
            let (name, bench) = &benches[index];
            let rate = bench();
            eprintln!("round {}: {name}: {rate:.0}/s", round + 1);
            rates[index].push(rate);
        }
    }
    println!("query-status round trips per second, {peer}, {count} per round, {rounds} rounds");
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
    String::from_utf8(output.stdout)
        .unwrap()
        .trim()
        .parse()
        .unwrap()
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

/// A QMP peer answering `query-status` at once, one client at a time like
/// QEMU.
fn fake_qemu(socket: &Path) {
    use std::io::{BufReader, Write};
    let listener = std::os::unix::net::UnixListener::bind(socket).unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let greeting = r#"{"QMP": {"version": {"qemu": {"micro": 2, "minor": 0, "major": 10}, "package": ""}, "capabilities": ["oob"]}}"#;
            let _ = writeln!(stream, "{greeting}");
            let reader = BufReader::new(stream.try_clone().unwrap());
            let requests = serde_json::Deserializer::from_reader(reader).into_iter();
            for request in requests {
                let Ok(request): Result<serde_json::Value, _> = request else {
                    break;
                };
                let value = match request["execute"].as_str() {
                    Some("query-status") => r#"{"status": "running", "running": true}"#,
                    _ => "{}",
                };
                let reply = match request.get("id") {
                    Some(id) => format!("{{\"return\": {value}, \"id\": {id}}}\r\n"),
                    None => format!("{{\"return\": {value}}}\r\n"),
                };
                if stream.write_all(reply.as_bytes()).is_err() {
                    break;
                }
            }
        }
    });
}
