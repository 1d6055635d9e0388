//! Black-box tests of guichetd with the fake view: transitions, timers, crashes, config.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use guichet::daemon::machine::State;
use guichet::protocol::control::{Request, Response};
use support::config::policies_dir;
use support::daemon::guichetd;
use support::procs::processes_inside;
use support::{config_text, eventually, Builder, Daemon};

#[test]
fn a_session_goes_from_welcome_to_a_fresh_welcome_and_is_wiped() {
    let d = Daemon::start();
    let first = d.shown();
    let s = d.status();
    assert_eq!(s.state, State::Welcome);
    assert_eq!(s.terminal, "Poste test A");
    assert_eq!(s.sessions_started, 1);
    d.wait_status("spare ready", |s| s.spare_ready);
    // Two session dirs: the shown one and the hidden spare.
    assert_eq!(d.sessions().len(), 2);

    first.cmd("activity");
    d.wait_state(State::Active);
    first.cmd("canary CANARY-SESSION-1");
    let first = first.wait_got("\"start\"");
    eventually("canary written", || {
        first.reload().lines.iter().any(|l| l == "canary written")
    });
    first.cmd("navigated www.myminfin.be taxes myminfin");
    first.cmd("end_requested");
    // The fake view answers end_session with ended at once.
    let first = first.wait_got("end_session");
    assert!(first.got("\"takeaway\":true"));
    let s = d.wait_status("next welcome", |s| {
        s.state == State::Welcome && s.sessions_started == 2
    });
    assert!(s.last_wipe.as_ref().unwrap().ok, "{s:?}");
    let next = d.shown();
    assert_ne!(next.id, first.id);
    assert!(!Path::new(&d.runtime.join("sessions").join(&first.id)).exists());
    eventually("old view gone", || !first.alive());
    // The next view was started before the session and never got anything but start.
    let orders: Vec<_> = next
        .lines
        .iter()
        .filter(|l| l.starts_with("recv"))
        .collect();
    assert_eq!(orders.len(), 1, "{orders:?}");
    let logs = d.logs();
    assert!(logs.contains("state: active -> ending"), "{logs}");
    assert!(logs.contains("wipe ok"), "{logs}");
}

#[test]
fn idle_countdown_input_returns_to_active_then_timeout_ends_without_takeaway() {
    // idle 30 s / 100 = 300 ms, countdown 10 s / 100 = 100 ms.
    let d = Builder {
        speedup: 100,
        idle: 30,
        ..Builder::default()
    }
    .start();
    let v = d.shown();
    v.cmd("activity");
    d.wait_state(State::Active);
    let v = v.wait_got("\"reason\":\"idle\"");
    // Input during the countdown: back to Active, countdown hidden.
    v.cmd("activity");
    let v = v.wait_got("cancel_countdown");
    // Then silence: the session ends without take-away (nobody is there).
    let v = v.wait_got("end_session");
    assert!(v.got("\"takeaway\":false"), "{:?}", v.lines);
    d.wait_status("next welcome", |s| {
        s.state == State::Welcome && s.sessions_started == 2
    });
    assert!(d.logs().contains("reason=Idle"), "{}", d.logs());
}

#[test]
fn staff_reset_during_ending_wipes_at_once_with_now() {
    let d = Daemon::start();
    std::fs::write(d.ctl.join("hold_ending"), "").unwrap();
    let v = d.shown();
    v.cmd("activity");
    d.wait_state(State::Active);
    let out = d.ctl(&["reset"]);
    assert!(out.status.success(), "{out:?}");
    d.wait_state(State::Ending);
    v.wait_got("\"takeaway\":true");
    // A second plain reset lets the end flow run; --now cuts it.
    assert!(d.ctl(&["reset"]).status.success());
    assert_eq!(d.status().state, State::Ending);
    let out = d.ctl(&["reset", "--now"]);
    assert!(out.status.success(), "{out:?}");
    d.wait_status("next welcome", |s| {
        s.state == State::Welcome && s.sessions_started == 2
    });
    eventually("old view gone", || !v.alive());
}

#[test]
fn a_view_crash_during_welcome_shows_a_fresh_view() {
    let d = Daemon::start();
    d.wait_status("spare ready", |s| s.spare_ready);
    let v = d.shown();
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(v.pid),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    d.wait_status("next welcome", |s| {
        s.state == State::Welcome && s.sessions_started == 2
    });
    assert_ne!(d.shown().id, v.id);
    assert!(!d.runtime.join("sessions").join(&v.id).exists());
    assert!(d.logs().contains("reason=Crash"));
}

#[test]
fn a_crash_message_mid_session_wipes() {
    let d = Daemon::start();
    let v = d.shown();
    v.cmd("activity");
    d.wait_state(State::Active);
    v.cmd("crash");
    d.wait_status("next welcome", |s| {
        s.state == State::Welcome && s.sessions_started == 2
    });
    eventually("crashed view killed", || !v.alive());
    assert!(!d.runtime.join("sessions").join(&v.id).exists());
}

#[test]
fn a_config_change_mid_session_applies_only_at_the_next_welcome() {
    let d = Daemon::start();
    let v = d.shown();
    v.cmd("activity");
    d.wait_state(State::Active);
    let text = std::fs::read_to_string(&d.config)
        .unwrap()
        .replace("Poste test A", "Poste test B");
    std::fs::write(&d.config, text).unwrap();
    // notify sees it; the running session keeps the old config.
    let s = d.wait_status("config staged", |s| s.config.pending);
    assert_eq!(s.terminal, "Poste test A");
    assert_eq!(s.state, State::Active);
    // The spare was replaced by one that read the new file, so the next session has it.
    d.wait_status("new spare ready", |s| s.spare_ready);
    v.cmd("end_requested");
    let s = d.wait_status("next welcome", |s| {
        s.state == State::Welcome && s.sessions_started == 2
    });
    assert_eq!(s.terminal, "Poste test B");
    assert!(!s.config.pending);
    let next = d.shown();
    assert_eq!(
        next.line_value("config-name ").as_deref(),
        Some("Poste test B")
    );
}

#[test]
fn a_new_pack_folder_is_watched_after_the_reload_that_names_it() {
    let d = Daemon::start();
    let packs2 = d.tmp.path().join("packs2");
    std::fs::create_dir(&packs2).unwrap();
    let pack = std::fs::read_to_string(policies_dir().join("be-federal.toml")).unwrap();
    std::fs::write(packs2.join("be-federal.toml"), &pack).unwrap();
    // be-federal requires be-login: the new folder holds both.
    std::fs::copy(
        policies_dir().join("be-login.toml"),
        packs2.join("be-login.toml"),
    )
    .unwrap();
    let text = std::fs::read_to_string(&d.config).unwrap().replace(
        &format!("pack_dirs = [\"{}\"]", policies_dir().display()),
        &format!("pack_dirs = [\"{}\"]", packs2.display()),
    );
    std::fs::write(&d.config, text).unwrap();
    d.wait_status("config with the new folder staged", |s| s.config.pending);
    // An edit in the new folder alone is seen: the watcher follows the checked config.
    std::fs::write(
        packs2.join("be-federal.toml"),
        pack.replace("id = \"be-federal\"", "id = 7"),
    )
    .unwrap();
    let s = d.wait_status("the broken pack rejected", |s| s.config.rejected.is_some());
    assert!(
        s.config
            .rejected
            .as_deref()
            .unwrap()
            .contains("packs2/be-federal.toml:"),
        "{s:?}"
    );
}

#[test]
fn an_invalid_config_is_rejected_with_its_location_and_the_old_one_stays() {
    let d = Daemon::start();
    let good = std::fs::read_to_string(&d.config).unwrap();
    std::fs::write(
        &d.config,
        good.replace("idle_timeout_secs = 300", "idle_timeout_secs = 1"),
    )
    .unwrap();
    let out = d.ctl(&["reload"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("guichet.toml:6:21:"), "{err}");
    let s = d.status();
    assert!(
        s.config.rejected.as_deref().unwrap().contains(":6:21:"),
        "{s:?}"
    );
    assert!(!s.config.pending);
    assert_eq!(s.state, State::Welcome);
    assert!(d.logs().contains("config: rejected"));
    // SIGHUP reloads too: a fixed file clears the rejection.
    std::fs::write(&d.config, good).unwrap();
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(d.child.id() as i32),
        nix::sys::signal::Signal::SIGHUP,
    )
    .unwrap();
    d.wait_status("rejection cleared", |s| s.config.rejected.is_none());
}

/// "Call the helper" raises a flag in `guichetctl status` (nothing else: no page, no time);
/// `guichetctl ack` clears it, and so does the next session if nobody acknowledged it.
#[test]
fn a_helper_call_shows_in_status_until_acknowledged_or_the_next_session() {
    let d = Daemon::start();
    let v = d.shown();
    assert!(!d.status().helper_called);
    v.cmd("activity");
    d.wait_state(State::Active);
    v.cmd("helper_called");
    d.wait_status("helper called", |s| s.helper_called);
    let shown = String::from_utf8_lossy(&d.ctl(&["status"]).stdout).into_owned();
    assert!(shown.contains("HELPER CALLED"), "{shown}");
    let out = d.ctl(&["ack"]);
    assert!(out.status.success(), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("acknowledged"),
        "{out:?}"
    );
    let s = d.status();
    assert!(!s.helper_called, "{s:?}");
    assert_eq!(s.state, State::Active, "ack does not touch the session");
    let again = d.ctl(&["ack"]);
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("no helper call"),
        "{again:?}"
    );

    // Called again and never acknowledged: the next person's session starts without it.
    v.cmd("helper_called");
    d.wait_status("helper called again", |s| s.helper_called);
    v.cmd("end_requested");
    let s = d.wait_status("next welcome", |s| {
        s.state == State::Welcome && s.sessions_started == 2
    });
    assert!(!s.helper_called, "{s:?}");
}

#[test]
fn pause_and_resume() {
    let d = Daemon::start();
    let v = d.shown();
    assert_eq!(d.ctl(&["resume"]).status.code(), Some(2));
    assert!(d.ctl(&["pause"]).status.success());
    d.wait_state(State::Paused);
    v.wait_got("\"screen\":\"paused\"");
    v.cmd("activity");
    assert_eq!(d.status().state, State::Paused);
    assert!(d.ctl(&["resume"]).status.success());
    d.wait_status("fresh welcome", |s| {
        s.state == State::Welcome && s.sessions_started == 2
    });
    assert_ne!(d.shown().id, v.id);
}

#[test]
fn sigterm_wipes_everything_and_exits_zero() {
    let mut d = Daemon::start();
    let v = d.shown();
    v.cmd("activity");
    d.wait_state(State::Active);
    // Their pids while they run (`views()` finds running views only).
    let views = d.views();
    assert!(views.iter().all(|v| v.alive()), "{views:?}");
    let status = d.terminate();
    assert_eq!(status.code(), Some(0), "{}", d.logs());
    assert!(d.sessions().is_empty(), "{:?}", d.sessions());
    assert!(!d.socket.exists());
    for view in views {
        assert!(!view.alive(), "view {} survived", view.pid);
    }
}

#[test]
fn demo_mode_without_a_display_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("guichet.toml");
    std::fs::write(
        &config,
        config_text("x", &tmp.path().join("s.sock"), "users", 300),
    )
    .unwrap();
    let out = std::process::Command::new(guichetd())
        .arg("--demo")
        .arg("--config")
        .arg(&config)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env("XDG_RUNTIME_DIR", tmp.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("WARNING: demo mode"), "{err}");
    assert!(err.contains("neither DISPLAY nor WAYLAND_DISPLAY"), "{err}");
}

#[test]
fn status_has_no_session_age_on_the_welcome_screen() {
    let d = Daemon::start();
    match d.request(&Request::Status) {
        Response::Status(s) => assert!(s.session_age_secs.is_none()),
        other => panic!("{other:?}"),
    }
}

/// The README runs `guichetd --demo --config kiosk-config/guichet.toml` from a checkout, with
/// a relative path. Views never get that path (nor any other to `guichet.toml`): each is given
/// its session directory only, where guichetd wrote the config it checked as `config.json`,
/// readable by its owner only, before the view started; the view reads that one.
#[test]
fn views_get_the_checked_config_in_their_session_dir_not_a_path_to_the_file() {
    let d = Builder {
        relative_config: true,
        ..Builder::default()
    }
    .start();
    assert_eq!(d.status().state, State::Welcome);
    let views = processes_inside(&d.runtime);
    assert!(!views.is_empty(), "no view running");
    for (pid, _) in views {
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap();
        let args: Vec<String> = cmdline
            .split(|&b| b == 0)
            .filter(|a| !a.is_empty())
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        // No argument, to the unit (bubblewrap) or to the view in it, names guichet.toml.
        assert!(
            !args.iter().any(|a| a.contains("guichet.toml")),
            "view {pid} was given {args:?}"
        );
        let view = match args.iter().position(|a| a == "--") {
            Some(i) => &args[i + 1..],
            None => &args[..],
        };
        assert_eq!(view.len(), 3, "view {pid} was given {args:?}");
        assert_eq!(view[1], "--session-dir", "{args:?}");
        let session = Path::new(&view[2]);
        assert!(session.starts_with(d.runtime.join("sessions")), "{args:?}");
        let snapshot = session.join("config.json");
        let mode = std::fs::metadata(&snapshot).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o400, "{}", snapshot.display());
        let text = std::fs::read_to_string(&snapshot).unwrap();
        assert!(text.contains("Poste test A"), "{text}");
    }
    assert_eq!(
        d.shown().line_value("config-name ").as_deref(),
        Some("Poste test A"),
        "the view read its config from the snapshot"
    );
}

/// The view reports which service allowed a page; guichetd takes that service's logout URL
/// (it used to decide `https://HOST/` again, which a path-prefix rule does not allow), and
/// only for a service of the running config.
#[test]
fn the_reported_service_names_the_logout_url_even_behind_a_path_prefix() {
    let d = Daemon::start();
    let packs = d.tmp.path().join("packs");
    std::fs::create_dir(&packs).unwrap();
    let service = |id: &str, prefix: &str| {
        format!(
            "[[service]]\nid = \"{id}\"\nnames = {{ fr = \"{id}\", nl = \"{id}\", de = \"{id}\", \
             en = \"{id}\" }}\ncategory = \"administration\"\n\
             start_url = \"https://www.shared.test/{prefix}/\"\n\
             allow = [\"www.shared.test/{prefix}\"]\n\
             logout_url = \"https://www.shared.test/{prefix}/logout\"\n"
        )
    };
    std::fs::write(
        packs.join("shared.toml"),
        format!(
            "id = \"shared\"\ntitle = {{ fr = \"s\", nl = \"s\", de = \"s\", en = \"s\" }}\n{}{}",
            service("portal-a", "a"),
            service("portal-b", "b")
        ),
    )
    .unwrap();
    let text = std::fs::read_to_string(&d.config).unwrap();
    let text = text
        .replace(
            "packs = [\"be-login\", \"be-federal\"]",
            "packs = [\"be-login\", \"be-federal\", \"shared\"]",
        )
        .replace(
            "pack_dirs = [\"",
            &format!("pack_dirs = [\"{}\", \"", packs.display()),
        );
    std::fs::write(&d.config, text).unwrap();
    let out = d.ctl(&["reload"]);
    assert!(out.status.success(), "{out:?}");
    d.reset_now_and_wait();
    d.wait_status("config applied", |s| !s.config.pending);

    let v = d.shown();
    v.cmd("activity");
    v.cmd("navigated www.shared.test administration portal-b");
    v.cmd("navigated www.shared.test administration portal-z");
    v.cmd("end_requested");
    let v = v.wait_got("end_session");
    let order = v.lines.iter().find(|l| l.contains("end_session")).unwrap();
    assert!(
        order.contains(
            "\"logouts\":[{\"service\":\"portal-b\",\"url\":\"https://www.shared.test/b/logout\"}]"
        ),
        "{order}"
    );
}

/// Waits for guichetd to exit, within [`support::EVENTUALLY`].
fn wait_exit(d: &mut Daemon) -> std::process::ExitStatus {
    let t0 = std::time::Instant::now();
    loop {
        if let Some(status) = d.child.try_wait().unwrap() {
            return status;
        }
        assert!(
            t0.elapsed() < support::EVENTUALLY,
            "guichetd did not exit\n{}",
            d.logs()
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

#[test]
fn restart_waits_for_the_running_session_to_end_then_exits_zero() {
    let mut d = Daemon::start();
    let v = d.shown();
    v.cmd("activity");
    d.wait_state(State::Active);
    let out = d.ctl(&["restart"]);
    assert!(out.status.success(), "{out:?}");
    // The person's session goes on: guichetd answers, has not ended it and still runs.
    let s = d.status();
    assert_eq!(s.state, State::Active, "{}", d.logs());
    assert!(s.restart_pending, "{s:?}");
    let shown = String::from_utf8_lossy(&d.ctl(&["status"]).stdout).into_owned();
    assert!(
        shown.contains("restart: after the running session"),
        "{shown}"
    );
    assert!(d.child.try_wait().unwrap().is_none(), "{}", d.logs());
    assert!(!v.reload().got("end_session"));
    // The person ends it; at the welcome that follows, guichetd stops cleanly.
    v.cmd("end_requested");
    assert_eq!(wait_exit(&mut d).code(), Some(0), "{}", d.logs());
    assert!(v.reload().got("end_session"));
    assert!(d.sessions().is_empty(), "{:?}", d.sessions());
    let logs = d.logs();
    assert!(
        logs.contains("restart: no session runs, stopping"),
        "{logs}"
    );
}

#[test]
fn restart_on_the_welcome_screen_exits_at_once() {
    let mut d = Daemon::start();
    d.shown();
    assert!(d.ctl(&["restart"]).status.success());
    assert_eq!(wait_exit(&mut d).code(), Some(0), "{}", d.logs());
    assert!(d.sessions().is_empty(), "{:?}", d.sessions());
}
