//! The running session's tally, in memory only, folded into a day when the session ends.
//!
//! The supervisor tells a [`Recorder`] what the view reports (a category or a service used, a
//! blocked navigation, a download, a print…). Nothing is written while the session runs: the
//! day file changes only when a session starts (`sessions_started`) and when it ends, so the
//! file's history shows no trail of a visit. At the end, [`Recorder::end`] hands back a
//! [`SessionSummary`]: sets and counts, the duration as a bucket, never a time or a host. The
//! summary is opaque; its only use is [`crate::stats::DayCounts`] adding it to a day.
//!
//! Per-key figures count *sessions*: a session that used a category twice, hit the same blocked
//! domain ten times, or reported the same problem twice counts once there. Totals (blocked
//! navigations, downloads, prints, pages, USB copies, helper calls, problem reports) count
//! every event.

use std::collections::BTreeSet;
use std::time::Instant;

use crate::loggable::LoggableHost;
use crate::policy::Category;

use super::keys::{BlockedDomain, CategoryKey, DurationBucket, EndReason, ProblemKind, ServiceId};

/// What one session did, as statistics keep it. Built only by [`Recorder::end`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionSummary {
    pub(crate) tally: Tally,
    pub(crate) duration: DurationBucket,
    pub(crate) reason: EndReason,
}

/// The counts of one session.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Tally {
    pub(crate) categories: BTreeSet<CategoryKey>,
    pub(crate) services: BTreeSet<ServiceId>,
    pub(crate) blocked_navigations: u64,
    pub(crate) blocked_domains: BTreeSet<BlockedDomain>,
    pub(crate) downloads: u64,
    pub(crate) prints: u64,
    pub(crate) printed_pages: u64,
    pub(crate) usb_copies: u64,
    pub(crate) helper_calls: u64,
    pub(crate) problem_reports: u64,
    pub(crate) problems: BTreeSet<(ServiceId, ProblemKind)>,
}

/// Accumulates the running session. Events outside a session are ignored.
#[derive(Debug, Default)]
pub struct Recorder {
    current: Option<(Instant, Tally)>,
}

impl Recorder {
    pub fn new() -> Self {
        Self::default()
    }

    /// A session started at `now`. A session still open (its end was never reported) is
    /// dropped: it stays counted as started, not as completed.
    pub fn start(&mut self, now: Instant) {
        self.current = Some((now, Tally::default()));
    }

    /// Whether a session is being recorded.
    pub fn is_running(&self) -> bool {
        self.current.is_some()
    }

    fn tally(&mut self) -> Option<&mut Tally> {
        self.current.as_mut().map(|(_, t)| t)
    }

    /// A page of a service of `category` was loaded.
    pub fn category_used(&mut self, category: Category) {
        if let Some(t) = self.tally() {
            t.categories.insert(CategoryKey(category));
        }
    }

    /// The service `id` was used.
    pub fn service_used(&mut self, id: &ServiceId) {
        if let Some(t) = self.tally() {
            t.services.insert(id.clone());
        }
    }

    /// A navigation was blocked; only the registrable domain of `host` is kept.
    pub fn blocked(&mut self, host: Option<&LoggableHost>) {
        if let Some(t) = self.tally() {
            t.blocked_navigations = t.blocked_navigations.saturating_add(1);
            if let Some(h) = host {
                t.blocked_domains.insert(BlockedDomain::of(h));
            }
        }
    }

    /// A download finished.
    pub fn downloaded(&mut self) {
        if let Some(t) = self.tally() {
            t.downloads = t.downloads.saturating_add(1);
        }
    }

    /// A print job of `pages` pages was sent to the printer.
    pub fn printed(&mut self, pages: u32) {
        if let Some(t) = self.tally() {
            t.prints = t.prints.saturating_add(1);
            t.printed_pages = t.printed_pages.saturating_add(u64::from(pages));
        }
    }

    /// `files` files were copied to a USB medium (each file is one copy).
    pub fn usb_copied(&mut self, files: u32) {
        if let Some(t) = self.tally() {
            t.usb_copies = t.usb_copies.saturating_add(u64::from(files));
        }
    }

    /// The person called a helper from the terminal.
    pub fn helper_called(&mut self) {
        if let Some(t) = self.tally() {
            t.helper_calls = t.helper_calls.saturating_add(1);
        }
    }

    /// The person reported a problem of `kind` with the service `id`.
    pub fn problem_reported(&mut self, id: &ServiceId, kind: ProblemKind) {
        if let Some(t) = self.tally() {
            t.problem_reports = t.problem_reports.saturating_add(1);
            t.problems.insert((id.clone(), kind));
        }
    }

    /// The session ended at `now` for `reason`: its summary, or `None` if none was running.
    pub fn end(&mut self, now: Instant, reason: EndReason) -> Option<SessionSummary> {
        let (started, tally) = self.current.take()?;
        Some(SessionSummary {
            tally,
            duration: DurationBucket::of(now.saturating_duration_since(started)),
            reason,
        })
    }
}
