//! One day's counters and the JSON day file that holds them.
//!
//! A [`DayCounts`] is a sum: how many sessions started and ended that day, in which duration
//! bucket, why they ended, which categories, services and blocked domains they touched, and
//! event totals. It has no field for a time, a URL, a path or text, and its keys are the
//! checked types of [`super::keys`], so a day file cannot hold a per-session record. Sums
//! saturate rather than wrap.
//!
//! The file is `{"format":1,"day":"2026-12-02","counts":{…}}`; unknown fields are refused and
//! missing counters are zero, so a later format can add counters.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::keys::{BlockedDomain, CategoryKey, DurationBucket, EndReason, ProblemKind, ServiceId};
use super::recorder::SessionSummary;

/// Version of the day-file layout.
const FORMAT: u32 = 1;

/// A count per key; keys with a zero count are left out.
pub(crate) type Counts<K> = BTreeMap<K, u64>;

/// The counters of one local calendar day (of one terminal, or summed over several).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DayCounts {
    /// Sessions that started this day (counted when they start).
    pub(crate) sessions_started: u64,
    /// Sessions that ended this day; every figure below belongs to these sessions.
    pub(crate) sessions_completed: u64,
    pub(crate) durations: Counts<DurationBucket>,
    pub(crate) end_reasons: Counts<EndReason>,
    /// Sessions that used each category.
    pub(crate) categories: Counts<CategoryKey>,
    /// Sessions that used each service.
    pub(crate) services: Counts<ServiceId>,
    /// Blocked navigations, every one.
    pub(crate) blocked_navigations: u64,
    /// Sessions that were blocked at least once on each registrable domain.
    pub(crate) blocked_domains: Counts<BlockedDomain>,
    pub(crate) downloads: u64,
    pub(crate) prints: u64,
    pub(crate) printed_pages: u64,
    pub(crate) usb_copies: u64,
    pub(crate) helper_calls: u64,
    /// Problem reports, every one.
    pub(crate) problem_reports: u64,
    /// Sessions that reported each kind of problem with each service.
    pub(crate) problems: BTreeMap<ServiceId, Counts<ProblemKind>>,
}

fn bump<K: Ord + Clone>(map: &mut Counts<K>, key: &K, by: u64) {
    if by > 0 {
        let n = map.entry(key.clone()).or_insert(0);
        *n = n.saturating_add(by);
    }
}

fn add(total: &mut u64, by: u64) {
    *total = total.saturating_add(by);
}

impl DayCounts {
    /// A session started this day.
    pub fn add_start(&mut self) {
        add(&mut self.sessions_started, 1);
    }

    /// A session ended this day: fold its summary in.
    pub fn add_session(&mut self, s: &SessionSummary) {
        let t = &s.tally;
        add(&mut self.sessions_completed, 1);
        bump(&mut self.durations, &s.duration, 1);
        bump(&mut self.end_reasons, &s.reason, 1);
        for c in &t.categories {
            bump(&mut self.categories, c, 1);
        }
        for id in &t.services {
            bump(&mut self.services, id, 1);
        }
        add(&mut self.blocked_navigations, t.blocked_navigations);
        for d in &t.blocked_domains {
            bump(&mut self.blocked_domains, d, 1);
        }
        add(&mut self.downloads, t.downloads);
        add(&mut self.prints, t.prints);
        add(&mut self.printed_pages, t.printed_pages);
        add(&mut self.usb_copies, t.usb_copies);
        add(&mut self.helper_calls, t.helper_calls);
        add(&mut self.problem_reports, t.problem_reports);
        for (id, kind) in &t.problems {
            bump(self.problems.entry(id.clone()).or_default(), kind, 1);
        }
    }

    /// Adds `other` to these counts (the same day of another terminal, or a pending delta).
    pub fn merge(&mut self, other: &DayCounts) {
        fn merge_map<K: Ord + Clone>(into: &mut Counts<K>, from: &Counts<K>) {
            for (k, n) in from {
                bump(into, k, *n);
            }
        }
        add(&mut self.sessions_started, other.sessions_started);
        add(&mut self.sessions_completed, other.sessions_completed);
        merge_map(&mut self.durations, &other.durations);
        merge_map(&mut self.end_reasons, &other.end_reasons);
        merge_map(&mut self.categories, &other.categories);
        merge_map(&mut self.services, &other.services);
        add(&mut self.blocked_navigations, other.blocked_navigations);
        merge_map(&mut self.blocked_domains, &other.blocked_domains);
        add(&mut self.downloads, other.downloads);
        add(&mut self.prints, other.prints);
        add(&mut self.printed_pages, other.printed_pages);
        add(&mut self.usb_copies, other.usb_copies);
        add(&mut self.helper_calls, other.helper_calls);
        add(&mut self.problem_reports, other.problem_reports);
        for (id, kinds) in &other.problems {
            merge_map(self.problems.entry(id.clone()).or_default(), kinds);
        }
    }

    /// Whether nothing was counted.
    pub fn is_empty(&self) -> bool {
        *self == DayCounts::default()
    }

    pub fn sessions_started(&self) -> u64 {
        self.sessions_started
    }

    pub fn sessions_completed(&self) -> u64 {
        self.sessions_completed
    }
}

/// The on-disk form of a day.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DayFile {
    format: u32,
    day: NaiveDate,
    counts: DayCounts,
}

/// Why a day file's text was refused. The file's content is never quoted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("truncated at line {line} column {column}")]
    Truncated { line: usize, column: usize },
    #[error("not JSON at line {line} column {column}")]
    Syntax { line: usize, column: usize },
    #[error("unexpected content at line {line} column {column}")]
    Content { line: usize, column: usize },
    #[error("format {0} is not known")]
    Format(u32),
    #[error("holds the counts of another day ({0})")]
    OtherDay(NaiveDate),
}

impl From<serde_json::Error> for DecodeError {
    fn from(e: serde_json::Error) -> Self {
        let (line, column) = (e.line(), e.column());
        match e.classify() {
            serde_json::error::Category::Eof => DecodeError::Truncated { line, column },
            serde_json::error::Category::Syntax | serde_json::error::Category::Io => {
                DecodeError::Syntax { line, column }
            }
            serde_json::error::Category::Data => DecodeError::Content { line, column },
        }
    }
}

/// The text of the day file of `day`.
pub(crate) fn encode(day: NaiveDate, counts: &DayCounts) -> Result<Vec<u8>, serde_json::Error> {
    let file = DayFile {
        format: FORMAT,
        day,
        counts: counts.clone(),
    };
    let mut text = serde_json::to_vec_pretty(&file)?;
    text.push(b'\n');
    Ok(text)
}

/// The counts in `text`, which must be the day file of `day`.
pub(crate) fn decode(day: NaiveDate, text: &[u8]) -> Result<DayCounts, DecodeError> {
    let file: DayFile = serde_json::from_slice(text)?;
    if file.format != FORMAT {
        return Err(DecodeError::Format(file.format));
    }
    if file.day != day {
        return Err(DecodeError::OtherDay(file.day));
    }
    Ok(file.counts)
}
