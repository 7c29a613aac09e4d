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
        let qemu = Settings {
            if_policy: IfPolicy::Evaluate,
            // The names QEMU 10.0.2's x86-64 build (the recorded one) has
            // defined, as `qapi-gen/tests/introspect.rs` derives them from
            // its `query-qmp-schema` reply, and KVM.
            enable: [
                "CONFIG_AUDIO_ALSA",
                "CONFIG_AUDIO_JACK",
                "CONFIG_AUDIO_OSS",
                "CONFIG_AUDIO_PA",
                "CONFIG_AUDIO_PIPEWIRE",
                "CONFIG_AUDIO_SDL",
                "CONFIG_BRLAPI",
                "CONFIG_CURSES",
                "CONFIG_DBUS_DISPLAY",
                "CONFIG_EBPF",
                "CONFIG_FDT",
                "CONFIG_FUSE",
                "CONFIG_GTK",
                "CONFIG_KVM",
                "CONFIG_LIBPMEM",
                "CONFIG_LINUX",
                "CONFIG_LINUX_IO_URING",
                "CONFIG_OPENGL",
                "CONFIG_PIXMAN",
                "CONFIG_POSIX",
                "CONFIG_REPLICATION",
                "CONFIG_SDL",
                "CONFIG_SECRET_KEYRING",
                "CONFIG_SPICE",
                "CONFIG_SPICE_PROTOCOL",
                "CONFIG_TCG",
                "CONFIG_TPM",
                "CONFIG_VDUSE_BLK_EXPORT",
                "CONFIG_VHOST_CRYPTO",
                "CONFIG_VHOST_USER_BLK_SERVER",
                "CONFIG_VNC",
                "CONFIG_ZSTD",
                "HAVE_CHARDEV_PARALLEL",
                "HAVE_CHARDEV_SERIAL",
                "HAVE_HOST_BLOCK_DEVICE",
                "HAVE_IPPROTO_MPTCP",
                "TARGET_I386",
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
