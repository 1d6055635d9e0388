//! A `guichet-view` process for end-to-end tests, started as guichetd starts it, and the world
//! it runs in.
//!
//! [`View::spawn`] checks the test's `guichet.toml` as guichetd does and uses the production
//! spawn, [`spawn_view`]: the checked config written into the session dir as `config.json`,
//! then `guichet-view --session-dir …` in its own containment unit (PID and mount namespaces,
//! WebKit's sandbox inside), with a cleared environment plus `SessionDir::confined_env` and
//! `DISPLAY`, with `PR_SET_PDEATHSIG`. A test only adds what [`SpawnOptions`] offers for it:
//! the view's stderr kept on a pipe, and its log level (`guichet=debug`;
//! `GUICHET_TEST_LOG=guichet=trace` raises it). The parent-death signal follows the *thread*
//! that spawns: spawn from the test's own thread, which outlives the view. The spawn hands back
//! no `Child`: [`View`] ends the unit on drop with the production wipe's [`end_unit`] (the view
//! and its WebKit processes).
//!
//! [`ViewPipes`] speaks the protocol over a view's pipes (or those of whatever wraps it, such
//! as cage): [`ViewPipes::send`] writes a [`ToView`], [`ViewPipes::expect`] waits for a
//! [`FromView`] matching a predicate; the view's log is kept and printed when a test fails.
//! [`World`] is an X server, a proxy and a config for one test (`World::new(TestConfig)`,
//! `world.started_view()`).

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, ChildStdin, ChildStdout};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use guichet::config::Config;
use guichet::daemon::spawn::{spawn_view, SpawnOptions, ViewPid};
use guichet::daemon::unit::Unit;
use guichet::daemon::wipe::end_unit;
use guichet::protocol::frame;
use guichet::protocol::view::{FromView, ToView};
use guichet::sessiondir::SessionDir;
use guichet::sys::Exit;
use nix::sys::signal::{killpg, Signal};

use super::config::TestConfig;
use super::procs;
use super::proxy::Proxy;
use super::xvfb::{Shot, Xvfb};
use super::TIMEOUT;

/// The views' `RUST_LOG` in tests: `GUICHET_TEST_LOG`, or `guichet=debug`.
pub fn log_filter() -> String {
    std::env::var("GUICHET_TEST_LOG").unwrap_or_else(|_| "guichet=debug".into())
}

/// A running `guichet-view`, killed (with its process group) on drop. Its log is printed if
/// the test fails.
pub struct View {
    pid: ViewPid,
    unit: Unit,
    /// How it ended, once reaped.
    exit: Option<Exit>,
    pipes: ViewPipes,
    pub session: SessionDir,
}

impl View {
    /// Checks `config` (a `guichet.toml`) and starts the view on `xvfb` with it, by the
    /// production spawn, confined to `session`.
    pub fn spawn(xvfb: &Xvfb, config: &Path, session: SessionDir) -> View {
        let config = Config::load(config).unwrap_or_else(|e| panic!("test config: {e}"));
        let opts = SpawnOptions {
            display: vec![("DISPLAY", xvfb.display.clone().into())],
            capture_stderr: true,
            log_filter: Some(log_filter()),
            ..SpawnOptions::default()
        };
        let binary = Path::new(env!("CARGO_BIN_EXE_guichet-view"));
        let spawned = spawn_view(binary, &session, &config, &opts).expect("spawn guichet-view");
        let stderr = spawned.stderr.expect("stderr captured");
        View {
            pid: spawned.unit.leader,
            unit: spawned.unit,
            exit: None,
            pipes: ViewPipes::new("the view", spawned.stdin, spawned.stdout, stderr),
            session,
        }
    }

    pub fn send(&mut self, msg: &ToView) {
        self.pipes.send(msg);
    }

    /// Closes the view's stdin (as when the supervisor dies).
    pub fn close_stdin(&mut self) {
        self.pipes.close_stdin();
    }

    /// Waits for a message matching `pred`, skipping (but recording) others.
    pub fn expect(&mut self, what: &str, pred: impl Fn(&FromView) -> bool) -> FromView {
        self.pipes.expect(what, pred)
    }

    /// Every message received so far, in order.
    pub fn received(&self) -> &[FromView] {
        self.pipes.received()
    }

    /// Waits for `ready`, sends `start` and returns the time to `ready`.
    pub fn start(&mut self) -> Duration {
        let t = Instant::now();
        self.expect("ready", |m| *m == FromView::Ready);
        let elapsed = t.elapsed();
        self.send(&ToView::Start { goodbye: false });
        elapsed
    }

    /// Makes the view load `url` in its content view through the end flow (as a logout
    /// URL) and waits for `ended`: a later, allowed request to order events by.
    pub fn sentinel(&mut self, url: &str) {
        self.send(&ToView::EndSession {
            takeaway: false,
            logouts: vec![guichet::protocol::view::Logout {
                service: "sentinel".to_owned(),
                url: guichet::loggable::Private::new(url.to_owned()),
            }],
        });
        self.expect("ended", |m| *m == FromView::Ended);
    }

    /// Waits for the view to exit, reaps it and returns its exit code (`None`: killed by a
    /// signal).
    pub fn wait_exit(&mut self) -> Option<i32> {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            match self.try_reap() {
                Some(Exit::Code(code)) => return Some(code),
                Some(Exit::Signal(_)) => return None,
                None => {}
            }
            assert!(Instant::now() < deadline, "the view did not exit");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Reaps the view if it has exited (the production reaper, without blocking).
    fn try_reap(&mut self) -> Option<Exit> {
        if self.exit.is_none() {
            self.exit = guichet::sys::reap(self.pid.pid())
                .into_iter()
                .find(|(pid, _)| *pid == self.pid.pid())
                .map(|(_, exit)| exit);
        }
        self.exit
    }

    /// The process the spawn started (bubblewrap's monitor of the view's unit).
    pub fn pid(&self) -> ViewPid {
        self.pid
    }

    /// The view's containment unit.
    pub fn unit(&self) -> &Unit {
        &self.unit
    }

    /// Ids of the view's descendants whose command name starts with `name`
    /// (e.g. `WebKitWebProcess`), read from `/proc`.
    pub fn descendants_named(&self, name: &str) -> Vec<i32> {
        procs::descendants(self.pid.pid().as_raw())
            .into_iter()
            .filter(|pid| procs::comm(*pid).starts_with(name))
            .collect()
    }

    /// The view's log lines so far.
    pub fn log(&self) -> Vec<String> {
        self.pipes.log()
    }
}

impl Drop for View {
    fn drop(&mut self) {
        // The production wipe's first step: the unit (the view and its WebKit processes) ends
        // as a whole, checked; `end_unit` reaps bubblewrap's monitor.
        if let Err(e) = end_unit(&self.unit, std::time::Duration::ZERO) {
            eprintln!("the view's unit did not end: {e}");
        }
        let _ = killpg(self.pid.pid(), Signal::SIGKILL);
        let proc_dir = PathBuf::from(format!("/proc/{}", self.pid));
        let deadline = Instant::now() + TIMEOUT;
        while self.try_reap().is_none() && proc_dir.exists() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        if std::thread::panicking() {
            self.pipes.print_log("guichet-view");
        }
    }
}

/// The protocol pipes of a running view, read in the background: orders go in on its stdin,
/// its messages (stdout) arrive on a channel, its log lines (stderr) gather in a list.
pub struct ViewPipes {
    /// Who is at the other end, for failure messages ("the view", "the view under cage").
    who: &'static str,
    stdin: Option<ChildStdin>,
    messages: Receiver<FromView>,
    received: Vec<FromView>,
    log: Arc<Mutex<Vec<String>>>,
}

impl ViewPipes {
    pub fn new(
        who: &'static str,
        stdin: ChildStdin,
        stdout: ChildStdout,
        stderr: ChildStderr,
    ) -> ViewPipes {
        let (tx, messages) = mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            while let Ok(Some(msg)) = frame::read_frame::<FromView>(&mut r) {
                if tx.send(msg).is_err() {
                    return;
                }
            }
        });
        let log = Arc::new(Mutex::new(Vec::new()));
        let lines = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                lines.lock().unwrap().push(line);
            }
        });
        ViewPipes {
            who,
            stdin: Some(stdin),
            messages,
            received: Vec::new(),
            log,
        }
    }

    /// The pipes of `child`, spawned with all three piped (whatever wraps the view, such as
    /// cage and setpriv, passes them through).
    pub fn of_child(who: &'static str, child: &mut Child) -> ViewPipes {
        ViewPipes::new(
            who,
            child.stdin.take().expect("stdin piped"),
            child.stdout.take().expect("stdout piped"),
            child.stderr.take().expect("stderr piped"),
        )
    }

    pub fn send(&mut self, msg: &ToView) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        frame::write_frame(stdin, msg).expect("write to the view");
        stdin.flush().expect("write to the view");
    }

    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// Waits for a message matching `pred`, skipping (but recording) others; panics after
    /// [`TIMEOUT`] or if the view exits first.
    pub fn expect(&mut self, what: &str, pred: impl Fn(&FromView) -> bool) -> FromView {
        self.expect_while(what, pred, || {})
    }

    /// Like [`ViewPipes::expect`], running `each` before each wait for a message (cage
    /// remembers its descendants there).
    pub fn expect_while(
        &mut self,
        what: &str,
        pred: impl Fn(&FromView) -> bool,
        mut each: impl FnMut(),
    ) -> FromView {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            each();
            let left = deadline.saturating_duration_since(Instant::now());
            match self.messages.recv_timeout(left) {
                Ok(msg) => {
                    self.received.push(msg.clone());
                    if pred(&msg) {
                        return msg;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    panic!("no {what} from {}; got {:?}", self.who, self.received)
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("{} exited before {what}; got {:?}", self.who, self.received)
                }
            }
        }
    }

    /// Every message received so far, in order.
    pub fn received(&self) -> &[FromView] {
        &self.received
    }

    /// The log lines (stderr) so far.
    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// Prints the log under a `---- <title> log ----` line (when a test fails).
    pub fn print_log(&self, title: &str) {
        eprintln!("---- {title} log ----");
        for l in self.log.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            eprintln!("{l}");
        }
    }
}

/// One test's world: an X server, a proxy, a temp dir with config and session dir.
/// The trusted toolbar on a 1280-wide screen (x, y, width, height).
pub const TOOLBAR_BOX: (u32, u32, u32, u32) = (0, 0, 1280, 96);
/// Where the End question draws its buttons on a 1280×800 screen.
pub const QUESTION_BOX: (u32, u32, u32, u32) = (0, 150, 1280, 650);
/// The red of End (toolbar, services screen) and of "yes" on the End question.
pub const END_RED: &str = "B3261E";

pub struct World {
    pub xvfb: Xvfb,
    pub proxy: Proxy,
    pub tmp: tempfile::TempDir,
    pub config: PathBuf,
}

impl World {
    /// guichetd with the real view on this world's display and config (`HOME` in its temp
    /// dir): the builder, for a test to adjust before `start`.
    pub fn daemon_builder(&self) -> super::daemon::Builder {
        let home = self.tmp.path().join("daemon-home");
        std::fs::create_dir_all(&home).unwrap();
        super::daemon::Builder {
            view: Some(PathBuf::from(env!("CARGO_BIN_EXE_guichet-view"))),
            config: Some((self.config.clone(), self.tmp.path().join("control.sock"))),
            env: vec![
                (
                    "DISPLAY".into(),
                    std::ffi::OsString::from(&self.xvfb.display),
                ),
                ("HOME".into(), home.into_os_string()),
            ],
            ..super::daemon::Builder::default()
        }
    }

    pub fn new(config: TestConfig) -> World {
        World::with_screen(config, (1280, 800))
    }

    /// The same on a screen of `(width, height)`.
    pub fn with_screen(config: TestConfig, (width, height): (u32, u32)) -> World {
        let xvfb = Xvfb::start_sized(width, height);
        let proxy = Proxy::start();
        let tmp = tempfile::tempdir().expect("temp dir");
        // As root, the views' units run as `nobody`, which must reach its session dir, the
        // config and the packs here.
        std::fs::set_permissions(
            tmp.path(),
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .expect("chmod the temp dir");
        let config = config.write(tmp.path(), &proxy);
        World {
            xvfb,
            proxy,
            tmp,
            config,
        }
    }

    /// A fresh session directory under the temp dir (`run/`, which `nobody` may search, as
    /// guichetd's runtime dir when it runs as root).
    pub fn session(&self) -> SessionDir {
        let runtime = self.tmp.path().join("run");
        if !runtime.exists() {
            std::fs::create_dir(&runtime).expect("runtime dir");
            std::fs::set_permissions(
                &runtime,
                std::os::unix::fs::PermissionsExt::from_mode(0o711),
            )
            .expect("chmod the runtime dir");
        }
        SessionDir::create(&runtime).expect("session dir")
    }

    /// The person ends the session the way a person does: the toolbar's End (its red, in the
    /// toolbar of a 1280-wide screen), then "yes" on the question that covers the window (its only
    /// red button). Screenshots `{name}` and `{name}-question`.
    pub fn end_session(&self, name: &str) {
        let shot = Shot::open(self.xvfb.screenshot(name));
        let (x, y) = shot
            .find(TOOLBAR_BOX, END_RED)
            .unwrap_or_else(|| panic!("{name}: no End button"));
        self.xvfb.xdotool(&["mouseup", "1"]);
        self.xvfb.click(x, y, 1);
        let question = Shot::open(self.xvfb.screenshot_showing(
            &format!("{name}-question"),
            QUESTION_BOX,
            END_RED,
        ));
        let (x, y) = question
            .find(QUESTION_BOX, END_RED)
            .unwrap_or_else(|| panic!("{name}: no yes on the question"));
        self.xvfb.click(x, y, 1);
    }

    /// Starts a view on a fresh session, waits for `ready` and sends `start`.
    pub fn started_view(&self) -> View {
        let mut view = View::spawn(&self.xvfb, &self.config, self.session());
        view.start();
        view
    }
}
