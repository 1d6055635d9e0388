//! Leftovers of a previous run (power loss, crash, kill -9 of guichetd), wiped at start.
//!
//! Before the first session, every process whose environment points inside the sessions
//! folder is killed, and every directory there is deleted like any session's.

use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::sys::signal::{kill, Signal};

use super::processes::proc_stats;
use super::tree::{delete_tree, sys_err};
use super::WipeError;
use crate::sessiondir::SESSIONS;
use crate::sys::reap;

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
