//! Starting a view process, reaping children, and the few raw system calls guichetd needs.
//!
//! A view runs with a cleared environment plus [`SessionDir::confined_env`], in its own process
//! group (so [`crate::wipe`] can kill it and every WebKit child at once), with
//! `PR_SET_PDEATHSIG` (SIGKILL) so that it dies with guichetd. guichetd itself is a child
//! subreaper ([`become_subreaper`]): a WebKit process whose parent died is re-parented to
//! guichetd, not to init, and cannot escape the wipe.
//!
//! Every `unsafe` block of the supervisor lives in this module, each with a `// SAFETY:` line.

use std::ffi::OsString;
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{ChildStdin, ChildStdout, Command, Stdio};

use nix::sys::signal::Signal;
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::{Gid, Pid};

use crate::sessiondir::SessionDir;

/// A view's process id, which is also its process group id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ViewPid(pub Pid);

impl ViewPid {
    pub fn pid(self) -> Pid {
        self.0
    }
}

impl std::fmt::Display for ViewPid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A started view: its pid (= process group) and the two protocol pipes.
#[derive(Debug)]
pub struct Spawned {
    pub pid: ViewPid,
    pub stdin: ChildStdin,
    pub stdout: ChildStdout,
}

/// Starts `binary --session-dir DIR --config PATH [extra…]` hidden, confined to `session`.
///
/// Must be called from the thread that lives as long as guichetd (the main thread): the
/// parent-death signal fires when the *thread* that forked exits.
pub fn spawn_view(
    binary: &Path,
    session: &SessionDir,
    config: &Path,
    display: &[(&str, OsString)],
    extra_args: &[OsString],
) -> io::Result<Spawned> {
    let parent = nix::unistd::getpid();
    let mut cmd = Command::new(binary);
    cmd.arg("--session-dir")
        .arg(session.root())
        .arg("--config")
        .arg(config)
        .args(extra_args)
        .env_clear()
        .envs(session.confined_env(display))
        .current_dir(session.home())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .process_group(0);
    // SAFETY: the closure runs in the forked child before exec and only makes async-signal-safe
    // system calls (sigemptyset, sigprocmask, prctl, getppid, _exit) on a stack-local sigset;
    // it allocates nothing and never returns an error through `?`: on failure it exits.
    unsafe {
        cmd.pre_exec(move || {
            // guichetd blocks the signals its loop waits for; the view must get them.
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
            // guichetd died between fork and prctl: do not outlive it.
            if libc::getppid() != parent.as_raw() {
                libc::_exit(127);
            }
            Ok(())
        });
    }
    let mut child = cmd.spawn()?;
    let pid = ViewPid(Pid::from_raw(child.id() as i32));
    let stdin = child.stdin.take().expect("stdin is piped");
    let stdout = child.stdout.take().expect("stdout is piped");
    // The Child handle is dropped without waiting: guichetd reaps with waitpid (see `reap`).
    Ok(Spawned { pid, stdin, stdout })
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
pub fn reap_any() -> Vec<(Pid, Exit)> {
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
pub fn peer_groups(sock: &impl AsRawFd) -> io::Result<Vec<Gid>> {
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
