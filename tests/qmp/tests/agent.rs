//! The guest agent clients against a fake agent: stale output before the
//! first sync, garbage or silence in the middle of a command (the command
//! fails, the next one resynchronises, nothing hangs), a sync answered with
//! the wrong id, a command declared `'success-response': false` (as
//! `guest-shutdown`: never sent to a real agent) not waited for, a program
//! that does not exit.

mod common;

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::sync::mpsc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use qapi_types::qmp::agent::Exec;
use qapi_types::qmp::blocking::Agent;
use qapi_types::qmp::tokio::Agent as AsyncAgent;
use qapi_types::qmp::{Error, Framer, Options};
use qapi_types::Command;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use common::{echo, join, run_async};

/// A command like `guest-shutdown`: no reply on success.
#[derive(Serialize, Deserialize, Debug)]
struct Shutdown {}

impl Command for Shutdown {
    const NAME: &'static str = "guest-shutdown";
    type Returns = qapi_types::Empty;
    const SUCCESS_RESPONSE: bool = false;
}

/// The agent's end: reads requests as qemu-ga does (a `0xFF` byte drops
/// what its parser holds) and tells the test what it saw.
struct FakeAgent {
    socket: UnixStream,
    framer: Framer,
    seen: mpsc::Sender<String>,
}

impl FakeAgent {
    /// The next request; `None` when the client is gone.
    fn request(&mut self) -> Option<Value> {
        loop {
            if let Some(message) = self.framer.next_message().unwrap() {
                let request: Value = serde_json::from_slice(message).unwrap();
                let _ = self
                    .seen
                    .send(request["execute"].as_str().unwrap().to_string());
                return Some(request);
            }
            let mut chunk = [0u8; 4096];
            let count = self.socket.read(&mut chunk).ok().filter(|&n| n > 0)?;
            if chunk[..count].contains(&0xFF) {
                self.framer.resync(0xFF);
            }
            self.framer.push(&chunk[..count]);
        }
    }

    fn write(&mut self, bytes: &[u8]) {
        let _ = self.socket.write_all(bytes);
    }

    fn reply(&mut self, request: &Value, value: Value) {
        let reply = json!({"return": value, "id": request["id"]});
        self.write(format!("{reply}\n").as_bytes());
    }

    /// `0xFF`, then the reply to `guest-sync-delimited`.
    fn sync(&mut self, request: &Value) {
        assert_eq!(request["execute"], "guest-sync-delimited", "{request}");
        self.write(&[0xFF]);
        self.reply(request, request["arguments"]["id"].clone());
    }

    /// The agent at work: syncs, `echo`, `guest-shutdown` (no reply),
    /// `guest-exec` of a program that never exits.
    fn serve(&mut self) {
        while let Some(request) = self.request() {
            match request["execute"].as_str() {
                Some("guest-sync-delimited") => self.sync(&request),
                Some("guest-shutdown") => {}
                Some("guest-exec") => self.reply(&request, json!({"pid": 42})),
                Some("guest-exec-status") => self.reply(&request, json!({"exited": false})),
                _ => self.reply(&request, request["arguments"]["value"].clone()),
            }
        }
    }
}

/// A connected pair: the client's end, the fake agent running `script`,
/// and the names of the commands it receives.
fn fake_agent(
    script: impl FnOnce(FakeAgent) + Send + 'static,
) -> (UnixStream, JoinHandle<()>, mpsc::Receiver<String>) {
    let (client, server) = UnixStream::pair().unwrap();
    server
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let (seen, commands) = mpsc::channel();
    let fake = FakeAgent {
        socket: server,
        framer: Framer::new(1 << 20),
        seen,
    };
    (client, thread::spawn(move || script(fake)), commands)
}

fn options() -> Options {
    Options::new().timeout(Some(Duration::from_millis(300)))
}

async fn async_agent(stream: UnixStream) -> Result<AsyncAgent, Error> {
    stream.set_nonblocking(true).unwrap();
    let stream = tokio::net::UnixStream::from_std(stream).unwrap();
    AsyncAgent::new(stream, &options()).await
}

fn received(commands: &mpsc::Receiver<String>) -> Vec<String> {
    commands.try_iter().collect()
}

/// Stale output of an earlier client before the first sync's `0xFF`: a
/// reply, bytes that are not JSON, half a reply.
fn stale_output(mut fake: FakeAgent) {
    let request = fake.request().unwrap();
    fake.write(b"{\"return\": {}, \"id\": 1}\n\x01\x02garbage}}{\"return\": ");
    fake.sync(&request);
    fake.serve();
}

#[test]
fn blocking_sync_drops_stale_output() {
    let (stream, fake, _) = fake_agent(stale_output);
    let mut agent = Agent::new(stream, &options()).unwrap();
    assert!(agent.is_synced());
    assert_eq!(agent.execute(&echo(7)).unwrap(), 7);
    drop(agent);
    join(fake);
}

#[test]
fn async_sync_drops_stale_output() {
    run_async(async {
        let (stream, fake, _) = fake_agent(stale_output);
        let agent = async_agent(stream).await.unwrap();
        assert_eq!(agent.execute(&echo(7)).await.unwrap(), 7);
        drop(agent);
        join(fake);
    });
}

/// Garbage for the first command's reply.
fn garbage_reply(mut fake: FakeAgent) {
    let request = fake.request().unwrap();
    fake.sync(&request);
    let _first = fake.request().unwrap();
    fake.write(b"}}\x01 not json {\"return\": 1");
    fake.serve();
}

#[test]
fn blocking_garbage_mid_command_then_resync() {
    let (stream, fake, commands) = fake_agent(garbage_reply);
    let mut agent = Agent::new(stream, &options()).unwrap();
    let error = agent.execute(&echo(1)).unwrap_err();
    let Error::Protocol(message) = &error else {
        panic!("{error}")
    };
    assert!(
        message.contains("unexpected `}` between messages"),
        "{message}"
    );
    assert!(!agent.is_synced());
    assert_eq!(agent.execute(&echo(2)).unwrap(), 2);
    assert!(agent.is_synced());
    drop(agent);
    join(fake);
    assert_eq!(
        received(&commands),
        [
            "guest-sync-delimited",
            "echo",
            "guest-sync-delimited",
            "echo"
        ]
    );
}

#[test]
fn async_garbage_mid_command_then_resync() {
    run_async(async {
        let (stream, fake, commands) = fake_agent(garbage_reply);
        let agent = async_agent(stream).await.unwrap();
        let error = agent.execute(&echo(1)).await.unwrap_err();
        assert!(matches!(error, Error::Protocol(_)), "{error}");
        assert_eq!(agent.execute(&echo(2)).await.unwrap(), 2);
        assert_eq!(agent.execute(&echo(3)).await.unwrap(), 3);
        drop(agent);
        join(fake);
        assert_eq!(
            received(&commands),
            [
                "guest-sync-delimited",
                "echo",
                "guest-sync-delimited",
                "echo",
                "echo"
            ]
        );
    });
}

/// Silence for the first command, then its reply, late.
fn silent_then_late(mut fake: FakeAgent) {
    let request = fake.request().unwrap();
    fake.sync(&request);
    let first = fake.request().unwrap();
    thread::sleep(Duration::from_millis(600));
    fake.reply(&first, json!("late"));
    fake.serve();
}

#[test]
fn blocking_silence_mid_command_then_resync() {
    let (stream, fake, _) = fake_agent(silent_then_late);
    let mut agent = Agent::new(stream, &options()).unwrap();
    let started = Instant::now();
    let error = agent.execute(&echo(1)).unwrap_err();
    assert!(matches!(error, Error::Timeout), "{error}");
    assert!(started.elapsed() < Duration::from_secs(2));
    // Once the late reply is out, the sync (with the same timeout) is
    // answered in time; the late reply comes before its 0xFF, dropped.
    thread::sleep(Duration::from_millis(300));
    assert_eq!(agent.execute(&echo(2)).unwrap(), 2);
    drop(agent);
    join(fake);
}

#[test]
fn async_silence_mid_command_then_resync() {
    run_async(async {
        let (stream, fake, _) = fake_agent(silent_then_late);
        let agent = async_agent(stream).await.unwrap();
        let error = agent.execute(&echo(1)).await.unwrap_err();
        assert!(matches!(error, Error::Timeout), "{error}");
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(agent.execute(&echo(2)).await.unwrap(), 2);
        drop(agent);
        join(fake);
    });
}

/// An agent that never answers: connecting fails at the timeout.
#[test]
fn silent_agent() {
    let (done, wait) = mpsc::channel::<()>();
    let (stream, fake, _) = fake_agent(move |mut fake| {
        fake.request();
        let _ = wait.recv_timeout(Duration::from_secs(20));
    });
    let started = Instant::now();
    let error = Agent::new(stream, &options()).unwrap_err();
    assert!(matches!(error, Error::Timeout), "{error}");
    assert!(started.elapsed() < Duration::from_secs(2));
    done.send(()).unwrap();
    join(fake);

    let (done, wait) = mpsc::channel::<()>();
    let (stream, fake, _) = fake_agent(move |mut fake| {
        fake.request();
        let _ = wait.recv_timeout(Duration::from_secs(20));
    });
    run_async(async move {
        let error = async_agent(stream).await.unwrap_err();
        assert!(matches!(error, Error::Timeout), "{error}");
    });
    done.send(()).unwrap();
    join(fake);
}

/// A sync answered with another id: the stream is not trusted.
#[test]
fn sync_with_the_wrong_id() {
    let (stream, fake, _) = fake_agent(|mut fake| {
        let request = fake.request().unwrap();
        fake.write(&[0xFF]);
        fake.reply(&request, json!(12345));
    });
    let error = Agent::new(stream, &options()).unwrap_err();
    let Error::Protocol(message) = &error else {
        panic!("{error}")
    };
    assert!(
        message.starts_with("guest-sync-delimited returned 12345 for id "),
        "{message}"
    );
    join(fake);
}

/// `guest-shutdown` is sent and not waited for; the agent goes on.
fn shutdown_then_echo(mut fake: FakeAgent) {
    fake.serve();
}

#[test]
fn blocking_no_response_command_is_not_waited_for() {
    let (stream, fake, commands) = fake_agent(shutdown_then_echo);
    let mut agent = Agent::new(stream, &options().timeout(Some(Duration::from_secs(10)))).unwrap();
    let started = Instant::now();
    agent.execute(&Shutdown {}).unwrap();
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(agent.execute(&echo(1)).unwrap(), 1);
    drop(agent);
    join(fake);
    assert_eq!(
        received(&commands),
        ["guest-sync-delimited", "guest-shutdown", "echo"]
    );
}

#[test]
fn async_no_response_command_is_not_waited_for() {
    run_async(async {
        let (stream, fake, commands) = fake_agent(shutdown_then_echo);
        stream.set_nonblocking(true).unwrap();
        let stream = tokio::net::UnixStream::from_std(stream).unwrap();
        let options = options().timeout(Some(Duration::from_secs(10)));
        let agent = AsyncAgent::new(stream, &options).await.unwrap();
        let started = Instant::now();
        agent.execute(&Shutdown {}).await.unwrap();
        assert!(started.elapsed() < Duration::from_secs(1));
        assert_eq!(agent.execute(&echo(1)).await.unwrap(), 1);
        drop(agent);
        join(fake);
        assert_eq!(
            received(&commands),
            ["guest-sync-delimited", "guest-shutdown", "echo"]
        );
    });
}

/// A program that does not exit: the wait ends at its timeout.
#[test]
fn exec_that_does_not_exit() {
    let (stream, fake, _) = fake_agent(shutdown_then_echo);
    let mut agent = Agent::new(stream, &options()).unwrap();
    let exec = Exec::new("sleep").arg("1000");
    let error = agent.exec(&exec, Duration::from_millis(300)).unwrap_err();
    assert_eq!(
        error.to_string(),
        "no exit of sleep (pid 42 in the guest) within 0.3 s"
    );
    assert!(agent.is_synced());
    drop(agent);
    join(fake);

    let (stream, fake, _) = fake_agent(shutdown_then_echo);
    run_async(async move {
        let agent = async_agent(stream).await.unwrap();
        let error = agent
            .exec(&exec, Duration::from_millis(300))
            .await
            .unwrap_err();
        assert!(matches!(error, Error::WaitTimeout { .. }), "{error}");
    });
    join(fake);
}

/// An agent that never listens: connecting gives up at the deadline with
/// the last error.
#[test]
fn retry_gives_up_on_an_agent_that_never_listens() {
    let dir = std::env::temp_dir().join(format!("qapi-agent-dead-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("qga.sock");
    drop(std::os::unix::net::UnixListener::bind(&path).unwrap());
    let options = options().connect_retry(Some(Duration::from_millis(300)));
    let check = |error: Error, started: Instant| {
        let Error::NotReady { attempts, last, .. } = &error else {
            panic!("{error}")
        };
        assert!(*attempts > 2, "{attempts}");
        assert!(last.to_string().contains("Connection refused"), "{last}");
        assert!(started.elapsed() < Duration::from_secs(2));
    };
    let started = Instant::now();
    check(Agent::connect_unix(&path, &options).unwrap_err(), started);
    run_async(async {
        let started = Instant::now();
        check(
            AsyncAgent::connect_unix(&path, &options).await.unwrap_err(),
            started,
        );
    });
    let _ = std::fs::remove_dir_all(&dir);
}
