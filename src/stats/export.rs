//! From day counts to the figures an export shows: grouping by period and small-number
//! protection.
//!
//! Totals (sessions, durations, end reasons, blocked navigations, downloads, prints, pages,
//! USB copies, helper calls, problem reports) are exact. The per-key figures (sessions by
//! category, by service, by blocked domain, by service and problem kind) could point at one
//! person on a quiet day, so each of them is protected:
//!
//! 1. each **day**'s count below `min_count` is left out (it is shown as `< 3` in a daily
//!    export);
//! 2. a period's figure is the sum of the day counts that were kept; if that sum is below
//!    `min_count` it is suppressed too.
//!
//! Suppressing before summing means a weekly or monthly export never shows more than the
//! daily ones, so subtracting one export from another cannot reveal a hidden day. The price:
//! a period figure that left small days out is a lower bound, marked as such
//! ([`Cell::AtLeast`]). Days from several terminals are summed first (one figure per day for
//! the whole network), then protected.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::calendar::{Grouping, Period};
use super::day::{Counts, DayCounts};
use super::files::{Loaded, Skipped};
use super::keys::{DurationBucket, EndReason};

/// Per-key counts below this are suppressed, by default.
pub const DEFAULT_MIN_COUNT: u64 = 3;

/// One figure of an export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cell {
    Exact(u64),
    /// Some days' small counts were left out: the true figure is at least this.
    AtLeast(u64),
    /// Below `min_count`: not shown.
    Suppressed,
}

/// What is counted; each has a machine name (CSV, JSON, OpenMetrics) and a help text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Figure {
    SessionsStarted,
    SessionsCompleted,
    Duration,
    EndReason,
    Category,
    Service,
    BlockedNavigations,
    BlockedDomain,
    Downloads,
    Prints,
    PrintedPages,
    UsbCopies,
    HelperCalls,
    ProblemReports,
    Problem,
}

impl Figure {
    pub(crate) const ALL: [Figure; 15] = [
        Figure::SessionsStarted,
        Figure::SessionsCompleted,
        Figure::Duration,
        Figure::EndReason,
        Figure::Category,
        Figure::Service,
        Figure::BlockedNavigations,
        Figure::BlockedDomain,
        Figure::Downloads,
        Figure::Prints,
        Figure::PrintedPages,
        Figure::UsbCopies,
        Figure::HelperCalls,
        Figure::ProblemReports,
        Figure::Problem,
    ];

    /// Name in CSV, JSON and (after `guichet_`) OpenMetrics.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Figure::SessionsStarted => "sessions_started",
            Figure::SessionsCompleted => "sessions_completed",
            Figure::Duration => "sessions_by_duration",
            Figure::EndReason => "sessions_by_end_reason",
            Figure::Category => "sessions_by_category",
            Figure::Service => "sessions_by_service",
            Figure::BlockedNavigations => "blocked_navigations",
            Figure::BlockedDomain => "sessions_blocked_by_domain",
            Figure::Downloads => "downloads",
            Figure::Prints => "prints",
            Figure::PrintedPages => "printed_pages",
            Figure::UsbCopies => "usb_copies",
            Figure::HelperCalls => "helper_calls",
            Figure::ProblemReports => "problem_reports",
            Figure::Problem => "sessions_reporting_problem",
        }
    }

    /// One line for people (table, OpenMetrics `# HELP`).
    pub(crate) fn help(self) -> &'static str {
        match self {
            Figure::SessionsStarted => "Sessions started",
            Figure::SessionsCompleted => "Sessions completed",
            Figure::Duration => "Completed sessions by duration",
            Figure::EndReason => "Completed sessions by end reason",
            Figure::Category => "Sessions that used a category",
            Figure::Service => "Sessions that used a service",
            Figure::BlockedNavigations => "Blocked navigations",
            Figure::BlockedDomain => "Sessions blocked on a registrable domain",
            Figure::Downloads => "Finished downloads",
            Figure::Prints => "Print jobs",
            Figure::PrintedPages => "Printed pages",
            Figure::UsbCopies => "Copies to USB media",
            Figure::HelperCalls => "Calls to a helper",
            Figure::ProblemReports => "Problem reports",
            Figure::Problem => "Sessions that reported a problem with a service",
        }
    }

    /// Label names of the keys, in order.
    pub(crate) fn labels(self) -> &'static [&'static str] {
        match self {
            Figure::Duration => &["duration"],
            Figure::EndReason => &["reason"],
            Figure::Category => &["category"],
            Figure::Service => &["service"],
            Figure::BlockedDomain => &["domain"],
            Figure::Problem => &["service", "kind"],
            _ => &[],
        }
    }
}

/// One line of figures: what, for which keys (as many as [`Figure::labels`]), how much.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Row {
    pub(crate) figure: Figure,
    pub(crate) keys: Vec<String>,
    pub(crate) cell: Cell,
}

/// The figures of one day, week or month.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeriodFigures {
    pub period: Period,
    /// First and last day of the period that have figures.
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    /// How many days of the period have figures.
    pub days: usize,
    pub(crate) rows: Vec<Row>,
}

impl PeriodFigures {
    /// The figure named `name` (as in CSV) for `keys`, if the period has it.
    pub fn get(&self, name: &str, keys: &[&str]) -> Option<Cell> {
        self.rows
            .iter()
            .find(|r| {
                r.figure.name() == name
                    && r.keys.iter().map(String::as_str).eq(keys.iter().copied())
            })
            .map(|r| r.cell)
    }
}

/// An export: figures per period, and the files that could not be counted.
#[derive(Debug)]
pub struct Report {
    pub grouping: Grouping,
    pub min_count: u64,
    pub periods: Vec<PeriodFigures>,
    pub skipped: Vec<Skipped>,
}

impl Report {
    /// Groups the days of `loaded` by `grouping` and protects small per-key counts.
    pub fn new(loaded: Loaded, grouping: Grouping, min_count: u64) -> Report {
        let mut groups: BTreeMap<Period, Vec<(NaiveDate, &DayCounts)>> = BTreeMap::new();
        for (day, counts) in &loaded.days {
            groups
                .entry(Period::of(*day, grouping))
                .or_default()
                .push((*day, counts));
        }
        let periods = groups
            .into_iter()
            .filter_map(|(period, days)| period_figures(period, &days, min_count))
            .collect();
        Report {
            grouping,
            min_count,
            periods,
            skipped: loaded.skipped,
        }
    }
}

fn period_figures(
    period: Period,
    days: &[(NaiveDate, &DayCounts)],
    min_count: u64,
) -> Option<PeriodFigures> {
    let first_day = days.first()?.0;
    let last_day = days.last()?.0;
    let mut sum = DayCounts::default();
    for (_, d) in days {
        sum.merge(d);
    }
    let mut rows = Vec::new();
    for figure in Figure::ALL {
        if let Some(n) = total(&sum, figure) {
            rows.push(Row {
                figure,
                keys: vec![],
                cell: Cell::Exact(n),
            });
        } else if let Some(fixed) = fixed_keys(&sum, figure) {
            rows.extend(fixed.into_iter().map(|(keys, n)| Row {
                figure,
                keys,
                cell: Cell::Exact(n),
            }));
        } else {
            let per_day: Vec<Keyed> = days.iter().map(|(_, d)| keyed(d, figure)).collect();
            protect(&mut rows, figure, &per_day, min_count);
        }
    }
    Some(PeriodFigures {
        period,
        first_day,
        last_day,
        days: days.len(),
        rows,
    })
}

/// Counts of a keyed figure, with the keys as text.
type Keyed = Vec<(Vec<String>, u64)>;

/// The exact total of a figure without keys.
fn total(d: &DayCounts, figure: Figure) -> Option<u64> {
    Some(match figure {
        Figure::SessionsStarted => d.sessions_started,
        Figure::SessionsCompleted => d.sessions_completed,
        Figure::BlockedNavigations => d.blocked_navigations,
        Figure::Downloads => d.downloads,
        Figure::Prints => d.prints,
        Figure::PrintedPages => d.printed_pages,
        Figure::UsbCopies => d.usb_copies,
        Figure::HelperCalls => d.helper_calls,
        Figure::ProblemReports => d.problem_reports,
        _ => return None,
    })
}

/// The exact counts of a figure keyed by a closed set, every key listed (zeros too).
fn fixed_keys(d: &DayCounts, figure: Figure) -> Option<Keyed> {
    fn all<K: Ord>(map: &Counts<K>, keys: &[K], name: impl Fn(&K) -> &'static str) -> Keyed {
        keys.iter()
            .map(|k| (vec![name(k).to_owned()], map.get(k).copied().unwrap_or(0)))
            .collect()
    }
    match figure {
        Figure::Duration => Some(all(&d.durations, &DurationBucket::ALL, |b| b.as_str())),
        Figure::EndReason => Some(all(&d.end_reasons, &EndReason::ALL, |r| r.as_str())),
        _ => None,
    }
}

/// One day's counts of a figure keyed by names that can point at a person.
fn keyed(d: &DayCounts, figure: Figure) -> Keyed {
    fn text<K: ToString>(map: &Counts<K>) -> Keyed {
        map.iter().map(|(k, n)| (vec![k.to_string()], *n)).collect()
    }
    match figure {
        Figure::Category => d
            .categories
            .iter()
            .map(|(c, n)| (vec![c.0.as_str().to_owned()], *n))
            .collect(),
        Figure::Service => text(&d.services),
        Figure::BlockedDomain => text(&d.blocked_domains),
        Figure::Problem => d
            .problems
            .iter()
            .flat_map(|(s, kinds)| {
                kinds
                    .iter()
                    .map(move |(k, n)| (vec![s.to_string(), k.as_str().to_owned()], *n))
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Adds the protected rows of `figure`: per key, the sum of the day counts of at least
/// `min_count`, suppressed if that sum is below `min_count`.
fn protect(rows: &mut Vec<Row>, figure: Figure, days: &[Keyed], min_count: u64) {
    let mut sums: BTreeMap<&Vec<String>, (u64, bool)> = BTreeMap::new();
    for day in days {
        for (keys, n) in day {
            let (kept, left_out) = sums.entry(keys).or_insert((0, false));
            if *n >= min_count {
                *kept = kept.saturating_add(*n);
            } else if *n > 0 {
                *left_out = true;
            }
        }
    }
    for (keys, (kept, left_out)) in sums {
        let cell = match (kept, left_out) {
            (k, _) if k < min_count => Cell::Suppressed,
            (k, true) => Cell::AtLeast(k),
            (k, false) => Cell::Exact(k),
        };
        rows.push(Row {
            figure,
            keys: keys.clone(),
            cell,
        });
    }
}
