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

use std::ffi::CString;
use std::fs::File;
use std::io;
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::process::Command;

use nix::sys::signal::Signal;
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::{Gid, Pid};

/// What the child of a view started as root does before it becomes the unit's user: it gets
/// its own mount namespace (a slave of the machine's, so nothing it mounts shows outside),
/// covers `/tmp` there with an empty tmpfs, and binds every `(source, stage)` pair onto
/// `stage` (under `/tmp`), then drops to `uid`/`gid`. bubblewrap, running as that user, then
/// binds the stage points into the unit: it resolves its sources as its own user, and could
/// not reach a source under a folder closed to it (a checkout in root's `0700` home, a runtime
/// dir under `/run/user/0`). Its `--bind-fd` does not help there: it turns the descriptor back
/// into a path with `realpath` as the unprivileged user and fails the same way.
pub(crate) struct Staging {
    pub binds: Vec<(CString, CString)>,
    pub uid: libc::uid_t,
    pub gid: libc::gid_t,
}

/// Where [`Staging`] mounts its tmpfs (in the child's own mount namespace only).
pub(crate) const STAGE_DIR: &str = "/tmp";

impl Staging {
    pub fn new(
        binds: &[(std::path::PathBuf, std::path::PathBuf)],
        uid: libc::uid_t,
        gid: libc::gid_t,
    ) -> io::Result<Staging> {
        use std::os::unix::ffi::OsStrExt;
        let c = |p: &std::path::Path| {
            CString::new(p.as_os_str().as_bytes()).map_err(|_| io::Error::other("a NUL in a path"))
        };
        let binds = binds
            .iter()
            .map(|(source, stage)| Ok((c(source)?, c(stage)?)))
            .collect::<io::Result<_>>()?;
        Ok(Staging { binds, uid, gid })
    }
}

/// Makes the child of `cmd`, between fork and exec: unblock every signal (guichetd blocks the
/// ones its loop waits for), die with SIGKILL when guichetd dies (`PR_SET_PDEATHSIG`), and exit
/// at once if guichetd already died between fork and `prctl`. No descriptor of guichetd's
/// beyond stdin, stdout and stderr reaches the program (even one guichetd inherited without
/// close-on-exec) but `inherit`, when given: a descriptor the program must receive
/// (bubblewrap's `--info-fd`), opened close-on-exec in guichetd so that no other child gets
/// it, the flag cleared in this child only. With `staging` (guichetd runs as root), the child
/// also stages the unit's binds and becomes the unit's user ([`Staging`]); the descriptors it
/// opens for that are close-on-exec and closed before the exec.
///
/// The parent-death signal fires when the *thread* that forked exits: spawn from the thread
/// that lives as long as guichetd. The user and group are changed (by `std`'s `Command::uid`
/// before this runs, or here by `staging`) before `prctl`, so the signal set here survives the
/// change (a credential change clears it).
pub(crate) fn confine_child(cmd: &mut Command, inherit: Option<RawFd>, staging: Option<Staging>) {
    let parent = nix::unistd::getpid();
    // One slot per staged bind, filled in the child (no allocation after the fork).
    let mut fds: Vec<libc::c_int> = vec![-1; staging.as_ref().map_or(0, |s| s.binds.len())];
    // SAFETY: the closure runs in the forked child before exec and only makes async-signal-safe
    // system calls (close_range, fcntl, unshare, mount, open, fstat, mkdir, close, setgroups,
    // setgid, setuid, sigemptyset, sigprocmask, prctl, getppid, _exit) on stack-local buffers,
    // the C strings built before the fork and the `fds` slots allocated before it; it
    // allocates nothing and never returns an error through `?`: on failure it exits.
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
            if let Some(s) = &staging {
                stage_in_child(s, &mut fds);
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

/// [`Staging`], in the forked child: exits on any failure but a missing source (left out, so
/// that bubblewrap skips its `-try` bind or reports the missing stage point).
/// Only for the forked child before exec (it changes the mount namespace and user of the
/// calling process); `fds` has one slot per bind.
fn stage_in_child(s: &Staging, fds: &mut [libc::c_int]) {
    // SAFETY: plain system calls on C strings built before the fork (NUL-terminated, alive
    // for the call), a stack-local `stat` and path buffer, and descriptors opened here; no
    // allocation, no lock (async-signal-safe after fork).
    unsafe {
        let fail = || libc::_exit(127);
        if libc::unshare(libc::CLONE_NEWNS) != 0 {
            fail();
        }
        let root = c"/";
        if libc::mount(
            std::ptr::null(),
            root.as_ptr(),
            std::ptr::null(),
            libc::MS_REC | libc::MS_SLAVE,
            std::ptr::null(),
        ) != 0
        {
            fail();
        }
        // Open every source before /tmp is covered (a source may live under it), in this mount
        // namespace (a bind's source must be in the caller's).
        for (slot, (source, _)) in fds.iter_mut().zip(&s.binds) {
            *slot = libc::open(source.as_ptr(), libc::O_PATH | libc::O_CLOEXEC);
        }
        let tmpfs = c"tmpfs";
        let stage_dir = c"/tmp";
        let mode = c"mode=0755";
        if libc::mount(
            tmpfs.as_ptr(),
            stage_dir.as_ptr(),
            tmpfs.as_ptr(),
            libc::MS_NOSUID | libc::MS_NODEV,
            mode.as_ptr().cast(),
        ) != 0
        {
            fail();
        }
        for (fd, (_, point)) in fds.iter().zip(&s.binds) {
            if *fd < 0 {
                continue;
            }
            let mut st: libc::stat = std::mem::zeroed();
            if libc::fstat(*fd, &mut st) != 0 {
                fail();
            }
            if st.st_mode & libc::S_IFMT == libc::S_IFDIR {
                if libc::mkdir(point.as_ptr(), 0o755) != 0 {
                    fail();
                }
            } else {
                let f = libc::open(
                    point.as_ptr(),
                    libc::O_CREAT | libc::O_EXCL | libc::O_WRONLY | libc::O_CLOEXEC,
                    0o644,
                );
                if f < 0 {
                    fail();
                }
                libc::close(f);
            }
            let mut link = [0u8; 32];
            proc_fd_path(*fd, &mut link);
            if libc::mount(
                link.as_ptr().cast(),
                point.as_ptr(),
                std::ptr::null(),
                libc::MS_BIND | libc::MS_REC,
                std::ptr::null(),
            ) != 0
            {
                fail();
            }
            libc::close(*fd);
        }
        if libc::setgroups(0, std::ptr::null()) != 0
            || libc::setgid(s.gid) != 0
            || libc::setuid(s.uid) != 0
        {
            fail();
        }
    }
}

/// Writes `/proc/self/fd/<fd>` and a NUL into `buf`, without allocating.
fn proc_fd_path(fd: libc::c_int, buf: &mut [u8; 32]) {
    let prefix = b"/proc/self/fd/";
    buf[..prefix.len()].copy_from_slice(prefix);
    let mut digits = [0u8; 10];
    let mut n = fd.unsigned_abs();
    let mut len = 0;
    loop {
        digits[len] = b'0' + (n % 10) as u8;
        len += 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for i in 0..len {
        buf[prefix.len() + i] = digits[len - 1 - i];
    }
    buf[prefix.len() + len] = 0;
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
