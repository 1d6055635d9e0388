//! Anonymous per-day usage statistics: what the helpers' network may know, and nothing more.
//!
//! guichetd counts, per local calendar day, how many sessions started and ended, how long they
//! lasted (five buckets), why they ended, which service categories and services they used,
//! how often navigations were blocked and on which registrable domains, downloads, prints and
//! printed pages, USB copies, helper calls, and problem reports. A day file is a sum: no
//! per-session record, no time of day, no URL, path or text; the checked types of `keys` are
//! the only keys a day file can hold.
//!
//! The flow, each step in its own module (all re-exported here):
//! - `keys`: what figures are counted by (service ids, registrable domains, closed sets);
//! - `recorder`: the running session's tally in memory, folded into a [`SessionSummary`] at
//!   its end;
//! - `day`: [`DayCounts`], the sum of one day, and its JSON file;
//! - `store`: the [`Store`] that writes day files atomically, at most every few seconds;
//! - `files`: reading day files back from one or several folders (bad files are skipped and
//!   reported) and retention;
//! - `calendar`: local days (a session counts on the day it ends), ISO weeks, months;
//! - `export` and `format`: grouping, small-number protection and the four formats;
//! - `textfile`: the OpenMetrics file for a node-exporter textfile collector (closed days
//!   only, rewritten only when it changes).
//!
//! The supervisor (`crate::daemon::counting`) wires it as: on a session start,
//! [`Recorder::start`] and [`Store::session_started`]; on each view report, the matching
//! `Recorder` method; at the end, [`Recorder::end`], [`Store::session_ended`] and a forced
//! [`Store::flush`]; on its timer ([`Store::next_flush`]), [`Store::flush_if_due`], and once a
//! day [`prune`] and the OpenMetrics file. Flush and prune errors are warnings: statistics
//! never stop a session.

mod calendar;
mod day;
mod export;
mod files;
mod format;
mod keys;
mod recorder;
mod store;
mod textfile;

pub use calendar::{local_day, today, Grouping, GroupingError, Period};
pub use day::{DayCounts, DecodeError};
pub use export::{Cell, PeriodFigures, Report, DEFAULT_MIN_COUNT};
pub use files::{load, prune, Loaded, Pruned, SkipReason, Skipped, DEFAULT_KEEP_DAYS};
pub use format::{Format, FormatError};
pub use keys::{BlockedDomain, DurationBucket, EndReason, KeyError, ProblemKind, ServiceId};
pub use recorder::{Recorder, SessionSummary};
pub use store::{Flushed, Store, StoreError};
pub use textfile::{closed_days_text, write_textfile, TEXTFILE_DAYS};

#[cfg(test)]
mod tests;
