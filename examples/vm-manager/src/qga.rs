//! `vm-manager qga`: a guest agent used as a VM manager does.
//!
//! The agent runs on this machine and acts on it: it is started with only
//! harmless commands allowed (`--allow-rpcs`), and its files are in a
//! temporary directory.  Its commands that shut down or suspend the
//! machine are never sent (the tests try that path on a fake agent).

use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use qapi_types::qmp::agent::{decode_base64, encode_base64, Exec};
use qapi_types::qmp::blocking::Agent;

use crate::bindings::qga::{self, commands};
use crate::peer::{Peer, TempDir};
use crate::report::{failure, Failure, Outcome, Report};

/// The only commands the agent runs; any other is refused by the agent.
const ALLOWED: &[&str] = &[
    "guest-sync-delimited",
    "guest-sync",
    "guest-ping",
    "guest-info",
    "guest-get-osinfo",
    "guest-exec",
    "guest-exec-status",
    "guest-file-open",
    "guest-file-read",
    "guest-file-write",
    "guest-file-seek",
    "guest-file-flush",
    "guest-file-close",
];

const START_DEADLINE: Duration = Duration::from_secs(20);

struct Session {
    dir: TempDir,
    _agent_process: Peer,
    agent: Agent,
}

pub fn run(qemu_ga: &Path) -> Report {
    let mut report = Report::default();
    let Some(mut session) = report.step("connect", || connect(qemu_ga)) else {
        return report;
    };
    report.check("info", || info(&mut session));
    report.check("osinfo", || osinfo(&mut session));
    report.check("exec", || exec(&mut session));
    report.check("file", || file(&mut session));
    report.check("file-helpers", || file_helpers(&mut session));
    report.check("resync", || resync(&mut session));
    report
}

/// Start the agent and connect while it starts: the first sync.
fn connect(qemu_ga: &Path) -> Result<(Session, String), Failure> {
    let dir = TempDir::new("vm-manager-qga")?;
    let socket = dir.join("qga.sock");
    let mut command = Command::new(qemu_ga);
    command
        .args(["--method", "unix-listen", "--path"])
        .arg(&socket)
        .arg("--statedir")
        .arg(dir.path())
        .arg("--pidfile")
        .arg(dir.join("qemu-ga.pid"))
        .arg(format!("--allow-rpcs={}", ALLOWED.join(",")));
    let mut process = Peer::spawn(command, dir.join("qemu-ga.stderr"))?;
    let started = Instant::now();
    let agent = process.connect(START_DEADLINE, |options| {
        Agent::connect_unix(&socket, options)
    })?;
    let seen = format!(
        "synchronised with guest-sync-delimited after {} ms",
        started.elapsed().as_millis()
    );
    let session = Session {
        dir,
        _agent_process: process,
        agent,
    };
    Ok((session, seen))
}

/// `guest-info`, and a check that the agent allows only what it was told.
fn info(session: &mut Session) -> Outcome {
    let info = session.agent.execute(&commands::GuestInfo)?;
    let enabled: Vec<&str> = info
        .supported_commands
        .iter()
        .filter(|command| command.enabled)
        .map(|command| command.name.as_str())
        .collect();
    if let Some(extra) = enabled.iter().find(|name| !ALLOWED.contains(name)) {
        return Err(failure(format!("the agent enables {extra}, not allowed")));
    }
    Ok(format!(
        "qemu-ga {}, {} commands, {} enabled",
        info.version,
        info.supported_commands.len(),
        enabled.len()
    ))
}

fn osinfo(session: &mut Session) -> Outcome {
    let os = session.agent.execute(&commands::GuestGetOsinfo)?;
    Ok(format!(
        "{} (kernel {}, {})",
        os.pretty_name.as_deref().unwrap_or("?"),
        os.kernel_release.as_deref().unwrap_or("?"),
        os.machine.as_deref().unwrap_or("?")
    ))
}

/// `guest-exec` of `echo`, waited for, its output decoded.
fn exec(session: &mut Session) -> Outcome {
    let text = "hello from the guest agent";
    let output = session
        .agent
        .exec(&Exec::new("echo").arg(text), Duration::from_secs(10))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.success() || stdout != format!("{text}\n") {
        return Err(failure(format!(
            "echo exited {:?} with {stdout:?}",
            output.exit_code
        )));
    }
    Ok(format!("echo (pid {}) printed {stdout:?}", output.pid))
}

/// `guest-file-*` one by one: open, write, flush, seek, read, close.
fn file(session: &mut Session) -> Outcome {
    let path = session.dir.join("written-by-the-agent.txt");
    let text = b"line one\nline two\n";
    let agent = &mut session.agent;
    let handle =
        agent.execute(&commands::GuestFileOpen::new(path.display().to_string()).mode("w+"))?;
    let written = agent.execute(&commands::GuestFileWrite::new(handle, encode_base64(text)))?;
    agent.execute(&commands::GuestFileFlush { handle })?;
    let position = agent.execute(&commands::GuestFileSeek::new(handle, 0, qga::QGASeek::Set))?;
    let read = agent.execute(&commands::GuestFileRead::new(handle).count(4096))?;
    agent.execute(&commands::GuestFileClose { handle })?;
    let bytes = decode_base64(&read.buf_b64)
        .ok_or_else(|| failure("guest-file-read returned no base64"))?;
    let on_disk = std::fs::read(&path)?;
    if bytes != text || on_disk != text || written.count != text.len() as i64 {
        return Err(failure(format!(
            "wrote {} bytes, read back {bytes:?}, file holds {on_disk:?}",
            written.count
        )));
    }
    Ok(format!(
        "handle {handle}: {} bytes written, seek to {}, read back, closed",
        written.count, position.position
    ))
}

/// The helpers: a file written and read back whole.
fn file_helpers(session: &mut Session) -> Outcome {
    let path = session.dir.join("helpers.bin").display().to_string();
    let data: Vec<u8> = (0..3 << 20).map(|i: u32| (i % 251) as u8).collect();
    session.agent.write_file(&path, &data)?;
    let back = session.agent.read_file(&path)?;
    if back != data {
        return Err(failure(format!(
            "{} bytes written, {} read back differ",
            data.len(),
            back.len()
        )));
    }
    Ok(format!("{} MiB written and read back", data.len() >> 20))
}

/// Garbage on the socket, as a client that died half-way leaves it: a
/// request whose reply nobody awaits, bytes that are not JSON, half a
/// request.  The sync drops the agent's answers to them and flushes the
/// half request; then the agent answers as before.
fn resync(session: &mut Session) -> Outcome {
    let mut socket = session.agent.get_ref();
    socket.write_all(b"{\"execute\": \"guest-ping\"}\n\x01garbage}\n{\"execute\": \"guest-")?;
    session.agent.sync()?;
    session.agent.execute(&commands::GuestPing)?;
    let info = session.agent.execute(&commands::GuestInfo)?;
    Ok(format!(
        "garbage written, stale replies dropped up to 0xFF, guest-ping and guest-info ({}) answered",
        info.version
    ))
}
