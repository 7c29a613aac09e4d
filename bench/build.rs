//! Bindings of QEMU 10.0.0's schema for the `decode` bench, generated as a
//! user's build.rs would.

#[path = "src/paths.rs"]
#[allow(dead_code)]
mod paths;

fn main() {
    println!("cargo:rerun-if-env-changed=QAPI_SHARED_DIR");
    if let Err(err) = qapi_gen::Builder::new(paths::real_schema()).generate_to_out_dir("qmp10.rs") {
        panic!("{err}");
    }
}
