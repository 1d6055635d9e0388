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
//!   ordinary navigations to that web address, which the policy decides like any other. Their
//!   Back, Home (the services) and Call the helper are links to `guichet://go/…` ([`Go`]), which
//!   the content view never loads: it turns the person's click on one into the toolbar's action
//!   (`navigation::go_allowed` says when).

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

/// What a `guichet://go/…` link of a content page asks for: the toolbar's action of that
/// name, or the keyboard on the toolbar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Go {
    Back,
    /// The services, inside the session (the toolbar's Home).
    Home,
    CallHelper,
    /// The keyboard on the toolbar (the skip link of every page).
    Toolbar,
}

impl Go {
    pub(crate) const ALL: [Go; 4] = [Go::Back, Go::Home, Go::CallHelper, Go::Toolbar];

    fn code(self) -> &'static str {
        match self {
            Go::Back => "back",
            Go::Home => "home",
            Go::CallHelper => "help",
            Go::Toolbar => "toolbar",
        }
    }

    /// The link's address.
    pub(crate) fn url(self) -> String {
        format!("guichet://go/{}", self.code())
    }

    /// The action a navigation to `url` asks for; `None` when it is no `guichet://go/` link.
    pub(crate) fn of(url: &str) -> Option<Go> {
        let parsed = url::Url::parse(url).ok()?;
        if parsed.scheme() != "guichet" || parsed.host_str() != Some("go") {
            return None;
        }
        let code = parsed.path().trim_start_matches('/');
        Go::ALL.into_iter().find(|g| g.code() == code)
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

/// Whether `url` is one of guichet's pages of the content view (blocked, error).
pub(crate) fn is_content_page(url: &str) -> bool {
    url::Url::parse(url)
        .is_ok_and(|u| u.scheme() == "guichet" && matches!(u.host_str(), Some("blocked" | "error")))
}

/// Whether `url` is guichet's error page (the toolbar's Back skips it).
pub(crate) fn is_error_url(url: &str) -> bool {
    url.starts_with("guichet://error")
}

/// The web address an error page offers to try again, if it offers one.
pub(crate) fn retry_of(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    retry_address(&parsed).map(|u| u.to_string())
}

/// The `retry` parameter of an error page's address, if it is a web address: nothing else is
/// offered again; the policy decides it when it is followed.
fn retry_address(parsed: &url::Url) -> Option<url::Url> {
    parsed
        .query_pairs()
        .find(|(k, _)| k == "retry")
        .and_then(|(_, u)| url::Url::parse(&u).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"))
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
            let retry = retry_address(&parsed).map(|u| Retry {
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

/// A friendly page: what happened, Retry (for an error), Back, the services (Home), call the
/// helper, ask the helper, the services available.
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
    let nav = format!(
        "<nav class=\"go\"><a href=\"{back}\">\u{2190} {back_text}</a>\
         <a href=\"{home}\">\u{2302} {home_text}</a>\
         <a href=\"{help}\">? {help_text}</a></nav>\n",
        back = Go::Back.url(),
        home = Go::Home.url(),
        help = Go::CallHelper.url(),
        back_text = escape(t.back),
        home_text = escape(t.services_list),
        help_text = escape(t.call_helper),
    );
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
         <h1>{title}</h1>\n<p class=\"why\">{body}</p>\n{retry}{nav}\
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
mod tests;
