//! Calendar days, weeks and months for statistics, and the names of day files.
//!
//! A day is a *local* calendar day: it turns at the terminal's local midnight, whatever the
//! UTC offset (+01:00 in winter, +02:00 in summer for Belgium). A session counts on the local
//! day it **ends** (its start counts on the day it starts, as `sessions_started`): a session
//! from 23:50 to 00:20 is one completed session of the new day, so each completed session is in
//! exactly one day file and every figure of that session is in the same file.
//!
//! Everything here is pure and takes the date or the zone as input. The clock is read in one
//! place only, [`today`], for callers; tests pass fixed instants and fixed offsets.
//! chrono reads the zone itself (`TZ`, `/etc/localtime`), so `Local` works in the
//! multi-threaded daemon, where the `time` crate refuses to tell the local offset.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Days, Local, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};

/// The local calendar day of the instant `at` in `zone`.
pub fn local_day<Tz: TimeZone>(at: DateTime<Utc>, zone: &Tz) -> NaiveDate {
    at.with_timezone(zone).date_naive()
}

/// Today's local calendar day, from the system clock and the system's time zone.
pub fn today() -> NaiveDate {
    local_day(Utc::now(), &Local)
}

/// `day` minus `n` days (the earliest representable day if that underflows).
pub(crate) fn days_before(day: NaiveDate, n: u32) -> NaiveDate {
    day.checked_sub_days(Days::new(u64::from(n)))
        .unwrap_or(NaiveDate::MIN)
}

/// How an export groups days.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Grouping {
    Day,
    /// ISO 8601 weeks (Monday to Sunday), labelled `2026-W49` with the ISO week-year.
    Week,
    /// Calendar months, labelled `2026-12`.
    Month,
}

/// The text of a grouping that is not `day`, `week` or `month`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("grouping: expected day, week or month")]
pub struct GroupingError;

impl FromStr for Grouping {
    type Err = GroupingError;
    fn from_str(s: &str) -> Result<Self, GroupingError> {
        match s {
            "day" => Ok(Grouping::Day),
            "week" => Ok(Grouping::Week),
            "month" => Ok(Grouping::Month),
            _ => Err(GroupingError),
        }
    }
}

/// One day, week or month, named as exports show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Period {
    Day(NaiveDate),
    /// ISO week-year and week number.
    Week(i32, u32),
    /// Year and month (1–12).
    Month(i32, u32),
}

impl Period {
    /// The period of `grouping` that holds `day`.
    pub fn of(day: NaiveDate, grouping: Grouping) -> Period {
        match grouping {
            Grouping::Day => Period::Day(day),
            Grouping::Week => {
                let w = day.iso_week();
                Period::Week(w.year(), w.week())
            }
            Grouping::Month => Period::Month(day.year(), day.month()),
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Day(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            Period::Week(y, w) => write!(f, "{y:04}-W{w:02}"),
            Period::Month(y, m) => write!(f, "{y:04}-{m:02}"),
        }
    }
}

/// The name of the day file of `day`: `2026-12-02.json`.
pub(crate) fn file_name(day: NaiveDate) -> String {
    format!("{}.json", day.format("%Y-%m-%d"))
}

/// The day a file name stands for, if it is exactly the name of a day file.
pub(crate) fn day_of_file_name(name: &str) -> Option<NaiveDate> {
    let stem = name.strip_suffix(".json")?;
    let ok = stem.len() == 10
        && stem.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !ok {
        return None;
    }
    NaiveDate::parse_from_str(stem, "%Y-%m-%d").ok()
}
