//! A QMP client's side of the demo protocol, with bindings generated in
//! place by `qapi!`: only `query-status` and the `STOP` event, and the
//! types they reach.

/// The bindings.  Editing any schema file recompiles this crate.
#[allow(dead_code)]
mod qmp {
    qapi_macros::qapi!(
        schema = "../../schema/qapi-schema.json",
        only = ["query-status", "STOP", "RESUME"],
        derive = ["PartialEq"],
    );
}

use qapi_types::Command;

fn main() {
    println!(
        "-> {{\"execute\": \"{}\"}}",
        qmp::commands::QueryStatus::NAME
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_status_name() {
        assert_eq!(qmp::commands::QueryStatus::NAME, "query-status");
    }
}
