//! guichet: a kiosk supervisor for shared public computers.
//!
//! A person does online procedures on approved public services; at the end of the session
//! everything of that person is erased, by the software itself. The supervisor (`guichetd`)
//! runs one locked WebKitGTK view (`guichet-view`) per session on a tmpfs session directory,
//! wipes it and verifies the wipe; staff drive it with `guichetctl`. See DESIGN.md.
//!
//! Where things live:
//! - [`config`]: `guichet.toml` and the packs it names, parsed then checked;
//! - [`policy`]: the allowlist (rules, packs, decisions);
//! - [`protocol`]: the two wire protocols (supervisor ↔ view, guichetctl ↔ guichetd);
//! - [`daemon`]: guichetd — event loop, session state machine, views, wipes, control socket;
//! - `view` (feature `view`): guichet-view, the wry/tao/WebKitGTK kiosk browser;
//! - [`sessiondir`]: the one directory a session may write, shared by daemon and view;
//! - [`stats`]: anonymous per-day counters for the helpers' network;
//! - [`lang`], [`loggable`]: languages, and the values that may appear in logs.
//!
//! `unsafe` code is allowed in two modules only, [`sys`] (the daemon's libc calls) and
//! `view::ffi` (WebKit calls wry does not wrap); every block carries a `// SAFETY:` line.

#![deny(unsafe_code)]

pub mod config;
pub mod daemon;
pub mod lang;
pub mod loggable;
pub mod policy;
pub mod protocol;
pub mod sessiondir;
pub mod stats;
#[allow(unsafe_code)]
pub mod sys;

#[cfg(feature = "view")]
pub mod view;
