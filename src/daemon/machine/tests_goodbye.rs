//! Table tests of the goodbye: the view shown after a person's session says goodbye first,
//! however that session ended; a view shown for any other reason does not; and the wipe
//! never waits for the goodbye.

use super::tests::{active, welcome, S};
use super::*;

fn promote(goodbye: bool) -> Action {
    Action::Promote { goodbye }
}

/// The actions of a reset with a ready spare, saying goodbye or not.
fn swap(reason: EndReason, goodbye: bool) -> Vec<Action> {
    vec![
        Action::Retire,
        promote(goodbye),
        Action::StartSpare,
        Action::Wipe(reason),
    ]
}

#[test]
fn every_end_of_a_persons_session_says_goodbye() {
    let l = super::tests::limits();
    // The button, after the view's end flow.
    let (mut m, t0) = active();
    m.handle(Event::EndRequested, t0);
    assert_eq!(
        m.handle(Event::Ended, t0 + S),
        swap(EndReason::Button, true)
    );
    // Idle, after the countdown and the end flow (without take-away).
    let (mut m, t0) = active();
    m.handle(Event::Tick, t0 + l.idle_timeout - l.idle_warning);
    m.handle(Event::Tick, t0 + l.idle_timeout);
    assert_eq!(
        m.handle(Event::Ended, t0 + l.idle_timeout),
        swap(EndReason::Idle, true)
    );
    // Max duration.
    let (mut m, t0) = active();
    let mut t = t0;
    while m.state() != State::Ending {
        t += 60 * S;
        m.handle(Event::Activity, t);
        m.handle(Event::Tick, t);
    }
    assert_eq!(
        m.handle(Event::Ended, t),
        swap(EndReason::MaxDuration, true)
    );
    // Staff reset --now, and a crash of the shown view.
    let (mut m, t0) = active();
    let a = m.handle(Event::StaffReset { now: true }, t0);
    assert_eq!(a, swap(EndReason::Staff, true));
    let (mut m, t0) = active();
    assert_eq!(m.handle(Event::ViewLost, t0), swap(EndReason::Crash, true));
    // An end flow that never reports `ended`.
    let (mut m, t0) = active();
    m.handle(Event::EndRequested, t0);
    let a = m.handle(Event::Tick, t0 + l.idle_timeout);
    assert_eq!(a, swap(EndReason::EndingTimeout, true));
}

#[test]
fn a_view_shown_for_another_reason_says_no_goodbye() {
    // The first view.
    let (mut m, t0) = welcome();
    // A reset of an untouched welcome: nobody to say goodbye to.
    let a = m.handle(Event::StaffReset { now: true }, t0);
    assert_eq!(a, swap(EndReason::Staff, false));
    m.handle(Event::WipeDone(Ok(())), t0);
    m.handle(Event::SpareReady, t0);
    // Resume replaces the paused view.
    m.handle(Event::StaffPause, t0);
    assert_eq!(m.state(), State::Paused);
    let a = m.handle(Event::StaffResume, t0);
    assert_eq!(a, swap(EndReason::Pause, false));
}

#[test]
fn the_wipe_does_not_wait_for_the_goodbye() {
    let (mut m, t0) = active();
    m.handle(Event::EndRequested, t0);
    let a = m.handle(Event::Ended, t0);
    // The wipe is asked for with the promotion, not after it.
    assert_eq!(a.last(), Some(&Action::Wipe(EndReason::Button)));
    assert!(a.contains(&promote(true)));
    // Done: a welcome state at once (the view's welcome follows its goodbye by itself).
    assert_eq!(
        m.handle(Event::WipeDone(Ok(())), t0),
        vec![Action::ApplyConfig]
    );
    assert_eq!(m.state(), State::Welcome);
}

#[test]
fn a_late_spare_still_says_goodbye_once() {
    let (mut m, t0) = active();
    m.handle(Event::SpareReady, t0);
    m.handle(Event::SpareLost, t0);
    // No spare ready when the session ends: the view is retired, nothing shown yet.
    let a = m.handle(Event::StaffReset { now: true }, t0);
    assert_eq!(a, vec![Action::Retire, Action::Wipe(EndReason::Staff)]);
    m.handle(Event::WipeDone(Ok(())), t0);
    // The spare that comes up says goodbye to the person who left.
    let a = m.handle(Event::SpareReady, t0 + S);
    assert_eq!(a[0], promote(true));
    // Once: the next reset of an untouched welcome does not.
    m.handle(Event::SpareReady, t0 + S);
    let a = m.handle(Event::StaffReset { now: true }, t0 + 2 * S);
    assert_eq!(a, swap(EndReason::Staff, false));
}
