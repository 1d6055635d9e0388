//! The Wayland path: the real `guichet-view` under the real `cage` kiosk compositor, as in
//! production (DESIGN.md, "Processes" and "Testing").
//!
//! `cage` refuses to run as root, so the test runs it as `nobody` (uid/gid 65534, through
//! `setpriv`) with its own 0700 `XDG_RUNTIME_DIR`, nested in the harness's Xvfb
//! (`WLR_BACKENDS=x11`; Xvfb has no access control, so any local user may connect). The
//! wlroots headless backend is not used: with the pixman renderer it showed a blank webview.
//!
//! cage starts the view the way guichetd does: an empty environment plus the session's
//! confined one, with an absolute `WAYLAND_DISPLAY`, `GDK_BACKEND=wayland` and no `DISPLAY`
//! (cage would otherwise hand it its Xwayland display). The test speaks the JSON-lines
//! protocol over cage's stdin/stdout (which the view inherits), loads a start page through the
//! recording proxy and takes screenshots of cage's output with `grim`
//! (`target/screenshots/cage-*.png`).
//!
//! Needs `cage`, `xwayland` and `grim` (packaging/dev-deps.sh); fails when they are missing.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use guichet::protocol::view::{FromView, ToView};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use support::procs::{self, comm, environ, is_alive, parent_of, processes_in_group, start_time};
use support::view::log_filter;
use support::xvfb::{screenshot_dir, Shot};
use support::{e2e_lock, Reply, TestConfig, ViewPipes, World, Xvfb, TIMEOUT};

/// The unprivileged user cage runs as: `nobody`.
const UID: u32 = 65534;

const START: &str = "http://www.allowed.test/start";

/// Background of the start page, to see when it is painted.
const PAGE_BG: &str = "EEF6FF";

/// Height of the toolbar above the content view (CSS px; the output has scale 1).
const TOOLBAR: u32 = 96;

#[test]
fn view_runs_under_cage_on_wayland_maximised_without_title_bar() {
    let _g = e2e_lock();
    for tool in ["cage", "grim", "Xwayland"] {
        assert!(
            on_path(tool),
            "{tool} is not installed: the Wayland end-to-end test needs `cage xwayland grim` \
             (run packaging/dev-deps.sh)"
        );
    }
    let t0 = Instant::now();
    let world = World::new(config());
    world.proxy.route(
        "www.allowed.test",
        "/start",
        Reply::html(format!(
            "<!doctype html><html><head><meta charset=utf-8><title>t</title>\
             <style>html,body{{margin:0;height:100%;background:#{PAGE_BG}}}</style></head>\
             <body></body></html>"
        )),
    );

    // Everything nobody needs, in one tree it owns: the view binary (the target dir may not be
    // reachable by other users), the config, the session dir and cage's runtime dir.
    let home = world.tmp.path().join("cage");
    std::fs::create_dir(&home).unwrap();
    let view_bin = home.join("guichet-view");
    std::fs::copy(env!("CARGO_BIN_EXE_guichet-view"), &view_bin).expect("copy guichet-view");
    let config_dir = home.join("config");
    let config = config().write(&config_dir, &world.proxy);
    let session = guichet::sessiondir::SessionDir::create(&home.join("run")).expect("session");
    // What guichetd does before a view starts: the checked config, by value, in the session.
    let checked = guichet::config::Config::load(&config).expect("the test config loads");
    session.write_config(&checked).expect("config snapshot");
    let xdg = home.join("xdg");
    std::fs::create_dir(&xdg).unwrap();
    std::fs::set_permissions(&xdg, std::fs::Permissions::from_mode(0o700)).unwrap();
    // tempdir() is 0700 root: let nobody through to `cage/`.
    std::fs::set_permissions(world.tmp.path(), std::fs::Permissions::from_mode(0o711)).unwrap();
    chown_tree(&home, UID);

    let mut cage = Cage::start(&world.xvfb, &xdg, &view_bin, &session);
    cage.expect("ready", |m| *m == FromView::Ready);
    let ready_after = t0.elapsed();

    // (a) The view is cage's Wayland client: no DISPLAY, an absolute WAYLAND_DISPLAY in
    // cage's runtime dir, and GDK restricted to Wayland (GTK would not start without it).
    let view_pid = cage
        .descendants()
        .into_iter()
        .find(|p| comm(*p) == "guichet-view")
        .expect("guichet-view runs under cage");
    let env = environ(view_pid);
    let socket = cage.wayland_socket();
    assert!(
        !env.iter().any(|(k, _)| k == "DISPLAY"),
        "the view got DISPLAY: {env:?}"
    );
    assert!(
        env.contains(&("GDK_BACKEND".into(), "wayland".into())),
        "{env:?}"
    );
    assert!(
        env.contains(&("WAYLAND_DISPLAY".into(), socket.display().to_string())),
        "the view's WAYLAND_DISPLAY is not cage's socket {}: {env:?}",
        socket.display()
    );
    assert_eq!(
        std::fs::metadata(format!("/proc/{view_pid}"))
            .map(|m| std::os::unix::fs::MetadataExt::uid(&m))
            .unwrap(),
        UID
    );

    cage.send(&ToView::Start { goodbye: false });
    world.proxy.wait_path("www.allowed.test", "/start");
    cage.expect("navigated", |m| matches!(m, FromView::Navigated { .. }));

    // (b) It renders: the toolbar (white, blue border) over the start page.
    let shot = cage.screenshot_showing("cage-session", |img| {
        img.has(rect(0, img.height / 2, img.width, img.height / 2), PAGE_BG)
            && img.has(rect(0, 0, img.width, img.height / 2), "1D4F91")
    });
    // (c) cage maximises it and GTK draws no title bar: the toolbar's white starts at the
    // very top row, and the page colour reaches the bottom rows and both side columns.
    let top = shot.colours(rect(0, 0, shot.width, 8));
    assert_eq!(
        top,
        BTreeSet::from(["#FFFFFF".to_owned()]),
        "the top of the screen is not the toolbar (a title bar?): {} shows {top:?}",
        shot.path.display()
    );
    for (what, r) in [
        ("bottom", rect(0, shot.height - 8, shot.width, 8)),
        ("left", rect(0, TOOLBAR + 4, 4, shot.height - TOOLBAR - 4)),
        (
            "right",
            rect(shot.width - 4, TOOLBAR + 4, 4, shot.height - TOOLBAR - 4),
        ),
    ] {
        let c = shot.colours(r);
        assert_eq!(
            c,
            BTreeSet::from([format!("#{PAGE_BG}")]),
            "the view does not fill cage's output ({what} edge): {} shows {c:?}",
            shot.path.display()
        );
    }

    assert!(
        shot.has(rect(0, 0, shot.width, TOOLBAR), "B3261E"),
        "no end button in the toolbar: {}",
        shot.path.display()
    );

    // Quit: the view exits, and cage with it.
    cage.send(&ToView::Quit);
    cage.wait_exit();
    cage.kill_all();
    eprintln!(
        "cage: ready after {ready_after:?}, screenshot {} ({}x{}), total {:?}",
        shot.path.display(),
        shot.width,
        shot.height,
        t0.elapsed()
    );
}

fn config() -> TestConfig {
    TestConfig {
        start_url: Some(START.into()),
        ..TestConfig::default()
    }
}

fn on_path(tool: &str) -> bool {
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .any(|d| d.join(tool).is_file())
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

/// `(x, y, width, height)`.
fn rect(x: u32, y: u32, w: u32, h: u32) -> (u32, u32, u32, u32) {
    (x, y, w, h)
}

/// cage (as `nobody`, nested in Xvfb) running `guichet-view`; every process it started is
/// killed on drop.
struct Cage {
    child: Child,
    pipes: ViewPipes,
    xdg: PathBuf,
    /// Every descendant seen so far, with its start time (WebKit may move its sandboxed
    /// processes to a new session; the start time tells a reused pid apart).
    seen: BTreeMap<i32, u64>,
}

impl Cage {
    fn start(
        xvfb: &Xvfb,
        xdg: &Path,
        view: &Path,
        session: &guichet::sessiondir::SessionDir,
    ) -> Cage {
        // Orphans of the run (cage's Xwayland, WebKit processes of a killed view) come back
        // to this process, which reaps them (pid 1 of a container may not).
        nix::sys::prctl::set_child_subreaper(true).expect("PR_SET_CHILD_SUBREAPER");
        let id = UID.to_string();
        let mut cmd = Command::new("setpriv");
        cmd.arg(format!("--reuid={id}"))
            .arg(format!("--regid={id}"))
            .args(["--clear-groups", "--", "env", "-i", "PATH=/usr/bin:/bin"])
            .arg(format!("DISPLAY={}", xvfb.display))
            .arg(format!("XDG_RUNTIME_DIR={}", xdg.display()))
            .args(["WLR_BACKENDS=x11", "cage", "--"])
            // What guichetd does: an empty environment, the confined one, the display.
            .args([
                "/bin/sh",
                "-c",
                r#"exec env -i WAYLAND_DISPLAY="$XDG_RUNTIME_DIR/$WAYLAND_DISPLAY" "$@""#,
                "sh",
            ]);
        for (k, v) in session.confined_env(&[]) {
            let mut kv = std::ffi::OsString::from(format!("{k}="));
            kv.push(v);
            cmd.arg(kv);
        }
        cmd.arg("GDK_BACKEND=wayland")
            .arg(format!("RUST_LOG={}", log_filter()))
            .arg(view)
            .arg("--session-dir")
            .arg(session.root())
            .env_clear()
            .process_group(0)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("start setpriv … cage");
        Cage {
            pipes: ViewPipes::of_child("the view under cage", &mut child),
            child,
            xdg: xdg.to_owned(),
            seen: BTreeMap::new(),
        }
    }

    fn send(&mut self, msg: &ToView) {
        self.pipes.send(msg);
    }

    /// Waits for a message matching `pred`, skipping (but recording) others, and remembers
    /// cage's descendants before each wait.
    fn expect(&mut self, what: &str, pred: impl Fn(&FromView) -> bool) -> FromView {
        let (cage, seen) = (self.pid(), &mut self.seen);
        self.pipes.expect_while(what, pred, || {
            remember_descendants(cage, seen);
        })
    }

    /// cage's Wayland socket (absolute).
    fn wayland_socket(&self) -> PathBuf {
        std::fs::read_dir(&self.xdg)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .find(|p| {
                let name = p.file_name().unwrap().to_string_lossy();
                name.starts_with("wayland-") && !name.ends_with(".lock")
            })
            .expect("cage's Wayland socket")
    }

    /// Current descendants of cage (also remembered for the clean-up).
    fn descendants(&mut self) -> Vec<i32> {
        remember_descendants(self.pid(), &mut self.seen)
    }

    /// cage's pid (setpriv execs it), which is also its process group.
    fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    /// Runs `grim -` as `nobody` on cage's socket until `done(shot)`; saves the last picture
    /// as `target/screenshots/<name>.png`. Panics after [`TIMEOUT`].
    fn screenshot_showing(&mut self, name: &str, done: impl Fn(&Shot) -> bool) -> Shot {
        let path = screenshot_dir().join(format!("{name}.png"));
        let socket = self.wayland_socket();
        let deadline = Instant::now() + TIMEOUT;
        loop {
            self.descendants();
            let out = Command::new("setpriv")
                .arg(format!("--reuid={UID}"))
                .arg(format!("--regid={UID}"))
                .args(["--clear-groups", "--", "env", "-i"])
                .arg(format!("XDG_RUNTIME_DIR={}", self.xdg.display()))
                .arg(format!("WAYLAND_DISPLAY={}", socket.display()))
                .args(["grim", "-"])
                .env_clear()
                .output()
                .expect("run grim");
            assert!(
                out.status.success(),
                "grim failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            std::fs::write(&path, &out.stdout).expect("write screenshot");
            let shot = Shot::open(path.clone());
            if done(&shot) {
                return shot;
            }
            assert!(
                Instant::now() < deadline,
                "{name}: the view never showed the expected picture under cage (last: {})",
                path.display()
            );
            std::thread::sleep(Duration::from_millis(300));
        }
    }

    /// Waits for cage to exit (it does when the view does) and asserts it exited cleanly.
    fn wait_exit(&mut self) {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            self.descendants();
            if let Some(st) = self.child.try_wait().expect("try_wait") {
                assert!(st.success(), "cage exited with {st}");
                return;
            }
            assert!(Instant::now() < deadline, "cage did not exit after quit");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Kills cage's process group and every descendant ever seen, and checks none is left.
    fn kill_all(&mut self) {
        self.descendants();
        let pgid = self.pid();
        let _ = nix::sys::signal::killpg(Pid::from_raw(pgid), Signal::SIGKILL);
        for pid in self.survivors() {
            let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left: Vec<i32> = processes_in_group(pgid, false)
                .into_iter()
                .chain(self.survivors())
                .collect();
            if left.is_empty() {
                self.reap(pgid);
                return;
            }
            self.reap(pgid);
            if Instant::now() >= deadline {
                panic!(
                    "processes of the cage run survived: {:?}",
                    left.iter().map(|p| (*p, comm(*p))).collect::<Vec<_>>()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Cage {
    /// Reaps the exited processes of the run that were orphaned to this process (the
    /// subreaper), until none is left or a second has passed.
    fn reap(&self, pgid: i32) {
        let me = std::process::id() as i32;
        let deadline = Instant::now() + Duration::from_secs(1);
        loop {
            let mut pending = false;
            for pid in self
                .seen
                .keys()
                .copied()
                .chain(processes_in_group(pgid, true))
            {
                if pid == self.pid() || parent_of(pid) != Some(me) {
                    continue;
                }
                pending = true;
                let _ = nix::sys::wait::waitpid(
                    Pid::from_raw(pid),
                    Some(nix::sys::wait::WaitPidFlag::WNOHANG),
                );
            }
            if !pending || Instant::now() >= deadline {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The descendants seen so far that still run (same pid and start time, not a zombie).
    fn survivors(&self) -> Vec<i32> {
        self.seen
            .iter()
            .filter(|(pid, t)| is_alive(**pid) && start_time(**pid) == Some(**t))
            .map(|(pid, _)| *pid)
            .collect()
    }
}

impl Drop for Cage {
    fn drop(&mut self) {
        self.pipes.close_stdin();
        if std::thread::panicking() {
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.kill_all()));
            self.pipes.print_log("cage + guichet-view");
        } else {
            self.kill_all();
        }
    }
}

/// Current descendants of `cage`, each remembered in `seen` with its start time.
fn remember_descendants(cage: i32, seen: &mut BTreeMap<i32, u64>) -> Vec<i32> {
    let found = procs::descendants(cage);
    for pid in &found {
        if let Some(t) = start_time(*pid) {
            seen.entry(*pid).or_insert(t);
        }
    }
    found
}
