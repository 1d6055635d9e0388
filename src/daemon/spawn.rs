//! Starting a view process: in its own containment unit, with a cleared environment, dying
//! with guichetd.
//!
//! A view runs in a containment unit ([`super::unit`]: a PID namespace and a mount namespace
//! made by bubblewrap, with WebKit's own web-process sandbox inside) that the wipe ends as a
//! whole, with a cleared environment plus [`SessionDir::confined_env`]. bubblewrap's monitor,
//! guichetd's child, gets `PR_SET_PDEATHSIG` (SIGKILL) so that the unit dies with guichetd
//! ([`crate::sys::confine_child`]), and its own process group. guichetd is also a child
//! subreaper, for what runs outside a unit (the print tools, a view without containment).
//!
//! Tests start their views with this same function ([`SpawnOptions`] lets them keep the view's
//! stderr, raise its log level and bind a test folder), so what they prove is what production
//! runs.

use std::ffi::OsString;
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{ChildStderr, ChildStdin, ChildStdout, Command, Stdio};

use nix::fcntl::OFlag;
use nix::unistd::Pid;

use super::mounts::{self, Plan};
pub use super::unit::ViewPid;
use super::unit::{self, Containment, Unit};
use crate::config::Config;
use crate::sessiondir::SessionDir;

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
    /// A containment unit (the default), or none (tests only).
    pub containment: Containment,
    /// Read-only inside the unit, besides the system and the session (tests only: the view
    /// gets its configuration by value, in the session directory).
    pub read_only: Vec<PathBuf>,
    /// TESTS ONLY: writable inside the unit (the fake view's log folder).
    pub writable: Vec<PathBuf>,
}

/// A started view: its unit and the protocol pipes.
#[derive(Debug)]
pub struct Spawned {
    pub unit: Unit,
    pub stdin: ChildStdin,
    pub stdout: ChildStdout,
    /// With [`SpawnOptions::capture_stderr`].
    pub stderr: Option<ChildStderr>,
}

/// Writes `config` into `session` as its snapshot ([`SessionDir::write_config`]), then starts
/// `binary --session-dir DIR [extra…]` hidden, in a new containment unit confined to
/// `session`: the view gets the config guichetd checked, by value, and no path to
/// `guichet.toml` (nothing of `/etc/guichet` is visible in the unit).
///
/// Must be called from the thread that lives as long as guichetd (the main thread): the
/// parent-death signal fires when the *thread* that forked exits.
pub fn spawn_view(
    binary: &Path,
    session: &SessionDir,
    config: &Config,
    opts: &SpawnOptions,
) -> io::Result<Spawned> {
    // Before the session is handed over to the unit's user (below): it stays guichetd's file.
    session.write_config(config)?;
    let mut display: Vec<(&'static str, OsString)> = opts.display.clone();
    let view_args = |cmd: &mut Command| {
        cmd.arg("--session-dir")
            .arg(session.root())
            .args(&opts.extra_args);
    };
    let mut info = None;
    // What the view's environment says of the display (the unit may move it).
    let mut view_display = None;
    let mut cmd = match opts.containment {
        Containment::Off => {
            let mut cmd = Command::new(binary);
            view_args(&mut cmd);
            crate::sys::confine_child(&mut cmd, None, None);
            cmd
        }
        Containment::Unit => {
            let mut cmd = Command::new(unit::BWRAP);
            let user = unit::unit_user()?;
            if let Some(user) = user {
                unit::copy_xauthority(session, &mut display)?;
                unit::hand_over(session, user)?;
            }
            let (read, write) = nix::unistd::pipe2(OFlag::O_CLOEXEC)?;
            let read_only = opts.read_only.clone();
            let plan = Plan {
                session,
                binary,
                display: &display,
                read_only: &read_only,
                writable: &opts.writable,
                staged: user.is_some(),
            };
            let bwrap = mounts::bwrap_args(&plan, write.as_raw_fd());
            view_display = Some(mounts::unit_display(&display));
            // As root, the child stages the binds and becomes the unit's user itself (see
            // `crate::sys::Staging`); `Command::uid` would change the user before it can.
            let staging = match user {
                Some((uid, gid)) => Some(crate::sys::Staging::new(
                    &bwrap.stage,
                    uid.as_raw(),
                    gid.as_raw(),
                )?),
                None => None,
            };
            cmd.args(bwrap.args).arg("--").arg(binary);
            view_args(&mut cmd);
            crate::sys::confine_child(&mut cmd, Some(write.as_raw_fd()), staging);
            info = Some((read, write));
            cmd
        }
    };
    cmd.env_clear()
        .envs(session.confined_env(view_display.as_deref().unwrap_or(&display)))
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
    if opts.containment == Containment::Unit {
        // WebKit's own sandbox for every web process (see `super::unit`).
        cmd.env("WEBKIT_FORCE_SANDBOX", "1");
    }
    let mut child = cmd.spawn()?;
    let leader = ViewPid(Pid::from_raw(child.id() as i32));
    let stdin = child.stdin.take().expect("stdin is piped");
    let stdout = child.stdout.take().expect("stdout is piped");
    let stderr = child.stderr.take();
    // The Child handle is dropped without waiting: guichetd reaps with waitpid (`crate::sys`).
    let unit = match info {
        None => Unit { leader, ns: None },
        Some((read, write)) => {
            drop(write);
            match unit::record(leader, read) {
                Ok(unit) => unit,
                Err(e) => {
                    let _ = nix::sys::signal::kill(leader.pid(), nix::sys::signal::SIGKILL);
                    let _ = nix::sys::wait::waitpid(leader.pid(), None);
                    return Err(e);
                }
            }
        }
    };
    Ok(Spawned {
        unit,
        stdin,
        stdout,
        stderr,
    })
}
