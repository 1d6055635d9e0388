//! Statistics survive a killed guichetd: `kill -9` at varying moments around a session's end
//! leaves each day file absent, old or new, never a part of one; a file damaged by other
//! means is reported and skipped, and the rest still counts.

mod support;

use std::fs;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::{Duration, Instant};

use guichet::stats::{self, SkipReason};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use serde_json::Value;
use support::stats::{ctl, next_welcome, only_period, stats_builder, Clock};
use support::{Daemon, EVENTUALLY};

const RUNS: usize = 50;

/// Whether a write of a day file is under way in `dir` (its temporary file exists).
fn writing(dir: &Path) -> bool {
    fs::read_dir(dir).is_ok_and(|d| {
        d.filter_map(|e| e.ok())
            .any(|e| e.file_name().to_string_lossy().starts_with(".tmp-"))
    })
}

fn button_session(d: &Daemon) {
    let before = d.status().sessions_started;
    let v = d.shown();
    v.cmd("activity");
    v.cmd("helper_called");
    v.cmd("end_requested");
    next_welcome(d, before);
}

#[test]
fn kill_9_while_writing_leaves_every_day_file_old_or_new_and_a_truncated_one_is_skipped() {
    let clock = Clock::noon();
    let today = clock.day(clock.today);
    let b = stats_builder(&clock, "");
    let mut d = b.clone().start();
    let dir = d.stats_dir();
    let (mut last, mut ended) = (0u64, 0u64);
    // Runs whose last session was not counted (killed before its write was renamed in) or was.
    let mut outcomes = [0usize; 2];
    let mut leftovers = 0;
    for run in 0..RUNS {
        if run > 0 {
            d.spawn(&b);
        }
        button_session(&d);
        button_session(&d);
        // A third session ends, and guichetd is killed around the write of its end: on odd
        // runs as soon as the write is seen under way (its temporary file exists) or done,
        // on even runs after a delay from 0 to 240 ms (before, during or after the write).
        let file = dir.join(format!("{today}.json"));
        let before = fs::read(&file).ok();
        let v = d.shown();
        v.cmd("activity");
        v.cmd("helper_called");
        v.cmd("end_requested");
        ended += 3;
        if run % 2 == 1 {
            let t0 = Instant::now();
            while !writing(&dir) && fs::read(&file).ok() == before {
                assert!(t0.elapsed() < EVENTUALLY, "run {run}: no write seen");
                std::thread::sleep(Duration::from_micros(20));
            }
        } else {
            // The kill's moment, varied on purpose: not a wait for anything.
            std::thread::sleep(Duration::from_millis(run as u64 * 5));
        }
        kill(Pid::from_raw(d.child.id() as i32), Signal::SIGKILL).unwrap();
        d.child.wait().unwrap();
        // A view being forked at the kill holds a copy of the control socket until it execs
        // or dies; a guichetd started before then would find "another guichetd listening".
        support::eventually("the killed guichetd's socket closed", || {
            UnixStream::connect(&d.socket).is_err()
        });

        // Every day file there is whole: it parses, and it is the old or a newer version.
        let loaded = stats::load(&[&dir], clock.today, clock.today).unwrap();
        for s in &loaded.skipped {
            assert!(
                matches!(s.reason, SkipReason::Leftover),
                "run {run}: {s} is not a leftover of an interrupted write"
            );
        }
        for name in support::stats::day_files(&dir) {
            if name.ends_with(".json") {
                let text = fs::read(dir.join(&name)).unwrap();
                serde_json::from_slice::<Value>(&text)
                    .unwrap_or_else(|e| panic!("run {run}: {name} is not whole: {e}"));
            }
        }
        let day = &loaded.days[&clock.today];
        let completed = day.sessions_completed();
        // The first session's write was done when the second view was on screen, before
        // the second session started; the second's may wait for the third view's first frame.
        assert!(
            completed > last && completed <= ended,
            "run {run}: {completed} completed after {last}, {ended} ended"
        );
        outcomes[usize::from(completed == last + 3)] += 1;
        leftovers += loaded.skipped.len();
        last = completed;
    }
    eprintln!(
        "{RUNS} kills: {} before the last write was renamed in, {} after; {leftovers} \
         interrupted writes left a temporary file",
        outcomes[0], outcomes[1]
    );
    assert!(
        outcomes[0] > 0 && outcomes[1] > 0,
        "the kills did not land on both sides of a write: {outcomes:?}"
    );

    // Another terminal's file, truncated by hand: named on stderr, skipped, the rest counts.
    let other = d.tmp.path().join("terminal-2");
    fs::create_dir(&other).unwrap();
    let good = fs::read(dir.join(format!("{today}.json"))).unwrap();
    fs::write(other.join(format!("{today}.json")), &good[..good.len() / 2]).unwrap();
    let out = ctl(
        &clock,
        &[
            "stats",
            "--dir",
            dir.to_str().unwrap(),
            "--dir",
            other.to_str().unwrap(),
            "--format",
            "json",
            "--from",
            &today,
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    let line = err
        .lines()
        .find(|l| l.contains("terminal-2"))
        .unwrap_or_else(|| panic!("the truncated file is not reported: {err}"));
    assert!(
        line.contains(&format!("terminal-2/{today}.json")) && line.contains("truncated"),
        "{line}"
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(only_period(&report)["sessions_completed"], last);
    assert!(report["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["file"].as_str().unwrap().contains("terminal-2")));

    // guichetd's next start deletes the leftovers of interrupted writes; its own report is clean.
    d.spawn(&b);
    let out = d.ctl(&[
        "stats", "--format", "json", "--from", &today, "--to", &today,
    ]);
    assert!(out.status.success(), "{out:?}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["skipped"], serde_json::json!([]), "{report:#}");
    assert_eq!(only_period(&report)["helper_calls"], last);
}
