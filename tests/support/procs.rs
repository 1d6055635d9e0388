//! Processes as `/proc` shows them: a process's descendants, command name, environment,
//! parent, process group and start time, and whether it still runs; processes found by their
//! command line (a process in a containment unit knows only its pid inside the unit, so tests
//! find its pid here by an argument it was given), and by PID namespace.
//!
//! Pids are `i32` (`pid_t`), as [`nix::unistd::Pid::from_raw`] takes them. Every function
//! tolerates a process that exits while it is read (it is then absent or "not alive").

use std::path::Path;

/// The command name of a process (empty when it is gone).
pub fn comm(pid: i32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .unwrap_or_default()
        .trim()
        .to_owned()
}

/// The environment of a process.
pub fn environ(pid: i32) -> Vec<(String, String)> {
    let raw = std::fs::read(format!("/proc/{pid}/environ")).expect("read environ");
    raw.split(|b| *b == 0)
        .filter_map(|kv| {
            let kv = String::from_utf8_lossy(kv);
            kv.split_once('=')
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
        })
        .collect()
}

/// Field `n` after the command name of `/proc/PID/stat` (0: state, 1: ppid, 2: pgrp,
/// 19: start time).
pub fn stat_field(pid: i32, n: usize) -> Option<String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    Some(
        stat.rsplit_once(')')?
            .1
            .split_whitespace()
            .nth(n)?
            .to_owned(),
    )
}

pub fn parent_of(pid: i32) -> Option<i32> {
    stat_field(pid, 1)?.parse().ok()
}

/// A process's start time (clock ticks after boot), to tell a reused pid apart.
pub fn start_time(pid: i32) -> Option<u64> {
    stat_field(pid, 19)?.parse().ok()
}

/// Whether a process exists and is not a zombie.
pub fn is_alive(pid: i32) -> bool {
    stat_field(pid, 0).is_some_and(|s| s != "Z")
}

/// Current descendants of `pid` (children of every thread, recursively).
pub fn descendants(pid: i32) -> Vec<i32> {
    let mut found = Vec::new();
    let mut stack = vec![pid];
    while let Some(pid) = stack.pop() {
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
            continue;
        };
        for task in tasks.flatten() {
            let children =
                std::fs::read_to_string(task.path().join("children")).unwrap_or_default();
            for child in children.split_whitespace().filter_map(|c| c.parse().ok()) {
                found.push(child);
                stack.push(child);
            }
        }
    }
    found
}

/// Processes whose process group is `pgid` (zombies too when `zombies`).
pub fn processes_in_group(pgid: i32, zombies: bool) -> Vec<i32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            stat_field(*pid, 2).and_then(|g| g.parse().ok()) == Some(pgid)
                && (zombies || is_alive(*pid))
        })
        .collect()
}

/// Live processes whose environment points inside `dir` (a view and its WebKit children carry
/// the session's HOME), with their command names.
pub fn processes_inside(dir: &Path) -> Vec<(i32, String)> {
    let needle = dir.as_os_str().as_encoded_bytes().to_vec();
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/environ"))
                .is_ok_and(|env| env.windows(needle.len()).any(|w| w == needle.as_slice()))
                && is_alive(*pid)
        })
        .map(|pid| (pid, comm(pid)))
        .collect()
}

/// The arguments of a process (empty when it is gone).
pub fn cmdline(pid: i32) -> Vec<String> {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .unwrap_or_default()
        .split(|b| *b == 0)
        .filter(|a| !a.is_empty())
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect()
}

fn all_pids() -> Vec<i32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .collect()
}

/// Live processes whose arguments satisfy `pred`.
pub fn find(pred: impl Fn(&[String]) -> bool) -> Vec<i32> {
    all_pids()
        .into_iter()
        .filter(|pid| pred(&cmdline(*pid)) && is_alive(*pid))
        .collect()
}

/// Live processes one of whose arguments contains `needle`.
pub fn with_arg(needle: &str) -> Vec<i32> {
    find(|args| args.iter().any(|a| a.contains(needle)))
}

/// The identity of the PID namespace of `pid`.
pub fn pid_ns(pid: i32) -> Option<u64> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(format!("/proc/{pid}/ns/pid"))
        .ok()
        .map(|m| m.ino())
}

/// Live processes in the PID namespace `ns`.
pub fn in_pid_ns(ns: u64) -> Vec<i32> {
    all_pids()
        .into_iter()
        .filter(|pid| pid_ns(*pid) == Some(ns) && is_alive(*pid))
        .collect()
}

/// Kills (SIGKILL) every live process one of whose arguments contains `needle`, again and
/// again until none is left (one that re-forks keeps making new ones); returns the pids found
/// the first time.
pub fn kill_all_with_arg(needle: &str) -> Vec<i32> {
    let first = with_arg(needle);
    let mut left = first.clone();
    for _ in 0..1000 {
        if left.is_empty() {
            break;
        }
        for pid in &left {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(*pid),
                nix::sys::signal::Signal::SIGKILL,
            );
        }
        left = with_arg(needle);
    }
    first
}
