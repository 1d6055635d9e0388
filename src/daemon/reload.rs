//! Config reloads: a changed or signalled config is checked, staged, and applied at the next
//! welcome screen — never mid-session (the session timers, the policy, the statistics' folder
//! and settings all change between two sessions). A broken file is rejected and the running config stays.

use crate::config::Config;
use crate::daemon::machine::{EndReason, Event};

use super::{limits, watch, Supervisor};

impl Supervisor {
    /// (Re)starts watching the config file and the pack folders of the checked config.
    pub(super) fn watch_config(&mut self) {
        let dirs = &self
            .pending
            .as_ref()
            .unwrap_or(&self.config)
            .policy
            .pack_dirs;
        self.watcher = None;
        self.watcher = watch::watch(&self.opts.config_path, dirs, self.events.clone());
    }

    /// Checks the config file; a valid one is staged for the next welcome.
    pub(super) fn reload(&mut self, trigger: &str) -> Result<(), String> {
        match Config::load(&self.opts.config_path) {
            Ok(config) => {
                tracing::info!(trigger, "config: valid, applies at the next welcome screen");
                if config.control.socket != self.config.control.socket {
                    tracing::warn!("config: a new control socket path needs a restart of guichetd");
                }
                let watched = &self
                    .pending
                    .as_ref()
                    .unwrap_or(&self.config)
                    .policy
                    .pack_dirs;
                let new_dirs = config.policy.pack_dirs != *watched;
                self.pending = Some(config);
                self.rejected = None;
                if new_dirs {
                    self.watch_config();
                }
                // The hidden spare was given the old config: replace it so the next session
                // gets the new one. The running session keeps its config.
                if let Some(spare) = self.spare.take() {
                    if let Err(e) = self.wipe_one(spare.unit, &spare.dir, EndReason::Staff) {
                        tracing::error!("wipe of the replaced spare failed: {e}");
                    }
                    self.event(Event::SpareLost);
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
            self.counting
                .reconfigure(&config.stats, std::time::Instant::now());
            if config.usb != self.config.usb {
                self.usb = super::usb::Usb::start(
                    config.usb.enabled,
                    &config.usb.mount_roots,
                    &self.events,
                );
            }
            self.config = config;
            tracing::info!(terminal = %self.config.terminal.name, "config: applied");
        }
    }
}
