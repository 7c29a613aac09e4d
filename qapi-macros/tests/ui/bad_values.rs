// Every bad value is reported, each at the value at fault.
qapi_macros::qapi!(
    schema = "tests/ui/schema_error.json",
    if_policy = "sometimes",
    cfg = ["CONFIG_KVM"],
    docs = "no",
    enable = true,
    rules = "9.2",
    runtime_path = "a",
    runtime_path = "b",
);

fn main() {}
