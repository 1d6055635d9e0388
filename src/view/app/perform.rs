//! What the event loop does for each [`Output`] of the screens, in order.

use webkit2gtk::{FileChooserRequestExt, WebViewExt};

use crate::protocol::view::FromView;

use super::super::content;
use super::super::downloads;
use super::super::ending;
use super::super::pages;
use super::super::screens::Output;
use super::super::shared::Event;
use super::super::toolbar::ZoomDir;
use super::super::window;
use super::{App, ZOOM_STEP};

impl App {
    pub(super) fn perform(&self, outputs: Vec<Output>) {
        for output in outputs {
            match output {
                Output::ShowWindow => window::show(&self.window, self.layout),
                Output::Unhide => self.window.set_visible(true),
                Output::Show(screen) => self.render(screen),
                Output::Load { url, by_person } => {
                    // Its navigation carries no gesture: say whether the person asked.
                    self.shared.gestures.borrow_mut().own_load(&url, by_person);
                    self.content_view().load_uri(&url);
                }
                Output::ShowBlocked(reason) => self
                    .content_view()
                    .load_uri(&pages::blocked_url(reason, self.lang.get())),
                Output::ShowError { kind, retry } => {
                    tracing::debug!(?kind, "error page");
                    self.content_view().load_uri(&pages::error_url(
                        kind,
                        self.lang.get(),
                        retry.as_ref(),
                    ))
                }
                Output::ArmRetry { seq, after } => {
                    let p = self.shared.proxy();
                    gtk::glib::timeout_add_local_once(after, move || {
                        let _ = p.send_event(Event::RetryDue(seq));
                    });
                }
                Output::ArmLoadTimer { seq, after } => {
                    let p = self.shared.proxy();
                    gtk::glib::timeout_add_local_once(after, move || {
                        let _ = p.send_event(Event::LoadTimeout(seq));
                    });
                }
                Output::AskPainted => {
                    if let Err(e) = self
                        .toolbar
                        .evaluate_script("window.guichet && window.guichet.whenPainted()")
                    {
                        tracing::warn!("cannot ask the toolbar for its first frame: {e}");
                    }
                }
                Output::ReportProblem(kind) => self.shared.report_problem(kind),
                Output::Report(msg) => {
                    match msg {
                        FromView::Shown => tracing::info!("shown"),
                        FromView::EndRequested => tracing::info!("end requested"),
                        FromView::Ended => tracing::info!("session ended"),
                        _ => {}
                    }
                    self.shared.reporter.send(&msg);
                }
                Output::GoBack => content::go_back(&self.content_view()),
                Output::GoForward => content::go_forward(&self.content_view()),
                Output::Reload => content::reload(&self.content_view()),
                Output::Zoom(dir) => self.handle(Event::Zoom(match dir {
                    ZoomDir::In => ZOOM_STEP,
                    ZoomDir::Out => -ZOOM_STEP,
                })),
                Output::SelectFile(index) => {
                    let names = downloads::list(&self.shared.session.downloads());
                    if let (Some(name), Some(req)) = (names.get(index), self.shared.chooser.take())
                    {
                        let path = self.shared.session.downloads().join(name);
                        req.select_files(&[&path.to_string_lossy()]);
                    }
                }
                Output::CancelChooser => {
                    if let Some(req) = self.shared.chooser.take() {
                        req.cancel();
                    }
                }
                Output::VisitLogout {
                    service,
                    url,
                    seq,
                    timeout,
                } => ending::visit(
                    &self.shared,
                    &self.content_view(),
                    &service,
                    &url,
                    seq,
                    timeout,
                ),
                Output::BoundLogouts { round, after } => ending::bound(&self.shared, round, after),
                Output::DisarmVisit => ending::disarm(&self.shared),
                Output::Blank => self.content_view().load_uri("about:blank"),
                Output::ArmGoodbye { after } => {
                    let p = self.shared.proxy();
                    gtk::glib::timeout_add_local_once(after, move || {
                        let _ = p.send_event(Event::GoodbyeOver);
                    });
                }
                Output::DefaultLanguage => {
                    self.set_lang(self.shared.config.default_lang());
                }
            }
        }
    }
}
