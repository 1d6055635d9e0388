//! The session state machine of the supervisor, without processes or clocks.
//!
//! `Welcome → Active ⇄ IdleWarning → Ending → Wiping → Welcome`, plus `Paused` and
//! `OutOfOrder` (and `Starting`, before the first view is on screen). [`Machine::handle`] takes
//! one [`Event`] and the current time and returns the [`Action`]s the supervisor must carry out;
//! it never touches a process, a file or a clock, so every transition and every timer edge is a
//! table test (`tests.rs`). The transitions themselves are in `transitions.rs`. The supervisor (`crate::supervisor`) owns the processes and feeds events.
//!
//! Two views exist at a time: the *shown* one (the person's session) and a hidden *spare*,
//! pre-started with an empty profile. Ending a session retires the shown view, promotes the spare
//! (it gets `start` and is on screen at once) and wipes the retired one behind it. The machine
//! only knows whether a spare is ready; the spare never gets anything of the running session.
//!
//! Fail closed: a failed wipe leads to `OutOfOrder`, and only a successful wipe (a staff `reset`
//! retries it) leads out of it.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

mod transitions;

use crate::protocol::view::ToView;
use transitions::min_some;
#[cfg(test)]
use transitions::secs_ceil;

/// Where the terminal is in the lifecycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// guichetd started; leftovers wiped; waiting for the first view to be ready.
    Starting,
    /// The welcome screen is shown; nobody has touched it yet.
    Welcome,
    /// A person is using the terminal.
    Active,
    /// No input for a while: a countdown is shown; input returns to `Active`.
    IdleWarning,
    /// The end flow runs in the view (take-away, logouts, goodbye).
    Ending,
    /// The old session is being killed and deleted; the next view may already be shown.
    Wiping,
    /// Paused by staff: a notice is shown, no session can start.
    Paused,
    /// A wipe failed: a notice is shown and no session starts until a wipe succeeds.
    OutOfOrder,
    /// guichetd is stopping.
    Stopping,
}

/// Why a session ended (logged; counted in statistics later).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// The person pressed "End session".
    Button,
    Idle,
    MaxDuration,
    /// `guichetctl reset`.
    Staff,
    /// The view crashed or exited.
    Crash,
    /// The view did not finish its end flow in time.
    EndingTimeout,
    /// `guichetctl pause` of a running session, or `resume` replacing the paused view.
    Pause,
    /// guichetd is stopping.
    Shutdown,
    /// A staff reset retrying a failed wipe.
    Retry,
}

/// Something that happened, as the supervisor saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// The hidden spare view is loaded and can be shown.
    SpareReady,
    /// The hidden spare is gone before being shown (it died, failed to start, or was replaced
    /// after a config change): it can no longer be promoted.
    SpareLost,
    /// Views keep failing to start and nothing is on screen: guichetd draws the last-resort
    /// notice itself; the terminal is out of order (a staff reset retries) until a view runs.
    ViewsFailing(String),
    /// The shown view reported input.
    Activity,
    /// The person pressed "End session".
    EndRequested,
    /// The shown view finished its end flow.
    Ended,
    /// The shown view exited or reported a crash.
    ViewLost,
    /// Time passed: deadlines are checked.
    Tick,
    /// `guichetctl reset`; `now` skips the take-away.
    StaffReset {
        now: bool,
    },
    StaffPause,
    StaffResume,
    /// The supervisor finished a wipe; the error is the text for logs and `status`.
    WipeDone(Result<(), String>),
    /// SIGTERM / SIGINT.
    Terminate,
}

/// What the supervisor must do, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Action {
    /// Send this message to the shown view.
    Send(ToView),
    /// Start the end flow in the shown view; the supervisor adds the logout URLs.
    EndSession { takeaway: bool },
    /// The shown view (if any) leaves the screen and is queued for wiping.
    Retire,
    /// The ready spare becomes the shown view and gets `start`; with `goodbye` (a person's
    /// session is being wiped behind it) it shows goodbye first, then its welcome.
    Promote { goodbye: bool },
    /// Kill and delete every retired view (and retry earlier failed wipes); report `WipeDone`.
    Wipe(EndReason),
    /// Start a hidden spare view if none is running.
    StartSpare,
    /// A staged config change takes effect now (a Welcome is being entered).
    ApplyConfig,
    /// Wipe everything and exit.
    Shutdown,
}

/// The session timers, already scaled (see `--test-speedup` in guichetd).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Limits {
    /// No input for this long ends the session (the countdown is within it).
    pub idle_timeout: Duration,
    /// Length of the visible idle countdown.
    pub idle_warning: Duration,
    pub max_duration: Duration,
    /// Length of the visible countdown before `max_duration`.
    pub max_warning: Duration,
}

impl Limits {
    /// Limits from the config values, divided by `speedup` (1 in production).
    pub fn new(
        idle_timeout: Duration,
        idle_warning: Duration,
        max_duration: Duration,
        speedup: u32,
    ) -> Limits {
        let speedup = speedup.max(1);
        let max_warning = Duration::from_secs(120).min(max_duration / 2);
        Limits {
            idle_timeout: idle_timeout / speedup,
            idle_warning: idle_warning.min(idle_timeout) / speedup,
            max_duration: max_duration / speedup,
            max_warning: max_warning / speedup,
        }
    }
}

/// A refused staff command, in words for `guichetctl`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused(pub String);

/// The state machine. See the module documentation.
#[derive(Debug)]
pub(crate) struct Machine {
    state: State,
    limits: Limits,
    /// Pre-start a spare right after each promotion (off for the no-spare benchmark).
    prestart: bool,
    spare_ready: bool,
    shown: bool,
    /// A wipe was asked for and has not reported yet.
    wiping: bool,
    session_start: Option<Instant>,
    last_activity: Instant,
    ending_since: Option<Instant>,
    max_countdown_sent: bool,
    /// Pause once the running session is over.
    pause_after: bool,
    out_of_order: Option<String>,
    /// Out of order only because views did not start (no wipe failed): the first view that
    /// runs again opens a fresh welcome by itself.
    views_failing: bool,
    last_end: Option<EndReason>,
    /// A person's session was retired: the next promoted view says goodbye first.
    goodbye: bool,
}

impl Machine {
    pub fn new(limits: Limits, prestart: bool, now: Instant) -> Machine {
        Machine {
            state: State::Starting,
            limits,
            prestart,
            spare_ready: false,
            shown: false,
            wiping: false,
            session_start: None,
            last_activity: now,
            ending_since: None,
            max_countdown_sent: false,
            pause_after: false,
            out_of_order: None,
            views_failing: false,
            last_end: None,
            goodbye: false,
        }
    }

    /// The first actions: start the first view (it is shown as soon as it is ready).
    pub fn boot(&mut self) -> Vec<Action> {
        vec![Action::StartSpare]
    }

    /// Starts in `OutOfOrder` because the leftover wipe failed.
    pub(crate) fn boot_out_of_order(&mut self, why: String) -> Vec<Action> {
        self.state = State::OutOfOrder;
        self.out_of_order = Some(why);
        vec![Action::StartSpare]
    }

    pub fn state(&self) -> State {
        self.state
    }

    /// Why the terminal is out of order, when it is.
    pub(crate) fn out_of_order_reason(&self) -> Option<&str> {
        self.out_of_order.as_deref()
    }

    /// Time since the person's first input, while a session runs.
    pub(crate) fn session_age(&self, now: Instant) -> Option<Duration> {
        self.session_start.map(|s| now.saturating_duration_since(s))
    }

    /// New limits (a config change): the supervisor calls this on `ApplyConfig`.
    pub(crate) fn set_limits(&mut self, limits: Limits) {
        self.limits = limits;
    }

    /// Whether a pause waits for the end of the running session.
    pub fn pause_pending(&self) -> bool {
        self.pause_after
    }

    /// The reason of the last session end.
    #[cfg(test)]
    pub(crate) fn last_end(&self) -> Option<EndReason> {
        self.last_end
    }

    /// The next instant at which a `Tick` may change something.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        let l = &self.limits;
        match self.state {
            State::Active => {
                let idle = self.last_activity + (l.idle_timeout - l.idle_warning);
                let max = self.max_countdown_at().filter(|_| !self.max_countdown_sent);
                Some(min_some(Some(idle), min_some(max, self.max_end())).unwrap_or(idle))
            }
            State::IdleWarning => {
                let idle_end = self.last_activity + l.idle_timeout;
                let max = self.max_countdown_at().filter(|_| !self.max_countdown_sent);
                Some(min_some(Some(idle_end), min_some(max, self.max_end())).unwrap_or(idle_end))
            }
            State::Ending => self.ending_deadline(),
            _ => None,
        }
    }

    fn max_end(&self) -> Option<Instant> {
        self.session_start.map(|s| s + self.limits.max_duration)
    }

    fn max_countdown_at(&self) -> Option<Instant> {
        self.max_end().map(|e| e - self.limits.max_warning)
    }

    fn ending_deadline(&self) -> Option<Instant> {
        let since = self.ending_since?;
        Some(since.max(self.last_activity) + self.limits.idle_timeout)
    }

    /// Staff commands are checked first so that `guichetctl` gets a clear refusal.
    pub(crate) fn check_staff(&self, event: &Event) -> Result<(), Refused> {
        let refuse = |s: &str| Err(Refused(s.to_owned()));
        match (event, self.state) {
            (_, State::Stopping) => refuse("guichetd is stopping"),
            (Event::StaffPause, State::OutOfOrder) => refuse(
                "the terminal is out of order (a wipe failed); `guichetctl reset` retries the wipe",
            ),
            (Event::StaffPause, State::Paused) => refuse("already paused"),
            (Event::StaffResume, State::Paused) => Ok(()),
            (Event::StaffResume, _) if self.pause_after => Ok(()),
            (Event::StaffResume, State::OutOfOrder) => refuse(
                "the terminal is out of order, not paused; `guichetctl reset` retries the wipe",
            ),
            (Event::StaffResume, _) => refuse("not paused"),
            (Event::StaffReset { .. }, State::Starting) => {
                refuse("no session yet: the first view is starting")
            }
            _ => Ok(()),
        }
    }

    /// One event in, the actions out.
    pub(crate) fn handle(&mut self, event: Event, now: Instant) -> Vec<Action> {
        let mut out = Vec::new();
        match event {
            Event::SpareReady => self.on_spare_ready(&mut out),
            Event::SpareLost => self.spare_ready = false,
            Event::ViewsFailing(why) => {
                if !self.shown
                    && !self.wiping
                    && matches!(self.state, State::Starting | State::Wiping)
                {
                    self.state = State::OutOfOrder;
                    self.session_start = None;
                    self.out_of_order = Some(why);
                    self.views_failing = true;
                }
            }
            Event::Activity => self.on_activity(now, &mut out),
            Event::EndRequested => {
                if matches!(self.state, State::Active | State::IdleWarning) {
                    self.end(EndReason::Button, true, now, &mut out);
                }
            }
            Event::Ended => {
                if self.state == State::Ending {
                    let reason = self.last_end.unwrap_or(EndReason::Button);
                    self.begin_wipe(reason, &mut out);
                }
            }
            Event::ViewLost => self.on_view_lost(&mut out),
            Event::Tick => self.on_tick(now, &mut out),
            Event::StaffReset { now: at_once } => self.on_staff_reset(at_once, now, &mut out),
            Event::StaffPause => self.on_staff_pause(now, &mut out),
            Event::StaffResume => self.on_staff_resume(&mut out),
            Event::WipeDone(result) => self.on_wipe_done(result, &mut out),
            Event::Terminate => {
                self.state = State::Stopping;
                self.session_start = None;
                out.push(Action::Shutdown);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_goodbye;
#[cfg(test)]
mod tests_spare;
