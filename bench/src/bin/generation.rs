//! Times the generation of Rust bindings for a whole schema against QEMU's
//! own generator (`scripts/qapi-gen.py`, C code) on the same files, in one
//! run: ours in process (`qapi_gen::load` + `qapi_gen::rust::generate_file`)
//! and through the release CLI end to end, QEMU's end to end; best of N each.
//!
//! ```text
//! cargo build --release -p qapi-gen-cli      # in the repository's workspace
//! cargo run --release --bin generation -- [--runs N] [--schema FILE]... [--rules RELEASE] [--qemu-scripts DIR] [--cli PATH]
//! ```
//!
//! The schemas are held to the rules of `RELEASE` (by default 10.0, which
//! both default schemas follow).
//!
//! Without `--schema`, it times QEMU 9.1's schema as shipped in `qapi-qmp`
//! 0.15's package and QEMU 10.0.0's from the shared directory.  `DIR` is
//! QEMU's `scripts/` directory (the one holding `qapi-gen.py`), also taken
//! from `$QEMU_QAPI_SCRIPTS`; without it the QEMU column is skipped.  `PATH`
//! is our CLI binary, by default the release build of the `qapi-gen-cli`
//! package in the repository's workspace (`../target/release/qapi-gen`).

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

const USAGE: &str = "usage: generation [--runs N] [--schema FILE]... [--rules RELEASE] \
                     [--qemu-scripts DIR] [--cli PATH]";

struct Args {
    runs: u32,
    schemas: Vec<(String, PathBuf)>,
    rules: qapi_gen::Rules,
    qemu_scripts: Option<PathBuf>,
    cli: PathBuf,
}

fn parse_args() -> Result<Args, String> {
    let mut runs = 10;
    let mut schemas = Vec::new();
    let mut rules = qapi_bench::RULES;
    let mut qemu_scripts = std::env::var_os("QEMU_QAPI_SCRIPTS").map(PathBuf::from);
    let mut cli = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--runs" => runs = qapi_bench::parse_runs(&value("--runs")?)?,
            "--schema" => {
                let path = PathBuf::from(value("--schema")?);
                schemas.push((path.display().to_string(), path));
            }
            "--rules" => rules = qapi_bench::parse_rules(&value("--rules")?)?,
            "--qemu-scripts" => qemu_scripts = Some(PathBuf::from(value("--qemu-scripts")?)),
            "--cli" => cli = Some(PathBuf::from(value("--cli")?)),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument '{other}'")),
        }
    }
    if schemas.is_empty() {
        schemas.push((
            "QEMU 9.1 (qapi-qmp 0.15's package)".to_string(),
            qapi_bench::qapi_qmp_schema()?,
        ));
        schemas.push(("QEMU 10.0.0".to_string(), qapi_bench::real_schema()));
    }
    let cli = match cli {
        Some(cli) => cli,
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/release/qapi-gen"),
    };
    Ok(Args {
        runs,
        schemas,
        rules,
        qemu_scripts,
        cli,
    })
}

fn main() -> ExitCode {
    let args = match qapi_bench::args_or_usage(parse_args(), USAGE) {
        Ok(args) => args,
        Err(code) => return code,
    };
    let scratch =
        std::env::temp_dir().join(format!("qapi-bench-generation-{}", std::process::id()));
    let result = run(&args, &scratch);
    let _ = std::fs::remove_dir_all(&scratch);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("error: {msg}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args, scratch: &Path) -> Result<(), String> {
    std::fs::create_dir_all(scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
    println!(
        "best of {} runs each, wall and CPU (user + system) time; load average {}",
        args.runs,
        load_average()
    );
    for (label, schema) in &args.schemas {
        println!("\n{label}: {}", schema.display());
        let ours = time_in_process(schema, args.rules, args.runs)?;
        println!(
            "  ours, in process (load + generate_file): {}  (CPU: load {:.1} + generate {:.1} ms; {} bytes)",
            ours.total,
            ms(ours.load),
            ms(ours.generate),
            ours.bytes
        );
        let out = scratch.join("bindings.rs");
        let cli = time_cli(&args.cli, schema, args.rules, &out, args.runs);
        match &cli {
            Ok(t) => println!("  ours, release CLI end to end:            {t}"),
            Err(why) => println!("  ours, release CLI: skipped: {why}"),
        }
        match time_qemu(
            args.qemu_scripts.as_deref(),
            schema,
            &scratch.join("qemu"),
            args.runs,
        ) {
            Ok(qemu) => {
                println!("  QEMU scripts/qapi-gen.py end to end:     {qemu}");
                print!("  QEMU / ours: in process {}", qemu.ratio(&ours.total));
                if let Ok(cli) = cli {
                    print!("; CLI end to end {}", qemu.ratio(&cli));
                }
                println!(" (target: 20x)");
            }
            Err(why) => println!("  QEMU: skipped: {why}"),
        }
    }
    Ok(())
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| text.split(' ').take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_string())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Best wall time and best CPU time of several runs.
#[derive(Clone, Copy)]
struct Timing {
    wall: Duration,
    cpu: Duration,
}

impl Timing {
    const NONE: Timing = Timing {
        wall: Duration::MAX,
        cpu: Duration::MAX,
    };

    fn keep_best(&mut self, wall: Duration, cpu: Duration) {
        self.wall = self.wall.min(wall);
        self.cpu = self.cpu.min(cpu);
    }

    /// How many times longer `self` takes than `other`.
    fn ratio(&self, other: &Timing) -> String {
        let times = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
        format!(
            "{:.1}x wall, {:.1}x CPU",
            times(self.wall, other.wall),
            times(self.cpu, other.cpu)
        )
    }
}

impl std::fmt::Display for Timing {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(
            f,
            "wall {:>7.1} ms, CPU {:>7.1} ms",
            ms(self.wall),
            ms(self.cpu)
        )
    }
}

struct InProcess {
    /// Best of the whole (not the sum of the parts' bests).
    total: Timing,
    /// Best CPU times of the parts.
    load: Duration,
    generate: Duration,
    bytes: usize,
}

fn time_in_process(schema: &Path, rules: qapi_gen::Rules, runs: u32) -> Result<InProcess, String> {
    let mut settings = qapi_gen::Settings::default();
    settings.rules = rules;
    let mut best = InProcess {
        total: Timing::NONE,
        load: Duration::MAX,
        generate: Duration::MAX,
        bytes: 0,
    };
    for _ in 0..runs {
        let (start, start_cpu) = (Instant::now(), qapi_bench::thread_cpu_time());
        let model = qapi_gen::load_with(schema, rules)
            .map_err(|diags| format!("schema rejected:\n{diags}"))?;
        let loaded_cpu = qapi_bench::thread_cpu_time();
        let text = qapi_gen::rust::generate_file(&model, &settings).map_err(|e| e.to_string())?;
        let (end, end_cpu) = (Instant::now(), qapi_bench::thread_cpu_time());
        best.total.keep_best(end - start, end_cpu - start_cpu);
        best.load = best.load.min(loaded_cpu - start_cpu);
        best.generate = best.generate.min(end_cpu - loaded_cpu);
        best.bytes = text.len();
    }
    Ok(best)
}

/// Best times of `runs` runs of `command`, each after `prepare`.
fn best_of(runs: u32, mut command: Command, prepare: impl Fn()) -> Result<Timing, String> {
    let mut best = Timing::NONE;
    for _ in 0..runs {
        prepare();
        let (start, start_cpu) = (Instant::now(), qapi_bench::children_cpu_time());
        let output = command
            .output()
            .map_err(|e| format!("cannot run {:?}: {e}", command.get_program()))?;
        let (wall, cpu) = (start.elapsed(), qapi_bench::children_cpu_time() - start_cpu);
        if !output.status.success() {
            return Err(format!(
                "{:?} failed ({}):\n{}",
                command.get_program(),
                output.status,
                String::from_utf8_lossy(&output.stderr).trim_end()
            ));
        }
        best.keep_best(wall, cpu);
    }
    Ok(best)
}

fn time_cli(
    cli: &Path,
    schema: &Path,
    rules: qapi_gen::Rules,
    out: &Path,
    runs: u32,
) -> Result<Timing, String> {
    if !cli.is_file() {
        return Err(format!(
            "{} not found (cargo build --release -p qapi-gen-cli in the repository, or --cli PATH)",
            cli.display()
        ));
    }
    let mut command = Command::new(cli);
    command.arg("rust").arg(schema).arg("-o").arg(out);
    command.arg("--rules").arg(rules.as_str());
    best_of(runs, command, || {
        let _ = std::fs::remove_file(out);
    })
}

/// Best times of QEMU's generator writing into a fresh `out` each run, or
/// why it could not be measured.
fn time_qemu(
    scripts: Option<&Path>,
    schema: &Path,
    out: &Path,
    runs: u32,
) -> Result<Timing, String> {
    let scripts = scripts.ok_or(
        "no QEMU scripts directory given (pass --qemu-scripts DIR or set QEMU_QAPI_SCRIPTS \
         to QEMU's scripts/ directory, the one holding qapi-gen.py)",
    )?;
    let generator = scripts.join("qapi-gen.py");
    if !generator.is_file() {
        return Err(format!("{} not found", generator.display()));
    }
    let mut command = Command::new("python3");
    command.arg(generator).arg("-o").arg(out).arg(schema);
    best_of(runs, command, || {
        let _ = std::fs::remove_dir_all(out);
    })
}
