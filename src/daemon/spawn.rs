//! Starting a view process: cleared environment, own process group, dies with guichetd.
//!
//! A view runs with a cleared environment plus [`SessionDir::confined_env`], in its own process
//! group (so [`super::wipe`] can kill it and every WebKit child at once), with
//! `PR_SET_PDEATHSIG` (SIGKILL) so that it dies with guichetd ([`crate::sys::confine_child`]).
//! guichetd itself is a child subreaper: a WebKit process whose parent died is re-parented to
//! guichetd, not to init, and cannot escape the wipe.
//!
//! Tests start their views with this same function ([`SpawnOptions`] lets them keep the view's
//! stderr and raise its log level), so what they prove is what production runs.

use std::ffi::OsString;
use std::io;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{ChildStderr, ChildStdin, ChildStdout, Command, Stdio};

use nix::unistd::Pid;

use crate::config::Config;
use crate::sessiondir::SessionDir;

/// A view's process id, which is also its process group id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ViewPid(pub Pid);

impl ViewPid {
    pub fn pid(self) -> Pid {
        self.0
    }
}

impl std::fmt::Display for ViewPid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// How a view is started, besides its binary, session and config.
#[derive(Clone, Debug, Default)]
pub struct SpawnOptions {
    /// `DISPLAY` / `WAYLAND_DISPLAY` / `XAUTHORITY`, passed through.
    pub display: Vec<(&'static str, OsString)>,
    /// Extra arguments (`--windowed` in demo mode).
    pub extra_args: Vec<OsString>,
    /// Keep the view's stderr on a pipe (tests read it) instead of guichetd's stderr.
    pub capture_stderr: bool,
    /// The view's `RUST_LOG`; `None` leaves its default (`info`).
    pub log_filter: Option<String>,
}

/// A started view: its pid (= process group) and the protocol pipes.
#[derive(Debug)]
pub struct Spawned {
    pub pid: ViewPid,
    pub stdin: ChildStdin,
    pub stdout: ChildStdout,
    /// With [`SpawnOptions::capture_stderr`].
    pub stderr: Option<ChildStderr>,
}

/// Writes `config` into `session` as its snapshot ([`SessionDir::write_config`]), then starts
/// `binary --session-dir DIR [extra…]` hidden, confined to `session`: the view gets the
/// config guichetd checked, by value, and no path to `guichet.toml`.
///
/// Must be called from the thread that lives as long as guichetd (the main thread): the
/// parent-death signal fires when the *thread* that forked exits.
pub fn spawn_view(
    binary: &Path,
    session: &SessionDir,
    config: &Config,
    opts: &SpawnOptions,
) -> io::Result<Spawned> {
    session.write_config(config)?;
    let display: Vec<(&str, OsString)> =
        opts.display.iter().map(|(k, v)| (*k, v.clone())).collect();
    let mut cmd = Command::new(binary);
    cmd.arg("--session-dir")
        .arg(session.root())
        .args(&opts.extra_args)
        .env_clear()
        .envs(session.confined_env(&display))
        .current_dir(session.home())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(if opts.capture_stderr {
            Stdio::piped()
        } else {
            Stdio::inherit()
        })
        .process_group(0);
    if let Some(filter) = &opts.log_filter {
        cmd.env("RUST_LOG", filter);
    }
    crate::sys::confine_child(&mut cmd);
    let mut child = cmd.spawn()?;
    let pid = ViewPid(Pid::from_raw(child.id() as i32));
    let stdin = child.stdin.take().expect("stdin is piped");
    let stdout = child.stdout.take().expect("stdout is piped");
    let stderr = child.stderr.take();
    // The Child handle is dropped without waiting: guichetd reaps with waitpid (`crate::sys`).
    Ok(Spawned {
        pid,
        stdin,
        stdout,
        stderr,
    })
}
