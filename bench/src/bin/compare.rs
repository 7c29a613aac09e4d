//! Times our front end against QEMU's Python one on the same schema, in one
//! run: best of N `qapi_gen::load` against best of N `QAPISchema(fname)`.
//!
//! ```text
//! cargo run --release --bin compare -- [--runs N] [--schema FILE] [--rules RELEASE] [--qemu-scripts DIR]
//! ```
//!
//! The schema (by default QEMU 10.0.0's) is held to the rules of
//! `RELEASE` (by default 10.0).
//!
//! `DIR` is QEMU's `scripts/` directory (the one holding `qapi/`), also
//! taken from `$QEMU_QAPI_SCRIPTS`.  Without it only our time is printed
//! and the comparison is reported as skipped.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

const USAGE: &str =
    "usage: compare [--runs N] [--schema FILE] [--rules RELEASE] [--qemu-scripts DIR]";

/// Builds QEMU's model `runs` times and prints the best time in seconds.
const PYTHON_TIMER: &str = r#"
import sys, time
scripts, schema, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
sys.path.insert(0, scripts)
from qapi.schema import QAPISchema
best = None
for _ in range(runs):
    start = time.perf_counter()
    QAPISchema(schema)
    elapsed = time.perf_counter() - start
    best = elapsed if best is None else min(best, elapsed)
print(best)
"#;

struct Args {
    runs: u32,
    schema: PathBuf,
    rules: qapi_gen::Rules,
    qemu_scripts: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut runs = 10;
    let mut schema = None;
    let mut rules = qapi_bench::RULES;
    let mut qemu_scripts = std::env::var_os("QEMU_QAPI_SCRIPTS").map(PathBuf::from);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--runs" => runs = qapi_bench::parse_runs(&value("--runs")?)?,
            "--schema" => schema = Some(PathBuf::from(value("--schema")?)),
            "--rules" => rules = qapi_bench::parse_rules(&value("--rules")?)?,
            "--qemu-scripts" => qemu_scripts = Some(PathBuf::from(value("--qemu-scripts")?)),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument '{other}'")),
        }
    }
    Ok(Args {
        runs,
        schema: schema.unwrap_or_else(qapi_bench::real_schema),
        rules,
        qemu_scripts,
    })
}

fn main() -> ExitCode {
    let args = match qapi_bench::args_or_usage(parse_args(), USAGE) {
        Ok(args) => args,
        Err(code) => return code,
    };
    println!("schema: {}", args.schema.display());

    let ours = match time_ours(&args.schema, args.rules, args.runs) {
        Ok(t) => t,
        Err(diags) => {
            eprint!("qapi-gen rejects the schema:\n{diags}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "qapi-gen (qapi_gen::load):       {:>10.3} ms  (best of {})",
        ms(ours),
        args.runs
    );

    match time_qemu(args.qemu_scripts.as_deref(), &args.schema, args.runs) {
        Ok(qemu) => {
            println!(
                "QEMU (QAPISchema(fname), Python): {:>9.3} ms  (best of {})",
                ms(qemu),
                args.runs
            );
            println!(
                "qapi-gen is {:.1} times faster",
                qemu.as_secs_f64() / ours.as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(why) => {
            println!("comparison with QEMU skipped: {why}");
            ExitCode::SUCCESS
        }
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn time_ours(
    schema: &Path,
    rules: qapi_gen::Rules,
    runs: u32,
) -> Result<Duration, qapi_gen::Diagnostics> {
    let mut best = Duration::MAX;
    for _ in 0..runs {
        let start = Instant::now();
        let model = qapi_gen::load_with(schema, rules)?;
        best = best.min(start.elapsed());
        drop(model);
    }
    Ok(best)
}

/// Best time of QEMU's front end, or why it could not be measured.
fn time_qemu(scripts: Option<&Path>, schema: &Path, runs: u32) -> Result<Duration, String> {
    let scripts = scripts.ok_or(
        "no QEMU scripts directory given (pass --qemu-scripts DIR or set QEMU_QAPI_SCRIPTS \
         to QEMU's scripts/ directory, the one holding qapi/schema.py)",
    )?;
    if !scripts.join("qapi/schema.py").is_file() {
        return Err(format!(
            "{} has no qapi/schema.py (expected QEMU's scripts/ directory)",
            scripts.display()
        ));
    }
    let output = Command::new("python3")
        .arg("-c")
        .arg(PYTHON_TIMER)
        .arg(scripts)
        .arg(schema)
        .arg(runs.to_string())
        .output()
        .map_err(|err| format!("cannot run python3: {err}"))?;
    if !output.status.success() {
        return Err(format!(
            "QEMU's front end failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim_end()
        ));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let seconds: f64 = stdout
        .trim()
        .parse()
        .map_err(|_| format!("unexpected output from the Python timer: {stdout:?}"))?;
    Ok(Duration::from_secs_f64(seconds))
}
