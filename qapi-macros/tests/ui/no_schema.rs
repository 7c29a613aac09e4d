qapi_macros::qapi!(docs = false);

fn main() {}
