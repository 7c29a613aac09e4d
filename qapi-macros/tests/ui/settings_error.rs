// A valid schema, with settings that do not fit it: the error points at the
// option.
qapi_macros::qapi!(
    "../schema/qapi-schema.json",
    only = ["query-status", "no-such-command"],
);

fn main() {}
