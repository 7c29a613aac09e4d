//! A QMP server for the demo schema: a pretend VM that answers the demo
//! protocol on a Unix socket or TCP, and emits its events.
//!
//! ```text
//! qmp-server --unix /tmp/demo.sock      # or: --tcp 127.0.0.1:4444
//! ```
//!
//! The bindings (`build.rs`, setting `server`) give the command types, the
//! `server::Handler` trait and the dispatcher, which checks every request
//! as QEMU does; this file only says what the VM does.  `qemu.qmp`'s
//! `QMPClient` (Python) talks to it as to QEMU: see `tests/python.rs`.

/// The bindings, written by `build.rs`.
#[allow(missing_docs)]
pub mod qmp {
    include!(concat!(env!("OUT_DIR"), "/qmp.rs"));
}

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use qapi_types::qmp::server::{CommandResult, CompatPolicy, EventSender, Server};
use qapi_types::qmp::{Capability, ErrorClass, QmpError, VersionInfo, VersionTriple};

use qmp::{commands, events, server, BlockInfo, RunState, ShutdownCause, StatusInfo};

/// The pretend VM.
struct Vm {
    state: Mutex<State>,
    events: EventSender,
}

struct State {
    status: RunState,
    /// Removable drives: device ID to whether the tray is open.
    trays: BTreeMap<String, bool>,
}

impl Vm {
    fn new(events: EventSender) -> Vm {
        let trays = [("cd0".to_string(), false)].into_iter().collect();
        Vm {
            state: Mutex::new(State {
                status: RunState::Running,
                trays,
            }),
            events,
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl server::Handler for Vm {
    async fn query_status(&self, _: commands::QueryStatus) -> CommandResult<commands::QueryStatus> {
        let status = self.state().status.clone();
        Ok(StatusInfo {
            running: status == RunState::Running,
            status,
        })
    }

    async fn query_version(
        &self,
        _: commands::QueryVersion,
    ) -> CommandResult<commands::QueryVersion> {
        Ok(qmp::VersionInfo {
            qemu: qmp::VersionTriple {
                major: 1,
                minor: 0,
                micro: 0,
            },
            package: "qapi-rs demo".to_string(),
        })
    }

    async fn stop(&self, _: commands::Stop) -> CommandResult<commands::Stop> {
        let mut state = self.state();
        if state.status == RunState::Running {
            state.status = RunState::Paused;
            self.events.emit(&events::Stop);
        }
        Ok(qapi_types::Empty)
    }

    async fn cont(&self, _: commands::Cont) -> CommandResult<commands::Cont> {
        let mut state = self.state();
        match state.status {
            RunState::Shutdown => Err(QmpError::generic("The VM is shut down")),
            RunState::Running => Ok(qapi_types::Empty),
            _ => {
                state.status = RunState::Running;
                self.events.emit(&events::Resume);
                Ok(qapi_types::Empty)
            }
        }
    }

    async fn power_off(&self, _: commands::PowerOff) -> CommandResult<commands::PowerOff> {
        self.state().status = RunState::Shutdown;
        self.events.emit(&events::Shutdown {
            guest: false,
            reason: ShutdownCause::HostQmpQuit,
        });
        Ok(qapi_types::Empty)
    }

    async fn query_block(&self, _: commands::QueryBlock) -> CommandResult<commands::QueryBlock> {
        Ok(self
            .state()
            .trays
            .iter()
            .map(|(device, open)| BlockInfo {
                device: device.clone(),
                locked: false,
                removable: true,
                tray_open: Some(*open),
                io_status: None,
                inserted: None,
                stats: None,
            })
            .collect())
    }

    async fn eject(&self, arguments: commands::Eject) -> CommandResult<commands::Eject> {
        let mut state = self.state();
        let Some(open) = state.trays.get_mut(&arguments.id) else {
            return Err(QmpError::new(
                ErrorClass::DeviceNotFound,
                format!("Device '{}' not found", arguments.id),
            ));
        };
        if !*open {
            *open = true;
            self.events.emit(&events::DeviceTrayMoved {
                device: arguments.id,
                tray_open: true,
            });
        }
        Ok(qapi_types::Empty)
    }
}

const USAGE: &str = "usage: qmp-server (--unix PATH | --tcp ADDRESS)";

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let policy = CompatPolicy::default();
    let events = EventSender::new(&server::SCHEMA, policy);
    let vm = Arc::new(Vm::new(events.clone()));
    let version = VersionInfo {
        qemu: VersionTriple {
            major: 1,
            minor: 0,
            micro: 0,
        },
        package: "qapi-rs demo".to_string(),
    };
    let server = Arc::new(
        Server::new(server::dispatcher(vm, policy))
            .greeting(version, vec![Capability::Oob])
            .event_sender(events),
    );
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["--unix", path] => server.serve_unix(path).await,
        ["--tcp", address] => server.serve_tcp(address).await,
        _ => {
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    };
    if let Err(error) = result {
        eprintln!("qmp-server: {error}");
        std::process::exit(1);
    }
}
