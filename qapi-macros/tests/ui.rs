//! The `qapi!` macro's error messages, checked by compiling the programs
//! of `tests/ui/` and comparing rustc's output with the `.stderr` files
//! (`TRYBUILD=overwrite cargo test -p qapi-macros --test ui` rewrites them).

#[test]
fn ui() {
    // trybuild compiles the cases in a crate of its own, elsewhere: make
    // the macro resolve schema paths against this crate instead.
    std::env::set_var("CARGO_MANIFEST_DIR_OVERRIDE", env!("CARGO_MANIFEST_DIR"));
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
