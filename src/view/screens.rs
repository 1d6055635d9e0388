//! The trusted UI's screens as a pure state machine: which screen shows when, and what the
//! view does about it.
//!
//! [`Screens::handle`] takes one [`Input`] (an order from guichetd, a button of the toolbar
//! page, a request of the content view, the end of a logout visit) and returns the
//! [`Output`]s the event loop (`app.rs`) performs, in order: draw a screen, load a page,
//! report to guichetd, answer the file chooser, visit a logout URL. It holds no widget, no
//! timer and no clock, so every transition is a table test (`screens/tests.rs`) that needs no
//! display.
//!
//! The toolbar's short notice lives here too ([`Notice`]): a download saved, or refused and
//! why. It shows on the session's toolbar until the page reports it read, and a session
//! that ends drops it.
//!
//! The end flow lives here too: `end_session` shows the take-away screen when there is
//! something to take, then the ending screen while each logout URL is visited (one at a time;
//! a visit ends when its load ends or its timeout fires, whichever comes first), then goodbye
//! and `ended`. Each visit may take [`LOGOUT_VISIT_TIMEOUT`], all of them together
//! [`LOGOUT_TOTAL_TIMEOUT`]: a dead site never holds the wipe back longer. Its effects (the
//! timers, the load) are in `ending.rs`.

use std::time::Duration;

use crate::loggable::Private;
use crate::policy::BlockReason;
use crate::protocol::view::{CountdownReason, FromView, Logout, Screen};

use super::downloads::Refusal;
use super::i18n::Texts;
use super::pages::ErrorKind;
use super::toolbar::{UiScreen, ZoomDir};

/// How long one logout visit may take before the next one starts.
pub(crate) const LOGOUT_VISIT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long all the logout visits of one end flow may take together.
pub(crate) const LOGOUT_TOTAL_TIMEOUT: Duration = Duration::from_secs(15);

/// A short message on the session's toolbar, in the person's language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Notice {
    /// A download landed in the session's documents.
    Saved,
    /// A download was refused, and why.
    Refused(Refusal),
}

impl Notice {
    /// What the toolbar says, from the person's language's texts.
    pub(crate) fn text(self, t: &Texts) -> &'static str {
        match self {
            Notice::Saved => t.download_done,
            Notice::Refused(r) => t.refusal(r),
        }
    }
}

/// Something the screens react to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Input {
    /// `start` (guichetd): the session begins on screen.
    Start,
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
    Zoom(ZoomDir),
    /// The toolbar's documents button.
    Documents,
    /// Close the documents screen.
    Close,
    /// "End session".
    End,
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
    /// A page of the content view asked for a file (`run-file-chooser`).
    OpenPicker,
    /// A top-level navigation or new window was blocked.
    Blocked(BlockReason),
    /// A page of the content view failed to load.
    Error(ErrorKind),
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
    /// Load the error page in the content view.
    ShowError(ErrorKind),
    /// Ask the toolbar page to report its next drawn frame ([`Input::Painted`]).
    AskPainted,
    Report(FromView),
    /// Go back in the content view's history, if it can.
    GoBack,
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
}

/// The state machine. See the module documentation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Screens {
    /// The page a session opens on instead of the welcome (`terminal.start_url`).
    start_url: Option<String>,
    screen: UiScreen,
    /// The screen under a temporary one (documents, picker, countdown).
    under: UiScreen,
    countdown: u32,
    countdown_reason: CountdownReason,
    started: bool,
    /// `start` came and the first frame on screen is not reported yet.
    shown_pending: bool,
    ending: Option<Ending>,
    /// Number of the latest logout visit; an older visit's timeout is stale.
    logout_seq: u32,
    /// Number of the latest end flow's visits; an older flow's bound is stale.
    logout_round: u32,
    notice: Option<Notice>,
}

impl Screens {
    /// A view not started yet (a spare, hidden).
    pub(crate) fn new(start_url: Option<String>) -> Screens {
        Screens {
            start_url,
            screen: UiScreen::Welcome,
            under: UiScreen::Welcome,
            countdown: 0,
            countdown_reason: CountdownReason::Idle,
            started: false,
            shown_pending: false,
            ending: None,
            logout_seq: 0,
            logout_round: 0,
            notice: None,
        }
    }

    /// The service whose logout is being visited, if one is.
    pub(crate) fn visiting(&self) -> Option<&str> {
        let e = self.ending.as_ref()?;
        e.visiting
            .and_then(|i| e.logouts.get(i))
            .map(|l| l.service.as_str())
    }

    /// The notice on the toolbar, if any.
    pub(crate) fn notice(&self) -> Option<Notice> {
        self.notice
    }

    pub(crate) fn screen(&self) -> UiScreen {
        self.screen
    }

    /// The seconds of the last countdown.
    pub(crate) fn countdown(&self) -> u32 {
        self.countdown
    }

    /// Why the last countdown runs.
    pub(crate) fn countdown_reason(&self) -> CountdownReason {
        self.countdown_reason
    }

    /// One input in, the outputs out.
    pub(crate) fn handle(&mut self, input: Input) -> Vec<Output> {
        let mut out = Vec::new();
        let screen = self.screen;
        match input {
            Input::Start => self.on_start(&mut out),
            Input::Countdown { reason, seconds } => {
                self.countdown_reason = reason;
                if matches!(
                    screen,
                    UiScreen::Welcome | UiScreen::Session | UiScreen::Documents | UiScreen::Picker
                ) {
                    self.under = screen;
                }
                self.countdown = seconds;
                self.show(UiScreen::Countdown, &mut out);
            }
            Input::CancelCountdown => {
                if screen == UiScreen::Countdown {
                    self.show(self.under, &mut out);
                }
            }
            Input::EndSession {
                takeaway,
                has_downloads,
                logouts,
            } => {
                out.push(Output::CancelChooser);
                self.notice = None;
                self.ending = Some(Ending {
                    logouts,
                    visiting: None,
                });
                out.push(Output::ShowWindow);
                if takeaway && has_downloads {
                    self.show(UiScreen::Takeaway, &mut out);
                } else {
                    self.visit_logouts(&mut out);
                }
            }
            Input::Screen(notice) => {
                out.push(Output::Unhide);
                self.show(
                    match notice {
                        Screen::Paused => UiScreen::Paused,
                        Screen::OutOfOrder => UiScreen::OutOfOrder,
                    },
                    &mut out,
                );
            }
            Input::Open { start_url } => {
                if screen == UiScreen::Welcome && self.started {
                    if let Some(url) = start_url {
                        self.show(UiScreen::Session, &mut out);
                        out.push(Output::Load {
                            url,
                            by_person: true,
                        });
                    }
                }
            }
            Input::Home if screen == UiScreen::Session => self.show(UiScreen::Welcome, &mut out),
            Input::Back if screen == UiScreen::Session => out.push(Output::GoBack),
            Input::Zoom(dir) if screen == UiScreen::Session => out.push(Output::Zoom(dir)),
            Input::Documents if screen == UiScreen::Session => {
                self.under = UiScreen::Session;
                self.show(UiScreen::Documents, &mut out);
            }
            Input::Close if screen == UiScreen::Documents => self.show(UiScreen::Session, &mut out),
            Input::End if matches!(screen, UiScreen::Session | UiScreen::Welcome) => {
                out.push(Output::Report(FromView::EndRequested))
            }
            // Only the idle countdown offers "I'm still here": input cancels it. The
            // max-duration one cannot be cancelled, so it offers no such button.
            Input::StillHere
                if screen == UiScreen::Countdown
                    && self.countdown_reason == CountdownReason::Idle =>
            {
                out.push(Output::Report(FromView::Activity))
            }
            // "Back to my page" on the max-duration countdown: the session still ends on time.
            Input::Close
                if screen == UiScreen::Countdown
                    && self.countdown_reason == CountdownReason::MaxDuration =>
            {
                self.show(self.under, &mut out)
            }
            Input::Finish if screen == UiScreen::Takeaway => self.visit_logouts(&mut out),
            Input::Pick { index } if screen == UiScreen::Picker => {
                out.push(Output::SelectFile(index));
                self.show(self.under, &mut out);
            }
            Input::PickCancel if screen == UiScreen::Picker => {
                out.push(Output::CancelChooser);
                self.show(self.under, &mut out);
            }
            Input::Home
            | Input::Back
            | Input::Zoom(_)
            | Input::Documents
            | Input::Close
            | Input::End
            | Input::StillHere
            | Input::Finish
            | Input::Pick { .. }
            | Input::PickCancel => {}
            Input::Painted => {
                if std::mem::take(&mut self.shown_pending) {
                    out.push(Output::Report(FromView::Shown));
                }
            }
            Input::OpenPicker => {
                if screen == UiScreen::Session {
                    self.under = UiScreen::Session;
                    self.show(UiScreen::Picker, &mut out);
                } else {
                    out.push(Output::CancelChooser);
                }
            }
            Input::Blocked(reason) => {
                if self.started && self.ending.is_none() {
                    out.push(Output::ShowBlocked(reason));
                }
            }
            Input::Error(kind) => {
                if self.ending.is_none() {
                    out.push(Output::ShowError(kind));
                }
            }
            Input::LoadInContent { url, by_person } => {
                if self.ending.is_none() {
                    out.push(Output::Load { url, by_person });
                }
            }
            // Drawn at once on the toolbar; under a full-window screen (which a redraw could
            // disturb: the countdown restarts) it waits for the toolbar to come back.
            Input::Notice(notice) => {
                if self.started && self.ending.is_none() {
                    self.notice = Some(notice);
                    if screen == UiScreen::Session {
                        out.push(Output::Show(screen));
                    }
                }
            }
            Input::NoticeSeen => {
                if self.notice.take().is_some() && screen == UiScreen::Session {
                    out.push(Output::Show(screen));
                }
            }
            Input::VisitDone => {
                if self.ending.as_ref().is_some_and(|e| e.visiting.is_some()) {
                    self.next_logout(&mut out);
                }
            }
            Input::LogoutTimeout(seq) => {
                if seq == self.logout_seq {
                    self.next_logout(&mut out);
                }
            }
            Input::LogoutsBound(round) => {
                if round == self.logout_round {
                    if let Some(e) = self.ending.as_mut().filter(|e| e.visiting.is_some()) {
                        // Past the last one: the visit under way is abandoned.
                        e.visiting = Some(e.logouts.len());
                        self.logout_seq += 1;
                        self.visit_current(&mut out);
                    }
                }
            }
        }
        out
    }

    fn show(&mut self, screen: UiScreen, out: &mut Vec<Output>) {
        self.screen = screen;
        out.push(Output::Show(screen));
    }

    fn on_start(&mut self, out: &mut Vec<Output>) {
        if std::mem::replace(&mut self.started, true) {
            return;
        }
        out.push(Output::ShowWindow);
        match self.start_url.clone() {
            Some(url) => {
                self.show(UiScreen::Session, out);
                out.push(Output::Load {
                    url,
                    by_person: false,
                });
            }
            None => self.show(UiScreen::Welcome, out),
        }
        self.shown_pending = true;
        out.push(Output::AskPainted);
    }
}

mod end_flow;

use end_flow::Ending;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_logout;
#[cfg(test)]
mod tests_notices;
