//! File descriptors passed with requests (`SCM_RIGHTS` on Unix sockets),
//! held as QEMU's monitor holds them (`monitor/fds.c`,
//! `chardev/char-socket.c`).
//!
//! - The descriptors that come with a message replace those of the
//!   previous message still unclaimed (which are closed); they are the
//!   connection's *received* descriptors.  The server hands them to the
//!   first request read after them.
//! - `getfd fdname=X` names the first received descriptor (the others are
//!   closed), `closefd` closes a named one; a handler takes one by name
//!   with [`Connection::take_fd`] (QEMU's `monitor_get_fd()`).  Named
//!   descriptors belong to the connection and are closed when it ends.
//! - `add-fd` puts the first received descriptor in a descriptor set
//!   (`/dev/fdset/N`), `remove-fd` and `query-fdsets` as QEMU; the sets are
//!   shared by every connection of a dispatcher ([`FdSets`]); a handler
//!   opens `/dev/fdset/N` with [`FdSets::open`].  When the last connection
//!   ends, sets none of whose descriptors were handed out are closed, as
//!   QEMU does when its last monitor disconnects.
//!
//! Differences from QEMU: named descriptors are per connection, not per
//! monitor (a QEMU monitor keeps them across reconnections); QEMU keeps
//! removed descriptors open while the VM is paused, this has no run state
//! and closes them at once; a descriptor handed out by [`FdSets::open`]
//! counts as in use for as long as its set exists (QEMU tracks when it is
//! closed).

use std::os::fd::{AsFd, AsRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use nix::fcntl::{fcntl, FcntlArg, OFlag};

use super::connection::Connection;
use super::qobject::{QDict, QObject};
use crate::qmp::QmpError;

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// QEMU's `QERR_INVALID_PARAMETER_VALUE`.
fn invalid_value(name: &str, expected: &str) -> QmpError {
    QmpError::generic(format!("Parameter '{name}' expects {expected}"))
}

fn none_supplied() -> QmpError {
    QmpError::generic("No file descriptor supplied via SCM_RIGHTS")
}

/// A connection's descriptors: the last message's, and the named ones.
#[derive(Default)]
pub(crate) struct ConnectionFds {
    received: Mutex<Vec<OwnedFd>>,
    named: Mutex<Vec<(String, OwnedFd)>>,
}

impl Connection {
    /// Hold `fds`, passed with a message, as the received descriptors,
    /// closing those still unclaimed (QEMU's `tcp_chr_recv()`).  Like
    /// QEMU, they are made blocking (`O_NONBLOCK` travels with a
    /// descriptor).
    pub fn receive_fds(&self, fds: Vec<OwnedFd>) {
        if fds.is_empty() {
            return;
        }
        for fd in &fds {
            if let Ok(flags) = fcntl(fd.as_fd(), FcntlArg::F_GETFL) {
                let flags = OFlag::from_bits_truncate(flags) - OFlag::O_NONBLOCK;
                let _ = fcntl(fd.as_fd(), FcntlArg::F_SETFL(flags));
            }
        }
        *lock(&self.fds.received) = fds;
    }

    /// The first received descriptor, the others closed (QEMU's
    /// `qemu_chr_fe_get_msgfd()`); `None` when none is held.
    pub fn take_received_fd(&self) -> Option<OwnedFd> {
        let mut received = std::mem::take(&mut *lock(&self.fds.received));
        if received.is_empty() {
            None
        } else {
            Some(received.swap_remove(0))
        }
    }

    /// Name `fd` (QEMU's `monitor_add_fd()`): a name already used gets the
    /// new descriptor and the old one is closed; a name starting with a
    /// digit is refused (and `fd` closed).
    pub fn add_fd(&self, name: &str, fd: OwnedFd) -> Result<(), QmpError> {
        if name.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(invalid_value("fdname", "a name not starting with a digit"));
        }
        let mut named = lock(&self.fds.named);
        match named.iter_mut().find(|(n, _)| n == name) {
            Some(entry) => entry.1 = fd,
            None => named.insert(0, (name.to_string(), fd)),
        }
        Ok(())
    }

    /// Take the descriptor named `name` (QEMU's `monitor_get_fd()`: the
    /// caller owns it, the name is gone).
    pub fn take_fd(&self, name: &str) -> Result<OwnedFd, QmpError> {
        let mut named = lock(&self.fds.named);
        match named.iter().position(|(n, _)| n == name) {
            Some(index) => Ok(named.remove(index).1),
            None => Err(QmpError::generic(format!(
                "File descriptor named '{name}' has not been found"
            ))),
        }
    }

    /// The names of the named descriptors, the latest first.
    pub fn fd_names(&self) -> Vec<String> {
        lock(&self.fds.named)
            .iter()
            .map(|(name, _)| name.clone())
            .collect()
    }

    /// `getfd`.
    fn getfd(&self, name: &str) -> Result<(), QmpError> {
        let fd = self.take_received_fd().ok_or_else(none_supplied)?;
        self.add_fd(name, fd)
    }

    /// `closefd`.
    fn closefd(&self, name: &str) -> Result<(), QmpError> {
        let mut named = lock(&self.fds.named);
        match named.iter().position(|(n, _)| n == name) {
            Some(index) => {
                named.remove(index);
                Ok(())
            }
            None => Err(QmpError::generic(format!(
                "File descriptor named '{name}' not found"
            ))),
        }
    }
}

struct FdSetFd {
    fd: OwnedFd,
    opaque: Option<String>,
    removed: bool,
}

struct FdSet {
    id: i64,
    /// The latest first, as QEMU's list.
    fds: Vec<FdSetFd>,
    /// Descriptors handed out by [`FdSets::open`].
    handed_out: usize,
}

/// How a descriptor is opened (`O_RDONLY`, `O_WRONLY`, `O_RDWR`): what
/// [`FdSets::dup`] matches.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum AccessMode {
    /// `O_RDONLY`.
    ReadOnly,
    /// `O_WRONLY`.
    WriteOnly,
    /// `O_RDWR`.
    ReadWrite,
}

/// The descriptor sets of a dispatcher (`add-fd`, `/dev/fdset/N`), shared
/// by its connections.
#[derive(Default)]
pub struct FdSets {
    sets: Mutex<Vec<FdSet>>,
    connections: AtomicUsize,
}

impl FdSets {
    /// Add `fd` to the set `id` (`None`: the lowest free id), as QEMU's
    /// `monitor_fdset_add_fd()`; the set's id and the descriptor's number.
    pub fn add(
        &self,
        fd: OwnedFd,
        id: Option<i64>,
        opaque: Option<String>,
    ) -> Result<(i64, RawFd), QmpError> {
        let mut sets = lock(&self.sets);
        let index = match id {
            Some(id) => match sets.iter().position(|set| set.id >= id) {
                Some(index) if sets[index].id == id => index,
                _ if id < 0 => return Err(invalid_value("fdset-id", "a non-negative value")),
                Some(index) => insert(&mut sets, index, id),
                None => {
                    let end = sets.len();
                    insert(&mut sets, end, id)
                }
            },
            None => {
                // The first id after the run of consecutive ids from 0.
                let mut next = 0;
                let mut index = 0;
                while index < sets.len() && sets[index].id == next {
                    next += 1;
                    index += 1;
                }
                insert(&mut sets, index, next)
            }
        };
        let set = &mut sets[index];
        let raw = fd.as_raw_fd();
        set.fds.insert(
            0,
            FdSetFd {
                fd,
                opaque,
                removed: false,
            },
        );
        Ok((set.id, raw))
    }

    /// Remove the descriptor `fd` (`None`: all) from the set `id`, as
    /// QEMU's `qmp_remove_fd()`.
    pub fn remove(&self, id: i64, fd: Option<i64>) -> Result<(), QmpError> {
        let mut sets = lock(&self.sets);
        let not_found = || {
            let what = match fd {
                Some(fd) => format!("fdset-id:{id}, fd:{fd}"),
                None => format!("fdset-id:{id}"),
            };
            QmpError::generic(format!("File descriptor named '{what}' not found"))
        };
        let index = sets
            .iter()
            .position(|set| set.id == id)
            .ok_or_else(not_found)?;
        let set = &mut sets[index];
        match fd {
            Some(fd) => {
                let entry = set
                    .fds
                    .iter_mut()
                    .find(|entry| i64::from(entry.fd.as_raw_fd()) == fd)
                    .ok_or_else(not_found)?;
                entry.removed = true;
            }
            None => set.fds.iter_mut().for_each(|entry| entry.removed = true),
        }
        let connected = self.connections.load(Ordering::Acquire) > 0;
        clean(&mut sets, index, connected);
        Ok(())
    }

    /// The `query-fdsets` reply (`FdsetInfo` list) as QEMU builds it: sets
    /// by decreasing id, each set's descriptors oldest first.
    pub fn query(&self) -> QObject {
        let sets = lock(&self.sets);
        let list = sets.iter().rev().map(|set| {
            let fds = set.fds.iter().rev().map(|entry| {
                let mut info = QDict::new();
                info.insert("fd".into(), QObject::Int(entry.fd.as_raw_fd().into()));
                if let Some(opaque) = &entry.opaque {
                    info.insert("opaque".into(), QObject::Str(opaque.clone()));
                }
                QObject::Dict(info)
            });
            let mut info = QDict::new();
            info.insert("fdset-id".into(), QObject::Int(set.id));
            info.insert("fds".into(), QObject::List(fds.collect()));
            QObject::Dict(info)
        });
        QObject::List(list.collect())
    }

    /// A duplicate of a descriptor of set `id` opened with access `mode`,
    /// as QEMU's `monitor_fdset_dup_fd_add()` (errors: `ENOENT` no such
    /// set, `EACCES` no descriptor with that mode).
    pub fn dup(&self, id: i64, mode: AccessMode) -> std::io::Result<OwnedFd> {
        let mut sets = lock(&self.sets);
        let set = sets
            .iter_mut()
            .find(|set| set.id == id)
            .ok_or_else(|| std::io::Error::from_raw_os_error(nix::libc::ENOENT))?;
        let wanted = match mode {
            AccessMode::ReadOnly => OFlag::O_RDONLY,
            AccessMode::WriteOnly => OFlag::O_WRONLY,
            AccessMode::ReadWrite => OFlag::O_RDWR,
        };
        for entry in &set.fds {
            let mode = fcntl(entry.fd.as_fd(), FcntlArg::F_GETFL)?;
            if OFlag::from_bits_truncate(mode) & OFlag::O_ACCMODE == wanted {
                let copy = entry.fd.try_clone()?;
                set.handed_out += 1;
                return Ok(copy);
            }
        }
        Err(std::io::Error::from_raw_os_error(nix::libc::EACCES))
    }

    /// Open `path` if it names a descriptor set (`/dev/fdset/N`, as QEMU's
    /// `qemu_open()`): `None` for another path.
    pub fn open(&self, path: &str, mode: AccessMode) -> Option<std::io::Result<OwnedFd>> {
        let id = path.strip_prefix("/dev/fdset/")?;
        Some(match id.parse::<i64>() {
            Ok(id) => self.dup(id, mode),
            Err(_) => Err(std::io::Error::from_raw_os_error(nix::libc::EINVAL)),
        })
    }

    /// A connection opens; the returned guard closes it.  (Only the
    /// tokio `Server` has connections.)
    #[cfg_attr(not(feature = "tokio"), allow(dead_code))]
    pub(crate) fn connect(&self) -> ConnectionGuard<'_> {
        self.connections.fetch_add(1, Ordering::AcqRel);
        ConnectionGuard(self)
    }
}

/// Insert an empty set with `id` at `index` (the list is kept by id).
fn insert(sets: &mut Vec<FdSet>, index: usize, id: i64) -> usize {
    sets.insert(
        index,
        FdSet {
            id,
            fds: Vec::new(),
            handed_out: 0,
        },
    );
    index
}

/// QEMU's `monitor_fdset_cleanup()`: close removed descriptors, and all of
/// a set none of whose descriptors is in use once no client is connected;
/// drop the set once empty.
fn clean(sets: &mut Vec<FdSet>, index: usize, connected: bool) {
    let set = &mut sets[index];
    let unused = set.handed_out == 0 && !connected;
    set.fds.retain(|entry| !(entry.removed || unused));
    if set.fds.is_empty() && set.handed_out == 0 {
        sets.remove(index);
    }
}

#[cfg_attr(not(feature = "tokio"), allow(dead_code))]
pub(crate) struct ConnectionGuard<'a>(&'a FdSets);

impl Drop for ConnectionGuard<'_> {
    fn drop(&mut self) {
        let left = self.0.connections.fetch_sub(1, Ordering::AcqRel) - 1;
        let mut sets = lock(&self.0.sets);
        for index in (0..sets.len()).rev() {
            clean(&mut sets, index, left > 0);
        }
    }
}

/// The descriptor commands QEMU's monitor implements itself; the
/// dispatcher answers them for a schema that has them.
pub(crate) const COMMANDS: [&str; 5] = ["getfd", "closefd", "add-fd", "remove-fd", "query-fdsets"];

/// Run one of [`COMMANDS`] (arguments already checked against the
/// schema); the `return` value.
pub(crate) fn run(
    name: &str,
    arguments: &QObject,
    connection: &Connection,
    sets: &FdSets,
) -> Result<QObject, QmpError> {
    let arguments = arguments.as_dict();
    let text = |key: &str| arguments.and_then(|a| a.get(key)).and_then(QObject::as_str);
    let int = |key: &str| arguments.and_then(|a| a.get(key)).and_then(QObject::as_i64);
    let empty = || QObject::Dict(QDict::new());
    match name {
        "getfd" => connection
            .getfd(text("fdname").unwrap_or(""))
            .map(|()| empty()),
        "closefd" => connection
            .closefd(text("fdname").unwrap_or(""))
            .map(|()| empty()),
        "add-fd" => {
            let fd = connection.take_received_fd().ok_or_else(none_supplied)?;
            let (id, fd) = sets.add(fd, int("fdset-id"), text("opaque").map(str::to_string))?;
            let mut info = QDict::new();
            info.insert("fdset-id".into(), QObject::Int(id));
            info.insert("fd".into(), QObject::Int(fd.into()));
            Ok(QObject::Dict(info))
        }
        "remove-fd" => sets
            .remove(int("fdset-id").unwrap_or(-1), int("fd"))
            .map(|()| empty()),
        _ => Ok(sets.query()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pipe() -> (OwnedFd, OwnedFd) {
        nix::unistd::pipe().unwrap()
    }

    #[test]
    fn sets_take_the_lowest_free_id_and_open_by_access_mode() {
        let sets = FdSets::default();
        let _connected = sets.connect();
        let (read, write) = pipe();
        assert_eq!(sets.add(read, Some(1), None).unwrap().0, 1);
        assert_eq!(sets.add(write, None, None).unwrap().0, 0);
        let (_, write) = pipe();
        assert_eq!(sets.add(write, None, Some("w".into())).unwrap().0, 2);
        let opened = sets.open("/dev/fdset/1", AccessMode::ReadOnly).unwrap();
        assert!(opened.is_ok());
        let refused = sets.dup(1, AccessMode::WriteOnly).unwrap_err();
        assert_eq!(refused.raw_os_error(), Some(nix::libc::EACCES));
        let missing = sets.open("/dev/fdset/9", AccessMode::ReadOnly).unwrap();
        assert_eq!(missing.unwrap_err().raw_os_error(), Some(nix::libc::ENOENT));
        assert!(sets.open("/tmp/file", AccessMode::ReadOnly).is_none());
    }

    #[test]
    fn the_last_connection_closes_sets_not_in_use() {
        let sets = FdSets::default();
        let connected = sets.connect();
        let (read, write) = pipe();
        sets.add(write, Some(0), None).unwrap();
        let (_, other) = pipe();
        sets.add(other, Some(1), None).unwrap();
        let _in_use = sets.dup(1, AccessMode::WriteOnly).unwrap();
        drop(connected);
        // Set 0 had nothing handed out: closed, so the pipe has no writer.
        let mut byte = [0u8];
        assert_eq!(nix::unistd::read(&read, &mut byte).unwrap(), 0);
        let ids: Vec<i64> = lock(&sets.sets).iter().map(|set| set.id).collect();
        assert_eq!(ids, [1]);
    }
}
