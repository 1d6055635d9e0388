//! The supervisor's side of wiping: retired views, retries of failed wipes, the kiosk user's
//! print jobs, shutdown.

use std::time::{Duration, Instant};

use crate::control::LastWipe;
use crate::ipc::ToView;
use crate::printjobs::{kiosk_user, wipe_print_jobs};
use crate::session::{EndReason, Event};
use crate::wipe::{delete_tree, wipe_session, WipeError};

use super::views::View;
use super::Supervisor;

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
            if let Err(e) = self.wipe_one(&view, reason) {
                result = Err(e);
            }
        }
        for (pid, dir) in std::mem::take(&mut self.failed) {
            let r = match pid {
                Some(pid) => wipe_session(Some(pid), &dir).map(|_| ()),
                None => delete_tree(&dir).map(|_| ()),
            };
            match r {
                Ok(()) => tracing::info!("retried wipe succeeded"),
                Err(e) => {
                    tracing::error!("retried wipe failed: {e}");
                    self.failed.push((pid, dir));
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

    /// Wipes one view's processes and session dir; a failure is remembered for retries.
    pub(super) fn wipe_one(&mut self, view: &View, reason: EndReason) -> Result<(), WipeError> {
        match wipe_session(Some(view.pid), view.dir.root()) {
            Ok(r) => {
                tracing::info!(
                    session = view.session(),
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
                tracing::error!(session = view.session(), reason = ?reason, "wipe FAILED: {e}");
                let pid = matches!(e, WipeError::Unkillable(_)).then_some(view.pid);
                self.failed.push((pid, view.dir.root().to_owned()));
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
        for v in [self.shown.take(), self.spare.take()].into_iter().flatten() {
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
