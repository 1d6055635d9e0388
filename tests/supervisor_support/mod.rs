//! Runs the real `guichetd` with the fake view (`examples/fake_view.rs`) in a temp dir.
#![allow(dead_code)]

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use guichet::daemon::machine::State;
use guichet::protocol::client;
use guichet::protocol::control::{Request, Response, Status};

/// Generous: "eventually", not a speed assertion.
pub const EVENTUALLY: Duration = Duration::from_secs(20);

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

pub fn policies_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("policies")
}

/// A config for tests; `name` is the terminal name, `staff` the staff group.
pub fn config_text(name: &str, socket: &Path, staff: &str, idle: u64) -> String {
    format!(
        r#"[terminal]
name = "{name}"
languages = ["fr", "nl"]

[session]
idle_timeout_secs = {idle}
idle_warning_secs = 10
max_duration_secs = 3600
logout_before_wipe = true

[policy]
packs = ["be-federal"]
pack_dirs = ["{packs}"]

[control]
socket = "{socket}"
staff_group = "{staff}"

[stats]
enabled = false
dir = "stats"
"#,
        packs = policies_dir().display(),
        socket = socket.display(),
    )
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
        }
    }
}

impl Builder {
    pub fn start(self) -> Daemon {
        let tmp = tempfile::tempdir().unwrap();
        fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o755)).unwrap();
        let runtime = tmp.path().join("run");
        fs::create_dir(&runtime).unwrap();
        fs::set_permissions(&runtime, fs::Permissions::from_mode(0o755)).unwrap();
        let (config, socket) = match &self.config {
            Some((config, socket)) => (config.clone(), socket.clone()),
            None => {
                let socket = runtime.join("control.sock");
                let config = tmp.path().join("guichet.toml");
                let text = config_text("Poste test A", &socket, &self.staff, self.idle);
                fs::write(&config, text + &self.extra_config).unwrap();
                (config, socket)
            }
        };
        let ctl = tmp.path().join("fakeview");
        fs::create_dir(&ctl).unwrap();
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
        let mut cmd = Command::new(guichetd());
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
            .arg(b.view.clone().unwrap_or_else(fake_view))
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
        for (k, v) in &b.env {
            cmd.env(k, v);
        }
        self.child = cmd.spawn().unwrap();
        let stderr = self.child.stderr.take().unwrap();
        let logs = Arc::clone(&self.logs);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                logs.lock().unwrap().push_str(&line);
                logs.lock().unwrap().push('\n');
            }
        });
        self.wait_state(State::Welcome);
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
        let mut v: Vec<FakeView> = fs::read_dir(&self.ctl)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.path().extension().is_some_and(|x| x == "log"))
            .map(|e| FakeView::read(&self.ctl, &e.path()))
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

/// One fake view, as its log file tells.
#[derive(Clone, Debug)]
pub struct FakeView {
    pub id: String,
    pub pid: i32,
    pub lines: Vec<String>,
    pub ctl: PathBuf,
    pub started: std::time::SystemTime,
    /// When it got `start` (unix nanos), 0 if never.
    pub start_index: u128,
}

impl FakeView {
    fn read(ctl: &Path, log: &Path) -> FakeView {
        let text = fs::read_to_string(log).unwrap_or_default();
        let lines: Vec<String> = text.lines().map(str::to_owned).collect();
        let pid = lines
            .iter()
            .find_map(|l| l.strip_prefix("pid "))
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        let meta = fs::metadata(log).unwrap();
        let id = log.file_stem().unwrap().to_string_lossy().into_owned();
        let start_index = lines
            .iter()
            .filter(|l| l.contains("\"type\":\"start\""))
            .find_map(|l| l.split(' ').nth(1)?.parse().ok())
            .unwrap_or(0);
        FakeView {
            ctl: ctl.join(format!("{id}.ctl")),
            id,
            pid,
            lines,
            started: meta.created().unwrap_or(meta.modified().unwrap()),
            start_index,
        }
    }

    pub fn reload(&self) -> FakeView {
        FakeView::read(self.ctl.parent().unwrap(), &self.ctl.with_extension("log"))
    }

    pub fn got(&self, needle: &str) -> bool {
        self.lines
            .iter()
            .any(|l| l.starts_with("recv ") && l.contains(needle))
    }

    pub fn alive(&self) -> bool {
        self.pid > 0 && is_alive(self.pid)
    }

    /// Sends a command through the view's fifo.
    pub fn cmd(&self, line: &str) {
        let mut f = fs::OpenOptions::new().write(true).open(&self.ctl).unwrap();
        writeln!(f, "{line}").unwrap();
    }

    /// Waits until this view's log has a received message containing `needle`.
    pub fn wait_got(&self, needle: &str) -> FakeView {
        let t0 = Instant::now();
        loop {
            let v = self.reload();
            if v.got(needle) {
                return v;
            }
            assert!(
                t0.elapsed() < EVENTUALLY,
                "view never got {needle}: {:?}",
                v.lines
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn line_value(&self, prefix: &str) -> Option<String> {
        self.lines
            .iter()
            .find_map(|l| l.strip_prefix(prefix).map(str::to_owned))
    }
}

/// Pids of live processes whose environment points inside `dir` (a view and its WebKit
/// children carry the session's HOME).
pub fn processes_inside(dir: &Path) -> Vec<(i32, String)> {
    let needle = dir.as_os_str().as_encoded_bytes().to_vec();
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/environ"))
                .is_ok_and(|env| env.windows(needle.len()).any(|w| w == needle.as_slice()))
                && is_alive(*pid)
        })
        .map(|pid| {
            let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
            (pid, comm.trim().to_owned())
        })
        .collect()
}

/// Alive and not a zombie.
pub fn is_alive(pid: i32) -> bool {
    match fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(s) => {
            let state = s
                .rsplit_once(')')
                .map(|(_, r)| r.trim_start().chars().next());
            state != Some(Some('Z'))
        }
        Err(_) => false,
    }
}

/// Waits until `f` holds.
pub fn eventually(what: &str, f: impl Fn() -> bool) {
    let t0 = Instant::now();
    while !f() {
        assert!(t0.elapsed() < EVENTUALLY, "timeout waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}
