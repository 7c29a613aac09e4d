//! The programs vm-manager starts: killed, and their directory removed,
//! when dropped.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use qapi_types::qmp::{Error, Options};

use crate::report::{failure, Failure};

/// A fresh directory under the system's temporary directory (`/tmp`: QEMU
/// 11's wrappers see only paths under it).
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(prefix: &str) -> Result<TempDir, Failure> {
        let dir = std::env::temp_dir().join(format!("{prefix}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)
            .map_err(|error| failure(format!("cannot create {}: {error}", dir.display())))?;
        Ok(TempDir(dir))
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A running program, its standard error kept in a file for errors.
pub struct Peer {
    name: String,
    child: Child,
    stderr: PathBuf,
}

impl Peer {
    pub fn spawn(mut command: Command, stderr: PathBuf) -> Result<Peer, Failure> {
        let name = command.get_program().to_string_lossy().into_owned();
        let log = std::fs::File::create(&stderr)
            .map_err(|error| failure(format!("cannot create {}: {error}", stderr.display())))?;
        let child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|error| failure(format!("cannot run {name}: {error}")))?;
        Ok(Peer {
            name,
            child,
            stderr,
        })
    }

    /// Wait at most `timeout` for the program to exit by itself.
    pub fn wait_exit(&mut self, timeout: Duration) -> Result<String, Failure> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Ok(status.to_string());
            }
            if Instant::now() >= deadline {
                return Err(failure(format!(
                    "{} still runs {timeout:?} later",
                    self.name
                )));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Connect to the program while it starts, at most `deadline`:
    /// `connect` retries for a while at a time
    /// ([`Options::connect_retry`]), and gives up at once when the program
    /// has exited (it will never listen).
    pub fn connect<T>(
        &mut self,
        deadline: Duration,
        connect: impl Fn(&Options) -> Result<T, Error>,
    ) -> Result<T, Failure> {
        let give_up = Instant::now() + deadline;
        let options = Options::new().connect_retry(Some(Duration::from_millis(500)));
        loop {
            match connect(&options) {
                Ok(connected) => return Ok(connected),
                Err(Error::NotReady { .. })
                    if Instant::now() < give_up && matches!(self.child.try_wait(), Ok(None)) => {}
                Err(error) => return Err(self.explain(error)),
            }
        }
    }

    /// `error` of talking to the program, with whether it exited and
    /// what it wrote on standard error.
    pub fn explain(&mut self, error: impl std::fmt::Display) -> Failure {
        let exited = match self.child.try_wait() {
            Ok(Some(status)) => format!("; {} exited ({status})", self.name),
            _ => String::new(),
        };
        let stderr = std::fs::read_to_string(&self.stderr).unwrap_or_default();
        let stderr = stderr.trim();
        if stderr.is_empty() {
            failure(format!("{error}{exited}"))
        } else {
            failure(format!("{error}{exited}: {stderr}"))
        }
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Run a short program to its end; its failure with its standard error.
pub fn run(mut command: Command) -> Result<(), Failure> {
    let name = command.get_program().to_string_lossy().into_owned();
    let output = command
        .stdin(Stdio::null())
        .output()
        .map_err(|error| failure(format!("cannot run {name}: {error}")))?;
    if !output.status.success() {
        return Err(failure(format!(
            "{name} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    Ok(())
}
