//! A `guichet-view` process for end-to-end tests, and the world it runs in.
//!
//! [`View::spawn`] starts `guichet-view --session-dir … --config …` with
//! `SessionDir::confined_env` plus `DISPLAY`, exactly as the supervisor does; [`View::send`]
//! writes a [`ToView`], [`View::expect`] waits for a [`FromView`] matching a predicate,
//! [`View::descendants_named`] finds its WebKit processes, [`View::log`] its stderr (also
//! printed when a test fails; `GUICHET_TEST_LOG=guichet=trace` raises the level).
//! [`World`] is an X server, a proxy and a config for one test (`World::new(TestConfig)`,
//! `world.started_view()`).

use std::ffi::OsString;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use guichet::protocol::frame;
use guichet::protocol::view::{FromView, ToView};
use guichet::sessiondir::SessionDir;

use super::config::TestConfig;
use super::procs;
use super::proxy::Proxy;
use super::xvfb::Xvfb;
use super::TIMEOUT;

/// A running `guichet-view`, killed on drop. Its stderr is kept and printed if the test fails.
pub struct View {
    child: Child,
    stdin: Option<ChildStdin>,
    messages: Receiver<FromView>,
    /// Every message received so far, in order.
    pub received: Vec<FromView>,
    stderr: Arc<Mutex<Vec<String>>>,
    pub session: SessionDir,
}

impl View {
    /// Starts the view on `xvfb` with the confined environment of `session`.
    pub fn spawn(xvfb: &Xvfb, config: &Path, session: SessionDir) -> View {
        let display: Vec<(&str, OsString)> = vec![("DISPLAY", xvfb.display.clone().into())];
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_guichet-view"));
        cmd.env_clear()
            .envs(session.confined_env(&display))
            .env(
                "RUST_LOG",
                std::env::var("GUICHET_TEST_LOG").unwrap_or_else(|_| "guichet=debug".into()),
            )
            .arg("--session-dir")
            .arg(session.root())
            .arg("--config")
            .arg(config)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("spawn guichet-view");
        let (rx, stderr) = read_view_pipes(&mut child);
        View {
            stdin: child.stdin.take(),
            child,
            messages: rx,
            received: Vec::new(),
            stderr,
            session,
        }
    }

    pub fn send(&mut self, msg: &ToView) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        frame::write_frame(stdin, msg).expect("write to the view");
    }

    /// Closes the view's stdin (as when the supervisor dies).
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// Waits for a message matching `pred`, skipping (but recording) others.
    pub fn expect(&mut self, what: &str, pred: impl Fn(&FromView) -> bool) -> FromView {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.messages.recv_timeout(left) {
                Ok(msg) => {
                    self.received.push(msg.clone());
                    if pred(&msg) {
                        return msg;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    panic!("no {what} from the view; got {:?}", self.received)
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("the view exited before {what}; got {:?}", self.received)
                }
            }
        }
    }

    /// Waits for `ready`, sends `start` and returns the time to `ready`.
    pub fn start(&mut self) -> Duration {
        let t = Instant::now();
        self.expect("ready", |m| *m == FromView::Ready);
        let elapsed = t.elapsed();
        self.send(&ToView::Start);
        elapsed
    }

    /// Makes the view load `url` in its content view through the end flow (as a logout
    /// URL) and waits for `ended`: a later, allowed request to order events by.
    pub fn sentinel(&mut self, url: &str) {
        self.send(&ToView::EndSession {
            takeaway: false,
            logout_urls: vec![guichet::loggable::Private::new(url.to_owned())],
        });
        self.expect("ended", |m| *m == FromView::Ended);
    }

    /// Waits for the process to exit and returns its status code.
    pub fn wait_exit(&mut self) -> Option<i32> {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(st) = self.child.try_wait().expect("try_wait") {
                return st.code();
            }
            assert!(Instant::now() < deadline, "the view did not exit");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The process id of the view.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Ids of the view's descendants whose command name starts with `name`
    /// (e.g. `WebKitWebProcess`), read from `/proc`.
    pub fn descendants_named(&self, name: &str) -> Vec<i32> {
        procs::descendants(self.child.id() as i32)
            .into_iter()
            .filter(|pid| procs::comm(*pid).starts_with(name))
            .collect()
    }

    /// The view's log lines so far.
    pub fn log(&self) -> Vec<String> {
        self.stderr.lock().unwrap().clone()
    }
}

impl Drop for View {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("---- guichet-view log ----");
            for l in self.stderr.lock().unwrap().iter() {
                eprintln!("{l}");
            }
        }
    }
}

/// One test's world: an X server, a proxy, a temp dir with config and session dir.
pub struct World {
    pub xvfb: Xvfb,
    pub proxy: Proxy,
    pub tmp: tempfile::TempDir,
    pub config: PathBuf,
}

impl World {
    pub fn new(config: TestConfig) -> World {
        let xvfb = Xvfb::start();
        let proxy = Proxy::start();
        let tmp = tempfile::tempdir().expect("temp dir");
        let config = config.write(tmp.path(), &proxy);
        World {
            xvfb,
            proxy,
            tmp,
            config,
        }
    }

    /// A fresh session directory under the temp dir.
    pub fn session(&self) -> SessionDir {
        SessionDir::create(&self.tmp.path().join("run")).expect("session dir")
    }

    /// Starts a view on a fresh session, waits for `ready` and sends `start`.
    pub fn started_view(&self) -> View {
        let mut view = View::spawn(&self.xvfb, &self.config, self.session());
        view.start();
        view
    }
}

/// Reads a started view's pipes in the background: its protocol messages (stdout) into a
/// channel, its log lines (stderr) into a shared list. The child must have been spawned with
/// both piped; whatever wraps the view (cage, setpriv) must pass them through.
pub fn read_view_pipes(child: &mut Child) -> (mpsc::Receiver<FromView>, Arc<Mutex<Vec<String>>>) {
    let stdout = child.stdout.take().expect("stdout piped");
    let (tx, rx) = mpsc::channel();
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
    let err = child.stderr.take().expect("stderr piped");
    std::thread::spawn(move || {
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            lines.lock().unwrap().push(line);
        }
    });
    (rx, log)
}
