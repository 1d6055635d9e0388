//! What the WebKit signal handlers share with the event loop: [`Event`], [`Shared`], [`Visit`].
//!
//! Signals that must be answered on the spot (a policy decision, a download's destination, a
//! file chooser, a permission) are answered in `content.rs` from [`Shared`]: the policy, the
//! config, the session directory, the reporter, the pending file chooser. Everything that
//! changes the screen is posted to the event loop as an [`Event`] instead, and handled in
//! `app.rs`. This module depends on no other part of the view's event loop, so the handlers
//! and the loop do not import each other.

use std::cell::{Cell, RefCell};

use tao::event_loop::EventLoopProxy;
use webkit2gtk::FileChooserRequest;

use crate::config::Config;
use crate::lang::Lang;
use crate::policy::{BlockReason, Policy};
use crate::protocol::view::FromView;
use crate::sessiondir::SessionDir;
use crate::stats::{ProblemKind, ServiceId};

use super::downloads::{Refusal, Tally};
use super::gestures::Gestures;
use super::keep::Keep;
use super::navigation::host_of;
use super::orders::{Order, Reporter};
use super::pages::ErrorKind;
use super::toolbar::ToolbarMsg;

/// Something for the event loop to do.
#[derive(Debug)]
pub(crate) enum Event {
    Order(Order),
    Toolbar(ToolbarMsg),
    /// Show the blocked page for a top-level navigation or a new window.
    ShowBlocked(BlockReason),
    /// The content view's main frame loads (see [`PageLoad`]).
    PageLoad(PageLoad),
    /// The response timer of a load fired.
    LoadTimeout(u32),
    /// The error page's automatic retry is due.
    RetryDue(u32),
    /// The network is available again.
    NetworkBack,
    /// Load an allowed URL in the content view (a new-window request); `by_person`: the
    /// person's click or key asked for the window.
    LoadInContent {
        url: String,
        by_person: bool,
    },
    /// The load of a logout visit finished or failed.
    VisitDone,
    OpenPicker,
    DownloadRefused(Refusal),
    DownloadFinished,
    DownloadsChanged,
    /// A page's print was rendered to `prints/page-N.pdf` (`None`: it could not be).
    PageRendered(Option<u32>),
    /// The sub-resource filter is installed (or failed).
    FilterReady(Result<(), String>),
    Activity,
    Zoom(f64),
    ZoomReset,
    /// A logout visit took too long.
    LogoutTimeout(u32),
    /// The bound on all the logout visits of end flow `round` passed.
    LogoutsBound(u32),
    /// The window itself has been painted and the display server has it (after the toolbar's
    /// own frame was drawn).
    WindowPainted,
    /// The goodbye shown at start has been on screen long enough.
    GoodbyeOver,
    /// The person followed a `guichet://go/…` link (or pressed F6): the toolbar's action.
    Go(super::pages::Go),
}

/// What happened to the content view's main-frame load.
#[derive(Debug)]
pub(crate) enum PageLoad {
    /// `form`: the navigation was a form's submission.
    Started {
        url: String,
        form: bool,
    },
    Redirected,
    Committed {
        url: String,
    },
    /// `url` failed: no connection, no answer, or an error with no page.
    Failed {
        url: String,
        kind: ErrorKind,
    },
}

/// Where the load of a logout visit is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Visit {
    Idle,
    Armed,
    Started,
}

/// What WebKit signal handlers read to answer on the spot.
pub(crate) struct Shared {
    pub(crate) config: Config,
    pub(crate) session: SessionDir,
    pub(crate) reporter: Reporter,
    pub(crate) chooser: RefCell<Option<FileChooserRequest>>,
    /// Which navigations the person started (a download needs one).
    pub(crate) gestures: RefCell<Gestures>,
    /// What the session's downloads take: accepted files and their bytes.
    pub(crate) tally: Cell<Tally>,
    /// Accepted downloads under way, with the bytes counted for each.
    pub(crate) running: RefCell<Vec<(webkit2gtk::Download, u64)>>,
    /// Refused downloads (their failure is not reported again).
    pub(crate) refused_downloads: RefCell<Vec<webkit2gtk::Download>>,
    /// Downloads that failed (their `finished` is not a success).
    pub(crate) failed_downloads: RefCell<Vec<webkit2gtk::Download>>,
    proxy: EventLoopProxy<Event>,
    /// The service whose rule allowed the last page committed (what "report a problem" is
    /// about), never its URL.
    pub(crate) service: RefCell<Option<ServiceId>>,
    /// Set between a main-frame load's start and its commit (or failure).
    pub(crate) top_pending: Cell<bool>,
    /// A form's submission was allowed and its load has not started yet.
    pub(crate) form_pending: Cell<bool>,
    /// The logout visit's load: armed when asked, started when WebKit starts it; only a
    /// started visit's end counts (not the end of the load it replaced).
    pub(crate) visit: Cell<Visit>,
    /// The summary's memory and the USB stick, for the take-away.
    pub(crate) keep: RefCell<Keep>,
}

impl Shared {
    pub(crate) fn new(config: Config, session: SessionDir, proxy: EventLoopProxy<Event>) -> Shared {
        Shared {
            config,
            session,
            reporter: Reporter::new(),
            chooser: RefCell::new(None),
            gestures: RefCell::new(Gestures::default()),
            tally: Cell::new(Tally::default()),
            running: RefCell::new(Vec::new()),
            refused_downloads: RefCell::new(Vec::new()),
            failed_downloads: RefCell::new(Vec::new()),
            proxy,
            service: RefCell::new(None),
            top_pending: Cell::new(false),
            form_pending: Cell::new(false),
            visit: Cell::new(Visit::Idle),
            keep: RefCell::new(Keep::default()),
        }
    }

    pub(crate) fn policy(&self) -> &Policy {
        &self.config.policy.policy
    }

    pub(crate) fn send(&self, event: Event) {
        let _ = self.proxy.send_event(event);
    }

    /// A handle to post events later (from a timer or another thread).
    pub(crate) fn proxy(&self) -> EventLoopProxy<Event> {
        self.proxy.clone()
    }

    /// The current service's name in `lang`, if a page of one is on screen.
    pub(crate) fn service_name(&self, lang: Lang) -> Option<String> {
        let id = self.service.borrow();
        let service = self.policy().service(id.as_ref()?.as_str())?;
        Some(service.names.get(lang).to_owned())
    }

    /// "Report a problem": the kind, about the current service (for the statistics only).
    pub(crate) fn report_problem(&self, kind: ProblemKind) {
        let Some(service) = self.service.borrow().clone() else {
            tracing::debug!("problem report without a service on screen: ignored");
            return;
        };
        self.reporter
            .send(&FromView::ProblemReported { service, kind });
    }

    /// Ends a started logout visit (its load finished or failed).
    pub(crate) fn visit_done(&self) {
        if self.visit.get() == Visit::Started {
            self.visit.set(Visit::Idle);
            self.send(Event::VisitDone);
        }
    }

    /// Reports a blocked top-level navigation and shows the blocked page.
    pub(crate) fn blocked(&self, url: &str, reason: BlockReason) {
        let host = host_of(url);
        tracing::debug!(host = ?host.as_ref().map(|h| h.to_string()), reason = reason.code(), "navigation blocked");
        self.reporter.send(&FromView::Blocked { host, reason });
        self.send(Event::ShowBlocked(reason));
    }
}
