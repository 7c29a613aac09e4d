//! The QMP server's cost per request: a request's bytes in, its reply out,
//! through QEMU's JSON parser, the request and argument checks, decoding
//! into the command type, the handler (which answers at once) and encoding
//! the reply.  Bindings: the demo schema with `server`.

use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use qapi_server_tests::demo::{commands, server, RunState, StatusInfo};
use qapi_types::qmp::server::{CommandResult, CompatPolicy, JsonStreamer, Session};

struct Vm;

impl server::Handler for Vm {
    async fn query_status(&self, _: commands::QueryStatus) -> CommandResult<commands::QueryStatus> {
        Ok(StatusInfo {
            running: true,
            status: RunState::Running,
        })
    }

    async fn blockdev_add(
        &self,
        arguments: commands::BlockdevAdd,
    ) -> CommandResult<commands::BlockdevAdd> {
        criterion::black_box(arguments);
        Ok(qapi_types::Empty)
    }
}

const QUERY: &str = r#"{"execute": "query-status", "id": 1}"#;

/// A union with a base, a branch, a nested union through an alternate, a
/// struct, an alternate's list branch and an enum at depth.
const NESTED: &str = r#"{"execute": "blockdev-add", "arguments": {"driver": "qcow2", "node-name": "disk0", "read-only": false, "cache": {"direct": true, "no-flush": false}, "iops-limit": [100, 200, 300, 400], "file": {"driver": "file", "node-name": "proto0", "filename": "/var/lib/demo/disk0.qcow2", "cache": {"direct": true}, "iops-limit": {"iops": 5000, "burst": 10000}}, "backing": "base0"}, "id": 2}"#;

/// Fails deep inside: the first bad member is checked last.
const BAD: &str = r#"{"execute": "blockdev-add", "arguments": {"driver": "qcow2", "node-name": "disk0", "cache": {"direct": true}, "file": {"driver": "file", "node-name": "proto0", "filename": "/x", "cache": {"direct": "yes"}}}, "id": 3}"#;

fn bench_dispatch(c: &mut Criterion) {
    let dispatcher = server::dispatcher(Arc::new(Vm), CompatPolicy::default());
    let mut session = Session::new(true);
    let mut streamer = JsonStreamer::default();
    let negotiated = dispatcher.handle_blocking(
        &mut session,
        &mut streamer,
        br#"{"execute": "qmp_capabilities"}"#,
    );
    assert_eq!(negotiated, [r#"{"return": {}}"#]);
    for (request, expect) in [
        (
            QUERY,
            r#"{"return": {"running": true, "status": "running"}, "id": 1}"#,
        ),
        (NESTED, r#"{"return": {}, "id": 2}"#),
        (
            BAD,
            r#"{"id": 3, "error": {"class": "GenericError", "desc": "Invalid parameter type for 'file.cache.direct', expected: boolean"}}"#,
        ),
    ] {
        let replies = dispatcher.handle_blocking(&mut session, &mut streamer, request.as_bytes());
        assert_eq!(replies, [expect]);
    }

    let mut group = c.benchmark_group("dispatch");
    group.throughput(Throughput::Elements(1));
    for (name, request) in [
        ("query-status", QUERY),
        ("blockdev-add nested", NESTED),
        ("blockdev-add bad at depth", BAD),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| dispatcher.handle_blocking(&mut session, &mut streamer, request.as_bytes()))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_dispatch);
criterion_main!(benches);
