//! vm-manager against real peers: QEMU 10.0.2 and its guest agent
//! (`scripts/install-qemu.sh`), and QEMU 11.1.3 and its agent through the
//! wrappers of `scripts/install-qemu-11.sh` (`qemu-system-x86_64-11`,
//! `qemu-img-11`, `qemu-ga-11` in `$QAPI_PEERS_BIN`, by default
//! `target/peers/bin` of this repository).  Every step must pass.

use std::path::PathBuf;
use std::process::Command;

const DEMO_STEPS: &[&str] = &[
    "setup",
    "connect",
    "version",
    "vcpu",
    "memory",
    "disk",
    "block-job",
    "disk-removal",
    "nic",
    "migration",
    "quit",
];

const QGA_STEPS: &[&str] = &[
    "connect",
    "info",
    "osinfo",
    "exec",
    "file",
    "file-helpers",
    "resync",
];

/// Run vm-manager; its output, checked: status 0, one `ok` line per step.
fn vm_manager(args: &[&str], steps: &[&str], version: &str) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_vm-manager"))
        .args(args)
        .output()
        .expect("vm-manager runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "vm-manager {args:?}: {}\n{stdout}\n{stderr}",
        output.status
    );
    let lines: Vec<&str> = stdout.lines().collect();
    for step in steps {
        let prefix = format!("ok {step}: ");
        assert!(
            lines.iter().any(|line| line.starts_with(&prefix)),
            "no `{prefix}` line:\n{stdout}"
        );
    }
    assert!(
        lines.last() == Some(&format!("{} passed, 0 failed", steps.len()).as_str()),
        "{stdout}"
    );
    assert!(stdout.contains(version), "not version {version}:\n{stdout}");
    eprintln!("{stdout}");
    stdout
}

/// The wrappers of QEMU 11.1.3; panics saying how to get them.
fn qemu_11(program: &str) -> String {
    let dir = match std::env::var_os("QAPI_PEERS_BIN") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/peers/bin"),
    };
    let path = dir.join(format!("{program}-11"));
    assert!(
        path.is_file(),
        "{} is missing: run scripts/install-qemu-11.sh, or set QAPI_PEERS_BIN to the \
         directory of its wrappers",
        path.display()
    );
    path.display().to_string()
}

#[test]
fn demo_against_qemu_10() {
    vm_manager(
        &[
            "demo",
            "--qemu",
            "qemu-system-x86_64",
            "--qemu-img",
            "qemu-img",
        ],
        DEMO_STEPS,
        "QEMU 10.0.2",
    );
}

#[test]
fn qga_against_qemu_ga_10() {
    vm_manager(
        &["qga", "--qemu-ga", "qemu-ga"],
        QGA_STEPS,
        "qemu-ga 10.0.2",
    );
}

#[test]
fn demo_against_qemu_11() {
    let qemu = qemu_11("qemu-system-x86_64");
    let qemu_img = qemu_11("qemu-img");
    vm_manager(
        &["demo", "--qemu", &qemu, "--qemu-img", &qemu_img],
        DEMO_STEPS,
        "QEMU 11.1.3",
    );
}

#[test]
fn qga_against_qemu_ga_11() {
    let qemu_ga = qemu_11("qemu-ga");
    vm_manager(&["qga", "--qemu-ga", &qemu_ga], QGA_STEPS, "qemu-ga 11.1.3");
}

/// A step that fails is a `FAIL` line and the status is 1; a peer that
/// exits at start is seen at once, not at the connect deadline.
#[test]
fn failure_is_reported() {
    let started = std::time::Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_vm-manager"))
        .args(["qga", "--qemu-ga", "false"])
        .output()
        .expect("vm-manager runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("FAIL connect: QMP peer not ready after")
            && stdout.contains("; false exited (exit status: 1)"),
        "{stdout}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(10));

    let output = Command::new(env!("CARGO_BIN_EXE_vm-manager"))
        .args(["demo", "--qemu", "/nonexistent/qemu"])
        .output()
        .expect("vm-manager runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("FAIL connect: cannot run /nonexistent/qemu"),
        "{stdout}"
    );
}
