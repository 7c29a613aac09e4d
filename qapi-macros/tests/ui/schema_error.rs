// An error in an included file: the diagnostic names file, line and column,
// with the include chain and a snippet.
qapi_macros::qapi!("tests/ui/schema_error.json");

fn main() {}
