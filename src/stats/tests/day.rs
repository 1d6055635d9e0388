//! Recorder and day counts: what a session adds, and what a day file can hold.

use super::*;
use crate::policy::Category;
use crate::stats::day::{decode, encode, DecodeError};

/// A session that did a bit of everything, twice where "once per session" matters.
fn busy_session() -> SessionSummary {
    session(20 * MIN, EndReason::Idle, |r| {
        r.category_used(Category::Taxes);
        r.category_used(Category::Taxes);
        r.category_used(Category::Health);
        r.service_used(&sid("myminfin"));
        r.service_used(&sid("myminfin"));
        r.blocked(Some(&host("www.evil.example.com")));
        r.blocked(Some(&host("cdn.evil.example.com")));
        r.blocked(None);
        r.downloaded();
        r.printed(3);
        r.printed(2);
        r.usb_copied(1);
        r.helper_called();
        r.problem_reported(&sid("myminfin"), ProblemKind::LoginFails);
        r.problem_reported(&sid("myminfin"), ProblemKind::LoginFails);
    })
}

#[test]
fn a_session_counts_once_per_key_and_every_event_in_totals() {
    let mut d = DayCounts::default();
    d.add_start();
    d.add_session(&busy_session());
    assert_eq!(d.sessions_started, 1);
    assert_eq!(d.sessions_completed, 1);
    assert_eq!(d.durations[&DurationBucket::From15To30], 1);
    assert_eq!(d.end_reasons[&EndReason::Idle], 1);
    let cats: Vec<_> = d.categories.iter().map(|(c, n)| (c.0, *n)).collect();
    assert_eq!(cats, [(Category::Health, 1), (Category::Taxes, 1)]);
    assert_eq!(d.services[&sid("myminfin")], 1);
    assert_eq!(d.blocked_navigations, 3);
    let domains: Vec<_> = d
        .blocked_domains
        .iter()
        .map(|(k, n)| (k.as_str(), *n))
        .collect();
    assert_eq!(domains, [("example.com", 1)]);
    assert_eq!((d.downloads, d.prints, d.printed_pages), (1, 2, 5));
    assert_eq!((d.usb_copies, d.helper_calls, d.problem_reports), (1, 1, 2));
    assert_eq!(d.problems[&sid("myminfin")][&ProblemKind::LoginFails], 1);
}

#[test]
fn two_sessions_add_up() {
    let mut d = DayCounts::default();
    d.add_session(&busy_session());
    d.add_session(&busy_session());
    assert_eq!(d.services[&sid("myminfin")], 2);
    assert_eq!(d.blocked_navigations, 6);
    assert_eq!(d.problems[&sid("myminfin")][&ProblemKind::LoginFails], 2);
}

#[test]
fn events_outside_a_session_are_ignored() {
    let mut r = Recorder::new();
    r.service_used(&sid("myminfin"));
    r.blocked(Some(&host("evil.example")));
    assert!(!r.is_running());
    assert_eq!(r.end(Instant::now(), EndReason::Button), None);
}

#[test]
fn a_new_start_drops_an_unfinished_session() {
    let mut r = Recorder::new();
    let t0 = Instant::now();
    r.start(t0);
    r.service_used(&sid("first"));
    r.start(t0 + MIN);
    let s = r.end(t0 + 2 * MIN, EndReason::Button).unwrap();
    assert!(s.tally.services.is_empty());
    assert_eq!(s.duration, DurationBucket::Under5);
}

#[test]
fn merge_sums_every_counter_and_saturates() {
    let mut a = DayCounts::default();
    a.add_start();
    a.add_session(&busy_session());
    let mut twice = a.clone();
    twice.merge(&a);
    let mut by_sessions = DayCounts::default();
    for _ in 0..2 {
        by_sessions.add_start();
        by_sessions.add_session(&busy_session());
    }
    assert_eq!(twice, by_sessions);

    let mut big = DayCounts {
        downloads: u64::MAX,
        ..DayCounts::default()
    };
    big.merge(&a);
    assert_eq!(big.downloads, u64::MAX);
}

#[test]
fn a_day_file_round_trips() {
    let mut d = DayCounts::default();
    d.add_start();
    d.add_session(&busy_session());
    let day = date("2026-12-02");
    let text = encode(day, &d).unwrap();
    assert_eq!(decode(day, &text).unwrap(), d);
}

#[test]
fn a_day_file_holds_no_time_finer_than_a_day() {
    let mut d = DayCounts::default();
    d.add_start();
    d.add_session(&busy_session());
    let text = encode(date("2026-12-02"), &d).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&text).unwrap();
    let mut strings = Vec::new();
    walk(&v, &mut strings);
    for s in &strings {
        let time_like = s
            .as_bytes()
            .windows(3)
            .any(|w| w[0].is_ascii_digit() && w[1] == b':' && w[2].is_ascii_digit());
        assert!(!time_like && !s.contains('/') && !s.contains('T'), "{s:?}");
    }
    let top: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
    assert_eq!(top, ["counts", "day", "format"]);
    assert_eq!(v["day"], "2026-12-02");
    for key in v["counts"].as_object().unwrap().keys() {
        assert!(
            !key.contains("time") && !key.contains("url") && !key.contains("host"),
            "{key}"
        );
    }
}

/// Every key and string of a JSON value.
fn walk(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                out.push(k.clone());
                walk(x, out);
            }
        }
        _ => {}
    }
}

#[test]
fn bad_day_files_are_refused_without_quoting_them() {
    let day = date("2026-12-02");
    let good = encode(day, &DayCounts::default()).unwrap();
    type Check = fn(&DecodeError) -> bool;
    let table: [(&[u8], Check); 5] = [
        (&good[..good.len() / 2], |e| {
            matches!(e, DecodeError::Truncated { .. })
        }),
        (b"not json", |e| matches!(e, DecodeError::Syntax { .. })),
        (
            br#"{"format":1,"day":"2026-12-02","counts":{"secret_field":1}}"#,
            |e| matches!(e, DecodeError::Content { .. }),
        ),
        (br#"{"format":2,"day":"2026-12-02","counts":{}}"#, |e| {
            matches!(e, DecodeError::Format(2))
        }),
        (br#"{"format":1,"day":"2026-12-03","counts":{}}"#, |e| {
            matches!(e, DecodeError::OtherDay(_))
        }),
    ];
    for (text, want) in table {
        let e = decode(day, text).unwrap_err();
        assert!(want(&e), "{e:?}");
        assert!(!e.to_string().contains("secret"), "{e}");
    }
    let bad_key = br#"{"format":1,"day":"2026-12-02","counts":{"services":{"Not An Id":1}}}"#;
    assert!(decode(day, bad_key).is_err());
}
