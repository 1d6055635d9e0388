//! Table tests of the spare and of views that do not start: the machine never promotes a view
//! that is not there, and an empty screen ends in a welcome or an honest out of order.

use super::tests::{active, limits, S};
use super::*;
use crate::protocol::view::Screen;

#[test]
fn a_lost_spare_is_never_promoted_and_the_next_one_is_shown_when_ready() {
    // welcome(): the first spare was shown and a second one is ready.
    let (mut m, t0) = active();
    m.handle(Event::SpareReady, t0);
    // The hidden spare dies (crash, out of memory, replaced after a config change).
    assert!(m.handle(Event::SpareLost, t0).is_empty());
    // The session ends: the old view leaves, nothing to promote, the wipe runs.
    let a = m.handle(Event::StaffReset { now: true }, t0 + S);
    assert_eq!(a, vec![Action::Retire, Action::Wipe(EndReason::Staff)]);
    assert!(!a.iter().any(|x| matches!(x, Action::Promote { .. })));
    assert_eq!(m.state(), State::Wiping);
    // The wipe is done: still nothing to show, the machine asks for a view and waits.
    let a = m.handle(Event::WipeDone(Ok(())), t0 + S);
    assert_eq!(a, vec![Action::StartSpare]);
    assert_eq!(m.state(), State::Wiping);
    // The replacement is ready: shown at once, on a fresh welcome.
    let a = m.handle(Event::SpareReady, t0 + 2 * S);
    assert_eq!(
        a,
        vec![
            Action::Promote { goodbye: true },
            Action::StartSpare,
            Action::ApplyConfig
        ]
    );
    assert_eq!(m.state(), State::Welcome);
}

#[test]
fn a_spare_lost_while_out_of_order_waits_for_the_next_to_show_the_notice() {
    let (mut m, t0) = active();
    m.handle(Event::SpareReady, t0);
    m.handle(Event::StaffReset { now: true }, t0);
    m.handle(Event::WipeDone(Err("disk".into())), t0);
    assert_eq!(m.state(), State::OutOfOrder);
    // The notice is on the promoted view; its replacement spare dies.
    m.handle(Event::SpareReady, t0);
    m.handle(Event::SpareLost, t0);
    // The shown view dies too: nothing ready, so a view is asked for, not promoted.
    let a = m.handle(Event::ViewLost, t0);
    assert_eq!(a, vec![Action::Retire, Action::StartSpare]);
    let a = m.handle(Event::SpareReady, t0 + S);
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
}

#[test]
fn views_that_keep_failing_put_the_terminal_out_of_order_until_one_runs() {
    let t0 = Instant::now();
    let mut m = Machine::new(limits(), true, t0);
    m.boot();
    // No view got on screen in time: guichetd draws its notice and says why.
    assert!(m
        .handle(Event::ViewsFailing("views do not start".into()), t0)
        .is_empty());
    assert_eq!(m.state(), State::OutOfOrder);
    assert_eq!(m.out_of_order_reason(), Some("views do not start"));
    // A view finally starts: no wipe failed, so a fresh welcome opens by itself.
    let a = m.handle(Event::SpareReady, t0 + S);
    assert_eq!(
        a,
        vec![
            Action::Promote { goodbye: false },
            Action::StartSpare,
            Action::ApplyConfig
        ]
    );
    assert_eq!(m.state(), State::Welcome);
    assert_eq!(m.out_of_order_reason(), None);
    // A failed wipe is not healed that way: it waits for a staff reset.
    let (mut m, t0) = active();
    m.handle(Event::StaffReset { now: true }, t0);
    m.handle(Event::WipeDone(Err("disk".into())), t0);
    m.handle(Event::ViewLost, t0);
    m.handle(Event::ViewsFailing("x".into()), t0);
    m.handle(Event::SpareReady, t0 + S);
    assert_eq!(m.state(), State::OutOfOrder);
    assert_eq!(m.out_of_order_reason(), Some("disk"));
    // Views failing while a session is on screen change nothing.
    let (mut m, t0) = active();
    assert!(m.handle(Event::ViewsFailing("x".into()), t0).is_empty());
    assert_eq!(m.state(), State::Active);
}
