//! Every screen and notice of the toolbar page is written, in every language, in high
//! contrast too, with the services' filter box typed in.

use super::*;

/// Every screen; a new one does not compile here until it is listed.
fn every_screen() -> Vec<UiScreen> {
    use UiScreen::*;
    let all = vec![
        Welcome, Session, Services, ConfirmEnd, Report, Documents, Countdown, Takeaway, Picker,
        Language, Ending, Goodbye, Paused, OutOfOrder,
    ];
    for s in &all {
        match s {
            Welcome | Session | Services | ConfirmEnd | Report | Documents | Countdown
            | Takeaway | Picker | Language | Ending | Goodbye | Paused | OutOfOrder => {}
        }
    }
    all
}

#[test]
fn every_screen_and_notice_is_written_in_every_language() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("kiosk-config/guichet.toml");
    let config = Config::load(&path).expect("the example config loads");
    for lang in Lang::ALL {
        let cases = toolbar_cases(&config, lang, false);
        // In high contrast too: every screen, each case in it.
        let hc = toolbar_cases(&config, lang, true);
        assert_eq!(hc.len(), cases.len(), "{lang:?}");
        assert!(hc
            .iter()
            .all(|c| c.state.high_contrast && c.name.ends_with("-hc")));
        assert!(cases.iter().all(|c| !c.state.high_contrast));
        for screen in every_screen() {
            assert!(
                cases.iter().any(|c| c.state.screen == screen),
                "{screen:?} {lang:?}"
            );
        }
        let services = |with: bool| {
            cases
                .iter()
                .any(|c| c.state.screen == UiScreen::Services && c.state.service.is_some() == with)
        };
        assert!(services(true) && services(false), "{lang:?}");
        // The services' filter box: typed on the welcome and the services screen (found
        // and nothing found), and a welcome with too few services to have one.
        for screen in [UiScreen::Welcome, UiScreen::Services] {
            let typed: Vec<_> = cases
                .iter()
                .filter(|c| c.state.screen == screen && c.filter.is_some())
                .collect();
            assert_eq!(typed.len(), 2, "{screen:?} {lang:?}");
            assert!(typed.iter().all(|c| c.state.filter), "{lang:?}");
        }
        assert!(cases
            .iter()
            .any(|c| c.state.screen == UiScreen::Welcome && !c.state.filter));
        for reason in [CountdownReason::Idle, CountdownReason::MaxDuration] {
            assert!(cases.iter().any(
                |c| c.state.screen == UiScreen::Countdown && c.state.countdown_reason == reason
            ));
        }
        let notices: std::collections::HashSet<_> = cases
            .iter()
            .filter(|c| c.bar)
            .map(|c| c.state.notice)
            .collect();
        // None, saved, helper called, problem reported, the six refusals, and a page's
        // print sent, queued and over the limit.
        assert_eq!(notices.len(), 13, "{lang:?}: {notices:?}");
        assert!(cases
            .iter()
            .all(|c| c.bar == (c.state.screen == UiScreen::Session)));
    }
}
