//! Both clients against fake peers on a Unix socket pair (with the demo
//! schema's bindings): the peer dies mid-command, sends garbage, partial
//! messages, byte by byte, reads slowly or not at all, sends a 10 MB reply,
//! has 10,000 commands in flight.  Nothing may hang (every wait is bounded
//! by a timeout), panic, or grow without bound.

mod common;

use std::io::Write;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use qapi_bindings_tests::demo_all::{commands, events};
use qapi_types::qmp::tokio::Client as AsyncClient;
use qapi_types::qmp::{blocking, Error, ErrorClass};
use serde_json::{json, Value};

use common::{
    async_client, blocking_client, echo, join, options, run_async, tcp_peer, Peer, GREETING,
};

// ------------------------------------------------------- the peer dies

#[test]
fn blocking_peer_dies_mid_command() {
    let (mut client, peer) = blocking_client(&options(), |mut peer| {
        peer.handshake();
        peer.request();
        // Gone without a reply.
    });
    let error = client.execute(&echo(1)).unwrap_err();
    assert!(matches!(error, Error::Closed { partial: false }), "{error}");
    assert_eq!(error.to_string(), "QMP connection closed by the peer");
    // Later commands fail at once, the same way.
    let error = client.execute(&echo(2)).unwrap_err();
    assert!(matches!(error, Error::Closed { .. }), "{error}");
    join(peer);
}

#[test]
fn blocking_peer_dies_mid_reply() {
    let (mut client, peer) = blocking_client(&options(), |mut peer| {
        peer.handshake();
        peer.request();
        peer.write(r#"{"return": {"status": "runn"#);
    });
    let error = client.execute(&commands::QueryStatus).unwrap_err();
    assert!(matches!(error, Error::Closed { partial: true }), "{error}");
    join(peer);
}

#[test]
fn async_peer_dies_with_commands_in_flight() {
    run_async(async {
        let (client, peer) = async_client(&options(), |mut peer| {
            peer.handshake();
            let requests: Vec<Value> = (0..100).map_while(|_| peer.request()).collect();
            for request in &requests[..50] {
                peer.reply(request, request["arguments"]["value"].clone());
            }
            peer.write(r#"{"return": 5"#);
        })
        .await;
        let client = Arc::new(client);
        let calls: Vec<_> = (0..100)
            .map(|i| {
                let client = client.clone();
                tokio::spawn(async move { client.execute(&echo(i)).await })
            })
            .collect();
        let (mut ok, mut closed) = (0, 0);
        for call in calls {
            match call.await.unwrap() {
                Ok(_) => ok += 1,
                Err(Error::Closed { partial: true }) => closed += 1,
                Err(error) => panic!("{error}"),
            }
        }
        assert_eq!((ok, closed), (50, 50));
        assert_eq!(client.pending(), 0);
        let error = client.execute(&echo(0)).await.unwrap_err();
        assert!(error.is_fatal());
        join(peer);
    });
}

// ------------------------------------------------- garbage, partial lines

/// What the peer sends after the handshake, and the protocol error it
/// must cause.
const GARBAGE: &[(&str, &str)] = &[
    ("hello world\r\n", "unexpected `h` between messages"),
    ("\u{1}\r\n", "unexpected byte 0x01 between messages"),
    ("[1, 2]\r\n", "unexpected `[` between messages"),
    ("{\"return\": tru}\r\n", "expected ident"),
    ("{\"hello\": 1}\r\n", "not a QMP message"),
    ("{\"return\": {}, \"event\": \"X\"}\r\n", "more than one of"),
    (
        "{\"error\": {\"class\": 1, \"desc\": \"\"}}\r\n",
        "invalid type",
    ),
    (GREETING, "a second greeting"),
];

#[test]
fn blocking_garbage() {
    for (garbage, expected) in GARBAGE {
        let (mut client, peer) = blocking_client(&options(), move |mut peer| {
            peer.handshake();
            peer.request();
            peer.write(garbage);
            peer.serve();
        });
        let error = client.execute(&echo(1)).unwrap_err();
        let Error::Protocol(message) = &error else {
            panic!("{garbage:?}: {error}")
        };
        assert!(message.contains(expected), "{garbage:?}: {message}");
        assert!(client.execute(&echo(2)).unwrap_err().is_fatal());
        drop(client);
        join(peer);
    }
}

#[test]
fn async_garbage() {
    run_async(async {
        for (garbage, expected) in GARBAGE {
            let (client, peer) = async_client(&options(), move |mut peer| {
                peer.handshake();
                peer.request();
                peer.write(garbage);
                peer.serve();
            })
            .await;
            let error = client.execute(&echo(1)).await.unwrap_err();
            let Error::Protocol(message) = &error else {
                panic!("{garbage:?}: {error}")
            };
            assert!(message.contains(expected), "{garbage:?}: {message}");
            drop(client);
            join(peer);
        }
    });
}

/// Messages cut anywhere: byte by byte, several in one write.
fn trickle(mut peer: Peer) {
    peer.handshake();
    let request = peer.request().unwrap();
    let text = "x".repeat(3000);
    let event = r#"{"timestamp": {"seconds": 1, "microseconds": 2}, "event": "STOP"}"#;
    let reply = json!({"return": text, "id": request["id"]}).to_string();
    for byte in format!("{event}\r\n{reply}").bytes() {
        peer.writer.write_all(&[byte]).unwrap();
    }
    let request = peer.request().unwrap();
    let reply = json!({"return": 2, "id": request["id"]}).to_string();
    peer.write(&format!("{event}{event}\n{reply}\n{event}"));
    peer.serve();
}

#[test]
fn blocking_partial_messages() {
    let (mut client, peer) = blocking_client(&options(), trickle);
    assert_eq!(
        client.execute(&echo(1)).unwrap().as_str().unwrap().len(),
        3000
    );
    assert_eq!(client.execute(&echo(2)).unwrap(), 2);
    let mut count = 0;
    while let Some(event) = client
        .next_event::<events::Event>(Duration::from_millis(500))
        .unwrap()
    {
        assert!(matches!(event, events::Event::Stop { .. }));
        count += 1;
    }
    assert_eq!(count, 4);
    drop(client);
    join(peer);
}

#[test]
fn async_partial_messages() {
    run_async(async {
        let (client, peer) = async_client(&options(), trickle).await;
        let mut events = client.events::<events::Event>().unwrap();
        assert_eq!(
            client
                .execute(&echo(1))
                .await
                .unwrap()
                .as_str()
                .unwrap()
                .len(),
            3000
        );
        assert_eq!(client.execute(&echo(2)).await.unwrap(), 2);
        for _ in 0..4 {
            let event = events.recv().await.unwrap().unwrap();
            assert!(matches!(event, events::Event::Stop { .. }));
        }
        drop(client);
        assert!(events.recv().await.is_none());
        join(peer);
    });
}

// ---------------------------------------------------------- slow readers

/// The peer reads 4 KiB every 2 ms.
fn slow_reader(mut peer: Peer) {
    peer.handshake();
    let mut pending = Vec::new();
    let mut chunk = [0u8; 4096];
    let mut framer = qapi_types::qmp::Framer::new(1 << 30);
    loop {
        thread::sleep(Duration::from_millis(2));
        let count = match std::io::Read::read(peer.reader.get_mut(), &mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(count) => count,
        };
        framer.push(&chunk[..count]);
        while let Some(message) = framer.next_message().unwrap() {
            pending.push(serde_json::from_slice::<Value>(message).unwrap());
        }
        for request in pending.drain(..) {
            let value = request["arguments"]["value"].as_str().unwrap().len();
            peer.reply(&request, json!(value));
        }
    }
}

const BIG: usize = 100_000;

#[test]
fn blocking_slow_reader() {
    let (mut client, peer) = blocking_client(&options(), slow_reader);
    for _ in 0..10 {
        assert_eq!(client.execute(&echo("y".repeat(BIG))).unwrap(), BIG);
    }
    drop(client);
    join(peer);
}

#[test]
fn async_slow_reader() {
    run_async(async {
        let (client, peer) = async_client(&options(), slow_reader).await;
        let client = Arc::new(client);
        let calls: Vec<_> = (0..10)
            .map(|_| {
                let client = client.clone();
                tokio::spawn(async move { client.execute(&echo("y".repeat(BIG))).await })
            })
            .collect();
        for call in calls {
            assert_eq!(call.await.unwrap().unwrap(), BIG);
        }
        drop(client);
        join(peer);
    });
}

/// The peer stops reading after the handshake, and keeps the connection
/// until the test says it is done.
fn deaf(done: std::sync::mpsc::Receiver<()>) -> impl FnOnce(Peer) + Send + 'static {
    move |mut peer| {
        peer.handshake();
        let _ = done.recv_timeout(Duration::from_secs(30));
    }
}

/// Larger than the socket's buffers.
const UNREAD: usize = 4 << 20;

#[test]
fn blocking_peer_does_not_read() {
    let options = options().timeout(Some(Duration::from_millis(500)));
    let (done, wait) = std::sync::mpsc::channel();
    let (mut client, peer) = blocking_client(&options, deaf(wait));
    let request = echo("z".repeat(UNREAD));
    let start = Instant::now();
    let error = client.execute(&request).unwrap_err();
    let Error::Io(io) = &error else {
        panic!("{error}")
    };
    assert_eq!(io.kind(), std::io::ErrorKind::TimedOut);
    assert!(start.elapsed() < Duration::from_secs(5));
    assert!(error.is_fatal(), "half a request may be written");
    done.send(()).unwrap();
    join(peer);
}

#[test]
fn async_peer_does_not_read() {
    run_async(async {
        let options = options().timeout(Some(Duration::from_millis(500)));
        let (done, wait) = std::sync::mpsc::channel();
        let (client, peer) = async_client(&options, deaf(wait)).await;
        let request = echo("z".repeat(UNREAD));
        let start = Instant::now();
        let error = client.execute(&request).await.unwrap_err();
        assert!(matches!(error, Error::Timeout), "{error}");
        let error = client.execute(&echo(1)).await.unwrap_err();
        assert!(matches!(error, Error::Timeout), "{error}");
        assert!(start.elapsed() < Duration::from_secs(5));
        assert_eq!(client.pending(), 0);
        drop(client);
        done.send(()).unwrap();
        join(peer);
    });
}

/// Nobody reads the events: at most `event_capacity` are kept.
fn event_flood(mut peer: Peer) {
    peer.handshake();
    let request = peer.request().unwrap();
    let event = r#"{"timestamp": {"seconds": 1, "microseconds": 2}, "event": "STOP"}"#;
    let flood = format!("{event}\n").repeat(5000);
    peer.write(&flood);
    peer.reply(&request, json!(1));
    peer.serve();
}

#[test]
fn blocking_unread_events_are_bounded() {
    let options = options().event_capacity(100);
    let (mut client, peer) = blocking_client(&options, event_flood);
    assert_eq!(client.execute(&echo(1)).unwrap(), 1);
    assert_eq!(client.dropped_events(), 4900);
    assert_eq!(client.take_events::<events::Event>().len(), 100);
    drop(client);
    join(peer);
}

#[test]
fn async_unread_events_are_bounded() {
    run_async(async {
        let options = options().event_capacity(100);
        let (client, peer) = async_client(&options, event_flood).await;
        assert_eq!(client.execute(&echo(1)).await.unwrap(), 1);
        let mut events = client.events::<events::Event>().unwrap();
        assert_eq!(events.dropped(), 4900);
        let mut kept = 0;
        while let Some(event) = events.try_recv() {
            event.unwrap();
            kept += 1;
        }
        assert_eq!(kept, 100);
        drop(client);
        join(peer);
    });
}

// ------------------------------------------------------------ big replies

const TEN_MB: usize = 10 << 20;

fn big_reply(mut peer: Peer) {
    peer.handshake();
    while let Some(request) = peer.request() {
        peer.reply(&request, json!("w".repeat(TEN_MB)));
    }
}

#[test]
fn blocking_ten_megabyte_reply() {
    let (mut client, peer) = blocking_client(&options(), big_reply);
    let reply = client.execute(&echo(0)).unwrap();
    assert_eq!(reply.as_str().unwrap().len(), TEN_MB);
    drop(client);
    join(peer);

    // Over the limit: an error, not a buffer growing without end.
    let (mut client, peer) = blocking_client(&options().max_message(1 << 20), big_reply);
    let error = client.execute(&echo(0)).unwrap_err();
    assert_eq!(
        error.to_string(),
        "QMP protocol error: message longer than the limit of 1048576 bytes"
    );
    drop(client);
    join(peer);
}

#[test]
fn async_ten_megabyte_reply() {
    run_async(async {
        let (client, peer) = async_client(&options(), big_reply).await;
        let reply = client.execute(&echo(0)).await.unwrap();
        assert_eq!(reply.as_str().unwrap().len(), TEN_MB);
        drop(client);
        join(peer);

        let (client, peer) = async_client(&options().max_message(1 << 20), big_reply).await;
        let error = client.execute(&echo(0)).await.unwrap_err();
        assert!(matches!(error, Error::Protocol(_)), "{error}");
        drop(client);
        join(peer);
    });
}

// ------------------------------------------------------ many in flight

const IN_FLIGHT: usize = 10_000;

/// Reads requests in one thread, answers in another (as QEMU queues its
/// output), each batch of 100 in reverse order.
fn reordering(mut peer: Peer) {
    peer.handshake();
    let (sender, receiver) = std::sync::mpsc::channel::<Value>();
    let mut writer = peer.writer.try_clone().unwrap();
    let answer = thread::spawn(move || {
        let mut batch = Vec::new();
        for request in receiver {
            batch.push(request);
            if batch.len() == 100 {
                let mut text = String::new();
                for request in batch.drain(..).rev() {
                    let reply =
                        json!({"return": request["arguments"]["value"], "id": request["id"]});
                    text += &format!("{reply}\n");
                }
                if writer.write_all(text.as_bytes()).is_err() {
                    return;
                }
            }
        }
    });
    while let Some(request) = peer.request() {
        if sender.send(request).is_err() {
            break;
        }
    }
    drop(sender);
    answer.join().unwrap();
}

#[test]
fn blocking_ten_thousand_in_flight() {
    let (mut client, peer) = blocking_client(&options(), reordering);
    let tickets: Vec<_> = (0..IN_FLIGHT)
        .map(|i| client.send(&echo(i)).unwrap())
        .collect();
    for (i, ticket) in tickets.into_iter().enumerate().rev() {
        assert_eq!(client.receive(ticket).unwrap(), i);
    }
    drop(client);
    join(peer);
}

#[test]
fn async_ten_thousand_in_flight() {
    run_async(async {
        let (client, peer) = async_client(&options(), reordering).await;
        let client = Arc::new(client);
        let calls: Vec<_> = (0..IN_FLIGHT)
            .map(|i| {
                let client = client.clone();
                tokio::spawn(async move { (i, client.execute(&echo(i)).await) })
            })
            .collect();
        for call in calls {
            let (i, result) = call.await.unwrap();
            assert_eq!(result.unwrap(), i);
        }
        assert_eq!(client.pending(), 0);
        drop(client);
        join(peer);
    });
}

// --------------------------------------------- timeouts, odd replies

/// The first reply comes late; then replies as usual.
fn late(mut peer: Peer) {
    peer.handshake();
    let request = peer.request().unwrap();
    thread::sleep(Duration::from_millis(400));
    peer.reply(&request, json!("late"));
    peer.serve();
}

#[test]
fn blocking_timeout_then_late_reply() {
    let options = options().timeout(Some(Duration::from_millis(100)));
    let (mut client, peer) = blocking_client(&options, late);
    assert!(matches!(client.execute(&echo(1)), Err(Error::Timeout)));
    thread::sleep(Duration::from_millis(400));
    assert_eq!(client.execute(&echo(2)).unwrap(), 2);
    drop(client);
    join(peer);
}

#[test]
fn async_timeout_and_cancellation() {
    run_async(async {
        let options = options().timeout(Some(Duration::from_millis(100)));
        let (client, peer) = async_client(&options, late).await;
        assert!(matches!(
            client.execute(&echo(1)).await,
            Err(Error::Timeout)
        ));
        assert_eq!(client.pending(), 0);
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert_eq!(client.execute(&echo(2)).await.unwrap(), 2);

        // A command future dropped by select! leaves nothing behind.
        let three = echo(3);
        tokio::select! {
            biased;
            _ = client.execute(&three) => {}
            _ = std::future::ready(()) => {}
        }
        assert_eq!(client.pending(), 0);
        assert_eq!(client.execute(&echo(4)).await.unwrap(), 4);
        drop(client);
        join(peer);
    });
}

/// A reply without id (QEMU could not read the request), one with an id
/// nobody sent, a reply that does not decode, an event that does not.
fn odd_replies(mut peer: Peer) {
    peer.handshake();
    let request = peer.request().unwrap();
    peer.write("{\"id\": \"someone else\", \"return\": {}}\n");
    peer.write("{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error, invalid keyword 'x'\"}}\n");
    let request2 = peer.request().unwrap();
    assert_eq!(request["execute"], "echo");
    peer.write("{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"DEVICE_TRAY_MOVED\", \"data\": {\"device\": \"\", \"id\": \"cd0\"}}\n");
    peer.write("{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"NEW_IN_QEMU_99\", \"data\": {}}\n");
    peer.reply(
        &request2,
        json!({"status": "running", "running": "yes", "singlestep": false}),
    );
    let request3 = peer.request().unwrap();
    peer.write(&format!(
        "{{\"id\": {}, \"error\": {{\"class\": \"KVMMissingCap\", \"desc\": \"no\"}}}}\n",
        request3["id"]
    ));
    peer.serve();
}

fn check_odd_errors(first: Error, second: Error, third: Error) {
    let Error::Qmp(first) = first else {
        panic!("{first}")
    };
    assert_eq!(first.desc, "JSON parse error, invalid keyword 'x'");
    let Error::Decode { what, error } = &second else {
        panic!("{second}")
    };
    assert_eq!(what, "reply to query-status");
    assert_eq!(error.path, "running");
    assert!(
        second.to_string().starts_with(
            "cannot decode the reply to query-status: running: invalid type: string \"yes\", expected a boolean"
        ),
        "{second}"
    );
    assert_eq!(third.as_qmp().unwrap().class, ErrorClass::KvmMissingCap);
}

fn check_odd_events(first: Result<events::Event, Error>, second: Result<events::Event, Error>) {
    let Err(Error::Decode { what, error }) = first else {
        panic!("{first:?}")
    };
    assert_eq!((what.as_str(), error.path.as_str()), ("event", "data"));
    assert!(
        error.to_string().contains("missing member `tray-open`"),
        "{error}"
    );
    let Ok(events::Event::Unknown { name, .. }) = second else {
        panic!("{second:?}")
    };
    assert_eq!(name, "NEW_IN_QEMU_99");
}

#[test]
fn blocking_odd_replies() {
    let (mut client, peer) = blocking_client(&options(), odd_replies);
    let first = client.execute(&echo(1)).unwrap_err();
    let second = client.execute(&commands::QueryStatus).unwrap_err();
    let third = client.execute(&echo(3)).unwrap_err();
    check_odd_errors(first, second, third);
    let mut events = client.take_events::<events::Event>().into_iter();
    check_odd_events(events.next().unwrap(), events.next().unwrap());
    drop(client);
    join(peer);
}

#[test]
fn async_odd_replies() {
    run_async(async {
        let (client, peer) = async_client(&options(), odd_replies).await;
        let mut events = client.events::<events::Event>().unwrap();
        let first = client.execute(&echo(1)).await.unwrap_err();
        let second = client.execute(&commands::QueryStatus).await.unwrap_err();
        let third = client.execute(&echo(3)).await.unwrap_err();
        check_odd_errors(first, second, third);
        check_odd_events(events.recv().await.unwrap(), events.recv().await.unwrap());
        drop(client);
        join(peer);
    });
}

// ------------------------------------------------------------------ TCP

#[test]
fn blocking_over_tcp() {
    let (address, peer) = tcp_peer();
    let mut client = blocking::Client::connect_tcp(address, &options()).unwrap();
    assert_eq!(client.greeting().version.qemu.to_string(), "10.0.2");
    assert_eq!(client.execute(&echo("tcp")).unwrap(), "tcp");
    drop(client);
    join(peer);
}

#[test]
fn async_over_tcp() {
    run_async(async {
        let (address, peer) = tcp_peer();
        let client = AsyncClient::connect_tcp(address, &options()).await.unwrap();
        assert_eq!(client.execute(&echo("tcp")).await.unwrap(), "tcp");
        drop(client);
        join(peer);
    });
}

// ------------------------------------------- a peer without a greeting

/// QEMU's guest agent: no greeting, no negotiation, commands at once.
fn guest_agent_like(mut peer: Peer) {
    peer.serve();
}

#[test]
fn blocking_peer_without_greeting() {
    let options = options().greeting(false).negotiate(false);
    let (mut client, peer) = blocking_client(&options, guest_agent_like);
    assert_eq!(client.greeting(), &Default::default());
    assert_eq!(client.execute(&echo(7)).unwrap(), json!(7));
    drop(client);
    join(peer);
}

#[test]
fn async_peer_without_greeting() {
    run_async(async {
        let options = options().greeting(false).negotiate(false);
        let (client, peer) = async_client(&options, guest_agent_like).await;
        assert_eq!(client.greeting(), &Default::default());
        assert_eq!(client.execute(&echo("x")).await.unwrap(), json!("x"));
        drop(client);
        join(peer);
    });
}

/// Not waiting for the greeting of a server that sends one is harmless.
#[test]
fn blocking_greeting_not_awaited_but_sent() {
    let options = options().greeting(false).negotiate(false);
    let (mut client, peer) = blocking_client(&options, |mut peer| {
        peer.write(&format!("{GREETING}\r\n"));
        peer.serve();
    });
    assert_eq!(client.execute(&echo(1)).unwrap(), json!(1));
    assert_eq!(client.greeting().version.qemu.major, 10);
    drop(client);
    join(peer);
}

// -------------------------------------------- decode errors in replies

/// A list reply whose second element does not decode: the error names it.
fn bad_second_cpu(mut peer: Peer) {
    peer.handshake();
    while let Some(request) = peer.request() {
        let cpu = |priority: i64| json!({"cpu-index": 0, "thread-id": 1, "halted": false, "priority": priority});
        peer.reply(&request, json!([cpu(0), cpu(300)]));
    }
}

#[test]
#[allow(deprecated)] // query-cpus, a demo command returning a list
fn list_reply_decode_error_names_the_element() {
    let (mut client, peer) = blocking_client(&options(), bad_second_cpu);
    let error = client.execute(&commands::QueryCpus).unwrap_err();
    let Error::Decode { error, .. } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(error.path, "[1].priority", "{error}");
    drop(client);
    join(peer);
}
