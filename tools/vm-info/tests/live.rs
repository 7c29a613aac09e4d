//! vm-info against a real QEMU 10.0: every section printed, and `--json`
//! decoded back into the generated types; against QEMU 11.1
//! (`scripts/install-qemu-11.sh`), the accelerator named by
//! `query-accelerators`.

/// Without QEMU's schema vm-info has no bindings: say so instead of
/// passing.
#[cfg(not(qapi_shared))]
#[test]
fn needs_the_shared_directory() {
    panic!("vm-info was built without QEMU's schema: set QAPI_SHARED_DIR to the shared directory");
}

#[cfg(qapi_shared)]
mod live {
    use std::process::{Command, Output};

    use qapi_qmp_tests::{Peer, Qemu};
    use qapi_types::Mode;
    use vm_info::Report;

    const UUID: &str = "6a1c9f1e-8a3e-4c1e-9d7e-1f2a3b4c5d6e";

    fn start_qemu() -> Qemu {
        start(&Peer::qemu_10())
    }

    fn start(peer: &Peer) -> Qemu {
        Qemu::start_peer(
            peer,
            &[
                "-name",
                "vm-info-test",
                "-uuid",
                UUID,
                "-smp",
                "2",
                "-device",
                "virtio-net-pci,id=nic0,mac=52:54:00:12:34:56",
            ],
        )
    }

    fn vm_info(args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_vm-info"))
            .args(args)
            .output()
            .expect("running vm-info")
    }

    #[test]
    fn prints_every_section() {
        let qemu = start_qemu();
        let output = vm_info(&[qemu.socket().to_str().unwrap()]);
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{text}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        for expected in [
            "Name:         vm-info-test\n",
            &format!("UUID:         {UUID}\n"),
            "QEMU:         10.0.",
            "Run state:    prelaunch\n",
            "Accelerator:  TCG (KVM is ",
            "CPUs:         2 × x86_64 (host threads ",
            "Memory:       128 MiB\n",
            "Block devices:\n  disk0      qcow2 ",
            "(read-write); device /machine/peripheral/vdisk0/virtio-backend\n",
            "  cdrom0     no medium; removable, tray closed; device cd0\n",
            "Network:\n  nic0       MAC 52:54:00:12:34:56\n",
            "PCI devices:\n  00:00.0  8086:29c0  Host bridge\n",
            "1af4:1000  Ethernet controller (id nic0)\n",
        ] {
            assert!(text.contains(expected), "no {expected:?} in:\n{text}");
        }
    }

    #[test]
    fn json_decodes_back_into_the_generated_types() {
        let qemu = start_qemu();
        let output = vm_info(&["--json", qemu.socket().to_str().unwrap()]);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let text = String::from_utf8_lossy(&output.stdout);
        let json: serde_json::Value = serde_json::from_str(&text).expect("JSON output");
        let mut keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut sections = Report::SECTIONS.to_vec();
        keys.sort();
        sections.sort();
        assert_eq!(keys, sections);
        // Sections in their order, members in schema order (`qemu` before
        // `package` in VersionInfo), not alphabetical.
        let at = |needle: &str| {
            text.find(needle)
                .unwrap_or_else(|| panic!("no {needle:?} in:\n{text}"))
        };
        let starts: Vec<usize> = Report::SECTIONS
            .iter()
            .map(|s| at(&format!("\n  \"{s}\": ")))
            .collect();
        assert!(starts.windows(2).all(|w| w[0] < w[1]), "{text}");
        assert!(at("\"qemu\": {") < at("\"package\": "), "{text}");
        // Strict: every member known to the bindings, none missing.
        let report = Report::from_json(&json, Mode::Strict).unwrap();
        assert_eq!(report.name.name.as_deref(), Some("vm-info-test"));
        assert_eq!(report.uuid.uuid, UUID);
        assert_eq!(report.cpus.len(), 2);
        assert_eq!(report.memory.base_memory, 128 << 20);
        assert_eq!(report.network[0].main_mac, "52:54:00:12:34:56");
        assert!(report
            .block
            .iter()
            .any(|b| b.device == "cdrom0" && b.inserted.is_none()));
        assert!(report.pci[0].devices.iter().any(|d| d.qdev_id == "nic0"));
        // And the same as asking directly.
        assert_eq!(report.to_json().unwrap(), json);
    }

    /// QEMU 11.1 names its accelerator (`query-accelerators`, which vm-info
    /// runs when the peer's schema has it); QEMU 10.0 has no such command,
    /// and its `accelerator` section is `null`.
    #[test]
    fn names_the_accelerator_of_qemu_11() {
        let qemu = start(&Peer::qemu_11());
        let socket = qemu.socket().to_str().unwrap();
        let output = vm_info(&[socket]);
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{text}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        for expected in [
            "Name:         vm-info-test\n",
            "QEMU:         11.1.",
            "Accelerator:  TCG (KVM is ",
            "CPUs:         2 × x86_64 (host threads ",
            "Network:\n  nic0       MAC 52:54:00:12:34:56\n",
        ] {
            assert!(text.contains(expected), "no {expected:?} in:\n{text}");
        }
        let output = vm_info(&["--json", socket]);
        let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(json["accelerator"]["enabled"], "tcg");
        let report = Report::from_json(&json, Mode::Lenient).unwrap();
        assert!(report.accelerator.is_some());

        let qemu = start_qemu();
        let output = vm_info(&["--json", qemu.socket().to_str().unwrap()]);
        let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(json["accelerator"], serde_json::Value::Null);
    }

    #[test]
    fn a_bad_socket_is_an_error_not_a_panic() {
        let output = vm_info(&["/nonexistent/qmp.sock"]);
        assert!(!output.status.success());
        let error = String::from_utf8_lossy(&output.stderr);
        assert!(
            error.starts_with("vm-info: /nonexistent/qmp.sock: "),
            "{error}"
        );
    }
}
