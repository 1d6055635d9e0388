//! The screen never goes dark: whatever happens to the hidden spare view, the next session
//! reaches a drawn welcome and `status` tells the truth. Real guichetd, real view, Xvfb.
//!
//! The spare is the newest `guichet-view` under guichetd (it is started after the shown view
//! is promoted). Waits are on events (status, screenshots), with the harness's generous
//! timeouts; how long the screen stays dark is measured by `benches/reset.rs`, not here.

mod support;

use std::path::PathBuf;

use guichet::daemon::machine::State;
use support::procs::{comm, descendants, is_alive, start_time};
use support::{e2e_lock, eventually, Builder, Daemon, TestConfig, World};

/// Enough colours for the welcome screen (text, buttons, tiles); a dark or blank screen has 1.
const DRAWN: u32 = 40;

fn daemon(world: &World) -> Daemon {
    daemon_with_view(
        world,
        PathBuf::from(env!("CARGO_BIN_EXE_guichet-view")),
        State::Welcome,
    )
}

fn daemon_with_view(world: &World, view: PathBuf, wait_for: State) -> Daemon {
    daemon_with(world, view, wait_for, false)
}

fn daemon_with(world: &World, view: PathBuf, wait_for: State, no_containment: bool) -> Daemon {
    let default = world.daemon_builder();
    Builder {
        view: Some(view),
        wait_for,
        no_containment: no_containment || default.no_containment,
        ..default
    }
    .start()
}

/// The `guichet-view` processes under guichetd, oldest first.
fn views(d: &Daemon) -> Vec<i32> {
    let mut v: Vec<i32> = descendants(d.child.id() as i32)
        .into_iter()
        .filter(|p| comm(*p) == "guichet-view")
        .collect();
    v.sort_by_key(|p| start_time(*p).unwrap_or(0));
    v
}

/// The hidden spare, once guichetd says it is ready.
fn ready_spare(d: &Daemon) -> i32 {
    d.wait_status("a ready spare", |s| s.spare_ready);
    let v = views(d);
    assert_eq!(v.len(), 2, "shown + spare: {v:?}");
    v[1]
}

fn kill9(pid: i32) {
    let _ = nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid),
        nix::sys::signal::Signal::SIGKILL,
    );
}

/// After a reset: a fresh welcome on screen, drawn, and a status that says so.
fn welcome_drawn(world: &World, d: &Daemon, sessions: u64, name: &str) {
    let s = d.wait_status("the next welcome", |s| {
        s.state == State::Welcome && s.sessions_started == sessions
    });
    assert!(s.out_of_order.is_none(), "{s:?}");
    world.xvfb.screenshot_painted(name, DRAWN);
}

#[test]
fn a_spare_killed_before_a_reset_never_leaves_the_screen_dark() {
    let _lock = e2e_lock();
    let world = World::new(TestConfig::default());
    let d = daemon(&world);
    d.wait_state(State::Welcome);
    for round in 1..=3u64 {
        let spare = ready_spare(&d);
        kill9(spare);
        // guichetd notices: no ready spare any more, and it says so.
        d.wait_status("the spare is gone", |s| !s.spare_ready);
        assert!(!is_alive(spare));
        assert!(d.ctl(&["reset", "--now"]).status.success());
        welcome_drawn(
            &world,
            &d,
            round + 1,
            &format!("faults-spare-killed-{round}"),
        );
    }
    assert!(!d.logs().contains("no ready spare"), "{}", d.logs());
}

#[test]
fn a_spare_killed_again_and_again_while_it_restarts_still_gives_a_welcome() {
    let _lock = e2e_lock();
    let world = World::new(TestConfig::default());
    let d = daemon(&world);
    d.wait_state(State::Welcome);
    let shown = views(&d)[0];
    // Five spares in a row die as soon as they appear, before they are ready.
    let mut killed = Vec::new();
    while killed.len() < 5 {
        eventually("a new spare starts", || {
            views(&d).iter().any(|p| *p != shown && !killed.contains(p))
        });
        for p in views(&d) {
            if p != shown && !killed.contains(&p) {
                kill9(p);
                killed.push(p);
            }
        }
    }
    // A reset now may find no spare ready: the next one is shown when it is.
    assert!(d.ctl(&["reset", "--now"]).status.success());
    welcome_drawn(&world, &d, 2, "faults-spare-killed-repeatedly");
    let s = d.wait_status("a ready spare again", |s| s.spare_ready);
    assert_eq!(s.state, State::Welcome);
}

/// A view binary whose browser cannot start while `broken` exists (as when WebKit crashes at
/// start), and whose GTK-only notice still works: the real `guichet-view` behind a script.
fn breakable_view(world: &World) -> (PathBuf, PathBuf) {
    use std::os::unix::fs::PermissionsExt;
    let broken = world.tmp.path().join("broken");
    let script = world.tmp.path().join("view.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\ncase \"$*\" in *--notice*) ;; *) [ -e {broken} ] && exit 1 ;; esac\nexec {view} \"$@\"\n",
            broken = broken.display(),
            view = env!("CARGO_BIN_EXE_guichet-view"),
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    (script, broken)
}

#[test]
fn views_that_never_start_leave_a_drawn_out_of_order_notice_and_a_true_status() {
    let _lock = e2e_lock();
    let world = World::new(TestConfig::default());
    let (script, broken) = breakable_view(&world);
    std::fs::write(&broken, "").unwrap();
    // The script and its switch live in the test's folder, which a containment unit does not
    // see: this test, about the screen and the status, runs its views without units.
    let d = daemon_with(&world, script, State::OutOfOrder, true);
    // No view ever starts: after a few attempts, the notice (GTK alone) and the status agree.
    let s = d.wait_status("out of order", |s| s.state == State::OutOfOrder);
    assert!(
        s.out_of_order
            .as_deref()
            .unwrap()
            .contains("does not start"),
        "{s:?}"
    );
    assert!(!s.spare_ready);
    world
        .xvfb
        .screenshot_painted("faults-notice-out-of-order", 8);
    // The browser works again: the next view to start opens a fresh welcome by itself (no
    // wipe failed), and the notice goes.
    std::fs::remove_file(&broken).unwrap();
    welcome_drawn(&world, &d, 1, "faults-notice-then-welcome");
    eventually("the notice is gone", || {
        !descendants(d.child.id() as i32).iter().any(|p| {
            std::fs::read_to_string(format!("/proc/{p}/cmdline"))
                .is_ok_and(|c| c.contains("--notice"))
        })
    });
}
