//! Passing file descriptors with a command (`SCM_RIGHTS`), as QEMU's
//! `getfd` and `add-fd` expect: the descriptors ride on the first byte of
//! the command's request, so QEMU hands them to that command.

use std::io::{self, IoSlice};
use std::os::fd::{AsRawFd, BorrowedFd, RawFd};
use std::time::Duration;

use nix::sys::socket::{sendmsg, ControlMessage, MsgFlags, UnixAddr};

/// The most descriptors Linux takes in one message (`SCM_MAX_FD`).
pub(crate) const MAX_FDS: usize = 253;

/// Write the start of `bytes` in one `sendmsg` on the Unix socket
/// `socket`, with `fds` attached; the count written (at least one byte
/// when it succeeds, so the descriptors went with it).  A non-blocking
/// socket that cannot take anything now fails with `WouldBlock`, and then
/// nothing was sent.
pub(crate) fn send_with_fds(
    socket: BorrowedFd<'_>,
    bytes: &[u8],
    fds: &[BorrowedFd<'_>],
) -> io::Result<usize> {
    if fds.len() > MAX_FDS {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "{} file descriptors in one command (the most a Unix socket passes is {MAX_FDS})",
                fds.len()
            ),
        ));
    }
    let raw: Vec<RawFd> = fds.iter().map(AsRawFd::as_raw_fd).collect();
    let rights = [ControlMessage::ScmRights(&raw)];
    let iov = [IoSlice::new(bytes)];
    loop {
        // MSG_NOSIGNAL: a closed peer is an EPIPE error, not a SIGPIPE that
        // kills a program which does not ignore it.
        match sendmsg::<UnixAddr>(
            socket.as_raw_fd(),
            &iov,
            &rights,
            MsgFlags::MSG_NOSIGNAL,
            None,
        ) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(count) => return Ok(count),
            Err(nix::errno::Errno::EINTR) => {}
            Err(errno) => return Err(errno.into()),
        }
    }
}

/// Wait until `socket` is readable (a listener: a connection waits), at
/// most `timeout` (`None`: forever); whether it is.
pub(crate) fn wait_readable(socket: BorrowedFd<'_>, timeout: Option<Duration>) -> io::Result<bool> {
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    let deadline = timeout.map(|timeout| std::time::Instant::now() + timeout);
    loop {
        let left = match deadline {
            // Whole milliseconds, rounded up (no busy loop on the last
            // fraction); a longer wait than poll takes is done in steps.
            Some(deadline) => {
                let left = deadline.saturating_duration_since(std::time::Instant::now());
                if left.is_zero() {
                    return Ok(false);
                }
                PollTimeout::try_from(left.as_millis() + 1).unwrap_or(PollTimeout::MAX)
            }
            None => PollTimeout::NONE,
        };
        let mut fds = [PollFd::new(socket, PollFlags::POLLIN)];
        match poll(&mut fds, left) {
            Ok(0) => {}
            Ok(_) => return Ok(true),
            Err(nix::errno::Errno::EINTR) => {}
            Err(errno) => return Err(errno.into()),
        }
    }
}

/// The error of a command given descriptors on a connection that cannot
/// pass them.
pub(crate) fn unsupported(transport: &'static str) -> super::Error {
    super::Error::FdsUnsupported { transport }
}
