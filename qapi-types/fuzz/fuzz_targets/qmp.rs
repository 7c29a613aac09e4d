//! The QMP runtime on arbitrary bytes, with the bindings of QEMU 10.0.0's
//! schema.  Nothing may panic or hang, and:
//!
//! - the server (JSON stream framing, then the dispatcher with its
//!   argument checks for all 240 commands) answers with well-formed
//!   replies only: a JSON object holding `return` or an `error` with a
//!   `class` and a `desc` (and perhaps an `id`);
//! - what a client decodes (an event message, a `query-qmp-schema` reply,
//!   `blockdev-add` arguments) encodes to JSON that decodes back to the
//!   same value.
//!
//! The first byte chooses the session (compat policy, OOB offered or not,
//! negotiated first or not) and how the rest is cut into reads.

#![no_main]

use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use qapi_server_tests::qemu::{events::Event, server, BlockdevOptions, SchemaInfo};
use qapi_server_tests::qemu_like::QemuLike;
use qapi_types::qmp::server::{
    CompatPolicy, Dispatcher, InputPolicy, JsonStreamer, OutputPolicy, Session,
};
use qapi_types::serde::{de::DeserializeOwned, Serialize};
use qapi_types::serde_json::{self, Value};
use qapi_types::Mode;

fn dispatcher(policy: CompatPolicy) -> &'static Dispatcher<QemuLike> {
    static DISPATCHERS: OnceLock<Vec<Dispatcher<QemuLike>>> = OnceLock::new();
    let all = DISPATCHERS.get_or_init(|| {
        (0..16)
            .map(|bits| server::dispatcher(Arc::new(QemuLike), policy_from(bits)))
            .collect()
    });
    let index = all
        .iter()
        .position(|d| d.policy() == policy)
        .expect("every policy has a dispatcher");
    &all[index]
}

fn policy_from(bits: u8) -> CompatPolicy {
    let input = |bit: u8| {
        if bits & bit != 0 {
            InputPolicy::Reject
        } else {
            InputPolicy::Accept
        }
    };
    let output = |bit: u8| {
        if bits & bit != 0 {
            OutputPolicy::Hide
        } else {
            OutputPolicy::Accept
        }
    };
    CompatPolicy::default()
        .deprecated_input(input(1))
        .deprecated_output(output(2))
        .unstable_input(input(4))
        .unstable_output(output(8))
}

fn check_reply(reply: &str) {
    let value: Value =
        serde_json::from_str(reply).unwrap_or_else(|e| panic!("reply is not JSON ({e}): {reply}"));
    let object = value
        .as_object()
        .unwrap_or_else(|| panic!("reply is not an object: {reply}"));
    let keys: Vec<&str> = object
        .keys()
        .map(String::as_str)
        .filter(|&k| k != "id")
        .collect();
    match keys.as_slice() {
        ["return"] => {}
        ["error"] => {
            let error = &object["error"];
            assert!(
                error["class"].is_string() && error["desc"].is_string(),
                "error without class and desc: {reply}"
            );
        }
        _ => panic!("reply is neither a return nor an error: {reply}"),
    }
}

/// Decoded values encode to JSON that decodes back to the same value.
fn round_trip<T>(text: &str, mode: Mode)
where
    T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug,
{
    let Ok(value) = qapi_types::from_str::<T>(text, mode) else {
        return;
    };
    let encoded = serde_json::to_string(&value).expect("a decoded value encodes");
    let again: T = qapi_types::from_str(&encoded, mode)
        .unwrap_or_else(|e| panic!("{encoded} does not decode again: {e}"));
    assert_eq!(value, again, "{text} -> {encoded}");
}

fuzz_target!(|data: &[u8]| {
    let Some((&setup, input)) = data.split_first() else {
        return;
    };
    let dispatcher = dispatcher(policy_from(setup & 0x0f));
    let mut session = Session::new(setup & 0x10 != 0);
    let mut streamer = JsonStreamer::default();
    let mut replies = Vec::new();
    if setup & 0x20 != 0 {
        replies = dispatcher.handle_blocking(
            &mut session,
            &mut streamer,
            b"{\"execute\": \"qmp_capabilities\"}",
        );
        assert_eq!(replies, ["{\"return\": {}}"]);
    }
    // Reads of 1 to 4 bytes, or all at once.
    let read = match setup >> 6 {
        0 => input.len().max(1),
        n => usize::from(n) + 1,
    };
    for chunk in input.chunks(read) {
        replies.extend(dispatcher.handle_blocking(&mut session, &mut streamer, chunk));
    }
    for reply in &replies {
        check_reply(reply);
    }

    if let Ok(text) = std::str::from_utf8(input) {
        for mode in [Mode::Lenient, Mode::Strict] {
            round_trip::<Event>(text, mode);
            round_trip::<Vec<SchemaInfo>>(text, mode);
            round_trip::<BlockdevOptions>(text, mode);
        }
    }
});
