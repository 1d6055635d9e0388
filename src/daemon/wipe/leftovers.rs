//! Leftovers of a previous run (power loss, crash, kill -9 of guichetd), wiped at start.
//!
//! Before the first session, whether or not a session directory was left:
//! 1. every containment unit of this runtime dir still running is ended: its init (process 1
//!    of a PID namespace whose command line binds a directory of `runtime/sessions/`,
//!    [`crate::daemon::unit::is_unit_init`]) is killed and its namespace checked empty, like
//!    any wipe's;
//! 2. every process whose environment points inside the sessions folder is killed (a second
//!    net, and what ends views started without containment);
//! 3. every directory there is deleted like any session's.
//!
//! A unit normally dies with guichetd already (parent-death signals, see
//! [`crate::daemon::unit`]); this is for the case where it did not.

use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

use super::processes::{members, proc_stats};
use super::tree::{delete_tree, sys_err};
use super::WipeError;
use crate::daemon::unit::is_unit_init;
use crate::sessiondir::SESSIONS;
use crate::sys::{pid_ns, reap};

/// Time for the leftover units' processes to die after SIGKILL.
const KILL_LIMIT: Duration = Duration::from_secs(3);

/// What the start-up wipe found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Leftovers {
    /// Containment units still running, ended.
    pub units: usize,
    /// Session directories, deleted.
    pub dirs: usize,
}

/// At start: ends the units and kills the processes left from a previous run in
/// `runtime/sessions/`, and deletes every leftover there.
pub fn wipe_leftovers(runtime: &Path) -> Result<Leftovers, WipeError> {
    let units = end_stale_units(runtime)?;
    let sessions = runtime.join(SESSIONS);
    kill_processes_under(&sessions);
    let entries = match std::fs::read_dir(&sessions) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Leftovers { units, dirs: 0 })
        }
        Err(e) => {
            return Err(sys_err(
                "(leftovers)",
                "list the sessions folder",
                Errno::from_raw(e.raw_os_error().unwrap_or(libc::EIO)),
            ))
        }
    };
    let leftovers: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    for dir in &leftovers {
        delete_tree(dir)?;
    }
    Ok(Leftovers {
        units,
        dirs: leftovers.len(),
    })
}

/// Kills the init of every unit of `runtime` and waits until their namespaces are empty.
fn end_stale_units(runtime: &Path) -> Result<usize, WipeError> {
    let mut namespaces = Vec::new();
    for p in proc_stats() {
        let Ok(status) = std::fs::read_to_string(format!("/proc/{}/status", p.pid)) else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(format!("/proc/{}/cmdline", p.pid)) else {
            continue;
        };
        if !is_unit_init(&status, &cmdline, runtime) {
            continue;
        }
        let Ok(ns) = pid_ns(p.pid) else { continue };
        let _ = kill(p.pid, Signal::SIGKILL);
        namespaces.push(ns);
    }
    let start = Instant::now();
    loop {
        reap(Pid::from_raw(-1));
        let alive: usize = namespaces.iter().map(|ns| members(*ns).len()).sum();
        if alive == 0 {
            return Ok(namespaces.len());
        }
        if start.elapsed() >= KILL_LIMIT {
            return Err(WipeError::Unkillable(alive));
        }
        for ns in &namespaces {
            for p in members(*ns) {
                let _ = kill(p, Signal::SIGKILL);
            }
        }
        std::thread::sleep(Duration::from_millis(2));
    }
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
