//! A QMP client's side of the demo protocol, with bindings generated in
//! place by `qapi!`: only `query-status` and the `STOP` and `RESUME`
//! events, and the types they reach.

/// The bindings.  Editing any schema file recompiles this crate.
pub mod qmp {
    qapi_macros::qapi!(
        schema = "../../schema/qapi-schema.json",
        only = ["query-status", "STOP", "RESUME"],
        type_derive = ["StatusInfo=Eq", "StatusInfo=Hash"],
        docs = false,
    );
}

use qapi_types::{Command, Mode};
use serde_json::{json, Value};

/// The request a client sends to run `command`.
fn request<C: Command>(command: &C) -> Value {
    json!({ "execute": C::NAME, "arguments": command })
}

fn main() {
    println!("-> {}", request(&qmp::commands::QueryStatus));
    let reply = r#"{ "running": false, "status": "paused" }"#;
    let status: qmp::StatusInfo = qapi_types::from_str(reply, Mode::Lenient).expect("a status");
    println!("<- {status:?}");
    let event =
        r#"{ "event": "RESUME", "timestamp": { "seconds": 1700000000, "microseconds": 0 } }"#;
    let event: qmp::events::Event = qapi_types::from_str(event, Mode::Lenient).expect("an event");
    println!("<- {event:?}");
}

#[cfg(test)]
mod tests {
    use super::*;
    use qmp::events::Event;

    #[test]
    fn query_status() {
        assert_eq!(
            request(&qmp::commands::QueryStatus),
            json!({ "execute": "query-status", "arguments": {} })
        );
        let reply = r#"{ "running": true, "status": "running" }"#;
        let status: <qmp::commands::QueryStatus as Command>::Returns =
            qapi_types::from_str(reply, Mode::Lenient).unwrap();
        // The derives asked for in the macro call.
        let set = std::collections::HashSet::from([status.clone()]);
        assert!(set.contains(&qmp::StatusInfo {
            running: true,
            status: qmp::RunState::Running,
        }));
        assert_eq!(
            serde_json::to_string(&status).unwrap(),
            reply.replace(' ', "")
        );
    }

    #[test]
    fn kept_events_decode_and_others_are_unknown() {
        let stop = r#"{ "event": "STOP", "timestamp": { "seconds": 1, "microseconds": 2 } }"#;
        let stop: Event = qapi_types::from_str(stop, Mode::Lenient).unwrap();
        assert!(matches!(stop, Event::Stop { .. }), "{stop:?}");

        // SHUTDOWN was left out by `only`: this build does not know it.
        let shutdown = r#"{ "event": "SHUTDOWN", "data": { "guest": true, "reason": "host-qmp-quit" },
                            "timestamp": { "seconds": 1, "microseconds": 2 } }"#;
        let shutdown: Event = qapi_types::from_str(shutdown, Mode::Lenient).unwrap();
        assert!(
            matches!(&shutdown, Event::Unknown { name, .. } if name == "SHUTDOWN"),
            "{shutdown:?}"
        );
    }
}
