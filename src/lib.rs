//! guichet: a kiosk supervisor for shared public computers.
//!
//! A person does online procedures on approved public services; at the end of the session
//! everything of that person is erased, by the software itself. The supervisor (`guichetd`)
//! runs one locked WebKitGTK view (`guichet-view`) per session on a tmpfs session directory,
//! wipes it and verifies the wipe; staff drive it with `guichetctl`. See DESIGN.md.
//!
//! Each module owns one job; `unsafe` code lives only in `spawn` and `view`.

#[forbid(unsafe_code)]
pub mod config;
#[forbid(unsafe_code)]
pub mod control;
#[forbid(unsafe_code)]
pub mod ipc;
#[forbid(unsafe_code)]
pub mod loggable;
#[forbid(unsafe_code)]
pub mod policy;
#[forbid(unsafe_code)]
pub mod printjobs;
#[forbid(unsafe_code)]
pub mod session;
#[forbid(unsafe_code)]
pub mod sessiondir;
pub mod spawn;
#[forbid(unsafe_code)]
pub mod stats;
#[forbid(unsafe_code)]
pub mod supervisor;
#[forbid(unsafe_code)]
pub mod wipe;

#[cfg(feature = "view")]
pub mod view;
