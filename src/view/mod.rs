//! The kiosk view (`guichet-view`): the browser a person uses during one session.
//!
//! One borderless full-screen window holds two webviews: the trusted **toolbar** (pages
//! compiled into the binary, served as `guichet://`, the only view with an IPC handler; it
//! grows to the whole window for the welcome, countdown, take-away, goodbye and notice
//! screens) and the untrusted **content** view (approved services only, every navigation
//! hop checked by the policy, no devtools, menus, dialogs or new windows). The supervisor
//! drives it over stdin/stdout with the protocol of [`crate::protocol::view`].
//!
//! Modules: [`app`] (state and event loop), [`window`], [`content`] (enforcing signals),
//! [`navigation`] (what a hop becomes), [`downloads`], [`keys`] (shortcut table),
//! [`toolbar`] (trusted UI messages and state), [`pages`] (`guichet://`), [`i18n`],
//! [`filter`] (sub-resource filter), [`orders`] (the protocol with guichetd) and [`ffi`], the only
//! module with `unsafe` code.

mod app;
mod content;
pub mod downloads;
#[allow(unsafe_code)]
mod ffi;
pub mod filter;
pub mod i18n;
pub mod keys;
pub mod navigation;
mod orders;
pub mod pages;
pub mod toolbar;
pub mod window;

use std::path::Path;

use crate::config::Config;
use crate::sessiondir::SessionDir;

/// Loads the config, opens the session directory and runs the view until told to quit or
/// until stdin closes. Returns only on a startup error (the message is for stderr).
pub fn run(
    session_dir: &Path,
    config_path: &Path,
    layout: window::Layout,
) -> Result<std::convert::Infallible, String> {
    let config = Config::load(config_path).map_err(|e| e.to_string())?;
    let session = SessionDir::open(session_dir)
        .map_err(|e| format!("cannot open the session directory: {e}"))?;
    // Nothing relative may land outside the session, whatever a library decides.
    std::env::set_current_dir(session.runtime())
        .map_err(|e| format!("cannot enter the session directory: {e}"))?;
    gtk::init().map_err(|e| format!("cannot initialise GTK (is DISPLAY set?): {e}"))?;
    app::run(config, session, layout)
}
