//! The blocking guest agent client.

use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::{
    check_sync, check_written, exec_pid, exec_status, exec_wait, file_handle, handle_arguments,
    open_arguments, pid_arguments, read_arguments, read_chunk, sync_arguments, sync_id,
    write_arguments, write_chunks, Exec, ExecOutput, Polls, EXEC, EXEC_STATUS, FILE_CLOSE,
    FILE_OPEN, FILE_READ, FILE_WRITE, SENTINEL, SYNC,
};
use crate::qmp::blocking::{retrying, Client, Stream};
use crate::qmp::client::SessionTimeout;
use crate::qmp::error::Failure;
use crate::qmp::{Error, Options};
use crate::Command;

/// A blocking client of QEMU's guest agent (see [`crate::qmp::agent`]):
/// synchronised with `guest-sync-delimited` when it connects and again
/// after a timeout or garbage.
pub struct Agent<S: Stream = UnixStream> {
    client: Client<S>,
    synced: bool,
}

/// The options as an agent needs them: no greeting, no negotiation, no
/// check of commands (an agent has no `query-qmp-schema`).
pub(crate) fn agent_options(options: &Options) -> Options {
    let mut options = options
        .clone()
        .greeting(false)
        .negotiate(false)
        .check_commands(false);
    options.agent = true;
    options
}

impl<S: Stream> SessionTimeout for Agent<S> {
    fn restore_timeout(&mut self, timeout: Option<Duration>) -> Result<(), Error> {
        self.client.restore_timeout(timeout)
    }
}

impl Agent<UnixStream> {
    /// Connect to the agent's Unix socket (`qemu-ga --method unix-listen`,
    /// or QEMU's chardev of a `virtserialport` named
    /// `org.qemu.guest_agent.0`) and synchronise, again and again until
    /// [`Options::connect_retry`] gives up, if set.
    pub fn connect_unix(path: impl AsRef<Path>, options: &Options) -> Result<Self, Error> {
        let path = path.as_ref();
        retrying(options, |options| {
            let stream = UnixStream::connect(path).map_err(Failure::io)?;
            Agent::new(stream, options)
        })
    }
}

impl<S: Stream> Agent<S> {
    /// Start on a connected stream: synchronise.
    pub fn new(stream: S, options: &Options) -> Result<Self, Error> {
        let client = Client::new(stream, &agent_options(options))?;
        let mut agent = Agent {
            client,
            synced: false,
        };
        agent.sync()?;
        Ok(agent)
    }

    /// Synchronise now: send `0xFF` and `guest-sync-delimited`, drop what
    /// comes before the agent's `0xFF`, check the id of the reply.
    pub fn sync(&mut self) -> Result<(), Error> {
        self.synced = false;
        self.client.resync(SENTINEL);
        let id = sync_id();
        let request =
            self.client
                .send_request(&[SENTINEL], SYNC, &sync_arguments(id), false, &[])?;
        check_sync(&self.client.reply(request)?, id)?;
        self.synced = true;
        Ok(())
    }

    /// Whether the stream is known to be in sync (no timeout or garbage
    /// since the last sync).
    pub fn is_synced(&self) -> bool {
        self.synced
    }

    /// Run a command and decode its reply (synchronising first if the
    /// stream was left out of sync); a command with
    /// `'success-response': false` is sent and not waited for.
    pub fn execute<C: Command>(&mut self, command: &C) -> Result<C::Returns, Error> {
        self.in_sync(|client| client.execute(command))
    }

    /// Run a command named at run time; the reply's `return` member as
    /// JSON text.
    pub fn execute_raw<A: Serialize + ?Sized>(
        &mut self,
        command: &str,
        arguments: &A,
    ) -> Result<Box<str>, Error> {
        self.in_sync(|client| client.execute_raw(command, arguments, false))
    }

    /// Run a program in the guest (`guest-exec`) and wait at most `timeout`
    /// for it to exit (`guest-exec-status`); its status and output.
    pub fn exec(&mut self, exec: &Exec, timeout: Duration) -> Result<ExecOutput, Error> {
        let deadline = Instant::now() + timeout;
        let pid = exec_pid(&self.execute_raw(EXEC, &exec.arguments())?)?;
        let mut polls = Polls::new();
        loop {
            let status = self.execute_raw(EXEC_STATUS, &pid_arguments(pid))?;
            if let Some(output) = exec_status(pid, &status)? {
                return Ok(output);
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(Error::WaitTimeout {
                    what: exec_wait(exec, pid),
                    waited: timeout,
                });
            }
            std::thread::sleep(polls.next_pause().min(deadline - now));
        }
    }

    /// The bytes of a file in the guest (`guest-file-open`, `-read` until
    /// its end, `-close`).
    pub fn read_file(&mut self, path: &str) -> Result<Vec<u8>, Error> {
        self.with_file(path, "r", |agent, handle| {
            let mut data = Vec::new();
            loop {
                let (chunk, eof) =
                    read_chunk(&agent.execute_raw(FILE_READ, &read_arguments(handle))?)?;
                data.extend_from_slice(&chunk);
                if eof || chunk.is_empty() {
                    return Ok(data);
                }
            }
        })
    }

    /// Write `data` to a file in the guest, created or truncated
    /// (`guest-file-open` with mode `w`, `-write`, `-close`).
    pub fn write_file(&mut self, path: &str, data: &[u8]) -> Result<(), Error> {
        self.with_file(path, "w", |agent, handle| {
            for chunk in write_chunks(data) {
                let reply = agent.execute_raw(FILE_WRITE, &write_arguments(handle, chunk))?;
                check_written(&reply, chunk)?;
            }
            Ok(())
        })
    }

    /// The stream.
    pub fn get_ref(&self) -> &S {
        self.client.get_ref()
    }

    /// Open a file, work on its handle, and close it whatever happened (the
    /// first error wins).
    fn with_file<T>(
        &mut self,
        path: &str,
        mode: &str,
        work: impl FnOnce(&mut Self, i64) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let handle = file_handle(&self.execute_raw(FILE_OPEN, &open_arguments(path, mode))?)?;
        let result = work(self, handle);
        let closed = self.execute_raw(FILE_CLOSE, &handle_arguments(handle));
        let value = result?;
        closed?;
        Ok(value)
    }

    /// Run `work` on a synchronised stream; a timeout or garbage leaves the
    /// stream to be synchronised before the next command.
    fn in_sync<T>(
        &mut self,
        work: impl FnOnce(&mut Client<S>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        if !self.synced {
            self.sync()?;
        }
        let result = work(&mut self.client);
        if let Err(Error::Timeout | Error::Protocol(_)) = result {
            self.synced = false;
        }
        result
    }
}

impl<S: Stream> std::fmt::Debug for Agent<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.debug_struct("Agent")
            .field("synced", &self.synced)
            .field("client", &self.client)
            .finish()
    }
}
