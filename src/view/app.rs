//! The view's event loop: every [`Event`] is handled here, on the main thread, one at a time.
//!
//! What concerns the screens (orders from guichetd, the toolbar's buttons, the content
//! view's pages and file chooser, the logout visits) is fed to [`Screens`] as an [`Input`],
//! and the [`Output`]s it returns are performed here, in order, the download notices too.
//! The rest is handled here directly: readiness (`ready` once the toolbar page and the
//! sub-resource filter are up), the language, the zoom, activity and the orders that end the
//! process.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use tao::event::{Event as TaoEvent, WindowEvent};
use tao::event_loop::{ControlFlow, EventLoop, EventLoopBuilder, EventLoopProxy};
use webkit2gtk::WebViewExt;
use wry::WebViewExtUnix;

use crate::config::Config;
use crate::lang::Lang;
use crate::protocol::view::{CrashKind, FromView, ToView};
use crate::sessiondir::SessionDir;

use super::build::{self, Built};
use super::downloads;
use super::ending;
use super::layout;
use super::orders::{self, Order};
use super::pages::Go;
use super::printing::Prints;
use super::screens::{Input, Notice, Screens};
use super::shared::{Event, PageLoad, Shared};
use super::toolbar::{ToolbarMsg, UiScreen};
use super::ui_states;
use super::window;

/// Zoom bounds and step of the content view.
const ZOOM_MIN: f64 = 0.5;
const ZOOM_MAX: f64 = 3.0;
const ZOOM_STEP: f64 = 0.25;

struct App {
    shared: Rc<Shared>,
    layout: window::Layout,
    window: tao::window::Window,
    vbox: gtk::Box,
    toolbar: wry::WebView,
    content: wry::WebView,
    content_box: gtk::Overlay,
    _content_context: wry::WebContext,
    screens: RefCell<Screens>,
    lang: Cell<Lang>,
    zoom: Cell<f64>,
    /// High contrast, chosen by the person: for this view's one session only (the next
    /// session is a new view, which starts without it).
    high_contrast: Cell<bool>,
    toolbar_ready: Cell<bool>,
    filter_ready: Cell<bool>,
    ready_sent: Cell<bool>,
    /// The service name the toolbar shows.
    rendered_service: RefCell<Option<String>>,
    /// The session's print requests and guichetd's answers.
    prints: RefCell<Prints>,
}

/// Builds everything and runs the event loop; never returns.
pub(crate) fn run(config: Config, session: SessionDir, layout: window::Layout) -> ! {
    let event_loop = EventLoopBuilder::<Event>::with_user_event().build();
    let proxy = event_loop.create_proxy();

    let reader_proxy = proxy.clone();
    orders::spawn_reader(move |order| {
        let _ = reader_proxy.send_event(Event::Order(order));
    });

    let shared = Rc::new(Shared::new(config, session, proxy.clone()));

    let app = match App::new(&event_loop, &shared, &proxy, layout) {
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

/// The zoom after a step, kept within bounds.
fn next_zoom(current: f64, delta: f64) -> f64 {
    (current + delta).clamp(ZOOM_MIN, ZOOM_MAX)
}

impl App {
    fn new(
        event_loop: &EventLoop<Event>,
        shared: &Rc<Shared>,
        proxy: &EventLoopProxy<Event>,
        layout: window::Layout,
    ) -> Result<App, String> {
        let Built {
            window,
            vbox,
            toolbar,
            content,
            content_box,
            content_context,
        } = build::build(event_loop, shared, proxy, layout)?;
        let start_url = shared
            .config
            .terminal
            .start_url
            .as_ref()
            .map(|u| u.as_str().to_owned());
        let app = App {
            shared: Rc::clone(shared),
            layout,
            window,
            vbox,
            toolbar,
            content,
            content_box,
            _content_context: content_context,
            screens: RefCell::new(Screens::new(start_url)),
            lang: Cell::new(shared.config.default_lang()),
            zoom: Cell::new(1.0),
            high_contrast: Cell::new(false),
            toolbar_ready: Cell::new(false),
            filter_ready: Cell::new(false),
            ready_sent: Cell::new(false),
            rendered_service: RefCell::new(None),
            prints: RefCell::new(Prints::default()),
        };
        app.layout(app.screen());
        super::content::set_language(&app.content_view(), app.lang.get());
        if build::install_filter(shared, &app.content_view(), proxy)? {
            app.filter_ready.set(true);
        }
        Ok(app)
    }

    fn content_view(&self) -> webkit2gtk::WebView {
        self.content.webview()
    }

    fn screen(&self) -> UiScreen {
        self.screens.borrow().screen()
    }

    fn handle(&self, event: Event) {
        match event {
            Event::Order(order) => self.on_order(order),
            Event::Toolbar(msg) => self.on_toolbar(msg),
            Event::ShowBlocked(reason) => self.feed(Input::Blocked(reason)),
            Event::PageLoad(load) => {
                let committed = matches!(load, PageLoad::Committed { .. });
                self.feed(match load {
                    PageLoad::Started { url, form } => Input::LoadStarted { url, form },
                    PageLoad::Redirected => Input::LoadRedirected,
                    PageLoad::Committed { url } => Input::LoadCommitted { url },
                    PageLoad::Failed { url, kind } => Input::LoadFailed { url, kind },
                });
                // The toolbar names the service of the page now on screen.
                if committed && self.screen() == UiScreen::Session {
                    self.render_if_service_changed();
                }
            }
            Event::LoadTimeout(seq) => self.feed(Input::LoadTimeout(seq)),
            Event::NetworkBack => self.feed(Input::NetworkBack),
            Event::RetryDue(seq) => self.feed(Input::RetryDue(seq)),
            Event::LoadInContent { url, by_person } => {
                self.feed(Input::LoadInContent { url, by_person })
            }
            Event::VisitDone => self.on_logout_end(Input::VisitDone, "ok"),
            Event::OpenPicker => self.feed(Input::OpenPicker),
            Event::DownloadRefused(why) => self.feed(Input::Notice(Notice::Refused(why))),
            Event::DownloadFinished => self.feed(Input::Notice(Notice::Saved)),
            Event::DownloadsChanged => self.render(self.screen()),
            Event::PageRendered(page) => self.on_page_rendered(page),
            Event::FilterReady(result) => match result {
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
            },
            Event::Activity => self.shared.reporter.activity(),
            Event::Zoom(delta) => self.set_zoom(next_zoom(self.zoom.get(), delta)),
            Event::ZoomReset => self.set_zoom(1.0),
            Event::LogoutTimeout(seq) => self.on_logout_end(Input::LogoutTimeout(seq), "timeout"),
            Event::LogoutsBound(round) => self.on_logout_end(Input::LogoutsBound(round), "timeout"),
            Event::WindowPainted => self.feed(Input::Painted),
            Event::GoodbyeOver => self.feed(Input::GoodbyeOver),
            Event::Go(go) => {
                self.shared.reporter.activity();
                match go {
                    Go::Back => self.feed(Input::Back),
                    Go::Home => self.feed(Input::Home),
                    Go::CallHelper => self.feed(Input::CallHelper),
                    Go::Toolbar => self.focus_toolbar(),
                }
            }
        }
    }

    /// A logout visit ended (`ok`: its load ended) or was cut short (`timeout`): the log
    /// gets the service id and which, at debug, never the URL.
    fn on_logout_end(&self, input: Input, result: &'static str) {
        let service = self.screens.borrow().visiting().map(str::to_owned);
        let out = self.screens.borrow_mut().handle(input);
        if let (Some(service), false) = (service, out.is_empty()) {
            tracing::debug!(service, result, "logout visit");
        }
        self.perform(out);
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
        tracing::debug!(order = orders::name(&msg), "order");
        self.feed(match msg {
            ToView::Start { goodbye } => Input::Start { goodbye },
            // The language of the goodbye and of the staff screens: the person's last choice.
            ToView::Language { lang } => {
                self.set_lang(lang);
                return;
            }
            ToView::Countdown { reason, seconds } => Input::Countdown { reason, seconds },
            ToView::CancelCountdown => Input::CancelCountdown,
            ToView::EndSession { takeaway, logouts } => {
                self.write_summary();
                Input::EndSession {
                    takeaway,
                    has_downloads: ending::has_downloads(&self.shared.session),
                    logouts,
                }
            }
            ToView::Usb { state } => {
                self.on_usb(state);
                return;
            }
            ToView::Screen { screen } => Input::Screen(screen),
            ToView::PrintStatus { id, state, .. } => {
                self.on_print_status(id, state);
                return;
            }
            ToView::Quit => {
                tracing::info!("quit");
                std::process::exit(0);
            }
        });
    }

    fn on_toolbar(&self, msg: ToolbarMsg) {
        if !matches!(
            msg,
            ToolbarMsg::Hello
                | ToolbarMsg::NoticeSeen
                | ToolbarMsg::Painted
                | ToolbarMsg::Layout { .. }
        ) {
            self.shared.reporter.activity();
        }
        let input = match &msg {
            ToolbarMsg::Hello => {
                self.toolbar_ready.set(true);
                self.render(self.screen());
                self.maybe_ready();
                return;
            }
            // Mid-session too: guichet's screens, the page's next requests (`Accept-Language`)
            // and its form controls change; the page on screen is not loaded again (what the
            // person typed stays), Reload does it.
            ToolbarMsg::Lang { lang } => {
                if !self.set_lang(*lang) {
                    return;
                }
                self.shared
                    .reporter
                    .send(&FromView::Language { lang: *lang });
                Input::LangChosen
            }
            ToolbarMsg::NoticeSeen => Input::NoticeSeen,
            ToolbarMsg::Layout { notice, .. } => {
                let shown = self.screens.borrow().notice().filter(|_| *notice);
                let shown = shown.map(|n| format!("{n:?}")).unwrap_or_default();
                super::toolbar::log_layout(&msg, self.lang.get().code(), &shown);
                return;
            }
            ToolbarMsg::Contrast => {
                let on = !self.high_contrast.get();
                self.high_contrast.set(on);
                super::inpage::set_high_contrast(&self.content_view(), on);
                self.render(self.screen());
                return;
            }
            ToolbarMsg::Painted => {
                // The page drew its frame; the window must draw it too before it is on screen.
                window::after_paints(&self.window, self.shared.proxy(), Event::WindowPainted);
                return;
            }
            ToolbarMsg::Open { service } => Input::Open {
                start_url: self
                    .shared
                    .policy()
                    .service(service)
                    .map(|s| s.start_url.get(self.lang.get()).to_string()),
            },
            ToolbarMsg::Home => Input::Home,
            ToolbarMsg::Back => Input::Back,
            ToolbarMsg::Forward => Input::Forward,
            ToolbarMsg::Reload => Input::Reload,
            ToolbarMsg::Languages => Input::Languages,
            ToolbarMsg::Zoom { dir } => Input::Zoom(*dir),
            ToolbarMsg::Documents => Input::Documents,
            ToolbarMsg::Close => Input::Close,
            ToolbarMsg::End => Input::End,
            ToolbarMsg::CallHelper => Input::CallHelper,
            ToolbarMsg::Report => Input::Report,
            ToolbarMsg::Problem { kind } => Input::Problem(*kind),
            ToolbarMsg::EndConfirmed => Input::EndConfirmed,
            ToolbarMsg::StillHere => Input::StillHere,
            ToolbarMsg::Finish => Input::Finish,
            ToolbarMsg::UsbCopy { files } => {
                self.usb_copy(files);
                return;
            }
            ToolbarMsg::Pick { index } => Input::Pick { index: *index },
            ToolbarMsg::PickCancel => Input::PickCancel,
            ToolbarMsg::Print { name } => {
                self.on_print(name);
                return;
            }
        };
        let out = self.screens.borrow_mut().handle(input);
        // A language chosen on the welcome or the services screen stays there: not ignored.
        let quiet = matches!(
            msg,
            ToolbarMsg::Painted | ToolbarMsg::NoticeSeen | ToolbarMsg::Lang { .. }
        );
        if out.is_empty() && !quiet {
            let screen = self.screen();
            tracing::debug!(?msg, ?screen, "toolbar message ignored");
        }
        self.perform(out);
    }

    /// Feeds the screens and performs what they ask.
    fn feed(&self, input: Input) {
        let out = self.screens.borrow_mut().handle(input);
        self.perform(out);
    }

    /// Sends the state of `screen` to the toolbar page and sizes the two views.
    fn render(&self, screen: UiScreen) {
        self.layout(screen);
        if !self.toolbar_ready.get() {
            return;
        }
        let mut state = ui_states::state_of(
            &self.screens.borrow(),
            screen,
            self.lang.get(),
            &self.shared.config.terminal.languages,
            self.shared.policy(),
            downloads::list(&self.shared.session.downloads()),
            self.zoom.get(),
            self.shared.service_name(self.lang.get()),
            self.prints
                .borrow()
                .ui(self.lang.get(), self.shared.config.printing.is_some()),
            self.high_contrast.get(),
        );
        state.keep = self.keep_state(screen);
        self.rendered_service.replace(state.service.clone());
        if let Err(e) = self.toolbar.evaluate_script(&state.script()) {
            tracing::warn!("cannot update the toolbar: {e}");
        }
    }

    /// The keyboard on the session's toolbar, its first button focused (F6, the skip link).
    fn focus_toolbar(&self) {
        if self.screen() != UiScreen::Session {
            return;
        }
        gtk::prelude::WidgetExt::grab_focus(&self.toolbar.webview());
        if let Err(e) = self
            .toolbar
            .evaluate_script("window.guichet && window.guichet.focusBar()")
        {
            tracing::warn!("cannot focus the toolbar: {e}");
        }
    }

    fn render_if_service_changed(&self) {
        if *self.rendered_service.borrow() != self.shared.service_name(self.lang.get()) {
            self.render(self.screen());
        }
    }

    fn layout(&self, screen: UiScreen) {
        layout::size(
            &self.window,
            &self.vbox,
            &self.toolbar.webview(),
            &self.content_view(),
            &self.content_box,
            screen,
        );
    }

    /// The person's language, for guichet's screens and for the pages (WebKit's preferred
    /// languages: `Accept-Language` and the page's own controls); `false` if the terminal
    /// does not offer it.
    fn set_lang(&self, lang: Lang) -> bool {
        if !self.shared.config.terminal.languages.contains(&lang) {
            return false;
        }
        self.lang.set(lang);
        super::content::set_language(&self.content_view(), lang);
        self.render(self.screen());
        true
    }

    fn set_zoom(&self, zoom: f64) {
        self.zoom.set(zoom);
        self.content_view().set_zoom_level(zoom);
        self.render(self.screen());
    }

    fn maybe_ready(&self) {
        if self.toolbar_ready.get() && self.filter_ready.get() && !self.ready_sent.get() {
            self.ready_sent.set(true);
            tracing::info!("ready");
            self.shared.reporter.send(&FromView::Ready);
        }
    }
}

mod keep;
mod perform;
mod print;

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
