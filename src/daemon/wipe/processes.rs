//! Ending a session's processes: its containment unit, or (without containment) its view's
//! process group and every descendant.
//!
//! A unit ([`end_unit`]): SIGKILL to its PID namespace's init, through the pidfd taken when the
//! unit started (the kernel then kills every process of the namespace and of the namespaces
//! nested in it), SIGKILL to bubblewrap's monitor, then `/proc` is read until no live process
//! is in the namespace (its `/proc/<pid>/ns/pid` is the unit's, or a namespace nested in it).
//! Anything still alive after [`KILL_LIMIT`] makes the wipe fail: fail closed.
//!
//! Without containment (tests only, [`end_processes`]): SIGTERM to the view's process group and
//! to every descendant found in `/proc`, SIGKILL after a short grace, then reap every one of
//! them (guichetd is a child subreaper, so orphans come to it).

use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::sys::signal::{kill, killpg, Signal};
use nix::unistd::Pid;

use super::WipeError;
use crate::daemon::spawn::ViewPid;
use crate::daemon::unit::Unit;
use crate::sys::{pid_ns, pid_ns_within, reap};

/// Time after SIGKILL before processes count as unkillable.
const KILL_LIMIT: Duration = Duration::from_secs(3);

/// Ends `unit` as a whole; returns how many processes it held. Without a namespace (no
/// containment) it ends the process group and descendants with `grace` ([`end_processes`]).
pub fn end_unit(unit: &Unit, grace: Duration) -> Result<usize, WipeError> {
    let Some(ns) = &unit.ns else {
        return end_processes(unit.leader, grace);
    };
    let leader = unit.leader.pid();
    let count = members(ns.inode).len();
    let start = Instant::now();
    if let Some(pidfd) = &ns.pidfd {
        let _ = pidfd.kill();
    }
    // The monitor is guichetd's child, not reaped yet: its pid is still its own.
    let _ = kill(leader, Signal::SIGKILL);
    // The init exits only once every other process of the namespace has: wait for that
    // rather than read /proc over and over while the kernel tears them down.
    if let Some(pidfd) = &ns.pidfd {
        pidfd.wait_exit(KILL_LIMIT);
    }
    loop {
        reap(leader);
        let alive = members(ns.inode);
        let leader_gone = kill(leader, None) == Err(Errno::ESRCH);
        if alive.is_empty() && leader_gone {
            return Ok(count);
        }
        if start.elapsed() >= KILL_LIMIT {
            return Err(WipeError::Unkillable(
                alive.len() + usize::from(!leader_gone),
            ));
        }
        // Belt and braces: each one was in the namespace a moment ago.
        for p in alive {
            let _ = kill(p, Signal::SIGKILL);
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Live processes in the PID namespace `ns` or in one nested in it.
pub(super) fn members(ns: u64) -> Vec<Pid> {
    let own = pid_ns(nix::unistd::getpid()).unwrap_or(0);
    proc_pids()
        .into_iter()
        .filter(|pid| match pid_ns(*pid) {
            Ok(inode) if inode == ns => true,
            // Another user's process (no access), or one that just exited.
            Err(_) => false,
            Ok(inode) if inode == own => false,
            Ok(_) => pid_ns_within(*pid, ns).unwrap_or(false),
        })
        .filter(|pid| !is_zombie(*pid))
        .collect()
}

/// Every pid in `/proc`.
fn proc_pids() -> Vec<Pid> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| {
        let pid: i32 = e.ok()?.file_name().to_str()?.parse().ok()?;
        Some(Pid::from_raw(pid))
    })
    .collect()
}

/// A zombie has ended; it only waits for its parent to collect its status.
fn is_zombie(pid: Pid) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            let rest = s.get(s.rfind(')')? + 1..)?.to_owned();
            rest.split_whitespace().next().map(|st| st == "Z")
        })
        .unwrap_or(true)
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

/// One process as `/proc/<pid>/stat` describes it.
pub(super) struct ProcStat {
    pub(super) pid: Pid,
    ppid: Pid,
    pgrp: Pid,
}

pub(super) fn proc_stats() -> Vec<ProcStat> {
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
