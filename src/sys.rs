//! The daemon's raw system calls: the child's set-up before exec, reaping, peer credentials.
//!
//! Everything here is libc or nix process and socket plumbing that guichetd needs and that no
//! safe wrapper covers as it must be used: what a forked child does before `exec`
//! ([`confine_child`]), the child-subreaper flag, non-blocking reaping, and the supplementary
//! groups of a socket peer. This is one of the two modules where `unsafe` is allowed (the
//! other is `view::ffi`); each block says why it is sound.

use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::process::Command;

use nix::sys::signal::Signal;
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::{Gid, Pid};

/// Makes the child of `cmd`, between fork and exec: unblock every signal (guichetd blocks the
/// ones its loop waits for), die with SIGKILL when guichetd dies (`PR_SET_PDEATHSIG`), and exit
/// at once if guichetd already died between fork and `prctl`.
///
/// The parent-death signal fires when the *thread* that forked exits: spawn from the thread
/// that lives as long as guichetd.
pub(crate) fn confine_child(cmd: &mut Command) {
    let parent = nix::unistd::getpid();
    // SAFETY: the closure runs in the forked child before exec and only makes async-signal-safe
    // system calls (sigemptyset, sigprocmask, prctl, getppid, _exit) on a stack-local sigset;
    // it allocates nothing and never returns an error through `?`: on failure it exits.
    unsafe {
        cmd.pre_exec(move || {
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
