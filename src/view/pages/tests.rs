//! The pages' table tests: every page in every language, escaped, and what a crafted address
//! can and cannot make them offer.

use super::*;
use crate::lang::Localized;
use crate::policy::{Category, Rule, Service};

fn policy_with(name: &str) -> Policy {
    Policy::new(
        vec![Service {
            id: "s".into(),
            pack: "p".into(),
            names: Localized::same(name),
            category: Category::Taxes,
            start_url: crate::policy::StartUrls::same(
                url::Url::parse("https://www.example.be/?a=1&b=\"2\"").unwrap(),
            ),
            resources: vec![],
            allow: vec![Rule::parse("www.example.be").unwrap()],
            logout_url: None,
            permissions: vec![],
        }],
        &[],
    )
}

fn body(p: &Page) -> String {
    String::from_utf8(p.body.to_vec()).unwrap()
}

#[test]
fn escapes_markup() {
    assert_eq!(
        escape("<a href=\"x\">&'"),
        "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
    );
}

#[test]
fn blocked_page_is_localized_lists_services_and_escapes_them() {
    let policy = policy_with("<script>alert(1)</script>");
    let p = content_page(
        &blocked_url(BlockReason::NotListed, Lang::Nl),
        &policy,
        Lang::Fr,
    );
    assert_eq!(p.status, 200);
    let html = body(&p);
    assert!(html.contains(texts(Lang::Nl).blocked_title));
    assert!(html.contains(texts(Lang::Nl).ask_helper));
    assert!(!html.contains("<script>"), "{html}");
    assert!(html.contains("&lt;script&gt;"));
    assert!(html.contains("href=\"https://www.example.be/?a=1&amp;b=%222%22\""));
}

/// Each language's page lists each service at the start page of that language.
#[test]
fn blocked_page_links_each_service_to_the_start_page_of_its_language() {
    let mut policy = policy_with("S");
    let mut services = policy.services().to_vec();
    let u = |l: &str| url::Url::parse(&format!("https://www.example.be/{l}")).unwrap();
    services[0].start_url = crate::policy::StartUrls {
        fr: u("fr"),
        nl: u("nl"),
        de: u("de"),
        en: u("en"),
    };
    policy = Policy::new(services, &[]);
    for lang in Lang::ALL {
        let html = body(&content_page(
            &blocked_url(BlockReason::NotListed, lang),
            &policy,
            Lang::Fr,
        ));
        for other in Lang::ALL {
            let link = format!("href=\"https://www.example.be/{}\"", other.code());
            assert_eq!(html.contains(&link), other == lang, "{lang:?}: {link}");
        }
    }
}

#[test]
fn content_pages_ignore_unknown_input() {
    let policy = policy_with("S");
    // An unknown reason or language falls back; unknown pages are 404, never the app.
    let p = content_page("guichet://blocked/?reason=<b>&lang=xx", &policy, Lang::De);
    assert!(body(&p).contains(texts(Lang::De).reason_not_listed));
    assert_eq!(
        content_page("guichet://app/", &policy, Lang::Fr).status,
        404
    );
    assert_eq!(
        content_page("guichet://takeaway", &policy, Lang::Fr).status,
        404
    );
    let e = content_page(
        &error_url(ErrorKind::Tls, Lang::En, None),
        &policy,
        Lang::Fr,
    );
    assert!(body(&e).contains(texts(Lang::En).error_tls));
    assert!(!body(&e).contains("retry"), "no Retry without an address");
}

#[test]
fn the_error_page_offers_the_failed_address_again() {
    let policy = policy_with("S");
    let retry = Retry {
        url: "https://www.example.be/a?x=1&y=\"2\"".into(),
        after_secs: Some(10),
    };
    for kind in ErrorKind::ALL {
        for lang in Lang::ALL {
            let url = error_url(kind, lang, Some(&retry));
            assert!(is_error_url(&url));
            let html = body(&content_page(&url, &policy, Lang::Fr));
            let t = texts(lang);
            assert!(html.contains(&escape(kind.text(t))), "{kind:?} {lang:?}");
            assert!(html.contains(&escape(t.retry)), "{kind:?} {lang:?}");
            assert!(html.contains(&escape(&t.retry_auto.replace("{n}", "10"))));
            let href = "https://www.example.be/a?x=1&amp;y=%222%22";
            assert!(html.contains(&format!("<a class=\"retry\" href=\"{href}\">")));
            // The view retries by itself: no page that refreshes on a timer (WCAG 2.2.1).
            assert!(!html.contains("refresh"), "{html}");
            assert!(html.contains("class=\"icon error\""));
        }
    }
    // Only the person's Retry for a refused certificate.
    let manual = Retry {
        after_secs: None,
        ..retry
    };
    let html = body(&content_page(
        &error_url(ErrorKind::Tls, Lang::Nl, Some(&manual)),
        &policy,
        Lang::Fr,
    ));
    assert!(html.contains("class=\"retry\"") && !html.contains("refresh"));
}

#[test]
fn a_crafted_error_address_offers_only_a_web_address_soon_enough() {
    let policy = policy_with("S");
    for (query, offered) in [
        ("retry=javascript:alert(1)&wait=1", None),
        ("retry=guichet://app/&wait=1", None),
        ("retry=file:///etc/passwd", None),
        ("retry=not%20a%20url&wait=5", None),
        (
            "retry=http://evil.example/&wait=0",
            Some(("http://evil.example/", 1)),
        ),
        (
            "retry=http://evil.example/&wait=99999",
            Some(("http://evil.example/", 60)),
        ),
    ] {
        let html = body(&content_page(
            &format!("guichet://error/?kind=site&{query}"),
            &policy,
            Lang::Fr,
        ));
        match offered {
            None => assert!(
                !html.contains("refresh") && !html.contains("retry"),
                "{query}"
            ),
            Some((url, wait)) => {
                let auto = texts(Lang::Fr).retry_auto.replace("{n}", &wait.to_string());
                assert!(
                    html.contains(&format!("href=\"{url}\"")) && html.contains(&escape(&auto)),
                    "{query}: {html}"
                );
                assert!(!html.contains("refresh"), "{query}: {html}");
            }
        }
    }
}

#[test]
fn toolbar_serves_only_its_assets() {
    assert_eq!(toolbar_page("guichet://app/").status, 200);
    assert_eq!(
        toolbar_page("guichet://app/app.js").content_type,
        "text/javascript"
    );
    assert_eq!(toolbar_page("guichet://app/../etc/passwd").status, 404);
    assert_eq!(toolbar_page("guichet://blocked/").status, 404);
    assert!(is_toolbar_url("guichet://app/"));
    assert!(!is_toolbar_url("http://www.example.be/"));
}

/// Blocked and error pages, in every language: Back, the services (Home) and call the helper
/// as `guichet://go/` links, the helper's hint, and Retry on an error.
#[test]
fn blocked_and_error_pages_lead_back_home_and_to_the_helper_in_every_language() {
    let policy = policy_with("S");
    let retry = Retry {
        url: "https://www.example.be/a".into(),
        after_secs: None,
    };
    for lang in Lang::ALL {
        let t = texts(lang);
        let blocked = blocked_url(BlockReason::NotListed, lang);
        let error = error_url(ErrorKind::Network, lang, Some(&retry));
        for (url, is_error) in [(blocked, false), (error, true)] {
            let html = body(&content_page(&url, &policy, Lang::Fr));
            assert!(is_content_page(&url), "{url}");
            assert!(html.contains(&format!("<html lang=\"{}\">", lang.code())));
            for (go, words) in [
                (Go::Back, t.back),
                (Go::Home, t.services_list),
                (Go::CallHelper, t.call_helper),
            ] {
                let link = format!("<a href=\"{}\">", go.url());
                let at = html
                    .find(&link)
                    .unwrap_or_else(|| panic!("{lang:?} {go:?}"));
                assert!(html[at..].contains(&escape(words)), "{lang:?} {go:?}");
                assert_eq!(Go::of(&go.url()), Some(go));
            }
            assert!(html.contains(&escape(t.ask_helper)), "{lang:?}");
            assert_eq!(html.contains("class=\"retry\""), is_error, "{lang:?}");
            // Retry comes first in the focus order, then Back.
            if is_error {
                assert!(html.find("class=\"retry\"") < html.find(&Go::Back.url()));
            }
        }
    }
    for url in [
        "guichet://go/",
        "guichet://go/quit",
        "guichet://app/home",
        "https://go/home",
        "guichet://blocked/",
    ] {
        assert_eq!(Go::of(url), None, "{url}");
    }
    assert!(!is_content_page("guichet://app/") && !is_content_page("https://blocked/"));
    // A request for a go link itself (an image, a frame) only gets "not found".
    assert_eq!(
        content_page("guichet://go/home", &policy, Lang::Fr).status,
        404
    );
}

#[test]
fn reload_on_the_error_page_is_its_retry() {
    let retry = Retry {
        url: "https://www.example.be/a?x=1".into(),
        after_secs: Some(5),
    };
    let url = error_url(ErrorKind::Timeout, Lang::De, Some(&retry));
    assert_eq!(retry_of(&url).as_deref(), Some(retry.url.as_str()));
    assert_eq!(retry_of(&error_url(ErrorKind::Tls, Lang::De, None)), None);
    assert_eq!(retry_of("guichet://error/?retry=javascript:alert(1)"), None);
}
