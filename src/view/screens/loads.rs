//! The content view's main-frame loads, as far as the screens care: when a site has taken too
//! long to answer, which address failed and how often, and when to try it again.
//!
//! A load of a web address arms a response timer ([`response_timeout`]): a site that accepts
//! the connection and never answers gets the error page instead of a blank view, within
//! seconds. Each redirect re-arms it (the timer measures one request, not a whole chain); the
//! commit disarms it. A failure — a failed load, a timeout, a site error with no page — shows
//! the error page with the failed address, so its Retry link and the automatic retry
//! ([`retry_delay`], a timer of the view: a page that refreshes itself on a timer fails WCAG
//! 2.2.1) load that address again: an ordinary navigation, decided by the policy like any
//! other. The more often the same address fails, the longer the next try may take and the
//! longer the wait before it, so a slow but working site still loads and a dead one is not
//! hammered. A page that commits clears the count.

use std::time::Duration;

use super::super::pages::{ErrorKind, Retry};

/// How long the first request of a load may go unanswered. The first try is short so that the
/// person gets an answer within seconds; the later tries of the same address are longer.
const FIRST_TIMEOUT: Duration = Duration::from_secs(4);
const SECOND_TIMEOUT: Duration = Duration::from_secs(10);
const LATER_TIMEOUT: Duration = Duration::from_secs(30);
/// A form's submission may take a site long to process, and giving up on one leaves the
/// person unsure whether it went through: it gets the longest wait from the first try.
const FORM_TIMEOUT: Duration = Duration::from_secs(45);

/// How long a request may go unanswered, after `failures` failures of the same address.
pub(crate) fn response_timeout(failures: u32, form: bool) -> Duration {
    match (form, failures) {
        (true, _) => FORM_TIMEOUT,
        (false, 0) => FIRST_TIMEOUT,
        (false, 1) => SECOND_TIMEOUT,
        _ => LATER_TIMEOUT,
    }
}

/// Seconds the error page waits before it tries again by itself, after `failures` failures.
pub(crate) fn retry_delay(failures: u32) -> u32 {
    match failures {
        0 | 1 => 3,
        2 => 10,
        _ => 30,
    }
}

/// The load under way.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Loading {
    /// Number of its response timer; an older timer is stale.
    seq: u32,
    url: String,
    form: bool,
}

/// The address that failed last, and how many times in a row.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Failure {
    url: String,
    count: u32,
}

/// See the module documentation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Loads {
    seq: u32,
    loading: Option<Loading>,
    failure: Option<Failure>,
    /// Number of the latest automatic retry's timer; an older one is stale.
    retry_seq: u32,
}

/// Whether a load of `url` goes to the network (guichet's pages and `about:` do not).
fn is_web(url: &str) -> bool {
    url.starts_with("http://") || url.starts_with("https://")
}

impl Loads {
    fn failures_of(&self, url: &str) -> u32 {
        self.failure
            .as_ref()
            .filter(|f| f.url == url)
            .map_or(0, |f| f.count)
    }

    /// A main-frame load of `url` started: the response timer to arm, if any.
    pub(super) fn started(&mut self, url: &str, form: bool) -> Option<(u32, Duration)> {
        if !is_web(url) {
            self.loading = None;
            return None;
        }
        self.seq += 1;
        self.loading = Some(Loading {
            seq: self.seq,
            url: url.to_owned(),
            form,
        });
        Some((self.seq, response_timeout(self.failures_of(url), form)))
    }

    /// The load was redirected: the timer starts again for the next request.
    pub(super) fn redirected(&mut self) -> Option<(u32, Duration)> {
        let loading = self.loading.as_mut()?;
        self.seq += 1;
        loading.seq = self.seq;
        let failures = self
            .failure
            .as_ref()
            .filter(|f| f.url == loading.url)
            .map_or(0, |f| f.count);
        Some((self.seq, response_timeout(failures, loading.form)))
    }

    /// The load committed: a web page is on screen, so its address works again.
    pub(super) fn committed(&mut self, url: &str) {
        self.loading = None;
        if is_web(url) {
            self.failure = None;
        }
    }

    /// A load of `url` failed: what the error page offers.
    pub(super) fn failed(&mut self, url: &str, kind: ErrorKind) -> Option<Retry> {
        self.loading = None;
        if !is_web(url) {
            return None;
        }
        let count = self.failures_of(url) + 1;
        self.failure = Some(Failure {
            url: url.to_owned(),
            count,
        });
        Some(Retry {
            url: url.to_owned(),
            after_secs: (kind != ErrorKind::Tls).then(|| retry_delay(count)),
        })
    }

    /// Response timer number `seq` fired: the address that took too long, if that load is
    /// still waiting for its answer.
    pub(super) fn timed_out(&mut self, seq: u32) -> Option<String> {
        match &self.loading {
            Some(l) if l.seq == seq => Some(l.url.clone()),
            _ => None,
        }
    }

    /// The address to try again now that the network is back: the failed one, unless a load
    /// is already under way.
    pub(super) fn retry_now(&self) -> Option<String> {
        match (&self.loading, &self.failure) {
            (None, Some(f)) => Some(f.url.clone()),
            _ => None,
        }
    }

    /// The error page of the last failure is shown and waits: the number of its retry timer.
    pub(super) fn retry_timer(&mut self) -> u32 {
        self.retry_seq += 1;
        self.retry_seq
    }

    /// Retry timer number `seq` fired: the address to try again, if that failure is still
    /// the last thing that happened (no load under way, no page committed since).
    pub(super) fn retry_due(&self, seq: u32) -> Option<String> {
        self.retry_now().filter(|_| seq == self.retry_seq)
    }

    /// Forgets the load under way (the session is ending: its own timeouts rule).
    pub(super) fn forget(&mut self) {
        self.loading = None;
        self.failure = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const U: &str = "https://www.example.be/a";

    #[test]
    fn later_tries_wait_longer_and_forms_longest() {
        assert_eq!(response_timeout(0, false), FIRST_TIMEOUT);
        assert_eq!(response_timeout(1, false), SECOND_TIMEOUT);
        assert_eq!(response_timeout(7, false), LATER_TIMEOUT);
        assert_eq!(response_timeout(0, true), FORM_TIMEOUT);
        assert!(
            FIRST_TIMEOUT < Duration::from_secs(5),
            "an answer within 5 s"
        );
        let delays: Vec<u32> = (1..6).map(retry_delay).collect();
        assert_eq!(delays, [3, 10, 30, 30, 30]);
    }

    #[test]
    fn a_failing_address_is_counted_until_a_page_commits() {
        let mut l = Loads::default();
        assert_eq!(l.started(U, false), Some((1, FIRST_TIMEOUT)));
        assert_eq!(l.timed_out(1), Some(U.to_owned()));
        let retry = l.failed(U, ErrorKind::Timeout).unwrap();
        assert_eq!(retry.after_secs, Some(3));
        // The error page itself is no web load.
        assert_eq!(l.started("guichet://error/?kind=timeout", false), None);
        l.committed("guichet://error/?kind=timeout");
        assert_eq!(l.retry_now(), Some(U.to_owned()));
        // The retry gets a longer timer, and so does its redirect.
        assert_eq!(l.started(U, false), Some((2, SECOND_TIMEOUT)));
        assert_eq!(l.retry_now(), None, "a load is under way");
        assert_eq!(l.redirected(), Some((3, SECOND_TIMEOUT)));
        assert_eq!(l.timed_out(2), None, "stale timer");
        assert_eq!(
            l.failed(U, ErrorKind::Network).unwrap().after_secs,
            Some(10)
        );
        // Another address starts from the beginning.
        assert_eq!(
            l.started("https://other.example/", false),
            Some((4, FIRST_TIMEOUT))
        );
        l.committed("https://other.example/");
        assert_eq!(l.retry_now(), None);
        assert_eq!(l.started(U, false), Some((5, FIRST_TIMEOUT)));
        l.committed(U);
        assert_eq!(l.timed_out(5), None, "committed loads never time out");
    }

    #[test]
    fn tls_failures_wait_for_the_person() {
        let mut l = Loads::default();
        l.started(U, false);
        let retry = l.failed(U, ErrorKind::Tls).unwrap();
        assert_eq!(
            retry,
            Retry {
                url: U.into(),
                after_secs: None
            }
        );
        assert_eq!(l.failed("about:blank", ErrorKind::Network), None);
    }
}
