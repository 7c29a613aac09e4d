//! Error parity, live: the same bytes go to a real QEMU 10.0.2 and to our
//! server (the tokio server over a Unix socket, dispatching for QEMU's
//! schema), and every reply must be the same.
//!
//! The cases are malformed JSON, malformed requests, ids of every JSON
//! type, unknown commands, arguments missing, unexpected, of the wrong
//! type at depth, out of range and not in their enum, capabilities
//! negotiation, out-of-band misuse, and QEMU's `-compat` policy.  None
//! reaches a command's effect: each fails before the command runs (QEMU
//! checks every argument before calling the command), except
//! `qmp_capabilities`.
//!
//! After each case a sentinel request with a known id marks the end of its
//! replies (a bad line may get several, or none).  Error replies must match
//! byte for byte; successful ones in `id` (their values differ: our handler
//! is not QEMU).
#![cfg(qapi_shared)]

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use qapi_qmp_tests::Qemu;
use qapi_server_tests::qemu::server;
use qapi_server_tests::qemu_like::QemuLike;
use qapi_types::qmp::server::{CompatPolicy, InputPolicy, Server};
use qapi_types::qmp::{Capability, VersionInfo, VersionTriple};
use serde_json::Value;

/// A raw QMP connection: bytes out, lines in.
struct Peer {
    writer: UnixStream,
    reader: BufReader<UnixStream>,
    sentinels: u32,
}

impl Peer {
    fn connect(path: &Path) -> Peer {
        let stream =
            UnixStream::connect(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let mut peer = Peer {
            writer: stream.try_clone().unwrap(),
            reader: BufReader::new(stream),
            sentinels: 0,
        };
        let greeting = peer.line();
        assert!(greeting.starts_with("{\"QMP\""), "{greeting}");
        peer
    }

    fn line(&mut self) -> String {
        let mut line = String::new();
        let count = self.reader.read_line(&mut line).expect("reading a reply");
        assert!(count > 0, "connection closed");
        line.trim_end_matches('\n').to_string()
    }

    /// Send `input` and a sentinel; the replies before the sentinel's
    /// (events left out).
    fn exchange(&mut self, input: &[u8]) -> Vec<String> {
        self.sentinels += 1;
        let id = format!("sentinel-{}", self.sentinels);
        let mut bytes = input.to_vec();
        bytes.push(b'\n');
        bytes
            .extend_from_slice(format!("{{\"execute\": \"{id}\", \"id\": \"{id}\"}}\n").as_bytes());
        self.writer.write_all(&bytes).unwrap();
        let mut replies = Vec::new();
        loop {
            let line = self.line();
            let value: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
            if value.get("id").and_then(Value::as_str) == Some(&id) {
                return replies;
            }
            if value.get("event").is_none() {
                replies.push(line);
            }
        }
    }
}

/// Replies agree: errors byte for byte, successes in their `id`.
fn same(qemu: &[String], ours: &[String]) -> bool {
    qemu.len() == ours.len()
        && qemu.iter().zip(ours).all(|(q, o)| {
            if q.contains("\"error\"") {
                return q == o;
            }
            let q: Value = serde_json::from_str(q).unwrap_or(Value::Null);
            let o: Value = serde_json::from_str(o).unwrap_or(Value::Null);
            q.get("return").is_some() && o.get("return").is_some() && q.get("id") == o.get("id")
        })
}

/// Before negotiation.
const PRE_NEGOTIATION: &[&str] = &[
    r#"{"execute": "query-status", "id": 1}"#,
    r#"{"execute": "no-such-command", "id": 2}"#,
    r#"{"execute": "qmp_capabilities", "arguments": {"enable": ["bogus"]}, "id": 3}"#,
    r#"{"execute": "qmp_capabilities", "arguments": {"enable": "oob"}, "id": 4}"#,
    r#"{"execute": "qmp_capabilities", "arguments": {"enable": [1]}, "id": 5}"#,
    r#"{"execute": "qmp_capabilities", "arguments": {"enable": [], "x": 1}, "id": 6}"#,
    r#"{"exec-oob": "qmp_capabilities", "id": 7}"#,
    r#"{"execute": "query-qmp-schema", "id": 8}"#,
    r#"{"execute": 1, "id": 9}"#,
    r#"{"id": 10}"#,
    r#"[1, 2]"#,
    r#"{"execute": "qmp_capabilities", "arguments": [], "id": 11}"#,
];

/// Negotiation without `oob`, then requests.
const NEGOTIATED: &[&str] = &[
    r#"{"execute": "qmp_capabilities", "id": "negotiate"}"#,
    r#"{"execute": "qmp_capabilities", "id": "again"}"#,
    r#"{"execute": "qmp_capabilities", "arguments": {"enable": ["bogus"]}, "id": "again2"}"#,
    // Malformed JSON and lexical errors: QEMU's parser and its recovery.
    r#"{"execute": "query-status" ]"#,
    "hello world",
    r#"{"execute": }"#,
    r#"{"execute" "x"}"#,
    r#"{,}"#,
    r#"{"a": 1,}"#,
    r#"[}]"#,
    r#"[{]}"#,
    r#"{[}]"#,
    r#"[[}"#,
    r#"}"#,
    r#"{"execute": "x", "execute": "y"}"#,
    r#"{1: 2}"#,
    r#"{"execute": @}"#,
    r#"{"execute": 01}"#,
    r#"{"execute": -}"#,
    r#"{"execute": 1.}"#,
    r#"{"execute": 1e}"#,
    r#"{"execute": tru}"#,
    r#"{"execute": "\x"}"#,
    r#"{"execute": "\u12"}"#,
    r#"{"execute": "\uD800"}"#,
    r#"{"execute": "\uDC00x"}"#,
    r#"{"execute": "\uFFFE"}"#,
    r#"{"execute": "\uD83D\uDE00"}"#,
    r#"{"execute": "a\u0000b", "id": "nul"}"#,
    r#"{'execute': 'single\'quoted', 'id': 'sq'}"#,
    r#"{"execute": "tab	inside"}"#,
    // Values that are not requests.
    r#"123"#,
    r#""text""#,
    r#"null"#,
    r#"true"#,
    r#"[]"#,
    // Request members.
    r#"{"arguments": {}, "id": "e9"}"#,
    r#"{}"#,
    r#"{"execute": ["x"], "id": "a1"}"#,
    r#"{"execute": {"x": 1}, "id": "a2"}"#,
    r#"{"execute": "query-status", "arguments": [], "id": "a3"}"#,
    r#"{"execute": "query-status", "arguments": null, "id": "a4"}"#,
    r#"{"execute": "query-status", "arguments": "x", "id": "a5"}"#,
    r#"{"execute": "query-status", "bogus": 1, "id": "a6"}"#,
    r#"{"execute": "query-status", "bogus": 1, "other": 2, "more": 3, "id": "a7"}"#,
    r#"{"execute": 1, "arguments": 2, "id": "a8"}"#,
    r#"{"arguments": 2, "execute": 1, "extra": 3}"#,
    r#"{"exec-oob": "query-status", "id": "a9"}"#,
    r#"{"execute": "query-status", "exec-oob": "query-status", "id": "a10"}"#,
    r#"{"exec-oob": 5}"#,
    // Ids of every JSON type, echoed as QEMU prints them.
    r#"{"execute": "nope", "id": null}"#,
    r#"{"execute": "nope", "id": true}"#,
    r#"{"execute": "nope", "id": [1, "two", [], {}]}"#,
    r#"{"execute": "nope", "id": {"z": 1, "a": 2, "m": {"y": [], "b": null}}}"#,
    r#"{"execute": "nope", "id": 1.5}"#,
    r#"{"execute": "nope", "id": 0.1}"#,
    r#"{"execute": "nope", "id": 1e300}"#,
    r#"{"execute": "nope", "id": 1E-7}"#,
    r#"{"execute": "nope", "id": -0}"#,
    r#"{"execute": "nope", "id": -0.0}"#,
    r#"{"execute": "nope", "id": 9223372036854775807}"#,
    r#"{"execute": "nope", "id": 9223372036854775808}"#,
    r#"{"execute": "nope", "id": 18446744073709551616}"#,
    r#"{"execute": "nope", "id": -9223372036854775809}"#,
    r#"{"execute": "nope", "id": 1e400}"#,
    r#"{"execute": "nope", "id": "\u00e9\u20ac\ud83d\ude00\n\t\"/\\"}"#,
    r#"{"execute": "nope", "id": "a\u0000b"}"#,
    r#"{"execute": "query-qmp-schema", "arguments": {"x": 1}, "id": "s1"}"#,
    // Unknown commands.
    r#"{"execute": "no-such-command", "id": "u1"}"#,
    r#"{"execute": "", "id": "u2"}"#,
    r#"{"execute": "qu\u00e9ry", "id": "u3"}"#,
    // Arguments: unexpected, missing, wrong types, at depth.
    r#"{"execute": "query-status", "arguments": {"bogus": 1}, "id": "p1"}"#,
    r#"{"execute": "query-status", "arguments": {"a": 1, "b": 2, "c": 3}, "id": "p2"}"#,
    r#"{"execute": "migrate-set-parameters", "arguments": {"zz": 1, "aa": 2, "mm": 3, "b": 4, "c": 5, "d": 6, "e": 7, "f": 8, "g": 9}, "id": "p3"}"#,
    r#"{"execute": "device_del", "id": "p4"}"#,
    r#"{"execute": "device_del", "arguments": {"id": 123}, "id": "p5"}"#,
    r#"{"execute": "device_del", "arguments": {"id": null}, "id": "p6"}"#,
    r#"{"execute": "device_del", "arguments": {"idx": "a"}, "id": "p7"}"#,
    r#"{"execute": "set_link", "arguments": {"up": "yes"}, "id": "p8"}"#,
    r#"{"execute": "set_link", "arguments": {"name": 1, "up": "yes"}, "id": "p9"}"#,
    r#"{"execute": "set_link", "arguments": {"name": "n", "up": 1}, "id": "p10"}"#,
    r#"{"execute": "block-job-set-speed", "arguments": {"device": "j", "speed": "fast"}, "id": "p11"}"#,
    r#"{"execute": "block-job-set-speed", "arguments": {"device": "j", "speed": 1.5}, "id": "p12"}"#,
    r#"{"execute": "block-job-set-speed", "arguments": {"device": "j", "speed": 9223372036854775808}, "id": "p13"}"#,
    r#"{"execute": "block-job-set-speed", "arguments": {"device": "j", "speed": -9223372036854775809}, "id": "p14"}"#,
    r#"{"execute": "block-job-set-speed", "arguments": {"device": "j"}, "id": "p15"}"#,
    // Integers: uint8 ranges, size and uint64 (negative values wrap).
    r#"{"execute": "migrate-set-parameters", "arguments": {"max-cpu-throttle": 300}, "id": "i1"}"#,
    r#"{"execute": "migrate-set-parameters", "arguments": {"max-cpu-throttle": -1}, "id": "i2"}"#,
    r#"{"execute": "migrate-set-parameters", "arguments": {"max-cpu-throttle": 1.5}, "id": "i3"}"#,
    r#"{"execute": "migrate-set-parameters", "arguments": {"max-cpu-throttle": "x"}, "id": "i4"}"#,
    r#"{"execute": "migrate-set-parameters", "arguments": {"max-cpu-throttle": 18446744073709551615}, "id": "i5"}"#,
    r#"{"execute": "migrate-set-parameters", "arguments": {"xbzrle-cache-size": "x"}, "id": "i6"}"#,
    r#"{"execute": "migrate-set-parameters", "arguments": {"xbzrle-cache-size": 18446744073709551616}, "id": "i7"}"#,
    r#"{"execute": "migrate-set-parameters", "arguments": {"max-bandwidth": -1, "max-cpu-throttle": 256}, "id": "i8"}"#,
    r#"{"execute": "migrate-set-parameters", "arguments": {"downtime-limit": -5, "multifd-channels": 1000}, "id": "i9"}"#,
    r#"{"execute": "migrate-set-parameters", "arguments": {"max-cpu-throttle": 300, "cpu-throttle-initial": "x"}, "id": "i10"}"#,
    r#"{"execute": "migrate-set-parameters", "arguments": {"x-checkpoint-delay": 4294967296}, "id": "i11"}"#,
    r#"{"execute": "migrate-set-parameters", "arguments": {"cpu-throttle-tailslow": "no"}, "id": "i12"}"#,
    // Alternates, enums.
    r#"{"execute": "migrate-set-parameters", "arguments": {"tls-creds": 1}, "id": "a1"}"#,
    r#"{"execute": "migrate-set-parameters", "arguments": {"tls-creds": null, "tls-hostname": []}, "id": "a2"}"#,
    r#"{"execute": "migrate-set-parameters", "arguments": {"multifd-compression": "bogus"}, "id": "e1"}"#,
    r#"{"execute": "migrate-set-parameters", "arguments": {"multifd-compression": 1}, "id": "e2"}"#,
    r#"{"execute": "migrate-set-parameters", "arguments": {"mode": "Normal"}, "id": "e3"}"#,
    r#"{"execute": "set-action", "arguments": {"reboot": "explode"}, "id": "e4"}"#,
    // Lists of structs, paths at depth.
    r#"{"execute": "migrate-set-capabilities", "arguments": {"capabilities": {}}, "id": "l1"}"#,
    r#"{"execute": "migrate-set-capabilities", "arguments": {"capabilities": [1]}, "id": "l2"}"#,
    r#"{"execute": "migrate-set-capabilities", "arguments": {"capabilities": [{"capability": "xbzrle"}]}, "id": "l3"}"#,
    r#"{"execute": "migrate-set-capabilities", "arguments": {"capabilities": [{"capability": "xbzrle", "state": "yes"}]}, "id": "l4"}"#,
    r#"{"execute": "migrate-set-capabilities", "arguments": {"capabilities": [{"capability": "bogus", "state": true}]}, "id": "l5"}"#,
    r#"{"execute": "migrate-set-capabilities", "arguments": {"capabilities": [{"capability": "xbzrle", "state": true}, {"capability": 1, "state": true}]}, "id": "l6"}"#,
    r#"{"execute": "migrate-set-capabilities", "arguments": {"capabilities": [{"capability": "xbzrle", "state": true, "extra": 1}]}, "id": "l7"}"#,
    r#"{"execute": "migrate-set-capabilities", "arguments": {}, "id": "l8"}"#,
    r#"{"execute": "migrate-set-parameters", "arguments": {"block-bitmap-mapping": [{"node-name": "n", "alias": "a", "bitmaps": [{"name": "b", "alias": "c"}, {"name": "d", "alias": 5}]}]}, "id": "l9"}"#,
    r#"{"execute": "migrate-set-parameters", "arguments": {"block-bitmap-mapping": [{"node-name": "n", "alias": "a", "bitmaps": [{"name": "b", "alias": "c", "transform": {"persistent": "x"}}]}]}, "id": "l10"}"#,
    r#"{"execute": "migrate-set-parameters", "arguments": {"block-bitmap-mapping": [{"node-name": "n", "alias": "a", "bitmaps": [{"name": "b"}]}]}, "id": "l11"}"#,
    r#"{"execute": "migrate-set-parameters", "arguments": {"block-bitmap-mapping": [{"node-name": "n", "alias": "a", "bitmaps": [{"name": "b", "alias": "c", "x": 1, "y": 2}]}]}, "id": "l12"}"#,
    // A union (boxed arguments): discriminator, branches, nested alternates.
    r#"{"execute": "blockdev-add", "arguments": {}, "id": "b1"}"#,
    r#"{"execute": "blockdev-add", "arguments": {"driver": "bogus"}, "id": "b2"}"#,
    r#"{"execute": "blockdev-add", "arguments": {"driver": 5}, "id": "b3"}"#,
    r#"{"execute": "blockdev-add", "arguments": {"driver": "qcow2"}, "id": "b4"}"#,
    r#"{"execute": "blockdev-add", "arguments": {"driver": "qcow2", "node-name": 5, "file": "f"}, "id": "b5"}"#,
    r#"{"execute": "blockdev-add", "arguments": {"driver": "qcow2", "file": 1}, "id": "b6"}"#,
    r#"{"execute": "blockdev-add", "arguments": {"driver": "qcow2", "file": {"driver": "file", "filename": 1}}, "id": "b7"}"#,
    r#"{"execute": "blockdev-add", "arguments": {"driver": "qcow2", "file": {"driver": "file", "filename": "/x", "aio": "bogus"}}, "id": "b8"}"#,
    r#"{"execute": "blockdev-add", "arguments": {"driver": "qcow2", "file": {"driver": "file", "filename": "/x", "extra": 1}}, "id": "b9"}"#,
    r#"{"execute": "blockdev-add", "arguments": {"driver": "qcow2", "file": "f", "backing": 1}, "id": "b10"}"#,
    r#"{"execute": "blockdev-add", "arguments": {"driver": "qcow2", "file": "f", "cache": {"direct": "x"}}, "id": "b11"}"#,
    r#"{"execute": "blockdev-add", "arguments": {"driver": "qcow2", "file": "f", "cache": 5}, "id": "b12"}"#,
    r#"{"execute": "blockdev-add", "arguments": {"driver": "raw", "file": "nope", "bogus": 1}, "id": "b13"}"#,
    r#"{"execute": "blockdev-add", "arguments": {"driver": "qcow2", "file": {"driver": "qcow2", "file": {"driver": "file", "filename": []}}}, "id": "b14"}"#,
    r#"{"execute": "blockdev-add", "arguments": {"driver": "qcow2", "file": "f", "l2-cache-size": "big"}, "id": "b15"}"#,
    r#"{"execute": "blockdev-add", "arguments": {"driver": "qcow2", "file": "f", "encrypt": {"format": "luks", "key-secret": 5}}, "id": "b16"}"#,
    r#"{"execute": "blockdev-add", "arguments": {"driver": "qcow2", "file": "f", "encrypt": {"format": "bogus"}}, "id": "b17"}"#,
    r#"{"execute": "blockdev-add", "arguments": {"driver": "qcow2", "file": "f", "encrypt": {"key-secret": "s"}}, "id": "b18"}"#,
];

/// Negotiation with `oob`, then out-of-band misuse.
const OOB: &[&str] = &[
    r#"{"execute": "qmp_capabilities", "arguments": {"enable": ["oob", "oob"]}, "id": "negotiate"}"#,
    r#"{"exec-oob": "query-status", "id": "o1"}"#,
    r#"{"exec-oob": "qmp_capabilities", "id": "o2"}"#,
    r#"{"exec-oob": "no-such-command", "id": "o3"}"#,
    r#"{"exec-oob": 5, "id": "o4"}"#,
    r#"{"execute": "query-status", "exec-oob": "query-status", "id": "o5"}"#,
    r#"{"exec-oob": "query-status", "execute": "migrate-pause", "id": "o6"}"#,
    r#"{"exec-oob": "migrate-pause", "arguments": {"x": 1}, "id": "o7"}"#,
    r#"{"exec-oob": "migrate-pause", "arguments": [], "id": "o8"}"#,
    r#"{"exec-oob": "query-status", "bogus": 1}"#,
];

/// Under `-compat deprecated-input=reject,unstable-input=reject`.
const POLICY: &[&str] = &[
    r#"{"execute": "query-migrationthreads", "id": "c0"}"#,
    r#"{"execute": "qmp_capabilities", "id": "negotiate"}"#,
    r#"{"execute": "query-migrationthreads", "id": "c1"}"#,
    r#"{"execute": "x-debug-query-block-graph", "id": "c2"}"#,
    r#"{"execute": "drive-backup", "arguments": {"bogus": 1}, "id": "c3"}"#,
    r#"{"execute": "eject", "arguments": {"device": "x"}, "id": "c4"}"#,
    r#"{"execute": "eject", "arguments": {"device": 1}, "id": "c5"}"#,
    r#"{"execute": "migrate-set-capabilities", "arguments": {"capabilities": [{"capability": "zero-blocks", "state": true}]}, "id": "c6"}"#,
    r#"{"execute": "migrate-set-capabilities", "arguments": {"capabilities": [{"capability": "x-colo", "state": true}]}, "id": "c7"}"#,
    r#"{"execute": "migrate-set-parameters", "arguments": {"x-checkpoint-delay": 5}, "id": "c8"}"#,
    r#"{"execute": "x-query-roms", "arguments": {"x": 1}, "id": "c9"}"#,
];

static SOCKETS: AtomicU32 = AtomicU32::new(0);

/// Our server for QEMU's schema under `policy`, on a Unix socket, served by
/// a runtime of its own.
fn our_server(policy: CompatPolicy) -> (PathBuf, tokio::runtime::Runtime) {
    let path = std::env::temp_dir().join(format!(
        "qapi-server-live-{}-{}.sock",
        std::process::id(),
        SOCKETS.fetch_add(1, Ordering::Relaxed)
    ));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let version = VersionInfo {
        qemu: VersionTriple {
            major: 10,
            minor: 0,
            micro: 2,
        },
        package: String::new(),
    };
    let server = Arc::new(
        Server::new(server::dispatcher(Arc::new(QemuLike), policy))
            .greeting(version, vec![Capability::Oob]),
    );
    let listening = path.clone();
    runtime.spawn(async move { server.serve_unix(listening).await });
    for _ in 0..200 {
        if UnixStream::connect(&path).is_ok() {
            return (path, runtime);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("our server did not listen on {}", path.display());
}

/// Run `groups` of cases, each on a new connection, against QEMU and us;
/// the cases that disagree.
fn compare(qemu: &Path, ours: &Path, groups: &[&[&str]], matched: &mut usize) -> Vec<String> {
    let mut mismatches = Vec::new();
    for cases in groups {
        let mut qemu_peer = Peer::connect(qemu);
        let mut our_peer = Peer::connect(ours);
        for case in *cases {
            let from_qemu = qemu_peer.exchange(case.as_bytes());
            let from_us = our_peer.exchange(case.as_bytes());
            if same(&from_qemu, &from_us) {
                *matched += 1;
            } else {
                mismatches.push(format!(
                    "{case}\n  qemu: {from_qemu:?}\n  ours: {from_us:?}"
                ));
            }
        }
        // QEMU serves one connection at a time: close before the next.
        drop(qemu_peer);
    }
    mismatches
}

#[test]
fn malformed_and_ill_typed_requests_get_qemus_answers() {
    let mut matched = 0;
    let mut total = 0;
    let mut mismatches = Vec::new();

    let qemu = Qemu::start();
    let (ours, runtime) = our_server(CompatPolicy::default());
    let groups: [&[&str]; 3] = [PRE_NEGOTIATION, NEGOTIATED, OOB];
    // Raw bytes that are not UTF-8, sent alone.
    let raw: [&[u8]; 4] = [
        b"{\"execute\": \"\xff\"}",
        b"{\"execute\": \"a\xc3(\"}",
        b"{\"execute\": \"\xc0\x80\", \"id\": \"overlong nul\"}",
        b"\x01{\"execute\": \"nope\"}",
    ];
    total += groups.iter().map(|g| g.len()).sum::<usize>() + raw.len();
    mismatches.extend(compare(qemu.socket(), &ours, &groups, &mut matched));
    {
        let mut qemu_peer = Peer::connect(qemu.socket());
        let mut our_peer = Peer::connect(&ours);
        qemu_peer.exchange(br#"{"execute": "qmp_capabilities"}"#);
        our_peer.exchange(br#"{"execute": "qmp_capabilities"}"#);
        for case in raw {
            let from_qemu = qemu_peer.exchange(case);
            let from_us = our_peer.exchange(case);
            if same(&from_qemu, &from_us) {
                matched += 1;
            } else {
                mismatches.push(format!(
                    "{}\n  qemu: {from_qemu:?}\n  ours: {from_us:?}",
                    String::from_utf8_lossy(case)
                ));
            }
        }
    }
    drop(qemu);
    drop(runtime);

    let qemu = Qemu::start_with(&["-compat", "deprecated-input=reject,unstable-input=reject"]);
    let policy = CompatPolicy::default()
        .deprecated_input(InputPolicy::Reject)
        .unstable_input(InputPolicy::Reject);
    let (ours, runtime) = our_server(policy);
    total += POLICY.len();
    mismatches.extend(compare(qemu.socket(), &ours, &[POLICY], &mut matched));
    drop(qemu);
    drop(runtime);

    println!("live: {matched} of {total} cases answered as QEMU 10.0.2 did");
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    assert_eq!(matched, total);
}
