//! Table tests of the toolbar's Forward, Reload and language buttons: each acts on the
//! session's page only, and the languages screen, over the page, goes back to it.

use super::tests::{at, drive, At, ALL};
use super::*;
use Input as I;
use Output::*;
use UiScreen as S;

#[test]
fn forward_reload_and_the_languages_from_the_toolbar() {
    #[rustfmt::skip]
    let rows = vec![
        (I::Forward, S::Session, vec![GoForward]),
        (I::Reload, S::Session, vec![Reload]),
        (I::Languages, S::Language, vec![Show(S::Language)]),
    ];
    for (input, to, expected) in rows {
        let mut m = at(At::Session);
        let out = m.handle(input.clone());
        assert_eq!((m.screen(), out), (to, expected), "{input:?}");
    }
    // Choosing a language, or "back to my page", returns to the page as it was: nothing is
    // loaded again.
    for input in [I::LangChosen, I::Close] {
        let mut m = drive(at(At::Session), vec![I::Languages]);
        assert_eq!(m.handle(input.clone()), vec![Show(S::Session)], "{input:?}");
        assert_eq!(m.screen(), S::Session);
    }
}

#[test]
fn only_the_sessions_toolbar_has_forward_reload_and_languages() {
    for from in ALL {
        for input in [I::Forward, I::Reload, I::Languages, I::LangChosen] {
            let mut m = at(from);
            let before = m.clone();
            let out = m.handle(input.clone());
            let acts = from == At::Session && input != I::LangChosen;
            if acts {
                assert!(!out.is_empty(), "{input:?} on {from:?}");
            } else {
                // A language chosen on the welcome or the services screen stays there.
                assert_eq!((out, &m), (vec![], &before), "{input:?} on {from:?}");
            }
        }
    }
}

#[test]
fn a_countdown_over_the_languages_returns_to_them() {
    let mut m = drive(
        at(At::Session),
        vec![
            I::Languages,
            I::Countdown {
                reason: CountdownReason::Idle,
                seconds: 9,
            },
        ],
    );
    assert_eq!(m.screen(), S::Countdown);
    assert_eq!(m.handle(I::CancelCountdown), vec![Show(S::Language)]);
}
