//! Generate the bindings of the demo schema into `$OUT_DIR/qmp.rs`.
//! Cargo reruns this when any schema file changes (the Builder prints
//! `cargo:rerun-if-changed` for each file it reads).

fn main() -> Result<(), qapi_gen::builder::Error> {
    qapi_gen::Builder::new("../../schema/qapi-schema.json")
        // Options are methods named as the `qapi_gen::Settings` fields.
        .type_derive("StatusInfo", "Eq")
        .generate_to_out_dir("qmp.rs")?;
    Ok(())
}
