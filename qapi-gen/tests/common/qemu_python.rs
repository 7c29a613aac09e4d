//! QEMU's own front end (its Python, from `shared/`) as an oracle.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// What QEMU's front end made of a schema.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// Accepted: the model as `test-qapi.py` prints it, and the kinds of
    /// every doc block's sections (QEMU's `all_sections`, stubs included).
    Dump(String, Vec<Vec<String>>),
    /// Rejected: QEMU's error text (include chain, context, located line).
    Error(String),
    /// QEMU's front end failed with another exception (a bug of QEMU's).
    Crash(String),
}

/// QEMU release `release`'s generator, run by `python3`.
pub struct QemuPython {
    python: PathBuf,
    scripts: PathBuf,
    test_qapi: PathBuf,
}

impl QemuPython {
    /// QEMU `release`'s front end (`shared/qemu/RELEASE/scripts`), with
    /// 10.2.0's `test-qapi.py` (the same in every release here) for the
    /// dump.  `None`, after saying so on stdout, when `python3` is not
    /// installed: the caller skips its comparison.
    pub fn find(release: &str) -> Option<QemuPython> {
        let shared = super::shared_dir();
        let scripts = shared.join(format!("qemu/{release}/scripts"));
        assert!(
            scripts.join("qapi/parser.py").is_file(),
            "QEMU {release}'s generator not found in {}",
            scripts.display()
        );
        let test_qapi = shared.join("qemu/10.2.0/tests/qapi-schema/test-qapi.py");
        assert!(test_qapi.is_file(), "{} not found", test_qapi.display());
        let Some(python) = find_program("python3") else {
            println!(
                "skipped: python3 is not installed, so QEMU {release}'s own front end \
                 cannot be run for comparison"
            );
            return None;
        };
        Some(QemuPython {
            python,
            scripts,
            test_qapi,
        })
    }

    /// QEMU's verdict on each schema, in order (one Python process for
    /// all of them).
    pub fn judge(&self, schemas: &[PathBuf]) -> Vec<Verdict> {
        let oracle = super::workspace_dir().join("qapi-gen/tests/common/qemu_oracle.py");
        let mut child = Command::new(&self.python)
            .arg(&oracle)
            .arg(&self.scripts)
            .arg(&self.test_qapi)
            .env("PYTHONIOENCODING", "utf-8")
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.python.display()));
        let mut stdin = child.stdin.take().expect("piped stdin");
        let paths: String = schemas
            .iter()
            .map(|p| format!("{}\n", p.display()))
            .collect();
        // Written from a thread: the verdicts fill the other pipe meanwhile.
        let writer = std::thread::spawn(move || stdin.write_all(paths.as_bytes()));
        let stdout = child.stdout.take().expect("piped stdout");
        let verdicts: Vec<Verdict> = BufReader::new(stdout)
            .lines()
            .map(|line| parse_verdict(&line.expect("read QEMU's verdict")))
            .collect();
        writer
            .join()
            .expect("writer thread")
            .expect("write schema paths");
        let status = child.wait().expect("wait for python3");
        assert!(status.success(), "QEMU's front end exited with {status}");
        assert_eq!(verdicts.len(), schemas.len(), "a verdict per schema");
        verdicts
    }
}

fn parse_verdict(line: &str) -> Verdict {
    let value: serde_json::Value =
        serde_json::from_str(line).unwrap_or_else(|e| panic!("bad verdict {line:?}: {e}"));
    let text = |key: &str| value[key].as_str().map(str::to_string);
    if let Some(dump) = text("dump") {
        let sections = serde_json::from_value(value["sections"].clone())
            .unwrap_or_else(|e| panic!("bad sections in {line:?}: {e}"));
        Verdict::Dump(dump, sections)
    } else if let Some(error) = text("error") {
        Verdict::Error(error)
    } else {
        Verdict::Crash(text("crash").unwrap_or_else(|| line.to_string()))
    }
}

fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}
