//! The log promise: at the default level, nothing that follows a person's visit (no host, no
//! download, no print, no blocked host); at no level a URL, path, query or the person's data.

mod support;

use guichet::daemon::machine::State;
use support::{eventually, Builder};

/// One session's worth of visits, blocks and downloads, including a confused view that tries
/// to smuggle a URL, a title and typed text through the protocol; returns the logs.
fn visit_and_reset(level: &str) -> String {
    let d = Builder {
        env: vec![("RUST_LOG".into(), level.into())],
        ..Builder::default()
    }
    .start();
    let v = d.shown();
    v.cmd("activity");
    d.wait_state(State::Active);
    v.cmd("canary CANARY-FILE-7f3a");
    v.cmd("navigated www.myminfin.be taxes myminfin");
    v.cmd("blocked evil.example");
    v.cmd(r#"raw {"type":"download","state":"finished","bytes":1234}"#);
    v.cmd(r#"raw {"type":"print_requested"}"#);
    v.cmd(r#"raw {"type":"navigated","host":"evil.example/CANARY-PATH?q=CANARY-QUERY","category":"taxes"}"#);
    v.cmd(r#"raw {"type":"blocked","host":"evil.example","reason":"not_listed","url":"https://evil.example/CANARY-URL"}"#);
    v.cmd("raw https://evil.example/CANARY-RAW?password=CANARY-TYPED");
    v.cmd(&format!("raw {}", "CANARY-LONG".repeat(3000)));
    v.cmd("activity");
    eventually("messages handled", || {
        d.logs().contains("unreadable message")
    });
    assert!(d.ctl(&["reset", "--now"]).status.success());
    d.wait_status("next welcome", |s| {
        s.state == State::Welcome && s.sessions_started == 2
    });
    let logs = d.logs();
    assert!(logs.contains("wipe ok"), "{logs}");
    for bad in [
        "CANARY", "/CANARY", "?q=", "password", "https://", "doc.pdf",
    ] {
        assert!(!logs.contains(bad), "{bad:?} in the logs:\n{logs}");
    }
    logs
}

#[test]
fn at_the_default_level_the_logs_hold_no_trail_of_the_visit() {
    let logs = visit_and_reset("info");
    for trail in [
        "www.myminfin.be",
        "evil.example",
        "taxes",
        "navigated",
        "blocked",
        "download",
        "print",
    ] {
        assert!(!logs.contains(trail), "{trail:?} in the logs:\n{logs}");
    }
}

#[test]
fn at_debug_the_visit_may_be_followed_but_never_by_url_or_data() {
    let logs = visit_and_reset("guichet=debug");
    // Debug is where an admin chasing a bug sees the hosts (never in the shipped set-up).
    assert!(
        logs.contains("www.myminfin.be") && logs.contains("evil.example"),
        "{logs}"
    );
}
