//! Table tests of "a session always looks like a session": Home shows the services inside
//! the session and never the welcome, "back to my page" does not load the page again, End
//! asks once, and a view started after a session says goodbye before its welcome.

use super::tests::{at, drive, end, open, At, URL};
use super::*;
use crate::protocol::view::Screen as Notice;
use crate::view::toolbar::ZoomDir;
use Input as I;
use Output::*;
use UiScreen as S;

/// Every button the person can press, on any screen.
fn buttons() -> Vec<Input> {
    vec![
        open(),
        I::Home,
        I::Back,
        I::Forward,
        I::Reload,
        I::Languages,
        I::LangChosen,
        I::Zoom(ZoomDir::In),
        I::Documents,
        I::Close,
        I::End,
        I::CallHelper,
        I::Report,
        I::Problem(crate::stats::ProblemKind::LoginFails),
        I::EndConfirmed,
        I::StillHere,
        I::Finish,
        I::Pick { index: 0 },
        I::PickCancel,
        I::OpenPicker,
    ]
}

#[test]
fn once_a_session_is_open_no_button_leads_back_to_the_welcome() {
    // Every sequence of three presses from every screen of an open session.
    let open_session = [
        At::Session,
        At::Services,
        At::ConfirmEnd,
        At::Documents,
        At::Picker,
    ];
    let all = buttons();
    for from in open_session {
        for a in &all {
            for b in &all {
                for c in &all {
                    let mut m = at(from);
                    for input in [a, b, c] {
                        m.handle(input.clone());
                        assert_ne!(m.screen(), S::Welcome, "{from:?}: {a:?}, {b:?}, {c:?}");
                    }
                }
            }
        }
    }
}

#[test]
fn home_then_back_to_my_page_keeps_the_page_as_it_was() {
    let mut m = at(At::Session);
    assert_eq!(m.handle(I::Home), vec![Show(S::Services)]);
    // The content view is only sized back: no load, no blank, no history step.
    assert_eq!(m.handle(I::Close), vec![Show(S::Session)]);
    // Another service from the services screen opens inside the same session.
    m.handle(I::Home);
    let out = m.handle(open());
    assert_eq!(
        out,
        vec![
            Show(S::Session),
            Load {
                url: URL.into(),
                by_person: true
            }
        ]
    );
}

#[test]
fn end_asks_once_and_no_returns_where_it_was_asked() {
    for (from, under) in [(At::Session, S::Session), (At::Services, S::Services)] {
        let mut m = at(from);
        assert_eq!(m.handle(I::End), vec![Show(S::ConfirmEnd)]);
        assert_eq!(m.handle(I::Close), vec![Show(under)], "{from:?}");
    }
    // Yes: guichetd is told, and its end_session starts the end flow.
    let mut m = at(At::ConfirmEnd);
    assert_eq!(
        m.handle(I::EndConfirmed),
        vec![Report(FromView::EndRequested)]
    );
    let out = m.handle(end(false, false, 0));
    assert_eq!(m.screen(), S::Goodbye, "{out:?}");
}

#[test]
fn idle_and_max_duration_endings_skip_the_question() {
    // guichetd's end_session (idle, max duration, staff) ends from the question too.
    for from in [At::Session, At::Services, At::ConfirmEnd, At::Countdown] {
        let mut m = at(from);
        let out = m.handle(end(false, false, 0));
        assert!(!out.contains(&Show(S::ConfirmEnd)), "{from:?}");
        assert_eq!(m.screen(), S::Goodbye, "{from:?}");
    }
    // A countdown over the question returns to it.
    let mut m = drive(
        at(At::ConfirmEnd),
        vec![I::Countdown {
            reason: CountdownReason::Idle,
            seconds: 9,
        }],
    );
    assert_eq!(m.handle(I::CancelCountdown), vec![Show(S::ConfirmEnd)]);
}

#[test]
fn a_view_started_after_a_session_says_goodbye_then_welcomes() {
    let mut m = Screens::new(None);
    let out = m.handle(I::Start { goodbye: true });
    assert_eq!(out, vec![ShowWindow, Show(S::Goodbye), AskPainted]);
    // Goodbye is the first frame: `shown` now, the wait starts from it.
    assert_eq!(
        m.handle(I::Painted),
        vec![Report(FromView::Shown), ArmGoodbye { after: GOODBYE_MIN }]
    );
    assert!(GOODBYE_MIN >= Duration::from_secs(4));
    // No button of the welcome counts before it shows.
    for input in buttons() {
        let before = m.clone();
        m.handle(input.clone());
        assert_eq!(m, before, "{input:?} during goodbye");
    }
    assert_eq!(
        m.handle(I::GoodbyeOver),
        vec![DefaultLanguage, Show(S::Welcome)]
    );
    assert!(m.handle(I::GoodbyeOver).is_empty());
    // With a start page, the fresh session opens on it.
    let mut m = Screens::new(Some(URL.into()));
    m.handle(I::Start { goodbye: true });
    m.handle(I::Painted);
    assert_eq!(
        m.handle(I::GoodbyeOver),
        vec![
            DefaultLanguage,
            Show(S::Session),
            Load {
                url: URL.into(),
                by_person: false
            }
        ]
    );
    // A plain start arms nothing.
    let mut m = Screens::new(None);
    m.handle(I::Start { goodbye: false });
    assert_eq!(m.handle(I::Painted), vec![Report(FromView::Shown)]);
    assert!(m.handle(I::GoodbyeOver).is_empty());
    assert_eq!(m.screen(), S::Welcome);
}

#[test]
fn a_staff_screen_during_goodbye_stays() {
    let mut m = Screens::new(None);
    m.handle(I::Start { goodbye: true });
    m.handle(I::Painted);
    m.handle(I::Screen(Notice::Paused));
    assert!(m.handle(I::GoodbyeOver).is_empty());
    assert_eq!(m.screen(), S::Paused);
}

/// "Call the helper" tells guichetd (a flag in `guichetctl status`) and tells the person it
/// went, on the toolbar over their page; outside an open session it does nothing.
#[test]
fn call_the_helper_reports_it_and_says_so_on_the_toolbar() {
    for from in [At::Session, At::Services] {
        let mut m = at(from);
        let out = m.handle(I::CallHelper);
        assert!(
            out.contains(&Report(FromView::HelperCalled)),
            "{from:?}: {out:?}"
        );
        assert_eq!(m.screen(), S::Session, "{from:?}");
        assert_eq!(
            m.notice(),
            Some(super::io::Notice::HelperCalled),
            "{from:?}"
        );
    }
    for from in [At::Welcome, At::ConfirmEnd, At::Paused] {
        let mut m = at(from);
        let before = m.screen();
        let out = m.handle(I::CallHelper);
        assert!(out.is_empty(), "{from:?}: {out:?}");
        assert_eq!(m.screen(), before);
    }
}

/// "Report a problem" asks what went wrong; an answer is reported (the view adds the service
/// on screen) and thanked on the toolbar; cancel goes back to where it was asked.
#[test]
fn report_a_problem_asks_the_kind_then_reports_it_or_cancels() {
    use crate::stats::ProblemKind;
    for from in [At::Session, At::Services] {
        let mut m = at(from);
        m.handle(I::Report);
        assert_eq!(m.screen(), S::Report, "{from:?}");
        m.handle(I::Close);
        assert_eq!(m.screen(), at(from).screen(), "{from:?}: cancel");
        m.handle(I::Report);
        let out = m.handle(I::Problem(ProblemKind::CannotDownload));
        assert!(
            out.contains(&ReportProblem(ProblemKind::CannotDownload)),
            "{from:?}: {out:?}"
        );
        assert_eq!(m.screen(), S::Session);
        assert_eq!(m.notice(), Some(super::io::Notice::ProblemReported));
    }
    // No question outside an open session, and no answer without the question.
    for from in [At::Welcome, At::ConfirmEnd, At::Session] {
        let mut m = at(from);
        let out = m.handle(I::Problem(ProblemKind::Other));
        assert!(out.is_empty(), "{from:?}: {out:?}");
    }
    let mut m = at(At::Welcome);
    assert!(m.handle(I::Report).is_empty());
}
