//! The containment unit with the real guichetd and the fake view running inside it: what a
//! session starts does not outlive its wipe (after `reset --now`, a clean restart, kill -9 of
//! guichetd and a restart), and from inside a session nothing but its own directory can be
//! seen or written, and the control socket is out of reach and refuses it.
//!
//! Every escape test fails with the containment turned off: run them with
//! `GUICHET_TEST_UNSAFE_NO_CONTAINMENT=1` (the harness then starts guichetd with
//! `--unsafe-no-containment`).

mod support;

use std::path::Path;
use std::process::Command;

use guichet::daemon::machine::State;
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use support::daemon::guichetctl;
use support::procs::{is_alive, pid_ns, with_arg};
use support::{eventually, Builder, Daemon, FakeView};

/// How a test ends the session (and the guichetd) the escapee was started in.
#[derive(Clone, Copy)]
enum End {
    /// `guichetctl reset --now`.
    Reset,
    /// SIGTERM to guichetd (it wipes and exits), then a new guichetd on the same dirs.
    Restart,
    /// SIGKILL to guichetd, then a new guichetd on the same dirs.
    Kill9,
}

/// A unique token for the escapees of one test (tests run in parallel).
fn token(name: &str) -> String {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("escapee-{name}-{}-{n}", std::process::id())
}

/// Starts a hostile process of `shape` from inside the shown session; returns the session's
/// view once the process runs.
fn start_escapee(d: &Daemon, shape: &str, token: &str) -> FakeView {
    let v = d.shown();
    v.cmd("activity");
    d.wait_state(State::Active);
    v.cmd(&format!("escape {shape} {token}"));
    let started = format!("escape {shape} started");
    eventually("the escapee runs", || {
        v.reload().lines.contains(&started) && !with_arg(token).is_empty()
    });
    v
}

/// The escape test: a process of `shape` started inside a session is gone once the session
/// is ended by `end` (and guichetd is back on its welcome).
fn escape(shape: &str, end: End) {
    let mut d = Daemon::start();
    d.wait_status("spare ready", |s| s.spare_ready);
    let token = token(shape);
    let v = start_escapee(&d, shape, &token);
    if shape == "stubborn" {
        // It has not detached: the `escape` process is the view's child.
        let pid = with_arg(&token)[0];
        assert_eq!(support::procs::parent_of(pid), Some(v.pid));
    }
    match end {
        End::Reset => {
            d.reset_now_and_wait();
        }
        End::Restart => {
            assert_eq!(d.terminate().code(), Some(0), "{}", d.logs());
            d.spawn(&Builder::default());
        }
        End::Kill9 => {
            kill(Pid::from_raw(d.child.id() as i32), Signal::SIGKILL).unwrap();
            let _ = d.child.wait();
            d.spawn(&Builder::default());
        }
    }
    // The wipe reported ok (or guichetd is on its first welcome): nothing of the session runs.
    // Whatever survived is killed here, so that a failing test leaves nothing behind.
    let left = support::procs::kill_all_with_arg(&token);
    assert!(left.is_empty(), "{shape} survived: {left:?}");
}

#[test]
fn a_double_fork_and_setsid_does_not_survive_a_reset() {
    escape("detach", End::Reset);
}

#[test]
fn a_double_fork_and_setsid_does_not_survive_a_restart() {
    escape("detach", End::Restart);
}

#[test]
fn a_double_fork_and_setsid_does_not_survive_kill_9_of_guichetd_and_a_restart() {
    escape("detach", End::Kill9);
}

#[test]
fn a_process_ignoring_sigterm_and_sighup_does_not_survive_a_reset() {
    escape("stubborn", End::Reset);
}

#[test]
fn a_process_ignoring_sigterm_and_sighup_does_not_survive_a_restart() {
    escape("stubborn", End::Restart);
}

#[test]
fn a_process_ignoring_sigterm_and_sighup_does_not_survive_kill_9_of_guichetd_and_a_restart() {
    escape("stubborn", End::Kill9);
}

#[test]
fn a_detached_stubborn_process_reforking_on_a_timer_does_not_survive_a_reset() {
    escape("both", End::Reset);
}

#[test]
fn a_detached_stubborn_process_reforking_on_a_timer_does_not_survive_a_restart() {
    escape("both", End::Restart);
}

#[test]
fn a_detached_stubborn_process_reforking_on_a_timer_does_not_survive_kill_9_and_a_restart() {
    escape("both", End::Kill9);
}

/// A unit left running by an earlier guichetd, whose session directory is gone: started here
/// with the production spawn (so it does not die with any guichetd), holding a detached,
/// stubborn, re-forking process with no environment. The next guichetd ends it before its
/// first session.
#[test]
fn a_unit_left_without_its_session_dir_is_ended_at_start() {
    use guichet::daemon::spawn::{spawn_view, SpawnOptions};
    use guichet::sessiondir::SessionDir;
    let mut d = Daemon::start();
    d.terminate();
    let dir = SessionDir::create(&d.runtime).unwrap();
    let opts = SpawnOptions {
        writable: vec![d.ctl.clone()],
        ..SpawnOptions::default()
    };
    let fake = support::daemon::fake_view();
    let config = guichet::config::Config::load(&d.config).unwrap();
    let spawned = spawn_view(&fake, &dir, &config, &opts).unwrap();
    let ns = spawned.unit.ns.as_ref().expect("a unit").inode;
    let log = d.ctl.join(format!("{}.log", dir.id()));
    eventually("the fake view in the unit", || log.exists());
    let token = token("leftover");
    FakeView::read(&d.ctl, &log).cmd(&format!("escape both {token}"));
    eventually("the escapee runs", || !with_arg(&token).is_empty());
    guichet::daemon::wipe::delete_tree(dir.root()).unwrap();
    assert!(!support::procs::in_pid_ns(ns).is_empty());

    d.spawn(&Builder::default());
    assert!(with_arg(&token).is_empty(), "{:?}", with_arg(&token));
    assert!(support::procs::in_pid_ns(ns).is_empty());
    assert!(
        d.logs().contains("ended containment units left running"),
        "{}",
        d.logs()
    );
    drop(spawned);
}

/// One probe's result line in the view's log (`probe_write /tmp/x` gives `err 30`).
fn probe(v: &FakeView, cmd: &str, arg: &str) -> String {
    let prefix = format!("{cmd} {arg} ");
    let done = v.reload().lines.len();
    v.cmd(&format!("{cmd} {arg}"));
    let t0 = std::time::Instant::now();
    loop {
        let lines = v.reload().lines;
        if let Some(r) = lines[done.min(lines.len())..].iter().find_map(|l| {
            l.strip_prefix(&prefix)
                .or((l == prefix.trim_end()).then_some(""))
        }) {
            return r.to_owned();
        }
        assert!(
            t0.elapsed() < support::EVENTUALLY,
            "no answer to {cmd} {arg}"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

#[test]
fn from_inside_a_session_only_its_own_directory_is_visible_and_writable() {
    let d = Daemon::start();
    d.wait_status("spare ready", |s| s.spare_ready);
    let v = d.shown();
    let sessions = d.runtime.join("sessions");
    let own = sessions.join(&v.id);
    let spare: Vec<String> = d.sessions().into_iter().filter(|s| *s != v.id).collect();
    assert_eq!(spare.len(), 1, "the spare's dir exists beside: {spare:?}");
    // What guichetd keeps elsewhere: the statistics (default and this config's), the control
    // socket, its config folder.
    let stats = d.tmp.path().join("stats");
    std::fs::create_dir_all(&stats).unwrap();
    let config_dir = d.config.parent().unwrap().to_owned();

    // Visible: only the session's own directory.
    assert_eq!(
        probe(&v, "probe_list", &sessions.display().to_string()),
        format!("ok {}", v.id)
    );
    assert_eq!(
        probe(
            &v,
            "probe_exists",
            &sessions.join(&spare[0]).display().to_string()
        ),
        "no"
    );
    assert_eq!(probe(&v, "probe_list", "/run"), "ok");
    for p in [
        d.socket.display().to_string(),
        stats.display().to_string(),
        "/var/lib/guichet".into(),
        "/var/lib".into(),
    ] {
        assert_eq!(probe(&v, "probe_exists", &p), "no", "{p} is visible");
    }
    // Root's home and the others: absent, or holding only the way to the view binary when the
    // checkout lives there (a clone in /root).
    let fake = support::daemon::fake_view();
    for home in ["/root", "/home"] {
        match fake.strip_prefix(home).ok().and_then(|r| r.iter().next()) {
            None => assert_eq!(probe(&v, "probe_exists", home), "no", "{home} is visible"),
            Some(first) => assert_eq!(
                probe(&v, "probe_list", home),
                format!("ok {}", first.to_string_lossy()),
                "more than the way to the view binary in {home}"
            ),
        }
    }
    // /tmp holds only the way to what is bound in (the session's and the fake view's log
    // folder under the test's temp dir, and the view binary itself when the checkout lives
    // under /tmp, as a CI clone may), none of the machine's other files.
    let tmp_names = probe(&v, "probe_list", "/tmp");
    let first_under_tmp = |p: &std::path::Path| {
        p.strip_prefix("/tmp")
            .ok()
            .and_then(|r| r.iter().next())
            .map(|c| c.to_string_lossy().into_owned())
    };
    let bound: Vec<String> = [
        first_under_tmp(d.tmp.path()),
        first_under_tmp(&support::daemon::fake_view()),
    ]
    .into_iter()
    .flatten()
    .collect();
    for name in tmp_names
        .trim_start_matches("ok")
        .trim()
        .split(',')
        .filter(|n| !n.is_empty())
    {
        assert!(bound.contains(&name.to_owned()), "/tmp/{name} is visible");
    }

    // Writable: only the session's own directory.
    let inside = own.join("home/probe");
    assert_eq!(
        probe(&v, "probe_write", &inside.display().to_string()),
        "ok"
    );
    let root_home = std::env::var("HOME").unwrap_or_else(|_| "/root".into());
    for p in [
        "/tmp/guichet-probe".to_owned(),
        "/run/guichet-probe".into(),
        "/var/tmp/guichet-probe".into(),
        "/dev/shm/guichet-probe".into(),
        "/dev/guichet-probe".into(),
        "/guichet-probe".into(),
        "/etc/guichet-probe".into(),
        format!("{root_home}/guichet-probe"),
        config_dir.join("guichet-probe").display().to_string(),
        sessions.join("guichet-probe").display().to_string(),
    ] {
        let r = probe(&v, "probe_write", &p);
        assert!(r.starts_with("err "), "{p} is writable: {r}");
        assert!(!Path::new(&p).exists(), "{p} was written");
    }
}

/// guichetd as root with the view binary, the runtime dir (and its sessions) and the fake
/// view's log folder all under a folder of mode 0700, as a checkout in root's home on Debian
/// or a runtime dir under `/run/user/0`: the unit's user (`nobody`) cannot reach any of them
/// by path, yet the sessions start, run and reset, the containment holds, the view reads its
/// own copy of root's `0600` X authority file, and neither the runtime dir guichetd created
/// nor a folder above it was opened to others.
#[test]
fn everything_under_a_folder_closed_to_others_still_runs_contained() {
    use std::os::unix::fs::PermissionsExt;
    // Root's X authority file, as on a desktop: mode 0600, under the closed folder.
    let xauth_dir = tempfile::tempdir().unwrap();
    let xauth = xauth_dir.path().join(".Xauthority");
    std::fs::write(&xauth, [7u8; 48]).unwrap();
    std::fs::set_permissions(&xauth, std::fs::Permissions::from_mode(0o600)).unwrap();
    let d = Builder {
        closed: true,
        env: vec![("XAUTHORITY".into(), xauth.clone().into())],
        ..Builder::default()
    }
    .start();
    d.wait_status("spare ready", |s| s.spare_ready);
    let v = d.shown();
    v.cmd("activity");
    d.wait_state(State::Active);
    let sessions = d.runtime.join("sessions");
    let inside = sessions.join(&v.id).join("home/probe");
    assert_eq!(
        probe(&v, "probe_write", &inside.display().to_string()),
        "ok"
    );
    assert_eq!(
        probe(&v, "probe_list", &sessions.display().to_string()),
        format!("ok {}", v.id)
    );
    // The view reads a copy of it, in its own session directory.
    let copy = sessions.join(&v.id).join("xauthority");
    assert_eq!(
        probe(&v, "probe_read", "$XAUTHORITY"),
        format!("ok {} 48", copy.display())
    );
    for p in [&d.socket, &d.config, &xauth] {
        assert_eq!(
            probe(&v, "probe_exists", &p.display().to_string()),
            "no",
            "{} is visible",
            p.display()
        );
    }
    for p in [
        d.tmp.path().join("guichet-probe"),
        "/tmp/guichet-probe".into(),
    ] {
        let r = probe(&v, "probe_write", &p.display().to_string());
        assert!(r.starts_with("err "), "{} is writable: {r}", p.display());
    }
    d.reset_now_and_wait();
    let next = d.shown();
    assert_ne!(next.id, v.id);
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    for dir in [d.tmp.path(), &d.runtime, &sessions] {
        assert_eq!(mode(dir), 0o700, "{}", dir.display());
    }
}

#[test]
fn the_control_socket_is_out_of_reach_of_a_session_and_refuses_its_processes() {
    let d = Daemon::start();
    d.wait_status("spare ready", |s| s.spare_ready);
    let v = d.shown();
    // Not there (its mount namespace has no such file).
    let r = probe(&v, "connect", &d.socket.display().to_string());
    assert_eq!(r, "err 2", "the socket was reachable: {r}");

    // Reached some other way, by a process in the session's PID namespace that has root's
    // uid and the machine's files (entering only the unit's PID namespace): refused.
    let status = |prefix: &[&str]| {
        let mut cmd = Command::new(prefix[0]);
        cmd.args(&prefix[1..])
            .arg(guichetctl())
            .arg("status")
            .arg("--socket")
            .arg(&d.socket);
        cmd.output().unwrap()
    };
    let target = v.pid.to_string();
    let inside = status(&["nsenter", "--target", &target, "--pid", "--"]);
    assert!(!inside.status.success(), "{inside:?}");
    assert!(
        String::from_utf8_lossy(&inside.stderr).contains("refused"),
        "{inside:?}"
    );
    // A fresh PID namespace of root's, not a session's: refused too.
    let fresh = status(&["unshare", "--pid", "--fork", "--"]);
    assert!(!fresh.status.success(), "{fresh:?}");
    // The same command from guichetd's namespace is served.
    let outside = status(&["env", "--"]);
    assert!(outside.status.success(), "{outside:?}");
    assert!(d.logs().contains("another PID namespace"), "{}", d.logs());
    assert_ne!(pid_ns(v.pid), pid_ns(std::process::id() as i32));
    assert!(is_alive(v.pid));
}
