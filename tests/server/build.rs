//! Generate the server bindings this crate compiles: the demo schema (every
//! `if` policy) and QEMU 10.0.0's schema when `../shared` (or
//! `$QAPI_SHARED_DIR`) is there.

use std::path::{Path, PathBuf};

use qapi_gen::{IfPolicy, Rules, Settings};

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    println!("cargo::rustc-check-cfg=cfg(qapi_shared)");
    println!("cargo:rerun-if-env-changed=QAPI_SHARED_DIR");

    let mut server = Settings::default();
    server.server = true;
    let demo = manifest.join("../../schema/qapi-schema.json");
    generate(&demo, &server, &out.join("demo.rs"));
    let mut cfg = server.clone();
    cfg.if_policy = IfPolicy::Cfg;
    cfg.cfg = vec![
        ("CONFIG_KVM".into(), "all()".into()),
        ("CONFIG_NBD".into(), "unix".into()),
        ("CONFIG_SUSPEND".into(), "windows".into()),
    ];
    generate(&demo, &cfg, &out.join("demo_cfg.rs"));

    let shared = match std::env::var_os("QAPI_SHARED_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => manifest.join("../../../shared"),
    };
    let real = shared.join("qemu/10.0.0/qapi/qapi-schema.json");
    if real.exists() {
        println!("cargo:rustc-cfg=qapi_shared");
        let mut qemu = server;
        qemu.if_policy = IfPolicy::Evaluate;
        // The names QEMU 10.0.2's x86-64 build (the recorded one) has
        // defined, as `qapi-gen/tests/introspect.rs` derives them from its
        // `query-qmp-schema` reply, and KVM.
        qemu.enable = recorded_build_conditions(&manifest)
            .into_iter()
            .chain(["CONFIG_KVM".to_string()])
            .collect();
        qemu.docs = false;
        qemu.rules = Rules::V10_0;
        generate(&real, &qemu, &out.join("qemu.rs"));
    }
}

/// The condition names of QEMU 10.0.2's x86-64 build, one list shared with
/// `qapi-gen/tests/introspect.rs`.
fn recorded_build_conditions(manifest: &Path) -> Vec<String> {
    let path = manifest.join("../../qapi-gen/tests/common/qemu-10.0.2-x86_64-conditions.txt");
    println!("cargo:rerun-if-changed={}", path.display());
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// Strictly, under the rules of `settings`.
fn generate(schema_path: &Path, settings: &Settings, out: &Path) {
    let schema = qapi_gen::load_with(schema_path, settings.rules).unwrap_or_else(|e| panic!("{e}"));
    for path in schema.sources.paths() {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    let text = qapi_gen::rust::generate_file(&schema, settings)
        .unwrap_or_else(|e| panic!("{}: {e}", schema_path.display()));
    std::fs::write(out, text).unwrap();
}
