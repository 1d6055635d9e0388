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
//! A session always looks like one: the welcome shows only on a fresh view (after `start`),
//! Home inside a session shows the *services* screen ("your session is open", the services,
//! back to my page, end), and "back to my page" only resizes the content view back, so the
//! page is not loaded again. End asks once (the *confirm* screen) before guichetd hears of it.
//! A view started with `goodbye` (the spare shown after a session ended) shows goodbye first,
//! for [`GOODBYE_MIN`] from its first frame, then its welcome.
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
//!
//! The content view's page loads feed it too (`loads.rs`): a load that goes unanswered is
//! given up after a few seconds, and every failure shows the error page with the failed
//! address, to try again.

use std::time::Duration;

use crate::protocol::view::{CountdownReason, FromView, Screen};

use super::pages::{ErrorKind, Retry};
use super::toolbar::UiScreen;

/// How long one logout visit may take before the next one starts.
pub(crate) const LOGOUT_VISIT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long all the logout visits of one end flow may take together.
pub(crate) const LOGOUT_TOTAL_TIMEOUT: Duration = Duration::from_secs(15);

/// How long the goodbye of a view started with `goodbye` stays, from its first frame: long
/// enough to be read.
pub(crate) const GOODBYE_MIN: Duration = Duration::from_secs(4);

mod io;
mod loads;

use loads::Loads;

pub(crate) use io::{Input, Notice, Output};

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
    /// Started with `goodbye`: goodbye is on screen until [`GOODBYE_MIN`] after its frame.
    goodbye_first: bool,
    ending: Option<Ending>,
    /// Number of the latest logout visit; an older visit's timeout is stale.
    logout_seq: u32,
    /// Number of the latest end flow's visits; an older flow's bound is stale.
    logout_round: u32,
    notice: Option<Notice>,
    loads: Loads,
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
            goodbye_first: false,
            ending: None,
            logout_seq: 0,
            logout_round: 0,
            notice: None,
            loads: Loads::default(),
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
            Input::Start { goodbye } => self.on_start(goodbye, &mut out),
            Input::Countdown { reason, seconds } => {
                self.countdown_reason = reason;
                if matches!(
                    screen,
                    UiScreen::Welcome
                        | UiScreen::Session
                        | UiScreen::Services
                        | UiScreen::ConfirmEnd
                        | UiScreen::Documents
                        | UiScreen::Language
                        | UiScreen::Picker
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
                let fresh = screen == UiScreen::Welcome && self.started;
                if fresh || screen == UiScreen::Services {
                    if let Some(url) = start_url {
                        self.show(UiScreen::Session, &mut out);
                        out.push(Output::Load {
                            url,
                            by_person: true,
                        });
                    }
                }
            }
            // The services, inside the session: the page stays loaded under them.
            Input::Home if screen == UiScreen::Session => self.show(UiScreen::Services, &mut out),
            // "Back to my page": the page as it was left, not loaded again.
            Input::Close if screen == UiScreen::Services => self.show(UiScreen::Session, &mut out),
            Input::Back if screen == UiScreen::Session => out.push(Output::GoBack),
            Input::Forward if screen == UiScreen::Session => out.push(Output::GoForward),
            Input::Reload if screen == UiScreen::Session => out.push(Output::Reload),
            // The languages, over the page; choosing one (or "back to my page") returns to it.
            Input::Languages if screen == UiScreen::Session => {
                self.show(UiScreen::Language, &mut out)
            }
            Input::LangChosen | Input::Close if screen == UiScreen::Language => {
                self.show(UiScreen::Session, &mut out)
            }
            Input::Zoom(dir) if screen == UiScreen::Session => out.push(Output::Zoom(dir)),
            Input::Documents if screen == UiScreen::Session => {
                self.under = UiScreen::Session;
                self.show(UiScreen::Documents, &mut out);
            }
            Input::Close if screen == UiScreen::Documents => self.show(UiScreen::Session, &mut out),
            // The helper sees a flag in `guichetctl status`; the person sees that it went.
            Input::CallHelper if matches!(screen, UiScreen::Session | UiScreen::Services) => {
                out.push(Output::Report(FromView::HelperCalled));
                self.notice = Some(Notice::HelperCalled);
                self.show(UiScreen::Session, &mut out);
            }
            // What went wrong with this site: counted per service and kind, nothing else.
            Input::Report if matches!(screen, UiScreen::Session | UiScreen::Services) => {
                self.under = screen;
                self.show(UiScreen::Report, &mut out);
            }
            Input::Close if screen == UiScreen::Report => self.show(self.under, &mut out),
            Input::Problem(kind) if screen == UiScreen::Report => {
                out.push(Output::ReportProblem(kind));
                self.notice = Some(Notice::ProblemReported);
                self.show(UiScreen::Session, &mut out);
            }
            // End asks once; "no" goes back to where it was asked.
            Input::End if matches!(screen, UiScreen::Session | UiScreen::Services) => {
                self.under = screen;
                self.show(UiScreen::ConfirmEnd, &mut out);
            }
            Input::Close if screen == UiScreen::ConfirmEnd => self.show(self.under, &mut out),
            Input::EndConfirmed if screen == UiScreen::ConfirmEnd => {
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
            | Input::Forward
            | Input::Reload
            | Input::Languages
            | Input::LangChosen
            | Input::Zoom(_)
            | Input::Documents
            | Input::CallHelper
            | Input::Report
            | Input::Problem(_)
            | Input::Close
            | Input::End
            | Input::EndConfirmed
            | Input::StillHere
            | Input::Finish
            | Input::Pick { .. }
            | Input::PickCancel => {}
            Input::Painted => {
                if std::mem::take(&mut self.shown_pending) {
                    out.push(Output::Report(FromView::Shown));
                    if self.goodbye_first {
                        out.push(Output::ArmGoodbye { after: GOODBYE_MIN });
                    }
                }
            }
            // Goodbye has been read: the fresh session's first screen, in the default language.
            Input::GoodbyeOver => {
                if std::mem::take(&mut self.goodbye_first) && screen == UiScreen::Goodbye {
                    out.push(Output::DefaultLanguage);
                    self.first_screen(&mut out);
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
            Input::LoadStarted { .. }
            | Input::LoadRedirected
            | Input::LoadCommitted { .. }
            | Input::LoadFailed { .. }
            | Input::LoadTimeout(_)
            | Input::RetryDue(_)
            | Input::NetworkBack => self.on_load(input, &mut out),
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

    /// The content view's loads: response timers and error pages, until the session ends
    /// (logout visits have their own timeouts, and no error page shows behind goodbye).
    fn on_load(&mut self, input: Input, out: &mut Vec<Output>) {
        if self.ending.is_some() {
            self.loads.forget();
            return;
        }
        let loads = &mut self.loads;
        let arm = |(seq, after)| Output::ArmLoadTimer { seq, after };
        match input {
            Input::LoadStarted { url, form } => out.extend(loads.started(&url, form).map(arm)),
            Input::LoadRedirected => out.extend(loads.redirected().map(arm)),
            Input::LoadCommitted { url } => loads.committed(&url),
            Input::LoadFailed { url, kind } => {
                let retry = loads.failed(&url, kind);
                show_error(loads, kind, retry, out);
            }
            Input::LoadTimeout(seq) => {
                if let Some(url) = loads.timed_out(seq) {
                    let kind = ErrorKind::Timeout;
                    let retry = loads.failed(&url, kind);
                    show_error(loads, kind, retry, out);
                }
            }
            Input::RetryDue(seq) => out.extend(loads.retry_due(seq).map(|url| Output::Load {
                url,
                by_person: false,
            })),
            Input::NetworkBack => out.extend(loads.retry_now().map(|url| Output::Load {
                url,
                by_person: false,
            })),
            _ => {}
        }
    }

    fn show(&mut self, screen: UiScreen, out: &mut Vec<Output>) {
        self.screen = screen;
        out.push(Output::Show(screen));
    }

    fn on_start(&mut self, goodbye: bool, out: &mut Vec<Output>) {
        if std::mem::replace(&mut self.started, true) {
            return;
        }
        out.push(Output::ShowWindow);
        if goodbye {
            self.goodbye_first = true;
            self.show(UiScreen::Goodbye, out);
        } else {
            self.first_screen(out);
        }
        self.shown_pending = true;
        out.push(Output::AskPainted);
    }

    /// A fresh session's first screen: the welcome, or the start page.
    fn first_screen(&mut self, out: &mut Vec<Output>) {
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
    }
}

/// The error page, and the timer of its automatic retry (if it has one).
fn show_error(loads: &mut Loads, kind: ErrorKind, retry: Option<Retry>, out: &mut Vec<Output>) {
    let after = retry.as_ref().and_then(|r| r.after_secs);
    out.push(Output::ShowError { kind, retry });
    if let Some(secs) = after {
        out.push(Output::ArmRetry {
            seq: loads.retry_timer(),
            after: Duration::from_secs(secs.into()),
        });
    }
}

mod end_flow;

use end_flow::Ending;

#[cfg(test)]
mod load_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_logout;
#[cfg(test)]
mod tests_notices;
#[cfg(test)]
mod tests_session;
#[cfg(test)]
mod tests_toolbar;
