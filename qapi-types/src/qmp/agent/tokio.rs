//! The async guest agent client.

use std::future::Future;
use std::path::Path;
use std::time::Duration;

use ::tokio::io::{AsyncRead, AsyncWrite};
use ::tokio::sync::RwLock;
use serde::Serialize;

use super::blocking::agent_options;
use super::{
    check_sync, check_written, exec_pid, exec_status, exec_wait, file_handle, handle_arguments,
    open_arguments, pid_arguments, read_arguments, read_chunk, sync_arguments, sync_id,
    write_arguments, write_chunks, Exec, ExecOutput, Polls, EXEC, EXEC_STATUS, FILE_CLOSE,
    FILE_OPEN, FILE_READ, FILE_WRITE, SENTINEL, SYNC,
};
use crate::qmp::client::SessionTimeout;
use crate::qmp::tokio::Client;
use crate::qmp::Error;
use crate::qmp::Options;
use crate::Command;

/// An async client of QEMU's guest agent (see [`crate::qmp::agent`]):
/// synchronised with `guest-sync-delimited` when it connects and again
/// after a timeout or garbage.  Commands take `&self` and may run at once;
/// a sync waits for the commands in flight and holds the next ones.
pub struct Agent {
    client: Client,
    /// Whether the stream is in sync; commands hold it shared, a sync
    /// exclusively.
    synced: RwLock<bool>,
}

impl SessionTimeout for Agent {
    fn restore_timeout(&mut self, timeout: Option<Duration>) -> Result<(), Error> {
        self.client.restore_timeout(timeout)
    }
}

impl Agent {
    /// Connect to the agent's Unix socket and synchronise (again and again
    /// until [`Options::connect_retry`] gives up, if set).
    pub async fn connect_unix(path: impl AsRef<Path>, options: &Options) -> Result<Agent, Error> {
        let path = path.as_ref();
        crate::qmp::tokio::retrying(options, |options| async move {
            let client = Client::connect_unix(path, &agent_options(&options)).await?;
            Agent::start(client).await
        })
        .await
    }

    /// Start on a connected stream: synchronise.
    pub async fn new<S>(stream: S, options: &Options) -> Result<Agent, Error>
    where
        S: AsyncRead + AsyncWrite + Send + 'static,
    {
        Agent::start(Client::new(stream, &agent_options(options)).await?).await
    }

    async fn start(client: Client) -> Result<Agent, Error> {
        let agent = Agent {
            client,
            synced: RwLock::new(false),
        };
        agent.sync().await?;
        Ok(agent)
    }

    /// Synchronise now: send `0xFF` and `guest-sync-delimited`, drop what
    /// comes before the agent's `0xFF`, check the id of the reply.
    pub async fn sync(&self) -> Result<(), Error> {
        let mut synced = self.synced.write().await;
        self.sync_locked(&mut synced).await
    }

    async fn sync_locked(&self, synced: &mut bool) -> Result<(), Error> {
        *synced = false;
        self.client.request_resync();
        let id = sync_id();
        let reply = self
            .client
            .call(&[SENTINEL], SYNC, &sync_arguments(id), false, None)
            .await?;
        check_sync(&reply, id)?;
        *synced = true;
        Ok(())
    }

    /// Run a command and decode its reply (synchronising first if the
    /// stream was left out of sync); a command with
    /// `'success-response': false` is sent and not waited for.
    pub async fn execute<C: Command>(&self, command: &C) -> Result<C::Returns, Error> {
        self.in_sync(|client| client.execute(command)).await
    }

    /// Run a command named at run time; the reply's `return` member as
    /// JSON text.
    pub async fn execute_raw<A: Serialize + ?Sized>(
        &self,
        command: &str,
        arguments: &A,
    ) -> Result<Box<str>, Error> {
        self.in_sync(|client| client.execute_raw(command, arguments, false))
            .await
    }

    /// Run a program in the guest (`guest-exec`) and wait at most `timeout`
    /// for it to exit (`guest-exec-status`); its status and output.
    pub async fn exec(&self, exec: &Exec, timeout: Duration) -> Result<ExecOutput, Error> {
        let pid = exec_pid(&self.execute_raw(EXEC, &exec.arguments()).await?)?;
        let wait = async {
            let mut polls = Polls::new();
            loop {
                let status = self.execute_raw(EXEC_STATUS, &pid_arguments(pid)).await?;
                if let Some(output) = exec_status(pid, &status)? {
                    return Ok(output);
                }
                ::tokio::time::sleep(polls.next_pause()).await;
            }
        };
        ::tokio::time::timeout(timeout, wait)
            .await
            .unwrap_or_else(|_| {
                Err(Error::WaitTimeout {
                    what: exec_wait(exec, pid),
                    waited: timeout,
                })
            })
    }

    /// The bytes of a file in the guest (`guest-file-open`, `-read` until
    /// its end, `-close`).
    pub async fn read_file(&self, path: &str) -> Result<Vec<u8>, Error> {
        let handle = self.open(path, "r").await?;
        let read = async {
            let mut data = Vec::new();
            loop {
                let reply = self.execute_raw(FILE_READ, &read_arguments(handle)).await?;
                let (chunk, eof) = read_chunk(&reply)?;
                data.extend_from_slice(&chunk);
                if eof || chunk.is_empty() {
                    return Ok(data);
                }
            }
        };
        let result = read.await;
        self.close(handle, result).await
    }

    /// Write `data` to a file in the guest, created or truncated
    /// (`guest-file-open` with mode `w`, `-write`, `-close`).
    pub async fn write_file(&self, path: &str, data: &[u8]) -> Result<(), Error> {
        let handle = self.open(path, "w").await?;
        let write = async {
            for chunk in write_chunks(data) {
                let arguments = write_arguments(handle, chunk);
                check_written(&self.execute_raw(FILE_WRITE, &arguments).await?, chunk)?;
            }
            Ok(())
        };
        let result = write.await;
        self.close(handle, result).await
    }

    /// The underlying client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    async fn open(&self, path: &str, mode: &str) -> Result<i64, Error> {
        file_handle(
            &self
                .execute_raw(FILE_OPEN, &open_arguments(path, mode))
                .await?,
        )
    }

    /// Close a file whatever happened to it (the first error wins).
    async fn close<T>(&self, handle: i64, result: Result<T, Error>) -> Result<T, Error> {
        let closed = self
            .execute_raw(FILE_CLOSE, &handle_arguments(handle))
            .await;
        let value = result?;
        closed?;
        Ok(value)
    }

    /// Run `work` on a synchronised stream (synchronising first if
    /// needed); a timeout or garbage leaves the stream to be synchronised
    /// before the next command.
    async fn in_sync<'a, T, Work>(&'a self, work: impl Fn(&'a Client) -> Work) -> Result<T, Error>
    where
        Work: Future<Output = Result<T, Error>> + 'a,
    {
        loop {
            let synced = self.synced.read().await;
            if *synced && !self.client.is_desynced() {
                let result = work(&self.client).await;
                drop(synced);
                if let Err(Error::Timeout | Error::Protocol(_)) = result {
                    *self.synced.write().await = false;
                }
                return result;
            }
            drop(synced);
            let mut synced = self.synced.write().await;
            // Another command may have synchronised meanwhile.
            if !*synced || self.client.is_desynced() {
                self.sync_locked(&mut synced).await?;
            }
        }
    }
}

impl std::fmt::Debug for Agent {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.debug_struct("Agent")
            .field("client", &self.client)
            .finish_non_exhaustive()
    }
}
