//! Local days, weeks, months and day-file names.

use chrono::{FixedOffset, TimeZone, Utc};

use super::*;
use crate::stats::calendar::{day_of_file_name, file_name};

fn utc(s: &str) -> chrono::DateTime<Utc> {
    chrono::DateTime::parse_from_rfc3339(s)
        .unwrap()
        .with_timezone(&Utc)
}

#[test]
fn the_day_turns_at_local_midnight() {
    let winter = FixedOffset::east_opt(3600).unwrap();
    let summer = FixedOffset::east_opt(2 * 3600).unwrap();
    let table = [
        ("2026-12-02T22:59:59Z", winter, "2026-12-02"),
        ("2026-12-02T23:00:00Z", winter, "2026-12-03"),
        ("2026-07-01T21:59:59Z", summer, "2026-07-01"),
        ("2026-07-01T22:00:00Z", summer, "2026-07-02"),
        // The same instant is a different day in UTC and in Brussels.
        (
            "2026-07-01T22:30:00Z",
            FixedOffset::east_opt(0).unwrap(),
            "2026-07-01",
        ),
        ("2026-12-31T23:00:00Z", winter, "2027-01-01"),
    ];
    for (at, zone, want) in table {
        assert_eq!(local_day(utc(at), &zone), date(want), "{at} {zone}");
    }
}

#[test]
fn a_session_across_midnight_belongs_to_the_day_it_ends() {
    let zone = FixedOffset::east_opt(3600).unwrap();
    let start = zone
        .with_ymd_and_hms(2026, 12, 2, 23, 50, 0)
        .unwrap()
        .with_timezone(&Utc);
    let end = zone
        .with_ymd_and_hms(2026, 12, 3, 0, 20, 0)
        .unwrap()
        .with_timezone(&Utc);
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::new(dir.path(), Store::DEFAULT_MIN_INTERVAL);
    store.session_started(local_day(start, &zone));
    let s = session(30 * MIN, EndReason::Button, |_| {});
    store.session_ended(local_day(end, &zone), s);
    store.flush(Instant::now()).unwrap();
    let loaded = load(&[dir.path()], date("2026-12-01"), date("2026-12-31")).unwrap();
    let d2 = &loaded.days[&date("2026-12-02")];
    let d3 = &loaded.days[&date("2026-12-03")];
    assert_eq!((d2.sessions_started(), d2.sessions_completed()), (1, 0));
    assert_eq!((d3.sessions_started(), d3.sessions_completed()), (0, 1));
    assert_eq!(d3.durations[&DurationBucket::From30To60], 1);
}

#[test]
fn periods_are_named_by_iso_week_and_month() {
    let table = [
        ("2026-12-02", Grouping::Day, "2026-12-02"),
        ("2026-12-02", Grouping::Week, "2026-W49"),
        ("2026-12-31", Grouping::Week, "2026-W53"),
        ("2027-01-03", Grouping::Week, "2026-W53"),
        ("2027-01-04", Grouping::Week, "2027-W01"),
        ("2024-12-30", Grouping::Week, "2025-W01"),
        ("2026-12-31", Grouping::Month, "2026-12"),
        ("2027-01-01", Grouping::Month, "2027-01"),
    ];
    for (day, g, want) in table {
        assert_eq!(Period::of(date(day), g).to_string(), want, "{day} {g:?}");
    }
    assert_eq!("week".parse(), Ok(Grouping::Week));
    assert!("fortnight".parse::<Grouping>().is_err());
}

#[test]
fn only_exact_day_file_names_are_days() {
    assert_eq!(file_name(date("2026-12-02")), "2026-12-02.json");
    assert_eq!(
        day_of_file_name("2026-12-02.json"),
        Some(date("2026-12-02"))
    );
    for bad in [
        "2026-1-02.json",
        "2026-12-02.json.corrupt",
        "2026-13-01.json",
        "2026-02-30.json",
        "+2026-12-02.json",
        "2026-12-02.JSON",
        ".tmp-2026-12-02.json",
        "x2026-12-2.json",
    ] {
        assert_eq!(day_of_file_name(bad), None, "{bad}");
    }
}
