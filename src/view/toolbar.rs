//! The trusted toolbar: its messages (what the person pressed) and its state (what it shows).
//!
//! The toolbar page posts [`ToolbarMsg`] JSON through its IPC handler, the only one in the
//! view. Anything that does not parse is dropped. Rust answers by sending a whole
//! [`UiState`] to `guichet.render()`; the page never decides anything by itself.

use serde::{Deserialize, Serialize};

use crate::lang::Lang;
use crate::policy::Policy;
use crate::protocol::view::CountdownReason;
use crate::stats::ProblemKind;

use super::i18n::{texts, Texts};
use super::keep::KeepState;
use super::welcome::{self, GroupItem, WelcomeTexts};

/// What the person did in the trusted UI.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(tag = "cmd", rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum ToolbarMsg {
    /// The page is loaded and wants its state.
    Hello,
    Lang {
        lang: Lang,
    },
    /// Open a service's start page.
    Open {
        service: String,
    },
    Home,
    Back,
    Forward,
    Reload,
    /// The toolbar's language button: the languages, to change during the session.
    Languages,
    Zoom {
        dir: ZoomDir,
    },
    /// Show the session's documents.
    Documents,
    /// Close a full-window screen and go back to the page.
    Close,
    /// "Call the helper".
    CallHelper,
    /// "Report a problem with this site": asks what went wrong.
    Report,
    /// The answer: what went wrong with the current service.
    Problem {
        kind: ProblemKind,
    },
    /// "End session".
    End,
    /// "Yes" to "end and erase everything?".
    EndConfirmed,
    /// "I'm still here" on the countdown.
    StillHere,
    /// The take-away screen is done.
    Finish,
    /// "Copy to the USB stick" on the take-away: these documents (indices into the listed
    /// downloads).
    UsbCopy {
        files: Vec<usize>,
    },
    /// A file chosen in the picker (index into the listed downloads).
    Pick {
        index: usize,
    },
    PickCancel,
    /// Print the session's download `name` (the take-away, the documents screen).
    Print {
        name: String,
    },
    /// The transient notice has been shown long enough.
    NoticeSeen,
    /// The high-contrast switch (welcome, services screen): on, or off again.
    Contrast,
    /// The frame asked for by `guichet.whenPainted()` is drawn.
    Painted,
    /// The session's toolbar, measured in the page after it was drawn: how many of its
    /// `controls` have a word on two lines (`wrapped`) or stick out of the bar or their box
    /// (`overflowing`), at this window `width`, with or without a `notice`. Logged, so that a
    /// language or a screen the toolbar does not fit shows in the journal.
    Layout {
        width: u32,
        controls: u32,
        wrapped: u32,
        overflowing: u32,
        notice: bool,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ZoomDir {
    In,
    Out,
}

/// Which screen the trusted UI shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum UiScreen {
    Welcome,
    /// The toolbar above the content view.
    Session,
    /// Home inside a session: the services, "back to my page" and "end session".
    Services,
    /// "End and erase everything?" No / Yes.
    ConfirmEnd,
    /// "What went wrong with this site?": the kinds of problem, and cancel.
    Report,
    /// The languages, from the toolbar during a session, and "back to my page".
    Language,
    Documents,
    Countdown,
    Takeaway,
    Picker,
    Ending,
    Goodbye,
    Paused,
    OutOfOrder,
}

impl UiScreen {
    /// Whether the trusted UI covers the whole window (content view hidden).
    pub(crate) fn is_full_window(self) -> bool {
        self != UiScreen::Session
    }
}

#[derive(Debug, Serialize)]
pub(crate) struct LangItem {
    pub(crate) code: &'static str,
    pub(crate) name: &'static str,
}

#[derive(Debug, Serialize)]
pub(crate) struct ServiceItem {
    pub(crate) id: String,
    pub(crate) name: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct ProblemItem {
    pub(crate) kind: ProblemKind,
    pub(crate) text: &'static str,
}

/// Everything the toolbar page draws.
#[derive(Debug, Serialize)]
pub(crate) struct UiState {
    pub(crate) screen: UiScreen,
    pub(crate) lang: &'static str,
    pub(crate) langs: Vec<LangItem>,
    pub(crate) t: &'static Texts,
    pub(crate) services: Vec<ServiceItem>,
    /// The services grouped by need, each group with its heading (welcome, services screen).
    pub(crate) groups: Vec<GroupItem>,
    /// The welcome's texts: the filter box, the groups' row, the high-contrast switch.
    pub(crate) w: &'static WelcomeTexts,
    /// Whether the filter box and the groups' row show (more than a screenful of services).
    pub(crate) filter: bool,
    /// The trusted screens in high contrast: chosen by the person, for this session only.
    pub(crate) high_contrast: bool,
    /// File names of the session's downloads (on screen only, never in a log).
    pub(crate) downloads: Vec<String>,
    pub(crate) countdown: u32,
    /// Which countdown: `idle` offers "I'm still here", `max_duration` only "back to my page".
    pub(crate) countdown_reason: CountdownReason,
    /// Zoom of the content view, in percent.
    pub(crate) zoom: u32,
    pub(crate) notice: Option<&'static str>,
    /// The answers to "what is the problem?": every kind, with its words.
    pub(crate) problems: Vec<ProblemItem>,
    /// The name of the service of the page on screen (never its URL), in the person's
    /// language; none before the first page of an approved service.
    pub(crate) service: Option<String>,
    /// On the take-away: the summary of the visit and the USB stick.
    pub(crate) keep: Option<KeepState>,
    /// The Print buttons of the documents and how each print goes.
    pub(crate) print: Option<super::printing::PrintUi>,
}

impl UiState {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        screen: UiScreen,
        lang: Lang,
        languages: &[Lang],
        policy: &Policy,
        downloads: Vec<String>,
        countdown: u32,
        zoom: f64,
        notice: Option<&'static str>,
    ) -> UiState {
        let listed: Vec<&crate::policy::Service> = policy
            .services()
            .iter()
            .filter(|s| s.id != crate::policy::LOCAL_ID)
            .collect();
        UiState {
            screen,
            lang: lang.code(),
            langs: languages
                .iter()
                .map(|l| LangItem {
                    code: l.code(),
                    name: texts(*l).lang_name,
                })
                .collect(),
            t: texts(lang),
            groups: welcome::groups(&listed, lang),
            w: welcome::welcome_texts(lang),
            filter: listed.len() > welcome::FILTER_FROM,
            high_contrast: false,
            services: listed
                .iter()
                .map(|s| ServiceItem {
                    id: s.id.clone(),
                    name: s.names.get(lang).to_owned(),
                })
                .collect(),
            downloads,
            countdown,
            countdown_reason: CountdownReason::Idle,
            zoom: (zoom * 100.0).round() as u32,
            notice,
            problems: ProblemKind::ALL
                .into_iter()
                .map(|kind| ProblemItem {
                    kind,
                    text: texts(lang).problem(kind),
                })
                .collect(),
            service: None,
            keep: None,
            print: None,
        }
    }

    /// The script that draws this state in the toolbar page.
    pub(crate) fn script(&self) -> String {
        // JSON is a JavaScript expression; nothing here is interpreted as markup.
        format!(
            "window.guichet && window.guichet.render({})",
            serde_json::to_string(self).expect("UI state serializes")
        )
    }
}

/// Logs a [`ToolbarMsg::Layout`] with the language and the notice it showed (a warning when
/// the toolbar does not fit).
pub(crate) fn log_layout(msg: &ToolbarMsg, lang: &str, notice: &str) {
    let ToolbarMsg::Layout {
        width,
        controls,
        wrapped,
        overflowing,
        ..
    } = *msg
    else {
        return;
    };
    if wrapped + overflowing > 0 {
        tracing::warn!(
            width,
            lang,
            wrapped,
            overflowing,
            notice,
            "the toolbar does not fit this screen"
        );
    }
    tracing::debug!(
        width,
        lang,
        controls,
        wrapped,
        overflowing,
        notice,
        "toolbar layout"
    );
}

/// Parses a message from the toolbar page; `None` for anything unexpected.
pub(crate) fn parse(body: &str) -> Option<ToolbarMsg> {
    serde_json::from_str(body).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_known_messages_only() {
        assert_eq!(parse(r#"{"cmd":"hello"}"#), Some(ToolbarMsg::Hello));
        assert_eq!(
            parse(r#"{"cmd":"lang","lang":"nl"}"#),
            Some(ToolbarMsg::Lang { lang: Lang::Nl })
        );
        assert_eq!(
            parse(r#"{"cmd":"zoom","dir":"in"}"#),
            Some(ToolbarMsg::Zoom { dir: ZoomDir::In })
        );
        assert_eq!(parse(r#"{"cmd":"contrast"}"#), Some(ToolbarMsg::Contrast));
        assert_eq!(
            parse(r#"{"cmd":"pick","index":2}"#),
            Some(ToolbarMsg::Pick { index: 2 })
        );
        assert_eq!(
            parse(
                r#"{"cmd":"layout","width":1024,"controls":8,"wrapped":0,"overflowing":1,"notice":true}"#
            ),
            Some(ToolbarMsg::Layout {
                width: 1024,
                controls: 8,
                wrapped: 0,
                overflowing: 1,
                notice: true
            })
        );
        for bad in [
            r#"{"cmd":"lang","lang":"xx"}"#,
            r#"{"cmd":"open"}"#,
            r#"{"cmd":"quit"}"#,
            "not json",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn state_script_is_json_not_markup() {
        let policy = Policy::new(vec![], &[]);
        let s = UiState::new(
            UiScreen::Takeaway,
            Lang::Fr,
            &[Lang::Fr, Lang::En],
            &policy,
            vec!["</script><b>x.pdf".into()],
            0,
            1.25,
            None,
        );
        let js = s.script();
        assert!(js.starts_with("window.guichet && window.guichet.render({"));
        assert!(js.contains(r#""screen":"takeaway""#));
        assert!(js.contains(r#""zoom":125"#));
        assert!(js.contains(r#""</script><b>x.pdf""#));
        assert!(UiScreen::Welcome.is_full_window());
        assert!(!UiScreen::Session.is_full_window());
    }
}
