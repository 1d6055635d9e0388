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
    manager.add_style_sheet(&UserStyleSheet::new(
        STYLE,
        UserContentInjectedFrames::AllFrames,
        UserStyleLevel::User,
        &[],
        &[],
    ));
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
