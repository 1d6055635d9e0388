//! Table tests: every transition and timer edge, with a fake clock.

use super::*;
use crate::protocol::view::{CountdownReason, Screen};

pub(super) const S: Duration = Duration::from_secs(1);

pub(super) fn limits() -> Limits {
    Limits::new(300 * S, 60 * S, 3600 * S, 1)
}

/// A machine in Welcome with a ready spare, at time `t0`.
pub(super) fn welcome() -> (Machine, Instant) {
    let t0 = Instant::now();
    let mut m = Machine::new(limits(), true, t0);
    assert_eq!(m.boot(), vec![Action::StartSpare]);
    let a = m.handle(Event::SpareReady, t0);
    assert_eq!(
        a,
        vec![
            Action::Promote { goodbye: false },
            Action::StartSpare,
            Action::ApplyConfig
        ]
    );
    assert_eq!(m.state(), State::Welcome);
    assert!(m.handle(Event::SpareReady, t0).is_empty());
    (m, t0)
}

pub(super) fn active() -> (Machine, Instant) {
    let (mut m, t0) = welcome();
    assert!(m.handle(Event::Activity, t0).is_empty());
    assert_eq!(m.state(), State::Active);
    (m, t0)
}

fn idle_countdown(seconds: u32) -> Action {
    Action::Send(ToView::Countdown {
        reason: CountdownReason::Idle,
        seconds,
    })
}

/// The actions of a reset with a ready spare (`goodbye`: a person's session ended).
fn swap(reason: EndReason, goodbye: bool) -> Vec<Action> {
    vec![
        Action::Retire,
        Action::Promote { goodbye },
        Action::StartSpare,
        Action::Wipe(reason),
    ]
}

#[test]
fn a_session_runs_from_welcome_to_the_next_welcome() {
    let (mut m, t0) = active();
    assert_eq!(m.session_age(t0 + 5 * S), Some(5 * S));
    let a = m.handle(Event::EndRequested, t0 + 10 * S);
    assert_eq!(a, vec![Action::EndSession { takeaway: true }]);
    assert_eq!(m.state(), State::Ending);
    assert_eq!(
        m.handle(Event::Ended, t0 + 20 * S),
        swap(EndReason::Button, true)
    );
    assert_eq!(m.state(), State::Wiping);
    assert_eq!(m.session_age(t0 + 20 * S), None);
    assert_eq!(
        m.handle(Event::WipeDone(Ok(())), t0 + 20 * S),
        vec![Action::ApplyConfig]
    );
    assert_eq!(m.state(), State::Welcome);
}

#[test]
fn welcome_has_no_timer_and_waits_for_input() {
    let (mut m, t0) = welcome();
    assert_eq!(m.next_deadline(), None);
    assert!(m.handle(Event::Tick, t0 + 100_000 * S).is_empty());
    assert_eq!(m.state(), State::Welcome);
    // The end button before any input is nothing to end.
    assert!(m.handle(Event::EndRequested, t0).is_empty());
}

#[test]
fn idle_shows_a_countdown_then_ends_without_takeaway() {
    let (mut m, t0) = active();
    assert_eq!(m.next_deadline(), Some(t0 + 240 * S));
    assert!(m
        .handle(Event::Tick, t0 + 240 * S - Duration::from_millis(1))
        .is_empty());
    assert_eq!(
        m.handle(Event::Tick, t0 + 240 * S),
        vec![idle_countdown(60)]
    );
    assert_eq!(m.state(), State::IdleWarning);
    assert_eq!(m.next_deadline(), Some(t0 + 300 * S));
    assert!(m.handle(Event::Tick, t0 + 299 * S).is_empty());
    assert_eq!(
        m.handle(Event::Tick, t0 + 300 * S),
        vec![Action::EndSession { takeaway: false }]
    );
    assert_eq!(m.state(), State::Ending);
    assert_eq!(m.last_end(), Some(EndReason::Idle));
}

#[test]
fn input_at_the_last_moment_of_the_countdown_keeps_the_session() {
    let (mut m, t0) = active();
    m.handle(Event::Tick, t0 + 240 * S);
    let last = t0 + 300 * S - Duration::from_millis(1);
    assert_eq!(
        m.handle(Event::Activity, last),
        vec![Action::Send(ToView::CancelCountdown)]
    );
    assert_eq!(m.state(), State::Active);
    // The deadline that was due now is gone: idle counts from the input.
    assert!(m.handle(Event::Tick, t0 + 300 * S).is_empty());
    assert_eq!(m.state(), State::Active);
    assert_eq!(m.next_deadline(), Some(last + 240 * S));
}

#[test]
fn input_one_tick_too_late_does_not_revive_the_session() {
    let (mut m, t0) = active();
    m.handle(Event::Tick, t0 + 240 * S);
    m.handle(Event::Tick, t0 + 300 * S);
    assert_eq!(m.state(), State::Ending);
    assert!(m.handle(Event::Activity, t0 + 300 * S).is_empty());
    assert_eq!(m.state(), State::Ending);
}

#[test]
fn max_duration_shows_its_countdown_then_ends_with_takeaway() {
    let (mut m, t0) = active();
    // Keep the person active all along.
    let mut t = t0;
    let warn = t0 + 3600 * S - 120 * S;
    while t + 200 * S < warn {
        t += 200 * S;
        m.handle(Event::Activity, t);
        assert!(m.handle(Event::Tick, t).is_empty());
    }
    assert_eq!(
        m.handle(Event::Tick, warn),
        vec![Action::Send(ToView::Countdown {
            reason: CountdownReason::MaxDuration,
            seconds: 120
        })]
    );
    assert!(
        m.handle(Event::Activity, warn + S).is_empty(),
        "input does not cancel it"
    );
    assert_eq!(
        m.handle(Event::Tick, t0 + 3600 * S),
        vec![Action::EndSession { takeaway: true }]
    );
    assert_eq!(m.last_end(), Some(EndReason::MaxDuration));
}

#[test]
fn an_idle_countdown_during_the_max_countdown_returns_to_it_on_input() {
    let (mut m, t0) = active();
    let warn = t0 + 3480 * S;
    m.handle(Event::Activity, warn - 239 * S);
    m.handle(Event::Tick, warn);
    assert_eq!(m.state(), State::Active);
    // The idle end (warn+61s) is before the max end (warn+120s): the idle countdown shows.
    assert_eq!(m.handle(Event::Tick, warn + S), vec![idle_countdown(60)]);
    assert_eq!(
        m.handle(Event::Activity, warn + 2 * S),
        vec![
            Action::Send(ToView::CancelCountdown),
            Action::Send(ToView::Countdown {
                reason: CountdownReason::MaxDuration,
                seconds: 118
            })
        ]
    );
}

#[test]
fn staff_reset_ends_with_takeaway_and_now_skips_it() {
    let (mut m, t0) = active();
    assert_eq!(
        m.handle(Event::StaffReset { now: false }, t0),
        vec![Action::EndSession { takeaway: true }]
    );
    let (mut m, t0) = active();
    assert_eq!(
        m.handle(Event::StaffReset { now: true }, t0),
        swap(EndReason::Staff, true)
    );
    let (mut m, t0) = welcome();
    assert_eq!(
        m.handle(Event::StaffReset { now: false }, t0),
        swap(EndReason::Staff, false)
    );
}

#[test]
fn staff_reset_during_ending() {
    let (mut m, t0) = active();
    m.handle(Event::EndRequested, t0);
    // A plain reset lets the running end flow finish.
    assert!(m.handle(Event::StaffReset { now: false }, t0).is_empty());
    assert_eq!(m.state(), State::Ending);
    assert_eq!(
        m.handle(Event::StaffReset { now: true }, t0),
        swap(EndReason::Staff, true)
    );
    assert_eq!(m.state(), State::Wiping);
    // A late `ended` from the retired view changes nothing.
    assert!(m.handle(Event::Ended, t0).is_empty());
}

#[test]
fn an_end_flow_that_never_finishes_is_cut_short() {
    let (mut m, t0) = active();
    m.handle(Event::EndRequested, t0);
    assert_eq!(m.next_deadline(), Some(t0 + 300 * S));
    m.handle(Event::Activity, t0 + 100 * S);
    assert!(m.handle(Event::Tick, t0 + 300 * S).is_empty());
    assert_eq!(
        m.handle(Event::Tick, t0 + 400 * S),
        swap(EndReason::EndingTimeout, true)
    );
}

#[test]
fn a_crash_goes_straight_to_wiping_in_every_session_state() {
    for setup in [
        welcome as fn() -> (Machine, Instant),
        active,
        || {
            let (mut m, t0) = active();
            m.handle(Event::Tick, t0 + 250 * S);
            assert_eq!(m.state(), State::IdleWarning);
            (m, t0)
        },
        || {
            let (mut m, t0) = active();
            m.handle(Event::EndRequested, t0);
            (m, t0)
        },
    ] {
        let (mut m, t0) = setup();
        // A person's session (not the untouched welcome) gets a goodbye.
        let goodbye = m.state() != State::Welcome;
        assert_eq!(
            m.handle(Event::ViewLost, t0),
            swap(EndReason::Crash, goodbye)
        );
        assert_eq!(m.state(), State::Wiping);
        assert_eq!(
            m.handle(Event::WipeDone(Ok(())), t0),
            vec![Action::ApplyConfig]
        );
        assert_eq!(m.state(), State::Welcome);
    }
}

#[test]
fn without_a_ready_spare_the_next_welcome_waits_for_it() {
    let t0 = Instant::now();
    // The spare is still loading (prestart: the supervisor already started it).
    let mut m2 = Machine::new(limits(), true, t0);
    m2.handle(Event::SpareReady, t0);
    m2.handle(Event::Activity, t0);
    assert_eq!(
        m2.handle(Event::ViewLost, t0),
        vec![Action::Retire, Action::Wipe(EndReason::Crash)]
    );
    assert!(m2
        .handle(Event::WipeDone(Ok(())), t0)
        .contains(&Action::StartSpare));
    assert_eq!(m2.state(), State::Wiping);
    assert_eq!(
        m2.handle(Event::SpareReady, t0),
        vec![
            Action::Promote { goodbye: true },
            Action::StartSpare,
            Action::ApplyConfig
        ]
    );
    assert_eq!(m2.state(), State::Welcome);
}

#[test]
fn the_no_spare_mode_starts_the_next_view_at_reset() {
    let t0 = Instant::now();
    let mut m = Machine::new(limits(), false, t0);
    m.boot();
    assert_eq!(
        m.handle(Event::SpareReady, t0),
        vec![Action::Promote { goodbye: false }, Action::ApplyConfig]
    );
    assert_eq!(
        m.handle(Event::StaffReset { now: true }, t0),
        vec![
            Action::Retire,
            Action::StartSpare,
            Action::Wipe(EndReason::Staff)
        ]
    );
    assert_eq!(
        m.handle(Event::WipeDone(Ok(())), t0),
        vec![Action::StartSpare]
    );
    assert_eq!(m.state(), State::Wiping);
    assert_eq!(
        m.handle(Event::SpareReady, t0),
        vec![Action::Promote { goodbye: false }, Action::ApplyConfig]
    );
    assert_eq!(m.state(), State::Welcome);
}

#[test]
fn a_failed_wipe_is_out_of_order_until_a_wipe_succeeds() {
    let (mut m, t0) = active();
    m.handle(Event::StaffReset { now: true }, t0);
    let a = m.handle(Event::WipeDone(Err("cannot delete".into())), t0);
    assert_eq!(
        a,
        vec![Action::Send(ToView::Screen {
            screen: Screen::OutOfOrder
        })]
    );
    assert_eq!(m.state(), State::OutOfOrder);
    assert_eq!(m.out_of_order_reason(), Some("cannot delete"));
    // Input, timers, the end button, pause and resume do not start anything.
    for e in [
        Event::Activity,
        Event::Tick,
        Event::EndRequested,
        Event::Ended,
    ] {
        assert!(m.handle(e, t0 + 1000 * S).is_empty());
    }
    assert!(m.check_staff(&Event::StaffPause).is_err());
    assert!(m.check_staff(&Event::StaffResume).is_err());
    assert_eq!(m.state(), State::OutOfOrder);
    // A staff reset retries; failing again stays out of order.
    m.handle(Event::SpareReady, t0);
    assert_eq!(
        m.handle(Event::StaffReset { now: false }, t0),
        swap(EndReason::Retry, false)
    );
    m.handle(Event::WipeDone(Err("still".into())), t0);
    assert_eq!(m.state(), State::OutOfOrder);
    m.handle(Event::SpareReady, t0);
    m.handle(Event::StaffReset { now: false }, t0);
    assert_eq!(
        m.handle(Event::WipeDone(Ok(())), t0),
        vec![Action::ApplyConfig]
    );
    assert_eq!(m.state(), State::Welcome);
    assert_eq!(m.out_of_order_reason(), None);
}

#[test]
fn out_of_order_at_start_shows_the_notice_on_the_first_view() {
    let t0 = Instant::now();
    let mut m = Machine::new(limits(), true, t0);
    assert_eq!(
        m.boot_out_of_order("leftover".into()),
        vec![Action::StartSpare]
    );
    let a = m.handle(Event::SpareReady, t0);
    assert_eq!(
        a,
        vec![
            Action::Promote { goodbye: false },
            Action::StartSpare,
            Action::Send(ToView::Screen {
                screen: Screen::OutOfOrder
            })
        ]
    );
    assert_eq!(m.state(), State::OutOfOrder);
}

#[test]
fn pause_and_resume() {
    let (mut m, t0) = welcome();
    assert!(m.check_staff(&Event::StaffResume).is_err());
    assert_eq!(
        m.handle(Event::StaffPause, t0),
        vec![Action::Send(ToView::Screen {
            screen: Screen::Paused
        })]
    );
    assert_eq!(m.state(), State::Paused);
    assert!(m.handle(Event::Activity, t0).is_empty());
    assert_eq!(m.state(), State::Paused);
    assert!(m.check_staff(&Event::StaffPause).is_err());
    assert_eq!(
        m.handle(Event::StaffResume, t0),
        swap(EndReason::Pause, false)
    );
    m.handle(Event::WipeDone(Ok(())), t0);
    assert_eq!(m.state(), State::Welcome);
}

#[test]
fn pausing_a_running_session_ends_it_first() {
    let (mut m, t0) = active();
    assert_eq!(
        m.handle(Event::StaffPause, t0),
        vec![Action::EndSession { takeaway: true }]
    );
    assert!(m.pause_pending());
    m.handle(Event::Ended, t0);
    assert_eq!(
        m.handle(Event::WipeDone(Ok(())), t0),
        vec![
            Action::ApplyConfig,
            Action::Send(ToView::Screen {
                screen: Screen::Paused
            })
        ]
    );
    assert_eq!(m.state(), State::Paused);
    // resume before the end cancels the pending pause
    let (mut m, t0) = active();
    m.handle(Event::StaffPause, t0);
    assert!(m.check_staff(&Event::StaffResume).is_ok());
    m.handle(Event::StaffResume, t0);
    m.handle(Event::Ended, t0);
    m.handle(Event::WipeDone(Ok(())), t0);
    assert_eq!(m.state(), State::Welcome);
}

#[test]
fn terminate_from_any_state_shuts_down() {
    let (mut m, t0) = active();
    assert_eq!(m.handle(Event::Terminate, t0), vec![Action::Shutdown]);
    assert_eq!(m.state(), State::Stopping);
    assert!(m.handle(Event::WipeDone(Ok(())), t0).is_empty());
    assert!(m.check_staff(&Event::StaffReset { now: true }).is_err());
}

#[test]
fn limits_scale_for_tests() {
    let l = Limits::new(30 * S, 5 * S, 300 * S, 100);
    assert_eq!(l.idle_timeout, Duration::from_millis(300));
    assert_eq!(l.idle_warning, Duration::from_millis(50));
    assert_eq!(l.max_warning, Duration::from_millis(1200));
    assert_eq!(secs_ceil(Duration::from_millis(1)), 1);
}
