//! Generate the server bindings this crate compiles: the demo schema (every
//! `if` policy) and QEMU 10.0.0's schema when `../shared` (or
//! `$QAPI_SHARED_DIR`) is there.

use std::path::{Path, PathBuf};

use qapi_gen::{IfPolicy, Settings};

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    println!("cargo::rustc-check-cfg=cfg(qapi_shared)");
    println!("cargo:rerun-if-env-changed=QAPI_SHARED_DIR");

    let server = Settings {
        server: true,
        ..Settings::default()
    };
    let demo = manifest.join("../schema/qapi-schema.json");
    generate(&demo, &server, &out.join("demo.rs"));
    let cfg = Settings {
        if_policy: IfPolicy::Cfg,
        cfg: vec![
            ("CONFIG_KVM".into(), "all()".into()),
            ("CONFIG_NBD".into(), "unix".into()),
            ("CONFIG_SUSPEND".into(), "windows".into()),
        ],
        ..server.clone()
    };
    generate(&demo, &cfg, &out.join("demo_cfg.rs"));

    let shared = match std::env::var_os("QAPI_SHARED_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => manifest.join("../../shared"),
    };
    let real = shared.join("qemu/10.0.0/qapi/qapi-schema.json");
    if real.exists() {
        println!("cargo:rustc-cfg=qapi_shared");
        // What QEMU's x86-64 system emulator is built with: the commands
        // and members it has.
        let qemu = Settings {
            if_policy: IfPolicy::Evaluate,
            enable: [
                "CONFIG_LINUX",
                "CONFIG_POSIX",
                "TARGET_I386",
                "CONFIG_KVM",
                "CONFIG_TCG",
                "CONFIG_VNC",
                "CONFIG_SPICE",
                "CONFIG_SPICE_PROTOCOL",
                "CONFIG_TPM",
                "CONFIG_REPLICATION",
                "CONFIG_GTK",
                "CONFIG_SDL",
                "CONFIG_OPENGL",
                "CONFIG_AUDIO_ALSA",
                "CONFIG_AUDIO_PA",
                "CONFIG_LINUX_IO_URING",
                "HAVE_HOST_BLOCK_DEVICE",
                "HAVE_CHARDEV_SERIAL",
                "HAVE_CHARDEV_PARALLEL",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            docs: false,
            ..server
        };
        generate(&real, &qemu, &out.join("qemu.rs"));
    }
}

fn generate(schema_path: &Path, settings: &Settings, out: &Path) {
    let schema = qapi_gen::load(schema_path).unwrap_or_else(|e| panic!("{e}"));
    for path in schema.sources.paths() {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    let text = qapi_gen::rust::generate_file(&schema, settings)
        .unwrap_or_else(|e| panic!("{}: {e}", schema_path.display()));
    std::fs::write(out, text).unwrap();
}
