//! QEMU's own Python client (`qemu.qmp`'s `QMPClient`) against the example
//! server: it connects, negotiates (with `oob`), runs commands, gets
//! errors and receives events.  The venv comes from
//! `scripts/install-qmp-python.sh`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The example server, killed when dropped.
struct Running {
    child: Child,
    socket: PathBuf,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.socket);
    }
}

fn start_server() -> Running {
    let socket =
        std::env::temp_dir().join(format!("qapi-example-server-{}.sock", std::process::id()));
    let _ = std::fs::remove_file(&socket);
    let child = Command::new(env!("CARGO_BIN_EXE_qmp-server"))
        .arg("--unix")
        .arg(&socket)
        .stdin(Stdio::null())
        .spawn()
        .expect("starting the example server");
    let running = Running { child, socket };
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::os::unix::net::UnixStream::connect(&running.socket).is_err() {
        assert!(
            Instant::now() < deadline,
            "the example server did not listen"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    running
}

#[test]
fn qemu_qmp_client_drives_the_server() {
    let python = qapi_qmp_tests::qmp_python();
    let server = start_server();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/qmp_client.py");
    let output = Command::new(&python)
        .arg(&script)
        .arg(&server.socket)
        .output()
        .expect("running python");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "qmp_client.py failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let expected = [
        "greeting qapi-rs demo",
        "query-status running",
        "query-version qapi-rs demo",
        "event STOP",
        "event RESUME",
        "event DEVICE_TRAY_MOVED cd0",
        "error eject DeviceNotFound",
        "error eject GenericError",
        "error eject GenericError",
        "error query-status GenericError",
        "error no-such-command CommandNotFound",
        "error qmp_capabilities CommandNotFound",
        "oob stop",
        "done",
    ];
    for line in expected {
        assert!(
            stdout.lines().any(|l| l == line),
            "missing {line:?} in:\n{stdout}"
        );
    }
    assert!(
        stdout.lines().any(|l| l.starts_with("query-qmp-schema ")),
        "{stdout}"
    );
}
