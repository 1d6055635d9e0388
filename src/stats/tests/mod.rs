//! Unit tests of the statistics, one file per module, with shared builders here.

use std::time::{Duration, Instant};

use chrono::NaiveDate;

use super::*;
use crate::loggable::LoggableHost;

mod calendar;
mod day;
mod export;
mod format;
mod keys;
mod store;
mod textfile;

const MIN: Duration = Duration::from_secs(60);

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
}

fn sid(s: &str) -> ServiceId {
    ServiceId::new(s).expect("test service id")
}

fn host(s: &str) -> LoggableHost {
    LoggableHost::try_from(s.to_owned()).expect("test host")
}

/// A session of `length` ended for `reason`, doing what `during` does.
fn session(
    length: Duration,
    reason: EndReason,
    during: impl FnOnce(&mut Recorder),
) -> SessionSummary {
    let mut r = Recorder::new();
    let t0 = Instant::now();
    r.start(t0);
    during(&mut r);
    r.end(t0 + length, reason).expect("a session was running")
}

/// A day where each service of `services` was used by that many sessions.
fn day_with_services(services: &[(&str, u64)]) -> DayCounts {
    let mut d = DayCounts::default();
    for (id, n) in services {
        d.services.insert(sid(id), *n);
    }
    d
}
