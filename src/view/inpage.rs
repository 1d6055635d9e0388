//! What WebKit would draw for a page outside the page, drawn inside it or not at all.
//!
//! A page's words must never appear over the trusted toolbar or a trusted screen. WebKit draws
//! a few things for a page outside the content view's area; each is handled at its source:
//!
//! - **form validation messages** and **drags**: a script in every document of the content view
//!   (`pages/inpage.js`, in an isolated script world the page cannot reach) cancels the
//!   `invalid` event's bubble and draws the message inside the page instead, and cancels every
//!   `dragstart`; a user style sheet (which outranks the page's `!important`) makes nothing
//!   draggable in the first place, in documents the script may not reach too;
//! - **`<datalist>` suggestions**: WebKit shows them in a popup window placed above the field
//!   when the space below is short: the feature is turned off (the field stays a text field);
//! - **`<select>` lists** are drawn by guichet inside the content area (`optionlist.rs`);
//!   **colour pickers** and every other popup or extra window are refused (`popups.rs`).
//!
//! The same script puts a skip link first in every page's focus order: to the toolbar.
//!
//! The person's high-contrast switch adds one more user style sheet ([`set_high_contrast`]):
//! white text on black, yellow links and focus, over whatever the page says.
//!
//! Date and time fields have no picker in WebKitGTK (they are edited in place); file choosers,
//! print dialogs, new windows, context menus, tooltips, full screen and permissions are handled
//! in `content.rs`.

use crate::lang::Lang;

use super::i18n::texts;

use webkit2gtk::{
    UserContentInjectedFrames, UserContentManagerExt, UserScript, UserScriptInjectionTime,
    UserStyleLevel, UserStyleSheet, WebView, WebViewExt,
};

/// The isolated script world of guichet's own scripts in content pages.
const WORLD: &str = "guichet";

const SCRIPT: &str = include_str!("pages/inpage.js");

/// The script with the skip link's words in every language.
fn script() -> String {
    let words: serde_json::Map<String, serde_json::Value> = Lang::ALL
        .into_iter()
        .map(|l| (l.code().to_owned(), texts(l).skip_to_toolbar.into()))
        .collect();
    SCRIPT.replacen(
        "/*SKIP_TEXTS*/ {}",
        &serde_json::Value::Object(words).to_string(),
        1,
    )
}

/// Nothing in a page can be dragged: no drag image to draw anywhere.
const STYLE: &str = "*, *::before, *::after { -webkit-user-drag: none !important; }";

/// High contrast in pages: white on black, links and focus in yellow; pictures stay.
const HIGH_CONTRAST: &str = "html, body, body *:not(img):not(video):not(canvas) { \
background-color: #000 !important; color: #fff !important; border-color: #fff !important; \
text-shadow: none !important; box-shadow: none !important; } \
body * { background-image: none !important; } \
a, a * { color: #ff0 !important; } \
input, textarea, select, button { border: 2px solid #fff !important; } \
*:focus { outline: 3px solid #ff0 !important; outline-offset: 2px !important; }";

/// The style sheets every page gets: nothing draggable, and high contrast when it is on.
fn add_style_sheets(manager: &webkit2gtk::UserContentManager, high_contrast: bool) {
    let sheets = if high_contrast {
        &[STYLE, HIGH_CONTRAST][..]
    } else {
        &[STYLE][..]
    };
    for sheet in sheets {
        manager.add_style_sheet(&UserStyleSheet::new(
            sheet,
            UserContentInjectedFrames::AllFrames,
            UserStyleLevel::User,
            &[],
            &[],
        ));
    }
}

/// Turns the pages' high contrast on or off: the pages on screen change at once, the next
/// ones load with it.
pub(crate) fn set_high_contrast(content: &WebView, on: bool) {
    let Some(manager) = content.user_content_manager() else {
        return;
    };
    manager.remove_all_style_sheets();
    add_style_sheets(&manager, on);
}

/// WebKit features turned off in the content view (see the module documentation).
const FEATURES_OFF: &[&str] = &["DataListElement"];

/// Installs the script, the style sheet and the feature settings on the content view, before
/// it loads anything.
pub(crate) fn install(content: &WebView) -> Result<(), String> {
    let manager = content
        .user_content_manager()
        .ok_or("content view has no user content manager")?;
    manager.add_script(&UserScript::for_world(
        &script(),
        UserContentInjectedFrames::AllFrames,
        UserScriptInjectionTime::Start,
        WORLD,
        &[],
        &[],
    ));
    add_style_sheets(&manager, false);
    let settings = WebViewExt::settings(content).ok_or("content view has no settings")?;
    for feature in FEATURES_OFF {
        if !super::ffi::disable_feature(&settings, feature) {
            return Err(format!("WebKit has no feature {feature}"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_skip_link_has_its_words_in_every_language() {
        let js = script();
        assert!(!js.contains("/*SKIP_TEXTS*/"));
        for lang in Lang::ALL {
            let words = serde_json::to_string(texts(lang).skip_to_toolbar).unwrap();
            assert!(
                js.contains(&format!("\"{}\":{words}", lang.code())),
                "{lang:?}"
            );
        }
    }
}
