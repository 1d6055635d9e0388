//! The machine's transitions: one handler per event, and the steps they share.
//!
//! Each handler reads the machine's state, changes it and pushes the [`Action`]s the supervisor
//! must carry out, in order. Nothing here touches a process, a file or a clock.

use std::time::{Duration, Instant};

use super::{Action, EndReason, Machine, State};
use crate::protocol::view::{CountdownReason, Screen, ToView};

impl Machine {
    pub(super) fn on_spare_ready(&mut self, out: &mut Vec<Action>) {
        self.spare_ready = true;
        if self.shown {
            return;
        }
        match self.state {
            State::Starting => {
                self.promote(out);
                self.enter_welcome(out);
            }
            State::Wiping if !self.wiping => {
                self.promote(out);
                self.enter_welcome(out);
            }
            State::Wiping => self.promote(out),
            // Out of order only because no view started: this one did, every wipe was fine.
            State::OutOfOrder if self.views_failing => {
                self.views_failing = false;
                self.out_of_order = None;
                self.promote(out);
                self.enter_welcome(out);
            }
            State::OutOfOrder => {
                self.promote(out);
                out.push(Action::Send(ToView::Screen {
                    screen: Screen::OutOfOrder,
                }));
            }
            _ => {}
        }
    }

    pub(super) fn promote(&mut self, out: &mut Vec<Action>) {
        self.spare_ready = false;
        self.shown = true;
        out.push(Action::Promote {
            goodbye: std::mem::take(&mut self.goodbye),
        });
        if self.prestart {
            out.push(Action::StartSpare);
        }
    }

    pub(super) fn enter_welcome(&mut self, out: &mut Vec<Action>) {
        self.session_start = None;
        self.ending_since = None;
        self.max_countdown_sent = false;
        out.push(Action::ApplyConfig);
        if self.pause_after {
            self.pause_after = false;
            self.state = State::Paused;
            out.push(Action::Send(ToView::Screen {
                screen: Screen::Paused,
            }));
        } else {
            self.state = State::Welcome;
        }
    }

    pub(super) fn on_activity(&mut self, now: Instant, out: &mut Vec<Action>) {
        match self.state {
            State::Welcome => {
                self.state = State::Active;
                self.session_start = Some(now);
                self.last_activity = now;
            }
            State::Active | State::Ending => self.last_activity = now,
            State::IdleWarning => {
                self.last_activity = now;
                self.state = State::Active;
                out.push(Action::Send(ToView::CancelCountdown));
                if self.max_countdown_sent {
                    self.send_max_countdown(now, out);
                }
            }
            _ => {}
        }
    }

    pub(super) fn on_view_lost(&mut self, out: &mut Vec<Action>) {
        self.shown = false;
        match self.state {
            State::Stopping => {}
            State::OutOfOrder => {
                // Keep a notice on screen; the lost view is wiped on the next retry.
                out.push(Action::Retire);
                if self.spare_ready {
                    self.promote(out);
                    out.push(Action::Send(ToView::Screen {
                        screen: Screen::OutOfOrder,
                    }));
                } else {
                    out.push(Action::StartSpare);
                }
            }
            State::Starting => {
                out.push(Action::Retire);
                out.push(Action::Wipe(EndReason::Crash));
                self.wiping = true;
                out.push(Action::StartSpare);
            }
            _ => self.begin_wipe(EndReason::Crash, out),
        }
    }

    pub(super) fn on_tick(&mut self, now: Instant, out: &mut Vec<Action>) {
        let l = self.limits;
        match self.state {
            State::Active | State::IdleWarning => {
                if self.max_end().is_some_and(|e| now >= e) {
                    self.end(EndReason::MaxDuration, true, now, out);
                    return;
                }
                let idle_end = self.last_activity + l.idle_timeout;
                if now >= idle_end {
                    self.end(EndReason::Idle, false, now, out);
                    return;
                }
                if !self.max_countdown_sent && self.max_countdown_at().is_some_and(|t| now >= t) {
                    self.max_countdown_sent = true;
                    // An idle countdown on screen stays until input; the max one follows then.
                    if self.state == State::Active {
                        self.send_max_countdown(now, out);
                    }
                }
                let idle_warn = self.last_activity + (l.idle_timeout - l.idle_warning);
                if self.state == State::Active && now >= idle_warn {
                    // A shorter max-duration countdown already on screen stays there.
                    let idle_first = self.max_end().is_none_or(|e| idle_end <= e);
                    self.state = State::IdleWarning;
                    if idle_first || !self.max_countdown_sent {
                        out.push(Action::Send(ToView::Countdown {
                            reason: CountdownReason::Idle,
                            seconds: secs_ceil(idle_end - now),
                        }));
                    }
                }
            }
            State::Ending if self.ending_deadline().is_some_and(|d| now >= d) => {
                self.begin_wipe(EndReason::EndingTimeout, out);
            }
            _ => {}
        }
    }

    pub(super) fn send_max_countdown(&self, now: Instant, out: &mut Vec<Action>) {
        if let Some(end) = self.max_end() {
            out.push(Action::Send(ToView::Countdown {
                reason: CountdownReason::MaxDuration,
                seconds: secs_ceil(end.saturating_duration_since(now)),
            }));
        }
    }

    pub(super) fn on_staff_reset(&mut self, at_once: bool, now: Instant, out: &mut Vec<Action>) {
        match self.state {
            State::Welcome | State::Paused => self.begin_wipe(EndReason::Staff, out),
            State::Active | State::IdleWarning if !at_once => {
                self.end(EndReason::Staff, true, now, out)
            }
            State::Active | State::IdleWarning | State::Ending if at_once => {
                self.begin_wipe(EndReason::Staff, out)
            }
            State::OutOfOrder => self.begin_wipe(EndReason::Retry, out),
            // Ending without --now: the end flow already runs. Wiping: already resetting.
            _ => {}
        }
    }

    pub(super) fn on_staff_pause(&mut self, now: Instant, out: &mut Vec<Action>) {
        match self.state {
            State::Welcome => {
                self.state = State::Paused;
                out.push(Action::Send(ToView::Screen {
                    screen: Screen::Paused,
                }));
            }
            State::Active | State::IdleWarning => {
                self.pause_after = true;
                self.end(EndReason::Pause, true, now, out);
            }
            State::Starting | State::Ending | State::Wiping => self.pause_after = true,
            _ => {}
        }
    }

    pub(super) fn on_staff_resume(&mut self, out: &mut Vec<Action>) {
        if self.state == State::Paused {
            // The paused view is replaced by a fresh one rather than un-paused.
            self.begin_wipe(EndReason::Pause, out);
        } else {
            self.pause_after = false;
        }
    }

    pub(super) fn on_wipe_done(&mut self, result: Result<(), String>, out: &mut Vec<Action>) {
        self.wiping = false;
        match result {
            Ok(()) => {
                self.out_of_order = None;
                self.views_failing = false;
                if self.state == State::Stopping {
                    return;
                }
                if self.shown {
                    self.enter_welcome(out);
                } else if self.spare_ready {
                    self.promote(out);
                    self.enter_welcome(out);
                } else {
                    self.state = State::Wiping;
                    out.push(Action::StartSpare);
                }
            }
            Err(why) => {
                self.out_of_order = Some(why);
                self.views_failing = false;
                if self.state == State::Stopping {
                    return;
                }
                self.state = State::OutOfOrder;
                self.session_start = None;
                if self.shown {
                    out.push(Action::Send(ToView::Screen {
                        screen: Screen::OutOfOrder,
                    }));
                } else if self.spare_ready {
                    self.promote(out);
                    out.push(Action::Send(ToView::Screen {
                        screen: Screen::OutOfOrder,
                    }));
                } else {
                    out.push(Action::StartSpare);
                }
            }
        }
    }

    /// Ending: the view runs its end flow and reports `ended`.
    pub(super) fn end(
        &mut self,
        reason: EndReason,
        takeaway: bool,
        now: Instant,
        out: &mut Vec<Action>,
    ) {
        self.state = State::Ending;
        self.last_end = Some(reason);
        self.ending_since = Some(now);
        self.last_activity = self.last_activity.min(now);
        out.push(Action::EndSession { takeaway });
    }

    /// Wiping: retire the shown view, show the spare at once (saying goodbye when a person's
    /// session ends: the wipe does not wait for it), wipe behind it.
    pub(super) fn begin_wipe(&mut self, reason: EndReason, out: &mut Vec<Action>) {
        // Only a person's session gets a goodbye (not an untouched welcome, a pause, a retry).
        self.goodbye |= matches!(
            self.state,
            State::Active | State::IdleWarning | State::Ending
        );
        self.state = State::Wiping;
        self.last_end = Some(reason);
        self.session_start = None;
        self.ending_since = None;
        self.wiping = true;
        out.push(Action::Retire);
        self.shown = false;
        if self.spare_ready {
            self.promote(out);
        } else if !self.prestart {
            out.push(Action::StartSpare);
        }
        out.push(Action::Wipe(reason));
    }
}

pub(super) fn min_some(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, None) => a,
        (None, b) => b,
    }
}

/// Whole seconds for a countdown, rounded up so that "0" is never shown early.
pub(super) fn secs_ceil(d: Duration) -> u32 {
    let s = d.as_secs() + u64::from(d.subsec_nanos() > 0);
    u32::try_from(s).unwrap_or(u32::MAX)
}
