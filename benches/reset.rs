//! Reset latency, cold start, RSS and idle CPU of guichetd (a bench binary, not a test).
//!
//! `cargo bench --bench reset` runs guichetd with the fake view (`examples/fake_view.rs`):
//! this measures the supervisor's own share. With `GUICHET_BENCH_VIEW=/path/to/guichet-view`
//! it measures with the real view, on a private Xvfb (started here when `DISPLAY` is unset).
//!
//! Figures:
//! - reset latency: from sending `reset --now` to the next view getting `start` (the log line
//!   "next view shown after reset", measured inside guichetd from the reset to the write of
//!   `start`), p50/p95 over 50 resets, with the pre-started spare and without it; with the
//!   real view also until its window is mapped on the X server (polled with xdotool);
//! - cold start: from spawning guichetd to the first welcome (status answers `welcome`);
//! - RSS of guichetd in Welcome, and its CPU use over 10 s idle.

#[path = "../tests/support/mod.rs"]
mod e2e;
#[path = "../tests/supervisor_support/mod.rs"]
mod support;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use guichet::control::Request;
use guichet::session::State;
use support::{Builder, Daemon};

const RESETS: usize = 50;

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let view = std::env::var_os("GUICHET_BENCH_VIEW").map(PathBuf::from);
    if view.is_none() {
        ensure_fake_view();
    }
    let xvfb = match (&view, std::env::var_os("DISPLAY")) {
        (Some(_), None) => Some(e2e::Xvfb::start()),
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
    let real = view.is_some();
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
            ..Builder::default()
        }
        .start();
        let (lat, mapped) = resets(&d, spare, display.as_deref().filter(|_| real));
        println!(
            "reset latency {} spare: p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms ({} resets)",
            if spare { "with   " } else { "without" },
            pct(&lat, 50),
            pct(&lat, 95),
            pct(&lat, 100),
            lat.len()
        );
        if !mapped.is_empty() {
            println!(
                "  until the new window is mapped: p50 {:.1} ms, p95 {:.1} ms (xdotool polling)",
                pct(&mapped, 50),
                pct(&mapped, 95)
            );
        }
        let wipes = wipe_times(&d.logs());
        if !wipes.is_empty() {
            println!(
                "  wipe (kill+delete) of a session: p50 {:.1} ms, p95 {:.1} ms",
                pct(&wipes, 50),
                pct(&wipes, 95)
            );
        }
    }
    let mut cold = Vec::new();
    for _ in 0..5 {
        let t0 = Instant::now();
        let d = Builder {
            view: view.clone(),
            env: env.clone(),
            ..Builder::default()
        }
        .start();
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
        ..Builder::default()
    }
    .start();
    d.wait_status("spare ready", |s| s.spare_ready);
    let pid = d.child.id();
    let (t0, c0) = (Instant::now(), cpu_ticks(pid));
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

/// 50 resets (--now); latencies in ms from guichetd's log, and (on a display) until a new
/// window is mapped.
fn resets(d: &Daemon, spare: bool, display: Option<&str>) -> (Vec<f64>, Vec<f64>) {
    let mut mapped = Vec::new();
    for _ in 0..RESETS {
        // With the spare, each reset finds it loaded (as on a real terminal between sessions).
        d.wait_status("ready for the next reset", |s| {
            s.state == State::Welcome && (!spare || s.spare_ready)
        });
        let before_windows = display.map(visible_windows).unwrap_or_default();
        let before = d.status().sessions_started;
        let t0 = Instant::now();
        match d.request(&Request::Reset { now: true }) {
            guichet::control::Response::Ok { .. } => {}
            other => panic!("reset: {other:?}"),
        }
        if let Some(display) = display {
            // A new window id, or (the X server may reuse the ids of a client that is gone)
            // a window again after the old one went away.
            let mut old_gone = false;
            loop {
                let now = visible_windows(display);
                old_gone |= now.is_empty();
                if now.iter().any(|w| !before_windows.contains(w)) || (old_gone && !now.is_empty())
                {
                    mapped.push(t0.elapsed().as_secs_f64() * 1000.0);
                    break;
                }
                assert!(t0.elapsed() < Duration::from_secs(30), "no new window");
            }
        }
        d.wait_status("next welcome", |s| {
            s.state == State::Welcome && s.sessions_started == before + 1
        });
    }
    let lat = d
        .logs()
        .lines()
        .filter(|l| l.contains("next view shown after reset"))
        .filter_map(|l| field(l, "latency_us="))
        .map(|us| us / 1000.0)
        .collect();
    (lat, mapped)
}

/// Ids of the viewable top-level windows (one `xdotool` run).
fn visible_windows(display: &str) -> Vec<String> {
    let out = std::process::Command::new("xdotool")
        .args(["search", "--onlyvisible", "--name", ""])
        .env("DISPLAY", display)
        .output()
        .expect("run xdotool");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

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
