//! What guichetd counts: the statistics of [`crate::stats`], fed by the running session.
//!
//! A session, for statistics, is the machine's: it starts with the person's first input on the
//! welcome screen (`Welcome → Active`) and ends when its view is wiped (`Action::Wipe`, or
//! guichetd stopping). A view shown and replaced without being touched (a staff reset or a
//! pause of an empty welcome, a restart) is no one's session, and counts nothing; what the
//! view reports before the first input (the `start_url` page) is not counted either.
//!
//! [`Counting`] keeps the running session's [`Recorder`] and the terminal's [`Store`]. At the
//! end the summary goes to the store, and the day file is written as soon as the next view
//! reports its first frame (at most [`FLUSH_AFTER_END`] later): the write (two `fsync`s) stays
//! off the reset's path, and a crash can lose at most the session that just ended, never a
//! day file. Otherwise the store is flushed at most every [`Store::DEFAULT_MIN_INTERVAL`] on
//! the loop's timer, and once a day, after local midnight, old days are pruned. The
//! OpenMetrics file (closed days only, see `stats::textfile`) is brought up to date at start,
//! after each flush and after midnight; its text, and so the file, changes only when a closed
//! day does.
//!
//! Statistics never stop a session: a folder that is refused or cannot be written, a failed
//! flush, prune or OpenMetrics file is a warning in the log (once) and in `guichetctl status`
//! (`stats_warning`) until the same work succeeds. With `[stats] enabled = false` nothing is
//! counted and nothing is written.

use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{Local, NaiveDate};
use nix::unistd::Uid;

use super::machine::EndReason;
use crate::config;
use crate::stats::{self, Format, Grouping, Loaded, Recorder, Report, Store};

/// Mode of a statistics folder guichetd creates: the admin group may read the figures.
const DIR_MODE: u32 = 0o750;
/// The write of an ended session waits for the next view's first frame (the reset's critical
/// path), at most this long.
const FLUSH_AFTER_END: Duration = Duration::from_secs(2);
/// Longest sleep of the daily timer: it checks the calendar day at least this often, so a
/// clock set forward or back still prunes on the right day.
const DAILY_CHECK: Duration = Duration::from_secs(3600);

/// The statistics of the running terminal.
#[derive(Debug)]
pub(super) struct Counting {
    settings: config::Stats,
    /// Where session directories live: a statistics folder inside it is refused.
    runtime: PathBuf,
    recorder: Recorder,
    /// `None` when statistics are off, or their folder is refused (`warning` says why).
    store: Option<Store>,
    /// Why the day files are not written (folder refused, last flush failed); cleared by a
    /// flush that writes.
    warning: Option<String>,
    /// Why the daily work failed (prune, OpenMetrics file); cleared when it succeeds.
    daily_warning: Option<String>,
    /// A session ended: flush once the next view is on screen, or at this instant.
    flush_at: Option<Instant>,
    /// The day of the last daily work (prune, OpenMetrics file), and when to look again.
    daily_done: Option<NaiveDate>,
    daily_at: Instant,
}

impl Counting {
    /// Counting as `settings` say; prunes and writes the OpenMetrics file at once.
    pub(super) fn new(settings: &config::Stats, runtime: &Path, now: Instant) -> Counting {
        let mut c = Counting {
            settings: settings.clone(),
            runtime: runtime.to_owned(),
            recorder: Recorder::new(),
            store: None,
            warning: None,
            daily_warning: None,
            flush_at: None,
            daily_done: None,
            daily_at: now,
        };
        c.open_store();
        c.daily(now);
        c
    }

    /// A config change (applied at a welcome, between sessions): what was counted goes to the
    /// old folder first.
    pub(super) fn reconfigure(&mut self, settings: &config::Stats, now: Instant) {
        if *settings == self.settings {
            return;
        }
        self.flush(now);
        self.settings = settings.clone();
        self.warning = None;
        self.daily_warning = None;
        self.open_store();
        self.daily_done = None;
        self.daily(now);
    }

    fn open_store(&mut self) {
        self.store = None;
        if !self.settings.enabled {
            tracing::info!("statistics: off ([stats] enabled = false)");
            return;
        }
        match check_dir(&self.settings.dir, &self.runtime) {
            Ok(()) => {
                self.store = Some(Store::new(&self.settings.dir, Store::DEFAULT_MIN_INTERVAL));
            }
            Err(why) => warn(&mut self.warning, why),
        }
    }

    /// Why statistics are not (all) being written, if they are not.
    pub(super) fn warning(&self) -> Option<String> {
        match (&self.warning, &self.daily_warning) {
            (Some(w), Some(d)) => Some(format!("{w}; {d}")),
            (w, d) => w.clone().or_else(|| d.clone()),
        }
    }

    /// The person's first input: a session starts.
    pub(super) fn session_started(&mut self, now: Instant) {
        if let Some(store) = self.store.as_mut() {
            self.recorder.start(now);
            store.session_started(stats::today());
        }
    }

    /// The running session's tally (events outside a session are ignored by it).
    pub(super) fn recorder(&mut self) -> &mut Recorder {
        &mut self.recorder
    }

    /// The session's view is being wiped for `reason`: its summary is counted on today.
    pub(super) fn session_ended(&mut self, reason: EndReason, now: Instant) {
        let Some(reason) = stats::EndReason::from_session(reason) else {
            return;
        };
        let (Some(store), Some(summary)) = (self.store.as_mut(), self.recorder.end(now, reason))
        else {
            return;
        };
        store.session_ended(stats::today(), summary);
        self.flush_at = Some(now + FLUSH_AFTER_END);
    }

    /// The next view reported its first frame: the ended session's write is due now (at the
    /// end of this turn of the loop), off the reset's path.
    pub(super) fn view_on_screen(&mut self, now: Instant) {
        if self.flush_at.is_some() {
            self.flush_at = Some(now);
        }
    }

    /// When [`Counting::on_time`] has something to do.
    pub(super) fn deadline(&self) -> Instant {
        let flush = match &self.store {
            // While a reset runs, nothing is written before the ended session's write.
            Some(_) if self.flush_at.is_some() => self.flush_at,
            Some(store) => store.next_flush(),
            None => None,
        };
        flush.map_or(self.daily_at, |f| f.min(self.daily_at))
    }

    /// The loop's timer: a due flush, the daily work.
    pub(super) fn on_time(&mut self, now: Instant) {
        if let Some(at) = self.flush_at {
            if now >= at {
                self.flush(now);
            }
        } else if let Some(store) = self.store.as_mut() {
            match store.flush_if_due(now) {
                Ok(Some(flushed)) => self.flushed(flushed),
                Ok(None) => {}
                Err(e) => warn(&mut self.warning, e.to_string()),
            }
        }
        if now >= self.daily_at {
            self.daily(now);
        }
    }

    /// Writes what is pending now (session end, config change, stop).
    pub(super) fn flush(&mut self, now: Instant) {
        self.flush_at = None;
        if let Some(store) = self.store.as_mut() {
            match store.flush(now) {
                Ok(flushed) => self.flushed(flushed),
                Err(e) => warn(&mut self.warning, e.to_string()),
            }
        }
    }

    fn flushed(&mut self, flushed: stats::Flushed) {
        for s in &flushed.set_aside {
            tracing::warn!("statistics: unreadable day file set aside, its day starts again: {s}");
        }
        if flushed.days > 0 {
            if self.warning.take().is_some() {
                tracing::info!("statistics: written again");
            }
            // A late count of a closed day reaches the OpenMetrics file; today's leave it be.
            self.refresh_textfile(stats::today());
        }
    }

    /// Once a day (and at start): prune old days, refresh the OpenMetrics file.
    fn daily(&mut self, now: Instant) {
        let today = stats::today();
        self.daily_at = now + until_next_local_midnight().min(DAILY_CHECK);
        if self.daily_done == Some(today) || self.store.is_none() {
            return;
        }
        // Yesterday's last counts go to their file before the file of closed days is made.
        self.flush(now);
        self.daily_warning = None;
        match stats::prune(&self.settings.dir, today, self.settings.keep_days) {
            Ok(p) if p.old_days + p.leftovers > 0 => tracing::info!(
                old_days = p.old_days,
                leftovers = p.leftovers,
                "statistics: old days pruned"
            ),
            Ok(_) => {}
            Err(e) => warn(&mut self.daily_warning, e.to_string()),
        }
        self.refresh_textfile(today);
        self.daily_done = Some(today);
    }

    /// Brings the OpenMetrics file (closed days only) up to date; it is rewritten only when
    /// its text changes, so in practice once a day, after midnight.
    fn refresh_textfile(&mut self, today: NaiveDate) {
        let Some(file) = &self.settings.openmetrics_file else {
            return;
        };
        let written = stats::closed_days_text(&self.settings.dir, today, self.settings.min_count)
            .map_err(|e| e.to_string())
            .and_then(|text| {
                stats::write_textfile(file, &text)
                    .map_err(|e| format!("cannot write {}: {e}", file.display()))
            });
        match written {
            Ok(true) => {
                tracing::info!(file = %file.display(), "statistics: OpenMetrics file updated")
            }
            Ok(false) => {}
            Err(e) => warn(&mut self.daily_warning, e),
        }
    }

    /// The report `guichetctl stats` asked for: the day files of `from..=to`, plus what is
    /// counted and not yet written, with `[stats] min_count`. `Err` is the text for staff.
    pub(super) fn report(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        by: Grouping,
        format: Format,
    ) -> Result<(String, Vec<String>), String> {
        let Some(store) = &self.store else {
            return Err(match &self.warning {
                Some(w) if self.settings.enabled => {
                    format!("statistics are not available: {w}")
                }
                _ => "statistics are off on this terminal ([stats] enabled = false)".to_owned(),
            });
        };
        if from > to {
            return Err(format!("--from {from} is after --to {to}"));
        }
        let mut loaded = match stats::load(&[store.dir()], from, to) {
            Ok(l) => l,
            Err(stats::StoreError::List { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound =>
            {
                Loaded::default()
            }
            Err(e) => return Err(e.to_string()),
        };
        for (day, counts) in store.pending().filter(|(d, _)| (from..=to).contains(d)) {
            loaded.days.entry(day).or_default().merge(counts);
        }
        let report = Report::new(loaded, by, self.settings.min_count);
        let skipped = report.skipped.iter().map(ToString::to_string).collect();
        Ok((report.render(format), skipped))
    }
}

/// Sets `slot` to `why`, logging it when it is new (a folder that stays unwritable would
/// otherwise fill the journal with one line per attempt).
fn warn(slot: &mut Option<String>, why: String) {
    if slot.as_deref() != Some(why.as_str()) {
        tracing::warn!("statistics: {why} (the terminal stays in service)");
    }
    *slot = Some(why);
}

/// Creates the statistics folder (mode 0750, guichetd's user and group) if it is missing, and
/// refuses one that is not a real folder of guichetd's user, that others may write into, or
/// that lies in the runtime dir, where session directories are wiped.
fn check_dir(dir: &Path, runtime: &Path) -> Result<(), String> {
    let shown = dir.display();
    let runtime = std::path::absolute(runtime).unwrap_or_else(|_| runtime.to_owned());
    if crate::sessiondir::is_within(dir, &runtime) {
        return Err(format!(
            "the folder {shown} is inside the runtime dir {}, where sessions are wiped: \
             nothing is written there",
            runtime.display()
        ));
    }
    let meta = match std::fs::symlink_metadata(dir) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(DIR_MODE)
                .create(dir)
                .and_then(|()| {
                    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(DIR_MODE))
                })
                .map_err(|e| format!("cannot create the folder {shown}: {e}"))?;
            return Ok(());
        }
        Err(e) => return Err(format!("cannot use the folder {shown}: {e}")),
    };
    if !meta.is_dir() {
        return Err(format!(
            "{shown} is not a folder (a symbolic link or a file)"
        ));
    }
    if meta.uid() != Uid::effective().as_raw() {
        return Err(format!(
            "the folder {shown} belongs to another user (uid {}): chown it to guichetd's user",
            meta.uid()
        ));
    }
    if meta.mode() & 0o022 != 0 {
        return Err(format!(
            "others may write into the folder {shown}: chmod 0750 it"
        ));
    }
    Ok(())
}

/// Time until the next local midnight, plus a second so the day has turned.
fn until_next_local_midnight() -> Duration {
    let now = Local::now();
    let next = now
        .date_naive()
        .succ_opt()
        .and_then(|d| d.and_hms_opt(0, 0, 1))
        .and_then(|t| t.and_local_timezone(Local).earliest());
    next.and_then(|t| (t - now).to_std().ok())
        .unwrap_or(DAILY_CHECK)
}
