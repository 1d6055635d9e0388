//! The daemon's raw system calls: the child's set-up before exec, reaping, peer credentials,
//! process and namespace handles, descriptor limits.
//!
//! Everything here is libc or nix process and socket plumbing that guichetd needs and that no
//! safe wrapper covers as it must be used: what a forked child does before `exec`
//! ([`confine_child`]), the child-subreaper flag, non-blocking reaping, the supplementary
//! groups of a socket peer, a pidfd to kill a containment unit's init without a pid-reuse race
//! ([`PidFd`]), the nesting of PID namespaces ([`pid_ns_within`]) and the descriptor limit
//! ([`raise_nofile_limit`]). This is one of the two modules where `unsafe` is allowed (the
//! other is `view::ffi`); each block says why it is sound.

use std::fs::File;
use std::io;
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::process::Command;

use nix::sys::signal::Signal;
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::{Gid, Pid};

/// Makes the child of `cmd`, between fork and exec: unblock every signal (guichetd blocks the
/// ones its loop waits for), die with SIGKILL when guichetd dies (`PR_SET_PDEATHSIG`), and exit
/// at once if guichetd already died between fork and `prctl`. No descriptor of guichetd's
/// beyond stdin, stdout and stderr reaches the program (even one guichetd inherited without
/// close-on-exec) but `inherit`, when given: a descriptor the program must receive
/// (bubblewrap's `--info-fd`), opened close-on-exec in guichetd so that no other child gets
/// it, the flag cleared in this child only.
///
/// The parent-death signal fires when the *thread* that forked exits: spawn from the thread
/// that lives as long as guichetd. `std` changes the user and group (`Command::uid`) before
/// this runs, so the signal set here survives the change (a credential change clears it).
pub(crate) fn confine_child(cmd: &mut Command, inherit: Option<RawFd>) {
    let parent = nix::unistd::getpid();
    // SAFETY: the closure runs in the forked child before exec and only makes async-signal-safe
    // system calls (close_range, sigemptyset, sigprocmask, fcntl, prctl, getppid, _exit) on a
    // stack-local sigset and descriptor numbers; it allocates nothing and never returns an
    // error through `?`: on failure it exits.
    unsafe {
        cmd.pre_exec(move || {
            // Linux 5.11; an older kernel keeps the descriptors as before.
            if libc::syscall(
                libc::SYS_close_range,
                3 as libc::c_uint,
                libc::c_uint::MAX,
                libc::CLOSE_RANGE_CLOEXEC,
            ) != 0
                && *libc::__errno_location() != libc::ENOSYS
            {
                libc::_exit(127);
            }
            if let Some(fd) = inherit {
                if libc::fcntl(fd, libc::F_SETFD, 0) != 0 {
                    libc::_exit(127);
                }
            }
            let mut none: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut none);
            if libc::sigprocmask(libc::SIG_SETMASK, &none, std::ptr::null_mut()) != 0 {
                libc::_exit(127);
            }
            if libc::prctl(
                libc::PR_SET_PDEATHSIG,
                libc::SIGKILL as libc::c_ulong,
                0,
                0,
                0,
            ) != 0
            {
                libc::_exit(127);
            }
            if libc::getppid() != parent.as_raw() {
                libc::_exit(127);
            }
            Ok(())
        });
    }
}

/// Makes guichetd the reaper of every orphaned descendant (WebKit processes of a dead view).
pub fn become_subreaper() -> nix::Result<()> {
    nix::sys::prctl::set_child_subreaper(true)
}

/// How a child ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    Code(i32),
    Signal(Signal),
}

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Exit::Code(c) => write!(f, "exit status {c}"),
            Exit::Signal(s) => write!(f, "killed by {s}"),
        }
    }
}

/// Reaps every child that has exited (own views and adopted orphans), without blocking.
pub(crate) fn reap_any() -> Vec<(Pid, Exit)> {
    reap(Pid::from_raw(-1))
}

/// Reaps exited children matching `which` (a pid, `-pgid`, or -1), without blocking.
pub fn reap(which: Pid) -> Vec<(Pid, Exit)> {
    let mut out = Vec::new();
    loop {
        match waitpid(which, Some(WaitPidFlag::WNOHANG | WaitPidFlag::__WALL)) {
            Ok(WaitStatus::Exited(pid, code)) => out.push((pid, Exit::Code(code))),
            Ok(WaitStatus::Signaled(pid, sig, _)) => out.push((pid, Exit::Signal(sig))),
            Ok(WaitStatus::StillAlive) | Err(_) => return out,
            Ok(_) => {}
        }
    }
}

/// The supplementary groups of the peer of a connected Unix socket (`SO_PEERGROUPS`), which
/// `SO_PEERCRED` does not carry.
pub(crate) fn peer_groups(sock: &impl AsRawFd) -> io::Result<Vec<Gid>> {
    // From <asm-generic/socket.h>; nix and libc do not export it for every target.
    const SO_PEERGROUPS: libc::c_int = 59;
    let mut groups: Vec<libc::gid_t> = vec![0; 64];
    loop {
        let mut len = (groups.len() * std::mem::size_of::<libc::gid_t>()) as libc::socklen_t;
        // SAFETY: `groups` is a live buffer of `len` bytes; the kernel writes at most `len`
        // bytes and stores the needed size in `len`.
        let r = unsafe {
            libc::getsockopt(
                sock.as_raw_fd(),
                libc::SOL_SOCKET,
                SO_PEERGROUPS,
                groups.as_mut_ptr().cast(),
                &mut len,
            )
        };
        let n = len as usize / std::mem::size_of::<libc::gid_t>();
        if r == 0 {
            groups.truncate(n);
            return Ok(groups.into_iter().map(Gid::from_raw).collect());
        }
        let err = io::Error::last_os_error();
        if err.raw_os_error() == Some(libc::ERANGE) && n > groups.len() && n <= 65536 {
            groups.resize(n, 0);
            continue;
        }
        return Err(err);
    }
}

/// A pidfd: a handle on one process that a reused pid can never redirect.
#[derive(Debug)]
pub struct PidFd(OwnedFd);

impl PidFd {
    /// Opens a handle on `pid` (`pidfd_open`, Linux 5.3).
    pub fn open(pid: Pid) -> io::Result<PidFd> {
        // SAFETY: pidfd_open takes a pid and a flags word and returns a new descriptor or -1;
        // no memory is shared with the kernel.
        let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid.as_raw(), 0) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` was just returned by the kernel, is open and owned by nobody else.
        Ok(PidFd(unsafe { OwnedFd::from_raw_fd(fd as RawFd) }))
    }

    /// Sends SIGKILL to the process, if it still runs (`pidfd_send_signal`, Linux 5.1).
    pub fn kill(&self) -> io::Result<()> {
        // SAFETY: a live pidfd, a signal number, a null siginfo (the kernel fills in the
        // sender) and zero flags; the kernel reads nothing from our memory.
        let r = unsafe {
            libc::syscall(
                libc::SYS_pidfd_send_signal,
                self.0.as_raw_fd(),
                libc::SIGKILL,
                std::ptr::null::<libc::siginfo_t>(),
                0,
            )
        };
        if r < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// Waits up to `timeout` for the process to exit (a pidfd polls readable then); returns
    /// whether it has.
    pub fn wait_exit(&self, timeout: std::time::Duration) -> bool {
        use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
        let ms = u16::try_from(timeout.as_millis()).unwrap_or(u16::MAX);
        let mut fds = [PollFd::new(self.0.as_fd(), PollFlags::POLLIN)];
        matches!(poll(&mut fds, PollTimeout::from(ms)), Ok(n) if n > 0)
    }
}

/// The identity (inode) of the PID namespace `pid` is in.
pub fn pid_ns(pid: Pid) -> io::Result<u64> {
    Ok(std::fs::metadata(format!("/proc/{pid}/ns/pid"))?.ino())
}

/// Whether the PID namespace of `pid` is the namespace `ns` or one nested in it (WebKit's
/// sandbox makes its own inside a session's unit): walks up with `NS_GET_PARENT`, which stops
/// at the namespace guichetd is in (`EPERM`).
pub fn pid_ns_within(pid: Pid, ns: u64) -> io::Result<bool> {
    // <linux/nsfs.h>: NS_GET_PARENT = _IO(0xb7, 0x2).
    const NS_GET_PARENT: libc::c_ulong = 0xb702;
    let mut current: OwnedFd = File::open(format!("/proc/{pid}/ns/pid"))?.into();
    // Namespaces nest at most 32 deep.
    for _ in 0..33 {
        if nix::sys::stat::fstat(&current)?.st_ino == ns {
            return Ok(true);
        }
        // SAFETY: `current` is an open namespace descriptor; NS_GET_PARENT takes no argument
        // and returns a new descriptor or -1.
        let parent = unsafe { libc::ioctl(current.as_raw_fd(), NS_GET_PARENT as _) };
        if parent < 0 {
            let err = io::Error::last_os_error();
            return match err.raw_os_error() {
                // Above our own namespace, or not a hierarchical one: not inside `ns`.
                Some(libc::EPERM) | Some(libc::ENOTTY) => Ok(false),
                _ => Err(err),
            };
        }
        // SAFETY: `parent` was just returned by the kernel, is open and owned by nobody else.
        current = unsafe { OwnedFd::from_raw_fd(parent) };
    }
    Ok(false)
}

/// Raises the soft limit on open descriptors to the hard limit; returns the new soft limit.
pub fn raise_nofile_limit() -> io::Result<u64> {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE)?;
    if soft < hard {
        setrlimit(Resource::RLIMIT_NOFILE, hard, hard)?;
    }
    Ok(getrlimit(Resource::RLIMIT_NOFILE)?.0)
}
