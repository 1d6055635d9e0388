//! guichetd, the supervisor: one event loop that owns the views, the wipes and the config.
//!
//! Everything that happens arrives as one [`Input`] on one channel: view messages and view
//! exits (a reader thread per view), signals (a `sigwait` thread: TERM/INT stop, HUP reloads,
//! CHLD reaps), config changes (`notify`), and control requests (the control socket thread).
//! The loop turns them into [`Event`]s for the pure state machine ([`machine`]) and
//! carries out the [`Action`]s it returns: send to the shown view, promote the spare, wipe.
//! Handlers are named after what happened (`on_view_exit`, `on_signal`, …).
//!
//! Logs are state changes, wipe results with timings, staff actions, warnings: never a URL,
//! title, file name or typed text (the protocol cannot carry them), and at the default level
//! no host or category either. What the person did is counted per day instead
//! (`counting`, the statistics of `crate::stats`).

pub mod control;
mod counting;
pub mod machine;
mod mounts;
mod printing;
mod reload;
pub mod spawn;
mod staff;
pub mod unit;
mod usb;
mod viewlog;
mod views;
mod watch;
pub mod wipe;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use nix::sys::signal::{SigSet, Signal};

use crate::config::Config;
use crate::lang::Lang;
use crate::protocol::control::{LastWipe, Request, Response};
use crate::protocol::view::ToView;
use crate::sys::reap_any;
use control::{Access, Server};
use counting::Counting;
use machine::{Action, EndReason, Event, Limits, Machine, State};
use unit::Unit;
use wipe::wipe_leftovers;

pub use views::Launcher;
use views::{View, ViewId, ViewOutput};

/// Everything the event loop reacts to.
#[derive(Debug)]
pub(crate) enum Input {
    /// What a view said, and when its reader thread read it (the event loop may be busy with
    /// a wipe when it arrives; latencies are measured to this instant).
    View(ViewId, ViewOutput, Instant),
    Signal(Signal),
    ConfigChanged,
    Control(Request, Sender<Response>),
    /// A USB stick came or went, or a copy onto it ended.
    Usb(usb::UsbEvent),
    /// A print request of a view went a step further (`printing`).
    Print(printing::Update),
}

/// How guichetd runs (from its command line).
#[derive(Clone, Debug)]
pub struct Options {
    pub config_path: PathBuf,
    pub socket: PathBuf,
    pub launcher: Launcher,
    /// Keep a pre-started hidden spare (off only to measure without it).
    pub spare: bool,
    /// Divide every session timer by this (tests only; 1 in production).
    pub speedup: u32,
}

/// Quiet time after a config file event before reloading (editors write in several steps).
const RELOAD_DEBOUNCE: Duration = Duration::from_millis(300);
/// How long a stopping guichetd waits for control replies still being written.
const REPLY_DRAIN: Duration = Duration::from_secs(2);

/// Blocks the signals the loop handles, in the calling thread and every thread it starts.
/// Call first in `main`, before any thread exists.
pub fn block_signals() -> nix::Result<()> {
    handled_signals().thread_block()
}

fn handled_signals() -> SigSet {
    let mut set = SigSet::empty();
    for s in [
        Signal::SIGTERM,
        Signal::SIGINT,
        Signal::SIGHUP,
        Signal::SIGCHLD,
    ] {
        set.add(s);
    }
    set
}

/// Runs the terminal until SIGTERM. `Ok(true)`: stopped with every session wiped.
pub fn run(opts: Options, config: Config) -> std::io::Result<bool> {
    crate::sys::become_subreaper().map_err(std::io::Error::from)?;
    let (tx, rx) = mpsc::channel();
    let sigs = tx.clone();
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || loop {
            if let Ok(sig) = handled_signals().wait() {
                if sigs.send(Input::Signal(sig)).is_err() {
                    return;
                }
            }
        })?;

    // Descriptors: as many as allowed, and a cap on control connections that keeps a reserve
    // for the views, wipes and spares (`control`).
    let nofile = crate::sys::raise_nofile_limit()?;
    let max_connections = control::connection_cap(nofile);
    if nofile < control::FD_RESERVE * 2 {
        tracing::warn!(
            nofile,
            "few descriptors allowed: control connections one at a time"
        );
    }
    let server = Server::bind(&opts.socket, Access::new(&config.control.staff_group))
        .map_err(|e| std::io::Error::other(format!("control socket: {e}")))?
        .max_connections(max_connections);
    let to_loop = tx.clone();
    let served = server.serve(move |request| {
        let (reply_tx, reply_rx) = mpsc::channel();
        if to_loop.send(Input::Control(request, reply_tx)).is_err() {
            return Response::error("guichetd is stopping");
        }
        reply_rx
            .recv_timeout(Duration::from_secs(10))
            .unwrap_or_else(|_| Response::error("guichetd did not answer in time"))
    })?;
    tracing::info!(
        socket = %opts.socket.display(),
        max_connections,
        nofile,
        "control socket ready"
    );
    let mut sup = Supervisor::new(opts, config, tx);
    sup.watch_config();
    // Leftover sessions and print jobs of a previous run go before the first session.
    let t0 = Instant::now();
    let leftovers =
        wipe_leftovers(&sup.opts.launcher.runtime).and_then(|n| sup.wipe_print_jobs().map(|()| n));
    let boot = match leftovers {
        Ok(found) => {
            if found.units > 0 {
                tracing::warn!(
                    count = found.units,
                    "ended containment units left running by a previous run"
                );
            }
            if found.dirs > 0 {
                tracing::info!(
                    count = found.dirs,
                    "wiped leftover sessions of a previous run"
                );
            }
            if found.units > 0 || found.dirs > 0 {
                // `status` tells of this wipe too: the last wipe is the one at start.
                sup.last_wipe = Some(LastWipe {
                    ok: true,
                    millis: t0.elapsed().as_millis() as u64,
                    error: None,
                });
            }
            sup.machine.boot()
        }
        Err(e) => {
            tracing::error!("leftover wipe failed, out of order: {e}");
            sup.last_wipe = Some(wipe::failed(t0.elapsed(), &e));
            sup.machine.boot_out_of_order(e.to_string())
        }
    };
    sup.apply(boot);
    let clean = sup.run_loop(rx);
    let _ = std::fs::remove_file(server_path(&sup.opts));
    // The reply to `guichetctl restart` (or any request answered just before the stop) is
    // written before the process ends.
    served.drain(REPLY_DRAIN);
    Ok(clean)
}

fn server_path(opts: &Options) -> &Path {
    &opts.socket
}

struct Supervisor {
    opts: Options,
    config: Config,
    pending: Option<Config>,
    rejected: Option<String>,
    machine: Machine,
    events: Sender<Input>,
    /// Watches the config file and the pack folders of the running config.
    watcher: Option<notify::RecommendedWatcher>,
    next_id: u64,
    shown: Option<View>,
    spare: Option<View>,
    retired: Vec<View>,
    /// Sessions whose wipe failed (with their unit, if it could not be ended): retried by every
    /// later wipe.
    failed: Vec<(Option<Unit>, PathBuf)>,
    /// Service ids whose pages the running session loaded (for their logout URLs).
    used_services: BTreeSet<String>,
    /// The language the person of the running session chose, if they chose one (for the
    /// goodbye after it), and the last one any person chose (for the staff screens).
    session_lang: Option<Lang>,
    last_lang: Option<Lang>,
    /// The statistics: the running session's tally and the day files.
    counting: Counting,
    last_wipe: Option<LastWipe>,
    sessions_started: u64,
    reset_at: Option<Instant>,
    /// The reset whose next view has got `start` but has not reported its first frame yet.
    reset_until_shown: Option<Instant>,
    reload_at: Option<Instant>,
    spare_retry_at: Option<Instant>,
    /// Do not start the next spare before this while a view is shown (see SPARE_DELAY).
    spare_not_before: Option<Instant>,
    spare_failures: u32,
    /// The last-resort notice (GTK only), while views keep failing and nothing else is shown.
    notice: Option<View>,
    /// Since when no view is on screen (none shown, or none yet).
    empty_since: Option<Instant>,
    /// `guichetctl restart`: stop at the next welcome screen (see `staff`).
    restart_pending: bool,
    /// The person of the running session pressed "Call the helper"; `guichetctl ack` or the
    /// next session clears it.
    helper_called: bool,
    /// The print requests of the session on screen, and its page budget.
    printer: printing::Printer,
    stopping: bool,
    clean_stop: bool,
    /// The take-away's USB stick and copy.
    usb: usb::Usb,
}

impl Supervisor {
    fn new(opts: Options, config: Config, events: Sender<Input>) -> Supervisor {
        let limits = limits(&config, opts.speedup);
        let now = Instant::now();
        let machine = Machine::new(limits, opts.spare, now);
        let counting = Counting::new(&config.stats, &opts.launcher.runtime, now);
        let usb = usb::Usb::start(config.usb.enabled, &config.usb.mount_roots, &events);
        Supervisor {
            opts,
            config,
            pending: None,
            rejected: None,
            machine,
            events,
            watcher: None,
            next_id: 0,
            shown: None,
            spare: None,
            retired: Vec::new(),
            failed: Vec::new(),
            used_services: BTreeSet::new(),
            session_lang: None,
            last_lang: None,
            counting,
            last_wipe: None,
            sessions_started: 0,
            reset_at: None,
            reset_until_shown: None,
            reload_at: None,
            spare_retry_at: None,
            spare_not_before: None,
            spare_failures: 0,
            notice: None,
            empty_since: None,
            restart_pending: false,
            helper_called: false,
            printer: printing::Printer::default(),
            stopping: false,
            clean_stop: true,
            usb,
        }
    }

    fn run_loop(&mut self, rx: Receiver<Input>) -> bool {
        while !self.stopping {
            let deadline = [
                self.machine.next_deadline(),
                self.reload_at,
                self.spare_retry_at,
                self.spare_not_before,
                self.spare_ready_deadline(),
                self.notice_deadline(),
                Some(self.counting.deadline()),
            ]
            .into_iter()
            .flatten()
            .min();
            let input = match deadline {
                Some(d) => rx.recv_timeout(d.saturating_duration_since(Instant::now())),
                None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
            };
            match input {
                Ok(input) => self.on_input(input),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
            self.on_time_passed();
        }
        self.clean_stop
    }

    fn on_input(&mut self, input: Input) {
        match input {
            Input::View(id, out, at) => self.on_view_output(id, out, at),
            Input::Signal(sig) => self.on_signal(sig),
            Input::ConfigChanged => {
                self.reload_at = Some(Instant::now() + RELOAD_DEBOUNCE);
            }
            Input::Control(request, reply) => {
                let response = self.on_control(request);
                let _ = reply.send(response);
            }
            Input::Usb(event) => self.on_usb(event),
            Input::Print(update) => self.on_print_update(update),
        }
    }

    fn on_time_passed(&mut self) {
        let now = Instant::now();
        if self.reload_at.is_some_and(|t| now >= t) {
            self.reload_at = None;
            let _ = self.reload("file changed");
        }
        if self.spare_retry_at.is_some_and(|t| now >= t) {
            self.spare_retry_at = None;
            self.ensure_spare();
        }
        if self.spare_not_before.is_some_and(|t| now >= t) {
            self.spare_not_before = None;
            self.ensure_spare();
        }
        if self.spare_ready_deadline().is_some_and(|t| now >= t) {
            self.on_spare_hung();
        }
        self.watch_the_screen(now);
        self.event(Event::Tick);
        self.counting.on_time(Instant::now());
        if self.restart_pending && !self.stopping && staff::nobody_in_session(self.machine.state())
        {
            tracing::info!("restart: no session runs, stopping");
            self.restart_pending = false;
            self.event(Event::Terminate);
        }
    }

    /// Feeds one event to the machine, logs the state change, carries out the actions.
    fn event(&mut self, event: Event) {
        let before = self.machine.state();
        let now = Instant::now();
        let actions = self.machine.handle(event, now);
        let after = self.machine.state();
        if before != after {
            tracing::info!("state: {} -> {}", name(before), name(after));
        }
        // The person's first input: a session starts (an untouched welcome is none).
        if (before, after) == (State::Welcome, State::Active) {
            self.counting.session_started(now);
        }
        self.apply(actions);
    }

    fn apply(&mut self, actions: Vec<Action>) {
        for action in actions {
            match action {
                Action::Send(msg) => self.send_shown(&msg),
                Action::EndSession { takeaway } => {
                    let logouts = self.logouts();
                    self.send_shown(&ToView::EndSession { takeaway, logouts });
                }
                Action::Retire => {
                    self.reset_at = Some(Instant::now());
                    if let Some(v) = self.shown.take() {
                        self.retired.push(v);
                    }
                }
                Action::Promote { goodbye } => self.promote(goodbye),
                Action::Wipe(reason) => {
                    self.counting.session_ended(reason, Instant::now());
                    self.wipe_retired(reason);
                }
                Action::StartSpare => self.ensure_spare(),
                Action::ApplyConfig => self.apply_config(),
                Action::Shutdown => {
                    let now = Instant::now();
                    self.counting.session_ended(EndReason::Shutdown, now);
                    self.shutdown();
                    self.counting.flush(Instant::now());
                }
            }
        }
        if self.opts.spare && !self.stopping {
            self.ensure_spare();
        }
    }

    fn send_shown(&mut self, msg: &ToView) {
        // The staff screens speak the last person's language.
        if let (ToView::Screen { .. }, Some(lang)) = (msg, self.last_lang) {
            self.send_shown_only(&ToView::Language { lang });
        }
        self.send_shown_only(msg);
    }

    fn send_shown_only(&mut self, msg: &ToView) {
        if let Some(v) = self.shown.as_mut() {
            v.send(msg);
        }
    }

    fn on_signal(&mut self, sig: Signal) {
        match sig {
            Signal::SIGCHLD => {
                for (pid, exit) in reap_any() {
                    let owner = [&self.shown, &self.spare]
                        .into_iter()
                        .flatten()
                        .find(|v| v.pid().pid() == pid)
                        .map(|v| v.id);
                    match owner {
                        Some(id) => self.on_view_exit(id, Some(exit)),
                        None => printing::note_reaped(pid.as_raw(), &exit),
                    }
                }
            }
            Signal::SIGHUP => {
                tracing::info!("SIGHUP: reloading the config");
                let _ = self.reload("SIGHUP");
            }
            _ => {
                tracing::info!("{sig}: ending the session, wiping, stopping");
                self.event(Event::Terminate);
            }
        }
    }
}

fn limits(config: &Config, speedup: u32) -> Limits {
    let s = &config.session;
    Limits::new(s.idle_timeout, s.idle_warning, s.max_duration, speedup)
}

/// The state's name as `status` shows it.
fn name(state: State) -> String {
    serde_json::to_value(state)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}
