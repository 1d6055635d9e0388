//! The kiosk view (`guichet-view`): the browser a person uses during one session.
//!
//! One borderless full-screen window holds two webviews: the trusted **toolbar** (pages
//! compiled into the binary, served as `guichet://`, the only view with an IPC handler; it
//! grows to the whole window for the welcome, countdown, take-away, goodbye and notice
//! screens) and the untrusted **content** view (approved services only, every navigation
//! hop checked by the policy, no devtools, menus, dialogs or new windows). The supervisor
//! drives it over stdin/stdout with the protocol of [`crate::protocol::view`].
//!
//! Where things live:
//! - `app` — the event loop: each event to the screens or handled on the spot;
//! - `screens` — which screen shows when: a pure state machine with its table tests;
//! - `ending` — the end-of-session flow's effects: logout visits and their timeouts;
//! - `shared` — what the WebKit signal handlers share with the loop (`Event`, `Shared`);
//! - `build` — the window, both webviews, the `guichet://` responders, the proxy;
//! - `layout` — GTK sizing of the two views; [`window`] — the window itself and its input;
//! - `content` — the content view's settings and enforcing signals; `loading` — its page
//!   loads and their failures; `frames` — whether a blocked hop was an iframe's;
//!   `navigation` — what a hop becomes;
//! - `downloads` — what may land, where, and the session's bounds; `transfers` — the
//!   downloads as WebKit runs them; `gestures` — which navigations the person started;
//! - `inpage`, `optionlist`, `popups` — nothing a page controls is drawn outside the content
//!   area: validation messages in the page, `<select>` lists drawn by guichet inside the
//!   content area, no picker, popup or second window;
//! - `toolbar` — the trusted UI's messages and state; `pages` — the `guichet://` pages;
//!   `i18n` — their texts; `keys` — the shortcut table; `filter` — the sub-resource filter;
//! - `ui_states` — the toolbar's state from the screens, and every screen written to files
//!   for the accessibility test;
//! - `orders` — the protocol with guichetd; `ffi` — the only module with `unsafe` code.

mod app;
mod build;
mod content;
mod downloads;
mod ending;
#[allow(unsafe_code)]
mod ffi;
mod filter;
mod frames;
mod gestures;
mod i18n;
mod inpage;
mod keep;
mod keep_texts;
mod keys;
mod layout;
mod loading;
mod navigation;
pub mod notice;
mod optionlist;
mod orders;
mod pages;
mod popups;
mod printing;
mod printpage;
mod screens;
mod shared;
mod summary;
mod toolbar;
mod transfers;
#[doc(hidden)]
pub mod ui_states;
mod welcome;
pub mod window;

use std::path::Path;

use crate::sessiondir::SessionDir;

/// Opens the session directory, reads the config guichetd wrote there (`config.json`, see
/// [`SessionDir::read_config`]; the view never reads `guichet.toml`) and runs the view until
/// told to quit or until stdin closes. Returns only on a startup error (the message is for
/// stderr; it names no value of the config).
pub fn run(session_dir: &Path, layout: window::Layout) -> Result<std::convert::Infallible, String> {
    let session = SessionDir::open(session_dir)
        .map_err(|e| format!("cannot open the session directory: {e}"))?;
    let config = session.read_config().map_err(|e| e.to_string())?;
    // Nothing relative may land outside the session, whatever a library decides.
    std::env::set_current_dir(session.runtime())
        .map_err(|e| format!("cannot enter the session directory: {e}"))?;
    gtk::init().map_err(|e| format!("cannot initialise GTK (is DISPLAY set?): {e}"))?;
    app::run(config, session, layout)
}
