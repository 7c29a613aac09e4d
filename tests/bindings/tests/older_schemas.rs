//! Bindings of older QEMU schemas (8.0, 9.1, the guest agent's of 9.1),
//! from crates of the cargo registry: they compile (in the library, under
//! `deny(warnings, missing_docs)`) and decode what those QEMU versions say.
#![cfg_attr(not(qapi_older), allow(unused))]

#[cfg(not(qapi_older))]
#[test]
fn older_schemas() {
    panic!(
        "the bindings of older QEMU schemas were not built: their crates were missing \
         from the cargo registry at build time; run scripts/fetch-older-schemas.sh"
    );
}

#[cfg(qapi_older)]
fn round_trip<T>(json: serde_json::Value) -> T
where
    T: serde::de::DeserializeOwned + serde::Serialize,
{
    let value: T = serde_json::from_value(json.clone()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(serde_json::to_value(&value).unwrap(), json);
    value
}

/// QEMU 8.0's `query-status` still had `singlestep`.
#[cfg(qapi_older)]
#[test]
fn qemu_8_0_status() {
    use qapi_bindings_tests::older_qmp_8_0::{commands, RunState};
    use qapi_types::Command;

    let status: <commands::QueryStatus as Command>::Returns = round_trip(serde_json::json!(
        { "running": true, "singlestep": false, "status": "running" }
    ));
    assert_eq!(status.status, RunState::Running);
}

#[cfg(qapi_older)]
#[test]
fn qemu_9_1_status() {
    use qapi_bindings_tests::older_qmp_9_1::commands;
    use qapi_types::Command;

    let status: <commands::QueryStatus as Command>::Returns =
        round_trip(serde_json::json!({ "running": false, "status": "paused" }));
    assert!(!status.running);
}

/// The guest agent's `GuestDiskBusType` has a value `unknown`: the union
/// it discriminates keeps it apart from the catch-all of values this build
/// does not know.
#[cfg(qapi_older)]
#[test]
fn guest_agent_unknown_bus_type() {
    use qapi_bindings_tests::older_qga_9_1::{GuestDiskSmart, GuestDiskSmartBranch};

    let smart: GuestDiskSmart = round_trip(serde_json::json!({ "type": "unknown" }));
    assert_eq!(smart.r#type, GuestDiskSmartBranch::Unknown);
    let smart: GuestDiskSmart = round_trip(serde_json::json!({ "type": "quantum" }));
    assert!(
        matches!(&smart.r#type, GuestDiskSmartBranch::UnknownValue(b) if b.tag.as_str() == "quantum"),
        "{smart:?}"
    );
}
