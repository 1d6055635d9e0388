//! Wiping a session: kill its processes, reap them, delete its directory, verify.
//!
//! 1. [`end_processes`]: SIGTERM to the view's process group and to every descendant found in
//!    `/proc` (a WebKit child that left the group is still a descendant), SIGKILL after a short
//!    grace, reap every one of them (guichetd is a child subreaper, so orphans come to it).
//! 2. [`delete_tree`]: walk the directory by file descriptors (`openat` with `O_NOFOLLOW`,
//!    `unlinkat`), never following a symlink and never crossing into another mount: a symlink
//!    to `/etc` is removed as a link, a fifo is unlinked without being opened, read-only
//!    directories are made writable first (they are the session's own), a mount point inside
//!    the session is an error rather than something to empty.
//! 3. Verify the directory is gone.
//!
//! Every failure is a [`WipeError`]; the supervisor turns it into `OutOfOrder`. Error texts
//! never contain a file name (a download's name is the person's data), only the session id.

use std::ffi::{CStr, CString, OsStr};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use nix::dir::Dir;
use nix::errno::Errno;
use nix::fcntl::{openat, OFlag, AT_FDCWD};
use nix::sys::signal::{kill, killpg, Signal};
use nix::sys::stat::{fchmod, fchmodat, fstat, fstatat, FchmodatFlags, Mode, SFlag};
use nix::unistd::{unlinkat, Pid, UnlinkatFlags};

use crate::sessiondir::SESSIONS;
use crate::spawn::{reap, ViewPid};

/// Time a view gets to exit after SIGTERM before SIGKILL.
pub const GRACE: Duration = Duration::from_millis(300);
/// Time after SIGKILL before processes count as unkillable.
const KILL_LIMIT: Duration = Duration::from_secs(3);
/// Deepest directory nesting walked; WebKit profiles are shallow.
const MAX_DEPTH: usize = 256;

/// Why a wipe failed. Never names a file.
#[derive(Debug, thiserror::Error)]
pub enum WipeError {
    #[error("{0} process(es) of the session survived SIGKILL")]
    Unkillable(usize),
    #[error("session {session}: the session directory is a symlink, not a directory")]
    RootIsSymlink { session: String },
    #[error("session {session}: a filesystem is mounted inside the session directory")]
    MountInside { session: String },
    #[error("session {session}: deeper than {MAX_DEPTH} directories")]
    TooDeep { session: String },
    #[error("session {session}: cannot {what}: {errno}")]
    Sys {
        session: String,
        what: &'static str,
        errno: Errno,
    },
    #[error("session {session}: the directory still exists after deletion")]
    StillThere { session: String },
    /// The kiosk user's print jobs (when printing is configured) could not be wiped.
    #[error(transparent)]
    PrintJobs(#[from] crate::printjobs::PrintWipeError),
}

/// What a successful wipe did, for the log.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WipeReport {
    /// Processes killed and reaped.
    pub processes: usize,
    /// Directory entries deleted.
    pub entries: u64,
    pub kill_time: Duration,
    pub delete_time: Duration,
}

impl WipeReport {
    pub fn total(&self) -> Duration {
        self.kill_time + self.delete_time
    }
}

/// Kills and reaps the view `pid` (its group and every descendant); returns how many processes.
pub fn end_processes(pid: ViewPid, grace: Duration) -> Result<usize, WipeError> {
    let pgid = pid.pid();
    let mut targets = descendants(pgid);
    targets.retain(|p| *p != pgid);
    let count = 1 + targets.len();
    let _ = killpg(pgid, Signal::SIGTERM);
    for p in &targets {
        let _ = kill(*p, Signal::SIGTERM);
    }
    let start = Instant::now();
    let mut killed = false;
    loop {
        reap(Pid::from_raw(-pgid.as_raw()));
        for p in &targets {
            reap(*p);
        }
        // Orphans adopted from the group that are no longer in it.
        targets.extend(adopted_from(pgid, &targets));
        let group_alive = killpg(pgid, None) != Err(Errno::ESRCH);
        let alive: Vec<Pid> = targets.iter().copied().filter(|p| exists(*p)).collect();
        if !group_alive && alive.is_empty() {
            return Ok(count);
        }
        let waited = start.elapsed();
        if !killed && waited >= grace {
            killed = true;
            let _ = killpg(pgid, Signal::SIGKILL);
            for p in &alive {
                let _ = kill(*p, Signal::SIGKILL);
            }
        }
        if waited >= grace + KILL_LIMIT {
            return Err(WipeError::Unkillable(
                alive.len() + usize::from(group_alive),
            ));
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Kills, reaps and deletes one session; the whole wipe.
pub fn wipe_session(pid: Option<ViewPid>, dir: &Path) -> Result<WipeReport, WipeError> {
    let t0 = Instant::now();
    let processes = match pid {
        Some(pid) => end_processes(pid, GRACE)?,
        None => 0,
    };
    let kill_time = t0.elapsed();
    let t1 = Instant::now();
    let entries = delete_tree(dir)?;
    Ok(WipeReport {
        processes,
        entries,
        kill_time,
        delete_time: t1.elapsed(),
    })
}

/// At start: kills processes left from a previous run in `runtime/sessions/` and deletes
/// every leftover there. Returns how many leftovers were wiped.
pub fn wipe_leftovers(runtime: &Path) -> Result<usize, WipeError> {
    let sessions = runtime.join(SESSIONS);
    let entries = match std::fs::read_dir(&sessions) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => {
            return Err(sys_err(
                "(leftovers)",
                "list the sessions folder",
                Errno::from_raw(e.raw_os_error().unwrap_or(libc::EIO)),
            ))
        }
    };
    let leftovers: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    if leftovers.is_empty() {
        return Ok(0);
    }
    kill_processes_under(&sessions);
    for dir in &leftovers {
        delete_tree(dir)?;
    }
    Ok(leftovers.len())
}

/// Deletes `root` and everything below it without following symlinks or crossing mounts,
/// then checks it is gone. Returns the number of entries deleted.
pub fn delete_tree(root: &Path) -> Result<u64, WipeError> {
    let session = session_name(root);
    let err = |what, errno| sys_err(&session, what, errno);
    let meta = match std::fs::symlink_metadata(root) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(err("inspect", io_errno(&e))),
    };
    let name = c_name(root.file_name().unwrap_or_default());
    let parent = root.parent().unwrap_or(Path::new("/"));
    let parent_fd = openat(
        AT_FDCWD,
        parent,
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| err("open the sessions folder", e))?;
    let mut entries = 0;
    if meta.file_type().is_symlink() {
        return Err(WipeError::RootIsSymlink { session });
    }
    if meta.is_dir() {
        if mounts_under(root) {
            return Err(WipeError::MountInside { session });
        }
        let fd = open_dir(&parent_fd, &name).map_err(|e| err("open the session directory", e))?;
        let dev = fstat(&fd).map_err(|e| err("inspect", e))?.st_dev;
        let mut walk = Walk {
            session: &session,
            dev,
            entries: 0,
        };
        walk.empty(fd, 0)?;
        entries = walk.entries;
        unlinkat(&parent_fd, name.as_c_str(), UnlinkatFlags::RemoveDir)
            .map_err(|e| err("remove the session directory", e))?;
    } else {
        unlinkat(&parent_fd, name.as_c_str(), UnlinkatFlags::NoRemoveDir)
            .map_err(|e| err("remove a leftover file", e))?;
    }
    match std::fs::symlink_metadata(root) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(entries + 1),
        _ => Err(WipeError::StillThere { session }),
    }
}

struct Walk<'a> {
    session: &'a str,
    dev: u64,
    entries: u64,
}

impl Walk<'_> {
    fn err(&self, what: &'static str, errno: Errno) -> WipeError {
        sys_err(self.session, what, errno)
    }

    /// Deletes everything inside the directory `fd` (consumed).
    fn empty(&mut self, fd: OwnedFd, depth: usize) -> Result<(), WipeError> {
        if depth > MAX_DEPTH {
            return Err(WipeError::TooDeep {
                session: self.session.to_owned(),
            });
        }
        let st = fstat(&fd).map_err(|e| self.err("inspect a directory", e))?;
        if st.st_dev != self.dev {
            return Err(WipeError::MountInside {
                session: self.session.to_owned(),
            });
        }
        // A read-only directory of the session: make it ours to empty.
        if st.st_mode & 0o700 != 0o700 {
            fchmod(&fd, Mode::S_IRWXU).map_err(|e| self.err("make a directory writable", e))?;
        }
        let mut dir = Dir::from_fd(fd).map_err(|e| self.err("read a directory", e))?;
        let mut names: Vec<CString> = Vec::new();
        for entry in dir.iter() {
            let entry = entry.map_err(|e| self.err("read a directory", e))?;
            let n = entry.file_name();
            if n != c"." && n != c".." {
                names.push(n.to_owned());
            }
        }
        for name in names {
            let st = fstatat(
                &dir,
                name.as_c_str(),
                nix::fcntl::AtFlags::AT_SYMLINK_NOFOLLOW,
            )
            .map_err(|e| self.err("inspect an entry", e))?;
            if SFlag::from_bits_truncate(st.st_mode) & SFlag::S_IFMT == SFlag::S_IFDIR {
                if st.st_dev != self.dev {
                    return Err(WipeError::MountInside {
                        session: self.session.to_owned(),
                    });
                }
                let sub = match open_dir(&dir, &name) {
                    Err(Errno::EACCES) => {
                        // Not even readable (mode 000). Checked above to be a directory, not
                        // a symlink, of this session.
                        fchmodat(
                            &dir,
                            name.as_c_str(),
                            Mode::S_IRWXU,
                            FchmodatFlags::FollowSymlink,
                        )
                        .map_err(|e| self.err("make a directory readable", e))?;
                        open_dir(&dir, &name)
                    }
                    other => other,
                }
                .map_err(|e| self.err("open a directory", e))?;
                self.empty(sub, depth + 1)?;
                unlinkat(&dir, name.as_c_str(), UnlinkatFlags::RemoveDir)
                    .map_err(|e| self.err("remove a directory", e))?;
            } else {
                // Files, symlinks, fifos, sockets, devices: unlinked, never opened.
                unlinkat(&dir, name.as_c_str(), UnlinkatFlags::NoRemoveDir)
                    .map_err(|e| self.err("delete a file", e))?;
            }
            self.entries += 1;
        }
        Ok(())
    }
}

fn open_dir(dir: &impl AsFd, name: &CStr) -> nix::Result<OwnedFd> {
    openat(
        dir,
        name,
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
}

fn sys_err(session: &str, what: &'static str, errno: Errno) -> WipeError {
    WipeError::Sys {
        session: session.to_owned(),
        what,
        errno,
    }
}

fn io_errno(e: &std::io::Error) -> Errno {
    Errno::from_raw(e.raw_os_error().unwrap_or(libc::EIO))
}

fn c_name(name: &OsStr) -> CString {
    CString::new(name.as_bytes()).unwrap_or_default()
}

/// The session id (the directory's name), safe to log.
fn session_name(root: &Path) -> String {
    root.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Whether anything is mounted at or below `root` (bind mounts share the device number, so
/// `st_dev` alone does not see them).
fn mounts_under(root: &Path) -> bool {
    let Ok(info) = std::fs::read_to_string("/proc/self/mountinfo") else {
        return true;
    };
    let root = root.as_os_str().as_bytes();
    info.lines().any(|line| {
        let Some(mp) = line.split(' ').nth(4) else {
            return false;
        };
        let mp = unescape_mount(mp);
        mp == root || (mp.starts_with(root) && mp.get(root.len()) == Some(&b'/'))
    })
}

/// Undoes the octal escapes (`\040`) of `/proc/self/mountinfo`.
fn unescape_mount(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 4 <= b.len() {
            if let Some(v) = s
                .get(i + 1..i + 4)
                .and_then(|o| u8::from_str_radix(o, 8).ok())
            {
                out.push(v);
                i += 4;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// One process as `/proc/<pid>/stat` describes it.
struct ProcStat {
    pid: Pid,
    ppid: Pid,
    pgrp: Pid,
}

fn proc_stats() -> Vec<ProcStat> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| {
        let e = e.ok()?;
        let pid: i32 = e.file_name().to_str()?.parse().ok()?;
        let stat = std::fs::read_to_string(e.path().join("stat")).ok()?;
        let rest = &stat[stat.rfind(')')? + 1..];
        let mut f = rest.split_whitespace().skip(1);
        let ppid = f.next()?.parse().ok()?;
        let pgrp = f.next()?.parse().ok()?;
        Some(ProcStat {
            pid: Pid::from_raw(pid),
            ppid: Pid::from_raw(ppid),
            pgrp: Pid::from_raw(pgrp),
        })
    })
    .collect()
}

/// The members of process group `pgid` and all their descendants.
fn descendants(pgid: Pid) -> Vec<Pid> {
    let all = proc_stats();
    let mut found: Vec<Pid> = all
        .iter()
        .filter(|p| p.pgrp == pgid || p.pid == pgid)
        .map(|p| p.pid)
        .collect();
    let mut i = 0;
    while i < found.len() {
        let parent = found[i];
        for p in &all {
            if p.ppid == parent && !found.contains(&p.pid) {
                found.push(p.pid);
            }
        }
        i += 1;
    }
    found
}

/// Our adopted children that descend from the dying group but are not tracked yet.
fn adopted_from(pgid: Pid, known: &[Pid]) -> Vec<Pid> {
    descendants(pgid)
        .into_iter()
        .filter(|p| *p != pgid && !known.contains(p))
        .collect()
}

fn exists(pid: Pid) -> bool {
    kill(pid, None) != Err(Errno::ESRCH)
}

/// Kills (SIGKILL) every process whose environment points inside `sessions` (left from a
/// guichetd that was killed), and reaps those that are our children.
fn kill_processes_under(sessions: &Path) {
    let me = nix::unistd::getpid();
    let mut needle = sessions.as_os_str().as_bytes().to_vec();
    needle.push(b'/');
    for p in proc_stats() {
        if p.pid == me {
            continue;
        }
        let Ok(env) = std::fs::read(format!("/proc/{}/environ", p.pid)) else {
            continue;
        };
        let inside = env.split(|b| *b == 0).any(|var| {
            var.iter()
                .position(|b| *b == b'=')
                .is_some_and(|eq| var[eq + 1..].starts_with(&needle))
        });
        if inside {
            let _ = kill(p.pid, Signal::SIGKILL);
            reap(p.pid);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mountinfo_escapes_are_undone() {
        assert_eq!(unescape_mount(r"/a\040b"), b"/a b");
        assert_eq!(unescape_mount("/plain"), b"/plain");
        assert_eq!(unescape_mount(r"/end\"), b"/end\\");
    }
}
