//! Requests whose members come in any order, as QEMU's own protocol tests
//! send them (libqtest in its hash order): a flat union's branch members
//! before its discriminator, at any depth, decode from the `QObject` the
//! server holds, as QEMU decodes them.
#![cfg(qapi_shared)]

use std::sync::Arc;

use qapi_server_tests::qemu::server;
use qapi_server_tests::qemu_like::QemuLike;
use qapi_types::qmp::server::{CompatPolicy, JsonStreamer, Session};

fn answers(requests: &[&str]) -> Vec<String> {
    let dispatcher = server::dispatcher(Arc::new(QemuLike), CompatPolicy::default());
    let mut session = Session::new(true);
    let mut streamer = JsonStreamer::default();
    let mut replies = Vec::new();
    for request in [r#"{"execute": "qmp_capabilities"}"#]
        .iter()
        .chain(requests)
    {
        let line = format!("{request}\n");
        replies.extend(dispatcher.handle_blocking(&mut session, &mut streamer, line.as_bytes()));
    }
    replies
}

#[test]
fn blockdev_add_with_branch_members_first() {
    let replies = answers(&[
        r#"{"execute": "blockdev-add", "arguments": {"image": {"driver": "null-co"}, "node-name": "n2", "driver": "blkdebug"}, "id": 1}"#,
        r#"{"execute": "blockdev-add", "arguments": {"image": {"read-zeroes": true, "driver": "null-co"}, "node-name": "n3", "driver": "blkdebug"}, "id": 2}"#,
        r#"{"execute": "blockdev-add", "arguments": {"driver": "blkdebug", "node-name": "n4", "image": {"driver": "null-co", "read-zeroes": true}}, "id": 3}"#,
    ]);
    assert_eq!(
        replies,
        [
            r#"{"return": {}}"#,
            r#"{"return": {}, "id": 1}"#,
            r#"{"return": {}, "id": 2}"#,
            r#"{"return": {}, "id": 3}"#,
        ]
    );
}

/// Errors in members read before the discriminator name the member, as
/// QEMU's do, and say nothing of a buffer.
#[test]
fn errors_in_branch_members_before_the_discriminator() {
    let replies = answers(&[
        r#"{"execute": "blockdev-add", "arguments": {"image": {"read-zeroes": 1, "driver": "null-co"}, "node-name": "n5", "driver": "blkdebug"}, "id": 4}"#,
    ]);
    assert_eq!(replies.len(), 2, "{replies:?}");
    assert!(
        replies[1].contains(r#""class": "GenericError""#),
        "{}",
        replies[1]
    );
    assert!(replies[1].contains("read-zeroes"), "{}", replies[1]);
    assert!(!replies[1].contains("newtype"), "{}", replies[1]);
}
