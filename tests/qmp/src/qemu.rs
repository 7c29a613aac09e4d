//! A real QEMU for a test.
//!
//! [`Qemu::start`] runs `qemu-system-x86_64` (installed by
//! `scripts/install-qemu.sh`; [`Qemu::start_peer`] another [`Peer`], QEMU
//! 11.1 from `scripts/install-qemu-11.sh`) paused, without a guest, with a QMP Unix
//! socket, a virtio-blk disk on a fresh qcow2 image, an empty `ide-cd`
//! (id `cd0`), a virtio balloon and a USB bus, and returns once QEMU has answered `qmp_capabilities` on
//! that socket.  QEMU runs in a fresh directory of its own (its working
//! directory, holding the image and the socket), its stderr going to
//! `stderr.log` there.  Dropping the guard kills that QEMU by its pid and removes
//! its files; it runs on panic too.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

const READY_TIMEOUT: Duration = Duration::from_secs(30);

/// A QEMU to test against: its programs, its major version, and the
/// script that installs it.
#[derive(Clone, Debug)]
pub struct Peer {
    pub system: PathBuf,
    pub img: PathBuf,
    pub major: u32,
    pub install: &'static str,
}

impl Peer {
    /// The host's QEMU 10 (`scripts/install-qemu.sh`), from `PATH`.
    pub fn qemu_10() -> Peer {
        Peer {
            system: PathBuf::from("qemu-system-x86_64"),
            img: PathBuf::from("qemu-img"),
            major: 10,
            install: "scripts/install-qemu.sh",
        }
    }

    /// QEMU 11.1 in a Debian 13 chroot (`scripts/install-qemu-11.sh`): the
    /// wrappers `qemu-system-x86_64-11` and `qemu-img-11` in
    /// `$QAPI_QEMU_11_BIN`, else in the repository's `target/peers/bin`.
    /// They need root, and the paths given to them must be under `/tmp`.
    pub fn qemu_11() -> Peer {
        let bin = match std::env::var_os("QAPI_QEMU_11_BIN") {
            Some(dir) => PathBuf::from(dir),
            None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/peers/bin"),
        };
        Peer {
            system: bin.join("qemu-system-x86_64-11"),
            img: bin.join("qemu-img-11"),
            major: 11,
            install: "scripts/install-qemu-11.sh (or set QAPI_QEMU_11_BIN to its bin directory)",
        }
    }
}

/// A running QEMU, killed on drop.
#[derive(Debug)]
pub struct Qemu {
    child: Child,
    dir: PathBuf,
    socket: PathBuf,
}

impl Qemu {
    /// Start QEMU with the test devices; panics with the reason (and what
    /// to do) when it cannot.
    pub fn start() -> Qemu {
        Qemu::start_with(&[])
    }

    /// [`Qemu::start`] with more command-line arguments.
    pub fn start_with(extra: &[&str]) -> Qemu {
        Qemu::start_peer(&Peer::qemu_10(), extra)
    }

    /// [`Qemu::start_with`] for another QEMU.
    pub fn start_peer(peer: &Peer, extra: &[&str]) -> Qemu {
        check_installed(peer);
        let dir = unique_dir();
        let image = dir.join("disk.qcow2");
        let socket = dir.join("qmp.sock");
        let status = Command::new(&peer.img)
            .args(["create", "-q", "-f", "qcow2"])
            .arg(&image)
            .arg("64M")
            .status()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run {} ({e}): run {}",
                    peer.img.display(),
                    peer.install
                )
            });
        assert!(status.success(), "qemu-img create failed: {status}");

        let stderr = std::fs::File::create(dir.join("stderr.log"))
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let child = Command::new(&peer.system)
            .args(["-machine", "q35", "-accel", "tcg", "-nodefaults"])
            .args(["-display", "none", "-S", "-m", "128"])
            .arg("-qmp")
            .arg(format!("unix:{},server=on,wait=off", socket.display()))
            .arg("-drive")
            .arg(format!(
                "if=none,id=disk0,file={},format=qcow2",
                image.display()
            ))
            .args(["-device", "virtio-blk-pci,drive=disk0,id=vdisk0"])
            .args(["-drive", "if=none,id=cdrom0,media=cdrom"])
            .args(["-device", "ide-cd,drive=cdrom0,id=cd0"])
            // For more replies to decode: a balloon, a USB bus.
            .args(["-device", "virtio-balloon-pci,id=balloon0", "-usb"])
            .args(extra)
            .current_dir(&dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            // A file, not a pipe: a pipe nobody reads would block QEMU
            // once full.
            .stderr(stderr)
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start {} ({e}): run {}",
                    peer.system.display(),
                    peer.install
                )
            });
        let mut qemu = Qemu { child, dir, socket };
        qemu.wait_ready();
        qemu
    }

    /// The QMP socket.  QEMU serves one client at a time: a second
    /// connection waits until the first one closes.
    pub fn socket(&self) -> &Path {
        &self.socket
    }

    /// QEMU's directory: its working directory, with its image and socket.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// How QEMU ended, if it has (`None` while it runs).
    pub fn exit_status(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Kill QEMU now (the peer dies); [`Drop`] does it otherwise.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Ready means answering `qmp_capabilities`, not just a socket file:
    /// QEMU creates the socket before its monitor runs.
    fn wait_ready(&mut self) {
        let deadline = Instant::now() + READY_TIMEOUT;
        let mut last_error = String::from("no attempt");
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                let stderr =
                    std::fs::read_to_string(self.dir.join("stderr.log")).unwrap_or_default();
                panic!("QEMU exited at start ({status}):\n{stderr}");
            }
            match probe(&self.socket) {
                Ok(()) => return,
                Err(error) => last_error = error,
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("QEMU did not answer qmp_capabilities within {READY_TIMEOUT:?}: {last_error}");
    }
}

impl Drop for Qemu {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Connect, read the greeting, negotiate, disconnect: with plain bytes, so
/// that readiness does not depend on the client under test.
fn probe(socket: &Path) -> Result<(), String> {
    let mut stream = UnixStream::connect(socket).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .map_err(|e| e.to_string())?;
    let mut seen = Vec::new();
    let mut chunk = [0; 4096];
    let mut read_until = |stream: &mut UnixStream, needle: &[u8]| -> Result<(), String> {
        while !seen.windows(needle.len()).any(|w| w == needle) {
            let count = stream.read(&mut chunk).map_err(|e| e.to_string())?;
            if count == 0 {
                return Err("QMP socket closed".to_string());
            }
            seen.extend_from_slice(&chunk[..count]);
        }
        Ok(())
    };
    read_until(&mut stream, b"\"QMP\"")?;
    stream
        .write_all(b"{\"execute\": \"qmp_capabilities\", \"id\": \"ready\"}\n")
        .map_err(|e| e.to_string())?;
    read_until(&mut stream, b"\"return\": {}, \"id\": \"ready\"")
}

fn check_installed(peer: &Peer) {
    let program = peer.system.display();
    let output = Command::new(&peer.system).arg("--version").output();
    let version = match output {
        Ok(output) if output.status.success() => {
            String::from_utf8_lossy(&output.stdout).into_owned()
        }
        _ => panic!("{program} is not installed: run {}", peer.install),
    };
    assert!(
        version.contains(&format!("version {}.", peer.major)),
        "{program} is not version {}.x ({}): run {}",
        peer.major,
        version.lines().next().unwrap_or(""),
        peer.install
    );
}

fn unique_dir() -> PathBuf {
    static COUNT: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "qapi-qemu-{}-{}",
        std::process::id(),
        COUNT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    dir
}
