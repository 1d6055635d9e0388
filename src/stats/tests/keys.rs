//! Keys: duration buckets, blocked domains, service ids, end reasons.

use super::*;
use crate::daemon::machine::EndReason as SessionEnd;

#[test]
fn every_duration_bucket_edge() {
    use DurationBucket::*;
    let s = Duration::from_secs;
    let table = [
        (s(0), Under5),
        (Duration::from_millis(299_999), Under5),
        (5 * MIN, From5To15),
        (15 * MIN - s(1), From5To15),
        (15 * MIN, From15To30),
        (30 * MIN - s(1), From15To30),
        (30 * MIN, From30To60),
        (60 * MIN - s(1), From30To60),
        (60 * MIN, From60),
        (600 * MIN, From60),
    ];
    for (d, want) in table {
        assert_eq!(DurationBucket::of(d), want, "{d:?}");
    }
}

#[test]
fn a_session_lands_in_the_bucket_of_its_length() {
    let s = session(15 * MIN, EndReason::Button, |_| {});
    assert_eq!(s.duration, DurationBucket::From15To30);
}

#[test]
fn a_blocked_host_keeps_only_its_registrable_domain() {
    let table = [
        ("www.evil.example.co.uk", "example.co.uk"),
        ("a.b.myminfin.be", "myminfin.be"),
        ("tracker.example.com.", "example.com"),
        ("someone.github.io", "someone.github.io"),
        ("deep.someone.github.io", "someone.github.io"),
        ("x.y.example.notatld", "example.notatld"),
        ("192.168.1.10", "(ip)"),
        ("[::1]", "(ip)"),
        ("localhost", "(other)"),
        ("co.uk", "(other)"),
    ];
    for (h, want) in table {
        assert_eq!(BlockedDomain::of(&host(h)).as_str(), want, "{h}");
    }
}

#[test]
fn service_ids_have_the_pack_id_syntax() {
    for ok in ["myminfin", "be-federal_2", "a", &"a".repeat(64)] {
        assert!(ServiceId::new(ok).is_ok(), "{ok:?}");
    }
    for bad in ["", "MyMinfin", "a b", "a/b", "é", "a.b", &"a".repeat(65)] {
        assert_eq!(ServiceId::new(bad), Err(KeyError::ServiceId), "{bad:?}");
    }
}

#[test]
fn a_day_file_key_that_is_not_a_domain_is_refused() {
    for bad in [
        "Example.com",
        "a..b",
        "nodot",
        "a/b.com",
        "https://x.com",
        "x.com:443",
        "",
    ] {
        let json = serde_json::to_string(bad).unwrap();
        assert!(
            serde_json::from_str::<BlockedDomain>(&json).is_err(),
            "{bad:?}"
        );
    }
    for ok in ["example.com", "(ip)", "(other)", "xn--80ak6aa92e.com"] {
        let json = serde_json::to_string(ok).unwrap();
        assert!(
            serde_json::from_str::<BlockedDomain>(&json).is_ok(),
            "{ok:?}"
        );
    }
}

#[test]
fn key_errors_never_show_the_value() {
    let e = ServiceId::new("secret-Name").unwrap_err().to_string();
    assert!(!e.contains("secret"), "{e}");
}

#[test]
fn end_reasons_of_the_supervisor_map_to_statistics_reasons() {
    let table = [
        (SessionEnd::Button, Some(EndReason::Button)),
        (SessionEnd::Idle, Some(EndReason::Idle)),
        (SessionEnd::MaxDuration, Some(EndReason::MaxDuration)),
        (SessionEnd::Staff, Some(EndReason::Staff)),
        (SessionEnd::Pause, Some(EndReason::Staff)),
        (SessionEnd::Crash, Some(EndReason::Crash)),
        (SessionEnd::EndingTimeout, Some(EndReason::Crash)),
        (SessionEnd::Shutdown, Some(EndReason::OutOfOrder)),
        (SessionEnd::Retry, None),
    ];
    for (from, want) in table {
        assert_eq!(EndReason::from_session(from), want, "{from:?}");
    }
}

#[test]
fn key_names_in_files_match_as_str() {
    for b in DurationBucket::ALL {
        assert_eq!(serde_json::to_value(b).unwrap(), b.as_str());
    }
    for r in EndReason::ALL {
        assert_eq!(serde_json::to_value(r).unwrap(), r.as_str());
    }
    for k in ProblemKind::ALL {
        assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
    }
}
