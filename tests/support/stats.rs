//! Statistics in black-box tests: a time zone where it is about noon (so the day cannot turn
//! during a test, whatever the machine's clock), guichetd with `[stats]` on, sessions driven
//! through the fake view, and `guichetctl stats` read back.
//!
//! guichetd logs each view message it handles at `debug`; [`handled`] sends `print_requested`
//! (which statistics do not count) and waits for its log line, so everything the view sent
//! before it has been counted before the test ends the session from outside (staff reset,
//! SIGTERM, the view's exit).

use std::path::Path;
use std::process::{Command, Output};

use chrono::{Duration as Days, NaiveDate, Timelike, Utc};
use guichet::daemon::machine::State;

use super::daemon::{guichetctl, Builder, Daemon};
use super::eventually;
use super::fake_view::FakeView;

/// A fixed-offset zone where it is now between 11:00 and 13:00, and today's date there.
#[derive(Clone, Debug)]
pub struct Clock {
    /// POSIX `TZ` value, e.g. `NOON-3` (three hours east of UTC).
    pub tz: String,
    pub today: NaiveDate,
}

impl Clock {
    pub fn noon() -> Clock {
        let now = Utc::now();
        let east = 12 - i64::from(now.hour());
        Clock {
            // POSIX offsets count west of UTC: UTC+3 is `NOON-3`.
            tz: format!("NOON{}", -east),
            today: (now + Days::hours(east)).date_naive(),
        }
    }

    pub fn yesterday(&self) -> NaiveDate {
        self.today.pred_opt().unwrap()
    }

    pub fn day(&self, d: NaiveDate) -> String {
        d.format("%Y-%m-%d").to_string()
    }
}

/// guichetd with statistics on (`body` is the rest of `[stats]`), session timers divided by
/// 10 (idle after 6 s), view messages logged, in `clock`'s zone.
pub fn stats_builder(clock: &Clock, body: &str) -> Builder {
    Builder {
        speedup: 10,
        idle: 60,
        env: vec![
            ("TZ".into(), clock.tz.clone().into()),
            ("RUST_LOG".into(), "info,guichet=debug".into()),
        ],
        stats: Some(format!("enabled = true\n{body}")),
        ..Builder::default()
    }
}

/// `guichetctl ARGS` in `clock`'s zone.
pub fn ctl(clock: &Clock, args: &[&str]) -> Output {
    Command::new(guichetctl())
        .args(args)
        .env("TZ", &clock.tz)
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

/// `guichetctl stats --format json` of today through `d`'s socket: the parsed report.
pub fn today_json(d: &Daemon, clock: &Clock) -> serde_json::Value {
    let today = clock.day(clock.today);
    let socket = d.socket.to_str().unwrap();
    let out = ctl(
        clock,
        &[
            "stats", "--format", "json", "--from", &today, "--to", &today, "--socket", socket,
        ],
    );
    assert!(out.status.success(), "{out:?}");
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The one period of a daily report (`null` when it has none).
pub fn only_period(report: &serde_json::Value) -> serde_json::Value {
    let periods = report["periods"].as_array().unwrap();
    assert!(periods.len() <= 1, "{report:#}");
    periods.first().cloned().unwrap_or_default()
}

/// Sends `print_requested` through `v` and waits until guichetd has handled it (and so every
/// message `v` sent before).
pub fn handled(d: &Daemon, v: &FakeView) {
    const LINE: &str = "print requested";
    let before = d.logs().matches(LINE).count();
    v.cmd("print_requested");
    eventually("the view's messages handled", || {
        d.logs().matches(LINE).count() > before
    });
}

/// Waits for a fresh welcome after the one counted `before` (`sessions_started` of status),
/// and returns its view.
pub fn next_welcome(d: &Daemon, before: u64) -> FakeView {
    d.wait_status("the next welcome", |s| {
        s.state == State::Welcome && s.sessions_started > before
    });
    d.shown()
}

/// Every day file name in `dir`, sorted.
pub fn day_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}
