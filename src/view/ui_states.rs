//! Every trusted screen as the view draws it, written to files for the accessibility test
//! (`tests/axe.rs`, `tests/axe/run.mjs`).
//!
//! [`state_of`] is the one place a [`UiState`] is made from the screens' state machine; the
//! event loop (`app.rs`) draws with it, and [`write`] drives the same machine through each
//! screen — welcome, the session's toolbar with and without every notice, services, report,
//! End?, documents, picker, both countdowns, take-away, ending, goodbye, paused, out of order —
//! in every language, and renders the content view's pages (every block reason, every error
//! kind, with and without Retry) with the functions that serve them.

use std::path::Path;

use serde::Serialize;

use crate::config::Config;
use crate::lang::Lang;
use crate::policy::Policy;
use crate::protocol::view::{CountdownReason, PrintState, Screen, UsbState};

use super::downloads::Refusal;
use super::i18n::texts;
use super::keep::Keep;
use super::layout::BAR_HEIGHT;
use super::pages;
use super::printing::{PrintUi, Prints};
use super::screens::{Input, Notice, Output, Screens};
use super::toolbar::{UiScreen, UiState};

/// What the toolbar page draws for `screen`, from the screens' state machine and the view's
/// own state: the person's language, the terminal's languages, the policy, the session's
/// downloads, the zoom, the service of the page on screen, the documents' prints and the
/// high-contrast switch.
#[allow(clippy::too_many_arguments)]
pub(crate) fn state_of(
    screens: &Screens,
    screen: UiScreen,
    lang: Lang,
    languages: &[Lang],
    policy: &Policy,
    downloads: Vec<String>,
    zoom: f64,
    service: Option<String>,
    print: PrintUi,
    high_contrast: bool,
) -> UiState {
    let mut state = UiState::new(
        screen,
        lang,
        languages,
        policy,
        downloads,
        screens.countdown(),
        zoom,
        screens.notice().map(|n| n.text(texts(lang))),
    );
    state.countdown_reason = screens.countdown_reason();
    state.service = service;
    state.print = Some(print);
    state.high_contrast = high_contrast;
    state
}

/// One screen of the toolbar page, as written to `states.json`.
#[derive(Serialize)]
struct ToolbarCase {
    name: String,
    lang: &'static str,
    /// The page is the toolbar strip above the content (`false`: the whole window).
    bar: bool,
    /// Typed into the services' filter box once the state is drawn (`run.mjs` types it).
    #[serde(skip_serializing_if = "Option::is_none")]
    filter: Option<String>,
    state: UiState,
}

/// One content page, as written to `pages.json`.
#[derive(Serialize)]
struct PageCase {
    name: String,
    lang: &'static str,
    /// The address the content view loads.
    url: String,
    /// File (in the output directory) with the body it is served.
    file: String,
}

#[derive(Serialize)]
struct Manifest {
    toolbar_csp: &'static str,
    content_csp: &'static str,
    bar_height: i32,
    toolbar: Vec<ToolbarCase>,
    pages: Vec<PageCase>,
}

/// The documents a session has in these screens (on screen only).
fn sample_downloads() -> Vec<String> {
    vec![
        "attestation-de-residence.pdf".into(),
        "avertissement-extrait-de-role-2026.pdf".into(),
    ]
}

fn screen_name_of(usb: UsbState) -> String {
    serde_json::to_value(usb)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn screen_name(screen: UiScreen) -> String {
    serde_json::to_value(screen)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// A script of inputs for one language; each `Output::Show` it causes is recorded under the
/// step's name.
struct Run<'a> {
    lang: Lang,
    config: &'a Config,
    screens: Screens,
    service: Option<String>,
    downloads: Vec<String>,
    /// The summary's memory and the stick, drawn on the take-away.
    keep: Keep,
    /// The documents' prints: every screen shows the Print buttons (printing configured).
    prints: Prints,
    /// Every screen in high contrast (the names end in `-hc`).
    high_contrast: bool,
    out: Vec<ToolbarCase>,
    /// The states recorded so far, as JSON.
    seen: std::collections::HashSet<String>,
}

impl<'a> Run<'a> {
    /// A fresh screen state machine, nothing recorded yet.
    fn new(config: &'a Config, lang: Lang, high_contrast: bool) -> Self {
        Run {
            high_contrast,
            lang,
            config,
            screens: Screens::new(None),
            service: None,
            downloads: vec![],
            keep: Keep::default(),
            prints: Prints::default(),
            out: vec![],
            seen: Default::default(),
        }
    }

    /// What the names of the cases end with: `-hc` in high contrast.
    fn suffix(&self) -> &'static str {
        if self.high_contrast {
            "-hc"
        } else {
            ""
        }
    }

    fn step(&mut self, name: &str, input: Input) {
        let outputs = self.screens.handle(input);
        let shown: Vec<UiScreen> = outputs
            .iter()
            .filter_map(|o| match o {
                Output::Show(s) => Some(*s),
                _ => None,
            })
            .collect();
        for (i, screen) in shown.iter().enumerate() {
            let name = if i > 0 {
                format!("{name}-then-{}", screen_name(*screen))
            } else {
                name.to_owned()
            };
            self.draw(&name, *screen);
        }
    }

    /// The state of `screen` as the view draws it now.
    fn state(&self, screen: UiScreen) -> UiState {
        let mut state = state_of(
            &self.screens,
            screen,
            self.lang,
            &self.config.terminal.languages,
            &self.config.policy.policy,
            self.downloads.clone(),
            1.0,
            self.service.clone(),
            self.prints.ui(self.lang, true),
            self.high_contrast,
        );
        if screen == UiScreen::Takeaway {
            state.keep = Some(self.keep.state(
                &self.config.policy.policy,
                self.lang,
                self.downloads.clone(),
            ));
        }
        state
    }

    /// Records `screen` as it is drawn now, under `name`.
    fn draw(&mut self, name: &str, screen: UiScreen) {
        let state = self.state(screen);
        // The same drawing reached by another path is checked once.
        let json = serde_json::to_string(&state).expect("the state serializes");
        if !self.seen.insert(json) {
            return;
        }
        self.out.push(ToolbarCase {
            name: format!("{name}-{}{}", self.lang.code(), self.suffix()),
            lang: self.lang.code(),
            bar: !screen.is_full_window(),
            filter: None,
            state,
        });
    }

    /// The screen on show drawn again with `text` typed in its filter box.
    fn typed(&mut self, name: &str, screen: UiScreen, text: &str) {
        let state = self.state(screen);
        self.out.push(ToolbarCase {
            name: format!("{name}-{}{}", self.lang.code(), self.suffix()),
            lang: self.lang.code(),
            bar: false,
            filter: Some(text.to_owned()),
            state,
        });
    }
}

/// Something to type in the filter box that finds a few services: the start of the last
/// service's name, in capitals (the filter ignores case and accents).
fn some_letters(policy: &Policy, lang: Lang) -> String {
    let last = policy
        .services()
        .iter()
        .rfind(|s| s.id != crate::policy::LOCAL_ID);
    last.map(|s| {
        s.names
            .get(lang)
            .chars()
            .take(5)
            .collect::<String>()
            .to_uppercase()
    })
    .unwrap_or_default()
}

/// The welcome of a terminal with few services (no filter box), the first of `config`'s.
fn few_services_case(config: &Config, lang: Lang, high_contrast: bool) -> ToolbarCase {
    let few: Vec<_> = config
        .policy
        .policy
        .services()
        .iter()
        .filter(|s| s.id != crate::policy::LOCAL_ID)
        .take(5)
        .cloned()
        .collect();
    let policy = Policy::new(few, &[]);
    ToolbarCase {
        name: format!(
            "welcome-few-services-{}{}",
            lang.code(),
            if high_contrast { "-hc" } else { "" }
        ),
        lang: lang.code(),
        bar: false,
        filter: None,
        state: state_of(
            &Screens::new(None),
            UiScreen::Welcome,
            lang,
            &config.terminal.languages,
            &policy,
            vec![],
            1.0,
            None,
            Prints::default().ui(lang, true),
            high_contrast,
        ),
    }
}

/// Every screen in `lang`, in high contrast or not.
fn toolbar_cases(config: &Config, lang: Lang, high_contrast: bool) -> Vec<ToolbarCase> {
    let policy = &config.policy.policy;
    let first = policy
        .services()
        .iter()
        .find(|s| s.id != crate::policy::LOCAL_ID);
    let url = first.map(|s| s.start_url.get(lang).to_string());
    let name = first.map(|s| s.names.get(lang).to_owned());
    let mut run = Run::new(config, lang, high_contrast);
    run.step("welcome", Input::Start { goodbye: false });
    let letters = some_letters(policy, lang);
    run.typed("welcome-filter-typed", UiScreen::Welcome, &letters);
    run.typed("welcome-filter-nothing-found", UiScreen::Welcome, "zzqx");
    run.step("toolbar", Input::Open { start_url: url });
    run.step("services-no-service", Input::Home);
    run.step("toolbar-back", Input::Close);
    // The first page of an approved service is on screen.
    run.service = name;
    run.step("documents-empty", Input::Documents);
    run.step("toolbar-again", Input::Close);
    let notices = [
        ("saved", Notice::Saved),
        ("helper-called", Notice::HelperCalled),
        ("problem-reported", Notice::ProblemReported),
        ("refused-disabled", Notice::Refused(Refusal::Disabled)),
        ("refused-not-by-you", Notice::Refused(Refusal::NotByYou)),
        (
            "refused-extension",
            Notice::Refused(Refusal::BlockedExtension),
        ),
        ("refused-too-large", Notice::Refused(Refusal::TooLarge)),
        ("refused-too-many", Notice::Refused(Refusal::TooManyFiles)),
        (
            "refused-session-full",
            Notice::Refused(Refusal::SessionFull),
        ),
    ];
    let prints = [
        ("print-sending", Notice::Print(None)),
        ("print-queued", Notice::Print(Some(PrintState::Queued))),
        (
            "print-over-limit",
            Notice::Print(Some(PrintState::OverLimit)),
        ),
    ];
    for (name, notice) in notices.into_iter().chain(prints) {
        run.step(&format!("toolbar-notice-{name}"), Input::Notice(notice));
    }
    run.step("toolbar-notice-seen", Input::NoticeSeen);
    run.downloads = sample_downloads();
    // One document being printed, another refused: both answers show next to them.
    for (name, state) in run
        .downloads
        .clone()
        .iter()
        .zip([PrintState::Queued, PrintState::OverLimit])
    {
        if let crate::protocol::view::FromView::Print { id, .. } = run.prints.print_download(name) {
            run.prints.on_status(id, state);
        }
    }
    run.step("documents", Input::Documents);
    run.step("toolbar-with-documents", Input::Close);
    run.step("picker", Input::OpenPicker);
    run.step("toolbar-picked", Input::PickCancel);
    run.step("languages", Input::Languages);
    run.step("toolbar-after-languages", Input::Close);
    run.step("services", Input::Home);
    run.typed("services-filter-typed", UiScreen::Services, &letters);
    run.typed("services-filter-nothing-found", UiScreen::Services, "zzqx");
    run.step("report", Input::Report);
    run.step("services-again", Input::Close);
    run.step("confirm-end", Input::End);
    run.step("services-after-no", Input::Close);
    run.step(
        "countdown-idle",
        Input::Countdown {
            reason: CountdownReason::Idle,
            seconds: 60,
        },
    );
    run.step("services-still-here", Input::CancelCountdown);
    run.step(
        "countdown-max-duration",
        Input::Countdown {
            reason: CountdownReason::MaxDuration,
            seconds: 120,
        },
    );
    // The summary lists the services used, each with its time of day.
    if let Some(s) = first {
        let at = chrono::TimeZone::with_ymd_and_hms(&chrono::Local, 2026, 12, 3, 9, 5, 0);
        run.keep.memory.service_used(&s.id, at.unwrap());
    }
    run.step(
        "takeaway",
        Input::EndSession {
            takeaway: true,
            has_downloads: true,
            logouts: vec![],
        },
    );
    // The USB stick, as guichetd tells it: none, there, copying, copied, failed.
    for usb in [
        UsbState::Absent,
        UsbState::Replug,
        UsbState::Present,
        UsbState::Copying,
        UsbState::Copied,
        UsbState::Failed,
    ] {
        run.keep.usb = Some(usb);
        let name = format!("takeaway-usb-{}", screen_name_of(usb));
        run.draw(&name, UiScreen::Takeaway);
    }
    run.step("ending", Input::Finish);
    let mut cases = run.out;
    cases.push(few_services_case(config, lang, high_contrast));
    // A spare started after a session ended, and the staff's screens.
    for (name, input) in [
        ("goodbye", Input::Start { goodbye: true }),
        ("paused", Input::Screen(Screen::Paused)),
        ("out-of-order", Input::Screen(Screen::OutOfOrder)),
    ] {
        let mut run = Run::new(config, lang, high_contrast);
        run.step(name, input);
        cases.append(&mut run.out);
    }
    cases
}

/// Writes every trusted screen of `config`'s view into `dir`: the toolbar app's files as
/// served (`app/index.html`, `app/app.css`, `app/app.js`), each screen's state in every
/// language (`states.json`, with the CSPs and the bar's height), and the content view's pages
/// with their CSS (`pages/*.html`, `page.css`, listed in `states.json`).
#[doc(hidden)]
pub fn write(config: &Config, dir: &Path) -> std::io::Result<()> {
    let app = dir.join("app");
    std::fs::create_dir_all(&app)?;
    std::fs::create_dir_all(dir.join("pages"))?;
    for (file, url) in [
        ("index.html", pages::APP_URL.to_owned()),
        ("app.css", format!("{}app.css", pages::APP_URL)),
        ("app.js", format!("{}app.js", pages::APP_URL)),
    ] {
        let page = pages::toolbar_page(&url);
        assert_eq!(page.status, 200, "{file}");
        std::fs::write(app.join(file), &page.body)?;
    }
    let policy = &config.policy.policy;
    let lang0 = config.default_lang();
    let css = pages::content_page("guichet://page.css", policy, lang0);
    std::fs::write(dir.join("page.css"), &css.body)?;
    let mut manifest = Manifest {
        toolbar_csp: pages::TOOLBAR_CSP,
        content_csp: pages::CONTENT_CSP,
        bar_height: BAR_HEIGHT,
        toolbar: vec![],
        pages: vec![],
    };
    for lang in Lang::ALL {
        for high_contrast in [false, true] {
            manifest
                .toolbar
                .extend(toolbar_cases(config, lang, high_contrast));
        }
        for (name, url) in page_cases::page_urls(lang) {
            let page = pages::content_page(&url, policy, lang0);
            assert_eq!(page.status, 200, "{name}");
            let name = format!("{name}-{}", lang.code());
            let file = format!("pages/{name}.html");
            std::fs::write(dir.join(&file), &page.body)?;
            manifest.pages.push(PageCase {
                name,
                lang: lang.code(),
                url,
                file,
            });
        }
    }
    let json = serde_json::to_string_pretty(&manifest).expect("the states serialize");
    std::fs::write(dir.join("states.json"), json)
}

mod page_cases;
#[cfg(test)]
mod tests;
