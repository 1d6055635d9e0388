//! The end-of-session flow's effects: take-away or not, the logout visits with their
//! timeouts, and the view's part of goodbye.
//!
//! Which screen comes next is decided in `screens.rs` (`end_session` → take-away when the
//! session has downloads → ending while each logout URL is visited → goodbye → `ended`). Here
//! are the effects it asks for: a visit loads the service's logout URL in the content view,
//! hidden behind the ending screen, and arms a timeout so that a slow or dead site never
//! holds the person back; the visit's load is tracked in [`Shared::visit`] by the content
//! view's signals. Logout URLs travel as [`Private`] and are exposed only to be loaded; the
//! log gets the service id and ok or timeout, at debug level only.

use std::time::Duration;

use webkit2gtk::WebViewExt;

use crate::loggable::Private;
use crate::sessiondir::SessionDir;

use super::downloads;
use super::shared::{Event, Shared, Visit};

/// Whether the take-away screen has something to show.
pub(crate) fn has_downloads(session: &SessionDir) -> bool {
    !downloads::list(&session.downloads()).is_empty()
}

/// Loads a logout URL in the content view; `LogoutTimeout(seq)` follows after `timeout`
/// (`screens::LOGOUT_VISIT_TIMEOUT`), whatever happens to the load.
pub(crate) fn visit(
    shared: &Shared,
    content: &webkit2gtk::WebView,
    service: &str,
    url: &Private<String>,
    seq: u32,
    timeout: Duration,
) {
    let p = shared.proxy();
    gtk::glib::timeout_add_local_once(timeout, move || {
        let _ = p.send_event(Event::LogoutTimeout(seq));
    });
    let url = url.expose();
    tracing::debug!(service, "visiting logout");
    shared.visit.set(Visit::Armed);
    content.load_uri(url);
}

/// `LogoutsBound(round)` follows after `after` (`screens::LOGOUT_TOTAL_TIMEOUT`): the end
/// flow moves on to goodbye then, whatever visit is under way.
pub(crate) fn bound(shared: &Shared, round: u32, after: Duration) {
    let p = shared.proxy();
    gtk::glib::timeout_add_local_once(after, move || {
        let _ = p.send_event(Event::LogoutsBound(round));
    });
}

/// No logout visit is under way: the end of a later load is not one.
pub(crate) fn disarm(shared: &Shared) {
    shared.visit.set(Visit::Idle);
}
