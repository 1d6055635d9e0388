//! Table tests: the logout visits' timeouts, each and in all, and the end flow played on a
//! virtual clock (no sleeping).

use std::time::Duration;

use super::tests::{bound, drive, end, then_goodbye, visit};
use super::*;
use Input as I;
use Output::*;
use UiScreen as S;

/// A visit may take 5 s, all of them 15 s: a dead logout page never holds the wipe back longer.
#[test]
fn logout_timeouts_are_5_s_each_and_15_s_in_all() {
    assert_eq!(LOGOUT_VISIT_TIMEOUT, Duration::from_secs(5));
    assert_eq!(LOGOUT_TOTAL_TIMEOUT, Duration::from_secs(15));
    // (logout URLs, inputs after the first visit, outputs of the last input, screen after)
    #[rustfmt::skip]
    let rows: Vec<(usize, Vec<Input>, Vec<Output>, S)> = vec![
        // The bound ends the visit under way and skips the rest: goodbye at once.
        (2, vec![I::LogoutsBound(1)], then_goodbye(vec![]), S::Goodbye),
        (5, vec![I::VisitDone, I::LogoutTimeout(3), I::LogoutsBound(1)], then_goodbye(vec![]), S::Goodbye),
        // The timeout of an abandoned visit, or a load ending after the bound, does nothing.
        (2, vec![I::LogoutsBound(1), I::LogoutTimeout(1)], vec![], S::Goodbye),
        (2, vec![I::LogoutsBound(1), I::VisitDone], vec![], S::Goodbye),
        // A bound after the visits are done, or of another end flow, does nothing.
        (2, vec![I::VisitDone, I::VisitDone, I::LogoutsBound(1)], vec![], S::Goodbye),
        (2, vec![I::LogoutsBound(2)], vec![], S::Ending),
        (2, vec![I::LogoutsBound(0)], vec![], S::Ending),
        // Each visit has its own 5 s.
        (3, vec![I::LogoutTimeout(1)], vec![visit(1, 3)], S::Ending),
    ];
    for (urls, inputs, want, screen) in rows {
        let mut m = drive(
            Screens::new(None),
            vec![I::Start { goodbye: false }, I::Painted],
        );
        let first = m.handle(end(false, false, urls));
        assert_eq!(
            first,
            vec![
                CancelChooser,
                ShowWindow,
                Show(S::Ending),
                bound(1),
                visit(0, 1)
            ]
        );
        let mut last = Vec::new();
        for input in inputs.clone() {
            last = m.handle(input);
        }
        assert_eq!((last, m.screen()), (want, screen), "{urls} {inputs:?}");
    }
    // No logout URL: no bound to arm.
    let mut m = drive(
        Screens::new(None),
        vec![I::Start { goodbye: false }, I::Painted],
    );
    let out = m.handle(end(false, false, 0));
    assert!(
        !out.iter().any(|o| matches!(o, BoundLogouts { .. })),
        "{out:?}"
    );
}

/// Logout pages that never answer, on a virtual clock: the timers the machine asks for (each
/// visit's 5 s, the bound's 15 s) fire in time order, each feeding its input back, until
/// goodbye. It comes at 5 s a visit while that stays under 15 s, and at 15 s however many
/// services were used: the bound, not the sum of the visits, is what the wipe waits for.
#[test]
fn dead_logout_pages_end_at_15_s_in_all_on_a_virtual_clock() {
    for (urls, secs) in [(1, 5), (2, 10), (3, 15), (4, 15), (8, 15)] {
        let mut m = drive(
            Screens::new(None),
            vec![I::Start { goodbye: false }, I::Painted],
        );
        let mut now = Duration::ZERO;
        // The armed timers: when each fires, and its input.
        let mut timers: Vec<(Duration, Input)> = Vec::new();
        let mut visits = 0;
        let mut out = m.handle(end(false, false, urls));
        while !out.contains(&Report(FromView::Ended)) {
            for o in &out {
                match o {
                    VisitLogout { seq, timeout, .. } => {
                        visits += 1;
                        timers.push((now + *timeout, I::LogoutTimeout(*seq)));
                    }
                    BoundLogouts { round, after } => {
                        timers.push((now + *after, I::LogoutsBound(*round)));
                    }
                    _ => {}
                }
            }
            // The earliest timer (of two at the same time, the one armed first).
            let next = (0..timers.len())
                .min_by_key(|&i| timers[i].0)
                .unwrap_or_else(|| panic!("{urls} URLs: no timer left before goodbye"));
            let (when, input) = timers.remove(next);
            now = when;
            out = m.handle(input);
        }
        assert_eq!(
            (now, m.screen()),
            (Duration::from_secs(secs), S::Goodbye),
            "{urls} URLs, {visits} visits"
        );
        // The timers still armed then (the abandoned visit's, or the bound) change nothing.
        for (_, input) in timers {
            assert_eq!(m.handle(input), vec![], "{urls} URLs");
        }
        assert_eq!(m.screen(), S::Goodbye);
    }
}
