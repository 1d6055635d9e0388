//! The content view's main-frame loads as WebKit reports them, turned into [`PageLoad`] events
//! for the screens (`screens/loads.rs` decides what to show: the response timer, the error
//! page, the retries).
//!
//! Every failure of the main frame becomes one: a failed load (no connection, a reset, a
//! refused tunnel, a name that does not resolve), a refused certificate, and a site's error
//! with no page of its own — an error status whose body is empty or not a web page, or a
//! gateway's 502/504 — which is refused at its response so the person gets guichet's page with
//! Retry instead of raw text or a blank view. Frames are left alone: WebKit reports these
//! signals for the main frame only, and the response check asks for the main resource. The
//! network coming back (GIO's network monitor) is reported too.

use std::rc::Rc;

use gtk::gio::prelude::NetworkMonitorExt;
use gtk::glib::Cast;
use webkit2gtk::{
    LoadEvent, NetworkError, PolicyDecisionExt, PolicyError, ResponsePolicyDecision,
    ResponsePolicyDecisionExt, URIRequestExt, URIResponseExt, WebView, WebViewExt,
};

use crate::policy::Decision;
use crate::protocol::view::FromView;

use super::navigation::host_of;
use super::pages::ErrorKind;
use super::shared::{Event, PageLoad, Shared, Visit};

/// Connects the content view's load signals and the network monitor.
pub(crate) fn connect(webview: &WebView, shared: &Rc<Shared>) {
    let sh = Rc::clone(shared);
    webview.connect_load_changed(move |view, event| {
        let uri = view.uri().map(|u| u.to_string()).unwrap_or_default();
        match event {
            LoadEvent::Started => {
                sh.top_pending.set(true);
                if sh.visit.get() == Visit::Armed {
                    sh.visit.set(Visit::Started);
                }
                let form = sh.form_pending.take();
                sh.send(Event::PageLoad(PageLoad::Started { url: uri, form }));
            }
            LoadEvent::Redirected => sh.send(Event::PageLoad(PageLoad::Redirected)),
            LoadEvent::Committed => {
                sh.top_pending.set(false);
                if let Decision::Allow(allow) = sh.policy().decide(&uri) {
                    // Pack ids were checked when the config loaded: `new` cannot fail here.
                    let service = crate::stats::ServiceId::new(&allow.service);
                    if let (Some(host), Ok(service)) = (host_of(&uri), service) {
                        tracing::debug!(%host, category = %allow.category, "navigated");
                        sh.service.replace(Some(service.clone()));
                        sh.keep
                            .borrow_mut()
                            .memory
                            .service_used(service.as_str(), chrono::Local::now());
                        sh.reporter.send(&FromView::Navigated {
                            host,
                            category: allow.category,
                            service,
                        });
                    }
                }
                sh.send(Event::PageLoad(PageLoad::Committed { url: uri }));
            }
            LoadEvent::Finished => {
                sh.top_pending.set(false);
                sh.visit_done();
            }
            _ => {}
        }
    });

    let sh = Rc::clone(shared);
    webview.connect_load_failed(move |_view, _event, uri, error| {
        sh.top_pending.set(false);
        sh.visit_done();
        if error.matches(NetworkError::Cancelled)
            || error.matches(PolicyError::FrameLoadInterruptedByPolicyChange)
        {
            // Our own ignore decisions, a download taking over, a new load replacing this one.
            return false;
        }
        tracing::debug!(host = ?host_of(uri).map(|h| h.to_string()), "load failed");
        sh.send(Event::PageLoad(PageLoad::Failed {
            url: uri.to_owned(),
            kind: ErrorKind::Network,
        }));
        true
    });

    let sh = Rc::clone(shared);
    webview.connect_load_failed_with_tls_errors(move |_view, uri, _cert, _errors| {
        tracing::warn!("TLS error: the page was refused");
        tracing::debug!(host = ?host_of(uri).map(|h| h.to_string()), "TLS error");
        sh.send(Event::PageLoad(PageLoad::Failed {
            url: uri.to_owned(),
            kind: ErrorKind::Tls,
        }));
        true
    });

    let sh = Rc::clone(shared);
    gtk::gio::NetworkMonitor::default().connect_network_changed(move |_, available| {
        if available {
            sh.send(Event::NetworkBack);
        }
    });
}

/// Answers a response decision when it is a site's error with no page for the main frame
/// (see the module documentation): refused, and reported as a failure. Returns whether it
/// was answered; any other response is left to WebKit.
pub(crate) fn on_response(shared: &Shared, decision: &webkit2gtk::PolicyDecision) -> bool {
    let Some(r) = decision.downcast_ref::<ResponsePolicyDecision>() else {
        return false;
    };
    if !r.is_main_frame_main_resource() {
        return false;
    }
    let Some(response) = r.response() else {
        return false;
    };
    let length = response
        .http_headers()
        .and_then(|h| h.one("Content-Length"))
        .map(|l| l.to_string());
    let mime = response.mime_type().map(|m| m.to_string());
    let status = response.status_code();
    if !is_site_error(status, mime.as_deref(), length.as_deref()) {
        return false;
    }
    let url = response
        .uri()
        .or_else(|| r.request().and_then(|q| q.uri()))
        .map(|u| u.to_string())
        .unwrap_or_default();
    tracing::debug!(host = ?host_of(&url).map(|h| h.to_string()), status, "site error with no page");
    decision.ignore();
    shared.send(Event::PageLoad(PageLoad::Failed {
        url,
        kind: ErrorKind::Site,
    }));
    true
}

/// Whether a main-frame response is an error with nothing for the person to read: an error
/// status with an empty body (`Content-Length: 0`) or a body that is not a web page, or a
/// gateway's 502/504 (written by a proxy or load balancer, never by the site). A site's own
/// error page (a 404 page with its links, a 503 "maintenance until 6 am") is shown as is.
fn is_site_error(status: u32, mime: Option<&str>, content_length: Option<&str>) -> bool {
    if status < 400 {
        return false;
    }
    if matches!(status, 502 | 504) || content_length.map(str::trim) == Some("0") {
        return true;
    }
    !matches!(
        mime.map(|m| m.to_ascii_lowercase()).as_deref(),
        Some("text/html" | "application/xhtml+xml")
    )
}

#[cfg(test)]
mod tests {
    use super::is_site_error;

    #[test]
    fn only_errors_without_a_page_are_replaced() {
        let html = Some("text/html");
        for (status, mime, length, replaced) in [
            (200, html, Some("0"), false),
            (302, None, Some("0"), false),
            (404, html, Some("1200"), false),
            (404, html, None, false),
            (503, html, None, false),
            (500, Some("application/xhtml+xml"), None, false),
            (404, html, Some("0"), true),
            (500, Some("text/plain"), Some("21"), true),
            (500, None, None, true),
            (403, Some("application/json"), None, true),
            (502, html, Some("800"), true),
            (504, html, None, true),
            (502, Some("text/plain"), Some("0"), true),
        ] {
            assert_eq!(
                is_site_error(status, mime, length),
                replaced,
                "{status} {mime:?} {length:?}"
            );
        }
    }
}
