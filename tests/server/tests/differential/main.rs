//! Differential test against a live QEMU 10.0.2: requests generated from
//! QEMU's schema (as the server's tables have it: 10.0.2 x86-64's
//! conditions) for every command, valid and broken, go to QEMU and to the
//! server generated from the same schema; both must refuse a request with
//! the same error class and description, or both get past argument
//! checking.
//!
//! QEMU got past argument checking when it answers anything but one of
//! the argument errors of its input visitor (`qobject-input-visitor.c`,
//! `qapi-visit-core.c`): a member missing, unexpected, of the wrong type,
//! out of range, not in its enum.  Our server got past when its handler
//! ran: the test's handler implements no method, so it answers QEMU's
//! "command not found" for a command of the schema, a reply the
//! dispatcher never gives such a command by itself (or the dispatcher's
//! own answer for the descriptor commands and `qmp_capabilities`).
//! Anything else from our server (a decoding error) is a difference.
//!
//! `QAPI_DIFF_SEED` (default: from the clock, printed) makes the run
//! repeatable; `QAPI_DIFF_SECONDS` (default 60) bounds it.  What may be
//! sent is in `safety.rs`.  A QEMU that dies or hangs is replaced and
//! counted.  The report (requests, commands covered, differences by cause)
//! is printed and written to `differential-report.txt` in the test's
//! temporary directory.
#![cfg(qapi_shared)]

mod requests;
mod safety;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use qapi_qmp_tests::Qemu;
use qapi_server_tests::qemu::server;
use qapi_types::qmp::server::schema::Schema;
use qapi_types::qmp::server::{CompatPolicy, JsonStreamer, Session};
use serde_json::Value;

use requests::{Fault, Generator};

/// A handler that implements no command: reaching it is the marker.
struct Marker;

impl server::Handler for Marker {}

/// QEMU, and a raw connection to it.
struct LiveQemu {
    /// Dropping it kills QEMU.
    qemu: Qemu,
    reader: BufReader<UnixStream>,
    writer: UnixStream,
}

// Long enough for any command of an idle QEMU; a QEMU that takes longer
// is stuck (it happens: `announce-self` with huge timings) and replaced.
const REPLY_TIMEOUT: Duration = Duration::from_secs(5);

impl LiveQemu {
    fn start(jail: &Path) -> LiveQemu {
        let mut args = vec![
            "-sandbox".to_string(),
            "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny".to_string(),
        ];
        if running_as_root() {
            args.push("-run-with".to_string());
            args.push(format!("chroot={}", jail.display()));
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let qemu = Qemu::start_with(&args);
        let stream = UnixStream::connect(qemu.socket()).expect("connecting to QEMU");
        stream.set_read_timeout(Some(REPLY_TIMEOUT)).unwrap();
        let mut live = LiveQemu {
            qemu,
            writer: stream.try_clone().unwrap(),
            reader: BufReader::new(stream),
        };
        let mut greeting = String::new();
        live.reader
            .read_line(&mut greeting)
            .expect("QEMU's greeting");
        let negotiated = live.exchange(r#"{"execute": "qmp_capabilities", "id": 0}"#, 0);
        assert!(negotiated.is_ok(), "QEMU did not negotiate: {negotiated:?}");
        live
    }

    /// How QEMU ended and the end of its stderr, for the report.
    fn last_words(&mut self) -> String {
        // A QEMU that closed the connection is exiting: give it a moment.
        std::thread::sleep(Duration::from_millis(100));
        let status = match self.qemu.exit_status() {
            Some(status) => format!("QEMU {status}"),
            None => "QEMU still running".to_string(),
        };
        let log = std::fs::read_to_string(self.qemu.dir().join("stderr.log")).unwrap_or_default();
        let start = log.len().saturating_sub(400);
        let start = (start..log.len())
            .find(|&i| log.is_char_boundary(i))
            .unwrap_or(log.len());
        format!(
            "{status}, stderr: {}",
            log[start..].trim().replace('\n', " | ")
        )
    }

    /// Send `request` (with id `id`); the reply, or why there is none.
    fn exchange(&mut self, request: &str, id: u64) -> Result<Value, String> {
        self.writer
            .write_all(format!("{request}\n").as_bytes())
            .map_err(|e| format!("writing: {e}"))?;
        loop {
            let mut line = String::new();
            match self.reader.read_line(&mut line) {
                Ok(0) => return Err("connection closed".to_string()),
                Ok(_) => {}
                Err(e) => return Err(format!("reading: {e}")),
            }
            let reply: Value = serde_json::from_str(&line).map_err(|e| format!("{e}: {line}"))?;
            // One request at a time: the reply is the first message that
            // is not an event (a parse error has no id).
            if reply.get("event").is_none() {
                return match reply.get("id") {
                    None => Ok(reply),
                    Some(got) if got.as_u64() == Some(id) => Ok(reply),
                    Some(got) => Err(format!("a reply with id {got}, not {id}")),
                };
            }
        }
    }
}

fn running_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let uid = status.lines().find(|l| l.starts_with("Uid:"))?;
            Some(uid.split_whitespace().nth(2)? == "0")
        })
        .unwrap_or(false)
}

/// What a side did with a request.
#[derive(Clone, Debug, PartialEq)]
enum Outcome {
    /// Got past argument checking.
    Past,
    /// Refused by argument checking, with this description.
    Refused(String),
    /// Our server failed otherwise (decoding).
    Failed(String),
}

/// QEMU's input-visitor errors (all `GenericError`).
fn argument_error(desc: &str) -> bool {
    const RANGES: [&str; 8] = [
        "int8_t", "int16_t", "int32_t", "uint8_t", "uint16_t", "uint32_t", "uint64", "size",
    ];
    if desc.starts_with("Invalid parameter type for '") {
        return true;
    }
    let Some(rest) = desc.strip_prefix("Parameter '") else {
        return false;
    };
    rest.ends_with("' is missing")
        || rest.ends_with("' is unexpected")
        || rest.contains("' does not accept value '")
        || RANGES
            .iter()
            .any(|t| rest.ends_with(&format!("' expects {t}")))
}

fn error_of(reply: &Value) -> Option<(&str, &str)> {
    let error = reply.get("error")?;
    Some((error.get("class")?.as_str()?, error.get("desc")?.as_str()?))
}

fn qemu_outcome(reply: &Value) -> Outcome {
    match error_of(reply) {
        Some(("GenericError", desc)) if argument_error(desc) => Outcome::Refused(desc.to_string()),
        _ => Outcome::Past,
    }
}

/// Commands the dispatcher answers itself.
const DISPATCHER_COMMANDS: [&str; 7] = [
    "qmp_capabilities",
    "query-qmp-schema",
    "getfd",
    "closefd",
    "add-fd",
    "remove-fd",
    "query-fdsets",
];

fn our_outcome(reply: &Value, command: &str) -> Outcome {
    let marker = format!("The command {command} has not been found");
    match error_of(reply) {
        None => Outcome::Past,
        Some(("CommandNotFound", desc)) if desc == marker => Outcome::Past,
        Some(("GenericError", desc)) if argument_error(desc) => Outcome::Refused(desc.to_string()),
        Some(_) if DISPATCHER_COMMANDS.contains(&command) => Outcome::Past,
        Some((class, desc)) => Outcome::Failed(format!("{class}: {desc}")),
    }
}

struct Difference {
    command: String,
    request: String,
    qemu: Value,
    ours: Value,
    branch_first: bool,
}

impl Difference {
    /// Why the two sides disagree, as a heading of the report.
    fn cause(&self) -> String {
        let qemu = qemu_outcome(&self.qemu);
        let ours = our_outcome(&self.ours, &self.command);
        match (&qemu, &ours) {
            (_, Outcome::Failed(_)) if self.branch_first => {
                "our decoding fails (union branch members before the discriminator)".to_string()
            }
            (_, Outcome::Failed(_)) => "our decoding fails".to_string(),
            (Outcome::Past, Outcome::Refused(_)) => {
                "our argument checking refuses what QEMU takes".to_string()
            }
            (Outcome::Refused(_), Outcome::Past) => {
                "QEMU refuses what our argument checking takes".to_string()
            }
            _ => "different argument errors".to_string(),
        }
    }
}

fn env_number(name: &str) -> Option<u64> {
    let text = std::env::var(name).ok()?;
    Some(
        text.parse()
            .unwrap_or_else(|_| panic!("{name}={text} is not a number")),
    )
}

#[test]
fn requests_get_the_same_answers_from_qemu_and_the_generated_server() {
    let seed = env_number("QAPI_DIFF_SEED").unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
    });
    let seconds = env_number("QAPI_DIFF_SECONDS").unwrap_or(60);
    eprintln!("differential: QAPI_DIFF_SEED={seed} QAPI_DIFF_SECONDS={seconds}");
    let schema: &'static Schema = &server::SCHEMA;

    let ours = server::dispatcher(Arc::new(Marker), CompatPolicy::default());
    let mut session = Session::new(true);
    let mut streamer = JsonStreamer::default();
    let negotiated = ours.handle_blocking(
        &mut session,
        &mut streamer,
        b"{\"execute\": \"qmp_capabilities\"}\n",
    );
    assert_eq!(negotiated, ["{\"return\": {}}"]);

    let jail = std::env::temp_dir().join(format!("qapi-differential-{}", std::process::id()));
    std::fs::create_dir_all(&jail).unwrap();
    let mut qemu = LiveQemu::start(&jail);
    let mut restarts = Vec::new();

    let mut commands: Vec<&str> = Vec::new();
    let mut never = BTreeMap::new();
    let mut only_invalid = BTreeMap::new();
    for command in schema.commands {
        if let Some(why) = safety::never(schema, command.name) {
            never.insert(command.name, why);
            continue;
        }
        if let Some(why) = safety::only_invalid(schema, command.name) {
            only_invalid.insert(command.name, why);
        }
        commands.push(command.name);
    }

    let mut generator = Generator::new(schema, seed);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut sent = 0u64;
    let mut agreed_refused = 0u64;
    let mut agreed_past = 0u64;
    let mut covered = BTreeSet::new();
    let mut faults: BTreeMap<String, u64> = BTreeMap::new();
    let mut differences: Vec<Difference> = Vec::new();
    let mut order = commands.clone();
    let mut next = order.len();
    while Instant::now() < deadline {
        // Every command in turn, in a new order each round.
        if next == order.len() {
            generator.rng.shuffle(&mut order);
            next = 0;
        }
        let command = order[next];
        next += 1;
        let info = schema.commands.iter().find(|c| c.name == command).unwrap();
        let must_fail = only_invalid.contains_key(command);
        let arguments = generator.arguments(info.args, must_fail);
        sent += 1;
        let id = sent;
        let text = arguments.value.to_json_in_order();
        let request =
            format!("{{\"execute\": \"{command}\", \"arguments\": {text}, \"id\": {id}}}");
        let fault = match (arguments.fault, arguments.placed) {
            (Fault::None, _) | (_, false) if !must_fail => "valid".to_string(),
            (fault, _) => format!("{fault:?}"),
        };
        *faults.entry(fault).or_default() += 1;

        let qemu_reply = match qemu.exchange(&request, id) {
            Ok(reply) => reply,
            Err(why) => {
                let last_words = qemu.last_words();
                restarts.push(format!("{command}: {why}: {request}; {last_words}"));
                drop(qemu);
                qemu = LiveQemu::start(&jail);
                continue;
            }
        };
        let replies = ours.handle_blocking(
            &mut session,
            &mut streamer,
            format!("{request}\n").as_bytes(),
        );
        let our_reply: Value = match replies.as_slice() {
            [reply] => serde_json::from_str(reply).unwrap_or(Value::Null),
            _ => Value::Null,
        };
        covered.insert(command);

        if error_of(&qemu_reply).is_some() && error_of(&qemu_reply) == error_of(&our_reply) {
            agreed_refused += 1;
            continue;
        }
        match (qemu_outcome(&qemu_reply), our_outcome(&our_reply, command)) {
            (Outcome::Past, Outcome::Past) => agreed_past += 1,
            _ => differences.push(Difference {
                command: command.to_string(),
                request,
                qemu: qemu_reply,
                ours: our_reply,
                branch_first: arguments.branch_first,
            }),
        }
    }
    drop(qemu);
    let _ = std::fs::remove_dir_all(&jail);

    let mut report = String::new();
    let mut line = |text: String| {
        report.push_str(&text);
        report.push('\n');
    };
    line(format!(
        "seed {seed}, {seconds} s: {sent} requests ({}), QEMU restarted {} times",
        faults
            .iter()
            .map(|(fault, count)| format!("{fault} {count}"))
            .collect::<Vec<_>>()
            .join(", "),
        restarts.len()
    ));
    line(format!(
        "commands covered: {} of {} ({} sent only with an unexpected member; never sent: {})",
        covered.len(),
        schema.commands.len(),
        only_invalid.len(),
        never
            .iter()
            .map(|(c, why)| format!("{c} ({why})"))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    line(format!(
        "agreed: {agreed_refused} with the same error, {agreed_past} past argument checking on both sides"
    ));
    for restart in &restarts {
        line(format!("QEMU restarted after {restart}"));
    }
    let mut by_cause: BTreeMap<String, Vec<&Difference>> = BTreeMap::new();
    for difference in &differences {
        by_cause
            .entry(difference.cause())
            .or_default()
            .push(difference);
    }
    line(format!("differences: {}", differences.len()));
    for (cause, list) in &by_cause {
        let commands: BTreeSet<&str> = list.iter().map(|d| d.command.as_str()).collect();
        line(format!(
            "  {} x {cause} (commands: {})",
            list.len(),
            commands.into_iter().collect::<Vec<_>>().join(", ")
        ));
        for difference in list.iter().take(3) {
            line(format!("    request: {}", difference.request));
            line(format!("    QEMU:    {}", difference.qemu));
            line(format!("    ours:    {}", difference.ours));
        }
    }
    eprintln!("{report}");
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let _ = std::fs::write(dir.join("differential-report.txt"), &report);

    assert!(sent > 0, "no request was sent");
    assert!(
        covered.len() == commands.len() || seconds < 10,
        "only {} of {} commands were covered in {seconds} s",
        covered.len(),
        commands.len()
    );
    assert!(
        differences.is_empty(),
        "{} differences between QEMU and our server (see the report above)",
        differences.len()
    );
}
