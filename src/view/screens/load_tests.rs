//! Table tests: the content view's loads — response timers, error pages, retries — on every
//! screen. Each row feeds one input and checks the outputs, in order.

use std::time::Duration;

use super::tests::{at, failed, load, shown_error, At, ALL, URL};
use super::*;
use crate::policy::BlockReason;
use Input as I;
use Output::*;

const ERROR_PAGE: &str = "guichet://error/?kind=timeout&lang=fr";

fn started(url: &str) -> Input {
    I::LoadStarted {
        url: url.into(),
        form: false,
    }
}

fn committed(url: &str) -> Input {
    I::LoadCommitted { url: url.into() }
}

/// The automatic retry's timer number `seq`, due in `secs`.
fn armed_retry(seq: u32, secs: u64) -> Output {
    ArmRetry {
        seq,
        after: std::time::Duration::from_secs(secs),
    }
}

fn arm(seq: u32, secs: u64) -> Output {
    ArmLoadTimer {
        seq,
        after: Duration::from_secs(secs),
    }
}

/// Feeds the rows in order to a machine in state `from`.
fn check(from: At, rows: Vec<(Input, Vec<Output>)>) {
    let mut m = at(from);
    for (input, expected) in rows {
        let out = m.handle(input.clone());
        assert_eq!(out, expected, "{input:?} from {from:?}");
    }
}

#[test]
fn a_load_that_never_answers_gets_the_error_page_within_seconds() {
    check(
        At::Session,
        vec![
            (started(URL), vec![arm(1, 4)]),
            (
                I::LoadTimeout(1),
                vec![shown_error(ErrorKind::Timeout, Some(3)), armed_retry(1, 3)],
            ),
            // The error page is no web load: no timer. A stale timer does nothing.
            (started(ERROR_PAGE), vec![]),
            (committed(ERROR_PAGE), vec![]),
            (I::LoadTimeout(1), vec![]),
        ],
    );
}

#[test]
fn redirects_arm_the_timer_again_and_a_commit_disarms_it() {
    check(
        At::Session,
        vec![
            (started(URL), vec![arm(1, 4)]),
            (I::LoadRedirected, vec![arm(2, 4)]),
            (I::LoadTimeout(1), vec![]),
            (committed(URL), vec![]),
            (I::LoadTimeout(2), vec![]),
            // A redirect with no load under way arms nothing.
            (I::LoadRedirected, vec![]),
        ],
    );
}

#[test]
fn a_form_submission_waits_longest() {
    check(
        At::Session,
        vec![(
            I::LoadStarted {
                url: URL.into(),
                form: true,
            },
            vec![arm(1, 45)],
        )],
    );
}

#[test]
fn the_same_address_failing_again_waits_longer_until_a_page_commits() {
    let error = |secs| shown_error(ErrorKind::Network, Some(secs));
    check(
        At::Session,
        vec![
            (started(URL), vec![arm(1, 4)]),
            (
                failed(ErrorKind::Network),
                vec![error(3), armed_retry(1, 3)],
            ),
            // The automatic retry (the view's timer) loads the address again.
            (I::RetryDue(1), vec![load(false)]),
            (started(URL), vec![arm(2, 10)]),
            (
                failed(ErrorKind::Network),
                vec![error(10), armed_retry(2, 10)],
            ),
            (started(URL), vec![arm(3, 30)]),
            (
                I::LoadTimeout(3),
                vec![
                    shown_error(ErrorKind::Timeout, Some(30)),
                    armed_retry(3, 30),
                ],
            ),
            (started(URL), vec![arm(4, 30)]),
            (committed(URL), vec![]),
            // It works again: the next failure is a first one.
            (
                failed(ErrorKind::Site),
                vec![shown_error(ErrorKind::Site, Some(3)), armed_retry(4, 3)],
            ),
        ],
    );
}

#[test]
fn the_network_coming_back_retries_the_failed_address_once() {
    check(
        At::Session,
        vec![
            // Nothing failed: nothing to retry.
            (I::NetworkBack, vec![]),
            (started(URL), vec![arm(1, 4)]),
            (
                failed(ErrorKind::Network),
                vec![shown_error(ErrorKind::Network, Some(3)), armed_retry(1, 3)],
            ),
            (started(ERROR_PAGE), vec![]),
            (committed(ERROR_PAGE), vec![]),
            (
                I::NetworkBack,
                vec![Load {
                    url: URL.into(),
                    by_person: false,
                }],
            ),
            (started(URL), vec![arm(2, 10)]),
            // Already trying.
            (I::NetworkBack, vec![]),
            (committed(URL), vec![]),
            (I::NetworkBack, vec![]),
        ],
    );
}

#[test]
fn pages_of_other_schemes_have_no_retry() {
    check(
        At::Session,
        vec![(
            I::LoadFailed {
                url: "about:blank".into(),
                kind: ErrorKind::Network,
            },
            vec![ShowError {
                kind: ErrorKind::Network,
                retry: None,
            }],
        )],
    );
}

#[test]
fn once_the_session_ends_loads_show_nothing_and_arm_nothing() {
    for from in ALL {
        let ending = matches!(from, At::Takeaway | At::Ending | At::Goodbye);
        for input in [
            started(URL),
            I::LoadRedirected,
            committed(URL),
            failed(ErrorKind::Timeout),
            I::LoadTimeout(1),
            I::NetworkBack,
        ] {
            let mut m = at(from);
            let screen = m.screen();
            let out = m.handle(input.clone());
            assert_eq!(m.screen(), screen, "{input:?} on {from:?}");
            if ending {
                assert!(out.is_empty(), "{input:?} on {from:?}: {out:?}");
            }
        }
    }
    // A load timer armed before the end never fires an error page after it.
    let mut m = at(At::Session);
    assert_eq!(m.handle(started(URL)), vec![arm(1, 4)]);
    m.handle(I::EndSession {
        takeaway: false,
        has_downloads: false,
        logouts: vec![],
    });
    assert!(m.handle(I::LoadTimeout(1)).is_empty());
}

/// The automatic retry is a timer of the view (a page refreshing itself on a timer fails WCAG
/// 2.2.1): it loads the failed address once, unless something else happened first.
#[test]
fn the_automatic_retry_loads_the_failed_address_unless_something_happened_since() {
    check(
        At::Session,
        vec![
            (started(URL), vec![arm(1, 4)]),
            (
                failed(ErrorKind::Network),
                vec![shown_error(ErrorKind::Network, Some(3)), armed_retry(1, 3)],
            ),
            (started(ERROR_PAGE), vec![]),
            (committed(ERROR_PAGE), vec![]),
            // The person pressed Retry first: it failed again, with its own timer.
            (started(URL), vec![arm(2, 10)]),
            (I::RetryDue(1), vec![]),
            (
                failed(ErrorKind::Network),
                vec![
                    shown_error(ErrorKind::Network, Some(10)),
                    armed_retry(2, 10),
                ],
            ),
            // The first timer is stale; the second retries.
            (I::RetryDue(1), vec![]),
            (I::RetryDue(2), vec![load(false)]),
            (started(URL), vec![arm(3, 30)]),
            (committed(URL), vec![]),
            // A page is on screen: nothing to retry.
            (I::RetryDue(2), vec![]),
        ],
    );
}

#[test]
fn the_content_view_shows_its_pages_until_the_session_ends() {
    let reason = BlockReason::NotListed;
    for from in ALL {
        let ending = matches!(from, At::Takeaway | At::Ending | At::Goodbye);
        let started = !matches!(from, At::Hidden | At::OutOfOrder);
        let screen = at(from).screen();
        #[rustfmt::skip]
        let cases = [
            (I::Blocked(reason), vec![ShowBlocked(reason)], started && !ending),
            (
                failed(ErrorKind::Network),
                vec![shown_error(ErrorKind::Network, Some(3)), armed_retry(1, 3)],
                !ending,
            ),
            (failed(ErrorKind::Tls), vec![shown_error(ErrorKind::Tls, None)], !ending),
            (I::LoadInContent { url: URL.into(), by_person: true }, vec![load(true)], !ending),
            (I::LoadInContent { url: URL.into(), by_person: false }, vec![load(false)], !ending),
        ];
        for (input, shown, shows) in cases {
            let mut m = at(from);
            let out = m.handle(input.clone());
            let expected = if shows { shown } else { vec![] };
            assert_eq!(
                (m.screen(), out),
                (screen, expected),
                "{input:?} on {from:?}"
            );
        }
    }
}
