//! Bindings of QEMU 10.0.0's schema (from `../shared` or
//! `$QAPI_SHARED_DIR`), generated as a user's build.rs would: `qmp.rs` for
//! the commands the `qmp` binary runs, `qmp10.rs` whole for the `decode`
//! bench.

#[path = "src/paths.rs"]
#[allow(dead_code)]
mod paths;

fn main() -> Result<(), qapi_gen::builder::Error> {
    println!("cargo:rerun-if-env-changed=QAPI_SHARED_DIR");
    let schema = paths::real_schema();
    // QEMU 10.0's schema, under its rules.
    let rules = qapi_gen::Rules::V10_0;
    qapi_gen::Builder::new(&schema)
        .rules(rules)
        .only(["query-status"])
        .docs(false)
        .generate_to_out_dir("qmp.rs")?;
    qapi_gen::Builder::new(&schema)
        .rules(rules)
        .generate_to_out_dir("qmp10.rs")?;
    Ok(())
}
