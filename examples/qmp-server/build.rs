//! The demo schema's bindings with the `server` module, into
//! `$OUT_DIR/qmp.rs`.

fn main() -> Result<(), qapi_gen::builder::Error> {
    qapi_gen::Builder::new("../../schema/qapi-schema.json")
        .server(true)
        .generate_to_out_dir("qmp.rs")?;
    Ok(())
}
