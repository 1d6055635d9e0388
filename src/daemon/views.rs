//! The view processes the supervisor runs: start them, talk to them, hear them.
//!
//! [`View`] is one running `guichet-view` (its session dir, its stdin, a reader thread that
//! turns its stdout into [`Input::View`]). The `impl Supervisor` below keeps a hidden spare
//! ready, promotes it when a session ends, and handles what the shown view reports (the
//! session's timers, the services used for their logout URLs, and the statistics).

use std::io::BufReader;
use std::path::PathBuf;
use std::process::ChildStdin;
use std::sync::mpsc::Sender;
use std::time::{Duration, Instant};

use super::machine::{EndReason, Event, State};
use super::spawn::{spawn_view, SpawnOptions, ViewPid};
use super::unit::Unit;
use super::{Input, Supervisor};
use crate::config::Config;
use crate::loggable::Private;
use crate::protocol::frame::{read_frame, write_frame, FrameError};
use crate::protocol::view::Logout;
use crate::protocol::view::{DownloadState, FromView, ToView};
use crate::sessiondir::SessionDir;
use crate::stats::ServiceId;
use crate::sys::Exit;

/// Longest wait before restarting a view that failed to start.
const MAX_BACKOFF: Duration = Duration::from_secs(10);
/// The same when no view is on screen (the terminal waits for the next one).
const MAX_BACKOFF_NOTHING_SHOWN: Duration = Duration::from_secs(1);
/// With nothing on screen for this long (views failing, or too slow to start), guichetd draws
/// the last-resort notice: the bound on a dark screen, plus the notice's own start (~0.3 s).
pub(super) const NOTICE_AFTER: Duration = Duration::from_secs(5);
/// A spare that is neither ready nor dead after this long is hung: it counts as a failure.
/// Each failure in a row doubles it, up to 8 times (160 s): a slow machine (an old PC's cold
/// disk, a VM without KVM) gets there instead of failing for ever.
const SPARE_READY_TIMEOUT: Duration = Duration::from_secs(20);
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
    pub started: Instant,
}

impl View {
    /// Creates a fresh session dir and starts a hidden view in it with `config` (by value),
    /// with a reader thread that forwards its messages to the event loop.
    pub fn start(
        launcher: &Launcher,
        config: &Config,
        id: ViewId,
        events: Sender<Input>,
    ) -> std::io::Result<View> {
        Self::start_with(launcher, &launcher.options, config, id, events)
    }

    /// The last-resort "out of order" notice: the view binary drawing with GTK alone.
    fn start_notice(
        launcher: &Launcher,
        config: &Config,
        id: ViewId,
        events: Sender<Input>,
    ) -> std::io::Result<View> {
        let mut options = launcher.options.clone();
        options.extra_args = vec!["--notice".into(), "out-of-order".into()];
        Self::start_with(launcher, &options, config, id, events)
    }

    fn start_with(
        launcher: &Launcher,
        options: &SpawnOptions,
        config: &Config,
        id: ViewId,
        events: Sender<Input>,
    ) -> std::io::Result<View> {
        let dir = SessionDir::create(&launcher.runtime)?;
        let spawned = match spawn_view(&launcher.binary, &dir, config, options) {
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
            started: Instant::now(),
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
    /// Shows the ready spare; `goodbye`: it says goodbye to the person whose session ends,
    /// in their language, before its welcome.
    pub(super) fn promote(&mut self, goodbye: bool) {
        if !self.spare.as_ref().is_some_and(|v| v.ready) {
            // The machine is told of every spare lost, so this is a bug; still, never leave the
            // screen dark: the machine takes it as a lost view and waits for the next spare.
            tracing::error!("no ready spare view to show; starting one");
            if let Some(unready) = self.spare.take() {
                let _ = self.wipe_one(unready.unit, &unready.dir, EndReason::Crash);
            }
            self.event(Event::ViewLost);
            return;
        }
        let mut view = self.spare.take().expect("checked");
        if self.opts.spare {
            self.spare_not_before = Some(Instant::now() + SPARE_DELAY);
        }
        // Out of order, the `screen` order that follows shows the window: no session starts.
        let lang = self.session_lang.take();
        if self.machine.state() != State::OutOfOrder {
            if let (true, Some(lang)) = (goodbye, lang) {
                view.send(&ToView::Language { lang });
            }
            view.send(&ToView::Start { goodbye });
            self.sessions_started += 1;
        }
        self.used_services.clear();
        self.helper_called = false;
        self.printer.new_session(view.id);
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
        self.end_notice();
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
        // The next session's config: the staged one once a valid change waits for the next
        // welcome (it applies then), else the running one. Never the file as it is now.
        let config = self.pending.as_ref().unwrap_or(&self.config);
        match View::start(&self.opts.launcher, config, id, self.events.clone()) {
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
        // With nothing on screen the person waits for this view: retry soon, whatever failed.
        let limit = if self.shown.is_some() {
            MAX_BACKOFF
        } else {
            MAX_BACKOFF_NOTHING_SHOWN
        };
        self.spare_retry_at = Some(Instant::now() + backoff.min(limit));
    }

    /// When the notice is due: nothing has been on screen for [`NOTICE_AFTER`].
    pub(super) fn notice_deadline(&self) -> Option<Instant> {
        self.empty_since
            .filter(|_| self.notice.is_none())
            .map(|t| t + NOTICE_AFTER)
    }

    /// Keeps `empty_since` and draws the notice when the screen has been empty too long.
    pub(super) fn watch_the_screen(&mut self, now: Instant) {
        if self.shown.is_some() || self.stopping {
            self.empty_since = None;
            return;
        }
        let since = *self.empty_since.get_or_insert(now);
        if self.notice.is_none() && now >= since + NOTICE_AFTER {
            self.show_notice();
        }
    }

    /// Nothing on screen and views keep failing: the terminal goes out of order and says so
    /// with the last-resort notice, drawn without a web engine.
    fn show_notice(&mut self) {
        let why = format!(
            "the kiosk view does not start ({} failed attempts, nothing on screen for {} s)",
            self.spare_failures,
            NOTICE_AFTER.as_secs()
        );
        tracing::error!("{why}: showing the out-of-order notice");
        self.event(Event::ViewsFailing(why));
        self.next_id += 1;
        let config = self.pending.as_ref().unwrap_or(&self.config);
        match View::start_notice(
            &self.opts.launcher,
            config,
            ViewId(self.next_id),
            self.events.clone(),
        ) {
            Ok(v) => self.notice = Some(v),
            Err(e) => tracing::error!("cannot show the out-of-order notice either: {e}"),
        }
    }

    /// When the starting spare must have said `ready`.
    pub(super) fn spare_ready_deadline(&self) -> Option<Instant> {
        self.spare
            .as_ref()
            .filter(|v| !v.ready)
            .map(|v| v.started + SPARE_READY_TIMEOUT * 2u32.pow(self.spare_failures.min(3)))
    }

    /// The spare never became ready: ended like one that died.
    pub(super) fn on_spare_hung(&mut self) {
        if let Some(id) = self.spare.as_ref().map(|v| v.id) {
            tracing::warn!("the hidden spare view did not get ready in time");
            self.on_view_exit(id, None);
        }
    }

    /// A view is on screen again: the notice goes.
    fn end_notice(&mut self) {
        if let Some(notice) = self.notice.take() {
            if let Err(e) = self.wipe_one(notice.unit, &notice.dir, EndReason::Crash) {
                tracing::error!("wipe of the out-of-order notice failed: {e}");
            }
        }
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
            FromView::Shown => {
                match self.reset_until_shown.take() {
                    Some(t) => tracing::info!(
                        latency_us = at.saturating_duration_since(t).as_micros() as u64,
                        "next view on screen after reset"
                    ),
                    None => tracing::info!("view on screen"),
                }
                self.counting.view_on_screen(Instant::now());
                self.usb_new_view();
            }
            FromView::Activity => self.event(Event::Activity),
            FromView::Language { lang } => {
                self.session_lang = Some(lang);
                self.last_lang = Some(lang);
                self.event(Event::Activity)
            }
            // What the person visits, blocks, downloads or prints is no trail for the journal:
            // `debug` only; the statistics count it per day.
            FromView::Navigated {
                host,
                category,
                service,
            } => {
                tracing::debug!(
                    host = host.as_str(),
                    category = category.as_str(),
                    service = service.as_str(),
                    "navigated"
                );
                self.on_service_used(&service);
            }
            FromView::Blocked { host, reason } => {
                tracing::debug!(
                    host = host.as_ref().map_or("-", |h| h.as_str()),
                    ?reason,
                    "blocked"
                );
                self.counting.recorder().blocked(host.as_ref());
            }
            FromView::Download { state, bytes } => {
                tracing::debug!(?state, bytes, "download");
                if state == DownloadState::Finished {
                    self.counting.recorder().downloaded();
                }
            }
            FromView::PrintRequested => tracing::debug!("print requested"),
            FromView::Print { id, doc } => self.on_print_request(id, doc),
            // guichet-view does not send it (guichetd counts what it printed itself, in
            // `printing`); a view that does is counted as before, like its other reports.
            FromView::Printed { pages } => {
                tracing::debug!(pages, "printed");
                self.counting.recorder().printed(pages);
            }
            FromView::UsbCopy { files } => self.on_usb_copy(files),
            FromView::UsbCopied { files } => {
                tracing::debug!(files, "copied to USB");
                self.counting.recorder().usb_copied(files);
            }
            FromView::HelperCalled => {
                tracing::debug!("helper called");
                self.helper_called = true;
                self.counting.recorder().helper_called();
            }
            FromView::ProblemReported { service, kind } => {
                tracing::debug!(service = service.as_str(), ?kind, "problem reported");
                if self
                    .config
                    .policy
                    .policy
                    .service(service.as_str())
                    .is_some()
                {
                    self.counting.recorder().problem_reported(&service, kind);
                } else {
                    tracing::debug!("problem report for a service not in the config: ignored");
                }
            }
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

    /// The shown view loaded a page of `service`. Only a service of the running config counts
    /// (for its logout URL and the statistics, with the config's category): the view cannot
    /// add names of its own, and what cannot be checked counts nothing.
    fn on_service_used(&mut self, service: &ServiceId) {
        let Some(s) = self.config.policy.policy.service(service.as_str()) else {
            tracing::debug!("navigation to a service not in the config: not counted");
            return;
        };
        let category = s.category;
        self.used_services.insert(s.id.clone());
        let recorder = self.counting.recorder();
        recorder.service_used(service);
        recorder.category_used(category);
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
            self.event(Event::SpareLost);
            self.schedule_spare_retry();
        }
    }

    pub(super) fn logouts(&self) -> Vec<Logout> {
        if !self.config.session.logout_before_wipe {
            return Vec::new();
        }
        self.used_services
            .iter()
            .filter_map(|id| self.config.policy.policy.service(id))
            .filter_map(|s| {
                s.logout_url.as_ref().map(|u| Logout {
                    service: s.id.clone(),
                    url: Private::new(u.to_string()),
                })
            })
            .collect()
    }
}
