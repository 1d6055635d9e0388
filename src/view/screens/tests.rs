//! Table tests: every screen transition of the view, and every input a screen ignores.
//!
//! Each named state ([`At`]) is reached from a fresh machine by the inputs the view really
//! gets; each row feeds one input to it and checks the screen after it and the outputs, in
//! order.

use super::*;
use crate::loggable::Private;
use crate::protocol::view::Screen as Notice;
use crate::view::pages::Retry;
use crate::view::toolbar::ZoomDir;
use Input as I;
use Output::*;
use UiScreen as S;

pub(super) const URL: &str = "https://www.myminfin.be/";

/// `start` of a view that is not saying goodbye first.
pub(super) const START: Input = I::Start { goodbye: false };

/// The screens' states the rows start from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum At {
    /// A spare: not started, hidden.
    Hidden,
    Welcome,
    Session,
    /// Home pressed in the session: the services, inside it.
    Services,
    /// End pressed in the session: the question.
    ConfirmEnd,
    Documents,
    /// The picker, opened by a page of the session.
    Picker,
    /// The countdown over the session.
    Countdown,
    /// Take-away (the session has downloads), two logout URLs to visit.
    Takeaway,
    /// Visiting the first of two logout URLs (visit number 1).
    Ending,
    Goodbye,
    Paused,
    /// Out of order, shown by a view that was never started.
    OutOfOrder,
}

#[rustfmt::skip]
pub(super) const ALL: [At; 13] = [
    At::Hidden, At::Welcome, At::Session, At::Services, At::ConfirmEnd, At::Documents,
    At::Picker, At::Countdown, At::Takeaway, At::Ending, At::Goodbye, At::Paused,
    At::OutOfOrder,
];

fn logout(i: usize) -> Private<String> {
    Private::new(format!("https://logout{i}.example/bye"))
}

/// The load of [`URL`] failed.
pub(super) fn failed(kind: ErrorKind) -> Input {
    I::LoadFailed {
        url: URL.into(),
        kind,
    }
}

/// The error page for a first failure of [`URL`], retried after `after_secs`.
pub(super) fn shown_error(kind: ErrorKind, after_secs: Option<u32>) -> Output {
    ShowError {
        kind,
        retry: Some(Retry {
            url: URL.into(),
            after_secs,
        }),
    }
}

/// A known service's button.
pub(super) fn open() -> Input {
    I::Open {
        start_url: Some(URL.into()),
    }
}

pub(super) fn end(takeaway: bool, has_downloads: bool, urls: usize) -> Input {
    I::EndSession {
        takeaway,
        has_downloads,
        logouts: (0..urls)
            .map(|i| crate::protocol::view::Logout {
                service: format!("svc{i}"),
                url: logout(i),
            })
            .collect(),
    }
}

/// Loading [`URL`] in the content view, asked by the person or not.
pub(super) fn load(by_person: bool) -> Output {
    Load {
        url: URL.into(),
        by_person,
    }
}

pub(super) fn visit(i: usize, seq: u32) -> Output {
    VisitLogout {
        service: format!("svc{i}"),
        url: logout(i),
        seq,
        timeout: LOGOUT_VISIT_TIMEOUT,
    }
}

/// The bound on all the visits of end flow `round`.
pub(super) fn bound(round: u32) -> Output {
    BoundLogouts {
        round,
        after: LOGOUT_TOTAL_TIMEOUT,
    }
}

/// `first`, then what the view does once every logout is visited.
pub(super) fn then_goodbye(first: Vec<Output>) -> Vec<Output> {
    [
        first,
        vec![
            DisarmVisit,
            Blank,
            Show(S::Goodbye),
            Report(FromView::Ended),
        ],
    ]
    .concat()
}

/// Feeds `inputs`, each of which must change something.
pub(super) fn drive(mut m: Screens, inputs: Vec<Input>) -> Screens {
    for input in inputs {
        let before = m.clone();
        let out = m.handle(input.clone());
        assert!(!out.is_empty() || m != before, "{input:?} did nothing");
    }
    m
}

/// A machine in state `at`, reached the way the view reaches it.
pub(super) fn at(at: At) -> Screens {
    let from = |a, inputs| drive(self::at(a), inputs);
    let (m, screen) = match at {
        At::Hidden => (Screens::new(None), S::Welcome),
        At::Welcome => (from(At::Hidden, vec![START]), S::Welcome),
        At::Session => (from(At::Welcome, vec![open()]), S::Session),
        At::Services => (from(At::Session, vec![I::Home]), S::Services),
        At::ConfirmEnd => (from(At::Session, vec![I::End]), S::ConfirmEnd),
        At::Documents => (from(At::Session, vec![I::Documents]), S::Documents),
        At::Picker => (from(At::Session, vec![I::OpenPicker]), S::Picker),
        At::Countdown => (
            from(
                At::Session,
                vec![I::Countdown {
                    reason: CountdownReason::Idle,
                    seconds: 60,
                }],
            ),
            S::Countdown,
        ),
        At::Takeaway => (from(At::Session, vec![end(true, true, 2)]), S::Takeaway),
        At::Ending => (from(At::Takeaway, vec![I::Finish]), S::Ending),
        At::Goodbye => (
            from(At::Ending, vec![I::VisitDone, I::VisitDone]),
            S::Goodbye,
        ),
        At::Paused => (
            from(At::Welcome, vec![I::Screen(Notice::Paused)]),
            S::Paused,
        ),
        At::OutOfOrder => (
            from(At::Hidden, vec![I::Screen(Notice::OutOfOrder)]),
            S::OutOfOrder,
        ),
    };
    assert_eq!(m.screen(), screen, "{at:?}");
    m
}

/// Each row: from that state, this input leads to that screen with these outputs.
fn check(rows: Vec<(At, Input, UiScreen, Vec<Output>)>) {
    for (from, input, to, expected) in rows {
        let mut m = at(from);
        let out = m.handle(input.clone());
        assert_eq!((m.screen(), out), (to, expected), "{input:?} on {from:?}");
    }
}

#[test]
fn orders_from_guichetd() {
    let countdown = || I::Countdown {
        reason: CountdownReason::Idle,
        seconds: 30,
    };
    let shown = |s| vec![ShowWindow, Show(s), AskPainted];
    let notice = |s| vec![Unhide, Show(s)];
    #[rustfmt::skip]
    let rows = vec![
        // start: once.
        (At::Hidden, START, S::Welcome, shown(S::Welcome)),
        (At::Welcome, START, S::Welcome, vec![]),
        (At::Session, START, S::Session, vec![]),
        (At::Paused, START, S::Paused, vec![]),
        // A view shown out of order before it was started still starts on `start`.
        (At::OutOfOrder, START, S::Welcome, shown(S::Welcome)),
        // countdown: over any screen (see `a_countdown_returns_…` for what is under it).
        (At::Hidden, countdown(), S::Countdown, vec![Show(S::Countdown)]),
        (At::Welcome, countdown(), S::Countdown, vec![Show(S::Countdown)]),
        (At::Session, countdown(), S::Countdown, vec![Show(S::Countdown)]),
        (At::Documents, countdown(), S::Countdown, vec![Show(S::Countdown)]),
        (At::Picker, countdown(), S::Countdown, vec![Show(S::Countdown)]),
        (At::Countdown, countdown(), S::Countdown, vec![Show(S::Countdown)]),
        (At::Takeaway, countdown(), S::Countdown, vec![Show(S::Countdown)]),
        (At::Ending, countdown(), S::Countdown, vec![Show(S::Countdown)]),
        (At::Goodbye, countdown(), S::Countdown, vec![Show(S::Countdown)]),
        (At::Paused, countdown(), S::Countdown, vec![Show(S::Countdown)]),
        (At::OutOfOrder, countdown(), S::Countdown, vec![Show(S::Countdown)]),
        // cancel_countdown: back to the screen under it; ignored elsewhere (see below).
        (At::Countdown, I::CancelCountdown, S::Session, vec![Show(S::Session)]),
        // end_session: the chooser is cancelled, the window is on screen, then take-away
        // only when asked and there is something to take, else the logouts, else goodbye.
        (At::Session, end(true, true, 2), S::Takeaway, vec![CancelChooser, ShowWindow, Show(S::Takeaway)]),
        (At::Session, end(true, false, 2), S::Ending, vec![CancelChooser, ShowWindow, Show(S::Ending), bound(1), visit(0, 1)]),
        (At::Session, end(false, true, 1), S::Ending, vec![CancelChooser, ShowWindow, Show(S::Ending), bound(1), visit(0, 1)]),
        (At::Session, end(false, false, 0), S::Goodbye, then_goodbye(vec![CancelChooser, ShowWindow, Show(S::Ending)])),
        (At::Picker, end(true, true, 0), S::Takeaway, vec![CancelChooser, ShowWindow, Show(S::Takeaway)]),
        (At::Countdown, end(false, true, 0), S::Goodbye, then_goodbye(vec![CancelChooser, ShowWindow, Show(S::Ending)])),
        (At::Welcome, end(true, false, 0), S::Goodbye, then_goodbye(vec![CancelChooser, ShowWindow, Show(S::Ending)])),
        // screen: paused / out of order, over anything.
        (At::Hidden, I::Screen(Notice::OutOfOrder), S::OutOfOrder, notice(S::OutOfOrder)),
        (At::Welcome, I::Screen(Notice::Paused), S::Paused, notice(S::Paused)),
        (At::Session, I::Screen(Notice::Paused), S::Paused, notice(S::Paused)),
        (At::Ending, I::Screen(Notice::OutOfOrder), S::OutOfOrder, notice(S::OutOfOrder)),
        (At::Paused, I::Screen(Notice::OutOfOrder), S::OutOfOrder, notice(S::OutOfOrder)),
    ];
    check(rows);
}

#[test]
fn toolbar_buttons() {
    #[rustfmt::skip]
    let rows = vec![
        (At::Welcome, open(), S::Session, vec![Show(S::Session), load(true)]),
        // An unknown service id, or a spare not started: nothing.
        (At::Welcome, I::Open { start_url: None }, S::Welcome, vec![]),
        (At::Hidden, open(), S::Welcome, vec![]),
        // Home: the services inside the session; back to the page without loading it.
        (At::Session, I::Home, S::Services, vec![Show(S::Services)]),
        (At::Services, I::Close, S::Session, vec![Show(S::Session)]),
        (At::Services, open(), S::Session, vec![Show(S::Session), load(true)]),
        (At::Session, I::Back, S::Session, vec![GoBack]),
        (At::Session, I::Zoom(ZoomDir::In), S::Session, vec![Zoom(ZoomDir::In)]),
        (At::Session, I::Zoom(ZoomDir::Out), S::Session, vec![Zoom(ZoomDir::Out)]),
        (At::Session, I::Documents, S::Documents, vec![Show(S::Documents)]),
        (At::Documents, I::Close, S::Session, vec![Show(S::Session)]),
        // End asks once: "no" goes back to where it was pressed, "yes" tells guichetd.
        (At::Session, I::End, S::ConfirmEnd, vec![Show(S::ConfirmEnd)]),
        (At::Services, I::End, S::ConfirmEnd, vec![Show(S::ConfirmEnd)]),
        (At::ConfirmEnd, I::Close, S::Session, vec![Show(S::Session)]),
        (At::ConfirmEnd, I::EndConfirmed, S::ConfirmEnd, vec![Report(FromView::EndRequested)]),
        // Still here: reported at once (not throttled); guichetd answers `cancel_countdown`.
        (At::Countdown, I::StillHere, S::Countdown, vec![Report(FromView::Activity)]),
        (At::Takeaway, I::Finish, S::Ending, vec![Show(S::Ending), bound(1), visit(0, 1)]),
        (At::Picker, I::Pick { index: 1 }, S::Session, vec![SelectFile(1), Show(S::Session)]),
        (At::Picker, I::PickCancel, S::Session, vec![CancelChooser, Show(S::Session)]),
    ];
    check(rows);
}

/// The inputs that count only on some screens, and where they count.
fn accepted(input: &Input, screen: UiScreen, started: bool) -> bool {
    match input {
        I::Open { .. } => (screen == S::Welcome && started) || screen == S::Services,
        I::Home | I::Back | I::Zoom(_) | I::Documents => screen == S::Session,
        I::Close => matches!(screen, S::Documents | S::Services | S::ConfirmEnd),
        I::End => matches!(screen, S::Session | S::Services),
        I::EndConfirmed => screen == S::ConfirmEnd,
        I::StillHere | I::CancelCountdown => screen == S::Countdown,
        I::Finish => screen == S::Takeaway,
        I::Pick { .. } | I::PickCancel => screen == S::Picker,
        other => unreachable!("{other:?} is not screen-guarded"),
    }
}

#[test]
fn every_screen_ignores_the_buttons_that_are_not_its_own() {
    #[rustfmt::skip]
    let guarded = [
        open(), I::Home, I::Back, I::Zoom(ZoomDir::In), I::Documents, I::Close, I::End,
        I::EndConfirmed, I::StillHere, I::Finish, I::Pick { index: 0 }, I::PickCancel, I::CancelCountdown,
    ];
    let mut ignored = 0;
    for from in ALL {
        for input in &guarded {
            let mut m = at(from);
            let before = m.clone();
            let out = m.handle(input.clone());
            if accepted(input, before.screen, before.started) {
                assert!(!out.is_empty(), "{input:?} on {from:?} did nothing");
            } else {
                assert_eq!((out, &m), (vec![], &before), "{input:?} on {from:?}");
                ignored += 1;
            }
        }
    }
    assert_eq!(ignored, ALL.len() * guarded.len() - 17);
}

#[test]
fn a_countdown_returns_to_the_screen_under_it() {
    let cancel = |from: At, under: UiScreen| {
        let mut m = drive(
            at(from),
            vec![I::Countdown {
                reason: CountdownReason::Idle,
                seconds: 9,
            }],
        );
        assert_eq!(m.countdown(), 9);
        let out = m.handle(I::CancelCountdown);
        assert_eq!((m.screen(), out), (under, vec![Show(under)]), "{from:?}");
    };
    cancel(At::Welcome, S::Welcome);
    cancel(At::Session, S::Session);
    cancel(At::Documents, S::Documents);
    cancel(At::Picker, S::Picker);
    // A second countdown updates the seconds and keeps what is under it.
    let mut m = drive(
        at(At::Countdown),
        vec![I::Countdown {
            reason: CountdownReason::Idle,
            seconds: 5,
        }],
    );
    assert_eq!(m.countdown(), 5);
    assert_eq!(m.handle(I::CancelCountdown), vec![Show(S::Session)]);
    // Other screens are not remembered: the screen under the last temporary one comes back
    // (the welcome under the session here; the session under the closed documents below).
    cancel(At::Takeaway, S::Welcome);
    let mut m = drive(
        at(At::Documents),
        vec![
            I::Close,
            I::Screen(Notice::Paused),
            I::Countdown {
                reason: CountdownReason::Idle,
                seconds: 9,
            },
        ],
    );
    assert_eq!(m.handle(I::CancelCountdown), vec![Show(S::Session)]);
}

#[test]
fn the_picker_opens_over_the_session_only() {
    for from in ALL {
        let mut m = at(from);
        let before = m.clone();
        let out = m.handle(I::OpenPicker);
        if from == At::Session {
            assert_eq!((m.screen(), out), (S::Picker, vec![Show(S::Picker)]));
        } else {
            // Any other screen answers the page's file chooser with "cancelled".
            assert_eq!((out, &m), (vec![CancelChooser], &before), "{from:?}");
        }
    }
}

#[test]
fn the_first_frame_after_start_is_reported_once() {
    let mut m = at(At::Hidden);
    assert!(m.handle(I::Painted).is_empty());
    m.handle(START);
    assert_eq!(m.handle(I::Painted), vec![Report(FromView::Shown)]);
    assert!(m.handle(I::Painted).is_empty());
    assert_eq!(m.screen(), S::Welcome);
}

#[test]
fn start_opens_the_start_url_when_there_is_one() {
    let mut m = Screens::new(Some(URL.into()));
    let out = m.handle(START);
    assert_eq!(
        out,
        vec![ShowWindow, Show(S::Session), load(false), AskPainted]
    );
    assert_eq!(m.screen(), S::Session);
    assert!(m.handle(START).is_empty());
}

#[test]
fn logouts_are_visited_one_by_one_then_goodbye() {
    let mut m = at(At::Ending);
    // The first visit's load ends: the next one, visit 3 (moving on drops the number of the
    // visit that ended, so its timeout is stale either way).
    assert_eq!(m.handle(I::VisitDone), vec![visit(1, 3)]);
    assert!(m.handle(I::LogoutTimeout(1)).is_empty());
    assert_eq!(m.screen(), S::Ending);
    // The second one times out: goodbye, once.
    assert_eq!(m.handle(I::LogoutTimeout(3)), then_goodbye(vec![]));
    assert_eq!(m.screen(), S::Goodbye);
    assert!(m.handle(I::VisitDone).is_empty());
    assert!(m.handle(I::LogoutTimeout(3)).is_empty());
}

#[test]
fn a_timeout_moves_on_like_the_end_of_the_load() {
    let mut m = at(At::Ending);
    assert_eq!(m.handle(I::LogoutTimeout(1)), vec![visit(1, 3)]);
    assert_eq!(m.handle(I::VisitDone), then_goodbye(vec![]));
}

#[test]
fn visits_count_only_while_visiting() {
    for from in ALL.into_iter().filter(|a| *a != At::Ending) {
        let mut m = at(from);
        let before = m.clone();
        for input in [I::VisitDone, I::LogoutTimeout(1), I::LogoutTimeout(2)] {
            assert!(m.handle(input).is_empty(), "{from:?}");
        }
        assert_eq!(m, before, "{from:?}");
    }
}

#[test]
fn a_second_end_session_starts_the_end_flow_again() {
    // If guichetd asks again while a logout is visited: take-away again, and the pending
    // visit's timeout only ends that visit.
    let mut m = at(At::Ending);
    let out = m.handle(end(true, true, 1));
    assert_eq!(out, vec![CancelChooser, ShowWindow, Show(S::Takeaway)]);
    assert_eq!(m.handle(I::LogoutTimeout(1)), vec![DisarmVisit]);
    assert_eq!(m.screen(), S::Takeaway);
    assert_eq!(
        m.handle(I::Finish),
        vec![Show(S::Ending), bound(2), visit(0, 3)]
    );
    assert_eq!(m.handle(I::VisitDone), then_goodbye(vec![]));
}

#[test]
fn a_whole_session() {
    let mut m = Screens::new(None);
    let mut all = Vec::new();
    #[rustfmt::skip]
    let inputs = [
        START, I::Painted, open(), I::Documents, I::Close, I::OpenPicker, I::Pick { index: 0 },
        I::End, I::EndConfirmed, end(true, true, 1), I::Finish, I::VisitDone,
    ];
    for input in inputs {
        all.extend(m.handle(input));
    }
    #[rustfmt::skip]
    let expected = then_goodbye(vec![
        ShowWindow, Show(S::Welcome), AskPainted, Report(FromView::Shown),
        Show(S::Session), load(true),
        Show(S::Documents), Show(S::Session),
        Show(S::Picker), SelectFile(0), Show(S::Session),
        Show(S::ConfirmEnd), Report(FromView::EndRequested),
        CancelChooser, ShowWindow, Show(S::Takeaway),
        Show(S::Ending), bound(1), visit(0, 1),
    ]);
    assert_eq!(all, expected);
}
