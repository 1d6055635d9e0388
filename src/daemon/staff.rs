//! The supervisor's answers to staff: control requests, `status` and `stats`.

use std::time::Instant;

use chrono::NaiveDate;

use super::machine::{Event, State};
use crate::protocol::control::{ConfigState, Request, Response, Status, MAX_STATS_REPLY};
use crate::stats::{Format, Grouping};

use super::{name, Supervisor};

impl Supervisor {
    pub(super) fn on_control(&mut self, request: Request) -> Response {
        let staff = |e: Event, what: &str| (e, what.to_owned());
        let (event, what) = match request {
            Request::Status => return Response::Status(self.status()),
            Request::Stats {
                from,
                to,
                by,
                format,
            } => return self.stats(from, to, by, format),
            Request::Reload => {
                tracing::info!("staff: reload");
                return match self.reload("guichetctl reload") {
                    Ok(()) => Response::ok("config valid; it applies at the next welcome screen"),
                    Err(e) => {
                        Response::error(format!("config rejected, the running one stays:\n{e}"))
                    }
                };
            }
            Request::Restart => return self.restart(),
            Request::Ack => return self.ack(),
            Request::Reset { now: true } => staff(Event::StaffReset { now: true }, "reset --now"),
            Request::Reset { now: false } => staff(Event::StaffReset { now: false }, "reset"),
            Request::Pause => staff(Event::StaffPause, "pause"),
            Request::Resume => staff(Event::StaffResume, "resume"),
        };
        if let Err(refused) = self.machine.check_staff(&event) {
            tracing::info!("staff: {what} refused: {}", refused.0);
            return Response::error(refused.0);
        }
        tracing::info!("staff: {what}");
        let before = self.machine.state();
        self.event(event);
        let after = self.machine.state();
        Response::ok(format!("{} -> {}", name(before), name(after)))
    }

    /// `guichetctl restart` (the package's upgrade): stop cleanly so that systemd starts the
    /// new binary, at once when nobody's session runs, else when the welcome screen is back
    /// (the loop checks after each event). Never ends a person's session.
    fn restart(&mut self) -> Response {
        self.restart_pending = true;
        if nobody_in_session(self.machine.state()) {
            tracing::info!("staff: restart now");
            Response::ok("guichetd stops now; systemd starts it again")
        } else {
            tracing::info!("staff: restart at the next welcome screen");
            Response::ok("guichetd stops when the running session is over; systemd starts it again")
        }
    }

    /// `guichetctl ack`: the helper has come; the flag goes until the person calls again.
    fn ack(&mut self) -> Response {
        if std::mem::take(&mut self.helper_called) {
            tracing::info!("staff: helper call acknowledged");
            Response::ok("helper call acknowledged")
        } else {
            Response::ok("no helper call was waiting")
        }
    }

    pub(super) fn status(&self) -> Status {
        Status {
            state: self.machine.state(),
            terminal: self.config.terminal.name.clone(),
            session_age_secs: self
                .machine
                .session_age(Instant::now())
                .map(|d| d.as_secs() * u64::from(self.opts.speedup.max(1))),
            sessions_started: self.sessions_started,
            spare_ready: self.spare.as_ref().is_some_and(|v| v.ready),
            pause_pending: self.machine.pause_pending(),
            out_of_order: self.machine.out_of_order_reason().map(str::to_owned),
            last_wipe: self.last_wipe.clone(),
            config: ConfigState {
                pending: self.pending.is_some(),
                rejected: self.rejected.clone(),
            },
            stats_warning: self.counting.warning(),
            helper_called: self.helper_called,
            restart_pending: self.restart_pending,
        }
    }

    /// `guichetctl stats`: the figures of the days asked for, within the reply's bound.
    fn stats(&self, from: NaiveDate, to: NaiveDate, by: Grouping, format: Format) -> Response {
        let (text, skipped) = match self.counting.report(from, to, by, format) {
            Ok(r) => r,
            Err(e) => return Response::error(e),
        };
        for s in &skipped {
            tracing::warn!("statistics: skipped {s}");
        }
        let reply = Response::Stats { text, skipped };
        let len = serde_json::to_vec(&reply).map_or(usize::MAX, |v| v.len() + 1);
        if len > MAX_STATS_REPLY {
            return Response::error(format!(
                "the report is larger than {} MiB: ask for fewer days (--from, --to) or \
                 group them (--by week or month)",
                MAX_STATS_REPLY >> 20
            ));
        }
        reply
    }
}

/// The states where stopping ends no person's session: the untouched welcome, paused, out of
/// order.
pub(super) fn nobody_in_session(state: State) -> bool {
    matches!(state, State::Welcome | State::Paused | State::OutOfOrder)
}
