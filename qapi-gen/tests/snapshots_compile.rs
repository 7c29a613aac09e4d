//! The snapshots of `tests/snapshots/` compile without warnings (the
//! generated code must, whatever the user's lint levels).

#![deny(warnings)]

// Public, as the items are in a user's crate: items this test does not
// use are not dead code.
pub mod all {
    include!("snapshots/demo-all.rs");
}

pub mod cfg {
    include!("snapshots/demo-cfg.rs");
}

pub mod evaluate {
    include!("snapshots/demo-evaluate.rs");
}

/// The same checks on each snapshot's items.
macro_rules! round_trips {
    ($bindings:ident) => {{
        use qapi_types::Command;
        use $bindings::{commands, events, RunState};

        let request = serde_json::json!({
            "execute": commands::QueryStatus::NAME,
            "arguments": commands::QueryStatus {},
        });
        assert_eq!(
            request,
            serde_json::json!({ "execute": "query-status", "arguments": {} })
        );

        let reply = serde_json::json!({ "running": false, "status": "paused" });
        let status: <commands::QueryStatus as Command>::Returns =
            serde_json::from_value(reply.clone()).unwrap();
        assert_eq!((status.running, &status.status), (false, &RunState::Paused));
        assert_eq!(serde_json::to_value(&status).unwrap(), reply);

        let message = r#"{"event": "STOP", "timestamp": {"seconds": 1, "microseconds": 2}}"#;
        let event: events::Event = serde_json::from_str(message).unwrap();
        assert!(matches!(event, events::Event::Stop { .. }), "{event:?}");
        let message = r#"{"event": "NEW", "data": {}, "timestamp": {"seconds": 1, "microseconds": 2}}"#;
        let event: events::Event = serde_json::from_str(message).unwrap();
        assert!(matches!(event, events::Event::Unknown { .. }), "{event:?}");
    }};
}

#[test]
fn policy_all() {
    round_trips!(all);
}

#[test]
fn policy_cfg() {
    round_trips!(cfg);
}

#[test]
fn policy_evaluate() {
    round_trips!(evaluate);
}
