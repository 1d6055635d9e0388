//! What the content view does with a navigation, given the policy's decision.
//!
//! Every hop asks [`Policy::decide`]: a top-level navigation, an iframe, each redirect, a
//! new-window request. An allowed hop loads; a blocked one never leaves the machine. A
//! blocked top-level navigation (or new window) shows the friendly blocked page instead; a
//! blocked iframe simply stays empty (`frames.rs` tells which it was). New windows never open: an allowed target loads in
//! the content view itself.

use crate::loggable::LoggableHost;
use crate::policy::{BlockReason, Decision, Policy};

use super::pages::Go;

/// Where a navigation would land.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    /// The content view's main frame, or a frame WebKitGTK does not name: a blocked hop is
    /// then told apart in `frames.rs`.
    TopLevel,
    /// `window.open`, `target=_blank`, a form with a target: a window that must not open.
    NewWindow,
}

/// What to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Let WebKit load it.
    Use,
    /// Drop it silently (a script-made popup with no address).
    Ignore,
    /// Drop it and show the blocked page.
    Blocked(BlockReason),
    /// Drop it and load this URL in the content view instead (allowed new window).
    LoadHere(String),
}

/// The address of an `<iframe srcdoc>`'s document: the frame's content comes from its
/// parent page's markup, not from the network, so it is always shown (the page's own rules
/// apply to whatever it loads). A window opened on it shows nothing.
const SRCDOC: &str = "about:srcdoc";

/// Decides one navigation hop.
pub(crate) fn decide(policy: &Policy, url: &str, target: Target) -> Verdict {
    if url == SRCDOC {
        return match target {
            Target::TopLevel => Verdict::Use,
            Target::NewWindow => Verdict::Ignore,
        };
    }
    match (policy.decide(url), target) {
        (Decision::Allow(_) | Decision::Internal, Target::NewWindow) => {
            if url.is_empty() || url == "about:blank" {
                // A script-made popup with no address: nothing to show.
                Verdict::Ignore
            } else {
                Verdict::LoadHere(url.to_owned())
            }
        }
        (Decision::Allow(_) | Decision::Internal, _) => Verdict::Use,
        (Decision::Block(reason), _) => Verdict::Blocked(reason),
    }
}

/// Whether a navigation to a `guichet://go/…` link does what it names: only the person's own
/// click or key (`gesture`), never a redirect (a site answering the person's click with one),
/// and — for anything but the keyboard on the toolbar — only from guichet's own blocked or
/// error page (`from`: the address on screen). A site that links or redirects there, or a
/// script or a meta refresh that goes there, gets nothing; going to the toolbar is harmless
/// from anywhere (the skip link of every page).
pub(crate) fn go_allowed(go: Go, gesture: bool, redirect: bool, from: &str) -> bool {
    if !gesture || redirect {
        return false;
    }
    go == Go::Toolbar || super::pages::is_content_page(from)
}

/// The host of a URL, for a protocol message or a log line.
pub(crate) fn host_of(url: &str) -> Option<LoggableHost> {
    url::Url::parse(url)
        .ok()
        .as_ref()
        .and_then(LoggableHost::of)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Localized;
    use crate::policy::{Category, Rule, Service};

    fn policy() -> Policy {
        Policy::new(
            vec![Service {
                id: "s".into(),
                pack: "p".into(),
                names: Localized::same("S"),
                category: Category::Taxes,
                start_url: crate::policy::StartUrls::same(
                    url::Url::parse("https://www.allowed.be/").unwrap(),
                ),
                resources: vec![],
                allow: vec![Rule::parse("www.allowed.be").unwrap()],
                logout_url: None,
                permissions: vec![],
            }],
            &[],
        )
    }

    #[test]
    fn only_the_persons_click_on_guichets_page_follows_a_go_link() {
        let blocked = "guichet://blocked/?reason=not_listed&lang=nl";
        let error = "guichet://error/?kind=network&lang=de";
        let site = "https://www.allowed.be/page";
        for go in Go::ALL {
            for from in [blocked, error] {
                assert!(go_allowed(go, true, false, from), "{go:?} from {from}");
                // A script, a timer, a meta refresh: no gesture.
                assert!(!go_allowed(go, false, false, from), "{go:?} from {from}");
                assert!(!go_allowed(go, true, true, from), "{go:?} from {from}");
            }
            // A site's link or redirect: only to the toolbar, and only by the person.
            let toolbar = go == Go::Toolbar;
            assert_eq!(go_allowed(go, true, false, site), toolbar, "{go:?}");
            for from in [site, "guichet://app/", "about:blank", ""] {
                assert!(!go_allowed(go, false, false, from), "{go:?} from {from}");
                assert!(!go_allowed(go, true, true, from), "{go:?} from {from}");
            }
        }
        assert!(!go_allowed(Go::Home, true, false, "guichet://app/"));
        assert!(!go_allowed(Go::Home, true, false, "guichet://go/home"));
    }

    #[test]
    fn every_kind_of_hop() {
        let p = policy();
        let ok = "https://www.allowed.be/x";
        let evil = "https://evil.example/";
        assert_eq!(decide(&p, ok, Target::TopLevel), Verdict::Use);
        assert_eq!(
            decide(&p, ok, Target::NewWindow),
            Verdict::LoadHere(ok.into())
        );
        assert_eq!(
            decide(&p, evil, Target::TopLevel),
            Verdict::Blocked(BlockReason::NotListed)
        );
        assert_eq!(
            decide(&p, evil, Target::NewWindow),
            Verdict::Blocked(BlockReason::NotListed)
        );
        assert_eq!(
            decide(&p, "about:blank", Target::NewWindow),
            Verdict::Ignore
        );
        assert_eq!(decide(&p, "about:srcdoc", Target::TopLevel), Verdict::Use);
        assert_eq!(
            decide(&p, "about:srcdoc", Target::NewWindow),
            Verdict::Ignore
        );
        assert_eq!(
            decide(&p, "about:srcdoc?x", Target::TopLevel),
            Verdict::Blocked(BlockReason::Scheme)
        );
        for (url, reason) in [
            ("file:///etc/passwd", BlockReason::Scheme),
            ("data:text/html,<h1>x</h1>", BlockReason::Scheme),
            ("javascript:alert(1)", BlockReason::Scheme),
            ("view-source:https://www.allowed.be/", BlockReason::Scheme),
            (
                "https://www.allowed.be@evil.example/",
                BlockReason::Userinfo,
            ),
            ("http://192.168.1.1/", BlockReason::IpLiteral),
            ("http://evil.example/", BlockReason::NotListed),
            ("http://www.allowed.be/", BlockReason::InsecureHttp),
            ("https://10.0.0.1/", BlockReason::IpLiteral),
        ] {
            assert_eq!(
                decide(&p, url, Target::TopLevel),
                Verdict::Blocked(reason),
                "{url}"
            );
        }
        assert_eq!(
            host_of("https://WWW.Allowed.be/secret?q=1")
                .unwrap()
                .as_str(),
            "www.allowed.be"
        );
    }
}
