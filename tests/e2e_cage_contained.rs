//! The terminal's own arrangement: the real guichetd under the real `cage`, every session's
//! view in its containment unit with WebKit's sandbox inside, on Wayland.
//!
//! `tests/e2e_cage.rs` runs the view alone under cage; the containment tests run under Xvfb.
//! Neither had the two together, and a Debian terminal has exactly that: there, every view
//! died at start (WebKit's sandbox found no Wayland socket for its web processes) and the
//! terminal said "out of order". This test starts `cage -- guichetd` as `nobody`
//! (cage refuses root; on a terminal guichetd is the unprivileged `guichet` user too), nested
//! in the harness's Xvfb, and shows:
//! - the session's page is loaded (the content's web process runs in WebKit's sandbox inside
//!   the unit) and drawn on cage's output (`grim`, `target/screenshots/cage-contained.png`);
//! - the view sees only the compositor's socket, relative to its own runtime folder, and no
//!   X11 display at all;
//! - guichetd stopped by SIGTERM leaves no session folder and no process.
//!
//! Needs `cage`, `xwayland` and `grim` (packaging/dev-deps.sh).

mod support;

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use support::procs::{comm, descendants, environ, is_alive, parent_of};
use support::xvfb::{screenshot_dir, Shot};
use support::{e2e_lock, Reply, TestConfig, World, TIMEOUT};

/// `nobody`.
const UID: u32 = 65534;
const START: &str = "http://www.allowed.test/start";
const PAGE_BG: &str = "E4F2E8";

#[test]
fn contained_sessions_show_under_cage_with_only_the_wayland_socket() {
    let _g = e2e_lock();
    let world = World::new(TestConfig {
        start_url: Some(START.into()),
        ..TestConfig::default()
    });
    world.proxy.route(
        "www.allowed.test",
        "/start",
        Reply::html(format!(
            "<!doctype html><title>t</title>\
             <style>html,body{{margin:0;height:100%;background:#{PAGE_BG}}}</style>"
        )),
    );

    // What nobody needs, in one tree it owns (the target dir may be in root's 0700 home).
    let home = world.tmp.path().join("cage");
    let xdg = home.join("xdg");
    std::fs::create_dir_all(&xdg).unwrap();
    std::fs::create_dir(home.join("run")).unwrap();
    std::fs::set_permissions(&xdg, std::fs::Permissions::from_mode(0o700)).unwrap();
    for bin in [
        env!("CARGO_BIN_EXE_guichetd"),
        env!("CARGO_BIN_EXE_guichet-view"),
    ] {
        let name = Path::new(bin).file_name().unwrap();
        std::fs::copy(bin, home.join(name)).expect("copy a binary");
    }
    let config = TestConfig {
        start_url: Some(START.into()),
        ..TestConfig::default()
    }
    .write(&home.join("config"), &world.proxy);
    std::fs::set_permissions(world.tmp.path(), std::fs::Permissions::from_mode(0o711)).unwrap();
    chown_tree(&home, UID);

    nix::sys::prctl::set_child_subreaper(true).expect("PR_SET_CHILD_SUBREAPER");
    let mut cage = Command::new("setpriv")
        .arg(format!("--reuid={UID}"))
        .arg(format!("--regid={UID}"))
        .args(["--clear-groups", "--", "env", "-i", "PATH=/usr/bin:/bin"])
        .arg(format!("DISPLAY={}", world.xvfb.display))
        .arg(format!("XDG_RUNTIME_DIR={}", xdg.display()))
        .args(["WLR_BACKENDS=x11", "RUST_LOG=guichet=debug", "cage", "--"])
        .arg(home.join("guichetd"))
        .arg("--runtime-dir")
        .arg(home.join("run"))
        .arg("--config")
        .arg(&config)
        .arg("--view-binary")
        .arg(home.join("guichet-view"))
        .env_clear()
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start setpriv … cage … guichetd");
    let logs = Arc::new(Mutex::new(String::new()));
    let reader = {
        let (logs, stderr) = (Arc::clone(&logs), cage.stderr.take().unwrap());
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if !line.contains("[backend/x11") && !line.contains("[xwayland") {
                    logs.lock().unwrap().push_str(&(line + "\n"));
                }
            }
        })
    };
    let cage_pid = cage.id() as i32;
    let logs_now = || logs.lock().unwrap().clone();

    // (a) The session's page, through the content's sandboxed web process.
    let t0 = Instant::now();
    let saw_start = || {
        world
            .proxy
            .seen()
            .iter()
            .any(|s| s.host == "www.allowed.test" && s.path == "/start")
    };
    while !saw_start() {
        let l = logs_now();
        assert!(
            !l.contains("out_of_order") && t0.elapsed() < TIMEOUT,
            "no page was loaded under cage with containment; guichetd said:\n{l}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let view = wait_for("the session's view", || {
        descendants(cage_pid)
            .into_iter()
            .find(|p| comm(*p) == "guichet-view")
    });
    wait_for("a sandboxed WebKit web process", || {
        descendants(cage_pid).into_iter().find(|p| {
            comm(*p).starts_with("WebKitWebProc")
                && parent_of(*p).is_some_and(|b| comm(b) == "bwrap")
        })
    });

    // (b) Only the compositor's socket, by a name relative to the view's runtime folder.
    let env = environ(view);
    let get = |k: &str| env.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
    assert_eq!(
        get("WAYLAND_DISPLAY").as_deref(),
        Some("wayland-0"),
        "{env:?}"
    );
    for x11 in ["DISPLAY", "XAUTHORITY"] {
        assert_eq!(get(x11), None, "the contained view got {x11}: {env:?}");
    }
    let runtime = get("XDG_RUNTIME_DIR").expect("the view's XDG_RUNTIME_DIR");
    assert!(runtime.contains("/sessions/"), "{runtime}");

    // (c) Drawn on cage's output.
    let shot = screenshot_showing(&xdg, |s| {
        s.has((0, s.height / 2, s.width, s.height / 2), PAGE_BG)
    });
    // Full-screen, as on a terminal: the toolbar's white from the very top row (no title bar).
    let top = shot.colours((0, 0, shot.width, 8));
    assert_eq!(
        top,
        std::collections::BTreeSet::from(["#FFFFFF".to_owned()]),
        "the top of cage's output is not the toolbar: {}",
        shot.path.display()
    );
    let l = logs_now();
    assert!(l.contains("view on screen"), "{l}");
    assert!(!l.contains("GLib Error"), "a view failed:\n{l}");

    // (d) SIGTERM: every session wiped, nothing left.
    let guichetd = descendants(cage_pid)
        .into_iter()
        .find(|p| comm(*p) == "guichetd")
        .expect("guichetd runs under cage");
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(guichetd),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    let status = wait_for("cage to exit after guichetd", || cage.try_wait().unwrap());
    reader.join().unwrap();
    let l = logs_now();
    assert!(status.success(), "cage: {status}\n{l}");
    assert!(l.contains("wipe ok"), "{l}");
    let sessions = home.join("run/sessions");
    let left: Vec<_> = std::fs::read_dir(&sessions)
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "session folders left: {left:?}");
    wait_for("the kiosk's processes to end", || {
        let left = support::procs::processes_in_group(cage_pid, false);
        left.iter().all(|p| !is_alive(*p)).then_some(())
    });
    let _ = nix::sys::signal::killpg(
        nix::unistd::Pid::from_raw(cage_pid),
        nix::sys::signal::Signal::SIGKILL,
    );
    eprintln!("cage + guichetd contained: {}", shot.path.display());
}

/// Polls `f` until it gives a value; panics after [`TIMEOUT`].
fn wait_for<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let t0 = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(t0.elapsed() < TIMEOUT, "timeout waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `grim` as `nobody` on cage's socket until `done`; the last picture is
/// `target/screenshots/cage-contained.png`.
fn screenshot_showing(xdg: &Path, done: impl Fn(&Shot) -> bool) -> Shot {
    let path = screenshot_dir().join("cage-contained.png");
    let t0 = Instant::now();
    loop {
        let out = Command::new("setpriv")
            .arg(format!("--reuid={UID}"))
            .arg(format!("--regid={UID}"))
            .args(["--clear-groups", "--", "env", "-i"])
            .arg(format!("XDG_RUNTIME_DIR={}", xdg.display()))
            .args(["WAYLAND_DISPLAY=wayland-0", "grim", "-"])
            .env_clear()
            .output()
            .expect("run grim");
        if out.status.success() {
            std::fs::write(&path, &out.stdout).expect("write the screenshot");
            let shot = Shot::open(path.clone());
            if done(&shot) {
                return shot;
            }
        }
        assert!(
            t0.elapsed() < TIMEOUT,
            "the page never showed on cage's output (last: {})",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// Gives `path` and everything below it to `uid` (same gid).
fn chown_tree(path: &Path, uid: u32) {
    std::os::unix::fs::lchown(path, Some(uid), Some(uid)).expect("chown");
    if path.is_dir() && !path.is_symlink() {
        for entry in std::fs::read_dir(path).unwrap() {
            chown_tree(&entry.unwrap().path(), uid);
        }
    }
}
