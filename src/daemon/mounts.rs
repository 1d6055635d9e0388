//! The mount namespace of a containment unit ([`super::unit`]): bubblewrap's arguments.
//!
//! What the unit sees besides the system is bound at its own path. When guichetd runs as root
//! the unit's user (`nobody`) may not be able to reach those paths (a checkout in root's
//! `0700` home, a runtime dir under `/run/user/0`), and bubblewrap resolves its bind sources as
//! that user; so each such bind comes from a stage point under [`crate::sys::STAGE_DIR`] that
//! guichetd's child, still root, binds there in a mount namespace of its own before it
//! becomes the unit's user and starts bubblewrap ([`crate::sys::Staging`]).

use std::ffi::{OsStr, OsString};
use std::os::fd::RawFd;
use std::path::{Path, PathBuf};

use crate::sessiondir::SessionDir;

/// What goes into a unit besides the system.
pub(crate) struct Plan<'a> {
    pub session: &'a SessionDir,
    pub binary: &'a Path,
    /// `DISPLAY`, `WAYLAND_DISPLAY`, `XAUTHORITY`.
    pub display: &'a [(&'static str, OsString)],
    /// Bound read-only at the same path (the config file and its pack folders).
    pub read_only: &'a [PathBuf],
    /// TESTS ONLY: bound read-write at the same path.
    pub writable: &'a [PathBuf],
    /// Whether what is bound from outside the system folders (the display, the binary,
    /// `read_only`, the session, `writable`) goes through stage points under
    /// [`crate::sys::STAGE_DIR`] ([`crate::sys::Staging`]: guichetd runs as root).
    pub staged: bool,
}

/// bubblewrap's arguments for a unit, and the binds to stage (`(source, stage point)`) when
/// the plan is staged.
pub(crate) struct BwrapArgs {
    pub args: Vec<OsString>,
    pub stage: Vec<(PathBuf, PathBuf)>,
}

/// The compositor's socket inside a unit: this name in the session's runtime folder, which is
/// the view's `XDG_RUNTIME_DIR` there ([`unit_display`]).
pub(crate) const WAYLAND_SOCKET: &str = "wayland-0";

/// The compositor's socket, when the view gets Wayland: `WAYLAND_DISPLAY` as an absolute path
/// (guichetd makes it so).
fn wayland_socket<'a>(display: &'a [(&'static str, OsString)]) -> Option<&'a OsString> {
    display
        .iter()
        .find(|(k, v)| *k == "WAYLAND_DISPLAY" && Path::new(v).is_absolute())
        .map(|(_, v)| v)
}

/// The display variables as the view sees them inside its unit.
///
/// Under Wayland, `WAYLAND_DISPLAY` is [`WAYLAND_SOCKET`], relative to the session's runtime
/// folder where [`bwrap_args`] binds the compositor's socket. WebKit's own sandbox needs it
/// so: for its web processes it binds `$XDG_RUNTIME_DIR/$WAYLAND_DISPLAY`, and given an
/// absolute path it binds nothing, so every web process dies at start ("cannot open display",
/// then the view's "readPIDFromPeer: Unexpected short read from PID socket"): under cage, as on
/// a terminal, no view ever started. And no X11 at all under Wayland (no `DISPLAY`, no
/// `XAUTHORITY`, no X11 socket folder): nothing in the unit can open a window through
/// Xwayland. Without Wayland, the variables pass as they are.
pub(crate) fn unit_display(display: &[(&'static str, OsString)]) -> Vec<(&'static str, OsString)> {
    match wayland_socket(display) {
        Some(_) => vec![("WAYLAND_DISPLAY", WAYLAND_SOCKET.into())],
        None => display.to_vec(),
    }
}

/// bubblewrap's arguments for `plan`, up to (not including) `--` and the command; bubblewrap
/// reports its init on descriptor `info`. Each bind from outside the system keeps its path
/// inside the unit; staged, its source is a stage point.
pub(crate) fn bwrap_args(plan: &Plan, info: RawFd) -> BwrapArgs {
    let mut a = Args {
        args: Vec::new(),
        stage: plan.staged.then(Vec::new),
    };
    a.flags(&[
        "--unshare-user",
        "--unshare-pid",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--die-with-parent",
        "--new-session",
        "--cap-drop",
        "ALL",
    ]);
    // The system, read-only.
    a.bind("--ro-bind", "/usr");
    for link in ["bin", "sbin", "lib", "lib32", "lib64", "libx32"] {
        let path = Path::new("/").join(link);
        match std::fs::read_link(&path) {
            Ok(target) => a.two("--symlink", target.as_os_str(), path.as_os_str()),
            Err(_) => a.bind("--ro-bind-try", &path),
        }
    }
    a.bind("--ro-bind", "/etc");
    let hidden_config = Path::new("/etc/guichet").is_dir();
    if hidden_config {
        a.one("--tmpfs", "/etc/guichet");
    }
    // /etc/resolv.conf may be a link into /run (systemd-resolved, NetworkManager).
    if let Ok(target) = std::fs::canonicalize("/etc/resolv.conf") {
        if !target.starts_with("/etc") && !target.starts_with("/usr") {
            a.bind("--ro-bind-try", &target);
        }
    }
    a.one("--proc", "/proc");
    a.one("--dev", "/dev");
    a.two("--dev-bind-try", "/dev/dri", "/dev/dri");
    // What WebKit's own bubblewrap binds for its web processes (it fails without them).
    for sys in ["block", "bus", "class", "dev", "devices"] {
        a.bind("--ro-bind-try", Path::new("/sys").join(sys));
    }
    // Empty and read-only: nothing of a session can be written there.
    for dir in ["/tmp", "/run", "/var", "/dev/shm"] {
        a.one("--tmpfs", dir);
    }
    a.one("--dir", "/var/tmp");
    a.bind("--ro-bind-try", "/var/cache/fontconfig");
    // The display: under Wayland the compositor's socket alone (bound below, into the
    // session), no X11.
    let wayland = wayland_socket(plan.display);
    for (key, value) in plan.display.iter().filter(|_| wayland.is_none()) {
        match *key {
            "DISPLAY" => a.outside("--ro-bind-try", "/tmp/.X11-unix"),
            "XAUTHORITY" | "WAYLAND_DISPLAY" if Path::new(value).is_absolute() => {
                a.outside("--ro-bind-try", value)
            }
            _ => {}
        }
    }
    a.outside("--ro-bind", plan.binary);
    for path in plan.read_only {
        a.outside("--ro-bind-try", path);
    }
    // The only writable place.
    a.outside("--bind", plan.session.root());
    if let Some(socket) = wayland {
        let inside = plan.session.runtime().join(WAYLAND_SOCKET);
        a.outside_to("--ro-bind", socket, &inside);
    }
    for path in plan.writable {
        a.outside("--bind", path);
    }
    let mut read_only = vec!["/tmp", "/run", "/var", "/dev/shm", "/dev"];
    if hidden_config {
        read_only.push("/etc/guichet");
    }
    read_only.push("/");
    for dir in read_only {
        a.one("--remount-ro", dir);
    }
    a.one("--chdir", plan.session.home().as_os_str());
    a.one("--info-fd", info.to_string());
    BwrapArgs {
        args: a.args,
        stage: a.stage.unwrap_or_default(),
    }
}

struct Args {
    args: Vec<OsString>,
    /// `Some` when the binds from outside the system are staged.
    stage: Option<Vec<(PathBuf, PathBuf)>>,
}

impl Args {
    fn flags(&mut self, flags: &[&str]) {
        self.args.extend(flags.iter().map(OsString::from));
    }
    fn one(&mut self, flag: &str, value: impl AsRef<OsStr>) {
        self.args.push(flag.into());
        self.args.push(value.as_ref().to_owned());
    }
    fn two(&mut self, flag: &str, a: impl AsRef<OsStr>, b: impl AsRef<OsStr>) {
        self.args.push(flag.into());
        self.args.push(a.as_ref().to_owned());
        self.args.push(b.as_ref().to_owned());
    }
    /// `flag PATH PATH`: the same path inside as outside.
    fn bind(&mut self, flag: &str, path: impl AsRef<OsStr>) {
        let path = path.as_ref();
        self.two(flag, path, path);
    }
    /// A bind from outside the system, at the same path inside: from a stage point when
    /// staged.
    fn outside(&mut self, flag: &str, path: impl AsRef<OsStr>) {
        self.outside_to(flag, path.as_ref(), path.as_ref());
    }
    /// A bind from outside the system at `inside`: from a stage point when staged.
    fn outside_to(&mut self, flag: &str, path: impl AsRef<OsStr>, inside: impl AsRef<OsStr>) {
        let path = Path::new(path.as_ref());
        match &mut self.stage {
            None => self.two(flag, path, inside),
            Some(stage) => {
                let point = Path::new(crate::sys::STAGE_DIR).join(format!("bind-{}", stage.len()));
                stage.push((path.to_owned(), point.clone()));
                self.two(flag, &point, inside);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::ffi::OsStrExt;

    #[test]
    fn only_the_session_dir_and_test_folders_are_writable() {
        let tmp = tempfile::tempdir().unwrap();
        let session = SessionDir::create(tmp.path()).unwrap();
        let plan = Plan {
            session: &session,
            binary: Path::new("/usr/bin/guichet-view"),
            display: &[("DISPLAY", ":0".into())],
            read_only: &[PathBuf::from("/etc/guichet/guichet.toml")],
            writable: &[],
            staged: false,
        };
        let args: Vec<String> = bwrap_args(&plan, 3)
            .args
            .into_iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let writable: Vec<&String> = args
            .windows(2)
            .filter(|w| w[0] == "--bind")
            .map(|w| &w[1])
            .collect();
        assert_eq!(writable, [&session.root().display().to_string()]);
        assert!(!args.iter().any(|a| a == "--unshare-net"));
        for dir in ["/tmp", "/run", "/var", "/dev/shm", "/"] {
            let remount = args
                .windows(2)
                .position(|w| w[0] == "--remount-ro" && w[1] == dir);
            let session_bind = args.iter().position(|a| a == "--bind").unwrap();
            assert!(
                remount.is_some_and(|r| r > session_bind),
                "{dir} stays writable"
            );
        }
    }

    #[test]
    fn staged_every_bind_from_outside_the_system_comes_from_a_stage_point_at_its_own_path() {
        let tmp = tempfile::tempdir().unwrap();
        let session = SessionDir::create(tmp.path()).unwrap();
        let binary = PathBuf::from("/root/guichet/target/debug/guichet-view");
        let config = PathBuf::from("/root/guichet/kiosk-config/guichet.toml");
        let log = PathBuf::from("/root/logs");
        let plan = Plan {
            session: &session,
            binary: &binary,
            display: &[
                ("DISPLAY", ":0".into()),
                ("XAUTHORITY", "/root/.Xauthority".into()),
            ],
            read_only: std::slice::from_ref(&config),
            writable: std::slice::from_ref(&log),
            staged: true,
        };
        let out = bwrap_args(&plan, 3);
        let args: Vec<String> = out
            .args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let sources: Vec<PathBuf> = out.stage.iter().map(|(s, _)| s.clone()).collect();
        assert_eq!(
            sources,
            [
                PathBuf::from("/tmp/.X11-unix"),
                "/root/.Xauthority".into(),
                binary.clone(),
                config,
                session.root().to_owned(),
                log,
            ]
        );
        for (source, point) in &out.stage {
            assert!(point.starts_with(crate::sys::STAGE_DIR), "{point:?}");
            let i = args
                .iter()
                .position(|a| Path::new(a) == point)
                .expect("the stage point is bound");
            assert_eq!(Path::new(&args[i + 1]), source, "not at its own path");
        }
        // Nothing but the system is bound from its own path.
        for w in args.windows(2) {
            if w[0].starts_with("--")
                && w[0].contains("bind")
                && !w[1].starts_with(crate::sys::STAGE_DIR)
            {
                assert!(
                    [
                        "/usr",
                        "/etc",
                        "/sys",
                        "/dev",
                        "/var/cache",
                        "/lib",
                        "/bin",
                        "/sbin"
                    ]
                    .iter()
                    .any(|p| w[1].starts_with(p)),
                    "{} is bound by its path",
                    w[1]
                );
            }
        }
        // The session is still named by the unit's command line (`is_unit_init`).
        let root = tmp.path();
        let cmdline = out.args.iter().fold(Vec::new(), |mut v, a| {
            v.extend_from_slice(a.as_bytes());
            v.push(0);
            v
        });
        assert!(crate::daemon::unit::is_unit_init(
            "NSpid:\t9\t1\n",
            &cmdline,
            root
        ));
    }

    #[test]
    fn under_wayland_the_unit_gets_the_compositors_socket_in_its_runtime_folder_and_no_x11() {
        let tmp = tempfile::tempdir().unwrap();
        let session = SessionDir::create(tmp.path()).unwrap();
        let display = [
            ("DISPLAY", ":1".into()),
            ("XAUTHORITY", "/run/user/101/xauth".into()),
            ("WAYLAND_DISPLAY", "/run/user/101/wayland-1".into()),
        ];
        let plan = Plan {
            session: &session,
            binary: Path::new("/usr/bin/guichet-view"),
            display: &display,
            read_only: &[],
            writable: &[],
            staged: false,
        };
        let args: Vec<String> = bwrap_args(&plan, 3)
            .args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let inside = session.runtime().join(WAYLAND_SOCKET);
        let socket = args
            .windows(3)
            .position(|w| {
                w == [
                    "--ro-bind",
                    "/run/user/101/wayland-1",
                    &inside.to_string_lossy(),
                ]
            })
            .expect("the compositor's socket is bound into the session's runtime folder");
        let session_bind = args
            .windows(2)
            .position(|w| w == ["--bind", &session.root().to_string_lossy()])
            .unwrap();
        assert!(
            socket > session_bind,
            "bound before the session, it would be hidden"
        );
        for x11 in ["/tmp/.X11-unix", "/run/user/101/xauth"] {
            assert!(
                !args.iter().any(|a| a == x11),
                "{x11} is in the unit: {args:?}"
            );
        }
        assert_eq!(
            unit_display(&display),
            [("WAYLAND_DISPLAY", OsString::from(WAYLAND_SOCKET))],
            "the view finds the socket through its XDG_RUNTIME_DIR (WebKit's sandbox too)"
        );
        // X11 alone passes as it is.
        assert_eq!(unit_display(&display[..2]), display[..2]);
    }
}
