//! Black-box tests of guichetd with the fake view: the view shown after a person's session
//! is told to say goodbye, in the language that person chose; the staff screens speak the
//! last chosen language; a view shown for any other reason gets a plain `start`.

mod support;

use guichet::daemon::machine::State;
use support::{Daemon, FakeView};

/// The orders a fake view received, in order, without their time stamps.
fn orders(v: &FakeView) -> Vec<String> {
    v.reload()
        .lines
        .iter()
        .filter_map(|l| l.strip_prefix("recv "))
        .map(|l| l.split_once(' ').map_or(l, |(_, msg)| msg).to_owned())
        .collect()
}

#[test]
fn the_next_view_says_goodbye_in_the_persons_language_and_staff_screens_follow_it() {
    let d = Daemon::start();
    let first = d.shown();
    // The first view: nobody to say goodbye to.
    assert_eq!(orders(&first), vec![r#"{"type":"start"}"#]);
    // The person chooses Dutch, then ends the session.
    first.cmd(r#"raw {"type":"language","lang":"nl"}"#);
    d.wait_state(State::Active);
    first.cmd("end_requested");
    first.wait_got("end_session");
    d.wait_status("next welcome", |s| {
        s.state == State::Welcome && s.sessions_started == 2
    });
    let next = d.shown();
    assert_eq!(
        orders(&next),
        vec![
            r#"{"type":"language","lang":"nl"}"#,
            r#"{"type":"start","goodbye":true}"#
        ]
    );
    // A staff pause is drawn in that language too.
    assert!(d.ctl(&["pause"]).status.success());
    d.wait_state(State::Paused);
    next.wait_got(r#""screen":"paused""#);
    assert_eq!(
        orders(&next)[2..],
        [
            r#"{"type":"language","lang":"nl"}"#,
            r#"{"type":"screen","screen":"paused"}"#
        ]
    );
    // Resume replaces the paused view: no session ended, no goodbye.
    assert!(d.ctl(&["resume"]).status.success());
    d.wait_status("fresh welcome", |s| {
        s.state == State::Welcome && s.sessions_started == 3
    });
    let third = d.shown();
    assert_eq!(orders(&third), vec![r#"{"type":"start"}"#]);
    // A person who chose no language: goodbye in the terminal's default one (no order).
    third.cmd("activity");
    d.wait_state(State::Active);
    assert!(d.ctl(&["reset", "--now"]).status.success());
    d.wait_status("fresh welcome", |s| {
        s.state == State::Welcome && s.sessions_started == 4
    });
    assert_eq!(
        orders(&d.shown()),
        vec![r#"{"type":"start","goodbye":true}"#]
    );
}
