//! The vocabulary of the screens' state machine: what it reacts to ([`Input`]), what it asks
//! the view to do ([`Output`]), and the short [`Notice`]s it keeps for the toolbar.

use std::time::Duration;

use crate::loggable::Private;
use crate::policy::BlockReason;
use crate::protocol::view::{CountdownReason, FromView, Logout, PrintState, Screen};
use crate::stats::ProblemKind;

use super::super::downloads::Refusal;
use super::super::i18n::Texts;
use super::super::pages::{ErrorKind, Retry};
use super::super::toolbar::{UiScreen, ZoomDir};

/// A short message on the session's toolbar, in the person's language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Notice {
    /// A download landed in the session's documents.
    Saved,
    /// A download was refused, and why.
    Refused(Refusal),
    /// "Call the helper" was pressed: the helper sees it in `guichetctl status`.
    HelperCalled,
    /// A problem was reported: thanks.
    ProblemReported,
    /// How the print of the page on screen goes (`None`: sent, no answer yet).
    Print(Option<PrintState>),
}

impl Notice {
    /// What the toolbar says, from the person's language's texts.
    pub(crate) fn text(self, t: &Texts) -> &'static str {
        match self {
            Notice::Saved => t.download_done,
            Notice::Refused(r) => t.refusal(r),
            Notice::HelperCalled => t.helper_called,
            Notice::ProblemReported => t.problem_thanks,
            Notice::Print(state) => super::super::printing::notice_text(state, t),
        }
    }
}

/// Something the screens react to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Input {
    /// `start` (guichetd): the session begins on screen; `goodbye`: the last one just ended,
    /// so goodbye shows first.
    Start {
        goodbye: bool,
    },
    /// `countdown`: the session ends in `seconds` — unless the person comes back (`Idle`),
    /// or whatever they do (`MaxDuration`: no "I'm still here", only "back to my page").
    Countdown {
        reason: CountdownReason,
        seconds: u32,
    },
    /// `cancel_countdown`.
    CancelCountdown,
    /// `end_session`; `has_downloads`: the session's downloads folder lists a file.
    EndSession {
        takeaway: bool,
        has_downloads: bool,
        logouts: Vec<Logout>,
    },
    /// `screen`: paused by staff, or out of order.
    Screen(Screen),
    /// A service button (toolbar); `start_url` is `None` when no service has that id.
    Open {
        start_url: Option<String>,
    },
    /// The toolbar's home button: the services, inside the session.
    Home,
    Back,
    Forward,
    Reload,
    /// The toolbar's language button: the languages screen.
    Languages,
    /// A language was chosen (on any screen that offers them).
    LangChosen,
    Zoom(ZoomDir),
    /// The toolbar's documents button.
    Documents,
    /// Close the documents screen.
    Close,
    /// "Call the helper" (toolbar or services screen).
    CallHelper,
    /// "Report a problem with this site" (services screen): asks what went wrong.
    Report,
    /// The answer to it.
    Problem(ProblemKind),
    /// "End session": asks first.
    End,
    /// "Yes" to "end and erase everything?".
    EndConfirmed,
    /// "I'm still here" on the countdown.
    StillHere,
    /// The take-away screen is done.
    Finish,
    /// A file picked in the picker (index into the listed downloads).
    Pick {
        index: usize,
    },
    PickCancel,
    /// The toolbar page drew the frame asked for by [`Output::AskPainted`].
    Painted,
    /// The goodbye shown at start has been on screen long enough ([`Output::ArmGoodbye`]).
    GoodbyeOver,
    /// A page of the content view asked for a file (`run-file-chooser`).
    OpenPicker,
    /// A top-level navigation or new window was blocked.
    Blocked(BlockReason),
    /// The content view's main frame started loading `url` (`form`: a form's submission).
    LoadStarted {
        url: String,
        form: bool,
    },
    /// That load was redirected.
    LoadRedirected,
    /// That load committed: `url` is on screen.
    LoadCommitted {
        url: String,
    },
    /// A main-frame load of `url` failed (or the site answered an error with no page).
    LoadFailed {
        url: String,
        kind: ErrorKind,
    },
    /// The response timer given this number fired ([`Output::ArmLoadTimer`]).
    LoadTimeout(u32),
    /// The retry timer given this number fired ([`Output::ArmRetry`]).
    RetryDue(u32),
    /// The network is available again.
    NetworkBack,
    /// An allowed new-window target, to load in the content view; `by_person`: the person's
    /// click or key asked for the window.
    LoadInContent {
        url: String,
        by_person: bool,
    },
    /// Something to tell the person on the toolbar (a download saved or refused).
    Notice(Notice),
    /// The toolbar page has shown the notice long enough.
    NoticeSeen,
    /// The load of the current logout visit finished or failed.
    VisitDone,
    /// The logout visit given this number took too long.
    LogoutTimeout(u32),
    /// The logout visits of the end flow given this number took too long altogether.
    LogoutsBound(u32),
}

/// Something the event loop must do, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Output {
    /// Bring the window on screen, full screen over the monitor.
    ShowWindow,
    /// Make the window visible as it is (a notice shown by a view that was never started).
    Unhide,
    /// Draw this screen: the toolbar page's state and the two views' sizes.
    Show(UiScreen),
    /// Load an allowed address in the content view; `by_person`: the person asked for it (a
    /// service button, a link they clicked), which a download it becomes needs.
    Load {
        url: String,
        by_person: bool,
    },
    /// Load the blocked page (in the person's language) in the content view.
    ShowBlocked(BlockReason),
    /// Load the error page in the content view, offering to try `retry` again.
    ShowError {
        kind: ErrorKind,
        retry: Option<Retry>,
    },
    /// [`Input::LoadTimeout`]`(seq)` after `after`, unless the load is over by then.
    ArmLoadTimer {
        seq: u32,
        after: std::time::Duration,
    },
    /// [`Input::RetryDue`]`(seq)` after `after`: the error page's automatic retry.
    ArmRetry {
        seq: u32,
        after: std::time::Duration,
    },
    /// Ask the toolbar page to report its next drawn frame ([`Input::Painted`]).
    AskPainted,
    Report(FromView),
    /// Report a problem with the service on screen (the view knows which).
    ReportProblem(ProblemKind),
    /// Go back in the content view's history, if it can.
    GoBack,
    /// Go forward in the content view's history, if it can.
    GoForward,
    /// Load the page on screen again (on the error page: the address that failed).
    Reload,
    Zoom(ZoomDir),
    /// Answer the pending file chooser with the download at this index of the list.
    SelectFile(usize),
    /// Cancel the pending file chooser, if any.
    CancelChooser,
    /// Visit a logout URL in the content view; [`Input::LogoutTimeout`]`(seq)` after
    /// `timeout`.
    VisitLogout {
        /// The service whose logout it is (logged, with ok or timeout).
        service: String,
        url: Private<String>,
        seq: u32,
        timeout: Duration,
    },
    /// The visits start: [`Input::LogoutsBound`]`(round)` after `after`, whatever happens.
    BoundLogouts {
        round: u32,
        after: Duration,
    },
    /// No logout visit is under way any more.
    DisarmVisit,
    /// Empty the content view (`about:blank`).
    Blank,
    /// [`Input::GoodbyeOver`] after `after`.
    ArmGoodbye {
        after: Duration,
    },
    /// Back to the terminal's default language (a fresh session after goodbye).
    DefaultLanguage,
}
