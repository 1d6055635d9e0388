//! Construction of the window and its two webviews, the `guichet://` responders, the proxy
//! configuration and the sub-resource filter's installation.
//!
//! The trusted toolbar gets its own ephemeral context and the view's only IPC handler; the
//! untrusted content view keeps its data in the session profile, goes through the configured
//! proxy and has no IPC handler (its signals are connected in `content.rs`). Both serve
//! `guichet://` from pages compiled into the binary, each under its own Content-Security-Policy.

use std::rc::Rc;

use gtk::prelude::*;
use tao::event_loop::{EventLoop, EventLoopProxy};
use tao::platform::unix::WindowExtUnix;
use webkit2gtk::WebViewExt;
use wry::{WebViewBuilderExtUnix, WebViewExtUnix};

use crate::config::Subresources;
use crate::protocol::view::{CrashKind, FromView};

use super::pages;
use super::shared::{Event, Shared};
use super::toolbar;
use super::window::{self, Layout};

/// The window and what it holds.
pub(crate) struct Built {
    pub(crate) window: tao::window::Window,
    pub(crate) vbox: gtk::Box,
    pub(crate) toolbar: wry::WebView,
    pub(crate) content: wry::WebView,
    /// What holds the content view in the window's box, and the lists guichet draws over it.
    pub(crate) content_box: gtk::Overlay,
    /// The content view's context; it must live as long as the view.
    pub(crate) content_context: wry::WebContext,
}

/// Builds the hidden window, the toolbar and the content view, with every signal connected.
pub(crate) fn build(
    event_loop: &EventLoop<Event>,
    shared: &Rc<Shared>,
    proxy: &EventLoopProxy<Event>,
    layout: Layout,
) -> Result<Built, String> {
    let window = window::build(event_loop, layout)?;
    let vbox = window
        .default_vbox()
        .ok_or("the window has no box")?
        .clone();

    // The trusted toolbar: its own ephemeral context, the only IPC handler.
    let ipc_proxy = proxy.clone();
    let toolbar = wry::WebViewBuilder::new()
        .with_id("toolbar")
        .with_incognito(true)
        .with_devtools(false)
        .with_hotkeys_zoom(false)
        .with_clipboard(false)
        .with_custom_protocol("guichet".into(), |_id, request| {
            respond(
                pages::toolbar_page(&request.uri().to_string()),
                pages::TOOLBAR_CSP,
            )
        })
        .with_navigation_handler(|url| pages::is_toolbar_url(&url))
        .with_new_window_req_handler(|_, _| wry::NewWindowResponse::Deny)
        .with_ipc_handler(move |request| match toolbar::parse(request.body()) {
            Some(msg) => {
                let _ = ipc_proxy.send_event(Event::Toolbar(msg));
            }
            None => tracing::warn!("unexpected message from the toolbar page"),
        })
        .with_url(pages::APP_URL)
        .build_gtk(&vbox)
        .map_err(|e| format!("toolbar: {e}"))?;
    let toolbar_view = toolbar.webview();
    toolbar_view.connect_context_menu(|_, _, _, _| true);
    let sh = Rc::clone(shared);
    toolbar_view.connect_web_process_terminated(move |_, reason| {
        tracing::error!(?reason, "toolbar web process terminated");
        sh.reporter.send(&FromView::Crashed {
            what: CrashKind::WebProcessTerminated,
        });
    });
    if let Some(s) = WebViewExt::settings(&toolbar_view) {
        webkit2gtk::SettingsExt::set_enable_developer_extras(&s, false);
        // The trusted pages are plain boxes of text. With GPU compositing, WebKit set up its GL
        // context when the spare was first shown: the welcome was drawn about 1 s after
        // `start` (software GL, `benches/reset.rs`); without it, about 60 ms.
        webkit2gtk::SettingsExt::set_hardware_acceleration_policy(
            &s,
            webkit2gtk::HardwareAccelerationPolicy::Never,
        );
    }

    // The untrusted content view: data in the session profile, proxy, no IPC handler; in an
    // overlay below the toolbar, which also holds what guichet draws for it.
    let content_box = gtk::Overlay::new();
    vbox.pack_start(&content_box, true, true, 0);
    content_box.show();
    let mut context = wry::WebContext::new(Some(shared.session.profile()));
    let policy = shared.policy().clone();
    let default_lang = shared.config.default_lang();
    let mut builder = wry::WebViewBuilder::new_with_web_context(&mut context)
        .with_id("content")
        .with_devtools(false)
        .with_hotkeys_zoom(false)
        .with_clipboard(false)
        .with_autoplay(false)
        .with_back_forward_navigation_gestures(false)
        .with_custom_protocol("guichet".into(), move |_id, request| {
            respond(
                pages::content_page(&request.uri().to_string(), &policy, default_lang),
                pages::CONTENT_CSP,
            )
        });
    if let Some(proxy_url) = &shared.config.network.proxy {
        builder = builder.with_proxy_config(proxy_config(proxy_url)?);
    }
    let content = builder
        .build_gtk(&content_box)
        .map_err(|e| format!("content: {e}"))?;
    let content_view = content.webview();
    super::content::configure(&content_view);
    super::content::connect(&content_view, shared);
    super::inpage::install(&content_view)?;
    super::popups::connect(&content_view);
    super::optionlist::connect(&content_view, &content_box);
    super::popups::guard(&window.gtk_window().clone().upcast());

    window::connect_input(&window, &[&toolbar_view, &content_view], proxy);

    Ok(Built {
        window,
        vbox,
        toolbar,
        content,
        content_box,
        content_context: context,
    })
}

/// Starts installing the sub-resource filter on the content view; `FilterReady` follows.
/// Returns whether the view is ready already (no filter: `subresources = "open"`).
pub(crate) fn install_filter(
    shared: &Shared,
    content: &webkit2gtk::WebView,
    proxy: &EventLoopProxy<Event>,
) -> Result<bool, String> {
    match shared.config.policy.subresources {
        Subresources::Open => Ok(true),
        Subresources::Policy => {
            let manager = content
                .user_content_manager()
                .ok_or("content view has no user content manager")?;
            let json = super::filter::compile(shared.policy());
            let store = shared.session.profile().join("content-filters");
            let p = proxy.clone();
            super::ffi::install_content_filter(
                &store,
                super::filter::FILTER_ID,
                &json,
                &manager,
                move |r| {
                    let _ = p.send_event(Event::FilterReady(r));
                },
            );
            Ok(false)
        }
    }
}

fn respond(page: pages::Page, csp: &str) -> wry::http::Response<std::borrow::Cow<'static, [u8]>> {
    wry::http::Response::builder()
        .status(page.status)
        .header("Content-Type", page.content_type)
        .header("Content-Security-Policy", csp)
        .header("Cache-Control", "no-store")
        .body(page.body)
        .expect("a static response is valid")
}

fn proxy_config(url: &url::Url) -> Result<wry::ProxyConfig, String> {
    let endpoint = wry::ProxyEndpoint {
        host: url.host_str().ok_or("proxy has no host")?.to_owned(),
        port: url
            .port_or_known_default()
            .ok_or("proxy has no port")?
            .to_string(),
    };
    Ok(match url.scheme() {
        "socks5" => wry::ProxyConfig::Socks5(endpoint),
        _ => wry::ProxyConfig::Http(endpoint),
    })
}
