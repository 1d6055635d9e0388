//! The view protocol: JSON lines between `guichetd` and `guichet-view`.
//!
//! The supervisor starts the view with its stdin and stdout as pipes. It writes one
//! [`ToView`] per line on the view's stdin; the view writes one [`FromView`] per line on its
//! stdout (its stderr is for logs). Lines are read and written with [`super::frame`], which
//! bounds them before allocating.
//!
//! The config is not part of the protocol: before it starts a view, the supervisor writes the
//! config it validated (the running one, or the staged one that applies at the next welcome)
//! into the view's session directory as `config.json`, mode 0400
//! ([`crate::sessiondir::SessionDir::write_config`]), and passes `--session-dir DIR` only. The
//! view reads that snapshot, checks it again, and never reads `guichet.toml`: a file edited,
//! broken or deleted after guichetd checked it does not reach a session.
//!
//! Nothing here carries a URL, path, query, title or typed text, and the only file names are
//! those of `usb_copy`, as [`Private`] (see there): hosts travel as
//! [`LoggableHost`], downloads as sizes, services as [`ServiceId`] (the syntax of a pack id,
//! checked when the line is read), problems as a closed [`ProblemKind`]. The statistics
//! (`crate::stats`) are fed from these messages only.

use serde::{Deserialize, Serialize};

use crate::lang::Lang;
use crate::loggable::{LoggableHost, Private};
use crate::policy::{BlockReason, Category};
use crate::stats::{ProblemKind, ServiceId};

/// Supervisor → view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToView {
    /// Show the window and the welcome screen (or `start_url`); the session starts now.
    /// A view starts hidden (as the spare) until it gets this. With `goodbye` (the session
    /// before it just ended), the view first shows goodbye ("everything you did here has
    /// been erased") for 4 s from its first frame, then the welcome; `shown` follows
    /// goodbye's first frame. Absent means `false`.
    ///
    /// `{"type":"start"}`, `{"type":"start","goodbye":true}`
    Start {
        #[serde(default, skip_serializing_if = "is_false")]
        goodbye: bool,
    },
    /// The language of the screens that follow (goodbye, paused, out of order): the last one
    /// a person chose. A welcome after goodbye is in the terminal's default language again.
    ///
    /// `{"type":"language","lang":"nl"}`
    Language { lang: Lang },
    /// The person has been idle: show a countdown of `seconds` before the session ends.
    /// Any input hides it again (the view reports `activity`).
    ///
    /// `{"type":"countdown","reason":"idle","seconds":60}`
    Countdown {
        reason: CountdownReason,
        seconds: u32,
    },
    /// Hide the countdown (input came back, or a staff action changed the plan).
    ///
    /// `{"type":"cancel_countdown"}`
    CancelCountdown,
    /// End the session: show the take-away screen (downloads: print / copy to USB) unless
    /// `takeaway` is false, visit the logout URLs, then show goodbye and report `ended`.
    ///
    /// `{"type":"end_session","takeaway":true,"logouts":[{"service":"myminfin","url":"https://…/logout"}]}`
    EndSession {
        takeaway: bool,
        logouts: Vec<Logout>,
    },
    /// Show a full-screen notice instead of the content (pause by staff, out of order).
    ///
    /// `{"type":"screen","screen":"paused"}`
    Screen { screen: Screen },
    /// Exit now (the supervisor kills the process group anyway after a grace period).
    ///
    /// `{"type":"quit"}`
    Quit,
    /// The USB stick, for the take-away (only with `[usb] enabled`): none, only one left from
    /// before this session (plug it in again), one ready, copying onto it, copied and synced
    /// (safe to remove), or the copy failed. Never its label.
    ///
    /// `{"type":"usb","state":"present"}`
    Usb { state: UsbState },
    /// How the view's `print` request `id` goes: refused at once, or `queued` (CUPS has the job,
    /// of `pages` pages) and later `printed` or `failed`.
    ///
    /// `{"type":"print_status","id":1,"state":"queued","pages":2}`
    PrintStatus {
        id: u32,
        state: PrintState,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pages: Option<u32>,
    },
}

/// Where the take-away's USB stick is (see [`ToView::Usb`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UsbState {
    Absent,
    /// Only sticks that were there before this session: the person is asked to plug theirs
    /// in again (a stick left by someone else is never offered).
    Replug,
    Present,
    Copying,
    /// Every file is written, synced, and the stick's filesystem too: safe to remove.
    Copied,
    Failed,
}

/// Where a print request stands. Refusals say why, in words the view translates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrintState {
    /// The job is in the printer's queue.
    Queued,
    /// The printer has printed it.
    Printed,
    /// CUPS refused, aborted or lost the job, or did not answer.
    Failed,
    /// Not a PDF, PNG, JPEG or plain-text document.
    Unsupported,
    /// It would take the session past `[printing] max_pages`.
    OverLimit,
    /// Not a document of this session guichetd can read and count (gone, a link, too large,
    /// a PDF whose pages cannot be counted).
    Unreadable,
    /// This terminal has no `[printing]`.
    NoPrinter,
}

/// Which document of the session a `print` request names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum PrintDoc {
    /// A file directly in the session's `downloads/`, by name (never logged).
    Download(Private<String>),
    /// The page the person printed (`window.print()`), rendered by the view to
    /// `prints/page-N.pdf` in the session dir.
    Page(u32),
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// The logout URL of one service used in the session. The view logs the service id and whether
/// the visit ended or timed out, never the URL.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Logout {
    pub service: String,
    pub url: Private<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CountdownReason {
    Idle,
    MaxDuration,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Screen {
    /// Paused by staff: "this terminal is paused, please ask the helper".
    Paused,
    /// A wipe failed or the terminal cannot run safely: "out of order".
    OutOfOrder,
}

/// View → supervisor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FromView {
    /// The view is up, its first page loaded, hidden until `start`.
    ///
    /// `{"type":"ready"}`
    Ready,
    /// After `start`: the window is on screen and its first frame is drawn.
    ///
    /// `{"type":"shown"}`
    Shown,
    /// The person used the keyboard, mouse or touch screen (at most one a second).
    ///
    /// `{"type":"activity"}`
    Activity,
    /// The person chose a language on the welcome screen.
    ///
    /// `{"type":"language","lang":"nl"}`
    Language { lang: Lang },
    /// A top-level page of an approved service was loaded: its host, and the service (and
    /// its category) whose rule allowed it.
    ///
    /// `{"type":"navigated","host":"www.myminfin.be","category":"taxes","service":"myminfin"}`
    Navigated {
        host: LoggableHost,
        category: Category,
        service: ServiceId,
    },
    /// A navigation was blocked (host only when the URL had one).
    ///
    /// `{"type":"blocked","host":"evil.example","reason":"not_listed"}`
    Blocked {
        host: Option<LoggableHost>,
        reason: BlockReason,
    },
    /// A download changed state. No file name, ever.
    ///
    /// `{"type":"download","state":"finished","bytes":52311}`
    Download { state: DownloadState, bytes: u64 },
    /// A page asked to print; the trusted print flow takes over.
    ///
    /// `{"type":"print_requested"}`
    PrintRequested,
    /// Print a document of the session (the take-away's Print button, or the page the person
    /// printed). `id` numbers the request; guichetd answers with `print_status`, checks the
    /// document itself (a file of this session only), counts its pages and submits the job.
    ///
    /// `{"type":"print","id":1,"doc":{"download":"attestation.pdf"}}`
    Print { id: u32, doc: PrintDoc },
    /// Pages a view printed by itself, for the statistics. guichet-view never sends it: its
    /// prints go through `print`, and guichetd counts the pages it printed itself.
    ///
    /// `{"type":"printed","pages":3}`
    Printed { pages: u32 },
    /// The person asks, on the take-away, to copy these documents of the session's
    /// `downloads/` onto the USB stick. The one message with file names: they travel as
    /// [`Private`] (never logged) and guichetd treats each as hostile (a plain name of a
    /// regular file directly in that folder, or nothing is copied).
    ///
    /// `{"type":"usb_copy","files":["attestation.pdf"]}`
    UsbCopy { files: Vec<Private<String>> },
    /// The take-away copied `files` files to a USB medium.
    ///
    /// `{"type":"usb_copied","files":2}`
    UsbCopied { files: u32 },
    /// The person pressed "Call the helper" in the toolbar.
    ///
    /// `{"type":"helper_called"}`
    HelperCalled,
    /// The person pressed "Report a problem" and chose what went wrong with `service`.
    ///
    /// `{"type":"problem_reported","service":"myminfin","kind":"login_fails"}`
    ProblemReported {
        service: ServiceId,
        kind: ProblemKind,
    },
    /// The person pressed "End session".
    ///
    /// `{"type":"end_requested"}`
    EndRequested,
    /// The end flow is done (take-away closed, logouts visited, goodbye shown).
    ///
    /// `{"type":"ended"}`
    Ended,
    /// Something fatal happened in the view; the supervisor wipes the session.
    ///
    /// `{"type":"crashed","what":"web_process_terminated"}`
    Crashed { what: CrashKind },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DownloadState {
    Started,
    Finished,
    /// Not started by the person (a page's frame, timer or redirect), blocked extension,
    /// over `max_bytes`, the session at `max_files` or past `max_session_bytes`, or downloads
    /// disabled. The person is told which on the toolbar; the protocol carries the size only.
    Refused,
    Failed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CrashKind {
    /// WebKit's web process died (crash or memory limit).
    WebProcessTerminated,
    /// The view could not build its window or webviews.
    Startup,
    /// The supervisor's pipe closed or sent garbage.
    Protocol,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_examples_round_trip() {
        let to: Vec<(&str, ToView)> = vec![
            (r#"{"type":"start"}"#, ToView::Start { goodbye: false }),
            (
                r#"{"type":"start","goodbye":true}"#,
                ToView::Start { goodbye: true },
            ),
            (
                r#"{"type":"language","lang":"nl"}"#,
                ToView::Language { lang: Lang::Nl },
            ),
            (
                r#"{"type":"countdown","reason":"idle","seconds":60}"#,
                ToView::Countdown {
                    reason: CountdownReason::Idle,
                    seconds: 60,
                },
            ),
            (
                r#"{"type":"screen","screen":"out_of_order"}"#,
                ToView::Screen {
                    screen: Screen::OutOfOrder,
                },
            ),
            (r#"{"type":"quit"}"#, ToView::Quit),
            (
                r#"{"type":"usb","state":"present"}"#,
                ToView::Usb {
                    state: UsbState::Present,
                },
            ),
            (
                r#"{"type":"print_status","id":1,"state":"queued","pages":2}"#,
                ToView::PrintStatus {
                    id: 1,
                    state: PrintState::Queued,
                    pages: Some(2),
                },
            ),
            (
                r#"{"type":"print_status","id":3,"state":"over_limit"}"#,
                ToView::PrintStatus {
                    id: 3,
                    state: PrintState::OverLimit,
                    pages: None,
                },
            ),
        ];
        for (json, msg) in to {
            assert_eq!(serde_json::from_str::<ToView>(json).unwrap(), msg);
            assert_eq!(serde_json::to_string(&msg).unwrap(), json);
        }
        let host = |h: &str| LoggableHost::try_from(h.to_owned()).unwrap();
        let service = |s: &str| ServiceId::new(s).unwrap();
        let from: Vec<(&str, FromView)> = vec![
            (r#"{"type":"ready"}"#, FromView::Ready),
            (r#"{"type":"shown"}"#, FromView::Shown),
            (r#"{"type":"activity"}"#, FromView::Activity),
            (
                r#"{"type":"language","lang":"nl"}"#,
                FromView::Language { lang: Lang::Nl },
            ),
            (
                r#"{"type":"navigated","host":"www.myminfin.be","category":"taxes","service":"myminfin"}"#,
                FromView::Navigated {
                    host: host("www.myminfin.be"),
                    category: Category::Taxes,
                    service: service("myminfin"),
                },
            ),
            (
                r#"{"type":"blocked","host":"evil.example","reason":"not_listed"}"#,
                FromView::Blocked {
                    host: Some(host("evil.example")),
                    reason: BlockReason::NotListed,
                },
            ),
            (
                r#"{"type":"download","state":"finished","bytes":52311}"#,
                FromView::Download {
                    state: DownloadState::Finished,
                    bytes: 52311,
                },
            ),
            (r#"{"type":"print_requested"}"#, FromView::PrintRequested),
            (
                r#"{"type":"print","id":1,"doc":{"download":"attestation.pdf"}}"#,
                FromView::Print {
                    id: 1,
                    doc: PrintDoc::Download(Private::new("attestation.pdf".into())),
                },
            ),
            (
                r#"{"type":"print","id":2,"doc":{"page":1}}"#,
                FromView::Print {
                    id: 2,
                    doc: PrintDoc::Page(1),
                },
            ),
            (
                r#"{"type":"printed","pages":3}"#,
                FromView::Printed { pages: 3 },
            ),
            (
                r#"{"type":"usb_copy","files":["attestation.pdf"]}"#,
                FromView::UsbCopy {
                    files: vec![Private::new("attestation.pdf".into())],
                },
            ),
            (
                r#"{"type":"usb_copied","files":2}"#,
                FromView::UsbCopied { files: 2 },
            ),
            (r#"{"type":"helper_called"}"#, FromView::HelperCalled),
            (
                r#"{"type":"problem_reported","service":"myminfin","kind":"login_fails"}"#,
                FromView::ProblemReported {
                    service: service("myminfin"),
                    kind: ProblemKind::LoginFails,
                },
            ),
            (r#"{"type":"end_requested"}"#, FromView::EndRequested),
            (r#"{"type":"ended"}"#, FromView::Ended),
            (
                r#"{"type":"crashed","what":"web_process_terminated"}"#,
                FromView::Crashed {
                    what: CrashKind::WebProcessTerminated,
                },
            ),
        ];
        for (json, msg) in from {
            assert_eq!(serde_json::from_str::<FromView>(json).unwrap(), msg);
            assert_eq!(serde_json::to_string(&msg).unwrap(), json);
        }
    }

    #[test]
    fn a_service_or_a_problem_cannot_carry_text() {
        for bad in [
            r#"{"type":"navigated","host":"www.myminfin.be","category":"taxes","service":"Jean Dupont"}"#,
            r#"{"type":"navigated","host":"www.myminfin.be","category":"taxes","service":"https://x/y"}"#,
            r#"{"type":"navigated","host":"www.myminfin.be","category":"taxes"}"#,
            r#"{"type":"problem_reported","service":"myminfin","kind":"my password is x"}"#,
            r#"{"type":"problem_reported","service":"","kind":"other"}"#,
            r#"{"type":"printed","pages":-1}"#,
            r#"{"type":"usb_copied","files":"a.pdf"}"#,
        ] {
            assert!(serde_json::from_str::<FromView>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_host_field_cannot_carry_a_path() {
        let r = serde_json::from_str::<FromView>(
            r#"{"type":"blocked","host":"evil.example/secret?q=1","reason":"not_listed"}"#,
        );
        assert!(r.is_err());
    }
}
