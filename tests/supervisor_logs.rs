//! The log promise: hosts and categories, never URLs, paths, queries or the person's data.

mod support;

use guichet::daemon::machine::State;
use support::{eventually, Daemon};

#[test]
fn a_session_with_canaries_leaves_none_in_the_logs() {
    let d = Daemon::start();
    let v = d.shown();
    v.cmd("activity");
    d.wait_state(State::Active);
    v.cmd("canary CANARY-FILE-7f3a");
    v.cmd("navigated www.myminfin.be taxes");
    v.cmd("blocked evil.example");
    v.cmd(r#"raw {"type":"download","state":"finished","bytes":1234}"#);
    // A confused view tries to smuggle a URL, a title and typed text through the protocol.
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
    assert!(
        logs.contains("blocked") && logs.contains("evil.example"),
        "{logs}"
    );
    assert!(
        logs.contains("www.myminfin.be") && logs.contains("taxes"),
        "{logs}"
    );
    assert!(logs.contains("wipe ok"), "{logs}");
    for bad in [
        "CANARY", "/CANARY", "?q=", "password", "https://", "doc.pdf",
    ] {
        assert!(!logs.contains(bad), "{bad:?} in the logs:\n{logs}");
    }
}
