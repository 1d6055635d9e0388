//! Reset latency, cold start, RSS and idle CPU of guichetd (a bench binary, not a test).
//!
//! `cargo bench --bench reset` runs guichetd with the fake view (`examples/fake_view.rs`):
//! this measures the supervisor's own share. With `GUICHET_BENCH_VIEW=/path/to/guichet-view`
//! it measures with the real view, on a private Xvfb (started here when `DISPLAY` is unset).
//!
//! Figures:
//! - reset latency, p50/p95 over 50 resets with the pre-started spare and without it, measured
//!   inside guichetd from the `reset --now` request: (1) until `start` is written to the next
//!   view (log line "next view shown after reset": the supervisor's share), and (2) until the
//!   view reports that its first frame after `start` is drawn ("next view on screen after
//!   reset": two animation frames in the welcome page, which a hidden page never gets; after a
//!   used session, `start` carries `goodbye` and that first frame is the goodbye, a drawn,
//!   truthful screen, with the welcome 4 s later);
//! - cold start: from spawning guichetd to the view's report that the first welcome is drawn;
//! - RSS of guichetd in Welcome, and its CPU use over 10 s idle.
//!
//! `GUICHET_BENCH_STATS=on` or `off` (fake view only) measures what counting costs a reset:
//! each reset then ends a session that was used (input, a service, a blocked host, a helper
//! call, through the fake view's fifo), with `[stats] enabled` on or off. With it on, the
//! session's summary is added to the day file after the wipe, before guichetd handles the
//! next view's "on screen" report, so that figure includes the write. Unset: statistics off
//! and untouched welcome screens, as before.

#[path = "../tests/support/mod.rs"]
mod support;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use guichet::daemon::machine::State;
use guichet::protocol::control::Request;
use support::{Builder, Daemon};

const RESETS: usize = 50;

/// `GUICHET_BENCH_STATS`: `None` (unset), or whether `[stats]` is on while each reset ends a
/// used session.
fn stats_mode() -> Option<bool> {
    match std::env::var("GUICHET_BENCH_STATS").ok()?.as_str() {
        "on" => Some(true),
        "off" => Some(false),
        other => panic!("GUICHET_BENCH_STATS={other}: expected on or off"),
    }
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let view = std::env::var_os("GUICHET_BENCH_VIEW").map(PathBuf::from);
    if view.is_none() {
        ensure_fake_view();
    }
    let stats = stats_mode();
    assert!(
        stats.is_none() || view.is_none(),
        "GUICHET_BENCH_STATS drives sessions through the fake view: unset GUICHET_BENCH_VIEW"
    );
    let stats_body = stats.map(|on| format!("enabled = {on}"));
    if let Some(on) = stats {
        println!(
            "statistics: {} (each reset ends a used session)",
            if on { "on" } else { "off" }
        );
    }
    let xvfb = match (&view, std::env::var_os("DISPLAY")) {
        (Some(_), None) => Some(support::Xvfb::start()),
        _ => None,
    };
    let display: Option<String> = xvfb
        .as_ref()
        .map(|x| x.display.clone())
        .or_else(|| std::env::var("DISPLAY").ok());
    let env: Vec<(String, std::ffi::OsString)> = display
        .iter()
        .map(|d| ("DISPLAY".to_owned(), d.into()))
        .collect();
    println!(
        "view: {}",
        view.as_ref()
            .map_or("fake view (supervisor share only)".into(), |p| p
                .display()
                .to_string())
    );
    for spare in [true, false] {
        let d = Builder {
            no_spare: !spare,
            view: view.clone(),
            env: env.clone(),
            stats: stats_body.clone(),
            ..Builder::default()
        }
        .start();
        let (lat, on_screen) = resets(&d, spare, stats.is_some());
        println!(
            "reset {} spare ({} resets): `start` written p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms",
            if spare { "with   " } else { "without" },
            lat.len(),
            pct(&lat, 50),
            pct(&lat, 95),
            pct(&lat, 100),
        );
        println!(
            "  next welcome on screen (the view's first frame): p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
            pct(&on_screen, 50),
            pct(&on_screen, 95),
            pct(&on_screen, 100),
        );
        let wipes = wipe_times(&d.logs());
        if !wipes.is_empty() {
            println!(
                "  wipe (kill+delete) of a session: p50 {:.1} ms, p95 {:.1} ms",
                pct(&wipes, 50),
                pct(&wipes, 95)
            );
        }
        if stats == Some(true) {
            println!("  statistics: {} completed sessions counted", completed(&d));
        }
    }
    let mut cold = Vec::new();
    for _ in 0..5 {
        let t0 = Instant::now();
        let d = Builder {
            view: view.clone(),
            env: env.clone(),
            stats: stats_body.clone(),
            ..Builder::default()
        }
        .start();
        wait_log(&d, "view on screen", 1);
        cold.push(t0.elapsed().as_secs_f64() * 1000.0);
        drop(d);
    }
    println!(
        "cold start to welcome: p50 {:.1} ms, max {:.1} ms (5 starts)",
        pct(&cold, 50),
        pct(&cold, 100)
    );
    let d = Builder {
        view: view.clone(),
        env: env.clone(),
        stats: stats_body.clone(),
        ..Builder::default()
    }
    .start();
    d.wait_status("spare ready", |s| s.spare_ready);
    let pid = d.child.id();
    let (t0, c0) = (Instant::now(), cpu_ticks(pid));
    // The measurement window itself (idle CPU over 10 s), not a wait for something to happen.
    std::thread::sleep(Duration::from_secs(10));
    let (secs, ticks) = (t0.elapsed().as_secs_f64(), cpu_ticks(pid) - c0);
    let hz = nix::unistd::sysconf(nix::unistd::SysconfVar::CLK_TCK)
        .ok()
        .flatten()
        .unwrap_or(100) as f64;
    println!(
        "guichetd RSS in welcome: {} kB; idle CPU over {:.0} s: {:.3} %",
        rss_kb(pid),
        secs,
        100.0 * ticks as f64 / hz / secs
    );
}

/// 50 resets (--now); from guichetd's log, in ms: reset to `start` written, and reset to the
/// view's report that its first frame is on screen. `used`: each session is used first.
fn resets(d: &Daemon, spare: bool, used: bool) -> (Vec<f64>, Vec<f64>) {
    for i in 0..RESETS {
        // With the spare, each reset finds it loaded (as on a real terminal between sessions).
        d.wait_status("ready for the next reset", |s| {
            s.state == State::Welcome && (!spare || s.spare_ready)
        });
        if used {
            let v = d.shown();
            v.cmd("activity");
            v.cmd("navigated eservices.minfin.fgov.be taxes myminfin");
            v.cmd("blocked ads.tracker.example");
            v.cmd("helper_called");
            d.wait_state(State::Active);
            support::eventually("the view's reports sent", || {
                v.reload().lines.iter().any(|l| l == "done 4")
            });
        }
        let before = d.status().sessions_started;
        match d.request(&Request::Reset { now: true }) {
            guichet::protocol::control::Response::Ok { .. } => {}
            other => panic!("reset: {other:?}"),
        }
        d.wait_status("next welcome", |s| {
            s.state == State::Welcome && s.sessions_started == before + 1
        });
        wait_log(d, ON_SCREEN, i + 1);
    }
    let logs = d.logs();
    let ms = |needle: &str| -> Vec<f64> {
        logs.lines()
            .filter(|l| l.contains(needle))
            .filter_map(|l| field(l, "latency_us="))
            .map(|us| us / 1000.0)
            .collect()
    };
    (ms("next view shown after reset"), ms(ON_SCREEN))
}

/// Today's completed sessions, as `guichetctl stats` gets them from guichetd.
fn completed(d: &Daemon) -> u64 {
    let today = guichet::stats::today();
    let request = Request::Stats {
        from: today,
        to: today,
        by: guichet::stats::Grouping::Day,
        format: guichet::stats::Format::Json,
    };
    match d.request(&request) {
        guichet::protocol::control::Response::Stats { text, .. } => {
            let v: serde_json::Value = serde_json::from_str(&text).unwrap();
            v["periods"][0]["sessions_completed"].as_u64().unwrap_or(0)
        }
        other => panic!("stats: {other:?}"),
    }
}

/// Waits until guichetd's log holds `needle` `count` times (polled every 2 ms: the cold start
/// is timed by this wait).
fn wait_log(d: &Daemon, needle: &str, count: usize) {
    let t0 = Instant::now();
    while d.logs().matches(needle).count() < count {
        assert!(
            t0.elapsed() < Duration::from_secs(30),
            "no {needle:?} in the log"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// guichetd's log line for the view's report of its first frame on screen after a reset.
const ON_SCREEN: &str = "next view on screen after reset";

fn wipe_times(logs: &str) -> Vec<f64> {
    logs.lines()
        .filter(|l| l.contains("wipe ok"))
        .filter_map(|l| Some(field(l, "kill_ms=")? + field(l, "delete_ms=")?))
        .collect()
}

fn field(line: &str, key: &str) -> Option<f64> {
    let rest = &line[line.find(key)? + key.len()..];
    rest.split(|c: char| !c.is_ascii_digit() && c != '.')
        .next()?
        .parse()
        .ok()
}

fn pct(v: &[f64], p: usize) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let mut s = v.to_vec();
    s.sort_by(|a, b| a.total_cmp(b));
    let i = ((p * s.len()).div_ceil(100)).clamp(1, s.len()) - 1;
    s[i]
}

fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap()
}

fn rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// The bench profile does not build examples: build the fake view once.
fn ensure_fake_view() {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap();
    if dir.join("examples/fake_view").exists() {
        return;
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let release = dir.file_name().is_some_and(|n| n == "release");
    let mut cmd = std::process::Command::new(cargo);
    cmd.args(["build", "--example", "fake_view"]);
    if release {
        cmd.arg("--release");
    }
    assert!(
        cmd.status().unwrap().success(),
        "cannot build the fake view"
    );
}
