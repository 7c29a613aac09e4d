//! Bindings of QEMU 10.0.0's schema for the commands the benchmark runs,
//! from `../shared` (or `$QAPI_SHARED_DIR`).

use std::path::PathBuf;

fn main() -> Result<(), qapi_gen::builder::Error> {
    println!("cargo:rerun-if-env-changed=QAPI_SHARED_DIR");
    let shared = match std::env::var_os("QAPI_SHARED_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from("../../shared"),
    };
    let schema = shared.join("qemu/10.0.0/qapi/qapi-schema.json");
    assert!(
        schema.exists(),
        "{} is missing: set QAPI_SHARED_DIR to the shared directory",
        schema.display()
    );
    qapi_gen::Builder::new(schema)
        .only(["query-status"])
        .docs(false)
        .generate_to_out_dir("qmp.rs")?;
    Ok(())
}
