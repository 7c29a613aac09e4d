//! Shared by the benches and binaries: where the inputs are (QEMU's
//! schemas, the QMP corpus) and how to read them.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

mod paths;

pub use paths::{real_schema, shared_path};

/// The rules the benchmarks' schemas are held to: QEMU 10.0's, which QEMU
/// 10.0.0's and 9.1's schemas follow (`--rules` changes it where a binary
/// takes other schemas).
pub const RULES: qapi_gen::Rules = qapi_gen::Rules::V10_0;

/// The value of a `--rules` flag.
pub fn parse_rules(value: &str) -> Result<qapi_gen::Rules, String> {
    value.parse()
}

/// The directory of QEMU 10.0.2's recorded QMP traffic.
pub fn corpus_dir() -> PathBuf {
    shared_path("qmp-corpus/10.0.2")
}

/// A success reply of the corpus: the command's wire name and the reply's
/// text exactly as QEMU sent it (`{"return": ..., "id": ...}`).
pub struct Reply {
    pub command: String,
    pub raw: String,
}

/// Every success reply in the corpus's top-level `*.json` files, in file
/// name order.
pub fn corpus_replies() -> Vec<Reply> {
    let dir = corpus_dir();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a readable directory").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    paths.sort();
    let mut replies = Vec::new();
    for path in paths {
        let value = read_json(&path);
        // A file holds one exchange or a list of them; others (the
        // summary, the greeting) have no `response_raw`.
        let records = match value {
            serde_json::Value::Array(records) => records,
            record => vec![record],
        };
        for record in records {
            let (Some(command), Some(raw), Some(response)) = (
                record["request"]["execute"].as_str(),
                record["response_raw"].as_str(),
                record["response"].as_object(),
            ) else {
                continue;
            };
            if response.contains_key("return") {
                replies.push(Reply {
                    command: command.to_string(),
                    raw: raw.to_string(),
                });
            }
        }
    }
    replies
}

/// The lines of the corpus's `events.jsonl`: one event message each, as
/// QEMU sent it.
pub fn corpus_events() -> Vec<String> {
    let path = corpus_dir().join("events.jsonl");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(str::to_string)
        .collect()
}

fn read_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The root of QEMU 9.1's schema as shipped in the package of `qapi-qmp`
/// 0.15 (the crate compared against), found with `cargo metadata` so that
/// it is the copy cargo downloaded for this crate.
pub fn qapi_qmp_schema() -> Result<PathBuf, String> {
    let output = std::process::Command::new(std::env::var("CARGO").unwrap_or("cargo".into()))
        .args(["metadata", "--format-version", "1", "--manifest-path"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
        .output()
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr).trim_end()
        ));
    }
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("cargo metadata printed no JSON: {e}"))?;
    let manifest = metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|package| package["name"] == "qapi-qmp")
        .and_then(|package| package["manifest_path"].as_str())
        .ok_or("qapi-qmp is not among this crate's dependencies")?;
    let schema = Path::new(manifest)
        .with_file_name("schema")
        .join("qapi/qapi-schema.json");
    if !schema.is_file() {
        return Err(format!("{} is missing", schema.display()));
    }
    Ok(schema)
}

/// The value of `--runs`: a positive number.
pub fn parse_runs(value: &str) -> Result<u32, String> {
    value
        .parse()
        .ok()
        .filter(|&n| n > 0)
        .ok_or_else(|| "--runs needs a positive number".to_string())
}

/// A bench binary's parsed arguments, or exit code 2 after printing why
/// not and `usage` (an empty reason, as from `--help`, prints the usage
/// alone).
pub fn args_or_usage<T>(parsed: Result<T, String>, usage: &str) -> Result<T, ExitCode> {
    parsed.map_err(|why| {
        if !why.is_empty() {
            eprintln!("error: {why}");
        }
        eprintln!("{usage}");
        ExitCode::from(2)
    })
}

/// CPU time (user + system) used so far by the calling thread.
pub fn thread_cpu_time() -> Duration {
    let mut time = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `time` is a valid timespec to write to.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut time) };
    assert_eq!(status, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
    Duration::new(time.tv_sec as u64, time.tv_nsec as u32)
}

/// CPU time (user + system) of all the child processes waited for so far:
/// the difference across one `Command::output()` is that child's.
pub fn children_cpu_time() -> Duration {
    // SAFETY: an all-zero rusage is a valid value to overwrite.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is a valid rusage to write to.
    let status = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    assert_eq!(status, 0, "getrusage(RUSAGE_CHILDREN) failed");
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    time(usage.ru_utime) + time(usage.ru_stime)
}
