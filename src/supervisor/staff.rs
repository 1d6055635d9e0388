//! The supervisor's answers to staff: control requests, `status`, config reloads.

use std::time::Instant;

use crate::config::Config;
use crate::control::{ConfigState, Request, Response, Status};
use crate::session::{EndReason, Event};

use super::{limits, name, Supervisor};

impl Supervisor {
    pub(super) fn on_control(&mut self, request: Request) -> Response {
        let staff = |e: Event, what: &str| (e, what.to_owned());
        let (event, what) = match request {
            Request::Status => return Response::Status(self.status()),
            Request::Reload => {
                tracing::info!("staff: reload");
                return match self.reload("guichetctl reload") {
                    Ok(()) => Response::ok("config valid; it applies at the next welcome screen"),
                    Err(e) => {
                        Response::error(format!("config rejected, the running one stays:\n{e}"))
                    }
                };
            }
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
        }
    }

    /// Checks the config file; a valid one is staged for the next welcome.
    pub(super) fn reload(&mut self, trigger: &str) -> Result<(), String> {
        match Config::load(&self.opts.config_path) {
            Ok(config) => {
                tracing::info!(trigger, "config: valid, applies at the next welcome screen");
                if config.control.socket != self.config.control.socket {
                    tracing::warn!("config: a new control socket path needs a restart of guichetd");
                }
                self.pending = Some(config);
                self.rejected = None;
                // The hidden spare read the old file: replace it so the next session uses
                // the new one. The running session keeps its config.
                if let Some(spare) = self.spare.take() {
                    if let Err(e) = self.wipe_one(&spare, EndReason::Staff) {
                        tracing::error!("wipe of the replaced spare failed: {e}");
                    }
                }
                self.ensure_spare();
                Ok(())
            }
            Err(e) => {
                let text = e.to_string();
                tracing::warn!(
                    trigger,
                    "config: rejected, the running config stays: {text}"
                );
                self.rejected = Some(text.clone());
                Err(text)
            }
        }
    }

    pub(super) fn apply_config(&mut self) {
        if let Some(config) = self.pending.take() {
            self.machine.set_limits(limits(&config, self.opts.speedup));
            self.config = config;
            tracing::info!(terminal = %self.config.terminal.name, "config: applied");
        }
    }

    pub(super) fn logout_urls(&self) -> Vec<String> {
        if !self.config.session.logout_before_wipe {
            return Vec::new();
        }
        self.used_services
            .iter()
            .filter_map(|id| self.config.policy.policy.service(id))
            .filter_map(|s| s.logout_url.as_ref().map(|u| u.to_string()))
            .collect()
    }
}
