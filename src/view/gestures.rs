//! Which navigations the person started, so that only those may become downloads.
//!
//! A `WebKitDownload` does not say whether a person asked for it; the navigation that turned
//! into it does (`NavigationAction::is_user_gesture`: a click or a key, not a script, a
//! timer, a meta refresh or a hidden frame). So every navigation the content view lets
//! through is remembered here, by URL, with that flag ([`Gestures::navigation`]), and a
//! download takes the latest navigation to its URL ([`Gestures::take`]): one gesture lets one
//! download through, a navigation a page started after the person's click to the same URL is
//! the one a download finds, and a download that no navigation explains is refused (fail
//! closed).
//!
//! The view's own loads (a service button of the trusted toolbar, an allowed new-window
//! target loaded in place) reach WebKit through `load_uri`, whose navigation carries no
//! gesture: [`Gestures::own_load`] says beforehand whether the person asked for it.

use std::collections::VecDeque;

/// Navigations remembered; older ones are forgotten (their downloads are then refused).
const REMEMBERED: usize = 64;

/// Recent navigations and whether the person started each.
#[derive(Debug, Default)]
pub(crate) struct Gestures {
    /// Oldest first: (URL without fragment, started by the person).
    recent: VecDeque<(String, bool)>,
    /// The view's next own load and whether the person asked for it.
    own: Option<(String, bool)>,
}

/// The URL as WebKit writes it, without its fragment (a download's request has none).
fn key(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            u.set_fragment(None);
            u.into()
        }
        Err(_) => url.to_owned(),
    }
}

impl Gestures {
    /// The view is about to load `url` itself (`load_uri`); `by_person`: because the person
    /// asked (a button of the trusted toolbar, a link they clicked that opens a window).
    pub(crate) fn own_load(&mut self, url: &str, by_person: bool) {
        self.own = Some((key(url), by_person));
    }

    /// The content view lets a navigation to `url` through; `gesture` is WebKit's
    /// `is_user_gesture` for it.
    pub(crate) fn navigation(&mut self, url: &str, gesture: bool) {
        let url = key(url);
        let own = self.own.take_if(|(u, _)| *u == url).is_some_and(|(_, p)| p);
        if self.recent.len() == REMEMBERED {
            self.recent.pop_front();
        }
        self.recent.push_back((url, gesture || own));
    }

    /// For a download from the first of `urls` that a navigation went to (its request, then
    /// its response): whether the person started that navigation. The navigation is
    /// forgotten; `false` when none is known.
    pub(crate) fn take(&mut self, urls: &[&str]) -> bool {
        for url in urls {
            let url = key(url);
            if let Some(i) = self.recent.iter().rposition(|(u, _)| *u == url) {
                return self
                    .recent
                    .remove(i)
                    .is_some_and(|(_, by_person)| by_person);
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "http://www.allowed.test/file";

    #[test]
    fn a_click_lets_one_download_through_a_page_none() {
        let mut g = Gestures::default();
        g.navigation(FILE, true);
        assert!(g.take(&[FILE]));
        // The same URL again, with no new navigation: nothing explains it.
        assert!(!g.take(&[FILE]));
        g.navigation(FILE, false);
        assert!(!g.take(&[FILE]));
        // Unknown URL: refused.
        assert!(!g.take(&["http://www.allowed.test/other"]));
    }

    #[test]
    fn the_latest_navigation_to_a_url_is_the_one_a_download_finds() {
        let mut g = Gestures::default();
        // The person clicks, then a page's frame goes to the same URL: two downloads, at
        // most one let through.
        g.navigation(FILE, true);
        g.navigation(FILE, false);
        assert!(!g.take(&[FILE]));
        assert!(g.take(&[FILE]));
        assert!(!g.take(&[FILE]));
    }

    #[test]
    fn the_fragment_does_not_matter_and_the_response_url_is_tried_next() {
        let mut g = Gestures::default();
        g.navigation(&format!("{FILE}#top"), true);
        assert!(g.take(&["http://www.allowed.test/redirected", FILE]));
        g.navigation("http://www.allowed.test/to-file", true);
        assert!(g.take(&["http://www.allowed.test/to-file", FILE]));
    }

    #[test]
    fn the_views_own_loads_carry_what_the_person_asked() {
        let mut g = Gestures::default();
        g.own_load("http://www.allowed.test", true);
        // WebKit writes the URL with its path.
        g.navigation("http://www.allowed.test/", false);
        assert!(g.take(&["http://www.allowed.test/"]));
        // An own load the person did not ask for (the start page).
        g.own_load(FILE, false);
        g.navigation(FILE, false);
        assert!(!g.take(&[FILE]));
        // An own load waits for its own URL only.
        g.own_load(FILE, true);
        g.navigation("http://www.allowed.test/other", false);
        assert!(!g.take(&["http://www.allowed.test/other"]));
        g.navigation(FILE, false);
        assert!(g.take(&[FILE]));
    }

    #[test]
    fn old_navigations_are_forgotten() {
        let mut g = Gestures::default();
        g.navigation(FILE, true);
        for i in 0..REMEMBERED {
            g.navigation(&format!("http://www.allowed.test/{i}"), false);
        }
        assert!(!g.take(&[FILE]));
        assert_eq!(g.recent.len(), REMEMBERED);
    }
}
