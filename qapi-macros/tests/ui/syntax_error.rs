// A parse error, with the schema given by key.
qapi_macros::qapi!(schema = "tests/ui/syntax_error.json", docs = false);

fn main() {}
