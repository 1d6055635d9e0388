//! The view processes the supervisor runs: start, talk to, and listen to.

use std::ffi::OsString;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::ChildStdin;
use std::sync::mpsc::Sender;

use crate::ipc::{read_frame, write_frame, FrameError, FromView, ToView};
use crate::sessiondir::SessionDir;
use crate::spawn::{spawn_view, ViewPid};

use super::Input;

/// Names one view process for the life of guichetd (pids are reused, these are not).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ViewId(pub u64);

/// What a reader thread saw on a view's stdout.
#[derive(Debug)]
pub enum ViewOutput {
    Message(FromView),
    /// A line that is not a protocol message. Its content is never logged.
    Garbage,
    /// stdout closed: the view exited (or closed it, which is as bad).
    Closed,
}

/// How views are started.
#[derive(Clone, Debug)]
pub struct Launcher {
    pub binary: PathBuf,
    pub runtime: PathBuf,
    pub display: Vec<(&'static str, OsString)>,
    pub extra_args: Vec<OsString>,
}

/// One running view.
#[derive(Debug)]
pub struct View {
    pub id: ViewId,
    pub pid: ViewPid,
    pub dir: SessionDir,
    stdin: Option<ChildStdin>,
    pub ready: bool,
}

impl View {
    /// Creates a fresh session dir and starts a hidden view in it, with a reader thread that
    /// forwards its messages to the event loop.
    pub fn start(
        launcher: &Launcher,
        config: &Path,
        id: ViewId,
        events: Sender<Input>,
    ) -> std::io::Result<View> {
        let dir = SessionDir::create(&launcher.runtime)?;
        let display: Vec<(&str, OsString)> = launcher
            .display
            .iter()
            .map(|(k, v)| (*k, v.clone()))
            .collect();
        let spawned = match spawn_view(
            &launcher.binary,
            &dir,
            config,
            &display,
            &launcher.extra_args,
        ) {
            Ok(s) => s,
            Err(e) => {
                let _ = crate::wipe::delete_tree(dir.root());
                return Err(e);
            }
        };
        let stdout = spawned.stdout;
        std::thread::Builder::new()
            .name(format!("view-{}", id.0))
            .spawn(move || {
                let mut reader = BufReader::new(stdout);
                loop {
                    let out = match read_frame::<FromView>(&mut reader) {
                        Ok(Some(m)) => ViewOutput::Message(m),
                        Ok(None) | Err(FrameError::Io(_)) => ViewOutput::Closed,
                        Err(FrameError::TooLong | FrameError::Malformed(_)) => ViewOutput::Garbage,
                    };
                    let closed = matches!(out, ViewOutput::Closed);
                    if events.send(Input::View(id, out)).is_err() || closed {
                        return;
                    }
                }
            })?;
        Ok(View {
            id,
            pid: spawned.pid,
            dir,
            stdin: Some(spawned.stdin),
            ready: false,
        })
    }

    /// Sends one order; a view that cannot be written to is reported by its reader soon.
    pub fn send(&mut self, msg: &ToView) {
        if let Some(stdin) = self.stdin.as_mut() {
            if let Err(e) = write_frame(stdin, msg) {
                tracing::warn!(view = %self.pid, "cannot write to the view: {e}");
                self.stdin = None;
            }
        }
    }

    pub fn session(&self) -> &str {
        self.dir.id().as_str()
    }
}
