//! fake_view's side of the supervisor tests: what each fake view logged, and its command fifo.
//!
//! `examples/fake_view.rs` keeps, per session, `<id>.log` (its pid, then every order it
//! received with a timestamp) and `<id>.ctl` (a fifo of commands) in the daemon's `fakeview/`
//! folder ([`super::daemon::Daemon::ctl`]). [`FakeView::wait_got`] waits for an order;
//! [`FakeView::cmd`] makes the view report something.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::procs::is_alive;
use super::EVENTUALLY;

/// One fake view, as its log file tells.
#[derive(Clone, Debug)]
pub struct FakeView {
    pub id: String,
    pub pid: i32,
    pub lines: Vec<String>,
    pub ctl: PathBuf,
    pub started: std::time::SystemTime,
    /// When it got `start` (unix nanos), 0 if never.
    pub start_index: u128,
}

impl FakeView {
    pub(super) fn read(ctl: &Path, log: &Path) -> FakeView {
        let text = fs::read_to_string(log).unwrap_or_default();
        let lines: Vec<String> = text.lines().map(str::to_owned).collect();
        let pid = lines
            .iter()
            .find_map(|l| l.strip_prefix("pid "))
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        let meta = fs::metadata(log).unwrap();
        let id = log.file_stem().unwrap().to_string_lossy().into_owned();
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

    pub fn line_value(&self, prefix: &str) -> Option<String> {
        self.lines
            .iter()
            .find_map(|l| l.strip_prefix(prefix).map(str::to_owned))
    }
}
