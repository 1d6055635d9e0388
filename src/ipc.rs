//! The view protocol: JSON lines between `guichetd` and `guichet-view`.
//!
//! The supervisor starts the view with its stdin and stdout as pipes. It writes one
//! [`ToView`] per line on the view's stdin; the view writes one [`FromView`] per line on its
//! stdout (its stderr is for logs). A line longer than [`MAX_LINE`] is an error, checked before
//! anything is allocated for it, so a confused or hostile peer cannot exhaust memory.
//!
//! Nothing here carries a URL, path, query, title, file name or typed text: hosts travel as
//! [`LoggableHost`], downloads as sizes.

use std::io::{self, BufRead, Read, Write};

use serde::{de::DeserializeOwned, Deserialize, Serialize};

use crate::loggable::LoggableHost;
use crate::policy::{BlockReason, Category, Lang};

/// Longest accepted line, newline included.
pub const MAX_LINE: usize = 16 * 1024;

/// Supervisor → view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToView {
    /// Show the window and the welcome screen (or `start_url`); the session starts now.
    /// A view starts hidden (as the spare) until it gets this.
    ///
    /// `{"type":"start"}`
    Start,
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
    /// `{"type":"end_session","takeaway":true,"logout_urls":["https://…/logout"]}`
    EndSession {
        takeaway: bool,
        logout_urls: Vec<String>,
    },
    /// Show a full-screen notice instead of the content (pause by staff, out of order).
    ///
    /// `{"type":"screen","screen":"paused"}`
    Screen { screen: Screen },
    /// Exit now (the supervisor kills the process group anyway after a grace period).
    ///
    /// `{"type":"quit"}`
    Quit,
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
    /// A top-level page of an approved service was loaded.
    ///
    /// `{"type":"navigated","host":"www.myminfin.be","category":"taxes"}`
    Navigated {
        host: LoggableHost,
        category: Category,
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
    /// Over `max_bytes`, blocked extension, or downloads disabled.
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

/// Why a frame could not be read.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error("line longer than {MAX_LINE} bytes")]
    TooLong,
    #[error("malformed message: {0}")]
    Malformed(#[source] serde_json::Error),
    #[error("read failed: {0}")]
    Io(#[from] io::Error),
}

/// Reads one message; `Ok(None)` at end of stream. On `TooLong` the rest of the line is
/// discarded so the stream stays usable.
pub fn read_frame<T: DeserializeOwned>(reader: &mut impl BufRead) -> Result<Option<T>, FrameError> {
    let mut line = Vec::new();
    let n = (&mut *reader)
        .take(MAX_LINE as u64)
        .read_until(b'\n', &mut line)?;
    if n == 0 {
        return Ok(None);
    }
    if line.last() != Some(&b'\n') && n == MAX_LINE {
        skip_line(reader)?;
        return Err(FrameError::TooLong);
    }
    serde_json::from_slice(&line)
        .map(Some)
        .map_err(FrameError::Malformed)
}

fn skip_line(reader: &mut impl BufRead) -> io::Result<()> {
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(());
        }
        match buf.iter().position(|&b| b == b'\n') {
            Some(i) => {
                reader.consume(i + 1);
                return Ok(());
            }
            None => {
                let len = buf.len();
                reader.consume(len);
            }
        }
    }
}

/// Writes one message as a line and flushes.
pub fn write_frame<T: Serialize>(writer: &mut impl Write, msg: &T) -> io::Result<()> {
    let mut line = serde_json::to_vec(msg).map_err(io::Error::other)?;
    line.push(b'\n');
    writer.write_all(&line)?;
    writer.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    #[test]
    fn documented_examples_round_trip() {
        let to: Vec<(&str, ToView)> = vec![
            (r#"{"type":"start"}"#, ToView::Start),
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
        ];
        for (json, msg) in to {
            assert_eq!(serde_json::from_str::<ToView>(json).unwrap(), msg);
            assert_eq!(serde_json::to_string(&msg).unwrap(), json);
        }
        let from: FromView = serde_json::from_str(
            r#"{"type":"navigated","host":"www.myminfin.be","category":"taxes"}"#,
        )
        .unwrap();
        assert_eq!(
            from,
            FromView::Navigated {
                host: LoggableHost::try_from("www.myminfin.be".to_owned()).unwrap(),
                category: Category::Taxes
            }
        );
    }

    #[test]
    fn a_host_field_cannot_carry_a_path() {
        let r = serde_json::from_str::<FromView>(
            r#"{"type":"blocked","host":"evil.example/secret?q=1","reason":"not_listed"}"#,
        );
        assert!(r.is_err());
    }

    #[test]
    fn frames_are_bounded_and_the_stream_recovers() {
        let mut input = Vec::new();
        input.extend(std::iter::repeat_n(b'x', MAX_LINE * 3));
        input.extend(b"\n{\"type\":\"ready\"}\nnot json\n");
        let mut r = Cursor::new(input);
        assert!(matches!(
            read_frame::<FromView>(&mut r),
            Err(FrameError::TooLong)
        ));
        assert_eq!(
            read_frame::<FromView>(&mut r).unwrap(),
            Some(FromView::Ready)
        );
        assert!(matches!(
            read_frame::<FromView>(&mut r),
            Err(FrameError::Malformed(_))
        ));
        assert_eq!(read_frame::<FromView>(&mut r).unwrap(), None);
    }
}
