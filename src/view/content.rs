//! The untrusted content view: its WebKit settings and every signal that enforces the rules.
//!
//! No IPC handler, no devtools, no context menu, no GTK file chooser, no print dialog, no
//! new window, no full screen; permissions denied unless the service grants them; TLS errors
//! fail; credentials never stored. Signals that need an answer now (policy decisions, file
//! chooser, permissions) answer here from [`Shared`], downloads in `transfers`; everything
//! that changes the screen goes to the event loop as an [`Event`]. Every navigation let
//! through is remembered with whether the person started it (`gestures`): only those may
//! become downloads.

use std::rc::Rc;

use gtk::prelude::*;
use webkit2gtk::{
    BackForwardListExt, BackForwardListItemExt, CacheModel, FileChooserRequestExt,
    GeolocationPermissionRequest, NavigationPolicyDecision, NavigationPolicyDecisionExt,
    NavigationType, NotificationPermissionRequest, PermissionRequestExt, PolicyDecisionExt,
    PolicyDecisionType, SettingsExt, TLSErrorsPolicy, URIRequestExt, UserMediaPermissionRequest,
    UserMediaPermissionRequestExt, WebContextExt, WebView, WebViewExt, WebsiteDataManagerExt,
};

use crate::policy::{Decision, Permission};
use crate::protocol::view::{CrashKind, FromView};

use super::frames;
use super::navigation::{self, host_of, Target, Verdict};
use super::pages::Go;
use super::shared::{Event, Shared};

/// Applies the locked-down settings to the content view.
pub(crate) fn configure(webview: &WebView) {
    if let Some(s) = WebViewExt::settings(webview) {
        s.set_enable_developer_extras(false);
        s.set_javascript_can_open_windows_automatically(false);
        s.set_javascript_can_access_clipboard(false);
        s.set_media_playback_requires_user_gesture(true);
        s.set_enable_fullscreen(false);
        s.set_enable_back_forward_navigation_gestures(false);
        s.set_enable_write_console_messages_to_stdout(false);
        s.set_enable_media_stream(false);
        s.set_enable_webrtc(false);
        s.set_allow_file_access_from_file_urls(false);
        s.set_allow_universal_access_from_file_urls(false);
        // As the toolbar (see `build.rs`): with GPU compositing, WebKit set up its GL context
        // the first time the view was shown, and under software GL a page stayed blank for a
        // second or more (once for the whole of a test's 30 s wait, under load).
        s.set_hardware_acceleration_policy(webkit2gtk::HardwareAccelerationPolicy::Never);
    }
    if let Some(ctx) = webview.context() {
        ctx.set_spell_checking_enabled(false);
        ctx.set_cache_model(CacheModel::DocumentBrowser);
        if let Some(data) = ctx.website_data_manager() {
            data.set_persistent_credential_storage_enabled(false);
            data.set_tls_errors_policy(TLSErrorsPolicy::Fail);
        }
    }
    // A page's window.close() must not destroy the only content view.
    let removed = super::ffi::disconnect_close_handlers(webview);
    tracing::debug!(removed, "close handlers disconnected");
}

/// Sets the language WebKit tells sites (`Accept-Language`) and uses for the page's own
/// controls (date pickers, file inputs, validation messages).
pub(crate) fn set_language(webview: &WebView, lang: crate::lang::Lang) {
    if let Some(ctx) = webview.context() {
        ctx.set_preferred_languages(&[lang.code()]);
    }
}

/// Goes back in the content view's history to the last page that is not guichet's error
/// page (going back to one would only retry the page the person is leaving).
pub(crate) fn go_back(content: &webkit2gtk::WebView) {
    if let Some(list) = content.back_forward_list() {
        go_to_first_page(content, list.back_list());
    }
}

/// Goes forward in the content view's history to the next page that is not guichet's error
/// page, as [`go_back`] skips them.
pub(crate) fn go_forward(content: &webkit2gtk::WebView) {
    if let Some(list) = content.back_forward_list() {
        go_to_first_page(content, list.forward_list());
    }
}

/// Goes to the first of `items` (history entries, nearest first) that is not guichet's error
/// page; nowhere when there is none.
fn go_to_first_page(
    content: &webkit2gtk::WebView,
    items: impl IntoIterator<Item = webkit2gtk::BackForwardListItem>,
) {
    let target = items.into_iter().find(|item| {
        !item
            .uri()
            .is_some_and(|u| super::pages::is_error_url(u.as_str()))
    });
    if let Some(item) = target {
        content.go_to_back_forward_list_item(&item);
    }
}

/// Loads the page on screen again; on guichet's error page, the address that failed (the
/// error page itself would only be drawn again).
pub(crate) fn reload(content: &webkit2gtk::WebView) {
    let uri = content.uri().map(|u| u.to_string()).unwrap_or_default();
    if super::pages::is_error_url(&uri) {
        if let Some(url) = super::pages::retry_of(&uri) {
            content.load_uri(&url);
        }
        return;
    }
    content.reload();
}

/// Connects every enforcing signal of the content view.
pub(crate) fn connect(webview: &WebView, shared: &Rc<Shared>) {
    let sh = Rc::clone(shared);
    webview.connect_decide_policy(move |view, decision, kind| {
        on_decide_policy(&sh, view, decision, kind)
    });

    let sh = Rc::clone(shared);
    // A window requested by a script: never created; its address is decided like a
    // link with target=_blank.
    webview.connect_create(move |_view, action| {
        let url = action
            .request()
            .and_then(|r| r.uri())
            .map(|u| u.to_string())
            .unwrap_or_default();
        apply_new_window(&sh, &url, action.is_user_gesture());
        None
    });

    super::loading::connect(webview, shared);

    webview.connect_context_menu(|_, _, _, _| true);
    // Tooltips are separate X/Wayland windows that can outlive the page under them.
    webview.connect_query_tooltip(|view, _, _, _, _| {
        view.stop_signal_emission_by_name("query-tooltip");
        false
    });
    webview.connect_enter_fullscreen(|_| true);

    let sh = Rc::clone(shared);
    // No dialog: the page is rendered to a PDF in the session dir, which guichetd prints.
    webview.connect_print(move |_, op| {
        tracing::debug!("print requested");
        sh.reporter.send(&FromView::PrintRequested);
        super::printpage::print_page(&sh, op);
        true
    });

    let sh = Rc::clone(shared);
    webview.connect_run_file_chooser(move |_, request| {
        if let Some(old) = sh.chooser.replace(Some(request.clone())) {
            old.cancel();
        }
        sh.send(Event::OpenPicker);
        true
    });

    let sh = Rc::clone(shared);
    webview.connect_permission_request(move |view, request| {
        let granted = granted_permission(&sh, view, request);
        if granted {
            request.allow();
        } else {
            request.deny();
        }
        true
    });

    let sh = Rc::clone(shared);
    webview.connect_web_process_terminated(move |_, reason| {
        tracing::error!(?reason, "web process terminated");
        sh.reporter.send(&FromView::Crashed {
            what: CrashKind::WebProcessTerminated,
        });
    });

    super::transfers::connect(webview, shared);
}

fn on_decide_policy(
    shared: &Rc<Shared>,
    view: &WebView,
    decision: &webkit2gtk::PolicyDecision,
    kind: PolicyDecisionType,
) -> bool {
    tracing::trace!(?kind, "decide-policy");
    let Some(nav) = decision.dynamic_cast_ref::<NavigationPolicyDecision>() else {
        // Response decisions: a site's error with no page gets guichet's; WebKit decides the
        // rest (it turns attachments into downloads).
        return super::loading::on_response(shared, decision);
    };
    let Some(mut action) = nav.navigation_action() else {
        decision.ignore();
        return true;
    };
    let url = action
        .request()
        .and_then(|r| r.uri())
        .map(|u| u.to_string())
        .unwrap_or_default();
    let gesture = action.is_user_gesture();
    if let Some(go) = Go::of(&url) {
        // Never loaded: the toolbar's action, if the person asked for it on guichet's page.
        decision.ignore();
        let from = view.uri().map(|u| u.to_string()).unwrap_or_default();
        if navigation::go_allowed(go, gesture, action.is_redirect(), &from) {
            shared.send(Event::Go(go));
        } else {
            tracing::debug!(
                ?go,
                gesture,
                "go link ignored: not the person's on guichet's page"
            );
        }
        return true;
    }
    let target = match kind {
        PolicyDecisionType::NewWindowAction => Target::NewWindow,
        _ => Target::TopLevel,
    };
    let verdict = navigation::decide(shared.policy(), &url, target);
    match &verdict {
        Verdict::Use => {
            tracing::debug!(host = ?host_of(&url).map(|h| h.to_string()), gesture, "navigation hop allowed");
            // Any hop (a frame's too) may turn into a download: remember who started it.
            shared.gestures.borrow_mut().navigation(&url, gesture);
            if matches!(
                action.navigation_type(),
                NavigationType::FormSubmitted | NavigationType::FormResubmitted
            ) {
                // A submission may take the site a while: its load gets a longer timer.
                shared.form_pending.set(true);
            }
            decision.use_()
        }
        Verdict::Ignore => {
            tracing::debug!(host = ?host_of(&url).map(|h| h.to_string()), "frame navigation blocked");
            decision.ignore();
        }
        Verdict::Blocked(reason) if target == Target::NewWindow => {
            decision.ignore();
            shared.blocked(&url, *reason);
        }
        Verdict::Blocked(reason) => {
            decision.ignore();
            frames::blocked_hop(shared, view, &url, *reason, action.is_redirect(), gesture);
        }
        Verdict::LoadHere(url) => {
            decision.ignore();
            shared.send(Event::LoadInContent {
                url: url.clone(),
                by_person: gesture,
            });
        }
    }
    true
}

fn apply_new_window(shared: &Rc<Shared>, url: &str, by_person: bool) {
    match navigation::decide(shared.policy(), url, Target::NewWindow) {
        Verdict::LoadHere(url) => shared.send(Event::LoadInContent { url, by_person }),
        Verdict::Blocked(reason) => shared.blocked(url, reason),
        Verdict::Use | Verdict::Ignore => {}
    }
}

/// Whether the service of the page asking has been granted this permission.
fn granted_permission(
    shared: &Shared,
    view: &WebView,
    request: &webkit2gtk::PermissionRequest,
) -> bool {
    let wanted: Vec<Permission> =
        if let Some(media) = request.downcast_ref::<UserMediaPermissionRequest>() {
            let mut w = Vec::new();
            if media.is_for_audio_device() {
                w.push(Permission::Microphone);
            }
            if media.is_for_video_device() {
                w.push(Permission::Camera);
            }
            w
        } else if request.is::<GeolocationPermissionRequest>() {
            vec![Permission::Geolocation]
        } else if request.is::<NotificationPermissionRequest>() {
            vec![Permission::Notifications]
        } else if request.type_().name() == "WebKitClipboardPermissionRequest" {
            vec![Permission::ClipboardRead]
        } else {
            Vec::new()
        };
    if wanted.is_empty() {
        return false;
    }
    let uri = view.uri().map(|u| u.to_string()).unwrap_or_default();
    let Decision::Allow(allow) = shared.policy().decide(&uri) else {
        return false;
    };
    let Some(service) = shared.policy().service(&allow.service) else {
        return false;
    };
    wanted.iter().all(|p| service.permissions.contains(p))
}
