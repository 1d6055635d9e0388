//! The containment unit with guichetd and the real view under Xvfb: WebKit's web processes run
//! in WebKit's own sandbox inside the unit, and a process started from a web process does not
//! outlive the session (after `reset --now`, a clean restart, kill -9 of guichetd and a
//! restart).
//!
//! A process "started from a web process" is started in all of that web process's namespaces
//! (`nsenter --target <WebKitWebProcess> --all`, as its user): what code running in the web
//! process after an exploit could start. It runs a copy of the fake view, placed where the web
//! process may write (the session's cache folder, which WebKit's sandbox binds), in its
//! `hostile both` shape: detached, ignoring SIGTERM and SIGHUP, re-forking every 100 ms, with
//! no environment. With `GUICHET_TEST_UNSAFE_NO_CONTAINMENT=1` (no unit, no WebKit sandbox)
//! these tests fail.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use guichet::daemon::machine::State;
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use support::procs::{self, comm, descendants, pid_ns, with_arg};
use support::{e2e_lock, eventually, Builder, Daemon, Reply, TestConfig, World};

const HOST: &str = "localhost";

fn world() -> World {
    let world = World::new(TestConfig {
        start_url: Some(format!("http://{HOST}/session")),
        extra: vec![format!("http://{HOST}")],
        allow_http: vec![HOST.into()],
        ..TestConfig::default()
    });
    world.proxy.route(
        HOST,
        "/session",
        Reply::html("<!doctype html><p>une session</p><script>fetch('/loaded')</script>"),
    );
    world.proxy.route(HOST, "/loaded", Reply::html("ok"));
    world
}

fn builder(world: &World) -> Builder {
    world.daemon_builder()
}

/// The shown session: its directory, its view's pid and its web processes (oldest first: the
/// toolbar's, then the content's), once its page has loaded.
struct Shown {
    dir: PathBuf,
    view: i32,
    web: Vec<i32>,
}

fn shown(d: &Daemon, world: &World, loads: usize) -> Shown {
    world
        .proxy
        .wait_count("the session page", loads, |s| s.path == "/loaded");
    // This guichetd's views (other tests on the machine may run views too).
    let sessions = d.runtime.join("sessions").display().to_string();
    let views = procs::find(|args| {
        args.first().is_some_and(|a| a.ends_with("/guichet-view"))
            && args.iter().any(|a| a.starts_with(&sessions))
    });
    // The shown view is the older one: the spare beside it was started after it was shown.
    let found = views
        .into_iter()
        .min_by_key(|v| (procs::start_time(*v), *v))
        .map(|view| {
            let mut web: Vec<i32> = descendants(view)
                .into_iter()
                .filter(|p| comm(*p).starts_with("WebKitWebProces"))
                .collect();
            web.sort_by_key(|p| (procs::start_time(*p), *p));
            let args = procs::cmdline(view);
            let dir = args[args.iter().position(|a| a == "--session-dir").unwrap() + 1].clone();
            Shown {
                dir: PathBuf::from(dir),
                view,
                web,
            }
        });
    let s = found.unwrap_or_else(|| panic!("no shown view\n{}", d.logs()));
    assert!(s.dir.starts_with(d.runtime.join("sessions")));
    assert!(!s.web.is_empty(), "no web process");
    s
}

/// `Key: value` of `/proc/<pid>/status`.
fn status(pid: i32, key: &str) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|l| {
            l.strip_prefix(&format!("{key}:"))
                .map(|v| v.trim().to_owned())
        })
        .unwrap_or_default()
}

fn ns(pid: i32, kind: &str) -> String {
    std::fs::read_link(format!("/proc/{pid}/ns/{kind}"))
        .unwrap()
        .display()
        .to_string()
}

#[test]
fn web_processes_run_in_webkits_sandbox_inside_the_unit() {
    let _g = e2e_lock();
    let world = world();
    let d = builder(&world).start();
    let s = shown(&d, &world, 1);
    let me = std::process::id() as i32;
    // The view is in its unit: its own PID, mount and user namespaces.
    for kind in ["pid", "mnt", "user"] {
        assert_ne!(
            ns(s.view, kind),
            ns(me, kind),
            "the view shares guichetd's {kind} ns"
        );
    }
    assert_eq!(status(s.view, "NSpid").split_whitespace().count(), 2);
    for web in &s.web {
        // WebKit's sandbox: its own PID, mount, user and network namespaces, nested in the
        // unit's; a seccomp filter; started by bubblewrap; no capabilities; not root.
        for kind in ["pid", "mnt", "user", "net"] {
            assert_ne!(
                ns(*web, kind),
                ns(s.view, kind),
                "web process {web} shares the view's {kind} ns"
            );
        }
        assert_eq!(
            status(*web, "NSpid").split_whitespace().count(),
            3,
            "not nested in the unit"
        );
        assert_eq!(status(*web, "Seccomp"), "2", "no seccomp filter");
        assert_eq!(status(*web, "CapEff"), "0000000000000000");
        assert!(!status(*web, "Uid").starts_with("0\t"), "runs as root");
        let parent = procs::parent_of(*web).unwrap();
        assert_eq!(
            comm(parent),
            "bwrap",
            "web process {web} not started by bubblewrap"
        );
        eprintln!(
            "web process {web}: NSpid {}, Seccomp {}, parent {} ({}), pid ns {} (view {})",
            status(*web, "NSpid"),
            status(*web, "Seccomp"),
            parent,
            comm(parent),
            ns(*web, "pid"),
            ns(s.view, "pid")
        );
    }
}

/// How a test ends the session the escapee was started in.
#[derive(Clone, Copy, Debug)]
enum End {
    Reset,
    Restart,
    Kill9,
}

fn escape_from_a_web_process(end: End) {
    let _g = e2e_lock();
    let world = world();
    let mut d = builder(&world).start();
    let s = shown(&d, &world, 1);
    let web = *s.web.last().unwrap();
    // The payload, where the web process may write and execute: a folder of the session that
    // WebKit's sandbox binds read-write (at the same path), as its mount table says.
    let mountinfo = std::fs::read_to_string(format!("/proc/{web}/mountinfo")).unwrap();
    let cache = mountinfo
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            Some((PathBuf::from(f.get(4)?), *f.get(5)?))
        })
        .find(|(at, opts)| {
            at.starts_with(&s.dir) && opts.starts_with("rw") && !opts.contains("noexec")
        })
        .map(|(at, _)| at)
        .unwrap_or_else(|| {
            // No sandbox (containment off): the web process sees the machine's files.
            assert_eq!(
                ns(web, "mnt"),
                ns(std::process::id() as i32, "mnt"),
                "{mountinfo}"
            );
            s.dir.join("profile")
        });
    assert!(cache.is_dir(), "{}", cache.display());
    let payload = cache.join("payload");
    std::fs::copy(support::daemon::fake_view(), &payload).unwrap();
    std::fs::set_permissions(&payload, std::fs::Permissions::from_mode(0o755)).unwrap();
    let owner = |p: &Path| std::os::unix::fs::MetadataExt::uid(&std::fs::metadata(p).unwrap());
    let uid = status(web, "Uid")
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let gid = status(web, "Gid")
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    nix::unistd::chown(
        &payload,
        Some(nix::unistd::Uid::from_raw(owner(&cache))),
        None,
    )
    .unwrap();
    let token = format!("escapee-webkit-{end:?}-{}", std::process::id());
    let out = Command::new("nsenter")
        .args([
            "--target",
            &web.to_string(),
            "--all",
            "--setuid",
            &uid,
            "--setgid",
            &gid,
            "--",
        ])
        .arg(&payload)
        .args(["hostile", "both", &token])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    eventually("the escapee runs", || !with_arg(&token).is_empty());
    let escapee = with_arg(&token)[0];
    assert_eq!(
        pid_ns(escapee),
        pid_ns(web),
        "not in the web process's PID namespace"
    );
    let sessions = d.status().sessions_started;
    match end {
        End::Reset => {
            d.reset_now_and_wait();
        }
        End::Restart => {
            assert_eq!(d.terminate().code(), Some(0), "{}", d.logs());
            d.spawn(&builder(&world));
        }
        End::Kill9 => {
            kill(Pid::from_raw(d.child.id() as i32), Signal::SIGKILL).unwrap();
            let _ = d.child.wait();
            d.spawn(&builder(&world));
        }
    }
    // Whatever survived is killed here, so that a failing test leaves nothing behind.
    let left = support::procs::kill_all_with_arg(&token);
    assert!(
        left.is_empty(),
        "started from a web process and survived: {left:?}"
    );
    assert!(!s.dir.exists());
    if matches!(end, End::Reset) {
        assert_eq!(d.status().sessions_started, sessions + 1);
    }
    d.wait_state(State::Welcome);
}

#[test]
fn a_process_started_from_a_web_process_does_not_survive_a_reset() {
    escape_from_a_web_process(End::Reset);
}

#[test]
fn a_process_started_from_a_web_process_does_not_survive_a_restart() {
    escape_from_a_web_process(End::Restart);
}

#[test]
fn a_process_started_from_a_web_process_does_not_survive_kill_9_of_guichetd_and_a_restart() {
    escape_from_a_web_process(End::Kill9);
}
