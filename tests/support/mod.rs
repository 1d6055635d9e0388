//! The test harness: what the black-box and end-to-end tests share, one module per job.
//!
//! A test file (or a bench, by `#[path]`) includes it with `mod support;` and imports what it
//! uses; each binary uses only part of it, hence the `dead_code` allowance below.
//!
//! - [`xvfb`]: a private X server (`Xvfb -displayfd`, 1280×800) killed on drop; screenshots
//!   (to `target/screenshots/`) and the colours they show; clicks and keys (xdotool); the
//!   mapped top-level windows.
//! - [`proxy`]: a loopback HTTP proxy that plays any host name, answers from routes
//!   (host + path → [`Reply`]) and records every request ([`Seen`]); `CONNECT` gets 403; a
//!   route can be held (answered only when the test releases it).
//! - [`config`]: test configs: the view's ([`TestConfig`], with the test pack, a test's own
//!   packs or shipped ones played over plain http ([`PackChoice`]), all traffic to the proxy)
//!   and the daemon's ([`config_text`]).
//! - [`view`]: a `guichet-view` started by the production spawn
//!   ([`guichet::daemon::spawn::spawn_view`]), its protocol pipes ([`ViewPipes`]), and
//!   [`World`]: Xvfb + proxy + config in a temp dir, for one test.
//! - [`daemon`]: `guichetd` with the fake or the real view, `guichetctl`, guichetd's log.
//! - [`fake_view`]: what the fake view (`examples/fake_view.rs`) logged, and its command fifo.
//! - [`procs`]: processes as `/proc` shows them: descendants, environment, process group.
//! - [`canary`]: scans of whole folders for a string (the canary tests) or a file name.
//! - [`cups`]: a private `cupsd` with one raw queue, its jobs and spool.
//! - [`stats`]: statistics tests: a time zone where it is noon, guichetd with `[stats]` on,
//!   waiting until the view's messages are counted, `guichetctl stats` read back.
//!
//! Synchronise on events (protocol messages, requests seen by the proxy, the daemon's status,
//! files, log lines) with the generous [`TIMEOUT`] / [`EVENTUALLY`]; never assert after a fixed
//! sleep. To prove a request "never reached the proxy", make the view load a sentinel allowed
//! URL afterwards (e.g. an `end_session` logout URL, see [`View::sentinel`]) and only then
//! check [`Proxy::saw_host`].

#![allow(dead_code)]

pub mod canary;
pub mod config;
pub mod cups;
pub mod daemon;
pub mod fake_view;
pub mod procs;
pub mod proxy;
pub mod stats;
pub mod stick;
pub mod view;
pub mod xvfb;

use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

// The types most tests use, by their short names; each test binary uses some of them.
#[allow(unused_imports)]
pub use self::{
    config::{config_text, PackChoice, TestConfig},
    daemon::{Builder, Daemon},
    fake_view::FakeView,
    proxy::{Proxy, Reply, Seen},
    view::{View, ViewPipes, World},
    xvfb::Xvfb,
};

/// How long any single expected event of the real view may take (a debug build on a loaded
/// 2-core machine).
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// How long the daemon (with the fake view) may take to reach a state: "eventually", not a
/// speed assertion.
pub const EVENTUALLY: Duration = Duration::from_secs(20);

/// Serialises end-to-end tests within one test binary: tests share 2 cores and each one runs
/// a WebKit view, so they run one at a time. Hold it for the whole test.
pub fn e2e_lock() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// Waits until `f` holds; panics after [`EVENTUALLY`].
pub fn eventually(what: &str, f: impl Fn() -> bool) {
    let t0 = Instant::now();
    while !f() {
        assert!(t0.elapsed() < EVENTUALLY, "timeout waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}
