//! Table tests of what the trusted screens tell the person: the two countdowns, and the
//! toolbar's notices (downloads saved or refused).

use super::tests::{at, drive, end, At};
use super::Notice as Told;
use super::*;
use crate::view::downloads::Refusal;
use Input as I;
use Output::*;
use UiScreen as S;

#[test]
fn the_max_duration_countdown_offers_no_choice_that_does_nothing() {
    let mut s = Screens::new(None);
    s.handle(I::Start { goodbye: false });
    s.handle(I::Open {
        start_url: Some("https://www.myminfin.be/".into()),
    });
    assert_eq!(s.screen(), S::Session);
    s.handle(I::Countdown {
        reason: CountdownReason::MaxDuration,
        seconds: 120,
    });
    assert_eq!(s.screen(), S::Countdown);
    assert_eq!(s.countdown_reason(), CountdownReason::MaxDuration);
    // "I'm still here" is not offered: a forged one reports nothing and changes nothing.
    assert!(s.handle(I::StillHere).is_empty());
    assert_eq!(s.screen(), S::Countdown);
    // "Back to my page" does what it says; the session still ends on time (guichetd's timer).
    assert_eq!(s.handle(I::Close), vec![Show(S::Session)]);
    // The idle countdown still offers "I'm still here", reported at once.
    s.handle(I::Countdown {
        reason: CountdownReason::Idle,
        seconds: 30,
    });
    assert_eq!(s.handle(I::StillHere), vec![Report(FromView::Activity)]);
    assert!(s.handle(I::Close).is_empty());
}

#[test]
fn a_notice_shows_on_the_toolbar_until_read_and_never_after_the_session() {
    let refused = Told::Refused(Refusal::NotByYou);
    // On the toolbar: drawn at once, then gone once read.
    let mut m = at(At::Session);
    assert_eq!(m.handle(I::Notice(refused)), vec![Show(S::Session)]);
    assert_eq!(m.notice(), Some(refused));
    let saved = Told::Saved;
    assert_eq!(m.handle(I::Notice(saved)), vec![Show(S::Session)]);
    assert_eq!(
        m.notice(),
        Some(saved),
        "the latest notice replaces the one before"
    );
    assert_eq!(m.handle(I::NoticeSeen), vec![Show(S::Session)]);
    assert_eq!(m.notice(), None);
    assert!(m.handle(I::NoticeSeen).is_empty());
    // Under a full-window screen of the session: kept, drawn when the toolbar is back.
    for from in [At::Welcome, At::Documents, At::Picker, At::Countdown] {
        let mut m = at(from);
        assert!(m.handle(I::Notice(refused)).is_empty(), "{from:?}");
        assert_eq!(m.notice(), Some(refused), "{from:?}");
    }
    let mut m = at(At::Documents);
    m.handle(I::Notice(refused));
    assert_eq!(m.handle(I::Close), vec![Show(S::Session)]);
    assert_eq!(m.notice(), Some(refused));
    // Not before the session, not while it ends; ending drops it.
    for from in [
        At::Hidden,
        At::OutOfOrder,
        At::Takeaway,
        At::Ending,
        At::Goodbye,
    ] {
        let mut m = at(from);
        assert!(m.handle(I::Notice(refused)).is_empty(), "{from:?}");
        assert_eq!(m.notice(), None, "{from:?}");
    }
    let mut m = at(At::Session);
    m.handle(I::Notice(refused));
    m.handle(end(false, false, 0));
    assert_eq!(m.notice(), None);
}

#[test]
fn after_a_countdown_over_the_picker_the_picker_stays() {
    // Today's behaviour, kept by this refactoring: the countdown remembers the picker as the
    // screen under it, and the picker then returns to that screen, itself. The session comes
    // back only with the end of the session.
    let mut m = drive(
        at(At::Picker),
        vec![
            I::Countdown {
                reason: CountdownReason::Idle,
                seconds: 9,
            },
            I::CancelCountdown,
        ],
    );
    let out = m.handle(I::Pick { index: 0 });
    assert_eq!(out, vec![SelectFile(0), Show(S::Picker)]);
    let out = m.handle(I::PickCancel);
    assert_eq!(out, vec![CancelChooser, Show(S::Picker)]);
}
