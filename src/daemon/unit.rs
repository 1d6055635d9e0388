//! A session's containment unit: one PID namespace and one mount namespace per view, made by
//! bubblewrap, ended as a whole by the wipe.
//!
//! **The unit is a PID namespace.** `bwrap --unshare-pid` makes its first child (bubblewrap's
//! own small init) process 1 of a new PID namespace, and the view runs under it. When that init
//! dies the kernel kills every process left in the namespace and in the namespaces nested in
//! it (WebKit's web-process sandbox makes its own), whatever they did: double fork, `setsid`,
//! ignoring SIGTERM, re-forking on a timer. So the wipe kills the init (by pidfd) and then
//! checks `/proc` until no process of the namespace is alive ([`crate::daemon::wipe`]). A
//! cgroup v2 killed with `cgroup.kill` would do the same job; the PID namespace was chosen
//! because it needs no delegated cgroup tree from systemd and works where the test machines run
//! (cgroup v1, no `cgroup.kill`), while a bookworm terminal has cgroup v2 either way.
//!
//! The chain of parent-death signals ends a unit when guichetd dies, even by SIGKILL: guichetd
//! → bubblewrap's monitor (`PR_SET_PDEATHSIG`, [`crate::sys::confine_child`]) → the namespace's
//! init (`--die-with-parent`) → everything in the namespace. At start, guichetd also ends any
//! unit of its runtime dir left from before ([`crate::daemon::wipe::wipe_leftovers`]): a unit's
//! init is a namespace's process 1 whose command line names a session directory of this runtime
//! ([`is_unit_init`]).
//!
//! **The mount namespace** (`mounts.rs`) shows the view `/usr`, `/etc` (with `/etc/guichet`
//! hidden under an empty tmpfs), the merged-usr links, the font caches and the parts of `/sys`
//! WebKit's sandbox binds, all read-only; a fresh `/proc` and a minimal `/dev` (plus `/dev/dri`
//! when present); `/tmp`, `/run`, `/var`, `/dev/shm` as empty tmpfs mounted read-only; and
//! binds only what the view needs: under Wayland the compositor's socket alone, into the
//! session's runtime folder where WebKit's own sandbox finds it (no X11, so nothing in the unit
//! reaches Xwayland), else the X11 socket folder and `XAUTHORITY` file, read-only; the view
//! binary; and its session directory, read-write — the only writable place. The control socket, the statistics, the other sessions and the rest of
//! `/run` and `/tmp` do not exist there. WebKit needs no writable `/dev/shm`: its shared memory
//! is `memfd`. The unit also has its own user, IPC, UTS and (where possible) cgroup namespaces
//! and no capabilities; it keeps the network namespace, since the view needs the network and
//! the X server's abstract socket.
//!
//! **WebKit's own sandbox** runs inside: `WEBKIT_FORCE_SANDBOX=1` in the view's environment
//! makes every WebKit context of the view (the toolbar's, which wry creates and loads inside
//! its builder, and the content view's) start its web processes under bubblewrap with a seccomp
//! filter. Calling `webkit_web_context_set_sandbox_enabled` instead is not possible in time:
//! wry gives no access to a context before its first web process starts, and WebKit aborts if
//! it is called after. Nesting needs an unprivileged user: when guichetd runs as root, the unit
//! runs as `nobody` ([`unit_user`]); as root, WebKit's bubblewrap fails inside the unit ("Can't
//! mount proc on /newroot/proc: Operation not permitted": running with root's capabilities,
//! the outer bubblewrap covers `/proc/sys` and friends, and the kernel then refuses a new proc
//! mount in a nested user namespace; with the capabilities dropped, "setting up uid map:
//! Operation not permitted": mapping uid 0 needs `CAP_SETFCAP`).

use std::ffi::OsString;
use std::io::{self, Read};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::time::{Duration, Instant};

use nix::unistd::{Gid, Pid, Uid, User};
use serde::Deserialize;

use crate::sessiondir::{SessionDir, SESSIONS};
use crate::sys::PidFd;

/// bubblewrap, as Debian installs it (`packaging/dev-deps.sh`).
pub const BWRAP: &str = "/usr/bin/bwrap";

/// How long bubblewrap may take to report its namespace's init.
const INFO_TIMEOUT: Duration = Duration::from_secs(10);

/// The process guichetd started for a view (bubblewrap's monitor, or the view itself without
/// containment): its child, which it reaps, and the leader of its own process group.
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

/// How a view is contained.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Containment {
    /// A containment unit per view (production).
    #[default]
    Unit,
    /// TESTS ONLY (`guichetd --unsafe-no-containment`): the view runs as guichetd's child in
    /// its own process group, as before issue 9, without WebKit's sandbox; the escape tests
    /// show what it lets through.
    Off,
}

/// A running view's unit: what the wipe ends.
#[derive(Debug)]
pub struct Unit {
    /// The process guichetd started (bubblewrap's monitor, or the view when not contained):
    /// guichetd's child, reaped by it, its exit is the view's.
    pub leader: ViewPid,
    /// The PID namespace, when contained.
    pub ns: Option<UnitNs>,
}

/// The PID namespace of a unit.
#[derive(Debug)]
pub struct UnitNs {
    /// Its process 1 (bubblewrap's init), as guichetd sees it.
    pub init: Pid,
    /// Its identity: the inode of `/proc/<pid>/ns/pid` of every process in it.
    pub inode: u64,
    /// A handle on the init; `None` if it was gone already when the unit was recorded.
    pub pidfd: Option<PidFd>,
}

/// What bubblewrap writes on `--info-fd` once the namespace's init exists.
#[derive(Deserialize)]
struct Info {
    #[serde(rename = "child-pid")]
    child_pid: i32,
    #[serde(rename = "pid-namespace")]
    pid_namespace: Option<u64>,
}

/// Reads bubblewrap's report on `info` and records the unit whose monitor is `leader`.
pub(crate) fn record(leader: ViewPid, info: OwnedFd) -> io::Result<Unit> {
    let info = read_info(info)?;
    let init = Pid::from_raw(info.child_pid);
    let inode = match info.pid_namespace {
        Some(inode) => inode,
        None => crate::sys::pid_ns(init)?,
    };
    Ok(Unit {
        leader,
        ns: Some(UnitNs {
            init,
            inode,
            pidfd: PidFd::open(init).ok(),
        }),
    })
}

fn read_info(fd: OwnedFd) -> io::Result<Info> {
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    let deadline = Instant::now() + INFO_TIMEOUT;
    let mut file = std::fs::File::from(fd);
    let mut buf = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let ms = u16::try_from(left.as_millis()).unwrap_or(u16::MAX);
        let mut fds = [PollFd::new(file.as_fd(), PollFlags::POLLIN)];
        if poll(&mut fds, PollTimeout::from(ms))? == 0 {
            return Err(io::Error::other(
                "bubblewrap did not report its namespace in time",
            ));
        }
        let mut chunk = [0u8; 512];
        let n = file.read(&mut chunk)?;
        if n == 0 {
            return Err(io::Error::other(
                "the containment unit did not start (bubblewrap exited; are unprivileged user \
                 namespaces enabled?)",
            ));
        }
        buf.extend_from_slice(&chunk[..n]);
        if buf.len() > 4096 {
            return Err(io::Error::other("bubblewrap's report is too long"));
        }
        if let Ok(info) = serde_json::from_slice::<Info>(&buf) {
            return Ok(info);
        }
    }
}

/// Who the unit runs as: `None` for guichetd's own user (production: the kiosk user); when
/// guichetd runs as root, `nobody`, so that nothing of a session runs as root and WebKit's
/// sandbox can nest (see the module docs).
pub(crate) fn unit_user() -> io::Result<Option<(Uid, Gid)>> {
    if !Uid::effective().is_root() {
        return Ok(None);
    }
    match User::from_name("nobody") {
        Ok(Some(u)) => Ok(Some((u.uid, u.gid))),
        _ => Err(io::Error::other(
            "guichetd runs as root and there is no user \"nobody\" to run the sessions as",
        )),
    }
}

/// Gives the unit its own copy of the `XAUTHORITY` file when guichetd runs as root: a file
/// in the session directory (handed over to the unit's user with it), and `XAUTHORITY`
/// pointing there. The unit's user may not read root's file (`0600`), and a copy bubblewrap
/// makes from a descriptor (`--ro-bind-data`) cannot be bound again by WebKit's sandbox inside
/// the unit. A file guichetd cannot read is left as it is (bound in, if it exists).
pub(crate) fn copy_xauthority(
    session: &SessionDir,
    display: &mut [(&'static str, OsString)],
) -> io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    for (key, value) in display.iter_mut() {
        if *key != "XAUTHORITY" || !Path::new(value).is_absolute() {
            continue;
        }
        let mut bytes = Vec::new();
        let Ok(file) = std::fs::File::open(&value) else {
            continue;
        };
        // An X authority file holds a few cookies.
        file.take(1 << 20).read_to_end(&mut bytes)?;
        let copy = session.root().join("xauthority");
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&copy)?
            .write_all(&bytes)?;
        *value = copy.into_os_string();
    }
    Ok(())
}

/// Gives a fresh session directory (and what guichetd put in it) to `user`. The unit's user
/// needs no way to the directory from outside (its parents may be closed to it, as
/// `/run/user/0` is): the child of guichetd that starts bubblewrap binds it in as root
/// ([`crate::sys::Staging`]).
pub(crate) fn hand_over(session: &SessionDir, (uid, gid): (Uid, Gid)) -> io::Result<()> {
    let chown = |p: &Path| {
        nix::unistd::fchownat(
            nix::fcntl::AT_FDCWD,
            p,
            Some(uid),
            Some(gid),
            nix::fcntl::AtFlags::AT_SYMLINK_NOFOLLOW,
        )
    };
    chown(session.root())?;
    for entry in std::fs::read_dir(session.root())? {
        chown(&entry?.path())?;
    }
    Ok(())
}

/// Whether the process whose `/proc/<pid>/status` and `/proc/<pid>/cmdline` are given is the
/// init of a unit of the runtime dir `runtime`: process 1 of a PID namespace nested in
/// guichetd's (`NSpid` ends in 1), whose command line binds a directory of
/// `runtime/sessions/`.
pub(crate) fn is_unit_init(status: &str, cmdline: &[u8], runtime: &Path) -> bool {
    let nspid: Vec<&str> = status
        .lines()
        .find_map(|l| l.strip_prefix("NSpid:"))
        .map(|v| v.split_whitespace().collect())
        .unwrap_or_default();
    if nspid.len() < 2 || nspid.last() != Some(&"1") {
        return false;
    }
    let mut prefix = runtime.join(SESSIONS).as_os_str().as_bytes().to_vec();
    prefix.push(b'/');
    cmdline
        .split(|b| *b == 0)
        .any(|arg| arg.len() > prefix.len() && arg.starts_with(&prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unit_init_is_a_namespace_init_naming_a_session_of_this_runtime() {
        let runtime = Path::new("/run/guichet");
        let cmd = b"bwrap\0--bind\0/run/guichet/sessions/ab12\0/run/guichet/sessions/ab12\0";
        let init = "Name:\tbwrap\nNSpid:\t4242\t1\n";
        assert!(is_unit_init(init, cmd, runtime));
        // Not an init, or not nested: not a unit's init.
        assert!(!is_unit_init("NSpid:\t4242\t2\n", cmd, runtime));
        assert!(!is_unit_init("NSpid:\t1\n", cmd, runtime));
        // Another runtime, or the sessions folder itself.
        assert!(!is_unit_init(init, cmd, Path::new("/run/other")));
        assert!(!is_unit_init(
            init,
            b"bwrap\0/run/guichet/sessions/\0",
            runtime
        ));
        assert!(!is_unit_init(
            init,
            b"bwrap\0/run/guichet/sessionsX/a\0",
            runtime
        ));
    }
}
