//! QEMU's guest agent (`qemu-ga`): its protocol, and what both agent
//! clients share.
//!
//! The agent speaks QMP's messages without its session: no greeting, no
//! `qmp_capabilities`, commands at once.  Its stream can be left dirty (a
//! reply to a request of a client that gave up, half a request of one that
//! died, a reply cut by a timeout), so a client synchronises first:
//! it sends the byte `0xFF` (the agent's parser drops what it holds) and
//! `guest-sync-delimited` with a fresh id; the agent answers `0xFF`
//! then `{"return": ID}`.  Everything before that `0xFF` is stale and
//! dropped; the reply must carry the id sent.
//!
//! The agents, [`qmp::blocking::Agent`](crate::qmp::blocking::Agent) and
//! `qmp::tokio::Agent`, synchronise when they connect, and again before the
//! next command after a timeout or garbage on the stream (the command that
//! met them fails with [`Error::Timeout`] or [`Error::Protocol`]; it is
//! not retried, since the agent may have run it).  Commands are typed by
//! bindings of QEMU's guest agent schema (`qga/qapi-schema.json`); a
//! command declared `'success-response': false` (`guest-shutdown`,
//! `guest-suspend-*`) is sent and not waited for.  [`Exec`] and the file
//! helpers (`read_file`, `write_file`) do what takes several commands:
//! run a program to its exit with its output decoded, move a file's bytes.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::time::Duration;

use serde::de::Error as _;
use serde_json::{json, Map, Value};

use super::Error;
use crate::PathError;

pub(crate) mod blocking;
#[cfg(feature = "tokio")]
pub(crate) mod tokio;

/// The byte the client sends before `guest-sync-delimited`, and the agent
/// before its reply to it.
pub(crate) const SENTINEL: u8 = 0xFF;
pub(crate) const SYNC: &str = "guest-sync-delimited";

/// The largest piece of a file read or written per command: the agent's
/// replies stay far below its 64 MiB message limit once in base64.
const FILE_CHUNK: usize = 1 << 20;

/// A fresh id for `guest-sync-delimited`: not one an earlier client or
/// sync used, so a stale reply cannot pass for this one.  The agent takes
/// an `int`; kept below 2^31 for agents that store it in 32 bits.
pub(crate) fn sync_id() -> i64 {
    i64::from(RandomState::new().hash_one(std::time::Instant::now()) as u32 >> 1)
}

pub(crate) fn sync_arguments(id: i64) -> Value {
    json!({ "id": id })
}

/// Check the reply to `guest-sync-delimited`: it returns the id sent.
pub(crate) fn check_sync(reply: &str, id: i64) -> Result<(), Error> {
    let returned: Value = parse(SYNC, reply)?;
    if returned != id {
        return Err(Error::Protocol(
            format!("{SYNC} returned {returned} for id {id}: the stream is out of sync").into(),
        ));
    }
    Ok(())
}

/// A program for the agent to run (`guest-exec`), with its output
/// captured.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Exec {
    /// The program; the agent searches `PATH` for a bare name.
    pub path: String,
    /// Its arguments (without the program's name).
    pub args: Vec<String>,
    /// `NAME=VALUE` entries for its environment.
    pub env: Vec<String>,
    /// Its standard input.
    pub input: Option<Vec<u8>>,
}

impl Exec {
    /// Run the program `path` with no arguments, the agent's environment
    /// and no input.
    pub fn new(path: impl Into<String>) -> Exec {
        Exec {
            path: path.into(),
            args: Vec::new(),
            env: Vec::new(),
            input: None,
        }
    }

    /// Add an argument.
    pub fn arg(mut self, arg: impl Into<String>) -> Exec {
        self.args.push(arg.into());
        self
    }

    /// Add arguments.
    pub fn args<I: IntoIterator<Item = T>, T: Into<String>>(mut self, args: I) -> Exec {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Set `name` to `value` in the program's environment.
    pub fn env(mut self, name: &str, value: &str) -> Exec {
        self.env.push(format!("{name}={value}"));
        self
    }

    /// Write `bytes` to its standard input.
    pub fn input(mut self, bytes: impl Into<Vec<u8>>) -> Exec {
        self.input = Some(bytes.into());
        self
    }

    pub(crate) fn arguments(&self) -> Value {
        let mut arguments = json!({
            "path": self.path,
            "arg": self.args,
            "capture-output": true,
        });
        if !self.env.is_empty() {
            arguments["env"] = json!(self.env);
        }
        if let Some(input) = &self.input {
            arguments["input-data"] = json!(base64::encode(input));
        }
        arguments
    }
}

/// How a program run by the agent ended, and what it wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExecOutput {
    /// The process id in the guest.
    pub pid: i64,
    /// Its exit status, when it exited.
    pub exit_code: Option<i64>,
    /// The signal that ended it, when one did.
    pub signal: Option<i64>,
    /// What it wrote to its standard output.
    pub stdout: Vec<u8>,
    /// What it wrote to its standard error.
    pub stderr: Vec<u8>,
    /// The agent kept only the start of the standard output (16 MiB).
    pub stdout_truncated: bool,
    /// The agent kept only the start of the standard error (16 MiB).
    pub stderr_truncated: bool,
}

impl ExecOutput {
    /// It exited with status 0.
    pub fn success(&self) -> bool {
        self.exit_code == Some(0)
    }
}

pub(crate) const EXEC: &str = "guest-exec";
pub(crate) const EXEC_STATUS: &str = "guest-exec-status";

/// The pid in the reply to `guest-exec`.
pub(crate) fn exec_pid(reply: &str) -> Result<i64, Error> {
    Members::parse(EXEC, reply)?.int("pid")
}

pub(crate) fn pid_arguments(pid: i64) -> Value {
    json!({ "pid": pid })
}

/// The reply to `guest-exec-status`: the output once the process exited.
pub(crate) fn exec_status(pid: i64, reply: &str) -> Result<Option<ExecOutput>, Error> {
    let status = Members::parse(EXEC_STATUS, reply)?;
    if !status.bool("exited")? {
        return Ok(None);
    }
    Ok(Some(ExecOutput {
        pid,
        exit_code: status.optional_int("exitcode")?,
        signal: status.optional_int("signal")?,
        stdout: status.optional_bytes("out-data")?.unwrap_or_default(),
        stderr: status.optional_bytes("err-data")?.unwrap_or_default(),
        stdout_truncated: status.optional_bool("out-truncated")?.unwrap_or(false),
        stderr_truncated: status.optional_bool("err-truncated")?.unwrap_or(false),
    }))
}

/// Pauses between `guest-exec-status` polls: short at first (`echo` is
/// done in milliseconds), then longer.
pub(crate) struct Polls {
    next: Duration,
}

impl Polls {
    pub(crate) fn new() -> Polls {
        Polls {
            next: Duration::from_millis(5),
        }
    }

    pub(crate) fn next_pause(&mut self) -> Duration {
        let pause = self.next;
        self.next = (self.next * 2).min(Duration::from_millis(200));
        pause
    }
}

/// What `guest-exec` waits for, in errors.
pub(crate) fn exec_wait(exec: &Exec, pid: i64) -> String {
    format!("exit of {} (pid {pid} in the guest)", exec.path)
}

// ------------------------------------------------------------------ files

pub(crate) const FILE_OPEN: &str = "guest-file-open";
pub(crate) const FILE_READ: &str = "guest-file-read";
pub(crate) const FILE_WRITE: &str = "guest-file-write";
pub(crate) const FILE_CLOSE: &str = "guest-file-close";

pub(crate) fn open_arguments(path: &str, mode: &str) -> Value {
    json!({ "path": path, "mode": mode })
}

/// The handle `guest-file-open` returns.
pub(crate) fn file_handle(reply: &str) -> Result<i64, Error> {
    parse::<Value>(FILE_OPEN, reply)?.as_i64().ok_or_else(|| {
        decode_error(
            FILE_OPEN,
            "",
            format!("expected an integer handle, got {reply}"),
        )
    })
}

pub(crate) fn handle_arguments(handle: i64) -> Value {
    json!({ "handle": handle })
}

pub(crate) fn read_arguments(handle: i64) -> Value {
    json!({ "handle": handle, "count": FILE_CHUNK })
}

/// The bytes a `guest-file-read` returned, and whether the file ended.
pub(crate) fn read_chunk(reply: &str) -> Result<(Vec<u8>, bool), Error> {
    let read = Members::parse(FILE_READ, reply)?;
    let bytes = read.optional_bytes("buf-b64")?.unwrap_or_default();
    let count = read.int("count")?;
    if usize::try_from(count) != Ok(bytes.len()) {
        return Err(decode_error(
            FILE_READ,
            "count",
            format!("{count} bytes said, {} in buf-b64", bytes.len()),
        ));
    }
    Ok((bytes, read.bool("eof")?))
}

/// The pieces of `data` to write, one `guest-file-write` each.
pub(crate) fn write_chunks(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    data.chunks(FILE_CHUNK)
}

pub(crate) fn write_arguments(handle: i64, chunk: &[u8]) -> Value {
    json!({ "handle": handle, "buf-b64": base64::encode(chunk) })
}

/// Check that a `guest-file-write` took the whole `chunk`.
pub(crate) fn check_written(reply: &str, chunk: &[u8]) -> Result<(), Error> {
    let count = Members::parse(FILE_WRITE, reply)?.int("count")?;
    if usize::try_from(count) != Ok(chunk.len()) {
        return Err(decode_error(
            FILE_WRITE,
            "count",
            format!("{count} of {} bytes written", chunk.len()),
        ));
    }
    Ok(())
}

/// Encode bytes as the agent's `buf-b64`, `input-data` and the like
/// (base64 with padding).
pub fn encode_base64(bytes: &[u8]) -> String {
    base64::encode(bytes)
}

/// Decode the agent's base64 (`buf-b64`, `out-data`); `None` when `text`
/// is not base64.
pub fn decode_base64(text: &str) -> Option<Vec<u8>> {
    base64::decode(text)
}

// ---------------------------------------------------------------- replies

fn parse<T: serde::de::DeserializeOwned>(command: &str, reply: &str) -> Result<T, Error> {
    crate::from_str(reply, crate::Mode::Lenient).map_err(|error| Error::Decode {
        what: format!("reply to {command}"),
        error,
    })
}

fn decode_error(command: &str, member: &str, message: String) -> Error {
    Error::Decode {
        what: format!("reply to {command}"),
        error: PathError {
            path: member.to_string(),
            error: serde_json::Error::custom(message),
        },
    }
}

/// A reply's `return` object, read member by member; errors name the
/// command and the member.
struct Members {
    command: &'static str,
    members: Map<String, Value>,
}

impl Members {
    fn parse(command: &'static str, reply: &str) -> Result<Members, Error> {
        Ok(Members {
            command,
            members: parse(command, reply)?,
        })
    }

    fn get<T>(
        &self,
        member: &str,
        kind: &str,
        convert: impl FnOnce(&Value) -> Option<T>,
    ) -> Result<Option<T>, Error> {
        match self.members.get(member) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => convert(value).map(Some).ok_or_else(|| {
                decode_error(
                    self.command,
                    member,
                    format!("expected {kind}, got {value}"),
                )
            }),
        }
    }

    fn required<T>(&self, member: &str, value: Option<T>) -> Result<T, Error> {
        value
            .ok_or_else(|| decode_error(self.command, member, format!("missing member `{member}`")))
    }

    fn int(&self, member: &str) -> Result<i64, Error> {
        let value = self.optional_int(member)?;
        self.required(member, value)
    }

    fn optional_int(&self, member: &str) -> Result<Option<i64>, Error> {
        self.get(member, "an integer", Value::as_i64)
    }

    fn bool(&self, member: &str) -> Result<bool, Error> {
        let value = self.optional_bool(member)?;
        self.required(member, value)
    }

    fn optional_bool(&self, member: &str) -> Result<Option<bool>, Error> {
        self.get(member, "a boolean", Value::as_bool)
    }

    fn optional_bytes(&self, member: &str) -> Result<Option<Vec<u8>>, Error> {
        self.get(member, "base64 text", |value| {
            base64::decode(value.as_str()?)
        })
    }
}

/// Base64 (RFC 4648, with padding), as the agent encodes bytes.
mod base64 {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    pub(super) fn encode(bytes: &[u8]) -> String {
        let mut text = String::with_capacity(bytes.len().div_ceil(3) * 4);
        for group in bytes.chunks(3) {
            let word = group.iter().enumerate().fold(0u32, |word, (i, &byte)| {
                word | u32::from(byte) << (16 - 8 * i)
            });
            for i in 0..4 {
                if i <= group.len() {
                    text.push(ALPHABET[(word >> (18 - 6 * i) & 63) as usize] as char);
                } else {
                    text.push('=');
                }
            }
        }
        text
    }

    /// `None` when `text` is not base64.
    pub(super) fn decode(text: &str) -> Option<Vec<u8>> {
        let text = text.as_bytes();
        if text.len() % 4 != 0 {
            return None;
        }
        let mut bytes = Vec::with_capacity(text.len() / 4 * 3);
        for (index, group) in text.chunks(4).enumerate() {
            let last = index + 1 == text.len() / 4;
            let padding = group.iter().rev().take_while(|&&c| c == b'=').count();
            if padding > 2 || (padding > 0 && !last) {
                return None;
            }
            let mut word = 0u32;
            for (i, &c) in group[..4 - padding].iter().enumerate() {
                let value = ALPHABET.iter().position(|&a| a == c)? as u32;
                word |= value << (18 - 6 * i);
            }
            let decoded = word.to_be_bytes();
            bytes.extend_from_slice(&decoded[1..4 - padding]);
        }
        Some(bytes)
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn round_trips() {
            for (bytes, text) in [
                (&b""[..], ""),
                (b"f", "Zg=="),
                (b"fo", "Zm8="),
                (b"foo", "Zm9v"),
                (b"hello\n", "aGVsbG8K"),
                (b"\xff\x00\xfe", "/wD+"),
            ] {
                assert_eq!(super::encode(bytes), text);
                assert_eq!(super::decode(text).as_deref(), Some(bytes));
            }
            for bad in ["Zg=", "Z===", "Zg==Zg==", "Zm9*", "=AAA"] {
                assert_eq!(super::decode(bad), None, "{bad}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exec_status_decodes_the_output() {
        let running = exec_status(7, r#"{"exited": false}"#).unwrap();
        assert_eq!(running, None);
        let done = exec_status(
            7,
            r#"{"exited": true, "exitcode": 0, "out-data": "aGVsbG8K", "out-truncated": false}"#,
        )
        .unwrap()
        .unwrap();
        assert_eq!(done.stdout, b"hello\n");
        assert!(done.success());
        let error = exec_status(7, r#"{"exited": true, "out-data": "**"}"#).unwrap_err();
        assert_eq!(
            error.to_string(),
            "cannot decode the reply to guest-exec-status: out-data: expected base64 text, got \"**\""
        );
        let error = exec_status(7, r#"{"exitcode": 1}"#).unwrap_err();
        assert!(
            error
                .to_string()
                .ends_with("exited: missing member `exited`"),
            "{error}"
        );
    }

    #[test]
    fn file_replies() {
        assert_eq!(
            read_chunk(r#"{"count": 3, "buf-b64": "Zm9v", "eof": true}"#).unwrap(),
            (b"foo".to_vec(), true)
        );
        assert!(read_chunk(r#"{"count": 4, "buf-b64": "Zm9v", "eof": true}"#).is_err());
        assert!(check_written(r#"{"count": 3, "eof": false}"#, b"foo").is_ok());
        assert!(check_written(r#"{"count": 2, "eof": false}"#, b"foo").is_err());
        assert_eq!(file_handle("1000").unwrap(), 1000);
    }

    #[test]
    fn sync_replies() {
        assert!(check_sync("12345", 12345).is_ok());
        let error = check_sync("1", 12345).unwrap_err();
        assert!(matches!(error, Error::Protocol(_)), "{error}");
        assert!((0..100)
            .map(|_| sync_id())
            .all(|id| (0..1 << 31).contains(&id)));
    }
}
