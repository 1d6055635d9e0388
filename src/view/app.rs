//! The view's state machine and event loop: one window, the toolbar, the content view.
//!
//! Orders from the supervisor, clicks in the toolbar and WebKit signals all become an
//! [`Event`] handled on the main thread by [`App::handle`]; that is the only place the screen
//! changes. [`Shared`] holds what the synchronous WebKit signal handlers need to answer on
//! the spot (policy, config, session dir, language, the pending file chooser).

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use gtk::prelude::*;
use javascriptcore::ValueExt;
use tao::event::{Event as TaoEvent, WindowEvent};
use tao::event_loop::{ControlFlow, EventLoopBuilder, EventLoopProxy};
use tao::platform::unix::WindowExtUnix;
use webkit2gtk::{FileChooserRequest, FileChooserRequestExt, WebViewExt};
use wry::{WebViewBuilderExtUnix, WebViewExtUnix};

use crate::config::{Config, Subresources};
use crate::lang::Lang;
use crate::loggable::Private;
use crate::policy::{BlockReason, Policy};
use crate::protocol::view::{CrashKind, FromView, Screen, ToView};
use crate::sessiondir::SessionDir;

use super::downloads;
use super::i18n::texts;
use super::navigation::host_of;
use super::orders::{self, Order, Reporter};
use super::pages::{self, ErrorKind};
use super::toolbar::{self, ToolbarMsg, UiScreen, UiState, ZoomDir};
use super::window;

/// Something for the event loop to do.
#[derive(Debug)]
pub enum Event {
    Order(Order),
    Toolbar(ToolbarMsg),
    /// Show the blocked page for a top-level navigation or a new window.
    ShowBlocked(BlockReason),
    ShowError(ErrorKind),
    /// Load an allowed URL in the content view (a new-window request).
    LoadInContent(String),
    /// The load of a logout visit finished or failed.
    VisitDone,
    OpenPicker,
    DownloadRefused,
    DownloadFinished,
    DownloadsChanged,
    /// The sub-resource filter is installed (or failed).
    FilterReady(Result<(), String>),
    Activity,
    Zoom(f64),
    ZoomReset,
    /// A logout visit took too long.
    LogoutTimeout(u32),
}

/// What WebKit signal handlers read to answer on the spot.
pub struct Shared {
    pub config: Config,
    pub session: SessionDir,
    pub reporter: Reporter,
    pub lang: Cell<Lang>,
    pub chooser: RefCell<Option<FileChooserRequest>>,
    /// Downloads refused at `decide-destination` (their failure is not reported again).
    pub refused_downloads: RefCell<Vec<webkit2gtk::Download>>,
    proxy: EventLoopProxy<Event>,
    /// Set between a main-frame load's start and its commit (or failure).
    pub top_pending: Cell<bool>,
    /// The logout visit's load: armed when asked, started when WebKit starts it; only a
    /// started visit's end counts (not the end of the load it replaced).
    pub visit: Cell<Visit>,
}

impl Shared {
    pub fn policy(&self) -> &Policy {
        &self.config.policy.policy
    }

    pub fn send(&self, event: Event) {
        let _ = self.proxy.send_event(event);
    }

    /// Ends a started logout visit (its load finished or failed).
    pub fn visit_done(&self) {
        if self.visit.get() == Visit::Started {
            self.visit.set(Visit::Idle);
            self.send(Event::VisitDone);
        }
    }

    /// Reports a blocked top-level navigation and shows the blocked page.
    pub fn blocked(&self, url: &str, reason: BlockReason) {
        let host = host_of(url);
        tracing::debug!(host = ?host.as_ref().map(|h| h.to_string()), reason = reason.code(), "navigation blocked");
        self.reporter.send(&FromView::Blocked { host, reason });
        self.send(Event::ShowBlocked(reason));
    }

    /// Handles a blocked hop of a navigation action whose frame WebKitGTK does not name.
    ///
    /// A redirect while a top-level load is pending belongs to the main frame. Otherwise the
    /// main document is asked, in an isolated script world the page cannot tamper with,
    /// whether one of its frame elements points at the URL: then it was an iframe and stays
    /// empty. A hop without a user gesture in a page holding cross-origin frames (whose
    /// own frames the main document cannot see) is taken as a nested frame too, so an
    /// embedded widget's tracker never replaces the whole page. Anything else was the main
    /// frame (a link, `location.href`, meta refresh, form) and the blocked page is shown.
    /// The hop itself has already been ignored either way.
    pub fn blocked_hop(
        self: &Rc<Self>,
        view: &webkit2gtk::WebView,
        url: &str,
        reason: BlockReason,
        redirect: bool,
        gesture: bool,
    ) {
        if redirect && self.top_pending.get() {
            self.blocked(url, reason);
            return;
        }
        let script = format!(
            "(function(u,g){{try{{const fs=document.querySelectorAll('iframe,frame,object,embed');\
             for(const f of fs){{const s=f.getAttribute('src')??f.getAttribute('data');\
             if(s!==null&&new URL(s,document.baseURI).href===u)return true;}}\
             if(!g)for(const f of fs){{if(f.contentDocument===null)return true;}}\
             }}catch(e){{}}return false;}})({},{})",
            serde_json::to_string(url).expect("a string serializes"),
            gesture
        );
        let sh = Rc::clone(self);
        let url = url.to_owned();
        view.evaluate_javascript(
            &script,
            Some("guichet-frame-check"),
            None,
            None::<&gtk::gio::Cancellable>,
            move |result| {
                let in_frame = result.map(|v| v.to_boolean()).unwrap_or(false);
                if in_frame {
                    tracing::debug!(host = ?host_of(&url).map(|h| h.to_string()), "iframe navigation blocked");
                } else {
                    sh.blocked(&url, reason);
                }
            },
        );
    }
}

/// The name of an order, for the log.
fn order_name(msg: &ToView) -> &'static str {
    match msg {
        ToView::Start => "start",
        ToView::Countdown { .. } => "countdown",
        ToView::CancelCountdown => "cancel_countdown",
        ToView::EndSession { .. } => "end_session",
        ToView::Screen { .. } => "screen",
        ToView::Quit => "quit",
    }
}

/// The zoom after a step, kept within bounds.
fn next_zoom(current: f64, delta: f64) -> f64 {
    (current + delta).clamp(ZOOM_MIN, ZOOM_MAX)
}

/// Where the load of a logout visit is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Visit {
    Idle,
    Armed,
    Started,
}

/// Zoom bounds and step of the content view.
const ZOOM_MIN: f64 = 0.5;
const ZOOM_MAX: f64 = 3.0;
const ZOOM_STEP: f64 = 0.25;
/// How long one logout visit may take.
const LOGOUT_TIMEOUT: Duration = Duration::from_secs(8);
/// Height of the toolbar during a session, in pixels.
const BAR_HEIGHT: i32 = 96;

/// The end-of-session flow.
#[derive(Debug, Default)]
struct Ending {
    logout_urls: Vec<Private<String>>,
    /// Index of the logout being visited, when visiting.
    visiting: Option<usize>,
}

pub struct App {
    shared: Rc<Shared>,
    window: tao::window::Window,
    layout: window::Layout,
    vbox: gtk::Box,
    toolbar: wry::WebView,
    content: wry::WebView,
    _content_context: wry::WebContext,
    screen: Cell<UiScreen>,
    /// The screen under a temporary one (documents, picker, countdown).
    under: Cell<UiScreen>,
    countdown: Cell<u32>,
    notice: Cell<Option<&'static str>>,
    zoom: Cell<f64>,
    toolbar_ready: Cell<bool>,
    filter_ready: Cell<bool>,
    ready_sent: Cell<bool>,
    started: Cell<bool>,
    /// `start` came and the first frame on screen is not reported yet.
    shown_pending: Cell<bool>,
    ending: RefCell<Option<Ending>>,
    logout_seq: Cell<u32>,
}

/// Builds everything and runs the event loop; never returns.
pub fn run(config: Config, session: SessionDir, layout: window::Layout) -> ! {
    let event_loop = EventLoopBuilder::<Event>::with_user_event().build();
    let proxy = event_loop.create_proxy();

    let reader_proxy = proxy.clone();
    orders::spawn_reader(move |order| {
        let _ = reader_proxy.send_event(Event::Order(order));
    });

    let lang = config.default_lang();
    let shared = Rc::new(Shared {
        config,
        session,
        reporter: Reporter::new(),
        lang: Cell::new(lang),
        chooser: RefCell::new(None),
        refused_downloads: RefCell::new(Vec::new()),
        proxy: proxy.clone(),
        top_pending: Cell::new(false),
        visit: Cell::new(Visit::Idle),
    });

    let app = match build(&event_loop, &shared, proxy, layout) {
        Ok(app) => app,
        Err(e) => {
            tracing::error!("cannot build the view: {e}");
            shared.reporter.send(&FromView::Crashed {
                what: CrashKind::Startup,
            });
            std::process::exit(1);
        }
    };

    event_loop.run(move |event, _, control_flow| {
        *control_flow = ControlFlow::Wait;
        match event {
            TaoEvent::UserEvent(e) => app.handle(e),
            TaoEvent::WindowEvent {
                event: WindowEvent::CloseRequested,
                ..
            } => tracing::debug!("close request ignored"),
            _ => {}
        }
    })
}

fn build(
    event_loop: &tao::event_loop::EventLoop<Event>,
    shared: &Rc<Shared>,
    proxy: EventLoopProxy<Event>,
    layout: window::Layout,
) -> Result<App, String> {
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

    // The untrusted content view: data in the session profile, proxy, no IPC handler.
    let profile = shared.session.profile();
    let mut context = wry::WebContext::new(Some(profile.clone()));
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
        .build_gtk(&vbox)
        .map_err(|e| format!("content: {e}"))?;
    let content_view = content.webview();
    super::content::configure(&content_view);
    super::content::connect(&content_view, shared);

    window::connect_input(&window, &[&toolbar_view, &content_view], &proxy);

    let app = App {
        layout,
        shared: Rc::clone(shared),
        window,
        vbox,
        toolbar,
        content,
        _content_context: context,
        screen: Cell::new(UiScreen::Welcome),
        under: Cell::new(UiScreen::Welcome),
        countdown: Cell::new(0),
        notice: Cell::new(None),
        zoom: Cell::new(1.0),
        toolbar_ready: Cell::new(false),
        filter_ready: Cell::new(false),
        ready_sent: Cell::new(false),
        started: Cell::new(false),
        shown_pending: Cell::new(false),
        ending: RefCell::new(None),
        logout_seq: Cell::new(0),
    };
    app.layout();

    match shared.config.policy.subresources {
        Subresources::Open => app.filter_ready.set(true),
        Subresources::Policy => {
            let manager = content_view
                .user_content_manager()
                .ok_or("content view has no user content manager")?;
            let json = super::filter::compile(shared.policy());
            let store = profile.join("content-filters");
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
        }
    }
    Ok(app)
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

impl App {
    fn lang(&self) -> Lang {
        self.shared.lang.get()
    }

    fn content_view(&self) -> webkit2gtk::WebView {
        self.content.webview()
    }

    /// Sends the current state to the toolbar page and sizes the two views.
    fn render(&self) {
        self.layout();
        if !self.toolbar_ready.get() {
            return;
        }
        let state = UiState::new(
            self.screen.get(),
            self.lang(),
            &self.shared.config.terminal.languages,
            self.shared.policy(),
            downloads::list(&self.shared.session.downloads()),
            self.countdown.get(),
            self.zoom.get(),
            self.notice.get(),
        );
        if let Err(e) = self.toolbar.evaluate_script(&state.script()) {
            tracing::warn!("cannot update the toolbar: {e}");
        }
    }

    /// Sizes the two views. A WebKit view's natural height is its page's height, so
    /// packing alone lets whichever page is taller keep the space: each view gets an
    /// explicit minimum height instead (the toolbar's bar, the content the rest; or the
    /// toolbar everything). The content view is never hidden (re-showing a mapped WebKit view
    /// stalled under Xvfb); on full-window screens it has no height and takes no input.
    fn layout(&self) {
        let toolbar = self.toolbar.webview();
        let content = self.content_view();
        let full = self.screen.get().is_full_window();
        let height = match self.vbox.allocated_height() {
            h if h > BAR_HEIGHT => h,
            _ => self
                .window
                .current_monitor()
                .map(|m| m.size().height as i32)
                .unwrap_or(BAR_HEIGHT * 8),
        };
        if full {
            content.set_sensitive(false);
            content.set_size_request(-1, 0);
            toolbar.set_size_request(-1, height);
            self.vbox
                .set_child_packing(&content, false, true, 0, gtk::PackType::Start);
            self.vbox
                .set_child_packing(&toolbar, true, true, 0, gtk::PackType::Start);
        } else {
            toolbar.set_size_request(-1, BAR_HEIGHT);
            content.set_size_request(-1, (height - BAR_HEIGHT).max(1));
            self.vbox
                .set_child_packing(&toolbar, false, true, 0, gtk::PackType::Start);
            self.vbox
                .set_child_packing(&content, true, true, 0, gtk::PackType::Start);
            content.set_sensitive(true);
            content.grab_focus();
        }
    }

    fn show(&self, screen: UiScreen) {
        self.screen.set(screen);
        self.render();
    }

    fn maybe_ready(&self) {
        if self.toolbar_ready.get() && self.filter_ready.get() && !self.ready_sent.get() {
            self.ready_sent.set(true);
            tracing::info!("ready");
            self.shared.reporter.send(&FromView::Ready);
        }
    }

    fn load(&self, url: &str) {
        let content = self.content_view();
        content.load_uri(url);
    }

    fn handle(&self, event: Event) {
        match event {
            Event::Order(order) => self.on_order(order),
            Event::Toolbar(msg) => self.on_toolbar(msg),
            Event::ShowBlocked(reason) => {
                if self.started.get() && self.ending.borrow().is_none() {
                    self.load(&pages::blocked_url(reason, self.lang()));
                }
            }
            Event::ShowError(kind) => {
                if self.ending.borrow().is_none() {
                    self.load(&pages::error_url(kind, self.lang()));
                }
            }
            Event::LoadInContent(url) => {
                if self.ending.borrow().is_none() {
                    self.load(&url);
                }
            }
            Event::VisitDone => {
                if self
                    .ending
                    .borrow()
                    .as_ref()
                    .is_some_and(|e| e.visiting.is_some())
                {
                    self.next_logout();
                }
            }
            Event::OpenPicker => {
                if self.screen.get() == UiScreen::Session {
                    self.under.set(UiScreen::Session);
                    self.show(UiScreen::Picker);
                } else if let Some(req) = self.shared.chooser.take() {
                    req.cancel();
                }
            }
            Event::DownloadRefused => {
                self.notice.set(Some(texts(self.lang()).download_refused));
                self.render();
            }
            Event::DownloadFinished => {
                self.notice.set(Some(texts(self.lang()).download_done));
                self.render();
            }
            Event::DownloadsChanged => self.render(),
            Event::FilterReady(result) => {
                match result {
                    Ok(()) => {
                        tracing::info!("sub-resource filter installed");
                        self.filter_ready.set(true);
                        self.maybe_ready();
                    }
                    Err(e) => {
                        // Fail closed: without its filter this view must not be used.
                        tracing::error!("sub-resource filter failed: {e}");
                        self.shared.reporter.send(&FromView::Crashed {
                            what: CrashKind::Startup,
                        });
                    }
                }
            }
            Event::Activity => self.shared.reporter.activity(),
            Event::Zoom(delta) => {
                let z = next_zoom(self.zoom.get(), delta);
                self.zoom.set(z);
                self.content_view().set_zoom_level(z);
                self.render();
            }
            Event::ZoomReset => {
                self.zoom.set(1.0);
                self.content_view().set_zoom_level(1.0);
                self.render();
            }
            Event::LogoutTimeout(seq) => {
                if seq == self.logout_seq.get() {
                    tracing::debug!("logout visit timed out");
                    self.next_logout();
                }
            }
        }
    }

    fn on_order(&self, order: Order) {
        let msg = match order {
            Order::Message(msg) => msg,
            Order::Garbage => {
                self.shared.reporter.send(&FromView::Crashed {
                    what: CrashKind::Protocol,
                });
                return;
            }
            Order::Closed => {
                tracing::info!("the supervisor closed stdin: exiting");
                std::process::exit(0);
            }
        };
        // The variant only: `end_session` carries URLs, which never go to a log.
        tracing::debug!(order = order_name(&msg), "order");
        match msg {
            ToView::Start => self.on_start(),
            ToView::Countdown { seconds, .. } => {
                if matches!(
                    self.screen.get(),
                    UiScreen::Welcome | UiScreen::Session | UiScreen::Documents | UiScreen::Picker
                ) {
                    self.under.set(self.screen.get());
                }
                self.countdown.set(seconds);
                self.show(UiScreen::Countdown);
            }
            ToView::CancelCountdown => {
                if self.screen.get() == UiScreen::Countdown {
                    self.show(self.under.get());
                }
            }
            ToView::EndSession {
                takeaway,
                logout_urls,
            } => self.on_end_session(takeaway, logout_urls),
            ToView::Screen { screen } => {
                self.window.set_visible(true);
                self.show(match screen {
                    Screen::Paused => UiScreen::Paused,
                    Screen::OutOfOrder => UiScreen::OutOfOrder,
                });
            }
            ToView::Quit => {
                tracing::info!("quit");
                std::process::exit(0);
            }
        }
    }

    fn on_start(&self) {
        if self.started.replace(true) {
            return;
        }
        window::show(&self.window, self.layout);
        match &self.shared.config.terminal.start_url {
            Some(url) => {
                self.show(UiScreen::Session);
                self.load(url.as_str());
            }
            None => self.show(UiScreen::Welcome),
        }
        self.shown_pending.set(true);
        if let Err(e) = self
            .toolbar
            .evaluate_script("window.guichet && window.guichet.whenPainted()")
        {
            tracing::warn!("cannot ask the toolbar for its first frame: {e}");
        }
    }

    fn on_toolbar(&self, msg: ToolbarMsg) {
        if !matches!(
            msg,
            ToolbarMsg::Hello | ToolbarMsg::NoticeSeen | ToolbarMsg::Painted
        ) {
            self.shared.reporter.activity();
        }
        let screen = self.screen.get();
        match msg {
            ToolbarMsg::Hello => {
                self.toolbar_ready.set(true);
                self.render();
                self.maybe_ready();
            }
            ToolbarMsg::Lang { lang } => {
                if self.shared.config.terminal.languages.contains(&lang) {
                    self.shared.lang.set(lang);
                    self.shared.reporter.send(&FromView::Language { lang });
                    self.render();
                }
            }
            ToolbarMsg::Open { service } if screen == UiScreen::Welcome && self.started.get() => {
                if let Some(s) = self.shared.policy().service(&service) {
                    let url = s.start_url.to_string();
                    self.show(UiScreen::Session);
                    self.load(&url);
                }
            }
            ToolbarMsg::Home if screen == UiScreen::Session => self.show(UiScreen::Welcome),
            ToolbarMsg::Back if screen == UiScreen::Session => {
                let content = self.content_view();
                if content.can_go_back() {
                    content.go_back();
                }
            }
            ToolbarMsg::Zoom { dir } if screen == UiScreen::Session => {
                self.handle(Event::Zoom(match dir {
                    ZoomDir::In => ZOOM_STEP,
                    ZoomDir::Out => -ZOOM_STEP,
                }))
            }
            ToolbarMsg::Documents if screen == UiScreen::Session => {
                self.under.set(UiScreen::Session);
                self.show(UiScreen::Documents);
            }
            ToolbarMsg::Close if screen == UiScreen::Documents => self.show(UiScreen::Session),
            ToolbarMsg::End if matches!(screen, UiScreen::Session | UiScreen::Welcome) => {
                tracing::info!("end requested");
                self.shared.reporter.send(&FromView::EndRequested);
            }
            ToolbarMsg::StillHere if screen == UiScreen::Countdown => {
                self.shared.reporter.send(&FromView::Activity);
            }
            ToolbarMsg::Finish if screen == UiScreen::Takeaway => self.visit_logouts(),
            ToolbarMsg::Pick { index } if screen == UiScreen::Picker => {
                let names = downloads::list(&self.shared.session.downloads());
                if let (Some(name), Some(req)) = (names.get(index), self.shared.chooser.take()) {
                    let path = self.shared.session.downloads().join(name);
                    req.select_files(&[&path.to_string_lossy()]);
                }
                self.show(self.under.get());
            }
            ToolbarMsg::PickCancel if screen == UiScreen::Picker => {
                if let Some(req) = self.shared.chooser.take() {
                    req.cancel();
                }
                self.show(self.under.get());
            }
            ToolbarMsg::Painted => {
                if self.shown_pending.replace(false) {
                    tracing::info!("shown");
                    self.shared.reporter.send(&FromView::Shown);
                }
            }
            ToolbarMsg::NoticeSeen => {
                if self.notice.take().is_some() {
                    self.render();
                }
            }
            other => tracing::debug!(?other, ?screen, "toolbar message ignored on this screen"),
        }
    }

    fn on_end_session(&self, takeaway: bool, logout_urls: Vec<Private<String>>) {
        if let Some(req) = self.shared.chooser.take() {
            req.cancel();
        }
        *self.ending.borrow_mut() = Some(Ending {
            logout_urls,
            visiting: None,
        });
        window::show(&self.window, self.layout);
        if takeaway && !downloads::list(&self.shared.session.downloads()).is_empty() {
            self.show(UiScreen::Takeaway);
        } else {
            self.visit_logouts();
        }
    }

    /// Visits each logout URL in the content view (hidden behind the "ending" screen).
    fn visit_logouts(&self) {
        self.show(UiScreen::Ending);
        if let Some(e) = self.ending.borrow_mut().as_mut() {
            e.visiting = Some(0);
        }
        self.visit_current();
    }

    fn visit_current(&self) {
        let url = {
            let ending = self.ending.borrow();
            let Some(e) = ending.as_ref() else { return };
            e.visiting
                .and_then(|i| e.logout_urls.get(i).map(|u| u.expose().clone()))
        };
        match url {
            Some(url) => {
                let seq = self.logout_seq.get() + 1;
                self.logout_seq.set(seq);
                let p = self.shared.proxy.clone();
                gtk::glib::timeout_add_local_once(LOGOUT_TIMEOUT, move || {
                    let _ = p.send_event(Event::LogoutTimeout(seq));
                });
                tracing::debug!(host = ?host_of(&url).map(|h| h.to_string()), "visiting logout");
                self.shared.visit.set(Visit::Armed);
                self.load(&url);
            }
            None => self.goodbye(),
        }
    }

    fn next_logout(&self) {
        if let Some(e) = self.ending.borrow_mut().as_mut() {
            e.visiting = e.visiting.map(|i| i + 1);
        }
        self.logout_seq.set(self.logout_seq.get() + 1);
        self.visit_current();
    }

    fn goodbye(&self) {
        self.shared.visit.set(Visit::Idle);
        if let Some(e) = self.ending.borrow_mut().as_mut() {
            if e.visiting.is_none() {
                return;
            }
            e.visiting = None;
            e.logout_urls.clear();
        }
        self.content_view().load_uri("about:blank");
        self.show(UiScreen::Goodbye);
        tracing::info!("session ended");
        self.shared.reporter.send(&FromView::Ended);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zoom_stays_within_bounds() {
        let mut z = 1.0;
        for _ in 0..20 {
            z = next_zoom(z, ZOOM_STEP);
        }
        assert_eq!(z, ZOOM_MAX);
        for _ in 0..20 {
            z = next_zoom(z, -ZOOM_STEP);
        }
        assert_eq!(z, ZOOM_MIN);
        assert_eq!(next_zoom(1.0, ZOOM_STEP), 1.25);
    }
}
