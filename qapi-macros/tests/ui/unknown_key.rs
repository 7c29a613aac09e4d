qapi_macros::qapi!("tests/ui/schema_error.json", colour = "blue");

fn main() {}
