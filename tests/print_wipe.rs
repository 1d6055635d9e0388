//! The kiosk user's print jobs are purged at every wipe, against a real CUPS scheduler.
//!
//! Each test starts its own `cupsd` in the foreground, with every folder (config, spool, cache,
//! state, logs) in a temp dir and only a Unix socket to listen on (no TCP port, so a system
//! cupsd is not in the way), keeping completed jobs with their files (`PreserveJobFiles Yes`).
//! Its queue is raw, to `file:///dev/null`. guichetd (with the fake view) runs as the same user
//! as the test, so the jobs the test submits belong to the kiosk user.

mod support;

use std::fs;
use std::path::PathBuf;

use guichet::daemon::machine::State;
use support::cups::{me, Cups};
use support::{eventually, Builder, Daemon};

/// Another user, whose jobs the kiosk user's purge must leave alone: `daemon`, which every
/// Debian system has (base-passwd). It must exist: cupsd 2.4.2 (bookworm) segfaults when asked
/// for the jobs of a user that owns a job but is unknown to the machine.
fn other_user() -> String {
    let name = "daemon";
    assert!(
        nix::unistd::User::from_name(name).unwrap().is_some(),
        "no user `{name}` on this machine"
    );
    assert_ne!(name, me(), "the other user must not be the kiosk user");
    name.to_owned()
}

fn canary() -> String {
    format!("CANARY-PRINT-{}-{}", std::process::id(), rand_suffix())
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

fn daemon_with(cups: &Cups) -> Daemon {
    Builder {
        extra_config: cups.printing_config(),
        ..Default::default()
    }
    .start()
}

/// The `print jobs wiped` log lines.
fn wiped_lines(d: &Daemon) -> Vec<String> {
    d.logs()
        .lines()
        .filter(|l| l.contains("print jobs wiped"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn a_reset_purges_every_job_of_the_kiosk_user_and_no_other() {
    let cups = Cups::start();
    let d = daemon_with(&cups);
    let canary = canary();
    let n = cups.submit_kiosk_jobs(&canary);
    // Another user's job on the same queue (CUPS takes `-U` from a local client).
    let other = other_user();
    cups.lp("other.txt", "someone else's letter\n", &["-U", &other]);
    let others = cups.jobs(&other);
    assert_eq!(others.len(), 1, "{others:?}");

    let v = d.shown();
    v.cmd("activity");
    d.wait_state(State::Active);
    let s = d.reset_now_and_wait();

    assert_eq!(cups.jobs(&me()), Vec::<String>::new());
    assert_eq!(cups.spool_files_with(&canary), Vec::<PathBuf>::new());
    assert_eq!(cups.jobs(&other), others, "another user's job was touched");
    assert!(s.last_wipe.as_ref().is_some_and(|w| w.ok), "{s:?}");
    let wiped = wiped_lines(&d);
    assert!(
        wiped.iter().any(|l| l.contains(&format!("jobs={n}"))),
        "{}",
        d.logs()
    );
    eprintln!("{}", wiped.join("\n"));
    assert!(!d.logs().contains(&canary), "the canary reached the logs");
}

#[test]
fn jobs_left_before_guichetd_starts_are_wiped_before_the_first_welcome() {
    let cups = Cups::start();
    let canary = canary();
    let n = cups.submit_kiosk_jobs(&canary);
    let d = daemon_with(&cups);
    // Builder::start returns at the first welcome.
    assert_eq!(cups.jobs(&me()), Vec::<String>::new());
    assert_eq!(cups.spool_files_with(&canary), Vec::<PathBuf>::new());
    let logs = d.logs();
    let wiped = logs
        .find(&format!("jobs={n}"))
        .unwrap_or_else(|| panic!("{logs}"));
    let welcome = logs.find("-> welcome").unwrap_or_else(|| panic!("{logs}"));
    assert!(
        wiped < welcome,
        "print jobs wiped after the welcome:\n{logs}"
    );
    assert!(!logs.contains(&canary), "the canary reached the logs");
}

#[test]
fn cups_down_puts_the_terminal_out_of_order_until_a_retry_succeeds() {
    let mut cups = Cups::start();
    let d = daemon_with(&cups);
    d.wait_status("spare ready", |s| s.spare_ready);
    let canary = canary();
    cups.submit_kiosk_jobs(&canary);
    let v = d.shown();
    v.cmd("activity");
    d.wait_state(State::Active);

    cups.stop();
    assert!(d.ctl(&["reset", "--now"]).status.success());
    let s = d.wait_state(State::OutOfOrder);
    let error = s.last_wipe.as_ref().and_then(|w| w.error.clone());
    assert!(
        error.as_deref().is_some_and(|e| e.contains("print jobs")),
        "{s:?}"
    );
    // No new session: the screen says out of order, input and pause change nothing.
    let shown = d.shown();
    shown.wait_got("\"screen\":\"out_of_order\"");
    shown.cmd("activity");
    assert_eq!(d.ctl(&["pause"]).status.code(), Some(2));
    assert_eq!(d.status().state, State::OutOfOrder);
    let out = d.ctl(&["status"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("print jobs"));
    assert!(d.logs().contains("print job wipe FAILED"), "{}", d.logs());

    // The staff's retry, once CUPS is back, purges the jobs and reopens the terminal.
    cups.run();
    assert_eq!(
        cups.jobs(&me()).len(),
        3,
        "jobs should survive the cupsd restart"
    );
    assert!(d.ctl(&["reset"]).status.success());
    let s = d.wait_state(State::Welcome);
    assert!(s.last_wipe.as_ref().is_some_and(|w| w.ok), "{s:?}");
    assert_eq!(cups.jobs(&me()), Vec::<String>::new());
    assert_eq!(cups.spool_files_with(&canary), Vec::<PathBuf>::new());
    assert!(!d.logs().contains(&canary), "the canary reached the logs");
}

#[test]
fn a_job_printing_to_a_printer_that_does_not_answer_is_purged_too() {
    let cups = Cups::start();
    // A second queue whose printer refuses every connection (nothing listens on port 1): the
    // ipp backend keeps the job "processing", waiting for the printer, as when a terminal's
    // printer is off or out of paper.
    cups.ok(
        "lpadmin",
        &["-p", "eteinte", "-v", "ipp://127.0.0.1:1/ipp/print", "-E"],
    );
    let d = daemon_with(&cups);
    let canary = canary();
    let doc = cups.dir.path().join("docs").join(format!("{canary}.txt"));
    fs::write(&doc, format!("attestation {canary}\n")).unwrap();
    cups.ok(
        "lp",
        &["-d", "eteinte", "-t", &canary, doc.to_str().unwrap()],
    );
    eventually("the printer is printing the job", || {
        let out = cups.tool("lpstat", &["-p", "eteinte"]);
        String::from_utf8_lossy(&out.stdout).contains("now printing")
    });

    let v = d.shown();
    v.cmd("activity");
    d.wait_state(State::Active);
    let s = d.reset_now_and_wait();

    assert!(s.last_wipe.as_ref().is_some_and(|w| w.ok), "{s:?}");
    assert_eq!(s.state, State::Welcome, "{s:?}");
    assert_eq!(cups.jobs(&me()), Vec::<String>::new());
    assert_eq!(cups.spool_files_with(&canary), Vec::<PathBuf>::new());
    assert!(!d.logs().contains(&canary), "the canary reached the logs");
}
