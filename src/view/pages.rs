//! The `guichet://` pages, compiled into the binary.
//!
//! Two sets, served by two handlers on two separate web contexts:
//!
//! - the **toolbar** app (`guichet://app/`, with its CSS and JS): the trusted UI — welcome,
//!   toolbar, countdown, take-away, goodbye, notices, file picker. It gets its state as JSON
//!   from Rust and answers through the toolbar's IPC handler; it is the only page with one.
//! - the **content** pages (`guichet://blocked`, `guichet://error`): shown in the untrusted
//!   content view, rendered here with every value escaped, no script at all. They are
//!   read-only: a request for any `guichet://` URL only renders text, so a hostile site that
//!   links to one changes nothing. The error page names the address that failed: its Retry
//!   link and the view's automatic retry (a timer of the view, not a `<meta http-equiv=refresh>`:
//!   a page that refreshes itself on a timer fails WCAG 2.2.1, and the page only says when) are
//!   ordinary navigations to that web address, which the policy decides like any other.

use std::borrow::Cow;

use crate::lang::Lang;
use crate::policy::{BlockReason, Policy, LOCAL_ID};

use super::i18n::{texts, Texts};

/// A response for a `guichet://` request.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Page {
    pub(crate) status: u16,
    pub(crate) content_type: &'static str,
    pub(crate) body: Cow<'static, [u8]>,
}

/// Content Security Policy of every `guichet://` page: nothing from the network, no inline
/// script; the content pages get no script at all.
pub(crate) const TOOLBAR_CSP: &str = "default-src 'none'; script-src guichet:; style-src guichet:";
pub(crate) const CONTENT_CSP: &str = "default-src 'none'; style-src guichet:";

const APP_HTML: &str = include_str!("pages/app.html");
const APP_CSS: &str = include_str!("pages/app.css");
const APP_JS: &str = include_str!("pages/app.js");
const PAGE_CSS: &str = include_str!("pages/page.css");

/// The toolbar app's address.
pub(crate) const APP_URL: &str = "guichet://app/";

fn not_found() -> Page {
    Page {
        status: 404,
        content_type: "text/plain",
        body: Cow::Borrowed(b"not found"),
    }
}

fn asset(content_type: &'static str, text: &'static str) -> Page {
    Page {
        status: 200,
        content_type,
        body: Cow::Borrowed(text.as_bytes()),
    }
}

/// Whether the toolbar may show `url` (its navigation handler allows nothing else).
pub(crate) fn is_toolbar_url(url: &str) -> bool {
    url.starts_with(APP_URL)
}

/// Answers a request of the toolbar view.
pub(crate) fn toolbar_page(url: &str) -> Page {
    let path = url.strip_prefix(APP_URL).unwrap_or("\u{0}");
    match path.split(['?', '#']).next().unwrap_or("") {
        "" | "index.html" => asset("text/html; charset=utf-8", APP_HTML),
        "app.css" => asset("text/css", APP_CSS),
        "app.js" => asset("text/javascript", APP_JS),
        _ => not_found(),
    }
}

/// What went wrong, for `guichet://error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ErrorKind {
    /// The site's certificate was refused.
    Tls,
    /// No connection: refused, reset, closed, a refused tunnel, a name that does not resolve.
    Network,
    /// The site did not answer in time.
    Timeout,
    /// The site (or a gateway) answered an error and no page to show.
    Site,
}

impl ErrorKind {
    pub(crate) const ALL: [ErrorKind; 4] = [
        ErrorKind::Tls,
        ErrorKind::Network,
        ErrorKind::Timeout,
        ErrorKind::Site,
    ];

    /// What went wrong, in words for the person.
    fn text(self, t: &Texts) -> &'static str {
        match self {
            ErrorKind::Tls => t.error_tls,
            ErrorKind::Network => t.error_network,
            ErrorKind::Timeout => t.error_timeout,
            ErrorKind::Site => t.error_site,
        }
    }

    pub(crate) fn code(self) -> &'static str {
        match self {
            ErrorKind::Tls => "tls",
            ErrorKind::Network => "network",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Site => "site",
        }
    }
}

/// What the error page offers: the failed address, and when it tries it again by itself
/// (`None`: only when the person presses Retry).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Retry {
    pub(crate) url: String,
    pub(crate) after_secs: Option<u32>,
}

/// The longest automatic wait an error page accepts, in seconds.
const MAX_WAIT: u32 = 60;

/// `guichet://blocked?reason=…&lang=…`
pub(crate) fn blocked_url(reason: BlockReason, lang: Lang) -> String {
    format!(
        "guichet://blocked/?reason={}&lang={}",
        reason.code(),
        lang.code()
    )
}

/// `guichet://error/?kind=…&lang=…[&retry=URL[&wait=SECONDS]]`
pub(crate) fn error_url(kind: ErrorKind, lang: Lang, retry: Option<&Retry>) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.append_pair("kind", kind.code());
    query.append_pair("lang", lang.code());
    if let Some(r) = retry {
        query.append_pair("retry", &r.url);
        if let Some(wait) = r.after_secs {
            query.append_pair("wait", &wait.to_string());
        }
    }
    format!("guichet://error/?{}", query.finish())
}

/// Whether `url` is guichet's error page (the toolbar's Back skips it).
pub(crate) fn is_error_url(url: &str) -> bool {
    url.starts_with("guichet://error")
}

/// Answers a request of the content view: only the read-only pages.
pub(crate) fn content_page(url: &str, policy: &Policy, default_lang: Lang) -> Page {
    let Ok(parsed) = url::Url::parse(url) else {
        return not_found();
    };
    let param = |name: &str| {
        parsed
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    let lang = param("lang")
        .and_then(|l| Lang::from_code(&l))
        .unwrap_or(default_lang);
    let t = texts(lang);
    let notice = match (parsed.host_str(), parsed.path()) {
        (Some("page.css"), _) | (Some("blocked" | "error"), "/page.css") => {
            return asset("text/css", PAGE_CSS)
        }
        (Some("blocked"), _) => {
            let reason = param("reason")
                .and_then(|r| reason_from_code(&r))
                .unwrap_or(BlockReason::NotListed);
            Notice {
                title: t.blocked_title,
                body: t.reason(reason),
                error: false,
                retry: None,
            }
        }
        (Some("error"), _) => {
            let kind = param("kind")
                .and_then(|k| ErrorKind::ALL.into_iter().find(|e| e.code() == k))
                .unwrap_or(ErrorKind::Network);
            // Only a web address is offered again; the policy decides it when it is followed.
            let retry = param("retry")
                .and_then(|u| url::Url::parse(&u).ok())
                .filter(|u| matches!(u.scheme(), "http" | "https"))
                .map(|u| Retry {
                    url: u.to_string(),
                    after_secs: param("wait")
                        .and_then(|w| w.parse::<u32>().ok())
                        .map(|w| w.clamp(1, MAX_WAIT)),
                });
            Notice {
                title: t.error_title,
                body: kind.text(t),
                error: true,
                retry,
            }
        }
        _ => return not_found(),
    };
    Page {
        status: 200,
        content_type: "text/html; charset=utf-8",
        body: Cow::Owned(render_notice(lang, &notice, policy).into_bytes()),
    }
}

/// What a content page says.
struct Notice {
    title: &'static str,
    body: &'static str,
    /// An error (marked as such) rather than a refusal.
    error: bool,
    retry: Option<Retry>,
}

fn reason_from_code(code: &str) -> Option<BlockReason> {
    [
        BlockReason::Unparsable,
        BlockReason::Scheme,
        BlockReason::Userinfo,
        BlockReason::IpLiteral,
        BlockReason::InsecureHttp,
        BlockReason::NotListed,
    ]
    .into_iter()
    .find(|r| r.code() == code)
}

/// A friendly page: what happened, Retry (for an error), the services available, ask the
/// helper.
fn render_notice(lang: Lang, notice: &Notice, policy: &Policy) -> String {
    let t = texts(lang);
    let mut retry = String::new();
    if let Some(r) = &notice.retry {
        let url = escape(&r.url);
        if let Some(wait) = r.after_secs {
            retry = format!(
                "<p class=\"auto\">{}</p>\n",
                escape(&t.retry_auto.replace("{n}", &wait.to_string()))
            );
        }
        retry = format!(
            "<p><a class=\"retry\" href=\"{url}\">{}</a></p>\n{retry}",
            escape(t.retry)
        );
    }
    let mut services = String::new();
    for s in policy.services().iter().filter(|s| s.id != LOCAL_ID) {
        services.push_str(&format!(
            "<li><a href=\"{}\">{}</a></li>\n",
            escape(s.start_url.get(lang).as_str()),
            escape(s.names.get(lang))
        ));
    }
    format!(
        "<!doctype html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <title>{title}</title><link rel=\"stylesheet\" href=\"guichet://page.css\"></head>\n\
         <body><main>\n<div class=\"{icon_class}\" aria-hidden=\"true\">{icon}</div>\n\
         <h1>{title}</h1>\n<p class=\"why\">{body}</p>\n{retry}\
         <p class=\"help\">{help}</p>\n<h2>{services_title}</h2>\n<ul class=\"services\">\n{services}</ul>\n\
         </main></body></html>\n",
        lang = lang.code(),
        icon_class = if notice.error { "icon error" } else { "icon" },
        icon = if notice.error { "!" } else { "i" },
        title = escape(notice.title),
        body = escape(notice.body),
        help = escape(t.ask_helper),
        services_title = escape(t.blocked_services),
    )
}

/// Escapes text for HTML element content and quoted attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
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
}
