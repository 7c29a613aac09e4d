//! Running `qmp-mock` for a test, and the recorded corpus.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

/// The recorded traffic of QEMU 10.0.2 in `../shared`.
pub fn corpus() -> PathBuf {
    qapi_qmp_tests::shared_dir().join("qmp-corpus/10.0.2")
}

/// A fresh directory for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    static COUNT: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "qmp-mock-{name}-{}-{}",
        std::process::id(),
        COUNT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A running `qmp-mock`, killed on drop.
pub struct Mock {
    child: Child,
    /// Where it listens: a socket path or `HOST:PORT`.
    pub address: String,
    _stdout: BufReader<ChildStdout>,
}

impl Mock {
    /// Start `qmp-mock` with `args` and wait until it listens.
    pub fn start(args: &[&str]) -> Mock {
        let mut child = Command::new(env!("CARGO_BIN_EXE_qmp-mock"))
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("starting qmp-mock");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let Some(address) = line.trim().strip_prefix("qmp-mock: listening on ") else {
            let status = child.wait();
            panic!("qmp-mock did not start ({status:?}): {line:?}");
        };
        Mock {
            address: address.to_string(),
            child,
            _stdout: stdout,
        }
    }

    /// `qmp-mock` replaying the recorded corpus on a Unix socket.
    pub fn replaying_corpus() -> Mock {
        let socket = temp_dir("corpus").join("qmp.sock");
        let corpus = corpus();
        Mock::start(&[
            "--corpus",
            corpus.to_str().unwrap(),
            "--unix",
            socket.to_str().unwrap(),
        ])
    }

    pub fn socket(&self) -> &Path {
        Path::new(&self.address)
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Run `qmp-mock` with `args` to its end (for arguments it refuses).
pub fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_qmp-mock"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("running qmp-mock")
}
