//! Fault tests: killed views, killed WebKit-like children, a killed guichetd, undeletable
//! session dirs.

mod support;

use std::process::Command;

use guichet::daemon::machine::State;
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use support::procs::{is_alive, processes_inside};
use support::{eventually, Builder, Daemon, FakeView};

fn sigkill(pid: i32) {
    kill(Pid::from_raw(pid), Signal::SIGKILL).unwrap();
}

/// A running session whose view has a child process; returns (view, grandchild pid).
fn session_with_grandchild(d: &Daemon) -> (FakeView, i32) {
    let v = d.shown();
    v.cmd("activity");
    d.wait_state(State::Active);
    v.cmd("grandchild");
    eventually("grandchild started", || v.grandchild().is_some());
    let gc = v.grandchild().unwrap();
    assert!(is_alive(gc));
    (v, gc)
}

#[test]
fn kill_9_of_the_view_mid_session_wipes_and_leaves_no_orphan() {
    let d = Daemon::start();
    d.wait_status("spare ready", |s| s.spare_ready);
    let (v, gc) = session_with_grandchild(&d);
    let dir = d.runtime.join("sessions").join(&v.id);
    sigkill(v.pid);
    d.wait_status("next welcome", |s| {
        s.state == State::Welcome && s.sessions_started == 2
    });
    assert!(!dir.exists());
    eventually("grandchild killed and reaped", || {
        !is_alive(gc) && !std::path::Path::new(&format!("/proc/{gc}")).exists()
    });
    let left = processes_inside(&dir);
    assert!(left.is_empty(), "left running: {left:?}");
    assert!(d.logs().contains("reason=Crash"), "{}", d.logs());
}

#[test]
fn kill_9_of_a_webkit_like_child_wipes_the_session() {
    let d = Daemon::start();
    d.wait_status("spare ready", |s| s.spare_ready);
    let (v, gc) = session_with_grandchild(&d);
    let dir = d.runtime.join("sessions").join(&v.id);
    sigkill(gc);
    d.wait_status("next welcome", |s| {
        s.state == State::Welcome && s.sessions_started == 2
    });
    assert!(!dir.exists());
    eventually("view gone", || !v.alive());
    let left = processes_inside(&dir);
    assert!(left.is_empty(), "left running: {left:?}");
}

#[test]
fn kill_9_of_guichetd_then_restart_wipes_leftovers_before_the_first_session() {
    let mut d = Daemon::start();
    d.wait_status("spare ready", |s| s.spare_ready);
    let (v, gc) = session_with_grandchild(&d);
    v.cmd("canary CANARY-LEFTOVER");
    eventually("canary written", || {
        v.reload().lines.iter().any(|l| l == "canary written")
    });
    let old = d.sessions();
    assert_eq!(old.len(), 2);
    sigkill(d.child.id() as i32);
    let _ = d.child.wait();
    // The units die with guichetd (parent-death signals down to each namespace's init), and
    // everything in them: the grandchild has no parent-death signal of its own.
    eventually("views died with guichetd", || !v.alive());
    eventually("the grandchild died with its unit", || !is_alive(gc));

    d.spawn(&Builder::default());
    let first = d.shown();
    let siblings = first.line_value("siblings ").unwrap_or_default();
    for dir in &old {
        assert!(
            !siblings.contains(dir.as_str()),
            "{dir} still there when a view started"
        );
        assert!(!d.runtime.join("sessions").join(dir).exists());
    }
    assert!(d.logs().contains("wiped leftover sessions"), "{}", d.logs());
    // status tells of that wipe: no session wiped yet in this run, but the leftovers were.
    let s = d.status();
    assert!(s.last_wipe.as_ref().is_some_and(|w| w.ok), "{s:?}");
}

fn undeletable_goes_out_of_order(
    make: impl Fn(&std::path::Path) -> bool,
    undo: impl Fn(&std::path::Path),
) {
    let d = Daemon::start();
    d.wait_status("spare ready", |s| s.spare_ready);
    let v = d.shown();
    v.cmd("activity");
    d.wait_state(State::Active);
    let dir = d.runtime.join("sessions").join(&v.id);
    if !make(&dir) {
        eprintln!("SKIP: cannot make a directory undeletable here");
        return;
    }
    assert!(d.ctl(&["reset", "--now"]).status.success());
    let s = d.wait_state(State::OutOfOrder);
    assert!(s.out_of_order.is_some(), "{s:?}");
    assert!(!s.last_wipe.as_ref().unwrap().ok);
    let shown = d.shown();
    shown.wait_got("\"screen\":\"out_of_order\"");
    let out = d.ctl(&["status"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("OUT OF ORDER"));
    // No new session: input, pause and a retry that fails again change nothing.
    shown.cmd("activity");
    assert_eq!(d.ctl(&["pause"]).status.code(), Some(2));
    assert!(d.ctl(&["reset"]).status.success());
    let s = d.wait_status("retry done", |s| {
        s.state == State::OutOfOrder && s.last_wipe.as_ref().is_some_and(|w| !w.ok)
    });
    assert_eq!(s.state, State::OutOfOrder);
    assert!(d.logs().contains("wipe FAILED"), "{}", d.logs());
    // Once the dir can be deleted, a reset wipes it and the terminal is back.
    undo(&dir);
    assert!(d.ctl(&["reset"]).status.success());
    d.wait_state(State::Welcome);
    assert!(!dir.exists());
}

#[test]
fn an_immutable_file_in_the_session_puts_the_terminal_out_of_order() {
    undeletable_goes_out_of_order(
        |dir| {
            Command::new("chattr")
                .arg("+i")
                .arg(dir.join("profile"))
                .status()
                .is_ok_and(|s| s.success())
        },
        |dir| {
            let _ = Command::new("chattr")
                .arg("-i")
                .arg(dir.join("profile"))
                .status();
        },
    );
}

#[test]
fn a_mount_inside_the_session_puts_the_terminal_out_of_order() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("precious"), "keep").unwrap();
    let src = outside.path().to_owned();
    undeletable_goes_out_of_order(
        |dir| {
            let mnt = dir.join("profile/mnt");
            std::fs::create_dir(&mnt).is_ok()
                && Command::new("mount")
                    .arg("--bind")
                    .arg(&src)
                    .arg(&mnt)
                    .status()
                    .is_ok_and(|s| s.success())
        },
        |dir| {
            let _ = Command::new("umount").arg(dir.join("profile/mnt")).status();
        },
    );
    assert_eq!(
        std::fs::read_to_string(outside.path().join("precious")).unwrap(),
        "keep"
    );
}
