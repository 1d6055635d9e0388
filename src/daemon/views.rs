//! The view processes the supervisor runs: start them, talk to them, hear them.
//!
//! [`View`] is one running `guichet-view` (its session dir, its stdin, a reader thread that
//! turns its stdout into [`Input::View`]). The `impl Supervisor` below keeps a hidden spare
//! ready, promotes it when a session ends, and handles what the shown view reports.

use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::ChildStdin;
use std::sync::mpsc::Sender;
use std::time::{Duration, Instant};

use super::machine::{EndReason, Event, State};
use super::spawn::{spawn_view, SpawnOptions, ViewPid};
use super::unit::Unit;
use super::{Input, Supervisor};
use crate::loggable::Private;
use crate::policy::Decision;
use crate::protocol::frame::{read_frame, write_frame, FrameError};
use crate::protocol::view::{FromView, ToView};
use crate::sessiondir::SessionDir;
use crate::sys::Exit;

/// Longest wait before restarting a view that failed to start.
const MAX_BACKOFF: Duration = Duration::from_secs(10);
/// After a view is shown, the next spare waits this long: starting WebKit takes the CPU the
/// newly shown view needs to map and paint (2-core terminals).
const SPARE_DELAY: Duration = Duration::from_secs(1);

/// Names one view process for the life of guichetd (pids are reused, these are not).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct ViewId(pub u64);

/// What a reader thread saw on a view's stdout.
#[derive(Debug)]
pub(crate) enum ViewOutput {
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
    pub options: SpawnOptions,
}

/// One running view.
#[derive(Debug)]
pub struct View {
    pub id: ViewId,
    /// Its containment unit; `unit.leader` is guichetd's child.
    pub unit: Unit,
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
        pack_dirs: &[PathBuf],
        id: ViewId,
        events: Sender<Input>,
    ) -> std::io::Result<View> {
        let dir = SessionDir::create(&launcher.runtime)?;
        let mut options = launcher.options.clone();
        options.read_only.extend(pack_dirs.iter().cloned());
        let spawned = match spawn_view(&launcher.binary, &dir, config, &options) {
            Ok(s) => s,
            Err(e) => {
                let _ = super::wipe::delete_tree(dir.root());
                return Err(e);
            }
        };
        if let Some(stderr) = spawned.stderr {
            super::viewlog::forward(spawned.unit.leader, stderr)?;
        }
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
                    let at = Instant::now();
                    if events.send(Input::View(id, out, at)).is_err() || closed {
                        return;
                    }
                }
            })?;
        Ok(View {
            id,
            unit: spawned.unit,
            dir,
            stdin: Some(spawned.stdin),
            ready: false,
        })
    }

    /// The process guichetd started for it (its child).
    pub fn pid(&self) -> ViewPid {
        self.unit.leader
    }

    /// Sends one order; a view that cannot be written to is reported by its reader soon.
    pub fn send(&mut self, msg: &ToView) {
        if let Some(stdin) = self.stdin.as_mut() {
            if let Err(e) = write_frame(stdin, msg) {
                tracing::warn!(view = %self.unit.leader, "cannot write to the view: {e}");
                self.stdin = None;
            }
        }
    }
}

/// What the supervisor does with its views: promote the spare, keep one ready, hear them.
impl Supervisor {
    pub(super) fn promote(&mut self) {
        let Some(mut view) = self.spare.take() else {
            tracing::error!("no spare view to show");
            return;
        };
        if self.opts.spare {
            self.spare_not_before = Some(Instant::now() + SPARE_DELAY);
        }
        // Out of order, the `screen` order that follows shows the window: no session starts.
        if self.machine.state() != State::OutOfOrder {
            view.send(&ToView::Start);
            self.sessions_started += 1;
        }
        self.used_services.clear();
        self.reset_until_shown = self.reset_at;
        match self.reset_at.take() {
            Some(t) => tracing::info!(
                view = %view.pid(),
                latency_us = t.elapsed().as_micros() as u64,
                "next view shown after reset"
            ),
            None => tracing::info!(view = %view.pid(), "view shown"),
        }
        self.shown = Some(view);
    }

    /// Starts a hidden view if none is running (and none is waiting for a retry).
    pub(super) fn ensure_spare(&mut self) {
        if self.spare.is_some() || self.stopping || self.spare_retry_at.is_some() {
            return;
        }
        let deferred = self.spare_not_before.is_some_and(|t| Instant::now() < t);
        if deferred && self.shown.is_some() {
            return;
        }
        self.next_id += 1;
        let id = ViewId(self.next_id);
        // The view reads the staged config, if any (the spare is replaced on a reload).
        let pack_dirs = self
            .pending
            .as_ref()
            .unwrap_or(&self.config)
            .policy
            .pack_dirs
            .clone();
        match View::start(
            &self.opts.launcher,
            &self.opts.config_path,
            &pack_dirs,
            id,
            self.events.clone(),
        ) {
            Ok(v) => {
                tracing::debug!(view = %v.pid(), "spare view started");
                self.spare = Some(v);
            }
            Err(e) => {
                tracing::error!("cannot start a view: {e}");
                self.schedule_spare_retry();
            }
        }
    }

    pub(super) fn schedule_spare_retry(&mut self) {
        self.spare_failures += 1;
        let backoff = Duration::from_millis(250) * 2u32.saturating_pow(self.spare_failures.min(6));
        self.spare_retry_at = Some(Instant::now() + backoff.min(MAX_BACKOFF));
    }

    pub(super) fn on_view_output(&mut self, id: ViewId, out: ViewOutput, at: Instant) {
        let is = |v: &Option<View>| v.as_ref().is_some_and(|v| v.id == id);
        if is(&self.shown) {
            match out {
                ViewOutput::Message(m) => self.on_shown_message(m, at),
                ViewOutput::Garbage => {
                    tracing::warn!("the view sent an unreadable message (ignored)")
                }
                ViewOutput::Closed => self.on_view_exit(id, None),
            }
        } else if is(&self.spare) {
            match out {
                ViewOutput::Message(FromView::Ready) => self.on_spare_ready(),
                ViewOutput::Message(FromView::Crashed { what }) => {
                    tracing::warn!(?what, "the hidden spare view crashed");
                    self.on_view_exit(id, None);
                }
                // Every protocol field is loggable (hosts, categories, sizes, kinds).
                ViewOutput::Message(m) => {
                    tracing::debug!(message = ?m, "hidden spare view message ignored")
                }
                ViewOutput::Garbage => {
                    tracing::warn!("the hidden spare view sent an unreadable message (ignored)")
                }
                ViewOutput::Closed => self.on_view_exit(id, None),
            }
        }
        // Retired views are being wiped: nothing they say matters.
    }

    pub(super) fn on_spare_ready(&mut self) {
        if let Some(v) = self.spare.as_mut() {
            v.ready = true;
        }
        self.spare_failures = 0;
        self.event(Event::SpareReady);
    }

    /// A message of the shown view, read at `at`.
    pub(super) fn on_shown_message(&mut self, msg: FromView, at: Instant) {
        match msg {
            FromView::Ready => {}
            FromView::Shown => match self.reset_until_shown.take() {
                Some(t) => tracing::info!(
                    latency_us = at.saturating_duration_since(t).as_micros() as u64,
                    "next view on screen after reset"
                ),
                None => tracing::info!("view on screen"),
            },
            FromView::Activity | FromView::Language { .. } => self.event(Event::Activity),
            // What the person visits, blocks, downloads or prints is no trail for the journal:
            // `debug` only (the statistics count it per day).
            FromView::Navigated { host, category } => {
                tracing::debug!(
                    host = host.as_str(),
                    category = category.as_str(),
                    "navigated"
                );
                if let Ok(url) = url::Url::parse(&format!("https://{}/", host.as_str())) {
                    if let Decision::Allow(a) = self.config.policy.policy.decide_url(&url) {
                        self.used_services.insert(a.service);
                    }
                }
            }
            FromView::Blocked { host, reason } => tracing::debug!(
                host = host.as_ref().map_or("-", |h| h.as_str()),
                ?reason,
                "blocked"
            ),
            FromView::Download { state, bytes } => {
                tracing::debug!(?state, bytes, "download")
            }
            FromView::PrintRequested => tracing::debug!("print requested"),
            FromView::EndRequested => {
                tracing::debug!("end of session requested by the person");
                self.event(Event::EndRequested)
            }
            FromView::Ended => self.event(Event::Ended),
            FromView::Crashed { what } => {
                tracing::warn!(?what, "the view crashed");
                self.event(Event::ViewLost);
            }
        }
    }

    /// A view's process ended (its stdout closed, or it was reaped).
    pub(super) fn on_view_exit(&mut self, id: ViewId, exit: Option<Exit>) {
        if self.shown.as_ref().is_some_and(|v| v.id == id) {
            match exit {
                Some(e) => tracing::warn!("the shown view ended ({e})"),
                None => tracing::warn!("the shown view ended"),
            }
            self.event(Event::ViewLost);
        } else if self.spare.as_ref().is_some_and(|v| v.id == id) {
            tracing::warn!("the hidden spare view ended before being shown");
            let spare = self.spare.take().expect("checked");
            if let Err(e) = self.wipe_one(spare.unit, &spare.dir, EndReason::Crash) {
                tracing::error!("wipe of the spare failed: {e}");
            }
            self.schedule_spare_retry();
        }
    }

    pub(super) fn logout_urls(&self) -> Vec<Private<String>> {
        if !self.config.session.logout_before_wipe {
            return Vec::new();
        }
        self.used_services
            .iter()
            .filter_map(|id| self.config.policy.policy.service(id))
            .filter_map(|s| s.logout_url.as_ref().map(|u| Private::new(u.to_string())))
            .collect()
    }
}
