//! Wiping a session, all of it: processes, directory, print jobs — verified, fail closed.
//!
//! 1. [`processes`]: end the view's containment unit (its PID namespace), verify that no
//!    process of it is left.
//! 2. [`tree`]: delete the session directory without following symlinks, verify it is gone.
//! 3. [`printjobs`]: purge the kiosk user's CUPS jobs (when printing is configured).
//!
//! [`leftovers`] does the same at start for whatever a previous run left. Every failure is a
//! [`WipeError`]; the supervisor (the `impl` at the end of this file: retired views, retries,
//! shutdown) turns it into `OutOfOrder`. Error texts never contain a file name (a download's
//! name is the person's data), only the session id.

mod leftovers;
mod printjobs;
mod processes;
mod tree;

use std::path::Path;

use nix::errno::Errno;
use std::time::{Duration, Instant};

use crate::daemon::machine::{EndReason, Event};
use crate::daemon::unit::Unit;
use crate::protocol::control::LastWipe;
use crate::protocol::view::ToView;
use crate::sessiondir::SessionDir;

pub use leftovers::{wipe_leftovers, Leftovers};
pub use printjobs::PrintWipeError;
pub(crate) use printjobs::{kiosk_user, wipe_print_jobs};
pub use processes::{end_processes, end_unit};
pub use tree::delete_tree;

use super::Supervisor;

/// Without containment: time a view gets to exit after SIGTERM before SIGKILL. (A unit is
/// killed at once: nothing in it is kept.)
pub(crate) const GRACE: Duration = Duration::from_millis(300);

/// Why a wipe failed. Never names a file.
#[derive(Debug, thiserror::Error)]
pub enum WipeError {
    #[error("{0} process(es) of the session survived SIGKILL")]
    Unkillable(usize),
    #[error("session {session}: the session directory is a symlink, not a directory")]
    RootIsSymlink { session: String },
    #[error("session {session}: a filesystem is mounted inside the session directory")]
    MountInside { session: String },
    #[error("session {session}: cannot {what}: {errno}")]
    Sys {
        session: String,
        what: &'static str,
        errno: Errno,
    },
    #[error("session {session}: the directory still exists after deletion")]
    StillThere { session: String },
    /// The kiosk user's print jobs (when printing is configured) could not be wiped.
    #[error(transparent)]
    PrintJobs(#[from] PrintWipeError),
}

/// What a successful wipe did, for the log.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct WipeReport {
    /// Processes killed and reaped.
    pub processes: usize,
    /// Directory entries deleted.
    pub entries: u64,
    pub kill_time: Duration,
    pub delete_time: Duration,
}

/// Ends the unit, deletes the directory of one session; the whole wipe.
pub(crate) fn wipe_session(unit: Option<&Unit>, dir: &Path) -> Result<WipeReport, WipeError> {
    let t0 = Instant::now();
    let processes = match unit {
        Some(unit) => end_unit(unit, GRACE)?,
        None => 0,
    };
    let kill_time = t0.elapsed();
    let t1 = Instant::now();
    let entries = delete_tree(dir)?;
    Ok(WipeReport {
        processes,
        entries,
        kill_time,
        delete_time: t1.elapsed(),
    })
}

pub(super) fn failed(took: Duration, e: &WipeError) -> LastWipe {
    LastWipe {
        ok: false,
        millis: took.as_millis() as u64,
        error: Some(e.to_string()),
    }
}

impl Supervisor {
    /// Kills and deletes the retired views, retries earlier failures, wipes the print jobs;
    /// reports to the machine.
    pub(super) fn wipe_retired(&mut self, reason: EndReason) {
        let t0 = Instant::now();
        let mut result = Ok(());
        for view in std::mem::take(&mut self.retired) {
            if let Err(e) = self.wipe_one(view.unit, &view.dir, reason) {
                result = Err(e);
            }
        }
        for (unit, dir) in std::mem::take(&mut self.failed) {
            match wipe_session(unit.as_ref(), &dir) {
                Ok(_) => tracing::info!("retried wipe succeeded"),
                Err(e) => {
                    tracing::error!("retried wipe failed: {e}");
                    let unit = unit.filter(|_| matches!(e, WipeError::Unkillable(_)));
                    self.failed.push((unit, dir));
                    result = Err(e);
                }
            }
        }
        // Every wipe, so a staff reset after a failure retries it too.
        if let Err(e) = self.wipe_print_jobs() {
            result = Err(e);
        }
        let took = t0.elapsed();
        self.last_wipe = Some(match &result {
            Ok(()) => LastWipe {
                ok: true,
                millis: took.as_millis() as u64,
                error: None,
            },
            Err(e) => failed(took, e),
        });
        if self.stopping {
            self.clean_stop &= result.is_ok();
            return;
        }
        self.event(Event::WipeDone(result.map_err(|e| e.to_string())));
    }

    /// Wipes one view's unit and session dir; a failure is remembered for retries.
    pub(super) fn wipe_one(
        &mut self,
        unit: Unit,
        dir: &SessionDir,
        reason: EndReason,
    ) -> Result<(), WipeError> {
        match wipe_session(Some(&unit), dir.root()) {
            Ok(r) => {
                tracing::info!(
                    session = dir.id().as_str(),
                    reason = ?reason,
                    processes = r.processes,
                    entries = r.entries,
                    kill_ms = r.kill_time.as_millis() as u64,
                    delete_ms = r.delete_time.as_millis() as u64,
                    "wipe ok"
                );
                Ok(())
            }
            Err(e) => {
                tracing::error!(session = dir.id().as_str(), reason = ?reason, "wipe FAILED: {e}");
                let unit = matches!(e, WipeError::Unkillable(_)).then_some(unit);
                self.failed.push((unit, dir.root().to_owned()));
                Err(e)
            }
        }
    }

    /// Cancels and purges the kiosk user's print jobs, when printing is configured.
    pub(super) fn wipe_print_jobs(&self) -> Result<(), WipeError> {
        let Some(printing) = &self.config.printing else {
            return Ok(());
        };
        match kiosk_user().and_then(|user| wipe_print_jobs(printing, &user)) {
            Ok(r) => {
                tracing::info!(
                    jobs = r.jobs,
                    ms = r.took.as_millis() as u64,
                    "print jobs wiped"
                );
                Ok(())
            }
            Err(e) => {
                tracing::error!("print job wipe FAILED: {e}");
                Err(e.into())
            }
        }
    }

    pub(super) fn shutdown(&mut self) {
        self.stopping = true;
        for v in [self.shown.take(), self.spare.take(), self.notice.take()]
            .into_iter()
            .flatten()
        {
            self.retired.push(v);
        }
        for v in &mut self.retired {
            v.send(&ToView::Quit);
        }
        self.wipe_retired(EndReason::Shutdown);
        if self.clean_stop {
            tracing::info!("stopped: every session wiped");
        } else {
            tracing::error!("stopped with a failed wipe: leftovers are wiped at the next start");
        }
    }
}
