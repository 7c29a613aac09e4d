//! The manager features against the real peers (QEMU 10.0.2 and its
//! guest agent, `scripts/install-qemu.sh`), where `vm-manager` does not
//! already try them: the async client passing descriptors while other
//! commands run, accepting QEMU's connection (`server=off`) with both
//! clients, and the async guest agent client.

#![cfg_attr(not(qapi_shared), allow(unused))]

#[cfg(qapi_shared)]
mod common;

#[cfg(not(qapi_shared))]
#[test]
fn live_manager() {
    qapi_qmp_tests::shared_dir();
    panic!("the real-schema bindings were not built: ../shared was missing at build time");
}

#[cfg(qapi_shared)]
mod live {
    use std::io::Write;
    use std::os::fd::AsFd;
    use std::os::unix::net::{UnixListener, UnixStream};
    use std::path::PathBuf;
    use std::process::{Child, Command, Stdio};
    use std::sync::Arc;
    use std::time::Duration;

    use qapi_bindings_tests::real_all::commands;
    use qapi_qmp_tests::Qemu;
    use qapi_types::qmp::agent::Exec;
    use qapi_types::qmp::tokio::{Agent, Client};
    use qapi_types::qmp::{blocking, Options};
    use serde_json::Value;

    use crate::common::runtime;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("qapi-live-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// Ten sockets passed with `getfd` while fifty `query-status` run:
    /// each `closefd` finds its descriptor, so each came with its command.
    #[test]
    fn async_getfd_among_concurrent_commands() {
        let qemu = Qemu::start();
        runtime().block_on(async {
            let client = Arc::new(
                Client::connect_unix(qemu.socket(), &Options::new())
                    .await
                    .unwrap(),
            );
            let mut calls = Vec::new();
            for i in 0..60 {
                let client = client.clone();
                calls.push(tokio::spawn(async move {
                    if i % 6 == 0 {
                        let (ours, theirs) = UnixStream::pair().unwrap();
                        let getfd = commands::Getfd {
                            fdname: format!("fd{i}"),
                        };
                        client
                            .execute_with_fds(&getfd, &[theirs.as_fd()])
                            .await
                            .unwrap();
                        drop(ours);
                    } else {
                        client.execute(&commands::QueryStatus).await.unwrap();
                    }
                }));
            }
            for call in calls {
                call.await.unwrap();
            }
            for i in (0..60).step_by(6) {
                let closefd = commands::Closefd {
                    fdname: format!("fd{i}"),
                };
                client.execute(&closefd).await.unwrap();
            }
            let error = client
                .execute(&commands::Closefd {
                    fdname: "fd1".into(),
                })
                .await
                .unwrap_err();
            assert!(error.to_string().contains("not found"), "{error}");

            // add-fd: the fd set lists the descriptor, remove-fd ends it.
            let file = std::fs::File::open("/dev/null").unwrap();
            let add = commands::AddFd {
                fdset_id: None,
                opaque: Some("null".into()),
            };
            let added = client
                .execute_with_fds(&add, &[file.as_fd()])
                .await
                .unwrap();
            let sets = client.execute(&commands::QueryFdsets).await.unwrap();
            let set = sets
                .iter()
                .find(|set| set.fdset_id == added.fdset_id)
                .unwrap();
            assert_eq!(set.fds[0].opaque.as_deref(), Some("null"));
            client
                .execute(&commands::RemoveFd {
                    fdset_id: added.fdset_id,
                    fd: None,
                })
                .await
                .unwrap();
        });
    }

    /// The manager listens, QEMU connects (`-qmp unix:PATH,server=off`).
    #[test]
    fn accept_qemus_connection() {
        let dir = temp_dir("accept");
        let blocking_path = dir.join("blocking.sock");
        let async_path = dir.join("async.sock");
        let blocking_listener = UnixListener::bind(&blocking_path).unwrap();
        let async_listener = UnixListener::bind(&async_path).unwrap();
        let monitor = |path: &PathBuf| format!("unix:{},server=off", path.display());
        let qemu = Qemu::start_with(&[
            "-qmp",
            &monitor(&blocking_path),
            "-qmp",
            &monitor(&async_path),
        ]);
        let options = Options::new().timeout(Some(Duration::from_secs(10)));
        let mut client = blocking::Client::accept(&blocking_listener, &options).unwrap();
        assert_eq!(client.greeting().version.qemu.major, 10);
        client.execute(&commands::QueryStatus).unwrap();
        runtime().block_on(async {
            async_listener.set_nonblocking(true).unwrap();
            let listener = tokio::net::UnixListener::from_std(async_listener).unwrap();
            let client = Client::accept(&listener, &options).await.unwrap();
            let status = client.execute(&commands::QueryStatus).await.unwrap();
            assert!(!status.running);
        });
        drop(qemu);
        let _ = std::fs::remove_dir_all(dir);
    }

    /// A guest agent on this machine, only harmless commands allowed;
    /// killed when dropped.
    struct GuestAgent {
        child: Child,
        dir: PathBuf,
    }

    impl GuestAgent {
        fn start() -> GuestAgent {
            let dir = temp_dir("qga");
            let child = Command::new("qemu-ga")
                .args(["--method", "unix-listen", "--path"])
                .arg(dir.join("qga.sock"))
                .arg("--statedir")
                .arg(&dir)
                .arg("--pidfile")
                .arg(dir.join("pid"))
                .arg(
                    "--allow-rpcs=guest-sync-delimited,guest-ping,guest-info,guest-exec,\
                     guest-exec-status,guest-file-open,guest-file-read,guest-file-write,\
                     guest-file-close",
                )
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| {
                    panic!("cannot run qemu-ga ({e}): run scripts/install-qemu.sh")
                });
            GuestAgent { child, dir }
        }

        fn socket(&self) -> PathBuf {
            self.dir.join("qga.sock")
        }
    }

    impl Drop for GuestAgent {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }

    /// The async agent client on a real agent left dirty by an earlier
    /// client (half a request in its parser): the first sync flushes it;
    /// then commands, `guest-exec` and files.  (The earlier client leaves
    /// no reply unread: qemu-ga exits when a client closes with replies
    /// unread, on the ECONNRESET it then reads.)
    #[test]
    fn async_agent_on_qemu_ga() {
        let agent = GuestAgent::start();
        let options = Options::new().connect_retry(Some(Duration::from_secs(20)));
        // Wait until it listens, then leave half a request behind.
        drop(blocking::Agent::connect_unix(agent.socket(), &options).unwrap());
        let mut earlier = UnixStream::connect(agent.socket()).unwrap();
        earlier.write_all(b"{\"execute\": \"guest-in").unwrap();
        drop(earlier);
        runtime().block_on(async {
            let client = Agent::connect_unix(agent.socket(), &options).await.unwrap();
            let info: Value =
                serde_json::from_str(&client.execute_raw("guest-info", &()).await.unwrap())
                    .unwrap();
            assert!(
                info["version"].as_str().unwrap().starts_with("10."),
                "{info}"
            );
            let output = client
                .exec(
                    &Exec::new("printf").args(["%s|", "a", "b"]),
                    Duration::from_secs(10),
                )
                .await
                .unwrap();
            assert!(output.success());
            assert_eq!(output.stdout, b"a|b|");
            let path = agent.dir.join("file.bin").display().to_string();
            let data: Vec<u8> = (0..=255).cycle().take(100_000).collect();
            client.write_file(&path, &data).await.unwrap();
            assert_eq!(client.read_file(&path).await.unwrap(), data);
            assert_eq!(std::fs::read(&path).unwrap(), data);
            let error = client.execute_raw("guest-get-time", &()).await.unwrap_err();
            assert!(error.to_string().contains("disabled"), "{error}");
        });
    }
}
