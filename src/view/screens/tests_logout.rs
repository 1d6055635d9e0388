//! Table tests: the logout visits' timeouts, each and in all.

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
