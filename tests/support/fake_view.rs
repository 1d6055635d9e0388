//! fake_view's side of the supervisor tests: what each fake view logged, and its command fifo.
//!
//! `examples/fake_view.rs` keeps, per session, `<id>.log` (its pid, then every order it
//! received with a timestamp) and `<id>.ctl` (a fifo of commands) in the daemon's `fakeview/`
//! folder ([`super::daemon::Daemon::ctl`]). [`FakeView::wait_got`] waits for an order;
//! [`FakeView::cmd`] makes the view report something. Inside its containment unit a fake view
//! knows only its pid in the unit: [`FakeView::pid`] is its pid as the tests see it, found by
//! its `--session-dir` argument.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::procs::{self, is_alive};
use super::EVENTUALLY;

/// One fake view, as its log file tells.
#[derive(Clone, Debug)]
pub struct FakeView {
    pub id: String,
    /// Its pid as the tests see it (0 when it is not running).
    pub pid: i32,
    pub lines: Vec<String>,
    pub ctl: PathBuf,
    pub started: std::time::SystemTime,
    /// When it got `start` (unix nanos), 0 if never.
    pub start_index: u128,
}

impl FakeView {
    pub fn read(ctl: &Path, log: &Path) -> FakeView {
        FakeView::read_with(ctl, log, &running())
    }

    /// `running`: the fake views running, by session id ([`running`]).
    pub(super) fn read_with(ctl: &Path, log: &Path, running: &[(String, i32)]) -> FakeView {
        let text = fs::read_to_string(log).unwrap_or_default();
        let lines: Vec<String> = text.lines().map(str::to_owned).collect();
        let meta = fs::metadata(log).unwrap();
        let id = log.file_stem().unwrap().to_string_lossy().into_owned();
        let pid = running
            .iter()
            .find(|(session, _)| *session == id)
            .map_or(0, |(_, pid)| *pid);
        let start_index = lines
            .iter()
            .filter(|l| l.contains("\"type\":\"start\""))
            .find_map(|l| l.split(' ').nth(1)?.parse().ok())
            .unwrap_or(0);
        FakeView {
            ctl: ctl.join(format!("{id}.ctl")),
            id,
            pid,
            lines,
            started: meta.created().unwrap_or(meta.modified().unwrap()),
            start_index,
        }
    }

    pub fn reload(&self) -> FakeView {
        FakeView::read(self.ctl.parent().unwrap(), &self.ctl.with_extension("log"))
    }

    pub fn got(&self, needle: &str) -> bool {
        self.lines
            .iter()
            .any(|l| l.starts_with("recv ") && l.contains(needle))
    }

    pub fn alive(&self) -> bool {
        self.pid > 0 && is_alive(self.pid)
    }

    /// Sends a command through the view's fifo.
    pub fn cmd(&self, line: &str) {
        let mut f = fs::OpenOptions::new().write(true).open(&self.ctl).unwrap();
        writeln!(f, "{line}").unwrap();
    }

    /// Waits until this view's log has a received message containing `needle`.
    pub fn wait_got(&self, needle: &str) -> FakeView {
        let t0 = Instant::now();
        loop {
            let v = self.reload();
            if v.got(needle) {
                return v;
            }
            assert!(
                t0.elapsed() < EVENTUALLY,
                "view never got {needle}: {:?}",
                v.lines
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The pid (as the tests see it) of the child started by the `grandchild` command.
    pub fn grandchild(&self) -> Option<i32> {
        procs::with_arg(&format!("grandchild-{}", self.id)).pop()
    }

    pub fn line_value(&self, prefix: &str) -> Option<String> {
        self.lines
            .iter()
            .find_map(|l| l.strip_prefix(prefix).map(str::to_owned))
    }
}

/// The fake views running, as (session id, pid): processes whose program is `fake_view` and
/// whose `--session-dir` names the session (bubblewrap's command line names both, but its
/// program is bubblewrap).
pub fn running() -> Vec<(String, i32)> {
    let mut found = Vec::new();
    for pid in procs::find(|args| {
        args.first().is_some_and(|a| a.ends_with("/fake_view"))
            && args.iter().any(|a| a == "--session-dir")
    }) {
        let args = procs::cmdline(pid);
        if let Some(dir) = args
            .iter()
            .position(|a| a == "--session-dir")
            .and_then(|i| args.get(i + 1))
        {
            let id = Path::new(dir)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned());
            if let Some(id) = id {
                found.push((id, pid));
            }
        }
    }
    found
}
