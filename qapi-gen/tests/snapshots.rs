//! Snapshots of the code generated for the demo schema (`schema/`), one
//! per `if` policy, kept in `tests/snapshots/` so that changes to the
//! generated code show in review.  `UPDATE_SNAPSHOTS=1` rewrites them.
//! `snapshots_compile.rs` compiles them.

mod common;

use std::path::Path;

use common::workspace_dir;
use qapi_gen::{Builder, IfPolicy};

fn demo() -> Builder {
    Builder::new("schema/qapi-schema.json").base_dir(workspace_dir())
}

fn check_snapshot(name: &str, builder: Builder) {
    let text = builder.generate().unwrap_or_else(|e| panic!("{e}"));
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1") {
        qapi_gen::builder::write_if_changed(&path, &text).expect("write the snapshot");
        return;
    }
    let old = std::fs::read_to_string(&path).unwrap_or_default();
    if old != text {
        let line = old
            .lines()
            .zip(text.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(old.lines().count().min(text.lines().count()));
        panic!(
            "{} differs from the generated code from line {}:\n  snapshot:  {:?}\n  generated: {:?}\n\
             rerun with UPDATE_SNAPSHOTS=1 to accept the new output",
            path.display(),
            line + 1,
            old.lines().nth(line).unwrap_or("<end>"),
            text.lines().nth(line).unwrap_or("<end>"),
        );
    }
}

#[test]
fn demo_all() {
    check_snapshot("demo-all.rs", demo());
}

#[test]
fn demo_cfg() {
    check_snapshot("demo-cfg.rs", demo().if_policy(IfPolicy::Cfg));
}

#[test]
fn demo_evaluate() {
    check_snapshot(
        "demo-evaluate.rs",
        demo()
            .if_policy(IfPolicy::Evaluate)
            .enable("CONFIG_KVM")
            .enable("CONFIG_NBD"),
    );
}
