//! The real `guichetd` in a temp dir, with the fake view (`examples/fake_view.rs`) or the real
//! one, driven through its control socket and `guichetctl`.
//!
//! [`Builder::start`] writes a config ([`super::config::config_text`], with `[stats]` on when
//! [`Builder::stats`] says so, or takes the caller's), starts guichetd and waits for its first
//! Welcome; [`Daemon::wait_status`] polls the control
//! socket until a condition on the status holds; [`Daemon::logs`] is guichetd's stderr (the
//! real views' too: they inherit it); [`Daemon::shown`] is the fake view on screen.

use std::fs;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use guichet::daemon::machine::State;
use guichet::protocol::client;
use guichet::protocol::control::{Request, Response, Status};

use super::config::config_text;
use super::fake_view::FakeView;
use super::EVENTUALLY;

pub fn guichetd() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_guichetd"))
}

pub fn guichetctl() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_guichetctl"))
}

/// `target/<profile>/examples/fake_view`, next to the test binary's `deps/`.
pub fn fake_view() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let p = exe
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("examples/fake_view");
    assert!(
        p.exists(),
        "{} missing: run `cargo build --examples`",
        p.display()
    );
    p
}

pub struct Daemon {
    pub child: Child,
    pub tmp: tempfile::TempDir,
    pub runtime: PathBuf,
    pub config: PathBuf,
    pub socket: PathBuf,
    pub ctl: PathBuf,
    logs: Arc<Mutex<String>>,
}

#[derive(Clone, Debug)]
pub struct Builder {
    pub speedup: u32,
    pub staff: String,
    pub idle: u64,
    pub no_spare: bool,
    pub view: Option<PathBuf>,
    /// An existing config and the socket it names (instead of the generated one).
    pub config: Option<(PathBuf, PathBuf)>,
    /// Extra environment for guichetd (e.g. `DISPLAY`, `HOME`).
    pub env: Vec<(String, std::ffi::OsString)>,
    /// Start guichetd in the config's folder with `--config <file name>`, as a person
    /// following the README does from a checkout.
    pub relative_config: bool,
    /// TOML appended to the generated config (e.g. a `[printing]` section).
    pub extra_config: String,
    /// The state `start` waits for (the welcome screen, unless the test expects a failure).
    pub wait_for: State,
    /// The body of the generated config's `[stats]` section, instead of `enabled = false`
    /// (its folder is then [`Daemon::stats_dir`] unless the body says otherwise).
    pub stats: Option<String>,
    /// `--unsafe-no-containment`: views without their unit (to show what a test catches).
    pub no_containment: bool,
    /// Run guichetd with this descriptor limit (soft = hard), through `prlimit`.
    pub nofile: Option<u64>,
    /// Everything of the test (config, runtime dir, the fake view's log folder and a copy of
    /// the fake view itself, run from there) in a temp dir of mode 0700, closed to the unit's
    /// user as root's home is on Debian; guichetd creates the runtime dir.
    pub closed: bool,
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            speedup: 1,
            staff: "guichet-staff-test".into(),
            idle: 300,
            no_spare: false,
            view: None,
            config: None,
            env: Vec::new(),
            relative_config: false,
            extra_config: String::new(),
            wait_for: State::Welcome,
            stats: None,
            // `GUICHET_TEST_UNSAFE_NO_CONTAINMENT=1` runs every guichetd of a test binary without
            // containment: the containment tests must then fail.
            no_containment: std::env::var_os("GUICHET_TEST_UNSAFE_NO_CONTAINMENT").is_some(),
            nofile: None,
            closed: false,
        }
    }
}

impl Builder {
    pub fn start(self) -> Daemon {
        let tmp = tempfile::tempdir().unwrap();
        let mode = if self.closed { 0o700 } else { 0o755 };
        fs::set_permissions(tmp.path(), fs::Permissions::from_mode(mode)).unwrap();
        if self.closed {
            let bin = tmp.path().join("bin");
            fs::create_dir(&bin).unwrap();
            fs::set_permissions(&bin, fs::Permissions::from_mode(0o700)).unwrap();
            fs::copy(fake_view(), bin.join("fake_view")).unwrap();
        }
        let runtime = tmp.path().join("run");
        // Closed: guichetd creates its runtime dir itself.
        if !self.closed {
            fs::create_dir(&runtime).unwrap();
            fs::set_permissions(&runtime, fs::Permissions::from_mode(0o755)).unwrap();
        }
        let (config, socket) = match &self.config {
            Some((config, socket)) => (config.clone(), socket.clone()),
            None => {
                let socket = runtime.join("control.sock");
                let config = tmp.path().join("guichet.toml");
                let mut text = config_text("Poste test A", &socket, &self.staff, self.idle);
                if let Some(body) = &self.stats {
                    let off = "[stats]\nenabled = false\ndir = \"stats\"\n";
                    assert!(text.contains(off), "config_text changed its [stats]");
                    let dir = if body.contains("dir =") {
                        ""
                    } else {
                        "dir = \"stats\"\n"
                    };
                    text = text.replace(off, &format!("[stats]\n{dir}{body}\n"));
                }
                fs::write(&config, text + &self.extra_config).unwrap();
                (config, socket)
            }
        };
        let ctl = tmp.path().join("fakeview");
        fs::create_dir(&ctl).unwrap();
        // The fake views write their logs here from inside their units, as `nobody` when the
        // tests run as root.
        fs::set_permissions(&ctl, fs::Permissions::from_mode(0o777)).unwrap();
        let mut d = Daemon {
            child: Command::new("true").spawn().unwrap(),
            tmp,
            runtime,
            config,
            socket,
            ctl,
            logs: Arc::new(Mutex::new(String::new())),
        };
        let _ = d.child.wait();
        d.spawn(&self);
        d
    }
}

impl Daemon {
    pub fn start() -> Daemon {
        Builder::default().start()
    }

    /// (Re)starts guichetd on the same dirs.
    pub fn spawn(&mut self, b: &Builder) {
        let mut cmd = match b.nofile {
            Some(n) => {
                let mut cmd = Command::new("prlimit");
                cmd.arg(format!("--nofile={n}:{n}"))
                    .arg("--")
                    .arg(guichetd());
                cmd
            }
            None => Command::new(guichetd()),
        };
        if b.relative_config {
            cmd.current_dir(self.config.parent().unwrap())
                .arg("--config")
                .arg(self.config.file_name().unwrap());
        } else {
            cmd.arg("--config").arg(&self.config);
        }
        cmd.arg("--runtime-dir")
            .arg(&self.runtime)
            .arg("--view-binary")
            .arg(match (&b.view, b.closed) {
                (Some(view), _) => view.clone(),
                (None, true) => self.tmp.path().join("bin/fake_view"),
                (None, false) => fake_view(),
            })
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if b.speedup > 1 {
            cmd.arg("--test-speedup").arg(b.speedup.to_string());
        }
        if b.no_spare {
            cmd.arg("--no-spare");
        }
        if b.no_containment {
            cmd.arg("--unsafe-no-containment");
        }
        if b.view.is_none() {
            cmd.arg("--test-writable").arg(&self.ctl);
        }
        for (k, v) in &b.env {
            cmd.env(k, v);
        }
        self.child = cmd.spawn().unwrap();
        let stderr = self.child.stderr.take().unwrap();
        let logs = Arc::clone(&self.logs);
        std::thread::spawn(move || {
            // Bytes, not `lines()`: a line that is not UTF-8 must not stop the reading (guichetd
            // would then block on a full pipe).
            let mut reader = BufReader::new(stderr);
            let mut line = Vec::new();
            while reader.read_until(b'\n', &mut line).is_ok_and(|n| n > 0) {
                if line.last() != Some(&b'\n') {
                    line.push(b'\n');
                }
                logs.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&line));
                line.clear();
            }
        });
        self.wait_state(b.wait_for);
    }

    /// The generated config's statistics folder (`dir = "stats"`, next to the config).
    pub fn stats_dir(&self) -> PathBuf {
        self.tmp.path().join("stats")
    }

    pub fn logs(&self) -> String {
        self.logs.lock().unwrap().clone()
    }

    pub fn request(&self, r: &Request) -> Response {
        client::request(&self.socket, r).unwrap()
    }

    pub fn status(&self) -> Status {
        match client::request(&self.socket, &Request::Status) {
            Ok(Response::Status(s)) => s,
            other => panic!("status: {other:?}"),
        }
    }

    /// Waits until `f(status)` holds.
    pub fn wait_status(&self, what: &str, f: impl Fn(&Status) -> bool) -> Status {
        let t0 = Instant::now();
        loop {
            if let Ok(Response::Status(s)) = client::request(&self.socket, &Request::Status) {
                if f(&s) {
                    return s;
                }
                if t0.elapsed() > EVENTUALLY {
                    panic!(
                        "timeout waiting for {what}; status {s:?}\nlogs:\n{}",
                        self.logs()
                    );
                }
            } else if t0.elapsed() > EVENTUALLY {
                panic!(
                    "timeout waiting for {what}: no status\nlogs:\n{}",
                    self.logs()
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// `guichetctl reset --now`, then waits for the next session's welcome and checks that the
    /// wipe of the old one succeeded.
    pub fn reset_now_and_wait(&self) -> Status {
        let before = self.status().sessions_started;
        let out = self.ctl(&["reset", "--now"]);
        assert!(out.status.success(), "{out:?}");
        let s = self.wait_status("next session", |s| {
            s.state == State::Welcome && s.sessions_started == before + 1
        });
        assert!(s.last_wipe.as_ref().is_some_and(|w| w.ok), "{s:?}");
        s
    }

    pub fn wait_state(&self, state: State) -> Status {
        self.wait_status(&format!("{state:?}"), |s| s.state == state)
    }

    pub fn ctl(&self, args: &[&str]) -> std::process::Output {
        Command::new(guichetctl())
            .args(args)
            .arg("--socket")
            .arg(&self.socket)
            .output()
            .unwrap()
    }

    /// Every fake view started so far.
    pub fn views(&self) -> Vec<FakeView> {
        let running = super::fake_view::running();
        let mut v: Vec<FakeView> = fs::read_dir(&self.ctl)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.path().extension().is_some_and(|x| x == "log"))
            .map(|e| FakeView::read_with(&self.ctl, &e.path(), &running))
            .collect();
        v.sort_by_key(|v| v.started);
        v
    }

    /// The view that got `start` last and is still running.
    pub fn shown(&self) -> FakeView {
        let t0 = Instant::now();
        loop {
            let shown = self
                .views()
                .into_iter()
                .filter(|v| v.got("\"start\"") && v.alive())
                .max_by_key(|v| v.start_index);
            if let Some(v) = shown {
                return v;
            }
            assert!(t0.elapsed() < EVENTUALLY, "no shown view\n{}", self.logs());
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn sessions(&self) -> Vec<String> {
        fs::read_dir(self.runtime.join("sessions"))
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn terminate(&mut self) -> std::process::ExitStatus {
        nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(self.child.id() as i32),
            nix::sys::signal::Signal::SIGTERM,
        )
        .unwrap();
        self.child.wait().unwrap()
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.terminate();
        }
    }
}
