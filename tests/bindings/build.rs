//! Generate the bindings this crate compiles: the demo schema under every
//! `if` policy and with every option, QEMU 10.0.0's schema under every
//! policy when `../shared` (or `$QAPI_SHARED_DIR`) is there, and span
//! bindings: QEMU 10.2.0's schema with 10.0.0's, and with the older ones
//! of the cargo registry too.

use std::path::{Path, PathBuf};

use qapi_gen::{IfPolicy, Rules, Settings};

#[path = "../../qapi-gen/tests/common/registry.rs"]
#[allow(dead_code)]
mod registry;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    println!("cargo::rustc-check-cfg=cfg(qapi_shared)");
    println!("cargo:rerun-if-env-changed=QAPI_SHARED_DIR");
    println!("cargo::rustc-check-cfg=cfg(qapi_older)");
    println!("cargo::rustc-check-cfg=cfg(qapi_span_older)");

    let demo = manifest.join("../../schema/qapi-schema.json");
    generate(&demo, &Settings::default(), &out.join("demo_all.rs"));
    introspect(&demo, &out.join("demo_all.json"));
    generate_older(&out);
    generate(&demo, &demo_cfg(), &out.join("demo_cfg.rs"));
    generate(&demo, &demo_evaluate(), &out.join("demo_evaluate.rs"));
    generate(&demo, &demo_options(), &out.join("demo_options.rs"));

    let shared = match std::env::var_os("QAPI_SHARED_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => manifest.join("../../../shared"),
    };
    let real = shared.join("qemu/10.0.0/qapi/qapi-schema.json");
    if real.exists() {
        println!("cargo:rustc-cfg=qapi_shared");
        // QEMU 10.0's schema and suite, under its rules.
        let qemu_10_0 = |settings: Settings| {
            let mut s = settings;
            s.rules = Rules::V10_0;
            s
        };
        generate(
            &real,
            &qemu_10_0(Settings::default()),
            &out.join("real_all.rs"),
        );
        introspect(&real, &out.join("real_all.json"));
        generate(&real, &qemu_10_0(real_cfg()), &out.join("real_cfg.rs"));
        generate(
            &real,
            &qemu_10_0(real_evaluate()),
            &out.join("real_evaluate.rs"),
        );
        // QEMU's own test schema: every construct, odd names (`__org.qemu_x-...`).
        let suite = shared.join("qemu/10.0.0/tests/qapi-schema");
        generate(
            &suite.join("qapi-schema-test.json"),
            &qemu_10_0(Settings::default()),
            &out.join("qemu_test_all.rs"),
        );
        introspect(
            &suite.join("qapi-schema-test.json"),
            &out.join("qemu_test_all.json"),
        );
        generate(
            &suite.join("qapi-schema-test.json"),
            &qemu_10_0(demo_cfg()),
            &out.join("qemu_test_cfg.rs"),
        );
        generate(
            &suite.join("doc-good.json"),
            &qemu_10_0(Settings::default()),
            &out.join("qemu_doc_good.rs"),
        );
        generate_spans(&shared, &out);
    }
}

/// Span bindings of QEMU 10.2.0's schema: with 10.0.0's (`span_10_0`);
/// with 10.0.0's and QEMU 11.1.3's `query-qmp-schema` reply from
/// `tests/corpus` (`span_11_1`); and with 8.0's, 8.1's and 9.1's from the
/// cargo registry (`span_8_0`, when they are there).  The warnings
/// (changes that cannot be merged, 10.2's doc comments) are counted by
/// qapi-gen's tests.
fn generate_spans(shared: &Path, out: &Path) {
    let newest = shared.join("qemu/10.2.0/qapi/qapi-schema.json");
    let v10_0 = shared.join("qemu/10.0.0/qapi/qapi-schema.json");
    let span = qapi_gen::Builder::new(&newest).compat(v10_0.display().to_string());
    write_generated(&span, &out.join("span_10_0.rs"));
    let v11_1 = Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/qemu-11.1.3/schema.json");
    let span = qapi_gen::Builder::new(&newest)
        .compat(v10_0.display().to_string())
        .compat(v11_1.display().to_string());
    write_generated(&span, &out.join("span_11_1.rs"));
    let older: Vec<PathBuf> = ["qmp_8_0", "qmp_8_1", "qmp_9_1"]
        .iter()
        .filter_map(|name| registry::OLDER_SCHEMAS.iter().find(|s| s.name == *name))
        .filter_map(|schema| registry::locate(schema).ok())
        .collect();
    if older.len() == 3 {
        let mut span = qapi_gen::Builder::new(&newest).compat(v10_0.display().to_string());
        for path in &older {
            span = span.compat(path.display().to_string());
        }
        write_generated(&span, &out.join("span_8_0.rs"));
        println!("cargo:rustc-cfg=qapi_span_older");
    }
}

fn write_generated(builder: &qapi_gen::Builder, out: &Path) {
    let schema = builder.load().unwrap_or_else(|e| panic!("{e}"));
    for path in schema.sources.paths() {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    let text = qapi_gen::rust::generate_file(&schema, builder.settings())
        .unwrap_or_else(|e| panic!("{}: {e}", out.display()));
    std::fs::write(out, text).unwrap();
}

/// Schemas of older QEMU versions, from the cargo registry, with their doc
/// comments checked leniently against QEMU 10.0's rules (the closest to
/// theirs, which they break); compiled:
/// QEMU 8.0, 9.1 and the guest agent's (8.1 is much like 8.0).  The
/// warnings are not printed: the tests count them.
fn generate_older(out: &Path) {
    let compiled = ["qmp_8_0", "qmp_9_1", "qga_9_1"];
    let mut found = 0;
    for schema in &registry::OLDER_SCHEMAS {
        if !compiled.contains(&schema.name) {
            continue;
        }
        let Ok(path) = registry::locate(schema) else {
            continue;
        };
        found += 1;
        let builder = qapi_gen::Builder::new(&path).rules(Rules::V10_0);
        let schema_model = builder.load().unwrap_or_else(|e| panic!("{e}"));
        for path in schema_model.sources.paths() {
            println!("cargo:rerun-if-changed={}", path.display());
        }
        let text = qapi_gen::rust::generate_file(&schema_model, builder.settings())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        std::fs::write(out.join(format!("older_{}.rs", schema.name)), text).unwrap();
    }
    if found == compiled.len() {
        println!("cargo:rustc-cfg=qapi_older");
    }
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

/// The `query-qmp-schema` reply for the schema, every condition kept and
/// type names unmasked (the bindings of policy `all`): what the member
/// order test generates values from.
fn introspect(schema_path: &Path, out: &Path) {
    // Introspection does not depend on doc comments: 10.0's rules take every schema here.
    let schema = qapi_gen::load_with(schema_path, Rules::V10_0).unwrap_or_else(|e| panic!("{e}"));
    let reply = qapi_gen::introspect::introspect(&schema, &|_| true, true);
    std::fs::write(out, reply.to_string()).unwrap();
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// Mapped to a true predicate, a false one, a feature, a target cfg; the
/// rest unmapped (false).
fn demo_cfg() -> Settings {
    let mut settings = Settings::default();
    settings.if_policy = IfPolicy::Cfg;
    settings.cfg = pairs(&[
        ("CONFIG_KVM", "all()"),
        ("CONFIG_WHPX", "any()"),
        ("CONFIG_NBD", "feature = \"nbd\""),
        ("CONFIG_PNG", "target_os = \"linux\""),
        ("CONFIG_WIN32", "windows"),
        ("CONFIG_THROTTLE", "unix"),
    ]);
    settings
}

fn demo_evaluate() -> Settings {
    let mut settings = Settings::default();
    settings.if_policy = IfPolicy::Evaluate;
    settings.enable = strings(&[
        "CONFIG_KVM",
        "CONFIG_NBD",
        "CONFIG_BLOCKDEV_INLINE",
        "CONFIG_SUSPEND",
    ]);
    settings
}

/// Every other option: derives and attributes (global and per type),
/// `only`, the runtime path, no docs.
fn demo_options() -> Settings {
    let mut settings = Settings::default();
    settings.derive = strings(&["PartialOrd"]);
    settings.type_derive = pairs(&[("VersionTriple", "Eq"), ("VersionTriple", "Hash")]);
    settings.attribute = strings(&["#[must_use]"]);
    settings.type_attribute = pairs(&[("StatusInfo", "#[non_exhaustive]")]);
    settings.only = strings(&[
        "query-status",
        "query-version",
        "blockdev-add",
        "STOP",
        "SHUTDOWN",
    ]);
    settings.runtime_path = "crate::demo_options::runtime".to_string();
    settings.docs = false;
    settings
}

fn real_cfg() -> Settings {
    let mut settings = Settings::default();
    settings.if_policy = IfPolicy::Cfg;
    settings.cfg = pairs(&[
        ("CONFIG_LINUX", "target_os = \"linux\""),
        ("CONFIG_POSIX", "unix"),
        ("CONFIG_WIN32", "windows"),
        ("TARGET_I386", "target_arch = \"x86_64\""),
        ("CONFIG_SPICE", "feature = \"spice\""),
        ("CONFIG_KVM", "all()"),
        ("CONFIG_VNC", "any()"),
    ]);
    settings
}

/// What a QEMU build for x86-64 Linux typically enables.
fn real_evaluate() -> Settings {
    let mut settings = Settings::default();
    settings.if_policy = IfPolicy::Evaluate;
    settings.enable = strings(&[
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
    ]);
    settings
}
