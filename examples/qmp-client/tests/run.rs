//! The example against a real QEMU (`scripts/install-qemu.sh`).

use std::process::Command;

use qapi_qmp_tests::Qemu;

fn run(qemu: &Qemu, args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_qmp-client"))
        .arg(qemu.socket())
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{args:?}: {stdout}{stderr}");
    stdout
}

#[test]
fn against_qemu() {
    qapi_qmp_tests::shared_dir();
    let qemu = Qemu::start();
    let shown = run(&qemu, &[]);
    for expected in [
        "QEMU 10.0.2",
        "capabilities: [oob]",
        "status: prelaunch (running: false)",
        "block disk0 [",
        "block cdrom0 [",
        ": no medium",
        "device_del no-such-device: DeviceNotFound: Device 'no-such-device' not found",
    ] {
        assert!(shown.contains(expected), "{expected:?} in:\n{shown}");
    }
    assert_eq!(run(&qemu, &["cont"]), "event: RESUME\n");
    assert_eq!(run(&qemu, &["stop"]), "event: STOP\n");
    assert_eq!(
        run(&qemu, &["eject", "cd0"]),
        "event: DEVICE_TRAY_MOVED cd0 tray-open: true\n"
    );
}
