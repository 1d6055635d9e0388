//! The session directory: the only place a session may write.
//!
//! `<runtime>/sessions/<random-id>/`, mode 0700, on tmpfs, holding `profile/` (WebKit data and
//! cache), `downloads/`, `home/`, `run/` and `config.json`. The view runs with
//! [`SessionDir::confined_env`] so that WebKit, GTK, mesa, GStreamer and dconf write inside it
//! too, never in the real home. Deleting it is the job of [`crate::wipe`].
//!
//! `config.json` is the config guichetd checked, by value ([`SessionDir::write_config`],
//! mode 0400, written before the view starts); the view reads it
//! ([`SessionDir::read_config`]) and never `guichet.toml`, so what happens to that file on
//! disk after the check never reaches a session.

use std::ffi::OsString;
use std::fmt;
use std::fs::OpenOptions;
use std::io::{self, Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use crate::config::{Config, SnapshotError, MAX_SNAPSHOT_BYTES};

/// The folder under the runtime dir that holds every session directory.
pub const SESSIONS: &str = "sessions";
/// The config snapshot in a session directory.
pub const CONFIG_FILE: &str = "config.json";
/// guichetd's runtime dir under systemd (`RuntimeDirectory=guichet`, tmpfs).
pub const SYSTEM_RUNTIME: &str = "/run/guichet";

/// Whether `path` is `dir` or lies under it, judged on the path's text (`..` and `.` taken
/// out first, links not followed): for refusing, in a config, a place that would end up in
/// the runtime dir, whose session directories are wiped. Both should be absolute.
pub fn is_within(path: &Path, dir: &Path) -> bool {
    fn normal(p: &Path) -> PathBuf {
        use std::path::Component;
        let mut out = PathBuf::new();
        for c in p.components() {
            match c {
                Component::ParentDir => {
                    out.pop();
                }
                Component::CurDir => {}
                other => out.push(other),
            }
        }
        out
    }
    normal(path).starts_with(normal(dir))
}

/// A random session id: 128 bits, hex. Names a directory; says nothing about the person.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SessionId(String);

impl SessionId {
    pub(crate) fn random() -> io::Result<SessionId> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).map_err(|e| io::Error::other(format!("no randomness: {e}")))?;
        Ok(SessionId(
            bytes.iter().map(|b| format!("{b:02x}")).collect(),
        ))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One session's directory and its layout.
#[derive(Clone, Debug)]
pub struct SessionDir {
    id: SessionId,
    root: PathBuf,
}

/// The folder of [`SessionDir::prints`], in the session dir.
pub const PRINTS: &str = "prints";

/// The file name, in [`PRINTS`], of the `n`th page the person printed.
pub fn print_page_name(n: u32) -> String {
    format!("page-{n}.pdf")
}

impl SessionDir {
    /// Creates a fresh, empty session directory under `runtime/sessions/`.
    pub fn create(runtime: &Path) -> io::Result<SessionDir> {
        let sessions = runtime.join(SESSIONS);
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&sessions)?;
        let id = SessionId::random()?;
        let root = sessions.join(id.as_str());
        // Not recursive: the id is new, so an existing directory means something is wrong.
        std::fs::DirBuilder::new().mode(0o700).create(&root)?;
        let dir = SessionDir { id, root };
        for sub in dir.layout() {
            std::fs::DirBuilder::new().mode(0o700).create(sub)?;
        }
        Ok(dir)
    }

    /// Uses an existing directory with the standard layout (the view, given `--session-dir`).
    pub fn open(root: &Path) -> io::Result<SessionDir> {
        let dir = SessionDir {
            id: SessionId(String::new()),
            root: root.to_owned(),
        };
        for sub in dir.layout() {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(sub)?;
        }
        Ok(dir)
    }

    pub fn id(&self) -> &SessionId {
        &self.id
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The folders every session directory has, made by [`Self::create`] and [`Self::open`].
    fn layout(&self) -> [PathBuf; 5] {
        [
            self.profile(),
            self.downloads(),
            self.prints(),
            self.home(),
            self.runtime(),
        ]
    }

    /// WebKit's data and cache directory.
    pub fn profile(&self) -> PathBuf {
        self.root.join("profile")
    }

    /// Where downloads land, and the only folder the file picker shows.
    pub fn downloads(&self) -> PathBuf {
        self.root.join("downloads")
    }

    /// The pages the person printed (`window.print()`), rendered to PDF by the view, that
    /// guichetd prints: `prints/page-N.pdf`.
    pub fn prints(&self) -> PathBuf {
        self.root.join(PRINTS)
    }

    /// `HOME` and the XDG base directories of the view.
    pub fn home(&self) -> PathBuf {
        self.root.join("home")
    }

    /// `XDG_RUNTIME_DIR` of the view.
    pub fn runtime(&self) -> PathBuf {
        self.root.join("run")
    }

    /// The config snapshot guichetd hands the view.
    pub fn config_file(&self) -> PathBuf {
        self.root.join(CONFIG_FILE)
    }

    /// Writes `config` as this session's snapshot, readable by its owner only. Refuses to
    /// replace anything already there (a session directory is new when its view starts).
    pub fn write_config(&self, config: &Config) -> io::Result<()> {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o400)
            .custom_flags(libc::O_NOFOLLOW)
            .open(self.config_file())?;
        file.write_all(config.to_snapshot().as_bytes())
    }

    /// Reads and checks the snapshot written by [`SessionDir::write_config`] (the view, at
    /// start): a regular file, not a link, at most [`MAX_SNAPSHOT_BYTES`].
    pub fn read_config(&self) -> Result<Config, SnapshotError> {
        let file = OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW)
            .open(self.config_file())
            .map_err(SnapshotError::Read)?;
        if !file.metadata().map_err(SnapshotError::Read)?.is_file() {
            return Err(SnapshotError::Read(io::Error::other("not a regular file")));
        }
        let mut text = String::new();
        file.take(MAX_SNAPSHOT_BYTES + 1)
            .read_to_string(&mut text)
            .map_err(SnapshotError::Read)?;
        Config::from_snapshot(&text)
    }

    /// The whole environment of a view process: everything that could write points inside
    /// this directory. `display` carries `DISPLAY` / `WAYLAND_DISPLAY` (and `XAUTHORITY`) from
    /// the supervisor; a relative `WAYLAND_DISPLAY` must be made absolute by the caller since
    /// `XDG_RUNTIME_DIR` changes.
    pub fn confined_env(&self, display: &[(&str, OsString)]) -> Vec<(String, OsString)> {
        let home = self.home();
        let at = |p: PathBuf| p.into_os_string();
        let mut env: Vec<(String, OsString)> = vec![
            ("PATH".into(), "/usr/bin:/bin".into()),
            ("LANG".into(), "C.UTF-8".into()),
            ("HOME".into(), at(home.clone())),
            ("XDG_DATA_HOME".into(), at(home.join(".local/share"))),
            ("XDG_CACHE_HOME".into(), at(home.join(".cache"))),
            ("XDG_CONFIG_HOME".into(), at(home.join(".config"))),
            ("XDG_STATE_HOME".into(), at(home.join(".local/state"))),
            ("XDG_RUNTIME_DIR".into(), at(self.runtime())),
            ("TMPDIR".into(), at(self.runtime())),
            ("DBUS_SESSION_BUS_ADDRESS".into(), "disabled:".into()),
            ("NO_AT_BRIDGE".into(), "1".into()),
            ("GST_REGISTRY".into(), at(home.join("gst-registry.bin"))),
            ("MESA_SHADER_CACHE_DISABLE".into(), "true".into()),
            ("GSETTINGS_BACKEND".into(), "memory".into()),
        ];
        for (k, v) in display {
            env.push(((*k).to_owned(), v.clone()));
        }
        env
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn creates_private_layout_and_confines_every_writable_path() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = SessionDir::create(tmp.path()).unwrap();
        assert_eq!(dir.id().as_str().len(), 32);
        assert!(dir.root().starts_with(tmp.path().join(SESSIONS)));
        let mode = std::fs::metadata(dir.root()).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
        for sub in [
            dir.profile(),
            dir.downloads(),
            dir.prints(),
            dir.home(),
            dir.runtime(),
        ] {
            assert!(sub.is_dir());
        }
        for (k, v) in dir.confined_env(&[]) {
            if v.to_string_lossy().starts_with('/') && k != "PATH" {
                assert!(
                    Path::new(&v).starts_with(dir.root()),
                    "{k} escapes the session dir"
                );
            }
        }
        let other = SessionDir::create(tmp.path()).unwrap();
        assert_ne!(dir.id(), other.id());
    }

    #[test]
    fn the_config_snapshot_is_private_written_once_and_read_back() {
        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("kiosk-config/guichet.toml");
        let config = Config::load(&example).unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let dir = SessionDir::create(tmp.path()).unwrap();
        assert!(matches!(dir.read_config(), Err(SnapshotError::Read(_))));
        dir.write_config(&config).unwrap();
        let mode = std::fs::metadata(dir.config_file())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o400);
        assert_eq!(dir.read_config().unwrap(), config);
        // Never replaced, not even by guichetd.
        let again = dir.write_config(&config).unwrap_err();
        assert_eq!(again.kind(), io::ErrorKind::AlreadyExists);

        // A link in its place is not followed.
        let other = SessionDir::create(tmp.path()).unwrap();
        std::os::unix::fs::symlink(dir.config_file(), other.config_file()).unwrap();
        assert!(matches!(other.read_config(), Err(SnapshotError::Read(_))));
        assert!(other.write_config(&config).is_err());
        // Nor is anything too big read whole.
        let big = SessionDir::create(tmp.path()).unwrap();
        let file = std::fs::File::create(big.config_file()).unwrap();
        file.set_len(MAX_SNAPSHOT_BYTES + 10).unwrap();
        assert!(matches!(big.read_config(), Err(SnapshotError::TooLarge)));
    }

    #[test]
    fn is_within_sees_through_dot_segments() {
        let run = Path::new("/run/guichet");
        for inside in [
            "/run/guichet",
            "/run/guichet/sessions/x",
            "/var/lib/../../run/guichet/stats",
            "/run/./guichet/stats",
        ] {
            assert!(is_within(Path::new(inside), run), "{inside}");
        }
        for outside in [
            "/run/guichet2",
            "/var/lib/guichet/stats",
            "/run",
            "/run/guichet/..",
        ] {
            assert!(!is_within(Path::new(outside), run), "{outside}");
        }
    }
}
